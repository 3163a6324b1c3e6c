//! Protocol limits shared by the options and the sans-IO layers: a leaf module, so that the
//! layers (`arq.rs`, ...) import nothing from the components.

/// Default `MaxDatagramSize` of the UDP components (and ARQ's default MTU).
pub const UDP_DEFAULT_DATAGRAM_SIZE: u32 = 1432;
/// Largest `MaxDatagramSize`.
pub const UDP_MAX_DATAGRAM_SIZE: u32 = 65536;
