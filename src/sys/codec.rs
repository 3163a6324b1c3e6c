//! Base64 and URL encoding with upstream's exact output and bounds.
#![deny(unsafe_op_in_unsafe_fn)]

use super::{BUF_ERROR, DATA_ERROR, OK};

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode_bound(n: u32) -> u32 {
    ((n as u64).div_ceil(3) * 4) as u32
}

/// Decoded length from the encoded text's length and its trailing '=' signs.
pub fn base64_decode_bound(src: &[u8]) -> u32 {
    let mut n = src.len();
    if n < 2 {
        return 0;
    }
    if src[n - 2] == b'=' {
        n -= 2;
    } else if src[n - 1] == b'=' {
        n -= 1;
    }
    let extra = match n % 4 {
        2 => 1,
        3 => 2,
        _ => 0,
    };
    (3 * (n / 4) + extra) as u32
}

/// Encodes into `dest`; returns (code, length). A NUL follows the text when there is room.
pub fn base64_encode(src: &[u8], dest: Option<&mut [u8]>) -> (i32, u32) {
    let need = base64_encode_bound(src.len() as u32);
    let Some(dest) = dest.filter(|d| d.len() >= need as usize) else { return (BUF_ERROR, need) };
    let mut o = 0;
    for ch in src.chunks(3) {
        let b0 = ch[0];
        let b1 = *ch.get(1).unwrap_or(&0);
        let b2 = *ch.get(2).unwrap_or(&0);
        dest[o] = B64[(b0 >> 2) as usize];
        dest[o + 1] = B64[(((b0 & 3) << 4) | (b1 >> 4)) as usize];
        dest[o + 2] = if ch.len() > 1 { B64[(((b1 & 0xF) << 2) | (b2 >> 6)) as usize] } else { b'=' };
        dest[o + 3] = if ch.len() > 2 { B64[(b2 & 0x3F) as usize] } else { b'=' };
        o += 4;
    }
    if dest.len() > o {
        dest[o] = 0;
    }
    (OK, need)
}

/// Decodes; CR, LF and space are skipped, anything else outside the alphabet is an error.
pub fn base64_decode(src: &[u8], dest: Option<&mut [u8]>) -> (i32, u32) {
    let need = base64_decode_bound(src);
    let Some(dest) = dest.filter(|d| d.len() >= need as usize) else { return (BUF_ERROR, need) };
    let value = |c: u8| -> Option<Option<u8>> {
        // Some(Some(v)): a digit; Some(None): skipped; None: invalid
        match c {
            b'A'..=b'Z' => Some(Some(c - b'A')),
            b'a'..=b'z' => Some(Some(c - b'a' + 26)),
            b'0'..=b'9' => Some(Some(c - b'0' + 52)),
            b'+' => Some(Some(62)),
            b'/' => Some(Some(63)),
            b'\r' | b'\n' | b' ' => Some(None),
            _ => None,
        }
    };
    let (mut acc, mut k, mut pad, mut o) = (0u32, 0u32, 0u32, 0usize);
    let mut i = 0;
    while i < src.len() || k != 0 {
        let v = if i < src.len() {
            let c = src[i];
            i += 1;
            if c == b'=' {
                pad += 1;
                0
            } else {
                match value(c) {
                    Some(Some(v)) => v as u32,
                    Some(None) => continue,
                    None => return (DATA_ERROR, 0),
                }
            }
        } else {
            // the input stopped inside a quantum: pad it
            pad += 1;
            0
        };
        acc = (acc << 6) | v;
        k += 1;
        if k == 4 {
            let bytes = [(acc >> 16) as u8, (acc >> 8) as u8, acc as u8];
            let keep = 3usize.saturating_sub(pad.min(2) as usize);
            for &b in &bytes[..keep] {
                if o >= dest.len() {
                    return (DATA_ERROR, 0);
                }
                dest[o] = b;
                o += 1;
            }
            acc = 0;
            k = 0;
        }
    }
    if o != need as usize {
        return (DATA_ERROR, 0);
    }
    if dest.len() > o {
        dest[o] = 0;
    }
    (OK, need)
}

fn url_safe(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b'*')
}

pub fn url_encode_bound(src: &[u8]) -> u32 {
    src.iter().map(|&c| if url_safe(c) || c == b' ' { 1u32 } else { 3 }).sum()
}

