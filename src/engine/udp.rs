//! UDP server and client connections, as upstream emulates them over datagrams.
//!
//! A server has one socket; its receive loop keys peers by address and hands each datagram to
//! that peer's connection task (created on the first datagram, which raises OnAccept). A client
//! has a connected socket read by its one connection task. Both sides keep upstream's wire
//! conventions: a zero-length datagram is a heartbeat ("detect") that the server answers, and a
//! fixed 16-byte datagram tells the peer the connection is closed.

use super::arq::{self, ArqOptions, Session};
use super::net::{self, os};
use super::component::{IdSource, Shared};
use super::conn::{CloseReason, Conn};
use super::options::Options;
use super::{ConnId, Handled, Op};
use socket2::SockAddr;
use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::Interest;
use tokio::net::UdpSocket;

/// The datagram that closes a connection (sent by whichever side closes it).
pub const CLOSE_NOTIFY: [u8; 16] = [0xBE, 0xB6, 0x1F, 0xEB, 0xDA, 0x52, 0x46, 0xBA, 0x92, 0x33, 0x59, 0xDB, 0xBF, 0xE6, 0xC8, 0xE4];

/// Reads at most this many datagrams in a row before letting other tasks run.
const READS_PER_TURN: usize = 32;

/// What a connection task has to raise, in order.
enum Inbound {
    /// A datagram from the peer (OnReceive).
    Data(Vec<u8>),
    /// A datagram sent by the application (OnSend).
    Sent(Vec<u8>),
}

/// The UDP side of a connection.
pub struct UdpPart {
    inbox: Mutex<VecDeque<Inbound>>,
    /// Items in `inbox`, readable without its lock.
    queued: AtomicUsize,
    /// A server connection's task is greeted and running: the receive loop may raise OnReceive
    /// itself (see `route`). Cleared, under the `busy` handshake, before the connection ends.
    ready: AtomicBool,
    /// Somebody (the receive loop or the connection's task) is raising this connection's
    /// callbacks: one at a time, so that they stay in order.
    busy: AtomicBool,
    /// Detect ticks since the peer was last heard from.
    fails: AtomicU32,
    /// The peer closed with its notification: nothing is sent back.
    peer_closed: AtomicBool,
    /// The peer's address in the layout upstream's OnAccept passes as `pClient` (a UdpCast's
    /// group or broadcast address).
    sockaddr: SockAddr,
    /// UdpCast: the sender of the datagram being (or last) received.
    last_from: Mutex<Option<SocketAddr>>,
    /// The socket has the peer as its default destination (clients).
    connected: bool,
    /// UdpArqServer / UdpArqClient: the handshake and KCP state.
    arq: Option<Mutex<Session>>,
}

impl UdpPart {
    /// Where this connection's datagrams go: None for a connected socket.
    fn dest(&self) -> Option<&SockAddr> {
        (!self.connected).then_some(&self.sockaddr)
    }
    fn push(&self, item: Inbound) {
        let mut q = self.inbox.lock().unwrap();
        q.push_back(item);
        self.queued.store(q.len(), Ordering::SeqCst);
    }
    fn pop(&self) -> Option<Inbound> {
        let mut q = self.inbox.lock().unwrap();
        let item = q.pop_front();
        self.queued.store(q.len(), Ordering::SeqCst);
        item
    }
    fn has_inbound(&self) -> bool {
        self.queued.load(Ordering::SeqCst) > 0
    }
    /// Takes the right to raise this connection's callbacks; false when another has it.
    fn enter(&self) -> bool {
        !self.busy.swap(true, Ordering::SeqCst)
    }
    fn leave(&self) {
        self.busy.store(false, Ordering::SeqCst);
    }
    /// The connection's task is about to end: from here on the receive loop only queues, and
    /// a callback it is raising right now finishes first (so none comes after OnClose).
    fn close_gate(&self) {
        self.ready.store(false, Ordering::SeqCst);
        while self.busy.load(Ordering::SeqCst) {
            std::thread::yield_now();
        }
    }
}

