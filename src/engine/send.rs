//! A connection's send path: the queue that orders its sends, and who writes it.
//!
//! One lock orders a connection's sends. Under it a Send either becomes the writer or appends:
//! - **Gather** (`SP_PACK`, `SP_SAFE`): a send to an idle connection (nothing queued, nobody
//!   writing) that the caller may write now is written straight from the caller's buffers, with
//!   the lock released during the system call. The connection decides who may write now: its
//!   own worker (a reply sent from a callback), or any thread when the connection has not sent
//!   for a while and the sending thread has not sent for a while (an idle connection's first
//!   send; see `Conn::send`). Any other send appends its bytes to the
//!   queue and leaves; whoever is writing (or the worker, woken once) takes everything gathered
//!   in one vectored write. So a stream of small sends from many threads becomes few large
//!   writes, while a ping-pong reply still goes out at once.
//! - **Direct** (`SP_DIRECT`): each send is written at once by its caller, under the lock;
//!   only what the socket does not take is queued.
//! - **Worker** (an `OnSend` callback is set): every send is queued and written by the
//!   connection's worker, which raises `OnSend` for each call once its bytes are written.
//!
//! What a writer could not write (a full socket) stays at the front of the queue, and the
//! connection's worker writes it when the socket is writable again. The queue is two buffers
//! (`head`: taken by an earlier writer and not all written; `tail`: appended since); a written
//! buffer becomes the next `tail` when none has grown meanwhile, so gathering copies each byte
//! once and allocates little in the steady state. What only some connections need (OnSend's
//! per-call accounting, a security layer) is boxed apart, so an idle plain connection carries a
//! small queue.
//!
//! A security layer (TLS, `stack.rs`) lives inside this lock: a Send encrypts while appending,
//! so records from two threads never interleave, and the reader decrypts under the same lock
//! and appends its own output (handshake, alerts, tickets). With a security layer nothing is
//! written from the caller's buffers: the records are appended, then written by whoever writes.

use super::stack::Security;
use std::collections::VecDeque;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Mutex;

/// A non-blocking vectored write of the slices to the descriptor: the bytes taken, or
/// Err(EAGAIN) when the socket is full, Err(errno) when it failed.
pub type WriteFn<'a> = dyn FnMut(RawFd, &[&[u8]]) -> Result<usize, i32> + 'a;

/// In Gather mode, whether the caller may write an idle connection at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteNow {
    /// A stream of sends from an application thread: gather for the worker.
    No,
    /// An application thread's first send after a pause: write, releasing the lock meanwhile.
    Yes,
    /// The connection's own worker (a reply from a callback): write under the lock, as no other
    /// thread is likely to be sending; one lock, no hand-over.
    OwnWorker,
}

/// How a Send reaches the socket; see the module comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendMode {
    Gather,
    Direct,
    Worker,
}

/// Writes at most this many rounds of gathered data from a sending thread before handing the
/// rest to the connection's worker.
const CALLER_ROUNDS: usize = 4;
/// Buffers larger than this are not kept for reuse once written.
const SPARE_KEEP: usize = 256 * 1024;
/// A worker's flush that finds at least this many Sends from application threads gathered since
/// the last write puts the connection in stream mode (see [`SendPath::flush`]).
const STREAM_SENDS: u32 = 8;
/// In stream mode, a Send wakes the worker only once this much is queued.
pub const STREAM_WAKE_BYTES: usize = 64 * 1024;

/// The queue behind a connection's send lock. `#[repr(C)]`, the fields every Send writes first:
/// the std mutex keeps its futex word before the data, so within [`SendPath`]'s first 64 bytes
/// a Send finds its lock and everything it changes; the fields after them change only when a
/// writer takes or gives back a batch.
#[derive(Default)]
#[repr(C)]
struct Queue {
    /// Bytes appended since the last take, in call order.
    tail: Vec<u8>,
    /// OnSend accounting and the security layer, for the connections that have them.
    extra: Option<Box<Extra>>,
    /// Sends taken since the connection began (any mode): HTTP's Release tells by it whether
    /// anything was sent after a whole response.
    calls: u64,
    /// Sends from application threads appended (Gather mode) since a writer last took the queue.
    gathered: u32,
    /// Set once the connection is closing: every later Send fails.
    closed: bool,
    writing: bool,
    /// Stream mode: Sends come faster than the worker wakes for each, so they do not wake it
    /// until [`STREAM_WAKE_BYTES`] are queued; the worker's own timer writes the rest.
    streaming: bool,
    /// Bytes a writer took and the socket did not take whole: they go first.
    head: Vec<u8>,
    head_done: usize,
    /// Bytes out of the queue being written by a writer right now (the lock released).
    in_flight: usize,
    /// An empty buffer a writer gave back while senders were already filling `tail`: the next
    /// `take` makes it the tail, so that a stream of Sends appends into a buffer that is already
    /// the size of a batch instead of growing a new one (a realloc and a copy each doubling).
    spare: Vec<u8>,
}

