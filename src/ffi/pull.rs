//! The PULL components: `Create_HP_TcpPull{Server,Agent,Client}` and their `Fetch` / `Peek`.
//! Everything else (`HP_Server_*`, `HP_Agent_*`, `HP_Client_*`, `HP_Tcp*_*`) works on them as
//! on the PUSH components; received bytes wait in a per-connection buffer and the listener's
//! OnPullReceive reports how many are there.
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_snake_case, clippy::missing_safety_doc)]

use super::guard::guard;
use super::handles::*;
use super::listener::{self, ListenerKind};
use super::tcp;
use super::types::*;
use crate::engine::component::Role;
use crate::engine::recv::Model;
use std::os::raw::c_int;


/// Creates a TcpPullServer listener (a TcpServer listener; callbacks all NULL); NULL only if the
/// handle table is full.
#[no_mangle]
pub extern "C" fn Create_HP_TcpPullServerListener() -> HP_TcpPullServerListener {
    listener::create(ListenerKind::Server)
}
/// Frees a listener made by Create_HP_TcpPullServerListener; components still using it keep their
/// own reference. Any other handle is refused with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpPullServerListener(pListener: HP_TcpPullServerListener) {
    listener::destroy(pListener, ListenerKind::Server)
}
/// Creates a stopped TcpServer with the PULL (received bytes wait for Fetch) model, raising
/// `pListener`'s callbacks; NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_TcpPullServer(pListener: HP_TcpPullServerListener) -> HP_TcpPullServer {
    guard(|| tcp::create_model(pListener, Role::Server, Model::Pull))
}
/// Stops the server if needed, waits for its callbacks and frees it. A handle not made by
/// Create_HP_TcpPullServer: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpPullServer(pServer: HP_TcpPullServer) {
    guard(|| tcp::destroy(pServer, Role::Server, tcp::Class::TcpPull))
}

/// Removes `iLength` buffered bytes of connection `dwConnID` into `pData`: FR_OK,
/// FR_LENGTH_TOO_LONG when fewer are buffered (nothing removed), FR_DATA_NOT_FOUND for an
/// unknown or closed connection.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPullServer_Fetch(pServer: HP_TcpPullServer, dwConnID: HP_CONNID, pData: *mut BYTE, iLength: c_int) -> En_HP_FetchResult {
    // SAFETY: `pData` is NULL or has `iLength` writable bytes (upstream's contract for
    // HP_TcpPullServer_Fetch); fetch refuses NULL and negative lengths.
    guard(|| unsafe { tcp::fetch(pServer, Role::Server, Some(dwConnID), pData, iLength, false) })
}
/// As Fetch, without removing the bytes.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPullServer_Peek(pServer: HP_TcpPullServer, dwConnID: HP_CONNID, pData: *mut BYTE, iLength: c_int) -> En_HP_FetchResult {
    // SAFETY: `pData` is NULL or has `iLength` writable bytes (upstream's contract for
    // HP_TcpPullServer_Peek); fetch refuses NULL and negative lengths.
    guard(|| unsafe { tcp::fetch(pServer, Role::Server, Some(dwConnID), pData, iLength, true) })
}

/// Creates a TcpPullAgent listener (a TcpAgent listener; callbacks all NULL); NULL only if the
/// handle table is full.
#[no_mangle]
pub extern "C" fn Create_HP_TcpPullAgentListener() -> HP_TcpPullAgentListener {
    listener::create(ListenerKind::Agent)
}
/// Frees a listener made by Create_HP_TcpPullAgentListener; components still using it keep their
/// own reference. Any other handle is refused with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpPullAgentListener(pListener: HP_TcpPullAgentListener) {
    listener::destroy(pListener, ListenerKind::Agent)
}
/// Creates a stopped TcpAgent with the PULL (received bytes wait for Fetch) model, raising
/// `pListener`'s callbacks; NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_TcpPullAgent(pListener: HP_TcpPullAgentListener) -> HP_TcpPullAgent {
    guard(|| tcp::create_model(pListener, Role::Agent, Model::Pull))
}
/// Stops the agent if needed, waits for its callbacks and frees it. A handle not made by
/// Create_HP_TcpPullAgent: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpPullAgent(pAgent: HP_TcpPullAgent) {
    guard(|| tcp::destroy(pAgent, Role::Agent, tcp::Class::TcpPull))
}

