//! The ARQ session of a UdpArqServer / UdpArqClient connection: upstream's 12-byte handshake
//! (each side announces its own conversation id and echoes the peer's), then KCP for reliable,
//! ordered messages. The UDP layer below handles detect heartbeats and close notifications.
#![deny(unsafe_op_in_unsafe_fn)]

use super::kcp::{self, Kcp, RecvError};
use std::sync::OnceLock;
use std::time::Instant;

const MAGIC: u16 = 0xBB4F;
const CMD_HANDSHAKE: u8 = 0x01;
const FLAG_COMPLETE: u8 = 0x01;
pub const HANDSHAKE_LEN: usize = 12;
/// Upper bound of the handshake resend interval.
const MAX_HANDSHAKE_INTERVAL: u32 = 2000;

/// The ARQ options, checked at Start as upstream's `TArqAttr::IsValid` does.
#[derive(Clone, Debug)]
pub struct ArqOptions {
    pub no_delay: bool,
    pub turnoff_nc: bool,
    pub resend_by_acks: u32,
    pub flush_interval: u32,
    pub send_wnd: u32,
    pub recv_wnd: u32,
    pub min_rto: u32,
    pub fast_limit: u32,
    pub mtu: u32,
    pub max_message: u32,
    pub handshake_timeout: u32,
}

impl Default for ArqOptions {
    fn default() -> Self {
        ArqOptions {
            no_delay: false,
            turnoff_nc: false,
            resend_by_acks: 0,
            flush_interval: 60,
            send_wnd: 128,
            recv_wnd: 512,
            min_rto: 30,
            fast_limit: 5,
            mtu: super::limits::UDP_DEFAULT_DATAGRAM_SIZE,
            max_message: 4096,
            handshake_timeout: 5000,
        }
    }
}

impl ArqOptions {
    pub fn valid(&self) -> bool {
        let pos = |v: u32| (v as i32) > 0;
        let hdr = kcp::OVERHEAD as u64;
        (self.resend_by_acks as i32) >= 0
            && pos(self.flush_interval)
            && pos(self.send_wnd)
            && pos(self.recv_wnd)
            && pos(self.min_rto)
            && (self.fast_limit as i32) >= 0
            && (self.handshake_timeout as i32) > 2 * (self.min_rto as i32)
            && self.mtu as u64 >= 3 * hdr
            && self.mtu <= super::limits::UDP_MAX_DATAGRAM_SIZE
            && pos(self.max_message)
            && (self.max_message as u64) < (kcp::WND_RCV as u64 - 1) * (self.mtu as u64 - hdr)
    }
}

/// Milliseconds on a monotonic clock (wrapping, as KCP's timestamps are).
pub fn now_ms() -> u32 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_millis() as u32
}

fn random_id() -> u32 {
    loop {
        let mut b = [0u8; 4];
        // SAFETY: `b` is a local 4-byte buffer and getrandom writes at most the 4 bytes asked for.
        let n = unsafe { libc::getrandom(b.as_mut_ptr() as *mut _, 4, 0) };
        let v = u32::from_le_bytes(b);
        if n == 4 && v != 0 {
            return v;
        }
        if n != 4 {
            return (now_ms() ^ (std::process::id() << 16)).max(1);
        }
    }
}

/// What a received datagram produced, for the connection task to raise in order.
pub enum Event {
    HandShake,
    Message(Vec<u8>),
}

pub struct Session {
    kcp: Kcp,
    self_id: u32,
    peer_id: u32,
    created: u32,
    hs_next: u32,
    hs_count: u32,
    hs_complete: bool,
    ready: bool,
    timeout: u32,
    max_message: usize,
}

