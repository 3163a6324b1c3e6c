//! The HTTP framing of a connection: the parser's events turned into the application's, the
//! message state C reads, and what follows an upgrade (WebSocket frames or raw bytes).
//!
//! A connection of an HTTP component carries an [`HttpConn`] from its start (whether or not HTTP
//! runs yet: with `HttpAutoStart` off its bytes reach OnReceive raw until `StartHttp`). The
//! connection's task owns the parser inside an [`HttpLayer`]; the state other threads read (the
//! current message, the parse error, the WebSocket frame state, Release) lives in the shared
//! `HttpConn`, behind short locks that are never held while a callback runs.

use super::cookie;
use super::message::{Kind, Message, UpgradeType, URL_FIELD_COUNT};
use super::parser::{Handler, Head, HttpParser, Mode, Progress};
use super::url::{split_url, UrlField};
use super::ws::{self, FrameState, WsDecoder, WsHandler};
use crate::engine::conn::CloseReason;
use crate::engine::stack::{Framing, Layer, Switch, Up};
use crate::engine::{ConnId, Handled, Op, ParseResult};
use std::collections::VecDeque;
use std::ffi::{c_char, CStr, CString};
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The HTTP events of a component (implemented by the C boundary, which calls the listener's
/// `HP_Set_FN_Http*` callbacks). Strings are NUL-terminated and live in the connection's message
/// state; data slices only during the call.
pub trait HttpEvents: Send + Sync {
    fn on_message_begin(&self, id: ConnId) -> ParseResult;
    fn on_request_line(&self, id: ConnId, method: &CStr, url: &CStr) -> ParseResult;
    fn on_status_line(&self, id: ConnId, status: u16, reason: &CStr) -> ParseResult;
    fn on_header(&self, id: ConnId, name: &CStr, value: &CStr) -> ParseResult;
    fn on_headers_complete(&self, id: ConnId) -> ParseResult;
    fn on_body(&self, id: ConnId, data: &[u8]) -> ParseResult;
    fn on_chunk_header(&self, id: ConnId, size: usize) -> ParseResult;
    fn on_chunk_complete(&self, id: ConnId) -> ParseResult;
    fn on_message_complete(&self, id: ConnId) -> ParseResult;
    fn on_upgrade(&self, id: ConnId, kind: UpgradeType) -> ParseResult;
    fn on_parse_error(&self, id: ConnId, code: i32, reason: &CStr) -> ParseResult;
    fn on_ws_header(&self, id: ConnId, fin: bool, rsv: u8, opcode: u8, mask: Option<&[u8; 4]>, len: u64) -> Handled;
    fn on_ws_body(&self, id: ConnId, data: &[u8]) -> Handled;
    fn on_ws_complete(&self, id: ConnId) -> Handled;
}

/// `HV_1_1` / `HV_1_0` as `En_HP_HttpVersion` numbers them (major in the low byte).
pub const VERSION_1_1: u16 = super::write::HTTP_1_1;
pub const VERSION_1_0: u16 = super::write::HTTP_1_0;

/// ReleaseDelay's bounds, checked at Start (upstream's `MIN/MAX_HTTP_RELEASE_DELAY`).
pub const MIN_RELEASE_DELAY: u32 = 100;
pub const MAX_RELEASE_DELAY: u32 = 60 * 1000;
pub const DEFAULT_RELEASE_DELAY: u32 = 3 * 1000;

/// An HTTP component's own settings (set while stopped, read as connections start).
#[derive(Debug)]
pub struct HttpSettings {
    /// A server parses requests; agents and clients parse responses.
    pub server: bool,
    pub auto_start: AtomicBool,
    pub release_delay: AtomicU32,
    pub local_version: AtomicU16,
    /// Agents and clients: keep cookies in the process-wide store and send them.
    pub use_cookie: AtomicBool,
}

impl HttpSettings {
    pub fn new(server: bool) -> HttpSettings {
        HttpSettings {
            server,
            auto_start: AtomicBool::new(true),
            release_delay: AtomicU32::new(DEFAULT_RELEASE_DELAY),
            local_version: AtomicU16::new(VERSION_1_1),
            use_cookie: AtomicBool::new(!server),
        }
    }
}

/// What the application's threads read and change of one HTTP connection.
/// [`HttpConn::whole_response_at`] when no whole response was sent.
pub const NO_WHOLE_RESPONSE: u64 = u64::MAX;

pub struct HttpConn {
    pub settings: Arc<HttpSettings>,
    /// The message being received (or the last one), read by the accessors.
    pub msg: Mutex<Message>,
    /// The last parse error: llhttp's number and its text.
    parse_error: Mutex<Option<(u16, CString)>>,
    /// The current WebSocket frame, for `GetWSMessageState`.
    pub ws: Mutex<FrameState>,
    /// HTTP runs on the connection (at once with HttpAutoStart, else after StartHttp).
    pub started: AtomicBool,
    /// `Release` was called: bytes that still arrive close the connection at once.
    pub released: AtomicBool,
    /// The connection's Send count ([`crate::engine::send::SendPath::calls`]) right after a
    /// server's SendResponse that was a whole response (head and all of its body), or
    /// [`NO_WHOLE_RESPONSE`]: Release half-closes a connection whose request asked to close
    /// when nothing was sent after it.
    pub whole_response_at: AtomicU64,
    /// A client's requests awaiting their responses: whether each is a HEAD (no body follows).
    pending_heads: Mutex<VecDeque<bool>>,
    /// The host (and whether TLS) a client's connection is to, for cookies.
    pub remote_host: String,
}

impl HttpConn {
    pub fn new(settings: Arc<HttpSettings>, remote_host: String) -> HttpConn {
        let kind = if settings.server { Kind::Request } else { Kind::Response };
        HttpConn {
            started: AtomicBool::new(settings.auto_start.load(Ordering::Relaxed)),
            settings,
            msg: Mutex::new(Message::new(kind)),
            parse_error: Mutex::new(None),
            ws: Mutex::new(FrameState::default()),
            released: AtomicBool::new(false),
            whole_response_at: AtomicU64::new(NO_WHOLE_RESPONSE),
            pending_heads: Mutex::new(VecDeque::new()),
            remote_host,
        }
    }

    /// `GetParseErrorCode`: the code (0 for none) and its text (NULL for none), valid while the
    /// connection lives.
    pub fn parse_error(&self) -> (u16, *const c_char) {
        match &*self.parse_error.lock().unwrap() {
            Some((code, text)) => (*code, text.as_ptr()),
            // As upstream 6.x: with no error the description is llhttp's name for HPE_OK.
            None => (0, c"HPE_OK".as_ptr()),
        }
    }

    /// A client sent a request: remembers whether its response has a body.
    pub fn request_sent(&self, method: &[u8]) {
        let mut q = self.pending_heads.lock().unwrap();
        // Bounded: a peer that never answers cannot make this grow without end.
        if q.len() < 4096 {
            q.push_back(method.eq_ignore_ascii_case(b"HEAD"));
        }
    }

    fn response_to_head(&self) -> bool {
        self.pending_heads.lock().unwrap().front().copied().unwrap_or(false)
    }

    fn response_done(&self) {
        self.pending_heads.lock().unwrap().pop_front();
    }
}

/// The HTTP framing of one connection.
pub struct HttpLayer {
    parser: HttpParser,
    st: Arc<HttpConn>,
}

impl HttpLayer {
    pub fn new(st: Arc<HttpConn>) -> HttpLayer {
        let mode = if st.settings.server { Mode::Request } else { Mode::Response };
        HttpLayer { parser: HttpParser::new(mode), st }
    }

    /// The framing a connection of an HTTP component starts with: HTTP, or raw bytes until
    /// `StartHttp` when auto start is off.
    /// As upstream, OnHandShake then waits for StartHttp.
    pub fn first_framing(st: &Arc<HttpConn>, conn: &crate::engine::conn::Conn) -> Framing {
        if st.started.load(Ordering::Acquire) {
            Framing::Layer(Box::new(HttpLayer::new(st.clone())))
        } else {
            conn.hold_handshake.store(true, Ordering::Release);
            Framing::Push
        }
    }

    fn fail(&self, up: &Up<'_>, ev: &dyn HttpEvents, code: i32, reason: &str) -> CloseReason {
        let text = CString::new(reason).unwrap_or_default();
        let reason_ptr = text.as_ptr();
        *self.st.parse_error.lock().unwrap() = Some((code as u16, text));
        // SAFETY: `reason_ptr` points into the CString just stored in `parse_error`, which is
        // replaced only by a later parse error on this same connection's task (this thread).
        let reason = unsafe { CStr::from_ptr(reason_ptr) };
        // As upstream, where errno is cleared once before the parser runs: the close code is the
        // errno the callbacks left (the failing one's, unless OnParseError sets its own).
        let before = crate::engine::take_callback_errno();
        ev.on_parse_error(up.id, code, reason);
        let code = match crate::engine::take_callback_errno() {
            0 if before != 0 => before,
            0 => libc::ECANCELED,
            e => e,
        };
        CloseReason { op: Op::Receive, code }
    }
}

impl Layer for HttpLayer {
    fn feed(&mut self, data: &[u8], up: &mut Up<'_>) -> Result<Switch, CloseReason> {
        if self.st.released.load(Ordering::Acquire) {
            // As upstream (its receive returns HR_ERROR): data after Release closes the connection
            // at once, with OnClose(SO_RECEIVE, ECANCELED).
            return Err(CloseReason { op: Op::Receive, code: libc::ECANCELED });
        }
        let Some(ev) = up.events.http() else {
            return Ok(Switch::Stay);
        };
        // Only this read's callbacks count for a close code (see `fail`).
        crate::engine::take_callback_errno();
        let mut bridge = Bridge { id: up.id, ev, st: &self.st };
        match self.parser.feed(data, &mut bridge) {
            Ok(Progress::All) => Ok(Switch::Stay),
            Ok(Progress::Upgrade { consumed }) => {
                let kind = self.st.msg.lock().unwrap().upgrade_type();
                // As upstream: anything but HPR_OK refuses the upgrade and closes the
                // connection (no OnParseError: the parser did not fail).
                if ev.on_upgrade(up.id, kind) != ParseResult::Ok {
                    return Err(CloseReason { op: Op::Receive, code: crate::engine::cancelled() });
                }
                let next = match kind {
                    UpgradeType::WebSocket => {
                        let role = if self.st.settings.server { ws::Role::Server } else { ws::Role::Client };
                        Framing::Layer(Box::new(WsLayer { dec: WsDecoder::new(role), st: self.st.clone() }))
                    }
                    // A tunnel (CONNECT) or another protocol: raw bytes to OnReceive.
                    _ => Framing::Push,
                };
                Ok(Switch::To { next, consumed })
            }
            Err(e) => Err(self.fail(up, ev, e.code, e.reason)),
        }
    }

    /// As upstream's close path (`llhttp_finish`): a response delimited by the close completes.
    fn on_end(&mut self, up: &mut Up<'_>) {
        if self.parser.error().is_some() {
            return;
        }
        let Some(ev) = up.events.http() else { return };
        let mut bridge = Bridge { id: up.id, ev, st: &self.st };
        let _ = self.parser.finish(&mut bridge);
    }
}

/// Turns parser events into message state and the application's events.
struct Bridge<'a> {
    id: ConnId,
    ev: &'a dyn HttpEvents,
    st: &'a HttpConn,
}

