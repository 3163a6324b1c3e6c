//! TCP component handles and the helpers the `HP_Server_*`, `HP_Agent_*` and `HP_Client_*`
//! exports share. A handle is the address of a slot of the handle table (`handle.rs`) standing for a [`ComponentObj`]; callbacks receive that same
//! address as `pSender`.
#![deny(unsafe_op_in_unsafe_fn)]

use super::guard::{set_errno, to_bool};
use super::handle::{self, HandleObject, Kind};
use super::listener::{self, Listener, ListenerKind, Slot};
use super::types::*;
use crate::engine::component::{Component, ConnectArgs, Failure, Role, Transport};
use crate::engine::options::{OnSendSyncPolicy, Options, ReusePolicy, SendPolicy};
use crate::engine::recv::{FetchResult, Model};
use crate::engine::http::layer::{HttpConn, HttpLayer, HttpSettings};
use crate::engine::{ConnId, Events, Handled, Op, SocketError, State};
use std::ffi::CStr;
use std::os::fd::RawFd;
use std::os::raw::c_int;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// What a component handle stands for: TCP, PULL, PACK, UDP, ARQ and cast components of every
/// role (the component says which).
pub struct ComponentObj {
    pub comp: Arc<Component>,
    /// The client's own extra value (`HP_Client_SetExtra`).
    pub extra: AtomicUsize,
    /// Keeps the listener alive as long as the component.
    _listener: Arc<Listener>,
    /// HTTP components: their own settings (the connections' HTTP state refers to them).
    pub http: Option<Arc<HttpSettings>>,
    /// An HttpSyncClient: its requests' results.
    pub sync: Option<Arc<super::http_sync::SyncState>>,
    /// The SSL components: their contexts and settings (set once, right after creation).
    #[cfg(feature = "ssl")]
    pub ssl: std::sync::OnceLock<Arc<super::ssl::SslSettings>>,
}

// SAFETY: the only handles registered as Kind::Component are made by `create_from` below, from a
// `Box<ComponentObj>` (new_boxed), and no other HandleObject type lists Kind::Component.
unsafe impl HandleObject for ComponentObj {
    const KINDS: &'static [Kind] = &[Kind::Component];
    const SHARED: bool = false;
}

/// Calls the listener's C functions with the component handle as sender.
pub(crate) struct CEvents {
    sender: AtomicUsize,
    pub(crate) listener: Arc<Listener>,
    /// The listener has the HTTP events (an HTTP component's).
    is_http: bool,
}

type FnSender = unsafe extern "C" fn(PVOID) -> HandleResultArg;
type FnId = unsafe extern "C" fn(PVOID, HP_CONNID) -> HandleResultArg;
type FnIdPtr = unsafe extern "C" fn(PVOID, HP_CONNID, UINT_PTR) -> HandleResultArg;
type FnSenderPtr = unsafe extern "C" fn(PVOID, UINT_PTR) -> HandleResultArg;
type FnData = unsafe extern "C" fn(PVOID, HP_CONNID, *const BYTE, c_int) -> HandleResultArg;
type FnLen = unsafe extern "C" fn(PVOID, HP_CONNID, c_int) -> HandleResultArg;
type FnClose = unsafe extern "C" fn(PVOID, HP_CONNID, En_HP_SocketOperation, c_int) -> HandleResultArg;

/// An HTTP parser callback's `En_HP_HttpParseResult`: 0 OK, 1 SKIP_BODY, 2 UPGRADE, -1 ERROR
/// (anything else is taken as OK, as upstream's parser does with unknown values).
pub fn parse_result(r: HttpParseResultArg) -> crate::engine::ParseResult {
    use crate::engine::ParseResult;
    match r.0 {
        1 => ParseResult::SkipBody,
        2 => ParseResult::Upgrade,
        -1 => ParseResult::Error,
        _ => ParseResult::Ok,
    }
}

/// An event callback's `En_HP_HandleResult`: 0 OK, 1 IGNORE, 2 ERROR.
pub fn handled(r: HandleResultArg) -> Handled {
    match r.0 {
        1 => Handled::Ignore,
        2 => Handled::Error,
        _ => Handled::Ok,
    }
}

/// Runs a C callback as upstream fires its events: `errno` is 0 when the callback starts, and
/// the `errno` it leaves is kept for the engine, which closes with it (instead of `ECANCELED`)
/// when the callback's result ends the connection.
#[inline]
pub fn trigger<R>(call: impl FnOnce() -> R) -> R {
    set_errno(0);
    let r = call();
    crate::engine::note_callback_errno(super::guard::errno());
    r
}

/// [`trigger`] for an event callback, its result read as [`handled`].
#[inline]
pub fn fire(call: impl FnOnce() -> HandleResultArg) -> Handled {
    handled(trigger(call))
}

/// [`trigger`] for an HTTP parser callback, its result read as [`parse_result`].
#[inline]
pub fn fire_parse(call: impl FnOnce() -> HttpParseResultArg) -> crate::engine::ParseResult {
    parse_result(trigger(call))
}

pub fn socket_op(op: Op) -> En_HP_SocketOperation {
    match op {
        Op::Unknown => EnSocketOperation::SO_UNKNOWN,
        Op::Accept => EnSocketOperation::SO_ACCEPT,
        Op::Connect => EnSocketOperation::SO_CONNECT,
        Op::Send => EnSocketOperation::SO_SEND,
        Op::Receive => EnSocketOperation::SO_RECEIVE,
        Op::Close => EnSocketOperation::SO_CLOSE,
    }
}

impl CEvents {
    #[inline]
    pub(crate) fn sender(&self) -> PVOID {
        self.sender.load(Ordering::Relaxed) as PVOID
    }
    /// The callback in slot `s`, read as `F`, which must be the slot's function-pointer type
    /// (the `HP_FN_*` type its `HP_Set_FN_*` setter takes, without the `Option`).
    #[inline]
    pub(crate) fn slot<F: Copy>(&self, s: Slot) -> Option<F> {
        let p = self.listener.get(s);
        // SAFETY: a non-zero slot of this Server/Agent/Client listener was stored by its family's
        // HP_Set_FN_* export as `f as usize` of a non-NULL `unsafe extern "C" fn` of the slot's
        // type, and every caller names that (pointer-sized) type as `F`: this reads it back.
        (p != 0).then(|| unsafe { std::mem::transmute_copy::<usize, F>(&p) })
    }
}

