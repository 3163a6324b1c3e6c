//! The UDP server and client: `Create_HP_Udp{Server,Client}`, their listeners and the
//! `HP_UdpServer_*` / `HP_UdpClient_*` options. Everything else (`HP_Server_*`,
//! `HP_Client_*`, `HP_Set_FN_Server_*`, `HP_Set_FN_Client_*`) works on them as on TCP
//! components: a peer address is a connection, one Send is one datagram. UdpCast, a client of
//! a multicast group or of broadcast, is here too.
#![allow(non_snake_case, clippy::missing_safety_doc)]

use super::guard::guard;
use super::handles::*;
use super::listener::{self, ListenerKind};
use super::tcp::{self, get_opt_of, set_opt_of};
use super::types::*;
use crate::engine::component::{Role, Transport};
use crate::engine::options::ReusePolicy;
use std::os::raw::c_int;

const U: Transport = Transport::Udp;

#[no_mangle]
pub extern "C" fn Create_HP_UdpServerListener() -> HP_UdpServerListener {
    listener::create(ListenerKind::Server)
}
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_UdpServerListener(pListener: HP_UdpServerListener) {
    listener::destroy(pListener, ListenerKind::Server)
}
#[no_mangle]
pub unsafe extern "C" fn Create_HP_UdpServer(pListener: HP_UdpServerListener) -> HP_UdpServer {
    guard(|| tcp::create_udp(pListener, Role::Server))
}
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_UdpServer(pServer: HP_UdpServer) {
    guard(|| tcp::destroy(pServer, Role::Server))
}

#[no_mangle]
pub extern "C" fn Create_HP_UdpClientListener() -> HP_UdpClientListener {
    listener::create(ListenerKind::Client)
}
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_UdpClientListener(pListener: HP_UdpClientListener) {
    listener::destroy(pListener, ListenerKind::Client)
}
#[no_mangle]
pub unsafe extern "C" fn Create_HP_UdpClient(pListener: HP_UdpClientListener) -> HP_UdpClient {
    guard(|| tcp::create_udp(pListener, Role::Client))
}
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_UdpClient(pClient: HP_UdpClient) {
    guard(|| tcp::destroy(pClient, Role::Client))
}

// ---- UdpServer options (set while stopped, checked at Start) ----

/// Largest datagram sent or received (default 1432, at most 65536).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpServer_SetMaxDatagramSize(pServer: HP_UdpServer, dwMaxDatagramSize: DWORD) {
    guard(|| set_opt_of(pServer, Role::Server, U, |o| o.max_datagram_size = dwMaxDatagramSize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_UdpServer_GetMaxDatagramSize(pServer: HP_UdpServer) -> DWORD {
    guard(|| get_opt_of(pServer, Role::Server, U, |o| o.max_datagram_size))
}
/// Kept for upstream's API; receiving does not depend on it.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpServer_SetPostReceiveCount(pServer: HP_UdpServer, dwPostReceiveCount: DWORD) {
    guard(|| set_opt_of(pServer, Role::Server, U, |o| o.post_receive_count = dwPostReceiveCount))
}
#[no_mangle]
pub unsafe extern "C" fn HP_UdpServer_GetPostReceiveCount(pServer: HP_UdpServer) -> DWORD {
    guard(|| get_opt_of(pServer, Role::Server, U, |o| o.post_receive_count))
}
/// Detect intervals a peer may stay silent before it is dropped (0: never).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpServer_SetDetectAttempts(pServer: HP_UdpServer, dwDetectAttempts: DWORD) {
    guard(|| set_opt_of(pServer, Role::Server, U, |o| o.detect_attempts = dwDetectAttempts))
}
#[no_mangle]
pub unsafe extern "C" fn HP_UdpServer_GetDetectAttempts(pServer: HP_UdpServer) -> DWORD {
    guard(|| get_opt_of(pServer, Role::Server, U, |o| o.detect_attempts))
}
/// Detect interval in milliseconds (0: no detection).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpServer_SetDetectInterval(pServer: HP_UdpServer, dwDetectInterval: DWORD) {
    guard(|| set_opt_of(pServer, Role::Server, U, |o| o.detect_interval = dwDetectInterval))
}
#[no_mangle]
pub unsafe extern "C" fn HP_UdpServer_GetDetectInterval(pServer: HP_UdpServer) -> DWORD {
    guard(|| get_opt_of(pServer, Role::Server, U, |o| o.detect_interval))
}

