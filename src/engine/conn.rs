//! One TCP connection: its shared state (send queue, extra data, flags) and the task that
//! reads, flushes and closes it on its worker.

use super::{net, ConnId, Handled, Op};
use crate::engine::component::Shared;
use crate::engine::recv::PullBuf;
use crate::engine::stack::{Framing, FramingSwitch};
use std::pin::Pin;
use std::sync::mpsc::SyncSender;
use std::future::Future;
use crate::engine::send::{SendMode, SendPath, Sent, WriteNow};
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use std::task::{Context, Poll, Waker};
use tokio::io::Interest;
use tokio::net::TcpStream;

/// The wake-up of a connection's one task: flags (close request, queued data, resumed reading)
/// are set first, then `notify_one`; the task registers its waker and re-checks them. A
/// notification with no task waiting is kept (a permit), as tokio's `Notify` does, in less room.
pub(crate) struct Wake {
    waker: Mutex<Option<Waker>>,
    pending: AtomicBool,
}

impl Wake {
    fn new() -> Wake {
        Wake { waker: Mutex::new(None), pending: AtomicBool::new(false) }
    }

    pub(crate) fn notify_one(&self) {
        self.pending.store(true, Ordering::Release);
        let w = self.waker.lock().unwrap().take();
        if let Some(w) = w {
            w.wake();
        }
    }

    /// Registers the task's waker; Ready (consuming the permit) when notified since the last call.
    pub(crate) fn poll_woken(&self, cx: &mut Context<'_>) -> Poll<()> {
        {
            let mut g = self.waker.lock().unwrap();
            if !g.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *g = Some(cx.waker().clone());
            }
        }
        if self.pending.swap(false, Ordering::AcqRel) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    /// Waits for the next notification (or takes a pending one).
    pub(crate) async fn notified(&self) {
        std::future::poll_fn(|cx| self.poll_woken(cx)).await
    }
}

/// Why a connection's task must close it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CloseReason {
    pub op: Op,
    pub code: i32,
}

impl CloseReason {
    /// Close without OnClose: upstream drops a connection whose OnHandShake returns HR_ERROR
    /// as it does one refused by OnAccept / OnConnect.
    pub(crate) const DROP: CloseReason = CloseReason { op: Op::Unknown, code: i32::MIN };
}

pub struct Conn {
    pub id: ConnId,
    pub fd: RawFd,
    local: Mutex<SocketAddr>,
    pub remote: SocketAddr,
    /// Host name the agent/client connected to (None for accepted connections).
    pub remote_host: Option<Box<str>>,
    pub created: Instant,
    /// Milliseconds since `created` of the last receive (silence tracking).
    pub last_active_ms: AtomicU64,
    pub extra: AtomicUsize,
    pub reserved: AtomicUsize,
    pub reserved2: AtomicUsize,
    pub paused: AtomicBool,
    /// A close asked for by Disconnect / Stop: (op << 32 | code), or u64::MAX for none.
    close_req: AtomicU64,
    /// HTTP Release: when (milliseconds since `created`) the connection closes, NO_CLOSE if
    /// not released; the connection's own task keeps the time (see `close_after`).
    close_at_ms: AtomicU64,
    pub(crate) wake: Wake,
    /// Asked for by [`Conn::half_close_when_sent`]; the connection's task shuts its sending side.
    half_close: AtomicBool,
    /// PULL components: the received bytes Fetch / Peek read.
    pub pull: Option<Box<PullBuf>>,
    /// UDP connections: their inbox and detect state.
    pub udp: Option<Box<crate::engine::udp::UdpPart>>,
    /// How far the connection's end has gone: [`LIVE`], [`CLOSE_REPORTED`] (OnClose raised or
    /// deliberately skipped), [`ENDED`] (removed and counted). Lets a panicking task be cleaned
    /// up without raising OnClose twice.
    pub(crate) end_stage: AtomicU8,
    /// A framing another thread asked for (e.g. StartHttp), taken before the next read.
    pub framing_switch: FramingSwitch,
    /// The send queue and its security layer (`send.rs`).
    pub(crate) send: SendPath,
    /// HTTP components: what the application's threads read of the connection's HTTP state.
    pub http: std::sync::OnceLock<Arc<crate::engine::http::layer::HttpConn>>,
    /// OnHandShake waits for a framing switch (HTTP with HttpAutoStart off: until StartHttp).
    pub hold_handshake: AtomicBool,
    /// Its security layer: [`TLS_NONE`], [`TLS_WAITING`] (a secure component's connection with
    /// auto handshake off, in the clear until StartSSLHandShake), [`TLS_ON`].
    pub(crate) tls: AtomicU8,
}

pub(crate) const TLS_NONE: u8 = 0;
pub(crate) const TLS_WAITING: u8 = 1;
pub(crate) const TLS_ON: u8 = 2;

/// Sends from a thread that is not the connection's worker come in a stream, and gather, when
/// they follow each other closer than this (microseconds).
const STREAM_GAP_US: u64 = 500;
/// The time of the last send is kept to this precision (microseconds).
const STREAM_STEP_US: u64 = 50;
/// In stream mode (`send.rs`), the longest a Send waits for the worker's write when it does
/// not fill [`crate::engine::send::STREAM_WAKE_BYTES`] (tokio's timer rounds it up to the next
/// millisecond tick).
const STREAM_DELAY: Duration = Duration::from_millis(1);

