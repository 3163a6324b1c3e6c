//! One-shot zlib / gzip (through zlib-rs's zlib API, so levels, window bits, memory level and
//! strategy mean what they mean in zlib) and brotli (the `brotli` crate).
#![deny(unsafe_op_in_unsafe_fn)]

use super::{BUF_ERROR, DATA_ERROR, OK};
use libz_rs_sys as z;
use std::mem::MaybeUninit;

pub const Z_DEFAULT_COMPRESSION: i32 = -1;
pub const Z_DEFLATED: i32 = 8;
pub const MAX_WBITS: i32 = 15;
pub const DEF_MEM_LEVEL: i32 = 8;
pub const Z_DEFAULT_STRATEGY: i32 = 0;

fn new_stream() -> z::z_stream {
    // SAFETY: every field of z_stream is an integer, a raw pointer or an `Option` of a fn pointer,
    // all valid when zero; all-zero is zlib's initial state (no allocator = default).
    unsafe { MaybeUninit::<z::z_stream>::zeroed().assume_init() }
}

/// Deflates `src` into `dest` in one call; returns (zlib code, length written). A buffer too
/// small is `Z_BUF_ERROR` (-5). A NUL follows the output when there is room, as upstream.
pub fn compress_ex(src: &[u8], dest: &mut [u8], level: i32, method: i32, window_bits: i32, mem_level: i32, strategy: i32) -> (i32, u32) {
    let mut s = new_stream();
    s.next_in = src.as_ptr() as *mut _;
    s.avail_in = src.len() as u32;
    s.next_out = dest.as_mut_ptr();
    s.avail_out = dest.len().min(u32::MAX as usize) as u32;
    // SAFETY: `s` is a zeroed z_stream (zlib's initial state) that stays put until deflateEnd
    // below; zlibVersion is a static NUL-terminated string and the size passed is z_stream's.
    let rc = unsafe { z::deflateInit2_(&mut s, level, method, window_bits, mem_level, strategy, z::zlibVersion(), std::mem::size_of::<z::z_stream>() as i32) };
    if rc != z::Z_OK {
        return (rc, 0);
    }
    // SAFETY: the stream is initialized; next_in / avail_in describe `src` and next_out / avail_out
    // `dest`, both borrowed for this whole function.
    let rc = unsafe { z::deflate(&mut s, z::Z_FINISH) };
    let out = s.total_out as usize;
    // SAFETY: the stream was initialized above and is ended once, here.
    unsafe { z::deflateEnd(&mut s) };
    if rc != z::Z_STREAM_END {
        return (if rc == z::Z_OK { z::Z_BUF_ERROR } else { rc }, 0);
    }
    if dest.len() > out {
        dest[out] = 0;
    }
    (OK, out as u32)
}

/// Inflates `src` into `dest` in one call; truncated or corrupt input is `Z_DATA_ERROR` (-3),
/// a buffer too small `Z_BUF_ERROR` (-5).
pub fn uncompress_ex(src: &[u8], dest: &mut [u8], window_bits: i32) -> (i32, u32) {
    let mut s = new_stream();
    s.next_in = src.as_ptr() as *mut _;
    s.avail_in = src.len().min(u32::MAX as usize) as u32;
    s.next_out = dest.as_mut_ptr();
    s.avail_out = dest.len().min(u32::MAX as usize) as u32;
    // SAFETY: `s` is a zeroed z_stream (zlib's initial state) that stays put until inflateEnd
    // below; zlibVersion is a static NUL-terminated string and the size passed is z_stream's.
    let rc = unsafe { z::inflateInit2_(&mut s, window_bits, z::zlibVersion(), std::mem::size_of::<z::z_stream>() as i32) };
    if rc != z::Z_OK {
        return (rc, 0);
    }
    // SAFETY: the stream is initialized; next_in / avail_in describe `src` and next_out / avail_out
    // `dest`, both borrowed for this whole function.
    let rc = unsafe { z::inflate(&mut s, z::Z_FINISH) };
    let out = s.total_out as usize;
    let in_left = s.avail_in;
    // SAFETY: the stream was initialized above and is ended once, here.
    unsafe { z::inflateEnd(&mut s) };
    if rc != z::Z_STREAM_END {
        let code = if rc == z::Z_NEED_DICT || (rc == z::Z_BUF_ERROR && in_left == 0) { z::Z_DATA_ERROR } else { rc };
        return (code, 0);
    }
    if dest.len() > out {
        dest[out] = 0;
    }
    (OK, out as u32)
}

/// zlib's `compressBound` formula (what upstream reports), plus the gzip wrapper's extra bytes.
pub fn compress_bound(n: u32, gzip: bool) -> u32 {
    let b = n.wrapping_add(n >> 12).wrapping_add(n >> 14).wrapping_add(n >> 25).wrapping_add(13);
    if gzip {
        b + 11
    } else {
        b
    }
}

/// The gzip trailer's ISIZE (original length mod 2^32), or 0 when `src` is not gzip.
pub fn gzip_uncompress_bound(src: &[u8]) -> u32 {
    if src.len() < 20 || src[0] != 0x1F || src[1] != 0x8B {
        return 0;
    }
    let t = &src[src.len() - 4..];
    u32::from_le_bytes([t[0], t[1], t[2], t[3]])
}

pub const BROTLI_DEFAULT_QUALITY: i32 = 11;
pub const BROTLI_DEFAULT_WINDOW: i32 = 22;
pub const BROTLI_DEFAULT_MODE: i32 = 0;

