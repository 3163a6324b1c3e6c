//! WebSocket frames (RFC 6455) as upstream's HTTP components handle them, sans-IO.
//!
//! [`WsDecoder`] turns received bytes into per-frame events (header, unmasked body pieces,
//! complete). Like upstream it checks one thing only, the mask bit against the role (a server
//! needs masked frames, a client unmasked ones); reserved bits, unknown opcodes, control frames
//! longer than 125 bytes or fragmented, and 64-bit lengths with the top bit set are passed up as
//! they come. Fragments are not joined and ping / pong / close are not answered: that is the
//! application's business, as upstream leaves it.
//!
//! The encoder side writes a frame header ([`frame_header`]) and masks a payload into a separate
//! buffer ([`mask_into`]), never touching the caller's bytes (upstream masks them in place).
//! [`accept_key`] computes `Sec-WebSocket-Accept` for an application's 101 answer.

use crate::engine::Handled;

/// Longest frame header: 2 fixed bytes, an 8-byte length, a 4-byte mask key.
pub const MAX_HEADER_LEN: usize = 14;
const MIN_HEADER_LEN: usize = 2;
/// Largest piece of unmasked payload handed to `on_body` at once; also the scratch buffer's size.
pub const UNMASK_CHUNK: usize = 16 * 1024;

/// Opcodes of RFC 6455 §5.2 (the decoder passes any 4-bit value up).
pub const OP_CONTINUATION: u8 = 0x0;
pub const OP_TEXT: u8 = 0x1;
pub const OP_BINARY: u8 = 0x2;
pub const OP_CLOSE: u8 = 0x8;
pub const OP_PING: u8 = 0x9;
pub const OP_PONG: u8 = 0xA;

/// Which end of the connection decodes: it decides which mask bit the peer must send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Frames from clients must be masked.
    Server,
    /// Frames from servers must not be masked.
    Client,
}

/// Why decoding stopped; the connection is to be closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WsError {
    /// A masked frame reached a client or an unmasked one a server (upstream: ERROR_INVALID_DATA).
    MaskViolation,
    /// A handler returned [`Handled::Error`].
    Cancelled,
}

impl WsError {
    /// The errno upstream's Linux build leaves for this failure.
    pub fn errno(self) -> i32 {
        match self {
            WsError::MaskViolation => libc::EBADMSG,
            WsError::Cancelled => crate::engine::cancelled(),
        }
    }
}

/// Receives the decoder's events. [`Handled::Ignore`] counts as [`Handled::Ok`], as upstream
/// only looks for HR_ERROR.
pub trait WsHandler {
    fn on_header(&mut self, fin: bool, rsv: u8, opcode: u8, mask: Option<[u8; 4]>, payload_len: u64) -> Handled;
    /// A piece of the payload, already unmasked.
    fn on_body(&mut self, data: &[u8]) -> Handled;
    fn on_complete(&mut self) -> Handled;
}

/// The current frame as `GetWSMessageState` reports it.
///
/// The decoder keeps one; a handler that must answer `GetWSMessageState` from inside its own
/// callbacks (while the decoder is borrowed) can mirror it by calling the same three methods
/// from `on_header`, `on_body` and `on_complete`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrameState {
    pub fin: bool,
    pub rsv: u8,
    pub opcode: u8,
    /// None between frames and for unmasked frames.
    pub mask: Option<[u8; 4]>,
    pub body_len: u64,
    pub body_remain: u64,
}

impl FrameState {
    /// A header was read (before `on_header`).
    pub fn begin(&mut self, fin: bool, rsv: u8, opcode: u8, mask: Option<[u8; 4]>, payload_len: u64) {
        *self = FrameState { fin, rsv, opcode, mask, body_len: payload_len, body_remain: payload_len };
    }

    /// `n` payload bytes arrived (before `on_body` with them, as upstream counts).
    pub fn consume(&mut self, n: usize) {
        self.body_remain = self.body_remain.saturating_sub(n as u64);
    }

    /// The frame's `on_complete` returned: like upstream, fin, rsv and opcode stay readable
    /// while the mask and lengths are cleared.
    pub fn finish(&mut self) {
        self.mask = None;
        self.body_len = 0;
        self.body_remain = 0;
    }
}