thread_local! {
    /// When this application thread last sent on any connection (coarse microseconds).
    static THREAD_LAST_SEND_US: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// The connection (its address) whose read this worker is handing to OnReceive in several
    /// pieces: replies its callbacks Send gather and leave in one write after the read.
    static GATHERING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Marks the calling worker as delivering a read of `conn` in pieces until dropped.
struct GatherMark(usize);

impl GatherMark {
    fn set(conn: &Conn) -> GatherMark {
        GatherMark(GATHERING.with(|g| g.replace(conn as *const Conn as usize)))
    }
}

impl Drop for GatherMark {
    fn drop(&mut self) {
        GATHERING.with(|g| g.set(self.0));
    }
}

/// Sends what the kernel holds back for Nagle's algorithm now, and leaves the algorithm on:
/// turning TCP_NODELAY on pushes the pending segments, turning it off again restores it.
fn push_segments(fd: RawFd) {
    for on in [1 as libc::c_int, 0] {
        // SAFETY: `on` is a live c_int for the call and its size is passed; `fd` is the
        // connection's socket, open while its task runs (a failure leaves the option as it was).
        unsafe { libc::setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, &on as *const libc::c_int as *const libc::c_void, std::mem::size_of::<libc::c_int>() as libc::socklen_t) };
    }
}

/// A cheap monotonic clock in microseconds (`CLOCK_MONOTONIC_COARSE`: no TSC read; its
/// resolution is the kernel tick, 1 to 4 ms, so a stream gap reads as 0 or a whole tick). It is
/// read on every Send from an application thread, where the precise clock cost 6 % of a small
/// send.
fn coarse_now_us() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC_COARSE exists on every Linux
    // this library supports (2.6.32 on), and on failure `ts` stays zero, which only makes the
    // next send count as the first after a pause.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut ts) };
    ts.tv_sec as u64 * 1_000_000 + ts.tv_nsec as u64 / 1000
}

pub(crate) const LIVE: u8 = 0;
pub(crate) const CLOSE_REPORTED: u8 = 1;
pub(crate) const ENDED: u8 = 2;

const NO_CLOSE: u64 = u64::MAX;

impl Conn {
    pub fn new(id: ConnId, fd: RawFd, local: SocketAddr, remote: SocketAddr, remote_host: Option<String>, connected: bool, pull: bool) -> Conn {
        Conn {
            id,
            fd,
            local: Mutex::new(local),
            remote,
            remote_host: remote_host.map(String::into_boxed_str),
            created: Instant::now(),
            last_active_ms: AtomicU64::new(0),
            extra: AtomicUsize::new(0),
            reserved: AtomicUsize::new(0),
            reserved2: AtomicUsize::new(0),
            paused: AtomicBool::new(false),
            send: SendPath::new(connected),
            http: std::sync::OnceLock::new(),
            hold_handshake: AtomicBool::new(false),
            tls: AtomicU8::new(TLS_NONE),
            close_req: AtomicU64::new(NO_CLOSE),
            half_close: AtomicBool::new(false),
            close_at_ms: AtomicU64::new(NO_CLOSE),
            wake: Wake::new(),
            pull: pull.then(Box::default),
            udp: None,
            end_stage: AtomicU8::new(LIVE),
            framing_switch: FramingSwitch::default(),
        }
    }

    pub fn local(&self) -> SocketAddr {
        *self.local.lock().unwrap()
    }

    pub fn set_local(&self, a: SocketAddr) {
        *self.local.lock().unwrap() = a;
    }

    /// A connection that never got going (failed connect): sends fail from now on.
    pub fn mark_failed(&self) {
        self.mark_closed();
    }

    pub fn connect_period_ms(&self) -> u64 {
        self.created.elapsed().as_millis() as u64
    }

    pub fn silence_ms(&self) -> u64 {
        self.connect_period_ms().saturating_sub(self.last_active_ms.load(Ordering::Relaxed))
    }

    pub(crate) fn mark_active(&self) {
        self.last_active_ms.store(self.connect_period_ms(), Ordering::Relaxed);
    }

    /// Closed (or closing): sends fail.
    pub fn is_closed(&self) -> bool {
        self.send.is_closed()
    }

    /// Runs `f` under the send lock unless the connection is closed (None then): the task
    /// closes the socket only after marking the connection closed under that lock.
    pub(crate) fn while_open<R>(&self, f: impl FnOnce() -> R) -> Option<R> {
        self.send.while_open(f)
    }

    /// Bytes sent and not yet written to the socket.
    pub fn pending(&self) -> usize {
        self.send.pending()
    }

    /// Asks the connection's task to close it; the first request wins.
    pub fn request_close(&self, op: Op, code: i32) {
        let v = ((op as i32 as u64) << 32) | (code as u32 as u64);
        if self.close_req.compare_exchange(NO_CLOSE, v, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            self.wake.notify_one();
        }
    }

    /// Ends the connection's outgoing stream (FIN, `shutdown(SHUT_WR)`) as soon as everything
    /// queued so far is written; reading goes on until the connection closes.
    pub fn half_close_when_sent(&self) {
        self.half_close.store(true, Ordering::Release);
        self.wake.notify_one();
    }

    /// Closes the connection (as `request_close(Op::Close, 0)`) `delay` from now, unless it
    /// closes earlier: its task's timer, so nothing outlives the connection.
    pub fn close_after(&self, delay: Duration) {
        let at = self.connect_period_ms().saturating_add(delay.as_millis().min(u64::MAX as u128 / 2) as u64);
        self.close_at_ms.fetch_min(at, Ordering::AcqRel);
        self.wake.notify_one();
    }

    pub(crate) fn close_requested(&self) -> Option<CloseReason> {
        let v = self.close_req.load(Ordering::Acquire);
        (v != NO_CLOSE).then(|| CloseReason { op: op_from((v >> 32) as i32), code: v as u32 as i32 })
    }

    /// Wakes the connection's task to look at its flags again.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Reading is held back: paused by the application, or a full PULL buffer.
    fn read_held(&self) -> bool {
        self.paused.load(Ordering::Acquire) || self.pull.as_ref().is_some_and(|p| p.full.load(Ordering::Acquire))
    }

    pub fn set_paused(&self, pause: bool) {
        self.paused.store(pause, Ordering::Release);
        self.wake.notify_one();
    }