pub fn brotli_bound(n: u32) -> u32 {
    brotli::enc::encode::BrotliEncoderMaxCompressedSize(n as usize).min(u32::MAX as usize) as u32
}

pub fn brotli_params(quality: i32, window: i32, mode: i32) -> Option<brotli::enc::BrotliEncoderParams> {
    if !(0..=11).contains(&quality) || !(10..=24).contains(&window) || !(0..=2).contains(&mode) {
        return None;
    }
    let mode = match mode {
        1 => brotli::enc::backward_references::BrotliEncoderMode::BROTLI_MODE_TEXT,
        2 => brotli::enc::backward_references::BrotliEncoderMode::BROTLI_MODE_FONT,
        _ => brotli::enc::backward_references::BrotliEncoderMode::BROTLI_MODE_GENERIC,
    };
    Some(brotli::enc::BrotliEncoderParams { quality, lgwin: window, mode, ..Default::default() })
}

/// Brotli-compresses into `dest`: (0, len), (-5, 0) when it does not fit, (-3, 0) for bad
/// parameters.
pub fn brotli_compress(src: &[u8], dest: &mut [u8], quality: i32, window: i32, mode: i32) -> (i32, u32) {
    let Some(params) = brotli_params(quality, window, mode) else { return (DATA_ERROR, 0) };
    let mut out = Vec::with_capacity(dest.len().min(brotli_bound(src.len() as u32) as usize));
    let mut input = src;
    if brotli::BrotliCompress(&mut input, &mut out, &params).is_err() {
        return (DATA_ERROR, 0);
    }
    if out.len() > dest.len() {
        return (BUF_ERROR, 0);
    }
    dest[..out.len()].copy_from_slice(&out);
    (OK, out.len() as u32)
}

/// A writer into a fixed buffer that fails once the buffer is full.
struct Bounded<'a> {
    buf: &'a mut [u8],
    len: usize,
    overflow: bool,
}

impl std::io::Write for Bounded<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let room = self.buf.len() - self.len;
        if data.len() > room {
            self.overflow = true;
            return Err(std::io::Error::from(std::io::ErrorKind::WriteZero));
        }
        self.buf[self.len..self.len + data.len()].copy_from_slice(data);
        self.len += data.len();
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Brotli-decompresses into `dest`: (0, len), (-5, 0) when it does not fit, (-3, 0) for
/// corrupt or truncated input.
pub fn brotli_uncompress(src: &[u8], dest: &mut [u8]) -> (i32, u32) {
    let mut w = Bounded { buf: dest, len: 0, overflow: false };
    let mut input = src;
    match brotli::BrotliDecompress(&mut input, &mut w) {
        Ok(()) => (OK, w.len as u32),
        Err(_) if w.overflow => (BUF_ERROR, 0),
        Err(_) => (DATA_ERROR, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zlib_and_gzip_round_trip_and_report_errors() {
        let src: Vec<u8> = (0..100_000u32).map(|i| (i % 97) as u8).collect();
        for wbits in [MAX_WBITS, MAX_WBITS + 16, -MAX_WBITS] {
            let mut c = vec![0u8; compress_bound(src.len() as u32, true) as usize];
            let (rc, n) = compress_ex(&src, &mut c, Z_DEFAULT_COMPRESSION, Z_DEFLATED, wbits, DEF_MEM_LEVEL, Z_DEFAULT_STRATEGY);
            assert_eq!(rc, OK);
            let c = &c[..n as usize];
            let mut d = vec![0u8; src.len()];
            let uw = if wbits > 16 { MAX_WBITS + 32 } else { wbits };
            assert_eq!(uncompress_ex(c, &mut d, uw), (OK, src.len() as u32));
            assert_eq!(d, src);
            assert_eq!(uncompress_ex(&c[..c.len() / 2], &mut d, uw).0, DATA_ERROR);
            assert_eq!(uncompress_ex(c, &mut d[..10], uw).0, BUF_ERROR);
            if wbits > 16 {
                assert_eq!(gzip_uncompress_bound(c), src.len() as u32);
            }
        }
        let mut small = [0u8; 8];
        assert_eq!(compress_ex(&src, &mut small, 6, Z_DEFLATED, MAX_WBITS, 8, 0).0, BUF_ERROR);
        assert_eq!(uncompress_ex(b"not zlib at all", &mut small, MAX_WBITS).0, DATA_ERROR);
    }

    #[test]
    fn brotli_round_trip_and_errors() {
        let src = b"hello hello hello hello brotli brotli brotli".repeat(100);
        let mut c = vec![0u8; brotli_bound(src.len() as u32) as usize];
        let (rc, n) = brotli_compress(&src, &mut c, 11, 22, 0);
        assert_eq!(rc, OK);
        let mut d = vec![0u8; src.len()];
        assert_eq!(brotli_uncompress(&c[..n as usize], &mut d), (OK, src.len() as u32));
        assert_eq!(d, src);
        assert_eq!(brotli_uncompress(&c[..n as usize], &mut d[..5]).0, BUF_ERROR);
        assert_eq!(brotli_uncompress(b"\xff\xff\xff garbage", &mut d).0, DATA_ERROR);
        assert_eq!(brotli_compress(&src, &mut [0u8; 4], 11, 22, 0).0, BUF_ERROR);
        assert_eq!(brotli_compress(&src, &mut c, 12, 22, 0).0, DATA_ERROR);
    }
}
