//! The UDP server and client: `Create_HP_Udp{Server,Client}`, their listeners and the
//! `HP_UdpServer_*` / `HP_UdpClient_*` options. Everything else (`HP_Server_*`,
//! `HP_Client_*`, `HP_Set_FN_Server_*`, `HP_Set_FN_Client_*`) works on them as on TCP
//! components: a peer address is a connection, one Send is one datagram. UdpCast, a client of
//! a multicast group or of broadcast, and the ARQ server and client (UDP plus KCP, with
//! upstream's handshake) are here too.
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_snake_case, clippy::missing_safety_doc)]

use super::guard::guard;
use super::handles::*;
use super::listener::{self, ListenerKind};
use super::tcp::{self, get_opt_of, set_opt_of};
use super::types::*;
use crate::engine::arq::ArqOptions;
use crate::engine::component::{Component, Role, Transport};
use crate::engine::options::ReusePolicy;
use std::os::raw::c_int;

const U: Transport = Transport::Udp;

/// Creates a UdpServer listener (a UdpServer listener; callbacks all NULL); NULL only if the handle
/// table is full.
#[no_mangle]
pub extern "C" fn Create_HP_UdpServerListener() -> HP_UdpServerListener {
    listener::create(ListenerKind::Server)
}
/// Frees a listener made by Create_HP_UdpServerListener; components still using it keep their own
/// reference. Any other handle is refused with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_UdpServerListener(pListener: HP_UdpServerListener) {
    listener::destroy(pListener, ListenerKind::Server)
}
/// Creates a stopped a UdpServer raising `pListener`'s callbacks;
/// NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_UdpServer(pListener: HP_UdpServerListener) -> HP_UdpServer {
    guard(|| tcp::create_udp(pListener, Role::Server))
}
/// Stops the server if needed, waits for its callbacks and frees it. A handle not made by
/// Create_HP_UdpServer: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_UdpServer(pServer: HP_UdpServer) {
    guard(|| tcp::destroy(pServer, Role::Server, tcp::Class::Udp))
}

/// Creates a UdpClient listener (a UdpClient listener; callbacks all NULL); NULL only if the handle
/// table is full.
#[no_mangle]
pub extern "C" fn Create_HP_UdpClientListener() -> HP_UdpClientListener {
    listener::create(ListenerKind::Client)
}
/// Frees a listener made by Create_HP_UdpClientListener; components still using it keep their own
/// reference. Any other handle is refused with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_UdpClientListener(pListener: HP_UdpClientListener) {
    listener::destroy(pListener, ListenerKind::Client)
}
/// Creates a stopped a UdpClient raising `pListener`'s callbacks;
/// NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_UdpClient(pListener: HP_UdpClientListener) -> HP_UdpClient {
    guard(|| tcp::create_udp(pListener, Role::Client))
}
/// Stops the client if needed, waits for its callbacks and frees it. A handle not made by
/// Create_HP_UdpClient: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_UdpClient(pClient: HP_UdpClient) {
    guard(|| tcp::destroy(pClient, Role::Client, tcp::Class::Udp))
}

// ---- UdpServer options (set while stopped, checked at Start) ----

/// Largest datagram sent or received (default 1432, at most 65536).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpServer_SetMaxDatagramSize(pServer: HP_UdpServer, dwMaxDatagramSize: DWORD) {
    guard(|| set_opt_of(pServer, Role::Server, U, |o| o.max_datagram_size = dwMaxDatagramSize))
}
/// The largest datagram size; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpServer_GetMaxDatagramSize(pServer: HP_UdpServer) -> DWORD {
    guard(|| get_opt_of(pServer, Role::Server, U, |o| o.max_datagram_size))
}
/// Kept for upstream's API; receiving does not depend on it.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpServer_SetPostReceiveCount(pServer: HP_UdpServer, dwPostReceiveCount: DWORD) {
    guard(|| set_opt_of(pServer, Role::Server, U, |o| o.post_receive_count = dwPostReceiveCount))
}
/// The post-receive count; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpServer_GetPostReceiveCount(pServer: HP_UdpServer) -> DWORD {
    guard(|| get_opt_of(pServer, Role::Server, U, |o| o.post_receive_count))
}
/// Detect intervals a peer may stay silent before it is dropped (0: never).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpServer_SetDetectAttempts(pServer: HP_UdpServer, dwDetectAttempts: DWORD) {
    guard(|| set_opt_of(pServer, Role::Server, U, |o| o.detect_attempts = dwDetectAttempts))
}
/// The detect attempts; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpServer_GetDetectAttempts(pServer: HP_UdpServer) -> DWORD {
    guard(|| get_opt_of(pServer, Role::Server, U, |o| o.detect_attempts))
}
/// Detect interval in milliseconds (0: no detection).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpServer_SetDetectInterval(pServer: HP_UdpServer, dwDetectInterval: DWORD) {
    guard(|| set_opt_of(pServer, Role::Server, U, |o| o.detect_interval = dwDetectInterval))
}
/// The detect interval in ms; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpServer_GetDetectInterval(pServer: HP_UdpServer) -> DWORD {
    guard(|| get_opt_of(pServer, Role::Server, U, |o| o.detect_interval))
}

