//! The `HP_HttpCookie_*` exports: the process-wide cookie store (`MGR_*`) and the cookie helpers
//! (`HLP_*`), over [`crate::engine::http::cookie`].
//!
//! Every failure returns FALSE with errno set: EINVAL for a NULL or non-UTF-8 argument, a name,
//! value, domain or path the store refuses, or a SameSite outside 0..=2 (upstream takes any
//! number and writes files it cannot read back); ENOENT for a cookie that is not there; ENOSPC
//! for a full store or too small a buffer; EBADMSG for a file or expires text not in upstream's
//! format; the OS error of a failed file access. Buffers follow the length protocol: `*piBuffLen`
//! is the size on entry and the length written, NUL included, on return (or needed, on failure).
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_snake_case, clippy::missing_safety_doc)]

use super::guard::{guard, set_errno};
use super::types::*;
use crate::engine::http::cookie::{self, Cookie, CookieError, SameSite};
use std::ffi::{CStr, OsStr};
use std::os::raw::{c_char, c_int};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

const FALSE: BOOL = 0;
const TRUE: BOOL = 1;

/// A C string argument as UTF-8: `Ok(None)` for NULL, `Err` for text that is not UTF-8.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string that stays unchanged for `'a`.
unsafe fn opt_str<'a>(p: *const c_char) -> Result<Option<&'a str>, ()> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: `p` is non-NULL and NUL-terminated (this function's contract).
    unsafe { CStr::from_ptr(p) }.to_str().map(Some).map_err(|_| ())
}

/// A C string argument that must be present: None (after setting EINVAL) for NULL or non-UTF-8.
///
/// # Safety
/// As [`opt_str`].
unsafe fn req_str<'a>(p: *const c_char) -> Option<&'a str> {
    // SAFETY: the caller's guarantee for `p` is the one opt_str needs.
    let s = unsafe { opt_str(p) }.ok().flatten();
    if s.is_none() {
        set_errno(libc::EINVAL);
    }
    s
}

/// A file name argument, any bytes but NUL.
///
/// # Safety
/// As [`opt_str`].
unsafe fn file_arg<'a>(p: *const c_char) -> Option<&'a Path> {
    if p.is_null() {
        set_errno(libc::EINVAL);
        return None;
    }
    // SAFETY: `p` is non-NULL and NUL-terminated (this function's contract).
    Some(Path::new(OsStr::from_bytes(unsafe { CStr::from_ptr(p) }.to_bytes())))
}

fn errno_of(e: &CookieError) -> c_int {
    match e {
        CookieError::Invalid => libc::EINVAL,
        CookieError::NotFound => libc::ENOENT,
        CookieError::Full => libc::ENOSPC,
        CookieError::BadFormat => libc::EBADMSG,
        CookieError::Io(io) => io.raw_os_error().unwrap_or(libc::EIO),
    }
}

/// TRUE for Ok; FALSE with the error's errno for Err.
fn to_bool(r: Result<(), CookieError>) -> BOOL {
    match r {
        Ok(()) => TRUE,
        Err(e) => {
            set_errno(errno_of(&e));
            FALSE
        }
    }
}

fn same_site_arg(v: c_int) -> Option<SameSite> {
    let s = SameSite::from_i32(v);
    if s.is_none() {
        set_errno(libc::EINVAL);
    }
    s
}

/// Loads cookies from a file in upstream's format; `bKeepExists` keeps the cookies already
/// stored (they win over the file's), else the store becomes the file's live cookies. A file
/// that fails to load changes nothing.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpCookie_MGR_LoadFromFile(lpszFile: LPCSTR, bKeepExists: BOOL) -> BOOL {
    guard(|| {
        // SAFETY: `lpszFile` is NULL or a NUL-terminated string (upstream's contract).
        let Some(file) = (unsafe { file_arg(lpszFile) }) else {
            return FALSE;
        };
        to_bool(cookie::global().load_from_file(file, bKeepExists != 0))
    })
}

/// Saves the live persistent cookies to a file in upstream's format; `bKeepExists` first loads
/// the file (a missing file is fine) so that its other cookies are kept.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpCookie_MGR_SaveToFile(lpszFile: LPCSTR, bKeepExists: BOOL) -> BOOL {
    guard(|| {
        // SAFETY: `lpszFile` is NULL or a NUL-terminated string (upstream's contract).
        let Some(file) = (unsafe { file_arg(lpszFile) }) else {
            return FALSE;
        };
        to_bool(cookie::global().save_to_file(file, bKeepExists != 0))
    })
}

