//! `HP_HttpSyncClient_*` and its creators. An HttpSyncClient is an HttpClient whose requests
//! block: `SendRequest` (and every `HP_HttpClient_Send*`) and `OpenUrl` return once the response
//! is complete, the connection closed, or `RequestTimeout` passed. The listener may be NULL; when
//! given, its callbacks fire as for an HttpClient.
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_snake_case, clippy::missing_safety_doc)]

use super::guard::{guard, set_errno};
use super::handles::*;
use super::http::{self, c_bytes};
use super::tcp::{self, FALSE, TRUE};
use super::types::*;
use crate::engine::component::{ConnectArgs, Role};
use crate::engine::http::layer::{HttpConn, HttpEvents};
use crate::engine::http::message::UpgradeType;
use crate::engine::http::url::parse_open_url;
use crate::engine::{ConnId, Events, Handled, Op, ParseResult, State};
use std::ffi::CStr;
use std::os::fd::RawFd;
use std::os::raw::c_int;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

const R: Role = Role::Client;

/// The default timeouts (ms), as upstream's.
const DEFAULT_CONNECT_TIMEOUT: u32 = 5_000;
const DEFAULT_REQUEST_TIMEOUT: u32 = 10_000;
/// A response body larger than this fails the request (the connection closes): a peer cannot
/// make the client hold unbounded memory.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// Where a request stands.
#[derive(Default)]
struct Outcome {
    /// A request is waiting for its response.
    waiting: bool,
    /// The response is complete.
    done: bool,
    /// The connection closed (or the parse failed) first: the error to report.
    failed: Option<i32>,
    body: Vec<u8>,
    /// The connection's OnHandShake has fired (an HttpsSyncClient sends only after it).
    shaken: bool,
    /// The connection closed since it was made: its OnClose error.
    closed: Option<i32>,
}

/// A sync client's requests and their results.
pub struct SyncState {
    outcome: Mutex<Outcome>,
    cv: Condvar,
    pub connect_timeout: AtomicU32,
    pub request_timeout: AtomicU32,
    /// The HTTP state of the last request's connection: its response stays readable through
    /// the `HP_HttpClient_Get*` accessors after that connection closes.
    pub last: Mutex<Option<Arc<HttpConn>>>,
    /// Where the client is connected (host, port), for OpenUrl's reuse.
    target: Mutex<Option<(String, u16)>>,
}

impl SyncState {
    fn new() -> SyncState {
        SyncState {
            outcome: Mutex::new(Outcome::default()),
            cv: Condvar::new(),
            connect_timeout: AtomicU32::new(DEFAULT_CONNECT_TIMEOUT),
            request_timeout: AtomicU32::new(DEFAULT_REQUEST_TIMEOUT),
            last: Mutex::new(None),
            target: Mutex::new(None),
        }
    }

    fn update(&self, f: impl FnOnce(&mut Outcome)) {
        let mut o = self.outcome.lock().unwrap();
        f(&mut o);
        self.cv.notify_all();
    }

    /// Before a request is sent: forget the last result.
    pub fn begin(&self) {
        let mut o = self.outcome.lock().unwrap();
        o.waiting = true;
        o.done = false;
        o.failed = None;
        o.body.clear();
    }

    /// Appends response body bytes; false (the request fails with EFBIG) beyond MAX_BODY.
    fn append(&self, data: &[u8]) -> bool {
        let mut ok = true;
        self.update(|o| {
            if o.body.len() + data.len() > MAX_BODY {
                ok = false;
                o.failed = Some(libc::EFBIG);
            } else {
                o.body.extend_from_slice(data);
            }
        });
        ok
    }

    /// The request could not be sent: nothing to wait for.
    pub fn cancel(&self) {
        self.outcome.lock().unwrap().waiting = false;
    }