    /// Sends the concatenation of `bufs` as one contiguous piece of the stream, as `mode`
    /// says (see `send.rs`). A socket error closes the connection and fails the call.
    /// `on_worker`: the caller is one of the component's workers (inside a callback).
    pub fn send(&self, bufs: &[&[u8]], mode: SendMode, on_worker: bool) -> Result<(), i32> {
        if !self.send.connected.load(Ordering::Acquire) {
            return Err(libc::ENOTCONN);
        }
        // Gathering: a reply from a callback, or the first send after a pause, goes out at once
        // (but replies to the pieces of one wide read gather and leave together after it);
        // a thread sending in a stream gathers for the worker: a stream on this connection, or
        // this thread's stream over many connections (a broadcast, whose system calls are then
        // the workers' instead of all the one sending thread's).
        // (The clock is read only for sends from other threads.)
        let write_now = if on_worker {
            if GATHERING.with(|g| g.get()) == self as *const Conn as usize {
                WriteNow::No
            } else {
                WriteNow::OwnWorker
            }
        } else {
            let now = coarse_now_us();
            let last = self.send.last_send_us.load(Ordering::Relaxed);
            let gap = u64::from((now as u32).wrapping_sub(last));
            // Written only when it has moved by a step: senders on several threads do not take
            // the cache line over on every send.
            if gap >= STREAM_STEP_US {
                self.send.last_send_us.store(now as u32, Ordering::Relaxed);
            }
            let thread_gap = now.saturating_sub(THREAD_LAST_SEND_US.with(|t| t.replace(now)));
            if gap >= STREAM_GAP_US && thread_gap >= STREAM_GAP_US {
                WriteNow::Yes
            } else {
                WriteNow::No
            }
        };
        match self.send.send(self.fd, bufs, mode, write_now, &mut |fd, b| write_vectored(fd, b, 0)) {
            Ok(Sent::Done) => Ok(()),
            Ok(Sent::WakeWorker) => {
                self.wake.notify_one();
                Ok(())
            }
            Err(libc::ENOTCONN) => Err(libc::ENOTCONN),
            // A secure connection before its handshake: refused (upstream's ERROR_INVALID_STATE).
            Err(libc::EPERM) if self.tls.load(Ordering::Acquire) == TLS_ON => Err(libc::EPERM),
            // As upstream, whose Send only queues: the call succeeds and the connection closes
            // with OnClose(SO_SEND, error).
            Err(e) => {
                self.request_close(Op::Send, e);
                Ok(())
            }
        }
    }

