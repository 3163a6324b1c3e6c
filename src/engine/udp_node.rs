//! UdpNode: one UDP socket, connectionless. Datagrams are received on a dedicated thread and
//! handed to the events with the sender's address; sends go straight to the socket from the
//! caller (a datagram is written whole or not at all, so nothing is ever queued).
#![deny(unsafe_op_in_unsafe_fn)]

use super::options::ReusePolicy;
use super::{Handled, Op, SocketError, State};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Upstream's `EnCastMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CastMode {
    Unicast,
    Multicast,
    Broadcast,
}

pub trait NodeEvents: Send + Sync + 'static {
    fn on_prepare_listen(&self, _fd: RawFd) -> Handled {
        Handled::Ok
    }
    fn on_receive(&self, _from: &SocketAddr, _data: &[u8]) -> Handled {
        Handled::Ok
    }
    fn on_send(&self, _to: &SocketAddr, _data: &[u8]) -> Handled {
        Handled::Ok
    }
    fn on_error(&self, _op: Op, _code: i32, _from: &SocketAddr, _data: &[u8]) -> Handled {
        Handled::Ok
    }
    fn on_shutdown(&self) -> Handled {
        Handled::Ok
    }
}

#[derive(Clone, Debug)]
pub struct NodeOptions {
    pub max_datagram: u32,
    pub worker_threads: u32,
    pub post_receive_count: u32,
    pub free_buffer_pool: u32,
    pub free_buffer_hold: u32,
    pub reuse: ReusePolicy,
    pub dual_stack: bool,
    pub mc_ttl: i32,
    pub mc_loop: bool,
}

impl Default for NodeOptions {
    fn default() -> Self {
        NodeOptions {
            max_datagram: 1432,
            worker_threads: super::options::default_worker_threads(),
            post_receive_count: 64,
            free_buffer_pool: 1024,
            free_buffer_hold: 1024,
            reuse: ReusePolicy::AddrOnly,
            dual_stack: true,
            mc_ttl: 1,
            mc_loop: false,
        }
    }
}

/// Largest datagram a node accepts (upstream's limit).
pub const MAX_DATAGRAM_LIMIT: u32 = 65536;

struct Running {
    sock: Arc<Socket>,
    local: SocketAddr,
    cast: Option<(CastMode, SocketAddr)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

pub struct Node {
    events: Arc<dyn NodeEvents>,
    opts: Mutex<NodeOptions>,
    state: AtomicU8,
    stop_flag: Arc<AtomicBool>,
    run: Mutex<Option<Running>>,
    stopped: (Mutex<bool>, Condvar),
    last_error: Mutex<SocketError>,
    lifecycle: Mutex<()>,
}

pub type Result<T> = std::result::Result<T, (SocketError, i32)>;

fn os(e: &std::io::Error) -> i32 {
    e.raw_os_error().unwrap_or(libc::EIO)
}

impl Node {
    pub fn new(events: Arc<dyn NodeEvents>) -> Node {
        Node {
            events,
            opts: Mutex::new(NodeOptions::default()),
            state: AtomicU8::new(State::Stopped as u8),
            stop_flag: Arc::new(AtomicBool::new(false)),
            run: Mutex::new(None),
            stopped: (Mutex::new(true), Condvar::new()),
            last_error: Mutex::new(SocketError::Ok),
            lifecycle: Mutex::new(()),
        }
    }

    pub fn state(&self) -> State {
        State::from_u8(self.state.load(Ordering::Acquire))
    }

    pub fn last_error(&self) -> SocketError {
        *self.last_error.lock().unwrap()
    }

    pub fn record(&self, code: SocketError, errno: i32) {
        *self.last_error.lock().unwrap() = code;
        // SAFETY: __errno_location returns a valid, aligned pointer to the calling thread's own
        // errno, which no other thread accesses.
        unsafe { *libc::__errno_location() = errno };
    }

    pub fn options(&self) -> NodeOptions {
        self.opts.lock().unwrap().clone()
    }

