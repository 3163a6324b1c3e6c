pub mod engine;
pub mod ffi;
pub mod sys;
