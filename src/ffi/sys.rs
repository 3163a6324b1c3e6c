//! The `SYS_*` exports: last error, socket options and addresses, IP address helpers, byte
//! order, memory, Base64 / URL codecs, zlib / gzip / brotli, charset conversion.
//! Length out-parameters follow one rule: on entry the buffer's size, on return the length
//! written; NULL or too small a buffer fails and reports the size needed.
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_snake_case, clippy::missing_safety_doc)]

use super::guard::{errno, guard, set_errno};
use super::tcp::{addr_text, reuse_policy, write_addr};
use super::types::*;
use crate::engine::options::ReusePolicy;
use crate::sys::{charset, codec, zip};
use std::cell::RefCell;
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int, c_long, c_void};

const FALSE: BOOL = 0;
const TRUE: BOOL = 1;

// ---- errors ----

/// The calling thread's last OS error (errno), as upstream's `SYS_GetLastError`.
#[no_mangle]
pub extern "C" fn SYS_GetLastError() -> DWORD {
    errno() as DWORD
}

thread_local! {
    static ERR_TEXT: RefCell<CString> = RefCell::new(CString::default());
}

/// The text of the calling thread's last OS error; valid until the next call on this thread.
#[no_mangle]
pub extern "C" fn SYS_GetLastErrorStr() -> LPCSTR {
    guard(|| {
        let e = errno();
        let text = std::io::Error::from_raw_os_error(e).to_string();
        let text = text.split(" (os error").next().unwrap_or("").to_string();
        ERR_TEXT.with(|t| {
            *t.borrow_mut() = CString::new(text).unwrap_or_default();
            set_errno(e);
            t.borrow().as_ptr()
        })
    })
}

// ---- socket options ----

fn set_int(sock: SOCKET, level: c_int, name: c_int, v: c_int) -> c_int {
    // SAFETY: the option value is the local `v`, an int of the size passed; the kernel checks the
    // descriptor and the option (a bad one fails with an errno).
    unsafe { libc::setsockopt(sock, level, name, &v as *const c_int as *const c_void, std::mem::size_of::<c_int>() as libc::socklen_t) }
}

/// setsockopt(2) on `sock`: 0, or -1 with errno (EINVAL for a negative `len`).
#[no_mangle]
pub unsafe extern "C" fn SYS_SetSocketOption(sock: SOCKET, level: c_int, name: c_int, val: LPVOID, len: c_int) -> c_int {
    // SAFETY: the caller passes `len` readable bytes at `val` (upstream's contract for
    // SYS_SetSocketOption); `len` is non-negative here, and only the kernel reads `val`.
    guard(|| if len < 0 { set_errno(libc::EINVAL); -1 } else { unsafe { libc::setsockopt(sock, level, name, val, len as libc::socklen_t) } })
}

/// getsockopt(2) on `sock`; `*len` is the buffer size in and the option's length out. 0, or -1 with
/// errno (EINVAL for a NULL or negative `len`).
#[no_mangle]
pub unsafe extern "C" fn SYS_GetSocketOption(sock: SOCKET, level: c_int, name: c_int, val: LPVOID, len: *mut c_int) -> c_int {
    guard(|| {
        // SAFETY: `len` is non-NULL (checked first) and readable (upstream's contract).
        if len.is_null() || unsafe { *len } < 0 {
            set_errno(libc::EINVAL);
            return -1;
        }
        // SAFETY: `len` is non-NULL and readable, as above.
        let mut l = unsafe { *len } as libc::socklen_t;
        // SAFETY: the caller passes `*len` writable bytes at `val` (upstream's contract for
        // SYS_GetSocketOption); the kernel writes at most `l` of them.
        let r = unsafe { libc::getsockopt(sock, level, name, val, &mut l) };
        // SAFETY: `len` is non-NULL (checked above) and writable (upstream's contract).
        unsafe { *len = l as c_int };
        r
    })
}

/// ioctl(2) for the int requests FIONBIO, FIOASYNC, FIONREAD, SIOCATMARK and SIOCOUTQ, passing and
/// returning `*arg`. 0, or -1 with errno; EINVAL for a NULL `arg` or another request.
#[no_mangle]
pub unsafe extern "C" fn SYS_IoctlSocket(sock: SOCKET, cmd: c_long, arg: *mut ULONG) -> c_int {
    guard(|| {
        if arg.is_null() {
            set_errno(libc::EINVAL);
            return -1;
        }
        // The requests a socket takes with an int in or out (FIONBIO, FIOASYNC in; FIONREAD,
        // SIOCATMARK, SIOCOUTQ out) go through a local int; any other request could write more
        // than the caller's ULONG holds, so it is refused.
        const SIOCATMARK: libc::c_ulong = 0x8905; // <linux/sockios.h>; not in the libc crate
        const INT_REQUESTS: [libc::c_ulong; 5] = [libc::FIONBIO, libc::FIOASYNC, libc::FIONREAD, SIOCATMARK, libc::TIOCOUTQ as libc::c_ulong];
        if !INT_REQUESTS.contains(&(cmd as libc::c_ulong)) {
            set_errno(libc::EINVAL);
            return -1;
        }
        // SAFETY: `arg` is non-NULL (checked above) and readable (upstream's contract).
        let mut v: c_int = unsafe { *arg } as c_int;
        // SAFETY: each request allowed above reads or writes exactly one int: the local `v`.
        let r = unsafe { libc::ioctl(sock, cmd as libc::c_ulong, &mut v as *mut c_int) };
        if r != -1 {
            // SAFETY: `arg` is non-NULL (checked above) and writable (upstream's contract).
            unsafe { *arg = v as ULONG };
        }
        r
    })
}

/// Sets (`bSet`) or clears the status flags `iFlag` of `fd` (O_NONBLOCK, O_APPEND, ...).
#[no_mangle]
pub unsafe extern "C" fn SYS_fcntl_SETFL(fd: FD, iFlag: INT, bSet: BOOL) -> BOOL {
    guard(|| {
        // SAFETY: F_GETFL takes no argument and touches no memory; a bad `fd` fails with EBADF.
        let cur = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        if cur == -1 {
            return FALSE;
        }
        let new = if bSet != 0 { cur | iFlag } else { cur & !iFlag };
        // SAFETY: F_SETFL takes an int and touches no memory; a bad `fd` fails with EBADF.
        (unsafe { libc::fcntl(fd, libc::F_SETFL, new) } != -1) as BOOL
    })
}

/// Sets (`bNoBlock` TRUE) or clears O_NONBLOCK on `sock`: 0, or -1 with errno.
#[no_mangle]
pub unsafe extern "C" fn SYS_SSO_NoBlock(sock: SOCKET, bNoBlock: BOOL) -> c_int {
    // SAFETY: SYS_fcntl_SETFL takes no pointer; it is `unsafe` only as a C export.
    guard(|| if unsafe { SYS_fcntl_SETFL(sock, libc::O_NONBLOCK, bNoBlock) } != 0 { 0 } else { -1 })
}