    /// The worker's flush: writes what is queued as far as the socket takes it; chunks of
    /// completed calls go to `done` (for OnSend). Err(errno) on a socket error; Ok(true) when
    /// the connection is in stream mode (`send.rs`): it must be flushed again within
    /// [`STREAM_DELAY`].
    ///
    /// `nagle`: the socket has Nagle's algorithm on (NoDelay off). What the worker writes is a
    /// batch the library has already gathered (replies to a wide read, a stream of Sends, the
    /// rest of a full socket), so once it is all written it is pushed out: the kernel would
    /// otherwise hold its last, short segment until the peer acknowledges the one before, and a
    /// peer that delays its acknowledgement (40 ms on Linux) stalls the end of every burst.
    /// Single Sends written at once keep Nagle's coalescing.
    fn flush(&self, stream: &TcpStream, done: &mut Vec<Vec<u8>>, nagle: bool) -> Result<bool, i32> {
        let mut wrote = false;
        let r = self.send.flush(
            self.fd,
            &mut |fd, b| match stream.try_io(Interest::WRITABLE, || write_vectored(fd, b, 0).map_err(io::Error::from_raw_os_error)) {
                Ok(n) => {
                    wrote |= n > 0;
                    Ok(n)
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Err(libc::EAGAIN),
                Err(e) => Err(e.raw_os_error().unwrap_or(libc::EIO)),
            },
            done,
        )?;
        // A full socket left data queued and set needs_flush: the push waits for the flush
        // that writes the rest.
        if nagle && wrote && !self.send.needs_flush() {
            push_segments(self.fd);
        }
        Ok(r)
    }

    pub(crate) fn mark_closed(&self) {
        self.send.close();
    }
}

fn op_from(v: i32) -> Op {
    match v {
        1 => Op::Accept,
        2 => Op::Connect,
        3 => Op::Send,
        4 => Op::Receive,
        5 => Op::Close,
        _ => Op::Unknown,
    }
}

/// `sendmsg` with MSG_NOSIGNAL (a closed peer must never raise SIGPIPE in the host process);
/// `send` when only the first buffer has bytes (most writes), which spares the kernel the
/// message header and the iovec import (about 0.2 µs a call on a 2-core VM).
pub fn write_vectored(fd: RawFd, bufs: &[&[u8]], _flags: i32) -> Result<usize, i32> {
    if let [first, rest @ ..] = bufs {
        if rest.iter().all(|b| b.is_empty()) {
            // SAFETY: `first` is the caller's live slice for the whole call and send only reads
            // its `len` bytes. A stale `fd` at worst fails with EBADF.
            return net::retry_eintr(|| unsafe { libc::send(fd, first.as_ptr() as *const libc::c_void, first.len(), libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT) });
        }
    }
    // Only the entries used are filled: no 1 KiB of zeroing per write.
    let mut iov = [std::mem::MaybeUninit::<libc::iovec>::uninit(); 64];
    let n = bufs.len().min(64);
    for (slot, b) in iov.iter_mut().zip(bufs.iter().take(n)) {
        slot.write(libc::iovec { iov_base: b.as_ptr() as *mut _, iov_len: b.len() });
    }
    // SAFETY: msghdr is plain data; all-zero is a valid header with no address or control data.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iov.as_mut_ptr() as *mut libc::iovec;
    msg.msg_iovlen = n as _;
    // SAFETY: `msg` points at the first `n` iovecs, all initialised above, describing the
    // caller's live slices, which outlive the call; sendmsg only reads them. A stale `fd` at
    // worst fails with EBADF.
    let r = net::retry_eintr(|| unsafe { libc::sendmsg(fd, &msg, libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT) })?;
    // More than 64 buffers: the caller's loop sends the rest only via the queue.
    if n < bufs.len() && r == bufs[..n].iter().map(|b| b.len()).sum::<usize>() {
        return write_vectored(fd, &bufs[n..], 0).map(|m| r + m).or(Ok(r));
    }
    Ok(r)
}

thread_local! {
    /// One receive buffer per worker thread: a connection's bytes are handed to OnReceive
    /// straight from it, so idle connections hold no receive buffer at all.
    static RECV_BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    /// One plaintext buffer per worker thread for secure connections' reads, lent out per read.
    static PLAIN_BUF: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Reads at most this many times in a row from one connection before letting others run.
const READS_PER_TURN: usize = 16;
/// A PUSH connection (plain or secure) reads up to this much per `recv` (at least
/// SocketBufferSize) and hands it to OnReceive in SocketBufferSize pieces: one system call where
/// 16 would do otherwise.
const PUSH_READ_MAX: usize = 64 * 1024;
/// Replies gathered while one wide read is delivered are written every this many bytes read.
const GATHER_WRITE: usize = 16 * 1024;

/// A connection's task: its life on its worker. It greets (OnAccept / OnConnect,
/// OnHandShake), then reads, flushes and closes, then raises OnClose exactly once. Should it
/// panic (a bug, or a panicking `Events` implementation), the connection still ends: OnClose with
/// `(Op::Close, ENOTRECOVERABLE)` unless already raised, removal, and the count Stop waits for.
///
/// It is a plain future, not an async fn, so that tokio's task cell holds just these fields. An
/// async fn's state kept every argument and local live across its one await (400 bytes, boxed
/// apart from the cell, for every idle connection).
pub(crate) struct ConnTask {
    shared: Arc<Shared>,
    conn: Arc<Conn>,
    /// Dropped (the socket closed) as the connection ends.
    stream: Option<TcpStream>,
    phase: Phase,
}

enum Phase {
    /// An asynchronous connect: the socket until the connect is issued (then `stream` holds it,
    /// registered), and the close operation a failed connect reports.
    Connect(Option<std::net::TcpStream>, Op),
    /// Connected: greet first (the sender as in [`ConnTask::new`]).
    Greet(Greeting, Option<SyncSender<i32>>),
    Run(Running),
    Done,
}

/// What the connection's event loop keeps between events.
struct Running {
    stack: ConnStack,
    mark: bool,
    nagle: bool,
    /// Whether the sending side was shut (half_close_when_sent).
    shut: bool,
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
    /// The Release time the timer was last set for.
    armed: u64,
    /// In stream mode (`send.rs`), when the worker writes what Sends gathered without waking it.
    stream_due: Option<Instant>,
}

impl ConnTask {
    /// `stream` must be registered with the runtime of the worker the task runs on.
    /// `connected`: for a synchronous connect, told whether OnConnect accepted the connection (the
    /// thread calling Start / Connect waits for it, as upstream raises OnConnect before returning).
    pub(crate) fn new(shared: Arc<Shared>, conn: Arc<Conn>, stream: TcpStream, greet: Greeting, connected: Option<SyncSender<i32>>) -> ConnTask {
        ConnTask { shared, conn, stream: Some(stream), phase: Phase::Greet(greet, connected) }
    }

    /// A connection whose asynchronous connect the task makes (on its worker) before the rest:
    /// `sock` is non-blocking, not yet connected; a failed connect ends the connection with
    /// OnClose `(failed, code)`.
    pub(crate) fn connecting(shared: Arc<Shared>, conn: Arc<Conn>, sock: std::net::TcpStream, failed: Op) -> ConnTask {
        ConnTask { shared, conn, stream: None, phase: Phase::Connect(Some(sock), failed) }
    }

    fn step(shared: &Arc<Shared>, conn: &Arc<Conn>, stream: &mut Option<TcpStream>, phase: &mut Phase, cx: &mut Context<'_>) -> Poll<()> {
        if let Phase::Connect(sock, failed) = phase {
            match poll_connect(conn, stream, sock, cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(())) => *phase = Phase::Greet(Greeting::Connect, None),
                Poll::Ready(Err((op, code))) => {
                    let op = op.unwrap_or(*failed);
                    *phase = Phase::Done;
                    super::connect::finish_failed(shared, conn, op, code);
                    *stream = None;
                    return Poll::Ready(());
                }
            }
        }
        let Some(sock) = stream.as_ref() else { return Poll::Ready(()) };
        let reason = loop {
            match phase {
                Phase::Greet(..) => {
                    let Phase::Greet(greet, connected) = std::mem::replace(phase, Phase::Done) else { unreachable!() };
                    let r = greet_conn(shared, conn, sock, greet, connected.as_ref());
                    if let Some(tx) = connected {
                        // Not greeted (closed first): the waiting thread hears of it; greeted, it
                        // has had its answer and this goes unread.
                        let _ = tx.try_send(libc::ECANCELED);
                    }
                    match r {
                        Ok(running) => *phase = Phase::Run(running),
                        Err(reason) => break reason,
                    }
                }
                Phase::Run(running) => match running.poll_end(shared, conn, sock, cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(reason) => break reason,
                },
                // (A connect is past: handled above.)
                Phase::Connect(..) | Phase::Done => return Poll::Ready(()),
            }
        };
        *phase = Phase::Done;
        if matches!(reason, Some(CloseReason { op: Op::Close, .. })) {
            // An orderly close still sends what the application queued before it (best effort).
            let _ = conn.flush(sock, &mut Vec::new(), false);
        }
        conn.mark_closed();
        conn.end_stage.store(CLOSE_REPORTED, Ordering::Release);
        if let Some(r) = reason {
            shared.report_close(conn.id, r.op, r.code);
        }
        shared.remove(conn.id);
        if let Some(p) = &conn.pull {
            p.clear();
        }
        *stream = None;
        conn.end_stage.store(ENDED, Ordering::Release);
        shared.conn_ended();
        Poll::Ready(())
    }
}

impl Future for ConnTask {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // Every field is Unpin (the timer is boxed), so the task is too.
        let ConnTask { shared, conn, stream, phase } = &mut *self;
        poll_ending_on_panic(shared, conn, || ConnTask::step(shared, conn, stream, phase, cx))
    }
}

