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

/// Creates a TcpClient listener (a table of callbacks, all NULL); NULL only if the handle table is
/// full.
#[no_mangle]
pub extern "C" fn Create_HP_TcpClientListener() -> HP_TcpClientListener {
    listener::create(LK)
}

/// Frees a listener made by Create_HP_TcpClientListener; components still using it keep their own
/// reference. Any other handle is refused with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpClientListener(pListener: HP_TcpClientListener) {
    listener::destroy(pListener, LK)
}

/// Creates a stopped TcpClient (PUSH model) raising `pListener`'s callbacks; NULL with errno EINVAL
/// for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_TcpClient(pListener: HP_TcpClientListener) -> HP_TcpClient {
    guard(|| tcp::create(pListener, R))
}

/// Stops the client if needed, waits for its callbacks and frees it (from inside its own callback
/// the free finishes on a helper thread). A handle not made by Create_HP_TcpClient: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpClient(pClient: HP_TcpClient) {
    guard(|| tcp::destroy(pClient, R, tcp::Class::Tcp))
}

// ---- listener callbacks ----

/// Sets the OnPrepareConnect callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Client_OnPrepareConnect(pListener: HP_ClientListener, fn_: HP_FN_Client_OnPrepareConnect) {
    listener::set_fn(pListener, LK, Slot::PrepareConnect, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnConnect callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Client_OnConnect(pListener: HP_ClientListener, fn_: HP_FN_Client_OnConnect) {
    listener::set_fn(pListener, LK, Slot::Connect, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnHandShake callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Client_OnHandShake(pListener: HP_ClientListener, fn_: HP_FN_Client_OnHandShake) {
    listener::set_fn(pListener, LK, Slot::HandShake, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnSend callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Client_OnSend(pListener: HP_ClientListener, fn_: HP_FN_Client_OnSend) {
    listener::set_fn(pListener, LK, Slot::Send, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnReceive callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Client_OnReceive(pListener: HP_ClientListener, fn_: HP_FN_Client_OnReceive) {
    listener::set_fn(pListener, LK, Slot::Receive, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnPullReceive callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Client_OnPullReceive(pListener: HP_ClientListener, fn_: HP_FN_Client_OnPullReceive) {
    listener::set_fn(pListener, LK, Slot::PullReceive, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnClose callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_Client_OnClose(pListener: HP_ClientListener, fn_: HP_FN_Client_OnClose) {
    listener::set_fn(pListener, LK, Slot::Close, fn_.map_or(0, |f| f as usize))
}

/// The client's connection id, for the engine calls that take one.
fn cid(c: &Component) -> u64 {
    c.client_conn_id()
}

// ---- lifecycle ----

/// Connects to `lpszRemoteAddress:usPort`; synchronous (`bAsyncConnect` FALSE) returns after
/// OnConnect. FALSE with the reason in HP_Client_GetLastError (SE_ILLEGAL_STATE, SE_INVALID_PARAM,
/// SE_SOCKET_CREATE / EHOSTUNREACH for an unknown host, SE_CONNECT_SERVER if refused).
#[no_mangle]
pub unsafe extern "C" fn HP_Client_Start(pClient: HP_Client, lpszRemoteAddress: LPCTSTR, usPort: USHORT, bAsyncConnect: BOOL) -> BOOL {
    // SAFETY: `lpszRemoteAddress` is NULL or a NUL-terminated string (upstream's contract for
    // HP_Client_Start); start_client reads it only when non-NULL.
    guard(|| comp(pClient, R).cloned().map_or(FALSE, |c| unsafe { tcp::start_client(&c, lpszRemoteAddress, usPort, bAsyncConnect, std::ptr::null(), 0) }))
}

/// As HP_Client_Start, binding the local end to `lpszBindAddress` (NULL or "": none).
#[no_mangle]
pub unsafe extern "C" fn HP_Client_StartWithBindAddress(pClient: HP_Client, lpszRemoteAddress: LPCTSTR, usPort: USHORT, bAsyncConnect: BOOL, lpszBindAddress: LPCTSTR) -> BOOL {
    // SAFETY: `lpszRemoteAddress` and `lpszBindAddress` are NULL or NUL-terminated strings
    // (upstream's contract for HP_Client_StartWithBindAddress); start_client reads each only when
    // non-NULL.
    guard(|| comp(pClient, R).cloned().map_or(FALSE, |c| unsafe { tcp::start_client(&c, lpszRemoteAddress, usPort, bAsyncConnect, lpszBindAddress, 0) }))
}

/// As HP_Client_Start, binding the local end to `lpszBindAddress` (NULL or "": any) and port
/// `usLocalPort` (0: any).
#[no_mangle]
pub unsafe extern "C" fn HP_Client_StartWithBindAddressAndLocalPort(pClient: HP_Client, lpszRemoteAddress: LPCTSTR, usPort: USHORT, bAsyncConnect: BOOL, lpszBindAddress: LPCTSTR, usLocalPort: USHORT) -> BOOL {
    // SAFETY: `lpszRemoteAddress` and `lpszBindAddress` are NULL or NUL-terminated strings
    // (upstream's contract for HP_Client_StartWithBindAddressAndLocalPort); start_client reads each
    // only when non-NULL.
    guard(|| comp(pClient, R).cloned().map_or(FALSE, |c| unsafe { tcp::start_client(&c, lpszRemoteAddress, usPort, bAsyncConnect, lpszBindAddress, usLocalPort) }))
}

/// Closes the connection (OnClose(SO_CLOSE, 0)) and stops the client. FALSE with SE_ILLEGAL_STATE /
/// EPERM unless started; a client that is stopping (its connection closing by itself, or another
/// Stop) is first waited for until stopped, outside its callbacks, as upstream. From inside a
/// callback it returns at once and completes later.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_Stop(pClient: HP_Client) -> BOOL {
    guard(|| comp(pClient, R).cloned().map_or(FALSE, |c| tcp::done(&c, c.stop())))
}

/// Waits up to `dwMilliseconds` (INFINITE: no limit) for the client to reach SS_STOPPED; TRUE when
/// it is stopped, FALSE on timeout.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_Wait(pClient: HP_Client, dwMilliseconds: DWORD) -> BOOL {
    guard(|| comp(pClient, R).map_or(FALSE, |c| tcp::wait(c, dwMilliseconds)))
}

/// TRUE while the client is starting or started; FALSE otherwise or for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_HasStarted(pClient: HP_Client) -> BOOL {
    guard(|| comp(pClient, R).map_or(FALSE, |c| tcp::has_started(c)))
}

/// The service state; a client whose connection closed is SS_STOPPED after its OnClose. SS_STOPPED
/// for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetState(pClient: HP_Client) -> En_HP_ServiceState {
    guard(|| comp(pClient, R).map_or(EnServiceState::SS_STOPPED, |c| tcp::state_of(c.state())))
}

/// The error of the last Start or Stop (SE_OK if it succeeded); SE_INVALID_PARAM for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetLastError(pClient: HP_Client) -> En_HP_SocketError {
    guard(|| comp(pClient, R).map_or(EnSocketError::SE_INVALID_PARAM, |c| tcp::error_of(c.last_error())))
}

/// A static text describing HP_Client_GetLastError; NULL for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetLastErrorDesc(pClient: HP_Client) -> LPCTSTR {
    guard(|| comp(pClient, R).map_or(std::ptr::null(), |c| tcp::error_desc(c.last_error() as c_int)))
}

// ---- sending ----

/// Sends `iLength` bytes from `pBuffer` (queued; a write error later closes the connection with
/// OnClose(SO_SEND, errno)). FALSE with errno EPERM when not connected; a TCP length of 0 succeeds
/// and sends nothing (PACK and UDP refuse it with EMSGSIZE).
#[no_mangle]
pub unsafe extern "C" fn HP_Client_Send(pClient: HP_Client, pBuffer: *const BYTE, iLength: c_int) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` (upstream's contract for
    // HP_Client_Send); send_buf refuses a NULL buffer and lengths <= 0.
    guard(|| comp(pClient, R).map_or(FALSE, |c| unsafe { tcp::send_buf(c, cid(c), pBuffer, iLength, 0) }))
}

/// As HP_Client_Send, sending `iLength` bytes from `pBuffer + iOffset`; a negative offset or a NULL
/// buffer is EINVAL.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_SendPart(pClient: HP_Client, pBuffer: *const BYTE, iLength: c_int, iOffset: c_int) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` + `iOffset` (upstream's
    // contract for HP_Client_SendPart); send_buf refuses a NULL buffer, lengths <= 0 and negative
    // offsets.
    guard(|| comp(pClient, R).map_or(FALSE, |c| unsafe { tcp::send_buf(c, cid(c), pBuffer, iLength, iOffset) }))
}

/// Sends `iCount` buffers as one contiguous write (one message on PACK and UDP). FALSE with errno
/// EPERM when not connected, EINVAL for a NULL array, a count <= 0 or a NULL `buf` with a length.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_SendPackets(pClient: HP_Client, pBuffers: *const WSABUF, iCount: c_int) -> BOOL {
    // SAFETY: `pBuffers` points to `iCount` WSABUFs, each with `len` readable bytes at `buf`
    // (upstream's contract for HP_Client_SendPackets); send_packets refuses NULL, counts <= 0 and a
    // NULL `buf` with a non-zero `len`.
    guard(|| comp(pClient, R).map_or(FALSE, |c| unsafe { tcp::send_packets(c, cid(c), pBuffers, iCount) }))
}

/// Sends `pHead` (NULL for none), the whole file `lpszFileName` (at most 4 MiB) and `pTail`. FALSE
/// with errno EFBIG above 4 MiB, ENODATA for an empty file, EINVAL if not a regular file, the open
/// errno.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_SendSmallFile(pClient: HP_Client, lpszFileName: LPCTSTR, pHead: LPWSABUF, pTail: LPWSABUF) -> BOOL {
    // SAFETY: `lpszFileName` is NULL or a NUL-terminated path, and `pHead` / `pTail` are NULL or
    // point to WSABUFs with `len` readable bytes at `buf` (upstream's contract for
    // HP_TcpClient_SendSmallFile); send_small_file checks each for NULL.
    guard(|| tcp_comp(pClient, R).map_or(FALSE, |c| unsafe { tcp::send_small_file(c, cid(c), lpszFileName, pHead, pTail) }))
}

// ---- the connection ----

/// Pauses (`bPause` TRUE) or resumes reading from the connection. FALSE with errno EBADSLT when
/// there is no connection.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_PauseReceive(pClient: HP_Client, bPause: BOOL) -> BOOL {
    guard(|| comp(pClient, R).map_or(FALSE, |c| tcp::pause(c, cid(c), bPause)))
}

/// Stores in `*pbPaused` whether receiving is paused. FALSE when there is no connection (no error
/// set), EINVAL for a NULL `pbPaused`.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_IsPauseReceive(pClient: HP_Client, pbPaused: *mut BOOL) -> BOOL {
    // SAFETY: `pbPaused` is NULL or writable (upstream's contract for HP_Client_IsPauseReceive);
    // is_paused checks it for NULL before writing.
    guard(|| comp(pClient, R).map_or(FALSE, |c| unsafe { tcp::is_paused(c, cid(c), pbPaused) }))
}

/// TRUE if the client's connection is established; FALSE otherwise (no error set).
#[no_mangle]
pub unsafe extern "C" fn HP_Client_IsConnected(pClient: HP_Client) -> BOOL {
    guard(|| comp(pClient, R).map_or(FALSE, |c| tcp::is_connected(c, cid(c))))
}

/// The id of the client's connection (the one passed to its callbacks); 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetConnectionID(pClient: HP_Client) -> HP_CONNID {
    guard(|| comp(pClient, R).map_or(0, |c| cid(c) as HP_CONNID))
}

