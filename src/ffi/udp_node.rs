//! `HP_UdpNode_*`: connectionless UDP with the peer's address in every callback; unicast,
//! multicast or broadcast.
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_snake_case, clippy::missing_safety_doc)]

use super::guard::{guard, set_errno};
use super::handle::{self, HandleObject, Kind};
use super::handles::*;
use super::listener::{self, Listener, ListenerKind, Slot};
use super::tcp::{addr_text, error_desc, error_of, fire, reuse_policy, reuse_policy_out, socket_op, write_addr};
use super::types::*;
use crate::engine::udp_node::{CastMode, Node, NodeEvents, NodeOptions};
use crate::engine::{Handled, Op, State};
use std::ffi::{CStr, CString};
use std::net::SocketAddr;
use std::os::fd::RawFd;
use std::os::raw::{c_char, c_int};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const FALSE: BOOL = 0;
const TRUE: BOOL = 1;
const LK: ListenerKind = ListenerKind::UdpNode;

struct NodeObj {
    node: Arc<Node>,
    extra: AtomicUsize,
    _listener: Arc<Listener>,
}

// SAFETY: registered only as Kind::UdpNode, always as `NodeObj`.
unsafe impl HandleObject for NodeObj {
    const KINDS: &'static [Kind] = &[Kind::UdpNode];
    const SHARED: bool = false;
}

struct CNodeEvents {
    sender: AtomicUsize,
    listener: Arc<Listener>,
}

type FnAddr = unsafe extern "C" fn(PVOID, LPCTSTR, USHORT, *const BYTE, c_int) -> HandleResultArg;
type FnErr = unsafe extern "C" fn(PVOID, En_HP_SocketOperation, c_int, LPCTSTR, USHORT, *const BYTE, c_int) -> HandleResultArg;
type FnPtr = unsafe extern "C" fn(PVOID, UINT_PTR) -> HandleResultArg;
type FnSender = unsafe extern "C" fn(PVOID) -> HandleResultArg;

impl CNodeEvents {
    /// The callback in slot `s`, as `F`: callers name the fn pointer type that
    /// `HP_Set_FN_UdpNode_*` stores in that slot (a UdpNode listener is written only by those).
    fn slot<F: Copy>(&self, s: Slot) -> Option<F> {
        let p = self.listener.get(s);
        // SAFETY: a non-zero slot holds a fn pointer stored by `HP_Set_FN_UdpNode_*` for this slot,
        // and every caller asks for that slot's fn pointer type (pointer-sized, as usize).
        (p != 0).then(|| unsafe { std::mem::transmute_copy::<usize, F>(&p) })
    }
    fn sender(&self) -> PVOID {
        self.sender.load(Ordering::Relaxed) as PVOID
    }
    fn with_addr(&self, s: Slot, a: &SocketAddr, data: &[u8]) -> Handled {
        self.slot::<FnAddr>(s).map_or(Handled::Ok, |f| {
            let text = CString::new(addr_text(&a.ip())).unwrap_or_default();
            // SAFETY: `f` is the C callback set for this slot (OnReceive / OnSend have this
            // signature); `text` is NUL-terminated and `data` is live for the whole call.
            fire(|| unsafe { f(self.sender(), text.as_ptr(), a.port(), data.as_ptr(), data.len() as c_int) })
        })
    }
}

