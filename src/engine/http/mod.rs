//! The HTTP family's protocol pieces, sans-IO: the parser (llhttp's behaviour) and the URL
//! splitters, the cookie store the HTTP components share, WebSocket frames, message writers,
//! the state of the message being received that C reads, and the connection layer joining them.

pub mod cookie;
pub mod layer;
pub mod message;
pub mod parser;
pub mod url;
pub mod write;
pub mod ws;
