//! Component options, set while stopped and read once at Start.
#![deny(unsafe_op_in_unsafe_fn)]

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
    /// PACK components: largest body, and the header flag (0 = unchecked on receive).
    pub pack_max_size: u32,
    pub pack_header_flag: u16,
    /// UDP components: largest datagram, and the detect (heartbeat) settings in attempts and
    /// milliseconds (0 disables detection). `post_receive_count` is kept for Get/Set only.
    pub max_datagram_size: u32,
    pub detect_attempts: u32,
    pub detect_interval: u32,
    pub post_receive_count: u32,
    /// UdpCast: 0 multicast, 1 broadcast (upstream's `EnCastMode`), TTL and loopback.
    pub cast_mode: i32,
    pub mc_ttl: i32,
    pub mc_loop: bool,
    /// UdpArqServer / UdpArqClient.
    pub arq: super::arq::ArqOptions,
}

pub(crate) use super::limits::{UDP_DEFAULT_DATAGRAM_SIZE, UDP_MAX_DATAGRAM_SIZE};

/// Upper bound of `SetWorkerThreadCount` (upstream's MAX_WORKER_THREAD_COUNT).
pub(crate) const MAX_WORKER_THREADS: u32 = 512;
/// Upper bound of `SetMaxConnectionCount` (upstream's MAX_CONNECTION_COUNT).
pub(crate) const MAX_CONNECTIONS: u32 = 5_000_000;
/// Smallest `SetSocketBufferSize` accepted at Start (upstream's MIN_SOCKET_BUFFER_SIZE).
pub(crate) const MIN_SOCKET_BUFFER_SIZE: u32 = 8;

/// Upstream's default worker count: twice the processors plus two, capped at 512.
pub fn default_worker_threads() -> u32 {
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as u32;
    (cpus * 2 + 2).min(MAX_WORKER_THREADS)
}

impl Options {
    /// Upstream's defaults for a server (agents and clients adjust a few, see constructors).
    pub fn server() -> Self {
        Options {
            worker_threads: default_worker_threads(),
            send_policy: SendPolicy::Pack,
            on_send_sync_policy: OnSendSyncPolicy::None,
            max_connections: 10_000,
            free_socket_obj_lock_time: 20_000,
            free_socket_obj_pool: 600,
            free_buffer_obj_pool: 1024,
            free_socket_obj_hold: 600,
            free_buffer_obj_hold: 1024,
            mark_silence: true,
            socket_buffer_size: 4096,
            keepalive_time: 60_000,
            keepalive_interval: 20_000,
            accept_socket_count: 64,
            listen_queue: libc::SOMAXCONN as u32,
            reuse_policy: ReusePolicy::AddrOnly,
            no_delay: false,
            dual_stack: true,
            sync_connect_timeout: 10_000,
            pack_max_size: super::recv::PACK_DEFAULT_MAX_SIZE,
            pack_header_flag: 0,
            max_datagram_size: UDP_DEFAULT_DATAGRAM_SIZE,
            detect_attempts: 3,
            detect_interval: 60_000,
            post_receive_count: 300,
            cast_mode: 0,
            mc_ttl: 1,
            mc_loop: false,
            arq: Default::default(),
        }
    }
    pub fn agent() -> Self {
        Options { ..Self::server() }
    }
    pub fn client() -> Self {
        Options { worker_threads: 1, free_buffer_obj_pool: 60, free_buffer_obj_hold: 60, ..Self::server() }
    }

    /// The checks upstream's `CheckParams` makes at Start: counts as signed ints must be positive
    /// (or non-negative for pool sizes), keep-alive times 0 or at least one second.
    pub fn valid(&self, server: bool, client: bool) -> bool {
        self.valid_common(server, client)
    }

    /// UDP components add their datagram and detect checks to the common ones.
    pub fn valid_udp(&self, server: bool) -> bool {
        let common = if server { self.valid_common(false, false) } else { (self.free_buffer_obj_pool as i32) >= 0 && (self.free_buffer_obj_hold as i32) >= 0 };
        common
            && (self.max_datagram_size as i32) > 0
            && self.max_datagram_size <= UDP_MAX_DATAGRAM_SIZE
            && (self.detect_attempts as i32) >= 0
            && (self.detect_interval as i32) >= 0
            && (!server || (self.post_receive_count as i32) > 0)
    }

    /// UdpCast: its datagram size, a cast mode it knows and a TTL of 0..=255.
    pub fn valid_cast(&self) -> bool {
        (self.free_buffer_obj_pool as i32) >= 0
            && (self.free_buffer_obj_hold as i32) >= 0
            && (self.max_datagram_size as i32) > 0
            && self.max_datagram_size <= UDP_MAX_DATAGRAM_SIZE
            && (0..=1).contains(&self.cast_mode)
            && (0..=255).contains(&self.mc_ttl)
    }

    fn valid_common(&self, server: bool, client: bool) -> bool {
        let non_neg = |v: u32| (v as i32) >= 0;
        let keepalive = |v: u32| v == 0 || (v as i32) >= 1000;
        let common = (self.socket_buffer_size as i32) >= MIN_SOCKET_BUFFER_SIZE as i32
            && non_neg(self.free_buffer_obj_pool)
            && non_neg(self.free_buffer_obj_hold)
            && keepalive(self.keepalive_time)
            && keepalive(self.keepalive_interval);
        if client {
            return common;
        }
        common
            && (self.max_connections as i32) > 0
            && self.max_connections <= MAX_CONNECTIONS
            && (self.worker_threads as i32) > 0
            && self.worker_threads <= MAX_WORKER_THREADS
            && non_neg(self.free_socket_obj_lock_time)
            && non_neg(self.free_socket_obj_pool)
            && non_neg(self.free_socket_obj_hold)
            && (!server || ((self.accept_socket_count as i32) > 0 && (self.listen_queue as i32) > 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_their_own_checks() {
        assert!(Options::server().valid(true, false));
        assert!(Options::agent().valid(false, false));
        assert!(Options::client().valid(false, true));
    }

    #[test]
    fn checks_refuse_what_upstream_refuses() {
        let bad: [fn(&mut Options); 7] = [
            |o| o.worker_threads = 0,
            |o| o.worker_threads = MAX_WORKER_THREADS + 1,
            |o| o.max_connections = 0,
            |o| o.socket_buffer_size = MIN_SOCKET_BUFFER_SIZE - 1,
            |o| o.keepalive_time = 999,
            |o| o.listen_queue = 0,
            |o| o.free_socket_obj_pool = u32::MAX,
        ];
        for f in bad {
            let mut o = Options::server();
            f(&mut o);
            assert!(!o.valid(true, false), "{o:?}");
        }
        let mut o = Options::server();
        o.keepalive_time = 0;
        o.keepalive_interval = 1000;
        o.socket_buffer_size = MIN_SOCKET_BUFFER_SIZE;
        assert!(o.valid(true, false));
    }
}
