//! The HP_HttpCookie_* exports (the process-wide cookie store and the cookie helpers), from C.
mod common;

#[test]
fn http_cookie() {
    let out = common::run_c("http_cookie", &[]);
    assert!(out.contains("http_cookie:") && out.contains(" 0 failed"), "{out}");
}

/// The same program under valgrind: the length protocol and the file paths read and write only
/// the memory they were given.
#[test]
fn http_cookie_valgrind() {
    let out = common::run_c_valgrind("http_cookie");
    assert!(out.contains(" 0 failed"), "{out}");
}
