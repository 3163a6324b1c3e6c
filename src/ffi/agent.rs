//! `HP_Agent_*`, `HP_TcpAgent_*`, `HP_Set_FN_Agent_*` and the TcpAgent creators.
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_snake_case, clippy::missing_safety_doc)]

use super::guard::guard;
use super::handles::*;
use super::listener::{self, ListenerKind, Slot};
use super::tcp::{self, comp, done, get_opt, invalid, set_opt, FALSE};
use super::types::*;
use crate::engine::component::Role;
use std::os::raw::c_int;

const R: Role = Role::Agent;
const LK: ListenerKind = ListenerKind::Agent;

/// Creates a TcpAgent listener (a table of callbacks, all NULL); NULL only if the handle table is
/// full.
#[no_mangle]
pub extern "C" fn Create_HP_TcpAgentListener() -> HP_TcpAgentListener {
    listener::create(LK)
}

/// Frees a listener made by Create_HP_TcpAgentListener; components still using it keep their own
/// reference. Any other handle is refused with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpAgentListener(pListener: HP_TcpAgentListener) {
    listener::destroy(pListener, LK)
}

/// Creates a stopped TcpAgent (PUSH model) raising `pListener`'s callbacks; NULL with errno EINVAL
/// for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_TcpAgent(pListener: HP_TcpAgentListener) -> HP_TcpAgent {
    guard(|| tcp::create(pListener, R))
}

/// Stops the agent if needed, waits for its callbacks and frees it (from inside its own callback
/// the free finishes on a helper thread). A handle not made by Create_HP_TcpAgent: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpAgent(pAgent: HP_TcpAgent) {
    guard(|| tcp::destroy(pAgent, R, tcp::Class::Tcp))
}

// ---- listener callbacks ----

