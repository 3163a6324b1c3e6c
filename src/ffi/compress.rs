//! The streaming compressors and decompressors: zlib / gzip (zlib-rs streams) and brotli.
//! Output goes to the data callback in chunks of at most the buffer size (default 16 KiB); the
//! callback returns TRUE to go on, FALSE to cancel (the call then fails with ECANCELED and the
//! object resets). After the last block (`bLast`) a compressor resets for the next stream; a zlib
//! decompressor resets after the end of each stream.
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_snake_case, clippy::missing_safety_doc)]

use super::guard::{errno, guard, set_errno};
use super::handle::{self, HandleObject, Kind};
use super::handles::*;
use super::types::*;
use crate::sys::zip;
use libz_rs_sys as z;
use std::io::Write;
use std::os::raw::c_int;
use std::sync::{Mutex, MutexGuard, TryLockError};

const FALSE: BOOL = 0;
const DEFAULT_BUFFER: DWORD = 16 * 1024;
const COMPRESSOR: Kind = Kind::Compressor;
const DECOMPRESSOR: Kind = Kind::Decompressor;

type Callback = unsafe extern "C" fn(*const BYTE, c_int, PVOID) -> BOOL;

enum Engine {
    /// A zlib stream; boxed because zlib's state points back at it.
    Deflate(Box<z::z_stream>),
    Inflate(Box<z::z_stream>),
    /// Brotli's state is boxed too, to keep the enum small (the zlib variants are one pointer).
    Brotli { writer: Option<Box<brotli::CompressorWriter<Vec<u8>>>>, params: Box<brotli::enc::BrotliEncoderParams> },
    Unbrotli(Option<Box<brotli::DecompressorWriter<Sink>>>),
}

/// Hands `data` to `callback` in chunks of at most `buf_size`; false (errno ECANCELED) when the
/// callback cancels.
fn emit_chunks(callback: Callback, buf_size: usize, data: &[u8], ctx: PVOID) -> bool {
    for chunk in data.chunks(buf_size.max(1)) {
        // SAFETY: `callback` is the C data callback given at Create (a fn pointer of this type;
        // NULL was refused there); `chunk` stays live for the call and `ctx` is the caller's
        // own context pointer, handed back untouched.
        if unsafe { callback(chunk.as_ptr(), chunk.len() as c_int, ctx) } == 0 {
            set_errno(libc::ECANCELED);
            return false;
        }
    }
    true
}

/// Where a brotli decompressor writes: straight to the data callback, a buffer at a time, so
/// that a few hundred bytes that expand to gigabytes never sit in memory whole (405 bytes of
/// brotli make 256 MiB of zeros).
struct Sink {
    callback: Callback,
    buf_size: usize,
    /// The context of the Process call under way: only handed back to the callback (kept as an
    /// integer so that the coder stays `Send`).
    ctx: usize,
    /// The callback cancelled during the current call.
    cancelled: bool,
}

