//! The TLS security layer: an OpenSSL session driven over memory, sans-IO.
//!
//! OpenSSL reads the connection's ciphertext from an in-memory input and writes its records
//! to the caller's output buffer (the send queue's tail, under the send lock: see `send.rs`),
//! so the session never touches a socket and two threads' records never interleave. Contexts
//! (certificates, verification, SNI) are built by the caller (`ffi/ssl.rs`); this file only runs
//! sessions.

use super::stack::Security;
use foreign_types::ForeignTypeRef;
use openssl::ssl::{ErrorCode, Ssl, SslStream};
use std::io::{self, Read, Write};
use std::ffi::c_void;
use std::mem::MaybeUninit;
use std::os::raw::c_int;

/// The session's two channels: ciphertext waiting for OpenSSL, and where its records go.
#[derive(Default)]
struct Mem {
    input: Vec<u8>,
    pos: usize,
    /// Lent from the caller for one call (the send queue's tail), empty between calls.
    out: Vec<u8>,
}

impl Read for Mem {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let rest = &self.input[self.pos..];
        if rest.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        if self.pos == self.input.len() {
            self.input.clear();
            self.pos = 0;
        }
        Ok(n)
    }
}

impl Write for Mem {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Upstream's ERROR_INVALID_DATA for a broken record, handshake or alert.
const BROKEN: i32 = libc::EBADMSG;
/// Plaintext is read in steps of this much spare room.
const READ_STEP: usize = 16 * 1024;

/// One connection's TLS session.
pub struct TlsSession {
    s: SslStream<Mem>,
}

impl TlsSession {
    /// A session over `ssl` (made from the connection's context, its SNI name set by the
    /// caller), accepting or connecting.
    pub fn new(mut ssl: Ssl, accept: bool) -> Result<TlsSession, i32> {
        if accept {
            ssl.set_accept_state();
        } else {
            ssl.set_connect_state();
        }
        let s = SslStream::new(ssl, Mem::default()).map_err(|_| libc::ENOMEM)?;
        Ok(TlsSession { s })
    }

    /// Runs `f` with `out` lent to the session's output channel.
    fn with_out<R>(&mut self, out: &mut Vec<u8>, f: impl FnOnce(&mut SslStream<Mem>) -> R) -> R {
        self.s.get_mut().out = std::mem::take(out);
        let r = f(&mut self.s);
        *out = std::mem::take(&mut self.s.get_mut().out);
        r
    }

    fn handshake(s: &mut SslStream<Mem>) -> Result<(), i32> {
        match s.do_handshake() {
            Ok(()) => Ok(()),
            Err(e) if matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) => Ok(()),
            Err(_) => Err(BROKEN),
        }
    }
}

impl Security for TlsSession {
    fn start(&mut self, out: &mut Vec<u8>) -> Result<(), i32> {
        // A client writes its hello; a server waits for one.
        self.with_out(out, Self::handshake)
    }

    fn read(&mut self, cipher: &[u8], plain: &mut Vec<u8>, out: &mut Vec<u8>) -> Result<bool, i32> {
        self.s.get_mut().input.extend_from_slice(cipher);
        self.with_out(out, |s| {
            if !s.ssl().is_init_finished() {
                Self::handshake(s)?;
                if !s.ssl().is_init_finished() {
                    return Ok(false);
                }
            }
            loop {
                if plain.capacity() - plain.len() < READ_STEP {
                    plain.reserve(READ_STEP);
                }
                let spare: &mut [MaybeUninit<u8>] = plain.spare_capacity_mut();
                match s.ssl_read_uninit(spare) {
                    Ok(0) => return Ok(false),
                    Ok(n) => {
                        // SAFETY: ssl_read_uninit initialised the first `n` bytes of the spare
                        // capacity, and `n` is at most its length.
                        unsafe { plain.set_len(plain.len() + n) }
                    }
                    Err(e) => {
                        return match e.code() {
                            ErrorCode::WANT_READ | ErrorCode::WANT_WRITE => Ok(false),
                            ErrorCode::ZERO_RETURN => Ok(true),
                            _ => Err(BROKEN),
                        }
                    }
                }
            }
        })
    }

