//! The library's global allocator: the C allocator, as `std::alloc::System` uses it, except for
//! small blocks aligned to more than 16 bytes, which come from pools of 128-byte-aligned blocks
//! carved from 64 KiB slabs.
//!
//! Why: every connection holds two such blocks, tokio's task cell and its reactor's
//! `ScheduledIo`, both aligned to 128 bytes. glibc serves an aligned request by cutting it out of
//! a larger chunk, and the pieces it cuts off seldom fit anything else: with 10,000 idle
//! connections that cost about 320 bytes a connection beyond the blocks themselves (measured
//! against mimalloc, which keeps aligned size classes, as this pool does).
//!
//! A slab, once taken, is kept: freed blocks go back to their class's list for the next
//! connection, as upstream keeps its socket objects in a pool. Memory stays at what the largest
//! number of connections at once needed. Other allocations (everything aligned to 16 bytes or
//! less, and large or very aligned blocks) go to the C allocator as before.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ptr;
use std::sync::Mutex;

/// Block sizes are multiples of this, and blocks are aligned to it.
const UNIT: usize = 128;
/// Classes of 128, 256, ... 1,024 bytes.
const CLASSES: usize = 8;
const SLAB: usize = 64 * 1024;

/// A free block: the next one in its class's list.
struct Free {
    next: *mut Free,
}

struct Class {
    /// Freed blocks, most recent first.
    free: *mut Free,
    /// The part of the newest slab not handed out yet: `next` up to `end`.
    next: *mut u8,
    end: *mut u8,
}

// SAFETY: the pointers are into slabs that are never freed, and a `Class` is only reached
// through its mutex.
unsafe impl Send for Class {}

static POOLS: [Mutex<Class>; CLASSES] = [const { Mutex::new(Class { free: ptr::null_mut(), next: ptr::null_mut(), end: ptr::null_mut() }) }; CLASSES];

/// The class that serves `layout`, if a pool does.
fn class_of(layout: Layout) -> Option<usize> {
    if layout.align() <= 16 || layout.align() > UNIT || layout.size() > UNIT * CLASSES {
        return None;
    }
    Some(layout.size().max(1).div_ceil(UNIT) - 1)
}

pub struct Allocator;