impl Events for CEvents {
    fn on_prepare_listen(&self, fd: RawFd) -> Handled {
        // SAFETY: `f` is the application's OnPrepareListen callback, of exactly this signature (see
        // `slot`); its arguments are plain values (the handle is opaque to C).
        self.slot::<FnSenderPtr>(Slot::PrepareListen).map_or(Handled::Ok, |f| fire(|| unsafe { f(self.sender(), fd as UINT_PTR) }))
    }
    fn on_prepare_connect(&self, id: ConnId, fd: RawFd) -> Handled {
        // SAFETY: `f` is the application's OnPrepareConnect callback, of exactly this signature (see
        // `slot`); its arguments are plain values (the handle is opaque to C).
        self.slot::<FnIdPtr>(Slot::PrepareConnect).map_or(Handled::Ok, |f| fire(|| unsafe { f(self.sender(), id as HP_CONNID, fd as UINT_PTR) }))
    }
    fn on_accept(&self, id: ConnId, client: usize) -> Handled {
        // SAFETY: `f` is the application's OnAccept callback, of exactly this signature (see
        // `slot`); its arguments are plain values (the handle is opaque to C).
        self.slot::<FnIdPtr>(Slot::Accept).map_or(Handled::Ok, |f| fire(|| unsafe { f(self.sender(), id as HP_CONNID, client as UINT_PTR) }))
    }
    fn on_connect(&self, id: ConnId) -> Handled {
        // SAFETY: `f` is the application's OnConnect callback, of exactly this signature (see
        // `slot`); its arguments are plain values (the handle is opaque to C).
        self.slot::<FnId>(Slot::Connect).map_or(Handled::Ok, |f| fire(|| unsafe { f(self.sender(), id as HP_CONNID) }))
    }
    fn on_handshake(&self, id: ConnId) -> Handled {
        // SAFETY: `f` is the application's OnHandShake callback, of exactly this signature (see
        // `slot`); its arguments are plain values (the handle is opaque to C).
        self.slot::<FnId>(Slot::HandShake).map_or(Handled::Ok, |f| fire(|| unsafe { f(self.sender(), id as HP_CONNID) }))
    }
    fn on_receive(&self, id: ConnId, data: &[u8]) -> Handled {
        // SAFETY: `f` is the application's OnReceive callback, of exactly this signature (see
        // `slot`); `data` stays borrowed, so `data.as_ptr()` is readable for `data.len()` bytes
        // while the call lasts (the callback may not keep it, as upstream).
        self.slot::<FnData>(Slot::Receive).map_or(Handled::Ok, |f| fire(|| unsafe { f(self.sender(), id as HP_CONNID, data.as_ptr(), data.len() as c_int) }))
    }
    fn on_pull_receive(&self, id: ConnId, total: usize) -> Handled {
        let n = total.min(c_int::MAX as usize) as c_int;
        // SAFETY: `f` is the application's OnPullReceive callback, of exactly this signature (see
        // `slot`); its arguments are plain values (the handle is opaque to C).
        self.slot::<FnLen>(Slot::PullReceive).map_or(Handled::Ok, |f| fire(|| unsafe { f(self.sender(), id as HP_CONNID, n) }))
    }
    fn wants_on_send(&self) -> bool {
        self.listener.get(Slot::Send) != 0
    }
    fn on_send(&self, id: ConnId, data: &[u8]) -> Handled {
        // SAFETY: `f` is the application's OnSend callback, of exactly this signature (see
        // `slot`); `data` stays borrowed, so `data.as_ptr()` is readable for `data.len()` bytes
        // while the call lasts (the callback may not keep it, as upstream).
        self.slot::<FnData>(Slot::Send).map_or(Handled::Ok, |f| fire(|| unsafe { f(self.sender(), id as HP_CONNID, data.as_ptr(), data.len() as c_int) }))
    }
    fn on_close(&self, id: ConnId, op: Op, code: i32) -> Handled {
        // SAFETY: `f` is the application's OnClose callback, of exactly this signature (see
        // `slot`); its arguments are plain values (the handle is opaque to C).
        self.slot::<FnClose>(Slot::Close).map_or(Handled::Ok, |f| fire(|| unsafe { f(self.sender(), id as HP_CONNID, socket_op(op), code) }))
    }
    fn on_shutdown(&self) -> Handled {
        // SAFETY: `f` is the application's OnShutdown callback, of exactly this signature (see
        // `slot`); its arguments are plain values (the handle is opaque to C).
        self.slot::<FnSender>(Slot::Shutdown).map_or(Handled::Ok, |f| fire(|| unsafe { f(self.sender()) }))
    }
    fn http(&self) -> Option<&dyn crate::engine::http::layer::HttpEvents> {
        if self.is_http {
            Some(self)
        } else {
            None
        }
    }
}

fn role_listener(role: Role) -> ListenerKind {
    match role {
        Role::Server => ListenerKind::Server,
        Role::Agent => ListenerKind::Agent,
        Role::Client => ListenerKind::Client,
    }
}

/// Creates a component handle for `role` with the listener behind `l`; NULL for a bad listener.
pub fn create(l: PVOID, role: Role) -> PVOID {
    create_model(l, role, Model::Push)
}

/// Creates a component handle whose received bytes reach the application per `model`.
pub fn create_model(l: PVOID, role: Role, model: Model) -> PVOID {
    create_with(l, role, model, Transport::Tcp)
}

/// Creates a UDP server or client handle (UDP components use the PUSH model).
pub fn create_udp(l: PVOID, role: Role) -> PVOID {
    create_with(l, role, Model::Push, Transport::Udp)
}

/// Creates a UdpArqServer (role Server) or UdpArqClient (role Client) handle.
pub fn create_arq(l: PVOID, role: Role) -> PVOID {
    create_from(l, role, |events| Component::new_arq(role, events))
}

/// Creates a UdpCast handle (a client of a group or of broadcast).
pub fn create_cast(l: PVOID) -> PVOID {
    create_with(l, Role::Client, Model::Push, Transport::Cast)
}

fn create_with(l: PVOID, role: Role, model: Model, transport: Transport) -> PVOID {
    create_from(l, role, |events| Component::with_transport(role, events, model, transport))
}

/// A handle for the component `make` builds around the listener behind `l`.
fn create_from(l: PVOID, role: Role, make: impl FnOnce(Arc<dyn Events>) -> Component) -> PVOID {
    create_in(l, role_listener(role), None, make)
}

/// An HTTP component of `role` (a TCP component whose connections parse HTTP) with the HTTP
/// listener behind `l`.
pub fn create_http(l: PVOID, role: Role, kind: ListenerKind) -> PVOID {
    let Some(listener) = listener::share(l, kind) else {
        set_errno(libc::EINVAL);
        return std::ptr::null_mut();
    };
    create_http_in(listener, role, None, |e| e)
}

