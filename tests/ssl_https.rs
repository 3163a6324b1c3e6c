//! The HTTPS components against real TLS peers, with the certificates of `tests/ssl/mkcerts.sh`
//! (made once into a folder of the test output):
//!
//! - our HttpsServer (`tests/ssl/https_server.c`: examples-c/http_server.c's routes over TLS)
//!   driven by curl, Python's `http.client` over `ssl` (`tests/ssl/https_client.py`) and the
//!   `websockets` package over wss (`tests/ssl/https_ws_client.py`); a plain-text request on its
//!   port is dropped while TLS clients go on being served;
//! - our HttpsClient as a WebSocket client of a `websockets` wss server
//!   (`tests/ssl/https_ws.c` against `tests/ssl/https_ws_server.py`);
//! - our HttpsSyncClient against Python's `http.server` over `ssl` (`tests/ssl/https_sync.c`
//!   against `tests/ssl/https_py_server.py`);
//! - our HttpsClient against our HttpsServer in one process (`tests/ssl/https_self.c`);
//! - a send on a secure client right after its synchronous Start never goes out in the clear
//!   (`tests/ssl/https_early_send.c` against a raw listener here);
//! - the TLS examples (`examples-c/https_server.c`, `tls_echo_server.c`, `tls_echo_client.c`),
//!   built through the examples' Makefile.
//!
//! curl, the openssl CLI and the venv `target/pyenv` (websockets, requests) come from `.ci/run`;
//! the venv is made here when missing.
#![cfg(feature = "ssl")] // HTTPS exists only in a build with the `ssl` feature
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The chunked route's body (examples-c/http_server.c's CHUNKS).
const CHUNKED: &str = "first chunk\nsecond chunk, a little longer\nthird and last chunk\n";

// ---- certificates, programs, tools ----

/// The folder of `tests/ssl/mkcerts.sh`'s certificates (made again when older than 20 days:
/// they are valid for 30).
fn certs() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = common::out_dir().join("https-certs");
        let stale = std::fs::metadata(dir.join("done")).and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().unwrap_or(Duration::MAX) > Duration::from_secs(20 * 86400));
        if stale {
            std::fs::remove_dir_all(&dir).unwrap();
        }
        let out = Command::new("sh").arg(common::root().join("tests/ssl/mkcerts.sh")).arg(&dir).output().expect("sh tests/ssl/mkcerts.sh");
        assert!(out.status.success(), "tests/ssl/mkcerts.sh failed (is the openssl CLI installed?)\n{}", String::from_utf8_lossy(&out.stderr));
        for f in ["ca.pem", "server.pem", "server.key", "other-ca.pem"] {
            assert!(dir.join(f).exists(), "mkcerts.sh made no {f}");
        }
        dir
    })
    .clone()
}

/// `tests/ssl/https_server.c` includes examples-c/http_server.c, which is C only (not C++): it
/// is compiled here like `common::build_c_sources` does, without the C++ check.
fn https_server_exe() -> PathBuf {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let lib = common::lib_dir();
        let exe = common::out_dir().join("https_server");
        let out = Command::new("cc")
            .args(["-std=gnu99", "-g", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter"])
            .arg("-I")
            .arg(common::root().join("include"))
            .arg(common::root().join("tests/ssl/https_server.c"))
            .arg("-o")
            .arg(&exe)
            .arg("-L")
            .arg(&lib)
            .args(["-lhpsocket4c", "-lpthread"])
            .arg(format!("-Wl,-rpath,{}", lib.display()))
            .output()
            .unwrap();
        assert!(out.status.success(), "cc tests/ssl/https_server.c: {}", String::from_utf8_lossy(&out.stderr));
        exe
    })
    .clone()
}

/// One of the C test programs `tests/ssl/<name>.c` (C and C++ clean), built once.
fn c_prog(name: &str) -> PathBuf {
    static BUILT: Mutex<Vec<(String, PathBuf)>> = Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, exe)) = built.iter().find(|(n, _)| n == name) {
        return exe.clone();
    }
    let exe = common::build_c_sources(name, &[&format!("tests/ssl/{name}.c")], &[]);
    built.push((name.to_string(), exe.clone()));
    exe
}

