//! The thread pool: `Create_HP_ThreadPool` and its listener, `HP_ThreadPool_*`, and socket task
//! objects. Workers are plain threads sharing one bounded queue; the rejected policy decides what
//! Submit does when the queue is full: fail (`TRP_CALL_FAIL`, EAGAIN), wait up to the given time
//! (`TRP_WAIT_FOR`, ETIMEDOUT), or run the task in the caller's thread (`TRP_CALLER_RUN`).
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_snake_case, clippy::missing_safety_doc)]

use super::guard::{guard, set_errno};
use super::handle::{self, HandleObject, Kind};
use super::handles::*;
use super::types::*;
use std::collections::VecDeque;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

const FALSE: BOOL = 0;
const TRUE: BOOL = 1;
const INFINITE: DWORD = u32::MAX;

/// The pool listener: four callback slots, settable at any time.
#[derive(Default)]
struct PoolListener {
    startup: AtomicUsize,
    shutdown: AtomicUsize,
    thread_start: AtomicUsize,
    thread_end: AtomicUsize,
}

enum Job {
    Proc(unsafe extern "C" fn(PVOID), usize),
    Task(usize),
}

/// Runs a job: a task proc with its argument, or a socket task (then destroyed).
///
/// # Safety
/// The job's proc is a C function of its declared type (Submit took it from C), and a socket
/// task is one made by `Create_HP_SocketTaskObj`, still alive and not destroyed or run by
/// anyone else meanwhile (destroying a submitted task is the caller's race, as upstream).
unsafe fn run_job(job: Job) {
    match job {
        // SAFETY: `f` is the C task proc given to Submit, called with its own argument.
        Job::Proc(f, arg) => unsafe { f(arg as PVOID) },
        Job::Task(t) => {
            let task = t as *mut TSocketTask;
            // SAFETY: `task` came from Create_HP_SocketTaskObj (Submit_Task checked LIVE_TASKS) and
            // is still alive (this function's contract); `r#fn` is its C task proc.
            if let Some(f) = unsafe { (*task).r#fn } {
                // SAFETY: as above; the proc gets the task, as upstream.
                unsafe { f(task) };
            }
            // SAFETY: the task has run; nothing else uses it (this function's contract), and
            // destroy_task refuses it if the proc already destroyed it.
            unsafe { destroy_task(task) };
        }
    }
}

