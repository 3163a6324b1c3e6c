//! Receive models beyond PUSH: the PULL buffer (Fetch / Peek) and PACK framing.
//!
//! PACK frames are `header | body`, the header a little-endian u32 holding the body length in its
//! low 22 bits and a 10-bit flag above them. The parser works on each read's bytes in place and
//! copies only a frame that straddles reads.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// How a component hands received bytes to the application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// OnReceive with each read's bytes.
    Push,
    /// Bytes are buffered per connection; OnPullReceive reports the total; Fetch / Peek read.
    Pull,
    /// Whole PACK messages, body only, one OnReceive each.
    Pack,
}

/// Largest body a PACK header can describe, and the largest `MaxPackSize`.
pub const PACK_MAX_SIZE_LIMIT: u32 = 0x3F_FFFF;
/// Default `MaxPackSize`.
pub const PACK_DEFAULT_MAX_SIZE: u32 = 0x4_0000;
/// Largest `PackHeaderFlag`.
pub const PACK_HEADER_FLAG_LIMIT: u16 = 0x3FF;
const LENGTH_BITS: u32 = 22;
const LENGTH_MASK: u32 = (1 << LENGTH_BITS) - 1;
pub const PACK_HEADER_LEN: usize = 4;

/// The header for a body of `len` bytes.
pub fn pack_header(len: usize, flag: u16) -> [u8; 4] {
    (((flag as u32) << LENGTH_BITS) | (len as u32 & LENGTH_MASK)).to_le_bytes()
}

/// Why the PACK parser gave up on a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PackError {
    /// The header's flag is not the receiver's (EBADMSG).
    BadFlag,
    /// A zero length or one above the maximum (EMSGSIZE).
    BadLength,
    /// The application's OnReceive returned HR_ERROR.
    Cancelled,
}

impl PackError {
    pub fn errno(self) -> i32 {
        match self {
            PackError::BadFlag => libc::EBADMSG,
            PackError::BadLength => libc::EMSGSIZE,
            PackError::Cancelled => super::cancelled(),
        }
    }
}

/// A connection's PACK parsing state: the bytes of a frame that straddles reads.
#[derive(Default)]
pub struct PackParser {
    partial: Vec<u8>,
}

fn check_header(h: [u8; 4], max: u32, flag: u16) -> Result<usize, PackError> {
    let v = u32::from_le_bytes(h);
    let len = v & LENGTH_MASK;
    if flag != 0 && (v >> LENGTH_BITS) as u16 != flag {
        return Err(PackError::BadFlag);
    }
    if len == 0 || len > max {
        return Err(PackError::BadLength);
    }
    Ok(len as usize)
}

impl PackParser {
    /// Feeds one read's bytes; calls `deliver` with each whole body in order. `deliver`
    /// returns false to stop (HR_ERROR). `max` and `flag` are the receiver's settings
    /// (flag 0 = do not check).
    pub fn feed(&mut self, mut data: &[u8], max: u32, flag: u16, mut deliver: impl FnMut(&[u8]) -> bool) -> Result<(), PackError> {
        if !self.partial.is_empty() {
            if self.partial.len() < PACK_HEADER_LEN {
                let take = (PACK_HEADER_LEN - self.partial.len()).min(data.len());
                self.partial.extend_from_slice(&data[..take]);
                data = &data[take..];
                if self.partial.len() < PACK_HEADER_LEN {
                    return Ok(());
                }
            }
            let h = [self.partial[0], self.partial[1], self.partial[2], self.partial[3]];
            let len = check_header(h, max, flag)?;
            let whole = PACK_HEADER_LEN + len;
            self.partial.reserve_exact(whole - self.partial.len());
            let take = (whole - self.partial.len()).min(data.len());
            self.partial.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.partial.len() < whole {
                return Ok(());
            }
            let ok = deliver(&self.partial[PACK_HEADER_LEN..]);
            self.partial.clear();
            if self.partial.capacity() > 64 * 1024 {
                self.partial = Vec::new();
            }
            if !ok {
                return Err(PackError::Cancelled);
            }
        }
        while data.len() >= PACK_HEADER_LEN {
            let len = check_header([data[0], data[1], data[2], data[3]], max, flag)?;
            let whole = PACK_HEADER_LEN + len;
            if data.len() < whole {
                break;
            }
            if !deliver(&data[PACK_HEADER_LEN..whole]) {
                return Err(PackError::Cancelled);
            }
            data = &data[whole..];
        }
        if !data.is_empty() {
            if data.len() >= PACK_HEADER_LEN {
                let len = check_header([data[0], data[1], data[2], data[3]], max, flag)?;
                self.partial.reserve_exact(PACK_HEADER_LEN + len);
            }
            self.partial.extend_from_slice(data);
        }
        Ok(())
    }
}