/// Sets TCP_NODELAY on `sock` to `bNoDelay`: 0, or -1 with errno.
#[no_mangle]
pub unsafe extern "C" fn SYS_SSO_NoDelay(sock: SOCKET, bNoDelay: BOOL) -> c_int {
    guard(|| set_int(sock, libc::IPPROTO_TCP, libc::TCP_NODELAY, (bNoDelay != 0) as c_int))
}

fn linger(sock: SOCKET, on: c_int, secs: c_int) -> c_int {
    let l = libc::linger { l_onoff: on, l_linger: secs };
    // SAFETY: the option value is the local `l`, a `linger` of the size passed; the kernel checks
    // the descriptor.
    unsafe { libc::setsockopt(sock, libc::SOL_SOCKET, libc::SO_LINGER, &l as *const _ as *const c_void, std::mem::size_of::<libc::linger>() as libc::socklen_t) }
}

/// `bDont` TRUE turns SO_LINGER off (close returns at once, data sent in the background).
#[no_mangle]
pub unsafe extern "C" fn SYS_SSO_DontLinger(sock: SOCKET, bDont: BOOL) -> c_int {
    guard(|| linger(sock, (bDont == 0) as c_int, 0))
}

/// Sets SO_LINGER on `sock` (`l_onoff`, `l_linger` seconds): 0, or -1 with errno.
#[no_mangle]
pub unsafe extern "C" fn SYS_SSO_Linger(sock: SOCKET, l_onoff: USHORT, l_linger: USHORT) -> c_int {
    guard(|| linger(sock, l_onoff as c_int, l_linger as c_int))
}

/// Sets SO_RCVBUF on `sock` to `size` bytes: 0, or -1 with errno.
#[no_mangle]
pub unsafe extern "C" fn SYS_SSO_RecvBuffSize(sock: SOCKET, size: c_int) -> c_int {
    guard(|| set_int(sock, libc::SOL_SOCKET, libc::SO_RCVBUF, size))
}

/// Sets SO_SNDBUF on `sock` to `size` bytes: 0, or -1 with errno.
#[no_mangle]
pub unsafe extern "C" fn SYS_SSO_SendBuffSize(sock: SOCKET, size: c_int) -> c_int {
    guard(|| set_int(sock, libc::SOL_SOCKET, libc::SO_SNDBUF, size))
}

fn timeout(sock: SOCKET, name: c_int, ms: c_int) -> c_int {
    if ms < 0 {
        set_errno(libc::EINVAL);
        return -1;
    }
    let tv = libc::timeval { tv_sec: (ms / 1000) as libc::time_t, tv_usec: ((ms % 1000) * 1000) as libc::suseconds_t };
    // SAFETY: the option value is the local `tv`, a `timeval` of the size passed; the kernel checks
    // the descriptor and the option.
    unsafe { libc::setsockopt(sock, libc::SOL_SOCKET, name, &tv as *const _ as *const c_void, std::mem::size_of::<libc::timeval>() as libc::socklen_t) }
}

/// Receive timeout in milliseconds (0 = none).
#[no_mangle]
pub unsafe extern "C" fn SYS_SSO_RecvTimeOut(sock: SOCKET, ms: c_int) -> c_int {
    guard(|| timeout(sock, libc::SO_RCVTIMEO, ms))
}

/// Send timeout in milliseconds (0 = none).
#[no_mangle]
pub unsafe extern "C" fn SYS_SSO_SendTimeOut(sock: SOCKET, ms: c_int) -> c_int {
    guard(|| timeout(sock, libc::SO_SNDTIMEO, ms))
}

/// RAP_NONE clears SO_REUSEADDR and SO_REUSEPORT, RAP_ADDR_ONLY sets SO_REUSEADDR,
/// RAP_ADDR_AND_PORT sets both.
#[no_mangle]
pub unsafe extern "C" fn SYS_SSO_ReuseAddress(sock: SOCKET, enReusePolicy: ReuseAddressPolicyArg) -> c_int {
    guard(|| {
        let Some(p) = reuse_policy(enReusePolicy) else {
            set_errno(libc::EINVAL);
            return -1;
        };
        let (addr, port) = match p {
            ReusePolicy::None => (0, 0),
            ReusePolicy::AddrOnly => (1, 0),
            ReusePolicy::AddrAndPort => (1, 1),
        };
        let r = set_int(sock, libc::SOL_SOCKET, libc::SO_REUSEADDR, addr);
        if r != 0 {
            return r;
        }
        set_int(sock, libc::SOL_SOCKET, libc::SO_REUSEPORT, port)
    })
}

// ---- addresses ----

/// The local or peer address of `sock`, written with the length protocol.
///
/// # Safety
/// `len` and `port` are NULL or writable, and `buf` is NULL or has `*len` writable bytes.
unsafe fn sock_addr(sock: SOCKET, peer: bool, buf: *mut TCHAR, len: *mut c_int, port: *mut USHORT) -> BOOL {
    // SAFETY: sockaddr_storage is plain integers; all-zero is a valid (empty) value.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut sl = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    let p = &mut ss as *mut _ as *mut libc::sockaddr;
    // SAFETY: `p` / `sl` describe the local `ss`, big enough for any address; the kernel writes at
    // most `sl` bytes and checks the descriptor.
    let r = unsafe { if peer { libc::getpeername(sock, p, &mut sl) } else { libc::getsockname(sock, p, &mut sl) } };
    if r != 0 {
        return FALSE;
    }
    // SAFETY: the call succeeded, so the kernel wrote a valid address of length `sl` into `ss`.
    let Some(a) = unsafe { socket2::SockAddr::new(ss, sl) }.as_socket() else {
        set_errno(libc::EAFNOSUPPORT);
        return FALSE;
    };
    // SAFETY: `buf`, `len` and `port` are as this function's contract says.
    unsafe { write_addr(&a.ip(), a.port(), buf, len, port) }
}

/// Copies `socket`'s local address and port (`*piAddressLen`: size in, length with NUL out; ENOSPC
/// with the size needed if too small). FALSE with errno when getsockname fails.
#[no_mangle]
pub unsafe extern "C" fn SYS_GetSocketLocalAddress(socket: SOCKET, lpszAddress: *mut TCHAR, piAddressLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    // SAFETY: `piAddressLen` and `pusPort` are NULL or writable, and `lpszAddress` is NULL or has
    // `*piAddressLen` writable bytes (upstream's contract for SYS_GetSocketLocalAddress).
    guard(|| unsafe { sock_addr(socket, false, lpszAddress, piAddressLen, pusPort) })
}

/// Copies `socket`'s peer address and port (`*piAddressLen`: size in, length with NUL out; ENOSPC
/// with the size needed if too small). FALSE with errno when getpeername fails.
#[no_mangle]
pub unsafe extern "C" fn SYS_GetSocketRemoteAddress(socket: SOCKET, lpszAddress: *mut TCHAR, piAddressLen: *mut c_int, pusPort: *mut USHORT) -> BOOL {
    // SAFETY: `piAddressLen` and `pusPort` are NULL or writable, and `lpszAddress` is NULL or has
    // `*piAddressLen` writable bytes (upstream's contract for SYS_GetSocketRemoteAddress).
    guard(|| unsafe { sock_addr(socket, true, lpszAddress, piAddressLen, pusPort) })
}