/// Polls a connection's task; should it panic, ends the connection (see `end_after_panic`) and
/// the task with it.
fn poll_ending_on_panic(shared: &Shared, conn: &Conn, poll: impl FnOnce() -> Poll<()>) -> Poll<()> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(poll)).unwrap_or_else(|_| {
        end_after_panic(shared, conn);
        Poll::Ready(())
    })
}

/// Registers an established socket with `worker`'s reactor, from any thread, so that the
/// `ConnTask` spawned there holds it from its start (the task is the connection's state alone,
/// inline in its cell).
pub(crate) fn register_on(worker: &tokio::runtime::Handle, sock: std::net::TcpStream) -> io::Result<TcpStream> {
    let _on = worker.enter();
    TcpStream::from_std(sock)
}

/// Spawns a connection's task on `worker`. Should the task panic (a bug, or a panicking
/// `Events` implementation), the connection still ends: OnClose with `(Op::Close,
/// ENOTRECOVERABLE)` unless already raised, removal, and the count Stop waits for.
pub(crate) fn spawn_conn_task<F>(worker: &tokio::runtime::Handle, shared: Arc<Shared>, conn: Arc<Conn>, task: F)
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    worker.spawn(CatchPanic { task: Box::pin(task), shared, conn });
}

/// A connection's task that ends its connection should it panic (see `spawn_conn_task`).
struct CatchPanic<F> {
    task: Pin<Box<F>>,
    shared: Arc<Shared>,
    conn: Arc<Conn>,
}

impl<F: Future<Output = ()>> Future for CatchPanic<F> {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // `CatchPanic` is Unpin (its task is boxed), so plain field access is fine.
        let CatchPanic { task, shared, conn } = &mut *self;
        poll_ending_on_panic(shared, conn, || task.as_mut().poll(cx))
    }
}

fn end_after_panic(shared: &Shared, conn: &Conn) {
    let stage = conn.end_stage.swap(ENDED, Ordering::AcqRel);
    if stage == ENDED {
        return;
    }
    conn.mark_closed();
    if stage == LIVE {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| shared.report_close(conn.id, Op::Close, libc::ENOTRECOVERABLE)));
    }
    shared.addrs.remove_if(&conn.remote, |_, c| c.id == conn.id);
    shared.remove(conn.id);
    if let Some(p) = &conn.pull {
        p.clear();
    }
    shared.conn_ended();
}

/// What the task raises before reading.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Greeting {
    /// An accepted connection: OnAccept (HR_ERROR refuses it silently), then OnHandShake.
    Accept,
    /// An established outgoing connection: OnConnect, then OnHandShake.
    Connect,
}

/// An asynchronous connect, as tokio's `TcpSocket::connect` makes it: the connect issued, the
/// socket registered, then writable with no socket error. Err: how the connection ends (the
/// operation when a close request, not the connect, ended it).
fn poll_connect(conn: &Conn, stream: &mut Option<TcpStream>, sock: &mut Option<std::net::TcpStream>, cx: &mut Context<'_>) -> Poll<Result<(), (Option<Op>, i32)>> {
    // Register for wake-ups before looking at the flag they announce.
    let _ = conn.wake.poll_woken(cx);
    if let Some(r) = conn.close_requested() {
        return Poll::Ready(Err((Some(r.op), r.code)));
    }
    let fail = |e: io::Error| Poll::Ready(Err((None, e.raw_os_error().unwrap_or(libc::EIO))));
    if let Some(s) = sock.take() {
        // Registered only once connecting: an unconnected socket reports itself writable (and
        // hung up), which would pass for a connect done.
        match socket2::SockRef::from(&s).connect(&conn.remote.into()) {
            Err(e) if e.raw_os_error() != Some(libc::EINPROGRESS) => return fail(e),
            _ => {}
        }
        match TcpStream::from_std(s) {
            Ok(t) => *stream = Some(t),
            Err(e) => return fail(e),
        }
    }
    let Some(t) = stream.as_ref() else { return Poll::Ready(Err((None, libc::EIO))) };
    match t.poll_write_ready(cx) {
        Poll::Pending => return Poll::Pending,
        Poll::Ready(Err(e)) => return fail(e),
        Poll::Ready(Ok(())) => {}
    }
    match t.take_error() {
        Ok(None) => {}
        Ok(Some(e)) | Err(e) => return fail(e),
    }
    if let Ok(l) = t.local_addr() {
        conn.set_local(l);
    }
    conn.send.connected.store(true, Ordering::Release);
    Poll::Ready(Ok(()))
}