/// The optional domain and path of the scoped calls: NULL means any.
///
/// # Safety
/// Each is NULL or a NUL-terminated string.
unsafe fn scope<'a>(domain: LPCSTR, path: LPCSTR) -> Option<(Option<&'a str>, Option<&'a str>)> {
    // SAFETY: the caller's guarantees for `domain` and `path` are the ones opt_str needs.
    match unsafe { (opt_str(domain), opt_str(path)) } {
        (Ok(d), Ok(p)) => Some((d, p)),
        _ => {
            set_errno(libc::EINVAL);
            None
        }
    }
}

/// Deletes the cookies of a domain and / or path (NULL: any); both NULL deletes every cookie.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpCookie_MGR_ClearCookies(lpszDomain: LPCSTR, lpszPath: LPCSTR) -> BOOL {
    guard(|| {
        // SAFETY: both are NULL or NUL-terminated strings (upstream's contract).
        let Some((domain, path)) = (unsafe { scope(lpszDomain, lpszPath) }) else {
            return FALSE;
        };
        to_bool(cookie::global().clear(domain, path))
    })
}

/// Deletes the expired cookies of a domain and / or path (NULL: any).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpCookie_MGR_RemoveExpiredCookies(lpszDomain: LPCSTR, lpszPath: LPCSTR) -> BOOL {
    guard(|| {
        // SAFETY: both are NULL or NUL-terminated strings (upstream's contract).
        let Some((domain, path)) = (unsafe { scope(lpszDomain, lpszPath) }) else {
            return FALSE;
        };
        to_bool(cookie::global().remove_expired(domain, path))
    })
}

/// Stores a cookie. `iMaxAge` > 0 lives that many seconds, < 0 is a session cookie, 0 deletes
/// the cookie of that name (ENOENT when there is none). With `bOnlyUpdateValueIfExists`, a
/// session cookie only changes the value of a live one of the same name. A NULL value is empty.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpCookie_MGR_SetCookie(
    lpszName: LPCSTR,
    lpszValue: LPCSTR,
    lpszDomain: LPCSTR,
    lpszPath: LPCSTR,
    iMaxAge: c_int,
    bHttpOnly: BOOL,
    bSecure: BOOL,
    enSameSite: c_int,
    bOnlyUpdateValueIfExists: BOOL,
) -> BOOL {
    guard(|| {
        // SAFETY: the four strings are NULL or NUL-terminated (upstream's contract).
        let (Some(name), Ok(value), Some(domain), Some(path)) = (unsafe { (req_str(lpszName), opt_str(lpszValue), req_str(lpszDomain), req_str(lpszPath)) }) else {
            set_errno(libc::EINVAL);
            return FALSE;
        };
        let Some(same_site) = same_site_arg(enSameSite) else {
            return FALSE;
        };
        let made = Cookie::new(name, value.unwrap_or(""), domain, path, iMaxAge, bHttpOnly != 0, bSecure != 0, same_site, cookie::now_utc());
        to_bool(made.and_then(|c| cookie::global().set(c, bOnlyUpdateValueIfExists != 0)))
    })
}

/// Deletes one cookie; ENOENT when there is none.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpCookie_MGR_DeleteCookie(lpszDomain: LPCSTR, lpszPath: LPCSTR, lpszName: LPCSTR) -> BOOL {
    guard(|| {
        // SAFETY: the three strings are NULL or NUL-terminated (upstream's contract).
        let (Some(domain), Some(path), Some(name)) = (unsafe { (req_str(lpszDomain), req_str(lpszPath), req_str(lpszName)) }) else {
            return FALSE;
        };
        to_bool(cookie::global().delete(domain, path, name))
    })
}

/// Whether responses may set cookies for domains other than the request's (default TRUE).
#[no_mangle]
pub extern "C" fn HP_HttpCookie_MGR_SetEnableThirdPartyCookie(bEnableThirdPartyCookie: BOOL) {
    guard(|| cookie::global().set_third_party_enabled(bEnableThirdPartyCookie != 0))
}

/// TRUE if the process-wide store accepts third-party cookies (default TRUE).
#[no_mangle]
pub extern "C" fn HP_HttpCookie_MGR_IsEnableThirdPartyCookie() -> BOOL {
    guard(|| BOOL::from(cookie::global().third_party_enabled()))
}

