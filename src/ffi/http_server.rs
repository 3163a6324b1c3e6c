//! `HP_HttpServer_*`, `HP_Set_FN_HttpServer_*` and the HttpServer creators. An HttpServer is a
//! TcpServer whose connections parse requests: every `HP_Server_*` and `HP_TcpServer_*` function
//! works on it too.
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

const R: Role = Role::Server;
const LK: ListenerKind = ListenerKind::HttpServer;

/// Creates an HttpServer listener (a table of callbacks, all NULL); NULL only if the handle table
/// is full.
#[no_mangle]
pub extern "C" fn Create_HP_HttpServerListener() -> HP_HttpServerListener {
    listener::create(LK)
}

/// Frees a listener made by Create_HP_HttpServerListener; components still using it keep their own
/// reference. Any other handle is refused with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_HttpServerListener(pListener: HP_HttpServerListener) {
    listener::destroy(pListener, LK)
}

/// Creates a stopped HttpServer raising `pListener`'s socket and HTTP callbacks; NULL with errno
/// EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_HttpServer(pListener: HP_HttpServerListener) -> HP_HttpServer {
    guard(|| tcp::create_http(pListener, R, LK))
}

/// Stops the server if needed, waits for its callbacks and frees it. A handle not made by
/// Create_HP_HttpServer: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_HttpServer(pServer: HP_HttpServer) {
    guard(|| tcp::destroy(pServer, R, tcp::Class::Http))
}

// ---- listener callbacks ----