/// One datagram into `buf`: its real length (above `buf.len()` when it was truncated: MSG_TRUNC)
/// and its sender.
fn recv_from(sock: &UdpSocket, buf: &mut [u8]) -> io::Result<(usize, SockAddr)> {
    let fd = sock.as_raw_fd();
    sock.try_io(Interest::READABLE, || {
        // SAFETY: sockaddr_storage is plain data; all-zero is a valid value.
        let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        // SAFETY: `buf` is writable for `buf.len()` bytes and `ss`/`len` describe writable
        // storage of the size given; recvfrom writes within both.
        let n = unsafe { libc::recvfrom(fd, buf.as_mut_ptr() as *mut _, buf.len(), libc::MSG_TRUNC | libc::MSG_DONTWAIT, &mut ss as *mut _ as *mut libc::sockaddr, &mut len) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: recvfrom filled `len` bytes of the storage with a socket address.
        Ok((n as usize, unsafe { SockAddr::new(ss, len) }))
    })
}

/// A UDP connection object: `fd` is the socket it sends on (`connected`: to its peer by
/// default); `arq` makes it an ARQ connection.
pub fn new_conn(id: ConnId, fd: RawFd, local: SocketAddr, remote: SocketAddr, host: Option<String>, connected: bool, arq: Option<&ArqOptions>) -> Arc<Conn> {
    let mut c = Conn::new(id, fd, local, remote, host, true, false);
    c.udp = Some(Box::new(UdpPart {
        inbox: Mutex::new(VecDeque::new()),
        queued: AtomicUsize::new(0),
        ready: AtomicBool::new(false),
        busy: AtomicBool::new(false),
        fails: AtomicU32::new(0),
        peer_closed: AtomicBool::new(false),
        sockaddr: SockAddr::from(remote),
        last_from: Mutex::new(None),
        connected,
        arq: arq.map(|o| Mutex::new(Session::new(o))),
    }));
    Arc::new(c)
}

/// ARQ: messages queued or unacknowledged on a connection (None: not an ARQ connection).
pub fn arq_waiting(c: &Conn) -> Option<usize> {
    c.udp.as_deref()?.arq.as_ref().map(|s| s.lock().unwrap().waiting())
}

fn part(c: &Conn) -> &UdpPart {
    c.udp.as_deref().expect("a UDP connection")
}

/// UdpCast: who sent the datagram being (or last) received.
pub fn last_from(c: &Conn) -> Option<SocketAddr> {
    c.udp.as_deref().and_then(|p| *p.last_from.lock().unwrap())
}

/// Where a closing connection sends the close notification.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Notify {
    /// To the peer's address (server connections).
    Peer,
    /// On the connected socket (clients).
    Connected,
    /// Not at all (UdpCast).
    Never,
}

/// Sends one datagram, gathered from `bufs`, to the connection's peer (on an ARQ connection,
/// one message through KCP). A full socket buffer is waited out briefly (datagrams are never
/// split or queued), with no lock held while waiting.
pub fn send(shared: &Shared, c: &Conn, bufs: &[&[u8]]) -> Result<(), i32> {
    let p = part(c);
    let on_send = shared.events.wants_on_send();
    // KCP and OnSend want the message in one piece; a plain datagram is gathered by sendmsg.
    let whole = (p.arq.is_some() || on_send).then(|| bufs.concat());
    let mut waits = 0;
    loop {
        // The connection's send lock keeps its socket open for the call.
        let sent = c.while_open(|| match &whole {
            Some(msg) if p.arq.is_some() => with_session(c, |s, out| s.send(msg, arq::now_ms(), out)).unwrap_or(Ok(())),
            _ => send_raw(c.fd, bufs, p.dest()),
        });
        match sent.ok_or(libc::ENOTCONN)? {
            Ok(()) => break,
            Err(libc::EAGAIN) if waits < SEND_WAITS => {
                waits += 1;
                wait_writable(c.fd);
            }
            Err(e) => return Err(e),
        }
    }
    if let (true, Some(msg)) = (on_send, whole) {
        p.push(Inbound::Sent(msg));
        c.wake();
    }
    Ok(())
}