/// Sets the OnPrepareConnect callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Agent_OnPrepareConnect(pListener: HP_AgentListener, fn_: HP_FN_Agent_OnPrepareConnect) {
    listener::set_fn(pListener, LK, Slot::PrepareConnect, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnConnect callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Agent_OnConnect(pListener: HP_AgentListener, fn_: HP_FN_Agent_OnConnect) {
    listener::set_fn(pListener, LK, Slot::Connect, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnHandShake callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Agent_OnHandShake(pListener: HP_AgentListener, fn_: HP_FN_Agent_OnHandShake) {
    listener::set_fn(pListener, LK, Slot::HandShake, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnSend callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Agent_OnSend(pListener: HP_AgentListener, fn_: HP_FN_Agent_OnSend) {
    listener::set_fn(pListener, LK, Slot::Send, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnReceive callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Agent_OnReceive(pListener: HP_AgentListener, fn_: HP_FN_Agent_OnReceive) {
    listener::set_fn(pListener, LK, Slot::Receive, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnPullReceive callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Agent_OnPullReceive(pListener: HP_AgentListener, fn_: HP_FN_Agent_OnPullReceive) {
    listener::set_fn(pListener, LK, Slot::PullReceive, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnClose callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Agent_OnClose(pListener: HP_AgentListener, fn_: HP_FN_Agent_OnClose) {
    listener::set_fn(pListener, LK, Slot::Close, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnShutdown callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Agent_OnShutdown(pListener: HP_AgentListener, fn_: HP_FN_Agent_OnShutdown) {
    listener::set_fn(pListener, LK, Slot::Shutdown, fn_.map_or(0, |f| f as usize))
}

// ---- lifecycle ----

/// Starts the workers; later connects bind to `lpszBindAddress` (NULL or "": none) and are
/// asynchronous when `bAsyncConnect`. FALSE with the reason in HP_Agent_GetLastError
/// (SE_ILLEGAL_STATE, SE_INVALID_PARAM for bad options, SE_SOCKET_CREATE for a bad bind address).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_Start(pAgent: HP_Agent, lpszBindAddress: LPCTSTR, bAsyncConnect: BOOL) -> BOOL {
    guard(|| {
        let Some(c) = comp(pAgent, R).cloned() else { return FALSE };
        // SAFETY: `lpszBindAddress` is NULL or a NUL-terminated string (upstream's contract for
        // HP_Agent_Start); opt_str reads it only when non-NULL.
        let Ok(bind) = (unsafe { tcp::opt_str(lpszBindAddress) }) else { return invalid(&c) };
        done(&c, c.start_agent(bind, bAsyncConnect != 0))
    })
}

/// Closes every connection (OnClose(SO_CLOSE, 0) each), then raises OnShutdown. FALSE with
/// SE_ILLEGAL_STATE / EPERM unless started (while another Stop is under way it first waits, outside
/// the component's callbacks, until that one is done, as upstream); from inside a callback it
/// returns at once and completes later.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_Stop(pAgent: HP_Agent) -> BOOL {
    guard(|| comp(pAgent, R).cloned().map_or(FALSE, |c| done(&c, c.stop())))
}

/// Waits up to `dwMilliseconds` (INFINITE: no limit) for the agent to reach SS_STOPPED; TRUE when
/// it is stopped, FALSE on timeout.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_Wait(pAgent: HP_Agent, dwMilliseconds: DWORD) -> BOOL {
    guard(|| comp(pAgent, R).map_or(FALSE, |c| tcp::wait(c, dwMilliseconds)))
}

/// TRUE while the agent is starting or started; FALSE otherwise or for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_HasStarted(pAgent: HP_Agent) -> BOOL {
    guard(|| comp(pAgent, R).map_or(FALSE, |c| tcp::has_started(c)))
}

/// The service state (SS_STARTING, SS_STARTED, SS_STOPPING, SS_STOPPED); SS_STOPPED for a bad
/// handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetState(pAgent: HP_Agent) -> En_HP_ServiceState {
    guard(|| comp(pAgent, R).map_or(EnServiceState::SS_STOPPED, |c| tcp::state_of(c.state())))
}

/// The error of the last Start or Stop (SE_OK if it succeeded); SE_INVALID_PARAM for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetLastError(pAgent: HP_Agent) -> En_HP_SocketError {
    guard(|| comp(pAgent, R).map_or(EnSocketError::SE_INVALID_PARAM, |c| tcp::error_of(c.last_error())))
}

/// A static text describing HP_Agent_GetLastError; NULL for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetLastErrorDesc(pAgent: HP_Agent) -> LPCTSTR {
    guard(|| comp(pAgent, R).map_or(std::ptr::null(), |c| tcp::error_desc(c.last_error() as c_int)))
}

// ---- connecting ----

/// Connects to `lpszRemoteAddress:usPort`, storing the new id in `*pdwConnID` (NULL allowed); a
/// synchronous connect returns after OnConnect. FALSE with errno EPERM unless started, EHOSTUNREACH
/// for an unknown host, ENOSR at MaxConnectionCount, or the connect's errno.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_Connect(pAgent: HP_Agent, lpszRemoteAddress: LPCTSTR, usPort: USHORT, pdwConnID: *mut HP_CONNID) -> BOOL {
    // SAFETY: `lpszRemoteAddress` is NULL or a NUL-terminated string, and `pdwConnID` is NULL or
    // writable (upstream's contract for HP_Agent_Connect); connect reads and writes each only when
    // non-NULL.
    guard(|| comp(pAgent, R).cloned().map_or(FALSE, |c| unsafe { tcp::connect(&c, lpszRemoteAddress, usPort, pdwConnID, std::ptr::null_mut(), 0, std::ptr::null()) }))
}

/// As HP_Agent_Connect, with the connection's extra set to `pExtra` before its first callback.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_ConnectWithExtra(pAgent: HP_Agent, lpszRemoteAddress: LPCTSTR, usPort: USHORT, pdwConnID: *mut HP_CONNID, pExtra: PVOID) -> BOOL {
    // SAFETY: `lpszRemoteAddress` is NULL or a NUL-terminated string, and `pdwConnID` is NULL or
    // writable (upstream's contract for HP_Agent_ConnectWithExtra); connect reads and writes each
    // only when non-NULL.
    guard(|| comp(pAgent, R).cloned().map_or(FALSE, |c| unsafe { tcp::connect(&c, lpszRemoteAddress, usPort, pdwConnID, pExtra, 0, std::ptr::null()) }))
}

/// As HP_Agent_Connect, binding the local end to port `usLocalPort` (0: any).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_ConnectWithLocalPort(pAgent: HP_Agent, lpszRemoteAddress: LPCTSTR, usPort: USHORT, pdwConnID: *mut HP_CONNID, usLocalPort: USHORT) -> BOOL {
    // SAFETY: `lpszRemoteAddress` is NULL or a NUL-terminated string, and `pdwConnID` is NULL or
    // writable (upstream's contract for HP_Agent_ConnectWithLocalPort); connect reads and writes
    // each only when non-NULL.
    guard(|| comp(pAgent, R).cloned().map_or(FALSE, |c| unsafe { tcp::connect(&c, lpszRemoteAddress, usPort, pdwConnID, std::ptr::null_mut(), usLocalPort, std::ptr::null()) }))
}

/// As HP_Agent_Connect, binding the local end to `lpszLocalAddress` (NULL or "": the Start
/// address); EADDRNOTAVAIL for an address that does not resolve.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_ConnectWithLocalAddress(pAgent: HP_Agent, lpszRemoteAddress: LPCTSTR, usPort: USHORT, pdwConnID: *mut HP_CONNID, lpszLocalAddress: LPCTSTR) -> BOOL {
    // SAFETY: `lpszRemoteAddress` and `lpszLocalAddress` are NULL or NUL-terminated strings, and
    // `pdwConnID` is NULL or writable (upstream's contract for HP_Agent_ConnectWithLocalAddress);
    // connect reads and writes each only when non-NULL.
    guard(|| comp(pAgent, R).cloned().map_or(FALSE, |c| unsafe { tcp::connect(&c, lpszRemoteAddress, usPort, pdwConnID, std::ptr::null_mut(), 0, lpszLocalAddress) }))
}

/// As HP_Agent_Connect, with extra `pExtra` and local port `usLocalPort` (0: any).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_ConnectWithExtraAndLocalPort(pAgent: HP_Agent, lpszRemoteAddress: LPCTSTR, usPort: USHORT, pdwConnID: *mut HP_CONNID, pExtra: PVOID, usLocalPort: USHORT) -> BOOL {
    // SAFETY: `lpszRemoteAddress` is NULL or a NUL-terminated string, and `pdwConnID` is NULL or
    // writable (upstream's contract for HP_Agent_ConnectWithExtraAndLocalPort); connect reads and
    // writes each only when non-NULL.
    guard(|| comp(pAgent, R).cloned().map_or(FALSE, |c| unsafe { tcp::connect(&c, lpszRemoteAddress, usPort, pdwConnID, pExtra, usLocalPort, std::ptr::null()) }))
}

/// As HP_Agent_Connect, with extra `pExtra`, local port `usLocalPort` (0: any) and local address
/// `lpszLocalAddress` (NULL or "": the Start address).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_ConnectWithExtraAndLocalAddressPort(pAgent: HP_Agent, lpszRemoteAddress: LPCTSTR, usPort: USHORT, pdwConnID: *mut HP_CONNID, pExtra: PVOID, usLocalPort: USHORT, lpszLocalAddress: LPCTSTR) -> BOOL {
    // SAFETY: `lpszRemoteAddress` and `lpszLocalAddress` are NULL or NUL-terminated strings, and
    // `pdwConnID` is NULL or writable (upstream's contract for this export); connect reads and
    // writes each only when non-NULL.
    guard(|| comp(pAgent, R).cloned().map_or(FALSE, |c| unsafe { tcp::connect(&c, lpszRemoteAddress, usPort, pdwConnID, pExtra, usLocalPort, lpszLocalAddress) }))
}