/// Discards a job that will not run (destroying a socket task).
///
/// # Safety
/// As [`destroy_task`] for a socket task: nothing else uses it.
unsafe fn drop_job(job: Job) {
    if let Job::Task(t) = job {
        // SAFETY: the job was never run and nothing else uses its task (this function's contract).
        unsafe { destroy_task(t as *mut TSocketTask) };
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PoolState {
    Stopped,
    Started,
    Stopping,
}

struct St {
    state: PoolState,
    queue: VecDeque<Job>,
    running: usize,
    threads: usize,
    /// Workers that have left the loop but not yet run OnWorkerThreadEnd; Stop and Wait wait
    /// for them too, so every end callback has run when they return.
    ending: usize,
    target: usize,
    max_queue: usize,
    policy: i32,
    stack: usize,
}

struct Inner {
    st: Mutex<St>,
    work: Condvar,
    space: Condvar,
    idle: Condvar,
    /// The pool handle, passed to the listener's callbacks.
    handle: AtomicUsize,
    /// Optional, as upstream's: without one no callback fires.
    listener: Option<Arc<PoolListener>>,
}

struct Pool {
    inner: Arc<Inner>,
}

// SAFETY: registered only as Kind::ThreadPool, always as `Pool`.
unsafe impl HandleObject for Pool {
    const KINDS: &'static [Kind] = &[Kind::ThreadPool];
    const SHARED: bool = false;
}
// SAFETY: registered only as Kind::ThreadPoolListener, always as `PoolListener`.
unsafe impl HandleObject for PoolListener {
    const KINDS: &'static [Kind] = &[Kind::ThreadPoolListener];
    const SHARED: bool = true;
}

/// The socket tasks made by `Create_HP_SocketTaskObj` and not yet destroyed: a task pointer is
/// the address of a struct C reads, so it cannot be a slot of the handle table; this set lets
/// Destroy and Submit refuse anything else.
static LIVE_TASKS: once_cell::sync::Lazy<dashmap::DashSet<usize>> = once_cell::sync::Lazy::new(dashmap::DashSet::new);

fn cpus() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// Upstream's thread count rule: 0 = 2 x CPUs + 2, negative = CPUs x |n|.
fn thread_count(n: DWORD) -> usize {
    let n = n as i32;
    if n == 0 {
        (cpus() * 2 + 2).min(512)
    } else if n < 0 {
        cpus() * (n.unsigned_abs() as usize)
    } else {
        n as usize
    }
}

impl Inner {
    fn fire(&self, slot: impl Fn(&PoolListener) -> &AtomicUsize) {
        let Some(l) = &self.listener else { return };
        let f = slot(l).load(Ordering::Acquire);
        if f != 0 {
            // SAFETY: a non-zero slot holds a fn pointer of this type, stored from an
            // HP_FN_ThreadPool_OnStartup / OnShutdown by its HP_Set_FN_ThreadPool_* setter.
            let f: unsafe extern "C" fn(HP_ThreadPool) = unsafe { std::mem::transmute(f) };
            // SAFETY: `f` is the C callback set for this slot; it gets the pool handle only.
            unsafe { f(self.handle.load(Ordering::Relaxed) as PVOID) };
        }
    }
    fn fire_thread(&self, slot: impl Fn(&PoolListener) -> &AtomicUsize) {
        let Some(l) = &self.listener else { return };
        let f = slot(l).load(Ordering::Acquire);
        if f != 0 {
            // SAFETY: a non-zero slot holds a fn pointer of this type, stored from an
            // HP_FN_ThreadPool_OnWorkerThreadStart / End by its HP_Set_FN_ThreadPool_* setter.
            let f: unsafe extern "C" fn(HP_ThreadPool, THR_ID) = unsafe { std::mem::transmute(f) };
            // SAFETY: `f` is the C callback set for this slot; it gets the pool handle and this
            // thread's id only (pthread_self has no preconditions).
            unsafe { f(self.handle.load(Ordering::Relaxed) as PVOID, libc::pthread_self() as THR_ID) };
        }
    }

    fn spawn(self: &Arc<Self>, st: &mut St) -> bool {
        let me = self.clone();
        let mut b = std::thread::Builder::new().name("hp-pool".into());
        if st.stack > 0 {
            b = b.stack_size(st.stack);
        }
        if b.spawn(move || me.worker()).is_ok() {
            st.threads += 1;
            true
        } else {
            false
        }
    }

    fn worker(self: Arc<Self>) {
        self.fire_thread(|l| &l.thread_start);
        let mut st = self.st.lock().unwrap();
        loop {
            if st.threads > st.target {
                break;
            }
            if let Some(job) = st.queue.pop_front() {
                st.running += 1;
                self.space.notify_one();
                drop(st);
                // SAFETY: the job came off the queue, so only this worker has it; its proc or task
                // came from Submit / Submit_Task, which checked them.
                unsafe { run_job(job) };
                st = self.st.lock().unwrap();
                st.running -= 1;
                self.idle.notify_all();
                continue;
            }
            if st.state != PoolState::Started {
                break;
            }
            st = self.work.wait(st).unwrap();
        }
        st.threads -= 1;
        st.ending += 1;
        drop(st);
        self.fire_thread(|l| &l.thread_end);
        self.st.lock().unwrap().ending -= 1;
        self.idle.notify_all();
    }

    /// Queues a job per the rejected policy. Err(errno) when refused.
    fn submit(&self, job: Job, max_wait: DWORD) -> Result<(), (i32, Job)> {
        let mut st = self.st.lock().unwrap();
        if st.state != PoolState::Started {
            return Err((libc::EPERM, job));
        }
        if st.max_queue > 0 && st.queue.len() >= st.max_queue {
            match st.policy {
                1 => {
                    let deadline = (max_wait != INFINITE).then(|| Instant::now() + Duration::from_millis(max_wait as u64));
                    while st.state == PoolState::Started && st.queue.len() >= st.max_queue {
                        st = match deadline {
                            None => self.space.wait(st).unwrap(),
                            Some(d) => {
                                let now = Instant::now();
                                if now >= d {
                                    return Err((libc::ETIMEDOUT, job));
                                }
                                self.space.wait_timeout(st, d - now).unwrap().0
                            }
                        };
                    }
                    if st.state != PoolState::Started {
                        return Err((libc::EPERM, job));
                    }
                }
                2 => {
                    drop(st);
                    // SAFETY: the job was never queued, so only this caller has it; its proc or
                    // task came from Submit / Submit_Task, which checked them.
                    unsafe { run_job(job) };
                    return Ok(());
                }
                _ => return Err((libc::EAGAIN, job)),
            }
        }
        st.queue.push_back(job);
        self.work.notify_one();
        Ok(())
    }
}

/// The pool behind a live pool handle; anything else sets EINVAL.
fn pool<'a>(p: PVOID) -> Option<&'a Pool> {
    let o = handle::get(p, Kind::ThreadPool);
    if o.is_none() {
        set_errno(libc::EINVAL);
    }
    o
}

/// The listener behind a live listener handle; anything else sets EINVAL.
fn listener<'a>(p: PVOID) -> Option<&'a PoolListener> {
    let l = handle::get(p, Kind::ThreadPoolListener);
    if l.is_none() {
        set_errno(libc::EINVAL);
    }
    l
}

// ---- listener ----

/// Creates a thread pool listener (its four callbacks all NULL); NULL only if the handle table is
/// full.
#[no_mangle]
pub extern "C" fn Create_HP_ThreadPoolListener() -> HP_ThreadPoolListener {
    guard(|| handle::new_shared(Kind::ThreadPoolListener, Arc::new(PoolListener::default())))
}
/// Drops the listener handle; pools created with it keep their own reference.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_ThreadPoolListener(pListener: HP_ThreadPoolListener) {
    guard(|| {
        match handle::take_shared::<PoolListener>(pListener, Kind::ThreadPoolListener) {
            Some(l) => drop(l),
            None => set_errno(libc::EINVAL),
        }
    })
}
/// Sets the OnStartup callback (NULL clears it); may be set after Start. errno EINVAL for a bad
/// listener.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_ThreadPool_OnStartup(pListener: HP_ThreadPoolListener, fn_: HP_FN_ThreadPool_OnStartup) {
    if let Some(l) = listener(pListener) {
        l.startup.store(fn_.map_or(0, |f| f as usize), Ordering::Release);
    }
}
/// Sets the OnShutdown callback (NULL clears it); may be set after Start. errno EINVAL for a bad
/// listener.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_ThreadPool_OnShutdown(pListener: HP_ThreadPoolListener, fn_: HP_FN_ThreadPool_OnShutdown) {
    if let Some(l) = listener(pListener) {
        l.shutdown.store(fn_.map_or(0, |f| f as usize), Ordering::Release);
    }
}
/// Sets the OnWorkerThreadStart callback (NULL clears it); may be set after Start. errno EINVAL for
/// a bad listener.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_ThreadPool_OnWorkerThreadStart(pListener: HP_ThreadPoolListener, fn_: HP_FN_ThreadPool_OnWorkerThreadStart) {
    if let Some(l) = listener(pListener) {
        l.thread_start.store(fn_.map_or(0, |f| f as usize), Ordering::Release);
    }
}
/// Sets the OnWorkerThreadEnd callback (NULL clears it); may be set after Start. errno EINVAL for a
/// bad listener.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_ThreadPool_OnWorkerThreadEnd(pListener: HP_ThreadPoolListener, fn_: HP_FN_ThreadPool_OnWorkerThreadEnd) {
    if let Some(l) = listener(pListener) {
        l.thread_end.store(fn_.map_or(0, |f| f as usize), Ordering::Release);
    }
}