thread_local! {
    /// Where `receive` takes messages out of KCP: the thread's, not a connection's, and not
    /// made (and zeroed) anew for every datagram.
    static RECV_BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Why a session ends (an errno for OnClose).
pub type Fail = i32;

impl Session {
    pub fn new(o: &ArqOptions) -> Session {
        let self_id = random_id();
        let mut kcp = Kcp::new(self_id);
        kcp.set_nodelay(o.no_delay, o.flush_interval, o.resend_by_acks, o.turnoff_nc);
        kcp.set_wndsize(o.send_wnd, o.recv_wnd);
        kcp.set_mtu(o.mtu as usize);
        kcp.set_min_rto(o.min_rto);
        kcp.set_fast_limit(o.fast_limit);
        let now = now_ms();
        Session { kcp, self_id, peer_id: 0, created: now, hs_next: now, hs_count: 0, hs_complete: false, ready: false, timeout: o.handshake_timeout, max_message: o.max_message as usize }
    }

    pub fn is_ready(&self) -> bool {
        self.ready
    }

    pub fn waiting(&self) -> usize {
        self.kcp.wait_snd()
    }

    fn packet(&self) -> [u8; HANDSHAKE_LEN] {
        let mut p = [0u8; HANDSHAKE_LEN];
        p[0..2].copy_from_slice(&MAGIC.to_le_bytes());
        p[2] = CMD_HANDSHAKE;
        p[3] = if self.ready { FLAG_COMPLETE } else { 0 };
        p[4..8].copy_from_slice(&self.self_id.to_le_bytes());
        p[8..12].copy_from_slice(&self.peer_id.to_le_bytes());
        p
    }

    /// Sends the handshake when it is due; fails once the handshake timeout has passed.
    fn handshake(&mut self, now: u32, out: &mut dyn FnMut(&[u8])) -> Result<(), Fail> {
        if now.wrapping_sub(self.created) > self.timeout {
            return Err(libc::ETIMEDOUT);
        }
        if (now.wrapping_sub(self.hs_next) as i32) < 0 {
            return Ok(());
        }
        self.hs_count += 1;
        self.hs_next = now.wrapping_add((self.kcp.interval() * self.hs_count).min(MAX_HANDSHAKE_INTERVAL));
        out(&self.packet());
        Ok(())
    }

    /// The periodic tick (every flush interval): handshake resends, then KCP's update.
    pub fn tick(&mut self, now: u32, out: &mut dyn FnMut(&[u8])) -> Result<(), Fail> {
        if self.ready {
            if !self.hs_complete {
                self.handshake(now, out)?;
            }
            self.kcp.update(now, out);
            Ok(())
        } else {
            self.handshake(now, out)
        }
    }

    /// One datagram from the peer (after the UDP layer took detects and close notifications).
    pub fn receive(&mut self, data: &[u8], now: u32, out: &mut dyn FnMut(&[u8]), events: &mut Vec<Event>) -> Result<(), Fail> {
        if data.len() >= kcp::OVERHEAD {
            if !self.ready {
                return Ok(()); // data before the handshake completed: dropped
            }
            self.kcp.set_current(now);
            self.kcp.input(data).map_err(|_| libc::EBADMSG)?;
            RECV_BUF.with(|b| {
                let mut buf = b.borrow_mut();
                if buf.len() < self.max_message {
                    buf.resize(self.max_message, 0);
                }
                loop {
                    match self.kcp.recv(&mut buf[..self.max_message]) {
                        Ok(n) => events.push(Event::Message(buf[..n].to_vec())),
                        Err(RecvError::TooBig(_)) => return Err(libc::EMSGSIZE),
                        Err(RecvError::Empty) => return Ok(()),
                    }
                }
            })?;
            self.kcp.flush(out);
            Ok(())
        } else if data.len() == HANDSHAKE_LEN {
            self.receive_handshake(data, now, out, events)
        } else {
            Err(libc::EBADMSG)
        }
    }

    fn receive_handshake(&mut self, d: &[u8], now: u32, out: &mut dyn FnMut(&[u8]), events: &mut Vec<Event>) -> Result<(), Fail> {
        let magic = u16::from_le_bytes([d[0], d[1]]);
        let (cmd, flag) = (d[2], d[3]);
        let their_self = u32::from_le_bytes([d[4], d[5], d[6], d[7]]);
        let their_peer = u32::from_le_bytes([d[8], d[9], d[10], d[11]]);
        if magic != MAGIC || cmd != CMD_HANDSHAKE || flag & 0xFE != 0 {
            return Err(libc::EBADMSG);
        }
        if self.ready {
            // A peer that restarted, or one that answers with other ids, resets the connection.
            let stale = their_peer != self.self_id && (their_peer != 0 || now.wrapping_sub(self.created) > 2 * self.timeout);
            if their_self != self.peer_id || stale {
                return Err(libc::ECONNRESET);
            }
        } else {
            if self.peer_id == 0 {
                self.peer_id = their_self;
                self.hs_next = now;
                self.hs_count = 0;
            } else if their_self != self.peer_id {
                return Err(libc::ECONNRESET);
            }
            if their_peer == self.self_id {
                self.ready = true;
                // Start KCP's clock now, so the first messages go out at once.
                self.kcp.update(now, out);
                events.push(Event::HandShake);
                return Ok(());
            } else if their_peer != 0 {
                return Err(libc::ECONNRESET);
            }
        }
        if flag == FLAG_COMPLETE {
            self.hs_complete = true;
        }
        self.handshake(now, out)
    }

    /// Queues one message and sends what KCP may send now.
    pub fn send(&mut self, data: &[u8], now: u32, out: &mut dyn FnMut(&[u8])) -> Result<(), Fail> {
        if !self.ready {
            return Err(libc::ENOTCONN);
        }
        if !self.kcp.send(data) {
            return Err(libc::EMSGSIZE);
        }
        self.kcp.set_current(now);
        self.kcp.flush(out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Passes every datagram of `from`'s output to `to` until both sides are quiet.
    fn pump(a: &mut Session, b: &mut Session, first: Vec<Vec<u8>>, events: &mut (Vec<Event>, Vec<Event>)) -> Result<(), Fail> {
        let mut to_b = first;
        let mut to_a = Vec::new();
        for round in 0..40u32 {
            // the periodic ticks, as the connection task's timer drives them
            let t = now_ms() + round * 100;
            a.tick(t, &mut |x| to_b.push(x.to_vec()))?;
            b.tick(t, &mut |x| to_a.push(x.to_vec()))?;
            for d in std::mem::take(&mut to_b) {
                b.receive(&d, now_ms(), &mut |x| to_a.push(x.to_vec()), &mut events.1)?;
            }
            for d in std::mem::take(&mut to_a) {
                a.receive(&d, now_ms(), &mut |x| to_b.push(x.to_vec()), &mut events.0)?;
            }
        }
        Ok(())
    }

    #[test]
    fn handshake_then_messages() {
        let o = ArqOptions::default();
        let (mut a, mut b) = (Session::new(&o), Session::new(&o));
        let mut first = Vec::new();
        a.tick(now_ms(), &mut |d| first.push(d.to_vec())).unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].len(), HANDSHAKE_LEN);
        assert_eq!(&first[0][..4], &[0x4F, 0xBB, 0x01, 0x00]);
        let mut ev = (Vec::new(), Vec::new());
        pump(&mut a, &mut b, first, &mut ev).unwrap();
        assert!(a.is_ready() && b.is_ready());
        assert!(matches!(ev.0.as_slice(), [Event::HandShake]));
        assert!(matches!(ev.1.as_slice(), [Event::HandShake]));
        let mut wire = Vec::new();
        a.send(b"hello", now_ms(), &mut |d| wire.push(d.to_vec())).unwrap();
        let mut ev = (Vec::new(), Vec::new());
        pump(&mut a, &mut b, wire, &mut ev).unwrap();
        assert!(matches!(ev.1.as_slice(), [Event::Message(m)] if m == b"hello"));
    }

    #[test]
    fn bad_handshakes_are_refused() {
        let o = ArqOptions::default();
        let mut s = Session::new(&o);
        let mut sink = |_: &[u8]| {};
        let mut ev = Vec::new();
        let mut p = [0u8; 12];
        p[0..2].copy_from_slice(&0xBB4Eu16.to_le_bytes()); // wrong magic
        p[2] = 1;
        assert_eq!(s.receive(&p, now_ms(), &mut sink, &mut ev), Err(libc::EBADMSG));
        p[0..2].copy_from_slice(&MAGIC.to_le_bytes());
        p[3] = 2; // unknown flag
        assert_eq!(s.receive(&p, now_ms(), &mut sink, &mut ev), Err(libc::EBADMSG));
        p[3] = 0;
        p[4..8].copy_from_slice(&7u32.to_le_bytes());
        p[8..12].copy_from_slice(&99u32.to_le_bytes()); // claims to know an id that is not ours
        assert_eq!(s.receive(&p, now_ms(), &mut sink, &mut ev), Err(libc::ECONNRESET));
        assert_eq!(s.receive(&[1, 2, 3], now_ms(), &mut sink, &mut ev), Err(libc::EBADMSG));
        assert!(ev.is_empty());
    }

    #[test]
    fn handshake_times_out() {
        let o = ArqOptions { handshake_timeout: 100, ..Default::default() };
        let mut s = Session::new(&o);
        let t = now_ms();
        assert!(s.tick(t, &mut |_| {}).is_ok());
        assert_eq!(s.tick(t + 101, &mut |_| {}), Err(libc::ETIMEDOUT));
    }

    #[test]
    fn options_are_checked_as_upstream() {
        assert!(ArqOptions::default().valid());
        let bad: [fn(&mut ArqOptions); 6] = [
            |o| o.flush_interval = 0,
            |o| o.mtu = 71,
            |o| o.mtu = 65537,
            |o| o.handshake_timeout = 60,
            |o| o.max_message = 127 * (1432 - 24),
            |o| o.max_message = 0,
        ];
        for f in bad {
            let mut o = ArqOptions::default();
            f(&mut o);
            assert!(!o.valid(), "{o:?}");
        }
    }
}