// ---- UdpClient options ----

/// Sets the largest datagram sent or received (default 1432; Start refuses 0 or above 65536);
/// only while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpClient_SetMaxDatagramSize(pClient: HP_UdpClient, dwMaxDatagramSize: DWORD) {
    guard(|| set_opt_of(pClient, Role::Client, U, |o| o.max_datagram_size = dwMaxDatagramSize))
}
/// The largest datagram size; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpClient_GetMaxDatagramSize(pClient: HP_UdpClient) -> DWORD {
    guard(|| get_opt_of(pClient, Role::Client, U, |o| o.max_datagram_size))
}
/// Detect intervals without a word from the server before the client closes (0: never).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpClient_SetDetectAttempts(pClient: HP_UdpClient, dwDetectAttempts: DWORD) {
    guard(|| set_opt_of(pClient, Role::Client, U, |o| o.detect_attempts = dwDetectAttempts))
}
/// The detect attempts; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpClient_GetDetectAttempts(pClient: HP_UdpClient) -> DWORD {
    guard(|| get_opt_of(pClient, Role::Client, U, |o| o.detect_attempts))
}
/// Detect (heartbeat) interval in milliseconds (0: no heartbeats).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpClient_SetDetectInterval(pClient: HP_UdpClient, dwDetectInterval: DWORD) {
    guard(|| set_opt_of(pClient, Role::Client, U, |o| o.detect_interval = dwDetectInterval))
}
/// The detect interval in ms; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpClient_GetDetectInterval(pClient: HP_UdpClient) -> DWORD {
    guard(|| get_opt_of(pClient, Role::Client, U, |o| o.detect_interval))
}

// ---- UdpCast: a client of a multicast group or of broadcast; HP_Client_* drive it ----

const CAST: Transport = Transport::Cast;

/// Creates a UdpCast listener (a Client listener; callbacks all NULL); NULL only if the handle
/// table is full.
#[no_mangle]
pub extern "C" fn Create_HP_UdpCastListener() -> HP_UdpCastListener {
    listener::create(ListenerKind::Client)
}
/// Frees a listener made by Create_HP_UdpCastListener; components still using it keep their own
/// reference. Any other handle is refused with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_UdpCastListener(pListener: HP_UdpCastListener) {
    listener::destroy(pListener, ListenerKind::Client)
}
/// Creates a stopped a UdpCast (multicast or broadcast, no connections) raising `pListener`'s
/// callbacks; NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_UdpCast(pListener: HP_UdpCastListener) -> HP_UdpCast {
    guard(|| tcp::create_cast(pListener))
}
/// Stops the cast if needed, waits for its callbacks and frees it. A handle not made by
/// Create_HP_UdpCast: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_UdpCast(pCast: HP_UdpCast) {
    guard(|| tcp::destroy(pCast, Role::Client, tcp::Class::UdpCast))
}

