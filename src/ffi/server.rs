//! `HP_Server_*`, `HP_TcpServer_*`, `HP_Set_FN_Server_*` and the TcpServer creators.
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_snake_case, clippy::missing_safety_doc)]

use super::guard::guard;
use super::handles::*;
use super::listener::{self, ListenerKind, Slot};
use super::tcp::{self, comp, done, get_opt, get_tcp_opt, invalid, set_opt, set_tcp_opt, tcp_comp, FALSE};
use super::types::*;
use crate::engine::component::Role;
use std::os::raw::c_int;

const R: Role = Role::Server;
const LK: ListenerKind = ListenerKind::Server;

/// Creates a TcpServer listener (a table of callbacks, all NULL); NULL only if the handle table is
/// full.
#[no_mangle]
pub extern "C" fn Create_HP_TcpServerListener() -> HP_TcpServerListener {
    listener::create(LK)
}

/// Frees a listener made by Create_HP_TcpServerListener; components still using it keep their own
/// reference. Any other handle is refused with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpServerListener(pListener: HP_TcpServerListener) {
    listener::destroy(pListener, LK)
}

/// Creates a stopped TcpServer (PUSH model) raising `pListener`'s callbacks; NULL with errno EINVAL
/// for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_TcpServer(pListener: HP_TcpServerListener) -> HP_TcpServer {
    guard(|| tcp::create(pListener, R))
}

/// Stops the server if needed, waits for its callbacks and frees it (from inside its own callback
/// the free finishes on a helper thread). A handle not made by Create_HP_TcpServer: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpServer(pServer: HP_TcpServer) {
    guard(|| tcp::destroy(pServer, R, tcp::Class::Tcp))
}

// ---- listener callbacks ----