/// Most bytes a PULL connection buffers before it stops reading until the application fetches.
pub const PULL_HIGH_WATER: usize = 4 * 1024 * 1024;

/// A PULL connection's received bytes, read by Fetch / Peek from any thread.
#[derive(Default)]
pub struct PullBuf {
    inner: Mutex<PullInner>,
    /// Set while the buffer is at its high-water mark: the connection does not read.
    pub full: AtomicBool,
}

#[derive(Default)]
struct PullInner {
    data: Vec<u8>,
    /// Bytes of `data` already fetched.
    start: usize,
}

/// The outcome of Fetch / Peek.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FetchResult {
    Ok,
    /// Fewer bytes are buffered than asked for.
    LengthTooLong,
}

impl PullBuf {
    /// Appends received bytes; returns the total now buffered.
    pub fn append(&self, bytes: &[u8]) -> usize {
        let mut g = self.inner.lock().unwrap();
        if g.start > 0 && g.start == g.data.len() {
            g.data.clear();
            g.start = 0;
        }
        g.data.extend_from_slice(bytes);
        let total = g.data.len() - g.start;
        if total >= PULL_HIGH_WATER {
            self.full.store(true, Ordering::Release);
        }
        total
    }

    pub fn len(&self) -> usize {
        let g = self.inner.lock().unwrap();
        g.data.len() - g.start
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Copies `out.len()` bytes out; removes them unless `peek`. Returns whether the buffer
    /// dropped below its high-water mark (the reader may resume).
    pub fn take(&self, out: &mut [u8], peek: bool) -> (FetchResult, bool) {
        // SAFETY: `[u8]` and `[MaybeUninit<u8>]` have the same layout, and `take_into` only
        // writes initialised bytes into it, so `out` stays initialised.
        let out = unsafe { &mut *(out as *mut [u8] as *mut [std::mem::MaybeUninit<u8>]) };
        self.take_into(out, peek)
    }

    /// As [`PullBuf::take`], into memory that need not be initialised (a C caller's buffer).
    pub fn take_into(&self, out: &mut [std::mem::MaybeUninit<u8>], peek: bool) -> (FetchResult, bool) {
        let mut g = self.inner.lock().unwrap();
        let have = g.data.len() - g.start;
        if out.len() > have {
            return (FetchResult::LengthTooLong, false);
        }
        let (s, n) = (g.start, out.len());
        for (d, b) in out.iter_mut().zip(&g.data[s..s + n]) {
            d.write(*b);
        }
        if peek {
            return (FetchResult::Ok, false);
        }
        g.start += out.len();
        if g.start == g.data.len() {
            g.data.clear();
            g.start = 0;
            if g.data.capacity() > 256 * 1024 {
                g.data = Vec::new();
            }
        } else if g.start > 64 * 1024 && g.start * 2 > g.data.len() {
            let s = g.start;
            g.data.drain(..s);
            g.start = 0;
        }
        let left = g.data.len() - g.start;
        let resumed = left < PULL_HIGH_WATER && self.full.swap(false, Ordering::AcqRel);
        (FetchResult::Ok, resumed)
    }

    /// Frees the buffer (the connection closed).
    pub fn clear(&self) {
        let mut g = self.inner.lock().unwrap();
        g.data = Vec::new();
        g.start = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &[u8], flag: u16) -> Vec<u8> {
        let mut v = pack_header(body.len(), flag).to_vec();
        v.extend_from_slice(body);
        v
    }

    /// A small deterministic generator (xorshift), so the property test needs no crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn parse_all(stream: &[u8], cuts: &[usize], max: u32, flag: u16) -> (Vec<Vec<u8>>, Result<(), PackError>) {
        let mut p = PackParser::default();
        let mut out = Vec::new();
        let mut at = 0;
        for &c in cuts.iter().chain(std::iter::once(&stream.len())) {
            let c = c.clamp(at, stream.len());
            if let Err(e) = p.feed(&stream[at..c], max, flag, |b| {
                out.push(b.to_vec());
                true
            }) {
                return (out, Err(e));
            }
            at = c;
        }
        (out, Ok(()))
    }