/// Copies the host name connection `dwConnID` was asked to connect to (its address if none) and the
/// port, with GetRemoteAddress's buffer rules. FALSE for an unknown id (no error set).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetRemoteHost(pAgent: HP_Agent, dwConnID: HP_CONNID, lpszHost: *mut TCHAR, piHostLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    // SAFETY: `piHostLen` and `pusPort` are NULL or writable, and `lpszHost` is NULL or has
    // `*piHostLen` writable bytes (upstream's contract for HP_Agent_GetRemoteHost); write_host
    // checks for NULL and the size before writing.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::remote_host(c, dwConnID, lpszHost, piHostLen, pusPort) }))
}

// ---- sending ----

/// Sends `iLength` bytes from `pBuffer` on connection `dwConnID` (queued; a write error later
/// closes the connection with OnClose(SO_SEND, errno)). FALSE with errno EBADSLT for an unknown id;
/// a length of 0 succeeds and sends nothing (a PACK agent refuses it with EMSGSIZE).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_Send(pAgent: HP_Agent, dwConnID: HP_CONNID, pBuffer: *const BYTE, iLength: c_int) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` (upstream's contract for
    // HP_Agent_Send); send_buf refuses a NULL buffer and lengths <= 0.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::send_buf(c, dwConnID, pBuffer, iLength, 0) }))
}

