//! The SSL family (`HPSocket4C-SSL.h`) over TCP against real TLS peers and between ours.
//!
//! - `tests/ssl/tls_peer.c`: our SSLServer (echo), SSLClient and SSLAgent, driven by arguments,
//!   printing a normalised trace (handshake with SSL_SSI_VERSION / SSL_SSI_SERVER_NAME and the
//!   certificates, closes with op and errno) that the tests below read.
//! - `openssl s_client` and Python's `ssl` (`tests/ssl/tls_py.py`) against our SSLServer: echo,
//!   TLS 1.2 and 1.3, SNI (default binding and a user callback), mutual TLS, hostile input,
//!   auto handshake off (STARTTLS).
//! - Our SSLClient / SSLAgent against `openssl s_server -rev` and a Python echo server:
//!   verification, SNI sent or not.
//! - C programs between ours: `tls_pullpack.c` (SSL PACK / PULL), `tls_info.c`
//!   (GetSSLSessionInfo handed to libssl, also run under valgrind), `tls_setup.c` (setup errors),
//!   `tls_states.c` (Send before the handshake, auto handshake off on both ends, PauseReceive,
//!   forty connections at once, restart).
//!
//! Certificates come from `tests/ssl/mkcerts.sh` (openssl CLI). Every wait is bounded (20 s);
//! no check depends on timing.
#![cfg(feature = "ssl")] // the SSL family exists only in a build with the `ssl` feature
mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------- fixtures

/// The test certificates, made once per test process (remade when over a week old: they are
/// valid for 30 days).
fn certs() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = common::out_dir().join("ssl_tcp-certs");
        let fresh = std::fs::metadata(d.join("done")).and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age < Duration::from_secs(7 * 86400));
        if !fresh {
            let _ = std::fs::remove_dir_all(&d);
        }
        let o = Command::new("sh").arg(common::root().join("tests/ssl/mkcerts.sh")).arg(&d).output().expect("sh tests/ssl/mkcerts.sh");
        assert!(o.status.success(), "mkcerts.sh failed: {}", String::from_utf8_lossy(&o.stderr));
        d
    })
    .clone()
}

fn cert(name: &str) -> String {
    certs().join(name).display().to_string()
}

/// `tests/ssl/<name>.c` built against our library and libssl, once per test process.
fn program(name: &str) -> PathBuf {
    static BUILT: Mutex<Vec<(String, PathBuf)>> = Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, p)) = built.iter().find(|(n, _)| n == name) {
        return p.clone();
    }
    let exe = common::build_c_sources(name, &[&format!("tests/ssl/{name}.c")], &["-lssl", "-lcrypto"]);
    built.push((name.to_string(), exe.clone()));
    exe
}

fn openssl() -> PathBuf {
    let p = PathBuf::from("/usr/bin/openssl");
    assert!(p.exists(), "the openssl CLI is missing (apt-get install openssl)");
    p
}

fn python() -> Command {
    let mut c = Command::new("python3");
    c.arg(common::root().join("tests/ssl/tls_py.py"));
    c
}

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + 3) as u8).collect()
}

// ---------------------------------------------------------------- processes

#[derive(Default)]
struct Lines {
    lines: Vec<String>,
    eof: bool,
}

/// A long-running process whose stdout lines are collected as they come.
struct Proc {
    child: Child,
    stdin: Option<ChildStdin>,
    out: Arc<(Mutex<Lines>, Condvar)>,
    err: Arc<Mutex<Vec<u8>>>,
    what: String,
    /// Whether it must exit with success when its stdin closes (ours and Python's do; s_server
    /// is killed).
    check_exit: bool,
}

impl Proc {
    fn spawn(mut cmd: Command, what: &str, check_exit: bool) -> Proc {
        let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap_or_else(|e| panic!("{what}: {e}"));
        let stdin = child.stdin.take();
        let out = Arc::new((Mutex::new(Lines::default()), Condvar::new()));
        let err = Arc::new(Mutex::new(Vec::new()));
        let so = child.stdout.take().unwrap();
        let o2 = out.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(so).lines() {
                let Ok(line) = line else { break };
                o2.0.lock().unwrap().lines.push(line);
                o2.1.notify_all();
            }
            o2.0.lock().unwrap().eof = true;
            o2.1.notify_all();
        });
        let mut se = child.stderr.take().unwrap();
        let e2 = err.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = se.read(&mut buf) {
                if n == 0 {
                    break;
                }
                e2.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Proc { child, stdin, out, err, what: what.to_string(), check_exit }
    }

    fn lines(&self) -> Vec<String> {
        self.out.0.lock().unwrap().lines.clone()
    }

    fn dump(&self) -> String {
        format!("--- {} stdout\n{}\n--- stderr\n{}", self.what, self.lines().join("\n"), String::from_utf8_lossy(&self.err.lock().unwrap()))
    }

    /// Waits until `f` finds what it looks for in the lines so far; panics with the trace after
    /// WAIT.
    fn wait<T>(&self, what: &str, mut f: impl FnMut(&[String]) -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        let mut g = self.out.0.lock().unwrap();
        loop {
            if let Some(t) = f(&g.lines) {
                return t;
            }
            let now = Instant::now();
            if now >= deadline || g.eof {
                drop(g);
                panic!("waiting for {what}: not seen\n{}", self.dump());
            }
            g = self.out.1.wait_timeout(g, deadline - now).unwrap().0;
        }
    }

    /// Waits (up to WAIT) until its stdout has ended and every line is read.
    fn wait_eof(&self) {
        let deadline = Instant::now() + WAIT;
        let mut g = self.out.0.lock().unwrap();
        while !g.eof && Instant::now() < deadline {
            g = self.out.1.wait_timeout(g, deadline - Instant::now()).unwrap().0;
        }
    }

    fn say(&mut self, line: &str) {
        let w = self.stdin.as_mut().expect("stdin open");
        writeln!(w, "{line}").and_then(|_| w.flush()).unwrap_or_else(|e| panic!("{}: write to stdin: {e}", self.what));
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Closes its stdin and waits for its exit (success required when `check_exit`).
    fn finish(mut self) -> Vec<String> {
        drop(self.stdin.take());
        let t = Instant::now();
        while t.elapsed() < WAIT {
            if let Some(st) = self.child.try_wait().unwrap() {
                self.wait_eof();
                assert!(!self.check_exit || st.success(), "{} exited with {st}\n{}", self.what, self.dump());
                return self.lines();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("{} did not stop when its stdin closed\n{}", self.what, self.dump());
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

use common::run_for;

/// Runs to its end, requires success, returns the stdout lines.
fn run_lines(cmd: &mut Command, what: &str) -> Vec<String> {
    let o = run_for(cmd, 45, what);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{what} failed ({})\n--- stdout\n{out}\n--- stderr\n{}", o.status, String::from_utf8_lossy(&o.stderr));
    out.lines().map(str::to_string).collect()
}

fn has(lines: &[String], want: &str) -> bool {
    lines.iter().any(|l| l == want)
}

fn line_with<'a>(lines: &'a [String], prefix: &str) -> Option<&'a String> {
    lines.iter().find(|l| l.starts_with(prefix))
}

/// `key=value` out of a trace line.
fn field<'a>(line: &'a str, key: &str) -> &'a str {
    line.split_whitespace().find_map(|t| t.strip_prefix(key).and_then(|r| r.strip_prefix('='))).unwrap_or_else(|| panic!("no {key}= in {line:?}"))
}