/// A C string argument as UTF-8; None for NULL or invalid UTF-8.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string that stays unchanged for `'a`.
unsafe fn c_str<'a>(p: *const c_char) -> Option<&'a str> {
    if p.is_null() {
        None
    } else {
        // SAFETY: `p` is non-NULL and NUL-terminated (this function's contract).
        unsafe { CStr::from_ptr(p) }.to_str().ok()
    }
}

fn ip_type(ip: &std::net::IpAddr) -> En_HP_IPAddrType {
    if ip.is_ipv4() {
        EnIPAddrType::IPT_IPV4
    } else {
        EnIPAddrType::IPT_IPV6
    }
}

/// Whether `lpszAddress` is an IPv4 or IPv6 address (not a host name); its type in `penType`.
#[no_mangle]
pub unsafe extern "C" fn SYS_IsIPAddress(lpszAddress: LPCTSTR, penType: *mut En_HP_IPAddrType) -> BOOL {
    // SAFETY: `lpszAddress` is NULL or a NUL-terminated string (upstream's contract for
    // SYS_IsIPAddress).
    guard(|| match unsafe { c_str(lpszAddress) }.and_then(|s| s.parse::<std::net::IpAddr>().ok()) {
        Some(ip) => {
            if !penType.is_null() {
                // SAFETY: `penType` is non-NULL (checked) and writable (upstream's contract).
                unsafe { *penType = ip_type(&ip) };
            }
            TRUE
        }
        None => FALSE,
    })
}

fn resolve(host: &str) -> Vec<std::net::IpAddr> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return vec![ip];
    }
    use std::net::ToSocketAddrs;
    let mut v: Vec<std::net::IpAddr> = Vec::new();
    if let Ok(it) = (host, 0u16).to_socket_addrs() {
        for a in it {
            if !v.contains(&a.ip()) {
                v.push(a.ip());
            }
        }
    }
    v
}

/// Resolves a host name (or takes an address) to its first IP address, written with the
/// length protocol; its type in `penType`.
#[no_mangle]
pub unsafe extern "C" fn SYS_GetIPAddress(lpszHost: LPCTSTR, lpszIP: *mut TCHAR, piIPLenth: *mut c_int, penType: *mut En_HP_IPAddrType) -> BOOL {
    guard(|| {
        // SAFETY: `lpszHost` is NULL or a NUL-terminated string (upstream's contract for
        // SYS_GetIPAddress).
        let Some(host) = (unsafe { c_str(lpszHost) }) else {
            set_errno(libc::EINVAL);
            return FALSE;
        };
        let Some(ip) = resolve(host).into_iter().next() else {
            set_errno(libc::EHOSTUNREACH);
            return FALSE;
        };
        if !penType.is_null() {
            // SAFETY: `penType` is non-NULL (checked) and writable (upstream's contract).
            unsafe { *penType = ip_type(&ip) };
        }
        // SAFETY: `piIPLenth` is NULL or writable and `lpszIP` is NULL or has `*piIPLenth` writable
        // bytes (upstream's contract); write_addr checks for NULL and the size.
        unsafe { super::tcp::write_addr(&ip, 0, lpszIP, piIPLenth, std::ptr::null_mut()) }
    })
}