impl NodeEvents for CNodeEvents {
    fn on_prepare_listen(&self, fd: RawFd) -> Handled {
        // SAFETY: `f` is the C OnPrepareListen callback; it gets the handle and the socket only.
        self.slot::<FnPtr>(Slot::PrepareListen).map_or(Handled::Ok, |f| fire(|| unsafe { f(self.sender(), fd as UINT_PTR) }))
    }
    fn on_receive(&self, from: &SocketAddr, data: &[u8]) -> Handled {
        self.with_addr(Slot::Receive, from, data)
    }
    fn on_send(&self, to: &SocketAddr, data: &[u8]) -> Handled {
        self.with_addr(Slot::Send, to, data)
    }
    fn on_error(&self, op: Op, code: i32, from: &SocketAddr, data: &[u8]) -> Handled {
        self.slot::<FnErr>(Slot::Error).map_or(Handled::Ok, |f| {
            let text = CString::new(addr_text(&from.ip())).unwrap_or_default();
            // SAFETY: `f` is the C OnError callback; `text` is NUL-terminated and `data` is live
            // for the whole call.
            fire(|| unsafe { f(self.sender(), socket_op(op), code, text.as_ptr(), from.port(), data.as_ptr(), data.len() as c_int) })
        })
    }
    fn on_shutdown(&self) -> Handled {
        // SAFETY: `f` is the C OnShutdown callback; it gets the handle only.
        self.slot::<FnSender>(Slot::Shutdown).map_or(Handled::Ok, |f| fire(|| unsafe { f(self.sender()) }))
    }
}

/// The node object behind a live UdpNode handle; anything else sets EINVAL.
fn obj<'a>(p: PVOID) -> Option<&'a NodeObj> {
    let o = handle::get::<NodeObj>(p, Kind::UdpNode);
    if o.is_none() {
        set_errno(libc::EINVAL);
    }
    o
}

fn node<'a>(p: PVOID) -> Option<&'a Arc<Node>> {
    match obj(p) {
        Some(o) => Some(&o.node),
        None => {
            set_errno(libc::EINVAL);
            None
        }
    }
}

fn done(n: &Node, r: crate::engine::udp_node::Result<()>) -> BOOL {
    match r {
        Ok(()) => TRUE,
        Err((code, e)) => {
            n.record(code, e);
            FALSE
        }
    }
}

/// A C string argument as UTF-8; None for NULL or invalid UTF-8.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string that stays unchanged for `'a`.
unsafe fn text<'a>(p: *const c_char) -> Option<&'a str> {
    // SAFETY: `p` is non-NULL here and NUL-terminated (this function's contract).
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_str().ok()).flatten()
}

/// As upstream, a setter called while started is ignored (errno says EPERM).
fn set_opt(p: PVOID, f: impl FnOnce(&mut NodeOptions)) {
    if let Some(n) = node(p) {
        if !n.set_option(f) {
            set_errno(libc::EPERM);
        }
    }
}

fn get_opt<T: Default>(p: PVOID, f: impl FnOnce(&NodeOptions) -> T) -> T {
    node(p).map(|n| f(&n.options())).unwrap_or_default()
}

// ---- listener and lifetime ----