    /// Changes options; refused unless stopped, as upstream ignores setters then.
    pub fn set_option(&self, f: impl FnOnce(&mut NodeOptions)) -> bool {
        if self.state() != State::Stopped {
            return false;
        }
        f(&mut self.opts.lock().unwrap());
        true
    }

    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.run.lock().unwrap().as_ref().map(|r| r.local)
    }

    pub fn cast(&self) -> Option<(CastMode, SocketAddr)> {
        self.run.lock().unwrap().as_ref().and_then(|r| r.cast)
    }

    /// Binds and starts receiving. `cast`: the mode and the group / broadcast address.
    pub fn start(self: &Arc<Self>, bind: Option<&str>, port: u16, cast: CastMode, cast_addr: Option<&str>) -> Result<()> {
        let failed_after_checks = std::cell::Cell::new(false);
        let r = self.start_locked(bind, port, cast, cast_addr, &failed_after_checks);
        // As upstream, a Start that fails after its checks runs Stop: OnShutdown fires (here,
        // with no lock held, so the callback may call Start or Stop).
        if failed_after_checks.get() {
            self.events.on_shutdown();
        }
        r
    }

    fn start_locked(self: &Arc<Self>, bind: Option<&str>, port: u16, cast: CastMode, cast_addr: Option<&str>, failed_after_checks: &std::cell::Cell<bool>) -> Result<()> {
        let _g = self.lifecycle.lock().unwrap();
        if self.state() != State::Stopped {
            return Err((SocketError::IllegalState, libc::EPERM));
        }
        let opts = self.options();
        if opts.max_datagram == 0 || opts.max_datagram > MAX_DATAGRAM_LIMIT || opts.worker_threads == 0 || opts.worker_threads > 512 {
            return Err((SocketError::InvalidParam, libc::EINVAL));
        }
        self.state.store(State::Starting as u8, Ordering::Release);
        let fail = |code, e| {
            self.state.store(State::Stopped as u8, Ordering::Release);
            failed_after_checks.set(true);
            Err((code, e))
        };
        let cast_ip: Option<IpAddr> = match cast {
            CastMode::Unicast => None,
            CastMode::Broadcast => match cast_addr.filter(|s| !s.is_empty()) {
                Some(a) => match a.parse() {
                    Ok(ip) => Some(ip),
                    Err(_) => return fail(SocketError::SocketCreate, libc::EADDRNOTAVAIL),
                },
                None => Some(IpAddr::V4(Ipv4Addr::BROADCAST)),
            },
            CastMode::Multicast => match cast_addr.and_then(|a| a.parse::<IpAddr>().ok()).filter(|ip| ip.is_multicast()) {
                Some(ip) => Some(ip),
                None => return fail(SocketError::SocketCreate, libc::EADDRNOTAVAIL),
            },
        };
        let bind_ip: IpAddr = match bind.filter(|s| !s.is_empty()) {
            Some(b) => match b.parse() {
                Ok(ip) => ip,
                Err(_) => return fail(SocketError::SocketCreate, libc::EADDRNOTAVAIL),
            },
            None => match cast_ip {
                Some(IpAddr::V4(_)) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                _ if opts.dual_stack => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
                _ => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            },
        };
        let sock = match Socket::new(Domain::for_address(SocketAddr::new(bind_ip, 0)), Type::DGRAM.cloexec(), Some(Protocol::UDP)) {
            Ok(s) => s,
            Err(e) => return fail(SocketError::SocketCreate, os(&e)),
        };
        if bind_ip.is_ipv6() {
            let _ = sock.set_only_v6(!opts.dual_stack);
        }
        let _ = sock.set_reuse_address(opts.reuse != ReusePolicy::None);
        let _ = sock.set_reuse_port(opts.reuse == ReusePolicy::AddrAndPort);
        if let Err(e) = sock.bind(&SockAddr::from(SocketAddr::new(bind_ip, port))) {
            return fail(SocketError::SocketBind, os(&e));
        }
        // As upstream: after a successful bind.
        if self.events.on_prepare_listen(sock.as_raw_fd()) == Handled::Error {
            return fail(SocketError::SocketPrepare, super::cancelled());
        }
        let mut cast_info = None;
        if let Some(ip) = cast_ip {
            let r = match (cast, ip) {
                (CastMode::Multicast, IpAddr::V4(g)) => {
                    let iface = match bind_ip {
                        IpAddr::V4(a) => a,
                        _ => Ipv4Addr::UNSPECIFIED,
                    };
                    sock.join_multicast_v4(&g, &iface)
                        .and_then(|_| sock.set_multicast_ttl_v4(opts.mc_ttl.max(0) as u32))
                        .and_then(|_| sock.set_multicast_loop_v4(opts.mc_loop))
                        .and_then(|_| if iface.is_unspecified() { Ok(()) } else { sock.set_multicast_if_v4(&iface) })
                }
                (CastMode::Multicast, IpAddr::V6(g)) => sock
                    .join_multicast_v6(&g, 0)
                    .and_then(|_| sock.set_multicast_hops_v6(opts.mc_ttl.max(0) as u32))
                    .and_then(|_| sock.set_multicast_loop_v6(opts.mc_loop)),
                _ => sock.set_broadcast(true),
            };
            if let Err(e) = r {
                return fail(SocketError::ConnectServer, os(&e));
            }
            let local_port = sock.local_addr().ok().and_then(|a| a.as_socket()).map_or(port, |a| a.port());
            cast_info = Some((cast, SocketAddr::new(ip, local_port)));
        }
        let local = sock.local_addr().ok().and_then(|a| a.as_socket()).unwrap_or(SocketAddr::new(bind_ip, port));
        let _ = sock.set_read_timeout(Some(Duration::from_millis(100)));
        let sock = Arc::new(sock);
        self.stop_flag.store(false, Ordering::Release);
        *self.stopped.0.lock().unwrap() = false;
        let (events, stop, rsock, max) = (self.events.clone(), self.stop_flag.clone(), sock.clone(), opts.max_datagram as usize);
        let thread = match std::thread::Builder::new().name("hp-udpnode".into()).spawn(move || receive_loop(events, stop, rsock, max)) {
            Ok(t) => t,
            Err(e) => return fail(SocketError::WorkerThreadCreate, os(&e)),
        };
        *self.run.lock().unwrap() = Some(Running { sock, local, cast: cast_info, thread: Some(thread) });
        self.state.store(State::Started as u8, Ordering::Release);
        Ok(())
    }

