//! What the HTTP families' exports share: the listener's HTTP callbacks called for the engine's
//! HTTP events, and the accessors of a connection's current message, written once for the
//! server (a connection id) and the agent and client (their one connection).
#![deny(unsafe_op_in_unsafe_fn)]

use super::guard::{set_errno, to_bool};
use super::listener::Slot;
use super::tcp::{self, CEvents, ComponentObj, FALSE, TRUE};
use super::types::*;
use crate::engine::component::{Component, Role};
use crate::engine::http::layer::{HttpConn, HttpEvents, HttpSettings, MAX_RELEASE_DELAY, MIN_RELEASE_DELAY, NO_WHOLE_RESPONSE, VERSION_1_0, VERSION_1_1};
use crate::engine::http::message::{Message, UpgradeType};
use crate::engine::http::write::{write_chunk_header, RequestHead, ResponseHead, CHUNK_END};
use crate::engine::http::ws;
use crate::engine::{ConnId, Handled, ParseResult, State};
use std::cell::RefCell;
use std::ffi::{c_char, CStr};
use std::os::raw::c_int;
use std::sync::atomic::Ordering;
use std::sync::Arc;

type FnId = unsafe extern "C" fn(PVOID, HP_CONNID) -> HttpParseResultArg;
type FnStrs = unsafe extern "C" fn(PVOID, HP_CONNID, LPCSTR, LPCSTR) -> HttpParseResultArg;
type FnStatus = unsafe extern "C" fn(PVOID, HP_CONNID, USHORT, LPCSTR) -> HttpParseResultArg;
type FnData = unsafe extern "C" fn(PVOID, HP_CONNID, *const BYTE, c_int) -> HttpParseResultArg;
type FnLen = unsafe extern "C" fn(PVOID, HP_CONNID, c_int) -> HttpParseResultArg;
type FnUpgrade = unsafe extern "C" fn(PVOID, HP_CONNID, En_HP_HttpUpgradeType) -> HttpParseResultArg;
type FnError = unsafe extern "C" fn(PVOID, HP_CONNID, c_int, LPCSTR) -> HttpParseResultArg;
type FnWsHeader = unsafe extern "C" fn(PVOID, HP_CONNID, BOOL, BYTE, BYTE, *const BYTE, ULONGLONG) -> HandleResultArg;
type FnWsData = unsafe extern "C" fn(PVOID, HP_CONNID, *const BYTE, c_int) -> HandleResultArg;
type FnWsId = unsafe extern "C" fn(PVOID, HP_CONNID) -> HandleResultArg;

fn c_len(n: usize) -> c_int {
    n.min(c_int::MAX as usize) as c_int
}

pub fn upgrade_type(t: UpgradeType) -> En_HP_HttpUpgradeType {
    match t {
        UpgradeType::None => EnHttpUpgradeType::HUT_NONE,
        UpgradeType::WebSocket => EnHttpUpgradeType::HUT_WEB_SOCKET,
        UpgradeType::HttpTunnel => EnHttpUpgradeType::HUT_HTTP_TUNNEL,
        UpgradeType::Unknown => EnHttpUpgradeType::HUT_UNKNOWN,
    }
}