// ---------------------------------------------------------------- our server

/// `tls_peer server`, with its trace.
struct Server {
    p: Proc,
    port: u16,
}

#[derive(Debug, PartialEq)]
struct Close {
    op: String,
    err: i32,
    rx: i64,
}

/// The largest OnReceive of a connection (the CLOSE line's max=).
fn max_receive(srv: &Server, id: u64) -> i64 {
    let line = line_with(&srv.of(id), &format!("CLOSE {id} ")).cloned().expect("closed");
    field(&line, "max").parse().unwrap()
}

fn our_server(args: &[&str]) -> Server {
    let mut cmd = Command::new(program("tls_peer"));
    cmd.arg("server").args(["--cert", &cert("server.pem"), "--key", &cert("server.key")]).args(args);
    let p = Proc::spawn(cmd, &format!("tls_peer server {}", args.join(" ")), true);
    let port = p.wait("LISTEN", |l| l.first().and_then(|l| l.strip_prefix("LISTEN ")).map(|p| p.parse::<u16>().unwrap()));
    Server { p, port }
}

/// The default server of most tests: server.pem by default, alt.pem for alt.test and its
/// subdomains.
fn sni_server(extra: &[&str]) -> Server {
    let (a, k) = (cert("alt.pem"), cert("alt.key"));
    let mut args = vec!["--alt", &a, &k, "alt.test"];
    args.extend_from_slice(extra);
    our_server(&args)
}

impl Server {
    /// The id of the `n`-th accepted connection (from 0).
    fn nth(&self, n: usize) -> u64 {
        self.p.wait(&format!("accept #{n}"), |l| l.iter().filter(|l| l.starts_with("ACCEPT ")).nth(n).map(|l| l.split(' ').nth(1).unwrap().parse().unwrap()))
    }

    /// The id of the connection from local port `port`.
    fn by_port(&self, port: u16) -> u64 {
        let p = port.to_string();
        self.p.wait(&format!("accept from port {port}"), |l| {
            l.iter().find(|l| l.starts_with("ACCEPT ") && l.split(' ').nth(2) == Some(p.as_str())).map(|l| l.split(' ').nth(1).unwrap().parse().unwrap())
        })
    }

    /// The trace lines of connection `id` (after "ACCEPT": its second word is the id).
    fn of(&self, id: u64) -> Vec<String> {
        let id = id.to_string();
        self.p.lines().into_iter().filter(|l| l.split(' ').nth(1) == Some(id.as_str())).collect()
    }

    /// Waits for the close of `id`.
    fn close(&self, id: u64) -> Close {
        let pre = format!("CLOSE {id} ");
        self.p.wait(&format!("close of {id}"), |l| {
            l.iter().find(|l| l.starts_with(&pre)).map(|l| {
                let w: Vec<&str> = l.split(' ').collect();
                Close { op: w[2].to_string(), err: w[3].parse().unwrap(), rx: field(l, "rx").parse().unwrap() }
            })
        })
    }

    /// The HANDSHAKE line of `id`, if there was one (look after its close).
    fn handshake(&self, id: u64) -> Option<String> {
        line_with(&self.of(id), &format!("HANDSHAKE {id} ")).cloned()
    }

    fn finish(self) -> Vec<String> {
        let lines = self.p.finish();
        assert!(lines.last().is_some_and(|l| l.ends_with(" 0 failed")), "tls_peer server's own checks failed: {lines:?}");
        lines
    }
}

// ---------------------------------------------------------------- s_client

struct SClient {
    stdout: Vec<u8>,
    stderr: String,
    /// It ended by itself (a failed handshake, the server's close) rather than being killed.
    exited: bool,
}

