//! The binary drop-in: one C program (`tests/dropin/echo_client.c`), linked against upstream
//! HP-Socket 5.1.1's `libhpsocket4c.so` (PyPI hpsocket==0.9.3), runs unchanged over ours. Both
//! libraries carry the soname `libhpsocket4c.so`, so the program records `NEEDED
//! libhpsocket4c.so` and `LD_LIBRARY_PATH` picks which one it gets. Each run echoes against a
//! server over the other library (`tests/interop/tcp_peer.c`), and checks which library was
//! loaded (the program's own /proc/self/maps, and `LD_DEBUG=libs`).
mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The sizes `echo_client.c` sends, one message each.
const SENT: u64 = 1 + 10 + 100 + 1000 + 4096 + 65536 + 262144;

fn check(what: &str, out: Output) -> Output {
    assert!(
        out.status.success(),
        "{what} failed ({})\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

struct Built {
    /// A folder holding `libhpsocket4c.so` -> upstream's `libhpsocket4c_amd64_64.so`.
    upstream_dir: PathBuf,
    upstream_so: PathBuf,
    /// The folder holding our `libhpsocket4c.so`.
    ours_dir: PathBuf,
    client: PathBuf,
    peer: PathBuf,
}

/// Builds the client (against upstream's library) and the server peer, once; None when
/// upstream's library cannot be fetched.
fn built() -> Option<&'static Built> {
    static BUILT: OnceLock<Option<Built>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let Some((ours, up)) = common::ours_and_upstream() else {
                eprintln!("SKIPPED: the drop-in test needs upstream's library");
                return None;
            };
            let dir = common::out_dir().join("dropin");
            let upstream_dir = dir.join("upstream");
            std::fs::create_dir_all(&upstream_dir).unwrap();
            let link = upstream_dir.join("libhpsocket4c.so");
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(&up, &link).unwrap();

            let root = common::root();
            let client = dir.join("echo_client");
            let mut cc = Command::new("cc");
            cc.args(["-std=gnu99", "-O1", "-g", "-Wall", "-Wextra", "-Werror"]).arg("-I").arg(root.join("include"));
            cc.arg(root.join("tests/dropin/echo_client.c")).arg("-o").arg(&client);
            cc.arg("-L").arg(&upstream_dir).args(["-lhpsocket4c", "-lpthread"]);
            check("cc echo_client (against upstream's library)", cc.output().unwrap());

            // Linked against upstream's library through its soname, with no run path of its own.
            let dynamic = readelf_d(&client);
            assert!(dynamic.contains("(NEEDED)") && dynamic.contains("[libhpsocket4c.so]"), "{dynamic}");
            assert!(!dynamic.contains("RPATH") && !dynamic.contains("RUNPATH"), "{dynamic}");
            let up_soname = readelf_d(&up);
            assert!(up_soname.contains("Library soname: [libhpsocket4c.so]"), "upstream's soname:\n{up_soname}");
            let our_soname = readelf_d(&ours);
            assert!(our_soname.contains("Library soname: [libhpsocket4c.so]"), "our soname (build.rs):\n{our_soname}");

            let peer = dir.join("tcp_peer");
            let mut cc = Command::new("cc");
            cc.args(["-std=gnu99", "-O1", "-g", "-Wall", "-Wextra", "-Werror"]).arg(root.join("tests/interop/tcp_peer.c"));
            cc.arg("-o").arg(&peer).args(["-ldl", "-lpthread"]);
            check("cc tcp_peer", cc.output().unwrap());

            Some(Built { upstream_dir, upstream_so: up, ours_dir: ours.parent().unwrap().to_path_buf(), client, peer })
        })
        .as_ref()
}

fn readelf_d(file: &Path) -> String {
    let out = check("readelf -d", Command::new("readelf").arg("-d").arg(file).output().unwrap());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Runs the client with `LD_LIBRARY_PATH=lib_dir` (whose `libhpsocket4c.so` is `lib_so`)
/// against a `tcp_peer` echo server over `server_so`.
fn echo(b: &Built, lib_dir: &Path, lib_so: &Path, server_so: &Path) {
    let port = free_port();
    let mut server = Command::new(&b.peer)
        .arg(server_so)
        .arg("server")
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server_out = BufReader::new(server.stdout.take().unwrap());
    let mut line = String::new();
    server_out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "LISTEN", "the server over {} did not start", server_so.display());

    let out = Command::new(&b.client)
        .arg(port.to_string())
        .env("LD_LIBRARY_PATH", lib_dir)
        .env("LD_DEBUG", "libs")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "client over {} failed ({})\n{stdout}\n{stderr}", lib_dir.display(), out.status);
    assert!(stdout.contains(&format!("OK bytes={SENT}")), "{stdout}");

    // The library in the process is the intended one, and only that one.
    let want = lib_so.canonicalize().unwrap();
    let loaded: Vec<PathBuf> = stdout.lines().filter_map(|l| l.strip_prefix("LOADED ")).map(PathBuf::from).collect();
    assert_eq!(loaded.len(), 1, "libhpsocket4c mappings: {loaded:?}");
    assert_eq!(loaded[0].canonicalize().unwrap(), want, "{stdout}");
    // ld.so says where it found libhpsocket4c.so: in LD_LIBRARY_PATH's folder.
    let init = format!("calling init: {}", lib_dir.join("libhpsocket4c.so").display());
    assert!(stderr.lines().any(|l| l.trim_end().ends_with(&init)), "no `{init}` in LD_DEBUG=libs output:\n{stderr}");

    drop(server.stdin.take()); // the server stops
    line.clear();
    server_out.read_line(&mut line).unwrap();
    let ok = server.wait().unwrap().success();
    if server_so == b.upstream_so && !ok && line.is_empty() {
        // see tests/interop_tcp.rs: upstream's server may die in its own Stop
        eprintln!("upstream 5.1.1 server crashed in its Stop; its counters are lost");
        return;
    }
    assert!(ok, "the server over {} exited with an error", server_so.display());
    let want = format!("accepted=1 closed=1 close_errors=0 bytes={SENT} shutdown=1");
    assert!(line.starts_with(&want), "server counters: {line} (want {want})");
}

/// The program as linked: over upstream's library, echoing with our server.
#[test]
fn linked_against_upstream_runs_over_upstream() {
    if let Some(b) = built() {
        echo(b, &b.upstream_dir, &b.upstream_so, &b.ours_dir.join("libhpsocket4c.so"));
    }
}

/// The same binary over our library instead, echoing with upstream's server.
#[test]
fn linked_against_upstream_runs_over_ours() {
    if let Some(b) = built() {
        echo(b, &b.ours_dir, &b.ours_dir.join("libhpsocket4c.so"), &b.upstream_so);
    }
}