/// Creates a UdpNode listener (a table of callbacks, all NULL); NULL only if the handle table is
/// full.
#[no_mangle]
pub extern "C" fn Create_HP_UdpNodeListener() -> HP_UdpNodeListener {
    listener::create(LK)
}
/// Frees a listener made by Create_HP_UdpNodeListener; nodes still using it keep their own
/// reference. Any other handle is refused with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_UdpNodeListener(pListener: HP_UdpNodeListener) {
    listener::destroy(pListener, LK)
}
/// Sets the OnPrepareListen callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_UdpNode_OnPrepareListen(pListener: HP_UdpNodeListener, fn_: HP_FN_UdpNode_OnPrepareListen) {
    listener::set_fn(pListener, LK, Slot::PrepareListen, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnSend callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_UdpNode_OnSend(pListener: HP_UdpNodeListener, fn_: HP_FN_UdpNode_OnSend) {
    listener::set_fn(pListener, LK, Slot::Send, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnReceive callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_UdpNode_OnReceive(pListener: HP_UdpNodeListener, fn_: HP_FN_UdpNode_OnReceive) {
    listener::set_fn(pListener, LK, Slot::Receive, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnError callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_UdpNode_OnError(pListener: HP_UdpNodeListener, fn_: HP_FN_UdpNode_OnError) {
    listener::set_fn(pListener, LK, Slot::Error, fn_.map_or(0, |f| f as usize))
}
/// Sets the OnShutdown callback (NULL clears it); may be set after Start.
#[no_mangle]
pub unsafe extern "C" fn HP_Set_FN_UdpNode_OnShutdown(pListener: HP_UdpNodeListener, fn_: HP_FN_UdpNode_OnShutdown) {
    listener::set_fn(pListener, LK, Slot::Shutdown, fn_.map_or(0, |f| f as usize))
}

/// Creates a stopped UdpNode (one unconnected UDP socket) raising `pListener`'s callbacks; NULL
/// with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_UdpNode(pListener: HP_UdpNodeListener) -> HP_UdpNode {
    guard(|| {
        let Some(l) = listener::share(pListener, LK) else {
            set_errno(libc::EINVAL);
            return std::ptr::null_mut();
        };
        let ev = Arc::new(CNodeEvents { sender: AtomicUsize::new(0), listener: l.clone() });
        let h = handle::new_boxed(Kind::UdpNode, Box::new(NodeObj { node: Arc::new(Node::new(ev.clone())), extra: AtomicUsize::new(0), _listener: l }));
        ev.sender.store(h as usize, Ordering::Relaxed);
        h
    })
}

/// Stops the node if needed and frees it; from inside its own callback, on a helper thread.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_UdpNode(pNode: HP_UdpNode) {
    guard(|| {
        let Some(o) = handle::take_boxed::<NodeObj>(pNode, Kind::UdpNode) else {
            set_errno(libc::EINVAL);
            return;
        };
        let finish = move || {
            let _ = o.node.stop();
            drop(o);
        };
        if std::thread::current().name() == Some("hp-udpnode") {
            std::thread::spawn(finish);
        } else {
            finish();
        }
    })
}

// ---- start / stop ----

/// Binds (NULL or "" = all addresses; "::" with dual stack serves IPv4 too) for unicast.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_Start(pNode: HP_UdpNode, lpszBindAddress: LPCTSTR, usPort: USHORT) -> BOOL {
    // SAFETY: `lpszBindAddress` is NULL or a NUL-terminated string (upstream's contract for
    // HP_UdpNode_Start); text reads it only when non-NULL.
    guard(|| node(pNode).map_or(FALSE, |n| done(n, n.start(unsafe { text(lpszBindAddress) }, usPort, CastMode::Unicast, None))))
}

/// Binds and joins multicast group `lpszCastAddress` (CM_MULTICAST) or enables broadcast to it
/// (CM_BROADCAST; NULL = 255.255.255.255); `SendCast` then sends there on the bound port.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_StartWithCast(pNode: HP_UdpNode, lpszBindAddress: LPCTSTR, usPort: USHORT, enCastMode: CastModeArg, lpszCastAddress: LPCTSTR) -> BOOL {
    guard(|| {
        let Some(n) = node(pNode) else { return FALSE };
        let mode = match enCastMode.0 {
            -1 => CastMode::Unicast,
            0 => CastMode::Multicast,
            1 => CastMode::Broadcast,
            _ => {
                n.record(crate::engine::SocketError::InvalidParam, libc::EINVAL);
                return FALSE;
            }
        };
        // SAFETY: `lpszBindAddress` and `lpszCastAddress` are NULL or NUL-terminated strings
        // (upstream's contract for HP_UdpNode_StartWithCast); text reads each only when non-NULL.
        let (bind, cast) = unsafe { (text(lpszBindAddress), text(lpszCastAddress)) };
        done(n, n.start(bind, usPort, mode, cast))
    })
}
/// Closes the socket, then raises OnShutdown. FALSE with SE_ILLEGAL_STATE / EPERM unless started;
/// may be called from the node's own callbacks.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_Stop(pNode: HP_UdpNode) -> BOOL {
    guard(|| node(pNode).map_or(FALSE, |n| done(n, n.stop())))
}
/// Waits up to `dwMilliseconds` (INFINITE: no limit) for the node to reach SS_STOPPED; TRUE when it
/// is stopped, FALSE on timeout.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_Wait(pNode: HP_UdpNode, dwMilliseconds: DWORD) -> BOOL {
    guard(|| node(pNode).map_or(FALSE, |n| n.wait(dwMilliseconds) as BOOL))
}
/// TRUE while the node is started; FALSE otherwise or for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_HasStarted(pNode: HP_UdpNode) -> BOOL {
    guard(|| node(pNode).map_or(FALSE, |n| (n.state() == State::Started) as BOOL))
}
/// The service state; SS_STOPPED for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_GetState(pNode: HP_UdpNode) -> En_HP_ServiceState {
    guard(|| {
        node(pNode).map_or(EnServiceState::SS_STOPPED, |n| match n.state() {
            State::Starting => EnServiceState::SS_STARTING,
            State::Started => EnServiceState::SS_STARTED,
            State::Stopping => EnServiceState::SS_STOPPING,
            State::Stopped => EnServiceState::SS_STOPPED,
        })
    })
}
/// The error of the last Start or Stop (SE_OK if it succeeded); SE_INVALID_PARAM for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_GetLastError(pNode: HP_UdpNode) -> En_HP_SocketError {
    guard(|| node(pNode).map_or(EnSocketError::SE_INVALID_PARAM, |n| error_of(n.last_error())))
}
/// A static text describing HP_UdpNode_GetLastError; NULL for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_GetLastErrorDesc(pNode: HP_UdpNode) -> LPCTSTR {
    guard(|| node(pNode).map_or(std::ptr::null(), |n| error_desc(error_of(n.last_error()) as c_int)))
}

