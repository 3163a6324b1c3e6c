pub mod engine;
pub mod ffi;