impl Write for Sink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if emit_chunks(self.callback, self.buf_size, data, self.ctx as PVOID) {
            Ok(data.len())
        } else {
            self.cancelled = true;
            Err(std::io::Error::other("cancelled by the data callback"))
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn brotli_reader(callback: Callback, buf_size: usize) -> Box<brotli::DecompressorWriter<Sink>> {
    Box::new(brotli::DecompressorWriter::new(Sink { callback, buf_size, ctx: 0, cancelled: false }, buf_size.max(4096)))
}

struct Coder {
    callback: Callback,
    buf_size: usize,
    valid: bool,
    engine: Engine,
}

fn zeroed() -> Box<z::z_stream> {
    // SAFETY: every field of z_stream is an integer, a raw pointer or an `Option` of a fn pointer,
    // all valid when zero (no allocator = zlib's default); this is zlib's initial state.
    Box::new(unsafe { std::mem::MaybeUninit::<z::z_stream>::zeroed().assume_init() })
}

fn brotli_writer(params: &brotli::enc::BrotliEncoderParams, buf: usize) -> brotli::CompressorWriter<Vec<u8>> {
    brotli::CompressorWriter::with_params(Vec::new(), buf.max(4096), params)
}

impl Coder {
    /// Hands `data` to the callback in chunks; false when the callback cancels.
    fn emit(&self, data: &[u8], ctx: PVOID) -> bool {
        emit_chunks(self.callback, self.buf_size, data, ctx)
    }

    fn reset(&mut self) -> bool {
        let ok = match &mut self.engine {
            // SAFETY: `s` is this coder's own boxed stream, set up by deflateInit2_ or, if that
            // failed, left with a NULL state, which zlib-rs refuses (Z_STREAM_ERROR) untouched.
            Engine::Deflate(s) => unsafe { z::deflateReset(&mut **s) == z::Z_OK },
            // SAFETY: as above, for inflateInit2_ / inflateReset.
            Engine::Inflate(s) => unsafe { z::inflateReset(&mut **s) == z::Z_OK },
            Engine::Brotli { writer, params } => {
                *writer = Some(Box::new(brotli_writer(params, self.buf_size)));
                true
            }
            Engine::Unbrotli(w) => {
                *w = Some(brotli_reader(self.callback, self.buf_size));
                true
            }
        };
        self.valid = ok;
        ok
    }

    /// Runs zlib over `input` with `flush`, emitting output as it fills the buffer.
    ///
    /// # Safety
    /// The coder is a zlib one whose stream was set up by deflateInit2_ / inflateInit2_ (the
    /// coder is valid) and not ended.
    unsafe fn zlib(&mut self, input: &[u8], flush: c_int, ctx: PVOID) -> Result<bool, i32> {
        let mut out = vec![0u8; self.buf_size.max(64)];
        let deflating = matches!(self.engine, Engine::Deflate(_));
        let s: *mut z::z_stream = match &mut self.engine {
            Engine::Deflate(s) | Engine::Inflate(s) => &mut **s,
            _ => unreachable!(),
        };
        // SAFETY: `s` points into this coder's boxed stream, which `&mut self` keeps alive and
        // unaliased for the whole call. The stream reads `input.len()` bytes from `input`.
        unsafe {
            (*s).next_in = input.as_ptr() as *mut _;
            (*s).avail_in = input.len() as u32;
        }
        loop {
            // SAFETY: as above; `out` is live and `out.len()` bytes long for the zlib call below.
            unsafe {
                (*s).next_out = out.as_mut_ptr();
                (*s).avail_out = out.len() as u32;
            }
            // SAFETY: the stream was initialized (this function's contract), and its next_in /
            // next_out describe live buffers of avail_in / avail_out bytes (set just above).
            let rc = unsafe { if deflating { z::deflate(s, flush) } else { z::inflate(s, z::Z_NO_FLUSH) } };
            // SAFETY: `s` is valid as above; zlib has returned, so nothing else uses the stream.
            let produced = out.len() - unsafe { (*s).avail_out } as usize;
            if rc == z::Z_STREAM_ERROR || rc == z::Z_DATA_ERROR || rc == z::Z_NEED_DICT || rc == z::Z_MEM_ERROR {
                return Err(libc::EBADMSG);
            }
            if produced > 0 && !self.emit(&out[..produced], ctx) {
                return Err(libc::ECANCELED);
            }
            if rc == z::Z_STREAM_END {
                return Ok(true);
            }
            // done when all input is consumed and zlib has nothing more to give
            // SAFETY: `s` is valid as above (emit's callback cannot reach this coder: its lock is
            // held, so a re-entrant call fails with EBUSY).
            if unsafe { (*s).avail_in == 0 && (*s).avail_out != 0 } {
                return Ok(false);
            }
            if rc == z::Z_BUF_ERROR && produced == 0 {
                return Ok(false);
            }
        }
    }
}

/// What a compressor or decompressor handle stands for. The lock makes a second thread's (or a
/// data callback's) call on the same handle fail with EBUSY instead of aliasing the stream.
struct CoderObj {
    coder: Mutex<Coder>,
}

// SAFETY: the only non-Send parts are the zlib stream's raw pointers: `state` leads to memory the
// stream owns, usable from any thread as long as one thread at a time does (the coder is only
// reached through its Mutex), and next_in / next_out are set afresh before each zlib call.
unsafe impl Send for Coder {}
// SAFETY: registered only as Kind::Compressor or Kind::Decompressor, always as `CoderObj`.
unsafe impl HandleObject for CoderObj {
    const KINDS: &'static [Kind] = &[Kind::Compressor, Kind::Decompressor];
    const SHARED: bool = false;
}

/// The coder behind a live handle of `kind`: EINVAL for anything else, EBUSY while in use.
fn coder(p: PVOID, kind: Kind) -> Option<MutexGuard<'static, Coder>> {
    let Some(o) = handle::get::<CoderObj>(p, kind) else {
        set_errno(libc::EINVAL);
        return None;
    };
    match o.coder.try_lock() {
        Ok(g) => Some(g),
        Err(TryLockError::Poisoned(e)) => Some(e.into_inner()),
        Err(TryLockError::WouldBlock) => {
            set_errno(libc::EBUSY);
            None
        }
    }
}

