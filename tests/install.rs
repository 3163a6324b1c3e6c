//! The top-level Makefile's `install` / `uninstall`: into a fresh prefix, C programs built with
//! nothing but `pkg-config --cflags --libs [--static] hpsocket4c` (the examples' echo server and
//! client, and `tests/install/includes.c` for `#include <hpsocket/HPSocket4C.h>`) echo with each
//! other, shared against static; then `uninstall` leaves nothing of ours. And with `DESTDIR`:
//! the staged tree, a `.pc` file naming the final prefix, a foreign file left alone.
//! `make install` is given `LIBDIR=` (the library this test run built), so cargo is not run.
mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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

fn stdout_of(what: &str, cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    String::from_utf8_lossy(&check(what, out).stdout).into_owned()
}

/// `make -C <root> <target> LIBDIR=<this run's library> <vars>`
fn make(target: &str, vars: &[(&str, &Path)]) -> String {
    let mut cmd = Command::new("make");
    cmd.arg("-C").arg(common::root()).arg("--no-print-directory").arg(target);
    cmd.arg(format!("LIBDIR={}", common::lib_dir().display()));
    for (k, v) in vars {
        cmd.arg(format!("{k}={}", v.display()));
    }
    cmd.env_remove("MAKEFLAGS").env_remove("MAKELEVEL");
    stdout_of(&format!("make {target}"), &mut cmd)
}

/// Every path under `dir`, relative, sorted; folders end with '/'.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(base).unwrap().display().to_string();
            if p.is_dir() && !p.is_symlink() {
                out.push(format!("{rel}/"));
                walk(base, &p, out);
            } else {
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out.sort();
    out
}

/// What `make install` puts under the prefix (the SSL header only when the library has SSL).
fn installed() -> Vec<String> {
    INSTALLED.iter().filter(|p| cfg!(feature = "ssl") || !p.ends_with("SSL.h")).map(|s| s.to_string()).collect()
}

const INSTALLED: [&str; 10] = [
    "include/",
    "include/hpsocket/",
    "include/hpsocket/HPSocket4C-SSL.h",
    "include/hpsocket/HPSocket4C.h",
    "include/hpsocket/HPTypeDef.h",
    "lib/",
    "lib/libhpsocket4c.a",
    "lib/libhpsocket4c.so",
    "lib/pkgconfig/",
    "lib/pkgconfig/hpsocket4c.pc",
];

fn pkg_config(prefix: &Path, args: &[&str]) -> Vec<String> {
    let mut cmd = Command::new("pkg-config");
    cmd.args(args).arg("hpsocket4c").env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig"));
    let what = format!("pkg-config {} hpsocket4c (.ci/run installs pkg-config)", args.join(" "));
    stdout_of(&what, &mut cmd).split_whitespace().map(String::from).collect()
}

fn readelf_d(file: &Path) -> String {
    stdout_of("readelf -d", Command::new("readelf").arg("-d").arg(file))
}

/// Builds `src` (relative to the repository) into `dir/name` with those flags.
fn cc(dir: &Path, name: &str, src: &str, flags: &[String]) -> PathBuf {
    let exe = dir.join(name);
    let mut cmd = Command::new("cc");
    cmd.args(["-std=gnu99", "-O1", "-g", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter"]);
    cmd.arg(common::root().join(src)).arg("-o").arg(&exe).args(flags).arg("-lpthread");
    check(&format!("cc {name} {}", flags.join(" ")), cmd.output().unwrap());
    exe
}

/// An echo round trip: `server` (examples-c/echo_server) and `client` (examples-c/echo_client),
/// both run with `LD_LIBRARY_PATH=lib` (what a program of a prefix outside the loader's path needs).
fn echo(server: &Path, client: &Path, lib: &Path) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let mut srv = Command::new(server)
        .args([port.as_str(), "120"])
        .env("LD_LIBRARY_PATH", lib)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(srv.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.starts_with("[server] listening on port"), "{} did not start: {line}", server.display());

    let mut cmd = Command::new(client);
    cmd.args(["127.0.0.1", port.as_str(), "200", "1000"]).env("LD_LIBRARY_PATH", lib);
    let c = stdout_of(&client.display().to_string(), &mut cmd);
    assert!(c.contains("[client] OK: 200000 of 200000 bytes echoed"), "{c}");

    // SAFETY: kill(2) on the pid of our own child, which has not been waited for yet.
    assert_eq!(unsafe { libc::kill(srv.id() as libc::pid_t, libc::SIGINT) }, 0);
    let status = srv.wait().unwrap();
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "{} exited {status}: {rest}", server.display());
    assert!(rest.contains("[server] shut down"), "{rest}");
}