/// Sets the largest datagram sent or received (default 1432; Start refuses 0 or above 65536);
/// only while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpCast_SetMaxDatagramSize(pCast: HP_UdpCast, dwMaxDatagramSize: DWORD) {
    guard(|| set_opt_of(pCast, Role::Client, CAST, |o| o.max_datagram_size = dwMaxDatagramSize))
}
/// The largest datagram size; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpCast_GetMaxDatagramSize(pCast: HP_UdpCast) -> DWORD {
    guard(|| get_opt_of(pCast, Role::Client, CAST, |o| o.max_datagram_size))
}
/// CM_MULTICAST (default) or CM_BROADCAST; any other value is refused here with EINVAL.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpCast_SetCastMode(pCast: HP_UdpCast, enCastMode: CastModeArg) {
    guard(|| match tcp::comp_of(pCast, Role::Client, CAST) {
        Some(_) if !(0..=1).contains(&enCastMode.0) => {
            tcp::bad_arg();
        }
        c @ Some(_) => tcp::apply_option(c, |o| o.cast_mode = enCastMode.0),
        None => {}
    })
}
/// The cast mode; CM_MULTICAST also for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpCast_GetCastMode(pCast: HP_UdpCast) -> En_HP_CastMode {
    guard(|| match get_opt_of(pCast, Role::Client, CAST, |o| o.cast_mode) {
        1 => EnCastMode::CM_BROADCAST,
        _ => EnCastMode::CM_MULTICAST,
    })
}
/// Multicast TTL (default 1); Start refuses values outside 0..=255.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpCast_SetMultiCastTtl(pCast: HP_UdpCast, iMCTtl: c_int) {
    guard(|| set_opt_of(pCast, Role::Client, CAST, |o| o.mc_ttl = iMCTtl))
}
/// The multicast TTL; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpCast_GetMultiCastTtl(pCast: HP_UdpCast) -> c_int {
    guard(|| get_opt_of(pCast, Role::Client, CAST, |o| o.mc_ttl))
}
/// Whether this host's own receivers (this cast included) get what it sends (default FALSE).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpCast_SetMultiCastLoop(pCast: HP_UdpCast, bMCLoop: BOOL) {
    guard(|| set_opt_of(pCast, Role::Client, CAST, |o| o.mc_loop = bMCLoop != 0))
}
/// TRUE if multicast loopback is on; FALSE also for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpCast_IsMultiCastLoop(pCast: HP_UdpCast) -> BOOL {
    guard(|| get_opt_of(pCast, Role::Client, CAST, |o| o.mc_loop as BOOL))
}
/// The sender of the datagram being received (call it from OnReceive); FALSE before the first.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpCast_GetRemoteAddress(pCast: HP_UdpCast, lpszAddress: *mut TCHAR, piAddressLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    guard(|| {
        let Some(c) = tcp::comp_of(pCast, Role::Client, CAST) else { return tcp::FALSE };
        match c.conn(c.client_conn_id()).and_then(|conn| crate::engine::udp::last_from(&conn)) {
            // SAFETY: `piAddressLen` and `pusPort` are NULL or writable, and `lpszAddress` is NULL
            // or has `*piAddressLen` writable bytes (upstream's contract for
            // HP_UdpCast_GetRemoteAddress); write_host checks for NULL and the size before writing.
            Some(a) => unsafe { tcp::write_addr(&a.ip(), a.port(), lpszAddress, piAddressLen, pusPort) },
            None => tcp::not_found(c),
        }
    })
}
/// 5.1.1's name: TRUE maps onto RAP_ADDR_ONLY, FALSE onto RAP_NONE.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpCast_SetReuseAddress(pCast: HP_UdpCast, bReuseAddress: BOOL) {
    guard(|| {
        let p = if bReuseAddress != 0 { ReusePolicy::AddrOnly } else { ReusePolicy::None };
        set_opt_of(pCast, Role::Client, CAST, |o| o.reuse_policy = p)
    })
}
/// 5.1.1's name: TRUE unless the policy is RAP_NONE.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpCast_IsReuseAddress(pCast: HP_UdpCast) -> BOOL {
    guard(|| get_opt_of(pCast, Role::Client, CAST, |o| (o.reuse_policy != ReusePolicy::None) as BOOL))
}

// ---- UdpArqServer / UdpArqClient: UDP plus KCP; HP_Server_* / HP_Client_* and the
// HP_UdpServer_* / HP_UdpClient_* options work on them too ----

