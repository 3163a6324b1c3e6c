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

#[no_mangle]
pub extern "C" fn Create_HP_TcpAgentListener() -> HP_TcpAgentListener {
    listener::create(LK)
}

#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpAgentListener(pListener: HP_TcpAgentListener) {
    listener::destroy(pListener, LK)
}

#[no_mangle]
pub unsafe extern "C" fn Create_HP_TcpAgent(pListener: HP_TcpAgentListener) -> HP_TcpAgent {
    guard(|| tcp::create(pListener, R))
}

#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpAgent(pAgent: HP_TcpAgent) {
    guard(|| tcp::destroy(pAgent, R, tcp::Class::Tcp))
}

// ---- listener callbacks ----

#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Agent_OnPrepareConnect(pListener: HP_AgentListener, fn_: HP_FN_Agent_OnPrepareConnect) {
    listener::set_fn(pListener, LK, Slot::PrepareConnect, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Agent_OnConnect(pListener: HP_AgentListener, fn_: HP_FN_Agent_OnConnect) {
    listener::set_fn(pListener, LK, Slot::Connect, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Agent_OnHandShake(pListener: HP_AgentListener, fn_: HP_FN_Agent_OnHandShake) {
    listener::set_fn(pListener, LK, Slot::HandShake, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Agent_OnSend(pListener: HP_AgentListener, fn_: HP_FN_Agent_OnSend) {
    listener::set_fn(pListener, LK, Slot::Send, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Agent_OnReceive(pListener: HP_AgentListener, fn_: HP_FN_Agent_OnReceive) {
    listener::set_fn(pListener, LK, Slot::Receive, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Agent_OnPullReceive(pListener: HP_AgentListener, fn_: HP_FN_Agent_OnPullReceive) {
    listener::set_fn(pListener, LK, Slot::PullReceive, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Agent_OnClose(pListener: HP_AgentListener, fn_: HP_FN_Agent_OnClose) {
    listener::set_fn(pListener, LK, Slot::Close, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Agent_OnShutdown(pListener: HP_AgentListener, fn_: HP_FN_Agent_OnShutdown) {
    listener::set_fn(pListener, LK, Slot::Shutdown, fn_.map_or(0, |f| f as usize))
}

// ---- lifecycle ----

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

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_Stop(pAgent: HP_Agent) -> BOOL {
    guard(|| comp(pAgent, R).cloned().map_or(FALSE, |c| done(&c, c.stop())))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_Wait(pAgent: HP_Agent, dwMilliseconds: DWORD) -> BOOL {
    guard(|| comp(pAgent, R).map_or(FALSE, |c| tcp::wait(c, dwMilliseconds)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_HasStarted(pAgent: HP_Agent) -> BOOL {
    guard(|| comp(pAgent, R).map_or(FALSE, |c| tcp::has_started(c)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetState(pAgent: HP_Agent) -> En_HP_ServiceState {
    guard(|| comp(pAgent, R).map_or(EnServiceState::SS_STOPPED, |c| tcp::state_of(c.state())))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetLastError(pAgent: HP_Agent) -> En_HP_SocketError {
    guard(|| comp(pAgent, R).map_or(EnSocketError::SE_INVALID_PARAM, |c| tcp::error_of(c.last_error())))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetLastErrorDesc(pAgent: HP_Agent) -> LPCTSTR {
    guard(|| comp(pAgent, R).map_or(std::ptr::null(), |c| tcp::error_desc(c.last_error() as c_int)))
}

// ---- connecting ----

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_Connect(pAgent: HP_Agent, lpszRemoteAddress: LPCTSTR, usPort: USHORT, pdwConnID: *mut HP_CONNID) -> BOOL {
    // SAFETY: `lpszRemoteAddress` is NULL or a NUL-terminated string, and `pdwConnID` is NULL or
    // writable (upstream's contract for HP_Agent_Connect); connect reads and writes each only when
    // non-NULL.
    guard(|| comp(pAgent, R).cloned().map_or(FALSE, |c| unsafe { tcp::connect(&c, lpszRemoteAddress, usPort, pdwConnID, std::ptr::null_mut(), 0, std::ptr::null()) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_ConnectWithExtra(pAgent: HP_Agent, lpszRemoteAddress: LPCTSTR, usPort: USHORT, pdwConnID: *mut HP_CONNID, pExtra: PVOID) -> BOOL {
    // SAFETY: `lpszRemoteAddress` is NULL or a NUL-terminated string, and `pdwConnID` is NULL or
    // writable (upstream's contract for HP_Agent_ConnectWithExtra); connect reads and writes each
    // only when non-NULL.
    guard(|| comp(pAgent, R).cloned().map_or(FALSE, |c| unsafe { tcp::connect(&c, lpszRemoteAddress, usPort, pdwConnID, pExtra, 0, std::ptr::null()) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_ConnectWithLocalPort(pAgent: HP_Agent, lpszRemoteAddress: LPCTSTR, usPort: USHORT, pdwConnID: *mut HP_CONNID, usLocalPort: USHORT) -> BOOL {
    // SAFETY: `lpszRemoteAddress` is NULL or a NUL-terminated string, and `pdwConnID` is NULL or
    // writable (upstream's contract for HP_Agent_ConnectWithLocalPort); connect reads and writes
    // each only when non-NULL.
    guard(|| comp(pAgent, R).cloned().map_or(FALSE, |c| unsafe { tcp::connect(&c, lpszRemoteAddress, usPort, pdwConnID, std::ptr::null_mut(), usLocalPort, std::ptr::null()) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_ConnectWithLocalAddress(pAgent: HP_Agent, lpszRemoteAddress: LPCTSTR, usPort: USHORT, pdwConnID: *mut HP_CONNID, lpszLocalAddress: LPCTSTR) -> BOOL {
    // SAFETY: `lpszRemoteAddress` and `lpszLocalAddress` are NULL or NUL-terminated strings, and
    // `pdwConnID` is NULL or writable (upstream's contract for HP_Agent_ConnectWithLocalAddress);
    // connect reads and writes each only when non-NULL.
    guard(|| comp(pAgent, R).cloned().map_or(FALSE, |c| unsafe { tcp::connect(&c, lpszRemoteAddress, usPort, pdwConnID, std::ptr::null_mut(), 0, lpszLocalAddress) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_ConnectWithExtraAndLocalPort(pAgent: HP_Agent, lpszRemoteAddress: LPCTSTR, usPort: USHORT, pdwConnID: *mut HP_CONNID, pExtra: PVOID, usLocalPort: USHORT) -> BOOL {
    // SAFETY: `lpszRemoteAddress` is NULL or a NUL-terminated string, and `pdwConnID` is NULL or
    // writable (upstream's contract for HP_Agent_ConnectWithExtraAndLocalPort); connect reads and
    // writes each only when non-NULL.
    guard(|| comp(pAgent, R).cloned().map_or(FALSE, |c| unsafe { tcp::connect(&c, lpszRemoteAddress, usPort, pdwConnID, pExtra, usLocalPort, std::ptr::null()) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_ConnectWithExtraAndLocalAddressPort(pAgent: HP_Agent, lpszRemoteAddress: LPCTSTR, usPort: USHORT, pdwConnID: *mut HP_CONNID, pExtra: PVOID, usLocalPort: USHORT, lpszLocalAddress: LPCTSTR) -> BOOL {
    // SAFETY: `lpszRemoteAddress` and `lpszLocalAddress` are NULL or NUL-terminated strings, and
    // `pdwConnID` is NULL or writable (upstream's contract for this export); connect reads and
    // writes each only when non-NULL.
    guard(|| comp(pAgent, R).cloned().map_or(FALSE, |c| unsafe { tcp::connect(&c, lpszRemoteAddress, usPort, pdwConnID, pExtra, usLocalPort, lpszLocalAddress) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetRemoteHost(pAgent: HP_Agent, dwConnID: HP_CONNID, lpszHost: *mut TCHAR, piHostLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    // SAFETY: `piHostLen` and `pusPort` are NULL or writable, and `lpszHost` is NULL or has
    // `*piHostLen` writable bytes (upstream's contract for HP_Agent_GetRemoteHost); write_host
    // checks for NULL and the size before writing.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::remote_host(c, dwConnID, lpszHost, piHostLen, pusPort) }))
}

// ---- sending ----

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_Send(pAgent: HP_Agent, dwConnID: HP_CONNID, pBuffer: *const BYTE, iLength: c_int) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` (upstream's contract for
    // HP_Agent_Send); send_buf refuses a NULL buffer and lengths <= 0.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::send_buf(c, dwConnID, pBuffer, iLength, 0) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SendPart(pAgent: HP_Agent, dwConnID: HP_CONNID, pBuffer: *const BYTE, iLength: c_int, iOffset: c_int) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` + `iOffset` (upstream's
    // contract for HP_Agent_SendPart); send_buf refuses a NULL buffer, lengths <= 0 and negative
    // offsets.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::send_buf(c, dwConnID, pBuffer, iLength, iOffset) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SendPackets(pAgent: HP_Agent, dwConnID: HP_CONNID, pBuffers: *const WSABUF, iCount: c_int) -> BOOL {
    // SAFETY: `pBuffers` points to `iCount` WSABUFs, each with `len` readable bytes at `buf`
    // (upstream's contract for HP_Agent_SendPackets); send_packets refuses NULL, counts <= 0 and a
    // NULL `buf` with a non-zero `len`.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::send_packets(c, dwConnID, pBuffers, iCount) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_SendSmallFile(pAgent: HP_Agent, dwConnID: HP_CONNID, lpszFileName: LPCTSTR, pHead: LPWSABUF, pTail: LPWSABUF) -> BOOL {
    // SAFETY: `lpszFileName` is NULL or a NUL-terminated path, and `pHead` / `pTail` are NULL or
    // point to WSABUFs with `len` readable bytes at `buf` (upstream's contract for
    // HP_TcpAgent_SendSmallFile); send_small_file checks each for NULL.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::send_small_file(c, dwConnID, lpszFileName, pHead, pTail) }))
}

// ---- connections ----

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_Disconnect(pAgent: HP_Agent, dwConnID: HP_CONNID, _bForce: BOOL) -> BOOL {
    guard(|| comp(pAgent, R).map_or(FALSE, |c| tcp::errno_only(c.disconnect(dwConnID))))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_DisconnectLongConnections(pAgent: HP_Agent, dwPeriod: DWORD, _bForce: BOOL) -> BOOL {
    guard(|| comp(pAgent, R).map_or(FALSE, |c| tcp::disconnect_long(c, dwPeriod)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_DisconnectSilenceConnections(pAgent: HP_Agent, dwPeriod: DWORD, _bForce: BOOL) -> BOOL {
    guard(|| comp(pAgent, R).map_or(FALSE, |c| tcp::disconnect_silence(c, dwPeriod)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_PauseReceive(pAgent: HP_Agent, dwConnID: HP_CONNID, bPause: BOOL) -> BOOL {
    guard(|| comp(pAgent, R).map_or(FALSE, |c| tcp::pause(c, dwConnID, bPause)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_IsPauseReceive(pAgent: HP_Agent, dwConnID: HP_CONNID, pbPaused: *mut BOOL) -> BOOL {
    // SAFETY: `pbPaused` is NULL or writable (upstream's contract for HP_Agent_IsPauseReceive);
    // is_paused checks it for NULL before writing.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::is_paused(c, dwConnID, pbPaused) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_IsConnected(pAgent: HP_Agent, dwConnID: HP_CONNID) -> BOOL {
    guard(|| comp(pAgent, R).map_or(FALSE, |c| tcp::is_connected(c, dwConnID)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetConnectionExtra(pAgent: HP_Agent, dwConnID: HP_CONNID, pExtra: PVOID) -> BOOL {
    guard(|| comp(pAgent, R).map_or(FALSE, |c| tcp::set_extra(c, dwConnID, pExtra)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetConnectionExtra(pAgent: HP_Agent, dwConnID: HP_CONNID, ppExtra: *mut PVOID) -> BOOL {
    // SAFETY: `ppExtra` is NULL or writable (upstream's contract for HP_Agent_GetConnectionExtra);
    // get_extra checks it for NULL before writing.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::get_extra(c, dwConnID, ppExtra) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetPendingDataLength(pAgent: HP_Agent, dwConnID: HP_CONNID, piPending: *mut c_int) -> BOOL {
    // SAFETY: `piPending` is NULL or writable (upstream's contract for
    // HP_Agent_GetPendingDataLength); pending checks it for NULL before writing.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::pending(c, dwConnID, piPending) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetConnectionCount(pAgent: HP_Agent) -> DWORD {
    guard(|| comp(pAgent, R).map_or(0, |c| c.connection_count() as DWORD))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetAllConnectionIDs(pAgent: HP_Agent, pIDs: *mut HP_CONNID, pdwCount: *mut DWORD) -> BOOL {
    // SAFETY: `pdwCount` is NULL or readable and writable, and `pIDs` is NULL or has room for
    // `*pdwCount` ids (upstream's contract for HP_Agent_GetAllConnectionIDs); all_ids checks both
    // and writes at most `*pdwCount` ids.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::all_ids(c, pIDs, pdwCount) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetConnectPeriod(pAgent: HP_Agent, dwConnID: HP_CONNID, pdwPeriod: *mut DWORD) -> BOOL {
    // SAFETY: `pdwPeriod` is NULL or writable (upstream's contract for HP_Agent_GetConnectPeriod);
    // connect_period checks it for NULL before writing.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::connect_period(c, dwConnID, pdwPeriod) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetSilencePeriod(pAgent: HP_Agent, dwConnID: HP_CONNID, pdwPeriod: *mut DWORD) -> BOOL {
    // SAFETY: `pdwPeriod` is NULL or writable (upstream's contract for HP_Agent_GetSilencePeriod);
    // silence_period checks it for NULL before writing.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::silence_period(c, dwConnID, pdwPeriod) }))
}


#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetLocalAddress(pAgent: HP_Agent, dwConnID: HP_CONNID, lpszAddress: *mut TCHAR, piAddressLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    // SAFETY: `piAddressLen` and `pusPort` are NULL or writable, and `lpszAddress` is NULL or has
    // `*piAddressLen` writable bytes (upstream's contract for HP_Agent_GetLocalAddress); write_host
    // checks for NULL and the size before writing.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::local_addr(c, dwConnID, lpszAddress, piAddressLen, pusPort) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetRemoteAddress(pAgent: HP_Agent, dwConnID: HP_CONNID, lpszAddress: *mut TCHAR, piAddressLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    // SAFETY: `piAddressLen` and `pusPort` are NULL or writable, and `lpszAddress` is NULL or has
    // `*piAddressLen` writable bytes (upstream's contract for HP_Agent_GetRemoteAddress);
    // write_host checks for NULL and the size before writing.
    guard(|| comp(pAgent, R).map_or(FALSE, |c| unsafe { tcp::remote_addr(c, dwConnID, lpszAddress, piAddressLen, pusPort) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_IsSecure(pAgent: HP_Agent) -> BOOL {
    guard(|| comp(pAgent, R).map_or(FALSE, |_| FALSE))
}

// ---- options ----

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetSendPolicy(pAgent: HP_Agent, enSendPolicy: SendPolicyArg) {
    guard(|| tcp::set_send_policy(pAgent, R, enSendPolicy))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetSendPolicy(pAgent: HP_Agent) -> En_HP_SendPolicy {
    guard(|| comp(pAgent, R).map_or(EnSendPolicy::SP_PACK, |c| tcp::send_policy_out(c.options().send_policy)))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetOnSendSyncPolicy(pAgent: HP_Agent, enSyncPolicy: OnSendSyncPolicyArg) {
    guard(|| tcp::set_sync_policy(pAgent, R, enSyncPolicy))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetOnSendSyncPolicy(pAgent: HP_Agent) -> En_HP_OnSendSyncPolicy {
    guard(|| comp(pAgent, R).map_or(EnOnSendSyncPolicy::OSSP_NONE, |c| tcp::sync_policy_out(c.options().on_send_sync_policy)))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetReuseAddressPolicy(pAgent: HP_Agent, enReusePolicy: ReuseAddressPolicyArg) {
    guard(|| tcp::set_reuse_policy(pAgent, R, enReusePolicy))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetReuseAddressPolicy(pAgent: HP_Agent) -> En_HP_ReuseAddressPolicy {
    guard(|| comp(pAgent, R).map_or(EnReuseAddressPolicy::RAP_NONE, |c| tcp::reuse_policy_out(c.options().reuse_policy)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetMaxConnectionCount(pAgent: HP_Agent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.max_connections = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetMaxConnectionCount(pAgent: HP_Agent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.max_connections))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetWorkerThreadCount(pAgent: HP_Agent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.worker_threads = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetWorkerThreadCount(pAgent: HP_Agent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.worker_threads))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetFreeSocketObjLockTime(pAgent: HP_Agent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.free_socket_obj_lock_time = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetFreeSocketObjLockTime(pAgent: HP_Agent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.free_socket_obj_lock_time))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetFreeSocketObjPool(pAgent: HP_Agent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.free_socket_obj_pool = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetFreeSocketObjPool(pAgent: HP_Agent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.free_socket_obj_pool))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetFreeBufferObjPool(pAgent: HP_Agent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.free_buffer_obj_pool = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetFreeBufferObjPool(pAgent: HP_Agent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.free_buffer_obj_pool))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetFreeSocketObjHold(pAgent: HP_Agent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.free_socket_obj_hold = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetFreeSocketObjHold(pAgent: HP_Agent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.free_socket_obj_hold))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetFreeBufferObjHold(pAgent: HP_Agent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.free_buffer_obj_hold = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetFreeBufferObjHold(pAgent: HP_Agent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.free_buffer_obj_hold))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SetMarkSilence(pAgent: HP_Agent, bValue: BOOL) {
    guard(|| set_opt(pAgent, R, |o| o.mark_silence = bValue != 0))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_IsMarkSilence(pAgent: HP_Agent) -> BOOL {
    guard(|| get_opt(pAgent, R, |o| o.mark_silence as BOOL))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_SetSocketBufferSize(pAgent: HP_TcpAgent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.socket_buffer_size = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_GetSocketBufferSize(pAgent: HP_TcpAgent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.socket_buffer_size))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_SetKeepAliveTime(pAgent: HP_TcpAgent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.keepalive_time = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_GetKeepAliveTime(pAgent: HP_TcpAgent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.keepalive_time))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_SetKeepAliveInterval(pAgent: HP_TcpAgent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.keepalive_interval = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_GetKeepAliveInterval(pAgent: HP_TcpAgent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.keepalive_interval))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_SetSyncConnectTimeout(pAgent: HP_TcpAgent, dwValue: DWORD) {
    guard(|| set_opt(pAgent, R, |o| o.sync_connect_timeout = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_GetSyncConnectTimeout(pAgent: HP_TcpAgent) -> DWORD {
    guard(|| get_opt(pAgent, R, |o| o.sync_connect_timeout))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_SetNoDelay(pAgent: HP_TcpAgent, bValue: BOOL) {
    guard(|| set_opt(pAgent, R, |o| o.no_delay = bValue != 0))
}
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