#[test]
fn install_build_run_uninstall() {
    let base = common::out_dir().join("install");
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let prefix = base.join("prefix"); // make install creates it
    let root = common::root();

    make("install", &[("PREFIX", &prefix)]);
    assert_eq!(tree(&prefix), installed(), "installed tree");
    for h in ["HPTypeDef.h", "HPSocket4C.h", "HPSocket4C-SSL.h"].into_iter().filter(|h| cfg!(feature = "ssl") || !h.ends_with("SSL.h")) {
        let same = std::fs::read(root.join("include").join(h)).unwrap() == std::fs::read(prefix.join("include/hpsocket").join(h)).unwrap();
        assert!(same, "installed {h} differs from include/{h}");
    }
    for l in ["libhpsocket4c.so", "libhpsocket4c.a"] {
        let same = std::fs::read(common::lib_dir().join(l)).unwrap() == std::fs::read(prefix.join("lib").join(l)).unwrap();
        assert!(same, "installed {l} differs from the built one");
    }
    let so = prefix.join("lib/libhpsocket4c.so");
    assert!(readelf_d(&so).contains("Library soname: [libhpsocket4c.so]"), "soname (build.rs):\n{}", readelf_d(&so));

    // The .pc file
    assert_eq!(pkg_config(&prefix, &["--modversion"]), [env!("CARGO_PKG_VERSION")]);
    let inc = prefix.join("include");
    let cflags = pkg_config(&prefix, &["--cflags"]);
    assert!(cflags.contains(&format!("-I{}/hpsocket", inc.display())), "{cflags:?}");
    let shared = pkg_config(&prefix, &["--cflags", "--libs"]);
    assert!(shared.contains(&format!("-L{}", prefix.join("lib").display())) && shared.contains(&"-lhpsocket4c".to_string()), "{shared:?}");
    // --static adds Libs.private; GNU ld's -l:libhpsocket4c.a then takes the archive rather
    // than the .so beside it (the Makefile's header says so too).
    let static_: Vec<String> = pkg_config(&prefix, &["--cflags", "--libs", "--static"])
        .into_iter()
        .map(|f| if f == "-lhpsocket4c" { "-l:libhpsocket4c.a".into() } else { f })
        .collect();
    assert!(static_.contains(&"-lpthread".to_string()) && static_.contains(&"-ldl".to_string()), "{static_:?}");
    // The library links the system's OpenSSL (the ssl feature): a static program needs it too;
    // without the feature, nothing of OpenSSL.
    assert_eq!(static_.contains(&"-lssl".to_string()) && static_.contains(&"-lcrypto".to_string()), cfg!(feature = "ssl"), "{static_:?}");

    // Programs built with those flags only
    let bin = base.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let mut exes = Vec::new();
    for (name, src) in [("echo_server", "examples-c/echo_server.c"), ("echo_client", "examples-c/echo_client.c"), ("includes", "tests/install/includes.c")] {
        let s = cc(&bin, &format!("{name}-shared"), src, &shared);
        let a = cc(&bin, &format!("{name}-static"), src, &static_);
        let (ds, da) = (readelf_d(&s), readelf_d(&a));
        assert!(ds.contains("Shared library: [libhpsocket4c.so]"), "{name}-shared:\n{ds}");
        assert!(!da.contains("libhpsocket4c"), "{name}-static needs the shared library:\n{da}");
        assert!(!ds.contains("RPATH") && !ds.contains("RUNPATH"), "{ds}");
        exes.push((s, a));
    }
    // A C++ program includes the installed headers the same way.
    let mut cxx = Command::new("g++");
    cxx.args(["-fsyntax-only", "-x", "c++", "-Wall", "-Wextra", "-Werror"]).args(&cflags).arg(root.join("tests/install/includes.c"));
    check("g++ includes.c", cxx.output().unwrap());

    let lib = prefix.join("lib");
    let ldd = stdout_of("ldd", Command::new("ldd").arg(&exes[0].0).env("LD_LIBRARY_PATH", &lib));
    assert!(ldd.contains(&format!("libhpsocket4c.so => {}", so.display())), "{ldd}");
    let ldd = stdout_of("ldd", Command::new("ldd").arg(&exes[0].1).env("LD_LIBRARY_PATH", &lib));
    assert!(!ldd.contains("libhpsocket4c"), "{ldd}");

    let version = format!("version {}", env!("CARGO_PKG_VERSION"));
    for exe in [&exes[2].0, &exes[2].1] {
        let out = stdout_of(&exe.display().to_string(), Command::new(exe).env("LD_LIBRARY_PATH", &lib));
        assert!(out.contains(&version) && out.contains("server created"), "{out}");
    }
    let ((server_so, server_a), (client_so, client_a)) = (&exes[0], &exes[1]);
    echo(server_a, client_so, &lib);
    echo(server_so, client_a, &lib);

    // uninstall: nothing of ours is left, and the folders install created are gone
    make("uninstall", &[("PREFIX", &prefix)]);
    assert!(!prefix.exists(), "left after uninstall: {:?}", tree(&prefix));
}

#[test]
fn destdir_staging() {
    let stage = common::out_dir().join("install-destdir");
    let _ = std::fs::remove_dir_all(&stage);
    // someone else's file in a folder that already exists
    std::fs::create_dir_all(stage.join("usr/lib")).unwrap();
    std::fs::write(stage.join("usr/lib/keep.txt"), "not ours").unwrap();
    let vars: [(&str, &Path); 2] = [("DESTDIR", &stage), ("PREFIX", Path::new("/usr"))];

    make("install", &vars);
    make("install", &vars); // twice: the second one still remembers what the first created
    let staged = stage.join("usr");
    let mut want: Vec<String> = installed();
    want.push("lib/keep.txt".into());
    want.sort();
    assert_eq!(tree(&staged), want, "staged tree");
    let pc = std::fs::read_to_string(staged.join("lib/pkgconfig/hpsocket4c.pc")).unwrap();
    assert!(pc.lines().any(|l| l == "prefix=/usr"), "{pc}");
    assert!(!pc.contains(&stage.display().to_string()), "DESTDIR leaked into the .pc file:\n{pc}");
    // the staged .pc file names the final folders (pkg-config drops the system's -I/usr/include)
    let cflags = pkg_config(&staged, &["--cflags"]);
    assert!(cflags.contains(&"-I/usr/include/hpsocket".to_string()), "{cflags:?}");

    make("uninstall", &vars);
    assert_eq!(tree(&stage), ["usr/", "usr/lib/", "usr/lib/keep.txt"], "left after uninstall");
}