// SAFETY: blocks from a pool are `(class + 1) * UNIT` bytes, at least the layout's size, at an
// address that is a multiple of UNIT (slabs are page aligned and blocks are whole units apart),
// so at least the layout's alignment; each is handed out once until it is freed. Everything
// else is `System`'s, with the same layout in both directions.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(c) = class_of(layout) else {
            // SAFETY: the caller's layout has a non-zero size, as GlobalAlloc requires.
            return unsafe { System.alloc(layout) };
        };
        let size = (c + 1) * UNIT;
        let mut pool = POOLS[c].lock().unwrap_or_else(|e| e.into_inner());
        if !pool.free.is_null() {
            let block = pool.free;
            // SAFETY: `block` heads the free list: a block of this class, freed, not handed out
            // since, whose first word holds the next free block.
            pool.free = unsafe { (*block).next };
            return block as *mut u8;
        }
        if (pool.end as usize) - (pool.next as usize) < size {
            // SAFETY: a non-zero size and a valid power-of-two alignment.
            let slab = unsafe { System.alloc(Layout::from_size_align_unchecked(SLAB, 4096)) };
            if slab.is_null() {
                return slab;
            }
            pool.next = slab;
            // SAFETY: `slab` is SLAB bytes long; the end is one past it.
            pool.end = unsafe { slab.add(SLAB) };
        }
        let block = pool.next;
        // SAFETY: at least `size` bytes of the slab are left after `block` (checked above).
        pool.next = unsafe { block.add(size) };
        block
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        let Some(c) = class_of(layout) else {
            // SAFETY: `p` came from System.alloc with this layout (alloc sent it there).
            return unsafe { System.dealloc(p, layout) };
        };
        let mut pool = POOLS[c].lock().unwrap_or_else(|e| e.into_inner());
        let block = p as *mut Free;
        // SAFETY: `p` is a block of this class the caller owns and gives back: at least UNIT
        // bytes, aligned to UNIT, so room and alignment for one pointer.
        unsafe { block.write(Free { next: pool.free }) };
        pool.free = block;
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if class_of(layout).is_none() {
            // SAFETY: as in `alloc`.
            return unsafe { System.alloc_zeroed(layout) };
        }
        // SAFETY: as in `alloc`; the block is `layout.size()` bytes at least.
        let p = unsafe { self.alloc(layout) };
        if !p.is_null() {
            // SAFETY: `p` is writable for `layout.size()` bytes.
            unsafe { p.write_bytes(0, layout.size()) };
        }
        p
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract for realloc holds for both layouts.
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if class_of(layout).is_none() && class_of(new).is_none() {
            // SAFETY: `p` came from System with `layout`, and stays System's.
            return unsafe { System.realloc(p, layout, new_size) };
        }
        // SAFETY: a pool is involved on one side: a new block, the bytes both hold, then the
        // old block freed, each with its own layout.
        unsafe {
            let q = self.alloc(new);
            if !q.is_null() {
                ptr::copy_nonoverlapping(p, q, layout.size().min(new_size));
                self.dealloc(p, layout);
            }
            q
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_blocks_are_pooled_aligned_and_reused() {
        let a = Allocator;
        let l = Layout::from_size_align(200, 128).unwrap();
        // SAFETY: layouts with non-zero sizes; each block is freed once, with its layout.
        unsafe {
            let p = a.alloc(l);
            let q = a.alloc(l);
            assert!(!p.is_null() && !q.is_null() && p != q);
            assert_eq!(p as usize % 128, 0);
            assert_eq!(q as usize % 128, 0);
            p.write_bytes(0xab, 200);
            q.write_bytes(0xcd, 200);
            assert_eq!(*p.add(199), 0xab);
            a.dealloc(p, l);
            // Another thread may take it in between; on its own the next block of the class is it.
            let r = a.alloc(l);
            assert_eq!(r as usize % 128, 0);
            let z = a.alloc_zeroed(Layout::from_size_align(100, 64).unwrap());
            assert!((0..100).all(|i| *z.add(i) == 0));
            let g = a.realloc(z, Layout::from_size_align(100, 64).unwrap(), 5000);
            assert_eq!(g as usize % 64, 0);
            assert!((0..100).all(|i| *g.add(i) == 0));
            a.dealloc(g, Layout::from_size_align(5000, 64).unwrap());
            a.dealloc(q, l);
            a.dealloc(r, l);
        }
        assert_eq!(class_of(Layout::from_size_align(128, 128).unwrap()), Some(0));
        assert_eq!(class_of(Layout::from_size_align(129, 128).unwrap()), Some(1));
        assert_eq!(class_of(Layout::from_size_align(1024, 128).unwrap()), Some(7));
        assert_eq!(class_of(Layout::from_size_align(1025, 128).unwrap()), None);
        assert_eq!(class_of(Layout::from_size_align(64, 16).unwrap()), None);
        assert_eq!(class_of(Layout::from_size_align(64, 256).unwrap()), None);
    }

    #[test]
    fn threads_never_share_a_block() {
        // Four threads take and give back blocks of every class, each filling its blocks with
        // its own byte and checking them before it frees them: a block handed out twice at
        // once would show another thread's byte.
        let threads: Vec<_> = (1..=4u8)
            .map(|t| {
                std::thread::spawn(move || {
                    let a = Allocator;
                    let mut held: Vec<(*mut u8, Layout)> = Vec::new();
                    for i in 0..20_000usize {
                        let l = Layout::from_size_align(1 + (i * 37 + t as usize * 101) % 1024, 32 << (i % 3)).unwrap();
                        // SAFETY: a non-zero size; the block is this thread's until freed below.
                        let p = unsafe { a.alloc(l) };
                        assert!(!p.is_null() && (p as usize).is_multiple_of(l.align()));
                        // SAFETY: `p` is writable for `l.size()` bytes.
                        unsafe { p.write_bytes(t, l.size()) };
                        held.push((p, l));
                        if held.len() > 64 || i % 7 == 0 {
                            let (q, m) = held.swap_remove(i % held.len());
                            // SAFETY: `q` is a live block of `m.size()` bytes this thread filled.
                            unsafe {
                                assert!((0..m.size()).all(|k| *q.add(k) == t), "a block was shared");
                                a.dealloc(q, m);
                            }
                        }
                    }
                    for (q, m) in held {
                        // SAFETY: as above.
                        unsafe {
                            assert!((0..m.size()).all(|k| *q.add(k) == t), "a block was shared");
                            a.dealloc(q, m);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }
}