/// A pointer into the message's arena as a `&CStr` for one callback.
///
/// # Safety
/// `p` is a NUL-terminated string in the connection's message arena, which only this
/// connection's task changes (and it does not during the callback that receives the string).
unsafe fn arena_str<'a>(p: *const c_char) -> &'a CStr {
    // SAFETY: per this function's contract.
    unsafe { CStr::from_ptr(p) }
}

const EMPTY: &CStr = c"";

impl Handler for Bridge<'_> {
    fn on_message_begin(&mut self) -> ParseResult {
        self.st.msg.lock().unwrap().begin_message();
        // A new request: no response to it yet.
        self.st.whole_response_at.store(NO_WHOLE_RESPONSE, Ordering::Release);
        self.ev.on_message_begin(self.id)
    }

    fn on_request_line(&mut self, method: &str, url: &[u8]) -> ParseResult {
        let (m, u) = {
            let mut msg = self.st.msg.lock().unwrap();
            msg.set_request_line(method.as_bytes(), url);
            // A URL the splitter refuses fails the request line, as upstream's callback does
            // (llhttp then reports HPE_CB_URL_COMPLETE).
            let Some(f) = split_url(url, method == "CONNECT") else {
                return ParseResult::Error;
            };
            let mut ranges = [None; URL_FIELD_COUNT];
            for (r, field) in ranges.iter_mut().zip(UrlField::ALL) {
                *r = f.get(field).map(|r| (r.start, r.end - r.start));
            }
            msg.set_url_fields(ranges);
            (msg.method().map_or(EMPTY.as_ptr(), CStr::as_ptr), msg.url().map_or(EMPTY.as_ptr(), CStr::as_ptr))
        };
        // SAFETY: both point into the message arena (or at a static), unchanged until the next
        // message begins on this task.
        self.ev.on_request_line(self.id, unsafe { arena_str(m) }, unsafe { arena_str(u) })
    }

    fn on_status_line(&mut self, status: u16, reason: &[u8]) -> ParseResult {
        let r = {
            let mut msg = self.st.msg.lock().unwrap();
            msg.set_status(status, reason);
            msg.reason().map_or(EMPTY.as_ptr(), CStr::as_ptr)
        };
        // SAFETY: a string of the message arena (or a static), as in on_request_line.
        self.ev.on_status_line(self.id, status, unsafe { arena_str(r) })
    }

    fn on_header(&mut self, name: &[u8], value: &[u8]) -> ParseResult {
        let (n, v) = {
            let mut msg = self.st.msg.lock().unwrap();
            msg.add_header(name, value);
            if self.st.settings.server {
                if name.eq_ignore_ascii_case(b"Cookie") {
                    for (k, v) in cookie::parse_cookie_header(value) {
                        msg.add_cookie(k.as_bytes(), v.as_bytes());
                    }
                }
            } else if name.eq_ignore_ascii_case(b"Set-Cookie") {
                self.store_set_cookie(&mut msg, value);
            }
            match msg.header_at(msg.header_count().wrapping_sub(1)) {
                Some((n, v)) => (n.as_ptr(), v.as_ptr()),
                None => (EMPTY.as_ptr(), EMPTY.as_ptr()),
            }
        };
        // SAFETY: strings of the message arena (or a static), as in on_request_line.
        self.ev.on_header(self.id, unsafe { arena_str(n) }, unsafe { arena_str(v) })
    }

    fn on_headers_complete(&mut self, head: &Head) -> ParseResult {
        {
            let mut msg = self.st.msg.lock().unwrap();
            msg.set_version(head.version.0, head.version.1);
            msg.set_content_length(head.content_length.unwrap_or(0));
            msg.set_keep_alive(head.keep_alive);
            msg.set_upgrade(head.upgrade);
        }
        let r = self.ev.on_headers_complete(self.id);
        // A response to HEAD, a 204 and a 304 have no body, whatever their headers say (llhttp
        // would wait for the body a Content-Length announces).
        if r == ParseResult::Ok && !self.st.settings.server && (self.st.response_to_head() || head.status == 204 || head.status == 304) {
            return ParseResult::SkipBody;
        }
        r
    }

    fn on_chunk_header(&mut self, size: u64) -> ParseResult {
        self.ev.on_chunk_header(self.id, size.min(usize::MAX as u64) as usize)
    }

    fn on_body(&mut self, data: &[u8]) -> ParseResult {
        self.ev.on_body(self.id, data)
    }

    fn on_chunk_complete(&mut self) -> ParseResult {
        self.ev.on_chunk_complete(self.id)
    }

    fn on_message_complete(&mut self, head: &Head) -> ParseResult {
        {
            let mut msg = self.st.msg.lock().unwrap();
            msg.set_keep_alive(head.keep_alive);
            msg.set_upgrade(head.upgrade);
        }
        if !self.st.settings.server {
            self.st.response_done();
        }
        self.ev.on_message_complete(self.id)
    }
}

