//! What each fuzz target checks, shared by the libFuzzer targets (`fuzz/fuzz_targets/`) and the
//! deterministic test that runs them over the corpus in CI (`tests/fuzz_checks.rs`).
//!
//! Every check feeds bytes from the network (or a cookie file) to one of the library's parsers.
//! None may panic, and each has an oracle besides: the stream parsers must raise the same events
//! and stop the same way however their input is split across reads (whole, in random pieces,
//! one byte at a time), as a connection's reads split it; the cookie and URL parsers must give
//! back what they parsed when fed their own output, and in bounds.
#![allow(dead_code)]

use hpsocket4c::engine::http::cookie::{self, Cookie, CookieMgr};
use hpsocket4c::engine::http::parser::{Handler, Head, HttpParser, Mode, Progress};
use hpsocket4c::engine::http::url::{self, UrlField};
use hpsocket4c::engine::http::ws::{Role, WsDecoder, WsHandler};
use hpsocket4c::engine::recv::PackParser;
use hpsocket4c::engine::{Handled, ParseResult};

/// xorshift64: a fixed series from its seed, so that a failure can be replayed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (0 for 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Splits `data` into pieces of pseudo-random sizes (1 to 64 bytes, now and then larger) drawn
/// from `seed`.
pub fn pieces(data: &[u8], seed: u8) -> Vec<&[u8]> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15u64 ^ u64::from(seed));
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let x = rng.next();
        let n = if x.is_multiple_of(8) { (x >> 8) as usize % 4096 + 1 } else { (x >> 8) as usize % 64 + 1 };
        let (a, b) = rest.split_at(n.min(rest.len()));
        out.push(a);
        rest = b;
    }
    out
}

/// The three ways each stream check splits its input.
fn splits(data: &[u8], seed: u8) -> [Vec<&[u8]>; 3] {
    [vec![data], pieces(data, seed), data.chunks(1).collect()]
}

/// A parser's event as a check logs it: body bytes apart, so that the pieces of one body
/// (which splits cut anywhere) merge into one entry.
#[derive(Debug, PartialEq, Eq)]
enum Ev<T> {
    Body(Vec<u8>),
    Other(T),
}

fn push_body<T>(log: &mut Vec<Ev<T>>, data: &[u8]) {
    if let Some(Ev::Body(b)) = log.last_mut() {
        b.extend_from_slice(data);
    } else {
        log.push(Ev::Body(data.to_vec()));
    }
}

// ---- HTTP/1.x parser ----

#[derive(Debug, PartialEq, Eq)]
enum HttpEvent {
    Begin,
    RequestLine(String, Vec<u8>),
    StatusLine(u16, Vec<u8>),
    Header(Vec<u8>, Vec<u8>),
    HeadersComplete(Head),
    ChunkHeader(u64),
    ChunkComplete,
    MessageComplete(Head),
}

#[derive(Debug, PartialEq, Eq)]
enum HttpEnd {
    /// Every byte parsed; then what `finish` said (an error code or 0).
    All(i32),
    Error(i32),
    /// Upgraded at this offset of the whole input.
    Upgrade(usize),
}

/// Records the events; `ctl` chooses what `on_headers_complete` answers for some messages, so
/// that SkipBody, Upgrade and a callback error are explored too.
struct HttpLog {
    ctl: u8,
    messages: usize,
    log: Vec<Ev<HttpEvent>>,
}

impl HttpLog {
    fn ok(&mut self, e: HttpEvent) -> ParseResult {
        self.log.push(Ev::Other(e));
        ParseResult::Ok
    }
}

