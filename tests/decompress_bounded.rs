//! A streaming decompressor holds at most a buffer of output at a time, however much a small
//! input expands: 256 MiB of zeros, brotli- and gzip-compressed to a few hundred bytes and
//! kilobytes, go through `HP_Decompressor_Process` without the process growing by more than a
//! fraction of that. (This file holds one test, so the process's peak RSS is this test's.)
use hpsocket4c::ffi::compress::*;
use hpsocket4c::ffi::handles::HP_Compressor;
use std::os::raw::c_int;
use std::sync::atomic::{AtomicUsize, Ordering};

const EXPANDED: usize = 256 << 20;
static OUT: AtomicUsize = AtomicUsize::new(0);
static LARGEST: AtomicUsize = AtomicUsize::new(0);
static COMPRESSED: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

unsafe extern "C" fn collect(data: *const u8, len: c_int, _ctx: *mut std::ffi::c_void) -> i32 {
    // SAFETY: the library hands `len` readable bytes at `data` for the call.
    COMPRESSED.lock().unwrap().extend_from_slice(unsafe { std::slice::from_raw_parts(data, len as usize) });
    1
}

unsafe extern "C" fn count(_data: *const u8, len: c_int, _ctx: *mut std::ffi::c_void) -> i32 {
    OUT.fetch_add(len as usize, Ordering::Relaxed);
    LARGEST.fetch_max(len as usize, Ordering::Relaxed);
    1
}

fn peak_rss_kib() -> i64 {
    // SAFETY: rusage is plain data and getrusage fills it.
    let mut r: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `r` is a valid, writable rusage.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut r) };
    r.ru_maxrss
}

/// EXPANDED zeros through a streaming compressor, 1 MiB a call (so they never sit in memory).
fn bomb(compressor: HP_Compressor) -> Vec<u8> {
    let zeros = vec![0u8; 1 << 20];
    for i in 0..EXPANDED / zeros.len() {
        let last = i + 1 == EXPANDED / zeros.len();
        // SAFETY: a live compressor and a live 1 MiB buffer.
        assert_ne!(unsafe { HP_Compressor_Process(compressor, zeros.as_ptr(), zeros.len() as c_int, last as i32, std::ptr::null_mut()) }, 0);
    }
    // SAFETY: made by Create_HP_*Compressor*, destroyed once.
    unsafe { Destroy_HP_Compressor(compressor) };
    std::mem::take(&mut *COMPRESSED.lock().unwrap())
}

#[test]
fn a_small_input_that_expands_hugely_is_emitted_a_buffer_at_a_time() {
    let cases = [
        ("brotli", bomb(Create_HP_BrotliCompressorEx(Some(collect), 1, 22, 0, 0)), Create_HP_BrotliDecompressor(Some(count))),
        ("gzip", bomb(Create_HP_GZipCompressor(Some(collect))), Create_HP_GZipDecompressor(Some(count))),
    ];
    for (name, input, d) in cases {
        assert!(input.len() < 1 << 20, "{name}: {} bytes compressed", input.len());
        OUT.store(0, Ordering::Relaxed);
        LARGEST.store(0, Ordering::Relaxed);
        let before = peak_rss_kib();
        // SAFETY: a live decompressor and the live compressed bytes.
        assert_ne!(unsafe { HP_Decompressor_Process(d, input.as_ptr(), input.len() as c_int, std::ptr::null_mut()) }, 0, "{name}");
        let grew = peak_rss_kib() - before;
        assert_eq!(OUT.load(Ordering::Relaxed), EXPANDED, "{name}: all the output arrived");
        assert!(LARGEST.load(Ordering::Relaxed) <= 16 * 1024, "{name}: a callback got {} bytes", LARGEST.load(Ordering::Relaxed));
        assert!(grew < 32 * 1024, "{name}: {} bytes in, peak RSS grew by {grew} KiB", input.len());
        // SAFETY: made by Create_HP_*Decompressor, destroyed once.
        unsafe { Destroy_HP_Decompressor(d) };
    }
}