/// Every address of a host, filtered by type (IPT_ALL, IPT_IPV4, IPT_IPV6): `*lpppIPAddr`
/// gets a NULL-terminated array of `TIPAddr*` that `SYS_FreeHostIPAddresses` frees.
#[no_mangle]
pub unsafe extern "C" fn SYS_EnumHostIPAddresses(lpszHost: LPCTSTR, enType: IPAddrTypeArg, lpppIPAddr: *mut *mut HP_LPTIPAddr, piIPAddrCount: *mut c_int) -> BOOL {
    guard(|| {
        // SAFETY: `lpszHost` is NULL or a NUL-terminated string (upstream's contract for
        // SYS_EnumHostIPAddresses).
        let (Some(host), false, false) = (unsafe { c_str(lpszHost) }, lpppIPAddr.is_null(), piIPAddrCount.is_null()) else {
            set_errno(libc::EINVAL);
            return FALSE;
        };
        let want = enType.0;
        if !(0..=2).contains(&want) {
            set_errno(libc::EINVAL);
            return FALSE;
        }
        // SAFETY: both out-pointers are non-NULL (checked above) and writable (upstream's contract
        // for SYS_EnumHostIPAddresses).
        unsafe {
            *lpppIPAddr = std::ptr::null_mut();
            *piIPAddrCount = 0;
        }
        let ips: Vec<_> = resolve(host).into_iter().filter(|ip| want == 0 || (want == 1) == ip.is_ipv4()).collect();
        if ips.is_empty() {
            set_errno(libc::EHOSTUNREACH);
            return FALSE;
        }
        let mut arr: Vec<HP_LPTIPAddr> = ips
            .iter()
            .map(|ip| {
                let text = CString::new(addr_text(ip)).unwrap_or_default();
                Box::into_raw(Box::new(TIPAddr { r#type: ip_type(ip), address: text.into_raw() }))
            })
            .collect();
        arr.push(std::ptr::null_mut());
        // SAFETY: both out-pointers are non-NULL (checked above) and writable, as above.
        unsafe {
            *piIPAddrCount = ips.len() as c_int;
            *lpppIPAddr = Box::into_raw(arr.into_boxed_slice()) as *mut HP_LPTIPAddr;
        }
        TRUE
    })
}

/// Frees an array returned by SYS_EnumHostIPAddresses and its entries; FALSE with errno EINVAL for
/// NULL.
#[no_mangle]
pub unsafe extern "C" fn SYS_FreeHostIPAddresses(lppIPAddr: *mut HP_LPTIPAddr) -> BOOL {
    guard(|| {
        if lppIPAddr.is_null() {
            set_errno(libc::EINVAL);
            return FALSE;
        }
        let mut n = 0;
        // SAFETY: `lppIPAddr` is an array from SYS_EnumHostIPAddresses, not yet freed (upstream's
        // contract for SYS_FreeHostIPAddresses): readable up to its NULL entry.
        while !(unsafe { *lppIPAddr.add(n) }).is_null() {
            // SAFETY: each entry before the NULL is a Box::into_raw'd TIPAddr whose address is a
            // CString::into_raw'd string, both from SYS_EnumHostIPAddresses; freed once here.
            unsafe {
                let item = Box::from_raw(*lppIPAddr.add(n));
                drop(CString::from_raw(item.address as *mut c_char));
            }
            n += 1;
        }
        // SAFETY: the array itself is a boxed slice of `n` entries plus the NULL, made by
        // SYS_EnumHostIPAddresses; nothing uses it after this.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(lppIPAddr, n + 1)) });
        TRUE
    })
}

// ---- byte order and memory ----

/// `value` in network (big-endian) byte order.
#[no_mangle]
pub extern "C" fn SYS_HToN64(value: ULONGLONG) -> ULONGLONG {
    value.to_be()
}
/// `value`, in network byte order, in host byte order.
#[no_mangle]
pub extern "C" fn SYS_NToH64(value: ULONGLONG) -> ULONGLONG {
    ULONGLONG::from_be(value)
}
/// `value` with its two bytes swapped.
#[no_mangle]
pub extern "C" fn SYS_SwapEndian16(value: USHORT) -> USHORT {
    value.swap_bytes()
}
/// `value` with its four bytes reversed.
#[no_mangle]
pub extern "C" fn SYS_SwapEndian32(value: DWORD) -> DWORD {
    value.swap_bytes()
}
/// TRUE on a little-endian host.
#[no_mangle]
pub extern "C" fn SYS_IsLittleEndian() -> BOOL {
    cfg!(target_endian = "little") as BOOL
}

/// `malloc`; NULL for a negative size.
#[no_mangle]
pub unsafe extern "C" fn SYS_Malloc(size: c_int) -> LPBYTE {
    if size < 0 {
        set_errno(libc::EINVAL);
        return std::ptr::null_mut();
    }
    // SAFETY: malloc has no preconditions; `size` is non-negative.
    unsafe { libc::malloc(size as usize) as LPBYTE }
}
/// realloc(3) of `p` (NULL: a new block) to `size` bytes; NULL with errno EINVAL for a negative
/// size or on failure.
#[no_mangle]
pub unsafe extern "C" fn SYS_Realloc(p: LPBYTE, size: c_int) -> LPBYTE {
    if size < 0 {
        set_errno(libc::EINVAL);
        return std::ptr::null_mut();
    }
    // SAFETY: `p` is NULL or a live block from SYS_Malloc / SYS_Realloc / malloc (upstream's
    // contract for SYS_Realloc); `size` is non-negative.
    unsafe { libc::realloc(p as *mut c_void, size as usize) as LPBYTE }
}
/// free(3) of a block from SYS_Malloc / SYS_Realloc / SYS_Calloc (NULL is ignored).
#[no_mangle]
pub unsafe extern "C" fn SYS_Free(p: LPBYTE) {
    // SAFETY: `p` is NULL or a live block from SYS_Malloc / SYS_Realloc / SYS_Calloc / malloc,
    // freed once (upstream's contract for SYS_Free).
    unsafe { libc::free(p as *mut c_void) }
}
/// calloc(3) of `number` x `size` zeroed bytes; NULL with errno EINVAL for a negative argument or
/// on failure.
#[no_mangle]
pub unsafe extern "C" fn SYS_Calloc(number: c_int, size: c_int) -> LPVOID {
    if number < 0 || size < 0 {
        set_errno(libc::EINVAL);
        return std::ptr::null_mut();
    }
    // SAFETY: calloc has no preconditions (it checks the product for overflow); both counts are
    // non-negative.
    unsafe { libc::calloc(number as usize, size as usize) }
}

// ---- Base64 / URL ----

/// (source, destination) slices from C pointers; None when a required pointer is NULL.
///
/// # Safety
/// `src` is NULL or has `src_len` readable bytes; `dest_len` is NULL or readable; `dest` is
/// NULL or has `*dest_len` writable bytes, not overlapping `src` or `*dest_len`; all of them
/// unchanged by anyone else for `'a`.
unsafe fn io<'a>(src: *const BYTE, src_len: DWORD, dest: *mut BYTE, dest_len: *mut DWORD) -> Option<(&'a [u8], Option<&'a mut [u8]>)> {
    if dest_len.is_null() || (src.is_null() && src_len > 0) {
        return None;
    }
    // SAFETY: `src_len > 0` here, so `src` is non-NULL (checked above) and has `src_len` readable
    // bytes (this function's contract).
    let s = if src_len == 0 { &[][..] } else { unsafe { std::slice::from_raw_parts(src, src_len as usize) } };
    // SAFETY: `dest_len` is non-NULL (checked above) and readable; `dest` is non-NULL here and has
    // `*dest_len` writable bytes, not overlapping the rest (this function's contract).
    let d = (!dest.is_null() && unsafe { *dest_len } > 0).then(|| unsafe { std::slice::from_raw_parts_mut(dest, *dest_len as usize) });
    Some((s, d))
}

/// Type of the Base64 / URL coders: (source, destination or None) -> (result, length).
type Codec = fn(&[u8], Option<&mut [u8]>) -> (i32, u32);

/// Runs a Base64 / URL coder with the length protocol.
///
/// # Safety
/// As [`io`]; `dest_len` is also writable.
unsafe fn codec_call(src: *const BYTE, src_len: DWORD, dest: *mut BYTE, dest_len: *mut DWORD, f: Codec) -> c_int {
    // SAFETY: the pointers are as this function's contract says.
    let Some((s, d)) = (unsafe { io(src, src_len, dest, dest_len) }) else {
        set_errno(libc::EINVAL);
        return zip_codes::DATA_ERROR;
    };
    let (rc, n) = f(s, d);
    // SAFETY: io checked `dest_len` non-NULL; it is writable (this function's contract), and the
    // destination slice was consumed by `f`, so no reference aliases it.
    unsafe { *dest_len = n };
    if rc == zip_codes::BUF_ERROR {
        set_errno(libc::ENOSPC);
    }
    rc
}

mod zip_codes {
    pub use crate::sys::{BUF_ERROR, DATA_ERROR};
}

/// The Base64 length of `dwSrcLen` bytes (what SYS_Base64Encode needs, without the NUL).
#[no_mangle]
pub extern "C" fn SYS_GuessBase64EncodeBound(dwSrcLen: DWORD) -> DWORD {
    codec::base64_encode_bound(dwSrcLen)
}
/// An upper bound of the bytes `dwSrcLen` Base64 characters decode to; 0 for NULL or invalid input.
#[no_mangle]
pub unsafe extern "C" fn SYS_GuessBase64DecodeBound(lpszSrc: *const BYTE, dwSrcLen: DWORD) -> DWORD {
    // SAFETY: `lpszSrc` is non-NULL (checked) with `dwSrcLen` readable bytes (upstream's contract
    // for SYS_GuessBase64DecodeBound).
    guard(|| if lpszSrc.is_null() { 0 } else { codec::base64_decode_bound(unsafe { std::slice::from_raw_parts(lpszSrc, dwSrcLen as usize) }) })
}
/// Returns 0, -3 (bad input) or -5 (`*pdwDestLen` too small; it then holds the size needed).
#[no_mangle]
pub unsafe extern "C" fn SYS_Base64Encode(lpszSrc: *const BYTE, dwSrcLen: DWORD, lpszDest: *mut BYTE, pdwDestLen: *mut DWORD) -> c_int {
    // SAFETY: `lpszSrc` has `dwSrcLen` readable bytes, `pdwDestLen` is NULL or readable and
    // writable, and `lpszDest` is NULL or has `*pdwDestLen` writable bytes (upstream's contract for
    // SYS_Base64Encode); io checks for NULL.
    guard(|| unsafe { codec_call(lpszSrc, dwSrcLen, lpszDest, pdwDestLen, codec::base64_encode) })
}
/// Decodes Base64 into `lpszDest` (`*pdwDestLen`: size in, length out): 0, -3 for bad input, -5 for
/// NULL or too small a buffer (`*pdwDestLen` then the size needed).
#[no_mangle]
pub unsafe extern "C" fn SYS_Base64Decode(lpszSrc: *const BYTE, dwSrcLen: DWORD, lpszDest: *mut BYTE, pdwDestLen: *mut DWORD) -> c_int {
    // SAFETY: `lpszSrc` has `dwSrcLen` readable bytes, `pdwDestLen` is NULL or readable and
    // writable, and `lpszDest` is NULL or has `*pdwDestLen` writable bytes (upstream's contract for
    // SYS_Base64Decode); io checks for NULL.
    guard(|| unsafe { codec_call(lpszSrc, dwSrcLen, lpszDest, pdwDestLen, codec::base64_decode) })
}
/// The length `dwSrcLen` bytes URL-encode to; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn SYS_GuessUrlEncodeBound(lpszSrc: *const BYTE, dwSrcLen: DWORD) -> DWORD {
    // SAFETY: `lpszSrc` is non-NULL (checked) with `dwSrcLen` readable bytes (upstream's contract
    // for SYS_GuessUrlEncodeBound).
    guard(|| if lpszSrc.is_null() { 0 } else { codec::url_encode_bound(unsafe { std::slice::from_raw_parts(lpszSrc, dwSrcLen as usize) }) })
}
/// The length `dwSrcLen` URL-encoded bytes decode to; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn SYS_GuessUrlDecodeBound(lpszSrc: *const BYTE, dwSrcLen: DWORD) -> DWORD {
    // SAFETY: `lpszSrc` is non-NULL (checked) with `dwSrcLen` readable bytes (upstream's contract
    // for SYS_GuessUrlDecodeBound).
    guard(|| if lpszSrc.is_null() { 0 } else { codec::url_decode_bound(unsafe { std::slice::from_raw_parts(lpszSrc, dwSrcLen as usize) }) })
}
/// URL-encodes into `lpszDest` (`*pdwDestLen`: size in, length out): 0, -3 for bad input, -5 for
/// NULL or too small a buffer (`*pdwDestLen` then the size needed).
#[no_mangle]
pub unsafe extern "C" fn SYS_UrlEncode(lpszSrc: *mut BYTE, dwSrcLen: DWORD, lpszDest: *mut BYTE, pdwDestLen: *mut DWORD) -> c_int {
    // SAFETY: `lpszSrc` has `dwSrcLen` readable bytes, `pdwDestLen` is NULL or readable and
    // writable, and `lpszDest` is NULL or has `*pdwDestLen` writable bytes (upstream's contract for
    // SYS_UrlEncode); io checks for NULL.
    guard(|| unsafe { codec_call(lpszSrc, dwSrcLen, lpszDest, pdwDestLen, codec::url_encode) })
}
/// URL-decodes into `lpszDest` (`*pdwDestLen`: size in, length out): 0, -3 for bad input (a `%` not
/// followed by two hex digits), -5 for NULL or too small a buffer (`*pdwDestLen` the size needed).
#[no_mangle]
pub unsafe extern "C" fn SYS_UrlDecode(lpszSrc: *mut BYTE, dwSrcLen: DWORD, lpszDest: *mut BYTE, pdwDestLen: *mut DWORD) -> c_int {
    // SAFETY: `lpszSrc` has `dwSrcLen` readable bytes, `pdwDestLen` is NULL or readable and
    // writable, and `lpszDest` is NULL or has `*pdwDestLen` writable bytes (upstream's contract for
    // SYS_UrlDecode); io checks for NULL.
    guard(|| unsafe { codec_call(lpszSrc, dwSrcLen, lpszDest, pdwDestLen, codec::url_decode) })
}