impl Handler for HttpLog {
    fn on_message_begin(&mut self) -> ParseResult {
        self.ok(HttpEvent::Begin)
    }
    fn on_request_line(&mut self, method: &str, url: &[u8]) -> ParseResult {
        self.ok(HttpEvent::RequestLine(method.to_owned(), url.to_vec()))
    }
    fn on_status_line(&mut self, status: u16, reason: &[u8]) -> ParseResult {
        self.ok(HttpEvent::StatusLine(status, reason.to_vec()))
    }
    fn on_header(&mut self, name: &[u8], value: &[u8]) -> ParseResult {
        self.ok(HttpEvent::Header(name.to_vec(), value.to_vec()))
    }
    fn on_headers_complete(&mut self, head: &Head) -> ParseResult {
        self.log.push(Ev::Other(HttpEvent::HeadersComplete(head.clone())));
        let n = self.messages;
        self.messages += 1;
        if self.ctl & 2 != 0 && n % 3 == 1 {
            ParseResult::SkipBody
        } else if self.ctl & 4 != 0 && n % 4 == 2 {
            ParseResult::Upgrade
        } else if self.ctl & 8 != 0 && n == 3 {
            ParseResult::Error
        } else {
            ParseResult::Ok
        }
    }
    fn on_chunk_header(&mut self, size: u64) -> ParseResult {
        self.ok(HttpEvent::ChunkHeader(size))
    }
    fn on_body(&mut self, data: &[u8]) -> ParseResult {
        push_body(&mut self.log, data);
        ParseResult::Ok
    }
    fn on_chunk_complete(&mut self) -> ParseResult {
        self.ok(HttpEvent::ChunkComplete)
    }
    fn on_message_complete(&mut self, head: &Head) -> ParseResult {
        self.ok(HttpEvent::MessageComplete(head.clone()))
    }
}

fn run_http(mode: Mode, ctl: u8, input: &[&[u8]]) -> (Vec<Ev<HttpEvent>>, HttpEnd) {
    let mut p = HttpParser::new(mode);
    let mut h = HttpLog { ctl, messages: 0, log: Vec::new() };
    let mut offset = 0;
    for piece in input {
        match p.feed(piece, &mut h) {
            Ok(Progress::All) => {}
            Ok(Progress::Upgrade { consumed }) => {
                assert!(consumed <= piece.len(), "upgrade at {consumed} of a {}-byte input", piece.len());
                assert_eq!(p.feed(b"GET / HTTP/1.1\r\n\r\n", &mut h), Ok(Progress::Upgrade { consumed: 0 }));
                return (h.log, HttpEnd::Upgrade(offset + consumed));
            }
            Err(e) => {
                assert_eq!(p.feed(b"x", &mut h), Err(e), "a parse error is kept");
                assert_eq!(p.error(), Some(e));
                return (h.log, HttpEnd::Error(e.code));
            }
        }
        offset += piece.len();
    }
    let fin = p.finish(&mut h).map_or_else(|e| e.code, |()| 0);
    (h.log, HttpEnd::All(fin))
}

/// `input`: a control byte (bit 0: responses; bits 1-3: callback answers), a split seed, then
/// the bytes of a connection.
pub fn http_parser(input: &[u8]) {
    let [ctl, seed, data @ ..] = input else { return };
    let mode = if ctl & 1 == 0 { Mode::Request } else { Mode::Response };
    let [whole, random, bytes] = splits(data, *seed);
    let expect = run_http(mode, *ctl, &whole);
    assert_eq!(run_http(mode, *ctl, &random), expect, "random pieces");
    assert_eq!(run_http(mode, *ctl, &bytes), expect, "one byte at a time");
}

// ---- WebSocket frames ----

#[derive(Debug, PartialEq, Eq)]
enum WsEvent {
    Header(bool, u8, u8, Option<[u8; 4]>, u64),
    Complete,
}

struct WsLog(Vec<Ev<WsEvent>>, u64);

impl WsHandler for WsLog {
    fn on_header(&mut self, fin: bool, rsv: u8, opcode: u8, mask: Option<[u8; 4]>, payload_len: u64) -> Handled {
        self.0.push(Ev::Other(WsEvent::Header(fin, rsv, opcode, mask, payload_len)));
        self.1 = payload_len;
        Handled::Ok
    }
    fn on_body(&mut self, data: &[u8]) -> Handled {
        assert!(data.len() as u64 <= self.1, "more payload than the header said");
        self.1 -= data.len() as u64;
        push_body(&mut self.0, data);
        Handled::Ok
    }
    fn on_complete(&mut self) -> Handled {
        assert_eq!(self.1, 0, "a frame completed before its payload");
        self.0.push(Ev::Other(WsEvent::Complete));
        Handled::Ok
    }
}

