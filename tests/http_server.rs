//! The HttpServer's contract, driven from C: a raw BSD-socket client in the same program talks to
//! an HttpServer on loopback (events, accessors, responses, Release, StartHttp, parse errors,
//! WebSocket, CONNECT, wrong handles). See tests/c/http_server.c.
mod common;

#[test]
fn http_server() {
    let out = common::run_c("http_server", &[]);
    assert!(out.contains("http_server:") && out.contains(" 0 failed"), "{out}");
}

/// The same program under valgrind: the strings and buffers the accessors and callbacks hand out
/// are read only while they live.
#[test]
fn http_server_valgrind() {
    let out = common::run_c_valgrind("http_server");
    assert!(out.contains(" 0 failed"), "{out}");
}

/// Released connections end when their client closes them, and take their memory with them
/// (they were kept until the release time). See tests/c/http_release_mem.c.
#[test]
fn http_release_memory() {
    let out = common::run_c("http_release_mem", &[]);
    assert!(out.contains("http_release_mem:") && out.contains(" 0 failed"), "{out}");
}
