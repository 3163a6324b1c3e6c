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

#[no_mangle]
pub extern "C" fn Create_HP_TcpServerListener() -> HP_TcpServerListener {
    listener::create(LK)
}

#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpServerListener(pListener: HP_TcpServerListener) {
    listener::destroy(pListener, LK)
}

#[no_mangle]
pub unsafe extern "C" fn Create_HP_TcpServer(pListener: HP_TcpServerListener) -> HP_TcpServer {
    guard(|| tcp::create(pListener, R))
}

#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpServer(pServer: HP_TcpServer) {
    guard(|| tcp::destroy(pServer, R, tcp::Class::Tcp))
}

// ---- listener callbacks ----

#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Server_OnPrepareListen(pListener: HP_ServerListener, fn_: HP_FN_Server_OnPrepareListen) {
    listener::set_fn(pListener, LK, Slot::PrepareListen, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Server_OnAccept(pListener: HP_ServerListener, fn_: HP_FN_Server_OnAccept) {
    listener::set_fn(pListener, LK, Slot::Accept, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Server_OnHandShake(pListener: HP_ServerListener, fn_: HP_FN_Server_OnHandShake) {
    listener::set_fn(pListener, LK, Slot::HandShake, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Server_OnSend(pListener: HP_ServerListener, fn_: HP_FN_Server_OnSend) {
    listener::set_fn(pListener, LK, Slot::Send, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Server_OnReceive(pListener: HP_ServerListener, fn_: HP_FN_Server_OnReceive) {
    listener::set_fn(pListener, LK, Slot::Receive, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Server_OnPullReceive(pListener: HP_ServerListener, fn_: HP_FN_Server_OnPullReceive) {
    listener::set_fn(pListener, LK, Slot::PullReceive, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Server_OnClose(pListener: HP_ServerListener, fn_: HP_FN_Server_OnClose) {
    listener::set_fn(pListener, LK, Slot::Close, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Server_OnShutdown(pListener: HP_ServerListener, fn_: HP_FN_Server_OnShutdown) {
    listener::set_fn(pListener, LK, Slot::Shutdown, fn_.map_or(0, |f| f as usize))
}

// ---- lifecycle ----

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

#[no_mangle]
pub unsafe extern "C" fn HP_Server_Stop(pServer: HP_Server) -> BOOL {
    guard(|| comp(pServer, R).cloned().map_or(FALSE, |c| done(&c, c.stop())))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_Wait(pServer: HP_Server, dwMilliseconds: DWORD) -> BOOL {
    guard(|| comp(pServer, R).map_or(FALSE, |c| tcp::wait(c, dwMilliseconds)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_HasStarted(pServer: HP_Server) -> BOOL {
    guard(|| comp(pServer, R).map_or(FALSE, |c| tcp::has_started(c)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetState(pServer: HP_Server) -> En_HP_ServiceState {
    guard(|| comp(pServer, R).map_or(EnServiceState::SS_STOPPED, |c| tcp::state_of(c.state())))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetLastError(pServer: HP_Server) -> En_HP_SocketError {
    guard(|| comp(pServer, R).map_or(EnSocketError::SE_INVALID_PARAM, |c| tcp::error_of(c.last_error())))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetLastErrorDesc(pServer: HP_Server) -> LPCTSTR {
    guard(|| comp(pServer, R).map_or(std::ptr::null(), |c| tcp::error_desc(c.last_error() as c_int)))
}

// ---- sending ----

#[no_mangle]
pub unsafe extern "C" fn HP_Server_Send(pServer: HP_Server, dwConnID: HP_CONNID, pBuffer: *const BYTE, iLength: c_int) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` (upstream's contract for
    // HP_Server_Send); send_buf refuses a NULL buffer and lengths <= 0.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::send_buf(c, dwConnID, pBuffer, iLength, 0) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_SendPart(pServer: HP_Server, dwConnID: HP_CONNID, pBuffer: *const BYTE, iLength: c_int, iOffset: c_int) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` + `iOffset` (upstream's
    // contract for HP_Server_SendPart); send_buf refuses a NULL buffer, lengths <= 0 and negative
    // offsets.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::send_buf(c, dwConnID, pBuffer, iLength, iOffset) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_SendPackets(pServer: HP_Server, dwConnID: HP_CONNID, pBuffers: *const WSABUF, iCount: c_int) -> BOOL {
    // SAFETY: `pBuffers` points to `iCount` WSABUFs, each with `len` readable bytes at `buf`
    // (upstream's contract for HP_Server_SendPackets); send_packets refuses NULL, counts <= 0 and a
    // NULL `buf` with a non-zero `len`.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::send_packets(c, dwConnID, pBuffers, iCount) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_SendSmallFile(pServer: HP_Server, dwConnID: HP_CONNID, lpszFileName: LPCTSTR, pHead: LPWSABUF, pTail: LPWSABUF) -> BOOL {
    // SAFETY: `lpszFileName` is NULL or a NUL-terminated path, and `pHead` / `pTail` are NULL or
    // point to WSABUFs with `len` readable bytes at `buf` (upstream's contract for
    // HP_TcpServer_SendSmallFile); send_small_file checks each for NULL.
    guard(|| tcp_comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::send_small_file(c, dwConnID, lpszFileName, pHead, pTail) }))
}

// ---- connections ----

#[no_mangle]
pub unsafe extern "C" fn HP_Server_Disconnect(pServer: HP_Server, dwConnID: HP_CONNID, _bForce: BOOL) -> BOOL {
    guard(|| comp(pServer, R).map_or(FALSE, |c| tcp::errno_only(c.disconnect(dwConnID))))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_DisconnectLongConnections(pServer: HP_Server, dwPeriod: DWORD, _bForce: BOOL) -> BOOL {
    guard(|| comp(pServer, R).map_or(FALSE, |c| tcp::disconnect_long(c, dwPeriod)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_DisconnectSilenceConnections(pServer: HP_Server, dwPeriod: DWORD, _bForce: BOOL) -> BOOL {
    guard(|| comp(pServer, R).map_or(FALSE, |c| tcp::disconnect_silence(c, dwPeriod)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_PauseReceive(pServer: HP_Server, dwConnID: HP_CONNID, bPause: BOOL) -> BOOL {
    guard(|| comp(pServer, R).map_or(FALSE, |c| tcp::pause(c, dwConnID, bPause)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_IsPauseReceive(pServer: HP_Server, dwConnID: HP_CONNID, pbPaused: *mut BOOL) -> BOOL {
    // SAFETY: `pbPaused` is NULL or writable (upstream's contract for HP_Server_IsPauseReceive);
    // is_paused checks it for NULL before writing.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::is_paused(c, dwConnID, pbPaused) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_IsConnected(pServer: HP_Server, dwConnID: HP_CONNID) -> BOOL {
    guard(|| comp(pServer, R).map_or(FALSE, |c| tcp::is_connected(c, dwConnID)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetConnectionExtra(pServer: HP_Server, dwConnID: HP_CONNID, pExtra: PVOID) -> BOOL {
    guard(|| comp(pServer, R).map_or(FALSE, |c| tcp::set_extra(c, dwConnID, pExtra)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetConnectionExtra(pServer: HP_Server, dwConnID: HP_CONNID, ppExtra: *mut PVOID) -> BOOL {
    // SAFETY: `ppExtra` is NULL or writable (upstream's contract for HP_Server_GetConnectionExtra);
    // get_extra checks it for NULL before writing.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::get_extra(c, dwConnID, ppExtra) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetPendingDataLength(pServer: HP_Server, dwConnID: HP_CONNID, piPending: *mut c_int) -> BOOL {
    // SAFETY: `piPending` is NULL or writable (upstream's contract for
    // HP_Server_GetPendingDataLength); pending checks it for NULL before writing.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::pending(c, dwConnID, piPending) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetConnectionCount(pServer: HP_Server) -> DWORD {
    guard(|| comp(pServer, R).map_or(0, |c| c.connection_count() as DWORD))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetAllConnectionIDs(pServer: HP_Server, pIDs: *mut HP_CONNID, pdwCount: *mut DWORD) -> BOOL {
    // SAFETY: `pdwCount` is NULL or readable and writable, and `pIDs` is NULL or has room for
    // `*pdwCount` ids (upstream's contract for HP_Server_GetAllConnectionIDs); all_ids checks both
    // and writes at most `*pdwCount` ids.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::all_ids(c, pIDs, pdwCount) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetConnectPeriod(pServer: HP_Server, dwConnID: HP_CONNID, pdwPeriod: *mut DWORD) -> BOOL {
    // SAFETY: `pdwPeriod` is NULL or writable (upstream's contract for HP_Server_GetConnectPeriod);
    // connect_period checks it for NULL before writing.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::connect_period(c, dwConnID, pdwPeriod) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetSilencePeriod(pServer: HP_Server, dwConnID: HP_CONNID, pdwPeriod: *mut DWORD) -> BOOL {
    // SAFETY: `pdwPeriod` is NULL or writable (upstream's contract for HP_Server_GetSilencePeriod);
    // silence_period checks it for NULL before writing.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::silence_period(c, dwConnID, pdwPeriod) }))
}

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

#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetLocalAddress(pServer: HP_Server, dwConnID: HP_CONNID, lpszAddress: *mut TCHAR, piAddressLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    // SAFETY: `piAddressLen` and `pusPort` are NULL or writable, and `lpszAddress` is NULL or has
    // `*piAddressLen` writable bytes (upstream's contract for HP_Server_GetLocalAddress);
    // write_host checks for NULL and the size before writing.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::local_addr(c, dwConnID, lpszAddress, piAddressLen, pusPort) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetRemoteAddress(pServer: HP_Server, dwConnID: HP_CONNID, lpszAddress: *mut TCHAR, piAddressLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    // SAFETY: `piAddressLen` and `pusPort` are NULL or writable, and `lpszAddress` is NULL or has
    // `*piAddressLen` writable bytes (upstream's contract for HP_Server_GetRemoteAddress);
    // write_host checks for NULL and the size before writing.
    guard(|| comp(pServer, R).map_or(FALSE, |c| unsafe { tcp::remote_addr(c, dwConnID, lpszAddress, piAddressLen, pusPort) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_IsSecure(pServer: HP_Server) -> BOOL {
    guard(|| comp(pServer, R).map_or(FALSE, |_| FALSE))
}

// ---- options ----

#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetSendPolicy(pServer: HP_Server, enSendPolicy: SendPolicyArg) {
    guard(|| tcp::set_send_policy(pServer, R, enSendPolicy))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetSendPolicy(pServer: HP_Server) -> En_HP_SendPolicy {
    guard(|| comp(pServer, R).map_or(EnSendPolicy::SP_PACK, |c| tcp::send_policy_out(c.options().send_policy)))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetOnSendSyncPolicy(pServer: HP_Server, enSyncPolicy: OnSendSyncPolicyArg) {
    guard(|| tcp::set_sync_policy(pServer, R, enSyncPolicy))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetOnSendSyncPolicy(pServer: HP_Server) -> En_HP_OnSendSyncPolicy {
    guard(|| comp(pServer, R).map_or(EnOnSendSyncPolicy::OSSP_NONE, |c| tcp::sync_policy_out(c.options().on_send_sync_policy)))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetReuseAddressPolicy(pServer: HP_Server, enReusePolicy: ReuseAddressPolicyArg) {
    guard(|| tcp::set_reuse_policy(pServer, R, enReusePolicy))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetReuseAddressPolicy(pServer: HP_Server) -> En_HP_ReuseAddressPolicy {
    guard(|| comp(pServer, R).map_or(EnReuseAddressPolicy::RAP_NONE, |c| tcp::reuse_policy_out(c.options().reuse_policy)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetMaxConnectionCount(pServer: HP_Server, dwValue: DWORD) {
    guard(|| set_opt(pServer, R, |o| o.max_connections = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetMaxConnectionCount(pServer: HP_Server) -> DWORD {
    guard(|| get_opt(pServer, R, |o| o.max_connections))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetWorkerThreadCount(pServer: HP_Server, dwValue: DWORD) {
    guard(|| set_opt(pServer, R, |o| o.worker_threads = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetWorkerThreadCount(pServer: HP_Server) -> DWORD {
    guard(|| get_opt(pServer, R, |o| o.worker_threads))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetFreeSocketObjLockTime(pServer: HP_Server, dwValue: DWORD) {
    guard(|| set_opt(pServer, R, |o| o.free_socket_obj_lock_time = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetFreeSocketObjLockTime(pServer: HP_Server) -> DWORD {
    guard(|| get_opt(pServer, R, |o| o.free_socket_obj_lock_time))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetFreeSocketObjPool(pServer: HP_Server, dwValue: DWORD) {
    guard(|| set_opt(pServer, R, |o| o.free_socket_obj_pool = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetFreeSocketObjPool(pServer: HP_Server) -> DWORD {
    guard(|| get_opt(pServer, R, |o| o.free_socket_obj_pool))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetFreeBufferObjPool(pServer: HP_Server, dwValue: DWORD) {
    guard(|| set_opt(pServer, R, |o| o.free_buffer_obj_pool = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetFreeBufferObjPool(pServer: HP_Server) -> DWORD {
    guard(|| get_opt(pServer, R, |o| o.free_buffer_obj_pool))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetFreeSocketObjHold(pServer: HP_Server, dwValue: DWORD) {
    guard(|| set_opt(pServer, R, |o| o.free_socket_obj_hold = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetFreeSocketObjHold(pServer: HP_Server) -> DWORD {
    guard(|| get_opt(pServer, R, |o| o.free_socket_obj_hold))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetFreeBufferObjHold(pServer: HP_Server, dwValue: DWORD) {
    guard(|| set_opt(pServer, R, |o| o.free_buffer_obj_hold = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetFreeBufferObjHold(pServer: HP_Server) -> DWORD {
    guard(|| get_opt(pServer, R, |o| o.free_buffer_obj_hold))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetMarkSilence(pServer: HP_Server, bValue: BOOL) {
    guard(|| set_opt(pServer, R, |o| o.mark_silence = bValue != 0))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_IsMarkSilence(pServer: HP_Server) -> BOOL {
    guard(|| get_opt(pServer, R, |o| o.mark_silence as BOOL))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SetDualStack(pServer: HP_Server, bValue: BOOL) {
    guard(|| set_opt(pServer, R, |o| o.dual_stack = bValue != 0))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Server_IsDualStack(pServer: HP_Server) -> BOOL {
    guard(|| get_opt(pServer, R, |o| o.dual_stack as BOOL))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_SetAcceptSocketCount(pServer: HP_TcpServer, dwValue: DWORD) {
    guard(|| set_tcp_opt(pServer, R, |o| o.accept_socket_count = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_GetAcceptSocketCount(pServer: HP_TcpServer) -> DWORD {
    guard(|| get_tcp_opt(pServer, R, |o| o.accept_socket_count))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_SetSocketBufferSize(pServer: HP_TcpServer, dwValue: DWORD) {
    guard(|| set_tcp_opt(pServer, R, |o| o.socket_buffer_size = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_GetSocketBufferSize(pServer: HP_TcpServer) -> DWORD {
    guard(|| get_tcp_opt(pServer, R, |o| o.socket_buffer_size))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_SetSocketListenQueue(pServer: HP_TcpServer, dwValue: DWORD) {
    guard(|| set_tcp_opt(pServer, R, |o| o.listen_queue = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_GetSocketListenQueue(pServer: HP_TcpServer) -> DWORD {
    guard(|| get_tcp_opt(pServer, R, |o| o.listen_queue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_SetKeepAliveTime(pServer: HP_TcpServer, dwValue: DWORD) {
    guard(|| set_tcp_opt(pServer, R, |o| o.keepalive_time = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_GetKeepAliveTime(pServer: HP_TcpServer) -> DWORD {
    guard(|| get_tcp_opt(pServer, R, |o| o.keepalive_time))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_SetKeepAliveInterval(pServer: HP_TcpServer, dwValue: DWORD) {
    guard(|| set_tcp_opt(pServer, R, |o| o.keepalive_interval = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_GetKeepAliveInterval(pServer: HP_TcpServer) -> DWORD {
    guard(|| get_tcp_opt(pServer, R, |o| o.keepalive_interval))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_SetNoDelay(pServer: HP_TcpServer, bValue: BOOL) {
    guard(|| set_tcp_opt(pServer, R, |o| o.no_delay = bValue != 0))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_IsNoDelay(pServer: HP_TcpServer) -> BOOL {
    guard(|| get_tcp_opt(pServer, R, |o| o.no_delay as BOOL))
}
