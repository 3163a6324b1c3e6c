//! hpsocket4c: HP-Socket's C API (HPSocket4C) in Rust. `engine` knows nothing of C; `ffi` is the
//! C boundary; `sys` holds the SYS_* helpers.
#![deny(unsafe_op_in_unsafe_fn)]

mod aligned_pool;
pub mod engine;
pub mod ffi;
pub mod sys;

/// Small blocks aligned to more than 16 bytes (tokio's task cells and reactor slots, two per
/// connection) come from pools; everything else from the C allocator (`aligned_pool.rs`).
#[global_allocator]
static ALLOCATOR: aligned_pool::Allocator = aligned_pool::Allocator;
