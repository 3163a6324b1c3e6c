//! Charset conversion through the C library's iconv (as upstream does on Linux), so every name
//! iconv knows works. Conversions run to completion into a Vec; callers copy out.
#![deny(unsafe_op_in_unsafe_fn)]

use std::ffi::CString;

/// `WCHAR` on Linux: 4-byte `wchar_t` holding UTF-32 in host order.
pub const WCHAR_CHARSET: &str = if cfg!(target_endian = "little") { "UTF-32LE" } else { "UTF-32BE" };

/// Converts all of `input` from `from` to `to`. Err(errno): EINVAL for an unknown charset or
/// a truncated sequence, EILSEQ for an invalid one.
pub fn convert(from: &str, to: &str, input: &[u8]) -> Result<Vec<u8>, i32> {
    let (Ok(f), Ok(t)) = (CString::new(from), CString::new(to)) else { return Err(libc::EINVAL) };
    // SAFETY: both names are NUL-terminated CStrings that outlive the call.
    let cd = unsafe { libc::iconv_open(t.as_ptr(), f.as_ptr()) };
    if cd as isize == -1 {
        return Err(libc::EINVAL);
    }
    let mut out: Vec<u8> = Vec::with_capacity(input.len() * 4 + 16);
    let mut inp = input.as_ptr() as *mut libc::c_char;
    let mut in_left = input.len();
    let result = loop {
        let spare = out.capacity() - out.len();
        // SAFETY: `out.len() <= out.capacity()`, so the result is inside (or one past) the Vec's
        // allocation: the start of its spare capacity.
        let mut outp = unsafe { out.as_mut_ptr().add(out.len()) } as *mut libc::c_char;
        let mut out_left = spare;
        // SAFETY: `cd` is open; `inp` / `in_left` describe the unread rest of `input` (iconv only
        // reads through it, despite the `*mut`), `outp` / `out_left` the Vec's spare capacity;
        // iconv advances each pointer by what it consumes or produces.
        let r = unsafe { libc::iconv(cd, &mut inp, &mut in_left, &mut outp, &mut out_left) };
        let written = spare - out_left;
        // SAFETY: iconv initialized the first `written` bytes of the spare capacity, which keeps
        // `out.len() + written <= out.capacity()`.
        unsafe { out.set_len(out.len() + written) };
        if r != usize::MAX {
            break Ok(());
        }
        // SAFETY: __errno_location returns a valid pointer to this thread's own errno.
        let e = unsafe { *libc::__errno_location() };
        if e == libc::E2BIG {
            out.reserve(out.capacity().max(64));
            continue;
        }
        break Err(e);
    };
    // SAFETY: `cd` came from iconv_open and is closed once, here.
    unsafe { libc::iconv_close(cd) };
    result.map(|()| out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_utf8_and_wide_round_trip() {
        let utf8 = "中文 abc".as_bytes();
        let gbk = convert("UTF-8", "GBK", utf8).unwrap();
        assert_eq!(gbk, b"\xd6\xd0\xce\xc4 abc");
        assert_eq!(convert("GBK", "UTF-8", &gbk).unwrap(), utf8);
        let wide = convert("UTF-8", WCHAR_CHARSET, utf8).unwrap();
        assert_eq!(wide.len(), 6 * 4);
        assert_eq!(&wide[..4], &0x4E2Du32.to_ne_bytes());
        assert_eq!(convert("UTF-8", "GBK", b"\xff\xfe").unwrap_err(), libc::EILSEQ);
        assert_eq!(convert("NO-SUCH-CHARSET", "UTF-8", b"x").unwrap_err(), libc::EINVAL);
        assert_eq!(convert("UTF-8", "GBK", &vec![b'x'; 100_000]).unwrap().len(), 100_000);
    }
}
