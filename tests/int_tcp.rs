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
    let valgrind = std::path::Path::new("/usr/bin/valgrind");
    assert!(valgrind.exists(), "valgrind is missing at /usr/bin/valgrind: .ci/run installs it (apt-get install valgrind)");
    let exe = common::build_c("int_tcp_reentry");
    let out = std::process::Command::new(valgrind).args(["--error-exitcode=99", "--leak-check=no", "--quiet"]).arg(&exe).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && stdout.contains(" 0 failed"), "valgrind int_tcp_reentry: {}\n{stdout}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
}