/// Sets the OnPrepareListen callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Server_OnPrepareListen(pListener: HP_ServerListener, fn_: HP_FN_Server_OnPrepareListen) {
    listener::set_fn(pListener, LK, Slot::PrepareListen, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnAccept callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Server_OnAccept(pListener: HP_ServerListener, fn_: HP_FN_Server_OnAccept) {
    listener::set_fn(pListener, LK, Slot::Accept, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnHandShake callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Server_OnHandShake(pListener: HP_ServerListener, fn_: HP_FN_Server_OnHandShake) {
    listener::set_fn(pListener, LK, Slot::HandShake, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnSend callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Server_OnSend(pListener: HP_ServerListener, fn_: HP_FN_Server_OnSend) {
    listener::set_fn(pListener, LK, Slot::Send, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnReceive callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Server_OnReceive(pListener: HP_ServerListener, fn_: HP_FN_Server_OnReceive) {
    listener::set_fn(pListener, LK, Slot::Receive, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnPullReceive callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Server_OnPullReceive(pListener: HP_ServerListener, fn_: HP_FN_Server_OnPullReceive) {
    listener::set_fn(pListener, LK, Slot::PullReceive, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnClose callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Server_OnClose(pListener: HP_ServerListener, fn_: HP_FN_Server_OnClose) {
    listener::set_fn(pListener, LK, Slot::Close, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnShutdown callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Server_OnShutdown(pListener: HP_ServerListener, fn_: HP_FN_Server_OnShutdown) {
    listener::set_fn(pListener, LK, Slot::Shutdown, fn_.map_or(0, |f| f as usize))
}

// ---- lifecycle ----

/// Listens on `lpszBindAddress` (NULL or "": all addresses, `::` with DualStack) and `usPort`, then
/// raises OnPrepareListen. FALSE with the reason in HP_Server_GetLastError (SE_ILLEGAL_STATE unless
/// stopped, SE_INVALID_PARAM for bad options); a failure after the checks runs Stop.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_Start(pServer: HP_Server, lpszBindAddress: LPCTSTR, usPort: USHORT) -> BOOL {
    guard(|| {
        // Owned for the call: a Destroy from OnPrepareListen (raised in this thread) must not free
        // the component under it.
        let Some(c) = comp(pServer, R).cloned() else { return FALSE };
        // SAFETY: `lpszBindAddress` is NULL or a NUL-terminated string (upstream's contract for
        // HP_Server_Start); opt_str reads it only when non-NULL.
        let Ok(bind) = (unsafe { tcp::opt_str(lpszBindAddress) }) else { return invalid(&c) };
        if tcp::obj(pServer, R).is_some_and(|o| !super::http::settings_valid(o)) {
            return invalid(&c);
        }
        done(&c, c.start_server(bind, usPort))
    })
}

/// Closes every connection (OnClose(SO_CLOSE, 0) each), then raises OnShutdown. FALSE with
/// SE_ILLEGAL_STATE / EPERM unless started (while another Stop is under way it first waits, outside
/// the component's callbacks, until that one is done, as upstream); from inside a callback it
/// returns at once and completes later.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_Stop(pServer: HP_Server) -> BOOL {
    guard(|| comp(pServer, R).cloned().map_or(FALSE, |c| done(&c, c.stop())))
}

/// Waits up to `dwMilliseconds` (INFINITE: no limit) for the server to reach SS_STOPPED; TRUE when
/// it is stopped, FALSE on timeout.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_Wait(pServer: HP_Server, dwMilliseconds: DWORD) -> BOOL {
    guard(|| comp(pServer, R).map_or(FALSE, |c| tcp::wait(c, dwMilliseconds)))
}

/// TRUE while the server is starting or started; FALSE otherwise or for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_HasStarted(pServer: HP_Server) -> BOOL {
    guard(|| comp(pServer, R).map_or(FALSE, |c| tcp::has_started(c)))
}

/// The service state (SS_STARTING, SS_STARTED, SS_STOPPING, SS_STOPPED); SS_STOPPED for a bad
/// handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetState(pServer: HP_Server) -> En_HP_ServiceState {
    guard(|| comp(pServer, R).map_or(EnServiceState::SS_STOPPED, |c| tcp::state_of(c.state())))
}

/// The error of the last Start or Stop (SE_OK if it succeeded); SE_INVALID_PARAM for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetLastError(pServer: HP_Server) -> En_HP_SocketError {
    guard(|| comp(pServer, R).map_or(EnSocketError::SE_INVALID_PARAM, |c| tcp::error_of(c.last_error())))
}

/// A static text describing HP_Server_GetLastError; NULL for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetLastErrorDesc(pServer: HP_Server) -> LPCTSTR {
    guard(|| comp(pServer, R).map_or(std::ptr::null(), |c| tcp::error_desc(c.last_error() as c_int)))
}

// ---- sending ----

/// Sends `iLength` bytes from `pBuffer` on connection `dwConnID` (queued; a write error later
/// closes the connection with OnClose(SO_SEND, errno)). FALSE with errno EBADSLT for an unknown id;
/// a length of 0 succeeds and sends nothing (a PACK server refuses it with EMSGSIZE).
#[no_mangle]
pub unsafe extern "C" fn HP_Server_Send(pServer: HP_Server, dwConnID: HP_CONNID, pBuffer: *const BYTE, iLength: c_int) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` (upstream's contract for
    // HP_Server_Send); send_buf refuses a NULL buffer and lengths <= 0.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::send_buf(c, dwConnID, pBuffer, iLength, 0) }))
}

/// As HP_Server_Send, sending `iLength` bytes from `pBuffer + iOffset`; a negative offset or a NULL
/// buffer is EINVAL.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SendPart(pServer: HP_Server, dwConnID: HP_CONNID, pBuffer: *const BYTE, iLength: c_int, iOffset: c_int) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` + `iOffset` (upstream's
    // contract for HP_Server_SendPart); send_buf refuses a NULL buffer, lengths <= 0 and negative
    // offsets.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::send_buf(c, dwConnID, pBuffer, iLength, iOffset) }))
}

/// Sends `iCount` buffers as one contiguous write (one message on a PACK server). FALSE with errno
/// EBADSLT for an unknown id, EINVAL for a NULL array, a count <= 0 or a NULL `buf` with a length.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SendPackets(pServer: HP_Server, dwConnID: HP_CONNID, pBuffers: *const WSABUF, iCount: c_int) -> BOOL {
    // SAFETY: `pBuffers` points to `iCount` WSABUFs, each with `len` readable bytes at `buf`
    // (upstream's contract for HP_Server_SendPackets); send_packets refuses NULL, counts <= 0 and a
    // NULL `buf` with a non-zero `len`.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::send_packets(c, dwConnID, pBuffers, iCount) }))
}

/// Sends `pHead` (NULL for none), the whole file `lpszFileName` (at most 4 MiB) and `pTail`. FALSE
/// with errno EFBIG above 4 MiB, ENODATA for an empty file, EINVAL if not a regular file, the open
/// errno.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_SendSmallFile(pServer: HP_Server, dwConnID: HP_CONNID, lpszFileName: LPCTSTR, pHead: LPWSABUF, pTail: LPWSABUF) -> BOOL {
    // SAFETY: `lpszFileName` is NULL or a NUL-terminated path, and `pHead` / `pTail` are NULL or
    // point to WSABUFs with `len` readable bytes at `buf` (upstream's contract for
    // HP_TcpServer_SendSmallFile); send_small_file checks each for NULL.
    guard(|| tcp_comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::send_small_file(c, dwConnID, lpszFileName, pHead, pTail) }))
}

// ---- connections ----

/// Closes connection `dwConnID` (queued data flushed best-effort; OnClose(SO_CLOSE, 0)); `bForce`
/// is ignored. FALSE with errno EBADSLT for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_Disconnect(pServer: HP_Server, dwConnID: HP_CONNID, _bForce: BOOL) -> BOOL {
    guard(|| comp(pServer, R).map_or(FALSE, |c| tcp::errno_only(c.disconnect(dwConnID))))
}

/// Closes every connection connected for at least `dwPeriod` ms; `bForce` is ignored. TRUE.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_DisconnectLongConnections(pServer: HP_Server, dwPeriod: DWORD, _bForce: BOOL) -> BOOL {
    guard(|| comp(pServer, R).map_or(FALSE, |c| tcp::disconnect_long(c, dwPeriod)))
}