/// The ARQ component behind a handle of `role`; on any other handle sets errno and returns None.
fn arq_comp<'a>(p: PVOID, role: Role) -> Option<&'a std::sync::Arc<Component>> {
    match tcp::comp_of(p, role, U) {
        Some(c) if c.is_arq() => Some(c),
        Some(_) => {
            super::guard::set_errno(libc::EINVAL);
            None
        }
        None => None,
    }
}

fn set_arq(p: PVOID, role: Role, f: impl FnOnce(&mut ArqOptions)) {
    tcp::apply_option(arq_comp(p, role), |o| f(&mut o.arq))
}

fn get_arq<T: Default>(p: PVOID, role: Role, f: impl FnOnce(&ArqOptions) -> T) -> T {
    arq_comp(p, role).map(|c| f(&c.options().arq)).unwrap_or_default()
}

/// `GetWaitingSendMessageCount`: messages queued or not yet acknowledged on a connection.
///
/// # Safety
/// `out` is NULL or valid for writing one `c_int`.
unsafe fn waiting(p: PVOID, role: Role, id: Option<HP_CONNID>, out: *mut c_int) -> BOOL {
    let Some(c) = arq_comp(p, role) else { return tcp::FALSE };
    if out.is_null() {
        return tcp::bad_arg();
    }
    let id = id.unwrap_or_else(|| c.client_conn_id());
    match c.conn(id).and_then(|conn| crate::engine::udp::arq_waiting(&conn)) {
        Some(n) => {
            // SAFETY: `out` is non-NULL (checked above) and writable (this function's contract).
            unsafe { *out = n.min(c_int::MAX as usize) as c_int };
            tcp::TRUE
        }
        None => tcp::not_found(c),
    }
}

