//! Listener objects: tables of C callbacks set by `HP_Set_FN_*`. A slot is read each time its
//! event fires, so setting a callback after Start works; an empty slot means "HR_OK".
//!
//! A listener is reference counted: each component created with it holds a reference, so
//! destroying the listener before its components does not leave them with a dangling table.
#![deny(unsafe_op_in_unsafe_fn)]

use super::guard::{guard, set_errno};
use super::handle::{self, HandleObject, Kind};
use super::types::PVOID;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Event slots; server, agent and client listeners use the ones their events need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
pub enum Slot {
    PrepareListen,
    PrepareConnect,
    Accept,
    Connect,
    HandShake,
    Send,
    Receive,
    PullReceive,
    Close,
    Shutdown,
    Error,
    // The HTTP families' parser events (their callbacks return `En_HP_HttpParseResult`,
    // read with `parse_result`, not `handled`) and WebSocket events.
    MessageBegin,
    RequestLine,
    StatusLine,
    Header,
    HeadersComplete,
    Body,
    ChunkHeader,
    ChunkComplete,
    MessageComplete,
    Upgrade,
    ParseError,
    WsMessageHeader,
    WsMessageBody,
    WsMessageComplete,
}
const SLOTS: usize = Slot::WsMessageComplete as usize + 1;

const SOCKET_SLOTS: &[Slot] = &[Slot::HandShake, Slot::Send, Slot::Receive, Slot::Close];
const HTTP_SLOTS: &[Slot] = &[
    Slot::MessageBegin,
    Slot::RequestLine,
    Slot::StatusLine,
    Slot::Header,
    Slot::HeadersComplete,
    Slot::Body,
    Slot::ChunkHeader,
    Slot::ChunkComplete,
    Slot::MessageComplete,
    Slot::Upgrade,
    Slot::ParseError,
    Slot::WsMessageHeader,
    Slot::WsMessageBody,
    Slot::WsMessageComplete,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListenerKind {
    /// TCP, PULL, PACK and UDP servers (their callbacks are the `HP_Set_FN_Server_*` ones).
    Server,
    Agent,
    /// TCP, PULL, PACK and UDP clients.
    Client,
    UdpNode,
    HttpServer,
    HttpAgent,
    HttpClient,
}

impl ListenerKind {
    /// The events a listener of this family has callbacks for: its `HP_Set_FN_*` set.
    pub fn accepts(self, s: Slot) -> bool {
        let own: &[Slot] = match self {
            ListenerKind::Server => &[Slot::PrepareListen, Slot::Accept, Slot::PullReceive, Slot::Shutdown],
            ListenerKind::Agent => &[Slot::PrepareConnect, Slot::Connect, Slot::PullReceive, Slot::Shutdown],
            ListenerKind::Client => &[Slot::PrepareConnect, Slot::Connect, Slot::PullReceive],
            ListenerKind::UdpNode => &[Slot::PrepareListen, Slot::Send, Slot::Receive, Slot::Error, Slot::Shutdown],
            ListenerKind::HttpServer => &[Slot::PrepareListen, Slot::Accept, Slot::Shutdown],
            ListenerKind::HttpAgent => &[Slot::PrepareConnect, Slot::Connect, Slot::Shutdown],
            ListenerKind::HttpClient => &[Slot::PrepareConnect, Slot::Connect],
        };
        // A server parses requests (OnRequestLine), agents and clients responses (OnStatusLine).
        let http = match self {
            ListenerKind::HttpServer => HTTP_SLOTS.contains(&s) && s != Slot::StatusLine,
            ListenerKind::HttpAgent | ListenerKind::HttpClient => HTTP_SLOTS.contains(&s) && s != Slot::RequestLine,
            _ => false,
        };
        own.contains(&s) || http || (self != ListenerKind::UdpNode && SOCKET_SLOTS.contains(&s))
    }

    /// Whether the family has the HTTP parser's and WebSocket's events (the HTTP listeners,
    /// which the HTTP issue adds as families of their own).
    pub fn has_http_events(self) -> bool {
        HTTP_SLOTS.iter().any(|s| self.accepts(*s))
    }
}

pub struct Listener {
    kind: ListenerKind,
    slots: [AtomicUsize; SLOTS],
}

// SAFETY: the only handles registered with a listener kind are made by `create` below, from an
// `Arc<Listener>` (new_shared), and no other HandleObject type lists these kinds.
unsafe impl HandleObject for Listener {
    const KINDS: &'static [Kind] = &[
        Kind::ServerListener,
        Kind::AgentListener,
        Kind::ClientListener,
        Kind::UdpNodeListener,
        Kind::HttpServerListener,
        Kind::HttpAgentListener,
        Kind::HttpClientListener,
    ];
    const SHARED: bool = true;
}

