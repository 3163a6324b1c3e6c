//! A TCP component in one of three roles: a server (accepts), an agent (connects many) or a
//! client (connects one). The roles share everything after a connection exists.

use super::conn::Conn;
use super::options::Options;
use super::recv::{self, FetchResult, Model};
use super::send::SendMode;
use super::stack::{Framing, FramingFactory, SecurityFactory, SendFraming};
use super::workers::{on_worker_of, Workers};
use super::{ConnId, Events, Handled, Op, SocketError, State};
use dashmap::DashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU16, AtomicU32, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Server,
    Agent,
    Client,
}

/// What carries a component's connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Tcp,
    /// UDP with upstream's connection emulation (detect heartbeats, close notification).
    Udp,
    /// UdpCast: a client of a multicast group or of broadcast, no connection emulation.
    Cast,
}

/// State shared between a component and its connection tasks.
pub struct Shared {
    pub events: Arc<dyn Events>,
    pub(crate) conns: DashMap<ConnId, Arc<Conn>, IdHash>,
    /// UDP servers: the connection of each peer address.
    pub(crate) addrs: DashMap<SocketAddr, Arc<Conn>>,
    pub transport: Transport,
    /// UdpArqServer / UdpArqClient (UDP transport with an ARQ session per connection).
    pub arq: bool,
    /// ARQ: the flush interval, taken from the options at Start.
    arq_flush: AtomicU32,
    arq_max_message: AtomicU32,
    /// UDP: the largest datagram, taken from the options at Start.
    pub(crate) max_datagram: AtomicU32,
    /// Connection tasks spawned and not yet ended.
    live: Mutex<usize>,
    live_cv: Condvar,
    stopping: AtomicBool,
    buffer_size: AtomicUsize,
    mark_silence: AtomicBool,
    role: Role,
    /// How received bytes reach the application; fixed at creation.
    pub model: Model,
    /// SP_DIRECT, taken from the options at Start (else sends gather).
    direct_sends: AtomicBool,
    /// PACK settings, taken from the options at Start.
    pack_max: AtomicU32,
    pack_flag: AtomicU16,
    /// Makes each connection's security layer (TLS); None for plain connections.
    security: Mutex<Option<SecurityFactory>>,
    /// An SSL component: Start needs a security layer (upstream's SE_SSL_ENV_NOT_READY).
    secure: AtomicBool,
    /// Connections start their security layer at once (else at StartSSLHandShake).
    security_auto: AtomicBool,
    /// Makes each connection's first framing; None: the receive model's.
    framing: Mutex<Option<FramingFactory>>,
    /// For a client: its state, which drops to Stopped when its connection ends.
    state: AtomicU8,
    state_cv: Condvar,
    state_mx: Mutex<()>,
    /// A client whose connection is closing by itself (see [`Shared::report_close`]).
    client_closing: AtomicBool,
}