fn new_handle(kind: Kind, c: Coder) -> PVOID {
    handle::new_boxed(kind, Box::new(CoderObj { coder: Mutex::new(c) }))
}

/// zlib's deflateInit2 parameters; inflating uses only the window bits.
struct ZParams {
    wbits: c_int,
    level: c_int,
    method: c_int,
    mem: c_int,
    strategy: c_int,
}

impl ZParams {
    fn deflate(wbits: c_int, level: c_int, method: c_int, mem: c_int, strategy: c_int) -> Self {
        ZParams { wbits, level, method, mem, strategy }
    }
    fn inflate(wbits: c_int) -> Self {
        ZParams { wbits, level: 0, method: 0, mem: 0, strategy: 0 }
    }
}

fn zlib_coder(cb: HP_Fn_CompressDataCallback, deflate: bool, zp: ZParams, buf: DWORD, magic: Kind) -> PVOID {
    let Some(callback) = cb else {
        set_errno(libc::EINVAL);
        return std::ptr::null_mut();
    };
    let ZParams { wbits, level, method, mem, strategy } = zp;
    let mut s = zeroed();
    // SAFETY: `s` is a zeroed, boxed z_stream (zlib's initial state; the box keeps its address
    // fixed for the state that points back at it), and zlibVersion is a static NUL-terminated
    // string; the size passed is this z_stream's.
    let rc = unsafe {
        if deflate {
            z::deflateInit2_(&mut *s, level, method, wbits, mem, strategy, z::zlibVersion(), std::mem::size_of::<z::z_stream>() as i32)
        } else {
            z::inflateInit2_(&mut *s, wbits, z::zlibVersion(), std::mem::size_of::<z::z_stream>() as i32)
        }
    };
    let buf_size = if buf == 0 { DEFAULT_BUFFER } else { buf } as usize;
    let engine = if deflate { Engine::Deflate(s) } else { Engine::Inflate(s) };
    new_handle(magic, Coder { callback, buf_size, valid: rc == z::Z_OK, engine })
}

fn brotli_coder(cb: HP_Fn_CompressDataCallback, quality: c_int, window: c_int, mode: c_int, buf: DWORD) -> PVOID {
    let Some(callback) = cb else {
        set_errno(libc::EINVAL);
        return std::ptr::null_mut();
    };
    let buf_size = if buf == 0 { DEFAULT_BUFFER } else { buf } as usize;
    let (valid, params) = match zip::brotli_params(quality, window, mode) {
        Some(p) => (true, p),
        None => (false, brotli::enc::BrotliEncoderParams::default()),
    };
    let writer = valid.then(|| Box::new(brotli_writer(&params, buf_size)));
    new_handle(COMPRESSOR, Coder { callback, buf_size, valid, engine: Engine::Brotli { writer, params: Box::new(params) } })
}