/// As HP_Agent_Send, sending `iLength` bytes from `pBuffer + iOffset`; a negative offset or a NULL
/// buffer is EINVAL.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SendPart(pAgent: HP_Agent, dwConnID: HP_CONNID, pBuffer: *const BYTE, iLength: c_int, iOffset: c_int) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` + `iOffset` (upstream's
    // contract for HP_Agent_SendPart); send_buf refuses a NULL buffer, lengths <= 0 and negative
    // offsets.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::send_buf(c, dwConnID, pBuffer, iLength, iOffset) }))
}

/// Sends `iCount` buffers as one contiguous write (one message on a PACK agent). FALSE with errno
/// EBADSLT for an unknown id, EINVAL for a NULL array, a count <= 0 or a NULL `buf` with a length.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SendPackets(pAgent: HP_Agent, dwConnID: HP_CONNID, pBuffers: *const WSABUF, iCount: c_int) -> BOOL {
    // SAFETY: `pBuffers` points to `iCount` WSABUFs, each with `len` readable bytes at `buf`
    // (upstream's contract for HP_Agent_SendPackets); send_packets refuses NULL, counts <= 0 and a
    // NULL `buf` with a non-zero `len`.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::send_packets(c, dwConnID, pBuffers, iCount) }))
}

/// Sends `pHead` (NULL for none), the whole file `lpszFileName` (at most 4 MiB) and `pTail`. FALSE
/// with errno EFBIG above 4 MiB, ENODATA for an empty file, EINVAL if not a regular file, the open
/// errno.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_SendSmallFile(pAgent: HP_Agent, dwConnID: HP_CONNID, lpszFileName: LPCTSTR, pHead: LPWSABUF, pTail: LPWSABUF) -> BOOL {
    // SAFETY: `lpszFileName` is NULL or a NUL-terminated path, and `pHead` / `pTail` are NULL or
    // point to WSABUFs with `len` readable bytes at `buf` (upstream's contract for
    // HP_TcpAgent_SendSmallFile); send_small_file checks each for NULL.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::send_small_file(c, dwConnID, lpszFileName, pHead, pTail) }))
}

// ---- connections ----

