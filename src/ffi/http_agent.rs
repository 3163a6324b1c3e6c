//! `HP_HttpAgent_*`, `HP_Set_FN_HttpAgent_*` and the HttpAgent creators. An HttpAgent is a TcpAgent whose
//! connections send requests and parse responses: every `HP_Agent_*` and `HP_TcpAgent_*`
//! function works on it too. Cookies go through the process-wide store (`UseCookie`, on by default).
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_snake_case, clippy::missing_safety_doc)]

use super::guard::guard;
use super::handles::*;
use super::http::{self, c_bytes};
use super::listener::{self, ListenerKind, Slot};
use super::tcp::{self, FALSE};
use super::types::*;
use crate::engine::component::Role;
use std::os::raw::c_int;
use std::sync::atomic::Ordering;

const R: Role = Role::Agent;
const LK: ListenerKind = ListenerKind::HttpAgent;

/// Creates an HttpAgent listener (a table of callbacks, all NULL); NULL only if the handle table is
/// full.
#[no_mangle]
pub extern "C" fn Create_HP_HttpAgentListener() -> HP_HttpAgentListener {
    listener::create(LK)
}

/// Frees a listener made by Create_HP_HttpAgentListener; components still using it keep their own
/// reference. Any other handle is refused with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_HttpAgentListener(pListener: HP_HttpAgentListener) {
    listener::destroy(pListener, LK)
}

/// Creates a stopped HttpAgent raising `pListener`'s socket and HTTP callbacks; NULL with errno
/// EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_HttpAgent(pListener: HP_HttpAgentListener) -> HP_HttpAgent {
    guard(|| tcp::create_http(pListener, R, LK))
}

/// Stops the agent if needed, waits for its callbacks and frees it. A handle not made by
/// Create_HP_HttpAgent: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_HttpAgent(pAgent: HP_HttpAgent) {
    guard(|| tcp::destroy(pAgent, R, tcp::Class::Http))
}

// ---- listener callbacks ----