fn unbrotli_coder(cb: HP_Fn_DecompressDataCallback, buf: DWORD) -> PVOID {
    let Some(callback) = cb else {
        set_errno(libc::EINVAL);
        return std::ptr::null_mut();
    };
    let buf_size = if buf == 0 { DEFAULT_BUFFER } else { buf } as usize;
    new_handle(DECOMPRESSOR, Coder { callback, buf_size, valid: true, engine: Engine::Unbrotli(Some(brotli_reader(callback, buf_size))) })
}

// ---- creators ----

/// Creates a zlib (deflate, default level) streaming compressor whose output goes to `fnCallback`
/// in chunks of at most 16 KiB; NULL with errno EINVAL for a NULL callback.
#[no_mangle]
pub extern "C" fn Create_HP_ZLibCompressor(fnCallback: HP_Fn_CompressDataCallback) -> HP_Compressor {
    guard(|| zlib_coder(fnCallback, true, ZParams::deflate(zip::MAX_WBITS, zip::Z_DEFAULT_COMPRESSION, zip::Z_DEFLATED, zip::DEF_MEM_LEVEL, zip::Z_DEFAULT_STRATEGY), 0, COMPRESSOR))
}
/// zlib's deflateInit2 parameters (window bits: +16 gzip, negative raw) and the output chunk size.
#[no_mangle]
pub extern "C" fn Create_HP_ZLibCompressorEx(fnCallback: HP_Fn_CompressDataCallback, iWindowBits: c_int, iLevel: c_int, iMethod: c_int, iMemLevel: c_int, iStrategy: c_int, dwBuffSize: DWORD) -> HP_Compressor {
    guard(|| zlib_coder(fnCallback, true, ZParams::deflate(iWindowBits, iLevel, iMethod, iMemLevel, iStrategy), dwBuffSize, COMPRESSOR))
}
/// Creates a gzip streaming compressor (default level) whose output goes to `fnCallback` in chunks
/// of at most 16 KiB; NULL with errno EINVAL for a NULL callback.
#[no_mangle]
pub extern "C" fn Create_HP_GZipCompressor(fnCallback: HP_Fn_CompressDataCallback) -> HP_Compressor {
    guard(|| zlib_coder(fnCallback, true, ZParams::deflate(zip::MAX_WBITS + 16, zip::Z_DEFAULT_COMPRESSION, zip::Z_DEFLATED, zip::DEF_MEM_LEVEL, zip::Z_DEFAULT_STRATEGY), 0, COMPRESSOR))
}
/// A gzip compressor with zlib's level, method, memory level and strategy and the output chunk size
/// (0: 16 KiB); bad parameters give an object whose IsValid is FALSE. NULL (EINVAL) for a NULL
/// callback.
#[no_mangle]
pub extern "C" fn Create_HP_GZipCompressorEx(fnCallback: HP_Fn_CompressDataCallback, iLevel: c_int, iMethod: c_int, iMemLevel: c_int, iStrategy: c_int, dwBuffSize: DWORD) -> HP_Compressor {
    guard(|| zlib_coder(fnCallback, true, ZParams::deflate(zip::MAX_WBITS + 16, iLevel, iMethod, iMemLevel, iStrategy), dwBuffSize, COMPRESSOR))
}
/// Creates a brotli streaming compressor (default quality, window and mode) whose output goes to
/// `fnCallback` in chunks of at most 16 KiB; NULL with errno EINVAL for a NULL callback.
#[no_mangle]
pub extern "C" fn Create_HP_BrotliCompressor(fnCallback: HP_Fn_CompressDataCallback) -> HP_Compressor {
    guard(|| brotli_coder(fnCallback, zip::BROTLI_DEFAULT_QUALITY, zip::BROTLI_DEFAULT_WINDOW, zip::BROTLI_DEFAULT_MODE, 0))
}
/// Quality 0..11, window bits 10..24, mode 0 generic / 1 text / 2 font; other values give an
/// object whose `HP_Compressor_IsValid` is FALSE.
#[no_mangle]
pub extern "C" fn Create_HP_BrotliCompressorEx(fnCallback: HP_Fn_CompressDataCallback, iQuality: c_int, iWindow: c_int, iMode: c_int, dwBuffSize: DWORD) -> HP_Compressor {
    guard(|| brotli_coder(fnCallback, iQuality, iWindow, iMode, dwBuffSize))
}
/// Creates a zlib streaming decompressor whose output goes to `fnCallback` in chunks of at most
/// 16 KiB; NULL with errno EINVAL for a NULL callback.
#[no_mangle]
pub extern "C" fn Create_HP_ZLibDecompressor(fnCallback: HP_Fn_DecompressDataCallback) -> HP_Decompressor {
    guard(|| zlib_coder(fnCallback, false, ZParams::inflate(zip::MAX_WBITS), 0, DECOMPRESSOR))
}
/// A zlib decompressor with inflateInit2's window bits (+16 gzip, +32 either, negative raw) and the
/// output chunk size (0: 16 KiB); bad bits give an invalid object. NULL (EINVAL) for a NULL
/// callback.
#[no_mangle]
pub extern "C" fn Create_HP_ZLibDecompressorEx(fnCallback: HP_Fn_DecompressDataCallback, iWindowBits: c_int, dwBuffSize: DWORD) -> HP_Decompressor {
    guard(|| zlib_coder(fnCallback, false, ZParams::inflate(iWindowBits), dwBuffSize, DECOMPRESSOR))
}
/// Accepts gzip or zlib streams.
#[no_mangle]
pub extern "C" fn Create_HP_GZipDecompressor(fnCallback: HP_Fn_DecompressDataCallback) -> HP_Decompressor {
    guard(|| zlib_coder(fnCallback, false, ZParams::inflate(zip::MAX_WBITS + 32), 0, DECOMPRESSOR))
}
/// As Create_HP_GZipDecompressor (gzip or zlib input) with the output chunk size (0: 16 KiB); NULL
/// with errno EINVAL for a NULL callback.
#[no_mangle]
pub extern "C" fn Create_HP_GZipDecompressorEx(fnCallback: HP_Fn_DecompressDataCallback, dwBuffSize: DWORD) -> HP_Decompressor {
    guard(|| zlib_coder(fnCallback, false, ZParams::inflate(zip::MAX_WBITS + 32), dwBuffSize, DECOMPRESSOR))
}
/// Creates a brotli streaming decompressor whose output goes to `fnCallback` in chunks of at most
/// 16 KiB; NULL with errno EINVAL for a NULL callback.
#[no_mangle]
pub extern "C" fn Create_HP_BrotliDecompressor(fnCallback: HP_Fn_DecompressDataCallback) -> HP_Decompressor {
    guard(|| unbrotli_coder(fnCallback, 0))
}
/// As Create_HP_BrotliDecompressor with the output chunk size (0: 16 KiB); NULL with errno EINVAL
/// for a NULL callback.
#[no_mangle]
pub extern "C" fn Create_HP_BrotliDecompressorEx(fnCallback: HP_Fn_DecompressDataCallback, dwBuffSize: DWORD) -> HP_Decompressor {
    guard(|| unbrotli_coder(fnCallback, dwBuffSize))
}