    /// Stops receiving and closes the socket, then raises OnShutdown. From inside a callback the
    /// receive thread is not joined (it ends by itself once the callback returns).
    pub fn stop(&self) -> Result<()> {
        let _g = self.lifecycle.lock().unwrap();
        if self.state() != State::Started {
            return Err((SocketError::IllegalState, libc::EPERM));
        }
        self.state.store(State::Stopping as u8, Ordering::Release);
        self.stop_flag.store(true, Ordering::Release);
        let run = self.run.lock().unwrap().take();
        if let Some(mut r) = run {
            if let Some(t) = r.thread.take() {
                if std::thread::current().id() != t.thread().id() {
                    let _ = t.join();
                }
            }
        }
        self.state.store(State::Stopped as u8, Ordering::Release);
        self.events.on_shutdown();
        let (m, cv) = &self.stopped;
        *m.lock().unwrap() = true;
        cv.notify_all();
        Ok(())
    }

    pub fn wait(&self, ms: u32) -> bool {
        let (m, cv) = &self.stopped;
        let g = m.lock().unwrap();
        if ms == u32::MAX {
            let _g = cv.wait_while(g, |s| !*s).unwrap();
            true
        } else {
            let (g, _) = cv.wait_timeout_while(g, Duration::from_millis(ms as u64), |s| !*s).unwrap();
            *g
        }
    }