// ---- pool ----

/// Creates a stopped thread pool raising `pListener`'s callbacks (NULL: none; the pool keeps the
/// listener alive). NULL with errno EINVAL for a bad non-NULL listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_ThreadPool(pListener: HP_ThreadPoolListener) -> HP_ThreadPool {
    guard(|| {
        // The listener is optional, as upstream's.
        let listener = if pListener.is_null() {
            None
        } else {
            match handle::share::<PoolListener>(pListener, Kind::ThreadPoolListener) {
                Some(l) => Some(l),
                None => {
                    set_errno(libc::EINVAL);
                    return std::ptr::null_mut();
                }
            }
        };
        let inner = Arc::new(Inner {
            st: Mutex::new(St { state: PoolState::Stopped, queue: VecDeque::new(), running: 0, threads: 0, ending: 0, target: 0, max_queue: 0, policy: 0, stack: 0 }),
            work: Condvar::new(),
            space: Condvar::new(),
            idle: Condvar::new(),
            handle: AtomicUsize::new(0),
            listener,
        });
        let h = handle::new_boxed(Kind::ThreadPool, Box::new(Pool { inner: inner.clone() }));
        inner.handle.store(h as usize, Ordering::Relaxed);
        h
    })
}

/// Stops the pool (waiting for its tasks) and frees it.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_ThreadPool(pThreadPool: HP_ThreadPool) {
    guard(|| {
        let Some(p) = handle::take_boxed::<Pool>(pThreadPool, Kind::ThreadPool) else {
            set_errno(libc::EINVAL);
            return;
        };
        // SAFETY: queued socket tasks are owned by the pool; their users are this pool's workers,
        // which stop first (destroying a queued task from C is the caller's race).
        unsafe { stop(&p, INFINITE) };
    })
}