// ---- zlib / gzip / brotli ----

/// Runs a one-shot (de)compressor with the length protocol (`*dest_len` changes on success).
///
/// # Safety
/// As [`io`]; `dest_len` is also writable.
unsafe fn zcall(src: *const BYTE, src_len: DWORD, dest: *mut BYTE, dest_len: *mut DWORD, f: impl FnOnce(&[u8], &mut [u8]) -> (i32, u32)) -> c_int {
    // SAFETY: the pointers are as this function's contract says.
    let Some((s, d)) = (unsafe { io(src, src_len, dest, dest_len) }) else {
        set_errno(libc::EINVAL);
        return zip_codes::DATA_ERROR;
    };
    let mut empty = [0u8; 0];
    let (rc, n) = f(s, d.unwrap_or(&mut empty));
    if rc == 0 {
        // SAFETY: io checked `dest_len` non-NULL; it is writable (this function's contract), and
        // the destination slice was consumed by `f`, so no reference aliases it.
        unsafe { *dest_len = n };
    } else if rc == zip_codes::BUF_ERROR {
        set_errno(libc::ENOSPC);
    }
    rc
}

/// zlib format, default level. 0, -3 (bad data), -5 (buffer too small), or another zlib code.
#[no_mangle]
pub unsafe extern "C" fn SYS_Compress(lpszSrc: *const BYTE, dwSrcLen: DWORD, lpszDest: *mut BYTE, pdwDestLen: *mut DWORD) -> c_int {
    // SAFETY: `lpszSrc` has `dwSrcLen` readable bytes, `pdwDestLen` is NULL or readable and
    // writable, and `lpszDest` is NULL or has `*pdwDestLen` writable bytes (upstream's contract for
    // SYS_Compress); zcall checks for NULL.
    guard(|| unsafe { zcall(lpszSrc, dwSrcLen, lpszDest, pdwDestLen, |s, d| zip::compress_ex(s, d, zip::Z_DEFAULT_COMPRESSION, zip::Z_DEFLATED, zip::MAX_WBITS, zip::DEF_MEM_LEVEL, zip::Z_DEFAULT_STRATEGY)) })
}
/// zlib's deflateInit2 parameters: level, method, window bits (+16 gzip, negative raw),
/// memory level, strategy.
#[no_mangle]
pub unsafe extern "C" fn SYS_CompressEx(lpszSrc: *const BYTE, dwSrcLen: DWORD, lpszDest: *mut BYTE, pdwDestLen: *mut DWORD, iLevel: c_int, iMethod: c_int, iWindowBits: c_int, iMemLevel: c_int, iStrategy: c_int) -> c_int {
    // SAFETY: `lpszSrc` has `dwSrcLen` readable bytes, `pdwDestLen` is NULL or readable and
    // writable, and `lpszDest` is NULL or has `*pdwDestLen` writable bytes (upstream's contract for
    // SYS_CompressEx); zcall checks for NULL.
    guard(|| unsafe { zcall(lpszSrc, dwSrcLen, lpszDest, pdwDestLen, |s, d| zip::compress_ex(s, d, iLevel, iMethod, iWindowBits, iMemLevel, iStrategy)) })
}
/// Inflates a zlib stream into `lpszDest` (`*pdwDestLen`: size in, length out): 0, -3 for bad
/// input, -5 for too small a buffer.
#[no_mangle]
pub unsafe extern "C" fn SYS_Uncompress(lpszSrc: *const BYTE, dwSrcLen: DWORD, lpszDest: *mut BYTE, pdwDestLen: *mut DWORD) -> c_int {
    // SAFETY: `lpszSrc` has `dwSrcLen` readable bytes, `pdwDestLen` is NULL or readable and
    // writable, and `lpszDest` is NULL or has `*pdwDestLen` writable bytes (upstream's contract for
    // SYS_Uncompress); zcall checks for NULL.
    guard(|| unsafe { zcall(lpszSrc, dwSrcLen, lpszDest, pdwDestLen, |s, d| zip::uncompress_ex(s, d, zip::MAX_WBITS)) })
}
/// As SYS_Uncompress with inflateInit2's `iWindowBits` (+16 gzip, +32 either, negative raw).
#[no_mangle]
pub unsafe extern "C" fn SYS_UncompressEx(lpszSrc: *const BYTE, dwSrcLen: DWORD, lpszDest: *mut BYTE, pdwDestLen: *mut DWORD, iWindowBits: c_int) -> c_int {
    // SAFETY: `lpszSrc` has `dwSrcLen` readable bytes, `pdwDestLen` is NULL or readable and
    // writable, and `lpszDest` is NULL or has `*pdwDestLen` writable bytes (upstream's contract for
    // SYS_UncompressEx); zcall checks for NULL.
    guard(|| unsafe { zcall(lpszSrc, dwSrcLen, lpszDest, pdwDestLen, |s, d| zip::uncompress_ex(s, d, iWindowBits)) })
}
/// zlib's bound of the compressed size of `dwSrcLen` bytes (with gzip's header and trailer when
/// `bGZip`).
#[no_mangle]
pub extern "C" fn SYS_GuessCompressBound(dwSrcLen: DWORD, bGZip: BOOL) -> DWORD {
    zip::compress_bound(dwSrcLen, bGZip != 0)
}
/// Compresses into a gzip stream at the default level (`*pdwDestLen`: size in, length out): 0, -3
/// for bad input, -5 for too small a buffer.
#[no_mangle]
pub unsafe extern "C" fn SYS_GZipCompress(lpszSrc: *const BYTE, dwSrcLen: DWORD, lpszDest: *mut BYTE, pdwDestLen: *mut DWORD) -> c_int {
    // SAFETY: `lpszSrc` has `dwSrcLen` readable bytes, `pdwDestLen` is NULL or readable and
    // writable, and `lpszDest` is NULL or has `*pdwDestLen` writable bytes (upstream's contract for
    // SYS_GZipCompress); zcall checks for NULL.
    guard(|| unsafe { zcall(lpszSrc, dwSrcLen, lpszDest, pdwDestLen, |s, d| zip::compress_ex(s, d, zip::Z_DEFAULT_COMPRESSION, zip::Z_DEFLATED, zip::MAX_WBITS + 16, zip::DEF_MEM_LEVEL, zip::Z_DEFAULT_STRATEGY)) })
}
/// Accepts gzip or zlib input.
#[no_mangle]
pub unsafe extern "C" fn SYS_GZipUncompress(lpszSrc: *const BYTE, dwSrcLen: DWORD, lpszDest: *mut BYTE, pdwDestLen: *mut DWORD) -> c_int {
    // SAFETY: `lpszSrc` has `dwSrcLen` readable bytes, `pdwDestLen` is NULL or readable and
    // writable, and `lpszDest` is NULL or has `*pdwDestLen` writable bytes (upstream's contract for
    // SYS_GZipUncompress); zcall checks for NULL.
    guard(|| unsafe { zcall(lpszSrc, dwSrcLen, lpszDest, pdwDestLen, |s, d| zip::uncompress_ex(s, d, zip::MAX_WBITS + 32)) })
}
/// The original length recorded in a gzip trailer; 0 when the input is not gzip.
#[no_mangle]
pub unsafe extern "C" fn SYS_GZipGuessUncompressBound(lpszSrc: *const BYTE, dwSrcLen: DWORD) -> DWORD {
    // SAFETY: `lpszSrc` is non-NULL (checked) with `dwSrcLen` readable bytes (upstream's contract
    // for SYS_GZipGuessUncompressBound).
    guard(|| if lpszSrc.is_null() { 0 } else { zip::gzip_uncompress_bound(unsafe { std::slice::from_raw_parts(lpszSrc, dwSrcLen as usize) }) })
}
/// Brotli, quality 11, window 22, generic mode.
#[no_mangle]
pub unsafe extern "C" fn SYS_BrotliCompress(lpszSrc: *const BYTE, dwSrcLen: DWORD, lpszDest: *mut BYTE, pdwDestLen: *mut DWORD) -> c_int {
    // SAFETY: `lpszSrc` has `dwSrcLen` readable bytes, `pdwDestLen` is NULL or readable and
    // writable, and `lpszDest` is NULL or has `*pdwDestLen` writable bytes (upstream's contract for
    // SYS_BrotliCompress); zcall checks for NULL.
    guard(|| unsafe { zcall(lpszSrc, dwSrcLen, lpszDest, pdwDestLen, |s, d| zip::brotli_compress(s, d, zip::BROTLI_DEFAULT_QUALITY, zip::BROTLI_DEFAULT_WINDOW, zip::BROTLI_DEFAULT_MODE)) })
}
/// Brotli with quality 0..11, window bits 10..24 and mode 0 generic / 1 text / 2 font.
#[no_mangle]
pub unsafe extern "C" fn SYS_BrotliCompressEx(lpszSrc: *const BYTE, dwSrcLen: DWORD, lpszDest: *mut BYTE, pdwDestLen: *mut DWORD, iQuality: c_int, iWindow: c_int, iMode: c_int) -> c_int {
    // SAFETY: `lpszSrc` has `dwSrcLen` readable bytes, `pdwDestLen` is NULL or readable and
    // writable, and `lpszDest` is NULL or has `*pdwDestLen` writable bytes (upstream's contract for
    // SYS_BrotliCompressEx); zcall checks for NULL.
    guard(|| unsafe { zcall(lpszSrc, dwSrcLen, lpszDest, pdwDestLen, |s, d| zip::brotli_compress(s, d, iQuality, iWindow, iMode)) })
}
/// Decompresses a brotli stream into `lpszDest` (`*pdwDestLen`: size in, length out): 0, -3 for bad
/// input, -5 for too small a buffer.
#[no_mangle]
pub unsafe extern "C" fn SYS_BrotliUncompress(lpszSrc: *const BYTE, dwSrcLen: DWORD, lpszDest: *mut BYTE, pdwDestLen: *mut DWORD) -> c_int {
    // SAFETY: `lpszSrc` has `dwSrcLen` readable bytes, `pdwDestLen` is NULL or readable and
    // writable, and `lpszDest` is NULL or has `*pdwDestLen` writable bytes (upstream's contract for
    // SYS_BrotliUncompress); zcall checks for NULL.
    guard(|| unsafe { zcall(lpszSrc, dwSrcLen, lpszDest, pdwDestLen, zip::brotli_uncompress) })
}
/// An upper bound of the brotli-compressed size of `dwSrcLen` bytes.
#[no_mangle]
pub extern "C" fn SYS_BrotliGuessCompressBound(dwSrcLen: DWORD) -> DWORD {
    zip::brotli_bound(dwSrcLen)
}