fn run_ws(role: Role, input: &[&[u8]]) -> (Vec<Ev<WsEvent>>, Option<i32>) {
    let mut d = WsDecoder::new(role);
    let mut h = WsLog(Vec::new(), 0);
    for piece in input {
        if let Err(e) = d.feed(piece, &mut h) {
            assert_eq!(d.feed(b"\x81\x00", &mut h), Err(e), "a decode error is kept");
            return (h.0, Some(e.errno()));
        }
    }
    (h.0, None)
}

/// `input`: a control byte (bit 0: a client's decoder), a split seed, then frames.
pub fn ws_decoder(input: &[u8]) {
    let [ctl, seed, data @ ..] = input else { return };
    let role = if ctl & 1 == 0 { Role::Server } else { Role::Client };
    let [whole, random, bytes] = splits(data, *seed);
    let expect = run_ws(role, &whole);
    assert_eq!(run_ws(role, &random), expect, "random pieces");
    assert_eq!(run_ws(role, &bytes), expect, "one byte at a time");
}

// ---- PACK framing ----

fn run_pack(max: u32, flag: u16, stop_at: Option<usize>, input: &[&[u8]]) -> (Vec<Vec<u8>>, Option<i32>) {
    let mut p = PackParser::default();
    let mut got = Vec::new();
    for piece in input {
        let r = p.feed(piece, max, flag, |body| {
            assert!(!body.is_empty() && body.len() <= max as usize, "a {}-byte body with max {max}", body.len());
            got.push(body.to_vec());
            Some(got.len()) != stop_at
        });
        if let Err(e) = r {
            return (got, Some(e.errno()));
        }
    }
    (got, None)
}

/// `input`: a control byte (the largest body: 1 KiB or PACK's 4 MiB limit; whether to check a
/// flag; a callback that refuses the third body), a split seed, two flag bytes, then frames.
pub fn pack_parser(input: &[u8]) {
    let [ctl, seed, f0, f1, data @ ..] = input else { return };
    let max = if ctl & 1 == 0 { 1024 } else { 0x3F_FFFF };
    let flag = if ctl & 2 == 0 { 0 } else { u16::from_le_bytes([*f0, *f1]) & 0x3FF };
    let stop_at = (ctl & 4 != 0).then_some(3);
    let [whole, random, bytes] = splits(data, *seed);
    let expect = run_pack(max, flag, stop_at, &whole);
    assert_eq!(run_pack(max, flag, stop_at, &random), expect, "random pieces");
    assert_eq!(run_pack(max, flag, stop_at, &bytes), expect, "one byte at a time");
}

// ---- ARQ (KCP with upstream's handshake) ----

/// Datagrams laid out as a length byte and that many bytes (fewer for the last one when the
/// input ends first), with the length byte each claimed.
fn datagrams(mut rest: &[u8]) -> impl Iterator<Item = (u8, &[u8])> {
    std::iter::from_fn(move || {
        let (&len, tail) = rest.split_first()?;
        let (dgram, more) = tail.split_at((len as usize).min(tail.len()));
        rest = more;
        Some((len, dgram))
    })
}

/// An ARQ handshake packet (PROTOCOLS.md: magic 0xBB4F, command 1, flags, own id, peer's id).
fn arq_handshake(own: u32, peer: u32, complete: bool) -> [u8; 12] {
    let mut p = [0u8; 12];
    p[0..2].copy_from_slice(&0xBB4Fu16.to_le_bytes());
    p[2] = 1;
    p[3] = u8::from(complete);
    p[4..8].copy_from_slice(&own.to_le_bytes());
    p[8..12].copy_from_slice(&peer.to_le_bytes());
    p
}