/// How many times a Send waits for room in a full socket buffer (10 ms each) before failing
/// with EAGAIN.
const SEND_WAITS: u32 = 100;

/// Waits up to 10 ms for `fd` to take more data. Called with no lock held: should the socket
/// be closed meanwhile, the wait is merely cut short and the next attempt sees it closed.
fn wait_writable(fd: RawFd) {
    let mut p = libc::pollfd { fd, events: libc::POLLOUT, revents: 0 };
    // SAFETY: one valid pollfd for the duration of the call.
    unsafe { libc::poll(&mut p, 1, 10) };
}

/// Runs `f` on the connection's ARQ session (None for other connections), with the output that
/// sends KCP's and the handshake's datagrams to the peer. A datagram the socket has no room for
/// is dropped: KCP sends it again, as it would after a loss.
fn with_session<R>(conn: &Conn, f: impl FnOnce(&mut Session, &mut dyn FnMut(&[u8])) -> R) -> Option<R> {
    let p = part(conn);
    let s = p.arq.as_ref()?;
    let to = p.dest();
    let mut out = |d: &[u8]| {
        let _ = send_raw(conn.fd, &[d], to);
    };
    let mut s = s.lock().unwrap();
    Some(f(&mut s, &mut out))
}

/// One non-blocking `sendmsg` of one datagram gathered from `bufs`: Err(EAGAIN) when the socket
/// buffer is full (callers decide whether to wait, never while holding a lock).
fn send_raw(fd: RawFd, bufs: &[&[u8]], to: Option<&SockAddr>) -> Result<(), i32> {
    if let [one] = bufs {
        // One piece (most sends): `sendto`, without a message header for the kernel to copy in.
        let (addr, len) = to.map_or((std::ptr::null(), 0), |a| (a.as_ptr(), a.len()));
        // SAFETY: `one` and the address (when given) are live for the whole call and sendto only
        // reads them; a null address with length 0 is how a connected socket is sent on.
        return net::retry_eintr(|| unsafe { libc::sendto(fd, one.as_ptr() as *const libc::c_void, one.len(), libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT, addr, len) }).map(drop);
    }
    let iovec = |b: &&[u8]| libc::iovec { iov_base: b.as_ptr() as *mut _, iov_len: b.len() };
    let mut few = [libc::iovec { iov_base: std::ptr::null_mut(), iov_len: 0 }; 4];
    let mut many = Vec::new();
    let iov: &mut [libc::iovec] = if bufs.len() <= few.len() {
        for (v, b) in few.iter_mut().zip(bufs) {
            *v = iovec(b);
        }
        &mut few[..bufs.len()]
    } else {
        many.extend(bufs.iter().map(iovec));
        &mut many
    };
    // SAFETY: msghdr is plain data; all-zero is a valid empty header.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    if let Some(a) = to {
        msg.msg_name = a.as_ptr() as *mut _;
        msg.msg_namelen = a.len();
    }
    msg.msg_iov = iov.as_mut_ptr();
    msg.msg_iovlen = iov.len() as _;
    // SAFETY: msg points at live buffers and address for the duration of the call.
    net::retry_eintr(|| unsafe { libc::sendmsg(fd, &msg, libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT) }).map(drop)
}

// ---- server ----

