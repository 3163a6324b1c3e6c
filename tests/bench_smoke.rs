//! The benchmark programs build and run (a few rounds, against our library): they must not rot.
//! Numbers come from `benches/compare.sh`, never from tests.
mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn cc(name: &str) -> std::path::PathBuf {
    let exe = common::out_dir().join(name);
    let out = Command::new("cc")
        .args(["-O2", "-std=gnu99", "-Wall", "-Wextra", "-Werror"])
        .arg(common::root().join(format!("benches/{name}.c")))
        .arg("-o")
        .arg(&exe)
        .args(["-ldl", "-lpthread"])
        .output()
        .unwrap();
    assert!(out.status.success(), "cc {name}: {}", String::from_utf8_lossy(&out.stderr));
    exe
}

#[test]
fn bench_programs_run() {
    let lib = common::lib_dir().join("libhpsocket4c.so");
    let (server, client, epoll) = (cc("bench_server"), cc("bench_client"), cc("epoll_echo"));
    for (srv, model, mode, args) in [
        (vec![server.to_str().unwrap(), lib.to_str().unwrap()], "push", "pingpong", "-c 4 -r 50 -s 64"),
        (vec![server.to_str().unwrap(), lib.to_str().unwrap()], "push", "flood", "-c 4 -r 20 -s 65536"),
        (vec![server.to_str().unwrap(), lib.to_str().unwrap()], "pack", "pingpong", "-c 4 -r 50 -s 100 -m pack"),
        (vec![server.to_str().unwrap(), lib.to_str().unwrap()], "push", "pingpong", "-c 4 -r 50 -s 64 -k client"),
        (vec![epoll.to_str().unwrap()], "push", "pingpong", "-c 4 -r 50 -s 64"),
    ] {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
        let mut cmd = Command::new(srv[0]);
        cmd.args(&srv[1..]).arg(&port);
        if srv.len() > 1 {
            cmd.args(["-m", model]);
        }
        let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert!(line.starts_with("READY "), "{line}");
        let out = Command::new(&client).arg(&lib).arg(&port).arg(mode).args(args.split(' ')).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && stdout.contains(&format!("RESULT mode={mode}")), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
        drop(child.stdin.take());
        if srv.len() == 1 {
            child.kill().ok();
        }
        child.wait().unwrap();
    }

    // Small sends from application threads, against bench_server (with -p: the server's CPU time).
    let sends = cc("bench_sends");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let mut child = Command::new(&server)
        .arg(&lib)
        .arg(&port)
        .args(["-m", "push"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("READY "), "{line}");
    let pid = line.trim()["READY ".len()..].to_string();
    let out = Command::new(&sends)
        .arg(&lib)
        .arg(&port)
        .args("-t 2 -n 200 -s 100 -c 4 -p".split(' '))
        .arg(&pid)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("RESULT mode=sends threads=2 messages=200 bytes=100 ") && stdout.contains(" server_cpu_s="),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(child.stdin.take());
    child.wait().unwrap();
}
