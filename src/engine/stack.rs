//! A connection's protocol stack.
//!
//! ```text
//!   socket ──read──▶ [Security::read] ──plaintext──▶ Framing ──▶ events (OnReceive, ...)
//!   Send ──▶ SendFraming (PACK header) ──▶ [Security::write] ──▶ send queue (send.rs) ──▶ socket
//! ```
//!
//! - **Framing** is owned by the connection's task and may change during the connection's life:
//!   PUSH, PULL and PACK are built in (matched inline, so plain TCP pays nothing for the seam);
//!   anything else (HTTP, then WebSocket or raw bytes after an upgrade) is a boxed [`Layer`]. A
//!   layer switches the framing by returning the next one from `feed`; another thread (the
//!   application calling `StartHttp`) asks for a switch with [`FramingSwitch`], which the task
//!   takes before its next read.
//! - **Security** (TLS) sits between the socket and the framing. Its state lives inside the
//!   send queue's lock: a Send encrypts while appending (records from two threads never
//!   interleave), and a read decrypts under the same lock and appends whatever it must send
//!   (handshake, alerts, tickets), so there is one lock and no lock order to invert. OnHandShake
//!   fires when [`Security::handshake_done`] turns true (at once without a security layer).
//!   OnSend reports the application's bytes, not the records.
//! - **Timers**: a layer says when it wants [`Layer::on_timer`] through [`Layer::deadline`]; only
//!   connections with such a layer hold a timer.
//!
//! Every layer is sans-IO (bytes in; bytes, events and timer requests out), as the PACK parser,
//! `kcp.rs` and `arq.rs` are, and is unit-tested without sockets.

use super::conn::{CloseReason, Conn};
use super::recv::{self, PackParser};
use super::{ConnId, Events, Handled, Op};
use std::sync::atomic::{AtomicPtr, Ordering};
use std::time::Instant;

/// How a connection turns received (plaintext) bytes into events.
pub enum Framing {
    /// OnReceive with each read's bytes, straight from the worker's buffer.
    Push,
    /// Bytes kept in the connection's PULL buffer; OnPullReceive reports the total.
    Pull,
    /// Whole PACK messages, one OnReceive each.
    Pack(PackParser),
    /// Any other framing (HTTP, WebSocket, ...).
    Layer(Box<dyn Layer>),
}

/// A framing written outside the engine's core: bytes in, events and sends out.
pub trait Layer: Send {
    /// Handles one read's bytes. Ok(Some(next)) switches the framing for the bytes that follow
    /// (an upgrade); the bytes of this read after the switch point are handed back in `rest`.
    fn feed(&mut self, data: &[u8], up: &mut Up<'_>) -> Result<Switch, CloseReason>;
    /// When the layer wants [`Layer::on_timer`] called (a release delay, a request timeout).
    fn deadline(&self) -> Option<Instant> {
        None
    }
    fn on_timer(&mut self, _now: Instant, _up: &mut Up<'_>) -> Result<Switch, CloseReason> {
        Ok(Switch::Stay)
    }
    /// The connection is closing (before its OnClose): a message delimited by the close ends.
    fn on_end(&mut self, _up: &mut Up<'_>) {}
}

/// What a layer's `feed` decided.
pub enum Switch {
    Stay,
    /// From now on, this framing; `consumed` bytes of the read were the old framing's, the rest
    /// goes to the new one.
    To { next: Framing, consumed: usize },
}

/// What a layer may do to its connection while it handles bytes.
pub struct Up<'a> {
    pub id: ConnId,
    pub events: &'a dyn Events,
    pub(crate) conn: &'a Conn,
}

impl Up<'_> {
    /// Sends bytes on this connection (through the security layer, if any).
    pub fn send(&self, bufs: &[&[u8]]) -> Result<(), i32> {
        self.conn.send(bufs, super::send::SendMode::Gather, true)
    }
}

/// A switch of framing asked for by another thread (e.g. `StartHttp`), taken by the
/// connection's task before its next read. One pointer: empty for connections that never use it.
#[derive(Default)]
pub struct FramingSwitch(AtomicPtr<Framing>);

impl FramingSwitch {
    /// Asks for `next`; a request not yet taken is replaced.
    pub fn request(&self, next: Framing) {
        let old = self.0.swap(Box::into_raw(Box::new(next)), Ordering::AcqRel);
        if !old.is_null() {
            // SAFETY: a non-null pointer in the slot came from Box::into_raw above and was
            // swapped out by us alone.
            drop(unsafe { Box::from_raw(old) });
        }
    }

    /// Whether a switch is waiting to be taken.
    #[inline]
    pub fn is_requested(&self) -> bool {
        !self.0.load(Ordering::Acquire).is_null()
    }

