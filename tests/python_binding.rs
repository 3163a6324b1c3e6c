//! The HPSocket 0.9.3 Python binding (PyPI `hpsocket==0.9.3`, the wheel `common::upstream_lib()`
//! fetches) running on our library: its `HPSocket` package is copied, unchanged, into a folder of
//! this test with our `libhpsocket4c.so` under the name `multiplatforms.py` loads
//! (`libhpsocket4c_<machine>.so` next to the package's modules), and a second copy keeps
//! upstream's own library there as the control. The scripts in `tests/binding/` then run over
//! each copy (same script, the other library):
//!
//! - `exports.py`: the binding imports (every module), and each function `HPSocketAPI.py` binds
//!   is present in our library (the binding skips a missing one silently: `if hasattr(...)`);
//! - `tcp_models.py`: the binding's demo classes `TcpPush`, `TcpPull` and `TcpPack` (server, client
//!   and agent wrappers), unchanged, exchange messages both ways;
//! - `http_roundtrip.py`: HttpServer answering an HttpClient (two requests on one connection) and
//!   an HttpSyncClient (`OpenUrl`), through the binding's HTTP functions and callbacks.
//!
//! Our run must pass its own checks; upstream's run must print the same lines, except where
//! upstream 5.x differs for reasons listed in `KNOWN_HTTP_DIFFERENCES`. Without the wheel (no
//! network) the binding itself is missing: the tests say SKIPPED.
mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Each script finishes in a few seconds; a hang is killed after this.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(50);

/// The name `HPSocket/multiplatforms.py` loads on this machine (Linux).
fn binding_lib_name() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "libhpsocket4c_aarch64_64.so",
        "arm" => "libhpsocket4c_armv7l_32.so",
        _ => "libhpsocket4c_amd64_64.so",
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Lib {
    Ours,
    Upstream,
}

/// The two copies of the binding (folders to put on PYTHONPATH), or None when the wheel is missing.
fn copies() -> Option<&'static (PathBuf, PathBuf)> {
    static COPIES: OnceLock<Option<(PathBuf, PathBuf)>> = OnceLock::new();
    COPIES
        .get_or_init(|| {
            let (ours, upstream_so) = common::ours_and_upstream()?;
            let wheel_pkg = upstream_so.parent().unwrap().to_path_buf();
            let upstream = wheel_pkg.join(binding_lib_name());
            let base = common::out_dir().join("python-binding");
            let make = |name: &str, lib: &Path| {
                let dir = base.join(name);
                let _ = std::fs::remove_dir_all(&dir);
                let pkg = dir.join("HPSocket");
                std::fs::create_dir_all(&pkg).unwrap();
                // The package's Python modules as they are; none of its libraries but the one loaded.
                for e in std::fs::read_dir(&wheel_pkg).unwrap() {
                    let p = e.unwrap().path();
                    if p.extension().is_some_and(|x| x == "py") {
                        std::fs::copy(&p, pkg.join(p.file_name().unwrap())).unwrap();
                    }
                }
                std::fs::copy(lib, pkg.join(binding_lib_name())).unwrap();
                dir
            };
            Some((make("ours", &ours), make("upstream", &upstream)))
        })
        .as_ref()
}

fn python() -> PathBuf {
    // The binding needs nothing beyond the standard library (ctypes): the venv `.ci/run` makes if
    // there is one, else the system's python3.
    let venv = common::root().join("target/pyenv/bin/python");
    if venv.exists() {
        venv
    } else {
        PathBuf::from("python3")
    }
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// Runs `tests/binding/<script>` with the binding copy of `lib` first on PYTHONPATH.
fn run_script(script: &str, lib: Lib) -> Run {
    let (ours, upstream) = copies().unwrap();
    let dir = if lib == Lib::Ours { ours } else { upstream };
    let mut child = Command::new(python())
        .arg(common::root().join("tests/binding").join(script))
        .env("PYTHONPATH", dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONIOENCODING", "utf-8")
        .env("PYTHONUNBUFFERED", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {} ({e}): .ci/run installs python3", python().display()));
    // Drain both pipes on threads so a chatty script cannot block on a full pipe.
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let to = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut so, &mut s).ok();
        s
    });
    let te = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut se, &mut s).ok();
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break Some(st);
        }
        if start.elapsed() > SCRIPT_TIMEOUT {
            let _ = child.kill(); // our own child, by its handle
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = to.join().unwrap();
    let mut stderr = te.join().unwrap();
    if status.is_none() {
        stderr.push_str(&format!("\n[killed after {SCRIPT_TIMEOUT:?}]"));
    }
    let ok = status.is_some_and(|s| s.success());
    eprintln!("--- {script} over {lib:?}: {}\n{stderr}", if ok { "exit 0" } else { "FAILED" });
    Run { ok, stdout, stderr }
}