/// Stores the application's `pExtra` on the client (kept across Start and Stop); errno EINVAL for a
/// bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_SetExtra(pClient: HP_Client, pExtra: PVOID) {
    guard(|| {
        match tcp::obj(pClient, R) {
            Some(o) => o.extra.store(pExtra as usize, Ordering::Release),
            None => set_errno(libc::EINVAL),
        }
    })
}

/// The value stored by HP_Client_SetExtra (NULL until set); NULL with errno EINVAL for a bad
/// handle.
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

/// Copies the connection's local address and port (`*piAddressLen`: size in, length with NUL out;
/// ENOSPC with the size needed if too small). FALSE when there is no connection (no error set).
#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetLocalAddress(pClient: HP_Client, lpszAddress: *mut TCHAR, piAddressLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    // SAFETY: `piAddressLen` and `pusPort` are NULL or writable, and `lpszAddress` is NULL or has
    // `*piAddressLen` writable bytes (upstream's contract for HP_Client_GetLocalAddress);
    // write_host checks for NULL and the size before writing.
    guard(|| comp(pClient, R).map_or(FALSE, |c| unsafe { tcp::local_addr(c, cid(c), lpszAddress, piAddressLen, pusPort) }))
}

/// Copies the host name given to Start (its address if none) and the port, with GetLocalAddress's
/// buffer rules. FALSE when there is no connection (no error set).
#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetRemoteHost(pClient: HP_Client, lpszHost: *mut TCHAR, piHostLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    // SAFETY: `piHostLen` and `pusPort` are NULL or writable, and `lpszHost` is NULL or has
    // `*piHostLen` writable bytes (upstream's contract for HP_Client_GetRemoteHost); write_host
    // checks for NULL and the size before writing.
    guard(|| comp(pClient, R).map_or(FALSE, |c| unsafe { tcp::remote_host(c, cid(c), lpszHost, piHostLen, pusPort) }))
}

