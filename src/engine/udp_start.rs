//! Starting the UDP components: a UDP server's one socket, a UDP client's connected socket, and
//! a UdpCast's receiving and sending sockets; the connections themselves live in `udp.rs`.

use super::component::{fail, Component, ConnectArgs, Result};
use super::conn;
use super::net::{apply_reuse, os, resolve, resolve_ip, unspecified};
use super::{Handled, SocketError};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::fd::AsRawFd;

impl Component {
    /// As upstream, which raises OnConnect inside Start: waits until it has run on the
    /// connection's worker (not from one of the component's own callbacks); its HR_ERROR fails
    /// Start with the errno OnConnect left, else ECANCELED.
    fn await_on_connect(&self, rx: std::sync::mpsc::Receiver<i32>) -> Result<()> {
        if super::workers::on_worker_of(self.shared.owner()) {
            return Ok(());
        }
        match rx.recv() {
            Ok(0) => Ok(()),
            Ok(code) => Err(fail(SocketError::ConnectServer, code)),
            Err(_) => Err(fail(SocketError::ConnectServer, libc::ECANCELED)),
        }
    }

    /// A UDP server: one socket bound to `bind`:`port`; each peer address is a connection.
    pub(crate) fn start_udp_server(&self, bind: Option<&str>, port: u16) -> Result<()> {
        self.run_start(|opts| {
            let (addr, sock) = Self::server_socket(bind, port, opts, Type::DGRAM, Protocol::UDP, SocketError::SocketCreate)?;
            sock.bind(&SockAddr::from(addr)).map_err(|e| fail(SocketError::SocketBind, os(&e)))?;
            if super::workers::in_callback_of(self.shared.owner(), || self.shared.events.on_prepare_listen(sock.as_raw_fd())) == Handled::Error {
                return Err(fail(SocketError::SocketPrepare, super::cancelled()));
            }
            let listen_addr = sock.local_addr().ok().and_then(|a| a.as_socket());
            let std_sock: std::net::UdpSocket = sock.into();
            let (shared, o) = (self.shared.clone(), opts.clone());
            self.start_serving(opts, listen_addr, |handles, ids| super::udp::server_loop(shared, std_sock, handles, o, ids, listen_addr))
        })
    }

    /// A bind address for a client socket talking to `remote`: None when not given; refused
    /// when of another family.
    pub(crate) fn client_bind_ip(local: Option<&str>, remote: &SocketAddr) -> Result<Option<IpAddr>> {
        match local {
            Some(a) if !a.is_empty() => {
                let ip = resolve_ip(a).ok_or(fail(SocketError::SocketCreate, libc::EADDRNOTAVAIL))?;
                if ip.is_ipv4() != remote.is_ipv4() {
                    return Err(fail(SocketError::SocketCreate, libc::EAFNOSUPPORT));
                }
                Ok(Some(ip))
            }
            _ => Ok(None),
        }
    }

    /// A UDP client: a connected UDP socket and its one connection.
    pub(crate) fn start_udp_client(&self, to: ConnectArgs<'_>) -> Result<()> {
        self.run_client_start(false, |opts, id| {
            let remote = resolve(to.host, to.port).ok_or(fail(SocketError::SocketCreate, libc::EHOSTUNREACH))?;
            let local_ip = Self::client_bind_ip(to.local_addr, &remote)?;
            let sock = Socket::new(Domain::for_address(remote), Type::DGRAM.cloexec(), Some(Protocol::UDP)).map_err(|e| fail(SocketError::SocketCreate, os(&e)))?;
            if local_ip.is_some() || to.local_port != 0 {
                let ip = local_ip.unwrap_or(unspecified(&remote));
                sock.bind(&SockAddr::from(SocketAddr::new(ip, to.local_port))).map_err(|e| fail(SocketError::SocketBind, os(&e)))?;
            }
            if super::workers::in_callback_of(self.shared.owner(), || self.shared.events.on_prepare_connect(id, sock.as_raw_fd())) == Handled::Error {
                return Err(fail(SocketError::SocketPrepare, super::cancelled()));
            }
            sock.connect(&SockAddr::from(remote)).map_err(|e| fail(SocketError::ConnectServer, os(&e)))?;
            sock.set_nonblocking(true).map_err(|e| fail(SocketError::SocketPrepare, os(&e)))?;
            let local = sock.local_addr().ok().and_then(|a| a.as_socket()).unwrap_or(remote);
            let conn = super::udp::new_conn(id, sock.as_raw_fd(), local, remote, Some(to.host.to_string()), true, self.shared.arq.then_some(&opts.arq));
            self.shared.conns.insert(id, conn.clone());
            self.shared.task_started();
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            conn::spawn_conn_task(&self.first_worker()?, self.shared.clone(), conn.clone(), super::udp::client_conn(self.shared.clone(), conn, sock.into(), opts.clone(), tx));
            self.await_on_connect(rx)
        })
    }

