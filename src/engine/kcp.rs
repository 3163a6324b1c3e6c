//! KCP, the ARQ protocol of skywind3000's `ikcp.c`, as HP-Socket's ARQ components use it: the
//! same segment format (24-byte little-endian header), timers, windows, fast retransmission and
//! congestion control, with HP-Socket's one change: the conversation id of incoming segments is
//! not checked (each side sends with its own id). Written from the protocol's description; the
//! caller drives it with [`Kcp::update`] and supplies the datagram output to each call that sends.
#![deny(unsafe_op_in_unsafe_fn)]

use std::collections::VecDeque;

pub const OVERHEAD: usize = 24;
const RTO_NDL: u32 = 30;
const RTO_MIN: u32 = 100;
const RTO_DEF: u32 = 200;
const RTO_MAX: u32 = 60_000;
const CMD_PUSH: u8 = 81;
const CMD_ACK: u8 = 82;
const CMD_WASK: u8 = 83;
const CMD_WINS: u8 = 84;
const ASK_SEND: u32 = 1;
const ASK_TELL: u32 = 2;
const WND_SND: u32 = 32;
/// The smallest receive window, and the most fragments one message may have (exclusive).
pub const WND_RCV: u32 = 128;
const MTU_DEF: usize = 1400;
const INTERVAL: u32 = 100;
const DEADLINK: u32 = 20;
const THRESH_INIT: u32 = 2;
const THRESH_MIN: u32 = 2;
const PROBE_INIT: u32 = 7000;
const PROBE_LIMIT: u32 = 120_000;
const FASTACK_LIMIT: u32 = 5;

/// Signed distance between two wrapping 32-bit counters (sequence numbers, timestamps).
#[inline]
fn diff(later: u32, earlier: u32) -> i32 {
    later.wrapping_sub(earlier) as i32
}

#[derive(Default, Clone)]
struct Segment {
    conv: u32,
    cmd: u8,
    frg: u8,
    wnd: u16,
    ts: u32,
    sn: u32,
    una: u32,
    resendts: u32,
    rto: u32,
    fastack: u32,
    xmit: u32,
    data: Vec<u8>,
}

impl Segment {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.conv.to_le_bytes());
        out.push(self.cmd);
        out.push(self.frg);
        out.extend_from_slice(&self.wnd.to_le_bytes());
        out.extend_from_slice(&self.ts.to_le_bytes());
        out.extend_from_slice(&self.sn.to_le_bytes());
        out.extend_from_slice(&self.una.to_le_bytes());
        out.extend_from_slice(&(self.data.len() as u32).to_le_bytes());
    }
}

/// Why `input` refused a datagram.
#[derive(Debug, PartialEq, Eq)]
pub enum InputError {
    /// Shorter than one header.
    TooShort,
    /// A segment claims more data than the datagram holds.
    Truncated,
    /// A command KCP does not know.
    BadCommand,
}

/// Why `recv` could not hand over a message.
#[derive(Debug, PartialEq, Eq)]
pub enum RecvError {
    /// No whole message yet.
    Empty,
    /// The next message is larger than the buffer.
    TooBig(usize),
}

pub struct Kcp {
    conv: u32,
    mtu: usize,
    mss: usize,
    snd_una: u32,
    snd_nxt: u32,
    rcv_nxt: u32,
    ssthresh: u32,
    rx_rttval: u32,
    rx_srtt: u32,
    rx_rto: u32,
    rx_minrto: u32,
    snd_wnd: u32,
    rcv_wnd: u32,
    rmt_wnd: u32,
    cwnd: u32,
    probe: u32,
    current: u32,
    interval: u32,
    ts_flush: u32,
    nodelay: u32,
    updated: bool,
    ts_probe: u32,
    probe_wait: u32,
    dead_link: u32,
    incr: u32,
    fastresend: u32,
    fastlimit: u32,
    nocwnd: bool,
    dead: bool,
    snd_queue: VecDeque<Segment>,
    rcv_queue: VecDeque<Segment>,
    snd_buf: VecDeque<Segment>,
    rcv_buf: VecDeque<Segment>,
    acklist: Vec<(u32, u32)>,
    buffer: Vec<u8>,
}

