//! The C boundary: `#[no_mangle] pub extern "C" fn` exports, each a thin shell over the engine.
#![deny(unsafe_op_in_unsafe_fn)]
pub mod agent;
pub mod client;
pub mod compress;
pub mod misc;
pub mod pack;
pub mod pull;
pub mod guard;
pub mod handle;
pub mod handles;
pub mod http;
pub mod http_agent;
pub mod http_client;
pub mod http_server;
pub mod http_sync;
pub mod http_cookie;
pub mod listener;
pub mod server;
#[cfg(feature = "ssl")]
pub mod ssl;
pub mod sys;
pub mod tcp;
pub mod thread_pool;
pub mod types;
pub mod udp;
pub mod udp_node;