/// Starts `dwThreadCount` workers (0: 2 x CPUs + 2; negative: CPUs x |n|), a queue of at most
/// `dwMaxQueueSize` waiting tasks (0: unbounded), the rejected policy, and the workers' stack
/// size (0: the default).
#[no_mangle]
pub unsafe extern "C" fn HP_ThreadPool_Start(pThreadPool: HP_ThreadPool, dwThreadCount: DWORD, dwMaxQueueSize: DWORD, enRejectedPolicy: RejectedPolicyArg, dwStackSize: DWORD) -> BOOL {
    guard(|| {
        let Some(p) = pool(pThreadPool) else {
            set_errno(libc::EINVAL);
            return FALSE;
        };
        if !(0..=2).contains(&enRejectedPolicy.0) {
            set_errno(libc::EINVAL);
            return FALSE;
        }
        let inner = &p.inner;
        let mut st = inner.st.lock().unwrap();
        if st.state != PoolState::Stopped || st.threads > 0 {
            set_errno(libc::EALREADY);
            return FALSE;
        }
        st.state = PoolState::Started;
        st.max_queue = dwMaxQueueSize as usize;
        st.policy = enRejectedPolicy.0;
        st.stack = dwStackSize as usize;
        st.target = thread_count(dwThreadCount);
        drop(st);
        inner.fire(|l| &l.startup);
        let mut st = inner.st.lock().unwrap();
        while st.threads < st.target {
            if !inner.spawn(&mut st) {
                break;
            }
        }
        TRUE
    })
}

/// Queues `fnTaskProc(pvArg)`; `dwMaxWait` (ms, INFINITE = (DWORD)-1) applies with TRP_WAIT_FOR.
#[no_mangle]
pub unsafe extern "C" fn HP_ThreadPool_Submit(pThreadPool: HP_ThreadPool, fnTaskProc: HP_Fn_TaskProc, pvArg: PVOID, dwMaxWait: DWORD) -> BOOL {
    guard(|| {
        let (Some(p), Some(f)) = (pool(pThreadPool), fnTaskProc) else {
            set_errno(libc::EINVAL);
            return FALSE;
        };
        match p.inner.submit(Job::Proc(f, pvArg as usize), dwMaxWait) {
            Ok(()) => TRUE,
            Err((e, _)) => {
                set_errno(e);
                FALSE
            }
        }
    })
}