impl Kcp {
    pub fn new(conv: u32) -> Kcp {
        Kcp {
            conv,
            mtu: MTU_DEF,
            mss: MTU_DEF - OVERHEAD,
            snd_una: 0,
            snd_nxt: 0,
            rcv_nxt: 0,
            ssthresh: THRESH_INIT,
            rx_rttval: 0,
            rx_srtt: 0,
            rx_rto: RTO_DEF,
            rx_minrto: RTO_MIN,
            snd_wnd: WND_SND,
            rcv_wnd: WND_RCV,
            rmt_wnd: WND_RCV,
            cwnd: 0,
            probe: 0,
            current: 0,
            interval: INTERVAL,
            ts_flush: INTERVAL,
            nodelay: 0,
            updated: false,
            ts_probe: 0,
            probe_wait: 0,
            dead_link: DEADLINK,
            incr: 0,
            fastresend: 0,
            fastlimit: FASTACK_LIMIT,
            nocwnd: false,
            dead: false,
            snd_queue: VecDeque::new(),
            rcv_queue: VecDeque::new(),
            snd_buf: VecDeque::new(),
            rcv_buf: VecDeque::new(),
            acklist: Vec::new(),
            buffer: Vec::with_capacity(MTU_DEF * 3),
        }
    }

    pub fn conv(&self) -> u32 {
        self.conv
    }

    /// `ikcp_nodelay`: nodelay mode (also lowers the minimum RTO), flush interval (10..=5000
    /// ms), resend after this many out-of-order acks (0: never), congestion control off.
    pub fn set_nodelay(&mut self, nodelay: bool, interval: u32, resend: u32, nc: bool) {
        self.nodelay = nodelay as u32;
        self.rx_minrto = if nodelay { RTO_NDL } else { RTO_MIN };
        self.interval = interval.clamp(10, 5000);
        self.fastresend = resend;
        self.nocwnd = nc;
    }

    /// `ikcp_wndsize`: 0 keeps a value; the receive window is at least [`WND_RCV`].
    pub fn set_wndsize(&mut self, snd: u32, rcv: u32) {
        if snd > 0 {
            self.snd_wnd = snd;
        }
        if rcv > 0 {
            self.rcv_wnd = rcv.max(WND_RCV);
        }
    }

    /// `ikcp_setmtu`: false (unchanged) below 50 bytes.
    pub fn set_mtu(&mut self, mtu: usize) -> bool {
        if mtu < 50 {
            return false;
        }
        self.mtu = mtu;
        self.mss = mtu - OVERHEAD;
        true
    }

    pub fn set_min_rto(&mut self, rto: u32) {
        self.rx_minrto = rto;
    }

    pub fn set_fast_limit(&mut self, limit: u32) {
        self.fastlimit = limit;
    }

    pub fn interval(&self) -> u32 {
        self.interval
    }

    /// Segments waiting to be sent or acknowledged (`ikcp_waitsnd`).
    pub fn wait_snd(&self) -> usize {
        self.snd_buf.len() + self.snd_queue.len()
    }

    /// A segment was retransmitted `dead_link` times without an ack.
    pub fn is_dead(&self) -> bool {
        self.dead
    }

    /// Size of the next whole message, if one is complete.
    pub fn peek_size(&self) -> Option<usize> {
        let first = self.rcv_queue.front()?;
        if first.frg == 0 {
            return Some(first.data.len());
        }
        if self.rcv_queue.len() < first.frg as usize + 1 {
            return None;
        }
        let mut len = 0;
        for s in &self.rcv_queue {
            len += s.data.len();
            if s.frg == 0 {
                break;
            }
        }
        Some(len)
    }

    /// Takes the next whole message into `buf`; its length.
    pub fn recv(&mut self, buf: &mut [u8]) -> Result<usize, RecvError> {
        let size = self.peek_size().ok_or(RecvError::Empty)?;
        if size > buf.len() {
            return Err(RecvError::TooBig(size));
        }
        let recover = self.rcv_queue.len() as u32 >= self.rcv_wnd;
        let mut len = 0;
        while let Some(s) = self.rcv_queue.pop_front() {
            buf[len..len + s.data.len()].copy_from_slice(&s.data);
            len += s.data.len();
            if s.frg == 0 {
                break;
            }
        }
        self.move_ready();
        if (self.rcv_queue.len() as u32) < self.rcv_wnd && recover {
            // Tell the peer the window opened again.
            self.probe |= ASK_TELL;
        }
        Ok(len)
    }

