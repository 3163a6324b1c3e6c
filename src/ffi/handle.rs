//! What a handle is, decided in one place.
//!
//! A handle that C holds is the address of a slot in a table the library owns: one anonymous
//! mapping reserved once and never unmapped. A slot holds the kind of object it stands for and a
//! pointer to the object. Checking a handle reads nothing outside that table: the address must
//! fall inside the mapping on a slot boundary, and the slot's kind must be the one expected. So
//! NULL, a handle of another kind, a destroyed handle (its slot's kind is cleared) and a pointer
//! that is no handle at all (into a caller's stack or heap) are all refused without touching
//! memory the library does not own, at the cost of two compares and two loads.
//!
//! Freed slots are reused only once many are free (first in, first out), so a stale handle stays
//! refused for a long while; at worst a handle used long after its Destroy acts on a newer handle
//! of the same kind that was given the same slot.
//!
//! Calling Destroy on a handle while another thread is inside a call on the same handle is the
//! caller's race, as upstream: the object may be freed under that call.
#![deny(unsafe_op_in_unsafe_fn)]

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// The kind of object a slot stands for. 0 is a free slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Kind {
    ServerListener = 1,
    AgentListener,
    ClientListener,
    UdpNodeListener,
    /// TCP, PULL, PACK, UDP, ARQ and cast components (the object says which role and transport).
    Component,
    UdpNode,
    ThreadPool,
    ThreadPoolListener,
    Compressor,
    Decompressor,
    HttpServerListener,
    HttpAgentListener,
    HttpClientListener,
    /// For this module's own tests.
    #[cfg(test)]
    TestOnly,
}

/// Types that may stand behind a handle, with the kinds each may be registered as and how the
/// handle owns them. Both are checked by the functions below: a kind not in `KINDS` is refused
/// at run time, and a boxed type used with the shared functions (or the reverse) fails to
/// compile.
///
/// # Safety
/// No two types may list the same kind: lookups of a kind cast the slot's pointer back to the
/// one type that lists it.
pub unsafe trait HandleObject: Send + Sync + 'static {
    const KINDS: &'static [Kind];
    /// True: handles hold an `Arc<Self>` (`new_shared`); false: a `Box<Self>` (`new_boxed`).
    const SHARED: bool;
}

// `kind_of` reads the numbers back.
const _: () = assert!(Kind::ServerListener as u32 == 1 && Kind::Component as u32 == 5 && Kind::Decompressor as u32 == 10);

/// Whether `kind` is one `T` may stand for (constant-folded at each call site).
#[inline(always)]
fn kind_ok<T: HandleObject>(kind: Kind) -> bool {
    T::KINDS.contains(&kind)
}

#[repr(C, align(16))]
struct Slot {
    kind: AtomicU32,
    obj: AtomicUsize,
}

/// Most handles alive at once.
const CAPACITY: usize = 1 << 21;
/// Freed slots are reused only when more than this many wait.
const REUSE_AFTER: usize = 4096;

struct Table {
    base: usize,
    alloc: Mutex<Alloc>,
}

struct Alloc {
    next: usize,
    free: std::collections::VecDeque<u32>,
}

fn table() -> Option<&'static Table> {
    static TABLE: OnceLock<Option<Table>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let len = CAPACITY * std::mem::size_of::<Slot>();
            // SAFETY: a NULL hint, fd -1 and MAP_PRIVATE | MAP_ANONYMOUS make a fresh mapping that
            // replaces none of ours (MAP_FAILED is checked below); its pages are zero-filled (a zero
            // kind is a free slot), page-aligned and never unmapped, so slots stay valid for good.
            let p = unsafe {
                libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE, -1, 0)
            };
            (p != libc::MAP_FAILED).then(|| Table { base: p as usize, alloc: Mutex::new(Alloc { next: 0, free: Default::default() }) })
        })
        .as_ref()
}

impl Table {
    fn slot(&self, i: usize) -> &Slot {
        debug_assert!(i < CAPACITY);
        // SAFETY: callers pass indices from `index` or `register`, all below CAPACITY (asserted in
        // debug), so the slot lies in the mapping, 16-aligned (the base is page-aligned); the
        // mapping lives forever, zero-filled (valid atomics), and slots are only used atomically.
        unsafe { &*((self.base + i * std::mem::size_of::<Slot>()) as *const Slot) }
    }