    #[test]
    fn header_layout_is_flag_above_22_bit_length_little_endian() {
        assert_eq!(pack_header(5, 0), [5, 0, 0, 0]);
        assert_eq!(pack_header(0x3F_FFFF, 0x3FF), [0xFF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(u32::from_le_bytes(pack_header(0x1234, 0x169)), (0x169 << 22) | 0x1234);
    }

    #[test]
    fn many_frames_in_one_read_and_one_frame_over_many() {
        let mut s = Vec::new();
        for i in 1..=1000usize {
            s.extend(frame(&vec![i as u8; i % 50 + 1], 0x169));
        }
        let (got, r) = parse_all(&s, &[], PACK_DEFAULT_MAX_SIZE, 0x169);
        r.unwrap();
        assert_eq!(got.len(), 1000);
        assert!(got.iter().enumerate().all(|(i, b)| b.len() == (i + 1) % 50 + 1 && b.iter().all(|&x| x == (i + 1) as u8)));
        // byte by byte
        let cuts: Vec<usize> = (1..s.len()).collect();
        let (got2, r) = parse_all(&s, &cuts, PACK_DEFAULT_MAX_SIZE, 0x169);
        r.unwrap();
        assert_eq!(got, got2);
    }

    #[test]
    fn bad_flag_and_bad_lengths_are_refused() {
        let s = frame(b"abc", 1);
        assert_eq!(parse_all(&s, &[], 100, 2).1, Err(PackError::BadFlag));
        assert!(parse_all(&s, &[], 100, 0).1.is_ok()); // flag 0: unchecked
        assert_eq!(parse_all(&[0, 0, 0, 0], &[2], 100, 0).1, Err(PackError::BadLength));
        let big = frame(&[7u8; 101], 0);
        assert_eq!(parse_all(&big, &[3], 100, 0).1, Err(PackError::BadLength));
        let exact = frame(&[7u8; 100], 0);
        assert_eq!(parse_all(&exact, &[3, 50], 100, 0).0.len(), 1);
    }

    #[test]
    fn arbitrary_bytes_at_arbitrary_splits_never_panic_and_valid_streams_round_trip() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for round in 0..2000 {
            let max = 1 + rng.below(5000) as u32;
            let flag = rng.below(4) as u16;
            let mut stream = Vec::new();
            let mut bodies = Vec::new();
            if round % 2 == 0 {
                for _ in 0..rng.below(20) {
                    let len = 1 + rng.below(max as u64) as usize;
                    let body: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                    stream.extend(frame(&body, flag));
                    bodies.push(body);
                }
            } else {
                stream = (0..rng.below(3000)).map(|_| rng.next() as u8).collect();
            }
            let mut cuts: Vec<usize> = (0..rng.below(30)).map(|_| rng.below(stream.len() as u64 + 1) as usize).collect();
            cuts.sort_unstable();
            let (got, r) = parse_all(&stream, &cuts, max, flag);
            if round % 2 == 0 {
                r.unwrap();
                assert_eq!(got, bodies);
            } else {
                // garbage: however it is split, the same frames and the same verdict
                let (whole, wr) = parse_all(&stream, &[], max, flag);
                assert_eq!(got, whole);
                assert_eq!(r, wr);
            }
        }
    }

    #[test]
    fn pull_buffer_fetch_peek_and_high_water() {
        let b = PullBuf::default();
        assert_eq!(b.append(b"hello "), 6);
        assert_eq!(b.append(b"world"), 11);
        let mut out = [0u8; 5];
        assert_eq!(b.take(&mut out, true).0, FetchResult::Ok);
        assert_eq!(&out, b"hello");
        assert_eq!(b.len(), 11);
        assert_eq!(b.take(&mut out, false).0, FetchResult::Ok);
        assert_eq!(&out, b"hello");
        let mut big = [0u8; 7];
        assert_eq!(b.take(&mut big, false).0, FetchResult::LengthTooLong);
        let mut rest = [0u8; 6];
        assert_eq!(b.take(&mut rest, false).0, FetchResult::Ok);
        assert_eq!(&rest, b" world");
        assert!(b.is_empty());
        b.append(&vec![1u8; PULL_HIGH_WATER]);
        assert!(b.full.load(Ordering::Acquire));
        let mut one = [0u8; 1];
        let (r, resumed) = b.take(&mut one, false);
        assert_eq!(r, FetchResult::Ok);
        assert!(resumed && !b.full.load(Ordering::Acquire));
    }
}