/// `input`: a control byte (bit 0: complete the handshake first, as a peer would, so that the
/// datagrams reach KCP), then datagrams, each as a length byte and its bytes, received by a new
/// ARQ session (as a UdpArqServer's connection's) with the clock moving on between them; then the
/// session sends and ticks. Nothing may panic, and every datagram it sends must fit its MTU.
pub fn arq_session(input: &[u8]) {
    use hpsocket4c::engine::arq::{now_ms, ArqOptions, Event, Session};
    let [ctl, rest @ ..] = input else { return };
    let o = ArqOptions::default();
    let mut s = Session::new(&o);
    let mtu = o.mtu as usize;
    // The session's own id, from the last handshake packet it sent.
    let own = std::cell::Cell::new(None);
    let mut out = |d: &[u8]| {
        assert!(d.len() <= mtu, "a {}-byte datagram with MTU {mtu}", d.len());
        if d.len() == 12 {
            own.set(Some(u32::from_le_bytes([d[4], d[5], d[6], d[7]])));
        }
    };
    let mut events = Vec::new();
    let mut now = now_ms();
    if ctl & 1 != 0 {
        const PEER: u32 = 0x1122_3344;
        s.receive(&arq_handshake(PEER, 0, false), now, &mut out, &mut events).expect("the peer's first handshake");
        let own = own.get().expect("an answer");
        s.receive(&arq_handshake(PEER, own, true), now, &mut out, &mut events).expect("the peer's second handshake");
        assert!(s.is_ready() && matches!(events.as_slice(), [Event::HandShake]), "handshake done");
    }
    for (len, dgram) in datagrams(rest) {
        now = now.wrapping_add(u32::from(len % 50));
        if s.receive(dgram, now, &mut out, &mut events).is_err() {
            break;
        }
    }
    for e in &events {
        if let Event::Message(m) = e {
            assert!(m.len() <= o.max_message as usize, "a {}-byte message", m.len());
        }
    }
    let _ = s.send(b"after", now, &mut out);
    let _ = s.tick(now.wrapping_add(100), &mut out);
    let _ = s.waiting();
}

/// `input`: datagrams as in [`arq_session`], fed straight to KCP (no handshake), then every
/// message it assembled taken out.
pub fn kcp_input(input: &[u8]) {
    use hpsocket4c::engine::kcp::Kcp;
    let conv = input.get(..4).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let mut k = Kcp::new(conv);
    let mut now = 0u32;
    for (_, dgram) in datagrams(input) {
        let _ = k.input(dgram);
        now = now.wrapping_add(10);
        k.update(now, &mut |_| {});
        let mut buf = [0u8; 2048];
        while let Some(size) = k.peek_size() {
            match k.recv(&mut buf) {
                Ok(n) => assert_eq!(n, size, "peek_size and recv disagree"),
                Err(hpsocket4c::engine::kcp::RecvError::TooBig(n)) => {
                    assert!(n > buf.len());
                    let mut big = vec![0u8; n];
                    assert_eq!(k.recv(&mut big).ok(), Some(n));
                }
                Err(hpsocket4c::engine::kcp::RecvError::Empty) => panic!("peek_size said {size}, recv found nothing"),
            }
        }
    }
}

// ---- Cookies ----

const NOW: i64 = 1_790_000_000;

/// `input`: a Set-Cookie value (bytes after the first newline also go to the Cookie-header and
/// expires parsers).
pub fn cookie_text(input: &[u8]) {
    let text = String::from_utf8_lossy(input);
    if let Ok(c) = Cookie::parse_set_cookie(&text, "www.example.com", "/a/b", NOW) {
        assert!(c.path.starts_with('/') && c.path.ends_with('/'), "path {:?}", c.path);
        assert!(!c.domain.starts_with('.') && c.domain == c.domain.to_ascii_lowercase(), "domain {:?}", c.domain);
        let again = Cookie::parse_set_cookie(&c.to_set_cookie_string(), "www.example.com", "/a/b", NOW)
            .unwrap_or_else(|e| panic!("its own Set-Cookie {:?} refused: {e:?}", c.to_set_cookie_string()));
        assert_eq!((&again.name, &again.value, &again.domain, &again.path), (&c.name, &c.value, &c.domain, &c.path));
        assert_eq!((again.http_only, again.secure, again.same_site), (c.http_only, c.secure, c.same_site));
    }
    let _ = cookie::parse_cookie_header(input);
    let line = input.split(|&b| b == b'\n').nth(1).unwrap_or(input);
    if let Some(t) = cookie::parse_expires(line) {
        assert!(t >= 0, "expires {t} before 1970");
        // (an expires text has a 4-digit year, as upstream reads it: fields that carry past year
        // 9999 make a time it cannot write back)
        if let Some(s) = cookie::make_expires_str(t).filter(|_| t < 253_402_300_800) {
            // (times before 1 are written as 1, as upstream's are)
            assert_eq!(cookie::parse_expires(s.as_bytes()), Some(t.max(1)), "its own expires text {s:?}");
        }
    }
}