/// Closes connection `dwConnID` (queued data flushed best-effort; OnClose(SO_CLOSE, 0)); `bForce`
/// is ignored. FALSE with errno EBADSLT for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_Disconnect(pAgent: HP_Agent, dwConnID: HP_CONNID, _bForce: BOOL) -> BOOL {
    guard(|| comp(pAgent, R).map_or(FALSE, |c| tcp::errno_only(c.disconnect(dwConnID))))
}

/// Closes every connection connected for at least `dwPeriod` ms; `bForce` is ignored. TRUE.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_DisconnectLongConnections(pAgent: HP_Agent, dwPeriod: DWORD, _bForce: BOOL) -> BOOL {
    guard(|| comp(pAgent, R).map_or(FALSE, |c| tcp::disconnect_long(c, dwPeriod)))
}

/// Closes every connection silent for at least `dwPeriod` ms; `bForce` is ignored. FALSE, with no
/// error set, unless MarkSilence is on.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_DisconnectSilenceConnections(pAgent: HP_Agent, dwPeriod: DWORD, _bForce: BOOL) -> BOOL {
    guard(|| comp(pAgent, R).map_or(FALSE, |c| tcp::disconnect_silence(c, dwPeriod)))
}

/// Pauses (`bPause` TRUE) or resumes reading from connection `dwConnID`. FALSE with errno EBADSLT
/// for an unknown id.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_PauseReceive(pAgent: HP_Agent, dwConnID: HP_CONNID, bPause: BOOL) -> BOOL {
    guard(|| comp(pAgent, R).map_or(FALSE, |c| tcp::pause(c, dwConnID, bPause)))
}

/// Stores in `*pbPaused` whether receiving is paused on `dwConnID`. FALSE for an unknown id (no
/// error set), EINVAL for a NULL `pbPaused`.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_IsPauseReceive(pAgent: HP_Agent, dwConnID: HP_CONNID, pbPaused: *mut BOOL) -> BOOL {
    // SAFETY: `pbPaused` is NULL or writable (upstream's contract for HP_Agent_IsPauseReceive);
    // is_paused checks it for NULL before writing.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::is_paused(c, dwConnID, pbPaused) }))
}

/// TRUE if connection `dwConnID` exists and is connected; FALSE otherwise (no error set).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_IsConnected(pAgent: HP_Agent, dwConnID: HP_CONNID) -> BOOL {
    guard(|| comp(pAgent, R).map_or(FALSE, |c| tcp::is_connected(c, dwConnID)))
}

/// Stores the application's `pExtra` on connection `dwConnID`; FALSE for an unknown id (no error
/// set).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetConnectionExtra(pAgent: HP_Agent, dwConnID: HP_CONNID, pExtra: PVOID) -> BOOL {
    guard(|| comp(pAgent, R).map_or(FALSE, |c| tcp::set_extra(c, dwConnID, pExtra)))
}

/// Stores connection `dwConnID`'s extra (NULL until set) in `*ppExtra`; FALSE for an unknown id (no
/// error set), EINVAL for a NULL `ppExtra`.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetConnectionExtra(pAgent: HP_Agent, dwConnID: HP_CONNID, ppExtra: *mut PVOID) -> BOOL {
    // SAFETY: `ppExtra` is NULL or writable (upstream's contract for HP_Agent_GetConnectionExtra);
    // get_extra checks it for NULL before writing.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::get_extra(c, dwConnID, ppExtra) }))
}

/// Stores the bytes queued but not yet written on `dwConnID` in `*piPending`; FALSE for an unknown
/// id (no error set), EINVAL for a NULL `piPending`.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetPendingDataLength(pAgent: HP_Agent, dwConnID: HP_CONNID, piPending: *mut c_int) -> BOOL {
    // SAFETY: `piPending` is NULL or writable (upstream's contract for
    // HP_Agent_GetPendingDataLength); pending checks it for NULL before writing.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::pending(c, dwConnID, piPending) }))
}