/// Greets: the security layer, OnAccept / OnConnect and, if the handshake is done, OnHandShake.
/// Gives the event loop's state, or how the connection ends (None: without OnClose).
fn greet_conn(shared: &Shared, conn: &Conn, stream: &TcpStream, greet: Greeting, connected: Option<&SyncSender<i32>>) -> Result<Running, Option<CloseReason>> {
    let ev = &*shared.events;
    let id = conn.id;
    if shared.is_stopping() {
        conn.request_close(Op::Close, 0);
    }
    // The security layer goes in before OnAccept / OnConnect (upstream: after them), so that no
    // Send — from those callbacks, or from a thread whose synchronous Start has just returned —
    // can go out in the clear: until the handshake is done, a Send fails with EPERM.
    let mut secure = false;
    if let Some(make) = shared.security() {
        if shared.security_auto() {
            let r = make(conn, greet == Greeting::Accept).and_then(|sec| conn.send.start_security(sec, || conn.tls.store(TLS_ON, Ordering::Release)));
            if let Err(e) = r {
                if let Some(tx) = connected {
                    let _ = tx.try_send(libc::ECANCELED);
                }
                return Err(Some(CloseReason { op: Op::Close, code: e }));
            }
            secure = true;
        } else {
            conn.tls.store(TLS_WAITING, Ordering::Release);
        }
    }
    match greet {
        Greeting::Accept => {
            if ev.on_accept(id, stream.as_raw_fd() as usize) == Handled::Error {
                // Upstream refuses the connection without OnClose.
                return Err(None);
            }
        }
        Greeting::Connect => {
            shared.client_connected();
            let accepted = ev.on_connect(id) != Handled::Error;
            if let Some(tx) = connected {
                // 0, or the code a synchronous connect fails with.
                let _ = tx.try_send(if accepted { 0 } else { super::cancelled() });
            }
            if !accepted {
                // As upstream: the connection is dropped without OnClose.
                return Err(None);
            }
        }
    }
    if let Some(r) = conn.close_requested() {
        return Err(Some(r));
    }
    let mut stack = ConnStack { framing: shared.first_framing(conn), secure, handshaken: false, pack: shared.pack_settings(), chunk: shared.buffer_size(), held: Vec::new(), held_end: false };
    if let Some(r) = stack.handshake_if_done(conn, ev) {
        return Err((r != CloseReason::DROP).then_some(r));
    }
    // Nagle is on unless NoDelay set TCP_NODELAY, or the application did itself on the socket
    // OnAccept / OnPrepareConnect handed it: read once those callbacks are done, so that the
    // push never turns an application's TCP_NODELAY off.
    let nagle = !stream.nodelay().unwrap_or(true);
    Ok(Running { stack, mark: shared.mark_silence(), nagle, shut: false, timer: None, armed: NO_CLOSE, stream_due: None })
}

impl Running {
    /// Runs events until the connection ends: how (None: without OnClose), after the framing has
    /// seen the end (an HTTP response delimited by the close completes there).
    fn poll_end(&mut self, shared: &Shared, conn: &Conn, stream: &TcpStream, cx: &mut Context<'_>) -> Poll<Option<CloseReason>> {
        loop {
            let Poll::Ready(event) = poll_event(conn, stream, self.timer.as_mut(), !self.stack.held.is_empty(), self.armed, cx) else {
                return Poll::Pending;
            };
            if let Some(reason) = self.on_event(shared, conn, stream, event) {
                self.stack.framing.end(conn, &*shared.events);
                return Poll::Ready((reason != CloseReason::DROP).then_some(reason));
            }
        }
    }

    /// Handles one event, then sets the timer for what is due next; Some: the connection ends.
    fn on_event(&mut self, shared: &Shared, conn: &Conn, stream: &TcpStream, event: Event) -> Option<CloseReason> {
        let ev = &*shared.events;
        let stack = &mut self.stack;
        let mut flush_now = false;
        match event {
            Event::Closed(r) => return Some(r),
            Event::Writable => flush_now = true,
            Event::Readable => {
                if let Some(r) = stack.take_switch(conn, ev) {
                    return Some(r);
                }
                if let Some(reason) = read_some(ev, conn, stream, self.mark, stack) {
                    return Some(reason);
                }
            }
            Event::Switch => {
                if let Some(r) = stack.take_switch(conn, ev) {
                    return Some(r);
                }
            }
            Event::Timer => {
                if self.stream_due.is_some_and(|d| Instant::now() >= d) {
                    self.stream_due = None;
                    flush_now = true;
                }
                let at = conn.close_at_ms.load(Ordering::Acquire);
                if at != NO_CLOSE && conn.connect_period_ms() >= at {
                    return Some(CloseReason { op: Op::Close, code: 0 });
                }
                if let Some(reason) = stack.framing.on_timer(conn, ev) {
                    return Some(reason);
                }
            }
        }
        if flush_now {
            // Not kept across waits: the task stays small.
            let mut sent = Vec::new();
            match conn.flush(stream, &mut sent, self.nagle) {
                Err(e) => return Some(CloseReason { op: Op::Send, code: e }),
                Ok(true) if self.stream_due.is_none() => self.stream_due = Some(Instant::now() + STREAM_DELAY),
                Ok(_) => {}
            }
            for c in sent.drain(..) {
                if ev.on_send(conn.id, &c) == Handled::Error {
                    return Some(CloseReason { op: Op::Send, code: super::cancelled() });
                }
            }
        }
        if !self.shut && conn.half_close.load(Ordering::Acquire) && conn.send.pending() == 0 {
            self.shut = true;
            // SAFETY: shutdown takes no pointers; `conn.fd` is this connection's socket, open
            // while its task runs.
            unsafe { libc::shutdown(conn.fd, libc::SHUT_WR) };
        }
        // Only a released connection, a connection in stream mode, or a layer that asks for a
        // timer, gets one.
        self.armed = conn.close_at_ms.load(Ordering::Acquire);
        let release = (self.armed != NO_CLOSE).then(|| conn.created + Duration::from_millis(self.armed));
        let due = [self.stack.framing.deadline(), release, self.stream_due].into_iter().flatten().min();
        self.timer = match (due, self.timer.take()) {
            (None, _) => None,
            (Some(d), Some(mut t)) => {
                t.as_mut().reset(d.into());
                Some(t)
            }
            (Some(d), None) => Some(Box::pin(tokio::time::sleep_until(d.into()))),
        };
        None
    }
}

/// What the connection's task keeps of its protocol stack (`stack.rs`).
struct ConnStack {
    framing: Framing,
    /// The connection has a security layer: reads go through it.
    secure: bool,
    handshaken: bool,
    pack: (u32, u16),
    /// PUSH connections: the most one OnReceive carries (SocketBufferSize).
    chunk: usize,
    /// Bytes read (plaintext) on a PUSH connection and not yet handed on, because a callback
    /// paused receiving, asked for a close or switched the framing between two pieces of one
    /// read. They go first once reading resumes; empty (and unallocated) otherwise.
    held: Vec<u8>,
    /// The peer ended the secure session after the bytes in `held`: close once they are out.
    held_end: bool,
}