/// Creates an UdpArqServer listener (a UdpServer listener; callbacks all NULL); NULL only if the
/// handle table is full.
#[no_mangle]
pub extern "C" fn Create_HP_UdpArqServerListener() -> HP_UdpArqServerListener {
    listener::create(ListenerKind::Server)
}
/// Frees a listener made by Create_HP_UdpArqServerListener; components still using it keep their
/// own reference. Any other handle is refused with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_UdpArqServerListener(pListener: HP_UdpArqServerListener) {
    listener::destroy(pListener, ListenerKind::Server)
}
/// Creates a stopped a UdpArqServer (UDP plus KCP) raising `pListener`'s callbacks;
/// NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_UdpArqServer(pListener: HP_UdpServerListener) -> HP_UdpArqServer {
    guard(|| tcp::create_arq(pListener, Role::Server))
}
/// Stops the server if needed, waits for its callbacks and frees it. A handle not made by
/// Create_HP_UdpArqServer: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_UdpArqServer(pServer: HP_UdpArqServer) {
    guard(|| tcp::destroy(pServer, Role::Server, tcp::Class::UdpArq))
}
/// Creates an UdpArqClient listener (a UdpClient listener; callbacks all NULL); NULL only if the
/// handle table is full.
#[no_mangle]
pub extern "C" fn Create_HP_UdpArqClientListener() -> HP_UdpArqClientListener {
    listener::create(ListenerKind::Client)
}
/// Frees a listener made by Create_HP_UdpArqClientListener; components still using it keep their
/// own reference. Any other handle is refused with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_UdpArqClientListener(pListener: HP_UdpArqClientListener) {
    listener::destroy(pListener, ListenerKind::Client)
}
/// Creates a stopped a UdpArqClient (UDP plus KCP) raising `pListener`'s callbacks;
/// NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_UdpArqClient(pListener: HP_UdpClientListener) -> HP_UdpArqClient {
    guard(|| tcp::create_arq(pListener, Role::Client))
}
/// Stops the client if needed, waits for its callbacks and frees it. A handle not made by
/// Create_HP_UdpArqClient: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_UdpArqClient(pClient: HP_UdpArqClient) {
    guard(|| tcp::destroy(pClient, Role::Client, tcp::Class::UdpArq))
}
/// Stores KCP's queued plus unacknowledged segments of connection `dwConnID` in `*piCount`. FALSE
/// for an unknown id (no error set), EINVAL for a NULL `piCount`.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_GetWaitingSendMessageCount(pServer: HP_UdpArqServer, dwConnID: HP_CONNID, piCount: *mut c_int) -> BOOL {
    // SAFETY: `piCount` is NULL or writable (upstream's contract for
    // HP_UdpArqServer_GetWaitingSendMessageCount); waiting checks it for NULL.
    guard(|| unsafe { waiting(pServer, Role::Server, Some(dwConnID), piCount) })
}
/// Stores KCP's queued plus unacknowledged segments in `*piCount`. FALSE when not connected (no
/// error set), EINVAL for a NULL `piCount`.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_GetWaitingSendMessageCount(pClient: HP_UdpArqClient, piCount: *mut c_int) -> BOOL {
    // SAFETY: `piCount` is NULL or writable (upstream's contract for
    // HP_UdpArqClient_GetWaitingSendMessageCount); waiting checks it for NULL.
    guard(|| unsafe { waiting(pClient, Role::Client, None, piCount) })
}
/// Sets KCP no-delay mode (default FALSE); only while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_SetNoDelay(pServer: HP_UdpArqServer, bNoDelay: BOOL) {
    guard(|| set_arq(pServer, Role::Server, |o| o.no_delay = bNoDelay != 0))
}
/// TRUE if set; FALSE also for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_IsNoDelay(pServer: HP_UdpArqServer) -> BOOL {
    guard(|| get_arq(pServer, Role::Server, |o| o.no_delay as BOOL))
}
/// Sets turning KCP congestion control off (default FALSE); only while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_SetTurnoffCongestCtrl(pServer: HP_UdpArqServer, bTurnOff: BOOL) {
    guard(|| set_arq(pServer, Role::Server, |o| o.turnoff_nc = bTurnOff != 0))
}
/// TRUE if set; FALSE also for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_IsTurnoffCongestCtrl(pServer: HP_UdpArqServer) -> BOOL {
    guard(|| get_arq(pServer, Role::Server, |o| o.turnoff_nc as BOOL))
}
/// Sets the KCP flush interval in ms (default 60; Start refuses 0); only while stopped (else errno
/// EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_SetFlushInterval(pServer: HP_UdpArqServer, dwFlushInterval: DWORD) {
    guard(|| set_arq(pServer, Role::Server, |o| o.flush_interval = dwFlushInterval))
}
/// The KCP flush interval in ms; 0 for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_GetFlushInterval(pServer: HP_UdpArqServer) -> DWORD {
    guard(|| get_arq(pServer, Role::Server, |o| o.flush_interval))
}
/// Sets the fast-resend trigger in ACKs (0: off) (default 0); only while stopped (else errno
/// EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_SetResendByAcks(pServer: HP_UdpArqServer, dwResendByAcks: DWORD) {
    guard(|| set_arq(pServer, Role::Server, |o| o.resend_by_acks = dwResendByAcks))
}
/// The fast-resend trigger in ACKs (0: off); 0 for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_GetResendByAcks(pServer: HP_UdpArqServer) -> DWORD {
    guard(|| get_arq(pServer, Role::Server, |o| o.resend_by_acks))
}
/// Sets the KCP send window in segments (default 128; Start refuses 0); only while stopped (else
/// errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_SetSendWndSize(pServer: HP_UdpArqServer, dwSendWndSize: DWORD) {
    guard(|| set_arq(pServer, Role::Server, |o| o.send_wnd = dwSendWndSize))
}
/// The KCP send window in segments; 0 for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_GetSendWndSize(pServer: HP_UdpArqServer) -> DWORD {
    guard(|| get_arq(pServer, Role::Server, |o| o.send_wnd))
}
/// Sets the KCP receive window in segments (default 512; Start refuses 0); only while stopped (else
/// errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_SetRecvWndSize(pServer: HP_UdpArqServer, dwRecvWndSize: DWORD) {
    guard(|| set_arq(pServer, Role::Server, |o| o.recv_wnd = dwRecvWndSize))
}
/// The KCP receive window in segments; 0 for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_GetRecvWndSize(pServer: HP_UdpArqServer) -> DWORD {
    guard(|| get_arq(pServer, Role::Server, |o| o.recv_wnd))
}
/// Sets the minimum retransmission timeout in ms (default 30; Start refuses 0); only while stopped
/// (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_SetMinRto(pServer: HP_UdpArqServer, dwMinRto: DWORD) {
    guard(|| set_arq(pServer, Role::Server, |o| o.min_rto = dwMinRto))
}
/// The minimum retransmission timeout in ms; 0 for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_GetMinRto(pServer: HP_UdpArqServer) -> DWORD {
    guard(|| get_arq(pServer, Role::Server, |o| o.min_rto))
}
/// Sets the most fast resends of a segment (default 5); only while stopped (else errno
/// EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_SetFastLimit(pServer: HP_UdpArqServer, dwFastLimit: DWORD) {
    guard(|| set_arq(pServer, Role::Server, |o| o.fast_limit = dwFastLimit))
}
/// The most fast resends of a segment; 0 for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_GetFastLimit(pServer: HP_UdpArqServer) -> DWORD {
    guard(|| get_arq(pServer, Role::Server, |o| o.fast_limit))
}
/// Sets the KCP MTU (datagram size) (default 1432; Start refuses outside 72..65536); only while
/// stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_SetMaxTransUnit(pServer: HP_UdpArqServer, dwMaxTransUnit: DWORD) {
    guard(|| set_arq(pServer, Role::Server, |o| o.mtu = dwMaxTransUnit))
}
/// The KCP MTU (datagram size); 0 for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_GetMaxTransUnit(pServer: HP_UdpArqServer) -> DWORD {
    guard(|| get_arq(pServer, Role::Server, |o| o.mtu))
}
/// Sets the largest message one Send takes (default 4096; Start refuses 0 or 127+ fragments); only
/// while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_SetMaxMessageSize(pServer: HP_UdpArqServer, dwMaxMessageSize: DWORD) {
    guard(|| set_arq(pServer, Role::Server, |o| o.max_message = dwMaxMessageSize))
}
/// The largest message one Send takes; 0 for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_GetMaxMessageSize(pServer: HP_UdpArqServer) -> DWORD {
    guard(|| get_arq(pServer, Role::Server, |o| o.max_message))
}
/// Sets the handshake timeout in ms (default 5000; Start refuses not above 2 x MinRto); only while
/// stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_SetHandShakeTimeout(pServer: HP_UdpArqServer, dwHandShakeTimeout: DWORD) {
    guard(|| set_arq(pServer, Role::Server, |o| o.handshake_timeout = dwHandShakeTimeout))
}
/// The handshake timeout in ms; 0 for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqServer_GetHandShakeTimeout(pServer: HP_UdpArqServer) -> DWORD {
    guard(|| get_arq(pServer, Role::Server, |o| o.handshake_timeout))
}
/// Sets KCP no-delay mode (default FALSE); only while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_SetNoDelay(pClient: HP_UdpArqClient, bNoDelay: BOOL) {
    guard(|| set_arq(pClient, Role::Client, |o| o.no_delay = bNoDelay != 0))
}
/// TRUE if set; FALSE also for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_IsNoDelay(pClient: HP_UdpArqClient) -> BOOL {
    guard(|| get_arq(pClient, Role::Client, |o| o.no_delay as BOOL))
}
/// Sets turning KCP congestion control off (default FALSE); only while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_SetTurnoffCongestCtrl(pClient: HP_UdpArqClient, bTurnOff: BOOL) {
    guard(|| set_arq(pClient, Role::Client, |o| o.turnoff_nc = bTurnOff != 0))
}
/// TRUE if set; FALSE also for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_IsTurnoffCongestCtrl(pClient: HP_UdpArqClient) -> BOOL {
    guard(|| get_arq(pClient, Role::Client, |o| o.turnoff_nc as BOOL))
}
/// Sets the KCP flush interval in ms (default 60; Start refuses 0); only while stopped (else errno
/// EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_SetFlushInterval(pClient: HP_UdpArqClient, dwFlushInterval: DWORD) {
    guard(|| set_arq(pClient, Role::Client, |o| o.flush_interval = dwFlushInterval))
}
/// The KCP flush interval in ms; 0 for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_GetFlushInterval(pClient: HP_UdpArqClient) -> DWORD {
    guard(|| get_arq(pClient, Role::Client, |o| o.flush_interval))
}
/// Sets the fast-resend trigger in ACKs (0: off) (default 0); only while stopped (else errno
/// EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_SetResendByAcks(pClient: HP_UdpArqClient, dwResendByAcks: DWORD) {
    guard(|| set_arq(pClient, Role::Client, |o| o.resend_by_acks = dwResendByAcks))
}
/// The fast-resend trigger in ACKs (0: off); 0 for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_GetResendByAcks(pClient: HP_UdpArqClient) -> DWORD {
    guard(|| get_arq(pClient, Role::Client, |o| o.resend_by_acks))
}
/// Sets the KCP send window in segments (default 128; Start refuses 0); only while stopped (else
/// errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_SetSendWndSize(pClient: HP_UdpArqClient, dwSendWndSize: DWORD) {
    guard(|| set_arq(pClient, Role::Client, |o| o.send_wnd = dwSendWndSize))
}
/// The KCP send window in segments; 0 for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_GetSendWndSize(pClient: HP_UdpArqClient) -> DWORD {
    guard(|| get_arq(pClient, Role::Client, |o| o.send_wnd))
}
/// Sets the KCP receive window in segments (default 512; Start refuses 0); only while stopped (else
/// errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_SetRecvWndSize(pClient: HP_UdpArqClient, dwRecvWndSize: DWORD) {
    guard(|| set_arq(pClient, Role::Client, |o| o.recv_wnd = dwRecvWndSize))
}
/// The KCP receive window in segments; 0 for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_GetRecvWndSize(pClient: HP_UdpArqClient) -> DWORD {
    guard(|| get_arq(pClient, Role::Client, |o| o.recv_wnd))
}
/// Sets the minimum retransmission timeout in ms (default 30; Start refuses 0); only while stopped
/// (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_SetMinRto(pClient: HP_UdpArqClient, dwMinRto: DWORD) {
    guard(|| set_arq(pClient, Role::Client, |o| o.min_rto = dwMinRto))
}
/// The minimum retransmission timeout in ms; 0 for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_GetMinRto(pClient: HP_UdpArqClient) -> DWORD {
    guard(|| get_arq(pClient, Role::Client, |o| o.min_rto))
}
/// Sets the most fast resends of a segment (default 5); only while stopped (else errno
/// EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_SetFastLimit(pClient: HP_UdpArqClient, dwFastLimit: DWORD) {
    guard(|| set_arq(pClient, Role::Client, |o| o.fast_limit = dwFastLimit))
}
/// The most fast resends of a segment; 0 for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_GetFastLimit(pClient: HP_UdpArqClient) -> DWORD {
    guard(|| get_arq(pClient, Role::Client, |o| o.fast_limit))
}
/// Sets the KCP MTU (datagram size) (default 1432; Start refuses outside 72..65536); only while
/// stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_SetMaxTransUnit(pClient: HP_UdpArqClient, dwMaxTransUnit: DWORD) {
    guard(|| set_arq(pClient, Role::Client, |o| o.mtu = dwMaxTransUnit))
}
/// The KCP MTU (datagram size); 0 for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_GetMaxTransUnit(pClient: HP_UdpArqClient) -> DWORD {
    guard(|| get_arq(pClient, Role::Client, |o| o.mtu))
}
/// Sets the largest message one Send takes (default 4096; Start refuses 0 or 127+ fragments); only
/// while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_SetMaxMessageSize(pClient: HP_UdpArqClient, dwMaxMessageSize: DWORD) {
    guard(|| set_arq(pClient, Role::Client, |o| o.max_message = dwMaxMessageSize))
}
/// The largest message one Send takes; 0 for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_GetMaxMessageSize(pClient: HP_UdpArqClient) -> DWORD {
    guard(|| get_arq(pClient, Role::Client, |o| o.max_message))
}
/// Sets the handshake timeout in ms (default 5000; Start refuses not above 2 x MinRto); only while
/// stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_SetHandShakeTimeout(pClient: HP_UdpArqClient, dwHandShakeTimeout: DWORD) {
    guard(|| set_arq(pClient, Role::Client, |o| o.handshake_timeout = dwHandShakeTimeout))
}
/// The handshake timeout in ms; 0 for a bad or non-ARQ handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpArqClient_GetHandShakeTimeout(pClient: HP_UdpArqClient) -> DWORD {
    guard(|| get_arq(pClient, Role::Client, |o| o.handshake_timeout))
}