/// Queues a socket task; the pool runs it and then destroys it. A refused task is destroyed too.
#[no_mangle]
pub unsafe extern "C" fn HP_ThreadPool_Submit_Task(pThreadPool: HP_ThreadPool, pTask: HP_LPTSocketTask, dwMaxWait: DWORD) -> BOOL {
    guard(|| {
        let Some(p) = pool(pThreadPool) else {
            set_errno(libc::EINVAL);
            return FALSE;
        };
        if !LIVE_TASKS.contains(&(pTask as usize)) {
            set_errno(libc::EINVAL);
            return FALSE;
        }
        match p.inner.submit(Job::Task(pTask as usize), dwMaxWait) {
            Ok(()) => TRUE,
            Err((e, job)) => {
                // SAFETY: the refused job was never queued, so nothing else uses its task.
                unsafe { drop_job(job) };
                set_errno(e);
                FALSE
            }
        }
    })
}

/// Changes the number of workers while started (0 and negative as in Start).
#[no_mangle]
pub unsafe extern "C" fn HP_ThreadPool_AdjustThreadCount(pThreadPool: HP_ThreadPool, dwNewThreadCount: DWORD) -> BOOL {
    guard(|| {
        let Some(p) = pool(pThreadPool) else {
            set_errno(libc::EINVAL);
            return FALSE;
        };
        let inner = &p.inner;
        let mut st = inner.st.lock().unwrap();
        if st.state != PoolState::Started {
            set_errno(libc::EPERM);
            return FALSE;
        }
        st.target = thread_count(dwNewThreadCount);
        while st.threads < st.target {
            if !inner.spawn(&mut st) {
                return FALSE;
            }
        }
        inner.work.notify_all();
        TRUE
    })
}

/// Stops taking tasks, lets the workers finish the queue for up to `dwMaxWait` ms, then drops
/// what is still queued (socket tasks are destroyed). FALSE with ETIMEDOUT when tasks were
/// dropped or workers were still busy; the pool is stopped either way. From inside a task the
/// pool stops without waiting for that task's thread.
///
/// # Safety
/// The socket tasks still queued are not used elsewhere (C does not destroy a submitted task),
/// so the ones dropped here may be destroyed.
unsafe fn stop(p: &Pool, max_wait: DWORD) -> BOOL {
    let inner = &p.inner;
    let mut st = inner.st.lock().unwrap();
    if st.state != PoolState::Started {
        set_errno(libc::EPERM);
        return FALSE;
    }
    st.state = PoolState::Stopping;
    inner.work.notify_all();
    inner.space.notify_all();
    let on_worker = std::thread::current().name() == Some("hp-pool");
    let deadline = (max_wait != INFINITE).then(|| Instant::now() + Duration::from_millis(max_wait as u64));
    let mut clean = true;
    loop {
        let own = on_worker as usize;
        if st.queue.is_empty() && st.threads <= own && st.ending == 0 {
            break;
        }
        match deadline {
            None => st = inner.idle.wait(st).unwrap(),
            Some(d) => {
                let now = Instant::now();
                if now >= d {
                    clean = false;
                    break;
                }
                st = inner.idle.wait_timeout(st, d - now).unwrap().0;
            }
        }
    }
    let dropped: Vec<Job> = st.queue.drain(..).collect();
    clean &= dropped.is_empty();
    st.target = 0;
    st.state = PoolState::Stopped;
    inner.work.notify_all();
    drop(st);
    for j in dropped {
        // SAFETY: drained from the queue under the lock, so no worker has these jobs, and C does
        // not use a submitted task (this function's contract).
        unsafe { drop_job(j) };
    }
    inner.fire(|l| &l.shutdown);
    if clean {
        TRUE
    } else {
        set_errno(libc::ETIMEDOUT);
        FALSE
    }
}

/// Stops taking tasks, lets the workers drain the queue for up to `dwMaxWait` ms (INFINITE: no
/// limit), then drops the rest: FALSE with ETIMEDOUT then, EPERM unless started. The pool is
/// stopped either way.
#[no_mangle]
pub unsafe extern "C" fn HP_ThreadPool_Stop(pThreadPool: HP_ThreadPool, dwMaxWait: DWORD) -> BOOL {
    guard(|| match pool(pThreadPool) {
        // SAFETY: queued socket tasks belong to the pool once submitted (upstream's contract for
        // HP_ThreadPool_Submit_Task: C no longer touches them).
        Some(p) => unsafe { stop(p, dwMaxWait) },
        None => {
            set_errno(libc::EINVAL);
            FALSE
        }
    })
}