impl ConnStack {
    /// Raises OnHandShake once the security layer (if any) is done with its handshake.
    fn handshake_if_done(&mut self, conn: &Conn, ev: &dyn crate::engine::Events) -> Option<CloseReason> {
        if self.handshaken || conn.tls.load(Ordering::Acquire) == TLS_WAITING || !conn.send.handshake_done() || conn.hold_handshake.load(Ordering::Acquire) {
            return None;
        }
        self.handshaken = true;
        (ev.on_handshake(conn.id) == Handled::Error).then_some(CloseReason::DROP)
    }

    /// Takes a framing another thread asked for (StartHttp), and the OnHandShake it released.
    fn take_switch(&mut self, conn: &Conn, ev: &dyn crate::engine::Events) -> Option<CloseReason> {
        self.framing = conn.framing_switch.take()?;
        self.handshake_if_done(conn, ev)
    }

    /// Whether reads may be larger than SocketBufferSize (a PUSH connection: its plaintext goes
    /// to OnReceive in pieces, see `push_input`).
    fn reads_wide(&self) -> bool {
        matches!(self.framing, Framing::Push)
    }

    /// A plain PUSH read to OnReceive in SocketBufferSize pieces. Between pieces, a callback that
    /// paused receiving, asked for a close or switched the framing leaves the rest in `held`.
    fn push_input(&mut self, conn: &Conn, ev: &dyn crate::engine::Events, data: &[u8]) -> Option<CloseReason> {
        // A read that fits one piece has its replies written as they are sent.
        let _gather = (data.len() > self.chunk).then(|| GatherMark::set(conn));
        let mut rest = data;
        let mut since_write = 0usize;
        loop {
            let (piece, tail) = rest.split_at(rest.len().min(self.chunk.max(1)));
            if let Some(r) = self.framing.deliver(conn, ev, piece, self.pack) {
                return Some(r);
            }
            rest = tail;
            if rest.is_empty() {
                return None;
            }
            since_write += piece.len();
            if since_write >= GATHER_WRITE {
                // Replies leave every GATHER_WRITE bytes read, so the peer gets them while the
                // rest of the read is delivered.
                since_write = 0;
                if let Err(e) = conn.send.write_gathered(conn.fd, &mut |fd, b| write_vectored(fd, b, 0), 1) {
                    return Some(CloseReason { op: Op::Send, code: e });
                }
            }
            if conn.read_held() || conn.close_requested().is_some() || conn.framing_switch.is_requested() {
                self.held.extend_from_slice(rest);
                return None;
            }
        }
    }

    /// Hands on what `push_input` held back, once reading may go on. Returns whether it is all
    /// out (reading may go on) or the reason to close.
    fn release_held(&mut self, conn: &Conn, ev: &dyn crate::engine::Events) -> Result<bool, CloseReason> {
        if self.held.is_empty() {
            return Ok(true);
        }
        if conn.read_held() || conn.close_requested().is_some() {
            return Ok(false);
        }
        let held = std::mem::take(&mut self.held);
        if let Some(r) = self.deliver(conn, ev, &held) {
            return Err(r);
        }
        if !self.held.is_empty() {
            return Ok(false);
        }
        if std::mem::take(&mut self.held_end) {
            return Err(CloseReason { op: Op::Close, code: 0 });
        }
        Ok(true)
    }

    /// Plaintext to the framing: a PUSH connection's in SocketBufferSize pieces.
    #[inline]
    fn deliver(&mut self, conn: &Conn, ev: &dyn crate::engine::Events, data: &[u8]) -> Option<CloseReason> {
        if data.len() > self.chunk && matches!(self.framing, Framing::Push) {
            return self.push_input(conn, ev, data);
        }
        self.framing.deliver(conn, ev, data, self.pack)
    }

    /// One read's bytes: through the security layer, then the framing.
    #[inline]
    fn input(&mut self, conn: &Conn, ev: &dyn crate::engine::Events, data: &[u8]) -> Option<CloseReason> {
        if !self.secure {
            // One load for plain connections; a secure one whose StartSSLHandShake came from
            // another thread turns secure here.
            if conn.tls.load(Ordering::Acquire) != TLS_ON {
                return self.deliver(conn, ev, data);
            }
            self.secure = true;
        }
        let mut plain = PLAIN_BUF.with(|c| c.take());
        plain.clear();
        let r = self.secure_input(conn, ev, data, &mut plain);
        if plain.capacity() <= 4 * PUSH_READ_MAX {
            PLAIN_BUF.with(|c| c.set(plain));
        }
        r
    }

    fn secure_input(&mut self, conn: &Conn, ev: &dyn crate::engine::Events, data: &[u8], plain: &mut Vec<u8>) -> Option<CloseReason> {
        let ended = match conn.send.read_secure(data, plain) {
            Ok(r) => r.is_some_and(|(_, ended)| ended),
            // A broken record or handshake: upstream's ERROR_INVALID_DATA.
            Err(e) => return Some(CloseReason { op: Op::Receive, code: e }),
        };
        if let Some(r) = self.handshake_if_done(conn, ev) {
            return Some(r);
        }
        // As upstream, each OnReceive carries at most SocketBufferSize bytes.
        if !plain.is_empty() {
            if let Some(r) = self.deliver(conn, ev, plain) {
                return Some(r);
            }
        }
        if ended && !self.held.is_empty() {
            self.held_end = true;
            return None;
        }
        // The peer's close_notify: closed as by the peer's FIN.
        ended.then_some(CloseReason { op: Op::Close, code: 0 })
    }
}

/// What a connection's task does next.
enum Event {
    Closed(CloseReason),
    Writable,
    Readable,
    /// The framing layer's timer is due.
    Timer,
    /// Another thread asked for a new framing (StartHttp).
    Switch,
}