/// Closes every connection silent for at least `dwPeriod` ms; `bForce` is ignored. FALSE, with no
/// error set, unless MarkSilence is on.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_DisconnectSilenceConnections(pServer: HP_Server, dwPeriod: DWORD, _bForce: BOOL) -> BOOL {
    guard(|| comp(pServer, R).map_or(FALSE, |c| tcp::disconnect_silence(c, dwPeriod)))
}

/// Pauses (`bPause` TRUE) or resumes reading from connection `dwConnID`. FALSE with errno EBADSLT
/// for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_PauseReceive(pServer: HP_Server, dwConnID: HP_CONNID, bPause: BOOL) -> BOOL {
    guard(|| comp(pServer, R).map_or(FALSE, |c| tcp::pause(c, dwConnID, bPause)))
}

/// Stores in `*pbPaused` whether receiving is paused on `dwConnID`. FALSE for an unknown id (no
/// error set), EINVAL for a NULL `pbPaused`.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_IsPauseReceive(pServer: HP_Server, dwConnID: HP_CONNID, pbPaused: *mut BOOL) -> BOOL {
    // SAFETY: `pbPaused` is NULL or writable (upstream's contract for HP_Server_IsPauseReceive);
    // is_paused checks it for NULL before writing.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::is_paused(c, dwConnID, pbPaused) }))
}

/// TRUE if connection `dwConnID` exists and is connected; FALSE otherwise (no error set).
#[no_mangle]
pub unsafe extern "C" fn HP_Server_IsConnected(pServer: HP_Server, dwConnID: HP_CONNID) -> BOOL {
    guard(|| comp(pServer, R).map_or(FALSE, |c| tcp::is_connected(c, dwConnID)))
}