// Each callback below is the application's function stored in the named slot by its family's
// HP_Set_FN_Http* export, of exactly the type it is read as (see `CEvents::slot`). Strings are
// NUL-terminated and live at least for the call; data pointers are readable for their length
// during the call; the handle is opaque to C.
impl HttpEvents for CEvents {
    fn on_message_begin(&self, id: ConnId) -> ParseResult {
        // SAFETY: see the comment above this impl.
        self.slot::<FnId>(Slot::MessageBegin).map_or(ParseResult::Ok, |f| tcp::fire_parse(|| unsafe { f(self.sender(), id as HP_CONNID) }))
    }
    fn on_request_line(&self, id: ConnId, method: &CStr, url: &CStr) -> ParseResult {
        // SAFETY: see the comment above this impl.
        self.slot::<FnStrs>(Slot::RequestLine).map_or(ParseResult::Ok, |f| tcp::fire_parse(|| unsafe { f(self.sender(), id as HP_CONNID, method.as_ptr(), url.as_ptr()) }))
    }
    fn on_status_line(&self, id: ConnId, status: u16, reason: &CStr) -> ParseResult {
        // SAFETY: see the comment above this impl.
        self.slot::<FnStatus>(Slot::StatusLine).map_or(ParseResult::Ok, |f| tcp::fire_parse(|| unsafe { f(self.sender(), id as HP_CONNID, status, reason.as_ptr()) }))
    }
    fn on_header(&self, id: ConnId, name: &CStr, value: &CStr) -> ParseResult {
        // SAFETY: see the comment above this impl.
        self.slot::<FnStrs>(Slot::Header).map_or(ParseResult::Ok, |f| tcp::fire_parse(|| unsafe { f(self.sender(), id as HP_CONNID, name.as_ptr(), value.as_ptr()) }))
    }
    fn on_headers_complete(&self, id: ConnId) -> ParseResult {
        // SAFETY: see the comment above this impl.
        self.slot::<FnId>(Slot::HeadersComplete).map_or(ParseResult::Ok, |f| tcp::fire_parse(|| unsafe { f(self.sender(), id as HP_CONNID) }))
    }
    fn on_body(&self, id: ConnId, data: &[u8]) -> ParseResult {
        // SAFETY: see the comment above this impl.
        self.slot::<FnData>(Slot::Body).map_or(ParseResult::Ok, |f| tcp::fire_parse(|| unsafe { f(self.sender(), id as HP_CONNID, data.as_ptr(), c_len(data.len())) }))
    }
    fn on_chunk_header(&self, id: ConnId, size: usize) -> ParseResult {
        // SAFETY: see the comment above this impl.
        self.slot::<FnLen>(Slot::ChunkHeader).map_or(ParseResult::Ok, |f| tcp::fire_parse(|| unsafe { f(self.sender(), id as HP_CONNID, c_len(size)) }))
    }
    fn on_chunk_complete(&self, id: ConnId) -> ParseResult {
        // SAFETY: see the comment above this impl.
        self.slot::<FnId>(Slot::ChunkComplete).map_or(ParseResult::Ok, |f| tcp::fire_parse(|| unsafe { f(self.sender(), id as HP_CONNID) }))
    }
    fn on_message_complete(&self, id: ConnId) -> ParseResult {
        // SAFETY: see the comment above this impl.
        self.slot::<FnId>(Slot::MessageComplete).map_or(ParseResult::Ok, |f| tcp::fire_parse(|| unsafe { f(self.sender(), id as HP_CONNID) }))
    }
    fn on_upgrade(&self, id: ConnId, kind: UpgradeType) -> ParseResult {
        // SAFETY: see the comment above this impl.
        self.slot::<FnUpgrade>(Slot::Upgrade).map_or(ParseResult::Ok, |f| tcp::fire_parse(|| unsafe { f(self.sender(), id as HP_CONNID, upgrade_type(kind)) }))
    }
    fn on_parse_error(&self, id: ConnId, code: i32, reason: &CStr) -> ParseResult {
        // SAFETY: see the comment above this impl.
        self.slot::<FnError>(Slot::ParseError).map_or(ParseResult::Ok, |f| tcp::fire_parse(|| unsafe { f(self.sender(), id as HP_CONNID, code, reason.as_ptr()) }))
    }
    fn on_ws_header(&self, id: ConnId, fin: bool, rsv: u8, opcode: u8, mask: Option<&[u8; 4]>, len: u64) -> Handled {
        let mask = mask.map_or(std::ptr::null(), |m| m.as_ptr());
        // SAFETY: see the comment above this impl; `mask` is NULL or 4 readable bytes.
        self.slot::<FnWsHeader>(Slot::WsMessageHeader).map_or(Handled::Ok, |f| tcp::fire(|| unsafe { f(self.sender(), id as HP_CONNID, fin as BOOL, rsv, opcode, mask, len) }))
    }
    fn on_ws_body(&self, id: ConnId, data: &[u8]) -> Handled {
        // SAFETY: see the comment above this impl.
        self.slot::<FnWsData>(Slot::WsMessageBody).map_or(Handled::Ok, |f| tcp::fire(|| unsafe { f(self.sender(), id as HP_CONNID, data.as_ptr(), c_len(data.len())) }))
    }
    fn on_ws_complete(&self, id: ConnId) -> Handled {
        // SAFETY: see the comment above this impl.
        self.slot::<FnWsId>(Slot::WsMessageComplete).map_or(Handled::Ok, |f| tcp::fire(|| unsafe { f(self.sender(), id as HP_CONNID) }))
    }
}