pub fn url_decode_bound(src: &[u8]) -> u32 {
    let (mut i, mut pct) = (0usize, 0u32);
    while i < src.len() {
        if src[i] == b'%' {
            pct += 1;
            i += 2;
        }
        i += 1;
    }
    (src.len() as u32).saturating_sub(pct * 2)
}

/// URL-encodes as upstream: alphanumerics and `.-_*` kept, space as '+', the rest as %XX
/// (upper case). Returns (code, length); on a short buffer the length needed.
pub fn url_encode(src: &[u8], dest: Option<&mut [u8]>) -> (i32, u32) {
    let need = url_encode_bound(src);
    let Some(dest) = dest.filter(|d| d.len() >= need as usize && !d.is_empty()) else { return (BUF_ERROR, need) };
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut o = 0;
    for &c in src {
        if url_safe(c) {
            dest[o] = c;
            o += 1;
        } else if c == b' ' {
            dest[o] = b'+';
            o += 1;
        } else {
            dest[o] = b'%';
            dest[o + 1] = HEX[(c >> 4) as usize];
            dest[o + 2] = HEX[(c & 0xF) as usize];
            o += 3;
        }
    }
    if dest.len() > o {
        dest[o] = 0;
    }
    (OK, o as u32)
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|v| v as u8)
}

/// URL-decodes: '+' is a space, %XX a byte; a '%' without two hex digits is bad data.
pub fn url_decode(src: &[u8], dest: Option<&mut [u8]>) -> (i32, u32) {
    let need = url_decode_bound(src);
    let Some(dest) = dest.filter(|d| d.len() >= need as usize && !d.is_empty()) else { return (BUF_ERROR, need) };
    let (mut i, mut o) = (0usize, 0usize);
    while i < src.len() {
        let c = src[i];
        let b = match c {
            b'+' => b' ',
            b'%' => {
                let (Some(h), Some(l)) = (src.get(i + 1).and_then(|&x| hex(x)), src.get(i + 2).and_then(|&x| hex(x))) else {
                    return (DATA_ERROR, 0);
                };
                i += 2;
                (h << 4) | l
            }
            _ => c,
        };
        if o >= dest.len() {
            return (DATA_ERROR, 0);
        }
        dest[o] = b;
        o += 1;
        i += 1;
    }
    if dest.len() > o {
        dest[o] = 0;
    }
    (OK, o as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &[u8]) -> Vec<u8> {
        let mut d = vec![0u8; base64_encode_bound(s.len() as u32) as usize];
        assert_eq!(base64_encode(s, Some(&mut d)).0, OK);
        d
    }

    #[test]
    fn base64_known_answers_and_round_trips() {
        for (plain, coded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")] {
            assert_eq!(enc(plain.as_bytes()), coded.as_bytes());
            let mut d = vec![0u8; base64_decode_bound(coded.as_bytes()) as usize];
            let (rc, n) = base64_decode(coded.as_bytes(), Some(&mut d));
            if !coded.is_empty() {
                assert_eq!(rc, OK, "{coded}");
                assert_eq!(&d[..n as usize], plain.as_bytes());
            }
        }
        let all: Vec<u8> = (0..=255u8).collect();
        let e = enc(&all);
        let mut d = vec![0u8; 300];
        let (rc, n) = base64_decode(&e, Some(&mut d));
        assert_eq!((rc, &d[..n as usize]), (OK, &all[..]));
        assert_eq!(base64_decode(b"Zm9v!", Some(&mut d)).0, DATA_ERROR);
        assert_eq!(base64_encode(b"foo", Some(&mut [0u8; 3])), (BUF_ERROR, 4));
    }

    #[test]
    fn url_known_answers() {
        let mut d = [0u8; 64];
        let (rc, n) = url_encode(b"a b&c=d/\xe4", Some(&mut d));
        assert_eq!((rc, &d[..n as usize]), (OK, &b"a+b%26c%3Dd%2F%E4"[..]));
        let src = b"a+b%26c%3dd";
        let (rc, n) = url_decode(src, Some(&mut d));
        assert_eq!((rc, &d[..n as usize]), (OK, &b"a b&c=d"[..]));
        assert_eq!(url_decode(b"abc%4", Some(&mut d)).0, DATA_ERROR);
        assert_eq!(url_decode(b"%zz", Some(&mut d)).0, DATA_ERROR);
        assert_eq!(url_encode(b"&&", Some(&mut [0u8; 5])), (BUF_ERROR, 6));
    }
}
