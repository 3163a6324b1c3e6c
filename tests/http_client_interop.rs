//! Our HttpClient and HttpSyncClient against servers of other implementations, each in its own
//! process: upstream HP-Socket 5.1.1's HttpServer (`tests/interop/http_up_server.c` loads its
//! library with dlopen; skipped when it cannot be fetched), and the `websockets` Python package as
//! a WebSocket server (`tests/interop/ws_server.py`, installed into `target/pyenv`; skipped when
//! pip cannot install it). The client side is `tests/interop/http_our_client.c`, linked against
//! this library.
mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::OnceLock;

fn our_client() -> PathBuf {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| common::build_c_sources("http_our_client", &["tests/interop/http_our_client.c"], &[])).clone()
}

fn up_server() -> PathBuf {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let exe = common::out_dir().join("http_up_server");
        let out = Command::new("cc")
            .args(["-std=gnu99", "-O1", "-g", "-Wall", "-Wextra", "-Werror"])
            .arg(common::root().join("tests/interop/http_up_server.c"))
            .arg("-o")
            .arg(&exe)
            .args(["-ldl", "-lpthread"])
            .output()
            .unwrap();
        assert!(out.status.success(), "cc http_up_server: {}", String::from_utf8_lossy(&out.stderr));
        exe
    })
    .clone()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A server process that prints one line when ready and its counters when its stdin closes.
struct Peer {
    child: Child,
    out: BufReader<ChildStdout>,
}

impl Peer {
    fn spawn(mut cmd: Command) -> (Peer, String) {
        let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        (Peer { child, out }, line.trim().to_string())
    }

    /// Closes its stdin and returns its last line (the counters).
    fn finish(mut self) -> String {
        drop(self.child.stdin.take());
        let mut line = String::new();
        self.out.read_line(&mut line).unwrap();
        assert!(self.child.wait().unwrap().success(), "server exited with an error: {line}");
        line.trim().to_string()
    }
}

fn run_client(mode: &str, port: u16) -> String {
    let out = Command::new(our_client()).arg(mode).arg(port.to_string()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "http_our_client {mode}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

/// GET, GET with a body, POST echo (40000 bytes), a chunked answer and a 404 from an
/// HttpClient on one connection, then three kept-alive OpenUrl of an HttpSyncClient.
#[test]
fn our_clients_upstream_http_server() {
    let Some(up) = common::upstream_lib() else {
        eprintln!("SKIPPED: upstream 5.1.1 library could not be fetched (PyPI hpsocket==0.9.3)");
        return;
    };
    let port = free_port();
    let mut cmd = Command::new(up_server());
    cmd.arg(&up).arg(port.to_string());
    let (server, ready) = Peer::spawn(cmd);
    assert_eq!(ready, "LISTEN", "upstream's HttpServer did not start");
    let out = run_client("http", port);
    let counters = server.finish();
    assert!(out.contains("http_our_client:") && out.contains(" 0 failed"), "{out}");
    assert_eq!(counters, "accepted=2 requests=8 closed=2 errors=0", "upstream server's counters");
}

/// `target/pyenv/bin/python` with `websockets` installed, or None (with the reason).
fn python_with_websockets() -> Option<PathBuf> {
    static PY: OnceLock<Option<PathBuf>> = OnceLock::new();
    PY.get_or_init(|| {
        let env = common::root().join("target/pyenv");
        let py = env.join("bin/python");
        let has = |py: &Path| Command::new(py).args(["-c", "import websockets"]).output().is_ok_and(|o| o.status.success());
        if py.exists() && has(&py) {
            return Some(py);
        }
        let venv = Command::new("python3").arg("-m").arg("venv").arg(&env).status();
        let pip = Command::new(env.join("bin/pip")).args(["install", "--quiet", "websockets"]).status();
        if matches!(venv, Ok(s) if s.success()) && matches!(pip, Ok(s) if s.success()) && has(&py) {
            Some(py)
        } else {
            eprintln!("SKIPPED: could not install the websockets package into {}", env.display());
            None
        }
    })
    .clone()
}

/// Upgrade, then text, 300- and 70000-byte binary messages, a fragmented message, a ping and a
/// close, all masked, against an echo server of the `websockets` package.
#[test]
fn our_client_websockets_server() {
    let Some(py) = python_with_websockets() else { return };
    let mut cmd = Command::new(py);
    cmd.arg(common::root().join("tests/interop/ws_server.py"));
    let (server, ready) = Peer::spawn(cmd);
    let port: u16 = ready.strip_prefix("LISTEN ").and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("ws_server.py: {ready:?}"));
    let out = run_client("ws", port);
    let counters = server.finish();
    assert!(out.contains("http_our_client:") && out.contains(" 0 failed"), "{out}");
    assert_eq!(counters, "messages=4 connections=1", "websockets server's counters");
}
