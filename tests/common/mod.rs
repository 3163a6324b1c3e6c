//! Helpers for integration tests: build C programs in `tests/c/` against `include/` and the
//! freshly built `libhpsocket4c.so`, then run them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use std::sync::OnceLock;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The cargo profile folder holding `libhpsocket4c.so` (target/debug or target/release).
pub fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap(); // .../deps
    let dir = if dir.ends_with("deps") { dir.parent().unwrap() } else { dir };
    build_cdylib(dir);
    assert!(dir.join("libhpsocket4c.so").exists(), "libhpsocket4c.so not built in {}", dir.display());
    dir.to_path_buf()
}

/// `cargo test` builds the crate as an rlib only; the C programs need the cdylib of the same
/// profile, built from the same sources: build it once per test process (a no-op when fresh).
fn build_cdylib(profile_dir: &Path) {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(root()).args(["build", "--lib"]);
        // The library the C programs load has the features the tests were built with.
        if !cfg!(feature = "ssl") {
            cmd.arg("--no-default-features");
        }
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        if let Some(target) = profile_dir.parent() {
            cmd.env("CARGO_TARGET_DIR", target);
        }
        check("cargo build --lib", cmd.output().unwrap());
    });
}

/// Where compiled test programs go.
pub fn out_dir() -> PathBuf {
    let d = lib_dir().join("c-tests");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn check(what: &str, out: Output) -> Output {
    if !out.status.success() {
        panic!(
            "{what} failed ({})\n--- stdout\n{}\n--- stderr\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out
}

/// Compiles `tests/c/<name>.c` as C99 (and checks it also compiles as C++), linked against
/// our library, and returns the path of the program.
///
/// Built once per test process: tests that run the same program (normally and under valgrind)
/// in parallel must not overwrite it while the other runs it (ETXTBSY).
pub fn build_c(name: &str) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<(String, PathBuf)>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, exe)) = built.iter().find(|(n, _)| n == name) {
        return exe.clone();
    }
    let exe = build_c_sources(name, &[&format!("tests/c/{name}.c")], &[]);
    built.push((name.to_string(), exe.clone()));
    exe
}

/// Compiles several C sources into one program named `name`.
pub fn build_c_sources(name: &str, sources: &[&str], extra_flags: &[&str]) -> PathBuf {
    let root = root();
    let lib = lib_dir();
    let exe = out_dir().join(name);
    let srcs: Vec<PathBuf> = sources.iter().map(|s| root.join(s)).collect();
    let warn = ["-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter"];
    let mut cc = Command::new("cc");
    cc.arg("-std=gnu99").args(warn).arg("-g").arg("-I").arg(root.join("include")).arg("-I").arg(root.join("tests/c"));
    cc.args(&srcs).args(extra_flags).arg("-o").arg(&exe);
    cc.arg("-L").arg(&lib).arg("-lhpsocket4c").arg("-lpthread").arg(format!("-Wl,-rpath,{}", lib.display()));
    check(&format!("cc {name}"), cc.output().unwrap());
    // The same sources must be valid C++ too (a C++ program includes the same header).
    let mut cxx = Command::new("g++");
    cxx.arg("-fsyntax-only").arg("-x").arg("c++").args(warn).args(["-Wno-missing-field-initializers", "-Wno-pedantic"]);
    cxx.arg("-I").arg(root.join("include")).arg("-I").arg(root.join("tests/c")).args(&srcs).args(extra_flags);
    check(&format!("g++ {name}"), cxx.output().unwrap());
    exe
}

/// Runs a built program with arguments; panics with its output when it exits non-zero.
pub fn run(exe: &Path, args: &[&str]) -> String {
    let out = Command::new(exe).args(args).output().unwrap();
    let out = check(&exe.display().to_string(), out);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Builds `tests/c/<name>.c` and runs it under valgrind memcheck: any invalid read or write (or
/// a failed check) fails. `.ci/run` installs valgrind.
pub fn run_c_valgrind(name: &str) -> String {
    let valgrind = Path::new("/usr/bin/valgrind");
    assert!(valgrind.exists(), "valgrind is missing at /usr/bin/valgrind: .ci/run installs it (apt-get install valgrind)");
    let exe = build_c(name);
    let out = Command::new(valgrind).args(["--error-exitcode=99", "--leak-check=no", "--quiet"]).arg(&exe).output().unwrap();
    check(&format!("valgrind {name}"), out).stdout.iter().map(|&b| b as char).collect()
}

/// Builds `tests/c/<name>.c` and runs it; the program asserts and exits non-zero on failure.
pub fn run_c(name: &str, args: &[&str]) -> String {
    let exe = build_c(name);
    run(&exe, args)
}

/// The upstream HP-Socket 5.1.1 Linux library (PyPI `hpsocket==0.9.3`), downloaded once into
/// target/upstream-5.1.1/. Returns None (and says why) when it cannot be had.
pub fn upstream_lib() -> Option<PathBuf> {
    static LIB: OnceLock<Option<PathBuf>> = OnceLock::new();
    LIB.get_or_init(|| {
        let dir = root().join("target/upstream-5.1.1");
        let so = dir.join("HPSocket/libhpsocket4c_amd64_64.so");
        if so.exists() {
            return Some(so);
        }
        let st = Command::new("bash").arg(root().join("tests/fetch-upstream.sh")).arg(&dir).status();
        if matches!(st, Ok(s) if s.success()) && so.exists() {
            Some(so)
        } else {
            eprintln!("upstream 5.1.1 library not available");
            None
        }
    })
    .clone()
}

/// Our library and upstream 5.1.1's, or None (with a SKIPPED line) when upstream cannot be
/// fetched.
pub fn ours_and_upstream() -> Option<(PathBuf, PathBuf)> {
    let ours = lib_dir().join("libhpsocket4c.so");
    match upstream_lib() {
        Some(up) => Some((ours, up)),
        None => {
            eprintln!("SKIPPED: upstream 5.1.1 library could not be fetched (PyPI hpsocket==0.9.3)");
            None
        }
    }
}

/// Runs a command to its end (killed after `secs`, then a panic with what it printed), returning its output.
pub fn run_for(cmd: &mut Command, secs: u64, what: &str) -> Output {
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let ro = std::thread::spawn(move || {
        let mut v = Vec::new();
        so.read_to_end(&mut v).map(|_| v).unwrap_or_default()
    });
    let re = std::thread::spawn(move || {
        let mut v = Vec::new();
        se.read_to_end(&mut v).map(|_| v).unwrap_or_default()
    });
    let t = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if t.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            let (o, e) = (ro.join().unwrap(), re.join().unwrap());
            panic!("{what} took over {secs} s\n{}\n{}", String::from_utf8_lossy(&o), String::from_utf8_lossy(&e));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output { status, stdout: ro.join().unwrap(), stderr: re.join().unwrap() }
}

/// A header's value in a `-D -` dump (names compared without case).
pub fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// A deterministic file of `n` bytes for uploads, in the tests' output folder.
pub fn upload_file(name: &str, n: usize) -> PathBuf {
    let p = out_dir().join(name);
    let data: Vec<u8> = (0..n).map(|i| (i * 7 + i / 251) as u8).collect();
    std::fs::write(&p, &data).unwrap();
    p
}
