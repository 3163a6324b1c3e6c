//! Socket helpers shared by the starts: addresses, name resolution, socket options.

use super::options::{Options, ReusePolicy};
use socket2::Socket;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::time::Duration;

/// Runs a send-like system call again while it is interrupted (EINTR): its byte count, or the
/// errno it failed with.
pub(crate) fn retry_eintr(mut call: impl FnMut() -> isize) -> Result<usize, i32> {
    loop {
        let r = call();
        if r >= 0 {
            return Ok(r as usize);
        }
        let e = std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO);
        if e != libc::EINTR {
            return Err(e);
        }
    }
}

pub(crate) fn configure_stream_ref(sock: &socket2::SockRef<'_>, opts: &Options) {
    let _ = sock.set_nodelay(opts.no_delay);
    if opts.keepalive_time > 0 && opts.keepalive_interval > 0 {
        let ka = socket2::TcpKeepalive::new()
            .with_time(Duration::from_millis(opts.keepalive_time as u64))
            .with_interval(Duration::from_millis(opts.keepalive_interval as u64));
        let _ = sock.set_tcp_keepalive(&ka);
    }
}

/// The options `configure_stream_ref` sets, as a socket has them (None if one cannot be read).
pub(crate) type StreamOpts = (bool, bool, Duration, Duration);

pub(crate) fn stream_opts(sock: &socket2::SockRef<'_>) -> Option<StreamOpts> {
    let ka = sock.keepalive().ok()?;
    let (time, interval) = if ka { (sock.keepalive_time().ok()?, sock.keepalive_interval().ok()?) } else { (Duration::ZERO, Duration::ZERO) };
    Some((sock.nodelay().ok()?, ka, time, interval))
}

pub(crate) fn apply_reuse(sock: &Socket, p: ReusePolicy) {
    match p {
        ReusePolicy::None => {}
        ReusePolicy::AddrOnly => {
            let _ = sock.set_reuse_address(true);
        }
        ReusePolicy::AddrAndPort => {
            let _ = sock.set_reuse_address(true);
            let _ = sock.set_reuse_port(true);
        }
    }
}

/// The unspecified address of `a`'s family.
pub(crate) fn unspecified(a: &SocketAddr) -> IpAddr {
    if a.is_ipv4() {
        IpAddr::V4(Ipv4Addr::UNSPECIFIED)
    } else {
        IpAddr::V6(Ipv6Addr::UNSPECIFIED)
    }
}

pub(crate) fn os(e: &std::io::Error) -> i32 {
    e.raw_os_error().unwrap_or(libc::EIO)
}

/// The bind address of a server: NULL or empty means every address (IPv6 "::" with dual
/// stack, so IPv4 peers are served too; "0.0.0.0" without).
pub(crate) fn parse_bind(bind: Option<&str>, port: u16, dual_stack: bool) -> Option<SocketAddr> {
    match bind {
        None | Some("") => Some(if dual_stack { SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port) } else { SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port) }),
        Some(b) => resolve_ip(b).map(|ip| SocketAddr::new(ip, port)),
    }
}

pub(crate) fn resolve_ip(host: &str) -> Option<IpAddr> {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = h.parse::<IpAddr>() {
        return Some(ip);
    }
    (h, 0u16).to_socket_addrs().ok()?.next().map(|a| a.ip())
}

/// Resolves a host name or address; IPv4 answers are preferred, as upstream does.
pub fn resolve(host: &str, port: u16) -> Option<SocketAddr> {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = h.parse::<IpAddr>() {
        return Some(SocketAddr::new(ip, port));
    }
    let all: Vec<SocketAddr> = (h, port).to_socket_addrs().ok()?.collect();
    all.iter().find(|a| a.is_ipv4()).or(all.first()).copied()
}