/// `openssl s_client` to our server: `data` on its stdin, its stdout read until `want` bytes
/// came (then it is killed) or it ends by itself (want 0: wait for that).
fn s_client(port: u16, args: &[&str], data: &[u8], want: usize) -> SClient {
    let mut child = Command::new(openssl())
        .args(["s_client", "-connect", &format!("127.0.0.1:{port}"), "-brief", "-ign_eof"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("openssl s_client");
    let mut stdin = child.stdin.take().unwrap();
    let data = data.to_vec();
    // with -ign_eof, the end of its stdin does not end it
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let got = Arc::new((Mutex::new((Vec::new(), false)), Condvar::new()));
    let g2 = got.clone();
    let mut so = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = vec![0u8; 65536];
        loop {
            match so.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => g2.0.lock().unwrap().0.extend_from_slice(&buf[..n]),
            }
            g2.1.notify_all();
        }
        g2.0.lock().unwrap().1 = true;
        g2.1.notify_all();
    });
    let mut se = child.stderr.take().unwrap();
    let errs = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = se.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + WAIT;
    let mut exited = false;
    {
        let mut g = got.0.lock().unwrap();
        loop {
            if want > 0 && g.0.len() >= want {
                break;
            }
            if g.1 {
                exited = true;
                break;
            }
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            g = got.1.wait_timeout(g, deadline - now).unwrap().0;
        }
    }
    if exited {
        // its stdout closed: it is ending (or has)
        let t = Instant::now();
        while child.try_wait().unwrap().is_none() && t.elapsed() < WAIT {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = writer.join();
    let _ = reader.join();
    let stdout = std::mem::take(&mut got.0.lock().unwrap().0);
    SClient { stdout, stderr: errs.join().unwrap(), exited }
}

// ================================================================ our server vs s_client

#[test]
fn s_client_echo_over_tls12_and_tls13() {
    let srv = sni_server(&[]);
    let ca = cert("ca.pem");
    let mut n = 0;
    for (flag, version) in [("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")] {
        for size in [1usize, 16 << 10, 1 << 20] {
            let data = pattern(size);
            let r = s_client(srv.port, &[flag, "-CAfile", &ca, "-verify_return_error"], &data, size);
            let what = format!("s_client {flag}, {size} B");
            assert_eq!(r.stdout.len(), size, "{what}: echo length\n{}", r.stderr);
            assert!(r.stdout == data, "{what}: echo content differs");
            assert!(r.stderr.contains(&format!("Protocol version: {version}")), "{what}: s_client's version\n{}", r.stderr);
            assert!(r.stderr.contains("Verification: OK"), "{what}: s_client verified us\n{}", r.stderr);
            assert!(r.stderr.contains("Peer certificate: CN = localhost"), "{what}\n{}", r.stderr);
            let id = srv.nth(n);
            n += 1;
            let c = srv.close(id);
            assert_eq!(c.rx, size as i64, "{what}: the server received\n{}", srv.p.dump());
            assert!(max_receive(&srv, id) <= 4096, "{what}: an OnReceive above the default SocketBufferSize\n{}", srv.p.dump());
            let hs = srv.handshake(id).unwrap_or_else(|| panic!("{what}: no OnHandShake\n{}", srv.p.dump()));
            assert_eq!(field(&hs, "version"), version, "{what}: the server's SSL_SSI_VERSION");
            assert_eq!(field(&hs, "sni"), "-", "{what}: s_client to an address sends no SNI");
            assert_eq!(field(&hs, "cert"), "/CN=localhost");
            if version == "TLSv1.3" {
                assert!(field(&hs, "cipher").starts_with("TLS_"), "{hs}");
            }
        }
    }
    srv.finish();
}

#[test]
fn python_echo_over_tls12_and_tls13() {
    let srv = sni_server(&[]);
    for version in ["1.2", "1.3"] {
        for size in [1usize, 16 << 10, 1 << 20] {
            let what = format!("python TLS {version}, {size} B");
            let out = run_lines(python().args(["client", &srv.port.to_string(), "--tls", version, "--size", &size.to_string(), "--sni", "localhost", "--ca", &cert("ca.pem")]), &what);
            assert!(has(&out, &format!("ECHO {size} ok")), "{what}: {out:?}");
            assert!(has(&out, &format!("VERSION TLSv{version}")), "{what}: python's version {out:?}");
            assert!(has(&out, "PEER_CN localhost"), "{what}: {out:?}");
            let port: u16 = line_with(&out, "LOCAL ").unwrap()[6..].parse().unwrap();
            let id = srv.by_port(port);
            let c = srv.close(id);
            assert_eq!(c.rx, size as i64, "{what}\n{}", srv.p.dump());
            let hs = srv.handshake(id).unwrap_or_else(|| panic!("{what}: no OnHandShake\n{}", srv.p.dump()));
            assert_eq!(field(&hs, "version"), format!("TLSv{version}"), "{what}: the server's SSL_SSI_VERSION");
            assert_eq!(field(&hs, "sni"), "localhost", "{what}: the server's SSL_SSI_SERVER_NAME");
        }
    }
    srv.finish();
}

/// Session resumption (TLS 1.2 session ids, TLS 1.3 tickets): the server's contexts let a
/// client resume; each connection still raises OnHandShake.
#[test]
fn python_resumes_sessions() {
    let srv = our_server(&[]);
    for tls in ["1.2", "1.3"] {
        let out = run_lines(python().args(["resume", &srv.port.to_string(), "--ca", &cert("ca.pem"), "--tls", tls]), "tls_py.py resume");
        for want in ["ECHO 0 True", "ECHO 1 True", "ECHO 2 True", "REUSED 0 False", "REUSED 1 True", "REUSED 2 True"] {
            assert!(has(&out, want), "TLS {tls}: {want}: {out:?}");
        }
    }
    for n in 0..6 {
        let id = srv.nth(n);
        assert_eq!(srv.close(id).rx, 6);
        assert!(srv.handshake(id).is_some(), "no OnHandShake for connection #{n}\n{}", srv.p.dump());
    }
    srv.finish();
}

#[test]
fn sni_picks_the_certificate() {
    let srv = sni_server(&[]);
    let ca = cert("ca.pem");
    // (name sent or None, certificate expected)
    let cases: [(Option<&str>, &str); 5] = [(Some("alt.test"), "alt.test"), (Some("www.alt.test"), "alt.test"), (Some("localhost"), "localhost"), (Some("other.example"), "localhost"), (None, "localhost")];
    for (n, (name, cn)) in cases.into_iter().enumerate() {
        let what = format!("s_client SNI {name:?}");
        let mut args = vec!["-CAfile", &ca];
        match name {
            Some(s) => args.extend(["-servername", s]),
            None => args.push("-noservername"),
        }
        let r = s_client(srv.port, &args, b"sni", 3);
        assert_eq!(r.stdout, b"sni", "{what}\n{}", r.stderr);
        assert!(r.stderr.contains(&format!("Peer certificate: CN = {cn}")), "{what}: want CN={cn}\n{}", r.stderr);
        let id = srv.nth(n);
        srv.close(id);
        let hs = srv.handshake(id).unwrap_or_else(|| panic!("{what}: no OnHandShake\n{}", srv.p.dump()));
        assert_eq!(field(&hs, "sni"), name.unwrap_or("-"), "{what}: the server's SSL_SSI_SERVER_NAME");
        assert_eq!(field(&hs, "cert"), format!("/CN={cn}"), "{what}: the server's SSL_SSI_CERT");
    }
    // Python, verifying the certificate against the name (check_hostname)
    for (name, cn) in [("alt.test", "alt.test"), ("www.alt.test", "alt.test"), ("localhost", "localhost")] {
        let what = format!("python SNI {name}");
        let out = run_lines(python().args(["client", &srv.port.to_string(), "--sni", name, "--ca", &ca, "--size", "100"]), &what);
        assert!(has(&out, &format!("PEER_CN {cn}")), "{what}: {out:?}");
        assert!(has(&out, "ECHO 100 ok"), "{what}: {out:?}");
    }
    srv.finish();
}

#[test]
fn a_user_sni_callback_refuses_or_delegates() {
    let srv = sni_server(&["--sni-user"]);
    let ca = cert("ca.pem");
    // refused by the callback (-1): no handshake, the connection closes with EBADMSG
    let r = s_client(srv.port, &["-CAfile", &ca, "-servername", "refuse.test"], b"x", 0);
    assert!(r.exited && r.stdout.is_empty(), "s_client to a refused name got through\n{}", r.stderr);
    assert!(!r.stderr.contains("CONNECTION ESTABLISHED"), "{}", r.stderr);
    let id = srv.nth(0);
    assert_eq!(srv.close(id), Close { op: "RECEIVE".into(), err: libc::EBADMSG, rx: 0 }, "{}", srv.p.dump());
    assert!(srv.handshake(id).is_none(), "OnHandShake for a refused name\n{}", srv.p.dump());
    assert!(has(&srv.p.lines(), "SNI refuse.test ctx=ok"), "the callback got the name and the server as pContext\n{}", srv.p.dump());
    // other names: the callback hands them to HP_SSL_DefaultServerNameCallback
    let r = s_client(srv.port, &["-CAfile", &ca, "-servername", "www.alt.test"], b"ok", 2);
    assert_eq!(r.stdout, b"ok", "{}", r.stderr);
    assert!(r.stderr.contains("Peer certificate: CN = alt.test"), "{}", r.stderr);
    let id = srv.nth(1);
    srv.close(id);
    assert!(has(&srv.p.lines(), "SNI www.alt.test ctx=ok"), "{}", srv.p.dump());
    assert_eq!(field(&srv.handshake(id).unwrap(), "cert"), "/CN=alt.test");
    // Python too
    let out = run_lines(python().args(["client", &srv.port.to_string(), "--sni", "refuse.example", "--ca", &ca, "--size", "10"]), "python refused");
    assert!(line_with(&out, "HANDSHAKE_FAIL").is_some(), "python to a refused name: {out:?}");
    let id = srv.nth(2);
    assert_eq!(srv.close(id).err, libc::EBADMSG, "{}", srv.p.dump());
    assert!(srv.handshake(id).is_none());
    let out = run_lines(python().args(["client", &srv.port.to_string(), "--sni", "localhost", "--ca", &ca, "--size", "10"]), "python localhost");
    assert!(has(&out, "ECHO 10 ok") && has(&out, "PEER_CN localhost"), "{out:?}");
    // an index with no context behind it: refused as -1 is
    let r = s_client(srv.port, &["-CAfile", &ca, "-servername", "index99.test"], b"x", 0);
    assert!(r.exited && r.stdout.is_empty(), "s_client to a name of a missing context got through\n{}", r.stderr);
    let id = srv.nth(4);
    assert_eq!(srv.close(id), Close { op: "RECEIVE".into(), err: libc::EBADMSG, rx: 0 }, "{}", srv.p.dump());
    assert!(srv.handshake(id).is_none());
    srv.finish();
}

/// The SNI callback only gets the name and the server: to know more it has to go through the
/// server's API, e.g. every connection's GetSSLSessionInfo (upstream's GetSSLSessionInfo takes
/// no lock, and its SNI callback runs outside the connection's send lock).
#[test]
fn a_user_sni_callback_may_read_sessions() {
    let srv = sni_server(&["--sni-user"]);
    let out = run_lines(
        python().args(["client", &srv.port.to_string(), "--sni", "probe.alt.test", "--ca", &cert("ca.pem"), "--size", "5", "--timeout", "10"]),
        "python with SNI probe.alt.test",
    );
    /* The user SNI callback runs inside the connection's TLS read (its send lock held);
       HP_SSLServer_GetSSLSessionInfo on that same connection reads the session in place
       instead of waiting for the lock (a deadlock would time the client out and hang Stop). */
    assert!(has(&out, "ECHO 5 ok") && has(&out, "PEER_CN alt.test"), "the handshake after the callback's probe: {out:?}\n{}", srv.p.dump());
    assert!(has(&srv.p.lines(), "PROBE conns=1 sessions=1"), "{}", srv.p.dump());
    srv.finish();
}

#[test]
fn mutual_tls() {
    let ca = cert("ca.pem");
    let (cc, ck) = (cert("client.pem"), cert("client.key"));
    // SSL_VM_PEER | SSL_VM_FAIL_IF_NO_PEER_CERT: a client certificate is required
    let srv = our_server(&["--verify", "3", "--ca", &ca]);
    let r = s_client(srv.port, &["-CAfile", &ca, "-cert", &cc, "-key", &ck], b"with a certificate", 18);
    assert_eq!(r.stdout, b"with a certificate", "{}", r.stderr);
    let id = srv.nth(0);
    assert_eq!(srv.close(id).rx, 18);
    assert_eq!(field(&srv.handshake(id).expect("OnHandShake"), "peer"), "/CN=hp-client", "the server's SSL_SSI_PEER_CERT");
    // without one: the handshake fails, that connection closes
    let r = s_client(srv.port, &["-CAfile", &ca], b"without", 0);
    assert!(r.exited && r.stdout.is_empty(), "s_client without a certificate got an echo\n{}", r.stderr);
    let id = srv.nth(1);
    assert_eq!(srv.close(id), Close { op: "RECEIVE".into(), err: libc::EBADMSG, rx: 0 }, "{}", srv.p.dump());
    assert!(srv.handshake(id).is_none(), "OnHandShake without a client certificate\n{}", srv.p.dump());
    // Python: with, without (TLS 1.3: the client finishes first, then is refused), without over TLS 1.2
    let port = srv.port.to_string();
    let out = run_lines(python().args(["client", &port, "--sni", "localhost", "--ca", &ca, "--cert", &cc, "--key", &ck, "--size", "5000"]), "python mtls");
    assert!(has(&out, "ECHO 5000 ok"), "{out:?}");
    let id = srv.nth(2);
    assert_eq!(srv.close(id).rx, 5000);
    assert_eq!(field(&srv.handshake(id).expect("OnHandShake"), "peer"), "/CN=hp-client");
    for tls in ["1.3", "1.2"] {
        let out = run_lines(python().args(["client", &port, "--sni", "localhost", "--ca", &ca, "--size", "10", "--tls", tls]), "python without a certificate");
        assert!(!has(&out, "ECHO 10 ok"), "TLS {tls}: python without a certificate got an echo: {out:?}");
        if tls == "1.2" {
            assert!(line_with(&out, "HANDSHAKE_FAIL").is_some(), "{out:?}");
        }
        let lp: u16 = line_with(&out, "LOCAL ").unwrap()[6..].parse().unwrap();
        let id = srv.by_port(lp);
        assert_eq!(srv.close(id), Close { op: "RECEIVE".into(), err: libc::EBADMSG, rx: 0 }, "TLS {tls}\n{}", srv.p.dump());
        assert!(srv.handshake(id).is_none());
    }
    srv.finish();

    // the CA as a hashed directory on the server; a certificate the CA did not sign is refused
    let srv = our_server(&["--verify", "3", "--ca", &cert("cadir")]);
    let r = s_client(srv.port, &["-CAfile", &ca, "-cert", &cc, "-key", &ck], b"by the directory", 16);
    assert_eq!(r.stdout, b"by the directory", "{}", r.stderr);
    let id = srv.nth(0);
    srv.close(id);
    assert_eq!(field(&srv.handshake(id).expect("OnHandShake"), "peer"), "/CN=hp-client");
    let r = s_client(srv.port, &["-CAfile", &ca, "-cert", &cert("other-ca.pem"), "-key", &cert("other-ca.key")], b"stranger", 0);
    assert!(r.exited && r.stdout.is_empty(), "a self-signed client certificate got through\n{}", r.stderr);
    let id = srv.nth(1);
    assert_eq!(srv.close(id), Close { op: "RECEIVE".into(), err: libc::EBADMSG, rx: 0 }, "{}", srv.p.dump());
    assert!(srv.handshake(id).is_none());
    srv.finish();

    // SSL_VM_PEER alone: a certificate is checked when given, not required
    let srv = our_server(&["--verify", "1", "--ca", &ca]);
    let r = s_client(srv.port, &["-CAfile", &ca], b"anonymous", 9);
    assert_eq!(r.stdout, b"anonymous", "{}", r.stderr);
    let id = srv.nth(0);
    srv.close(id);
    assert_eq!(field(&srv.handshake(id).unwrap(), "peer"), "-");
    let r = s_client(srv.port, &["-CAfile", &ca, "-cert", &cc, "-key", &ck], b"known", 5);
    assert_eq!(r.stdout, b"known", "{}", r.stderr);
    let id = srv.nth(1);
    srv.close(id);
    assert_eq!(field(&srv.handshake(id).unwrap(), "peer"), "/CN=hp-client");
    srv.finish();
}

/// SetSSLCipherList before the setup decides the TLS 1.2 cipher; a client offering none of
/// the list is refused.
#[test]
fn the_cipher_list_applies() {
    let srv = our_server(&["--ciphers", "ECDHE-RSA-AES128-GCM-SHA256"]);
    let ca = cert("ca.pem");
    let r = s_client(srv.port, &["-tls1_2", "-CAfile", &ca], b"cipher", 6);
    assert_eq!(r.stdout, b"cipher", "{}", r.stderr);
    assert!(r.stderr.contains("Ciphersuite: ECDHE-RSA-AES128-GCM-SHA256"), "{}", r.stderr);
    let id = srv.nth(0);
    srv.close(id);
    assert_eq!(field(&srv.handshake(id).unwrap(), "cipher"), "ECDHE-RSA-AES128-GCM-SHA256");
    let r = s_client(srv.port, &["-tls1_2", "-CAfile", &ca, "-cipher", "ECDHE-RSA-AES256-GCM-SHA384"], b"x", 0);
    assert!(r.exited && r.stdout.is_empty(), "a cipher outside the list was taken\n{}", r.stderr);
    let id = srv.nth(1);
    assert_eq!(srv.close(id), Close { op: "RECEIVE".into(), err: libc::EBADMSG, rx: 0 }, "{}", srv.p.dump());
    srv.finish();
}

/// The server speaks first, from inside OnHandShake; each OnReceive carries at most
/// SocketBufferSize (1000 here) plaintext bytes, however large the records.
#[test]
fn greeting_from_onhandshake_and_receive_chunks() {
    let srv = our_server(&["--greet", "--bufsize", "1000"]);
    let data = pattern(100_000);
    let r = s_client(srv.port, &["-CAfile", &cert("ca.pem")], &data, 8 + data.len());
    assert!(r.stdout.len() == 8 + data.len() && r.stdout.starts_with(b"WELCOME\n") && r.stdout[8..] == data[..], "greeting, then the echo: {} bytes\n{}", r.stdout.len(), r.stderr);
    let id = srv.nth(0);
    assert_eq!(srv.close(id).rx, 100_000);
    assert_eq!(max_receive(&srv, id), 1000, "{}", srv.p.dump());
    srv.finish();
}

/// TLS 1.3 KeyUpdate from s_client in the middle of a connection ("K": with update_requested,
/// which our server must answer with its own; "k": without): the echo goes on, no second
/// OnHandShake.
#[test]
fn tls13_key_update_mid_stream() {
    let srv = our_server(&[]);
    let mut child = Command::new(openssl())
        .args(["s_client", "-connect", &format!("127.0.0.1:{}", srv.port), "-tls1_3", "-quiet", "-no_ign_eof", "-CAfile", &cert("ca.pem")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("openssl s_client");
    let mut stdin = child.stdin.take().unwrap();
    // both outputs into one buffer each, waited on by content
    type Outputs = (Mutex<(Vec<u8>, Vec<u8>)>, Condvar);
    let bufs: Arc<Outputs> = Arc::new((Mutex::new((Vec::new(), Vec::new())), Condvar::new()));
    let mut readers = Vec::new();
    for which in 0..2 {
        let b = bufs.clone();
        let mut src: Box<dyn Read + Send> = if which == 0 { Box::new(child.stdout.take().unwrap()) } else { Box::new(child.stderr.take().unwrap()) };
        readers.push(std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = src.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut g = b.0.lock().unwrap();
                if which == 0 { g.0.extend_from_slice(&buf[..n]) } else { g.1.extend_from_slice(&buf[..n]) }
                b.1.notify_all();
            }
        }));
    }
    let wait = |what: &str, f: &dyn Fn(&[u8], &[u8]) -> bool| {
        let deadline = Instant::now() + WAIT;
        let mut g = bufs.0.lock().unwrap();
        while !f(&g.0, &g.1) {
            let now = Instant::now();
            assert!(now < deadline, "s_client: no {what}\n--- stdout\n{}\n--- stderr\n{}", String::from_utf8_lossy(&g.0), String::from_utf8_lossy(&g.1));
            g = bufs.1.wait_timeout(g, deadline - now).unwrap().0;
        }
    };
    let count = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).filter(|w| *w == needle).count();
    let mut send = |line: &[u8]| stdin.write_all(line).and_then(|_| stdin.flush()).expect("s_client stdin");
    send(b"one\n");
    wait("echo of one", &|o, _| o == b"one\n");
    send(b"K\n");
    wait("KEYUPDATE", &|_, e| count(e, b"KEYUPDATE") == 1);
    send(b"two\n");
    wait("echo of two", &|o, _| o == b"one\ntwo\n");
    send(b"k\n");
    wait("second KEYUPDATE", &|_, e| count(e, b"KEYUPDATE") == 2);
    send(b"three\n");
    wait("echo of three", &|o, _| o == b"one\ntwo\nthree\n");
    let _ = child.kill();
    let _ = child.wait();
    for r in readers {
        let _ = r.join();
    }
    let id = srv.nth(0);
    assert_eq!(srv.close(id).rx, 14, "{}", srv.p.dump());
    assert_eq!(srv.of(id).iter().filter(|l| l.starts_with("HANDSHAKE")).count(), 1, "{}", srv.p.dump());
    srv.finish();
}