    /// An HttpsSyncClient: waits (up to `ms`, 0 forever) until its connection's TLS handshake is
    /// done, so that a request is not sent before it (a Send then fails). Err: the errno to
    /// report (ETIMEDOUT; the close's error when the handshake failed).
    fn wait_handshake(&self, ms: u32) -> Result<(), i32> {
        let deadline = (ms != 0).then(|| Instant::now() + Duration::from_millis(ms as u64));
        let mut o = self.outcome.lock().unwrap();
        loop {
            if o.shaken {
                return Ok(());
            }
            if let Some(code) = o.closed {
                return Err(if code == 0 { libc::ECONNABORTED } else { code });
            }
            match deadline {
                None => o = self.cv.wait(o).unwrap(),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return Err(libc::ETIMEDOUT);
                    }
                    o = self.cv.wait_timeout(o, d - now).unwrap().0;
                }
            }
        }
    }

    /// Waits for the response (`ms` 0: forever). Err: the errno to report.
    fn wait(&self, ms: u32) -> Result<(), i32> {
        let deadline = (ms != 0).then(|| Instant::now() + Duration::from_millis(ms as u64));
        let mut o = self.outcome.lock().unwrap();
        loop {
            if o.done {
                o.waiting = false;
                return Ok(());
            }
            if let Some(e) = o.failed {
                o.waiting = false;
                return Err(e);
            }
            match deadline {
                None => o = self.cv.wait(o).unwrap(),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        o.waiting = false;
                        return Err(libc::ETIMEDOUT);
                    }
                    o = self.cv.wait_timeout(o, d - now).unwrap().0;
                }
            }
        }
    }
}

/// The client's events: the application's callbacks (if any), and the sync client's own
/// bookkeeping of the response.
pub(crate) struct SyncEvents {
    pub(crate) inner: Arc<tcp::CEvents>,
    pub st: Arc<SyncState>,
}

impl Events for SyncEvents {
    fn on_prepare_connect(&self, id: ConnId, fd: RawFd) -> Handled {
        self.inner.on_prepare_connect(id, fd)
    }
    fn on_connect(&self, id: ConnId) -> Handled {
        self.st.update(|o| {
            o.shaken = false;
            o.closed = None;
        });
        self.inner.on_connect(id)
    }
    fn on_handshake(&self, id: ConnId) -> Handled {
        let r = self.inner.on_handshake(id);
        self.st.update(|o| o.shaken = true);
        r
    }
    fn on_receive(&self, id: ConnId, data: &[u8]) -> Handled {
        self.inner.on_receive(id, data)
    }
    fn wants_on_send(&self) -> bool {
        self.inner.wants_on_send()
    }
    fn on_send(&self, id: ConnId, data: &[u8]) -> Handled {
        self.inner.on_send(id, data)
    }
    fn on_close(&self, id: ConnId, op: Op, code: i32) -> Handled {
        let r = self.inner.on_close(id, op, code);
        *self.st.target.lock().unwrap() = None;
        self.st.update(|o| {
            o.closed = Some(code);
            o.shaken = false;
            // A parse error reported first stays; a close without an answer is upstream's
            // ERROR_CONNABORTED.
            if o.waiting && !o.done {
                o.failed = o.failed.or(Some(if code == 0 { libc::ECONNABORTED } else { code }));
            }
        });
        r
    }
    fn http(&self) -> Option<&dyn HttpEvents> {
        Some(self)
    }
}

impl HttpEvents for SyncEvents {
    fn on_message_begin(&self, id: ConnId) -> ParseResult {
        self.st.update(|o| o.body.clear());
        self.inner.on_message_begin(id)
    }
    fn on_request_line(&self, id: ConnId, method: &CStr, url: &CStr) -> ParseResult {
        self.inner.on_request_line(id, method, url)
    }
    fn on_status_line(&self, id: ConnId, status: u16, reason: &CStr) -> ParseResult {
        self.inner.on_status_line(id, status, reason)
    }
    fn on_header(&self, id: ConnId, name: &CStr, value: &CStr) -> ParseResult {
        self.inner.on_header(id, name, value)
    }
    fn on_headers_complete(&self, id: ConnId) -> ParseResult {
        self.inner.on_headers_complete(id)
    }
    fn on_body(&self, id: ConnId, data: &[u8]) -> ParseResult {
        if !self.st.append(data) {
            return ParseResult::Error;
        }
        self.inner.on_body(id, data)
    }
    fn on_chunk_header(&self, id: ConnId, size: usize) -> ParseResult {
        self.inner.on_chunk_header(id, size)
    }
    fn on_chunk_complete(&self, id: ConnId) -> ParseResult {
        self.inner.on_chunk_complete(id)
    }
    fn on_message_complete(&self, id: ConnId) -> ParseResult {
        let r = self.inner.on_message_complete(id);
        self.st.update(|o| o.done = true);
        r
    }
    fn on_upgrade(&self, id: ConnId, kind: UpgradeType) -> ParseResult {
        self.inner.on_upgrade(id, kind)
    }
    fn on_parse_error(&self, id: ConnId, code: i32, reason: &CStr) -> ParseResult {
        let r = self.inner.on_parse_error(id, code, reason);
        self.st.update(|o| o.failed = o.failed.or(Some(libc::EBADMSG)));
        r
    }
    fn on_ws_header(&self, id: ConnId, fin: bool, rsv: u8, opcode: u8, mask: Option<&[u8; 4]>, len: u64) -> Handled {
        self.inner.on_ws_header(id, fin, rsv, opcode, mask, len)
    }
    fn on_ws_body(&self, id: ConnId, data: &[u8]) -> Handled {
        // A WebSocket message answering SendWSMessage is the request's result, as upstream's.
        if !self.st.append(data) {
            crate::engine::note_callback_errno(0);
            return Handled::Error;
        }
        self.inner.on_ws_body(id, data)
    }
    fn on_ws_complete(&self, id: ConnId) -> Handled {
        let r = self.inner.on_ws_complete(id);
        self.st.update(|o| o.done = true);
        r
    }
}