fn destroy(p: PVOID, kind: Kind) {
    let Some(o) = handle::take_boxed::<CoderObj>(p, kind) else {
        set_errno(libc::EINVAL);
        return;
    };
    let mut b = o.coder.into_inner().unwrap_or_else(|e| e.into_inner());
    match &mut b.engine {
        Engine::Deflate(s) => {
            // SAFETY: the handle was taken, so this is the last use of the stream; it was set up by
            // deflateInit2_ (or has a NULL state, which deflateEnd refuses) and is ended once.
            unsafe { z::deflateEnd(&mut **s) };
        }
        Engine::Inflate(s) => {
            // SAFETY: as above, for inflateInit2_ / inflateEnd.
            unsafe { z::inflateEnd(&mut **s) };
        }
        _ => {}
    }
}

/// Frees a compressor made by a Create_HP_*Compressor*; any other handle is refused with errno
/// EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_Compressor(pCompressor: HP_Compressor) {
    guard(|| destroy(pCompressor, COMPRESSOR))
}
/// Frees a decompressor made by a Create_HP_*Decompressor*; any other handle is refused with errno
/// EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_Decompressor(pDecompressor: HP_Decompressor) {
    guard(|| destroy(pDecompressor, DECOMPRESSOR))
}

// ---- compressing ----