    fn write(&mut self, plain: &[&[u8]], out: &mut Vec<u8>) -> Result<(), i32> {
        self.with_out(out, |s| {
            for b in plain.iter().filter(|b| !b.is_empty()) {
                // The output channel never blocks: each write is taken whole.
                let mut done = 0;
                while done < b.len() {
                    match s.ssl_write(&b[done..]) {
                        Ok(n) => done += n,
                        Err(_) => return Err(BROKEN),
                    }
                }
            }
            Ok(())
        })
    }

    fn handshake_done(&self) -> bool {
        self.s.ssl().is_init_finished()
    }

    fn raw(&self) -> *mut std::ffi::c_void {
        self.s.ssl().as_ptr() as *mut std::ffi::c_void
    }
}

// OpenSSL functions whose results are handed to C as they are.
extern "C" {
    fn SSL_get_SSL_CTX(ssl: *const c_void) -> *mut c_void;
    fn SSL_CTX_get_ssl_method(ctx: *const c_void) -> *const c_void;
    fn SSL_CTX_get_ciphers(ctx: *const c_void) -> *mut c_void;
    fn SSL_CTX_get_cert_store(ctx: *const c_void) -> *mut c_void;
    fn SSL_get_servername_type(ssl: *const c_void) -> c_int;
    fn SSL_get_servername(ssl: *const c_void, ty: c_int) -> *const std::ffi::c_char;
    fn SSL_get_version(ssl: *const c_void) -> *const std::ffi::c_char;
    fn SSL_get_ssl_method(ssl: *const c_void) -> *const c_void;
    fn SSL_get_certificate(ssl: *const c_void) -> *mut c_void;
    fn SSL_get_privatekey(ssl: *const c_void) -> *mut c_void;
    fn SSL_get_current_cipher(ssl: *const c_void) -> *const c_void;
    fn SSL_get_ciphers(ssl: *const c_void) -> *mut c_void;
    fn SSL_get_client_ciphers(ssl: *const c_void) -> *mut c_void;
    fn SSL_get0_peer_certificate(ssl: *const c_void) -> *mut c_void;
    fn SSL_get_peer_cert_chain(ssl: *const c_void) -> *mut c_void;
    fn SSL_get0_verified_chain(ssl: *const c_void) -> *mut c_void;
    fn OPENSSL_thread_stop();
}

/// One item of a live session by upstream's `En_HP_SSLSessionInfo` numbering (0 the context,
/// 1 its method, 2 its ciphers, 3 its certificate store, 4 the server-name type, 5 the server
/// name, 6 the version string, 7 the method, 8 the certificate, 9 the private key, 10 the current
/// cipher, 11 the ciphers, 12 the client's ciphers, 13 the peer's certificate, 14 its chain, 15
/// the verified chain); pointers the session or its context owns, or NULL.
///
/// # Safety
/// `ssl` is a live `SSL*` (the connection's session, read under its send lock).
pub unsafe fn session_item(ssl: *mut c_void, item: c_int) -> *mut c_void {
    // SAFETY (every call below): `ssl` is live by the contract; each function only reads it or
    // its context and returns a pointer the session or context owns (or NULL).
    unsafe {
        let ctx = SSL_get_SSL_CTX(ssl);
        match item {
            0 => ctx,
            1 if !ctx.is_null() => SSL_CTX_get_ssl_method(ctx) as *mut c_void,
            2 if !ctx.is_null() => SSL_CTX_get_ciphers(ctx),
            3 if !ctx.is_null() => SSL_CTX_get_cert_store(ctx),
            4 => SSL_get_servername_type(ssl) as isize as *mut c_void,
            5 => {
                let ty = SSL_get_servername_type(ssl);
                if ty == -1 {
                    std::ptr::null_mut()
                } else {
                    SSL_get_servername(ssl, ty) as *mut c_void
                }
            }
            6 => SSL_get_version(ssl) as *mut c_void,
            7 => SSL_get_ssl_method(ssl) as *mut c_void,
            8 => SSL_get_certificate(ssl),
            9 => SSL_get_privatekey(ssl),
            10 => SSL_get_current_cipher(ssl) as *mut c_void,
            11 => SSL_get_ciphers(ssl),
            12 => SSL_get_client_ciphers(ssl),
            13 => SSL_get0_peer_certificate(ssl),
            14 => SSL_get_peer_cert_chain(ssl),
            15 => SSL_get0_verified_chain(ssl),
            _ => std::ptr::null_mut(),
        }
    }
}

