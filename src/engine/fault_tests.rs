//! Faults found in review, reproduced at the engine level: a panicking event handler, and
//! synchronous connects to an address that never answers.

use super::component::{Component, Role};
use super::{ConnId, Events, Handled, Op, State};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use super::test_util::{to, wait_until};


/// Panics in OnReceive; records closes.
#[derive(Default)]
struct Panicky {
    closes: Mutex<Vec<(ConnId, Op, i32)>>,
}

impl Events for Panicky {
    fn on_receive(&self, _id: ConnId, data: &[u8]) -> Handled {
        if data.starts_with(b"boom") {
            panic!("a bug in an event handler");
        }
        Handled::Ok
    }
    fn on_close(&self, id: ConnId, op: Op, code: i32) -> Handled {
        self.closes.lock().unwrap().push((id, op, code));
        Handled::Ok
    }
}

#[test]
fn a_panicking_handler_closes_its_connection_and_stop_still_returns() {
    let ev = Arc::new(Panicky::default());
    let server = Arc::new(Component::new(Role::Server, ev.clone()));
    server.set_option(|o| o.worker_threads = 1);
    server.start_server(Some("127.0.0.1"), 0).unwrap();
    let port = server.listen_addr().unwrap().port();

    use std::io::Write;
    let mut calm = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut bad = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    assert!(wait_until(|| server.connection_count() == 2));
    bad.write_all(b"boom").unwrap();
    assert!(wait_until(|| !ev.closes.lock().unwrap().is_empty()));
    assert_eq!(ev.closes.lock().unwrap()[0].1, Op::Close);
    assert_eq!(ev.closes.lock().unwrap()[0].2, libc::ENOTRECOVERABLE);
    assert!(wait_until(|| server.connection_count() == 1));
    // The other connection, on the same worker, is still served.
    calm.write_all(b"hello").unwrap();
    server.stop().unwrap();
    assert_eq!(server.state(), State::Stopped);
    assert_eq!(ev.closes.lock().unwrap().len(), 2);
}

/// A listening socket that never accepts, with its backlog full: connects to it hang.
fn blackhole() -> (socket2::Socket, Vec<socket2::Socket>, u16) {
    use socket2::{Domain, Protocol, SockAddr, Socket, Type};
    let l = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).unwrap();
    l.bind(&SockAddr::from(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))).unwrap();
    l.listen(0).unwrap();
    let addr = l.local_addr().unwrap();
    let port = addr.as_socket().unwrap().port();
    let mut fill = Vec::new();
    for _ in 0..64 {
        let s = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).unwrap();
        let hung = s.connect_timeout(&addr, Duration::from_millis(300)).is_err();
        fill.push(s);
        if hung {
            return (l, fill, port);
        }
    }
    panic!("could not fill the backlog");
}

#[derive(Default)]
struct Preparing {
    prepared: AtomicUsize,
}
impl Events for Preparing {
    fn on_prepare_connect(&self, _id: ConnId, _fd: std::os::fd::RawFd) -> Handled {
        self.prepared.fetch_add(1, Ordering::SeqCst);
        Handled::Ok
    }
}

#[test]
fn synchronous_connects_run_side_by_side() {
    let (_l, _fill, port) = blackhole();
    let agent = Arc::new(Component::new(Role::Agent, Arc::new(Preparing::default())));
    agent.set_option(|o| {
        o.worker_threads = 1;
        o.sync_connect_timeout = 1500;
    });
    agent.start_agent(None, false).unwrap();
    let t = Instant::now();
    let threads: Vec<_> = (0..10)
        .map(|_| {
            let a = agent.clone();
            std::thread::spawn(move || a.connect(to(port)).1.is_err())
        })
        .collect();
    for th in threads {
        assert!(th.join().unwrap(), "a connect to the blackhole succeeded");
    }
    // One after another they would take 10 x 1.5 s.
    let took = t.elapsed();
    assert!(took < Duration::from_millis(7500), "connects serialised: {took:?}");
    agent.stop().unwrap();
}

#[test]
fn stop_does_not_wait_behind_synchronous_connects() {
    let (_l, _fill, port) = blackhole();
    let ev = Arc::new(Preparing::default());
    let agent = Arc::new(Component::new(Role::Agent, ev.clone()));
    agent.set_option(|o| {
        o.worker_threads = 1;
        o.sync_connect_timeout = 30_000;
    });
    agent.start_agent(None, false).unwrap();
    let threads: Vec<_> = (0..10)
        .map(|_| {
            let a = agent.clone();
            std::thread::spawn(move || a.connect(to(port)).1.unwrap_err().errno)
        })
        .collect();
    assert!(wait_until(|| ev.prepared.load(Ordering::SeqCst) == 10));
    let t = Instant::now();
    agent.stop().unwrap();
    let took = t.elapsed();
    for th in threads {
        assert_eq!(th.join().unwrap(), libc::ECANCELED);
    }
    // Waiting behind the connects would take their 30 s timeout.
    assert!(took < Duration::from_secs(10), "Stop waited for the connects: {took:?}");
    assert_eq!(agent.state(), State::Stopped);
}
