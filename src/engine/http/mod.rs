//! The HTTP family's protocol pieces, sans-IO: the cookie store the HTTP components share,
//! WebSocket frames, message writers, and the state of the message being received that C reads.

pub mod cookie;
pub mod message;
pub mod write;
pub mod ws;