/// Waits until the pool is stopped and its workers have ended (TRUE), or the time runs out.
#[no_mangle]
pub unsafe extern "C" fn HP_ThreadPool_Wait(pThreadPool: HP_ThreadPool, dwMilliseconds: DWORD) -> BOOL {
    guard(|| {
        let Some(p) = pool(pThreadPool) else {
            set_errno(libc::EINVAL);
            return FALSE;
        };
        let inner = &p.inner;
        let deadline = (dwMilliseconds != INFINITE).then(|| Instant::now() + Duration::from_millis(dwMilliseconds as u64));
        let mut st = inner.st.lock().unwrap();
        while st.state != PoolState::Stopped || st.threads > 0 || st.ending > 0 {
            match deadline {
                None => st = inner.idle.wait(st).unwrap(),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        set_errno(libc::ETIMEDOUT);
                        return FALSE;
                    }
                    st = inner.idle.wait_timeout(st, d - now).unwrap().0;
                }
            }
        }
        TRUE
    })
}

fn read<T: Default>(p: PVOID, f: impl FnOnce(&St) -> T) -> T {
    match pool(p) {
        Some(p) => f(&p.inner.st.lock().unwrap()),
        None => {
            set_errno(libc::EINVAL);
            T::default()
        }
    }
}

/// TRUE while the pool is started; FALSE otherwise, or with errno EINVAL for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_ThreadPool_HasStarted(pThreadPool: HP_ThreadPool) -> BOOL {
    guard(|| read(pThreadPool, |s| (s.state == PoolState::Started) as BOOL))
}
/// SS_STARTED, SS_STOPPING or SS_STOPPED; SS_STOPPED for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_ThreadPool_GetState(pThreadPool: HP_ThreadPool) -> En_HP_ServiceState {
    guard(|| match pool(pThreadPool) {
        Some(p) => match p.inner.st.lock().unwrap().state {
            PoolState::Started => EnServiceState::SS_STARTED,
            PoolState::Stopping => EnServiceState::SS_STOPPING,
            PoolState::Stopped => EnServiceState::SS_STOPPED,
        },
        None => EnServiceState::SS_STOPPED,
    })
}
/// Tasks waiting in the queue.
#[no_mangle]
pub unsafe extern "C" fn HP_ThreadPool_GetQueueSize(pThreadPool: HP_ThreadPool) -> DWORD {
    guard(|| read(pThreadPool, |s| s.queue.len() as DWORD))
}
/// Tasks waiting plus tasks running.
#[no_mangle]
pub unsafe extern "C" fn HP_ThreadPool_GetTaskCount(pThreadPool: HP_ThreadPool) -> DWORD {
    guard(|| read(pThreadPool, |s| (s.queue.len() + s.running) as DWORD))
}
/// The number of worker threads running; 0 when stopped, or with errno EINVAL for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_ThreadPool_GetThreadCount(pThreadPool: HP_ThreadPool) -> DWORD {
    guard(|| read(pThreadPool, |s| s.threads as DWORD))
}
/// The queue bound given to Start (0: unbounded); 0 also with errno EINVAL for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_ThreadPool_GetMaxQueueSize(pThreadPool: HP_ThreadPool) -> DWORD {
    guard(|| read(pThreadPool, |s| s.max_queue as DWORD))
}
/// The rejected policy given to Start (TRP_CALL_FAIL, TRP_WAIT_FOR, TRP_CALLER_RUN); TRP_CALL_FAIL
/// for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_ThreadPool_GetRejectedPolicy(pThreadPool: HP_ThreadPool) -> En_HP_RejectedPolicy {
    guard(|| match pool(pThreadPool).map(|p| p.inner.st.lock().unwrap().policy) {
        Some(1) => EnRejectedPolicy::TRP_WAIT_FOR,
        Some(2) => EnRejectedPolicy::TRP_CALLER_RUN,
        _ => EnRejectedPolicy::TRP_CALL_FAIL,
    })
}