// ================================================================ hostile input, STARTTLS

#[test]
fn hostile_connections_close_and_the_rest_goes_on() {
    let mut srv = sni_server(&[]);
    let out = run_lines(python().args(["hostile", &srv.port.to_string(), "--ca", &cert("ca.pem")]), "tls_py.py hostile");
    assert!(has(&out, "KEPT_BEFORE True"), "{out:?}");
    let ports: HashMap<String, u16> = out
        .iter()
        .filter_map(|l| l.strip_prefix("LOCAL "))
        .map(|r| {
            let (name, port) = r.split_once(' ').unwrap();
            (name.to_string(), port.parse().unwrap())
        })
        .collect();
    for (case, expect) in [("garbage", Some(libc::EBADMSG)), ("http", Some(libc::EBADMSG)), ("truncated", None), ("stopped", None), ("bad_record", Some(libc::EBADMSG))] {
        assert!(has(&out, &format!("CLOSED {case}")), "{case}: the server did not close that connection: {out:?}");
        let id = srv.by_port(ports[case]);
        let c = srv.close(id);
        if let Some(e) = expect {
            assert_eq!((c.op.as_str(), c.err), ("RECEIVE", e), "{case}\n{}", srv.p.dump());
        }
        assert!(srv.handshake(id).is_none(), "{case}: OnHandShake\n{}", srv.p.dump());
    }
    // the connection opened before all that still echoed afterwards
    assert!(has(&out, "KEPT_AFTER True"), "the kept connection: {out:?}");
    let kept = srv.by_port(ports["kept"]);
    assert_eq!(srv.close(kept).rx, 13);
    assert!(srv.handshake(kept).is_some());
    // the server is up, with no connection left, and still serves
    assert!(srv.p.running(), "the server died\n{}", srv.p.dump());
    srv.p.say("count");
    srv.p.wait("COUNT 0", |l| l.iter().any(|l| l == "COUNT 0").then_some(()));
    let r = s_client(srv.port, &["-CAfile", &cert("ca.pem")], b"still here", 10);
    assert_eq!(r.stdout, b"still here", "{}", r.stderr);
    srv.finish();
}