/// An HttpSyncClient: an HttpClient whose events go through `wrap` (the sync client's own
/// bookkeeping); a NULL listener stands for one with no callbacks.
pub(crate) fn create_http_sync(l: PVOID, sync: Arc<super::http_sync::SyncState>, wrap: impl FnOnce(Arc<CEvents>) -> Arc<dyn Events>) -> PVOID {
    let listener = if l.is_null() {
        listener::detached(ListenerKind::HttpClient)
    } else {
        match listener::share(l, ListenerKind::HttpClient) {
            Some(l) => l,
            None => {
                set_errno(libc::EINVAL);
                return std::ptr::null_mut();
            }
        }
    };
    create_http_in(listener, Role::Client, Some(sync), wrap)
}

fn create_http_in(listener: Arc<Listener>, role: Role, sync: Option<Arc<super::http_sync::SyncState>>, wrap: impl FnOnce(Arc<CEvents>) -> Arc<dyn Events>) -> PVOID {
    let settings = Arc::new(HttpSettings::new(role == Role::Server));
    let for_conns = settings.clone();
    create_with_listener(listener, Some(settings), sync, wrap, |events| {
        let c = Component::with_transport(role, events, Model::Push, Transport::Tcp);
        c.set_framing(Some(Arc::new(move |conn: &crate::engine::conn::Conn| {
            let host = conn.remote_host.as_deref().unwrap_or_default().to_owned();
            let st = conn.http.get_or_init(|| Arc::new(HttpConn::new(for_conns.clone(), host)));
            HttpLayer::first_framing(st, conn)
        })));
        c
    })
}

fn create_in(l: PVOID, kind: ListenerKind, http: Option<Arc<HttpSettings>>, make: impl FnOnce(Arc<dyn Events>) -> Component) -> PVOID {
    let Some(listener) = listener::share(l, kind) else {
        set_errno(libc::EINVAL);
        return std::ptr::null_mut();
    };
    create_with_listener(listener, http, None, |e| e, make)
}

fn create_with_listener(
    listener: Arc<Listener>,
    http: Option<Arc<HttpSettings>>,
    sync: Option<Arc<super::http_sync::SyncState>>,
    wrap: impl FnOnce(Arc<CEvents>) -> Arc<dyn Events>,
    make: impl FnOnce(Arc<dyn Events>) -> Component,
) -> PVOID {
    let events = Arc::new(CEvents { sender: AtomicUsize::new(0), listener: listener.clone(), is_http: http.is_some() });
    let comp = Arc::new(make(wrap(events.clone())));
    let h = handle::new_boxed(Kind::Component, Box::new(ComponentObj {
            comp,
            extra: AtomicUsize::new(0),
            _listener: listener,
            http,
            sync,
            #[cfg(feature = "ssl")]
            ssl: Default::default(),
        }));
    events.sender.store(h as usize, Ordering::Relaxed);
    h
}

/// The upstream class a component was created as (`Create_HP_<class>`), which its
/// `Destroy_HP_<class>` must match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Tcp,
    TcpPull,
    TcpPack,
    Udp,
    UdpArq,
    UdpCast,
    Http,
    HttpSync,
    Ssl,
    SslPull,
    SslPack,
    Https,
    HttpsSync,
}

impl Class {
    fn of(o: &ComponentObj) -> Class {
        let plain = Class::of_plain(o);
        if !o.comp.is_secure() {
            return plain;
        }
        match plain {
            Class::Tcp => Class::Ssl,
            Class::TcpPull => Class::SslPull,
            Class::TcpPack => Class::SslPack,
            Class::Http => Class::Https,
            Class::HttpSync => Class::HttpsSync,
            other => other,
        }
    }

    fn of_plain(o: &ComponentObj) -> Class {
        let c = &o.comp;
        if o.sync.is_some() {
            return Class::HttpSync;
        }
        if o.http.is_some() {
            return Class::Http;
        }
        match (c.transport(), c.model(), c.is_arq()) {
            (Transport::Tcp, Model::Push, _) => Class::Tcp,
            (Transport::Tcp, Model::Pull, _) => Class::TcpPull,
            (Transport::Tcp, Model::Pack, _) => Class::TcpPack,
            (Transport::Udp, _, false) => Class::Udp,
            (Transport::Udp, _, true) => Class::UdpArq,
            (Transport::Cast, _, _) => Class::UdpCast,
        }
    }
}

/// Stops (if needed) and frees a component handle of `role` created as `class`; anything else
/// is refused with EINVAL. From inside one of its own callbacks the work finishes on a helper
/// thread, so the callback returns first.
pub fn destroy(p: PVOID, role: Role, class: Class) {
    if obj(p, role).is_none_or(|o| Class::of(o) != class) {
        set_errno(libc::EINVAL);
        return;
    }
    let Some(obj) = handle::take_boxed::<ComponentObj>(p, Kind::Component) else {
        set_errno(libc::EINVAL);
        return;
    };
    let comp = obj.comp.clone();
    let on_own_worker = crate::engine::workers::on_worker_of_component(&comp);
    let finish = move || {
        let _ = comp.stop();
        comp.wait(u32::MAX);
        // No callback runs after the stop completed: the object (and its listener reference)
        // can go.
        drop(obj);
    };
    if on_own_worker {
        std::thread::spawn(finish);
    } else {
        finish();
    }
}

/// The object behind a handle, when it is a live component of `role`.
#[inline]
pub fn obj<'a>(p: PVOID, role: Role) -> Option<&'a ComponentObj> {
    handle::get::<ComponentObj>(p, Kind::Component).filter(|o| o.comp.role() == role)
}

/// The component behind a handle; on a bad handle sets errno and returns None.
#[inline]
pub fn comp<'a>(p: PVOID, role: Role) -> Option<&'a Arc<Component>> {
    match obj(p, role) {
        Some(o) => Some(&o.comp),
        None => {
            set_errno(libc::EINVAL);
            None
        }
    }
}

/// The component behind a handle of `role` on `transport` (the `HP_Tcp*_` and `HP_Udp*_`
/// families); on any other handle sets errno and returns None.
#[inline]
pub fn comp_of<'a>(p: PVOID, role: Role, transport: Transport) -> Option<&'a Arc<Component>> {
    match obj(p, role) {
        Some(o) if o.comp.transport() == transport => Some(&o.comp),
        _ => {
            set_errno(libc::EINVAL);
            None
        }
    }
}

/// A TCP component of `role`.
#[inline]
pub fn tcp_comp<'a>(p: PVOID, role: Role) -> Option<&'a Arc<Component>> {
    comp_of(p, role, Transport::Tcp)
}

/// Sets an option of a component on `transport` (only while stopped, as upstream).
pub fn set_opt_of(p: PVOID, role: Role, transport: Transport, f: impl FnOnce(&mut Options)) {
    apply_option(comp_of(p, role, transport), f)
}