/// An HTTP component of `role` behind a handle; on any other handle sets EINVAL.
pub fn http_obj<'a>(p: PVOID, role: Role) -> Option<(&'a Arc<Component>, &'a Arc<HttpSettings>)> {
    match tcp::obj(p, role) {
        Some(ComponentObj { comp, http: Some(s), .. }) => Some((comp, s)),
        _ => {
            set_errno(libc::EINVAL);
            None
        }
    }
}

/// The connection an accessor names: the server's `id`, or the client's one connection.
fn conn_id(c: &Component, id: Option<HP_CONNID>) -> ConnId {
    id.map_or_else(|| c.client_conn_id(), |i| i as ConnId)
}

/// The HTTP state of connection `id` of `c`, made here if its task has not made it yet (a
/// client may send its first request before its connection's task has started).
fn state_of(c: &Component, s: &Arc<HttpSettings>, id: ConnId) -> Option<Arc<HttpConn>> {
    let conn = c.conn(id)?;
    let st = conn.http.get_or_init(|| Arc::new(HttpConn::new(s.clone(), conn.remote_host.as_deref().unwrap_or_default().to_owned())));
    Some(st.clone())
}

/// The HTTP state of a connection of an HTTP component of `role`; for an HttpSyncClient whose
/// connection has closed, that of its last request's.
pub fn http_conn(p: PVOID, role: Role, id: Option<HP_CONNID>) -> Option<Arc<HttpConn>> {
    let (c, s) = http_obj(p, role)?;
    state_of(c, s, conn_id(c, id)).or_else(|| tcp::obj(p, role)?.sync.as_ref()?.last.lock().unwrap().clone())
}

/// A request from an agent or client; an HttpSyncClient's waits for its response.
pub fn request_blocking(p: PVOID, role: Role, id: Option<HP_CONNID>, method: &[u8], path: &[u8], headers: &[(&[u8], &[u8])], data: &[u8]) -> BOOL {
    awaiting_answer(p, role, || send_request(p, role, id, method, path, headers, data))
}

/// Runs `send`; on an HttpSyncClient, then waits for the answer (a response, or the next
/// WebSocket message), which becomes the request's result.
fn awaiting_answer(p: PVOID, role: Role, send: impl FnOnce() -> BOOL) -> BOOL {
    let Some((o, st)) = tcp::obj(p, role).and_then(|o| o.sync.as_ref().map(|s| (o, s))) else { return send() };
    if let Err(e) = super::http_sync::await_handshake(o, st) {
        set_errno(e);
        return FALSE;
    }
    st.begin();
    match send() {
        TRUE => super::http_sync::await_response(o, st),
        r => {
            st.cancel();
            r
        }
    }
}

/// Runs `f` on the current message of a connection (None: a bad handle or an unknown id).
pub fn with_msg<R>(p: PVOID, role: Role, id: Option<HP_CONNID>, f: impl FnOnce(&Message) -> R) -> Option<R> {
    let h = http_conn(p, role, id)?;
    let msg = h.msg.lock().unwrap();
    Some(f(&msg))
}

/// A string accessor: the pointer stays valid until the connection's next message begins or it
/// closes (the message's arena does not move; see `message.rs`).
pub fn msg_str(p: PVOID, role: Role, id: Option<HP_CONNID>, f: impl FnOnce(&Message) -> Option<&CStr>) -> LPCSTR {
    with_msg(p, role, id, |m| f(m).map_or(std::ptr::null(), CStr::as_ptr)).unwrap_or(std::ptr::null())
}

/// A C string argument as bytes (None for NULL).
///
/// # Safety
/// `s` is NULL or a NUL-terminated string readable for the returned lifetime.
pub unsafe fn c_bytes<'a>(s: LPCSTR) -> Option<&'a [u8]> {
    // SAFETY: per this function's contract.
    (!s.is_null()).then(|| unsafe { CStr::from_ptr(s) }.to_bytes())
}

