//! Listener objects: tables of C callbacks set by `HP_Set_FN_*`. A slot is read each time its
//! event fires, so setting a callback after Start works; an empty slot means "HR_OK".
//!
//! A listener is reference counted: each component created with it holds a reference, so
//! destroying the listener before its components does not leave them with a dangling table.

use super::guard::guard;
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
    magic: u32,
    pub kind: ListenerKind,
    slots: [AtomicUsize; SLOTS],
}

const LISTENER_MAGIC: u32 = 0x4C53_4E52; // "LSNR"

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
    guard(|| {
        let l = Arc::new(Listener { magic: LISTENER_MAGIC, kind, slots: Default::default() });
        Arc::into_raw(l) as PVOID
    })
}

/// The listener behind a handle, if it is one of `kind`.
///
/// # Safety
/// `p` is NULL or a handle from [`create`] not yet destroyed.
pub unsafe fn from_handle<'a>(p: PVOID, kind: ListenerKind) -> Option<&'a Listener> {
    let l = (p as *const Listener).as_ref()?;
    (l.magic == LISTENER_MAGIC && l.kind == kind).then_some(l)
}

/// A new strong reference for a component to keep.
///
/// # Safety
/// As for [`from_handle`].
pub unsafe fn share(p: PVOID, kind: ListenerKind) -> Option<Arc<Listener>> {
    from_handle(p, kind)?;
    Arc::increment_strong_count(p as *const Listener);
    Some(Arc::from_raw(p as *const Listener))
}

/// Drops the handle's reference.
///
/// # Safety
/// As for [`from_handle`].
pub unsafe fn destroy(p: PVOID, kind: ListenerKind) {
    guard(|| {
        if from_handle(p, kind).is_some() {
            drop(Arc::from_raw(p as *const Listener));
        }
    })
}

/// Stores a callback in a listener slot (NULL clears it).
///
/// # Safety
/// As for [`from_handle`].
pub unsafe fn set_fn(p: PVOID, kind: ListenerKind, slot: Slot, f: usize) {
    guard(|| {
        if let Some(l) = from_handle(p, kind) {
            l.set(slot, f);
        } else {
            super::guard::set_errno(libc::EINVAL);
        }
    })
}