/// The number of open connections; 0 also for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetConnectionCount(pAgent: HP_Agent) -> DWORD {
    guard(|| comp(pAgent, R).map_or(0, |c| c.connection_count() as DWORD))
}

/// Copies the open connections' ids into `pIDs` (room for `*pdwCount`) and sets `*pdwCount` to
/// their number. With NULL `pIDs` or too small a count: FALSE, errno ENOSPC, `*pdwCount` the number
/// needed.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetAllConnectionIDs(pAgent: HP_Agent, pIDs: *mut HP_CONNID, pdwCount: *mut DWORD) -> BOOL {
    // SAFETY: `pdwCount` is NULL or readable and writable, and `pIDs` is NULL or has room for
    // `*pdwCount` ids (upstream's contract for HP_Agent_GetAllConnectionIDs); all_ids checks both
    // and writes at most `*pdwCount` ids.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::all_ids(c, pIDs, pdwCount) }))
}

/// Stores the ms connection `dwConnID` has been connected in `*pdwPeriod`; FALSE for an unknown id
/// (no error set), EINVAL for a NULL `pdwPeriod`.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetConnectPeriod(pAgent: HP_Agent, dwConnID: HP_CONNID, pdwPeriod: *mut DWORD) -> BOOL {
    // SAFETY: `pdwPeriod` is NULL or writable (upstream's contract for HP_Agent_GetConnectPeriod);
    // connect_period checks it for NULL before writing.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::connect_period(c, dwConnID, pdwPeriod) }))
}

/// Stores the ms connection `dwConnID` has received nothing in `*pdwPeriod`. FALSE (no error set)
/// for an unknown id or with MarkSilence off; EINVAL for a NULL `pdwPeriod`.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetSilencePeriod(pAgent: HP_Agent, dwConnID: HP_CONNID, pdwPeriod: *mut DWORD) -> BOOL {
    // SAFETY: `pdwPeriod` is NULL or writable (upstream's contract for HP_Agent_GetSilencePeriod);
    // silence_period checks it for NULL before writing.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::silence_period(c, dwConnID, pdwPeriod) }))
}


/// Copies connection `dwConnID`'s local address and port (`*piAddressLen`: size in, length with NUL
/// out; ENOSPC with the size needed if too small). FALSE for an unknown id (no error set).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetLocalAddress(pAgent: HP_Agent, dwConnID: HP_CONNID, lpszAddress: *mut TCHAR, piAddressLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    // SAFETY: `piAddressLen` and `pusPort` are NULL or writable, and `lpszAddress` is NULL or has
    // `*piAddressLen` writable bytes (upstream's contract for HP_Agent_GetLocalAddress); write_host
    // checks for NULL and the size before writing.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::local_addr(c, dwConnID, lpszAddress, piAddressLen, pusPort) }))
}

/// Copies connection `dwConnID`'s peer address and port (`*piAddressLen`: size in, length with NUL
/// out; ENOSPC with the size needed if too small). FALSE for an unknown id (no error set).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetRemoteAddress(pAgent: HP_Agent, dwConnID: HP_CONNID, lpszAddress: *mut TCHAR, piAddressLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    // SAFETY: `piAddressLen` and `pusPort` are NULL or writable, and `lpszAddress` is NULL or has
    // `*piAddressLen` writable bytes (upstream's contract for HP_Agent_GetRemoteAddress);
    // write_host checks for NULL and the size before writing.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::remote_addr(c, dwConnID, lpszAddress, piAddressLen, pusPort) }))
}

/// TRUE for the SSL components (SSL*, Https*), FALSE for the others.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_IsSecure(pAgent: HP_Agent) -> BOOL {
    guard(|| comp(pAgent, R).map_or(FALSE, |c| tcp::bool_of(c.is_secure())))
}

// ---- options ----