/// `GetHeader` / `GetCookie`: the first value of `name` into `*out`.
///
/// # Safety
/// `name` is NULL or NUL-terminated; `out` is NULL or writable.
pub unsafe fn lookup(p: PVOID, role: Role, id: Option<HP_CONNID>, name: LPCSTR, out: *mut LPCSTR, cookie: bool) -> BOOL {
    // SAFETY: `name` is NULL or NUL-terminated (this function's contract).
    let Some(name) = (unsafe { c_bytes(name) }) else { return tcp::bad_arg() };
    if out.is_null() {
        return tcp::bad_arg();
    }
    let v = with_msg(p, role, id, |m| if cookie { m.cookie(name) } else { m.header(name) }.map(CStr::as_ptr)).flatten();
    match v {
        Some(v) => {
            // SAFETY: `out` is non-NULL (checked above) and writable (this function's contract).
            unsafe { *out = v };
            TRUE
        }
        None => FALSE,
    }
}

/// Writes the count protocol's result: TRUE when `ok`; `*count` becomes what was (or is) needed.
///
/// # Safety
/// `count` is non-NULL and writable.
unsafe fn counted(count: *mut DWORD, (ok, n): (bool, u32)) -> BOOL {
    // SAFETY: per this function's contract.
    unsafe { *count = n };
    ok as BOOL
}

/// `GetHeaders(name, values[], &count)`.
///
/// # Safety
/// `name` is NULL or NUL-terminated; `count` NULL or writable; `values` NULL or writable for
/// `*count` pointers.
pub unsafe fn header_values(p: PVOID, role: Role, id: Option<HP_CONNID>, name: LPCSTR, values: *mut LPCSTR, count: *mut DWORD) -> BOOL {
    // SAFETY: `name` is NULL or NUL-terminated (this function's contract).
    let Some(name) = (unsafe { c_bytes(name) }) else { return tcp::bad_arg() };
    if count.is_null() {
        return tcp::bad_arg();
    }
    // SAFETY: `count` is non-NULL (checked above) and readable.
    let cap = unsafe { *count } as usize;
    let r = with_msg(p, role, id, |m| {
        // SAFETY: `values` is non-NULL here and writable for `cap` pointers (this function's
        // contract); the slice lives for this closure.
        let out = (!values.is_null()).then(|| unsafe { std::slice::from_raw_parts_mut(values, cap) });
        m.header_values(name, out)
    });
    match r {
        // SAFETY: `count` is non-NULL (checked above) and writable.
        Some(r) => unsafe { counted(count, r) },
        None => FALSE,
    }
}

/// `GetAllHeaderNames(names[], &count)`.
///
/// # Safety
/// `count` NULL or writable; `names` NULL or writable for `*count` pointers.
pub unsafe fn header_names(p: PVOID, role: Role, id: Option<HP_CONNID>, names: *mut LPCSTR, count: *mut DWORD) -> BOOL {
    if count.is_null() {
        return tcp::bad_arg();
    }
    // SAFETY: `count` is non-NULL (checked above) and readable.
    let cap = unsafe { *count } as usize;
    let r = with_msg(p, role, id, |m| {
        // SAFETY: `names` is non-NULL here and writable for `cap` pointers (this function's
        // contract); the slice lives for this closure.
        let out = (!names.is_null()).then(|| unsafe { std::slice::from_raw_parts_mut(names, cap) });
        m.all_header_names(out)
    });
    match r {
        // SAFETY: `count` is non-NULL (checked above) and writable.
        Some(r) => unsafe { counted(count, r) },
        None => FALSE,
    }
}

/// `GetAllHeaders` / `GetAllCookies(pairs[], &count)`.
///
/// # Safety
/// `count` NULL or writable; `pairs` NULL or writable for `*count` `TNVPair`s.
pub unsafe fn all_pairs(p: PVOID, role: Role, id: Option<HP_CONNID>, pairs: *mut TNVPair, count: *mut DWORD, cookies: bool) -> BOOL {
    if count.is_null() {
        return tcp::bad_arg();
    }
    // SAFETY: `count` is non-NULL (checked above) and readable.
    let cap = unsafe { *count } as usize;
    let r = with_msg(p, role, id, |m| {
        // SAFETY: `pairs` is non-NULL here and writable for `cap` pairs (this function's
        // contract); the slice lives for this closure.
        let out = (!pairs.is_null()).then(|| unsafe { std::slice::from_raw_parts_mut(pairs, cap) });
        let pair = |name: *const c_char, value: *const c_char| TNVPair { name, value };
        if cookies {
            m.all_cookies(out, pair)
        } else {
            m.all_headers(out, pair)
        }
    });
    match r {
        // SAFETY: `count` is non-NULL (checked above) and writable.
        Some(r) => unsafe { counted(count, r) },
        None => FALSE,
    }
}