impl Bridge<'_> {
    /// A response's `Set-Cookie`: into the process-wide store (when the component uses cookies)
    /// and the message's cookie list.
    fn store_set_cookie(&self, msg: &mut Message, value: &[u8]) {
        if !self.st.settings.use_cookie.load(Ordering::Relaxed) {
            return;
        }
        let Ok(text) = std::str::from_utf8(value) else { return };
        let path = msg.request_path().and_then(|p| p.to_str().ok()).unwrap_or("/").to_string();
        match cookie::global().store_set_cookie(text, &self.st.remote_host, &path, false) {
            Ok(cookie::ResponseCookie::Add { name, value }) => msg.add_cookie(name.as_bytes(), value.as_bytes()),
            Ok(cookie::ResponseCookie::Remove { name }) => {
                msg.remove_cookie(name.as_bytes());
            }
            _ => {}
        }
    }
}

/// WebSocket frames after an upgrade.
struct WsLayer {
    dec: WsDecoder,
    st: Arc<HttpConn>,
}

impl Layer for WsLayer {
    fn feed(&mut self, data: &[u8], up: &mut Up<'_>) -> Result<Switch, CloseReason> {
        let Some(ev) = up.events.http() else {
            return Ok(Switch::Stay);
        };
        // Only this read's callbacks count for a close code (see `fail`).
        crate::engine::take_callback_errno();
        let mut bridge = WsBridge { id: up.id, ev, st: &self.st };
        match self.dec.feed(data, &mut bridge) {
            Ok(()) => Ok(Switch::Stay),
            Err(e) => Err(CloseReason { op: Op::Receive, code: e.errno() }),
        }
    }
}

struct WsBridge<'a> {
    id: ConnId,
    ev: &'a dyn HttpEvents,
    st: &'a HttpConn,
}

impl WsHandler for WsBridge<'_> {
    fn on_header(&mut self, fin: bool, rsv: u8, opcode: u8, mask: Option<[u8; 4]>, payload_len: u64) -> Handled {
        self.st.ws.lock().unwrap().begin(fin, rsv, opcode, mask, payload_len);
        self.ev.on_ws_header(self.id, fin, rsv, opcode, mask.as_ref(), payload_len)
    }

    fn on_body(&mut self, data: &[u8]) -> Handled {
        self.st.ws.lock().unwrap().consume(data.len());
        self.ev.on_ws_body(self.id, data)
    }

    fn on_complete(&mut self) -> Handled {
        let r = self.ev.on_ws_complete(self.id);
        self.st.ws.lock().unwrap().finish();
        r
    }
}
