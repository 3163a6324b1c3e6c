//! The README's demo: `make -C examples-c demo` builds the examples against the library and runs
//! echo_server with echo_client and echo_agent against it.
mod common;

use std::process::Command;

#[test]
fn examples_demo() {
    let lib = common::lib_dir();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = Command::new("make")
        .arg("-C")
        .arg(common::root().join("examples-c"))
        .arg("demo")
        .arg(format!("PORT={port}"))
        .arg(format!("LIBDIR={}", lib.display()))
        .arg(format!("OUT={}", lib.join("examples-c").display()))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("[client] OK"), "{stdout}");
    assert!(stdout.contains("[agent] OK: 8 of 8"), "{stdout}");
    assert!(stdout.contains("demo: OK"), "{stdout}");
}