/// Changes an option of `c` (None: a bad handle, already reported): only while stopped, as
/// upstream, which ignores the call otherwise (errno says EPERM; `GetLastError` is untouched).
pub fn apply_option(c: Option<&Arc<Component>>, f: impl FnOnce(&mut Options)) {
    if let Some(c) = c {
        if !c.set_option(f) {
            set_errno(libc::EPERM);
        }
    }
}

/// Reads an option of a component on `transport`; 0 for any other handle.
pub fn get_opt_of<T: Default>(p: PVOID, role: Role, transport: Transport, f: impl FnOnce(&Options) -> T) -> T {
    comp_of(p, role, transport).map(|c| f(&c.options())).unwrap_or_default()
}

/// `HP_TcpServer_*` / `HP_TcpClient_*` setters.
pub fn set_tcp_opt(p: PVOID, role: Role, f: impl FnOnce(&mut Options)) {
    set_opt_of(p, role, Transport::Tcp, f)
}

/// `HP_TcpServer_*` / `HP_TcpClient_*` getters.
pub fn get_tcp_opt<T: Default>(p: PVOID, role: Role, f: impl FnOnce(&Options) -> T) -> T {
    get_opt_of(p, role, Transport::Tcp, f)
}

/// The component behind a handle of `role` created with receive model `model`.
#[inline]
pub fn model_comp<'a>(p: PVOID, role: Role, model: Model) -> Option<&'a Arc<Component>> {
    match obj(p, role) {
        Some(o) if o.comp.model() == model => Some(&o.comp),
        _ => {
            set_errno(libc::EINVAL);
            None
        }
    }
}

/// `HP_TcpPull*_Fetch` / `Peek`: copies `len` buffered bytes of connection `id` into `buf`.
///
/// # Safety
/// `p` may be any value (it is looked up in the handle table). `buf` is NULL or valid for writes
/// of `len` bytes (initialised or not) that nothing else reads or writes during the call.
pub unsafe fn fetch(p: PVOID, role: Role, id: Option<ConnId>, buf: *mut BYTE, len: c_int, peek: bool) -> En_HP_FetchResult {
    let Some(c) = model_comp(p, role, Model::Pull) else { return EnFetchResult::FR_DATA_NOT_FOUND };
    if buf.is_null() || len < 0 {
        set_errno(libc::EINVAL);
        return EnFetchResult::FR_DATA_NOT_FOUND;
    }
    let id = id.unwrap_or_else(|| c.client_conn_id());
    // SAFETY: `buf` is non-NULL and `len >= 0` (checked above), and the caller guarantees `len`
    // writable bytes at `buf` that nothing else accesses during the call; they need not be
    // initialised, as the slice is of MaybeUninit and is only written; it lives for this call.
    let out = unsafe { std::slice::from_raw_parts_mut(buf as *mut std::mem::MaybeUninit<u8>, len as usize) };
    match c.fetch(id, out, peek) {
        Some(FetchResult::Ok) => EnFetchResult::FR_OK,
        Some(FetchResult::LengthTooLong) => EnFetchResult::FR_LENGTH_TOO_LONG,
        None => {
            // As upstream, which sets no error here.
            EnFetchResult::FR_DATA_NOT_FOUND
        }
    }
}

/// `HP_TcpPack*_SetMaxPackSize` / `SetPackHeaderFlag` (acts only while stopped, as upstream).
pub fn set_pack_opt(p: PVOID, role: Role, f: impl FnOnce(&mut Options)) {
    apply_option(model_comp(p, role, Model::Pack), f)
}

/// Reads a PACK option; 0 for a bad handle.
pub fn get_pack_opt<T: Default>(p: PVOID, role: Role, f: impl FnOnce(&Options) -> T) -> T {
    model_comp(p, role, Model::Pack).map(|c| f(&c.options())).unwrap_or_default()
}

/// Records `r`'s failure on the component and turns it into a C BOOL.
pub fn done(c: &Component, r: Result<(), Failure>) -> BOOL {
    match r {
        Ok(()) => 1,
        Err(f) => {
            c.record(f);
            0
        }
    }
}

/// A bad argument to Start: recorded on the component (`GetLastError` SE_INVALID_PARAM) and
/// in errno.
pub fn invalid(c: &Component) -> BOOL {
    c.record(Failure { code: SocketError::InvalidParam, errno: libc::EINVAL });
    0
}

/// The outcome of a call other than Start and Stop: as upstream, only errno tells a failure;
/// the component's `GetLastError` keeps what the last Start or Stop left.
pub fn errno_only(r: Result<(), Failure>) -> BOOL {
    match r {
        Ok(()) => 1,
        Err(f) => {
            set_errno(f.errno);
            0
        }
    }
}

/// A bad argument to a call other than Start and Stop: FALSE with errno EINVAL.
pub fn bad_arg() -> BOOL {
    set_errno(libc::EINVAL);
    0
}

/// A C string argument that is not valid UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotUtf8;

/// A C string argument: NULL is None; invalid UTF-8 is an error.
///
/// # Safety
/// `s` is NULL or points to a NUL-terminated string that stays readable and unchanged for `'a`
/// (callers keep the result within the export call that received `s`).
pub unsafe fn opt_str<'a>(s: LPCTSTR) -> Result<Option<&'a str>, NotUtf8> {
    if s.is_null() {
        return Ok(None);
    }
    // SAFETY: `s` is non-NULL (checked above), so by the caller's contract it is a NUL-terminated
    // string readable and unchanged for `'a`.
    unsafe { CStr::from_ptr(s) }.to_str().map(Some).map_err(|_| NotUtf8)
}

pub fn state_of(s: State) -> En_HP_ServiceState {
    match s {
        State::Starting => EnServiceState::SS_STARTING,
        State::Started => EnServiceState::SS_STARTED,
        State::Stopping => EnServiceState::SS_STOPPING,
        State::Stopped => EnServiceState::SS_STOPPED,
    }
}

pub fn error_of(e: SocketError) -> En_HP_SocketError {
    use EnSocketError::*;
    match e {
        SocketError::Ok => SE_OK,
        SocketError::IllegalState => SE_ILLEGAL_STATE,
        SocketError::InvalidParam => SE_INVALID_PARAM,
        SocketError::SocketCreate => SE_SOCKET_CREATE,
        SocketError::SocketBind => SE_SOCKET_BIND,
        SocketError::SocketPrepare => SE_SOCKET_PREPARE,
        SocketError::SocketListen => SE_SOCKET_LISTEN,
        SocketError::CpCreate => SE_CP_CREATE,
        SocketError::WorkerThreadCreate => SE_WORKER_THREAD_CREATE,
        SocketError::DetectThreadCreate => SE_DETECT_THREAD_CREATE,
        SocketError::SocketAttachToCp => SE_SOCKE_ATTACH_TO_CP,
        SocketError::ConnectServer => SE_CONNECT_SERVER,
        SocketError::Network => SE_NETWORK,
        SocketError::DataProc => SE_DATA_PROC,
        SocketError::DataSend => SE_DATA_SEND,
        SocketError::GcStart => SE_GC_START,
        SocketError::SslEnvNotReady => SE_SSL_ENV_NOT_READY,
    }
}

