//! hpsocket4c: HP-Socket's C API (HPSocket4C) in Rust. `engine` knows nothing of C; `ffi` is the
//! C boundary; `sys` holds the SYS_* helpers.
#![deny(unsafe_op_in_unsafe_fn)]

pub mod engine;
pub mod ffi;
pub mod sys;
