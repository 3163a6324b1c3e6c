//! `HP_Client_*`, `HP_TcpClient_*`, `HP_Set_FN_Client_*` and the TcpClient creators.
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_snake_case, clippy::missing_safety_doc)]

use super::guard::{guard, set_errno};
use super::handles::*;
use super::listener::{self, ListenerKind, Slot};
use super::tcp::{self, comp, get_opt, get_tcp_opt, set_opt, set_tcp_opt, tcp_comp, FALSE};
use super::types::*;
use crate::engine::component::{Component, Role};
use std::os::raw::c_int;
use std::sync::atomic::Ordering;

const R: Role = Role::Client;
const LK: ListenerKind = ListenerKind::Client;

#[no_mangle]
pub extern "C" fn Create_HP_TcpClientListener() -> HP_TcpClientListener {
    listener::create(LK)
}

#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpClientListener(pListener: HP_TcpClientListener) {
    listener::destroy(pListener, LK)
}

#[no_mangle]
pub unsafe extern "C" fn Create_HP_TcpClient(pListener: HP_TcpClientListener) -> HP_TcpClient {
    guard(|| tcp::create(pListener, R))
}

#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpClient(pClient: HP_TcpClient) {
    guard(|| tcp::destroy(pClient, R, tcp::Class::Tcp))
}

// ---- listener callbacks ----