/// Upstream's text for each error code; static, valid for the life of the process.
pub fn error_desc(code: c_int) -> LPCTSTR {
    let s: &'static [u8] = match code {
        0 => b"SUCCESS\0",
        1 => b"Illegal State\0",
        2 => b"Invalid Parameter\0",
        3 => b"Create SOCKET Fail\0",
        4 => b"Bind SOCKET Fail\0",
        5 => b"Prepare SOCKET Fail\0",
        6 => b"Listen SOCKET Fail\0",
        7 => b"Create IOCP Fail\0",
        8 => b"Create Worker Thread Fail\0",
        9 => b"Create Detector Thread Fail\0",
        10 => b"Attach to IOCP Fail\0",
        11 => b"Connect to Server Fail\0",
        12 => b"Network Error\0",
        13 => b"Process Data Error\0",
        14 => b"Send Data Fail\0",
        15 => b"Start GC Fail\0",
        101 => b"SSL environment not ready\0",
        _ => b"UNKNOWN ERROR\0",
    };
    s.as_ptr() as LPCTSTR
}

pub fn send_policy(v: SendPolicyArg) -> Option<SendPolicy> {
    match v.0 {
        0 => Some(SendPolicy::Pack),
        1 => Some(SendPolicy::Safe),
        2 => Some(SendPolicy::Direct),
        _ => None,
    }
}
pub fn send_policy_out(p: SendPolicy) -> En_HP_SendPolicy {
    match p {
        SendPolicy::Pack => EnSendPolicy::SP_PACK,
        SendPolicy::Safe => EnSendPolicy::SP_SAFE,
        SendPolicy::Direct => EnSendPolicy::SP_DIRECT,
    }
}
pub fn sync_policy(v: OnSendSyncPolicyArg) -> Option<OnSendSyncPolicy> {
    match v.0 {
        0 => Some(OnSendSyncPolicy::None),
        1 => Some(OnSendSyncPolicy::Close),
        2 => Some(OnSendSyncPolicy::Receive),
        _ => None,
    }
}
pub fn sync_policy_out(p: OnSendSyncPolicy) -> En_HP_OnSendSyncPolicy {
    match p {
        OnSendSyncPolicy::None => EnOnSendSyncPolicy::OSSP_NONE,
        OnSendSyncPolicy::Close => EnOnSendSyncPolicy::OSSP_CLOSE,
        OnSendSyncPolicy::Receive => EnOnSendSyncPolicy::OSSP_RECEIVE,
    }
}
pub fn reuse_policy(v: ReuseAddressPolicyArg) -> Option<ReusePolicy> {
    match v.0 {
        0 => Some(ReusePolicy::None),
        1 => Some(ReusePolicy::AddrOnly),
        2 => Some(ReusePolicy::AddrAndPort),
        _ => None,
    }
}
pub fn reuse_policy_out(p: ReusePolicy) -> En_HP_ReuseAddressPolicy {
    match p {
        ReusePolicy::None => EnReuseAddressPolicy::RAP_NONE,
        ReusePolicy::AddrOnly => EnReuseAddressPolicy::RAP_ADDR_ONLY,
        ReusePolicy::AddrAndPort => EnReuseAddressPolicy::RAP_ADDR_AND_PORT,
    }
}

// ---- helpers shared by the Server / Agent / Client exports ----

/// Sets an option (only while stopped, as upstream); a bad handle or enum value sets errno.
pub fn set_opt(p: PVOID, role: Role, f: impl FnOnce(&mut Options)) {
    apply_option(comp(p, role), f)
}

/// Reads an option; 0 for a bad handle.
pub fn get_opt<T: Default>(p: PVOID, role: Role, f: impl FnOnce(&Options) -> T) -> T {
    comp(p, role).map(|c| f(&c.options())).unwrap_or_default()
}

/// Writes an address into the caller's buffer as upstream does: `*len` is the buffer size on
/// entry and the string length plus NUL on return; the port is written in any case. A buffer
/// too small fails with ENOSPC and sets `*len` to the size any address of the family needs
/// (`INET_ADDRSTRLEN` 16 or `INET6_ADDRSTRLEN` 46), as upstream's `sockaddr_IN_2_A`.
///
/// # Safety
/// As for [`write_host`]: `len` is NULL or valid for reading and writing a `c_int`, `buf` is NULL
/// or valid for writes of `*len` bytes, and `port_out` is NULL or valid for writing a `USHORT`.
pub unsafe fn write_addr(addr: &std::net::IpAddr, port: u16, buf: *mut TCHAR, len: *mut c_int, port_out: *mut USHORT) -> BOOL {
    if len.is_null() {
        set_errno(libc::EINVAL);
        return 0;
    }
    let text = addr_text(addr);
    if !port_out.is_null() {
        // SAFETY: `port_out` is non-NULL (checked), so the caller guarantees it is writable.
        unsafe { *port_out = port };
    }
    // SAFETY: `len` is non-NULL (checked above), so the caller guarantees it is readable.
    if buf.is_null() || (unsafe { *len } as i64) < text.len() as i64 + 1 {
        let family_len = if text.contains(':') { 46 } else { 16 };
        // SAFETY: `len` is non-NULL (checked above), so the caller guarantees it is writable.
        unsafe { *len = family_len };
        set_errno(libc::ENOSPC);
        return 0;
    }
    // SAFETY: the caller's guarantees for `buf`, `len` and `port_out` are the ones write_host
    // needs, passed on unchanged.
    unsafe { write_host(&text, port, buf, len, port_out) }
}

pub fn addr_text(addr: &std::net::IpAddr) -> String {
    match addr {
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6.to_string(),
        },
        std::net::IpAddr::V4(v4) => v4.to_string(),
    }
}

