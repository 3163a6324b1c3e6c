//! The README's demo: `make -C examples-c demo` builds the examples against the library and runs
//! the TCP, PACK, PULL and UDP echo servers with their clients, the UdpNode chat, and one POST
//! to the HTTP server (tests/http_peers.rs drives that one with real clients).
mod common;

use std::process::Command;

#[test]
fn examples_demo() {
    let lib = common::lib_dir();
    // the demo uses PORT .. PORT+6 (TCP for the first three and the last, UDP for the rest): find them free
    let free = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok() && std::net::UdpSocket::bind(("127.0.0.1", p)).is_ok();
    let port = (20000..60000).step_by(7).find(|&p| (p..p + 7).all(free)).unwrap();
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
    assert!(stdout.contains("[pack client] OK: 200 of 200"), "{stdout}");
    assert!(stdout.contains("[udp client] 1000 datagrams of 512 bytes echoed: OK"), "{stdout}");
    assert!(stdout.contains("[chat] OK"), "{stdout}");
    assert!(stdout.contains("[pull client] OK: 200 of 200"), "{stdout}");
    assert!(stdout.contains("[http client] OK"), "{stdout}");
    assert!(stdout.contains("[http sync client] OK"), "{stdout}");
    assert!(stdout.contains("demo: OK"), "{stdout}");
}