impl Shared {
    pub fn buffer_size(&self) -> usize {
        self.buffer_size.load(Ordering::Relaxed)
    }
    /// ARQ: the flush interval in ms (0 for other components).
    pub fn arq_flush_interval(&self) -> u32 {
        self.arq_flush.load(Ordering::Relaxed)
    }
    pub fn mark_silence(&self) -> bool {
        self.mark_silence.load(Ordering::Relaxed)
    }
    pub fn pack_settings(&self) -> (u32, u16) {
        (self.pack_max.load(Ordering::Relaxed), self.pack_flag.load(Ordering::Relaxed))
    }
    /// What every Send is wrapped in (`stack.rs`).
    pub fn send_framing(&self) -> SendFraming {
        match self.model {
            Model::Pack => {
                let (max, flag) = self.pack_settings();
                SendFraming::Pack { max, flag }
            }
            _ => SendFraming::Raw,
        }
    }
    /// The factory of connections' security layers, if the component has one.
    /// A new connection's first framing: the component's factory's, else its receive model's.
    pub fn first_framing(&self, conn: &Conn) -> Framing {
        match self.framing.lock().unwrap().as_ref() {
            Some(make) => make(conn),
            None => Framing::initial(self.model),
        }
    }
    pub fn security(&self) -> Option<SecurityFactory> {
        self.security.lock().unwrap().clone()
    }
    pub fn security_auto(&self) -> bool {
        self.security_auto.load(Ordering::Relaxed)
    }
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }
    pub fn remove(&self, id: ConnId) {
        self.conns.remove(&id);
    }
    pub(crate) fn task_started(&self) {
        *self.live.lock().unwrap() += 1;
    }
    pub fn conn_ended(&self) {
        let mut n = self.live.lock().unwrap();
        *n -= 1;
        if *n == 0 {
            self.live_cv.notify_all();
            // A client whose one connection ended is stopped, as upstream's is.
            if self.role == Role::Client && self.client_closing.swap(false, Ordering::AcqRel) {
                self.set_state(State::Stopped);
            }
        }
    }

    /// Raises a connection's OnClose. A client whose connection closes by itself is stopping
    /// from then on, as upstream's, whose OnClose fires inside its own Stop: a Stop called during
    /// or after that OnClose is refused (SE_ILLEGAL_STATE).
    pub fn report_close(&self, id: ConnId, op: Op, code: i32) -> Handled {
        if self.role == Role::Client {
            let _g = self.state_mx.lock().unwrap();
            if matches!(self.state(), State::Started | State::Starting) {
                self.state.store(State::Stopping as u8, Ordering::Release);
                self.client_closing.store(true, Ordering::Release);
            }
        }
        self.events.on_close(id, op, code)
    }
    fn wait_idle(&self, timeout: Duration) -> bool {
        let n = self.live.lock().unwrap();
        let (n, _) = self.live_cv.wait_timeout_while(n, timeout, |n| *n > 0).unwrap();
        *n == 0
    }
    pub fn state(&self) -> State {
        State::from_u8(self.state.load(Ordering::Acquire))
    }
    /// A client's connection is made: the client is Started from now on (it was Starting, as
    /// upstream's, whose `SetConnected` does this just before OnConnect). A Stop under way wins.
    pub fn client_connected(&self) {
        if self.role == Role::Client {
            let _g = self.state_mx.lock().unwrap();
            if self.state() == State::Starting {
                self.state.store(State::Started as u8, Ordering::Release);
                self.state_cv.notify_all();
            }
        }
    }
    fn set_state(&self, s: State) {
        let _g = self.state_mx.lock().unwrap();
        self.state.store(s as u8, Ordering::Release);
        self.state_cv.notify_all();
    }
    pub(crate) fn owner(&self) -> usize {
        self as *const Shared as usize
    }
}

/// Hashes connection ids (sequential integers) for the connection map with one multiply
/// instead of SipHash (2 % of a small send went to hashing the id). The multiply by a 64-bit odd
/// constant spreads consecutive ids over the high bits, which choose the map's shard.
#[derive(Clone, Copy, Default)]
pub(crate) struct IdHash;

impl std::hash::BuildHasher for IdHash {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher(0)
    }
}

#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Not used for u64 keys; kept correct for any other.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// What a started component holds.
pub(crate) struct Running {
    pub(crate) workers: Workers,
    pub(crate) listen_addr: Option<SocketAddr>,
    pub(crate) bind_addr: Option<IpAddr>,
    pub(crate) async_connect: bool,
}

pub struct Component {
    pub(crate) role: Role,
    pub(crate) shared: Arc<Shared>,
    opts: Mutex<Options>,
    last_error: AtomicI32,
    /// The next connection id; shared with the accept and UDP server loops.
    pub(crate) next_id: Arc<AtomicU64>,
    pub(crate) run: Mutex<Option<Running>>,
    /// Serialises Start and Stop.
    lifecycle: Mutex<()>,
    pub(crate) client_conn: AtomicU64,
}

/// A failed call: the component error code (for GetLastError) and the OS error (errno).
#[derive(Clone, Copy, Debug)]
pub struct Failure {
    pub code: SocketError,
    pub errno: i32,
}

pub(crate) fn fail(code: SocketError, errno: i32) -> Failure {
    Failure { code, errno }
}

/// A connection's refusal of a send: one still connecting (or not yet through the ARQ
/// handshake) is upstream's ERROR_INVALID_STATE (EPERM).
fn send_failure(e: i32) -> Failure {
    fail(SocketError::DataSend, if e == libc::ENOTCONN { libc::EPERM } else { e })
}

pub type Result<T> = std::result::Result<T, Failure>;

/// Where a new outgoing connection goes, and from where.
pub struct ConnectArgs<'a> {
    pub host: &'a str,
    pub port: u16,
    pub extra: usize,
    pub local_addr: Option<&'a str>,
    pub local_port: u16,
}

impl Component {
    pub fn new(role: Role, events: Arc<dyn Events>) -> Component {
        Self::with_model(role, events, Model::Push)
    }

    pub fn with_model(role: Role, events: Arc<dyn Events>, model: Model) -> Component {
        Self::with_transport(role, events, model, Transport::Tcp)
    }

    pub fn with_transport(role: Role, events: Arc<dyn Events>, model: Model, transport: Transport) -> Component {
        Self::build(role, events, model, transport, false)
    }

    /// A UdpArqServer (role Server) or UdpArqClient (role Client).
    pub fn new_arq(role: Role, events: Arc<dyn Events>) -> Component {
        Self::build(role, events, Model::Push, Transport::Udp, true)
    }