// ---- UdpClient options ----

#[no_mangle]
pub unsafe extern "C" fn HP_UdpClient_SetMaxDatagramSize(pClient: HP_UdpClient, dwMaxDatagramSize: DWORD) {
    guard(|| set_opt_of(pClient, Role::Client, U, |o| o.max_datagram_size = dwMaxDatagramSize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_UdpClient_GetMaxDatagramSize(pClient: HP_UdpClient) -> DWORD {
    guard(|| get_opt_of(pClient, Role::Client, U, |o| o.max_datagram_size))
}
/// Detect intervals without a word from the server before the client closes (0: never).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpClient_SetDetectAttempts(pClient: HP_UdpClient, dwDetectAttempts: DWORD) {
    guard(|| set_opt_of(pClient, Role::Client, U, |o| o.detect_attempts = dwDetectAttempts))
}
#[no_mangle]
pub unsafe extern "C" fn HP_UdpClient_GetDetectAttempts(pClient: HP_UdpClient) -> DWORD {
    guard(|| get_opt_of(pClient, Role::Client, U, |o| o.detect_attempts))
}
/// Detect (heartbeat) interval in milliseconds (0: no heartbeats).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpClient_SetDetectInterval(pClient: HP_UdpClient, dwDetectInterval: DWORD) {
    guard(|| set_opt_of(pClient, Role::Client, U, |o| o.detect_interval = dwDetectInterval))
}
#[no_mangle]
pub unsafe extern "C" fn HP_UdpClient_GetDetectInterval(pClient: HP_UdpClient) -> DWORD {
    guard(|| get_opt_of(pClient, Role::Client, U, |o| o.detect_interval))
}

// ---- UdpCast: a client of a multicast group or of broadcast; HP_Client_* drive it ----

const CAST: Transport = Transport::Cast;

#[no_mangle]
pub extern "C" fn Create_HP_UdpCastListener() -> HP_UdpCastListener {
    listener::create(ListenerKind::Client)
}
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_UdpCastListener(pListener: HP_UdpCastListener) {
    listener::destroy(pListener, ListenerKind::Client)
}
#[no_mangle]
pub unsafe extern "C" fn Create_HP_UdpCast(pListener: HP_UdpCastListener) -> HP_UdpCast {
    guard(|| tcp::create_cast(pListener))
}
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_UdpCast(pCast: HP_UdpCast) {
    guard(|| tcp::destroy(pCast, Role::Client))
}

#[no_mangle]
pub unsafe extern "C" fn HP_UdpCast_SetMaxDatagramSize(pCast: HP_UdpCast, dwMaxDatagramSize: DWORD) {
    guard(|| set_opt_of(pCast, Role::Client, CAST, |o| o.max_datagram_size = dwMaxDatagramSize))
}
#[no_mangle]
pub unsafe extern "C" fn HP_UdpCast_GetMaxDatagramSize(pCast: HP_UdpCast) -> DWORD {
    guard(|| get_opt_of(pCast, Role::Client, CAST, |o| o.max_datagram_size))
}
/// CM_MULTICAST (default) or CM_BROADCAST; any other value is refused here with EINVAL.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpCast_SetCastMode(pCast: HP_UdpCast, enCastMode: CastModeArg) {
    guard(|| match tcp::comp_of(pCast, Role::Client, CAST) {
        Some(c) if !(0..=1).contains(&enCastMode.0) => {
            tcp::invalid(c);
        }
        Some(_) => set_opt_of(pCast, Role::Client, CAST, |o| o.cast_mode = enCastMode.0),
        None => {}
    })
}
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
#[no_mangle]
pub unsafe extern "C" fn HP_UdpCast_GetMultiCastTtl(pCast: HP_UdpCast) -> c_int {
    guard(|| get_opt_of(pCast, Role::Client, CAST, |o| o.mc_ttl))
}
/// Whether this host's own receivers (this cast included) get what it sends (default FALSE).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpCast_SetMultiCastLoop(pCast: HP_UdpCast, bMCLoop: BOOL) {
    guard(|| set_opt_of(pCast, Role::Client, CAST, |o| o.mc_loop = bMCLoop != 0))
}
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
            Some(a) => tcp::write_addr(&a.ip(), a.port(), lpszAddress, piAddressLen, pusPort),
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