/// Sets the OnPrepareConnect callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnPrepareConnect(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnPrepareConnect) {
    listener::set_fn(pListener, LK, Slot::PrepareConnect, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnConnect callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnConnect(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnConnect) {
    listener::set_fn(pListener, LK, Slot::Connect, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnShutdown callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnShutdown(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnShutdown) {
    listener::set_fn(pListener, LK, Slot::Shutdown, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnHandShake callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnHandShake(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnHandShake) {
    listener::set_fn(pListener, LK, Slot::HandShake, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnReceive callback (raw bytes: before StartHttp or after a non-WebSocket upgrade; NULL
/// clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnReceive(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnReceive) {
    listener::set_fn(pListener, LK, Slot::Receive, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnSend callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnSend(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnSend) {
    listener::set_fn(pListener, LK, Slot::Send, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnClose callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnClose(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnClose) {
    listener::set_fn(pListener, LK, Slot::Close, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnMessageBegin callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnMessageBegin(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnMessageBegin) {
    listener::set_fn(pListener, LK, Slot::MessageBegin, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnStatusLine callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnStatusLine(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnStatusLine) {
    listener::set_fn(pListener, LK, Slot::StatusLine, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnHeader callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnHeader(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnHeader) {
    listener::set_fn(pListener, LK, Slot::Header, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnHeadersComplete callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnHeadersComplete(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnHeadersComplete) {
    listener::set_fn(pListener, LK, Slot::HeadersComplete, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnBody callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnBody(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnBody) {
    listener::set_fn(pListener, LK, Slot::Body, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnChunkHeader callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnChunkHeader(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnChunkHeader) {
    listener::set_fn(pListener, LK, Slot::ChunkHeader, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnChunkComplete callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnChunkComplete(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnChunkComplete) {
    listener::set_fn(pListener, LK, Slot::ChunkComplete, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnMessageComplete callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnMessageComplete(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnMessageComplete) {
    listener::set_fn(pListener, LK, Slot::MessageComplete, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnUpgrade callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnUpgrade(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnUpgrade) {
    listener::set_fn(pListener, LK, Slot::Upgrade, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnParseError callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnParseError(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnParseError) {
    listener::set_fn(pListener, LK, Slot::ParseError, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnWSMessageHeader callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnWSMessageHeader(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnWSMessageHeader) {
    listener::set_fn(pListener, LK, Slot::WsMessageHeader, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnWSMessageBody callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnWSMessageBody(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnWSMessageBody) {
    listener::set_fn(pListener, LK, Slot::WsMessageBody, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnWSMessageComplete callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpAgent_OnWSMessageComplete(pListener: HP_HttpAgentListener, fn_: HP_FN_HttpAgent_OnWSMessageComplete) {
    listener::set_fn(pListener, LK, Slot::WsMessageComplete, fn_.map_or(0, |f| f as usize))
}

// ---- sending ----

/// Sends a request: the request line (method upper-cased, a leading `/` added to the path), the
/// headers given, `Host` (with the port unless 80; none for CONNECT), `Content-Length` for a
/// body, and the store's cookies for the host and path (with UseCookie), then the body.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_SendRequest(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpszMethod: LPCSTR, lpszPath: LPCSTR, lpHeaders: *const THeader, iHeaderCount: c_int, pBody: *const BYTE, iLength: c_int) -> BOOL {
    // SAFETY: upstream's contract: the strings are NULL or NUL-terminated, `lpHeaders` NULL or
    // `iHeaderCount` readable pairs, `pBody` NULL or `iLength` readable bytes; read during the call.
    guard(|| unsafe { request(pAgent, Some(dwConnID), c_bytes(lpszMethod), lpszPath, lpHeaders, iHeaderCount, pBody, iLength) })
}

/// A request with `method`: the common part of the `Send<Method>` exports.
///
/// # Safety
/// As HP_HttpAgent_SendRequest's arguments.
#[allow(clippy::too_many_arguments)]
unsafe fn request(p: HP_HttpAgent, id: Option<HP_CONNID>, method: Option<&[u8]>, path: LPCSTR, headers: *const THeader, count: c_int, body: *const BYTE, len: c_int) -> BOOL {
    // SAFETY: this function's contract.
    let (path, headers, body) = unsafe { (c_bytes(path), http::header_pairs(headers, count), http::body(body, len)) };
    let (Some(method), Some(body)) = (method.filter(|m| !m.is_empty()), body) else { return tcp::bad_arg() };
    http::request_blocking(p, R, id, method, path.unwrap_or(b"/"), &headers, body)
}

/// HP_HttpAgent_SendRequest with method POST and body `pBody` (`iLength` bytes). FALSE with errno
/// EBADSLT for an unknown id, EINVAL for a NULL body with a length.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_SendPost(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpszPath: LPCSTR, lpHeaders: *const THeader, iHeaderCount: c_int, pBody: *const BYTE, iLength: c_int) -> BOOL {
    // SAFETY: as HP_HttpAgent_SendRequest's arguments (upstream's contract).
    guard(|| unsafe { request(pAgent, Some(dwConnID), Some(b"POST"), lpszPath, lpHeaders, iHeaderCount, pBody, iLength) })
}
/// HP_HttpAgent_SendRequest with method PUT and body `pBody` (`iLength` bytes). FALSE with errno
/// EBADSLT for an unknown id, EINVAL for a NULL body with a length.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_SendPut(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpszPath: LPCSTR, lpHeaders: *const THeader, iHeaderCount: c_int, pBody: *const BYTE, iLength: c_int) -> BOOL {
    // SAFETY: as HP_HttpAgent_SendRequest's arguments (upstream's contract).
    guard(|| unsafe { request(pAgent, Some(dwConnID), Some(b"PUT"), lpszPath, lpHeaders, iHeaderCount, pBody, iLength) })
}
/// HP_HttpAgent_SendRequest with method PATCH and body `pBody` (`iLength` bytes). FALSE with errno
/// EBADSLT for an unknown id, EINVAL for a NULL body with a length.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_SendPatch(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpszPath: LPCSTR, lpHeaders: *const THeader, iHeaderCount: c_int, pBody: *const BYTE, iLength: c_int) -> BOOL {
    // SAFETY: as HP_HttpAgent_SendRequest's arguments (upstream's contract).
    guard(|| unsafe { request(pAgent, Some(dwConnID), Some(b"PATCH"), lpszPath, lpHeaders, iHeaderCount, pBody, iLength) })
}
/// HP_HttpAgent_SendRequest with method GET and no body; a NULL `lpszPath` is "/". FALSE with errno
/// EBADSLT for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_SendGet(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpszPath: LPCSTR, lpHeaders: *const THeader, iHeaderCount: c_int) -> BOOL {
    // SAFETY: as HP_HttpAgent_SendRequest's arguments (upstream's contract).
    guard(|| unsafe { request(pAgent, Some(dwConnID), Some(b"GET"), lpszPath, lpHeaders, iHeaderCount, std::ptr::null(), 0) })
}
/// HP_HttpAgent_SendRequest with method DELETE and no body; a NULL `lpszPath` is "/". FALSE with
/// errno EBADSLT for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_SendDelete(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpszPath: LPCSTR, lpHeaders: *const THeader, iHeaderCount: c_int) -> BOOL {
    // SAFETY: as HP_HttpAgent_SendRequest's arguments (upstream's contract).
    guard(|| unsafe { request(pAgent, Some(dwConnID), Some(b"DELETE"), lpszPath, lpHeaders, iHeaderCount, std::ptr::null(), 0) })
}
/// HP_HttpAgent_SendRequest with method HEAD and no body (the response's body is not expected).
/// FALSE with errno EBADSLT for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_SendHead(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpszPath: LPCSTR, lpHeaders: *const THeader, iHeaderCount: c_int) -> BOOL {
    // SAFETY: as HP_HttpAgent_SendRequest's arguments (upstream's contract).
    guard(|| unsafe { request(pAgent, Some(dwConnID), Some(b"HEAD"), lpszPath, lpHeaders, iHeaderCount, std::ptr::null(), 0) })
}
/// HP_HttpAgent_SendRequest with method TRACE and no body; a NULL `lpszPath` is "/". FALSE with
/// errno EBADSLT for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_SendTrace(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpszPath: LPCSTR, lpHeaders: *const THeader, iHeaderCount: c_int) -> BOOL {
    // SAFETY: as HP_HttpAgent_SendRequest's arguments (upstream's contract).
    guard(|| unsafe { request(pAgent, Some(dwConnID), Some(b"TRACE"), lpszPath, lpHeaders, iHeaderCount, std::ptr::null(), 0) })
}
/// HP_HttpAgent_SendRequest with method OPTIONS and no body; a NULL `lpszPath` is "/". FALSE with
/// errno EBADSLT for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_SendOptions(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpszPath: LPCSTR, lpHeaders: *const THeader, iHeaderCount: c_int) -> BOOL {
    // SAFETY: as HP_HttpAgent_SendRequest's arguments (upstream's contract).
    guard(|| unsafe { request(pAgent, Some(dwConnID), Some(b"OPTIONS"), lpszPath, lpHeaders, iHeaderCount, std::ptr::null(), 0) })
}
/// HP_HttpAgent_SendRequest with method CONNECT to `lpszPath` (host:port), no body and no `Host`;
/// after the answer bytes reach OnReceive raw. FALSE with errno EBADSLT for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_SendConnect(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpszPath: LPCSTR, lpHeaders: *const THeader, iHeaderCount: c_int) -> BOOL {
    // SAFETY: as HP_HttpAgent_SendRequest's arguments (upstream's contract).
    guard(|| unsafe { request(pAgent, Some(dwConnID), Some(b"CONNECT"), lpszPath, lpHeaders, iHeaderCount, std::ptr::null(), 0) })
}

/// Sends a file as a request body (read whole; at most 4 MiB).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_SendLocalFile(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpszFileName: LPCSTR, lpszMethod: LPCSTR, lpszPath: LPCSTR, lpHeaders: *const THeader, iHeaderCount: c_int) -> BOOL {
    guard(|| {
        // SAFETY: upstream's contract: the strings are NULL or NUL-terminated, `lpHeaders` NULL or
        // `iHeaderCount` readable pairs; read during the call.
        let (file, method, path, headers) = unsafe { (c_bytes(lpszFileName), c_bytes(lpszMethod), c_bytes(lpszPath), http::header_pairs(lpHeaders, iHeaderCount)) };
        let (Some(file), Some(method)) = (file.and_then(|f| std::str::from_utf8(f).ok()), method.filter(|m| !m.is_empty())) else { return tcp::bad_arg() };
        match http::read_small_file(file) {
            Ok(data) => http::request_blocking(pAgent, R, Some(dwConnID), method, path.unwrap_or(b"/"), &headers, &data),
            Err(e) => {
                super::guard::set_errno(e);
                FALSE
            }
        }
    })
}

/// Sends one chunk of a chunked request body (`iLength` 0 ends it).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_SendChunkData(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, pData: *const BYTE, iLength: c_int, lpszExtensions: LPCSTR) -> BOOL {
    guard(|| {
        // SAFETY: `pData` is NULL or `iLength` readable bytes, `lpszExtensions` NULL or
        // NUL-terminated (upstream's contract); both read only during this call.
        let (data, ext) = unsafe { (http::body(pData, iLength), c_bytes(lpszExtensions)) };
        let Some(data) = data else { return tcp::bad_arg() };
        http::send_chunk(pAgent, R, Some(dwConnID), data, ext)
    })
}

/// Sends one WebSocket frame, masked with the 4 bytes at `lpszMask` (NULL: unmasked); the
/// caller's buffer is never modified. `ullBodyLen` 0 means `iLength`; a larger value means the
/// rest of the payload follows by Send.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_SendWSMessage(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, bFinal: BOOL, iReserved: BYTE, iOperationCode: BYTE, lpszMask: *const BYTE, pData: *const BYTE, iLength: c_int, ullBodyLen: ULONGLONG) -> BOOL {
    guard(|| {
        // SAFETY: `pData` is NULL or `iLength` readable bytes; `lpszMask` NULL or 4 readable bytes
        // (upstream's contract).
        let (data, mask) = unsafe { (http::body(pData, iLength), (!lpszMask.is_null()).then(|| *(lpszMask as *const [u8; 4]))) };
        let Some(data) = data else { return tcp::bad_arg() };
        http::send_ws(pAgent, R, Some(dwConnID), bFinal != 0, iReserved, iOperationCode, mask, data, ullBodyLen)
    })
}

/// With HttpAutoStart off: parses the connection's bytes as HTTP from its next read on.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_StartHttp(pAgent: HP_HttpAgent, dwConnID: HP_CONNID) -> BOOL {
    guard(|| http::start_http(pAgent, R, Some(dwConnID)))
}

// ---- settings (while stopped) ----

/// Sets the HTTP version of the requests sent (HV_1_1 default, or HV_1_0), at any time; another
/// value is ignored with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_SetLocalVersion(pAgent: HP_HttpAgent, usVersion: HttpVersionArg) {
    guard(|| http::set_local_version(pAgent, R, usVersion))
}
/// The HTTP version requests are sent with; HV_1_1 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_GetLocalVersion(pAgent: HP_HttpAgent) -> En_HP_HttpVersion {
    guard(|| http::http_obj(pAgent, R).map_or(EnHttpVersion::HV_1_1, |(_, s)| http::local_version(s)))
}
/// Whether connections parse HTTP from their first byte (default TRUE); FALSE leaves bytes raw
/// until HP_HttpAgent_StartHttp. Taken at any time.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_SetHttpAutoStart(pAgent: HP_HttpAgent, bAutoStart: BOOL) {
    guard(|| http::set_setting(pAgent, R, |s| s.auto_start.store(bAutoStart != 0, Ordering::Relaxed)))
}
/// TRUE if HTTP starts automatically; FALSE also for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_IsHttpAutoStart(pAgent: HP_HttpAgent) -> BOOL {
    guard(|| http::get_setting(pAgent, R, |s| s.auto_start.load(Ordering::Relaxed) as BOOL))
}
/// TRUE (default): `Set-Cookie` goes into the process-wide store and requests carry its cookies.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_SetUseCookie(pAgent: HP_HttpAgent, bUseCookie: BOOL) {
    guard(|| http::set_setting(pAgent, R, |s| s.use_cookie.store(bUseCookie != 0, Ordering::Relaxed)))
}
/// TRUE if the cookie store is used; FALSE also for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_IsUseCookie(pAgent: HP_HttpAgent) -> BOOL {
    guard(|| http::get_setting(pAgent, R, |s| s.use_cookie.load(Ordering::Relaxed) as BOOL))
}

// ---- the current response (strings valid until the next response begins or the close) ----

/// The status code of connection `dwConnID`'s current response; 0 before one arrives, for an
/// unknown id or a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_GetStatusCode(pAgent: HP_HttpAgent, dwConnID: HP_CONNID) -> USHORT {
    guard(|| http::with_msg(pAgent, R, Some(dwConnID), |m| m.status()).unwrap_or(0))
}
/// TRUE if connection `dwConnID`'s current response upgrades the connection (as llhttp decides);
/// FALSE otherwise or for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_IsUpgrade(pAgent: HP_HttpAgent, dwConnID: HP_CONNID) -> BOOL {
    guard(|| http::with_msg(pAgent, R, Some(dwConnID), |m| m.is_upgrade() as BOOL).unwrap_or(FALSE))
}
/// TRUE if connection `dwConnID`'s current response keeps the connection open (by version and
/// `Connection`); FALSE otherwise or for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_IsKeepAlive(pAgent: HP_HttpAgent, dwConnID: HP_CONNID) -> BOOL {
    guard(|| http::with_msg(pAgent, R, Some(dwConnID), |m| m.is_keep_alive() as BOOL).unwrap_or(FALSE))
}
/// The HTTP version of connection `dwConnID`'s current response (major in the low byte, minor in
/// the high byte); 0 for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_GetVersion(pAgent: HP_HttpAgent, dwConnID: HP_CONNID) -> USHORT {
    guard(|| http::with_msg(pAgent, R, Some(dwConnID), |m| m.version()).unwrap_or(0))
}
/// Connection `dwConnID`'s current response's `Content-Length` (0 without one, or for an unknown
/// id).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_GetContentLength(pAgent: HP_HttpAgent, dwConnID: HP_CONNID) -> ULONGLONG {
    guard(|| http::with_msg(pAgent, R, Some(dwConnID), |m| m.content_length()).unwrap_or(0))
}
/// Connection `dwConnID`'s current response's `Content-Type`, valid until its next message or
/// close; NULL without one or for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_GetContentType(pAgent: HP_HttpAgent, dwConnID: HP_CONNID) -> LPCSTR {
    guard(|| http::msg_str(pAgent, R, Some(dwConnID), |m| m.content_type()))
}
/// Connection `dwConnID`'s current response's `Content-Encoding`, valid until its next message or
/// close; NULL without one or for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_GetContentEncoding(pAgent: HP_HttpAgent, dwConnID: HP_CONNID) -> LPCSTR {
    guard(|| http::msg_str(pAgent, R, Some(dwConnID), |m| m.content_encoding()))
}
/// Connection `dwConnID`'s current response's `Transfer-Encoding`, valid until its next message or
/// close; NULL without one or for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_GetTransferEncoding(pAgent: HP_HttpAgent, dwConnID: HP_CONNID) -> LPCSTR {
    guard(|| http::msg_str(pAgent, R, Some(dwConnID), |m| m.transfer_encoding()))
}
/// The upgrade connection `dwConnID`'s current response asks for (HUT_WEB_SOCKET, HUT_HTTP_TUNNEL,
/// HUT_UNKNOWN); HUT_NONE without one or for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_GetUpgradeType(pAgent: HP_HttpAgent, dwConnID: HP_CONNID) -> En_HP_HttpUpgradeType {
    guard(|| http::with_msg(pAgent, R, Some(dwConnID), |m| http::upgrade_type(m.upgrade_type())).unwrap_or(EnHttpUpgradeType::HUT_NONE))
}
/// Connection `dwConnID`'s last parse error (an HPE_* number, 0 for none or an unknown id); stores
/// its text (or NULL) in `*lpszErrorDesc` unless that is NULL.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_GetParseErrorCode(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpszErrorDesc: *mut LPCSTR) -> USHORT {
    // SAFETY: `lpszErrorDesc` is NULL or writable (upstream's contract).
    guard(|| unsafe { http::parse_error(pAgent, R, Some(dwConnID), lpszErrorDesc) })
}
/// Stores the first value of header `lpszName` (case ignored) of connection `dwConnID`'s current
/// response in `*lpszValue`. FALSE when absent or for an unknown id; EINVAL for a NULL argument.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_GetHeader(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpszName: LPCSTR, lpszValue: *mut LPCSTR) -> BOOL {
    // SAFETY: `lpszName` is NULL or NUL-terminated, `lpszValue` NULL or writable (upstream's contract).
    guard(|| unsafe { http::lookup(pAgent, R, Some(dwConnID), lpszName, lpszValue, false) })
}
/// Copies every value of header `lpszName` (case ignored) into `lpszValue` (room for `*pdwCount`);
/// `*pdwCount` becomes their number. FALSE for NULL or too small an array (count needed) or an
/// unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_GetHeaders(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpszName: LPCSTR, lpszValue: *mut LPCSTR, pdwCount: *mut DWORD) -> BOOL {
    // SAFETY: upstream's contract: `lpszName` NULL or NUL-terminated, `pdwCount` NULL or
    // writable, `lpszValue` NULL or writable for `*pdwCount` pointers.
    guard(|| unsafe { http::header_values(pAgent, R, Some(dwConnID), lpszName, lpszValue, pdwCount) })
}
/// Copies every header of connection `dwConnID`'s current response into `lpHeaders` (room for
/// `*pdwCount`); `*pdwCount` becomes their number. FALSE for NULL or too small an array (count
/// needed).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_GetAllHeaders(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpHeaders: *mut THeader, pdwCount: *mut DWORD) -> BOOL {
    // SAFETY: upstream's contract: `pdwCount` NULL or writable, `lpHeaders` NULL or writable for
    // `*pdwCount` pairs.
    guard(|| unsafe { http::all_pairs(pAgent, R, Some(dwConnID), lpHeaders, pdwCount, false) })
}
/// Copies each header's name (repeated names repeat) of connection `dwConnID`'s current response
/// into `lpszName` (room for `*pdwCount`); `*pdwCount` becomes their number. FALSE for NULL or too
/// small an array (count needed).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_GetAllHeaderNames(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpszName: *mut LPCSTR, pdwCount: *mut DWORD) -> BOOL {
    // SAFETY: upstream's contract: `pdwCount` NULL or writable, `lpszName` NULL or writable for
    // `*pdwCount` pointers.
    guard(|| unsafe { http::header_names(pAgent, R, Some(dwConnID), lpszName, pdwCount) })
}
/// A cookie the response set (exact name).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_GetCookie(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpszName: LPCSTR, lpszValue: *mut LPCSTR) -> BOOL {
    // SAFETY: `lpszName` is NULL or NUL-terminated, `lpszValue` NULL or writable (upstream's contract).
    guard(|| unsafe { http::lookup(pAgent, R, Some(dwConnID), lpszName, lpszValue, true) })
}
/// Copies the cookies connection `dwConnID`'s current response set into `lpCookies` (room for
/// `*pdwCount`); `*pdwCount` becomes their number. FALSE for NULL or too small an array (count
/// needed).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_GetAllCookies(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpCookies: *mut TCookie, pdwCount: *mut DWORD) -> BOOL {
    // SAFETY: upstream's contract: `pdwCount` NULL or writable, `lpCookies` NULL or writable for
    // `*pdwCount` pairs.
    guard(|| unsafe { http::all_pairs(pAgent, R, Some(dwConnID), lpCookies, pdwCount, true) })
}
/// Stores the current WebSocket frame's FIN, RSV, opcode, mask (NULL if unmasked), payload length
/// and bytes still to come (each out-pointer may be NULL). FALSE unless the connection was upgraded
/// to WebSocket.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpAgent_GetWSMessageState(pAgent: HP_HttpAgent, dwConnID: HP_CONNID, lpbFinal: *mut BOOL, lpiReserved: *mut BYTE, lpiOperationCode: *mut BYTE, lpszMask: *mut LPCBYTE, lpullBodyLen: *mut ULONGLONG, lpullBodyRemain: *mut ULONGLONG) -> BOOL {
    // SAFETY: each out-pointer is NULL or writable (upstream's contract).
    guard(|| unsafe { http::ws_state(pAgent, R, Some(dwConnID), lpbFinal, lpiReserved, lpiOperationCode, lpszMask, lpullBodyLen, lpullBodyRemain) })
}
