//! The `SYS_*` helpers in safe Rust (the C shells are in `ffi/sys.rs`): Base64 and URL codecs,
//! zlib / gzip / brotli one-shot compression, charset conversion through the C library's iconv.
//!
//! Return codes follow upstream: 0 success, -3 bad input data, -5 output buffer too small.
#![deny(unsafe_op_in_unsafe_fn)]

pub mod charset;
pub mod codec;
pub mod zip;

/// Upstream's result codes for the codec and compression helpers.
pub const OK: i32 = 0;
pub const DATA_ERROR: i32 = -3;
pub const BUF_ERROR: i32 = -5;
