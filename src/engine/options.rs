//! Component options, set while stopped and read once at Start.

/// Upstream's `EnSendPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendPolicy {
    Pack = 0,
    Safe = 1,
    Direct = 2,
}

/// Upstream's `EnOnSendSyncPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnSendSyncPolicy {
    None = 0,
    Close = 1,
    Receive = 2,
}

/// Upstream's `EnReuseAddressPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReusePolicy {
    None = 0,
    AddrOnly = 1,
    AddrAndPort = 2,
}

#[derive(Clone, Debug)]
pub struct Options {
    pub worker_threads: u32,
    pub send_policy: SendPolicy,
    pub on_send_sync_policy: OnSendSyncPolicy,
    pub max_connections: u32,
    pub free_socket_obj_lock_time: u32,
    pub free_socket_obj_pool: u32,
    pub free_buffer_obj_pool: u32,
    pub free_socket_obj_hold: u32,
    pub free_buffer_obj_hold: u32,
    pub mark_silence: bool,
    pub socket_buffer_size: u32,
    pub keepalive_time: u32,
    pub keepalive_interval: u32,
    pub accept_socket_count: u32,
    pub listen_queue: u32,
    pub reuse_policy: ReusePolicy,
    pub no_delay: bool,
    pub dual_stack: bool,
    pub sync_connect_timeout: u32,
}

/// Upstream's default worker count: twice the processors plus two, capped at 500.
pub fn default_worker_threads() -> u32 {
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as u32;
    (cpus * 2 + 2).min(500)
}

impl Options {
    /// Upstream's defaults for a server (agents and clients adjust a few, see constructors).
    pub fn server() -> Self {
        Options {
            worker_threads: default_worker_threads(),
            send_policy: SendPolicy::Pack,
            on_send_sync_policy: OnSendSyncPolicy::None,
            max_connections: 10_000,
            free_socket_obj_lock_time: 15_000,
            free_socket_obj_pool: 600,
            free_buffer_obj_pool: 1024,
            free_socket_obj_hold: 600 * 3,
            free_buffer_obj_hold: 1024 * 3,
            mark_silence: true,
            socket_buffer_size: 4096,
            keepalive_time: 60_000,
            keepalive_interval: 20_000,
            accept_socket_count: 300,
            listen_queue: 256,
            reuse_policy: ReusePolicy::AddrOnly,
            no_delay: false,
            dual_stack: true,
            sync_connect_timeout: 10_000,
        }
    }
    pub fn agent() -> Self {
        Options { ..Self::server() }
    }
    pub fn client() -> Self {
        Options { worker_threads: 1, free_buffer_obj_pool: 10, free_buffer_obj_hold: 40, ..Self::server() }
    }
}
