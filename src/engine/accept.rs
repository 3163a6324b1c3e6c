//! A TCP server's accept loop: takes every waiting connection, hands each to a worker, and keeps
//! going when the process runs out of file descriptors.
//!
//! Out of descriptors (`EMFILE`, `ENFILE`) a connection stays in the kernel's backlog and the
//! listener stays readable, so a plain loop would spin on the failing accept and starve the
//! connections of its own worker, whose closing would free descriptors. Instead the loop keeps
//! one spare descriptor: at the limit it gives the spare up, accepts the waiting connection and
//! closes it at once (the peer sees the connection end instead of hanging), takes the spare
//! again, and waits for its next tick before accepting more. As soon as descriptors free up,
//! accepting works as before.

use super::component::{shared_pull, IdSource, Shared};
use super::connect::finish_failed;
use super::net::{configure_stream_ref, os, stream_opts, StreamOpts};
use super::conn::{self, Conn, ConnTask, Greeting};
use super::options::Options;
use super::Op;
use socket2::SockAddr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

/// How often the loop looks at the stop flag, and how long it waits after shedding.
const TICK: Duration = Duration::from_millis(100);

/// A descriptor held back for shedding connections when the process has no other.
fn spare_fd() -> Option<OwnedFd> {
    // SAFETY: opening /dev/null with a NUL-terminated path; a non-negative result is a new
    // descriptor that nothing else owns.
    let fd = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
    // SAFETY: `fd` is a fresh descriptor owned by no one else.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) })
}

/// One accept4: a non-blocking, close-on-exec connection and its peer's address.
fn accept_one(fd: RawFd) -> std::io::Result<(std::net::TcpStream, SockAddr)> {
    // SAFETY: sockaddr_storage is plain data; all-zero is a valid value.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    // SAFETY: accept4 on our listening socket; `ss` and `len` describe writable storage of the
    // size given.
    let s = unsafe { libc::accept4(fd, &mut ss as *mut _ as *mut libc::sockaddr, &mut len, libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC) };
    if s < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `s` is a new socket that we own; accept4 filled `len` bytes of `ss`.
    Ok((unsafe { std::net::TcpStream::from_raw_fd(s) }, unsafe { SockAddr::new(ss, len) }))
}

/// Out of descriptors: gives up the spare to accept one waiting connection and close it.
/// Returns whether a connection was shed.
fn shed(fd: RawFd, spare: &mut Option<OwnedFd>) -> bool {
    drop(spare.take());
    let shed = accept_one(fd).is_ok();
    *spare = spare_fd();
    shed
}

/// `ours`: the listener's TCP options as `configure_stream_ref` left them; when the first
/// connection has exactly these, every connection inherits them and none is set again.
pub(crate) async fn accept_loop(shared: Arc<Shared>, listener: std::net::TcpListener, workers: Vec<tokio::runtime::Handle>, opts: Options, ids: IdSource, ours: Option<StreamOpts>) {
    // The listener is watched for readiness only; accept4 makes each connection non-blocking at
    // once, so it is registered just once, on the worker that will own it.
    // SAFETY: the AsyncFd owns the listener, whose descriptor stays open and the same for as
    // long as it is registered.
    let Ok(listener) = (unsafe { AsyncFd::register_with_interest(listener, Interest::READABLE) }) else { return };
    let fd = listener.as_raw_fd();
    let mut spare = spare_fd();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut next = 0usize;
    let mut backing_off = false;
    let mut inherited: Option<bool> = None;
    loop {
        if shared.is_stopping() {
            return;
        }
        if backing_off {
            tick.tick().await;
            backing_off = false;
        }
        let mut ready = tokio::select! {
            r = listener.readable() => match r {
                Ok(g) => g,
                Err(_) => return,
            },
            _ = tick.tick() => continue,
        };
        // Take every connection waiting, then wait again.
        loop {
            let (std_stream, remote) = match ready.try_io(|_| accept_one(fd)) {
                Ok(Ok((s, a))) => match a.as_socket() {
                    Some(a) => (s, a),
                    None => continue,
                },
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Ok(Err(e)) if matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)) => {
                    shed(fd, &mut spare);
                    backing_off = true;
                    break;
                }
                // A connection that failed before we took it: go on.
                Ok(Err(e)) if matches!(e.raw_os_error(), Some(libc::ECONNABORTED | libc::EPROTO | libc::EPERM)) => continue,
                // Anything else: wait a tick rather than spin on it.
                Ok(Err(_)) => {
                    backing_off = true;
                    break;
                }
                Err(_would_block) => break,
            };
            if shared.is_stopping() || shared.conns.len() >= opts.max_connections as usize {
                drop(std_stream);
                continue;
            }
            let sock = socket2::SockRef::from(&std_stream);
            let inherits = *inherited.get_or_insert_with(|| ours.is_some() && stream_opts(&sock) == ours);
            if !inherits {
                configure_stream_ref(&sock, &opts);
            }
            let local = std_stream.local_addr().unwrap_or(remote);
            let id = ids.next();
            let conn = Arc::new(Conn::new(id, std_stream.as_raw_fd(), local, remote, None, true, shared_pull(&shared)));
            shared.conns.insert(id, conn.clone());
            shared.task_started();
            let worker = &workers[next % workers.len()];
            next = next.wrapping_add(1);
            match conn::register_on(worker, std_stream) {
                Ok(stream) => drop(worker.spawn(ConnTask::new(shared.clone(), conn, stream, Greeting::Accept, None))),
                Err(e) => finish_failed(&shared, &conn, Op::Accept, os(&e)),
            }
        }
    }
}