/// `GetUrlField(field)`.
pub fn url_field(p: PVOID, role: Role, id: Option<HP_CONNID>, field: HttpUrlFieldArg) -> LPCSTR {
    if !(0..7).contains(&field.0) {
        set_errno(libc::EINVAL);
        return std::ptr::null();
    }
    msg_str(p, role, id, |m| m.url_field(field.0 as usize))
}

/// `GetParseErrorCode(&desc)`.
///
/// # Safety
/// `desc` is NULL or writable.
pub unsafe fn parse_error(p: PVOID, role: Role, id: Option<HP_CONNID>, desc: *mut LPCSTR) -> USHORT {
    let (code, text) = http_conn(p, role, id).map_or((0, std::ptr::null()), |h| h.parse_error());
    if !desc.is_null() {
        // SAFETY: `desc` is non-NULL (checked) and writable (this function's contract).
        unsafe { *desc = text };
    }
    code
}

/// `GetWSMessageState`: the current frame's header fields and how much of its payload is left.
///
/// # Safety
/// Each out-pointer is NULL or writable.
#[allow(clippy::too_many_arguments)]
pub unsafe fn ws_state(p: PVOID, role: Role, id: Option<HP_CONNID>, fin: *mut BOOL, rsv: *mut BYTE, opcode: *mut BYTE, mask: *mut LPCBYTE, body_len: *mut ULONGLONG, remain: *mut ULONGLONG) -> BOOL {
    let Some(h) = http_conn(p, role, id) else { return FALSE };
    if h.msg.lock().unwrap().upgrade_type() != UpgradeType::WebSocket {
        return FALSE;
    }
    let st = h.ws.lock().unwrap();
    // The mask lives inside the connection's state: valid until the next frame or the close.
    let mask_ptr = st.mask.as_ref().map_or(std::ptr::null(), |m| m.as_ptr());
    // SAFETY: each pointer is written only when non-NULL, and is then writable (this
    // function's contract).
    unsafe {
        if !fin.is_null() {
            *fin = st.fin as BOOL;
        }
        if !rsv.is_null() {
            *rsv = st.rsv;
        }
        if !opcode.is_null() {
            *opcode = st.opcode;
        }
        if !mask.is_null() {
            *mask = mask_ptr;
        }
        if !body_len.is_null() {
            *body_len = st.body_len;
        }
        if !remain.is_null() {
            *remain = st.body_remain;
        }
    }
    TRUE
}

// ---- settings ----

/// Changes an HTTP setting: a server's only while stopped, as upstream (errno EPERM otherwise)
/// (A server's only: upstream's agents and clients take them at any time.)
pub fn set_setting(p: PVOID, role: Role, f: impl FnOnce(&HttpSettings)) {
    if let Some((c, s)) = http_obj(p, role) {
        if role != Role::Server || c.state() == State::Stopped {
            f(s);
        } else {
            set_errno(libc::EPERM);
        }
    }
}

pub fn get_setting<T: Default>(p: PVOID, role: Role, f: impl FnOnce(&HttpSettings) -> T) -> T {
    http_obj(p, role).map_or_else(T::default, |(_, s)| f(s))
}

pub fn local_version(s: &HttpSettings) -> En_HP_HttpVersion {
    if s.local_version.load(Ordering::Relaxed) == VERSION_1_0 {
        EnHttpVersion::HV_1_0
    } else {
        EnHttpVersion::HV_1_1
    }
}

pub fn set_local_version(p: PVOID, role: Role, v: HttpVersionArg) {
    let v = match v.0 {
        x if x == VERSION_1_0 as c_int => VERSION_1_0,
        x if x == VERSION_1_1 as c_int => VERSION_1_1,
        _ => {
            set_errno(libc::EINVAL);
            return;
        }
    };
    set_setting(p, role, |s| s.local_version.store(v, Ordering::Relaxed))
}

/// Start's check of the HTTP settings (upstream's `CheckParams`): a release delay outside
/// 100..60000 ms is refused.
pub fn settings_valid(o: &ComponentObj) -> bool {
    o.http.as_ref().is_none_or(|s| (MIN_RELEASE_DELAY..=MAX_RELEASE_DELAY).contains(&s.release_delay.load(Ordering::Relaxed)))
}

// ---- sending ----