fn must_pass(script: &str, lib: Lib) -> Run {
    let r = run_script(script, lib);
    assert!(r.ok, "{script} over {lib:?} failed\n--- stdout\n{}\n--- stderr\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("failures: 0"), "{script} over {lib:?}: no summary\n{}", r.stdout);
    r
}

fn has_line(out: &str, line: &str) -> bool {
    out.lines().any(|l| l == line)
}

/// Lines of our run and of upstream's that differ, keyed by line number.
fn differences(ours: &str, theirs: &str) -> Vec<(String, String)> {
    let a: Vec<&str> = ours.lines().collect();
    let b: Vec<&str> = theirs.lines().collect();
    (0..a.len().max(b.len()))
        .filter_map(|i| {
            let (x, y) = (a.get(i).copied().unwrap_or("<none>"), b.get(i).copied().unwrap_or("<none>"));
            (x != y).then(|| (x.to_string(), y.to_string()))
        })
        .collect()
}

// ------------------------------------------------------------------------------------- exports

/// The functions HP-Socket 6.0.7 exports: `nm -D --defined-only` of our library.
fn our_exports() -> BTreeSet<String> {
    let so = common::lib_dir().join("libhpsocket4c.so");
    let out = Command::new("nm").arg("-D").arg("--defined-only").arg(&so).output().expect("nm (binutils) is required");
    assert!(out.status.success(), "nm -D {} failed", so.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (_, kind, name) = (f.next()?, f.next()?, f.next()?);
            (kind == "T").then(|| name.to_string())
        })
        .collect()
}

/// `exports.py`'s answer: the library's version line, and the bound names present and missing.
fn bound(lib: Lib) -> (String, BTreeSet<String>, BTreeSet<String>) {
    let r = run_script("exports.py", lib);
    assert!(r.ok, "importing the binding over {lib:?} failed\n--- stdout\n{}\n--- stderr\n{}", r.stdout, r.stderr);
    let (mut present, mut missing, mut version) = (BTreeSet::new(), BTreeSet::new(), String::new());
    for l in r.stdout.lines() {
        match l.split_once(' ') {
            Some(("present", n)) => {
                present.insert(n.to_string());
            }
            Some(("missing", n)) => {
                missing.insert(n.to_string());
            }
            Some(("version", v)) => version = v.to_string(),
            _ => panic!("exports.py: unexpected line {l:?}"),
        }
    }
    (version, present, missing)
}

#[test]
fn binding_imports_and_every_function_it_binds_is_ours() {
    if copies().is_none() {
        eprintln!("SKIPPED: the hpsocket 0.9.3 wheel (the binding) could not be fetched");
        return;
    }
    let (version, present, missing) = bound(Lib::Ours);
    // The copy loaded our library, not the wheel's: HP_GetHPSocketVersion says 6.0.7.
    assert!(version.starts_with("6.0.7."), "the binding loaded version {version}, not ours");
    let bound_total = present.len() + missing.len();
    assert!(bound_total > 450, "parsed only {bound_total} bound functions from HPSocketAPI.py");

    // What the binding found is what we export (its hasattr is a dlsym; nm says the same).
    let exports = our_exports();
    let not_in_nm: Vec<&String> = present.iter().filter(|n| !exports.contains(*n)).collect();
    assert!(not_in_nm.is_empty(), "found by the binding but not exported functions: {not_in_nm:?}");

    // Missing ones: only functions of upstream's Windows header (HPSocketAPI.py was converted from
    // it), which neither upstream's Linux library nor its Linux HPSocket4C.h has.
    let header = std::fs::read_to_string(common::root().join("include/HPSocket4C.h")).unwrap();
    let (up_version, up_present, up_missing) = bound(Lib::Upstream);
    eprintln!(
        "HPSocketAPI.py binds {bound_total} functions; ours ({version}) has {}, upstream ({up_version}) has {}; missing in ours: {missing:?}",
        present.len(),
        up_present.len()
    );
    let only_ours_lacks: Vec<&String> = missing.iter().filter(|n| !up_missing.contains(*n)).collect();
    assert!(only_ours_lacks.is_empty(), "bound by the binding, in upstream's library, missing from ours: {only_ours_lacks:?}");
    let declared: Vec<&String> = missing.iter().filter(|n| header.contains(&format!(" {n}("))).collect();
    assert!(declared.is_empty(), "declared in include/HPSocket4C.h but missing from our library: {declared:?}");
    assert!(up_present.is_subset(&present), "upstream has bound functions we lack");
    assert_eq!(
        missing,
        ["SYS_CodePageToUnicode", "SYS_UnicodeToCodePage", "SYS_WSAGetLastError", "SYS_WSAIoctl"].map(String::from).into(),
        "the bound functions our library lacks (Windows-only ones are expected)"
    );
}

// ------------------------------------------------------------------------------ TCP demo classes

