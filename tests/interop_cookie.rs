//! The HP_HttpCookie_* functions against upstream HP-Socket 5.1.1, in separate processes
//! (tests/interop/cookie_peer.c over each library): the helpers give the same results, the
//! store's calls the same return values, and a cookie file written by either library loads in
//! the other with the same cookies.
//!
//! 5.1.1's cookie code is 6.0.7's (Linux/src/HttpCookie.cpp); what differs below is where this
//! library deliberately does better, each case naming the upstream code it departs from.
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn peer() -> PathBuf {
    static PEER: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PEER.get_or_init(|| {
        let exe = common::out_dir().join("cookie_peer");
        let out = Command::new("cc")
            .args(["-std=gnu99", "-O1", "-Wall", "-Wextra", "-Werror"])
            .arg(common::root().join("tests/interop/cookie_peer.c"))
            .arg("-o")
            .arg(&exe)
            .arg("-ldl")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        exe
    })
    .clone()
}

fn run(lib: &Path, args: &[&dyn AsRef<std::ffi::OsStr>]) -> String {
    let out = Command::new(peer()).arg(lib).args(args.iter().map(|a| a.as_ref())).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A fresh folder for one test's files.
fn work_dir(test: &str) -> PathBuf {
    let d = common::out_dir().join("cookie-interop").join(test);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A file's cookies as sorted `domain path name;value;expires;httpOnly;secure;sameSite` records
/// (the libraries order domains and paths differently). Flags are read as C does (non-zero is
/// TRUE): upstream writes back the number a file had (`LoadCookie` keeps `atoi`'s value, then
/// `SaveToFile` prints it with `%d`), this library writes 1.
fn records(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut location = String::new();
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(cookie) = line.strip_prefix('\t') {
            let f: Vec<&str> = cookie.split(';').collect();
            assert_eq!(f.len(), 6, "{line:?}");
            let flag = |s: &str| i32::from(s.parse::<i64>().unwrap() != 0);
            out.push(format!("{location} {};{};{};{};{};{}", f[0], f[1], f[2], flag(f[3]), flag(f[4]), f[5]));
        } else if !line.trim().is_empty() {
            location = line.to_string();
        }
    }
    out.sort();
    out
}

const FUTURE: i64 = 4_102_444_800; // 2100-01-01

#[test]
fn helpers_match_upstream() {
    let Some((ours, up)) = common::ours_and_upstream() else { return };
    let a = run(&ours, &[&"hlp"]);
    let b = run(&up, &[&"hlp"]);
    assert!(a.lines().count() > 70);
    for (x, y) in a.lines().zip(b.lines()) {
        assert_eq!(x, y, "ours vs upstream");
    }
    assert_eq!(a.lines().count(), b.lines().count());
}

#[test]
fn store_return_values_match_upstream() {
    let Some((ours, up)) = common::ours_and_upstream() else { return };
    let a = run(&ours, &[&"rc"]);
    assert!(a.lines().count() > 25);
    assert_eq!(a, run(&up, &[&"rc"]));
}

/// Each library sets the same cookies and saves them; each file loads in the other library,
/// which saves the same cookies back.
#[test]
fn saved_files_load_in_the_other_library() {
    let Some((ours, up)) = common::ours_and_upstream() else { return };
    let dir = work_dir("saved");
    let mut saved = Vec::new();
    for (tag, lib) in [("ours", &ours), ("upstream", &up)] {
        let file = dir.join(format!("{tag}.txt"));
        let line = run(lib, &[&"save", &file]);
        // "save rc=1 t0=... t1=...": every cookie expires 1000000 s after a time in [t0, t1]
        let nums: Vec<i64> = line.split_whitespace().filter_map(|w| w.split('=').nth(1)?.parse().ok()).collect();
        assert_eq!(nums.len(), 3, "{line}");
        assert_eq!(nums[0], 1, "{line}");
        let (t0, t1) = (nums[1], nums[2]);
        let normalized: Vec<String> = records(&file)
            .into_iter()
            .map(|r| {
                let f: Vec<&str> = r.split(';').collect();
                let e: i64 = f[2].parse().unwrap();
                assert!(e >= t0 + 1_000_000 && e <= t1 + 1_000_000, "{r}");
                format!("{};{};E;{};{};{}", f[0], f[1], f[3], f[4], f[5])
            })
            .collect();
        assert_eq!(normalized.len(), 5, "{normalized:?}");
        saved.push((file, normalized));
    }
    assert_eq!(saved[0].1, saved[1].1, "the same cookies saved by ours and upstream");
    // cross loads: upstream reads our file, we read upstream's
    for ((file, _), (tag, reader)) in saved.iter().zip([("by-upstream", &up), ("by-ours", &ours)]) {
        let back = dir.join(format!("{tag}.txt"));
        assert_eq!(run(reader, &[&"resave", file, &back]), "load rc=1 save rc=1\n");
        assert_eq!(records(&back), records(file), "{tag}");
    }
}

/// A hand-written file with every quirk of the format both loaders accept.
#[test]
fn fixture_file_loads_the_same() {
    let Some((ours, up)) = common::ours_and_upstream() else { return };
    let dir = work_dir("fixture");
    let fixture = dir.join("fixture.txt");
    let text = format!(
        "\r\n.Example.COM /dir/page  extra\r\n\n\t a ; b ;{f}junk;7;-1;1;more\r\n\tempty; ;{f};0;0;0\n\tdup;first;{f};0;0;0\n\
         \told;v;100;0;0;0\nwww.example.com /\n\tsp;two words;{g};1;0;2\nexample.com /dir/\n\tdup;second;{f};0;0;0\n\tz;1;{g};0;1;0\n",
        f = FUTURE,
        g = FUTURE + 1
    );
    std::fs::write(&fixture, text).unwrap();
    let mut results = Vec::new();
    for (tag, lib) in [("ours", &ours), ("upstream", &up)] {
        let out = dir.join(format!("{tag}.txt"));
        assert_eq!(run(lib, &[&"resave", &fixture, &out]), "load rc=1 save rc=1\n", "{tag}");
        results.push(records(&out));
    }
    let want: Vec<String> = vec![
        format!("example.com /dir/ a;b;{FUTURE};1;1;1"),
        format!("example.com /dir/ dup;first;{FUTURE};0;0;0"),
        format!("example.com /dir/ empty; ;{FUTURE};0;0;0"),
        format!("example.com /dir/ z;1;{};0;1;0", FUTURE + 1),
        format!("www.example.com / sp;two words;{};1;0;2", FUTURE + 1),
    ];
    assert_eq!(results[0], want);
    assert_eq!(results[1], want);
}

/// `bKeepExists`: a keeping load leaves the store's cookies, a keeping save keeps the file's
/// other cookies.
#[test]
fn keep_existing_merges_the_same() {
    let Some((ours, up)) = common::ours_and_upstream() else { return };
    let dir = work_dir("merge");
    let a = dir.join("a.txt");
    let b = dir.join("b.txt");
    std::fs::write(&a, format!("a.com /\n\tx;fromA;{FUTURE};0;0;0\n\ty;fromA;{FUTURE};0;0;0\n")).unwrap();
    std::fs::write(&b, format!("a.com /\n\tx;fromB;{FUTURE};1;1;1\n\tz;fromB;{FUTURE};0;0;0\nb.com /p/\n\tw;fromB;{FUTURE};0;0;2\n")).unwrap();
    let c_text = format!("a.com /\n\tx;fromC;{FUTURE};0;0;0\n\tc;fromC;{FUTURE};0;0;0\nc.com /\n\tq;fromC;{FUTURE};0;0;0\n");
    let mut results = Vec::new();
    for (tag, lib) in [("ours", &ours), ("upstream", &up)] {
        let c = dir.join(format!("c-{tag}.txt"));
        let out = dir.join(format!("out-{tag}.txt"));
        std::fs::write(&c, &c_text).unwrap();
        assert_eq!(run(lib, &[&"merge", &a, &b, &c, &out]), "merge rc=1111 keep-save rc=1\n", "{tag}");
        results.push((records(&out), records(&c)));
    }
    let merged = vec![
        format!("a.com / x;fromA;{FUTURE};0;0;0"),
        format!("a.com / y;fromA;{FUTURE};0;0;0"),
        format!("a.com / z;fromB;{FUTURE};0;0;0"),
        format!("b.com /p/ w;fromB;{FUTURE};0;0;2"),
    ];
    let kept = vec![
        format!("a.com / c;fromC;{FUTURE};0;0;0"),
        format!("a.com / x;fromA;{FUTURE};0;0;0"),
        format!("a.com / y;fromA;{FUTURE};0;0;0"),
        format!("c.com / q;fromC;{FUTURE};0;0;0"),
    ];
    assert_eq!(results[0], (merged.clone(), kept.clone()));
    assert_eq!(results[1], (merged, kept));
}

/// Files both loaders refuse, with the same errno where upstream sets one, and a missing file.
#[test]
fn bad_files_fail_in_both() {
    let Some((ours, up)) = common::ours_and_upstream() else { return };
    let dir = work_dir("bad");
    let f = FUTURE;
    // (text, upstream's errno: EBADMSG where LoadDomainAndPath / LoadCookie set
    // ERROR_BAD_FORMAT / ERROR_INVALID_DATA; none where only AdjustDomain / AdjustPath fail,
    // for which this library sets EBADMSG too)
    let cases: Vec<(String, i32)> = vec![
        ("example.com\n".into(), libc::EBADMSG),
        (format!("example.com /\n\tx;;{f};0;0;0\n"), libc::EBADMSG),
        ("example.com /\n\tx;v;0;0;0;0\n".into(), libc::EBADMSG),
        (format!("example.com /\n\tx;v;{f};0;0;3\n"), libc::EBADMSG),
        (format!("example.com /\n\t ;v;{f};0;0;0\n"), libc::EBADMSG),
        (format!("example.com /\n\tx;v;{f};0;0\n"), libc::EBADMSG),
        ("... /\n".into(), 0),
        ("example.com nodir\n".into(), 0),
    ];
    for (i, (text, up_errno)) in cases.iter().enumerate() {
        let file = dir.join(format!("bad{i}.txt"));
        std::fs::write(&file, text).unwrap();
        assert_eq!(run(&ours, &[&"load", &file]), format!("load rc=0 errno={}\n", libc::EBADMSG), "{text:?}");
        assert_eq!(run(&up, &[&"load", &file]), format!("load rc=0 errno={up_errno}\n"), "{text:?}");
    }
    let missing = dir.join("missing.txt");
    for lib in [&ours, &up] {
        assert_eq!(run(lib, &[&"load", &missing]), format!("load rc=0 errno={}\n", libc::ENOENT));
    }
    // Deliberate difference: a cookie line before any `domain path` line. Upstream's
    // LoadFromFile has no cookie set yet and calls SetCookieNoLock with the empty domain it
    // has, storing a cookie no request can match; this library refuses the file.
    let orphan = dir.join("orphan.txt");
    std::fs::write(&orphan, format!("\tx;v;{f};0;0;0\n")).unwrap();
    assert_eq!(run(&up, &[&"load", &orphan]), "load rc=1 errno=0\n");
    assert_eq!(run(&ours, &[&"load", &orphan]), format!("load rc=0 errno={}\n", libc::EBADMSG));
}
