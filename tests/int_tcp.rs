//! Components talking to each other over loopback, driven from C.
mod common;

#[test]
fn int_tcp_echo() {
    let out = common::run_c("int_tcp_echo", &[]);
    assert!(out.contains(" 0 failed"), "{out}");
}

#[test]
fn int_tcp_events() {
    let out = common::run_c("int_tcp_events", &[]);
    assert!(out.contains("int_tcp_events:") && out.contains(" 0 failed"), "{out}");
}

#[test]
fn int_tcp_reentry() {
    let out = common::run_c("int_tcp_reentry", &[]);
    assert!(out.contains("int_tcp_reentry:") && out.contains(" 0 failed"), "{out}");
}

/// Stop and Destroy at awkward times read no freed memory (valgrind memcheck).
#[test]
fn int_tcp_reentry_valgrind() {
    let out = common::run_c_valgrind("int_tcp_reentry");
    assert!(out.contains(" 0 failed"), "{out}");
}

/// Failure paths as upstream's: events of a failed Start, error codes and errno (issue 14).
#[test]
fn int_failures() {
    let out = common::run_c("int_failures", &[]);
    assert!(out.contains("int_failures:") && out.contains(" 0 failed"), "{out}");
}