/// Stores the application's `pExtra` on connection `dwConnID`; FALSE for an unknown id (no error
/// set).
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetConnectionExtra(pServer: HP_Server, dwConnID: HP_CONNID, pExtra: PVOID) -> BOOL {
    guard(|| comp(pServer, R).map_or(FALSE, |c| tcp::set_extra(c, dwConnID, pExtra)))
}

/// Stores connection `dwConnID`'s extra (NULL until set) in `*ppExtra`; FALSE for an unknown id (no
/// error set), EINVAL for a NULL `ppExtra`.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetConnectionExtra(pServer: HP_Server, dwConnID: HP_CONNID, ppExtra: *mut PVOID) -> BOOL {
    // SAFETY: `ppExtra` is NULL or writable (upstream's contract for HP_Server_GetConnectionExtra);
    // get_extra checks it for NULL before writing.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::get_extra(c, dwConnID, ppExtra) }))
}

/// Stores the bytes queued but not yet written on `dwConnID` in `*piPending`; FALSE for an unknown
/// id (no error set), EINVAL for a NULL `piPending`.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetPendingDataLength(pServer: HP_Server, dwConnID: HP_CONNID, piPending: *mut c_int) -> BOOL {
    // SAFETY: `piPending` is NULL or writable (upstream's contract for
    // HP_Server_GetPendingDataLength); pending checks it for NULL before writing.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::pending(c, dwConnID, piPending) }))
}

/// The number of open connections; 0 also for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetConnectionCount(pServer: HP_Server) -> DWORD {
    guard(|| comp(pServer, R).map_or(0, |c| c.connection_count() as DWORD))
}

/// Copies the open connections' ids into `pIDs` (room for `*pdwCount`) and sets `*pdwCount` to
/// their number. With NULL `pIDs` or too small a count: FALSE, errno ENOSPC, `*pdwCount` the number
/// needed.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetAllConnectionIDs(pServer: HP_Server, pIDs: *mut HP_CONNID, pdwCount: *mut DWORD) -> BOOL {
    // SAFETY: `pdwCount` is NULL or readable and writable, and `pIDs` is NULL or has room for
    // `*pdwCount` ids (upstream's contract for HP_Server_GetAllConnectionIDs); all_ids checks both
    // and writes at most `*pdwCount` ids.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::all_ids(c, pIDs, pdwCount) }))
}

/// Stores the ms connection `dwConnID` has been connected in `*pdwPeriod`; FALSE for an unknown id
/// (no error set), EINVAL for a NULL `pdwPeriod`.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetConnectPeriod(pServer: HP_Server, dwConnID: HP_CONNID, pdwPeriod: *mut DWORD) -> BOOL {
    // SAFETY: `pdwPeriod` is NULL or writable (upstream's contract for HP_Server_GetConnectPeriod);
    // connect_period checks it for NULL before writing.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::connect_period(c, dwConnID, pdwPeriod) }))
}

/// Stores the ms connection `dwConnID` has received nothing in `*pdwPeriod`. FALSE (no error set)
/// for an unknown id or with MarkSilence off; EINVAL for a NULL `pdwPeriod`.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetSilencePeriod(pServer: HP_Server, dwConnID: HP_CONNID, pdwPeriod: *mut DWORD) -> BOOL {
    // SAFETY: `pdwPeriod` is NULL or writable (upstream's contract for HP_Server_GetSilencePeriod);
    // silence_period checks it for NULL before writing.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::silence_period(c, dwConnID, pdwPeriod) }))
}

