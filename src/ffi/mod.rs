//! The C boundary: `#[no_mangle] pub extern "C" fn` exports, each a thin shell over the engine.
pub mod guard;
pub mod handles;
pub mod types;