    /// The index of the slot `h` addresses, if it is one.
    fn index(&self, h: *const std::ffi::c_void) -> Option<usize> {
        let off = (h as usize).wrapping_sub(self.base);
        let size = std::mem::size_of::<Slot>();
        (off < CAPACITY * size && off.is_multiple_of(size)).then_some(off / size)
    }
}

/// A new handle standing for `obj` as `kind`; None when the table is full (or unavailable).
fn register(kind: Kind, obj: usize) -> Option<*mut std::ffi::c_void> {
    let t = table()?;
    let i = {
        let mut a = t.alloc.lock().unwrap_or_else(|e| e.into_inner());
        if a.free.len() > REUSE_AFTER || a.next == CAPACITY {
            a.free.pop_front()? as usize
        } else {
            a.next += 1;
            a.next - 1
        }
    };
    let s = t.slot(i);
    s.obj.store(obj, Ordering::Relaxed);
    s.kind.store(kind as u32, Ordering::Release);
    Some(s as *const Slot as *mut std::ffi::c_void)
}

/// The object pointer behind `h` when it is a live handle of `kind`.
#[inline]
fn lookup(h: *const std::ffi::c_void, kind: Kind) -> Option<usize> {
    let t = table()?;
    let s = t.slot(t.index(h)?);
    (s.kind.load(Ordering::Acquire) == kind as u32).then(|| s.obj.load(Ordering::Relaxed))
}

/// Clears `h` if it is a live handle of `kind`; returns the object pointer it stood for. Only
/// one of several racing calls gets it.
fn unregister(h: *const std::ffi::c_void, kind: Kind) -> Option<usize> {
    let t = table()?;
    let i = t.index(h)?;
    let s = t.slot(i);
    s.kind.compare_exchange(kind as u32, 0, Ordering::AcqRel, Ordering::Acquire).ok()?;
    let obj = s.obj.swap(0, Ordering::Relaxed);
    t.alloc.lock().unwrap_or_else(|e| e.into_inner()).free.push_back(i as u32);
    Some(obj)
}

/// The kind of the live handle `h`, if it is one (any kind); for the tests.
#[cfg(test)]
fn kind_of(h: *const std::ffi::c_void) -> Option<Kind> {
    let t = table()?;
    let k = t.slot(t.index(h)?).kind.load(Ordering::Acquire);
    Some(match k {
        1 => Kind::ServerListener,
        2 => Kind::AgentListener,
        3 => Kind::ClientListener,
        4 => Kind::UdpNodeListener,
        5 => Kind::Component,
        6 => Kind::UdpNode,
        7 => Kind::ThreadPool,
        8 => Kind::ThreadPoolListener,
        9 => Kind::Compressor,
        10 => Kind::Decompressor,
        11 => Kind::HttpServerListener,
        12 => Kind::HttpAgentListener,
        13 => Kind::HttpClientListener,
        #[cfg(test)]
        14 => Kind::TestOnly,
        _ => return None,
    })
}

/// A handle owning `obj` (boxed); NULL with ENOMEM when no slot is left.
pub fn new_boxed<T: HandleObject>(kind: Kind, obj: Box<T>) -> *mut std::ffi::c_void {
    const { assert!(!T::SHARED, "a shared handle type used as boxed") };
    if !kind_ok::<T>(kind) {
        super::guard::set_errno(libc::EINVAL);
        return std::ptr::null_mut();
    }
    let p = Box::into_raw(obj);
    match register(kind, p as usize) {
        Some(h) => h,
        None => {
            // SAFETY: `p` came from Box::into_raw above and, the registration having failed,
            // was never published, so this is its only owner.
            drop(unsafe { Box::from_raw(p) });
            super::guard::set_errno(libc::ENOMEM);
            std::ptr::null_mut()
        }
    }
}

/// A handle owning one strong reference to `obj`; NULL with ENOMEM when no slot is left.
pub fn new_shared<T: HandleObject>(kind: Kind, obj: Arc<T>) -> *mut std::ffi::c_void {
    const { assert!(T::SHARED, "a boxed handle type used as shared") };
    if !kind_ok::<T>(kind) {
        super::guard::set_errno(libc::EINVAL);
        return std::ptr::null_mut();
    }
    let p = Arc::into_raw(obj);
    match register(kind, p as usize) {
        Some(h) => h,
        None => {
            // SAFETY: `p` came from Arc::into_raw above and, the registration having failed,
            // was never published; this takes back the one reference into_raw leaked.
            drop(unsafe { Arc::from_raw(p) });
            super::guard::set_errno(libc::ENOMEM);
            std::ptr::null_mut()
        }
    }
}

