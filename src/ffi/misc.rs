//! Library-wide exports: version and error descriptions.
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_snake_case)]

use super::guard::guard;
use super::types::*;

/// Upstream's encoding: major << 24 | minor << 16 | revise << 8 | build.
#[no_mangle]
pub extern "C" fn HP_GetHPSocketVersion() -> DWORD {
    (HP_VERSION_MAJOR << 24) | (HP_VERSION_MINOR << 16) | (HP_VERSION_REVISE << 8) | HP_VERSION_BUILD
}

/// A static description of an error code, valid for the life of the process.
#[no_mangle]
pub extern "C" fn HP_GetSocketErrorDesc(enCode: SocketErrorArg) -> LPCTSTR {
    guard(|| super::tcp::error_desc(enCode.0))
}