/// Copies the listening address (NUL-terminated; `*piAddressLen` size in, length with NUL out) and
/// its port. FALSE when not listening (no error set); ENOSPC with the size needed for too small a
/// buffer.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetListenAddress(pServer: HP_Server, lpszAddress: *mut TCHAR, piAddressLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    guard(|| {
        let Some(c) = comp(pServer, R) else { return FALSE };
        match c.listen_addr() {
            // SAFETY: `piAddressLen` and `pusPort` are NULL or writable, and `lpszAddress` is NULL
            // or has `*piAddressLen` writable bytes (upstream's contract for
            // HP_Server_GetListenAddress); write_host checks for NULL and the size before writing.
            Some(a) => unsafe { tcp::write_addr(&a.ip(), a.port(), lpszAddress, piAddressLen, pusPort) },
            None => tcp::not_found(c),
        }
    })
}

/// Copies connection `dwConnID`'s local address and port, with GetListenAddress's buffer rules.
/// FALSE for an unknown id (no error set).
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetLocalAddress(pServer: HP_Server, dwConnID: HP_CONNID, lpszAddress: *mut TCHAR, piAddressLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    // SAFETY: `piAddressLen` and `pusPort` are NULL or writable, and `lpszAddress` is NULL or has
    // `*piAddressLen` writable bytes (upstream's contract for HP_Server_GetLocalAddress);
    // write_host checks for NULL and the size before writing.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::local_addr(c, dwConnID, lpszAddress, piAddressLen, pusPort) }))
}

/// Copies connection `dwConnID`'s peer address and port, with GetListenAddress's buffer rules.
/// FALSE for an unknown id (no error set).
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetRemoteAddress(pServer: HP_Server, dwConnID: HP_CONNID, lpszAddress: *mut TCHAR, piAddressLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    // SAFETY: `piAddressLen` and `pusPort` are NULL or writable, and `lpszAddress` is NULL or has
    // `*piAddressLen` writable bytes (upstream's contract for HP_Server_GetRemoteAddress);
    // write_host checks for NULL and the size before writing.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::remote_addr(c, dwConnID, lpszAddress, piAddressLen, pusPort) }))
}

/// TRUE for the SSL components (SSL*, Https*), FALSE for the others.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_IsSecure(pServer: HP_Server) -> BOOL {
    guard(|| comp(pServer, R).map_or(FALSE, |c| tcp::bool_of(c.is_secure())))
}

// ---- options ----

/// Sets the send policy (SP_PACK, SP_SAFE, SP_DIRECT); only while stopped (else errno EPERM). An
/// unknown value is ignored with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetSendPolicy(pServer: HP_Server, enSendPolicy: SendPolicyArg) {
    guard(|| tcp::set_send_policy(pServer, R, enSendPolicy))
}
/// The send policy (default SP_PACK); SP_PACK for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetSendPolicy(pServer: HP_Server) -> En_HP_SendPolicy {
    guard(|| comp(pServer, R).map_or(EnSendPolicy::SP_PACK, |c| tcp::send_policy_out(c.options().send_policy)))
}
/// Sets the OnSend synchronisation policy (OSSP_NONE, OSSP_CLOSE, OSSP_RECEIVE); only while stopped
/// (else errno EPERM). An unknown value is ignored with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetOnSendSyncPolicy(pServer: HP_Server, enSyncPolicy: OnSendSyncPolicyArg) {
    guard(|| tcp::set_sync_policy(pServer, R, enSyncPolicy))
}
/// The OnSend synchronisation policy (default OSSP_NONE); OSSP_NONE for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetOnSendSyncPolicy(pServer: HP_Server) -> En_HP_OnSendSyncPolicy {
    guard(|| comp(pServer, R).map_or(EnOnSendSyncPolicy::OSSP_NONE, |c| tcp::sync_policy_out(c.options().on_send_sync_policy)))
}
/// Sets the address reuse policy (RAP_ADDR_AND_PORT adds SO_REUSEPORT); only while stopped (else
/// errno EPERM). An unknown value is ignored with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetReuseAddressPolicy(pServer: HP_Server, enReusePolicy: ReuseAddressPolicyArg) {
    guard(|| tcp::set_reuse_policy(pServer, R, enReusePolicy))
}
/// The address reuse policy (default RAP_ADDR_ONLY); RAP_NONE for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetReuseAddressPolicy(pServer: HP_Server) -> En_HP_ReuseAddressPolicy {
    guard(|| comp(pServer, R).map_or(EnReuseAddressPolicy::RAP_NONE, |c| tcp::reuse_policy_out(c.options().reuse_policy)))
}