// ---- socket task objects ----

/// A task for `HP_ThreadPool_Submit_Task`. `TBT_COPY` copies the buffer, `TBT_REFER` keeps the
/// caller's pointer, `TBT_ATTACH` takes ownership of a buffer from `malloc`/`SYS_Malloc` (freed
/// with the task).
#[no_mangle]
pub unsafe extern "C" fn Create_HP_SocketTaskObj(fnTaskProc: Fn_SocketTaskProc, pSender: PVOID, dwConnID: HP_CONNID, pBuffer: LPCBYTE, iBuffLen: INT, enBuffType: TaskBufferTypeArg, wParam: WPARAM, lParam: LPARAM) -> HP_LPTSocketTask {
    guard(|| {
        if fnTaskProc.is_none() || iBuffLen < 0 || (pBuffer.is_null() && iBuffLen > 0) || !(0..=2).contains(&enBuffType.0) {
            set_errno(libc::EINVAL);
            return std::ptr::null_mut();
        }
        let (buf, ty) = match enBuffType.0 {
            0 => {
                // SAFETY: malloc has no preconditions; the size is at least 1.
                let b = unsafe { libc::malloc((iBuffLen as usize).max(1)) } as *mut BYTE;
                if iBuffLen > 0 {
                    // SAFETY: `pBuffer` is non-NULL (checked above) with `iBuffLen` readable bytes
                    // (upstream's contract), and `b` is a fresh block of that size. NOTE: `b` is
                    // not checked for NULL: if malloc fails this writes to NULL.
                    unsafe { std::ptr::copy_nonoverlapping(pBuffer, b, iBuffLen as usize) };
                }
                (b as LPCBYTE, EnTaskBufferType::TBT_COPY)
            }
            1 => (pBuffer, EnTaskBufferType::TBT_REFER),
            _ => (pBuffer, EnTaskBufferType::TBT_ATTACH),
        };
        let t = Box::into_raw(Box::new(TSocketTask { r#fn: fnTaskProc, sender: pSender, connID: dwConnID, buf, bufLen: iBuffLen, bufType: ty, wparam: wParam, lparam: lParam }));
        LIVE_TASKS.insert(t as usize);
        t
    })
}

/// Frees a task made by `Create_HP_SocketTaskObj`; anything else is refused with EINVAL.
///
/// # Safety
/// No other thread is using `*t` (running it, or reading it), and a TBT_ATTACH buffer came
/// from `malloc` (upstream's contract for `Create_HP_SocketTaskObj`).
unsafe fn destroy_task(t: *mut TSocketTask) {
    if LIVE_TASKS.remove(&(t as usize)).is_none() {
        set_errno(libc::EINVAL);
        return;
    }
    // SAFETY: the set held `t`, so it came from Box::into_raw in Create_HP_SocketTaskObj and was
    // not freed; removing it from the set made it ours alone.
    let task = unsafe { Box::from_raw(t) };
    if matches!(task.bufType, EnTaskBufferType::TBT_COPY | EnTaskBufferType::TBT_ATTACH) && !task.buf.is_null() {
        // SAFETY: a TBT_COPY buffer is the block malloc'ed in Create_HP_SocketTaskObj, a TBT_ATTACH
        // one came from malloc (this function's contract); the task owns it alone.
        unsafe { libc::free(task.buf as *mut libc::c_void) };
    }
}

/// Frees a task made by Create_HP_SocketTaskObj (and a TBT_COPY / TBT_ATTACH buffer); any other
/// pointer is refused with errno EINVAL. Not for a task submitted with Submit_Task (it frees it).
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_SocketTaskObj(pTask: HP_LPTSocketTask) {
    // SAFETY: destroy_task frees only tasks in LIVE_TASKS; C does not destroy a task it has
    // submitted or is still using (upstream's contract for Destroy_HP_SocketTaskObj).
    guard(|| unsafe { destroy_task(pTask) })
}