/// Sets the send policy (SP_PACK, SP_SAFE, SP_DIRECT); only while stopped (else errno EPERM). An
/// unknown value is ignored with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetSendPolicy(pAgent: HP_Agent, enSendPolicy: SendPolicyArg) {
    guard(|| tcp::set_send_policy(pAgent, R, enSendPolicy))
}
/// The send policy (default SP_PACK); SP_PACK for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetSendPolicy(pAgent: HP_Agent) -> En_HP_SendPolicy {
    guard(|| comp(pAgent, R).map_or(EnSendPolicy::SP_PACK, |c| tcp::send_policy_out(c.options().send_policy)))
}
/// Sets the OnSend synchronisation policy (OSSP_NONE, OSSP_CLOSE, OSSP_RECEIVE); only while stopped
/// (else errno EPERM). An unknown value is ignored with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetOnSendSyncPolicy(pAgent: HP_Agent, enSyncPolicy: OnSendSyncPolicyArg) {
    guard(|| tcp::set_sync_policy(pAgent, R, enSyncPolicy))
}
/// The OnSend synchronisation policy (default OSSP_NONE); OSSP_NONE for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetOnSendSyncPolicy(pAgent: HP_Agent) -> En_HP_OnSendSyncPolicy {
    guard(|| comp(pAgent, R).map_or(EnOnSendSyncPolicy::OSSP_NONE, |c| tcp::sync_policy_out(c.options().on_send_sync_policy)))
}
/// Sets the address reuse policy (RAP_ADDR_AND_PORT adds SO_REUSEPORT); only while stopped (else
/// errno EPERM). An unknown value is ignored with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetReuseAddressPolicy(pAgent: HP_Agent, enReusePolicy: ReuseAddressPolicyArg) {
    guard(|| tcp::set_reuse_policy(pAgent, R, enReusePolicy))
}
/// The address reuse policy (default RAP_ADDR_ONLY); RAP_NONE for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetReuseAddressPolicy(pAgent: HP_Agent) -> En_HP_ReuseAddressPolicy {
    guard(|| comp(pAgent, R).map_or(EnReuseAddressPolicy::RAP_NONE, |c| tcp::reuse_policy_out(c.options().reuse_policy)))
}