#[test]
fn demo_classes_push_pull_pack_exchange_messages() {
    if copies().is_none() {
        eprintln!("SKIPPED: the hpsocket 0.9.3 wheel (the binding) could not be fetched");
        return;
    }
    let ours = must_pass("tcp_models.py", Lib::Ours).stdout;
    for peer in ["client", "agent"] {
        for line in [
            format!("push/{peer} server received what was sent (100277 bytes sha256 afb6a4a3f3e0339a): ok"),
            format!("push/{peer} peer received the answers (100277 bytes sha256 e9915e8643a0d42d): ok"),
            format!("push/{peer} peer OnSend total: 100277, server OnSend total: 100277"),
            format!("pull/{peer} server heads: [(1, 37), (2, 49), (3, 3032)]"),
            format!("pull/{peer} server bodies: [('Alice', 30, 'first'), ('张三', 41, 'the second packet'), ('Bob', 7, 'xxxxxxxx...(3000)')]"),
            format!("pull/{peer} peer heads: [(101, 37), (102, 49), (103, 3032)]"),
            format!("pull/{peer} peer bodies: [('ALICE', 31, 'FIRST'), ('张三', 42, 'THE SECOND PACKET'), ('BOB', 8, 'XXXXXXXX...(3000)')]"),
            format!("pack/{peer} server messages: [3, 300, 3840, 2]"),
            format!("pack/{peer} peer messages: [b're:one', b're:twotw', b're:\\x00\\x01\\x02\\x03\\x04', b're:\\xb0\\xfc']"),
            format!("pack/{peer} peer OnSend total: 4161, server OnSend total: 4173"),
        ] {
            assert!(has_line(&ours, &line), "missing line {line:?} in\n{ours}");
        }
        for model in ["push", "pull", "pack"] {
            // one connection, closed by the peer (SO_CLOSE, no error), then the server's shutdown
            let line = format!("{model}/{peer} server events: accept=1 close=['op5/err0'] shutdown=1");
            assert!(has_line(&ours, &line), "missing line {line:?} in\n{ours}");
        }
    }
    let theirs = must_pass("tcp_models.py", Lib::Upstream).stdout;
    let diff = differences(&ours, &theirs);
    assert!(diff.is_empty(), "the demo classes over our library and over upstream's differ (ours, upstream): {diff:#?}");
}

// ---------------------------------------------------------------------------------------- HTTP

/// Where upstream 5.x's run prints something else, and why. `HP_Http*_GetContentLength` returns
/// the parser's `content_length` in upstream: http_parser (5.x) sets it to ULLONG_MAX for a message
/// without Content-Length and counts it down as the body is read, so it is 0 by
/// OnMessageComplete. 6.0.7 parses with llhttp, whose `content_length` is 0 without the header
/// (ours: 0) and also counts down (ours keeps the header's value, see the report of issue 13).
const KNOWN_HTTP_DIFFERENCES: &[(&str, &str)] = &[
    ("request 2: GetContentLength in OnHeadersComplete ", "18446744073709551615"),
    ("response 1: GetContentLength in OnMessageComplete ", "0"),
    ("response 2: GetContentLength in OnMessageComplete ", "0"),
];

#[test]
fn http_server_answers_http_client_and_sync_client() {
    if copies().is_none() {
        eprintln!("SKIPPED: the hpsocket 0.9.3 wheel (the binding) could not be fetched");
        return;
    }
    let ours = must_pass("http_roundtrip.py", Lib::Ours).stdout;
    for line in [
        "request 1: line POST /echo/one?x=1&y=two",
        "request 1: X-Req via OnHeader first, via GetHeader first",
        "request 1: method POST path /echo/one query x=1&y=two keep-alive True body b'hello, http server'",
        "request 1: GetContentLength in OnHeadersComplete 18",
        "response 1: status line (201, 'Created Here'), GetStatusCode 201",
        "response 1: header names (GetAllHeaders) ['connection', 'content-length', 'content-type', 'x-resp']",
        "response 1: X-Resp via OnHeader answer-1, via GetHeader answer-1; body b'POST /echo/one?x=1&y=two, 18 bytes: hello, http server'",
        "request 2: method GET path /second query  keep-alive True body b''",
        "request 2: GetContentLength in OnHeadersComplete 0",
        "response 2: X-Resp via OnHeader answer-2, via GetHeader answer-2; body b'GET /second?, 0 bytes: '",
        "request 3: method PUT path /sync/path query z=3 keep-alive True body b'sync \\x00 body'",
        "sync response: GetStatusCode 201, X-Resp answer-3, body b'PUT /sync/path?z=3, 11 bytes: sync \\x00 body'",
        "server closes: ['op5/err0', 'op5/err0']; client closes: ['op5/err0']",
    ] {
        assert!(has_line(&ours, line), "missing line {line:?} in\n{ours}");
    }
    let theirs = must_pass("http_roundtrip.py", Lib::Upstream).stdout;
    for (o, t) in differences(&ours, &theirs) {
        let known = KNOWN_HTTP_DIFFERENCES.iter().find(|(key, _)| o.starts_with(key) && t.starts_with(key));
        match known {
            Some((key, upstream_value)) if t[key.len()..] == **upstream_value => {
                eprintln!("known difference (upstream 5.x): ours {o:?}, upstream {t:?}")
            }
            _ => panic!("the HTTP round trip over our library and over upstream's differ:\n  ours:     {o}\n  upstream: {t}"),
        }
    }
}