    /// Queues one message (fragmented by the MSS). False when it needs too many fragments.
    pub fn send(&mut self, data: &[u8]) -> bool {
        let count = if data.len() <= self.mss { 1 } else { data.len().div_ceil(self.mss) };
        if count >= WND_RCV as usize {
            return false;
        }
        for (i, chunk) in data.chunks(self.mss.max(1)).enumerate().take(count.max(1)) {
            self.snd_queue.push_back(Segment { frg: (count - i - 1) as u8, data: chunk.to_vec(), ..Default::default() });
        }
        if data.is_empty() {
            self.snd_queue.push_back(Segment::default());
        }
        true
    }

    fn update_ack(&mut self, rtt: u32) {
        if self.rx_srtt == 0 {
            self.rx_srtt = rtt;
            self.rx_rttval = rtt / 2;
        } else {
            let delta = rtt.abs_diff(self.rx_srtt);
            self.rx_rttval = (3 * self.rx_rttval + delta) / 4;
            self.rx_srtt = ((7 * self.rx_srtt + rtt) / 8).max(1);
        }
        let rto = self.rx_srtt + self.interval.max(4 * self.rx_rttval);
        self.rx_rto = rto.clamp(self.rx_minrto, RTO_MAX);
    }

    fn shrink_buf(&mut self) {
        self.snd_una = self.snd_buf.front().map_or(self.snd_nxt, |s| s.sn);
    }

    fn parse_ack(&mut self, sn: u32) {
        if diff(sn, self.snd_una) < 0 || diff(sn, self.snd_nxt) >= 0 {
            return;
        }
        if let Some(i) = self.snd_buf.iter().position(|s| diff(sn, s.sn) <= 0) {
            if self.snd_buf[i].sn == sn {
                self.snd_buf.remove(i);
            }
        }
    }

    fn parse_una(&mut self, una: u32) {
        while self.snd_buf.front().is_some_and(|s| diff(una, s.sn) > 0) {
            self.snd_buf.pop_front();
        }
    }

    fn parse_fastack(&mut self, sn: u32) {
        if diff(sn, self.snd_una) < 0 || diff(sn, self.snd_nxt) >= 0 {
            return;
        }
        for s in self.snd_buf.iter_mut() {
            if diff(sn, s.sn) < 0 {
                break;
            } else if sn != s.sn {
                s.fastack += 1;
            }
        }
    }

    fn parse_data(&mut self, seg: Segment) {
        let sn = seg.sn;
        if diff(sn, self.rcv_nxt.wrapping_add(self.rcv_wnd)) >= 0 || diff(sn, self.rcv_nxt) < 0 {
            return;
        }
        // Insert in order, from the back; a repeat is dropped.
        let mut at = self.rcv_buf.len();
        let mut repeat = false;
        for (i, s) in self.rcv_buf.iter().enumerate().rev() {
            if s.sn == sn {
                repeat = true;
                break;
            }
            if diff(sn, s.sn) > 0 {
                break;
            }
            at = i;
        }
        if !repeat {
            self.rcv_buf.insert(at, seg);
        }
        self.move_ready();
    }

    /// Moves in-order segments from the receive buffer to the receive queue.
    fn move_ready(&mut self) {
        while let Some(s) = self.rcv_buf.front() {
            if s.sn == self.rcv_nxt && (self.rcv_queue.len() as u32) < self.rcv_wnd {
                let s = self.rcv_buf.pop_front().unwrap();
                self.rcv_queue.push_back(s);
                self.rcv_nxt = self.rcv_nxt.wrapping_add(1);
            } else {
                break;
            }
        }
    }