    /// Sends one datagram made of `bufs` to `to` (or to the cast address).
    pub fn send(&self, to: Option<SocketAddr>, bufs: &[&[u8]]) -> Result<()> {
        let (sock, dest) = {
            let run = self.run.lock().unwrap();
            // Upstream: ERROR_INVALID_STATE (EPERM) when not started, and for SendCast in
            // unicast mode.
            let Some(r) = run.as_ref().filter(|_| self.state() == State::Started) else {
                return Err((SocketError::IllegalState, libc::EPERM));
            };
            let dest = match to {
                Some(a) => a,
                None => r.cast.map(|c| c.1).ok_or((SocketError::IllegalState, libc::EPERM))?,
            };
            (r.sock.clone(), dest)
        };
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        if total > self.opts.lock().unwrap().max_datagram as usize {
            return Err((SocketError::InvalidParam, libc::EINVAL));
        }
        // An IPv4 destination from a dual-stack IPv6 socket goes as a mapped address.
        let dest = match (sock.local_addr().ok().and_then(|a| a.as_socket()), dest) {
            (Some(SocketAddr::V6(_)), SocketAddr::V4(v4)) => SocketAddr::new(IpAddr::V6(v4.ip().to_ipv6_mapped()), v4.port()),
            _ => dest,
        };
        let data: std::borrow::Cow<[u8]> = if bufs.len() == 1 { bufs[0].into() } else { bufs.concat().into() };
        match sock.send_to(&data, &SockAddr::from(dest)) {
            Ok(_) => {
                self.events.on_send(&unmap(dest), &data);
                Ok(())
            }
            // As upstream, whose sends are queued: the call succeeds and OnError reports it.
            Err(e) => {
                self.events.on_error(Op::Send, os(&e), &unmap(dest), &data);
                Ok(())
            }
        }
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it stands for.
pub fn unmap(a: SocketAddr) -> SocketAddr {
    match a {
        SocketAddr::V6(v6) => match v6.ip().to_ipv4_mapped() {
            Some(v4) => SocketAddr::new(IpAddr::V4(v4), v6.port()),
            None => a,
        },
        _ => a,
    }
}

fn receive_loop(events: Arc<dyn NodeEvents>, stop: Arc<AtomicBool>, sock: Arc<Socket>, max: usize) {
    // One byte more than the largest datagram: a datagram that fills it is oversize.
    let mut buf = vec![0u8; max + 1];
    while !stop.load(Ordering::Acquire) {
        // SAFETY: sockaddr_storage is plain integers; all-zero is a valid (empty) value.
        let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        let mut sl = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        // SAFETY: `buf` is a live Vec with `buf.len()` writable bytes, and `ss` / `sl` describe the
        // local sockaddr_storage, big enough for any address; the kernel writes within both.
        let n = unsafe { libc::recvfrom(sock.as_raw_fd(), buf.as_mut_ptr() as *mut _, buf.len(), 0, &mut ss as *mut _ as *mut libc::sockaddr, &mut sl) };
        let r = if n < 0 {
            // SAFETY: __errno_location returns a valid pointer to this thread's own errno.
            Err(unsafe { *libc::__errno_location() })
        } else {
            // SAFETY: recvfrom succeeded, so the kernel wrote a valid address of length `sl` into
            // `ss`.
            Ok((n as usize, unsafe { SockAddr::new(ss, sl) }.as_socket()))
        };
        match r {
            Ok((n, Some(from))) => {
                if stop.load(Ordering::Acquire) {
                    break;
                }
                let from = unmap(from);
                if n > max {
                    events.on_error(Op::Receive, libc::EMSGSIZE, &from, &buf[..max]);
                } else {
                    events.on_receive(&from, &buf[..n]);
                }
            }
            Ok((_, None)) => {}
            Err(e) if e == libc::EAGAIN || e == libc::EWOULDBLOCK || e == libc::EINTR => {}
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}