/// The caller's `THeader` array as (name, value) byte pairs; entries with a NULL name are
/// skipped (upstream would crash on them).
///
/// # Safety
/// `headers` is NULL or readable for `count` `TNVPair`s, each of whose non-NULL strings is
/// NUL-terminated and readable during the call.
pub unsafe fn header_pairs<'a>(headers: *const TNVPair, count: c_int) -> Vec<(&'a [u8], &'a [u8])> {
    if headers.is_null() || count <= 0 {
        return Vec::new();
    }
    // SAFETY: `headers` is non-NULL and readable for `count` pairs (this function's contract).
    let pairs = unsafe { std::slice::from_raw_parts(headers, count as usize) };
    pairs
        .iter()
        // SAFETY: non-NULL strings of the pairs are NUL-terminated (this function's contract).
        .filter_map(|p| unsafe { Some((c_bytes(p.name)?, c_bytes(p.value).unwrap_or(b""))) })
        .collect()
}

/// A body argument: `len` bytes at `data` (NULL or a negative length: none).
///
/// # Safety
/// `data` is NULL or readable for `len` bytes during the call.
pub unsafe fn body<'a>(data: *const BYTE, len: c_int) -> Option<&'a [u8]> {
    if len < 0 || (data.is_null() && len > 0) {
        return None;
    }
    if len == 0 {
        return Some(&[]);
    }
    // SAFETY: `data` is non-NULL and readable for `len > 0` bytes (this function's contract).
    Some(unsafe { std::slice::from_raw_parts(data, len as usize) })
}