#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Client_OnPrepareConnect(pListener: HP_ClientListener, fn_: HP_FN_Client_OnPrepareConnect) {
    listener::set_fn(pListener, LK, Slot::PrepareConnect, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Client_OnConnect(pListener: HP_ClientListener, fn_: HP_FN_Client_OnConnect) {
    listener::set_fn(pListener, LK, Slot::Connect, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Client_OnHandShake(pListener: HP_ClientListener, fn_: HP_FN_Client_OnHandShake) {
    listener::set_fn(pListener, LK, Slot::HandShake, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Client_OnSend(pListener: HP_ClientListener, fn_: HP_FN_Client_OnSend) {
    listener::set_fn(pListener, LK, Slot::Send, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Client_OnReceive(pListener: HP_ClientListener, fn_: HP_FN_Client_OnReceive) {
    listener::set_fn(pListener, LK, Slot::Receive, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Client_OnPullReceive(pListener: HP_ClientListener, fn_: HP_FN_Client_OnPullReceive) {
    listener::set_fn(pListener, LK, Slot::PullReceive, fn_.map_or(0, |f| f as usize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Client_OnClose(pListener: HP_ClientListener, fn_: HP_FN_Client_OnClose) {
    listener::set_fn(pListener, LK, Slot::Close, fn_.map_or(0, |f| f as usize))
}

/// The client's connection id, for the engine calls that take one.
fn cid(c: &Component) -> u64 {
    c.client_conn_id()
}

// ---- lifecycle ----

#[no_mangle]
pub unsafe extern "C" fn HP_Client_Start(pClient: HP_Client, lpszRemoteAddress: LPCTSTR, usPort: USHORT, bAsyncConnect: BOOL) -> BOOL {
    // SAFETY: `lpszRemoteAddress` is NULL or a NUL-terminated string (upstream's contract for
    // HP_Client_Start); start_client reads it only when non-NULL.
    guard(|| comp(pClient, R).cloned().map_or(FALSE, |c| unsafe { tcp::start_client(&c, lpszRemoteAddress, usPort, bAsyncConnect, std::ptr::null(), 0) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_StartWithBindAddress(pClient: HP_Client, lpszRemoteAddress: LPCTSTR, usPort: USHORT, bAsyncConnect: BOOL, lpszBindAddress: LPCTSTR) -> BOOL {
    // SAFETY: `lpszRemoteAddress` and `lpszBindAddress` are NULL or NUL-terminated strings
    // (upstream's contract for HP_Client_StartWithBindAddress); start_client reads each only when
    // non-NULL.
    guard(|| comp(pClient, R).cloned().map_or(FALSE, |c| unsafe { tcp::start_client(&c, lpszRemoteAddress, usPort, bAsyncConnect, lpszBindAddress, 0) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_StartWithBindAddressAndLocalPort(pClient: HP_Client, lpszRemoteAddress: LPCTSTR, usPort: USHORT, bAsyncConnect: BOOL, lpszBindAddress: LPCTSTR, usLocalPort: USHORT) -> BOOL {
    // SAFETY: `lpszRemoteAddress` and `lpszBindAddress` are NULL or NUL-terminated strings
    // (upstream's contract for HP_Client_StartWithBindAddressAndLocalPort); start_client reads each
    // only when non-NULL.
    guard(|| comp(pClient, R).cloned().map_or(FALSE, |c| unsafe { tcp::start_client(&c, lpszRemoteAddress, usPort, bAsyncConnect, lpszBindAddress, usLocalPort) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_Stop(pClient: HP_Client) -> BOOL {
    guard(|| comp(pClient, R).cloned().map_or(FALSE, |c| tcp::done(&c, c.stop())))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_Wait(pClient: HP_Client, dwMilliseconds: DWORD) -> BOOL {
    guard(|| comp(pClient, R).map_or(FALSE, |c| tcp::wait(c, dwMilliseconds)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_HasStarted(pClient: HP_Client) -> BOOL {
    guard(|| comp(pClient, R).map_or(FALSE, |c| tcp::has_started(c)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetState(pClient: HP_Client) -> En_HP_ServiceState {
    guard(|| comp(pClient, R).map_or(EnServiceState::SS_STOPPED, |c| tcp::state_of(c.state())))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetLastError(pClient: HP_Client) -> En_HP_SocketError {
    guard(|| comp(pClient, R).map_or(EnSocketError::SE_INVALID_PARAM, |c| tcp::error_of(c.last_error())))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetLastErrorDesc(pClient: HP_Client) -> LPCTSTR {
    guard(|| comp(pClient, R).map_or(std::ptr::null(), |c| tcp::error_desc(c.last_error() as c_int)))
}

// ---- sending ----

#[no_mangle]
pub unsafe extern "C" fn HP_Client_Send(pClient: HP_Client, pBuffer: *const BYTE, iLength: c_int) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` (upstream's contract for
    // HP_Client_Send); send_buf refuses a NULL buffer and lengths <= 0.
    guard(|| comp(pClient, R).map_or(FALSE, |c| unsafe { tcp::send_buf(c, cid(c), pBuffer, iLength, 0) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_SendPart(pClient: HP_Client, pBuffer: *const BYTE, iLength: c_int, iOffset: c_int) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` + `iOffset` (upstream's
    // contract for HP_Client_SendPart); send_buf refuses a NULL buffer, lengths <= 0 and negative
    // offsets.
    guard(|| comp(pClient, R).map_or(FALSE, |c| unsafe { tcp::send_buf(c, cid(c), pBuffer, iLength, iOffset) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_SendPackets(pClient: HP_Client, pBuffers: *const WSABUF, iCount: c_int) -> BOOL {
    // SAFETY: `pBuffers` points to `iCount` WSABUFs, each with `len` readable bytes at `buf`
    // (upstream's contract for HP_Client_SendPackets); send_packets refuses NULL, counts <= 0 and a
    // NULL `buf` with a non-zero `len`.
    guard(|| comp(pClient, R).map_or(FALSE, |c| unsafe { tcp::send_packets(c, cid(c), pBuffers, iCount) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_SendSmallFile(pClient: HP_Client, lpszFileName: LPCTSTR, pHead: LPWSABUF, pTail: LPWSABUF) -> BOOL {
    // SAFETY: `lpszFileName` is NULL or a NUL-terminated path, and `pHead` / `pTail` are NULL or
    // point to WSABUFs with `len` readable bytes at `buf` (upstream's contract for
    // HP_TcpClient_SendSmallFile); send_small_file checks each for NULL.
    guard(|| tcp_comp(pClient, R).map_or(FALSE, |c| unsafe { tcp::send_small_file(c, cid(c), lpszFileName, pHead, pTail) }))
}

// ---- the connection ----

#[no_mangle]
pub unsafe extern "C" fn HP_Client_PauseReceive(pClient: HP_Client, bPause: BOOL) -> BOOL {
    guard(|| comp(pClient, R).map_or(FALSE, |c| tcp::pause(c, cid(c), bPause)))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_IsPauseReceive(pClient: HP_Client, pbPaused: *mut BOOL) -> BOOL {
    // SAFETY: `pbPaused` is NULL or writable (upstream's contract for HP_Client_IsPauseReceive);
    // is_paused checks it for NULL before writing.
    guard(|| comp(pClient, R).map_or(FALSE, |c| unsafe { tcp::is_paused(c, cid(c), pbPaused) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_IsConnected(pClient: HP_Client) -> BOOL {
    guard(|| comp(pClient, R).map_or(FALSE, |c| tcp::is_connected(c, cid(c))))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetConnectionID(pClient: HP_Client) -> HP_CONNID {
    guard(|| comp(pClient, R).map_or(0, |c| cid(c) as HP_CONNID))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_SetExtra(pClient: HP_Client, pExtra: PVOID) {
    guard(|| {
        match tcp::obj(pClient, R) {
            Some(o) => o.extra.store(pExtra as usize, Ordering::Release),
            None => set_errno(libc::EINVAL),
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetExtra(pClient: HP_Client) -> PVOID {
    guard(|| match tcp::obj(pClient, R) {
        Some(o) => o.extra.load(Ordering::Acquire) as PVOID,
        None => {
            set_errno(libc::EINVAL);
            std::ptr::null_mut()
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetLocalAddress(pClient: HP_Client, lpszAddress: *mut TCHAR, piAddressLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    // SAFETY: `piAddressLen` and `pusPort` are NULL or writable, and `lpszAddress` is NULL or has
    // `*piAddressLen` writable bytes (upstream's contract for HP_Client_GetLocalAddress);
    // write_host checks for NULL and the size before writing.
    guard(|| comp(pClient, R).map_or(FALSE, |c| unsafe { tcp::local_addr(c, cid(c), lpszAddress, piAddressLen, pusPort) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetRemoteHost(pClient: HP_Client, lpszHost: *mut TCHAR, piHostLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    // SAFETY: `piHostLen` and `pusPort` are NULL or writable, and `lpszHost` is NULL or has
    // `*piHostLen` writable bytes (upstream's contract for HP_Client_GetRemoteHost); write_host
    // checks for NULL and the size before writing.
    guard(|| comp(pClient, R).map_or(FALSE, |c| unsafe { tcp::remote_host(c, cid(c), lpszHost, piHostLen, pusPort) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetPendingDataLength(pClient: HP_Client, piPending: *mut c_int) -> BOOL {
    // SAFETY: `piPending` is NULL or writable (upstream's contract for
    // HP_Client_GetPendingDataLength); pending checks it for NULL before writing.
    guard(|| comp(pClient, R).map_or(FALSE, |c| unsafe { tcp::pending(c, cid(c), piPending) }))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_IsSecure(pClient: HP_Client) -> BOOL {
    guard(|| comp(pClient, R).map_or(FALSE, |_| FALSE))
}

// ---- options ----

#[no_mangle]
pub unsafe extern "C" fn HP_Client_SetReuseAddressPolicy(pClient: HP_Client, enReusePolicy: ReuseAddressPolicyArg) {
    guard(|| tcp::set_reuse_policy(pClient, R, enReusePolicy))
}

#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetReuseAddressPolicy(pClient: HP_Client) -> En_HP_ReuseAddressPolicy {
    guard(|| comp(pClient, R).map_or(EnReuseAddressPolicy::RAP_NONE, |c| tcp::reuse_policy_out(c.options().reuse_policy)))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Client_SetFreeBufferPoolSize(pClient: HP_Client, dwValue: DWORD) {
    guard(|| set_opt(pClient, R, |o| o.free_buffer_obj_pool = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetFreeBufferPoolSize(pClient: HP_Client) -> DWORD {
    guard(|| get_opt(pClient, R, |o| o.free_buffer_obj_pool))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Client_SetFreeBufferPoolHold(pClient: HP_Client, dwValue: DWORD) {
    guard(|| set_opt(pClient, R, |o| o.free_buffer_obj_hold = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetFreeBufferPoolHold(pClient: HP_Client) -> DWORD {
    guard(|| get_opt(pClient, R, |o| o.free_buffer_obj_hold))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_SetSocketBufferSize(pClient: HP_TcpClient, dwValue: DWORD) {
    guard(|| set_tcp_opt(pClient, R, |o| o.socket_buffer_size = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_GetSocketBufferSize(pClient: HP_TcpClient) -> DWORD {
    guard(|| get_tcp_opt(pClient, R, |o| o.socket_buffer_size))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_SetKeepAliveTime(pClient: HP_TcpClient, dwValue: DWORD) {
    guard(|| set_tcp_opt(pClient, R, |o| o.keepalive_time = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_GetKeepAliveTime(pClient: HP_TcpClient) -> DWORD {
    guard(|| get_tcp_opt(pClient, R, |o| o.keepalive_time))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_SetKeepAliveInterval(pClient: HP_TcpClient, dwValue: DWORD) {
    guard(|| set_tcp_opt(pClient, R, |o| o.keepalive_interval = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_GetKeepAliveInterval(pClient: HP_TcpClient) -> DWORD {
    guard(|| get_tcp_opt(pClient, R, |o| o.keepalive_interval))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_SetSyncConnectTimeout(pClient: HP_TcpClient, dwValue: DWORD) {
    guard(|| set_tcp_opt(pClient, R, |o| o.sync_connect_timeout = dwValue))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_GetSyncConnectTimeout(pClient: HP_TcpClient) -> DWORD {
    guard(|| get_tcp_opt(pClient, R, |o| o.sync_connect_timeout))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_SetNoDelay(pClient: HP_TcpClient, bValue: BOOL) {
    guard(|| set_tcp_opt(pClient, R, |o| o.no_delay = bValue != 0))
}
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_IsNoDelay(pClient: HP_TcpClient) -> BOOL {
    guard(|| get_tcp_opt(pClient, R, |o| o.no_delay as BOOL))
}
