//! Faults found in review, each reproduced: running out of file descriptors, blocking connects.
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

/// A server whose process ran out of descriptors serves again once they are free; an agent's
/// connect meanwhile fails with EMFILE.
#[test]
fn fd_exhaustion_does_not_stop_the_server() {
    let exe = common::build_c("fault_fd_limit");
    let mut child = Command::new(&exe).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let port: u16 = line.trim().strip_prefix("port ").unwrap_or_else(|| panic!("{line}")).parse().unwrap();

    // 150 connections, far more than the 64 descriptors the server's process may have.
    let mut held: Vec<TcpStream> = (0..150).map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
    writeln!(stdin, "agent").unwrap();
    line.clear();
    out.read_line(&mut line).unwrap();
    assert!(line.starts_with("agent refused"), "{line}");

    held.clear();
    // Descriptors free up as the server sees its peers go: a new connection is served.
    let mut echoed = false;
    for _ in 0..30 {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { continue };
        s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        if s.write_all(b"ping").is_err() {
            continue;
        }
        let mut buf = [0u8; 4];
        if s.read_exact(&mut buf).is_ok() && &buf == b"ping" {
            echoed = true;
            break;
        }
        // Shed while the server was still at its limit: try again.
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(echoed, "no echo from the server after its peers closed");
    writeln!(stdin, "quit").unwrap();
    drop(stdin);
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    let st = child.wait().unwrap();
    assert!(st.success() && rest.contains(" 0 failed"), "{rest}");
}