/// A connection's frame decoder: at most a 14-byte header plus a bounded unmasking buffer.
pub struct WsDecoder {
    role: Role,
    header: [u8; MAX_HEADER_LEN],
    header_have: usize,
    header_need: usize,
    in_body: bool,
    frame: FrameState,
    /// Unmasked payload on its way to `on_body`; grows to at most [`UNMASK_CHUNK`].
    scratch: Vec<u8>,
    failed: Option<WsError>,
}

impl WsDecoder {
    pub fn new(role: Role) -> WsDecoder {
        WsDecoder {
            role,
            header: [0; MAX_HEADER_LEN],
            header_have: 0,
            header_need: MIN_HEADER_LEN,
            in_body: false,
            frame: FrameState::default(),
            scratch: Vec::new(),
            failed: None,
        }
    }

    /// The current frame, for `GetWSMessageState` outside the decoder's callbacks.
    pub fn state(&self) -> FrameState {
        self.frame
    }

    /// Decodes `data`, raising each frame's events in order. Any split of a stream across calls
    /// raises the same events, body pieces aside. After an error every later call returns it.
    pub fn feed(&mut self, mut data: &[u8], h: &mut impl WsHandler) -> Result<(), WsError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        let result = loop {
            if data.is_empty() {
                break Ok(());
            }
            let step = if self.in_body { self.body_step(&mut data, h) } else { self.header_step(&mut data, h) };
            if let Err(e) = step {
                break Err(e);
            }
        };
        if let Err(e) = result {
            self.failed = Some(e);
        }
        result
    }

    fn header_step(&mut self, data: &mut &[u8], h: &mut impl WsHandler) -> Result<(), WsError> {
        let take = (self.header_need - self.header_have).min(data.len());
        let (head, rest) = data.split_at(take);
        self.header[self.header_have..self.header_have + take].copy_from_slice(head);
        self.header_have += take;
        *data = rest;
        if self.header_have < self.header_need {
            return Ok(());
        }
        if self.header_need == MIN_HEADER_LEN {
            let masked = self.header[1] & 0x80 != 0;
            if masked != (self.role == Role::Server) {
                return Err(WsError::MaskViolation);
            }
            let ext_len = match self.header[1] & 0x7F {
                126 => 2,
                127 => 8,
                _ => 0,
            };
            self.header_need = MIN_HEADER_LEN + ext_len + if masked { 4 } else { 0 };
            if self.header_need > self.header_have {
                return Ok(());
            }
        }
        self.begin_frame(h)
    }

    fn begin_frame(&mut self, h: &mut impl WsHandler) -> Result<(), WsError> {
        let b = &self.header;
        let (payload_len, mask_at) = match b[1] & 0x7F {
            126 => (u16::from_be_bytes([b[2], b[3]]) as u64, 4),
            127 => (u64::from_be_bytes([b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9]]), 10),
            short => (short as u64, 2),
        };
        let mask = (b[1] & 0x80 != 0).then(|| [b[mask_at], b[mask_at + 1], b[mask_at + 2], b[mask_at + 3]]);
        let (fin, rsv, opcode) = (b[0] & 0x80 != 0, (b[0] >> 4) & 0x7, b[0] & 0xF);
        self.header_have = 0;
        self.header_need = MIN_HEADER_LEN;
        self.frame.begin(fin, rsv, opcode, mask, payload_len);
        check(h.on_header(fin, rsv, opcode, mask, payload_len))?;
        if payload_len == 0 {
            self.complete_frame(h)
        } else {
            self.in_body = true;
            Ok(())
        }
    }

    fn body_step(&mut self, data: &mut &[u8], h: &mut impl WsHandler) -> Result<(), WsError> {
        let take = self.frame.body_remain.min(data.len() as u64) as usize;
        let (piece, rest) = data.split_at(take);
        *data = rest;
        match self.frame.mask {
            None => {
                self.frame.consume(piece.len());
                check(h.on_body(piece))?;
            }
            Some(key) => {
                for chunk in piece.chunks(UNMASK_CHUNK) {
                    let offset = self.frame.body_len - self.frame.body_remain;
                    self.scratch.clear();
                    mask_into(chunk, key, offset, &mut self.scratch);
                    self.frame.consume(chunk.len());
                    check(h.on_body(&self.scratch))?;
                }
            }
        }
        if self.frame.body_remain == 0 {
            self.in_body = false;
            self.complete_frame(h)?;
        }
        Ok(())
    }

    fn complete_frame(&mut self, h: &mut impl WsHandler) -> Result<(), WsError> {
        let handled = h.on_complete();
        self.frame.finish();
        check(handled)
    }
}

