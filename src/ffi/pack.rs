//! The PACK components: `Create_HP_TcpPack{Server,Agent,Client}` and their pack options.
//! Every Send / SendPart / SendPackets is one message, framed with upstream's 4-byte header;
//! OnReceive gets each whole message's body once.
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_snake_case, clippy::missing_safety_doc)]

use super::guard::guard;
use super::handles::*;
use super::listener::{self, ListenerKind};
use super::tcp;
use super::types::*;
use crate::engine::component::Role;
use crate::engine::recv::Model;


/// Creates a TcpPackServer listener (a TcpServer listener; callbacks all NULL); NULL only if the
/// handle table is full.
#[no_mangle]
pub extern "C" fn Create_HP_TcpPackServerListener() -> HP_TcpPackServerListener {
    listener::create(ListenerKind::Server)
}
/// Frees a listener made by Create_HP_TcpPackServerListener; components still using it keep their
/// own reference. Any other handle is refused with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpPackServerListener(pListener: HP_TcpPackServerListener) {
    listener::destroy(pListener, ListenerKind::Server)
}
/// Creates a stopped TcpServer with the PACK (each Send is one framed message) model, raising
/// `pListener`'s callbacks; NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_TcpPackServer(pListener: HP_TcpServerListener) -> HP_TcpPackServer {
    guard(|| tcp::create_model(pListener, Role::Server, Model::Pack))
}
/// Stops the server if needed, waits for its callbacks and frees it. A handle not made by
/// Create_HP_TcpPackServer: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpPackServer(pServer: HP_TcpPackServer) {
    guard(|| tcp::destroy(pServer, Role::Server, tcp::Class::TcpPack))
}
/// Largest message body (default 0x40000, at most 0x3FFFFF); acts only while stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPackServer_SetMaxPackSize(pServer: HP_TcpPackServer, dwMaxPackSize: DWORD) {
    guard(|| tcp::set_pack_opt(pServer, Role::Server, |o| o.pack_max_size = dwMaxPackSize))
}
/// The largest message body (default 0x40000); 0 for a bad or non-PACK handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPackServer_GetMaxPackSize(pServer: HP_TcpPackServer) -> DWORD {
    guard(|| tcp::get_pack_opt(pServer, Role::Server, |o| o.pack_max_size))
}
/// Header flag written on send and checked on receive (0, the default, checks nothing;
/// at most 0x3FF); acts only while stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPackServer_SetPackHeaderFlag(pServer: HP_TcpPackServer, usPackHeaderFlag: USHORT) {
    guard(|| tcp::set_pack_opt(pServer, Role::Server, |o| o.pack_header_flag = usPackHeaderFlag))
}
/// The header flag (default 0: unchecked); 0 for a bad or non-PACK handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPackServer_GetPackHeaderFlag(pServer: HP_TcpPackServer) -> USHORT {
    guard(|| tcp::get_pack_opt(pServer, Role::Server, |o| o.pack_header_flag))
}