/// The server's receive loop: routes each datagram to its peer's connection, accepting new
/// peers, answering detects and honouring close notifications.
pub(crate) async fn server_loop(shared: Arc<Shared>, sock: std::net::UdpSocket, workers: Vec<tokio::runtime::Handle>, opts: Options, ids: IdSource, local: Option<SocketAddr>) {
    let Ok(sock) = UdpSocket::from_std(sock) else { return };
    let sock = Arc::new(sock);
    let fd = sock.as_raw_fd();
    let max = opts.max_datagram_size as usize;
    let local = local.unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
    let mut batch = Batch::new(max.max(CLOSE_NOTIFY.len()));
    let detect = detect_of(&opts);
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut next = 0usize;
    loop {
        if shared.is_stopping() {
            return;
        }
        let ready = tokio::select! {
            r = sock.readable() => r,
            _ = tick.tick() => continue,
        };
        if ready.is_err() {
            return;
        }
        for _ in 0..READS_PER_TURN {
            let got = match batch.recv(&sock) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                // Interrupted, or an ICMP error for an earlier send: on to the next datagrams.
                Err(_) => continue,
            };
            for i in 0..got {
                let (n, truncated, addr) = batch.get(i);
                let Some(peer) = addr.as_socket() else { continue };
                let truncated = truncated || n > max;
                let data = &batch.data(i)[..n.min(max)];
                let Some((conn, is_new)) = find_or_accept(&shared, fd, peer, data, truncated, &opts, &ids, local) else { continue };
                // A closing connection takes nothing more.
                if conn.is_closed() || conn.close_requested().is_some() {
                    continue;
                }
                route(&shared, fd, &conn, data, truncated, is_new);
                if is_new {
                    let worker = &workers[next % workers.len()];
                    next = next.wrapping_add(1);
                    crate::engine::conn::spawn_conn_task(worker, shared.clone(), conn.clone(), server_conn(shared.clone(), conn, sock.clone(), detect, max));
                }
            }
        }
        // The connections' tasks on this worker get their turn.
        tokio::task::yield_now().await;
    }
}

/// Datagrams received per system call by a server's receive loop.
const BATCH: usize = 16;

/// The receive loop's `recvmmsg` buffers: BATCH datagrams of up to `size` bytes with their
/// senders.
struct Batch {
    size: usize,
    bufs: Vec<u8>,
    addrs: Vec<libc::sockaddr_storage>,
    msgs: Vec<libc::mmsghdr>,
    iovs: Vec<libc::iovec>,
}

// SAFETY: the raw pointers inside `msgs` and `iovs` point into the Batch's own vectors (set
// again before every call); nothing is shared with another thread.
unsafe impl Send for Batch {}

impl Batch {
    fn new(size: usize) -> Batch {
        // SAFETY: sockaddr_storage, mmsghdr and iovec are plain C data; all-zero is valid.
        let zero_addr: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        let zero_msg: libc::mmsghdr = unsafe { std::mem::zeroed() };
        Batch {
            size,
            bufs: vec![0u8; size * BATCH],
            addrs: vec![zero_addr; BATCH],
            msgs: vec![zero_msg; BATCH],
            iovs: vec![libc::iovec { iov_base: std::ptr::null_mut(), iov_len: 0 }; BATCH],
        }
    }

    /// Receives up to BATCH datagrams; the number received.
    fn recv(&mut self, sock: &UdpSocket) -> io::Result<usize> {
        let fd = sock.as_raw_fd();
        for i in 0..BATCH {
            self.iovs[i] = libc::iovec { iov_base: self.bufs[i * self.size..].as_mut_ptr() as *mut _, iov_len: self.size };
            let m = &mut self.msgs[i];
            m.msg_hdr.msg_name = &mut self.addrs[i] as *mut _ as *mut libc::c_void;
            m.msg_hdr.msg_namelen = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
            m.msg_hdr.msg_iov = &mut self.iovs[i];
            m.msg_hdr.msg_iovlen = 1;
            m.msg_hdr.msg_control = std::ptr::null_mut();
            m.msg_hdr.msg_controllen = 0;
            m.msg_hdr.msg_flags = 0;
            m.msg_len = 0;
        }
        let msgs = self.msgs.as_mut_ptr();
        sock.try_io(Interest::READABLE, || {
            // SAFETY: `msgs` holds BATCH headers, each naming a writable sockaddr_storage and one
            // iovec over its own `size`-byte slice of `bufs`; recvmmsg writes within them.
            let n = unsafe { libc::recvmmsg(fd, msgs, BATCH as libc::c_uint, libc::MSG_DONTWAIT, std::ptr::null_mut()) };
            if n < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(n as usize)
        })
    }