    /// Feeds one received datagram (one or more segments).
    pub fn input(&mut self, mut data: &[u8]) -> Result<(), InputError> {
        if data.len() < OVERHEAD {
            return Err(InputError::TooShort);
        }
        let prev_una = self.snd_una;
        let mut max_ack: Option<u32> = None;
        let u32_at = |d: &[u8], i: usize| u32::from_le_bytes([d[i], d[i + 1], d[i + 2], d[i + 3]]);
        while data.len() >= OVERHEAD {
            // The conversation id (bytes 0..4) is not checked: each side sends with its own.
            let cmd = data[4];
            let frg = data[5];
            let wnd = u16::from_le_bytes([data[6], data[7]]);
            let ts = u32_at(data, 8);
            let sn = u32_at(data, 12);
            let una = u32_at(data, 16);
            let len = u32_at(data, 20) as usize;
            data = &data[OVERHEAD..];
            if data.len() < len {
                return Err(InputError::Truncated);
            }
            if !matches!(cmd, CMD_PUSH | CMD_ACK | CMD_WASK | CMD_WINS) {
                return Err(InputError::BadCommand);
            }
            self.rmt_wnd = wnd as u32;
            self.parse_una(una);
            self.shrink_buf();
            match cmd {
                CMD_ACK => {
                    if diff(self.current, ts) >= 0 {
                        self.update_ack(diff(self.current, ts) as u32);
                    }
                    self.parse_ack(sn);
                    self.shrink_buf();
                    max_ack = Some(match max_ack {
                        Some(m) if diff(sn, m) <= 0 => m,
                        _ => sn,
                    });
                }
                CMD_PUSH if diff(sn, self.rcv_nxt.wrapping_add(self.rcv_wnd)) < 0 => {
                    self.acklist.push((sn, ts));
                    if diff(sn, self.rcv_nxt) >= 0 {
                        self.parse_data(Segment { cmd, frg, wnd, ts, sn, una, data: data[..len].to_vec(), ..Default::default() });
                    }
                }
                CMD_WASK => self.probe |= ASK_TELL,
                _ => {}
            }
            data = &data[len..];
        }
        if let Some(m) = max_ack {
            self.parse_fastack(m);
        }
        if diff(self.snd_una, prev_una) > 0 && self.cwnd < self.rmt_wnd {
            let mss = self.mss as u32;
            if self.cwnd < self.ssthresh {
                self.cwnd += 1;
                self.incr += mss;
            } else {
                if self.incr < mss {
                    self.incr = mss;
                }
                self.incr += (mss * mss) / self.incr + mss / 16;
                if (self.cwnd + 1) * mss <= self.incr {
                    self.cwnd = (self.incr + mss - 1) / mss.max(1);
                }
            }
            if self.cwnd > self.rmt_wnd {
                self.cwnd = self.rmt_wnd;
                self.incr = self.rmt_wnd * mss;
            }
        }
        Ok(())
    }

    fn wnd_unused(&self) -> u16 {
        self.rcv_wnd.saturating_sub(self.rcv_queue.len() as u32).min(u16::MAX as u32) as u16
    }

    /// Appends a segment to the output buffer, first sending the buffer if it would overflow
    /// the MTU.
    fn emit(&mut self, seg: &Segment, out: &mut dyn FnMut(&[u8])) {
        if self.buffer.len() + OVERHEAD + seg.data.len() > self.mtu && !self.buffer.is_empty() {
            out(&self.buffer);
            self.buffer.clear();
        }
        seg.encode(&mut self.buffer);
        self.buffer.extend_from_slice(&seg.data);
    }

