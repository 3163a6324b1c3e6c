//! Components talking to each other over loopback, driven from C.
mod common;

#[test]
fn int_tcp_echo() {
    let out = common::run_c("int_tcp_echo", &[]);
    assert!(out.contains(" 0 failed"), "{out}");
}