// ---- sending ----

/// Sends `bufs` as one datagram to `to` (an IP address and port), or to the cast address.
///
/// # Safety
/// The host in `to` is NULL or a NUL-terminated string.
unsafe fn send(p: PVOID, to: Option<(LPCTSTR, USHORT)>, bufs: &[&[u8]]) -> BOOL {
    let Some(n) = node(p) else { return FALSE };
    let dest = match to {
        None => None,
        Some((host, port)) => {
            // SAFETY: `host` is NULL or NUL-terminated (this function's contract).
            let Some(addr) = unsafe { text(host) }.and_then(|h| crate::engine::net::resolve(h, port)) else {
                set_errno(libc::EHOSTUNREACH);
                return FALSE;
            };
            Some(addr)
        }
    };
    match n.send(dest, bufs) {
        Ok(()) => TRUE,
        Err((_, e)) => {
            set_errno(e);
            FALSE
        }
    }
}

/// The `len` bytes at `buf + off`; None (EINVAL) for negative values or a NULL buffer.
///
/// # Safety
/// When `len > 0`, `buf` is NULL or `buf + off` starts `len` readable bytes inside one
/// allocation, unchanged for `'a`.
unsafe fn part<'a>(buf: *const BYTE, len: c_int, off: c_int) -> Option<&'a [u8]> {
    if len < 0 || off < 0 || (buf.is_null() && len > 0) {
        set_errno(libc::EINVAL);
        return None;
    }
    // SAFETY: `len > 0` here, so `buf` is non-NULL (checked above) and `buf + off` starts `len`
    // readable bytes (this function's contract).
    Some(if len == 0 { &[][..] } else { unsafe { std::slice::from_raw_parts(buf.add(off as usize), len as usize) } })
}

/// The non-empty buffers of a WSABUF array; None (EINVAL) for a bad array or buffer.
///
/// # Safety
/// `bufs` is NULL or points to `count` WSABUFs, each NULL or with `len` readable bytes at
/// `buf`, all unchanged for `'a`.
unsafe fn packets<'a>(bufs: *const WSABUF, count: c_int) -> Option<Vec<&'a [u8]>> {
    if bufs.is_null() || count <= 0 {
        set_errno(libc::EINVAL);
        return None;
    }
    // SAFETY: `bufs` is non-NULL and `count > 0` (checked above); it points to `count` WSABUFs
    // (this function's contract).
    let list = unsafe { std::slice::from_raw_parts(bufs, count as usize) };
    let mut v = Vec::with_capacity(list.len());
    for b in list {
        if b.buf.is_null() && b.len > 0 {
            set_errno(libc::EINVAL);
            return None;
        }
        if b.len > 0 {
            // SAFETY: `b.buf` is non-NULL (checked above) with `b.len` readable bytes (this
            // function's contract).
            v.push(unsafe { std::slice::from_raw_parts(b.buf as *const u8, b.len as usize) });
        }
    }
    Some(v)
}