#[derive(Default)]
struct Extra {
    /// Stream offsets since the accounting began: bytes queued or written directly, and bytes
    /// written.
    accepted: u64,
    written: u64,
    /// Worker mode: each call's bytes and the stream offset where it ends, for OnSend.
    calls: VecDeque<(u64, Vec<u8>)>,
    /// The connection's security layer (TLS), if any.
    security: Option<Box<dyn Security>>,
    /// Plaintext of Sends not yet protected: Sends that are not written at once gather here and
    /// are sealed together (records of up to 16 KiB instead of one per Send) just before the
    /// next write or read of the security layer, which keeps them in call order.
    plain: Vec<u8>,
}

impl Queue {
    /// The boxed extras, made on first use; bytes already queued count as accepted.
    fn extra(&mut self) -> &mut Extra {
        let queued = (self.queued() + self.in_flight) as u64;
        self.extra.get_or_insert_with(|| Box::new(Extra { accepted: queued, ..Default::default() }))
    }

    fn security(&mut self) -> Option<&mut Box<dyn Security>> {
        self.extra.as_mut().and_then(|e| e.security.as_mut())
    }

    fn count_accepted(&mut self, n: usize) {
        if let Some(e) = &mut self.extra {
            e.accepted += n as u64;
        }
    }

    fn count_written(&mut self, n: usize) {
        if let Some(e) = &mut self.extra {
            e.written += n as u64;
        }
    }

    /// Appends a call's bytes to `tail`, protected by the security layer when there is one.
    /// Returns the bytes appended.
    fn push(&mut self, bufs: &[&[u8]]) -> Result<usize, i32> {
        let before = self.tail.len();
        let security = self.extra.as_mut().and_then(|e| e.security.as_mut());
        match security {
            Some(sec) => {
                if !sec.handshake_done() {
                    // upstream's ERROR_INVALID_STATE
                    return Err(libc::EPERM);
                }
                sec.write(bufs, &mut self.tail)?;
            }
            None => self.append(bufs, 0),
        }
        let n = self.tail.len() - before;
        self.count_accepted(n);
        Ok(n)
    }

    fn queued(&self) -> usize {
        self.head.len() - self.head_done + self.tail.len() + self.extra.as_ref().map_or(0, |e| e.plain.len())
    }

    /// Gathers a call's plaintext for the security layer, to be sealed by `seal`.
    fn push_plain(&mut self, bufs: &[&[u8]]) -> Result<(), i32> {
        let Some(e) = self.extra.as_mut() else { return Err(libc::EPERM) };
        if !e.security.as_ref().is_some_and(|s| s.handshake_done()) {
            // upstream's ERROR_INVALID_STATE
            return Err(libc::EPERM);
        }
        for b in bufs {
            e.plain.extend_from_slice(b);
        }
        Ok(())
    }

    /// Protects the gathered plaintext into `tail`, after everything queued before it.
    fn seal(&mut self) -> Result<(), i32> {
        let Some(e) = self.extra.as_mut() else { return Ok(()) };
        if e.plain.is_empty() {
            return Ok(());
        }
        let Some(sec) = e.security.as_mut() else { return Ok(()) };
        let before = self.tail.len();
        let r = sec.write(&[&e.plain], &mut self.tail);
        if e.plain.capacity() > SPARE_KEEP {
            e.plain = Vec::new();
        } else {
            e.plain.clear();
        }
        e.accepted += (self.tail.len() - before) as u64;
        r
    }

    fn append(&mut self, bufs: &[&[u8]], skip: usize) {
        for b in skipped(bufs, skip) {
            self.tail.extend_from_slice(b);
        }
    }

    /// Takes everything queued for writing without the lock.
    fn take(&mut self) -> Batch {
        let head = std::mem::take(&mut self.head);
        let head_done = std::mem::replace(&mut self.head_done, 0);
        let tail = std::mem::replace(&mut self.tail, std::mem::take(&mut self.spare));
        self.gathered = 0;
        self.in_flight = head.len() - head_done + tail.len();
        self.writing = true;
        Batch { head, head_done, tail, written: 0 }
    }