    /// A UdpCast: a receiving socket bound to the group (or broadcast) address and port, and a
    /// sending socket bound to `to.local_addr`; `to.host` is the group (ignored for broadcast).
    pub(crate) fn start_cast(&self, to: ConnectArgs<'_>) -> Result<()> {
        self.run_client_start(false, |opts, id| {
            let broadcast = opts.cast_mode == 1;
            let cast_addr = if broadcast {
                SocketAddr::new(IpAddr::V4(Ipv4Addr::BROADCAST), to.port)
            } else {
                // As upstream, an address that is no group fails later, when joining it.
                resolve(to.host, to.port).ok_or(fail(SocketError::SocketCreate, libc::EHOSTUNREACH))?
            };
            if broadcast && to.local_addr.and_then(resolve_ip).is_some_and(|ip| ip.is_ipv6()) {
                return Err(fail(SocketError::SocketCreate, libc::EPFNOSUPPORT));
            }
            let bind_ip = Self::client_bind_ip(to.local_addr, &cast_addr)?.unwrap_or(unspecified(&cast_addr));
            let new_sock = || Socket::new(Domain::for_address(cast_addr), Type::DGRAM.cloexec(), Some(Protocol::UDP)).map_err(|e| fail(SocketError::SocketCreate, os(&e)));
            let recv = new_sock()?;
            let send = new_sock()?;
            apply_reuse(&recv, opts.reuse_policy);
            recv.bind(&SockAddr::from(cast_addr)).map_err(|e| fail(SocketError::SocketBind, os(&e)))?;
            send.bind(&SockAddr::from(SocketAddr::new(bind_ip, 0))).map_err(|e| fail(SocketError::SocketBind, os(&e)))?;
            if super::workers::in_callback_of(self.shared.owner(), || self.shared.events.on_prepare_connect(id, recv.as_raw_fd())) == Handled::Error {
                return Err(fail(SocketError::SocketPrepare, super::cancelled()));
            }
            let joined = match (broadcast, cast_addr.ip(), bind_ip) {
                (true, _, _) => send.set_broadcast(true),
                (false, IpAddr::V4(g), IpAddr::V4(iface)) => send
                    .set_multicast_ttl_v4(opts.mc_ttl as u32)
                    .and_then(|_| send.set_multicast_loop_v4(opts.mc_loop))
                    .and_then(|_| recv.join_multicast_v4(&g, &iface)),
                (false, IpAddr::V6(g), _) => send
                    .set_multicast_hops_v6(opts.mc_ttl as u32)
                    .and_then(|_| send.set_multicast_loop_v6(opts.mc_loop))
                    .and_then(|_| recv.join_multicast_v6(&g, 0)),
                _ => Err(std::io::Error::from_raw_os_error(libc::EAFNOSUPPORT)),
            };
            joined.map_err(|e| fail(SocketError::ConnectServer, os(&e)))?;
            recv.set_nonblocking(true).and_then(|_| send.set_nonblocking(true)).map_err(|e| fail(SocketError::SocketPrepare, os(&e)))?;
            let local = send.local_addr().ok().and_then(|a| a.as_socket()).unwrap_or(cast_addr);
            let conn = super::udp::new_conn(id, send.as_raw_fd(), local, cast_addr, Some(to.host.to_string()), false, None);
            self.shared.conns.insert(id, conn.clone());
            self.shared.task_started();
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            conn::spawn_conn_task(&self.first_worker()?, self.shared.clone(), conn.clone(), super::udp::cast_conn(self.shared.clone(), conn, recv.into(), send.into(), opts.clone(), tx));
            self.await_on_connect(rx)
        })
    }
}
