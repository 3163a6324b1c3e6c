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