/// Sets the OnPrepareListen callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnPrepareListen(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnPrepareListen) {
    listener::set_fn(pListener, LK, Slot::PrepareListen, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnAccept callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnAccept(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnAccept) {
    listener::set_fn(pListener, LK, Slot::Accept, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnHandShake callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnHandShake(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnHandShake) {
    listener::set_fn(pListener, LK, Slot::HandShake, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnReceive callback (raw bytes: before StartHttp or after a non-WebSocket upgrade; NULL
/// clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnReceive(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnReceive) {
    listener::set_fn(pListener, LK, Slot::Receive, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnSend callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnSend(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnSend) {
    listener::set_fn(pListener, LK, Slot::Send, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnClose callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnClose(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnClose) {
    listener::set_fn(pListener, LK, Slot::Close, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnShutdown callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnShutdown(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnShutdown) {
    listener::set_fn(pListener, LK, Slot::Shutdown, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnMessageBegin callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnMessageBegin(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnMessageBegin) {
    listener::set_fn(pListener, LK, Slot::MessageBegin, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnRequestLine callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnRequestLine(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnRequestLine) {
    listener::set_fn(pListener, LK, Slot::RequestLine, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnHeader callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnHeader(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnHeader) {
    listener::set_fn(pListener, LK, Slot::Header, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnHeadersComplete callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnHeadersComplete(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnHeadersComplete) {
    listener::set_fn(pListener, LK, Slot::HeadersComplete, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnBody callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnBody(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnBody) {
    listener::set_fn(pListener, LK, Slot::Body, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnChunkHeader callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnChunkHeader(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnChunkHeader) {
    listener::set_fn(pListener, LK, Slot::ChunkHeader, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnChunkComplete callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnChunkComplete(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnChunkComplete) {
    listener::set_fn(pListener, LK, Slot::ChunkComplete, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnMessageComplete callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnMessageComplete(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnMessageComplete) {
    listener::set_fn(pListener, LK, Slot::MessageComplete, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnUpgrade callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnUpgrade(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnUpgrade) {
    listener::set_fn(pListener, LK, Slot::Upgrade, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnParseError callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnParseError(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnParseError) {
    listener::set_fn(pListener, LK, Slot::ParseError, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnWSMessageHeader callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnWSMessageHeader(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnWSMessageHeader) {
    listener::set_fn(pListener, LK, Slot::WsMessageHeader, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnWSMessageBody callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnWSMessageBody(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnWSMessageBody) {
    listener::set_fn(pListener, LK, Slot::WsMessageBody, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnWSMessageComplete callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_HttpServer_OnWSMessageComplete(pListener: HP_HttpServerListener, fn_: HP_FN_HttpServer_OnWSMessageComplete) {
    listener::set_fn(pListener, LK, Slot::WsMessageComplete, fn_.map_or(0, |f| f as usize))
}

// ---- sending ----

/// Sends a response: the status line (a NULL `lpszDesc` gets the standard reason phrase), the
/// headers given, `Content-Length` (unless given, also for an empty body) and `Connection` from
/// the request's keep-alive (unless given), then the body. FALSE with EBADSLT for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_SendResponse(pServer: HP_HttpServer, dwConnID: HP_CONNID, usStatusCode: USHORT, lpszDesc: LPCSTR, lpHeaders: *const THeader, iHeaderCount: c_int, pData: *const BYTE, iLength: c_int) -> BOOL {
    guard(|| {
        // SAFETY: upstream's contract for this function: `lpszDesc` is NULL or NUL-terminated,
        // `lpHeaders` NULL or `iHeaderCount` readable pairs of NULL / NUL-terminated strings,
        // `pData` NULL or `iLength` readable bytes; all are read only during this call.
        let (desc, headers, data) = unsafe { (c_bytes(lpszDesc), http::header_pairs(lpHeaders, iHeaderCount), http::body(pData, iLength)) };
        let Some(data) = data else { return tcp::bad_arg() };
        http::send_response(pServer, dwConnID, usStatusCode, desc, &headers, data)
    })
}

/// Sends a file as a response body (read whole; at most 4 MiB, as SendSmallFile).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_SendLocalFile(pServer: HP_HttpServer, dwConnID: HP_CONNID, lpszFileName: LPCSTR, usStatusCode: USHORT, lpszDesc: LPCSTR, lpHeaders: *const THeader, iHeaderCount: c_int) -> BOOL {
    guard(|| {
        // SAFETY: as in HP_HttpServer_SendResponse; `lpszFileName` is NULL or NUL-terminated.
        let (file, desc, headers) = unsafe { (c_bytes(lpszFileName), c_bytes(lpszDesc), http::header_pairs(lpHeaders, iHeaderCount)) };
        let Some(path) = file.and_then(|f| std::str::from_utf8(f).ok()) else { return tcp::bad_arg() };
        match http::read_small_file(path) {
            Ok(data) => http::send_response(pServer, dwConnID, usStatusCode, desc, &headers, &data),
            Err(e) => {
                super::guard::set_errno(e);
                FALSE
            }
        }
    })
}

/// Sends one chunk of a chunked body (`iLength` 0 ends it); `lpszExtensions` NULL for none.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_SendChunkData(pServer: HP_HttpServer, dwConnID: HP_CONNID, pData: *const BYTE, iLength: c_int, lpszExtensions: LPCSTR) -> BOOL {
    guard(|| {
        // SAFETY: `pData` is NULL or `iLength` readable bytes, `lpszExtensions` NULL or
        // NUL-terminated (upstream's contract); both read only during this call.
        let (data, ext) = unsafe { (http::body(pData, iLength), c_bytes(lpszExtensions)) };
        let Some(data) = data else { return tcp::bad_arg() };
        http::send_chunk(pServer, R, Some(dwConnID), data, ext)
    })
}

/// Sends one WebSocket frame (unmasked, as a server's are); `ullBodyLen` 0 means `iLength`, a
/// larger value means the rest of the payload follows in later `HP_Server_Send` calls.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_SendWSMessage(pServer: HP_HttpServer, dwConnID: HP_CONNID, bFinal: BOOL, iReserved: BYTE, iOperationCode: BYTE, pData: *const BYTE, iLength: c_int, ullBodyLen: ULONGLONG) -> BOOL {
    guard(|| {
        // SAFETY: `pData` is NULL or `iLength` readable bytes (upstream's contract).
        let Some(data) = (unsafe { http::body(pData, iLength) }) else { return tcp::bad_arg() };
        http::send_ws(pServer, R, Some(dwConnID), bFinal != 0, iReserved, iOperationCode, None, data, ullBodyLen)
    })
}

/// Closes the connection `ReleaseDelay` ms from now (its queued data is written first); data
/// arriving meanwhile closes it at once.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_Release(pServer: HP_HttpServer, dwConnID: HP_CONNID) -> BOOL {
    guard(|| http::release(pServer, R, Some(dwConnID)))
}

/// With HttpAutoStart off: parses the connection's bytes as HTTP from its next read on.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_StartHttp(pServer: HP_HttpServer, dwConnID: HP_CONNID) -> BOOL {
    guard(|| http::start_http(pServer, R, Some(dwConnID)))
}

// ---- settings (while stopped) ----

/// 100..60000 ms, checked at Start (default 3000).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_SetReleaseDelay(pServer: HP_HttpServer, dwReleaseDelay: DWORD) {
    guard(|| http::set_setting(pServer, R, |s| s.release_delay.store(dwReleaseDelay, Ordering::Relaxed)))
}
/// The release delay in ms (default 3000); 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetReleaseDelay(pServer: HP_HttpServer) -> DWORD {
    guard(|| http::get_setting(pServer, R, |s| s.release_delay.load(Ordering::Relaxed)))
}
/// HV_1_1 (default) or HV_1_0: the version written in responses.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_SetLocalVersion(pServer: HP_HttpServer, usVersion: HttpVersionArg) {
    guard(|| http::set_local_version(pServer, R, usVersion))
}
/// The HTTP version responses are written with; HV_1_1 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetLocalVersion(pServer: HP_HttpServer) -> En_HP_HttpVersion {
    guard(|| http::http_obj(pServer, R).map_or(EnHttpVersion::HV_1_1, |(_, s)| http::local_version(s)))
}
/// TRUE (default): connections parse HTTP from their first byte; FALSE: raw bytes reach
/// OnReceive until `StartHttp`.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_SetHttpAutoStart(pServer: HP_HttpServer, bAutoStart: BOOL) {
    guard(|| http::set_setting(pServer, R, |s| s.auto_start.store(bAutoStart != 0, Ordering::Relaxed)))
}
/// TRUE if HTTP starts automatically; FALSE also for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_IsHttpAutoStart(pServer: HP_HttpServer) -> BOOL {
    guard(|| http::get_setting(pServer, R, |s| s.auto_start.load(Ordering::Relaxed) as BOOL))
}

// ---- the current request of a connection (strings valid until its next request begins or it
// closes) ----

/// Whether the request upgrades the connection (WebSocket, CONNECT tunnel, ...).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_IsUpgrade(pServer: HP_HttpServer, dwConnID: HP_CONNID) -> BOOL {
    guard(|| http::with_msg(pServer, R, Some(dwConnID), |m| m.is_upgrade() as BOOL).unwrap_or(FALSE))
}
/// Whether the request keeps the connection alive (its version and `Connection` header).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_IsKeepAlive(pServer: HP_HttpServer, dwConnID: HP_CONNID) -> BOOL {
    guard(|| http::with_msg(pServer, R, Some(dwConnID), |m| m.is_keep_alive() as BOOL).unwrap_or(FALSE))
}
/// The request's version, as `En_HP_HttpVersion` numbers it (major in the low byte).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetVersion(pServer: HP_HttpServer, dwConnID: HP_CONNID) -> USHORT {
    guard(|| http::with_msg(pServer, R, Some(dwConnID), |m| m.version()).unwrap_or(0))
}
/// The request's `Host` header, valid until the connection's next message or close; NULL without
/// one or for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetHost(pServer: HP_HttpServer, dwConnID: HP_CONNID) -> LPCSTR {
    guard(|| http::msg_str(pServer, R, Some(dwConnID), |m| m.host()))
}
/// The request's `Content-Length` (0 without one, or for an unknown id).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetContentLength(pServer: HP_HttpServer, dwConnID: HP_CONNID) -> ULONGLONG {
    guard(|| http::with_msg(pServer, R, Some(dwConnID), |m| m.content_length()).unwrap_or(0))
}
/// The request's `Content-Type`, valid until the connection's next message or close; NULL without
/// one or for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetContentType(pServer: HP_HttpServer, dwConnID: HP_CONNID) -> LPCSTR {
    guard(|| http::msg_str(pServer, R, Some(dwConnID), |m| m.content_type()))
}
/// The request's `Content-Encoding`, valid until the connection's next message or close; NULL
/// without one or for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetContentEncoding(pServer: HP_HttpServer, dwConnID: HP_CONNID) -> LPCSTR {
    guard(|| http::msg_str(pServer, R, Some(dwConnID), |m| m.content_encoding()))
}
/// The request's `Transfer-Encoding`, valid until the connection's next message or close; NULL
/// without one or for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetTransferEncoding(pServer: HP_HttpServer, dwConnID: HP_CONNID) -> LPCSTR {
    guard(|| http::msg_str(pServer, R, Some(dwConnID), |m| m.transfer_encoding()))
}
/// The upgrade the request asks for (HUT_WEB_SOCKET, HUT_HTTP_TUNNEL, HUT_UNKNOWN); HUT_NONE
/// without one or for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetUpgradeType(pServer: HP_HttpServer, dwConnID: HP_CONNID) -> En_HP_HttpUpgradeType {
    guard(|| http::with_msg(pServer, R, Some(dwConnID), |m| http::upgrade_type(m.upgrade_type())).unwrap_or(EnHttpUpgradeType::HUT_NONE))
}
/// llhttp's error number of the connection's parse error (0 for none), and its text.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetParseErrorCode(pServer: HP_HttpServer, dwConnID: HP_CONNID, lpszErrorDesc: *mut LPCSTR) -> USHORT {
    // SAFETY: `lpszErrorDesc` is NULL or writable (upstream's contract).
    guard(|| unsafe { http::parse_error(pServer, R, Some(dwConnID), lpszErrorDesc) })
}
/// The first value of header `lpszName` (any case).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetHeader(pServer: HP_HttpServer, dwConnID: HP_CONNID, lpszName: LPCSTR, lpszValue: *mut LPCSTR) -> BOOL {
    // SAFETY: `lpszName` is NULL or NUL-terminated, `lpszValue` NULL or writable (upstream's contract).
    guard(|| unsafe { http::lookup(pServer, R, Some(dwConnID), lpszName, lpszValue, false) })
}
/// Every value of header `lpszName`: NULL or too small an array gives FALSE and the count needed.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetHeaders(pServer: HP_HttpServer, dwConnID: HP_CONNID, lpszName: LPCSTR, lpszValue: *mut LPCSTR, pdwCount: *mut DWORD) -> BOOL {
    // SAFETY: upstream's contract: `lpszName` NULL or NUL-terminated, `pdwCount` NULL or
    // writable, `lpszValue` NULL or writable for `*pdwCount` pointers.
    guard(|| unsafe { http::header_values(pServer, R, Some(dwConnID), lpszName, lpszValue, pdwCount) })
}
/// Copies every header of the request into `lpHeaders` (room for `*pdwCount`); `*pdwCount` becomes
/// their number. FALSE for NULL or too small an array (count needed) or an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetAllHeaders(pServer: HP_HttpServer, dwConnID: HP_CONNID, lpHeaders: *mut THeader, pdwCount: *mut DWORD) -> BOOL {
    // SAFETY: upstream's contract: `pdwCount` NULL or writable, `lpHeaders` NULL or writable
    // for `*pdwCount` pairs.
    guard(|| unsafe { http::all_pairs(pServer, R, Some(dwConnID), lpHeaders, pdwCount, false) })
}
/// Copies each header's name (repeated names repeat) into `lpszName` (room for `*pdwCount`);
/// `*pdwCount` becomes their number. FALSE for NULL or too small an array (count needed).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetAllHeaderNames(pServer: HP_HttpServer, dwConnID: HP_CONNID, lpszName: *mut LPCSTR, pdwCount: *mut DWORD) -> BOOL {
    // SAFETY: upstream's contract: `pdwCount` NULL or writable, `lpszName` NULL or writable
    // for `*pdwCount` pointers.
    guard(|| unsafe { http::header_names(pServer, R, Some(dwConnID), lpszName, pdwCount) })
}
/// A cookie of the request (exact name).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetCookie(pServer: HP_HttpServer, dwConnID: HP_CONNID, lpszName: LPCSTR, lpszValue: *mut LPCSTR) -> BOOL {
    // SAFETY: `lpszName` is NULL or NUL-terminated, `lpszValue` NULL or writable (upstream's contract).
    guard(|| unsafe { http::lookup(pServer, R, Some(dwConnID), lpszName, lpszValue, true) })
}
/// Copies the request's cookies into `lpCookies` (room for `*pdwCount`); `*pdwCount` becomes their
/// number. FALSE for NULL or too small an array (count needed) or an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetAllCookies(pServer: HP_HttpServer, dwConnID: HP_CONNID, lpCookies: *mut TCookie, pdwCount: *mut DWORD) -> BOOL {
    // SAFETY: upstream's contract: `pdwCount` NULL or writable, `lpCookies` NULL or writable
    // for `*pdwCount` pairs.
    guard(|| unsafe { http::all_pairs(pServer, R, Some(dwConnID), lpCookies, pdwCount, true) })
}
/// The request line's method.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetMethod(pServer: HP_HttpServer, dwConnID: HP_CONNID) -> LPCSTR {
    guard(|| http::msg_str(pServer, R, Some(dwConnID), |m| m.method()))
}
/// Which URL fields the request's URL has (bit `1 << HUF_*`).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetUrlFieldSet(pServer: HP_HttpServer, dwConnID: HP_CONNID) -> USHORT {
    guard(|| http::with_msg(pServer, R, Some(dwConnID), |m| m.url_field_set()).unwrap_or(0))
}
/// The request URL's field `enField` (HUF_SCHEMA .. HUF_USERINFO), valid until the connection's
/// next message or close; NULL if absent or for an unknown id, with errno EINVAL for an unknown
/// field.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetUrlField(pServer: HP_HttpServer, dwConnID: HP_CONNID, enField: HttpUrlFieldArg) -> LPCSTR {
    guard(|| http::url_field(pServer, R, Some(dwConnID), enField))
}
/// The current WebSocket frame: final flag, reserved bits, opcode, mask (NULL when unmasked;
/// valid until the next frame), payload length and what of it is still to come.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpServer_GetWSMessageState(pServer: HP_HttpServer, dwConnID: HP_CONNID, lpbFinal: *mut BOOL, lpiReserved: *mut BYTE, lpiOperationCode: *mut BYTE, lpszMask: *mut LPCBYTE, lpullBodyLen: *mut ULONGLONG, lpullBodyRemain: *mut ULONGLONG) -> BOOL {
    // SAFETY: each out-pointer is NULL or writable (upstream's contract).
    guard(|| unsafe { http::ws_state(pServer, R, Some(dwConnID), lpbFinal, lpiReserved, lpiOperationCode, lpszMask, lpullBodyLen, lpullBodyRemain) })
}