/// Waits for the next thing to do: a close request first, then flushing queued bytes, then
/// reading (unless held back). A plain poll function keeps the task small: no select of
/// readiness futures is stored in it.
fn poll_event(conn: &Conn, stream: &TcpStream, timer: Option<&mut Pin<Box<tokio::time::Sleep>>>, held: bool, armed: u64, cx: &mut Context<'_>) -> Poll<Event> {
    // Register for wake-ups before looking at the flags they announce.
    let _ = conn.wake.poll_woken(cx);
    if let Some(r) = conn.close_requested() {
        return Poll::Ready(Event::Closed(r));
    }
    if conn.close_at_ms.load(Ordering::Acquire) != armed {
        // Released since the timer was set: the timer event sets it again.
        return Poll::Ready(Event::Timer);
    }
    if conn.framing_switch.is_requested() {
        return Poll::Ready(Event::Switch);
    }
    if conn.send.needs_flush() {
        match stream.poll_write_ready(cx) {
            Poll::Ready(Ok(())) => return Poll::Ready(Event::Writable),
            Poll::Ready(Err(_)) => return Poll::Ready(Event::Closed(CloseReason { op: Op::Send, code: libc::EIO })),
            Poll::Pending => {}
        }
    }
    if !conn.read_held() {
        // Bytes held back from an earlier read go on first, whatever the socket says.
        if held {
            return Poll::Ready(Event::Readable);
        }
        match stream.poll_read_ready(cx) {
            Poll::Ready(Ok(())) => return Poll::Ready(Event::Readable),
            Poll::Ready(Err(_)) => return Poll::Ready(Event::Closed(CloseReason { op: Op::Receive, code: libc::EIO })),
            Poll::Pending => {}
        }
    }
    if let Some(t) = timer {
        if t.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Event::Timer);
        }
    }
    Poll::Pending
}

/// Reads what is there (a few times at most) and raises OnReceive for each read.
fn read_some(ev: &dyn crate::engine::Events, conn: &Conn, stream: &TcpStream, mark: bool, stack: &mut ConnStack) -> Option<CloseReason> {
    match stack.release_held(conn, ev) {
        Ok(true) => {}
        Ok(false) => return None,
        Err(r) => return Some(r),
    }
    let read_len = if stack.reads_wide() { stack.chunk.max(PUSH_READ_MAX) } else { stack.chunk };
    RECV_BUF.with(|cell| {
        let mut buf = cell.borrow_mut();
        if buf.len() < read_len {
            buf.resize(read_len, 0);
        }
        let buf = &mut buf[..read_len];
        for _ in 0..READS_PER_TURN {
            if conn.read_held() || conn.close_requested().is_some() {
                return None;
            }
            let fd = conn.fd;
            let mut got = 0usize;
            // A short read means the socket is drained: report WouldBlock to tokio so it clears
            // the readiness now, saving the EAGAIN read a plain loop would make.
            let r = stream.try_io(Interest::READABLE, || {
                // SAFETY: `buf` is the worker's own buffer, writable for `buf.len()` bytes; recv
                // writes at most that many. `fd` is this connection's socket, open while its task runs.
                let n = unsafe { libc::recv(fd, buf.as_mut_ptr() as *mut _, buf.len(), libc::MSG_DONTWAIT) };
                if n < 0 {
                    return Err(io::Error::last_os_error());
                }
                got = n as usize;
                if got > 0 && got < buf.len() {
                    Err(io::Error::from(io::ErrorKind::WouldBlock))
                } else {
                    Ok(())
                }
            });
            match r {
                // The peer's orderly close: upstream reports it as SO_CLOSE with no error (its
                // close path turns every orderly close into that), not as the read that saw it.
                Ok(()) if got == 0 => return Some(CloseReason { op: Op::Close, code: 0 }),
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if got == 0 {
                        return None;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let code = e.raw_os_error().unwrap_or(libc::EIO);
                    // A reset shows up upstream as an epoll error with hang-up: SO_CLOSE.
                    let op = if code == libc::ECONNRESET { Op::Close } else { Op::Receive };
                    return Some(CloseReason { op, code });
                }
            }
            if mark {
                conn.mark_active();
            }
            if let Some(r) = stack.input(conn, ev, &buf[..got]) {
                return Some(r);
            }
            if !stack.held.is_empty() {
                return None;
            }
            if got < buf.len() {
                return None;
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::AsRawFd;

    /// Bytes in a socket's send queue that have not gone out yet (Linux's SIOCOUTQNSD).
    fn unsent(fd: RawFd) -> libc::c_int {
        const SIOCOUTQNSD: libc::c_ulong = 0x894B;
        let mut n: libc::c_int = -1;
        // SAFETY: SIOCOUTQNSD writes one c_int through the pointer, which is live for the call;
        // `fd` is an open TCP socket.
        unsafe { libc::ioctl(fd, SIOCOUTQNSD, &mut n) };
        n
    }

    #[test]
    fn a_push_sends_what_nagle_holds_and_leaves_nagle_on() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut a = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (_b, _) = l.accept().unwrap();
        a.set_nodelay(false).unwrap();
        let fd = a.as_raw_fd();
        // Nagle holds a short segment while the short one before it is unacknowledged, and the
        // peer delays its acknowledgements once past the first few segments of a connection
        // (which it acknowledges at once): write pairs until the second of a pair is held.
        for _ in 0..1000 {
            a.write_all(b"x").unwrap();
            a.write_all(b"y").unwrap();
            if unsent(fd) == 0 {
                continue;
            }
            push_segments(fd);
            assert_eq!(unsent(fd), 0, "the held segment went out");
            assert!(!a.nodelay().unwrap(), "Nagle is on again");
            return;
        }
        panic!("Nagle never held a segment");
    }

    #[test]
    fn a_connection_task_fits_a_256_byte_task_cell() {
        // tokio's task cell adds about 100 bytes of header and trailer to the future and is
        // aligned to 128 bytes: a task of at most 152 bytes keeps every idle connection's cell at
        // 256 (measured with DHAT: 256 with 152 here; the async fn this replaced took 128 + 400).
        assert!(std::mem::size_of::<ConnTask>() <= 152, "ConnTask is {} bytes", std::mem::size_of::<ConnTask>());
    }
}