/// Writes `text` and a NUL into the caller's buffer, with [`write_addr`]'s protocol.
///
/// # Safety
/// `len` is NULL or valid (aligned) for reading and writing a `c_int`; `buf` is NULL or valid
/// for writes of `*len` bytes, which do not overlap `text`; `port_out` is NULL or valid
/// (aligned) for writing a `USHORT` (upstream's contract for the `Get*Address` exports).
pub unsafe fn write_host(text: &str, port: u16, buf: *mut TCHAR, len: *mut c_int, port_out: *mut USHORT) -> BOOL {
    if len.is_null() {
        set_errno(libc::EINVAL);
        return 0;
    }
    let need = text.len() + 1;
    // SAFETY: `len` is non-NULL (checked above), so the caller guarantees it is readable.
    if buf.is_null() || (unsafe { *len } as i64) < need as i64 {
        // SAFETY: `len` is non-NULL (checked above), so the caller guarantees it is writable.
        unsafe { *len = need as c_int };
        set_errno(libc::ENOSPC);
        return 0;
    }
    // SAFETY: `buf` is non-NULL and `*len >= text.len() + 1` (checked above), and the caller
    // guarantees `*len` writable bytes at `buf` not overlapping `text` (callers pass strings of
    // ours), so the text and its NUL fit; `len` is non-NULL and writable.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buf as *mut u8, text.len());
        *buf.add(text.len()) = 0;
        *len = need as c_int;
    }
    if !port_out.is_null() {
        // SAFETY: `port_out` is non-NULL (checked above), so the caller guarantees it is writable.
        unsafe { *port_out = port };
    }
    1
}

/// Upstream's `GetAllConnectionIDs` protocol: with NULL ids or too small a count, report the
/// count needed and fail; else fill and report how many were written.
///
/// # Safety
/// `count` is NULL or valid (aligned) for reading and writing a `DWORD`; `ids` is NULL or valid
/// (aligned) for writes of `*count` consecutive `HP_CONNID`s.
pub unsafe fn all_ids(c: &Component, ids: *mut HP_CONNID, count: *mut DWORD) -> BOOL {
    if count.is_null() {
        return bad_arg();
    }
    let v = c.connection_ids();
    // SAFETY: `count` is non-NULL (checked above), so the caller guarantees it is readable.
    if ids.is_null() || (unsafe { *count } as usize) < v.len() {
        // SAFETY: `count` is non-NULL (checked above), so the caller guarantees it is writable.
        unsafe { *count = v.len() as DWORD };
        set_errno(libc::ENOSPC);
        return 0;
    }
    for (i, id) in v.iter().enumerate() {
        // SAFETY: `ids` is non-NULL and `i < v.len() <= *count` (checked above), inside the
        // `*count` writable slots the caller guarantees at `ids`.
        unsafe { *ids.add(i) = *id as HP_CONNID };
    }
    // SAFETY: `count` is non-NULL (checked above), so the caller guarantees it is writable.
    unsafe { *count = v.len() as DWORD };
    1
}

/// Sends one buffer (`Send`, and `SendPart` with an offset).
///
/// # Safety
/// `buf` is NULL or, when `len > 0` and `offset >= 0`, valid for reads of `offset + len` bytes
/// (one allocation) that nobody writes during the call.
pub unsafe fn send_buf(c: &Component, id: ConnId, buf: *const BYTE, len: c_int, offset: c_int) -> BOOL {
    if len <= 0 {
        // Upstream sends nothing and succeeds (a PACK or UDP component refuses the empty message).
        return errno_only(c.send(id, &[]));
    }
    if buf.is_null() || offset < 0 {
        return bad_arg();
    }
    // SAFETY: `buf` is non-NULL, `len > 0` and `offset >= 0` (checked above), so the caller
    // guarantees `offset + len` readable bytes at `buf` in one allocation: `buf + offset` stays
    // inside it and `len` bytes follow; the slice is borrowed only by the `send` call.
    let data = unsafe { std::slice::from_raw_parts(buf.add(offset as usize), len as usize) };
    errno_only(c.send(id, &[data]))
}

/// Sends several buffers as one contiguous write.
///
/// # Safety
/// `bufs` is NULL or, when `count > 0`, valid (aligned) for reads of `count` `WSABUF`s, each of
/// which with `len > 0` has a NULL `buf` or one valid for reads of `len` bytes; nobody writes
/// any of them during the call.
pub unsafe fn send_packets(c: &Component, id: ConnId, bufs: *const WSABUF, count: c_int) -> BOOL {
    if bufs.is_null() || count <= 0 {
        // Upstream looks the connection up first: an unknown id is EBADSLT, a known one EINVAL.
        return match c.send(id, &[]) {
            Err(f) if f.errno == libc::EBADSLT || f.errno == libc::EPERM => errno_only(Err(f)),
            _ => bad_arg(),
        };
    }
    // SAFETY: `bufs` is non-NULL and `count > 0` (checked above), so the caller guarantees
    // `count` readable `WSABUF`s at `bufs`; the slice lives only for this call.
    let wsa = unsafe { std::slice::from_raw_parts(bufs, count as usize) };
    let mut parts: Vec<&[u8]> = Vec::with_capacity(wsa.len());
    for b in wsa {
        if b.len > 0 {
            if b.buf.is_null() {
                return bad_arg();
            }
            // SAFETY: `b.len > 0` and `b.buf` is non-NULL (checked above), so the caller
            // guarantees `b.len` readable bytes at `b.buf`; borrowed only by the `send` call.
            parts.push(unsafe { std::slice::from_raw_parts(b.buf, b.len as usize) });
        }
    }
    errno_only(c.send(id, &parts))
}

/// A file read whole for SendSmallFile and the HTTP SendLocalFile: at most 4 MiB (upstream's
/// limit); not a regular file EINVAL, larger EFBIG, else the OS error.
pub fn read_small_file(path: &str) -> Result<Vec<u8>, i32> {
    const MAX_SMALL_FILE: u64 = 4 * 1024 * 1024;
    let m = std::fs::metadata(path).map_err(|e| e.raw_os_error().unwrap_or(libc::ENOENT))?;
    if !m.is_file() {
        return Err(libc::EINVAL);
    }
    if m.len() > MAX_SMALL_FILE {
        return Err(libc::EFBIG);
    }
    std::fs::read(path).map_err(|e| e.raw_os_error().unwrap_or(libc::EIO))
}

/// Sends a small file (read whole, at most 4 MiB as upstream) between optional head and tail.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string; `head` and `tail` are each NULL or valid (aligned)
/// for reading a `WSABUF` whose `buf`, when non-NULL with `len > 0`, is valid for reads of `len`
/// bytes; nobody writes any of them during the call.
pub unsafe fn send_small_file(c: &Component, id: ConnId, path: LPCTSTR, head: LPWSABUF, tail: LPWSABUF) -> BOOL {
    // SAFETY: `path` is NULL or a NUL-terminated string (the caller's contract), all opt_str
    // needs; the str is used only during this call.
    let Ok(Some(path)) = (unsafe { opt_str(path) }) else { return bad_arg() };
    let data = match read_small_file(path) {
        // Upstream: an empty file is ERROR_EMPTY (ENODATA).
        Ok(d) if d.is_empty() => {
            set_errno(libc::ENODATA);
            return 0;
        }
        Ok(d) => d,
        Err(e) => {
            set_errno(e);
            return 0;
        }
    };
    let mut parts: Vec<&[u8]> = Vec::with_capacity(3);
    let wsa = |b: LPWSABUF| {
        // SAFETY: `b` is `head` or `tail`: NULL (as_ref gives None) or a readable WSABUF (the
        // caller's contract); the filter leaves only a non-NULL `buf` with `len > 0`, which the
        // caller guarantees readable for `len` bytes. Both borrows end with the `send` call.
        unsafe { b.as_ref().filter(|b| b.len > 0 && !b.buf.is_null()).map(|b| std::slice::from_raw_parts(b.buf as *const u8, b.len as usize)) }
    };
    parts.extend(wsa(head));
    parts.push(&data);
    parts.extend(wsa(tail));
    errno_only(c.send(id, &parts))
}

