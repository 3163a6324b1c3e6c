//! The C API's contract programs: NULL handles and pointers everywhere; bad handles (destroyed,
//! of another kind, pointers into the caller's stack and heap) everywhere.
mod common;

#[test]
#[cfg(feature = "ssl")] // the generated program covers HPSocket4C-SSL.h too
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

/// Every function that takes a handle refuses bad ones: destroyed handles, live handles of kinds its
/// family never accepts, pointers into a stack buffer and heap blocks (FALSE / NULL / 0 and EINVAL).
#[test]
#[cfg(feature = "ssl")] // the generated program covers HPSocket4C-SSL.h too
fn api_badhandle() {
    let out = common::run_c("api_badhandle", &[]);
    assert!(out.contains("api_badhandle:") && out.contains(" 0 failed"), "{out}");
}

/// The same program under valgrind: refusing a bad handle reads no freed or foreign memory.
#[test]
#[cfg(feature = "ssl")] // the generated program covers HPSocket4C-SSL.h too
fn api_badhandle_valgrind() {
    let out = common::run_c_valgrind("api_badhandle");
    assert!(out.contains(" 0 failed"), "{out}");
}

/// tests/c/api_badhandle.c is generated from the header; it must cover every declared function.
#[test]
fn api_badhandle_covers_the_header() {
    let st = std::process::Command::new("python3")
        .arg(common::root().join("tests/gen/gen_api_badhandle.py"))
        .arg("--check")
        .status()
        .unwrap();
    assert!(st.success(), "tests/c/api_badhandle.c is stale: run python3 tests/gen/gen_api_badhandle.py");
}