/// The TLS examples, through the examples' Makefile into a folder of this test's own.
fn example(name: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let out = BUILT.get_or_init(|| {
        let lib = common::lib_dir();
        let out = common::out_dir().join("https-examples");
        let progs = ["https_server", "tls_echo_server", "tls_echo_client"].map(|p| out.join(p));
        let o = Command::new("make")
            .arg("-s")
            .arg("-C")
            .arg(common::root().join("examples-c"))
            .arg(format!("LIBDIR={}", lib.display()))
            .arg(format!("OUT={}", out.display()))
            .args(&progs)
            .output()
            .unwrap();
        assert!(o.status.success(), "building the TLS examples failed\n{}", String::from_utf8_lossy(&o.stderr));
        out
    });
    out.join(name)
}

fn tool(path: &str, install: &str) -> PathBuf {
    let p = PathBuf::from(path);
    assert!(p.exists(), "{path} is missing: .ci/run installs it ({install})");
    p
}

/// `target/pyenv/bin/python` with websockets and requests, made the way `.ci/run` makes it
/// when missing.
fn python() -> PathBuf {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        let env = common::root().join("target/pyenv");
        let py = env.join("bin/python");
        let ready = |py: &Path| Command::new(py).args(["-c", "import websockets, requests"]).output().is_ok_and(|o| o.status.success());
        if !ready(&py) {
            if !py.exists() {
                let st = Command::new("python3").arg("-m").arg("venv").arg(&env).status();
                assert!(matches!(st, Ok(s) if s.success()), "python3 -m venv {} failed (apt-get install python3-venv)", env.display());
            }
            let st = Command::new(&py).args(["-m", "pip", "install", "-q", "websockets==17.4", "requests==2.32.3"]).status();
            assert!(matches!(st, Ok(s) if s.success()) && ready(&py), "pip could not install websockets and requests into {}", env.display());
        }
        py
    })
    .clone()
}

// ---- processes ----

/// A server process that printed `LISTEN <port>` first; it stops when its stdin closes (on
/// `finish` or drop). Its later output is kept.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    port: u16,
    what: String,
    lines: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

fn start(mut cmd: Command, what: &str) -> Server {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap_or_else(|e| panic!("{what}: {e}"));
    let stdin = child.stdin.take();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let port = line.strip_prefix("LISTEN ").and_then(|p| p.trim().parse().ok()).unwrap_or_else(|| panic!("{what} did not start: {line:?}"));
    let lines = Arc::new(Mutex::new(Vec::new()));
    let keep = lines.clone();
    // keep reading its output so it never blocks on a full pipe
    let reader = std::thread::spawn(move || {
        for l in out.lines() {
            let Ok(l) = l else { break };
            keep.lock().unwrap().push(l);
        }
    });
    Server { child, stdin, port, what: what.to_string(), lines, reader: Some(reader) }
}

impl Server {
    fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// Closes its stdin, waits for its exit (it must succeed) and returns its output after the
    /// `LISTEN` line.
    fn finish(mut self) -> Vec<String> {
        self.stop();
        if let Some(r) = self.reader.take() {
            r.join().unwrap();
        }
        self.lines()
    }

    /// As `finish`, returning the last line only.
    fn finish_last(self) -> String {
        self.finish().last().cloned().unwrap_or_default()
    }