/// `HP_Agent_Connect*`: connects to `host:port`, reporting the new connection id in `*pid`.
///
/// # Safety
/// `host` and `local_addr` are each NULL or a NUL-terminated string; `pid` is NULL or valid
/// (aligned) for writing an `HP_CONNID`.
pub unsafe fn connect(c: &Component, host: LPCTSTR, port: USHORT, pid: *mut HP_CONNID, extra: PVOID, local_port: USHORT, local_addr: LPCTSTR) -> BOOL {
    // SAFETY: `host` and `local_addr` are NULL or NUL-terminated strings (the caller's contract),
    // all opt_str needs; the strs are borrowed only by the `connect` call.
    let (Ok(Some(host)), Ok(local_addr)) = (unsafe { opt_str(host) }, unsafe { opt_str(local_addr) }) else { return bad_arg() };
    let (id, r) = c.connect(ConnectArgs { host, port, extra: extra as usize, local_addr, local_port });
    if !pid.is_null() {
        // As upstream: the new id, or 0 when the connect failed before it had one.
        // SAFETY: `pid` is non-NULL (checked above), so the caller guarantees it is writable.
        unsafe { *pid = id as HP_CONNID };
    }
    errno_only(r)
}

/// `HP_Client_Start*`: starts the client towards `host:port`, optionally bound to `bind`.
///
/// # Safety
/// `host` and `bind` are each NULL or a NUL-terminated string.
pub unsafe fn start_client(c: &Component, host: LPCTSTR, port: USHORT, async_connect: BOOL, bind: LPCTSTR, local_port: USHORT) -> BOOL {
    // SAFETY: `host` and `bind` are NULL or NUL-terminated strings (the caller's contract), all
    // opt_str needs; the strs are borrowed only by the `start_client` call.
    let (Ok(host), Ok(local_addr)) = (unsafe { opt_str(host) }, unsafe { opt_str(bind) }) else { return invalid(c) };
    // A broadcasting UdpCast needs no remote address; everything else does.
    let Some(host) = host.or((c.transport() == Transport::Cast).then_some("")) else { return invalid(c) };
    let extra = 0;
    done(c, c.start_client(ConnectArgs { host, port, extra, local_addr, local_port }, async_connect != 0))
}

pub fn bool_of(b: bool) -> BOOL {
    to_bool(b)
}

pub const FALSE: BOOL = 0;
pub const TRUE: BOOL = 1;

/// A getter naming an unknown or closed connection: FALSE, and, as upstream, no error set.
pub fn not_found(_c: &Component) -> BOOL {
    FALSE
}

pub fn wait(c: &Component, ms: DWORD) -> BOOL {
    bool_of(c.wait(if ms == u32::MAX { u32::MAX } else { ms }))
}

pub fn has_started(c: &Component) -> BOOL {
    bool_of(matches!(c.state(), State::Started | State::Starting))
}

pub fn disconnect_long(c: &Component, period: DWORD) -> BOOL {
    c.disconnect_long(period as u64);
    TRUE
}

pub fn disconnect_silence(c: &Component, period: DWORD) -> BOOL {
    // Without MarkSilence upstream returns FALSE and sets no error.
    if c.disconnect_silence(period as u64) {
        TRUE
    } else {
        FALSE
    }
}

pub fn pause(c: &Component, id: ConnId, pause: BOOL) -> BOOL {
    if c.transport() == Transport::Udp && c.role() == Role::Server {
        // Upstream's UDP server cannot pause a peer: ERROR_CALL_NOT_IMPLEMENTED (EPERM on Linux).
        set_errno(libc::EPERM);
        return FALSE;
    }
    match c.conn(id) {
        Some(conn) => {
            conn.set_paused(pause != 0);
            TRUE
        }
        // Upstream's ERROR_OBJECT_NOT_FOUND.
        None => {
            set_errno(libc::EBADSLT);
            FALSE
        }
    }
}

/// `IsPauseReceive`: whether receiving is paused on connection `id`, into `*out`.
///
/// # Safety
/// `out` is NULL or valid (aligned) for writing a `BOOL`.
pub unsafe fn is_paused(c: &Component, id: ConnId, out: *mut BOOL) -> BOOL {
    if c.transport() == Transport::Udp && c.role() == Role::Server && !out.is_null() {
        // SAFETY: `out` is non-NULL (checked in the condition), so the caller guarantees it is
        // writable.
        unsafe { *out = FALSE };
        set_errno(libc::EPERM);
        return FALSE;
    }
    match (c.conn(id), out.is_null()) {
        (_, true) => bad_arg(),
        (Some(conn), false) => {
            // SAFETY: `out` is non-NULL (this arm), so the caller guarantees it is writable.
            unsafe { *out = bool_of(conn.paused.load(Ordering::Acquire)) };
            TRUE
        }
        (None, false) => not_found(c),
    }
}

pub fn is_connected(c: &Component, id: ConnId) -> BOOL {
    match c.conn(id) {
        Some(conn) => bool_of(conn.send.connected.load(Ordering::Acquire)),
        None => not_found(c),
    }
}

pub fn set_extra(c: &Component, id: ConnId, extra: PVOID) -> BOOL {
    match c.conn(id) {
        Some(conn) => {
            conn.extra.store(extra as usize, Ordering::Release);
            TRUE
        }
        None => not_found(c),
    }
}

/// `GetConnectionExtra`: the application's value for connection `id`, into `*out`.
///
/// # Safety
/// `out` is NULL or valid (aligned) for writing a `PVOID`.
pub unsafe fn get_extra(c: &Component, id: ConnId, out: *mut PVOID) -> BOOL {
    if out.is_null() {
        return bad_arg();
    }
    match c.conn(id) {
        Some(conn) => {
            // SAFETY: `out` is non-NULL (checked at the top), so the caller guarantees it is
            // writable.
            unsafe { *out = conn.extra.load(Ordering::Acquire) as PVOID };
            TRUE
        }
        None => not_found(c),
    }
}

