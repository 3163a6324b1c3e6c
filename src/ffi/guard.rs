//! The panic boundary every export runs inside, and the values an export returns when it
//! must refuse a call (NULL handle, bad argument, or a panic caught at the boundary).
#![deny(unsafe_op_in_unsafe_fn)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::os::raw::c_void;

/// What an export returns when it cannot do its work: FALSE, NULL, 0, or a refusing enum value.
pub trait FfiDefault {
    fn ffi_default() -> Self;
}

macro_rules! zero_default {
    ($($t:ty),*) => { $(impl FfiDefault for $t { #[inline] fn ffi_default() -> Self { 0 as $t } })* };
}
zero_default!(i8, u8, i16, u16, i32, u32, i64, u64, isize, usize, f32, f64);

impl FfiDefault for () {
    fn ffi_default() -> Self {}
}
impl<T> FfiDefault for *mut T {
    fn ffi_default() -> Self {
        std::ptr::null_mut()
    }
}
impl<T> FfiDefault for *const T {
    fn ffi_default() -> Self {
        std::ptr::null()
    }
}
impl<T> FfiDefault for Option<T> {
    fn ffi_default() -> Self {
        None
    }
}

/// Runs `f`; a panic inside becomes `R::ffi_default()` with the OS error set to EFAULT-like
/// `ENOTRECOVERABLE`, so nothing unwinds into C.
#[inline]
pub fn guard<R: FfiDefault>(f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => {
            set_errno(libc::ENOTRECOVERABLE);
            R::ffi_default()
        }
    }
}

/// The thread's OS error number, which `SYS_GetLastError` reports (upstream keeps it in errno).
#[inline]
pub fn set_errno(code: i32) {
    // SAFETY: __errno_location returns a valid, aligned pointer to the calling thread's own errno,
    // which no other thread accesses.
    unsafe { *libc::__errno_location() = code };
}

#[inline]
pub fn errno() -> i32 {
    // SAFETY: as in set_errno: a valid pointer to this thread's errno.
    unsafe { *libc::__errno_location() }
}

/// Turns a C boolean into Rust; any non-zero int is TRUE.
#[inline]
pub fn from_bool(b: i32) -> bool {
    b != 0
}

#[inline]
pub fn to_bool(b: bool) -> i32 {
    b as i32
}

/// An opaque user value (extra data, contexts) that only travels through Rust.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(transparent)]
pub struct UserPtr(pub usize);
impl UserPtr {
    pub fn from_ptr(p: *mut c_void) -> Self {
        UserPtr(p as usize)
    }
    pub fn as_ptr(self) -> *mut c_void {
        self.0 as *mut c_void
    }
}

macro_rules! enum_default {
    ($($t:ty => $v:expr),* $(,)?) => { $(impl FfiDefault for $t { fn ffi_default() -> Self { $v } })* };
}
use super::types::*;
enum_default!(
    EnServiceState => EnServiceState::SS_STOPPED,
    EnSocketError => EnSocketError::SE_INVALID_PARAM,
    EnSendPolicy => EnSendPolicy::SP_PACK,
    EnOnSendSyncPolicy => EnOnSendSyncPolicy::OSSP_NONE,
    EnReuseAddressPolicy => EnReuseAddressPolicy::RAP_NONE,
    EnFetchResult => EnFetchResult::FR_DATA_NOT_FOUND,
    EnHandleResult => EnHandleResult::HR_ERROR,
    EnCastMode => EnCastMode::CM_UNICAST,
    EnIPAddrType => EnIPAddrType::IPT_ALL,
    EnRejectedPolicy => EnRejectedPolicy::TRP_CALL_FAIL,
    EnTaskBufferType => EnTaskBufferType::TBT_COPY,
    EnHttpVersion => EnHttpVersion::HV_1_1,
    EnHttpUpgradeType => EnHttpUpgradeType::HUT_NONE,
);