    /// The framing asked for, if any.
    #[inline]
    pub fn take(&self) -> Option<Framing> {
        if self.0.load(Ordering::Acquire).is_null() {
            return None;
        }
        let p = self.0.swap(std::ptr::null_mut(), Ordering::AcqRel);
        // SAFETY: as in `request`: a non-null pointer came from Box::into_raw and is ours now.
        (!p.is_null()).then(|| *unsafe { Box::from_raw(p) })
    }
}

impl Drop for FramingSwitch {
    fn drop(&mut self) {
        drop(self.take());
    }
}

impl Framing {
    /// A connection's first framing, from its component's receive model.
    pub fn initial(model: recv::Model) -> Framing {
        match model {
            recv::Model::Push => Framing::Push,
            recv::Model::Pull => Framing::Pull,
            recv::Model::Pack => Framing::Pack(PackParser::default()),
        }
    }

    /// Hands one read's (plaintext) bytes to the application. `pack` holds the PACK limits.
    #[inline]
    pub(crate) fn deliver(&mut self, conn: &Conn, events: &dyn Events, data: &[u8], pack: (u32, u16)) -> Option<CloseReason> {
        let mut data = data;
        loop {
            match self {
                Framing::Push => {
                    if events.on_receive(conn.id, data) == Handled::Error {
                        return Some(CloseReason { op: Op::Receive, code: super::cancelled() });
                    }
                }
                Framing::Pull => {
                    let total = conn.pull.as_ref().map_or(0, |p| p.append(data));
                    if events.on_pull_receive(conn.id, total) == Handled::Error {
                        return Some(CloseReason { op: Op::Receive, code: super::cancelled() });
                    }
                }
                Framing::Pack(parser) => {
                    let (max, flag) = pack;
                    if let Err(e) = parser.feed(data, max, flag, |body| events.on_receive(conn.id, body) != Handled::Error) {
                        return Some(CloseReason { op: Op::Receive, code: e.errno() });
                    }
                }
                Framing::Layer(layer) => {
                    let mut up = Up { id: conn.id, events, conn };
                    match layer.feed(data, &mut up) {
                        Err(r) => return Some(r),
                        Ok(Switch::Stay) => {}
                        Ok(Switch::To { next, consumed }) => {
                            *self = next;
                            data = &data[consumed.min(data.len())..];
                            if !data.is_empty() {
                                continue;
                            }
                        }
                    }
                }
            }
            return None;
        }
    }

    /// When the framing wants its timer (a layer's deadline).
    pub fn deadline(&self) -> Option<Instant> {
        match self {
            Framing::Layer(l) => l.deadline(),
            _ => None,
        }
    }

    /// The connection is closing: tells a layer (before OnClose).
    pub(crate) fn end(&mut self, conn: &Conn, events: &dyn Events) {
        if let Framing::Layer(layer) = self {
            layer.on_end(&mut Up { id: conn.id, events, conn });
        }
    }

    pub(crate) fn on_timer(&mut self, conn: &Conn, events: &dyn Events) -> Option<CloseReason> {
        let Framing::Layer(layer) = self else { return None };
        let mut up = Up { id: conn.id, events, conn };
        match layer.on_timer(Instant::now(), &mut up) {
            Err(r) => Some(r),
            Ok(Switch::Stay) => None,
            Ok(Switch::To { next, .. }) => {
                *self = next;
                None
            }
        }
    }
}

/// What every Send of a component is wrapped in before the security layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendFraming {
    Raw,
    /// PACK: a 4-byte header with the body length and the component's flag; bodies of 1 to
    /// `max` bytes.
    Pack { max: u32, flag: u16 },
}

impl SendFraming {
    /// The header to put before a message of `len` bytes; Err(EMSGSIZE) when it may not be sent.
    pub fn header(self, len: usize) -> Result<Option<[u8; 4]>, i32> {
        match self {
            SendFraming::Raw => Ok(None),
            SendFraming::Pack { max, flag } => {
                if len == 0 || len > max as usize {
                    return Err(libc::EMSGSIZE);
                }
                Ok(Some(recv::pack_header(len, flag)))
            }
        }
    }
}

/// A security layer (TLS): sans-IO, driven by the connection under its send lock.
pub trait Security: Send {
    /// Bytes to send first (a client's hello), appended to `out`.
    fn start(&mut self, out: &mut Vec<u8>) -> Result<(), i32>;
    /// Bytes read from the socket: plaintext is appended to `plain`, bytes to send back
    /// (handshake, alerts, tickets) to `out`. Ok(true): the peer ended the session cleanly
    /// (the plaintext before its end is in `plain`). Err(errno) closes the connection.
    fn read(&mut self, cipher: &[u8], plain: &mut Vec<u8>, out: &mut Vec<u8>) -> Result<bool, i32>;
    /// The application's bytes, protected, appended to `out`.
    fn write(&mut self, plain: &[&[u8]], out: &mut Vec<u8>) -> Result<(), i32>;
    fn handshake_done(&self) -> bool;
    /// The TLS library's own object for this session (OpenSSL's `SSL*`), for callers that hand
    /// it on; NULL when there is none.
    fn raw(&self) -> *mut std::ffi::c_void {
        std::ptr::null_mut()
    }
}