/// One datagram to `lpszRemoteAddress:usRemotePort` (an IP address).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_Send(pNode: HP_UdpNode, lpszRemoteAddress: LPCTSTR, usRemotePort: USHORT, pBuffer: *const BYTE, iLength: c_int) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` and a NULL or NUL-terminated
    // `lpszRemoteAddress` (upstream's contract for HP_UdpNode_Send).
    guard(|| unsafe { part(pBuffer, iLength, 0).map_or(FALSE, |b| send(pNode, Some((lpszRemoteAddress, usRemotePort)), &[b])) })
}
/// As HP_UdpNode_Send, sending `iLength` bytes from `pBuffer + iOffset`. FALSE with errno EPERM
/// unless started, EHOSTUNREACH for a bad address, EINVAL above MaxDatagramSize or for a negative
/// offset.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_SendPart(pNode: HP_UdpNode, lpszRemoteAddress: LPCTSTR, usRemotePort: USHORT, pBuffer: *const BYTE, iLength: c_int, iOffset: c_int) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` + `iOffset` and a NULL or
    // NUL-terminated `lpszRemoteAddress` (upstream's contract for HP_UdpNode_SendPart).
    guard(|| unsafe { part(pBuffer, iLength, iOffset).map_or(FALSE, |b| send(pNode, Some((lpszRemoteAddress, usRemotePort)), &[b])) })
}
/// The buffers concatenated into one datagram.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_SendPackets(pNode: HP_UdpNode, lpszRemoteAddress: LPCTSTR, usRemotePort: USHORT, pBuffers: *const WSABUF, iCount: c_int) -> BOOL {
    // SAFETY: `pBuffers` points to `iCount` WSABUFs with `len` readable bytes at each `buf`, and
    // `lpszRemoteAddress` is NULL or NUL-terminated (upstream's contract for
    // HP_UdpNode_SendPackets).
    guard(|| unsafe { packets(pBuffers, iCount).map_or(FALSE, |v| send(pNode, Some((lpszRemoteAddress, usRemotePort)), &v)) })
}
/// One datagram to the multicast group or broadcast address given at Start.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_SendCast(pNode: HP_UdpNode, pBuffer: *const BYTE, iLength: c_int) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` (upstream's contract for
    // HP_UdpNode_SendCast); with no host, send reads no string.
    guard(|| unsafe { part(pBuffer, iLength, 0).map_or(FALSE, |b| send(pNode, None, &[b])) })
}
/// As HP_UdpNode_SendCast, sending `iLength` bytes from `pBuffer + iOffset`. FALSE with errno EPERM
/// unless started with a cast mode, EINVAL above MaxDatagramSize or for a negative offset.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_SendCastPart(pNode: HP_UdpNode, pBuffer: *const BYTE, iLength: c_int, iOffset: c_int) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` + `iOffset` (upstream's
    // contract for HP_UdpNode_SendCastPart); with no host, send reads no string.
    guard(|| unsafe { part(pBuffer, iLength, iOffset).map_or(FALSE, |b| send(pNode, None, &[b])) })
}
/// The buffers concatenated into one datagram to the cast address. FALSE with errno EPERM unless
/// started with a cast mode, EINVAL for a bad array or above MaxDatagramSize.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_SendCastPackets(pNode: HP_UdpNode, pBuffers: *const WSABUF, iCount: c_int) -> BOOL {
    // SAFETY: `pBuffers` points to `iCount` WSABUFs with `len` readable bytes at each `buf`
    // (upstream's contract for HP_UdpNode_SendCastPackets); with no host, send reads no string.
    guard(|| unsafe { packets(pBuffers, iCount).map_or(FALSE, |v| send(pNode, None, &v)) })
}

// ---- info ----

