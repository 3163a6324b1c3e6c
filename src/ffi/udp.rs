//! The UDP server and client: `Create_HP_Udp{Server,Client}`, their listeners and the
//! `HP_UdpServer_*` / `HP_UdpClient_*` options. Everything else (`HP_Server_*`,
//! `HP_Client_*`, `HP_Set_FN_Server_*`, `HP_Set_FN_Client_*`) works on them as on TCP
//! components: a peer address is a connection, one Send is one datagram.
#![allow(non_snake_case, clippy::missing_safety_doc)]

use super::guard::guard;
use super::handles::*;
use super::listener::{self, ListenerKind};
use super::tcp::{self, get_opt_of, set_opt_of};
use super::types::*;
use crate::engine::component::{Role, Transport};

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