/// Makes a connection's first framing (an HTTP component's parser from the first byte).
pub type FramingFactory = std::sync::Arc<dyn Fn(&Conn) -> Framing + Send + Sync>;

/// Makes a connection's security layer: `true` for the accepting side. Err(errno) closes the
/// connection.
pub type SecurityFactory = std::sync::Arc<dyn Fn(&Conn, bool) -> Result<Box<dyn Security>, i32> + Send + Sync>;

#[cfg(test)]
pub(crate) mod toy {
    //! A toy security layer for tests of the seam: a two-byte handshake, then records
    //! `len u16 | seq u8 | payload xor key` whose sequence numbers must follow each other, so
    //! interleaved records from two senders are caught.
    use super::Security;

    pub struct Xor {
        server: bool,
        key: Option<u8>,
        done: bool,
        seq_out: u8,
        seq_in: u8,
        inbuf: Vec<u8>,
    }

    impl Xor {
        pub fn new(server: bool) -> Xor {
            Xor { server, key: None, done: false, seq_out: 0, seq_in: 0, inbuf: Vec::new() }
        }
    }

    const KEY: u8 = 0x5A;

    impl Security for Xor {
        fn start(&mut self, out: &mut Vec<u8>) -> Result<(), i32> {
            if !self.server {
                out.extend_from_slice(&[b'H', KEY]);
                self.key = Some(KEY);
            }
            Ok(())
        }
        fn read(&mut self, cipher: &[u8], plain: &mut Vec<u8>, out: &mut Vec<u8>) -> Result<bool, i32> {
            self.inbuf.extend_from_slice(cipher);
            loop {
                if !self.done {
                    if self.server {
                        if self.inbuf.len() < 2 {
                            return Ok(false);
                        }
                        if self.inbuf[0] != b'H' {
                            return Err(libc::EPROTO);
                        }
                        self.key = Some(self.inbuf[1]);
                        self.inbuf.drain(..2);
                        // A read that must write: the handshake's answer.
                        out.push(b'A');
                    } else {
                        if self.inbuf.is_empty() {
                            return Ok(false);
                        }
                        if self.inbuf[0] != b'A' {
                            return Err(libc::EPROTO);
                        }
                        self.inbuf.drain(..1);
                    }
                    self.done = true;
                    continue;
                }
                if self.inbuf.len() < 3 {
                    return Ok(false);
                }
                let len = u16::from_le_bytes([self.inbuf[0], self.inbuf[1]]) as usize;
                if self.inbuf.len() < 3 + len {
                    return Ok(false);
                }
                if self.inbuf[2] != self.seq_in {
                    return Err(libc::EBADMSG);
                }
                self.seq_in = self.seq_in.wrapping_add(1);
                let k = self.key.unwrap_or(0);
                plain.extend(self.inbuf[3..3 + len].iter().map(|b| b ^ k));
                self.inbuf.drain(..3 + len);
            }
        }
        fn write(&mut self, plain: &[&[u8]], out: &mut Vec<u8>) -> Result<(), i32> {
            let k = self.key.ok_or(libc::EPERM)?;
            let len: usize = plain.iter().map(|b| b.len()).sum();
            for chunk in plain.concat().chunks(u16::MAX as usize) {
                out.extend_from_slice(&(chunk.len() as u16).to_le_bytes());
                out.push(self.seq_out);
                self.seq_out = self.seq_out.wrapping_add(1);
                out.extend(chunk.iter().map(|b| b ^ k));
            }
            let _ = len;
            Ok(())
        }
        fn handshake_done(&self) -> bool {
            self.done
        }
    }

    #[test]
    fn the_toy_layer_round_trips_and_catches_interleaving() {
        let (mut c, mut s) = (Xor::new(false), Xor::new(true));
        let (mut wire, mut back, mut plain) = (Vec::new(), Vec::new(), Vec::new());
        c.start(&mut wire).unwrap();
        s.read(&wire, &mut plain, &mut back).unwrap();
        assert!(s.handshake_done() && back == b"A");
        c.read(&back, &mut plain, &mut Vec::new()).unwrap();
        assert!(c.handshake_done());
        let (mut r1, mut r2) = (Vec::new(), Vec::new());
        c.write(&[b"hello"], &mut r1).unwrap();
        c.write(&[b"world"], &mut r2).unwrap();
        s.read(&[r1.clone(), r2.clone()].concat(), &mut plain, &mut Vec::new()).unwrap();
        assert_eq!(plain, b"helloworld");
        // records out of order: caught
        let mut s2 = Xor::new(true);
        s2.read(b"HZ", &mut Vec::new(), &mut Vec::new()).unwrap();
        assert_eq!(s2.read(&r2, &mut Vec::new(), &mut Vec::new()), Err(libc::EBADMSG));
    }
}