/// Copies the bound address and port (`*piAddressLen`: size in, length with NUL out; ENOSPC with
/// the size needed if too small). FALSE when not started.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_GetLocalAddress(pNode: HP_UdpNode, lpszAddress: *mut TCHAR, piAddressLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    guard(|| match node(pNode).and_then(|n| n.local_addr()) {
        // SAFETY: `piAddressLen` and `pusPort` are NULL or writable, and `lpszAddress` is NULL or
        // has `*piAddressLen` writable bytes (upstream's contract for HP_UdpNode_GetLocalAddress);
        // write_host checks for NULL and the size before writing.
        Some(a) => unsafe { write_addr(&a.ip(), a.port(), lpszAddress, piAddressLen, pusPort) },
        None => FALSE,
    })
}
/// Copies the multicast group or broadcast address given at Start and the port, with
/// GetLocalAddress's buffer rules. FALSE with errno ENOENT when not started with a cast mode.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_GetCastAddress(pNode: HP_UdpNode, lpszAddress: *mut TCHAR, piAddressLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    guard(|| {
        let Some(n) = node(pNode) else { return FALSE };
        match n.cast() {
            // SAFETY: `piAddressLen` and `pusPort` are NULL or writable, and `lpszAddress` is NULL
            // or has `*piAddressLen` writable bytes (upstream's contract for
            // HP_UdpNode_GetCastAddress); write_host checks for NULL and the size before writing.
            Some((_, a)) => unsafe { write_addr(&a.ip(), a.port(), lpszAddress, piAddressLen, pusPort) },
            None => {
                set_errno(libc::ENOENT);
                FALSE
            }
        }
    })
}
/// The cast mode of the running node (CM_MULTICAST, CM_BROADCAST); CM_UNICAST when started without
/// one, stopped, or for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_GetCastMode(pNode: HP_UdpNode) -> En_HP_CastMode {
    guard(|| match node(pNode).and_then(|n| n.cast()) {
        Some((CastMode::Multicast, _)) => EnCastMode::CM_MULTICAST,
        Some((CastMode::Broadcast, _)) => EnCastMode::CM_BROADCAST,
        _ => EnCastMode::CM_UNICAST,
    })
}
/// Always 0: a datagram is written whole when sent, nothing waits.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_GetPendingDataLength(pNode: HP_UdpNode, piPending: *mut c_int) -> BOOL {
    guard(|| {
        if node(pNode).is_none() || piPending.is_null() {
            set_errno(libc::EINVAL);
            return FALSE;
        }
        // SAFETY: `piPending` is non-NULL (checked above) and writable (upstream's contract for
        // HP_UdpNode_GetPendingDataLength).
        unsafe { *piPending = 0 };
        TRUE
    })
}
/// Stores the application's `pExtra` on the node; a bad handle is ignored.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_SetExtra(pNode: HP_UdpNode, pExtra: PVOID) {
    if let Some(o) = obj(pNode) {
        o.extra.store(pExtra as usize, Ordering::Relaxed);
    }
}
/// The value stored by HP_UdpNode_SetExtra (NULL until set); NULL for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_GetExtra(pNode: HP_UdpNode) -> PVOID {
    obj(pNode).map_or(std::ptr::null_mut(), |o| o.extra.load(Ordering::Relaxed) as PVOID)
}

// ---- options ----

