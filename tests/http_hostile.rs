//! Hostile input against a live HttpServer: thousands of random and mutated requests, each on
//! its own connection, while a well-behaved keep-alive connection keeps being served. The server
//! must stay up, answer the good connection every time, and its memory must stay bounded.
//!
//! The server is driven through the C API from Rust (the crate's exports are plain functions).
use hpsocket4c::ffi::handles::*;
use hpsocket4c::ffi::http_server::*;
use hpsocket4c::ffi::server::*;
use hpsocket4c::ffi::types::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::raw::c_int;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

static COMPLETE: AtomicUsize = AtomicUsize::new(0);
static PARSE_ERRORS: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn on_complete(s: HP_HttpServer, id: HP_CONNID) -> HttpParseResultArg {
    COMPLETE.fetch_add(1, Ordering::Relaxed);
    let body = b"ok";
    // SAFETY: `s` is the live server raising this callback; the body outlives the call.
    unsafe { HP_HttpServer_SendResponse(s, id, 200, std::ptr::null(), std::ptr::null(), 0, body.as_ptr(), body.len() as c_int) };
    HttpParseResultArg(0)
}

unsafe extern "C" fn on_parse_error(_s: HP_HttpServer, _id: HP_CONNID, _code: c_int, _desc: LPCSTR) -> HttpParseResultArg {
    PARSE_ERRORS.fetch_add(1, Ordering::Relaxed);
    HttpParseResultArg(0)
}

/// A small deterministic generator (xorshift), so a failure can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SEEDS: &[&[u8]] = &[
    b"GET /a?b=c HTTP/1.1\r\nHost: x\r\nCookie: a=1; b=2\r\n\r\n",
    b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\n\r\n",
    b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: x\r\n\r\n\x81\x85\x01\x02\x03\x04hello",
    b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\nraw",
];

fn mutate(rng: &mut Rng) -> Vec<u8> {
    let mut m = SEEDS[rng.below(SEEDS.len())].to_vec();
    match rng.below(4) {
        // Pure noise.
        0 => (0..rng.below(4096) + 1).map(|_| rng.next() as u8).collect(),
        // A few byte flips, inserts and deletions.
        1 | 2 => {
            for _ in 0..rng.below(8) + 1 {
                let at = rng.below(m.len().max(1));
                match rng.below(3) {
                    0 if at < m.len() => m[at] = rng.next() as u8,
                    1 => m.insert(at.min(m.len()), b"\r\n:; \t\0\xff0"[rng.below(9)]),
                    _ if at < m.len() => {
                        m.remove(at);
                    }
                    _ => {}
                }
            }
            m
        }
        // Oversized pieces: a huge header, many headers, a huge chunk size.
        _ => {
            let mut v = b"GET / HTTP/1.1\r\n".to_vec();
            match rng.below(3) {
                0 => v.extend(std::iter::repeat_n(b'a', 70 * 1024)),
                1 => (0..300).for_each(|i| v.extend_from_slice(format!("H{i}: v\r\n").as_bytes())),
                _ => v = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n".to_vec(),
            }
            v
        }
    }
}

fn rss_kib() -> usize {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// One request on the good connection, answered with `ok`.
fn good_request(s: &mut TcpStream) {
    s.write_all(b"GET /good HTTP/1.1\r\nHost: g\r\n\r\n").unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    while !got.ends_with(b"\r\n\r\nok") {
        let n = s.read(&mut buf).expect("the good connection was answered");
        assert!(n > 0, "the good connection was closed");
        got.extend_from_slice(&buf[..n]);
    }
}

#[test]
fn mutated_requests_leave_the_server_and_other_connections_alone() {
    // SAFETY: plain calls of the C API with valid arguments; the handles live to the end.
    unsafe {
        let l = Create_HP_HttpServerListener();
        HP_Set_FN_HttpServer_OnMessageComplete(l, Some(on_complete));
        HP_Set_FN_HttpServer_OnParseError(l, Some(on_parse_error));
        let srv = Create_HP_HttpServer(l);
        assert_eq!(HP_Server_Start(srv, c"127.0.0.1".as_ptr(), 0), 1);
        let (mut addr, mut len, mut port) = ([0 as TCHAR; 64], 64 as c_int, 0u16);
        assert_eq!(HP_Server_GetListenAddress(srv, addr.as_mut_ptr(), &mut len, &mut port), 1);

        let mut good = TcpStream::connect(("127.0.0.1", port)).unwrap();
        good.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        good_request(&mut good);
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut rss_after_warmup = 0;
        const ROUNDS: usize = 3000;
        for i in 0..ROUNDS {
            let msg = mutate(&mut rng);
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
                s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
                let _ = s.write_all(&msg);
                let mut sink = [0u8; 256];
                let _ = s.read(&mut sink);
            }
            if i % 100 == 0 {
                good_request(&mut good);
            }
            if i == ROUNDS / 3 {
                rss_after_warmup = rss_kib();
            }
        }
        good_request(&mut good);
        let rss_end = rss_kib();
        eprintln!(
            "http_hostile: {ROUNDS} hostile connections, {} parse errors, {} messages answered; RSS {rss_after_warmup} -> {rss_end} KiB",
            PARSE_ERRORS.load(Ordering::Relaxed),
            COMPLETE.load(Ordering::Relaxed)
        );
        assert!(PARSE_ERRORS.load(Ordering::Relaxed) > ROUNDS / 10, "the mutations raised parse errors");
        // Bounded: no growth with the number of hostile connections (slack for allocator noise).
        assert!(rss_end < rss_after_warmup + 16 * 1024, "RSS grew from {rss_after_warmup} KiB to {rss_end} KiB");
        assert_eq!(HP_Server_Stop(srv), 1);
        Destroy_HP_HttpServer(srv);
        Destroy_HP_HttpServerListener(l);
    }
}