    /// A writer is done with `b`: what it did not write goes back to the front.
    fn give_back(&mut self, mut b: Batch) {
        self.writing = false;
        self.in_flight = 0;
        self.count_written(b.written);
        let head_left = b.head.len() - b.head_done;
        if b.written < head_left {
            // Part of the old head is left: it stays first, then the batch's tail, then what
            // was appended meanwhile.
            b.head_done += b.written;
            b.tail.extend_from_slice(&self.tail);
            let appended = std::mem::replace(&mut self.tail, b.tail);
            self.recycle(appended);
            self.head = b.head;
            self.head_done = b.head_done;
        } else if b.written - head_left < b.tail.len() {
            self.head = b.tail;
            self.head_done = b.written - head_left;
            self.recycle(b.head);
        } else {
            self.recycle(b.head);
            self.recycle(b.tail);
        }
    }

    /// A written buffer becomes the next `tail` if none has grown meanwhile, else the spare.
    fn recycle(&mut self, mut v: Vec<u8>) {
        if v.capacity() > SPARE_KEEP {
            return;
        }
        v.clear();
        if self.tail.is_empty() && v.capacity() > self.tail.capacity() {
            self.tail = v;
        } else if v.capacity() > self.spare.capacity() {
            self.spare = v;
        }
    }

    /// The calls whose bytes are now all written (Worker mode).
    fn completed_calls(&mut self, out: &mut Vec<Vec<u8>>) {
        let Some(e) = &mut self.extra else { return };
        while e.calls.front().is_some_and(|(end, _)| *end <= e.written) {
            out.push(e.calls.pop_front().unwrap().1);
        }
    }
}

/// Bytes taken out of the queue by a writer.
struct Batch {
    head: Vec<u8>,
    head_done: usize,
    tail: Vec<u8>,
    written: usize,
}

impl Batch {
    fn len(&self) -> usize {
        self.head.len() - self.head_done + self.tail.len()
    }