/// The sync client behind a handle; EINVAL for anything else.
fn sync_obj<'a>(p: PVOID) -> Option<(&'a tcp::ComponentObj, &'a Arc<SyncState>)> {
    match tcp::obj(p, R) {
        Some(o @ tcp::ComponentObj { sync: Some(s), .. }) => Some((o, s)),
        _ => {
            set_errno(libc::EINVAL);
            None
        }
    }
}

/// Before an HttpsSyncClient's request: waits for its TLS handshake (up to ConnectTimeout).
/// Err: the errno to report.
pub(crate) fn await_handshake(o: &tcp::ComponentObj, st: &SyncState) -> Result<(), i32> {
    if !o.comp.is_secure() {
        return Ok(());
    }
    st.wait_handshake(st.connect_timeout.load(Ordering::Relaxed))
}

/// After a sync client's request was sent: waits for its response. On a timeout the client is
/// stopped, as upstream's is.
pub fn await_response(o: &tcp::ComponentObj, st: &SyncState) -> BOOL {
    if let Some(h) = o.comp.http_conn(o.comp.client_conn_id()) {
        *st.last.lock().unwrap() = Some(h);
    }
    match st.wait(st.request_timeout.load(Ordering::Relaxed)) {
        Ok(()) => TRUE,
        Err(e) => {
            if e == libc::ETIMEDOUT {
                let _ = o.comp.stop();
            }
            set_errno(e);
            FALSE
        }
    }
}

/// Creates a stopped HttpSyncClient, an HttpClient whose requests block until the response; the
/// listener may be NULL. NULL with errno EINVAL for a bad (non-NULL) listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_HttpSyncClient(pListener: HP_HttpClientListener) -> HP_HttpSyncClient {
    guard(|| {
        let st = Arc::new(SyncState::new());
        let h = tcp::create_http_sync(pListener, st.clone(), |inner| Arc::new(SyncEvents { inner, st: st.clone() }));
        if let Some(o) = tcp::obj(h, R) {
            o.comp.set_option(|opts| opts.sync_connect_timeout = DEFAULT_CONNECT_TIMEOUT);
        }
        h
    })
}

/// Stops the client if needed, waits for its callbacks and frees it. A handle not made by
/// Create_HP_HttpSyncClient: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_HttpSyncClient(pClient: HP_HttpSyncClient) {
    guard(|| tcp::destroy(pClient, R, tcp::Class::HttpSync))
}