// ---- charsets ----

/// Converts `input` and copies it out in units of `unit` bytes: `*len` is the room in units on
/// entry and the units written on return; too little room (or NULL) reports the units needed.
///
/// # Safety
/// `len` is NULL or readable and writable; `dest` is NULL or has `*len * unit` writable bytes.
unsafe fn conv_out(from: &str, to: &str, input: &[u8], dest: *mut u8, len: *mut c_int, unit: usize) -> BOOL {
    if len.is_null() {
        set_errno(libc::EINVAL);
        return FALSE;
    }
    match charset::convert(from, to, input) {
        Ok(out) => {
            let units = out.len() / unit;
            // SAFETY: `len` is non-NULL (checked above) and readable (this function's contract).
            if dest.is_null() || (unsafe { *len } as i64) < units as i64 {
                // SAFETY: `len` is non-NULL and writable, as above.
                unsafe { *len = units as c_int };
                set_errno(libc::ENOSPC);
                return FALSE;
            }
            // SAFETY: `dest` is non-NULL with room for `*len >= units` units of `unit` bytes (this
            // function's contract), and `out` is a fresh Vec of at least that many bytes.
            unsafe { std::ptr::copy_nonoverlapping(out.as_ptr(), dest, units * unit) };
            // SAFETY: `len` is non-NULL and writable, as above.
            unsafe { *len = units as c_int };
            TRUE
        }
        Err(e) => {
            // SAFETY: `len` is non-NULL and writable, as above.
            unsafe { *len = 0 };
            set_errno(e);
            FALSE
        }
    }
}

