//! Listener objects: tables of C callbacks set by `HP_Set_FN_*`. A slot is read each time its
//! event fires, so setting a callback after Start works; an empty slot means "HR_OK".
//!
//! A listener is reference counted: each component created with it holds a reference, so
//! destroying the listener before its components does not leave them with a dangling table.

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
}
const SLOTS: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListenerKind {
    /// TCP, PULL, PACK and UDP servers (their callbacks are the `HP_Set_FN_Server_*` ones).
    Server,
    Agent,
    /// TCP, PULL, PACK and UDP clients.
    Client,
    UdpNode,
}

pub struct Listener {
    slots: [AtomicUsize; SLOTS],
}

// SAFETY: listeners are registered only under the listener kinds, always as `Listener`.
unsafe impl HandleObject for Listener {
    const KINDS: &'static [Kind] = &[Kind::ServerListener, Kind::AgentListener, Kind::ClientListener, Kind::UdpNodeListener];
}

impl ListenerKind {
    fn handle_kind(self) -> Kind {
        match self {
            ListenerKind::Server => Kind::ServerListener,
            ListenerKind::Agent => Kind::AgentListener,
            ListenerKind::Client => Kind::ClientListener,
            ListenerKind::UdpNode => Kind::UdpNodeListener,
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

/// A new listener handle (one strong reference owned by the handle).
pub fn create(kind: ListenerKind) -> PVOID {
    guard(|| handle::new_shared(kind.handle_kind(), Arc::new(Listener { slots: Default::default() })))
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
    guard(|| match from_handle(p, kind) {
        Some(l) => l.set(slot, f),
        None => set_errno(libc::EINVAL),
    })
}