/// `input`: a cookie file, loaded; what was loaded is saved, loaded again and saved again, and
/// the two saved files must hold the same lines.
pub fn cookie_file(input: &[u8]) {
    let dir = std::env::temp_dir();
    let tag = format!("{}-{:?}", std::process::id(), std::thread::current().id());
    let file = |n: &str| dir.join(format!("hpsocket4c-fuzz-{tag}-{n}"));
    let (a, b, c) = (file("in"), file("once"), file("twice"));
    std::fs::write(&a, input).expect("temp file");
    let m = CookieMgr::new(true);
    if m.load_from_file(&a, false).is_ok() {
        let _ = std::fs::remove_file(&b);
        m.save_to_file(&b, false).expect("save what was loaded");
        let m2 = CookieMgr::new(true);
        m2.load_from_file(&b, false).expect("load what was saved");
        assert_eq!(m2.len(), m.len(), "cookies saved and loaded again");
        let _ = std::fs::remove_file(&c);
        m2.save_to_file(&c, false).expect("save again");
        let lines = |p: &std::path::Path| {
            let text = std::fs::read(p).expect("saved file");
            let mut l: Vec<Vec<u8>> = text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            l.sort();
            l
        };
        assert_eq!(lines(&b), lines(&c), "saving what was saved and loaded again");
    }
    for p in [a, b, c] {
        let _ = std::fs::remove_file(p);
    }
}

// ---- URLs ----

/// `input`: a control byte (bit 0: a CONNECT target) and a URL.
pub fn url_split(input: &[u8]) {
    let [ctl, data @ ..] = input else { return };
    if let Some(f) = url::split_url(data, ctl & 1 != 0) {
        for field in UrlField::ALL {
            if let Some(r) = f.get(field) {
                assert!(r.start <= r.end && r.end <= data.len(), "{field:?} at {r:?} of {} bytes", data.len());
            }
        }
        assert_eq!(f.field_set() & !0x7F, 0);
    }
    if let Ok(s) = std::str::from_utf8(data) {
        if let Some(u) = url::parse_open_url(s) {
            assert!(u.path.starts_with('/'), "path {:?}", u.path);
        }
    }
}

// ---- Codecs and compression (SYS_* and the streaming coders) ----

/// A `SYS_*` codec: (code, length) from a source and a destination.
type Coding = fn(&[u8], Option<&mut [u8]>) -> (i32, u32);

/// `input` encoded (into `encoded_len` bytes, the guessed bound) must decode back to itself,
/// and `input` decoded as it is must fit the decode bound guessed for it.
fn round_trip(what: &str, input: &[u8], encoded_len: usize, encode: Coding, decode_bound: fn(&[u8]) -> u32, decode: Coding) {
    use hpsocket4c::sys::OK;
    let mut enc = vec![0u8; encoded_len + 1];
    assert_eq!(encode(input, Some(&mut enc)), (OK, encoded_len as u32), "{what} of {input:?}");
    let mut dec = vec![0u8; decode_bound(&enc[..encoded_len]) as usize + 1];
    let (rc, m) = decode(&enc[..encoded_len], Some(&mut dec));
    assert_eq!((rc, &dec[..m as usize]), (OK, input), "{what} of {input:?} and back");
    let bound = decode_bound(input) as usize;
    let mut dec = vec![0u8; bound + 1];
    let (rc, m) = decode(input, Some(&mut dec));
    assert!(rc != OK || m as usize <= bound, "{what}: {m} decoded bytes, {bound} guessed");
}

/// `input`: bytes for Base64 and URL encoding (see [`round_trip`]).
pub fn codecs(input: &[u8]) {
    use hpsocket4c::sys::codec;
    round_trip("Base64", input, codec::base64_encode_bound(input.len() as u32) as usize, codec::base64_encode, codec::base64_decode_bound, codec::base64_decode);
    round_trip("URL encoding", input, codec::url_encode_bound(input) as usize, codec::url_encode, codec::url_decode_bound, codec::url_decode);
}