/// The coder behind a handle and the input block, checked; None (errno set) when unusable.
///
/// # Safety
/// When `len > 0`, `data` is NULL or points to `len` readable bytes, unchanged for `'a`.
unsafe fn begin<'a>(p: PVOID, kind: Kind, data: *const BYTE, len: c_int) -> Option<(MutexGuard<'static, Coder>, &'a [u8])> {
    let c = coder(p, kind)?;
    if !c.valid {
        set_errno(libc::EPERM);
        return None;
    }
    if len < 0 || (data.is_null() && len > 0) {
        set_errno(libc::EINVAL);
        return None;
    }
    // SAFETY: `len > 0` in the else branch, so `data` is non-NULL (checked above) and points to
    // `len` readable bytes (this function's contract).
    Some((c, if len == 0 { &[][..] } else { unsafe { std::slice::from_raw_parts(data, len as usize) } }))
}

/// Compresses one block (`HP_Compressor_Process[Ex]`).
///
/// # Safety
/// As [`begin`]: `data` is NULL or points to `len` readable bytes.
unsafe fn compress(p: PVOID, data: *const BYTE, len: c_int, last: BOOL, flush: BOOL, ctx: PVOID) -> BOOL {
    // SAFETY: `data` / `len` are as this function's contract says.
    let Some((mut guard, input)) = (unsafe { begin(p, COMPRESSOR, data, len) }) else { return FALSE };
    let c = &mut *guard;
    let ok = match &mut c.engine {
        Engine::Deflate(_) => {
            let mode = if last != 0 { z::Z_FINISH } else if flush != 0 { z::Z_SYNC_FLUSH } else { z::Z_NO_FLUSH };
            // SAFETY: begin returned the coder, so it is valid: its deflate stream is initialized.
            match unsafe { c.zlib(input, mode, ctx) } {
                Ok(_) => true,
                Err(e) => {
                    set_errno(e);
                    false
                }
            }
        }
        Engine::Brotli { writer, .. } => {
            let w = writer.as_mut().expect("valid brotli compressor has a writer");
            let mut ok = w.write_all(input).is_ok() && (last != 0 || flush == 0 || w.flush().is_ok());
            let out = if last != 0 {
                let w = writer.take().expect("writer");
                w.into_inner()
            } else {
                std::mem::take(w.get_mut())
            };
            if ok && !out.is_empty() {
                ok = c.emit(&out, ctx);
            }
            if !ok && errno() != libc::ECANCELED {
                set_errno(libc::EIO);
            }
            ok
        }
        _ => unreachable!(),
    };
    if !ok || last != 0 {
        c.reset();
    }
    ok as BOOL
}