/// Parses an expires text (`Wdy, DD-Mon-YYYY HH:MM:SS GMT` and upstream's variants) into UTC
/// seconds; `*ptmExpires` is written only on success.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpCookie_HLP_ParseExpires(lpszExpires: LPCSTR, ptmExpires: *mut __time64_t) -> BOOL {
    guard(|| {
        if lpszExpires.is_null() || ptmExpires.is_null() {
            set_errno(libc::EINVAL);
            return FALSE;
        }
        // SAFETY: `lpszExpires` is non-NULL (checked) and NUL-terminated (upstream's contract).
        let text = unsafe { CStr::from_ptr(lpszExpires) }.to_bytes();
        match cookie::parse_expires(text) {
            Some(t) => {
                // SAFETY: `ptmExpires` is non-NULL (checked) and writable (upstream's contract).
                unsafe { *ptmExpires = t };
                TRUE
            }
            None => {
                set_errno(libc::EBADMSG);
                FALSE
            }
        }
    })
}

/// Writes the expires text of a UTC time (times before 1 are written as 1, as upstream's).
#[no_mangle]
pub unsafe extern "C" fn HP_HttpCookie_HLP_MakeExpiresStr(lpszBuff: *mut c_char, piBuffLen: *mut c_int, tmExpires: __time64_t) -> BOOL {
    guard(|| {
        let Some(text) = cookie::make_expires_str(tmExpires) else {
            set_errno(libc::EINVAL);
            return FALSE;
        };
        // SAFETY: `piBuffLen` is NULL or readable and writable, `lpszBuff` is NULL or has
        // `*piBuffLen` writable bytes (upstream's contract); write_host checks NULL and the size.
        unsafe { super::tcp::write_host(&text, 0, lpszBuff, piBuffLen, std::ptr::null_mut()) }
    })
}

/// Writes a Set-Cookie string, `name=value; domain=...; path=...; expires=...; HttpOnly;
/// secure; SameSite=...`, each attribute only when set (a domain or path that adjusts to
/// nothing is left out; `iMaxAge` >= 0 gives an expires). A NULL value is empty.
#[no_mangle]
pub unsafe extern "C" fn HP_HttpCookie_HLP_ToString(
    lpszBuff: *mut c_char,
    piBuffLen: *mut c_int,
    lpszName: LPCSTR,
    lpszValue: LPCSTR,
    lpszDomain: LPCSTR,
    lpszPath: LPCSTR,
    iMaxAge: c_int,
    bHttpOnly: BOOL,
    bSecure: BOOL,
    enSameSite: c_int,
) -> BOOL {
    guard(|| {
        // SAFETY: the four strings are NULL or NUL-terminated (upstream's contract).
        let (Some(name), Ok(value), Ok(domain), Ok(path)) = (unsafe { (req_str(lpszName), opt_str(lpszValue), opt_str(lpszDomain), opt_str(lpszPath)) }) else {
            set_errno(libc::EINVAL);
            return FALSE;
        };
        let Some(same_site) = same_site_arg(enSameSite) else {
            return FALSE;
        };
        let text = match cookie::format_set_cookie(name, value.unwrap_or(""), domain, path, iMaxAge, bHttpOnly != 0, bSecure != 0, same_site, cookie::now_utc()) {
            Ok(t) => t,
            Err(e) => {
                set_errno(errno_of(&e));
                return FALSE;
            }
        };
        // SAFETY: `piBuffLen` is NULL or readable and writable, `lpszBuff` is NULL or has
        // `*piBuffLen` writable bytes (upstream's contract); write_host checks NULL and the size.
        unsafe { super::tcp::write_host(&text, 0, lpszBuff, piBuffLen, std::ptr::null_mut()) }
    })
}

/// The current UTC time in seconds.
#[no_mangle]
pub extern "C" fn HP_HttpCookie_HLP_CurrentUTCTime() -> __time64_t {
    guard(cookie::now_utc)
}

/// `iMaxAge` > 0: now + iMaxAge; 0: 0 (expired); < 0: -1 (a session cookie).
#[no_mangle]
pub extern "C" fn HP_HttpCookie_HLP_MaxAgeToExpires(iMaxAge: c_int) -> __time64_t {
    guard(|| cookie::max_age_to_expires(iMaxAge, cookie::now_utc()))
}

/// Seconds left until `tmExpires` (0 once past, -1 for a negative time, capped at INT_MAX).
#[no_mangle]
pub extern "C" fn HP_HttpCookie_HLP_ExpiresToMaxAge(tmExpires: __time64_t) -> c_int {
    guard(|| cookie::expires_to_max_age(tmExpires, cookie::now_utc()))
}
