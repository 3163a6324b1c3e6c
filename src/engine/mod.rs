//! The engine: TCP components on tokio, in safe Rust, knowing nothing of C.
//!
//! One [`component::Component`] type serves the three TCP roles (server, agent, client): they
//! share the connection registry, the worker threads, the send path and the receive loop, and
//! differ only in how connections come to be (accept or connect).

pub mod accept;
pub mod arq;
pub mod component;
pub mod conn;
pub mod connect;
pub mod http;
pub mod kcp;
pub mod limits;
pub mod listen;
pub mod net;
pub mod options;
pub mod recv;
pub mod send;
pub mod stack;
#[cfg(feature = "ssl")]
pub mod tls;
pub mod udp;
pub mod udp_start;
pub mod udp_node;
pub mod workers;

#[cfg(test)]
mod fault_tests;
#[cfg(test)]
mod stack_tests;
#[cfg(test)]
mod test_util;

use std::os::fd::RawFd;

/// Connection ids, from 1 upward within a component.
pub type ConnId = u64;

thread_local! {
    static CALLBACK_ERRNO: std::cell::Cell<i32> = const { std::cell::Cell::new(0) };
}

/// Records the `errno` the application's callback just left on this thread (0: none). Set by
/// the C layer after every callback it runs.
#[inline]
pub fn note_callback_errno(code: i32) {
    CALLBACK_ERRNO.with(|c| c.set(code));
}

/// The code of a close (or failed start) caused by a handler's error result: as upstream, the
/// `errno` the latest callback on this thread left, or `ECANCELED` when it left none.
pub fn cancelled() -> i32 {
    match take_callback_errno() {
        0 => libc::ECANCELED,
        e => e,
    }
}

/// The `errno` the latest callback on this thread left (0: none), cleared.
pub fn take_callback_errno() -> i32 {
    CALLBACK_ERRNO.with(|c| c.replace(0))
}

/// What an event handler tells the engine to do next (upstream's `EnHandleResult`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handled {
    Ok,
    Ignore,
    Error,
}

/// What an HTTP parser event handler tells the parser (upstream's `EnHttpParseResult`):
/// SkipBody and Upgrade count only from OnHeadersComplete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseResult {
    Ok,
    SkipBody,
    Upgrade,
    Error,
}

/// Which operation a connection was closed by (upstream's `EnSocketOperation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Op {
    Unknown = 0,
    Accept = 1,
    Connect = 2,
    Send = 3,
    Receive = 4,
    Close = 5,
}

/// Component-level error codes (upstream's `EnSocketError` values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum SocketError {
    Ok = 0,
    IllegalState = 1,
    InvalidParam = 2,
    SocketCreate = 3,
    SocketBind = 4,
    SocketPrepare = 5,
    SocketListen = 6,
    CpCreate = 7,
    WorkerThreadCreate = 8,
    DetectThreadCreate = 9,
    SocketAttachToCp = 10,
    ConnectServer = 11,
    Network = 12,
    DataProc = 13,
    DataSend = 14,
    GcStart = 15,
    /// An SSL component started without its context.
    SslEnvNotReady = 101,
}

/// Service state (upstream's `EnServiceState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum State {
    Starting = 0,
    Started = 1,
    Stopping = 2,
    Stopped = 3,
}

impl State {
    /// The state stored as `State as u8` in an atomic.
    pub fn from_u8(v: u8) -> State {
        match v {
            0 => State::Starting,
            1 => State::Started,
            2 => State::Stopping,
            _ => State::Stopped,
        }
    }
}

/// The events a component raises. Implemented by the C boundary, which calls the listener's
/// function pointers. For one connection, these are never called concurrently.
pub trait Events: Send + Sync + 'static {
    fn on_prepare_listen(&self, _listen_fd: RawFd) -> Handled {
        Handled::Ok
    }
    fn on_prepare_connect(&self, _id: ConnId, _fd: RawFd) -> Handled {
        Handled::Ok
    }
    /// `client` is what upstream passes as `pClient`: the accepted socket for TCP, the
    /// address of the peer's socket address for UDP.
    fn on_accept(&self, _id: ConnId, _client: usize) -> Handled {
        Handled::Ok
    }
    fn on_connect(&self, _id: ConnId) -> Handled {
        Handled::Ok
    }
    fn on_handshake(&self, _id: ConnId) -> Handled {
        Handled::Ok
    }
    fn on_receive(&self, _id: ConnId, _data: &[u8]) -> Handled {
        Handled::Ok
    }
    /// PULL components: `total` bytes are now buffered for Fetch / Peek.
    fn on_pull_receive(&self, _id: ConnId, _total: usize) -> Handled {
        Handled::Ok
    }
    /// Whether `on_send` does anything; when false the engine skips the bookkeeping it needs.
    fn wants_on_send(&self) -> bool {
        false
    }
    fn on_send(&self, _id: ConnId, _data: &[u8]) -> Handled {
        Handled::Ok
    }
    fn on_close(&self, _id: ConnId, _op: Op, _code: i32) -> Handled {
        Handled::Ok
    }
    fn on_shutdown(&self) -> Handled {
        Handled::Ok
    }
    /// The HTTP events, for the components that have them.
    fn http(&self) -> Option<&dyn http::layer::HttpEvents> {
        None
    }
}
