//! Worker threads: each owns a single-threaded tokio runtime, and connections are assigned to
//! workers round-robin, so a connection's events always run on one thread (upstream's model,
//! without cross-thread wake-ups on the hot path).
#![deny(unsafe_op_in_unsafe_fn)]

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use tokio::runtime::Handle;
use tokio::sync::oneshot;

thread_local! {
    /// The component (by address of its shared state) whose worker this thread is; 0 elsewhere.
    static WORKER_OF: Cell<usize> = const { Cell::new(0) };
}

thread_local! {
    /// The component whose callback this (non-worker) thread is running right now: OnPrepareListen
    /// inside Start, OnPrepareConnect inside Connect, OnShutdown inside Stop; 0 otherwise.
    static CALLBACK_OF: Cell<usize> = const { Cell::new(0) };
}

/// True when the calling thread is one of the workers of the component identified by `owner`,
/// or is inside one of its callbacks raised in the caller's thread: Stop and Destroy called
/// there complete on a helper thread instead of deadlocking on the call in progress.
pub fn on_worker_of(owner: usize) -> bool {
    WORKER_OF.with(|w| w.get() == owner) || CALLBACK_OF.with(|c| c.get() == owner)
}

/// Runs a callback of the component `owner` in the calling thread, marked as such.
pub fn in_callback_of<R>(owner: usize, f: impl FnOnce() -> R) -> R {
    let prev = CALLBACK_OF.with(|c| c.replace(owner));
    struct Restore(usize);
    impl Drop for Restore {
        fn drop(&mut self) {
            CALLBACK_OF.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(prev);
    f()
}

pub struct Workers {
    handles: Vec<Handle>,
    stops: Vec<oneshot::Sender<()>>,
    threads: Vec<JoinHandle<()>>,
    next: AtomicUsize,
}

impl Workers {
    pub fn start(count: usize, owner: usize, name: &str) -> std::io::Result<Workers> {
        let mut w = Workers { handles: Vec::new(), stops: Vec::new(), threads: Vec::new(), next: AtomicUsize::new(0) };
        for i in 0..count.max(1) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_io().enable_time().build()?;
            let (stop_tx, stop_rx) = oneshot::channel::<()>();
            w.handles.push(rt.handle().clone());
            w.stops.push(stop_tx);
            let t = std::thread::Builder::new().name(format!("{name}-{i}")).spawn(move || {
                WORKER_OF.with(|c| c.set(owner));
                let _ = rt.block_on(stop_rx);
                // Connection tasks have all ended before Stop asks a worker to quit; whatever
                // is left (timers) is dropped here, on the worker's own thread.
                rt.shutdown_background();
            });
            match t {
                Ok(t) => w.threads.push(t),
                Err(e) => {
                    w.stop();
                    return Err(e);
                }
            }
        }
        Ok(w)
    }

    /// The next worker, round-robin.
    pub fn pick(&self) -> &Handle {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.handles.len();
        &self.handles[i]
    }

    pub fn first(&self) -> &Handle {
        &self.handles[0]
    }

    pub fn len(&self) -> usize {
        self.handles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.handles.is_empty()
    }

    /// Asks every worker to quit and joins them (never call from a worker of the same set).
    pub fn stop(&mut self) {
        for s in self.stops.drain(..) {
            let _ = s.send(());
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        self.handles.clear();
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        self.stop();
    }
}

/// True when the calling thread is a worker of `c`.
pub fn on_worker_of_component(c: &crate::engine::component::Component) -> bool {
    on_worker_of(c.owner_id())
}