    fn stop(&mut self) {
        if self.stdin.is_none() {
            return;
        }
        drop(self.stdin.take());
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(30) {
            if let Ok(Some(st)) = self.child.try_wait() {
                if !std::thread::panicking() {
                    assert!(st.success(), "{} exited with {st}", self.what);
                }
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !std::thread::panicking() {
            panic!("{} did not stop when its stdin closed", self.what);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn start_https_server() -> Server {
    let mut cmd = Command::new(https_server_exe());
    cmd.arg("0").arg(certs());
    start(cmd, "tests/ssl/https_server")
}

use common::{header, run_for, upload_file};

fn text(o: &Output) -> String {
    format!("--- stdout\n{}\n--- stderr\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Runs and requires success; returns stdout.
fn run_ok(cmd: &mut Command, what: &str) -> String {
    let o = run_for(cmd, 60, what);
    assert!(o.status.success(), "{what} failed ({})\n{}", o.status, text(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn curl_cmd(args: &[&str]) -> Command {
    let mut cmd = Command::new(tool("/usr/bin/curl", "apt-get install curl"));
    cmd.args(["-sS", "--max-time", "30"]).args(args);
    cmd
}

/// curl trusting the test CA; requires success and returns stdout.
fn curl(args: &[&str]) -> String {
    let ca = certs().join("ca.pem");
    let mut cmd = curl_cmd(&["--cacert", ca.to_str().unwrap()]);
    cmd.args(args);
    run_ok(&mut cmd, &format!("curl {}", args.join(" ")))
}

fn url(port: u16, path: &str) -> String {
    format!("https://localhost:{port}{path}")
}



fn has_line(out: &str, line: &str) -> bool {
    out.lines().any(|l| l == line)
}

// ---- our HttpsServer and real clients ----

#[test]
fn curl_against_our_https_server() {
    let s = start_https_server();
    let port = s.port;

    // GET /: status, type, length, page; the certificate verified against ca.pem
    let out = curl(&["-D", "-", "-w", "|verify=%{ssl_verify_result}", &url(port, "/")]);
    let (head, rest) = out.split_once("\r\n\r\n").unwrap();
    let (page, verify) = rest.rsplit_once('|').unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert_eq!(header(head, "Content-Type"), Some("text/html; charset=utf-8"), "{head}");
    assert_eq!(header(head, "Content-Length").map(|v| v.parse::<usize>().unwrap()), Some(page.len()), "{head}");
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<div id=\"result\">"), "{page}");
    assert_eq!(verify, "verify=0");

    // POST: the body and its Content-Type come back
    let out = curl(&["-D", "-", "--data", "hello from curl over tls", &url(port, "/echo")]);
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert_eq!(header(head, "Content-Type"), Some("application/x-www-form-urlencoded"), "{head}");
    assert_eq!(body, "hello from curl over tls");

    // a 300 KB body (Content-Length), then the same chunked, echoed whole
    let up = upload_file("https-upload.bin", 300_000);
    for (tag, extra) in [("plain", None), ("chunked", Some("Transfer-Encoding: chunked"))] {
        let down = common::out_dir().join(format!("https-download-{tag}.bin"));
        let mut args = vec!["-H", "Content-Type: application/octet-stream"];
        if let Some(h) = extra {
            args.extend(["-H", h]);
        }
        let data = format!("@{}", up.display());
        let url = url(port, "/echo");
        args.extend(["--data-binary", &data, "-o", down.to_str().unwrap(), "-w", "%{http_code} %{content_type} %{size_download}", &url]);
        assert_eq!(curl(&args), "200 application/octet-stream 300000", "{tag} upload");
        assert!(std::fs::read(&up).unwrap() == std::fs::read(&down).unwrap(), "the {tag} 300 KB upload came back changed");
    }

    // keep-alive: four URLs in one curl command over one TLS connection
    let n = "/dev/null";
    let out = curl(&["-w", "%{http_code}:%{num_connects} ", "-o", n, "-o", n, "-o", n, "-o", n, &url(port, "/"), &url(port, "/chunked"), &url(port, "/missing"), &url(port, "/")]);
    assert_eq!(out, "200:1 200:0 404:0 200:0 ", "one connection for the four requests");
    let sum: u32 = out.split_whitespace().map(|t| t.split_once(':').unwrap().1.parse::<u32>().unwrap()).sum();
    assert_eq!(sum, 1, "{out}");
    let ca = certs().join("ca.pem");
    let ca = ca.to_str().unwrap();
    // (--next starts afresh: the CA again)
    let out = curl(&["-w", " %{http_code}:%{num_connects}", "--data", "a", &url(port, "/echo"), "--next", "--cacert", ca, "-w", " %{http_code}:%{num_connects}", "--data", "b", &url(port, "/echo")]);
    assert_eq!(out, "a 200:1b 200:0", "two POSTs on one connection");

    // GET /chunked: joined by curl, and as sent
    let out = curl(&["-D", "-", &url(port, "/chunked")]);
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    assert_eq!(header(head, "Transfer-Encoding"), Some("chunked"), "{head}");
    assert_eq!(body, CHUNKED);
    let raw = curl(&["--raw", &url(port, "/chunked")]);
    assert_eq!(raw, "c\r\nfirst chunk\n\r\n1e\r\nsecond chunk, a little longer\n\r\n15\r\nthird and last chunk\n\r\n0\r\n\r\n");

    // HTTP/1.0: answered with Connection: close; the second URL needs a new connection
    let out = curl(&["-0", "-D", "-", "-w", "|%{num_connects}", "--data", "old", &url(port, "/echo"), &url(port, "/")]);
    let (head, rest) = out.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert_eq!(header(head, "Connection"), Some("close"), "{head}");
    assert!(rest.starts_with("old|1") && rest.ends_with("|1"), "{rest}");

    // TLS 1.2 as well as 1.3
    let o = run_for(&mut curl_cmd(&["-v", "--cacert", ca, "--tls-max", "1.2", "--data", "v12", &url(port, "/echo")]), 45, "curl --tls-max 1.2");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success() && o.stdout == b"v12", "curl --tls-max 1.2\n{}", text(&o));
    assert!(err.contains("SSL connection using TLSv1.2"), "{err}");
    let o = run_for(&mut curl_cmd(&["-v", "--cacert", ca, &url(port, "/missing")]), 45, "curl -v");
    assert!(String::from_utf8_lossy(&o.stderr).contains("SSL connection using TLSv1.3"), "{}", text(&o));

    // without the CA, curl refuses the certificate (exit 60): the port really speaks TLS, with
    // a certificate of the test CA
    let o = run_for(&mut curl_cmd(&[&url(port, "/")]), 45, "curl without --cacert");
    assert_eq!(o.status.code(), Some(60), "curl without --cacert\n{}", text(&o));
    let other = certs().join("other-ca.pem");
    let o = run_for(&mut curl_cmd(&["--cacert", other.to_str().unwrap(), &url(port, "/")]), 45, "curl --cacert other-ca.pem");
    assert_eq!(o.status.code(), Some(60), "curl trusting another CA\n{}", text(&o));
    // another name (SNI alt.test) gets the only certificate, localhost's: its name does not match
    let resolve = format!("alt.test:{port}:127.0.0.1");
    let alt = format!("https://alt.test:{port}/");
    let o = run_for(&mut curl_cmd(&["--cacert", ca, "--resolve", &resolve, &alt]), 45, "curl alt.test");
    assert_eq!(o.status.code(), Some(60), "curl alt.test\n{}", text(&o));
    let out = run_ok(&mut curl_cmd(&["-k", "--resolve", &resolve, "-w", "%{http_code}", "-o", "/dev/null", &alt]), "curl -k alt.test");
    assert_eq!(out, "200");
    s.finish();
}

#[test]
fn python_http_client_over_tls() {
    let s = start_https_server();
    let script = common::root().join("tests/ssl/https_client.py");
    let out = run_ok(Command::new(python()).arg(&script).arg(s.port.to_string()).arg(certs()), "tests/ssl/https_client.py");
    for line in ["keep-alive posts ok", "chunked response ok", "head ok", "404 ok", "chunked post ok 200011", "https_client: OK"] {
        assert!(has_line(&out, line), "http.client: no {line:?} in\n{out}");
    }
    assert!(out.lines().any(|l| l.starts_with("get ok TLSv1")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("wrong ca refused")), "{out}");
    s.finish();
}

#[test]
fn websockets_client_over_wss() {
    let s = start_https_server();
    let script = common::root().join("tests/ssl/https_ws_client.py");
    let out = run_ok(Command::new(python()).arg(&script).arg(s.port.to_string()).arg(certs()), "tests/ssl/https_ws_client.py (websockets)");
    for line in ["text ok", "binary ok", "fragments ok", "100KB ok", "ping ok", "close ok 1000 bye", "https_ws_client: OK"] {
        assert!(has_line(&out, line), "websockets: no {line:?} in\n{out}");
    }
    assert!(out.lines().any(|l| l.starts_with("open ok TLSv1")), "{out}");
    s.finish();
}

/// A plain-text HTTP request on the HTTPS port: the connection is closed without an HTTP
/// response, and TLS clients are still served (before, during and after).
#[test]
fn plain_http_on_the_https_port_is_dropped() {
    let s = start_https_server();
    // a TLS connection kept open across the plain-text one
    let mut keep = Command::new(python());
    let script = r#"
import http.client, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2] + "/ca.pem")
c = http.client.HTTPSConnection("localhost", int(sys.argv[1]), timeout=20, context=ctx)
c.request("POST", "/echo", body=b"before", headers={"Content-Type": "text/plain"})
r = c.getresponse(); assert r.read() == b"before"
print("ready", flush=True)
sys.stdin.readline()
c.request("POST", "/echo", body=b"after", headers={"Content-Type": "text/plain"})
r = c.getresponse(); assert r.read() == b"after"
print("after ok", flush=True)
"#;
    keep.arg("-c").arg(script).arg(s.port.to_string()).arg(certs());
    let mut kept = keep.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut kept_out = BufReader::new(kept.stdout.take().unwrap());
    let mut line = String::new();
    kept_out.read_line(&mut line).unwrap();
    assert_eq!(line, "ready\n", "the kept TLS connection did not start");

    for req in ["GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello"] {
        let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        c.write_all(req.as_bytes()).unwrap();
        let mut got = Vec::new();
        let end = c.read_to_end(&mut got);
        // the server closes (EOF, or a reset): a timeout would mean it waits for more
        if let Err(e) = &end {
            assert!(matches!(e.kind(), std::io::ErrorKind::ConnectionReset), "the plain-text connection was not closed: {e}");
        }
        assert!(!got.starts_with(b"HTTP/"), "an HTTP response over plain text: {:?}", String::from_utf8_lossy(&got));
        assert!(!String::from_utf8_lossy(&got).contains("hello"), "{got:?}");
    }

    // still serving: a new TLS client, and the kept connection
    assert_eq!(curl(&["--data", "still here", &url(s.port, "/echo")]), "still here");
    kept.stdin.take().unwrap().write_all(b"go\n").unwrap();
    let mut rest = String::new();
    kept_out.read_to_string(&mut rest).unwrap();
    assert!(kept.wait().unwrap().success() && rest == "after ok\n", "the kept TLS connection: {rest:?}");
    s.finish();
}

// ---- our clients against real servers ----

/// Our HttpsClient upgrades to WebSocket on a `websockets` wss server and exchanges frames.
#[test]
fn our_https_client_websocket_to_websockets_server() {
    let mut cmd = Command::new(python());
    cmd.arg(common::root().join("tests/ssl/https_ws_server.py")).arg(certs());
    let server = start(cmd, "tests/ssl/https_ws_server.py");
    let o = run_for(Command::new(c_prog("https_ws")).arg(server.port.to_string()).arg(certs()), 60, "https_ws");
    let counters = server.finish_last();
    assert!(o.status.success() && String::from_utf8_lossy(&o.stdout).contains("https_ws: "), "https_ws\n{}", text(&o));
    assert_eq!(counters, "messages=4 connections=1 sni=localhost", "the websockets server's counters");
}

/// Our HttpsSyncClient against Python's http.server over ssl.
#[test]
fn our_https_sync_client_against_python_https_server() {
    let mut cmd = Command::new(python());
    cmd.arg(common::root().join("tests/ssl/https_py_server.py")).arg(certs());
    let server = start(cmd, "tests/ssl/https_py_server.py");
    let o = run_for(Command::new(c_prog("https_sync")).arg(server.port.to_string()).arg(certs()), 90, "https_sync");
    let counters = server.finish_last();
    // An HttpsSyncClient's request waits for the TLS handshake (a request sent before it would
    // fail with EPERM, or go out in the clear and be dropped by the server).
    assert!(o.status.success(), "https_sync (the server's counters: {counters})\n{}", text(&o));
    // the good client's requests on one connection, then the wrong-CA client's failed handshake
    // (a request sent in the clear would add connections and tls_errors here)
    assert_eq!(counters, "connections=2 requests=4 tls_errors=1", "the Python server's counters\n{}", text(&o));
}

/// Our HttpsClient against our HttpsServer, in one process.
#[test]
fn our_https_client_against_our_https_server() {
    let o = run_for(Command::new(c_prog("https_self")).arg(certs()), 60, "https_self");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "https_self\n{}", text(&o));
    assert!(out.contains("client version TLSv1") && out.contains("server saw sni=localhost"), "{out}");
}

/// A send on an HttpsClient / SSLClient just after `HP_Client_Start(..., FALSE)` returned, before
/// the TLS handshake: refused, and never written in the clear. The listener here never answers,
/// so every byte a connection sends must be TLS: it must begin with a handshake record (0x16
/// 0x03). The clients stay connected until every connection's ClientHello came.
#[test]
fn a_send_before_the_handshake_never_goes_out_in_the_clear() {
    const COUNT: usize = 20; // of each kind
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let conns: Arc<Mutex<Vec<Vec<u8>>>> = Arc::new(Mutex::new(Vec::new()));
    let seen = conns.clone();
    let acceptor = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut readers = Vec::new();
        while readers.len() < 2 * COUNT && Instant::now() < deadline {
            match listener.accept() {
                Ok((mut c, _)) => {
                    let slot = {
                        let mut v = seen.lock().unwrap();
                        v.push(Vec::new());
                        v.len() - 1
                    };
                    let seen = seen.clone();
                    readers.push(std::thread::spawn(move || {
                        c.set_nonblocking(false).unwrap();
                        c.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
                        let mut buf = [0u8; 4096];
                        while let Ok(n @ 1..) = c.read(&mut buf) {
                            seen.lock().unwrap()[slot].extend_from_slice(&buf[..n]);
                        }
                    }));
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => panic!("accept: {e}"),
            }
        }
        for r in readers {
            r.join().unwrap();
        }
    });
    let mut child = Command::new(c_prog("https_early_send"))
        .arg(port.to_string())
        .arg(COUNT.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // every connection's ClientHello (a record header 16 03 0x somewhere), or 30 s
    let hello = |d: &Vec<u8>| d.windows(2).any(|w| w == [0x16, 0x03]);
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(30) {
        let v = conns.lock().unwrap();
        if v.len() == 2 * COUNT && v.iter().all(hello) {
            break;
        }
        drop(v);
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.stdin.take().unwrap().write_all(b"stop\n");
    let mut out = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let st = child.wait().unwrap();
    acceptor.join().unwrap();
    let conns = conns.lock().unwrap().clone();
    let report = format!("--- stdout\n{out}\n--- stderr\n{err}");
    assert_eq!(conns.len(), 2 * COUNT, "connections seen\n{report}");
    let leaked: Vec<String> = conns.iter().filter(|d| !d.starts_with(&[0x16, 0x03])).map(|d| String::from_utf8_lossy(&d[..d.len().min(50)]).into_owned()).collect();
    // HP_Client_Start(bAsyncConnect = FALSE) returns with the TLS session attached: a Send
    // before the handshake is refused, never written in the clear ahead of the ClientHello.
    assert!(leaked.is_empty(), "{} of {} connections sent plain text before TLS: {leaked:?}\n{report}", leaked.len(), conns.len());
    assert!(conns.iter().all(|d| !d.windows(15).any(|w| w == b"early-send-leak")), "the early data went out in the clear\n{report}");
    assert!(st.success(), "https_early_send ({st})\n{report}");
}

// ---- the TLS examples ----

#[test]
fn tls_echo_examples() {
    let c = certs();
    let mut cmd = Command::new(example("tls_echo_server"));
    cmd.arg(c.join("server.pem")).arg(c.join("server.key")).arg("0");
    let server = start(cmd, "examples-c/tls_echo_server");
    let port = server.port.to_string();

    let out = run_ok(Command::new(example("tls_echo_client")).arg(c.join("ca.pem")).arg("localhost").arg(&port), "examples-c/tls_echo_client");
    for line in ["[tls client] echo: hello over TLS", "[tls client] echo: a second line", "[tls client] echo: and the last one, a little longer", "[tls client] OK: 3 of 3 lines echoed"] {
        assert!(has_line(&out, line), "tls_echo_client: no {line:?} in\n{out}");
    }
    assert!(out.lines().any(|l| l.starts_with("[tls client] #1 handshake done: TLSv1")), "{out}");

    // a CA that did not sign the server's certificate: refused, nothing echoed
    let o = run_for(Command::new(example("tls_echo_client")).arg(c.join("other-ca.pem")).arg("localhost").arg(&port), 45, "tls_echo_client, wrong CA");
    let wrong = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "tls_echo_client with the wrong CA\n{}", text(&o));
    assert!(has_line(&wrong, "[tls client] FAILED: 0 of 3 lines echoed") && !wrong.contains("handshake done"), "{wrong}");

    // openssl s_client as another client of the echo server: it sends its stdin, prints what
    // comes back, and (-no_ign_eof) closes at the end of its stdin
    let connect = format!("localhost:{port}");
    let mut s_client = Command::new("openssl");
    s_client.args(["s_client", "-quiet", "-no_ign_eof", "-verify_return_error", "-connect", &connect, "-servername", "localhost", "-CAfile"]).arg(c.join("ca.pem"));
    let mut child = s_client.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("openssl s_client");
    child.stdin.as_mut().unwrap().write_all(b"line from openssl\n").unwrap();
    let mut so = BufReader::new(child.stdout.take().unwrap());
    let mut echoed = String::new();
    so.read_line(&mut echoed).unwrap();
    drop(child.stdin.take());
    let t = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if t.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("openssl s_client did not end with its stdin");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(echoed, "line from openssl\n", "openssl s_client through tls_echo_server");

    let lines = server.finish();
    assert!(lines.iter().filter(|l| l.contains("handshake done: TLSv1")).count() >= 2, "{lines:?}");
}

#[test]
fn https_server_example() {
    let c = certs();
    let mut cmd = Command::new(example("https_server"));
    cmd.arg(c.join("server.pem")).arg(c.join("server.key")).arg("0");
    let server = start(cmd, "examples-c/https_server");
    let port = server.port;
    assert_eq!(curl(&[&url(port, "/")]), "hello over https\n");
    let out = curl(&["-D", "-", "-H", "Content-Type: text/x-example", "--data", "echo me", &url(port, "/echo")]);
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK") && header(head, "Content-Type") == Some("text/x-example"), "{head}");
    assert_eq!(body, "echo me");
    let n = "/dev/null";
    assert_eq!(curl(&["-w", "%{http_code}:%{num_connects} ", "-o", n, "-o", n, "-o", n, &url(port, "/"), &url(port, "/nothing"), &url(port, "/")]), "200:1 404:0 200:0 ");
    let out = curl(&["-I", &url(port, "/")]);
    assert!(out.starts_with("HTTP/1.1 200 OK") && header(&out, "Content-Length") == Some("17"), "{out}");
    let o = run_for(&mut curl_cmd(&[&url(port, "/")]), 45, "curl without --cacert");
    assert_eq!(o.status.code(), Some(60), "{}", text(&o));
    // by IP address: no SNI
    let ip = format!("https://127.0.0.1:{port}/");
    assert_eq!(curl(&[&ip]), "hello over https\n");
    let lines = server.finish();
    assert_eq!(lines.last().map(String::as_str), Some("[https] stopped"), "{lines:?}");
    assert!(lines.iter().any(|l| l.ends_with("handshake done: TLSv1.3, server name localhost")), "{lines:?}");
    assert!(lines.iter().any(|l| l.ends_with(", server name (none)")), "{lines:?}");
}