/// Frees OpenSSL's state of the calling thread.
pub fn thread_stop() {
    // SAFETY: OPENSSL_thread_stop takes no arguments and only frees the calling thread's state.
    unsafe { OPENSSL_thread_stop() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::asn1::Asn1Time;
    use openssl::hash::MessageDigest;
    use openssl::pkey::PKey;
    use openssl::rsa::Rsa;
    use openssl::ssl::{SslContext, SslMethod, SslVerifyMode};
    use openssl::x509::{X509NameBuilder, X509};

    fn self_signed() -> (X509, PKey<openssl::pkey::Private>) {
        let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "localhost").unwrap();
        let name = name.build();
        let mut b = X509::builder().unwrap();
        b.set_version(2).unwrap();
        b.set_subject_name(&name).unwrap();
        b.set_issuer_name(&name).unwrap();
        b.set_pubkey(&key).unwrap();
        b.set_not_before(&Asn1Time::days_from_now(0).unwrap()).unwrap();
        b.set_not_after(&Asn1Time::days_from_now(1).unwrap()).unwrap();
        b.sign(&key, MessageDigest::sha256()).unwrap();
        (b.build(), key)
    }

    fn pair() -> (TlsSession, TlsSession) {
        let (cert, key) = self_signed();
        let mut sb = SslContext::builder(SslMethod::tls()).unwrap();
        sb.set_certificate(&cert).unwrap();
        sb.set_private_key(&key).unwrap();
        let sctx = sb.build();
        let mut cb = SslContext::builder(SslMethod::tls()).unwrap();
        cb.set_verify(SslVerifyMode::NONE);
        let cctx = cb.build();
        (TlsSession::new(Ssl::new(&cctx).unwrap(), false).unwrap(), TlsSession::new(Ssl::new(&sctx).unwrap(), true).unwrap())
    }

    /// Moves bytes both ways until neither side has anything to say; returns the plaintext
    /// each side received.
    fn pump(c: &mut TlsSession, s: &mut TlsSession, mut to_s: Vec<u8>) -> (Vec<u8>, Vec<u8>) {
        let (mut pc, mut ps) = (Vec::new(), Vec::new());
        for _ in 0..20 {
            let mut to_c = Vec::new();
            s.read(&to_s, &mut ps, &mut to_c).unwrap();
            to_s = Vec::new();
            c.read(&to_c, &mut pc, &mut to_s).unwrap();
            if to_s.is_empty() && to_c.is_empty() {
                break;
            }
        }
        (pc, ps)
    }

    #[test]
    fn a_session_pair_handshakes_and_carries_data_both_ways() {
        let (mut c, mut s) = pair();
        let mut hello = Vec::new();
        c.start(&mut hello).unwrap();
        assert!(!hello.is_empty() && hello[0] == 22, "a ClientHello record");
        s.start(&mut Vec::new()).unwrap();
        pump(&mut c, &mut s, hello);
        assert!(c.handshake_done() && s.handshake_done());
        let mut rec = Vec::new();
        c.write(&[b"hello ", b"", b"world"], &mut rec).unwrap();
        let (_, ps) = pump(&mut c, &mut s, rec);
        assert_eq!(ps, b"hello world");
        // A large write: many records, all read back.
        let big: Vec<u8> = (0..300_000u32).map(|i| i as u8).collect();
        let mut rec = Vec::new();
        s.write(&[&big], &mut rec).unwrap();
        let mut pc = Vec::new();
        // fed in odd pieces
        for piece in rec.chunks(777) {
            c.read(piece, &mut pc, &mut Vec::new()).unwrap();
        }
        assert_eq!(pc, big);
        assert!(!c.raw().is_null());
    }

    #[test]
    fn garbage_is_refused_and_close_notify_ends_the_session() {
        let (_, mut s) = pair();
        assert_eq!(s.read(b"GET / HTTP/1.1\r\n\r\n", &mut Vec::new(), &mut Vec::new()), Err(BROKEN));
        let (mut c, mut s) = pair();
        let mut hello = Vec::new();
        c.start(&mut hello).unwrap();
        pump(&mut c, &mut s, hello);
        let mut bye = Vec::new();
        c.write(&[b"last"], &mut bye).unwrap();
        c.with_out(&mut bye, |st| {
            let _ = st.shutdown();
        });
        let mut ps = Vec::new();
        assert_eq!(s.read(&bye, &mut ps, &mut Vec::new()), Ok(true));
        assert_eq!(ps, b"last");
    }
}
