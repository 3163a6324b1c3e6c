//! Starting a TCP server: its listening socket (dual stack and reuse applied, OnPrepareListen
//! after a successful bind), its workers, and the accept loop (`accept.rs`) on the first.

use super::component::{fail, Component, IdSource, Result, Running, Transport};
use super::net::{apply_reuse, configure_stream_ref, os, parse_bind, stream_opts};
use super::options::Options;
use super::{Handled, SocketError};
use socket2::{Protocol, SockAddr, Socket, Type, Domain};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;

impl Component {
    /// A server's socket for `bind`:`port` (not yet bound): dual stack and reuse applied.
    pub(crate) fn server_socket(bind: Option<&str>, port: u16, opts: &Options, ty: Type, proto: Protocol, bad_addr: SocketError) -> Result<(SocketAddr, Socket)> {
        let addr = parse_bind(bind, port, opts.dual_stack).ok_or(fail(bad_addr, libc::EADDRNOTAVAIL))?;
        let sock = Socket::new(Domain::for_address(addr), ty.nonblocking().cloexec(), Some(proto)).map_err(|e| fail(SocketError::SocketCreate, os(&e)))?;
        if addr.is_ipv6() {
            let _ = sock.set_only_v6(!opts.dual_stack);
        }
        apply_reuse(&sock, opts.reuse_policy);
        Ok((addr, sock))
    }

    /// Starts the workers of a server and spawns its receiving loop on the first.
    pub(crate) fn start_serving<F>(&self, opts: &Options, listen_addr: Option<SocketAddr>, serve: impl FnOnce(Vec<tokio::runtime::Handle>, IdSource) -> F) -> Result<()>
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let workers = self.start_workers(opts.worker_threads)?;
        let handles: Vec<tokio::runtime::Handle> = (0..workers.len()).map(|_| workers.pick().clone()).collect();
        workers.first().spawn(serve(handles, IdSource::new(&self.next_id)));
        *self.run.lock().unwrap() = Some(Running { workers, listen_addr, bind_addr: None, async_connect: false });
        Ok(())
    }

    /// Starts a server listening on `bind` (NULL/empty: every address) and `port`.
    pub fn start_server(&self, bind: Option<&str>, port: u16) -> Result<()> {
        if self.shared.transport == Transport::Udp {
            return self.start_udp_server(bind, port);
        }
        self.run_start(|opts| {
            let (addr, sock) = Self::server_socket(bind, port, opts, Type::STREAM, Protocol::TCP, SocketError::SocketCreate)?;
            sock.bind(&SockAddr::from(addr)).map_err(|e| fail(SocketError::SocketBind, os(&e)))?;
            // Linux gives accepted sockets their listener's TCP options: set on the listener
            // (before OnPrepareListen, which may change them), the accept loop need not set
            // them on every connection (see `accept_loop`).
            let sref = socket2::SockRef::from(&sock);
            configure_stream_ref(&sref, opts);
            let ours = stream_opts(&sref);
            if super::workers::in_callback_of(self.shared.owner(), || self.shared.events.on_prepare_listen(sock.as_raw_fd())) == Handled::Error {
                return Err(fail(SocketError::SocketPrepare, super::cancelled()));
            }
            sock.listen(opts.listen_queue.min(i32::MAX as u32) as i32).map_err(|e| fail(SocketError::SocketListen, os(&e)))?;
            let listen_addr = sock.local_addr().ok().and_then(|a| a.as_socket());
            let std_listener: std::net::TcpListener = sock.into();
            let (shared, o) = (self.shared.clone(), opts.clone());
            self.start_serving(opts, listen_addr, |handles, ids| super::accept::accept_loop(shared, std_listener, handles, o, ids, ours))
        })
    }
}
