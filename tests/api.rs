//! The C API's contract programs: NULL handles and pointers everywhere.
mod common;

#[test]
fn api_null() {
    let out = common::run_c("api_null", &[]);
    assert!(out.contains("api_null:") && out.contains(" 0 failed"), "{out}");
}

/// tests/c/api_null.c is generated from the header; it must cover every declared function.
#[test]
fn api_null_covers_the_header() {
    let st = std::process::Command::new("python3")
        .arg(common::root().join("tests/gen/gen_api_null.py"))
        .arg("--check")
        .status()
        .unwrap();
    assert!(st.success(), "tests/c/api_null.c is stale: run python3 tests/gen/gen_api_null.py");
}

#[test]
fn api_options() {
    let out = common::run_c("api_options", &[]);
    assert!(out.contains("api_options:") && out.contains(" 0 failed"), "{out}");
}