/// Sets the most connections open at once (default 10000; Start refuses 0 or above 5000000; Connect
/// beyond it fails with ENOSR); only while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetMaxConnectionCount(pAgent: HP_Agent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.max_connections = dwValue))
}
/// The maximum connection count; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetMaxConnectionCount(pAgent: HP_Agent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.max_connections))
}
/// Sets the number of worker threads (default 2 x CPUs + 2, at most 512; Start refuses 0 or above
/// 512); only while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetWorkerThreadCount(pAgent: HP_Agent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.worker_threads = dwValue))
}
/// The worker thread count; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetWorkerThreadCount(pAgent: HP_Agent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.worker_threads))
}
/// Accepted and reported back, changes nothing (no object pools here; default 20000); only while
/// stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetFreeSocketObjLockTime(pAgent: HP_Agent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.free_socket_obj_lock_time = dwValue))
}
/// The value set by SetFreeSocketObjLockTime; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetFreeSocketObjLockTime(pAgent: HP_Agent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.free_socket_obj_lock_time))
}
/// Accepted and reported back, changes nothing (no object pools here; default 600); only while
/// stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetFreeSocketObjPool(pAgent: HP_Agent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.free_socket_obj_pool = dwValue))
}
/// The value set by SetFreeSocketObjPool; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetFreeSocketObjPool(pAgent: HP_Agent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.free_socket_obj_pool))
}
/// Accepted and reported back, changes nothing (no object pools here; default 1024); only while
/// stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetFreeBufferObjPool(pAgent: HP_Agent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.free_buffer_obj_pool = dwValue))
}
/// The value set by SetFreeBufferObjPool; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetFreeBufferObjPool(pAgent: HP_Agent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.free_buffer_obj_pool))
}
/// Accepted and reported back, changes nothing (no object pools here; default 600); only while
/// stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetFreeSocketObjHold(pAgent: HP_Agent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.free_socket_obj_hold = dwValue))
}
/// The value set by SetFreeSocketObjHold; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetFreeSocketObjHold(pAgent: HP_Agent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.free_socket_obj_hold))
}
/// Accepted and reported back, changes nothing (no object pools here; default 1024); only while
/// stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetFreeBufferObjHold(pAgent: HP_Agent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.free_buffer_obj_hold = dwValue))
}
/// The value set by SetFreeBufferObjHold; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetFreeBufferObjHold(pAgent: HP_Agent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.free_buffer_obj_hold))
}
/// Whether to track each connection's silence (default TRUE; needed by GetSilencePeriod and
/// DisconnectSilenceConnections); only while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetMarkSilence(pAgent: HP_Agent, bValue: BOOL) {
    guard(|| set_opt(pAgent, R, |o| o.mark_silence = bValue != 0))
}
/// TRUE if silence is tracked; FALSE also for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_IsMarkSilence(pAgent: HP_Agent) -> BOOL {
    guard(|| get_opt(pAgent, R, |o| o.mark_silence as BOOL))
}
/// Sets the largest chunk one OnReceive delivers (default 4096; Start refuses below 8); only while
/// stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_SetSocketBufferSize(pAgent: HP_TcpAgent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.socket_buffer_size = dwValue))
}
/// The socket buffer size; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_GetSocketBufferSize(pAgent: HP_TcpAgent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.socket_buffer_size))
}
/// Sets the TCP keep-alive idle time in ms (default 60000; 0 disables; Start refuses 1..999); only
/// while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_SetKeepAliveTime(pAgent: HP_TcpAgent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.keepalive_time = dwValue))
}
/// The keep-alive time in ms; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_GetKeepAliveTime(pAgent: HP_TcpAgent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.keepalive_time))
}
/// Sets the TCP keep-alive probe interval in ms (default 20000; Start refuses 1..999); only while
/// stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_SetKeepAliveInterval(pAgent: HP_TcpAgent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.keepalive_interval = dwValue))
}
/// The keep-alive interval in ms; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_GetKeepAliveInterval(pAgent: HP_TcpAgent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.keepalive_interval))
}
/// Sets the time a synchronous connect may take, in ms (default 10000); only while stopped (else
/// errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_SetSyncConnectTimeout(pAgent: HP_TcpAgent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.sync_connect_timeout = dwValue))
}
/// The synchronous connect timeout in ms; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_GetSyncConnectTimeout(pAgent: HP_TcpAgent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.sync_connect_timeout))
}
/// Whether to set TCP_NODELAY on connections (default FALSE); only while stopped (else errno
/// EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_SetNoDelay(pAgent: HP_TcpAgent, bValue: BOOL) {
    guard(|| set_opt(pAgent, R, |o| o.no_delay = bValue != 0))
}
/// TRUE if TCP_NODELAY is set; FALSE also for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_IsNoDelay(pAgent: HP_TcpAgent) -> BOOL {
    guard(|| get_opt(pAgent, R, |o| o.no_delay as BOOL))
}

/// 5.1.1's name: TRUE maps onto RAP_ADDR_ONLY, FALSE onto RAP_NONE.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_SetReuseAddress(pAgent: HP_TcpAgent, bReuseAddress: BOOL) {
    guard(|| tcp::set_reuse_policy(pAgent, R, ReuseAddressPolicyArg(if bReuseAddress != 0 { 1 } else { 0 })))
}

/// 5.1.1's name: TRUE unless the policy is RAP_NONE.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_IsReuseAddress(pAgent: HP_TcpAgent) -> BOOL {
    guard(|| get_opt(pAgent, R, |o| (o.reuse_policy != crate::engine::options::ReusePolicy::None) as BOOL))
}