    /// Sends acks, window probes and due segments now (`ikcp_flush`); a no-op before the first
    /// [`Kcp::update`].
    pub fn flush(&mut self, out: &mut dyn FnMut(&[u8])) {
        if !self.updated {
            return;
        }
        let current = self.current;
        let mut change = false;
        let mut lost = false;
        let mut seg = Segment { conv: self.conv, cmd: CMD_ACK, wnd: self.wnd_unused(), una: self.rcv_nxt, ..Default::default() };
        // The list is put back emptied, keeping its allocation.
        let mut acks = std::mem::take(&mut self.acklist);
        for &(sn, ts) in &acks {
            seg.sn = sn;
            seg.ts = ts;
            self.emit(&seg, out);
        }
        acks.clear();
        self.acklist = acks;
        seg.sn = 0;
        seg.ts = 0;
        // Probe a peer whose window is closed.
        if self.rmt_wnd == 0 {
            if self.probe_wait == 0 {
                self.probe_wait = PROBE_INIT;
                self.ts_probe = current.wrapping_add(self.probe_wait);
            } else if diff(current, self.ts_probe) >= 0 {
                self.probe_wait = self.probe_wait.max(PROBE_INIT);
                self.probe_wait = (self.probe_wait + self.probe_wait / 2).min(PROBE_LIMIT);
                self.ts_probe = current.wrapping_add(self.probe_wait);
                self.probe |= ASK_SEND;
            }
        } else {
            self.ts_probe = 0;
            self.probe_wait = 0;
        }
        if self.probe & ASK_SEND != 0 {
            seg.cmd = CMD_WASK;
            self.emit(&seg, out);
        }
        if self.probe & ASK_TELL != 0 {
            seg.cmd = CMD_WINS;
            self.emit(&seg, out);
        }
        self.probe = 0;
        let mut cwnd = self.snd_wnd.min(self.rmt_wnd);
        if !self.nocwnd {
            cwnd = cwnd.min(self.cwnd);
        }
        while diff(self.snd_nxt, self.snd_una.wrapping_add(cwnd)) < 0 {
            let Some(mut s) = self.snd_queue.pop_front() else { break };
            s.conv = self.conv;
            s.cmd = CMD_PUSH;
            s.wnd = seg.wnd;
            s.ts = current;
            s.sn = self.snd_nxt;
            self.snd_nxt = self.snd_nxt.wrapping_add(1);
            s.una = self.rcv_nxt;
            s.resendts = current;
            s.rto = self.rx_rto;
            s.fastack = 0;
            s.xmit = 0;
            self.snd_buf.push_back(s);
        }
        let resent = if self.fastresend > 0 { self.fastresend } else { u32::MAX };
        let rtomin = if self.nodelay == 0 { self.rx_rto >> 3 } else { 0 };
        let mut bufs = std::mem::take(&mut self.snd_buf);
        for s in bufs.iter_mut() {
            let mut send = false;
            if s.xmit == 0 {
                send = true;
                s.xmit += 1;
                s.rto = self.rx_rto;
                s.resendts = current.wrapping_add(s.rto + rtomin);
            } else if diff(current, s.resendts) >= 0 {
                send = true;
                s.xmit += 1;
                if self.nodelay == 0 {
                    s.rto += s.rto.max(self.rx_rto);
                } else {
                    let step = if self.nodelay < 2 { s.rto } else { self.rx_rto };
                    s.rto += step / 2;
                }
                s.resendts = current.wrapping_add(s.rto);
                lost = true;
            } else if s.fastack >= resent && (s.xmit <= self.fastlimit || self.fastlimit == 0) {
                send = true;
                s.xmit += 1;
                s.fastack = 0;
                s.resendts = current.wrapping_add(s.rto);
                change = true;
            }
            if send {
                s.ts = current;
                s.wnd = seg.wnd;
                s.una = self.rcv_nxt;
                self.emit(s, out);
                if s.xmit >= self.dead_link {
                    self.dead = true;
                }
            }
        }
        self.snd_buf = bufs;
        if !self.buffer.is_empty() {
            out(&self.buffer);
            self.buffer.clear();
        }
        if change {
            let inflight = self.snd_nxt.wrapping_sub(self.snd_una);
            self.ssthresh = (inflight / 2).max(THRESH_MIN);
            self.cwnd = self.ssthresh.saturating_add(resent);
            self.incr = self.cwnd.saturating_mul(self.mss as u32);
        }
        if lost {
            self.ssthresh = (cwnd / 2).max(THRESH_MIN);
            self.cwnd = 1;
            self.incr = self.mss as u32;
        }
        if self.cwnd < 1 {
            self.cwnd = 1;
            self.incr = self.mss as u32;
        }
    }

    /// Advances the clock to `current` (ms) and flushes when an interval has passed
    /// (`ikcp_update`).
    pub fn update(&mut self, current: u32, out: &mut dyn FnMut(&[u8])) {
        self.current = current;
        if !self.updated {
            self.updated = true;
            self.ts_flush = current;
        }
        let mut slap = diff(current, self.ts_flush);
        if !(-10000..10000).contains(&slap) {
            self.ts_flush = current;
            slap = 0;
        }
        if slap >= 0 {
            self.ts_flush = self.ts_flush.wrapping_add(self.interval);
            if diff(current, self.ts_flush) >= 0 {
                self.ts_flush = current.wrapping_add(self.interval);
            }
            self.flush(out);
        }
    }