/// The bytes of a narrow string: `n` bytes, or (n < 0) up to and including its NUL.
///
/// # Safety
/// `s` is NULL, or has `n` readable bytes when `n >= 0`, or is NUL-terminated when `n < 0`;
/// unchanged for `'a`.
unsafe fn narrow<'a>(s: *const c_char, n: c_int) -> Option<&'a [u8]> {
    if s.is_null() {
        return None;
    }
    // SAFETY: `s` is non-NULL (checked above) and, per this function's contract, NUL-terminated
    // when `n < 0` or `n` bytes long otherwise.
    Some(unsafe { if n < 0 { CStr::from_ptr(s).to_bytes_with_nul() } else { std::slice::from_raw_parts(s as *const u8, n as usize) } })
}

/// The bytes of a wide string: `n` WCHARs, or (n < 0) up to and including its NUL.
///
/// # Safety
/// `s` is NULL, or has `n` readable WCHARs when `n >= 0`, or is NUL-terminated when `n < 0`;
/// unchanged for `'a`.
unsafe fn wide<'a>(s: *const WCHAR, n: c_int) -> Option<&'a [u8]> {
    if s.is_null() {
        return None;
    }
    // SAFETY: `s` is non-NULL (checked above) and NUL-terminated when `n < 0` (this function's
    // contract), so wcslen stays inside it.
    let units = if n < 0 { unsafe { libc::wcslen(s) + 1 } } else { n as usize };
    // SAFETY: `s` has `units` readable WCHARs: its length plus the NUL, or the `n` the caller
    // vouched for; reading them as bytes is fine (u8 has no alignment or validity rules).
    Some(unsafe { std::slice::from_raw_parts(s as *const u8, units * std::mem::size_of::<WCHAR>()) })
}

const W: &str = charset::WCHAR_CHARSET;
const WS: usize = std::mem::size_of::<WCHAR>();

/// [`conv_out`] for an input that may be missing (a NULL source): EINVAL then.
///
/// # Safety
/// As [`conv_out`].
unsafe fn conv_in(input: Option<&[u8]>, from: &str, to: &str, dest: *mut u8, len: *mut c_int, unit: usize) -> BOOL {
    match input {
        // SAFETY: `dest` and `len` are as this function's contract says.
        Some(input) => unsafe { conv_out(from, to, input, dest, len, unit) },
        None => {
            set_errno(libc::EINVAL);
            FALSE
        }
    }
}