impl ListenerKind {
    fn handle_kind(self) -> Kind {
        match self {
            ListenerKind::Server => Kind::ServerListener,
            ListenerKind::Agent => Kind::AgentListener,
            ListenerKind::Client => Kind::ClientListener,
            ListenerKind::UdpNode => Kind::UdpNodeListener,
            ListenerKind::HttpServer => Kind::HttpServerListener,
            ListenerKind::HttpAgent => Kind::HttpAgentListener,
            ListenerKind::HttpClient => Kind::HttpClientListener,
        }
    }
}

impl Listener {
    pub fn get(&self, s: Slot) -> usize {
        self.slots[s as usize].load(Ordering::Acquire)
    }
    pub fn set(&self, s: Slot, f: usize) {
        self.slots[s as usize].store(f, Ordering::Release);
    }
}

/// A listener with no callbacks and no handle (an HttpSyncClient created with a NULL one).
pub fn detached(kind: ListenerKind) -> Arc<Listener> {
    Arc::new(Listener { kind, slots: Default::default() })
}

/// A new listener handle (one strong reference owned by the handle).
pub fn create(kind: ListenerKind) -> PVOID {
    guard(|| handle::new_shared(kind.handle_kind(), Arc::new(Listener { kind, slots: Default::default() })))
}

/// The listener behind a handle, if it is a live listener of `kind`.
pub fn from_handle<'a>(p: PVOID, kind: ListenerKind) -> Option<&'a Listener> {
    handle::get(p, kind.handle_kind())
}

/// A new strong reference for a component to keep.
pub fn share(p: PVOID, kind: ListenerKind) -> Option<Arc<Listener>> {
    handle::share(p, kind.handle_kind())
}

/// Drops the handle's reference (components keep theirs); a bad handle sets EINVAL.
pub fn destroy(p: PVOID, kind: ListenerKind) {
    guard(|| match handle::take_shared::<Listener>(p, kind.handle_kind()) {
        Some(l) => drop(l),
        None => set_errno(libc::EINVAL),
    })
}

/// Stores a callback in a listener slot (NULL clears it); a bad handle sets EINVAL.
pub fn set_fn(p: PVOID, kind: ListenerKind, slot: Slot, f: usize) {
    debug_assert!(kind.accepts(slot), "{kind:?} has no {slot:?} callback");
    guard(|| match from_handle(p, kind) {
        Some(l) if l.kind.accepts(slot) => l.set(slot, f),
        _ => set_errno(libc::EINVAL),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_family_has_its_own_callbacks() {
        assert!(ListenerKind::Server.accepts(Slot::Accept) && !ListenerKind::Server.accepts(Slot::Connect));
        assert!(ListenerKind::Agent.accepts(Slot::Connect) && !ListenerKind::Agent.accepts(Slot::PrepareListen));
        assert!(!ListenerKind::Client.accepts(Slot::Shutdown));
        assert!(ListenerKind::UdpNode.accepts(Slot::Error) && !ListenerKind::UdpNode.accepts(Slot::Close));
        assert!(!ListenerKind::Server.has_http_events());
        assert!(ListenerKind::HttpServer.has_http_events() && ListenerKind::HttpServer.accepts(Slot::RequestLine));
        assert!(!ListenerKind::HttpServer.accepts(Slot::StatusLine) && !ListenerKind::HttpClient.accepts(Slot::RequestLine));
        assert!(!ListenerKind::HttpClient.accepts(Slot::Shutdown) && ListenerKind::HttpAgent.accepts(Slot::Shutdown));
    }

    const _: () = assert!(SLOTS >= 25);
}