/// Compresses a block; `bLast` ends the stream (the compressor then resets).
#[no_mangle]
pub unsafe extern "C" fn HP_Compressor_Process(pCompressor: HP_Compressor, pData: *const BYTE, iLength: c_int, bLast: BOOL, pContext: PVOID) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pData` (upstream's contract for
    // HP_Compressor_Process); begin refuses NULL with a positive length.
    guard(|| unsafe { compress(pCompressor, pData, iLength, bLast, FALSE, pContext) })
}
/// As Process; `bFlush` also pushes out everything compressed so far (a sync flush).
#[no_mangle]
pub unsafe extern "C" fn HP_Compressor_ProcessEx(pCompressor: HP_Compressor, pData: *const BYTE, iLength: c_int, bLast: BOOL, bFlush: BOOL, pContext: PVOID) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pData` (upstream's contract for
    // HP_Compressor_ProcessEx); begin refuses NULL with a positive length.
    guard(|| unsafe { compress(pCompressor, pData, iLength, bLast, bFlush, pContext) })
}
/// Drops the stream in progress and starts a new one; TRUE on success (the object is then valid).
/// FALSE with errno EINVAL for a bad handle, EBUSY while a call on it is running.
#[no_mangle]
pub unsafe extern "C" fn HP_Compressor_Reset(pCompressor: HP_Compressor) -> BOOL {
    guard(|| coder(pCompressor, COMPRESSOR).map_or(FALSE, |mut c| c.reset() as BOOL))
}
/// TRUE if the compressor was set up (good parameters) and may be used; FALSE also for a bad
/// handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Compressor_IsValid(pCompressor: HP_Compressor) -> BOOL {
    guard(|| coder(pCompressor, COMPRESSOR).map_or(FALSE, |c| c.valid as BOOL))
}

// ---- decompressing ----

/// Decompresses one block (`HP_Decompressor_Process`).
///
/// # Safety
/// As [`begin`]: `data` is NULL or points to `len` readable bytes.
unsafe fn decompress(p: PVOID, data: *const BYTE, len: c_int, ctx: PVOID) -> BOOL {
    // SAFETY: `data` / `len` are as this function's contract says.
    let Some((mut guard, input)) = (unsafe { begin(p, DECOMPRESSOR, data, len) }) else { return FALSE };
    let c = &mut *guard;
    let (ok, ended) = match &mut c.engine {
        // SAFETY: begin returned the coder, so it is valid: its inflate stream is initialized.
        Engine::Inflate(_) => match unsafe { c.zlib(input, z::Z_NO_FLUSH, ctx) } {
            Ok(end) => (true, end),
            Err(e) => {
                set_errno(e);
                (false, false)
            }
        },
        Engine::Unbrotli(w) => {
            let w = w.as_mut().expect("decompressor writer");
            let sink = w.get_mut();
            sink.ctx = ctx as usize;
            sink.cancelled = false;
            // The output reaches the callback from inside write_all, a buffer at a time.
            let ok = w.write_all(input).is_ok();
            if !ok && !w.get_ref().cancelled {
                set_errno(libc::EBADMSG);
            }
            (ok, false)
        }
        _ => unreachable!(),
    };
    if !ok || ended {
        c.reset();
    }
    ok as BOOL
}

/// Decompresses a block of a stream; output goes to the callback as it is produced. Corrupt
/// input fails with EBADMSG and resets the decompressor.
#[no_mangle]
pub unsafe extern "C" fn HP_Decompressor_Process(pDecompressor: HP_Decompressor, pData: *const BYTE, iLength: c_int, pContext: PVOID) -> BOOL {
    // SAFETY: the caller passes `iLength` readable bytes at `pData` (upstream's contract for
    // HP_Decompressor_Process); begin refuses NULL with a positive length.
    guard(|| unsafe { decompress(pDecompressor, pData, iLength, pContext) })
}
/// Drops the stream in progress and starts a new one; TRUE on success (the object is then valid).
/// FALSE with errno EINVAL for a bad handle, EBUSY while a call on it is running.
#[no_mangle]
pub unsafe extern "C" fn HP_Decompressor_Reset(pDecompressor: HP_Decompressor) -> BOOL {
    guard(|| coder(pDecompressor, DECOMPRESSOR).map_or(FALSE, |mut c| c.reset() as BOOL))
}
/// TRUE if the decompressor was set up (good parameters) and may be used; FALSE also for a bad
/// handle.
#[no_mangle]
pub unsafe extern "C" fn HP_Decompressor_IsValid(pDecompressor: HP_Decompressor) -> BOOL {
    guard(|| coder(pDecompressor, DECOMPRESSOR).map_or(FALSE, |c| c.valid as BOOL))
}