    /// Sets the clock without flushing (before a flush forced by a send or an input).
    pub fn set_current(&mut self, current: u32) {
        if self.updated {
            self.current = current;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny deterministic generator for the lossy link.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u32 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 16) as u32
        }
    }

    /// A link that drops `loss`% of datagrams and delays the rest by 5..=`jitter`+5 ms, so
    /// they arrive out of order.
    struct Link {
        rng: Rng,
        loss: u32,
        jitter: u32,
        in_flight: Vec<(u32, Vec<u8>)>,
    }
    impl Link {
        fn put(&mut self, now: u32, d: &[u8]) {
            if self.rng.next() % 100 < self.loss {
                return;
            }
            let at = now + 5 + self.rng.next() % (self.jitter + 1);
            self.in_flight.push((at, d.to_vec()));
        }
        fn due(&mut self, now: u32) -> Vec<Vec<u8>> {
            let (due, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.in_flight).into_iter().partition(|(t, _)| *t <= now);
            self.in_flight = rest;
            due.into_iter().map(|(_, d)| d).collect()
        }
    }

    /// Sends `n` messages of varying sizes from a to b over lossy links both ways; returns what
    /// b received, in order, and the time it took (simulated ms).
    fn transfer(n: usize, loss: u32, jitter: u32, nodelay: bool, seed: u64) -> (Vec<Vec<u8>>, Vec<Vec<u8>>, u32) {
        let mut a = Kcp::new(0x1111);
        let mut b = Kcp::new(0x2222); // different ids: not checked
        for k in [&mut a, &mut b] {
            k.set_nodelay(nodelay, 20, if nodelay { 2 } else { 0 }, nodelay);
            k.set_wndsize(128, 512);
            k.set_mtu(1432);
        }
        let mut ab = Link { rng: Rng(seed), loss, jitter, in_flight: Vec::new() };
        let mut ba = Link { rng: Rng(seed ^ 0x9e37), loss, jitter, in_flight: Vec::new() };
        let msgs: Vec<Vec<u8>> = (0..n).map(|i| (0..(1 + (i * 997) % 6000)).map(|j| (i + j) as u8).collect()).collect();
        let mut got = Vec::new();
        let mut next = 0;
        let mut buf = vec![0u8; 8192];
        let mut now = 0u32;
        while got.len() < n && now < 600_000 {
            // keep a bounded number of messages in flight, as an application waiting on
            // GetWaitingSendMessageCount would
            while next < n && a.wait_snd() < 256 {
                assert!(a.send(&msgs[next]));
                next += 1;
            }
            a.update(now, &mut |d| ab.put(now, d));
            b.update(now, &mut |d| ba.put(now, d));
            for d in ab.due(now) {
                b.input(&d).unwrap();
            }
            for d in ba.due(now) {
                a.input(&d).unwrap();
            }
            while let Ok(len) = b.recv(&mut buf) {
                got.push(buf[..len].to_vec());
            }
            now += 10;
        }
        (msgs, got, now)
    }

    #[test]
    fn in_order_and_complete_without_loss() {
        let (sent, got, _) = transfer(500, 0, 0, false, 1);
        assert_eq!(sent, got);
    }

    #[test]
    fn in_order_and_complete_with_loss_and_reordering() {
        for (loss, seed, nodelay) in [(10, 7, false), (20, 99, true), (30, 5, true)] {
            let (sent, got, t) = transfer(600, loss, 40, nodelay, seed);
            assert_eq!(sent.len(), got.len(), "loss {loss}%: {} of {} after {t} ms", got.len(), sent.len());
            assert!(sent == got, "loss {loss}%: messages differ");
        }
    }

    #[test]
    fn fragments_and_limits() {
        let mut k = Kcp::new(1);
        k.set_mtu(100);
        assert!(k.send(&vec![7u8; 76 * 127])); // 127 fragments
        assert!(!k.send(&vec![7u8; 76 * 128])); // 128: too many
        assert!(!k.set_mtu(49));
        assert_eq!(k.wait_snd(), 127);
    }

    #[test]
    fn bad_input_is_refused() {
        let mut k = Kcp::new(1);
        assert_eq!(k.input(&[0u8; 10]), Err(InputError::TooShort));
        let mut seg = Vec::new();
        Segment { cmd: CMD_PUSH, data: vec![1, 2, 3], ..Default::default() }.encode(&mut seg);
        assert_eq!(k.input(&seg), Err(InputError::Truncated)); // header says 3, none follow
        let mut bad = Vec::new();
        Segment { cmd: 99, ..Default::default() }.encode(&mut bad);
        assert_eq!(k.input(&bad), Err(InputError::BadCommand));
    }

    #[test]
    fn too_small_a_buffer_is_reported() {
        let mut a = Kcp::new(1);
        let mut b = Kcp::new(2);
        a.send(&[5u8; 300]);
        let mut wire = Vec::new();
        // As in ikcp, the first flush only opens the congestion window.
        a.update(0, &mut |d| wire.push(d.to_vec()));
        a.update(100, &mut |d| wire.push(d.to_vec()));
        for d in wire {
            b.input(&d).unwrap();
        }
        let mut small = [0u8; 100];
        assert_eq!(b.recv(&mut small), Err(RecvError::TooBig(300)));
        let mut big = [0u8; 300];
        assert_eq!(b.recv(&mut big), Ok(300));
    }
}