/// Sets the address reuse policy (default RAP_ADDR_ONLY); only while stopped (else errno EPERM). An
/// unknown value is ignored with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_SetReuseAddressPolicy(pNode: HP_UdpNode, enReusePolicy: ReuseAddressPolicyArg) {
    guard(|| match reuse_policy(enReusePolicy) {
        Some(p) => set_opt(pNode, |o| o.reuse = p),
        None => set_errno(libc::EINVAL),
    })
}
/// The address reuse policy; RAP_NONE for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_GetReuseAddressPolicy(pNode: HP_UdpNode) -> En_HP_ReuseAddressPolicy {
    guard(|| node(pNode).map_or(EnReuseAddressPolicy::RAP_NONE, |n| reuse_policy_out(n.options().reuse)))
}
/// Sets the largest datagram sent or received (default 1432; Start refuses 0 or above 65536); only
/// while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_SetMaxDatagramSize(pNode: HP_UdpNode, dwMaxDatagramSize: DWORD) {
    guard(|| set_opt(pNode, |o| o.max_datagram = dwMaxDatagramSize))
}
/// The largest datagram size; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_GetMaxDatagramSize(pNode: HP_UdpNode) -> DWORD {
    guard(|| get_opt(pNode, |o| o.max_datagram))
}
/// Sets the worker thread count (default 2 x CPUs + 2; Start refuses 0 or above 512); only while
/// stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_SetWorkerThreadCount(pNode: HP_UdpNode, dwWorkerThreadCount: DWORD) {
    guard(|| set_opt(pNode, |o| o.worker_threads = dwWorkerThreadCount))
}
/// The worker thread count; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_GetWorkerThreadCount(pNode: HP_UdpNode) -> DWORD {
    guard(|| get_opt(pNode, |o| o.worker_threads))
}
/// Kept for Get/Set only, changes nothing (default 64); only while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_SetPostReceiveCount(pNode: HP_UdpNode, dwPostReceiveCount: DWORD) {
    guard(|| set_opt(pNode, |o| o.post_receive_count = dwPostReceiveCount))
}
/// The post-receive count; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_GetPostReceiveCount(pNode: HP_UdpNode) -> DWORD {
    guard(|| get_opt(pNode, |o| o.post_receive_count))
}
/// Accepted and reported back, changes nothing (no buffer pools here; default 1024); only while
/// stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_SetFreeBufferPoolSize(pNode: HP_UdpNode, dwFreeBufferPoolSize: DWORD) {
    guard(|| set_opt(pNode, |o| o.free_buffer_pool = dwFreeBufferPoolSize))
}
/// The value set by SetFreeBufferPoolSize; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_GetFreeBufferPoolSize(pNode: HP_UdpNode) -> DWORD {
    guard(|| get_opt(pNode, |o| o.free_buffer_pool))
}
/// Accepted and reported back, changes nothing (no buffer pools here; default 1024); only while
/// stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_SetFreeBufferPoolHold(pNode: HP_UdpNode, dwFreeBufferPoolHold: DWORD) {
    guard(|| set_opt(pNode, |o| o.free_buffer_hold = dwFreeBufferPoolHold))
}
/// The value set by SetFreeBufferPoolHold; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_GetFreeBufferPoolHold(pNode: HP_UdpNode) -> DWORD {
    guard(|| get_opt(pNode, |o| o.free_buffer_hold))
}
/// Sets the TTL of multicasts sent (default 1); only while stopped (else errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_SetMultiCastTtl(pNode: HP_UdpNode, iMCTtl: c_int) {
    guard(|| set_opt(pNode, |o| o.mc_ttl = iMCTtl))
}
/// The multicast TTL; 0 for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_GetMultiCastTtl(pNode: HP_UdpNode) -> c_int {
    guard(|| get_opt(pNode, |o| o.mc_ttl))
}
/// Whether multicasts sent are heard on this host too (default FALSE); only while stopped (else
/// errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_SetMultiCastLoop(pNode: HP_UdpNode, bMCLoop: BOOL) {
    guard(|| set_opt(pNode, |o| o.mc_loop = bMCLoop != 0))
}
/// TRUE if multicast loopback is on; FALSE also for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_IsMultiCastLoop(pNode: HP_UdpNode) -> BOOL {
    guard(|| get_opt(pNode, |o| o.mc_loop as BOOL))
}
/// Whether a node bound to NULL/"" or "::" serves IPv4 too (default TRUE); only while stopped (else
/// errno EPERM).
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_SetDualStack(pNode: HP_UdpNode, bDualStack: BOOL) {
    guard(|| set_opt(pNode, |o| o.dual_stack = bDualStack != 0))
}
/// TRUE if dual stack is on; FALSE also for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn HP_UdpNode_IsDualStack(pNode: HP_UdpNode) -> BOOL {
    guard(|| get_opt(pNode, |o| o.dual_stack as BOOL))
}
