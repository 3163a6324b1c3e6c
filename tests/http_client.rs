//! The client side of HTTP (HttpAgent, HttpClient, HttpSyncClient) against a small blocking HTTP
//! server inside the C program (`tests/c/http_client.c`): request bytes, response events and
//! accessors, cookies, WebSocket frames, parse errors, HttpAutoStart, the sync client's OpenUrl.
mod common;

#[test]
fn http_client() {
    let out = common::run_c("http_client", &[]);
    assert!(out.contains("http_client:") && out.contains(" 0 failed"), "{out}");
}

/// The same program under valgrind memcheck: no invalid reads or writes (strings and buffers
/// handed out by the accessors, a sync client Destroy_HP_HttpClient refused).
#[test]
fn http_client_valgrind() {
    let out = common::run_c_valgrind("http_client");
    assert!(out.contains(" 0 failed"), "{out}");
}