/// `iSrcLength` units of `szSrc` (all of it and its NUL when negative) converted into
/// `szDest`; `*piDestLength` is the room on entry and the units written (or needed) on return.
#[no_mangle]
pub unsafe extern "C" fn SYS_GbkToUnicodeEx(szSrc: *const c_char, iSrcLength: c_int, szDest: *mut WCHAR, piDestLength: *mut c_int) -> BOOL {
    // SAFETY: `szSrc` is NULL or has `iSrcLength` bytes (NUL-terminated when negative),
    // `piDestLength` is NULL or readable and writable, and `szDest` is NULL or has room for
    // `*piDestLength` units (upstream's contract for SYS_GbkToUnicodeEx).
    guard(|| unsafe { conv_in(narrow(szSrc, iSrcLength), "GBK", W, szDest as *mut u8, piDestLength, WS) })
}
/// As the `Ex` form with the whole NUL-terminated source, NUL included.
#[no_mangle]
pub unsafe extern "C" fn SYS_GbkToUnicode(szSrc: *const c_char, szDest: *mut WCHAR, piDestLength: *mut c_int) -> BOOL {
    // SAFETY: `szSrc` is NULL or NUL-terminated, `piDestLength` is NULL or readable and writable,
    // and `szDest` is NULL or has room for `*piDestLength` units (upstream's contract for
    // SYS_GbkToUnicode).
    guard(|| unsafe { conv_in(narrow(szSrc, -1), "GBK", W, szDest as *mut u8, piDestLength, WS) })
}
/// `iSrcLength` units of `szSrc` (all of it and its NUL when negative) converted into
/// `szDest`; `*piDestLength` is the room on entry and the units written (or needed) on return.
#[no_mangle]
pub unsafe extern "C" fn SYS_UnicodeToGbkEx(szSrc: *const WCHAR, iSrcLength: c_int, szDest: *mut c_char, piDestLength: *mut c_int) -> BOOL {
    // SAFETY: `szSrc` is NULL or has `iSrcLength` WCHARs (NUL-terminated when negative),
    // `piDestLength` is NULL or readable and writable, and `szDest` is NULL or has room for
    // `*piDestLength` units (upstream's contract for SYS_UnicodeToGbkEx).
    guard(|| unsafe { conv_in(wide(szSrc, iSrcLength), W, "GBK", szDest as *mut u8, piDestLength, 1) })
}
/// As the `Ex` form with the whole NUL-terminated source, NUL included.
#[no_mangle]
pub unsafe extern "C" fn SYS_UnicodeToGbk(szSrc: *const WCHAR, szDest: *mut c_char, piDestLength: *mut c_int) -> BOOL {
    // SAFETY: `szSrc` is NULL or NUL-terminated, `piDestLength` is NULL or readable and writable,
    // and `szDest` is NULL or has room for `*piDestLength` units (upstream's contract for
    // SYS_UnicodeToGbk).
    guard(|| unsafe { conv_in(wide(szSrc, -1), W, "GBK", szDest as *mut u8, piDestLength, 1) })
}
/// `iSrcLength` units of `szSrc` (all of it and its NUL when negative) converted into
/// `szDest`; `*piDestLength` is the room on entry and the units written (or needed) on return.
#[no_mangle]
pub unsafe extern "C" fn SYS_Utf8ToUnicodeEx(szSrc: *const c_char, iSrcLength: c_int, szDest: *mut WCHAR, piDestLength: *mut c_int) -> BOOL {
    // SAFETY: `szSrc` is NULL or has `iSrcLength` bytes (NUL-terminated when negative),
    // `piDestLength` is NULL or readable and writable, and `szDest` is NULL or has room for
    // `*piDestLength` units (upstream's contract for SYS_Utf8ToUnicodeEx).
    guard(|| unsafe { conv_in(narrow(szSrc, iSrcLength), "UTF-8", W, szDest as *mut u8, piDestLength, WS) })
}
/// As the `Ex` form with the whole NUL-terminated source, NUL included.
#[no_mangle]
pub unsafe extern "C" fn SYS_Utf8ToUnicode(szSrc: *const c_char, szDest: *mut WCHAR, piDestLength: *mut c_int) -> BOOL {
    // SAFETY: `szSrc` is NULL or NUL-terminated, `piDestLength` is NULL or readable and writable,
    // and `szDest` is NULL or has room for `*piDestLength` units (upstream's contract for
    // SYS_Utf8ToUnicode).
    guard(|| unsafe { conv_in(narrow(szSrc, -1), "UTF-8", W, szDest as *mut u8, piDestLength, WS) })
}
/// `iSrcLength` units of `szSrc` (all of it and its NUL when negative) converted into
/// `szDest`; `*piDestLength` is the room on entry and the units written (or needed) on return.
#[no_mangle]
pub unsafe extern "C" fn SYS_UnicodeToUtf8Ex(szSrc: *const WCHAR, iSrcLength: c_int, szDest: *mut c_char, piDestLength: *mut c_int) -> BOOL {
    // SAFETY: `szSrc` is NULL or has `iSrcLength` WCHARs (NUL-terminated when negative),
    // `piDestLength` is NULL or readable and writable, and `szDest` is NULL or has room for
    // `*piDestLength` units (upstream's contract for SYS_UnicodeToUtf8Ex).
    guard(|| unsafe { conv_in(wide(szSrc, iSrcLength), W, "UTF-8", szDest as *mut u8, piDestLength, 1) })
}
/// As the `Ex` form with the whole NUL-terminated source, NUL included.
#[no_mangle]
pub unsafe extern "C" fn SYS_UnicodeToUtf8(szSrc: *const WCHAR, szDest: *mut c_char, piDestLength: *mut c_int) -> BOOL {
    // SAFETY: `szSrc` is NULL or NUL-terminated, `piDestLength` is NULL or readable and writable,
    // and `szDest` is NULL or has room for `*piDestLength` units (upstream's contract for
    // SYS_UnicodeToUtf8).
    guard(|| unsafe { conv_in(wide(szSrc, -1), W, "UTF-8", szDest as *mut u8, piDestLength, 1) })
}
/// `iSrcLength` units of `szSrc` (all of it and its NUL when negative) converted into
/// `szDest`; `*piDestLength` is the room on entry and the units written (or needed) on return.
#[no_mangle]
pub unsafe extern "C" fn SYS_GbkToUtf8Ex(szSrc: *const c_char, iSrcLength: c_int, szDest: *mut c_char, piDestLength: *mut c_int) -> BOOL {
    // SAFETY: `szSrc` is NULL or has `iSrcLength` bytes (NUL-terminated when negative),
    // `piDestLength` is NULL or readable and writable, and `szDest` is NULL or has room for
    // `*piDestLength` units (upstream's contract for SYS_GbkToUtf8Ex).
    guard(|| unsafe { conv_in(narrow(szSrc, iSrcLength), "GBK", "UTF-8", szDest as *mut u8, piDestLength, 1) })
}
/// As the `Ex` form with the whole NUL-terminated source, NUL included.
#[no_mangle]
pub unsafe extern "C" fn SYS_GbkToUtf8(szSrc: *const c_char, szDest: *mut c_char, piDestLength: *mut c_int) -> BOOL {
    // SAFETY: `szSrc` is NULL or NUL-terminated, `piDestLength` is NULL or readable and writable,
    // and `szDest` is NULL or has room for `*piDestLength` units (upstream's contract for
    // SYS_GbkToUtf8).
    guard(|| unsafe { conv_in(narrow(szSrc, -1), "GBK", "UTF-8", szDest as *mut u8, piDestLength, 1) })
}
/// `iSrcLength` units of `szSrc` (all of it and its NUL when negative) converted into
/// `szDest`; `*piDestLength` is the room on entry and the units written (or needed) on return.
#[no_mangle]
pub unsafe extern "C" fn SYS_Utf8ToGbkEx(szSrc: *const c_char, iSrcLength: c_int, szDest: *mut c_char, piDestLength: *mut c_int) -> BOOL {
    // SAFETY: `szSrc` is NULL or has `iSrcLength` bytes (NUL-terminated when negative),
    // `piDestLength` is NULL or readable and writable, and `szDest` is NULL or has room for
    // `*piDestLength` units (upstream's contract for SYS_Utf8ToGbkEx).
    guard(|| unsafe { conv_in(narrow(szSrc, iSrcLength), "UTF-8", "GBK", szDest as *mut u8, piDestLength, 1) })
}
/// As the `Ex` form with the whole NUL-terminated source, NUL included.
#[no_mangle]
pub unsafe extern "C" fn SYS_Utf8ToGbk(szSrc: *const c_char, szDest: *mut c_char, piDestLength: *mut c_int) -> BOOL {
    // SAFETY: `szSrc` is NULL or NUL-terminated, `piDestLength` is NULL or readable and writable,
    // and `szDest` is NULL or has room for `*piDestLength` units (upstream's contract for
    // SYS_Utf8ToGbk).
    guard(|| unsafe { conv_in(narrow(szSrc, -1), "UTF-8", "GBK", szDest as *mut u8, piDestLength, 1) })
}

/// Any conversion iconv knows (`iconv -l`): `iInBufLen` bytes in, `*piOutBufLen` bytes of room.
#[no_mangle]
pub unsafe extern "C" fn SYS_CharsetConvert(lpszFromCharset: LPCSTR, lpszToCharset: LPCSTR, lpszInBuf: LPCSTR, iInBufLen: c_int, lpszOutBuf: LPSTR, piOutBufLen: *mut c_int) -> BOOL {
    guard(|| {
        // SAFETY: both charset names are NULL or NUL-terminated strings (upstream's contract for
        // SYS_CharsetConvert).
        let (Some(from), Some(to)) = (unsafe { (c_str(lpszFromCharset), c_str(lpszToCharset)) }) else {
            set_errno(libc::EINVAL);
            return FALSE;
        };
        if iInBufLen < 0 {
            set_errno(libc::EINVAL);
            return FALSE;
        }
        // SAFETY: `lpszInBuf` is NULL or has `iInBufLen` readable bytes (upstream's contract);
        // `iInBufLen` is non-negative here.
        let Some(input) = (unsafe { narrow(lpszInBuf, iInBufLen) }) else {
            set_errno(libc::EINVAL);
            return FALSE;
        };
        // SAFETY: `piOutBufLen` is NULL or readable and writable, and `lpszOutBuf` is NULL or has
        // `*piOutBufLen` writable bytes (upstream's contract for SYS_CharsetConvert).
        unsafe { conv_out(from, to, input, lpszOutBuf as *mut u8, piOutBufLen, 1) }
    })
}