/// Connects (again, unless connected to the same host and port and `bForceReconnect` is FALSE)
/// to the URL's server, sends the request and waits for the response. An HttpSyncClient takes
/// `http://` URLs, an HttpsSyncClient `https://` ones (the other scheme fails with
/// EPROTONOSUPPORT). With `iLength < 0` and a body, the body is the name of a file to send.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpSyncClient_OpenUrl(pClient: HP_HttpSyncClient, lpszMethod: LPCSTR, lpszUrl: LPCSTR, lpHeaders: *const THeader, iHeaderCount: c_int, pBody: *const BYTE, iLength: c_int, bForceReconnect: BOOL) -> BOOL {
    guard(|| {
        let Some((o, st)) = sync_obj(pClient) else { return FALSE };
        // SAFETY: upstream's contract: the strings are NULL or NUL-terminated, `lpHeaders` NULL or
        // `iHeaderCount` readable pairs, `pBody` NULL or (for iLength >= 0) `iLength` readable
        // bytes, or (for iLength < 0) a NUL-terminated file name; all read during this call.
        let (method, url, headers) = unsafe { (c_bytes(lpszMethod), c_bytes(lpszUrl), http::header_pairs(lpHeaders, iHeaderCount)) };
        let (Some(method), Some(url)) = (method.filter(|m| !m.is_empty()), url.and_then(|u| std::str::from_utf8(u).ok())) else { return tcp::bad_arg() };
        let Some(target) = parse_open_url(url) else { return tcp::bad_arg() };
        if target.secure != o.comp.is_secure() {
            set_errno(libc::EPROTONOSUPPORT);
            return FALSE;
        }
        let body: Vec<u8> = if iLength < 0 && !pBody.is_null() {
            // SAFETY: with iLength < 0 a non-NULL body is a NUL-terminated file name (above).
            let name = unsafe { CStr::from_ptr(pBody as *const std::ffi::c_char) };
            match name.to_str().map_err(|_| libc::EINVAL).and_then(http::read_small_file) {
                Ok(d) => d,
                Err(e) => {
                    set_errno(e);
                    return FALSE;
                }
            }
        } else {
            // SAFETY: `pBody` is NULL or `iLength` readable bytes (above).
            match unsafe { http::body(pBody, iLength.max(0)) } {
                Some(b) => b.to_vec(),
                None => return tcp::bad_arg(),
            }
        };
        let c = o.comp.clone();
        let want = (target.host.clone(), target.port);
        let same = c.state() == State::Started && st.target.lock().unwrap().as_ref() == Some(&want);
        if bForceReconnect != 0 || !same {
            if c.state() != State::Stopped {
                let _ = c.stop();
                c.wait(u32::MAX);
            }
            c.set_option(|opts| opts.sync_connect_timeout = st.connect_timeout.load(Ordering::Relaxed).max(1));
            let args = ConnectArgs { host: &target.host, port: target.port, extra: 0, local_addr: None, local_port: 0 };
            if let Err(f) = c.start_client(args, false) {
                c.record(f);
                return FALSE;
            }
            *st.target.lock().unwrap() = Some(want);
        }
        http::request_blocking(pClient, R, None, method, target.path.as_bytes(), &headers, &body)
    })
}

/// The last response's whole body; valid until the next request or CleanupRequestResult.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpSyncClient_GetResponseBody(pClient: HP_HttpSyncClient, lpszBody: *mut LPCBYTE, piLength: *mut c_int) -> BOOL {
    guard(|| {
        let Some((_, st)) = sync_obj(pClient) else { return FALSE };
        if lpszBody.is_null() || piLength.is_null() {
            return tcp::bad_arg();
        }
        let o = st.outcome.lock().unwrap();
        // SAFETY: both pointers are non-NULL (checked) and writable (upstream's contract). The
        // body's buffer is changed only by the next request or CleanupRequestResult.
        unsafe {
            *lpszBody = if o.body.is_empty() { std::ptr::null() } else { o.body.as_ptr() };
            *piLength = o.body.len().min(c_int::MAX as usize) as c_int;
        }
        TRUE
    })
}

/// Forgets the last response (its body and headers).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpSyncClient_CleanupRequestResult(pClient: HP_HttpSyncClient) -> BOOL {
    guard(|| {
        let Some((_, st)) = sync_obj(pClient) else { return FALSE };
        st.update(|o| {
            o.body = Vec::new();
            o.done = false;
            o.failed = None;
        });
        *st.last.lock().unwrap() = None;
        TRUE
    })
}

/// Milliseconds Start / OpenUrl wait for the connection (default 5000).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpSyncClient_SetConnectTimeout(pClient: HP_HttpSyncClient, dwConnectTimeout: DWORD) {
    guard(|| {
        if let Some((o, st)) = sync_obj(pClient) {
            st.connect_timeout.store(dwConnectTimeout, Ordering::Relaxed);
            o.comp.set_option(|opts| opts.sync_connect_timeout = dwConnectTimeout.max(1));
        }
    })
}
/// The connect timeout in ms (default 5000); 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpSyncClient_GetConnectTimeout(pClient: HP_HttpSyncClient) -> DWORD {
    guard(|| sync_obj(pClient).map_or(0, |(_, st)| st.connect_timeout.load(Ordering::Relaxed)))
}
/// Milliseconds a request waits for its response (default 10000; 0 waits forever); on a
/// timeout the request fails with ETIMEDOUT and the client stops.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpSyncClient_SetRequestTimeout(pClient: HP_HttpSyncClient, dwRequestTimeout: DWORD) {
    guard(|| {
        if let Some((_, st)) = sync_obj(pClient) {
            st.request_timeout.store(dwRequestTimeout, Ordering::Relaxed);
        }
    })
}
/// The request timeout in ms (default 10000; 0 waits forever); 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpSyncClient_GetRequestTimeout(pClient: HP_HttpSyncClient) -> DWORD {
    guard(|| sync_obj(pClient).map_or(0, |(_, st)| st.request_timeout.load(Ordering::Relaxed)))
}
