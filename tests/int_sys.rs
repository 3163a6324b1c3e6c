//! The SYS_* helpers, from C.
mod common;

#[test]
fn sys_api() {
    let out = common::run_c("sys_api", &[]);
    assert!(out.contains("sys_api:") && out.contains(" 0 failed"), "{out}");
}

#[test]
fn compressor() {
    let out = common::run_c("compressor", &[]);
    assert!(out.contains("compressor:") && out.contains(" 0 failed"), "{out}");
}

#[test]
fn thread_pool() {
    let out = common::run_c("thread_pool", &[]);
    assert!(out.contains("thread_pool:") && out.contains(" 0 failed"), "{out}");
}