    fn build(role: Role, events: Arc<dyn Events>, model: Model, transport: Transport, arq: bool) -> Component {
        let opts = match role {
            Role::Server => Options::server(),
            Role::Agent => Options::agent(),
            Role::Client => Options::client(),
        };
        Component {
            role,
            shared: Arc::new(Shared {
                events,
                conns: DashMap::with_hasher(IdHash),
                addrs: DashMap::new(),
                transport,
                arq,
                arq_flush: AtomicU32::new(0),
                arq_max_message: AtomicU32::new(0),
                max_datagram: AtomicU32::new(opts.max_datagram_size),
                live: Mutex::new(0),
                live_cv: Condvar::new(),
                stopping: AtomicBool::new(false),
                buffer_size: AtomicUsize::new(opts.socket_buffer_size as usize),
                mark_silence: AtomicBool::new(opts.mark_silence),
                role,
                model,
                direct_sends: AtomicBool::new(false),
                pack_max: AtomicU32::new(opts.pack_max_size),
                pack_flag: AtomicU16::new(opts.pack_header_flag),
                security: Mutex::new(None),
                secure: AtomicBool::new(false),
                security_auto: AtomicBool::new(true),
                framing: Mutex::new(None),
                state: AtomicU8::new(State::Stopped as u8),
                state_cv: Condvar::new(),
                state_mx: Mutex::new(()),
                client_closing: AtomicBool::new(false),
            }),
            opts: Mutex::new(opts),
            last_error: AtomicI32::new(0),
            next_id: Arc::new(AtomicU64::new(1)),
            run: Mutex::new(None),
            lifecycle: Mutex::new(()),
            client_conn: AtomicU64::new(0),
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn model(&self) -> Model {
        self.shared.model
    }

    pub fn transport(&self) -> Transport {
        self.shared.transport
    }

    pub fn is_arq(&self) -> bool {
        self.shared.arq
    }

    /// An SSL component (made secure at creation): it starts only with a security layer.
    pub fn is_secure(&self) -> bool {
        self.shared.secure.load(Ordering::Relaxed)
    }

    pub fn set_secure(&self) {
        self.shared.secure.store(true, Ordering::Relaxed);
    }

    pub fn security_auto(&self) -> bool {
        self.shared.security_auto()
    }

    /// Whether connections start their security layer at once (the default) or at
    /// [`Component::start_security`]; only while stopped.
    pub fn set_security_auto(&self, auto: bool) -> bool {
        if self.state() != State::Stopped {
            return false;
        }
        self.shared.security_auto.store(auto, Ordering::Relaxed);
        true
    }

    /// Identifies this component's worker threads.
    pub fn owner_id(&self) -> usize {
        self.shared.owner()
    }

    // ---- errors and state ----

    pub fn last_error(&self) -> SocketError {
        error_from(self.last_error.load(Ordering::Relaxed))
    }

    /// Records a failure as upstream does: the component's code and the thread's errno.
    pub fn record(&self, f: Failure) {
        self.last_error.store(f.code as i32, Ordering::Relaxed);
        // SAFETY: __errno_location returns the calling thread's errno, always valid to write.
        unsafe { *libc::__errno_location() = f.errno };
    }

    pub fn state(&self) -> State {
        self.shared.state()
    }

    pub fn is_started(&self) -> bool {
        self.state() == State::Started
    }

    // ---- options ----

    /// Changes options; refused (false) unless stopped, as upstream ignores setters then.
    pub fn set_option(&self, f: impl FnOnce(&mut Options)) -> bool {
        if self.state() != State::Stopped {
            return false;
        }
        let mut o = self.opts.lock().unwrap();
        f(&mut o);
        true
    }

    pub fn options(&self) -> Options {
        self.opts.lock().unwrap().clone()
    }

    // ---- lifecycle ----

    pub(crate) fn begin_start(&self) -> Result<Options> {
        // Upstream checks its SSL context before the state (ERROR_NOT_READY).
        if self.is_secure() && self.shared.security().is_none() {
            return Err(fail(SocketError::SslEnvNotReady, libc::EPERM));
        }
        if self.state() != State::Stopped {
            return Err(fail(SocketError::IllegalState, libc::EPERM));
        }
        let opts = self.options();
        let valid = match self.shared.transport {
            Transport::Tcp => opts.valid(self.role == Role::Server, self.role == Role::Client),
            Transport::Udp => opts.valid_udp(self.role == Role::Server),
            Transport::Cast => opts.valid_cast(),
        } && (!self.shared.arq || opts.arq.valid());
        if !valid {
            return Err(fail(SocketError::InvalidParam, libc::EINVAL));
        }
        if self.shared.model == Model::Pack
            && (opts.pack_max_size == 0 || opts.pack_max_size > recv::PACK_MAX_SIZE_LIMIT || opts.pack_header_flag > recv::PACK_HEADER_FLAG_LIMIT)
        {
            return Err(fail(SocketError::InvalidParam, libc::EINVAL));
        }
        self.shared.pack_max.store(opts.pack_max_size, Ordering::Relaxed);
        self.shared.pack_flag.store(opts.pack_header_flag, Ordering::Relaxed);
        self.shared.direct_sends.store(opts.send_policy == super::options::SendPolicy::Direct, Ordering::Relaxed);
        // A client stopped by its peer may still hold its worker: let it go first.
        if let Some(old) = self.run.lock().unwrap().take() {
            self.release(old);
        }
        self.shared.stopping.store(false, Ordering::Release);
        self.shared.buffer_size.store(opts.socket_buffer_size as usize, Ordering::Relaxed);
        self.shared.mark_silence.store(opts.mark_silence, Ordering::Relaxed);
        self.shared.max_datagram.store(opts.max_datagram_size, Ordering::Relaxed);
        self.shared.arq_flush.store(if self.shared.arq { opts.arq.flush_interval } else { 0 }, Ordering::Relaxed);
        self.shared.arq_max_message.store(opts.arq.max_message, Ordering::Relaxed);
        let mut opts = opts;
        if self.shared.arq {
            // KCP's datagrams may be as large as its MTU: receive them whole.
            opts.max_datagram_size = opts.max_datagram_size.max(opts.arq.mtu);
        }
        self.shared.addrs.clear();
        self.shared.set_state(State::Starting);
        Ok(opts)
    }

    pub(crate) fn start_workers(&self, count: u32) -> Result<Workers> {
        let name = match self.role {
            Role::Server => "hp-server",
            Role::Agent => "hp-agent",
            Role::Client => "hp-client",
        };
        Workers::start(count as usize, self.shared.owner(), name).map_err(|e| fail(SocketError::WorkerThreadCreate, e.raw_os_error().unwrap_or(libc::EAGAIN)))
    }

    pub(crate) fn abort_start(&self, f: Failure) -> Failure {
        self.shared.set_state(State::Stopped);
        f
    }

    /// Runs a server's or agent's Start: `body` sets up sockets and workers; the state becomes
    /// Started on success and Stopped on failure. As upstream, a Start that fails after its
    /// checks runs Stop, so OnShutdown fires (once the lifecycle lock is released: the callback
    /// may call Start or Stop).
    pub(crate) fn run_start(&self, body: impl FnOnce(&Options) -> Result<()>) -> Result<()> {
        let r = {
            let _l = self.lifecycle.lock().unwrap();
            let opts = self.begin_start()?;
            match body(&opts) {
                Ok(()) => {
                    // A Stop from a callback inside Start (OnPrepareListen) keeps it Stopping.
                    if !self.shared.is_stopping() {
                        self.shared.set_state(State::Started);
                    }
                    Ok(())
                }
                Err(f) => Err(self.abort_start(f)),
            }
        };
        if r.is_err() {
            super::workers::in_callback_of(self.shared.owner(), || self.shared.events.on_shutdown());
        }
        r
    }

    /// Runs a client's Start: its one worker runs and the state is Started (so that its events
    /// see it) before `body` opens the connection with the id given; on failure the worker goes.
    pub(crate) fn run_client_start(&self, async_connect: bool, body: impl FnOnce(&Options, ConnId) -> Result<()>) -> Result<()> {
        let _l = self.lifecycle.lock().unwrap();
        let opts = self.begin_start()?;
        let r = (|| {
            let workers = self.start_workers(1)?;
            *self.run.lock().unwrap() = Some(Running { workers, listen_addr: None, bind_addr: None, async_connect });
            // Starting until the connection is made (`Shared::client_connected`), as upstream.
            let id = self.next_id.fetch_add(1, Ordering::Relaxed);
            self.client_conn.store(id, Ordering::Relaxed);
            body(&opts, id)
        })();
        r.map_err(|f| {
            if let Some(run) = self.run.lock().unwrap().take() {
                self.release(run);
            }
            self.abort_start(f)
        })
    }

    /// The first worker of a started component.
    pub(crate) fn first_worker(&self) -> Result<tokio::runtime::Handle> {
        let run = self.run.lock().unwrap();
        run.as_ref().map(|r| r.workers.first().clone()).ok_or(fail(SocketError::IllegalState, libc::ENOTCONN))
    }

    /// Stops the component: closes every connection (each raises OnClose), raises OnShutdown,
    /// then lets the workers go. From inside one of its own callbacks it completes in the
    /// background instead of deadlocking.
    pub fn stop(self: &Arc<Self>) -> Result<()> {
        let st = self.state();
        if st == State::Stopping && !on_worker_of(self.shared.owner()) {
            // As upstream's CheckStoping: a Stop while the component is stopping (a client whose
            // connection is closing by itself, or another thread's Stop) waits until it is
            // stopped, then fails. (From its own worker it cannot wait: it fails at once.)
            self.wait(u32::MAX);
            return Err(fail(SocketError::IllegalState, libc::EPERM));
        }
        if st != State::Started && st != State::Starting {
            // A client already stopped by its peer still has its worker to let go.
            if st == State::Stopped && self.role == Role::Client {
                if let Some(run) = self.run.lock().unwrap().take() {
                    self.release(run);
                }
            }
            return Err(fail(SocketError::IllegalState, libc::EPERM));
        }
        if on_worker_of(self.shared.owner()) {
            self.shared.set_state(State::Stopping);
            self.shared.stopping.store(true, Ordering::Release);
            let me = self.clone();
            std::thread::spawn(move || me.stop_blocking());
            return Ok(());
        }
        self.stop_blocking();
        Ok(())
    }

    fn stop_blocking(&self) {
        let _l = self.lifecycle.lock().unwrap();
        if self.state() == State::Stopped && self.run.lock().unwrap().is_none() {
            return;
        }
        self.shared.set_state(State::Stopping);
        self.shared.stopping.store(true, Ordering::Release);
        loop {
            for c in self.shared.conns.iter() {
                c.request_close(Op::Close, 0);
            }
            if self.shared.wait_idle(Duration::from_millis(20)) {
                break;
            }
        }
        let run = self.run.lock().unwrap().take();
        if self.role != Role::Client {
            super::workers::in_callback_of(self.shared.owner(), || self.shared.events.on_shutdown());
        }
        if let Some(run) = run {
            self.release(run);
        }
        self.shared.set_state(State::Stopped);
    }

    /// Lets a set of workers go: joined here, or from a helper thread when we are one of them.
    pub(crate) fn release(&self, mut run: Running) {
        if on_worker_of(self.shared.owner()) {
            std::thread::spawn(move || run.workers.stop());
        } else {
            run.workers.stop();
        }
    }

    /// Waits until the component is stopped; `ms` = u32::MAX waits forever.
    pub fn wait(&self, ms: u32) -> bool {
        let g = self.shared.state_mx.lock().unwrap();
        let stopped = |_: &mut ()| self.shared.state() != State::Stopped;
        if ms == u32::MAX {
            let _g = self.shared.state_cv.wait_while(g, stopped).unwrap();
            true
        } else {
            let (_g, r) = self.shared.state_cv.wait_timeout_while(g, Duration::from_millis(ms as u64), stopped).unwrap();
            !r.timed_out() || self.state() == State::Stopped
        }
    }

    // ---- connections ----

    pub fn conn(&self, id: ConnId) -> Option<Arc<Conn>> {
        self.shared.conns.get(&id).map(|c| c.clone())
    }

    /// The client's one connection id (0 before the first Start).
    pub fn client_conn_id(&self) -> ConnId {
        self.client_conn.load(Ordering::Relaxed)
    }

    pub fn connection_count(&self) -> usize {
        self.shared.conns.len()
    }

    pub fn connection_ids(&self) -> Vec<ConnId> {
        let mut v: Vec<ConnId> = self.shared.conns.iter().map(|e| *e.key()).collect();
        v.sort_unstable();
        v
    }

    pub fn listen_addr(&self) -> Option<SocketAddr> {
        self.run.lock().unwrap().as_ref().and_then(|r| r.listen_addr)
    }

    /// How a Send reaches the socket: through the worker when OnSend is wanted, else by the
    /// send policy (SP_DIRECT writes each call at once; SP_PACK and SP_SAFE gather).
    fn send_mode(&self) -> SendMode {
        if self.shared.events.wants_on_send() {
            SendMode::Worker
        } else if self.shared.direct_sends.load(Ordering::Relaxed) {
            SendMode::Direct
        } else {
            SendMode::Gather
        }
    }

    /// Sends the concatenation of `bufs` on connection `id` as one contiguous piece of the
    /// stream, in the component's send framing (one PACK message on a PACK component).
    pub fn send(&self, id: ConnId, bufs: &[&[u8]]) -> Result<()> {
        self.send_then(id, bufs, |_| ()).map(|_| ())
    }

    /// `send`, then `after` on the connection sent on, from the same registry entry (no second
    /// lookup): Some(its result) on a TCP connection, None on a datagram one.
    pub fn send_then<R>(&self, id: ConnId, bufs: &[&[u8]], after: impl FnOnce(&Conn) -> R) -> Result<Option<R>> {
        if self.shared.transport != Transport::Tcp {
            return self.send_datagram(id, bufs).map(|()| None);
        }
        let framing = self.shared.send_framing();
        let header = match framing {
            SendFraming::Raw => None,
            _ => framing.header(bufs.iter().map(|b| b.len()).sum()).map_err(|e| fail(SocketError::InvalidParam, e))?,
        };
        // The registry's entry is borrowed for the call, not cloned: no reference count touched
        // on a line the connection's worker also uses.
        let c = self.shared.conns.get(&id).ok_or_else(|| self.unknown_conn())?;
        let (mode, on_worker) = (self.send_mode(), on_worker_of(self.shared.owner()));
        match header {
            // Upstream sends nothing and succeeds.
            None if bufs.iter().all(|b| b.is_empty()) => {}
            None => c.send(bufs, mode, on_worker).map_err(send_failure)?,
            Some(header) => {
                let mut with_header: [&[u8]; 16] = [&[]; 16];
                if bufs.len() < with_header.len() {
                    with_header[0] = &header;
                    with_header[1..=bufs.len()].copy_from_slice(bufs);
                    c.send(&with_header[..=bufs.len()], mode, on_worker)
                } else {
                    let mut v: Vec<&[u8]> = Vec::with_capacity(bufs.len() + 1);
                    v.push(&header);
                    v.extend_from_slice(bufs);
                    c.send(&v, mode, on_worker)
                }
                .map_err(send_failure)?
            }
        }
        Ok(Some(after(&c)))
    }

    /// A call naming a connection that is not there: upstream's ERROR_OBJECT_NOT_FOUND
    /// (EBADSLT), or for a client, whose one connection is gone, ERROR_INVALID_STATE (EPERM).
    fn unknown_conn(&self) -> Failure {
        if self.role == Role::Client {
            fail(SocketError::IllegalState, libc::EPERM)
        } else {
            fail(SocketError::InvalidParam, libc::EBADSLT)
        }
    }

    /// Gives every connection made from now on its first framing from `make` (set while
    /// stopped; the HTTP components use it for their parser).
    pub fn set_framing(&self, make: Option<FramingFactory>) -> bool {
        if self.state() != State::Stopped {
            return false;
        }
        *self.shared.framing.lock().unwrap() = make;
        true
    }

    /// Gives every connection made from now on a security layer from `make` (set while
    /// stopped; the SSL components use it for TLS).
    pub fn set_security(&self, make: Option<SecurityFactory>) -> bool {
        if self.state() != State::Stopped {
            return false;
        }
        *self.shared.security.lock().unwrap() = make;
        true
    }

    /// StartSSLHandShake: connection `id` of a component whose auto handshake is off, in the
    /// clear so far, starts its security layer now. Err: EBADSLT (EPERM for a client) for an
    /// unknown connection, EPERM while it is still connecting, EALREADY once started, EPERM
    /// when auto handshake is on (upstream's ERROR_INVALID_OPERATION).
    pub fn start_security(&self, id: ConnId) -> std::result::Result<(), i32> {
        if self.shared.security_auto() {
            return Err(libc::EPERM);
        }
        let c = self.conn(id).ok_or_else(|| self.unknown_conn().errno)?;
        if !c.send.connected.load(Ordering::Acquire) {
            return Err(libc::EPERM);
        }
        let make = self.shared.security().ok_or(libc::EPERM)?;
        if c.tls.load(Ordering::Acquire) != super::conn::TLS_WAITING {
            return Err(libc::EALREADY);
        }
        let sec = make(&c, self.role == Role::Server)?;
        let _ = c.send.start_security(sec, || c.tls.store(super::conn::TLS_ON, Ordering::Release))?;
        // The task flushes the hello and turns secure at its next read; OnHandShake fires when
        // the handshake is done.
        c.wake();
        Ok(())
    }

    /// Runs `f` with connection `id`'s raw TLS session (see `SendPath::with_security_raw`).
    /// Err: as [`Component::start_security`]'s unknown connection; Ok(None) when it has none
    /// (yet).
    pub fn with_security_raw<R>(&self, id: ConnId, f: impl FnOnce(*mut std::ffi::c_void) -> R) -> std::result::Result<Option<R>, i32> {
        let c = self.conn(id).ok_or_else(|| self.unknown_conn().errno)?;
        Ok(c.send.with_security_raw(f))
    }

    /// UDP: the concatenation of `bufs` as one datagram of at most MaxDatagramSize bytes.
    fn send_datagram(&self, id: ConnId, bufs: &[&[u8]]) -> Result<()> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        let max = if self.shared.arq { self.shared.arq_max_message.load(Ordering::Relaxed) } else { self.shared.max_datagram.load(Ordering::Relaxed) };
        // Upstream's order and codes: the connection first, then an empty datagram is
        // ERROR_BAD_LENGTH (EMSGSIZE) and an oversized one ERROR_INVALID_PARAMETER (EINVAL).
        let c = self.conn(id).ok_or_else(|| self.unknown_conn())?;
        if total == 0 {
            return Err(fail(SocketError::InvalidParam, libc::EMSGSIZE));
        }
        if total > max as usize {
            return Err(fail(SocketError::InvalidParam, libc::EINVAL));
        }
        super::udp::send(&self.shared, &c, bufs).map_err(send_failure)
    }

    /// PULL: copies `out.len()` buffered bytes of connection `id`, removing them unless `peek`.
    /// None when the connection is unknown (or this is not a PULL component).
    pub fn fetch(&self, id: ConnId, out: &mut [std::mem::MaybeUninit<u8>], peek: bool) -> Option<FetchResult> {
        let c = self.conn(id)?;
        let pull = c.pull.as_ref()?;
        let (r, resume) = pull.take_into(out, peek);
        if resume {
            c.wake();
        }
        Some(r)
    }

    /// The HTTP state of connection `id` (HTTP components only).
    pub fn http_conn(&self, id: ConnId) -> Option<Arc<super::http::layer::HttpConn>> {
        self.shared.conns.get(&id).and_then(|c| c.http.get().cloned())
    }

    /// HTTP `Release`: data arriving from now on closes connection `id` at once; otherwise it
    /// is disconnected `delay` later (its queued data is written first).
    pub fn release_http(&self, id: ConnId, delay: Duration) -> bool {
        let Some(c) = self.conn(id) else { return false };
        let Some(h) = c.http.get() else { return false };
        // Released once only, as upstream (a second Release fails).
        if h.released.swap(true, Ordering::AcqRel) {
            return false;
        }
        // A request that asked to close, answered by a whole response with nothing sent after
        // it: the response is all the connection will carry, so its end of the stream (FIN)
        // follows it at once, as other HTTP servers close, instead of waiting for the client's
        // close or the delay (upstream). The client sees the end at once, and the connection's
        // TIME_WAIT stays on the server, which has no ephemeral ports to run out of. Plain
        // connections only: a TLS session ends with its own close_notify.
        if c.tls.load(Ordering::Acquire) == crate::engine::conn::TLS_NONE
            && !h.msg.lock().unwrap().is_keep_alive()
            && h.whole_response_at.load(Ordering::Acquire) == c.send.calls()
        {
            c.half_close_when_sent();
        }
        c.close_after(delay);
        true
    }

    /// HTTP `StartHttp`: connection `id`, whose bytes went to OnReceive raw so far, is parsed
    /// as HTTP from its next read on (and OnHandShake fires then). Err: EBADSLT for an unknown
    /// connection, EALREADY when HTTP already runs on it.
    pub fn start_http(&self, id: ConnId) -> std::result::Result<(), i32> {
        let Some(c) = self.conn(id) else { return Err(libc::EBADSLT) };
        let Some(h) = c.http.get() else { return Err(libc::EBADSLT) };
        if h.started.swap(true, Ordering::AcqRel) {
            return Err(libc::EALREADY);
        }
        // Released before the switch is posted: the task may take it at once, and must then
        // see OnHandShake as due.
        c.hold_handshake.store(false, Ordering::Release);
        c.framing_switch.request(Framing::Layer(Box::new(super::http::layer::HttpLayer::new(h.clone()))));
        c.wake();
        Ok(())
    }

    pub fn disconnect(&self, id: ConnId) -> Result<()> {
        let c = self.conn(id).ok_or(fail(SocketError::InvalidParam, libc::EBADSLT))?;
        c.request_close(Op::Close, 0);
        Ok(())
    }

    pub fn disconnect_long(&self, period_ms: u64) {
        for c in self.shared.conns.iter() {
            if c.connect_period_ms() >= period_ms {
                c.request_close(Op::Close, 0);
            }
        }
    }

    pub fn disconnect_silence(&self, period_ms: u64) -> bool {
        if !self.shared.mark_silence() {
            return false;
        }
        for c in self.shared.conns.iter() {
            if c.silence_ms() >= period_ms {
                c.request_close(Op::Close, 0);
            }
        }
        true
    }
}

impl Drop for Component {
    fn drop(&mut self) {
        if let Some(run) = self.run.get_mut().unwrap().take() {
            self.release(run);
        }
    }
}

pub(crate) fn shared_pull(shared: &Shared) -> bool {
    shared.model == Model::Pull
}

/// Hands out connection ids; shared by the accept loop with its component.
#[derive(Clone)]
pub(crate) struct IdSource(Arc<AtomicU64>);
impl IdSource {
    pub(crate) fn new(a: &Arc<AtomicU64>) -> Self {
        IdSource(a.clone())
    }
    pub(crate) fn next(&self) -> ConnId {
        self.0.fetch_add(1, Ordering::Relaxed)
    }
}

fn error_from(v: i32) -> SocketError {
    use SocketError::*;
    if v == SslEnvNotReady as i32 {
        return SslEnvNotReady;
    }
    [Ok, IllegalState, InvalidParam, SocketCreate, SocketBind, SocketPrepare, SocketListen, CpCreate, WorkerThreadCreate, DetectThreadCreate, SocketAttachToCp, ConnectServer, Network, DataProc, DataSend, GcStart]
        .get(v as usize)
        .copied()
        .unwrap_or(Ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Handled;
    use crate::engine::test_util::{to, wait_until};
    use std::sync::{Mutex, OnceLock, Weak};

    /// Records events; echoes what it receives when `echo` is set.
    #[derive(Default)]
    struct Rec {
        comp: OnceLock<Weak<Component>>,
        echo: bool,
        log: Mutex<Vec<String>>,
        data: Mutex<Vec<u8>>,
    }

    impl Events for Rec {
        fn on_accept(&self, id: ConnId, _client: usize) -> Handled {
            self.log.lock().unwrap().push(format!("accept {id}"));
            Handled::Ok
        }
        fn on_connect(&self, id: ConnId) -> Handled {
            self.log.lock().unwrap().push(format!("connect {id}"));
            Handled::Ok
        }
        fn on_receive(&self, id: ConnId, data: &[u8]) -> Handled {
            self.data.lock().unwrap().extend_from_slice(data);
            if self.echo {
                let c = self.comp.get().and_then(Weak::upgrade).unwrap();
                if c.send(id, &[data]).is_err() {
                    return Handled::Error;
                }
            }
            Handled::Ok
        }
        fn on_close(&self, id: ConnId, op: Op, code: i32) -> Handled {
            self.log.lock().unwrap().push(format!("close {id} {op:?} {code}"));
            Handled::Ok
        }
        fn on_shutdown(&self) -> Handled {
            self.log.lock().unwrap().push("shutdown".into());
            Handled::Ok
        }
    }

    fn component(role: Role, echo: bool) -> (Arc<Component>, Arc<Rec>) {
        let rec = Arc::new(Rec { echo, ..Default::default() });
        let comp = Arc::new(Component::new(role, rec.clone()));
        rec.comp.set(Arc::downgrade(&comp)).unwrap();
        (comp, rec)
    }


    #[test]
    fn server_echoes_to_client_and_events_are_ordered() {
        let (server, srec) = component(Role::Server, true);
        server.set_option(|o| o.worker_threads = 2);
        server.start_server(Some("127.0.0.1"), 0).unwrap();
        let port = server.listen_addr().unwrap().port();

        let (client, crec) = component(Role::Client, false);
        client.start_client(to(port), false).unwrap();
        let id = client.client_conn_id();
        let msg: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
        for chunk in msg.chunks(7_000) {
            client.send(id, &[&chunk[..3], &chunk[3..]]).unwrap();
        }
        assert!(wait_until(|| crec.data.lock().unwrap().len() == msg.len()));
        assert_eq!(*crec.data.lock().unwrap(), msg);
        assert_eq!(server.connection_ids(), vec![1]);

        client.stop().unwrap();
        assert!(wait_until(|| srec.log.lock().unwrap().len() == 2));
        server.stop().unwrap();
        assert_eq!(*srec.log.lock().unwrap(), ["accept 1", "close 1 Close 0", "shutdown"]);
        let clog = crec.log.lock().unwrap().clone();
        assert_eq!(clog[0], format!("connect {id}"));
        assert_eq!(clog[1], format!("close {id} Close 0"));
        assert_eq!(server.state(), State::Stopped);
    }

    #[test]
    fn start_twice_and_stop_twice_are_refused() {
        let (server, _) = component(Role::Server, false);
        server.start_server(Some("127.0.0.1"), 0).unwrap();
        assert_eq!(server.start_server(Some("127.0.0.1"), 0).unwrap_err().code, SocketError::IllegalState);
        server.stop().unwrap();
        assert_eq!(server.stop().unwrap_err().code, SocketError::IllegalState);
    }

    #[test]
    fn agent_async_connect_failure_is_reported_as_connect_close() {
        let (agent, rec) = component(Role::Agent, false);
        agent.start_agent(None, true).unwrap();
        // a port nobody listens on
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let (id, r) = agent.connect(to(port));
        r.unwrap();
        assert!(wait_until(|| !rec.log.lock().unwrap().is_empty()));
        assert_eq!(rec.log.lock().unwrap()[0], format!("close {id} Connect {}", libc::ECONNREFUSED));
        agent.stop().unwrap();
    }
}