/// Removes `iLength` buffered bytes of connection `dwConnID` into `pData`: FR_OK,
/// FR_LENGTH_TOO_LONG when fewer are buffered (nothing removed), FR_DATA_NOT_FOUND for an
/// unknown or closed connection.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPullAgent_Fetch(pAgent: HP_TcpPullAgent, dwConnID: HP_CONNID, pData: *mut BYTE, iLength: c_int) -> En_HP_FetchResult {
    // SAFETY: `pData` is NULL or has `iLength` writable bytes (upstream's contract for
    // HP_TcpPullAgent_Fetch); fetch refuses NULL and negative lengths.
    guard(|| unsafe { tcp::fetch(pAgent, Role::Agent, Some(dwConnID), pData, iLength, false) })
}
/// As Fetch, without removing the bytes.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPullAgent_Peek(pAgent: HP_TcpPullAgent, dwConnID: HP_CONNID, pData: *mut BYTE, iLength: c_int) -> En_HP_FetchResult {
    // SAFETY: `pData` is NULL or has `iLength` writable bytes (upstream's contract for
    // HP_TcpPullAgent_Peek); fetch refuses NULL and negative lengths.
    guard(|| unsafe { tcp::fetch(pAgent, Role::Agent, Some(dwConnID), pData, iLength, true) })
}

/// Creates a TcpPullClient listener (a TcpClient listener; callbacks all NULL); NULL only if the
/// handle table is full.
#[no_mangle]
pub extern "C" fn Create_HP_TcpPullClientListener() -> HP_TcpPullClientListener {
    listener::create(ListenerKind::Client)
}
/// Frees a listener made by Create_HP_TcpPullClientListener; components still using it keep their
/// own reference. Any other handle is refused with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpPullClientListener(pListener: HP_TcpPullClientListener) {
    listener::destroy(pListener, ListenerKind::Client)
}
/// Creates a stopped TcpClient with the PULL (received bytes wait for Fetch) model, raising
/// `pListener`'s callbacks; NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_TcpPullClient(pListener: HP_TcpPullClientListener) -> HP_TcpPullClient {
    guard(|| tcp::create_model(pListener, Role::Client, Model::Pull))
}
/// Stops the client if needed, waits for its callbacks and frees it. A handle not made by
/// Create_HP_TcpPullClient: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpPullClient(pClient: HP_TcpPullClient) {
    guard(|| tcp::destroy(pClient, Role::Client, tcp::Class::TcpPull))
}

/// Removes `iLength` buffered bytes into `pData`: FR_OK, FR_LENGTH_TOO_LONG when fewer are
/// buffered (nothing removed), FR_DATA_NOT_FOUND when not connected.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPullClient_Fetch(pClient: HP_TcpPullClient, pData: *mut BYTE, iLength: c_int) -> En_HP_FetchResult {
    // SAFETY: `pData` is NULL or has `iLength` writable bytes (upstream's contract for
    // HP_TcpPullClient_Fetch); fetch refuses NULL and negative lengths.
    guard(|| unsafe { tcp::fetch(pClient, Role::Client, None, pData, iLength, false) })
}
/// As Fetch, without removing the bytes.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPullClient_Peek(pClient: HP_TcpPullClient, pData: *mut BYTE, iLength: c_int) -> En_HP_FetchResult {
    // SAFETY: `pData` is NULL or has `iLength` writable bytes (upstream's contract for
    // HP_TcpPullClient_Peek); fetch refuses NULL and negative lengths.
    guard(|| unsafe { tcp::fetch(pClient, Role::Client, None, pData, iLength, true) })
}