/// Stores the bytes queued but not yet written in `*piPending`; FALSE when there is no connection
/// (no error set), EINVAL for a NULL `piPending`.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetPendingDataLength(pClient: HP_Client, piPending: *mut c_int) -> BOOL {
    // SAFETY: `piPending` is NULL or writable (upstream's contract for
    // HP_Client_GetPendingDataLength); pending checks it for NULL before writing.
    guard(|| comp(pClient, R).map_or(FALSE, |c| unsafe { tcp::pending(c, cid(c), piPending) }))
}

/// TRUE for the SSL components (SSL*, Https*), FALSE for the others.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_IsSecure(pClient: HP_Client) -> BOOL {
    guard(|| comp(pClient, R).map_or(FALSE, |c| tcp::bool_of(c.is_secure())))
}

// ---- options ----

/// Sets the address reuse policy (RAP_ADDR_AND_PORT adds SO_REUSEPORT); only while stopped (else
/// errno EPERM). An unknown value is ignored with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_SetReuseAddressPolicy(pClient: HP_Client, enReusePolicy: ReuseAddressPolicyArg) {
    guard(|| tcp::set_reuse_policy(pClient, R, enReusePolicy))
}

/// The address reuse policy (default RAP_ADDR_ONLY); RAP_NONE for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetReuseAddressPolicy(pClient: HP_Client) -> En_HP_ReuseAddressPolicy {
    guard(|| comp(pClient, R).map_or(EnReuseAddressPolicy::RAP_NONE, |c| tcp::reuse_policy_out(c.options().reuse_policy)))
}
/// Accepted and reported back, changes nothing (no buffer pools here; default 60); only while
/// stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_SetFreeBufferPoolSize(pClient: HP_Client, dwValue: DWORD) {
    guard(|| set_opt(pClient, R, |o| o.free_buffer_obj_pool = dwValue))
}
/// The value set by SetFreeBufferPoolSize; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetFreeBufferPoolSize(pClient: HP_Client) -> DWORD {
    guard(|| get_opt(pClient, R, |o| o.free_buffer_obj_pool))
}
/// Accepted and reported back, changes nothing (no buffer pools here; default 60); only while
/// stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_SetFreeBufferPoolHold(pClient: HP_Client, dwValue: DWORD) {
    guard(|| set_opt(pClient, R, |o| o.free_buffer_obj_hold = dwValue))
}
/// The value set by SetFreeBufferPoolHold; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetFreeBufferPoolHold(pClient: HP_Client) -> DWORD {
    guard(|| get_opt(pClient, R, |o| o.free_buffer_obj_hold))
}
/// Sets the largest chunk one OnReceive delivers (default 4096; Start refuses below 8); only while
/// stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_SetSocketBufferSize(pClient: HP_TcpClient, dwValue: DWORD) {
    guard(|| set_tcp_opt(pClient, R, |o| o.socket_buffer_size = dwValue))
}
/// The socket buffer size; 0 for a bad or non-TCP handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_GetSocketBufferSize(pClient: HP_TcpClient) -> DWORD {
    guard(|| get_tcp_opt(pClient, R, |o| o.socket_buffer_size))
}
/// Sets the TCP keep-alive idle time in ms (default 60000; 0 disables; Start refuses 1..999); only
/// while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_SetKeepAliveTime(pClient: HP_TcpClient, dwValue: DWORD) {
    guard(|| set_tcp_opt(pClient, R, |o| o.keepalive_time = dwValue))
}
/// The keep-alive time in ms; 0 for a bad or non-TCP handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_GetKeepAliveTime(pClient: HP_TcpClient) -> DWORD {
    guard(|| get_tcp_opt(pClient, R, |o| o.keepalive_time))
}
/// Sets the TCP keep-alive probe interval in ms (default 20000; Start refuses 1..999); only while
/// stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_SetKeepAliveInterval(pClient: HP_TcpClient, dwValue: DWORD) {
    guard(|| set_tcp_opt(pClient, R, |o| o.keepalive_interval = dwValue))
}
/// The keep-alive interval in ms; 0 for a bad or non-TCP handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_GetKeepAliveInterval(pClient: HP_TcpClient) -> DWORD {
    guard(|| get_tcp_opt(pClient, R, |o| o.keepalive_interval))
}
/// Sets the time a synchronous Start may take to connect, in ms (default 10000); only while stopped
/// (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_SetSyncConnectTimeout(pClient: HP_TcpClient, dwValue: DWORD) {
    guard(|| set_tcp_opt(pClient, R, |o| o.sync_connect_timeout = dwValue))
}
/// The synchronous connect timeout in ms; 0 for a bad or non-TCP handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_GetSyncConnectTimeout(pClient: HP_TcpClient) -> DWORD {
    guard(|| get_tcp_opt(pClient, R, |o| o.sync_connect_timeout))
}
/// Whether to set TCP_NODELAY on the connection (default FALSE); only while stopped (else errno
/// EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_SetNoDelay(pClient: HP_TcpClient, bValue: BOOL) {
    guard(|| set_tcp_opt(pClient, R, |o| o.no_delay = bValue != 0))
}
/// TRUE if TCP_NODELAY is set; FALSE also for a bad or non-TCP handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_IsNoDelay(pClient: HP_TcpClient) -> BOOL {
    guard(|| get_tcp_opt(pClient, R, |o| o.no_delay as BOOL))
}