fn check(handled: Handled) -> Result<(), WsError> {
    match handled {
        Handled::Error => Err(WsError::Cancelled),
        Handled::Ok | Handled::Ignore => Ok(()),
    }
}

/// The payload length a `SendWSMessage` call declares: `body_len` 0 means the frame is exactly
/// this call's `len` bytes; a larger `body_len` means the rest follows by plain Send calls; a
/// smaller one is refused (None: upstream fails with ERROR_INVALID_PARAMETER).
pub fn send_payload_len(len: usize, body_len: u64) -> Option<u64> {
    match body_len {
        0 => Some(len as u64),
        n if n >= len as u64 => Some(n),
        _ => None,
    }
}

/// Writes a frame header into `out` and returns its length (2 to 14). Only the low 3 bits of
/// `rsv` and the low 4 bits of `opcode` are used, as upstream does.
pub fn frame_header(fin: bool, rsv: u8, opcode: u8, mask: Option<[u8; 4]>, payload_len: u64, out: &mut [u8; MAX_HEADER_LEN]) -> usize {
    out[0] = (u8::from(fin) << 7) | ((rsv & 0x7) << 4) | (opcode & 0xF);
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    let mut len = MIN_HEADER_LEN;
    if payload_len < 126 {
        out[1] = mask_bit | payload_len as u8;
    } else if payload_len <= 0xFFFF {
        out[1] = mask_bit | 126;
        out[2..4].copy_from_slice(&(payload_len as u16).to_be_bytes());
        len += 2;
    } else {
        out[1] = mask_bit | 127;
        out[2..10].copy_from_slice(&payload_len.to_be_bytes());
        len += 8;
    }
    if let Some(key) = mask {
        out[len..len + 4].copy_from_slice(&key);
        len += 4;
    }
    len
}

/// Appends `src` masked with `key` to `dst`, as if `src` started `offset` bytes into the frame's
/// payload, so a payload sent in several pieces masks the same as one sent whole. Masking and
/// unmasking are the same operation.
pub fn mask_into(src: &[u8], key: [u8; 4], offset: u64, dst: &mut Vec<u8>) {
    let mut rotated = key;
    rotated.rotate_left((offset & 3) as usize);
    let word = u64::from_ne_bytes([rotated[0], rotated[1], rotated[2], rotated[3], rotated[0], rotated[1], rotated[2], rotated[3]]);
    dst.reserve(src.len());
    let mut words = src.chunks_exact(8);
    for w in &mut words {
        let v = u64::from_ne_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]) ^ word;
        dst.extend_from_slice(&v.to_ne_bytes());
    }
    dst.extend(words.remainder().iter().zip(rotated.iter().cycle()).map(|(b, k)| b ^ k));
}

/// Appends one whole frame (header, then the payload, masked when `mask` is given) to `out`;
/// `body_len` follows [`send_payload_len`]. False when `body_len` is refused.
pub fn write_frame(out: &mut Vec<u8>, fin: bool, rsv: u8, opcode: u8, mask: Option<[u8; 4]>, data: &[u8], body_len: u64) -> bool {
    let Some(payload_len) = send_payload_len(data.len(), body_len) else { return false };
    let mut header = [0u8; MAX_HEADER_LEN];
    let n = frame_header(fin, rsv, opcode, mask, payload_len, &mut header);
    out.extend_from_slice(&header[..n]);
    match mask {
        Some(key) => mask_into(data, key, 0, out),
        None => out.extend_from_slice(data),
    }
    true
}