thread_local! {
    /// What a streaming coder gave its data callback (test threads run checks side by side).
    static STREAMED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The most a check lets a streaming decompressor give before cancelling it.
const STREAM_CAP: usize = 1 << 20;

unsafe extern "C" fn streamed(data: *const u8, len: std::os::raw::c_int, _ctx: *mut std::ffi::c_void) -> i32 {
    assert!(len > 0 && len as usize <= 16 * 1024, "a {len}-byte callback");
    // SAFETY: the library hands `len` readable bytes at `data` for the call.
    let piece = unsafe { std::slice::from_raw_parts(data, len as usize) };
    STREAMED.with(|s| {
        let mut s = s.borrow_mut();
        s.extend_from_slice(piece);
        i32::from(s.len() <= STREAM_CAP)
    })
}

/// `input`: a control byte (the format: zlib, gzip, raw deflate, zlib-or-gzip, brotli; bit 3:
/// also compress the data and decompress it back), a split seed, then compressed bytes. They
/// are decompressed in one call (SYS_*Uncompress into 64 KiB) and by a streaming decompressor
/// fed in random pieces; where the one call succeeds, the stream must have begun with the same
/// bytes.
pub fn decompress(input: &[u8]) {
    use hpsocket4c::ffi::compress::*;
    use hpsocket4c::sys::{zip, OK};
    let [ctl, seed, data @ ..] = input else { return };
    let brotli = ctl % 5 == 4;
    let wbits = [15, 31, -15, 47, 0][usize::from(ctl % 5)];
    let mut dest = vec![0u8; 64 * 1024];
    let (rc, n) = if brotli { zip::brotli_uncompress(data, &mut dest) } else { zip::uncompress_ex(data, &mut dest, wbits) };
    let d = if brotli { Create_HP_BrotliDecompressor(Some(streamed)) } else { Create_HP_ZLibDecompressorEx(Some(streamed), wbits, 0) };
    assert!(!d.is_null());
    STREAMED.with(|s| s.borrow_mut().clear());
    for piece in pieces(data, *seed) {
        // SAFETY: a live decompressor and a live piece of the input.
        if unsafe { HP_Decompressor_Process(d, piece.as_ptr(), piece.len() as i32, std::ptr::null_mut()) } == 0 {
            break;
        }
    }
    // SAFETY: made above, destroyed once.
    unsafe { Destroy_HP_Decompressor(d) };
    let out = STREAMED.with(|s| std::mem::take(&mut *s.borrow_mut()));
    if rc == OK {
        let whole = &dest[..n as usize];
        let common = whole.len().min(out.len());
        assert_eq!(&out[..common], &whole[..common], "the stream and the one call disagree");
        assert!(out.len() >= whole.len() || out.len() > STREAM_CAP, "the stream gave {} of {} bytes", out.len(), whole.len());
    }
    if ctl & 8 != 0 {
        let mut packed = vec![0u8; zip::compress_bound(data.len() as u32, true) as usize + 64];
        let (rc, m) = if brotli {
            zip::brotli_compress(data, &mut packed, i32::from(*seed % 4), 16, 0)
        } else {
            let w = if wbits == 47 { 31 } else { wbits };
            zip::compress_ex(data, &mut packed, i32::from(*seed % 10), zip::Z_DEFLATED, w, zip::DEF_MEM_LEVEL, 0)
        };
        assert_eq!(rc, OK, "compressing {} bytes", data.len());
        let mut back = vec![0u8; data.len() + 1];
        let (rc, k) = if brotli { zip::brotli_uncompress(&packed[..m as usize], &mut back) } else { zip::uncompress_ex(&packed[..m as usize], &mut back, wbits) };
        assert_eq!((rc, &back[..k as usize]), (OK, data), "compressed and back");
    }
}

/// A check: panics when its input shows a bug.
pub type Check = fn(&[u8]);

/// Every check by name, for the corpus runner.
pub const ALL: [(&str, Check); 10] = [
    ("http_parser", http_parser),
    ("ws_decoder", ws_decoder),
    ("pack_parser", pack_parser),
    ("arq_session", arq_session),
    ("kcp_input", kcp_input),
    ("cookie_text", cookie_text),
    ("cookie_file", cookie_file),
    ("url_split", url_split),
    ("codecs", codecs),
    ("decompress", decompress),
];