/// Creates a TcpPackAgent listener (a TcpAgent listener; callbacks all NULL); NULL only if the
/// handle table is full.
#[no_mangle]
pub extern "C" fn Create_HP_TcpPackAgentListener() -> HP_TcpPackAgentListener {
    listener::create(ListenerKind::Agent)
}
/// Frees a listener made by Create_HP_TcpPackAgentListener; components still using it keep their
/// own reference. Any other handle is refused with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpPackAgentListener(pListener: HP_TcpPackAgentListener) {
    listener::destroy(pListener, ListenerKind::Agent)
}
/// Creates a stopped TcpAgent with the PACK (each Send is one framed message) model, raising
/// `pListener`'s callbacks; NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_TcpPackAgent(pListener: HP_TcpAgentListener) -> HP_TcpPackAgent {
    guard(|| tcp::create_model(pListener, Role::Agent, Model::Pack))
}
/// Stops the agent if needed, waits for its callbacks and frees it. A handle not made by
/// Create_HP_TcpPackAgent: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpPackAgent(pAgent: HP_TcpPackAgent) {
    guard(|| tcp::destroy(pAgent, Role::Agent, tcp::Class::TcpPack))
}
/// Largest message body (default 0x40000, at most 0x3FFFFF); acts only while stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPackAgent_SetMaxPackSize(pAgent: HP_TcpPackAgent, dwMaxPackSize: DWORD) {
    guard(|| tcp::set_pack_opt(pAgent, Role::Agent, |o| o.pack_max_size = dwMaxPackSize))
}
/// The largest message body (default 0x40000); 0 for a bad or non-PACK handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPackAgent_GetMaxPackSize(pAgent: HP_TcpPackAgent) -> DWORD {
    guard(|| tcp::get_pack_opt(pAgent, Role::Agent, |o| o.pack_max_size))
}
/// Header flag written on send and checked on receive (0, the default, checks nothing;
/// at most 0x3FF); acts only while stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPackAgent_SetPackHeaderFlag(pAgent: HP_TcpPackAgent, usPackHeaderFlag: USHORT) {
    guard(|| tcp::set_pack_opt(pAgent, Role::Agent, |o| o.pack_header_flag = usPackHeaderFlag))
}
/// The header flag (default 0: unchecked); 0 for a bad or non-PACK handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPackAgent_GetPackHeaderFlag(pAgent: HP_TcpPackAgent) -> USHORT {
    guard(|| tcp::get_pack_opt(pAgent, Role::Agent, |o| o.pack_header_flag))
}

/// Creates a TcpPackClient listener (a TcpClient listener; callbacks all NULL); NULL only if the
/// handle table is full.
#[no_mangle]
pub extern "C" fn Create_HP_TcpPackClientListener() -> HP_TcpPackClientListener {
    listener::create(ListenerKind::Client)
}
/// Frees a listener made by Create_HP_TcpPackClientListener; components still using it keep their
/// own reference. Any other handle is refused with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpPackClientListener(pListener: HP_TcpPackClientListener) {
    listener::destroy(pListener, ListenerKind::Client)
}
/// Creates a stopped TcpClient with the PACK (each Send is one framed message) model, raising
/// `pListener`'s callbacks; NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_TcpPackClient(pListener: HP_TcpClientListener) -> HP_TcpPackClient {
    guard(|| tcp::create_model(pListener, Role::Client, Model::Pack))
}
/// Stops the client if needed, waits for its callbacks and frees it. A handle not made by
/// Create_HP_TcpPackClient: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_TcpPackClient(pClient: HP_TcpPackClient) {
    guard(|| tcp::destroy(pClient, Role::Client, tcp::Class::TcpPack))
}
/// Largest message body (default 0x40000, at most 0x3FFFFF); acts only while stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPackClient_SetMaxPackSize(pClient: HP_TcpPackClient, dwMaxPackSize: DWORD) {
    guard(|| tcp::set_pack_opt(pClient, Role::Client, |o| o.pack_max_size = dwMaxPackSize))
}
/// The largest message body (default 0x40000); 0 for a bad or non-PACK handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPackClient_GetMaxPackSize(pClient: HP_TcpPackClient) -> DWORD {
    guard(|| tcp::get_pack_opt(pClient, Role::Client, |o| o.pack_max_size))
}
/// Header flag written on send and checked on receive (0, the default, checks nothing;
/// at most 0x3FF); acts only while stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPackClient_SetPackHeaderFlag(pClient: HP_TcpPackClient, usPackHeaderFlag: USHORT) {
    guard(|| tcp::set_pack_opt(pClient, Role::Client, |o| o.pack_header_flag = usPackHeaderFlag))
}
/// The header flag (default 0: unchecked); 0 for a bad or non-PACK handle.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPackClient_GetPackHeaderFlag(pClient: HP_TcpPackClient) -> USHORT {
    guard(|| tcp::get_pack_opt(pClient, Role::Client, |o| o.pack_header_flag))
}
