//! The PULL and PACK receive models, from C.
mod common;

#[test]
fn int_tcp_pack() {
    let out = common::run_c("int_tcp_pack", &[]);
    assert!(out.contains("int_tcp_pack:") && out.contains(" 0 failed"), "{out}");
}

#[test]
fn int_tcp_pull() {
    let out = common::run_c("int_tcp_pull", &[]);
    assert!(out.contains("int_tcp_pull:") && out.contains(" 0 failed"), "{out}");
}