#[test]
fn auto_handshake_off_then_starttls() {
    let srv = our_server(&["--noauto"]);
    let out = run_lines(python().args(["starttls", &srv.port.to_string(), "--ca", &cert("ca.pem")]), "tls_py.py starttls");
    for want in ["PLAIN_ECHO True", "GO True", "VERSION TLSv1.3", "TLS_ECHO True"] {
        assert!(has(&out, want), "{want}: {out:?}");
    }
    let lp: u16 = line_with(&out, "LOCAL ").unwrap()[6..].parse().unwrap();
    let id = srv.by_port(lp);
    assert_eq!(srv.close(id).rx, 16, "{}", srv.p.dump());
    let t = srv.of(id);
    let at = |prefix: &str| t.iter().position(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no {prefix:?} in {t:?}"));
    let plain1 = at(&format!("PLAIN {id} hello plain\\n"));
    let plain2 = at(&format!("PLAIN {id} STARTTLS\\n"));
    let start = at(&format!("STARTTLS {id} "));
    let hs = at(&format!("HANDSHAKE {id} "));
    assert!(plain1 < plain2 && plain2 < start && start < hs, "OnHandShake only after the TLS handshake: {t:?}");
    assert_eq!(t[start], format!("STARTTLS {id} ok again=EALREADY"), "StartSSLHandShake, then again");
    assert_eq!(field(&t[hs], "sni"), "localhost");
    assert_eq!(t.iter().filter(|l| l.starts_with("HANDSHAKE")).count(), 1);
    srv.finish();
}

// ================================================================ our client and agent

fn peer_run(args: &[&str]) -> Vec<String> {
    let mut cmd = Command::new(program("tls_peer"));
    cmd.args(args);
    let out = run_lines(&mut cmd, &format!("tls_peer {}", args.join(" ")));
    assert!(out.last().is_some_and(|l| l.ends_with(" 0 failed")), "tls_peer's own checks: {out:?}");
    out
}

/// `openssl s_server -rev` (each line sent back reversed) on a free port.
fn s_server(extra: &[&str]) -> (Proc, u16) {
    let mut cmd = Command::new(openssl());
    cmd.args(["s_server", "-4", "-accept", "0", "-rev", "-cert", &cert("server.pem"), "-key", &cert("server.key")]).args(extra);
    let p = Proc::spawn(cmd, "openssl s_server", false);
    let port = p.wait("s_server's ACCEPT", |l| l.iter().find_map(|l| l.strip_prefix("ACCEPT 0.0.0.0:")).map(|p| p.trim().parse::<u16>().unwrap()));
    (p, port)
}

#[test]
fn our_client_and_agent_against_s_server() {
    let (ss, port) = s_server(&[]);
    let port = port.to_string();
    let (ca, cadir, other) = (cert("ca.pem"), cert("cadir"), cert("other-ca.pem"));
    for mode in ["client", "agent"] {
        // verification off; by address: no SNI
        let out = peer_run(&[mode, "127.0.0.1", &port, "--send", "hello tls\\n"]);
        let hs = line_with(&out, "HANDSHAKE ").unwrap_or_else(|| panic!("{mode}: no handshake: {out:?}\n{}", ss.dump()));
        assert_eq!(field(hs, "version"), "TLSv1.3");
        assert_eq!(field(hs, "sni"), "-", "{mode}: no SNI to an address");
        assert_eq!(field(hs, "peer"), "/CN=localhost");
        assert!(has(&out, "DATA slt olleh\\n"), "{mode}: {out:?}");
        // the right CA, by file and by hashed directory; the name: SNI sent
        for ca in [&ca, &cadir] {
            let out = peer_run(&[mode, "localhost", &port, "--verify", "1", "--ca", ca, "--send", "verified\\n"]);
            assert!(has(&out, "DATA deifirev\\n"), "{mode} with {ca}: {out:?}");
            assert_eq!(field(line_with(&out, "HANDSHAKE ").unwrap(), "sni"), "localhost");
        }
        // the wrong CA: no OnHandShake, a close with an error
        let out = peer_run(&[mode, "localhost", &port, "--verify", "1", "--ca", &other, "--send", "never\\n"]);
        assert!(line_with(&out, "HANDSHAKE").is_none(), "{mode} trusted another CA: {out:?}");
        let close = line_with(&out, "CLOSE ").unwrap_or_else(|| panic!("{mode}: no OnClose: {out:?}"));
        assert_ne!(close.split(' ').nth(2), Some("0"), "{mode}: OnClose without an error: {out:?}");
        assert!(has(&out, "END handshake=0 rx=0"), "{out:?}");
    }
    drop(ss);
    // s_server requiring a client certificate
    let (ss, port) = s_server(&["-Verify", "1", "-CAfile", &ca]);
    let port = port.to_string();
    for mode in ["client", "agent"] {
        let out = peer_run(&[mode, "localhost", &port, "--verify", "1", "--ca", &ca, "--cert", &cert("client.pem"), "--key", &cert("client.key"), "--send", "mine\\n"]);
        assert!(has(&out, "DATA enim\\n"), "{mode} with a client certificate: {out:?}\n{}", ss.dump());
        let out = peer_run(&[mode, "localhost", &port, "--verify", "1", "--ca", &ca, "--send", "none\\n"]);
        assert!(!has(&out, "DATA enon\\n"), "{mode} without a client certificate: {out:?}");
        let close = line_with(&out, "CLOSE ").unwrap_or_else(|| panic!("{mode}: no OnClose: {out:?}"));
        assert_ne!(close.split(' ').nth(2), Some("0"), "{mode}: {out:?}");
    }
}

#[test]
fn our_client_and_agent_against_python() {
    let ca = cert("ca.pem");
    let mut cmd = python();
    cmd.args(["server", "--cert", &cert("server.pem"), "--key", &cert("server.key")]);
    let py = Proc::spawn(cmd, "tls_py.py server", true);
    let port = py.wait("LISTEN", |l| l.first().and_then(|l| l.strip_prefix("LISTEN ")).map(|p| p.to_string()));
    let mut done = 0;
    // the Python server's lines of its next connection (it serves one at a time)
    let mut next = |py: &Proc| -> Vec<String> {
        done += 1;
        py.wait("the Python server's connection", |l| {
            let ends: Vec<usize> = l.iter().enumerate().filter(|(_, l)| l.starts_with("CLOSED") || l.starts_with("HANDSHAKE_FAIL")).map(|(i, _)| i).collect();
            (ends.len() >= done).then(|| {
                let from = if done == 1 { 1 } else { ends[done - 2] + 1 };
                l[from..=ends[done - 1]].to_vec()
            })
        })
    };
    for mode in ["client", "agent"] {
        let out = peer_run(&[mode, "localhost", &port, "--verify", "1", "--ca", &ca, "--size", "16384"]);
        assert!(has(&out, "ECHO 16384 ok"), "{mode}: {out:?}");
        let hs = line_with(&out, "HANDSHAKE ").unwrap();
        assert_eq!(field(hs, "sni"), "localhost");
        assert_eq!(field(hs, "version"), "TLSv1.3");
        let p = next(&py);
        assert_eq!(p, ["SNI localhost", "VERSION TLSv1.3", "CLOSED 16384"], "{mode} to localhost: SNI sent");
        let out = peer_run(&[mode, "127.0.0.1", &port, "--size", "1"]);
        assert!(has(&out, "ECHO 1 ok"), "{mode}: {out:?}");
        assert_eq!(field(line_with(&out, "HANDSHAKE ").unwrap(), "sni"), "-");
        let p = next(&py);
        assert_eq!(p, ["SNI none", "VERSION TLSv1.3", "CLOSED 1"], "{mode} to 127.0.0.1: no SNI");
        let out = peer_run(&[mode, "localhost", &port, "--verify", "1", "--ca", &cert("other-ca.pem"), "--size", "1"]);
        assert!(has(&out, "END handshake=0 rx=0"), "{mode} with the wrong CA: {out:?}");
        let p = next(&py);
        assert!(p.last().unwrap().starts_with("HANDSHAKE_FAIL"), "{mode} with the wrong CA: {p:?}");
    }
    py.finish();
    // a server that stops at TLS 1.2
    let mut cmd = python();
    cmd.args(["server", "--cert", &cert("server.pem"), "--key", &cert("server.key"), "--max", "1.2"]);
    let py = Proc::spawn(cmd, "tls_py.py server --max 1.2", true);
    let port = py.wait("LISTEN", |l| l.first().and_then(|l| l.strip_prefix("LISTEN ")).map(|p| p.to_string()));
    let out = peer_run(&["client", "localhost", &port, "--verify", "1", "--ca", &ca, "--size", "100000"]);
    assert!(has(&out, "ECHO 100000 ok"), "{out:?}");
    assert_eq!(field(line_with(&out, "HANDSHAKE ").unwrap(), "version"), "TLSv1.2");
    py.wait("VERSION TLSv1.2", |l| has(l, "VERSION TLSv1.2").then_some(()));
    py.finish();
}

// ================================================================ C programs between ours

fn run_program(name: &str) -> String {
    run_program_with(name, &[])
}

fn run_program_with(name: &str, extra: &[&str]) -> String {
    let dir = certs().display().to_string();
    let mut args = vec![dir.as_str()];
    args.extend_from_slice(extra);
    let out = common::run(&program(name), &args);
    assert!(out.contains(" 0 failed"), "{name}: {out}");
    out
}

#[test]
fn ssl_pack_and_pull_between_ours() {
    run_program("tls_pullpack");
}

/// tls_reads.c: a pause inside one wide read holds the rest (and the close_notify behind it)
/// until the resume; replies Sent during one read leave in a few records, not one per Send.
#[test]
fn wide_reads_pause_and_sealed_replies() {
    run_program("tls_reads");
}

#[test]
fn session_info_through_libssl() {
    run_program("tls_info");
}

#[test]
fn setup_errors_and_contexts() {
    run_program("tls_setup");
}

#[test]
fn connection_states_between_ours() {
    run_program("tls_states");
}

/// tls_states.c part G: Stop from another thread while a client stops by itself (a failed
/// handshake, a slow OnClose): Stop waits until it is stopped, as upstream's CheckStoping.
#[test]
fn client_stop_waits_for_a_client_stopping_by_itself() {
    run_program_with("tls_states", &["G"]);
}

/// Runs `tests/ssl/<name>.c` under valgrind memcheck: no invalid read, write or free, and its
/// own checks pass (leaks are not looked at: OpenSSL keeps global state to the exit).
fn under_valgrind(name: &str, extra: &[&str]) {
    let valgrind = Path::new("/usr/bin/valgrind");
    assert!(valgrind.exists(), "valgrind is missing at /usr/bin/valgrind (apt-get install valgrind)");
    let o = run_for(Command::new(valgrind).args(["--error-exitcode=99", "--leak-check=no", "--quiet"]).arg(program(name)).arg(certs()).args(extra), 240, &format!("valgrind {name}"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("Invalid read") && !err.contains("Invalid write") && !err.contains("Invalid free"), "valgrind found invalid accesses in {name}:\n{err}");
    assert!(o.status.success(), "valgrind {name} failed ({})\n{}\n{err}", o.status, String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stdout).contains(" 0 failed"));
}

#[test]
fn session_info_under_valgrind() {
    under_valgrind("tls_info", &[]);
}

#[test]
fn pack_and_pull_under_valgrind() {
    under_valgrind("tls_pullpack", &["small"]);
}
