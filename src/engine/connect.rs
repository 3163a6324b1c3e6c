//! Outgoing TCP connections: starting agents and clients, synchronous connects (which hold no
//! lock and notice Stop) and asynchronous ones (finished on the connection's worker).

use super::component::{fail, shared_pull, Component, ConnectArgs, Result, Role, Running, Shared, Transport};
use super::conn::{self, Conn, ConnTask, Greeting};
use super::net::{apply_reuse, configure_stream_ref, os, resolve, resolve_ip, unspecified};
use super::options::Options;
use super::{ConnId, Handled, Op, SocketError, State};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

impl Component {
    /// Starts an agent; connections are made later with [`Component::connect`].
    pub fn start_agent(&self, bind: Option<&str>, async_connect: bool) -> Result<()> {
        self.run_start(|opts| {
            let bind_addr = match bind {
                Some(b) if !b.is_empty() => Some(resolve_ip(b).ok_or(fail(SocketError::SocketCreate, libc::EADDRNOTAVAIL))?),
                _ => None,
            };
            let workers = self.start_workers(opts.worker_threads)?;
            *self.run.lock().unwrap() = Some(Running { workers, listen_addr: None, bind_addr, async_connect });
            Ok(())
        })
    }

    /// Starts a client connected (or connecting, when `async_connect`) to `to`.
    pub fn start_client(&self, to: ConnectArgs<'_>, async_connect: bool) -> Result<()> {
        match self.shared.transport {
            Transport::Udp => return self.start_udp_client(to),
            Transport::Cast => return self.start_cast(to),
            Transport::Tcp => {}
        }
        self.run_client_start(async_connect, |opts, id| {
            let (sock, remote) = self.open_socket(&to, opts, None)?;
            self.connect_socket(id, sock, remote, &to, opts, async_connect)
        })
    }