    /// Datagram `i` of the last `recv`: its length (at most `size`), whether it was truncated,
    /// and its sender.
    fn get(&self, i: usize) -> (usize, bool, SockAddr) {
        let m = &self.msgs[i];
        let truncated = m.msg_hdr.msg_flags & libc::MSG_TRUNC != 0;
        // SAFETY: recvmmsg filled `msg_namelen` bytes of this storage with a socket address.
        let addr = unsafe { SockAddr::new(self.addrs[i], m.msg_hdr.msg_namelen) };
        ((m.msg_len as usize).min(self.size), truncated, addr)
    }

    fn data(&self, i: usize) -> &[u8] {
        &self.bufs[i * self.size..(i + 1) * self.size]
    }
}

fn detect_of(opts: &Options) -> Option<(u32, Duration)> {
    (opts.detect_attempts > 0 && opts.detect_interval > 0).then(|| (opts.detect_attempts, Duration::from_millis(opts.detect_interval as u64)))
}

/// The connection of `peer`, and whether it is new (its task not yet started); None: the
/// datagram is dropped.
#[allow(clippy::too_many_arguments)]
fn find_or_accept(shared: &Arc<Shared>, fd: RawFd, peer: SocketAddr, data: &[u8], truncated: bool, opts: &Options, ids: &IdSource, local: SocketAddr) -> Option<(Arc<Conn>, bool)> {
    if let Some(c) = shared.addrs.get(&peer) {
        return Some((c.clone(), false));
    }
    // A stranger's oversize datagram or goodbye opens nothing.
    if truncated || data == CLOSE_NOTIFY || shared.is_stopping() {
        return None;
    }
    if shared.conns.len() >= opts.max_connections as usize {
        let _ = send_raw(fd, &[&CLOSE_NOTIFY], Some(&SockAddr::from(peer)));
        return None;
    }
    let id = ids.next();
    let conn = new_conn(id, fd, local, peer, None, false, shared.arq.then_some(&opts.arq));
    shared.conns.insert(id, conn.clone());
    shared.addrs.insert(peer, conn.clone());
    shared.task_started();
    Some((conn, true))
}

/// Hands a datagram to its connection (whose task is woken unless it is yet to start).
fn route(shared: &Shared, fd: RawFd, conn: &Conn, data: &[u8], truncated: bool, is_new: bool) {
    let p = part(conn);
    p.fails.store(0, Ordering::Relaxed);
    if truncated {
        conn.request_close(Op::Receive, libc::EMSGSIZE);
    } else if data.is_empty() {
        let _ = send_raw(fd, &[], Some(&p.sockaddr));
    } else if data == CLOSE_NOTIFY {
        p.peer_closed.store(true, Ordering::Release);
        conn.request_close(Op::Close, 0);
    } else {
        if shared.mark_silence() {
            conn.mark_active();
        }
        if !is_new && deliver_here(shared, conn, p, data) {
            return;
        }
        p.push(Inbound::Data(data.to_vec()));
        if !is_new {
            conn.wake();
        }
    }
}

/// Raises OnReceive for a datagram on the receive loop itself, when the connection's task is
/// running, has nothing queued and is not raising a callback: no copy, no hand-over, no
/// wake-up. Returns false when the datagram must be queued instead.
fn deliver_here(shared: &Shared, conn: &Conn, p: &UdpPart, data: &[u8]) -> bool {
    if p.arq.is_some() || p.has_inbound() || conn.paused.load(Ordering::Acquire) || !p.enter() {
        return false;
    }
    if !p.ready.load(Ordering::SeqCst) || p.has_inbound() {
        p.leave();
        return false;
    }
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| receive_datagram(shared, conn, data))).unwrap_or(Some(CloseReason { op: Op::Close, code: libc::ENOTRECOVERABLE }));
    p.leave();
    if let Some(r) = r {
        conn.request_close(r.op, r.code);
        conn.wake();
    } else if p.has_inbound() {
        // Something (an OnSend) was queued while this ran: the task raises it.
        conn.wake();
    }
    true
}