    /// Writes as much as the socket takes. Err(errno) on a socket error (not EAGAIN).
    fn write(&mut self, fd: RawFd, write: &mut WriteFn<'_>) -> Result<(), i32> {
        while self.written < self.len() {
            let head_left = self.head.len() - self.head_done;
            let parts: [&[u8]; 2] = if self.written < head_left {
                [&self.head[self.head_done + self.written..], &self.tail[..]]
            } else {
                [&self.tail[self.written - head_left..], &[]]
            };
            match write(fd, &parts) {
                Ok(0) => return Ok(()),
                Ok(n) => self.written += n,
                Err(e) if e == libc::EAGAIN => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// A connection's send side: the queue, its lock, and the flag that asks the worker to flush.
/// Every field a Send from any thread reads or writes lies within 64 bytes of the start, with
/// the lock (`#[repr(C)]` keeps the order; see [`Queue`]), so that a Send from another thread
/// takes over one or two cache lines, not also lines the worker writes on every read. (Aligning
/// it to a line cost 196 bytes per connection, padding the whole `Conn`, for no measurable gain.)
#[derive(Default)]
#[repr(C)]
pub struct SendPath {
    /// The connection is connected (false during an async connect): Sends are refused before.
    pub connected: AtomicBool,
    /// Data is queued and nobody is writing it: the worker flushes when the socket is writable.
    needs_flush: AtomicBool,
    /// The monotonic clock's microseconds (their low 32 bits, compared by wrapping) at the last
    /// Send from an application thread, to a coarse step (stream detection, see `Conn::send`).
    pub(crate) last_send_us: AtomicU32,
    q: Mutex<Queue>,
}

/// What one batch write did.
enum Batched {
    /// Nothing to write, or another writer at work.
    Nothing,
    Wrote,
    /// The socket is full.
    Full,
}

/// What a Send did that the caller must follow up on.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub enum Sent {
    /// Written or queued; nothing to do.
    Done,
    /// Queued for the worker: wake it.
    WakeWorker,
}

thread_local! {
    /// The send path whose security layer this thread is running a read of (its address), and
    /// that layer's raw session: a callback the layer makes meanwhile (OpenSSL's server-name
    /// callback, which runs the application's SNI callback) may call back into the library.
    static IN_SECURE_READ: std::cell::Cell<(usize, usize)> = const { std::cell::Cell::new((0, 0)) };
}

/// Marks the calling thread as inside a read of `path`'s security layer until dropped.
struct SecureReadMark((usize, usize));

impl SecureReadMark {
    fn set(path: &SendPath, raw: *mut std::ffi::c_void) -> SecureReadMark {
        SecureReadMark(IN_SECURE_READ.with(|c| c.replace((path as *const SendPath as usize, raw as usize))))
    }
}

impl Drop for SecureReadMark {
    fn drop(&mut self) {
        IN_SECURE_READ.with(|c| c.set(self.0));
    }
}

impl SendPath {
    /// A connection's send path; `connected`: whether Sends are taken yet.
    pub fn new(connected: bool) -> SendPath {
        SendPath { connected: AtomicBool::new(connected), ..SendPath::default() }
    }

    /// Whether this thread is inside a read of this path's security layer (its lock held).
    fn reading_here(&self) -> Option<usize> {
        let (p, raw) = IN_SECURE_READ.with(|c| c.get());
        (p == self as *const SendPath as usize).then_some(raw)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        // A call back into this connection from a callback its security layer makes during a
        // read would wait for the lock this thread holds: refuse it instead (the export's panic
        // guard turns this into its failure value) of deadlocking the worker.
        assert!(self.reading_here().is_none(), "re-entrant call on a connection inside its TLS read");
        self.q.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends the concatenation of `bufs` as one contiguous piece of the stream, by `mode`.
    /// `write` is a non-blocking vectored write to `fd` (Err(EAGAIN) when full).
    /// Err(ENOTCONN) once closed; Err(errno) when the socket failed (the caller closes).
    /// `write_now`: in Gather mode, whether this caller may write an idle connection at once.
    #[inline]
    pub fn send<W: FnMut(RawFd, &[&[u8]]) -> Result<usize, i32>>(&self, fd: RawFd, bufs: &[&[u8]], mode: SendMode, write_now: WriteNow, write: &mut W) -> Result<Sent, i32> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        if self.reading_here().is_some() {
            // From a callback inside the handshake: refused as any Send before it.
            return Err(libc::EPERM);
        }
        let mut q = self.lock();
        if q.closed {
            return Err(libc::ENOTCONN);
        }
        q.calls += 1;
        let idle = !q.writing && q.queued() == 0;
        if q.security().is_some() && mode != SendMode::Worker {
            // An idle connection's first Send from an application thread (or any, in Direct
            // mode) is protected and written at once; the rest, replies from callbacks included,
            // gather as plaintext for the worker, which seals them together and writes once.
            if idle && (write_now == WriteNow::Yes || mode == SendMode::Direct) {
                q.push(bufs)?;
                drop(q);
                return self.write_gathered(fd, write, CALLER_ROUNDS);
            }
            q.push_plain(bufs)?;
            if mode == SendMode::Gather {
                q.gathered += 1;
            }
            return Ok(self.ask_flush(&q));
        }
        match mode {
            SendMode::Worker => {
                q.extra();
                q.push(bufs)?;
                let e = q.extra();
                let end = e.accepted;
                e.calls.push_back((end, bufs.concat()));
                Ok(self.ask_flush(&q))
            }
            SendMode::Direct if idle => self.write_locked(q, fd, bufs, total, write),
            SendMode::Gather if idle && write_now == WriteNow::OwnWorker => self.write_locked(q, fd, bufs, total, write),
            SendMode::Gather if idle && write_now == WriteNow::Yes => {
                // Become the writer; the lock is released during the write so that other
                // senders append meanwhile instead of waiting.
                q.writing = true;
                q.in_flight = total;
                q.count_accepted(total);
                drop(q);
                let r = write_all_now(fd, bufs, total, write);
                let mut q = self.lock();
                q.writing = false;
                q.in_flight = 0;
                let n = r?;
                q.count_written(n);
                if n < total {
                    // The rest goes first: nothing was queued before it, and what others
                    // appended meanwhile is in `tail`, after it.
                    let mut rest = Vec::with_capacity(total - n);
                    for b in skipped(bufs, n) {
                        rest.extend_from_slice(b);
                    }
                    q.head = rest;
                    q.head_done = 0;
                    return Ok(self.ask_flush(&q));
                }
                drop(q);
                self.write_gathered(fd, write, CALLER_ROUNDS)
            }
            SendMode::Direct | SendMode::Gather => {
                q.push(bufs)?;
                if mode == SendMode::Gather {
                    q.gathered += 1;
                }
                Ok(self.ask_flush(&q))
            }
        }
    }

    /// Gives the connection its security layer and queues what it sends first (after what was
    /// queued before: those bytes were sent in the clear). `installed` runs under the lock once
    /// the layer is in place. Err(ENOTCONN) once closed; Err(EALREADY) when it has one.
    pub fn start_security(&self, mut sec: Box<dyn Security>, installed: impl FnOnce()) -> Result<Sent, i32> {
        let mut q = self.lock();
        if q.closed {
            return Err(libc::ENOTCONN);
        }
        if q.security().is_some() {
            return Err(libc::EALREADY);
        }
        let mut first = std::mem::take(&mut q.tail);
        let r = sec.start(&mut first);
        q.count_accepted(first.len());
        q.tail = first;
        r?;
        q.extra().security = Some(sec);
        installed();
        Ok(self.ask_flush(&q))
    }

    /// Runs `f` with the raw session of the connection's security layer ([`Security::raw`]),
    /// under the send lock (or inside the layer's own read, when called back from it); None
    /// without a layer.
    pub fn with_security_raw<R>(&self, f: impl FnOnce(*mut std::ffi::c_void) -> R) -> Option<R> {
        if let Some(raw) = self.reading_here() {
            return Some(f(raw as *mut std::ffi::c_void));
        }
        let mut q = self.lock();
        q.security().map(|s| f(s.raw()))
    }

    /// Bytes read from the socket go through the security layer under the send lock: the
    /// plaintext is appended to `plain`, its own output queued. Ok(None) without a layer; the
    /// bool says the peer ended the session cleanly.
    pub fn read_secure(&self, cipher: &[u8], plain: &mut Vec<u8>) -> Result<Option<(Sent, bool)>, i32> {
        let mut q = self.lock();
        let q = &mut *q;
        // What was sent before this read goes first, as it would have unsealed.
        q.seal()?;
        let Some(e) = q.extra.as_mut() else { return Ok(None) };
        let Some(sec) = e.security.as_mut() else { return Ok(None) };
        let before = q.tail.len();
        let r = {
            let _mark = SecureReadMark::set(self, sec.raw());
            sec.read(cipher, plain, &mut q.tail)
        };
        e.accepted += (q.tail.len() - before) as u64;
        let ended = r?;
        Ok(Some((self.ask_flush(q), ended)))
    }

    /// Whether the security layer (if any) has finished its handshake.
    pub fn handshake_done(&self) -> bool {
        self.lock().security().is_none_or(|s| s.handshake_done())
    }

    /// Writes an idle connection's send at once, holding the lock: each call whole and in
    /// order; only what the socket does not take is queued.
    #[inline]
    fn write_locked<W: FnMut(RawFd, &[&[u8]]) -> Result<usize, i32>>(&self, mut q: std::sync::MutexGuard<'_, Queue>, fd: RawFd, bufs: &[&[u8]], total: usize, write: &mut W) -> Result<Sent, i32> {
        let n = write_all_now(fd, bufs, total, write)?;
        q.count_accepted(total);
        q.count_written(n);
        if n == total {
            return Ok(Sent::Done);
        }
        q.append(bufs, n);
        Ok(self.ask_flush(&q))
    }

    /// After an append: when nobody is writing, the worker must flush.
    fn ask_flush(&self, q: &Queue) -> Sent {
        if q.writing || q.queued() == 0 {
            return Sent::Done;
        }
        if q.streaming && q.queued() < STREAM_WAKE_BYTES {
            // The worker's stream timer writes it, with what follows.
            return Sent::Done;
        }
        // Read first: in a stream of sends the flag is already set, and a plain read leaves the
        // cache line shared with the worker instead of taking it over on every send.
        if self.needs_flush.load(Ordering::Acquire) || self.needs_flush.swap(true, Ordering::AcqRel) {
            Sent::Done
        } else {
            Sent::WakeWorker
        }
    }

    /// A sending thread that wrote its own bytes takes what others gathered meanwhile, for at
    /// most `rounds` writes, then leaves the rest to the worker (also the worker's own write of
    /// replies gathered in the middle of a read, see `conn.rs`, GatherMark).
    pub(crate) fn write_gathered(&self, fd: RawFd, write: &mut WriteFn<'_>, rounds: usize) -> Result<Sent, i32> {
        for _ in 0..rounds {
            match self.write_batch(fd, write, None)? {
                Batched::Nothing => return Ok(Sent::Done),
                Batched::Wrote => {}
                Batched::Full => break,
            }
        }
        let q = self.lock();
        Ok(self.ask_flush(&q))
    }

    /// The worker's flush: writes everything queued as far as the socket takes it. Chunks of
    /// completed calls (Worker mode) are pushed to `done` for OnSend. Err(errno) on a socket
    /// error. Ok(true) when the connection is in stream mode: the worker must flush it again
    /// within its stream delay, as Sends no longer wake it for every batch.
    ///
    /// Stream mode: a flush that finds [`STREAM_SENDS`] or more Sends from application threads
    /// gathered since the last write (they come faster than the worker wakes for each) enters
    /// it; a flush that finds fewer leaves it. In between, Sends append without waking the
    /// worker until [`STREAM_WAKE_BYTES`] are queued, so a stream of small sends leaves in few
    /// large writes instead of one per wake-up. A Send to an idle connection, a reply from a
    /// callback and a stream slower than the worker are written as before.
    pub fn flush(&self, fd: RawFd, write: &mut WriteFn<'_>, done: &mut Vec<Vec<u8>>) -> Result<bool, i32> {
        let streaming = {
            let mut q = self.lock();
            q.streaming = q.gathered >= STREAM_SENDS;
            q.streaming
        };
        self.flush_all(fd, write, done)?;
        Ok(streaming)
    }

    fn flush_all(&self, fd: RawFd, write: &mut WriteFn<'_>, done: &mut Vec<Vec<u8>>) -> Result<(), i32> {
        loop {
            self.needs_flush.store(false, Ordering::Release);
            match self.write_batch(fd, write, Some(done))? {
                // A writer at work sets needs_flush again if it leaves data.
                Batched::Nothing => return Ok(()),
                Batched::Wrote => {}
                Batched::Full => {
                    // Wait for the socket: the worker polls for writability while this is set.
                    self.needs_flush.store(true, Ordering::Release);
                    return Ok(());
                }
            }
        }
    }

    /// Takes what is queued (unless someone is writing, or nothing is), writes it without the
    /// lock, and gives back what the socket did not take.
    fn write_batch(&self, fd: RawFd, write: &mut WriteFn<'_>, mut done: Option<&mut Vec<Vec<u8>>>) -> Result<Batched, i32> {
        let mut q = self.lock();
        if q.writing || q.closed || q.queued() == 0 {
            if let (false, Some(done)) = (q.writing, done) {
                q.completed_calls(done);
            }
            return Ok(Batched::Nothing);
        }
        q.seal()?;
        let mut b = q.take();
        drop(q);
        let r = b.write(fd, write);
        let full = b.written < b.len();
        let mut q = self.lock();
        q.give_back(b);
        if let Some(done) = done.as_mut() {
            q.completed_calls(done);
        }
        r?;
        Ok(if full { Batched::Full } else { Batched::Wrote })
    }

    /// How many Sends the connection has taken so far.
    pub fn calls(&self) -> u64 {
        self.lock().calls
    }

    /// Whether the worker has data to flush.
    pub fn needs_flush(&self) -> bool {
        self.needs_flush.load(Ordering::Acquire)
    }

    /// Bytes accepted by Send and not yet written (queued or being written).
    pub fn pending(&self) -> usize {
        let q = self.lock();
        q.queued() + q.in_flight
    }

    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Runs `f` under the send lock unless closed (None then): the connection's task closes
    /// the socket only after marking it closed under this lock.
    pub fn while_open<R>(&self, f: impl FnOnce() -> R) -> Option<R> {
        let q = self.lock();
        if q.closed {
            return None;
        }
        let r = f();
        drop(q);
        Some(r)
    }

    /// Closes the send side: later Sends fail, queued bytes are dropped.
    pub fn close(&self) {
        let mut q = self.lock();
        q.closed = true;
        q.head = Vec::new();
        q.head_done = 0;
        q.tail = Vec::new();
        q.spare = Vec::new();
        q.extra = None;
        self.needs_flush.store(false, Ordering::Release);
    }
}

/// The non-empty parts of `bufs` after its first `n` bytes.
fn skipped<'a>(bufs: &'a [&'a [u8]], n: usize) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut skip = n;
    bufs.iter().filter_map(move |b| {
        if skip >= b.len() {
            skip -= b.len();
            None
        } else {
            let rest = &b[skip..];
            skip = 0;
            Some(rest)
        }
    })
}

/// Writes `bufs` (total `total` bytes) until done or the socket is full; the bytes written.
#[inline]
fn write_all_now<W: FnMut(RawFd, &[&[u8]]) -> Result<usize, i32>>(fd: RawFd, bufs: &[&[u8]], total: usize, write: &mut W) -> Result<usize, i32> {
    let mut n = 0usize;
    while n < total {
        let r = if n == 0 {
            write(fd, bufs)
        } else {
            // Rare: a partial write; go on from where it stopped.
            let rest: Vec<&[u8]> = skipped(bufs, n).collect();
            write(fd, &rest)
        };
        match r {
            Ok(0) => break,
            Ok(m) => n += m,
            Err(e) if e == libc::EAGAIN => break,
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake socket with room for `room` more bytes (then EAGAIN), recording what it got.
    struct Sink {
        got: Vec<u8>,
        room: usize,
        calls: usize,
    }

    fn writer(s: &mut Sink) -> impl FnMut(RawFd, &[&[u8]]) -> Result<usize, i32> + '_ {
        move |_fd, bufs| {
            s.calls += 1;
            if s.room == 0 {
                return Err(libc::EAGAIN);
            }
            let mut n = 0;
            for b in bufs {
                let take = b.len().min(s.room - n);
                s.got.extend_from_slice(&b[..take]);
                n += take;
                if n == s.room {
                    break;
                }
            }
            s.room -= n;
            Ok(n)
        }
    }

    #[test]
    fn a_send_finds_its_lock_and_every_field_it_writes_within_64_bytes() {
        let p = SendPath::new(true);
        let base = &p as *const SendPath as usize;
        let q = p.lock();
        let queue = &*q as *const Queue as usize - base;
        // The futex word sits before the data in std's Mutex: the lock is in the line too.
        assert!(std::mem::offset_of!(SendPath, q) < queue);
        let end = queue + std::mem::offset_of!(Queue, streaming) + 1;
        assert!(end <= 64, "the fields a Send writes end at byte {end}");
        assert!(std::mem::offset_of!(Queue, head) >= std::mem::offset_of!(Queue, streaming));
    }

    #[test]
    fn an_idle_send_is_written_at_once_and_a_full_socket_queues_the_rest_in_order() {
        let p = SendPath::default();
        let mut s = Sink { got: Vec::new(), room: 5, calls: 0 };
        assert_eq!(p.send(0, &[b"abc", b"defgh"], SendMode::Gather, WriteNow::Yes, &mut writer(&mut s)), Ok(Sent::WakeWorker));
        assert_eq!(s.got, b"abcde");
        assert_eq!(p.pending(), 3);
        // Another send appends behind the rest.
        assert_eq!(p.send(0, &[b"XY"], SendMode::Gather, WriteNow::Yes, &mut writer(&mut s)), Ok(Sent::Done));
        assert_eq!(p.pending(), 5);
        s.room = 100;
        let mut done = Vec::new();
        p.flush(0, &mut writer(&mut s), &mut done).unwrap();
        assert_eq!(s.got, b"abcdefghXY");
        assert_eq!(p.pending(), 0);
        assert!(!p.needs_flush());
    }

    #[test]
    fn gathered_sends_leave_in_one_write_and_partial_writes_keep_the_order() {
        let p = SendPath::default();
        let mut s = Sink { got: Vec::new(), room: 0, calls: 0 };
        // The socket is full: everything queues.
        let _ = p.send(0, &[b"0123"], SendMode::Gather, WriteNow::Yes, &mut writer(&mut s));
        for i in 0..100u8 {
            let _ = p.send(0, &[&[b'a' + (i % 26)]], SendMode::Gather, WriteNow::Yes, &mut writer(&mut s));
        }
        assert_eq!(p.pending(), 104);
        let mut done = Vec::new();
        let mut expect = b"0123".to_vec();
        expect.extend((0..100u8).map(|i| b'a' + (i % 26)));
        // The socket takes 7 bytes at a time; a send arrives between flushes.
        let mut extra = 0u8;
        while p.pending() > 0 {
            s.room = 7;
            p.flush(0, &mut writer(&mut s), &mut done).unwrap();
            if extra < 10 {
                let _ = p.send(0, &[&[b'0' + extra]], SendMode::Gather, WriteNow::Yes, &mut writer(&mut s));
                expect.push(b'0' + extra);
                extra += 1;
            }
        }
        assert_eq!(s.got, expect);
        s.room = 1 << 20;
        s.calls = 0;
        s.got.clear();
        for _ in 0..50 {
            let _ = p.send(0, &[b"zz"], SendMode::Direct, WriteNow::Yes, &mut writer(&mut s));
        }
        assert_eq!(s.got.len(), 100);
    }

    #[test]
    fn a_caller_that_may_not_write_now_gathers_for_the_worker() {
        let p = SendPath::default();
        let mut s = Sink { got: Vec::new(), room: 1000, calls: 0 };
        assert_eq!(p.send(0, &[b"a"], SendMode::Gather, WriteNow::No, &mut writer(&mut s)), Ok(Sent::WakeWorker));
        for _ in 0..9 {
            assert_eq!(p.send(0, &[b"b"], SendMode::Gather, WriteNow::No, &mut writer(&mut s)), Ok(Sent::Done));
        }
        assert_eq!(s.calls, 0);
        let mut done = Vec::new();
        p.flush(0, &mut writer(&mut s), &mut done).unwrap();
        assert_eq!((s.calls, &s.got[..]), (1, &b"abbbbbbbbb"[..]));
    }

    #[test]
    fn a_fast_stream_stops_waking_the_worker_until_a_batch_is_worth_a_write() {
        let p = SendPath::default();
        let mut s = Sink { got: Vec::new(), room: 1 << 20, calls: 0 };
        let mut done = Vec::new();
        let mut expect = Vec::new();
        let send = |p: &SendPath, s: &mut Sink, expect: &mut Vec<u8>, b: &[u8]| {
            expect.extend_from_slice(b);
            p.send(0, &[b], SendMode::Gather, WriteNow::No, &mut writer(s)).unwrap()
        };
        // Fewer than STREAM_SENDS gathered: a flush leaves stream mode off, and the next Send
        // after it wakes the worker again.
        assert_eq!(send(&p, &mut s, &mut expect, b"r1"), Sent::WakeWorker);
        assert!(!p.flush(0, &mut writer(&mut s), &mut done).unwrap());
        assert_eq!(send(&p, &mut s, &mut expect, b"r2"), Sent::WakeWorker);
        for _ in 1..STREAM_SENDS {
            assert_eq!(send(&p, &mut s, &mut expect, b"0123456789"), Sent::Done);
        }
        // STREAM_SENDS gathered: stream mode. Sends no longer wake the worker...
        assert!(p.flush(0, &mut writer(&mut s), &mut done).unwrap());
        let calls = s.calls;
        let msg = [b'm'; 100];
        let mut woke = 0;
        while p.pending() + msg.len() < STREAM_WAKE_BYTES {
            assert_eq!(send(&p, &mut s, &mut expect, &msg), Sent::Done);
        }
        assert!(!p.needs_flush());
        // ...until a batch of STREAM_WAKE_BYTES is queued: one wake, then none until it is written.
        for _ in 0..10 {
            woke += (send(&p, &mut s, &mut expect, &msg) == Sent::WakeWorker) as usize;
        }
        assert_eq!((woke, s.calls), (1, calls), "one wake-up and no write for a stream's batch");
        // The worker's flush (woken, or its stream timer) writes the whole batch in one write,
        // and stays in stream mode while Sends keep coming.
        assert!(p.flush(0, &mut writer(&mut s), &mut done).unwrap());
        assert_eq!(s.calls, calls + 1);
        // A flush with nothing (or little) gathered since ends stream mode: the next Send wakes.
        assert!(!p.flush(0, &mut writer(&mut s), &mut done).unwrap());
        assert_eq!(send(&p, &mut s, &mut expect, b"tail"), Sent::WakeWorker);
        p.flush(0, &mut writer(&mut s), &mut done).unwrap();
        assert_eq!(s.got, expect, "every byte, in order");
        // Direct mode never enters stream mode.
        let d = SendPath::default();
        s.room = 0;
        for _ in 0..2 * STREAM_SENDS {
            let _ = d.send(0, &[b"x"], SendMode::Direct, WriteNow::No, &mut writer(&mut s));
        }
        s.room = 1 << 20;
        assert!(!d.flush(0, &mut writer(&mut s), &mut done).unwrap());
    }

    #[test]
    fn worker_mode_reports_each_call_once_written() {
        let p = SendPath::default();
        let mut s = Sink { got: Vec::new(), room: 3, calls: 0 };
        assert_eq!(p.send(0, &[b"hello"], SendMode::Worker, WriteNow::Yes, &mut writer(&mut s)), Ok(Sent::WakeWorker));
        assert_eq!(p.send(0, &[b"wo", b"rld"], SendMode::Worker, WriteNow::Yes, &mut writer(&mut s)), Ok(Sent::Done));
        assert!(s.got.is_empty(), "worker mode never writes from the caller");
        let mut done = Vec::new();
        s.room = 3;
        p.flush(0, &mut writer(&mut s), &mut done).unwrap();
        assert!(done.is_empty() || done == vec![b"hello".to_vec()]);
        s.room = 100;
        while p.pending() > 0 {
            p.flush(0, &mut writer(&mut s), &mut done).unwrap();
        }
        p.flush(0, &mut writer(&mut s), &mut done).unwrap();
        assert_eq!(done, vec![b"hello".to_vec(), b"world".to_vec()]);
        assert_eq!(s.got, b"helloworld");
    }

    #[test]
    fn closed_refuses_and_errors_are_reported() {
        let p = SendPath::default();
        let mut fail = |_fd: RawFd, _b: &[&[u8]]| -> Result<usize, i32> { Err(libc::EPIPE) };
        assert_eq!(p.send(0, &[b"x"], SendMode::Gather, WriteNow::Yes, &mut fail), Err(libc::EPIPE));
        p.close();
        assert_eq!(p.send(0, &[b"x"], SendMode::Gather, WriteNow::Yes, &mut fail), Err(libc::ENOTCONN));
        assert_eq!(p.pending(), 0);
    }
}