    /// Opens a connection from an agent. Returns its id, or 0 when the connect failed before it
    /// had one: as upstream, the id is taken once the socket is made and bound, before
    /// OnPrepareConnect, and is returned also when the connect fails after that.
    pub fn connect(&self, to: ConnectArgs<'_>) -> (ConnId, Result<()>) {
        if self.state() != State::Started {
            return (0, Err(fail(SocketError::IllegalState, libc::EPERM)));
        }
        let (async_connect, bind_addr) = match &*self.run.lock().unwrap() {
            Some(r) => (r.async_connect, r.bind_addr),
            None => return (0, Err(fail(SocketError::IllegalState, libc::EPERM))),
        };
        let opts = self.options();
        let (sock, remote) = match self.open_socket(&to, &opts, bind_addr) {
            Ok(s) => s,
            Err(e) => return (0, Err(e)),
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        (id, self.connect_socket(id, sock, remote, &to, &opts, async_connect))
    }

    /// Resolves the remote host and makes the socket, bound as asked.
    fn open_socket(&self, to: &ConnectArgs<'_>, opts: &Options, bind_addr: Option<IpAddr>) -> Result<(Socket, SocketAddr)> {
        // Upstream's codes: an unknown host is SE_SOCKET_CREATE with ERROR_HOSTUNREACH (an
        // agent's: ERROR_ADDRNOTAVAIL); the connection limit ERROR_CONNECTION_COUNT_LIMIT (ENOSR).
        // An agent's unknown host is ERROR_ADDRNOTAVAIL in upstream's CTcpAgent::CreateClientSocket.
        let unknown = if self.role == Role::Agent { libc::EADDRNOTAVAIL } else { libc::EHOSTUNREACH };
        let remote = resolve(to.host, to.port).ok_or(fail(SocketError::SocketCreate, unknown))?;
        if self.shared.conns.len() >= opts.max_connections as usize && self.role == Role::Agent {
            return Err(fail(SocketError::IllegalState, libc::ENOSR));
        }
        let sock = Socket::new(Domain::for_address(remote), Type::STREAM.cloexec(), Some(Protocol::TCP)).map_err(|e| fail(SocketError::SocketCreate, os(&e)))?;
        apply_reuse(&sock, opts.reuse_policy);
        let local_ip = match to.local_addr {
            Some(a) if !a.is_empty() => Some(resolve_ip(a).ok_or(fail(SocketError::SocketCreate, libc::EADDRNOTAVAIL))?),
            _ => bind_addr,
        };
        if local_ip.is_some() || to.local_port != 0 {
            let ip = local_ip.unwrap_or(unspecified(&remote));
            sock.bind(&SockAddr::from(SocketAddr::new(ip, to.local_port))).map_err(|e| fail(SocketError::SocketBind, os(&e)))?;
        }
        Ok((sock, remote))
    }

    /// OnPrepareConnect, then the connect of `sock` to `remote` as connection `id`.
    fn connect_socket(&self, id: ConnId, sock: Socket, remote: SocketAddr, to: &ConnectArgs<'_>, opts: &Options, async_connect: bool) -> Result<()> {
        if super::workers::in_callback_of(self.shared.owner(), || self.shared.events.on_prepare_connect(id, sock.as_raw_fd())) == Handled::Error {
            return Err(fail(SocketError::SocketPrepare, super::cancelled()));
        }
        let host = Some(to.host.to_string());
        // The worker is picked under the lock, which is not held while connecting: connects
        // from several threads run side by side, and Stop never waits behind one.
        let worker = match self.run.lock().unwrap().as_ref() {
            Some(run) => run.workers.pick().clone(),
            None => return Err(fail(SocketError::IllegalState, libc::EPERM)),
        };
        if !async_connect {
            // Counted as live while connecting, so that Stop waits for it (it notices Stop
            // within one poll slice) and the workers stay until it is handed over.
            self.shared.task_started();
            let timeout = Duration::from_millis(opts.sync_connect_timeout.max(1) as u64);
            let shared = self.shared.clone();
            if let Err(e) = connect_interruptible(&sock, &SockAddr::from(remote), timeout, || shared.is_stopping()) {
                self.shared.conn_ended();
                return Err(fail(SocketError::ConnectServer, os(&e)));
            }
            configure_stream(&sock, opts);
            let local = sock.local_addr().ok().and_then(|a| a.as_socket()).unwrap_or(remote);
            let conn = Arc::new(Conn::new(id, sock.as_raw_fd(), local, remote, host, true, shared_pull(&self.shared)));
            conn.extra.store(to.extra, Ordering::Relaxed);
            self.shared.conns.insert(id, conn.clone());
            let std_stream: std::net::TcpStream = sock.into();
            // As upstream, OnConnect has run when a synchronous connect returns, and its HR_ERROR
            // fails the call (the errno OnConnect left, else ECANCELED; no OnClose). It runs on
            // the connection's worker; from one of the component's own workers (a callback) the
            // call does not wait for it.
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            let wait = !super::workers::on_worker_of(self.shared.owner());
            match conn::register_on(&worker, std_stream) {
                Ok(stream) => drop(worker.spawn(ConnTask::new(shared, conn, stream, Greeting::Connect, Some(tx)))),
                Err(e) => {
                    finish_failed(&shared, &conn, Op::Connect, os(&e));
                    // A waiting caller hears ECANCELED.
                    drop(tx);
                }
            }
            if wait {
                match rx.recv() {
                    Ok(0) => {}
                    Ok(code) => return Err(fail(SocketError::ConnectServer, code)),
                    Err(_) => return Err(fail(SocketError::ConnectServer, libc::ECANCELED)),
                }
            }
            return Ok(());
        }
        configure_stream(&sock, opts);
        // tokio's connect on a blocking socket would block the worker until the kernel gives
        // up (over two minutes for a peer that never answers), and Stop with it.
        sock.set_nonblocking(true).map_err(|e| fail(SocketError::ConnectServer, os(&e)))?;
        let conn = Arc::new(Conn::new(id, sock.as_raw_fd(), SocketAddr::new(unspecified(&remote), 0), remote, host, false, shared_pull(&self.shared)));
        conn.extra.store(to.extra, Ordering::Relaxed);
        self.shared.conns.insert(id, conn.clone());
        self.shared.task_started();
        let shared = self.shared.clone();
        // Upstream's client reports a failed asynchronous connect as SO_CLOSE, its agent as
        // SO_CONNECT.
        let failed = if self.role == Role::Client { Op::Close } else { Op::Connect };
        // The connect is made by the connection's own task, on its worker, which then goes on as
        // the connection (see `ConnTask::connecting`).
        drop(worker.spawn(ConnTask::connecting(shared, conn, sock.into(), failed)));
        Ok(())
    }
}

pub(crate) fn finish_failed(shared: &Arc<Shared>, conn: &Arc<Conn>, op: Op, code: i32) {
    conn.mark_failed();
    conn.end_stage.store(conn::CLOSE_REPORTED, Ordering::Release);
    shared.report_close(conn.id, op, code);
    shared.remove(conn.id);
    conn.end_stage.store(conn::ENDED, Ordering::Release);
    shared.conn_ended();
}

/// How often a synchronous connect looks at the stop flag.
const CONNECT_SLICE_MS: u64 = 50;

/// A blocking connect within `timeout` that gives up (ECANCELED) when `stopped()` turns true;
/// leaves the socket non-blocking.
fn connect_interruptible(sock: &Socket, to: &SockAddr, timeout: Duration, stopped: impl Fn() -> bool) -> std::io::Result<()> {
    sock.set_nonblocking(true)?;
    match sock.connect(to) {
        Ok(()) => return Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(e) => return Err(e),
    }
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if stopped() {
            return Err(std::io::Error::from_raw_os_error(libc::ECANCELED));
        }
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Err(std::io::Error::from_raw_os_error(libc::ETIMEDOUT));
        }
        let mut p = libc::pollfd { fd: sock.as_raw_fd(), events: libc::POLLOUT, revents: 0 };
        let ms = left.as_millis().min(CONNECT_SLICE_MS as u128) as i32;
        // SAFETY: one valid pollfd for the duration of the call.
        let r = unsafe { libc::poll(&mut p, 1, ms.max(1)) };
        if r < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if r > 0 {
            return match sock.take_error()? {
                Some(e) => Err(e),
                None => Ok(()),
            };
        }
    }
}

fn configure_stream(sock: &Socket, opts: &Options) {
    configure_stream_ref(&socket2::SockRef::from(sock), opts)
}