/// One server connection: OnAccept, OnHandShake, then its datagrams, detect ticks and close.
/// `sock` keeps the server's socket open (its sends use its descriptor) until the close
/// notification has gone out.
async fn server_conn(shared: Arc<Shared>, conn: Arc<Conn>, sock: Arc<UdpSocket>, detect: Option<(u32, Duration)>, max: usize) {
    let reason = drive(&shared, &conn, Reader::Server, detect, max, None).await;
    part(&conn).close_gate();
    finish(&shared, &conn, reason, Notify::Peer);
    drop(sock);
}

/// Who reads a connection's datagrams: the server's receive loop (into the inbox), or the
/// connection's own socket (a client: detect answers and close notifications; a cast: sender
/// addresses).
#[derive(Clone, Copy)]
enum Reader<'a> {
    Server,
    Client(&'a UdpSocket),
    Cast(&'a UdpSocket),
}

/// A connection's life: its greeting, then queued datagrams and sends, reads, detect and ARQ
/// ticks until a close.
async fn drive(shared: &Shared, conn: &Conn, reader: Reader<'_>, detect: Option<(u32, Duration)>, max: usize, connected: Option<&SyncSender<i32>>) -> Option<CloseReason> {
    let ev = &*shared.events;
    let p = part(conn);
    if shared.is_stopping() {
        conn.request_close(Op::Close, 0);
    }
    let greeted = match reader {
        Reader::Server => ev.on_accept(conn.id, p.sockaddr.as_ptr() as usize),
        _ => {
            shared.client_connected();
            ev.on_connect(conn.id)
        }
    };
    if let Some(tx) = connected {
        let _ = tx.try_send(if greeted == Handled::Error { super::cancelled() } else { 0 });
    }
    if greeted == Handled::Error {
        return None;
    }
    if let Some(r) = conn.close_requested() {
        return Some(r);
    }
    let (sock, cast) = match reader {
        Reader::Server => (None, false),
        Reader::Client(s) => (Some(s), false),
        Reader::Cast(s) => (Some(s), true),
    };
    let client = sock.is_some() && !cast;
    if client {
        // The first detect lets the server know us at once.
        let _ = send_raw(conn.fd, &[], None);
    }
    if let Some(r) = greet_ready(shared, conn) {
        return Some(r);
    }
    let mut tick = detect.map(|(_, iv)| tokio::time::interval_at(tokio::time::Instant::now() + iv, iv));
    let mut arq_tick = arq_ticker(shared);
    let mut buf = if sock.is_some() { vec![0u8; max.max(CLOSE_NOTIFY.len())] } else { Vec::new() };
    if matches!(reader, Reader::Server) {
        p.ready.store(true, Ordering::SeqCst);
    }
    loop {
        if let Some(r) = deliver(shared, conn) {
            return Some(r);
        }
        let paused = conn.paused.load(Ordering::Acquire);
        // Queued items the receive loop is not raising itself are raised at once (else the
        // loop wakes this task once it is done).
        if conn.close_requested().is_some() || (p.has_inbound() && !p.busy.load(Ordering::SeqCst)) {
            continue;
        }
        tokio::select! {
            biased;
            _ = conn.wake.notified() => {}
            _ = async { tick.as_mut().unwrap().tick().await }, if tick.is_some() => {
                if let Some(r) = detect_tick(p, detect) {
                    return Some(r);
                }
                if client {
                    let _ = send_raw(conn.fd, &[], None);
                }
            }
            _ = async { arq_tick.as_mut().unwrap().tick().await }, if arq_tick.is_some() => {
                if let Some(r) = arq_periodic(conn) {
                    return Some(r);
                }
            }
            r = async { sock.unwrap().readable().await }, if sock.is_some() && !paused => {
                if r.is_err() {
                    return Some(CloseReason { op: Op::Receive, code: libc::EIO });
                }
                if let Some(r) = read_datagrams(shared, conn, sock.unwrap(), &mut buf, max, cast) {
                    return Some(r);
                }
            }
        }
    }
}

/// After OnAccept / OnConnect: OnHandShake at once, or on an ARQ connection the first
/// handshake datagram (OnHandShake follows when the peer completes it).
fn greet_ready(shared: &Shared, conn: &Conn) -> Option<CloseReason> {
    match &part(conn).arq {
        // HR_ERROR: dropped without OnClose, as upstream (and as a TCP connection here).
        None => (shared.events.on_handshake(conn.id) == Handled::Error).then_some(CloseReason::DROP),
        Some(_) => arq_periodic(conn),
    }
}

/// The ARQ flush timer (every FlushInterval), when the component is an ARQ one.
fn arq_ticker(shared: &Shared) -> Option<tokio::time::Interval> {
    let ms = shared.arq_flush_interval();
    (ms > 0).then(|| {
        let iv = Duration::from_millis(ms as u64);
        let mut t = tokio::time::interval_at(tokio::time::Instant::now() + iv, iv);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        t
    })
}

/// One ARQ tick: handshake resends (and its timeout), KCP's update.
fn arq_periodic(conn: &Conn) -> Option<CloseReason> {
    let r = with_session(conn, |s, out| s.tick(arq::now_ms(), out))?;
    r.err().map(|code| CloseReason { op: Op::Close, code })
}

/// One datagram on an ARQ connection: the handshake or KCP; then OnHandShake / OnReceive for
/// what it completed, outside the session's lock (so the callbacks may Send).
fn arq_input(shared: &Shared, conn: &Conn, data: &[u8]) -> Option<CloseReason> {
    let mut events = Vec::new();
    let r = with_session(conn, |s, out| s.receive(data, arq::now_ms(), out, &mut events))?;
    let ev = &*shared.events;
    for e in events {
        match e {
            // HR_ERROR: dropped without OnClose, as upstream.
            arq::Event::HandShake if ev.on_handshake(conn.id) == Handled::Error => return Some(CloseReason::DROP),
            arq::Event::HandShake => {}
            arq::Event::Message(m) if ev.on_receive(conn.id, &m) == Handled::Error => return Some(CloseReason { op: Op::Receive, code: super::cancelled() }),
            arq::Event::Message(_) => {}
        }
    }
    r.err().map(|code| CloseReason { op: Op::Receive, code })
}

/// One detect interval passed: too many without a word from the peer closes the connection.
fn detect_tick(p: &UdpPart, detect: Option<(u32, Duration)>) -> Option<CloseReason> {
    let attempts = detect.map_or(0, |d| d.0);
    let fails = p.fails.fetch_add(1, Ordering::Relaxed);
    (fails >= attempts).then_some(CloseReason { op: Op::Close, code: libc::ECONNRESET })
}

/// Raises OnReceive / OnSend for what is queued; a close request stops it.
fn deliver(shared: &Shared, conn: &Conn) -> Option<CloseReason> {
    let p = part(conn);
    loop {
        if let Some(r) = conn.close_requested() {
            return Some(r);
        }
        if !p.has_inbound() || !p.enter() {
            // Nothing queued, or the receive loop is raising a callback (it wakes us after).
            return None;
        }
        let r = match p.pop() {
            None => None,
            Some(Inbound::Data(d)) => receive_datagram(shared, conn, &d),
            Some(Inbound::Sent(d)) => {
                shared.events.on_send(conn.id, &d);
                None
            }
        };
        p.leave();
        if r.is_some() {
            return r;
        }
    }
}

/// A datagram from the peer: to ARQ on an ARQ connection, else to OnReceive.
fn receive_datagram(shared: &Shared, conn: &Conn, data: &[u8]) -> Option<CloseReason> {
    if part(conn).arq.is_some() {
        arq_input(shared, conn, data)
    } else {
        (shared.events.on_receive(conn.id, data) == Handled::Error).then_some(CloseReason { op: Op::Receive, code: super::cancelled() })
    }
}

/// Ends a connection: the close notification (unless the peer sent one, or the connection was
/// refused by OnAccept), OnClose once, and removal.
fn finish(shared: &Shared, conn: &Conn, reason: Option<CloseReason>, notify: Notify) {
    let p = part(conn);
    if reason.is_some() && notify != Notify::Never && !p.peer_closed.load(Ordering::Acquire) {
        let to = (notify == Notify::Peer).then_some(&p.sockaddr);
        let _ = send_raw(conn.fd, &[&CLOSE_NOTIFY], to);
    }
    conn.mark_closed();
    p.inbox.lock().unwrap().clear();
    conn.end_stage.store(crate::engine::conn::CLOSE_REPORTED, Ordering::Release);
    // A connection dropped (OnHandShake's HR_ERROR) gets its close notification but no OnClose.
    if let Some(r) = reason.filter(|r| *r != CloseReason::DROP) {
        shared.report_close(conn.id, r.op, r.code);
    }
    shared.addrs.remove_if(&conn.remote, |_, c| c.id == conn.id);
    shared.remove(conn.id);
    conn.end_stage.store(crate::engine::conn::ENDED, Ordering::Release);
    shared.conn_ended();
}

// ---- client and cast ----

/// The client's connection: OnConnect, a first detect, OnHandShake (or the ARQ handshake), then
/// reads, detect ticks and close.
/// `connected`: told whether OnConnect accepted the connection (Start waits for it, as upstream
/// raises OnConnect inside Start).
pub(crate) async fn client_conn(shared: Arc<Shared>, conn: Arc<Conn>, sock: std::net::UdpSocket, opts: Options, connected: SyncSender<i32>) {
    match UdpSocket::from_std(sock) {
        Ok(sock) => {
            let r = drive(&shared, &conn, Reader::Client(&sock), detect_of(&opts), opts.max_datagram_size as usize, Some(&connected)).await;
            let _ = connected.try_send(libc::ECANCELED);
            // The socket stays open until the close notification has gone out on it.
            finish(&shared, &conn, r, Notify::Connected);
        }
        Err(e) => finish(&shared, &conn, Some(CloseReason { op: Op::Connect, code: os(&e) }), Notify::Connected),
    }
}

/// A UdpCast's life: OnConnect, OnHandShake, then every datagram to the group (or broadcast
/// port) until Stop. `recv` is bound to the cast address, `send` (the connection's fd) sends.
pub(crate) async fn cast_conn(shared: Arc<Shared>, conn: Arc<Conn>, recv: std::net::UdpSocket, send: std::net::UdpSocket, opts: Options, connected: SyncSender<i32>) {
    let r = match UdpSocket::from_std(recv) {
        Ok(recv) => drive(&shared, &conn, Reader::Cast(&recv), None, opts.max_datagram_size as usize, Some(&connected)).await,
        Err(e) => Some(CloseReason { op: Op::Connect, code: os(&e) }),
    };
    let _ = connected.try_send(libc::ECANCELED);
    finish(&shared, &conn, r, Notify::Never);
    drop(send);
}

/// Reads what the socket holds (a bounded number of datagrams) and hands each over: to the
/// application, to ARQ, or to the detect and close-notification logic.
fn read_datagrams(shared: &Shared, conn: &Conn, sock: &UdpSocket, buf: &mut [u8], max: usize, cast: bool) -> Option<CloseReason> {
    let p = part(conn);
    for _ in 0..READS_PER_TURN {
        if conn.paused.load(Ordering::Acquire) || conn.close_requested().is_some() {
            return None;
        }
        let (n, from) = match recv_from(sock, &mut buf[..max]) {
            Ok(x) => x,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return None,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Some(CloseReason { op: Op::Receive, code: os(&e) }),
        };
        if cast {
            if n > max {
                continue; // as upstream: an oversize datagram is skipped
            }
            *p.last_from.lock().unwrap() = from.as_socket();
        } else {
            p.fails.store(0, Ordering::Relaxed);
            if n == 0 {
                continue; // the server's detect answer
            }
            if n > max {
                return Some(CloseReason { op: Op::Receive, code: libc::EMSGSIZE });
            }
            if buf[..n] == CLOSE_NOTIFY {
                p.peer_closed.store(true, Ordering::Release);
                return Some(CloseReason { op: Op::Close, code: 0 });
            }
        }
        if shared.mark_silence() {
            conn.mark_active();
        }
        if let Some(r) = receive_datagram(shared, conn, &buf[..n]) {
            return Some(r);
        }
    }
    None
}