/// `GetPendingDataLength`: bytes queued to send on connection `id`, into `*out`.
///
/// # Safety
/// `out` is NULL or valid (aligned) for writing a `c_int`.
pub unsafe fn pending(c: &Component, id: ConnId, out: *mut c_int) -> BOOL {
    if out.is_null() {
        return bad_arg();
    }
    match c.conn(id) {
        Some(conn) => {
            // SAFETY: `out` is non-NULL (checked at the top), so the caller guarantees it is
            // writable.
            unsafe { *out = conn.pending().min(c_int::MAX as usize) as c_int };
            TRUE
        }
        None => not_found(c),
    }
}

/// `GetConnectPeriod`: milliseconds connection `id` has been connected, into `*out`.
///
/// # Safety
/// `out` is NULL or valid (aligned) for writing a `DWORD`.
pub unsafe fn connect_period(c: &Component, id: ConnId, out: *mut DWORD) -> BOOL {
    if out.is_null() {
        return bad_arg();
    }
    match c.conn(id) {
        Some(conn) => {
            // SAFETY: `out` is non-NULL (checked at the top), so the caller guarantees it is
            // writable.
            unsafe { *out = conn.connect_period_ms().min(u32::MAX as u64) as DWORD };
            TRUE
        }
        None => not_found(c),
    }
}

/// `GetSilencePeriod`: milliseconds connection `id` has been silent, into `*out`.
///
/// # Safety
/// `out` is NULL or valid (aligned) for writing a `DWORD`.
pub unsafe fn silence_period(c: &Component, id: ConnId, out: *mut DWORD) -> BOOL {
    if out.is_null() {
        return bad_arg();
    }
    // Without MarkSilence upstream returns FALSE and sets no error.
    if !c.options().mark_silence {
        return FALSE;
    }
    match c.conn(id) {
        Some(conn) => {
            // SAFETY: `out` is non-NULL (checked at the top), so the caller guarantees it is
            // writable.
            unsafe { *out = conn.silence_ms().min(u32::MAX as u64) as DWORD };
            TRUE
        }
        None => not_found(c),
    }
}

/// The local address of connection `id`, with [`write_addr`]'s protocol.
///
/// # Safety
/// As for [`write_host`]: `len` is NULL or valid for reading and writing a `c_int`, `buf` is NULL
/// or valid for writes of `*len` bytes, and `port` is NULL or valid for writing a `USHORT`.
pub unsafe fn local_addr(c: &Component, id: ConnId, buf: *mut TCHAR, len: *mut c_int, port: *mut USHORT) -> BOOL {
    match c.conn(id) {
        Some(conn) => {
            let a = conn.local();
            // SAFETY: the caller's guarantees for `buf`, `len` and `port` are the ones write_addr
            // and write_host need, passed on unchanged.
            unsafe { write_addr(&a.ip(), a.port(), buf, len, port) }
        }
        None => not_found(c),
    }
}

/// The remote address of connection `id`, with [`write_addr`]'s protocol.
///
/// # Safety
/// As for [`write_host`]: `len` is NULL or valid for reading and writing a `c_int`, `buf` is NULL
/// or valid for writes of `*len` bytes, and `port` is NULL or valid for writing a `USHORT`.
pub unsafe fn remote_addr(c: &Component, id: ConnId, buf: *mut TCHAR, len: *mut c_int, port: *mut USHORT) -> BOOL {
    match c.conn(id) {
        // SAFETY: the caller's guarantees for `buf`, `len` and `port` are the ones write_addr
        // and write_host need, passed on unchanged.
        Some(conn) => unsafe { write_addr(&conn.remote.ip(), conn.remote.port(), buf, len, port) },
        None => not_found(c),
    }
}

/// The host name the agent or client was asked to connect to (the address if none).
///
/// # Safety
/// As for [`write_host`]: `len` is NULL or valid for reading and writing a `c_int`, `buf` is NULL
/// or valid for writes of `*len` bytes, and `port` is NULL or valid for writing a `USHORT`.
pub unsafe fn remote_host(c: &Component, id: ConnId, buf: *mut TCHAR, len: *mut c_int, port: *mut USHORT) -> BOOL {
    match c.conn(id) {
        Some(conn) => match &conn.remote_host {
            Some(h) => {
                // As upstream's GetRemoteHost: a buffer too small reports the length needed and
                // leaves errno alone.
                let saved = super::guard::errno();
                // SAFETY: as above, the caller's guarantees passed on unchanged.
                let r = unsafe { write_host(h, conn.remote.port(), buf, len, port) };
                if r == 0 && super::guard::errno() == libc::ENOSPC {
                    set_errno(saved);
                }
                r
            }
            // SAFETY: the caller's guarantees for `buf`, `len` and `port` are the ones write_addr
            // and write_host need, passed on unchanged.
            None => unsafe { write_addr(&conn.remote.ip(), conn.remote.port(), buf, len, port) },
        },
        None => not_found(c),
    }
}

pub fn set_send_policy(p: PVOID, role: Role, v: SendPolicyArg) {
    match (comp(p, role), send_policy(v)) {
        (Some(_), Some(sp)) => set_opt(p, role, |o| o.send_policy = sp),
        (Some(_), None) => {
            bad_arg();
        }
        _ => {}
    }
}

pub fn set_sync_policy(p: PVOID, role: Role, v: OnSendSyncPolicyArg) {
    match (comp(p, role), sync_policy(v)) {
        (Some(_), Some(sp)) => set_opt(p, role, |o| o.on_send_sync_policy = sp),
        (Some(_), None) => {
            bad_arg();
        }
        _ => {}
    }
}

pub fn set_reuse_policy(p: PVOID, role: Role, v: ReuseAddressPolicyArg) {
    match (comp(p, role), reuse_policy(v)) {
        (Some(_), Some(rp)) => set_opt(p, role, |o| o.reuse_policy = rp),
        (Some(_), None) => {
            bad_arg();
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ParseResult;

    #[test]
    fn callback_results_are_read_per_family() {
        assert_eq!(handled(HandleResultArg(2)), Handled::Error);
        assert_eq!(handled(HandleResultArg(1)), Handled::Ignore);
        // An HTTP callback's 2 is HPR_UPGRADE, not an error.
        assert_eq!(parse_result(HttpParseResultArg(2)), ParseResult::Upgrade);
        assert_eq!(parse_result(HttpParseResultArg(1)), ParseResult::SkipBody);
        assert_eq!(parse_result(HttpParseResultArg(-1)), ParseResult::Error);
        assert_eq!(parse_result(HttpParseResultArg(0)), ParseResult::Ok);
    }
}