const WS_GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key` (RFC 6455 §4.2.2): base64 of the SHA-1 of
/// the key followed by the protocol's GUID.
pub fn accept_key(sec_websocket_key: &[u8]) -> String {
    let mut sha = Sha1::new();
    sha.update(sec_websocket_key);
    sha.update(WS_GUID);
    let digest = sha.finish();
    let mut text = [0u8; 28];
    let (_, len) = crate::sys::codec::base64_encode(&digest, Some(&mut text));
    text.iter().take(len as usize).map(|&c| c as char).collect()
}

/// SHA-1 (RFC 3174), here only for the handshake's accept key.
struct Sha1 {
    state: [u32; 5],
    block: [u8; 64],
    block_len: usize,
    total_len: u64,
}

impl Sha1 {
    fn new() -> Sha1 {
        Sha1 { state: [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0], block: [0; 64], block_len: 0, total_len: 0 }
    }

    fn update(&mut self, mut data: &[u8]) {
        self.total_len = self.total_len.wrapping_add(data.len() as u64);
        while !data.is_empty() {
            let take = (64 - self.block_len).min(data.len());
            let (head, rest) = data.split_at(take);
            self.block[self.block_len..self.block_len + take].copy_from_slice(head);
            self.block_len += take;
            data = rest;
            if self.block_len == 64 {
                compress(&mut self.state, &self.block);
                self.block_len = 0;
            }
        }
    }

    fn finish(mut self) -> [u8; 20] {
        let bit_len = self.total_len.wrapping_mul(8);
        self.update(&[0x80]);
        while self.block_len != 56 {
            self.update(&[0]);
        }
        self.update(&bit_len.to_be_bytes());
        let mut out = [0u8; 20];
        for (o, s) in out.chunks_exact_mut(4).zip(self.state) {
            o.copy_from_slice(&s.to_be_bytes());
        }
        out
    }
}

fn compress(state: &mut [u32; 5], block: &[u8; 64]) {
    let mut w = [0u32; 80];
    for (wi, b) in w.iter_mut().zip(block.chunks_exact(4)) {
        *wi = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    }
    for i in 16..80 {
        w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
    }
    let [mut a, mut b, mut c, mut d, mut e] = *state;
    for (i, wi) in w.iter().enumerate() {
        let (f, k) = match i {
            0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
            20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
            40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
            _ => (b ^ c ^ d, 0xCA62_C1D6),
        };
        let t = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(*wi);
        e = d;
        d = c;
        c = b.rotate_left(30);
        b = a;
        a = t;
    }
    for (s, v) in state.iter_mut().zip([a, b, c, d, e]) {
        *s = s.wrapping_add(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Eq)]
    enum Event {
        Header { fin: bool, rsv: u8, opcode: u8, mask: Option<[u8; 4]>, len: u64 },
        Body(Vec<u8>),
        Complete,
    }

    /// Records events, joining adjacent body pieces (their boundaries depend on the reads).
    #[derive(Default)]
    struct Recorder {
        events: Vec<Event>,
        largest_piece: usize,
        fail_on_header: bool,
        fail_on_body: bool,
        ignore_all: bool,
    }

    impl Recorder {
        fn answer(&self, fail: bool) -> Handled {
            if fail {
                Handled::Error
            } else if self.ignore_all {
                Handled::Ignore
            } else {
                Handled::Ok
            }
        }
    }

    impl WsHandler for Recorder {
        fn on_header(&mut self, fin: bool, rsv: u8, opcode: u8, mask: Option<[u8; 4]>, len: u64) -> Handled {
            self.events.push(Event::Header { fin, rsv, opcode, mask, len });
            self.answer(self.fail_on_header)
        }
        fn on_body(&mut self, data: &[u8]) -> Handled {
            self.largest_piece = self.largest_piece.max(data.len());
            match self.events.last_mut() {
                Some(Event::Body(b)) => b.extend_from_slice(data),
                _ => self.events.push(Event::Body(data.to_vec())),
            }
            self.answer(self.fail_on_body)
        }
        fn on_complete(&mut self) -> Handled {
            self.events.push(Event::Complete);
            self.answer(false)
        }
    }

    fn frame(fin: bool, opcode: u8, mask: Option<[u8; 4]>, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        assert!(write_frame(&mut out, fin, 0, opcode, mask, payload, 0));
        out
    }

    fn decode(role: Role, stream: &[u8], piece: usize) -> (Vec<Event>, Result<(), WsError>) {
        let mut d = WsDecoder::new(role);
        let mut r = Recorder::default();
        let mut result = Ok(());
        for p in stream.chunks(piece.max(1)) {
            result = d.feed(p, &mut r);
            if result.is_err() {
                break;
            }
        }
        (r.events, result)
    }

    const KEY: [u8; 4] = [0x37, 0xFA, 0x21, 0x3D];

    #[test]
    fn rfc6455_masked_hello() {
        // RFC 6455 §5.7: a masked "Hello" from a client.
        let wire = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
        assert_eq!(frame(true, OP_TEXT, Some(KEY), b"Hello"), wire);
        let (events, result) = decode(Role::Server, &wire, 64);
        assert_eq!(result, Ok(()));
        assert_eq!(
            events,
            vec![
                Event::Header { fin: true, rsv: 0, opcode: OP_TEXT, mask: Some(KEY), len: 5 },
                Event::Body(b"Hello".to_vec()),
                Event::Complete
            ]
        );
    }

    #[test]
    fn every_split_gives_the_same_events() {
        let big: Vec<u8> = (0..70_000u32).map(|i| (i * 7) as u8).collect();
        let mut stream = Vec::new();
        stream.extend(frame(false, OP_TEXT, Some(KEY), b"frag"));
        stream.extend(frame(true, OP_CONTINUATION, Some([1, 2, 3, 4]), &big[..300]));
        stream.extend(frame(true, OP_PING, Some(KEY), b""));
        stream.extend(frame(true, OP_BINARY, Some([9, 8, 7, 6]), &big));
        stream.extend(frame(true, OP_CLOSE, Some(KEY), &[0x03, 0xE8]));
        let (whole, result) = decode(Role::Server, &stream, stream.len());
        assert_eq!(result, Ok(()));
        assert_eq!(whole.len(), 14);
        assert_eq!(whole[0], Event::Header { fin: false, rsv: 0, opcode: OP_TEXT, mask: Some(KEY), len: 4 });
        assert_eq!(whole[1], Event::Body(b"frag".to_vec()));
        assert_eq!(whole[4], Event::Body(big[..300].to_vec()));
        assert_eq!(whole[9], Event::Body(big.clone()));
        for piece in [1, 2, 3, 5, 13, 14, 15, 4096, 65_537] {
            assert_eq!(decode(Role::Server, &stream, piece).0, whole, "pieces of {piece}");
        }
    }

    #[test]
    fn client_reads_unmasked_frames_without_copying() {
        let payload = vec![0x5Au8; 40_000];
        let stream = frame(true, OP_BINARY, None, &payload);
        let mut d = WsDecoder::new(Role::Client);
        let mut r = Recorder::default();
        assert_eq!(d.feed(&stream, &mut r), Ok(()));
        assert_eq!(r.largest_piece, payload.len(), "unmasked payload goes up in one piece");
        assert_eq!(r.events[1], Event::Body(payload));
    }

    #[test]
    fn unmasking_goes_through_a_bounded_buffer() {
        let payload: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
        let stream = frame(true, OP_BINARY, Some(KEY), &payload);
        let mut d = WsDecoder::new(Role::Server);
        let mut r = Recorder::default();
        assert_eq!(d.feed(&stream, &mut r), Ok(()));
        assert_eq!(r.largest_piece, UNMASK_CHUNK);
        assert!(d.scratch.capacity() <= 2 * UNMASK_CHUNK);
        assert_eq!(r.events[1], Event::Body(payload));
    }

    #[test]
    fn mask_bit_must_match_the_role() {
        let (events, result) = decode(Role::Server, &frame(true, OP_TEXT, None, b"hi"), 64);
        assert_eq!((events, result), (vec![], Err(WsError::MaskViolation)));
        let (events, result) = decode(Role::Client, &frame(true, OP_TEXT, Some(KEY), b"hi"), 1);
        assert_eq!((events, result), (vec![], Err(WsError::MaskViolation)));
        assert_eq!(WsError::MaskViolation.errno(), libc::EBADMSG);
    }

    #[test]
    fn a_failed_decoder_stays_failed() {
        let mut d = WsDecoder::new(Role::Server);
        let mut r = Recorder::default();
        assert_eq!(d.feed(&frame(true, OP_TEXT, None, b"x"), &mut r), Err(WsError::MaskViolation));
        assert_eq!(d.feed(&frame(true, OP_TEXT, Some(KEY), b"x"), &mut r), Err(WsError::MaskViolation));
        assert!(r.events.is_empty());
    }

    #[test]
    fn handler_error_stops_decoding() {
        let mut stream = frame(true, OP_TEXT, Some(KEY), b"one");
        stream.extend(frame(true, OP_TEXT, Some(KEY), b"two"));
        let mut d = WsDecoder::new(Role::Server);
        let mut r = Recorder { fail_on_body: true, ..Default::default() };
        assert_eq!(d.feed(&stream, &mut r), Err(WsError::Cancelled));
        assert_eq!(r.events.len(), 2, "header and the first body piece only: {:?}", r.events);

        let mut d = WsDecoder::new(Role::Server);
        let mut r = Recorder { fail_on_header: true, ..Default::default() };
        assert_eq!(d.feed(&stream, &mut r), Err(WsError::Cancelled));
        assert_eq!(r.events.len(), 1);
        assert_eq!(WsError::Cancelled.errno(), libc::ECANCELED);
    }

    #[test]
    fn ignore_counts_as_ok() {
        let mut stream = frame(true, OP_TEXT, Some(KEY), b"one");
        stream.extend(frame(true, OP_PONG, Some(KEY), b""));
        let mut d = WsDecoder::new(Role::Server);
        let mut r = Recorder { ignore_all: true, ..Default::default() };
        assert_eq!(d.feed(&stream, &mut r), Ok(()));
        assert_eq!(r.events.len(), 5);
    }

    #[test]
    fn what_upstream_does_not_check_is_passed_up() {
        // rsv bits, an unknown opcode, a control frame longer than 125 bytes, a fragmented ping.
        let mut long_ping = Vec::new();
        let mut header = [0u8; MAX_HEADER_LEN];
        let n = frame_header(false, 0x7, OP_PING, None, 200, &mut header);
        long_ping.extend_from_slice(&header[..n]);
        long_ping.extend_from_slice(&[1u8; 200]);
        let n = frame_header(true, 0x5, 0xB, None, 1, &mut header);
        long_ping.extend_from_slice(&header[..n]);
        long_ping.push(9);
        let (events, result) = decode(Role::Client, &long_ping, 7);
        assert_eq!(result, Ok(()));
        assert_eq!(events[0], Event::Header { fin: false, rsv: 7, opcode: OP_PING, mask: None, len: 200 });
        assert_eq!(events[3], Event::Header { fin: true, rsv: 5, opcode: 0xB, mask: None, len: 1 });
    }

    #[test]
    fn huge_length_with_the_top_bit_set_is_taken_as_is() {
        let mut d = WsDecoder::new(Role::Client);
        let mut r = Recorder::default();
        let wire = [0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1, 0xAA, 0xBB];
        assert_eq!(d.feed(&wire, &mut r), Ok(()));
        let len = 0x8000_0000_0000_0001;
        assert_eq!(r.events[0], Event::Header { fin: true, rsv: 0, opcode: OP_BINARY, mask: None, len });
        assert_eq!(r.events[1], Event::Body(vec![0xAA, 0xBB]));
        assert_eq!(d.state().body_remain, len - 2);
    }

    #[test]
    fn state_follows_the_frame() {
        let mut d = WsDecoder::new(Role::Server);
        let mut r = Recorder::default();
        let stream = frame(true, OP_BINARY, Some(KEY), &[0u8; 10]);
        assert_eq!(d.feed(&stream[..9], &mut r), Ok(()));
        let s = d.state();
        assert_eq!((s.fin, s.opcode, s.mask, s.body_len, s.body_remain), (true, OP_BINARY, Some(KEY), 10, 7));
        assert_eq!(d.feed(&stream[9..], &mut r), Ok(()));
        assert_eq!(d.state(), FrameState { fin: true, rsv: 0, opcode: OP_BINARY, mask: None, body_len: 0, body_remain: 0 });
    }

    #[test]
    fn header_lengths_at_the_boundaries() {
        let mut out = [0u8; MAX_HEADER_LEN];
        for (len, want, second) in [(0u64, 2, 0u8), (125, 2, 125), (126, 4, 126), (0xFFFF, 4, 126), (0x1_0000, 10, 127)] {
            assert_eq!(frame_header(true, 0, OP_BINARY, None, len, &mut out), want, "len {len}");
            assert_eq!(out[1], second);
            assert_eq!(frame_header(true, 0, OP_BINARY, Some(KEY), len, &mut out), want + 4);
            assert_eq!(out[1], 0x80 | second);
            assert_eq!(out[want..want + 4], KEY);
        }
        frame_header(true, 0, OP_BINARY, None, 0x1_0000, &mut out);
        assert_eq!(out[2..10], [0, 0, 0, 0, 0, 1, 0, 0]);
        frame_header(false, 0xFF, 0xFF, None, 0, &mut out);
        assert_eq!(out[0], 0x7F, "rsv and opcode are masked to their bits");
    }

    #[test]
    fn masking_in_pieces_equals_masking_whole() {
        let data: Vec<u8> = (0..103u8).collect();
        let mut whole = Vec::new();
        mask_into(&data, KEY, 0, &mut whole);
        assert_eq!(whole[0], data[0] ^ KEY[0]);
        assert_eq!(whole[5], data[5] ^ KEY[1]);
        for cut in [1, 3, 8, 9, 50, 102] {
            let mut pieces = Vec::new();
            mask_into(&data[..cut], KEY, 0, &mut pieces);
            mask_into(&data[cut..], KEY, cut as u64, &mut pieces);
            assert_eq!(pieces, whole, "cut at {cut}");
        }
        let mut back = Vec::new();
        mask_into(&whole, KEY, 0, &mut back);
        assert_eq!(back, data);
    }

    #[test]
    fn send_length_rules() {
        assert_eq!(send_payload_len(10, 0), Some(10));
        assert_eq!(send_payload_len(10, 10), Some(10));
        assert_eq!(send_payload_len(10, 1000), Some(1000));
        assert_eq!(send_payload_len(10, 9), None);
        assert_eq!(send_payload_len(0, 0), Some(0));
        let mut out = Vec::new();
        assert!(!write_frame(&mut out, true, 0, OP_TEXT, None, b"abc", 2));
        assert!(out.is_empty());
        assert!(write_frame(&mut out, true, 0, OP_TEXT, None, b"abc", 300));
        assert_eq!(out, [0x81, 126, 0x01, 0x2C, b'a', b'b', b'c']);
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02X}")).collect()
    }

    fn sha1_of(parts: &[&[u8]], repeat: usize) -> String {
        let mut s = Sha1::new();
        for _ in 0..repeat {
            for p in parts {
                s.update(p);
            }
        }
        hex(&s.finish())
    }

    #[test]
    fn sha1_rfc3174_vectors() {
        assert_eq!(sha1_of(&[b"abc"], 1), "A9993E364706816ABA3E25717850C26C9CD0D89D");
        assert_eq!(sha1_of(&[b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"], 1), "84983E441C3BD26EBAAE4AA1F95129E5E54670F1");
        assert_eq!(sha1_of(&[b"a"], 1_000_000), "34AA973CD4C4DAA4F61EEB2BDBAD27316534016F");
        assert_eq!(sha1_of(&[b"01234567", b"01234567", b"01234567", b"01234567", b"01234567", b"01234567", b"01234567", b"01234567"], 10), "DEA356A2CDDD90C7A7ECEDC5EBB563934F460452");
        assert_eq!(sha1_of(&[], 1), "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709");
    }

    #[test]
    fn accept_key_rfc6455_example() {
        assert_eq!(accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }
}