/// Sets the most connections served at once (default 10000; Start refuses 0 or above 5000000); only
/// while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetMaxConnectionCount(pServer: HP_Server, dwValue: DWORD) {
    guard(|| set_opt(pServer, R, |o| o.max_connections = dwValue))
}
/// The maximum connection count; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetMaxConnectionCount(pServer: HP_Server) -> DWORD {
    guard(|| get_opt(pServer, R, |o| o.max_connections))
}
/// Sets the number of worker threads (default 2 x CPUs + 2, at most 512; Start refuses 0 or above
/// 512); only while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetWorkerThreadCount(pServer: HP_Server, dwValue: DWORD) {
    guard(|| set_opt(pServer, R, |o| o.worker_threads = dwValue))
}
/// The worker thread count; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetWorkerThreadCount(pServer: HP_Server) -> DWORD {
    guard(|| get_opt(pServer, R, |o| o.worker_threads))
}
/// Accepted and reported back, changes nothing (no object pools here; default 20000); only while
/// stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetFreeSocketObjLockTime(pServer: HP_Server, dwValue: DWORD) {
    guard(|| set_opt(pServer, R, |o| o.free_socket_obj_lock_time = dwValue))
}
/// The value set by SetFreeSocketObjLockTime; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetFreeSocketObjLockTime(pServer: HP_Server) -> DWORD {
    guard(|| get_opt(pServer, R, |o| o.free_socket_obj_lock_time))
}
/// Accepted and reported back, changes nothing (no object pools here; default 600); only while
/// stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetFreeSocketObjPool(pServer: HP_Server, dwValue: DWORD) {
    guard(|| set_opt(pServer, R, |o| o.free_socket_obj_pool = dwValue))
}
/// The value set by SetFreeSocketObjPool; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetFreeSocketObjPool(pServer: HP_Server) -> DWORD {
    guard(|| get_opt(pServer, R, |o| o.free_socket_obj_pool))
}
/// Accepted and reported back, changes nothing (no object pools here; default 1024); only while
/// stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetFreeBufferObjPool(pServer: HP_Server, dwValue: DWORD) {
    guard(|| set_opt(pServer, R, |o| o.free_buffer_obj_pool = dwValue))
}
/// The value set by SetFreeBufferObjPool; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetFreeBufferObjPool(pServer: HP_Server) -> DWORD {
    guard(|| get_opt(pServer, R, |o| o.free_buffer_obj_pool))
}
/// Accepted and reported back, changes nothing (no object pools here; default 600); only while
/// stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetFreeSocketObjHold(pServer: HP_Server, dwValue: DWORD) {
    guard(|| set_opt(pServer, R, |o| o.free_socket_obj_hold = dwValue))
}
/// The value set by SetFreeSocketObjHold; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetFreeSocketObjHold(pServer: HP_Server) -> DWORD {
    guard(|| get_opt(pServer, R, |o| o.free_socket_obj_hold))
}
/// Accepted and reported back, changes nothing (no object pools here; default 1024); only while
/// stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetFreeBufferObjHold(pServer: HP_Server, dwValue: DWORD) {
    guard(|| set_opt(pServer, R, |o| o.free_buffer_obj_hold = dwValue))
}
/// The value set by SetFreeBufferObjHold; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetFreeBufferObjHold(pServer: HP_Server) -> DWORD {
    guard(|| get_opt(pServer, R, |o| o.free_buffer_obj_hold))
}
/// Whether to track each connection's silence (default TRUE; needed by GetSilencePeriod and
/// DisconnectSilenceConnections); only while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetMarkSilence(pServer: HP_Server, bValue: BOOL) {
    guard(|| set_opt(pServer, R, |o| o.mark_silence = bValue != 0))
}
/// TRUE if silence is tracked; FALSE also for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_IsMarkSilence(pServer: HP_Server) -> BOOL {
    guard(|| get_opt(pServer, R, |o| o.mark_silence as BOOL))
}
/// Whether a server bound to NULL/"" listens on `::` serving IPv4 too (default TRUE); only while
/// stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetDualStack(pServer: HP_Server, bValue: BOOL) {
    guard(|| set_opt(pServer, R, |o| o.dual_stack = bValue != 0))
}
/// TRUE if dual stack is on; FALSE also for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_IsDualStack(pServer: HP_Server) -> BOOL {
    guard(|| get_opt(pServer, R, |o| o.dual_stack as BOOL))
}
/// Accepted and reported back, changes nothing (default 64; Start refuses 0); only while stopped
/// (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_SetAcceptSocketCount(pServer: HP_TcpServer, dwValue: DWORD) {
    guard(|| set_tcp_opt(pServer, R, |o| o.accept_socket_count = dwValue))
}
/// The accept socket count; 0 for a bad or non-TCP handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_GetAcceptSocketCount(pServer: HP_TcpServer) -> DWORD {
    guard(|| get_tcp_opt(pServer, R, |o| o.accept_socket_count))
}
/// Sets the largest chunk one OnReceive delivers (default 4096; Start refuses below 8); only while
/// stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_SetSocketBufferSize(pServer: HP_TcpServer, dwValue: DWORD) {
    guard(|| set_tcp_opt(pServer, R, |o| o.socket_buffer_size = dwValue))
}
/// The socket buffer size; 0 for a bad or non-TCP handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_GetSocketBufferSize(pServer: HP_TcpServer) -> DWORD {
    guard(|| get_tcp_opt(pServer, R, |o| o.socket_buffer_size))
}
/// Sets the listen() backlog (default SOMAXCONN; Start refuses 0); only while stopped (else errno
/// EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_SetSocketListenQueue(pServer: HP_TcpServer, dwValue: DWORD) {
    guard(|| set_tcp_opt(pServer, R, |o| o.listen_queue = dwValue))
}
/// The listen backlog; 0 for a bad or non-TCP handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_GetSocketListenQueue(pServer: HP_TcpServer) -> DWORD {
    guard(|| get_tcp_opt(pServer, R, |o| o.listen_queue))
}
/// Sets the TCP keep-alive idle time in ms (default 60000; 0 disables; Start refuses 1..999); only
/// while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_SetKeepAliveTime(pServer: HP_TcpServer, dwValue: DWORD) {
    guard(|| set_tcp_opt(pServer, R, |o| o.keepalive_time = dwValue))
}
/// The keep-alive time in ms; 0 for a bad or non-TCP handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_GetKeepAliveTime(pServer: HP_TcpServer) -> DWORD {
    guard(|| get_tcp_opt(pServer, R, |o| o.keepalive_time))
}
/// Sets the TCP keep-alive probe interval in ms (default 20000; Start refuses 1..999); only while
/// stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_SetKeepAliveInterval(pServer: HP_TcpServer, dwValue: DWORD) {
    guard(|| set_tcp_opt(pServer, R, |o| o.keepalive_interval = dwValue))
}
/// The keep-alive interval in ms; 0 for a bad or non-TCP handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_GetKeepAliveInterval(pServer: HP_TcpServer) -> DWORD {
    guard(|| get_tcp_opt(pServer, R, |o| o.keepalive_interval))
}
/// Whether to set TCP_NODELAY on connections (default FALSE); only while stopped (else errno
/// EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_SetNoDelay(pServer: HP_TcpServer, bValue: BOOL) {
    guard(|| set_tcp_opt(pServer, R, |o| o.no_delay = bValue != 0))
}
/// TRUE if TCP_NODELAY is set; FALSE also for a bad or non-TCP handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_IsNoDelay(pServer: HP_TcpServer) -> BOOL {
    guard(|| get_tcp_opt(pServer, R, |o| o.no_delay as BOOL))
}