/// The object behind a live handle of `kind`, or None for anything else (nothing outside the
/// handle table is read). The reference is valid until the handle is destroyed; see the module
/// comment for Destroy racing with other calls.
#[inline]
pub fn get<'a, T: HandleObject>(h: *const std::ffi::c_void, kind: Kind) -> Option<&'a T> {
    if !kind_ok::<T>(kind) {
        return None;
    }
    let p = lookup(h, kind)?;
    // SAFETY: `kind` is one of `T::KINDS` (checked above), whose
    // live slots point to a `T` (HandleObject contract), freed only after `take_*` clears the slot;
    // a Destroy racing this call or outliving the reference is the caller's race (module comment).
    Some(unsafe { &*(p as *const T) })
}

/// A new strong reference to the object behind a live shared handle of `kind`.
pub fn share<T: HandleObject>(h: *const std::ffi::c_void, kind: Kind) -> Option<Arc<T>> {
    const { assert!(T::SHARED, "a boxed handle type used as shared") };
    if !kind_ok::<T>(kind) {
        return None;
    }
    let p = lookup(h, kind)? as *const T;
    // SAFETY: `T` is a shared type (checked at compile time) listing `kind`, so its live slot came
    // from `new_shared`: `p` is Arc::into_raw of an `Arc<T>` the handle still owns, so the count
    // is at least one while we add ours (a racing Destroy is the caller's race).
    unsafe {
        Arc::increment_strong_count(p);
        Some(Arc::from_raw(p))
    }
}

/// Ends a boxed handle of `kind`, handing back its object; None when `h` is not one.
pub fn take_boxed<T: HandleObject>(h: *const std::ffi::c_void, kind: Kind) -> Option<Box<T>> {
    const { assert!(!T::SHARED, "a shared handle type used as boxed") };
    if !kind_ok::<T>(kind) {
        return None;
    }
    let p = unregister(h, kind)?;
    // SAFETY: `T` is a boxed type (checked at compile time) listing `kind`, so the slot held
    // Box::into_raw of a `Box<T>`; clearing the slot (which only one caller can do) transfers
    // its ownership here.
    Some(unsafe { Box::from_raw(p as *mut T) })
}

/// Ends a shared handle of `kind`, handing back the handle's strong reference.
pub fn take_shared<T: HandleObject>(h: *const std::ffi::c_void, kind: Kind) -> Option<Arc<T>> {
    const { assert!(T::SHARED, "a boxed handle type used as shared") };
    if !kind_ok::<T>(kind) {
        return None;
    }
    let p = unregister(h, kind)?;
    // SAFETY: `T` is a shared type (checked at compile time) listing `kind`, so the slot held
    // Arc::into_raw of an `Arc<T>`; clearing the slot (which only one caller can do) transfers
    // that reference here.
    Some(unsafe { Arc::from_raw(p as *const T) })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Thing(u32);
    // SAFETY: `Thing` alone lists the test-only kind.
    unsafe impl HandleObject for Thing {
        const KINDS: &'static [Kind] = &[Kind::TestOnly];
        const SHARED: bool = false;
    }

    #[test]
    fn handles_are_checked_by_kind_range_and_life() {
        let h = new_boxed(Kind::TestOnly, Box::new(Thing(7)));
        assert_eq!(get::<Thing>(h, Kind::TestOnly).map(|t| t.0), Some(7));
        assert!(lookup(h, Kind::Decompressor).is_none());
        // A kind the type does not list is refused, not cast.
        assert!(get::<Thing>(h, Kind::Decompressor).is_none());
        assert_eq!(kind_of(h), Some(Kind::TestOnly));
        // inside a slot, outside the table, NULL
        assert!(lookup((h as usize + 8) as *const _, Kind::TestOnly).is_none());
        let local = 5u64;
        assert!(lookup(&local as *const u64 as *const _, Kind::TestOnly).is_none());
        assert!(lookup(std::ptr::null(), Kind::TestOnly).is_none());
        let t = take_boxed::<Thing>(h, Kind::TestOnly).unwrap();
        assert_eq!(t.0, 7);
        assert!(get::<Thing>(h, Kind::TestOnly).is_none());
        assert!(take_boxed::<Thing>(h, Kind::TestOnly).is_none());
        // A freed slot is not handed out again at once.
        let h2 = new_boxed(Kind::TestOnly, Box::new(Thing(8)));
        assert_ne!(h, h2);
        drop(take_boxed::<Thing>(h2, Kind::TestOnly));
    }
}
