//! SYS_* against upstream HP-Socket 5.1.1 (byte for byte, for every deterministic function it
//! has) and zlib / gzip against Python's zlib, in separate processes.
mod common;

use std::process::Command;

fn peer() -> std::path::PathBuf {
    static PEER: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    PEER.get_or_init(build_peer).clone()
}

fn build_peer() -> std::path::PathBuf {
    let exe = common::out_dir().join("sys_peer");
    let out = Command::new("cc")
        .args(["-std=gnu99", "-O1", "-Wall", "-Wextra", "-Werror"])
        .arg(common::root().join("tests/interop/sys_peer.c"))
        .arg("-o")
        .arg(&exe)
        .arg("-ldl")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    exe
}

fn run(exe: &std::path::Path, args: &[&std::ffi::OsStr]) -> String {
    let out = Command::new(exe).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn same_results_as_upstream_5_1_1() {
    let Some(up) = common::upstream_lib() else {
        eprintln!("SKIPPED: upstream 5.1.1 library could not be fetched");
        return;
    };
    let exe = peer();
    let ours = run(&exe, &[common::lib_dir().join("libhpsocket4c.so").as_os_str()]);
    let theirs = run(&exe, &[up.as_os_str()]);
    assert!(ours.lines().count() > 100);
    for (a, b) in ours.lines().zip(theirs.lines()) {
        assert_eq!(a, b, "ours vs upstream");
    }
    assert_eq!(ours.lines().count(), theirs.lines().count());
}

/// The data sys_peer compresses, regenerated in Python.
const PY_DATA: &str = "data = bytes(((i * 7) ^ (i >> 8)) & 0xFF for i in range(100000))\n";

#[test]
fn zlib_and_gzip_round_trip_with_python() {
    let exe = peer();
    let lib = common::lib_dir().join("libhpsocket4c.so");
    let dir = common::out_dir().join("zlib-python");
    std::fs::create_dir_all(&dir).unwrap();
    // ours -> Python
    run(&exe, &[lib.as_os_str(), "zdump".as_ref(), dir.as_os_str()]);
    let check = format!(
        "import zlib, gzip, sys\n{PY_DATA}d = sys.argv[1]\nassert zlib.decompress(open(d + '/data.zlib', 'rb').read()) == data\nassert gzip.decompress(open(d + '/data.gz', 'rb').read()) == data\nprint('ok')\n"
    );
    let out = Command::new("python3").arg("-c").arg(&check).arg(&dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Python -> ours
    let make = format!(
        "import zlib, gzip, sys\n{PY_DATA}d = sys.argv[1]\nopen(d + '/data.zlib', 'wb').write(zlib.compress(data, 9))\nopen(d + '/data.gz', 'wb').write(gzip.compress(data))\n"
    );
    let out = Command::new("python3").arg("-c").arg(&make).arg(&dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let res = run(&exe, &[lib.as_os_str(), "zload".as_ref(), dir.as_os_str()]);
    assert_eq!(res, "data.zlib rc=0 ok=1\ndata.gz rc=0 ok=1\n");
}