thread_local! {
    /// The head being written by this thread (reused: no allocation per message).
    static HEAD: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Sends `parts` (the head, then the body) as one contiguous piece on connection `id`.
fn send_parts(c: &Component, id: ConnId, parts: &[&[u8]]) -> BOOL {
    tcp::errno_only(c.send(id, parts))
}

/// `SendResponse`: status line, headers (with Content-Length and Connection as upstream adds
/// them), and the body, in one send.
pub fn send_response(p: PVOID, id: HP_CONNID, status: u16, reason: Option<&[u8]>, headers: &[(&[u8], &[u8])], data: &[u8]) -> BOOL {
    let Some((c, s)) = http_obj(p, Role::Server) else { return FALSE };
    let id = id as ConnId;
    let Some(h) = state_of(c, s, id) else {
        set_errno(libc::EBADSLT);
        return FALSE;
    };
    let keep_alive = h.msg.lock().unwrap().is_keep_alive();
    let head = ResponseHead { version: s.local_version.load(Ordering::Relaxed), status, reason, body_len: data.len(), keep_alive: Some(keep_alive) };
    HEAD.with(|buf| {
        let mut buf = buf.borrow_mut();
        buf.clear();
        let whole = head.write(headers.iter().copied(), &mut buf);
        let r = c.send_then(id, &[&buf, data], |conn| conn.send.calls());
        // Release may half-close after a whole response (see Component::release_http).
        let at = match (&r, whole) {
            (Ok(Some(calls)), true) => *calls,
            _ => NO_WHOLE_RESPONSE,
        };
        h.whole_response_at.store(at, Ordering::Release);
        tcp::errno_only(r.map(|_| ()))
    })
}

/// `SendRequest` of an agent (connection `id`) or a client: request line, headers (with Host,
/// Content-Length and the store's cookies as upstream adds them), and the body, in one send.
pub fn send_request(p: PVOID, role: Role, id: Option<HP_CONNID>, method: &[u8], path: &[u8], headers: &[(&[u8], &[u8])], data: &[u8]) -> BOOL {
    let Some((c, s)) = http_obj(p, role) else { return FALSE };
    let id = conn_id(c, id);
    let Some(h) = state_of(c, s, id) else {
        set_errno(if role == Role::Client { libc::EPERM } else { libc::EBADSLT });
        return FALSE;
    };
    let port = c.conn(id).map_or(0, |conn| conn.remote.port());
    let show_port = if port == crate::engine::http::write::HTTP_DEFAULT_PORT { 0 } else { port };
    // As upstream's ReloadCookies: the store's cookies for this request are sent, and become the
    // message's cookie list (the response's Set-Cookie then changes it).
    let pairs = if s.use_cookie.load(Ordering::Relaxed) {
        crate::engine::http::cookie::global().cookies_for(&h.remote_host, std::str::from_utf8(path).unwrap_or("/"), false)
    } else {
        Vec::new()
    };
    let cookie = (!pairs.is_empty()).then(|| pairs.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; "));
    {
        let mut msg = h.msg.lock().unwrap();
        msg.set_request_path(method, path);
        if s.use_cookie.load(Ordering::Relaxed) {
            msg.clear_cookies();
            for (n, v) in &pairs {
                msg.add_cookie(n.as_bytes(), v.as_bytes());
            }
        }
    }
    let head = RequestHead {
        version: s.local_version.load(Ordering::Relaxed),
        method,
        path,
        body_len: data.len(),
        host: Some((h.remote_host.as_bytes(), show_port)),
        cookie: cookie.as_deref().map(str::as_bytes),
    };
    h.request_sent(method);
    HEAD.with(|buf| {
        let mut buf = buf.borrow_mut();
        buf.clear();
        head.write(headers.iter().copied(), &mut buf);
        send_parts(c, id, &[&buf, data])
    })
}

/// `SendChunkData`: one chunk (`len` 0 ends the body).
pub fn send_chunk(p: PVOID, role: Role, id: Option<HP_CONNID>, data: &[u8], ext: Option<&[u8]>) -> BOOL {
    let Some((c, _)) = http_obj(p, role) else { return FALSE };
    let id = conn_id(c, id);
    let mut head = Vec::with_capacity(24);
    write_chunk_header(data.len(), ext, &mut head);
    if data.is_empty() {
        head.extend_from_slice(CHUNK_END);
        return send_parts(c, id, &[&head]);
    }
    send_parts(c, id, &[&head, data, CHUNK_END])
}

/// `SendWSMessage`: one frame's header and this call's payload (masked with `mask` when given,
/// never in the caller's buffer); with `body_len` above `data.len()` the rest follows by Send.
#[allow(clippy::too_many_arguments)]
pub fn send_ws(p: PVOID, role: Role, id: Option<HP_CONNID>, fin: bool, rsv: u8, opcode: u8, mask: Option<[u8; 4]>, data: &[u8], body_len: u64) -> BOOL {
    awaiting_answer(p, role, || send_ws_frame(p, role, id, fin, rsv, opcode, mask, data, body_len))
}

#[allow(clippy::too_many_arguments)]
fn send_ws_frame(p: PVOID, role: Role, id: Option<HP_CONNID>, fin: bool, rsv: u8, opcode: u8, mask: Option<[u8; 4]>, data: &[u8], body_len: u64) -> BOOL {
    let Some((c, _)) = http_obj(p, role) else { return FALSE };
    let id = conn_id(c, id);
    let Some(payload_len) = ws::send_payload_len(data.len(), body_len) else {
        return tcp::bad_arg();
    };
    let mut header = [0u8; ws::MAX_HEADER_LEN];
    let n = ws::frame_header(fin, rsv, opcode, mask, payload_len, &mut header);
    match mask {
        Some(key) => {
            let mut masked = Vec::with_capacity(data.len());
            ws::mask_into(data, key, 0, &mut masked);
            send_parts(c, id, &[&header[..n], &masked])
        }
        None => send_parts(c, id, &[&header[..n], data]),
    }
}

/// `Release`: the connection closes `ReleaseDelay` ms from now (after its queued data), or at
/// once when more data arrives.
pub fn release(p: PVOID, role: Role, id: Option<HP_CONNID>) -> BOOL {
    let Some((c, s)) = http_obj(p, role) else { return FALSE };
    let delay = std::time::Duration::from_millis(s.release_delay.load(Ordering::Relaxed) as u64);
    let id = conn_id(c, id);
    let _ = state_of(c, s, id);
    // As upstream, a refused Release (unknown id, released already) sets no errno.
    to_bool(c.release_http(id, delay))
}

/// `StartHttp`: only with HttpAutoStart off and HTTP not yet running on the connection.
pub fn start_http(p: PVOID, role: Role, id: Option<HP_CONNID>) -> BOOL {
    let Some((c, s)) = http_obj(p, role) else { return FALSE };
    if s.auto_start.load(Ordering::Relaxed) {
        set_errno(libc::EPERM);
        return FALSE;
    }
    let id = conn_id(c, id);
    let _ = state_of(c, s, id);
    match c.start_http(id) {
        Ok(()) => TRUE,
        Err(e) => {
            set_errno(e);
            FALSE
        }
    }
}

/// A file for `SendLocalFile`, read whole (an empty file is a valid empty body).
pub use super::tcp::read_small_file;
