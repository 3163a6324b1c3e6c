//! The SSL family (`HPSocket4C-SSL.h`): SSL Server/Agent/Client with their PULL and PACK forms,
//! the HTTPS components, their contexts, SNI and session information.
//!
//! An SSL component is its plain counterpart made secure at creation: every `HP_Server_*`,
//! `HP_Agent_*`, `HP_Client_*`, `HP_TcpPull*`, `HP_TcpPack*` and `HP_Http*` function works on it
//! as upstream's inheritance makes it. Its contexts live in [`SslSettings`]; once a context is
//! set up, the component's connections get a TLS session (`engine/tls.rs`) from it.
//!
//! Pointers handed out: `GetSSLSessionInfo` gives OpenSSL's own objects, borrowed from the
//! connection's session: valid while that connection lives (until its OnClose returns), not to
//! be freed. `GetSSLCipherList` gives the component's string, valid until the next
//! `SetSSLCipherList` or its Destroy.
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_camel_case_types, non_snake_case, clippy::missing_safety_doc, clippy::too_many_arguments)]

use super::guard::{guard, set_errno};
use super::handles::*;
use super::listener::ListenerKind;
use super::tcp::{self, ComponentObj};
use super::types::*;
use crate::engine::component::Role;
use crate::engine::conn::Conn;
use crate::engine::recv::Model;
use crate::engine::stack::{Security, SecurityFactory};
use crate::engine::tls::TlsSession;
use openssl::pkey::{PKey, Private};
use openssl::ssl::{NameType, SniError, Ssl, SslContext, SslContextBuilder, SslMethod, SslVerifyMode};
use openssl::stack::Stack;
use openssl::x509::{X509Name, X509};
use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::os::raw::c_int;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, RwLock, Weak};

// The SSL components' handle types: `HP_Object`s, as every handle.
pub type HP_SSLServer = HP_Object;
pub type HP_SSLAgent = HP_Object;
pub type HP_SSLClient = HP_Object;
pub type HP_SSLPullServer = HP_Object;
pub type HP_SSLPullAgent = HP_Object;
pub type HP_SSLPullClient = HP_Object;
pub type HP_SSLPackServer = HP_Object;
pub type HP_SSLPackAgent = HP_Object;
pub type HP_SSLPackClient = HP_Object;
pub type HP_HttpsServer = HP_Object;
pub type HP_HttpsAgent = HP_Object;
pub type HP_HttpsClient = HP_Object;
pub type HP_HttpsSyncClient = HP_Object;

const FALSE: BOOL = 0;
const TRUE: BOOL = 1;

/// Upstream's cipher list for a new context.
const DEFAULT_CIPHERS: &str = "ALL:!aNULL:!eNULL";

/// An SSL component's contexts and settings.
pub struct SslSettings {
    server: bool,
    /// The component's handle: the `pContext` an SNI callback receives.
    handle: usize,
    state: RwLock<SslState>,
}

struct SslState {
    /// Index 0 is the default context; a server's SNI contexts follow.
    contexts: Vec<SslContext>,
    /// Server names bound to context indices (BindSSLServerName).
    names: HashMap<String, c_int>,
    callback: HP_Fn_SNI_ServerNameCallback,
    ciphers: CString,
}

/// Where a context's certificate, key and CA come from.
enum Source<'a> {
    Files { cert: Option<&'a str>, key: Option<&'a str>, password: Option<&'a [u8]>, ca: Option<&'a str> },
    Memory { cert: Option<&'a [u8]>, key: Option<&'a [u8]>, password: Option<&'a [u8]>, ca: Option<&'a [u8]> },
}

impl SslSettings {
    fn new(server: bool, handle: usize) -> SslSettings {
        SslSettings {
            server,
            handle,
            state: RwLock::new(SslState { contexts: Vec::new(), names: HashMap::new(), callback: None, ciphers: CString::new(DEFAULT_CIPHERS).unwrap_or_default() }),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, SslState> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, SslState> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Builds one context; Err(errno) as upstream's setup sets it.
    fn build(self: &Arc<Self>, verify: c_int, src: &Source<'_>, with_sni: bool) -> Result<SslContext, i32> {
        let mut b = SslContextBuilder::new(SslMethod::tls()).map_err(|_| libc::EFAULT)?;
        b.set_verify(SslVerifyMode::from_bits_truncate(verify));
        let ciphers = self.read().ciphers.clone();
        b.set_cipher_list(ciphers.to_str().unwrap_or(DEFAULT_CIPHERS)).map_err(|_| libc::EINVAL)?;
        if self.server {
            static SESSION_ID_CONTEXT: AtomicU32 = AtomicU32::new(0);
            let id = SESSION_ID_CONTEXT.fetch_add(1, Ordering::Relaxed) + 1;
            b.set_session_id_context(&id.to_ne_bytes()).map_err(|_| libc::EFAULT)?;
        }
        match *src {
            Source::Files { cert, key, password, ca } => load_files(&mut b, self.server, verify, cert, key, password, ca)?,
            Source::Memory { cert, key, password, ca } => load_memory(&mut b, self.server, verify, cert, key, password, ca)?,
        }
        if with_sni {
            let me = Arc::downgrade(self);
            b.set_servername_callback(move |ssl, _alert| server_name(&me, ssl));
        }
        Ok(b.build())
    }

    /// The factory of the component's connections' sessions.
    fn factory(self: &Arc<Self>) -> SecurityFactory {
        let me = self.clone();
        Arc::new(move |conn: &Conn, accept: bool| {
            let st = me.read();
            let ctx = st.contexts.first().ok_or(libc::EPERM)?;
            let mut ssl = Ssl::new(ctx).map_err(|_| libc::ENOMEM)?;
            if !accept {
                // SNI with the host connected to, unless it is an address (upstream's issue 146:
                // TLS 1.3 servers refuse a hello without it).
                if let Some(host) = conn.remote_host.as_deref().filter(|h| !h.is_empty() && h.parse::<std::net::IpAddr>().is_err()) {
                    ssl.set_hostname(host).map_err(|_| libc::EINVAL)?;
                }
            }
            Ok(Box::new(TlsSession::new(ssl, accept)?) as Box<dyn Security>)
        })
    }
}

/// The server-name callback of a server's default context: the application's callback (or
/// the default one) picks the context.
fn server_name(me: &Weak<SslSettings>, ssl: &mut openssl::ssl::SslRef) -> Result<(), SniError> {
    let Some(me) = me.upgrade() else { return Ok(()) };
    let Some(name) = ssl.servername(NameType::HOST_NAME).and_then(|n| CString::new(n).ok()) else { return Err(SniError::NOACK) };
    // Called without the lock: the callback may call HP_SSL_DefaultServerNameCallback.
    let callback = me.read().callback;
    let index = match callback {
        // SAFETY: the application's SNI callback, called with a NUL-terminated name that lives
        // for the call and the component's handle as its context, as upstream's contract says.
        Some(f) => unsafe { f(name.as_ptr(), me.handle as PVOID) },
        None => default_index(&me, name.to_str().unwrap_or("")),
    };
    if index == 0 {
        return Ok(());
    }
    if index < 0 {
        return Err(SniError::ALERT_FATAL);
    }
    let st = me.read();
    let ctx = st.contexts.get(index as usize).ok_or(SniError::ALERT_FATAL)?;
    ssl.set_ssl_context(ctx).map_err(|_| SniError::ALERT_FATAL)
}

/// The default SNI choice: the context bound to the full name, else to each parent domain in
/// turn (`a.b.example.com`, `b.example.com`, `example.com`); 0 (the default) when none is.
fn default_index(me: &SslSettings, name: &str) -> c_int {
    let st = me.read();
    if st.names.is_empty() {
        return 0;
    }
    let name = name.to_ascii_lowercase();
    let mut rest = name.as_str();
    while let Some(dot) = rest.find('.') {
        if let Some(&i) = st.names.get(rest) {
            return i;
        }
        rest = &rest[dot + 1..];
    }
    0
}

fn kind_of(path: &str) -> Result<std::fs::Metadata, i32> {
    std::fs::metadata(path).map_err(|_| libc::ENOENT)
}

fn private_key(pem: &[u8], password: Option<&[u8]>) -> Result<PKey<Private>, i32> {
    // Never OpenSSL's default pass-phrase prompt: no password is an empty one.
    PKey::private_key_from_pem_callback(pem, |buf| {
        let p = password.unwrap_or(b"");
        if p.len() > buf.len() {
            return Ok(0);
        }
        buf[..p.len()].copy_from_slice(p);
        Ok(p.len())
    })
    .map_err(|_| libc::EACCES)
}

/// Upstream's LoadCertAndKeyByFile, with its error numbers.
fn load_files(b: &mut SslContextBuilder, server: bool, verify: c_int, cert: Option<&str>, key: Option<&str>, password: Option<&[u8]>, ca: Option<&str>) -> Result<(), i32> {
    if let Some(ca) = ca.filter(|s| !s.is_empty()) {
        let m = kind_of(ca)?;
        let (file, dir) = if m.is_file() {
            (Some(ca), None)
        } else if m.is_dir() {
            (None, Some(ca))
        } else {
            return Err(libc::EBADF);
        };
        b.load_verify_locations(file.map(std::path::Path::new), dir.map(std::path::Path::new)).map_err(|_| libc::EBADMSG)?;
        b.set_default_verify_paths().map_err(|_| libc::EFAULT)?;
        if server && verify & 1 != 0 {
            if let Some(file) = file {
                let names = X509Name::load_client_ca_file(file).map_err(|_| libc::ENODATA)?;
                b.set_client_ca_list(names);
            }
        }
    }
    if let Some(cert) = cert.filter(|s| !s.is_empty()) {
        if !kind_of(cert)?.is_file() {
            return Err(libc::ENOENT);
        }
        let key = key.filter(|s| !s.is_empty()).ok_or(libc::EINVAL)?;
        if !kind_of(key)?.is_file() {
            return Err(libc::ENOENT);
        }
        let pem = std::fs::read(key).map_err(|_| libc::ENOENT)?;
        let pkey = private_key(&pem, password)?;
        b.set_private_key(&pkey).map_err(|_| libc::EACCES)?;
        b.set_certificate_chain_file(cert).map_err(|_| libc::EBADMSG)?;
        b.check_private_key().map_err(|_| libc::EACCES)?;
    }
    Ok(())
}

/// Upstream's LoadCertAndKeyByMemory, with its error numbers.
fn load_memory(b: &mut SslContextBuilder, server: bool, verify: c_int, cert: Option<&[u8]>, key: Option<&[u8]>, password: Option<&[u8]>, ca: Option<&[u8]>) -> Result<(), i32> {
    if let Some(ca) = ca.filter(|s| !s.is_empty()) {
        let certs = X509::stack_from_pem(ca).map_err(|_| libc::ENODATA)?;
        if certs.is_empty() {
            return Err(libc::ENODATA);
        }
        for c in &certs {
            b.cert_store_mut().add_cert(c.clone()).map_err(|_| libc::EBADMSG)?;
        }
        b.set_default_verify_paths().map_err(|_| libc::EFAULT)?;
        if server && verify & 1 != 0 {
            let mut names = Stack::new().map_err(|_| libc::EMFILE)?;
            let mut seen: Vec<Vec<u8>> = Vec::new();
            for c in &certs {
                let der = c.subject_name().to_der().map_err(|_| libc::ENODATA)?;
                if seen.contains(&der) {
                    continue;
                }
                names.push(X509Name::from_der(&der).map_err(|_| libc::ENODATA)?).map_err(|_| libc::EFAULT)?;
                seen.push(der);
            }
            b.set_client_ca_list(names);
        }
    }
    if let Some(cert) = cert.filter(|s| !s.is_empty()) {
        let key = key.filter(|s| !s.is_empty()).ok_or(libc::EINVAL)?;
        let pkey = private_key(key, password)?;
        b.set_private_key(&pkey).map_err(|_| libc::EBADMSG)?;
        let mut chain = X509::stack_from_pem(cert).map_err(|_| libc::ENODATA)?.into_iter();
        let leaf = chain.next().ok_or(libc::ENODATA)?;
        b.set_certificate(&leaf).map_err(|_| libc::EBADMSG)?;
        for c in chain {
            b.add_extra_chain_cert(c).map_err(|_| libc::EFAULT)?;
        }
        b.check_private_key().map_err(|_| libc::EACCES)?;
    }
    Ok(())
}

// ---- handles ----

/// The SSL component of `role` behind `p` and its settings; errno EINVAL for anything else.
fn ssl_obj<'a>(p: PVOID, role: Role) -> Option<(&'a ComponentObj, &'a Arc<SslSettings>)> {
    match tcp::obj(p, role).and_then(|o| o.ssl.get().map(|s| (o, s))) {
        Some(x) => Some(x),
        None => {
            set_errno(libc::EINVAL);
            None
        }
    }
}

/// Makes the component behind `h` (just created) an SSL one.
fn make_secure(h: PVOID, role: Role) -> PVOID {
    if let Some(o) = tcp::obj(h, role) {
        o.comp.set_secure();
        let _ = o.ssl.set(Arc::new(SslSettings::new(role == Role::Server, h as usize)));
    }
    h
}

fn create(l: PVOID, role: Role, model: Model) -> PVOID {
    make_secure(tcp::create_model(l, role, model), role)
}

fn create_https(l: PVOID, role: Role, kind: ListenerKind) -> PVOID {
    make_secure(tcp::create_http(l, role, kind), role)
}

// ---- setup ----

/// SetupSSLContext[ByMemory]: the default context. FALSE with errno: EPERM when one is set
/// already or the component is not stopped, else the loading error (ENOENT a missing file,
/// EBADF neither file nor directory, EINVAL a certificate without its key, EACCES a bad key or
/// password, EBADMSG bad PEM data, ENODATA no certificate in the text).
fn setup(p: PVOID, role: Role, verify: c_int, src: Source<'_>, callback: HP_Fn_SNI_ServerNameCallback) -> BOOL {
    let Some((o, st)) = ssl_obj(p, role) else { return FALSE };
    if o.comp.state() != crate::engine::State::Stopped || !st.read().contexts.is_empty() {
        set_errno(libc::EPERM);
        return FALSE;
    }
    match st.build(verify, &src, st.server) {
        Ok(ctx) => {
            {
                let mut w = st.write();
                w.contexts = vec![ctx];
                w.callback = callback;
            }
            if !o.comp.set_security(Some(st.factory())) {
                st.write().contexts.clear();
                set_errno(libc::EPERM);
                return FALSE;
            }
            TRUE
        }
        Err(e) => {
            set_errno(e);
            FALSE
        }
    }
}

/// AddSSLContext[ByMemory]: an SNI context; its index (>= 1), or -1 with errno (EPERM before
/// SetupSSLContext, else as `setup`).
fn add_context(p: PVOID, verify: c_int, src: Source<'_>) -> c_int {
    let Some((_, st)) = ssl_obj(p, Role::Server) else { return -1 };
    if st.read().contexts.is_empty() {
        set_errno(libc::EPERM);
        return -1;
    }
    match st.build(verify, &src, false) {
        Ok(ctx) => {
            let mut w = st.write();
            w.contexts.push(ctx);
            (w.contexts.len() - 1) as c_int
        }
        Err(e) => {
            set_errno(e);
            -1
        }
    }
}

fn cleanup(p: PVOID, role: Role) {
    let Some((o, st)) = ssl_obj(p, role) else { return };
    // As the other settings: only while stopped.
    if !o.comp.set_security(None) {
        set_errno(libc::EPERM);
        return;
    }
    let mut w = st.write();
    w.contexts.clear();
    w.names.clear();
    w.callback = None;
}

/// The strings of a file-based setup.
///
/// # Safety
/// Each pointer is NULL or a NUL-terminated string readable for the call.
unsafe fn files<'a>(cert: LPCTSTR, key: LPCTSTR, password: LPCTSTR, ca: LPCTSTR) -> Option<Source<'a>> {
    // SAFETY: the caller's contract, passed on.
    let s = |p| unsafe { tcp::opt_str(p) }.ok();
    // SAFETY: as above.
    let pw = (!password.is_null()).then(|| unsafe { CStr::from_ptr(password) }.to_bytes());
    Some(Source::Files { cert: s(cert)?, key: s(key)?, password: pw, ca: s(ca)? })
}

/// The PEM texts of a memory-based setup.
///
/// # Safety
/// Each pointer is NULL or a NUL-terminated string readable for the call.
unsafe fn memory<'a>(cert: LPCSTR, key: LPCSTR, password: LPCSTR, ca: LPCSTR) -> Source<'a> {
    // SAFETY: the caller's contract, passed on.
    let b = |p: LPCSTR| (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_bytes());
    Source::Memory { cert: b(cert), key: b(key), password: b(password), ca: b(ca) }
}

fn start_handshake(p: PVOID, role: Role, id: Option<HP_CONNID>) -> BOOL {
    let Some((o, _)) = ssl_obj(p, role) else { return FALSE };
    let id = id.unwrap_or_else(|| o.comp.client_conn_id());
    match o.comp.start_security(id) {
        Ok(()) => TRUE,
        Err(e) => {
            set_errno(e);
            FALSE
        }
    }
}

fn set_auto(p: PVOID, role: Role, auto: BOOL) {
    if let Some((o, _)) = ssl_obj(p, role) {
        if !o.comp.set_security_auto(auto != 0) {
            set_errno(libc::EPERM);
        }
    }
}

fn is_auto(p: PVOID, role: Role) -> BOOL {
    ssl_obj(p, role).map_or(FALSE, |(o, _)| tcp::bool_of(o.comp.security_auto()))
}

/// # Safety
/// `list` is NULL or a NUL-terminated string readable for the call.
unsafe fn set_ciphers(p: PVOID, role: Role, list: LPCTSTR) {
    let Some((_, st)) = ssl_obj(p, role) else { return };
    if list.is_null() {
        set_errno(libc::EINVAL);
        return;
    }
    // SAFETY: non-NULL, so a NUL-terminated string readable for the call (the contract above).
    st.write().ciphers = unsafe { CStr::from_ptr(list) }.to_owned();
}

fn get_ciphers(p: PVOID, role: Role) -> LPCTSTR {
    // The string lives in the settings until the next SetSSLCipherList (module docs).
    ssl_obj(p, role).map_or(std::ptr::null(), |(_, st)| st.read().ciphers.as_ptr())
}

/// GetSSLSessionInfo: TRUE with `*out` set (NULL when the item has no value); FALSE with EINVAL
/// for an item out of range or a NULL `out`, EBADSLT an unknown connection (EPERM for a client
/// without one), EPERM a connection without a session (auto handshake off, not started).
///
/// # Safety
/// `out` is NULL or writable.
unsafe fn session_info(p: PVOID, role: Role, id: Option<HP_CONNID>, item: SSLSessionInfoArg, out: *mut LPVOID) -> BOOL {
    let Some((o, _)) = ssl_obj(p, role) else { return FALSE };
    if out.is_null() {
        set_errno(libc::EINVAL);
        return FALSE;
    }
    // SAFETY: `out` is non-NULL and writable (the contract above).
    unsafe { *out = std::ptr::null_mut() };
    if !(0..=15).contains(&item.0) {
        set_errno(libc::EINVAL);
        return FALSE;
    }
    let id = id.unwrap_or_else(|| o.comp.client_conn_id());
    // SAFETY: the session's SSL* is live for the closure: under the send lock, or inside the
    // session's own read (a call from the SNI callback), on this thread.
    match o.comp.with_security_raw(id, |raw| unsafe { crate::engine::tls::session_item(raw, item.0) }) {
        Ok(Some(v)) => {
            // SAFETY: as above.
            unsafe { *out = v };
            TRUE
        }
        Ok(None) => {
            set_errno(libc::EPERM);
            FALSE
        }
        Err(e) => {
            set_errno(e);
            FALSE
        }
    }
}

// ---- exports: creation ----

/// Creates an SSL server (a TcpServer over TLS) with the listener; NULL with errno EINVAL for a
/// bad listener. It starts only after SetupSSLContext.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_SSLServer(pListener: HP_TcpServerListener) -> HP_SSLServer {
    guard(|| create(pListener, Role::Server, Model::Push))
}
/// Creates an SSL agent (a TcpAgent over TLS); NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_SSLAgent(pListener: HP_TcpAgentListener) -> HP_SSLAgent {
    guard(|| create(pListener, Role::Agent, Model::Push))
}
/// Creates an SSL client (a TcpClient over TLS); NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_SSLClient(pListener: HP_TcpClientListener) -> HP_SSLClient {
    guard(|| create(pListener, Role::Client, Model::Push))
}
/// Creates an SSL PULL server; NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_SSLPullServer(pListener: HP_TcpPullServerListener) -> HP_SSLPullServer {
    guard(|| create(pListener, Role::Server, Model::Pull))
}
/// Creates an SSL PULL agent; NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_SSLPullAgent(pListener: HP_TcpPullAgentListener) -> HP_SSLPullAgent {
    guard(|| create(pListener, Role::Agent, Model::Pull))
}
/// Creates an SSL PULL client; NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_SSLPullClient(pListener: HP_TcpPullClientListener) -> HP_SSLPullClient {
    guard(|| create(pListener, Role::Client, Model::Pull))
}
/// Creates an SSL PACK server; NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_SSLPackServer(pListener: HP_TcpServerListener) -> HP_SSLPackServer {
    guard(|| create(pListener, Role::Server, Model::Pack))
}
/// Creates an SSL PACK agent; NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_SSLPackAgent(pListener: HP_TcpAgentListener) -> HP_SSLPackAgent {
    guard(|| create(pListener, Role::Agent, Model::Pack))
}
/// Creates an SSL PACK client; NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_SSLPackClient(pListener: HP_TcpClientListener) -> HP_SSLPackClient {
    guard(|| create(pListener, Role::Client, Model::Pack))
}

/// Stops the server if needed, waits for its callbacks and frees it. A handle not made by
/// Create_HP_SSLServer: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_SSLServer(pServer: HP_SSLServer) {
    guard(|| tcp::destroy(pServer, Role::Server, tcp::Class::Ssl))
}
/// Stops the agent if needed, waits for its callbacks and frees it. A handle not made by
/// Create_HP_SSLAgent: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_SSLAgent(pAgent: HP_SSLAgent) {
    guard(|| tcp::destroy(pAgent, Role::Agent, tcp::Class::Ssl))
}
/// Stops the client if needed, waits for its callbacks and frees it. A handle not made by
/// Create_HP_SSLClient: errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_SSLClient(pClient: HP_SSLClient) {
    guard(|| tcp::destroy(pClient, Role::Client, tcp::Class::Ssl))
}
/// Destroys an SSL PULL server (as Destroy_HP_SSLServer).
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_SSLPullServer(pServer: HP_SSLPullServer) {
    guard(|| tcp::destroy(pServer, Role::Server, tcp::Class::SslPull))
}
/// Destroys an SSL PULL agent (as Destroy_HP_SSLAgent).
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_SSLPullAgent(pAgent: HP_SSLPullAgent) {
    guard(|| tcp::destroy(pAgent, Role::Agent, tcp::Class::SslPull))
}
/// Destroys an SSL PULL client (as Destroy_HP_SSLClient).
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_SSLPullClient(pClient: HP_SSLPullClient) {
    guard(|| tcp::destroy(pClient, Role::Client, tcp::Class::SslPull))
}
/// Destroys an SSL PACK server (as Destroy_HP_SSLServer).
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_SSLPackServer(pServer: HP_SSLPackServer) {
    guard(|| tcp::destroy(pServer, Role::Server, tcp::Class::SslPack))
}
/// Destroys an SSL PACK agent (as Destroy_HP_SSLAgent).
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_SSLPackAgent(pAgent: HP_SSLPackAgent) {
    guard(|| tcp::destroy(pAgent, Role::Agent, tcp::Class::SslPack))
}
/// Destroys an SSL PACK client (as Destroy_HP_SSLClient).
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_SSLPackClient(pClient: HP_SSLPackClient) {
    guard(|| tcp::destroy(pClient, Role::Client, tcp::Class::SslPack))
}

/// Creates an HTTPS server (an HttpServer over TLS); NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_HttpsServer(pListener: HP_HttpServerListener) -> HP_HttpsServer {
    guard(|| create_https(pListener, Role::Server, ListenerKind::HttpServer))
}
/// Creates an HTTPS agent (an HttpAgent over TLS); NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_HttpsAgent(pListener: HP_HttpAgentListener) -> HP_HttpsAgent {
    guard(|| create_https(pListener, Role::Agent, ListenerKind::HttpAgent))
}
/// Creates an HTTPS client (an HttpClient over TLS); NULL with errno EINVAL for a bad listener.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_HttpsClient(pListener: HP_HttpClientListener) -> HP_HttpsClient {
    guard(|| create_https(pListener, Role::Client, ListenerKind::HttpClient))
}
/// Creates an HTTPS sync client (an HttpSyncClient over TLS, taking `https://` URLs); the
/// listener may be NULL. It needs SetupSSLContext (SSL_VM_NONE for no verification) before its
/// first OpenUrl.
#[no_mangle]
pub unsafe extern "C" fn Create_HP_HttpsSyncClient(pListener: HP_HttpClientListener) -> HP_HttpsSyncClient {
    // SAFETY: the listener is passed on as received; Create_HP_HttpSyncClient looks it up.
    guard(|| make_secure(unsafe { super::http_sync::Create_HP_HttpSyncClient(pListener) }, Role::Client))
}

/// Destroys an HTTPS server (as Destroy_HP_HttpServer).
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_HttpsServer(pServer: HP_HttpsServer) {
    guard(|| tcp::destroy(pServer, Role::Server, tcp::Class::Https))
}
/// Destroys an HTTPS agent (as Destroy_HP_HttpAgent).
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_HttpsAgent(pAgent: HP_HttpsAgent) {
    guard(|| tcp::destroy(pAgent, Role::Agent, tcp::Class::Https))
}
/// Destroys an HTTPS client (as Destroy_HP_HttpClient).
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_HttpsClient(pClient: HP_HttpsClient) {
    guard(|| tcp::destroy(pClient, Role::Client, tcp::Class::Https))
}
/// Destroys an HTTPS sync client (as Destroy_HP_HttpSyncClient).
#[no_mangle]
pub unsafe extern "C" fn Destroy_HP_HttpsSyncClient(pClient: HP_HttpsSyncClient) {
    guard(|| tcp::destroy(pClient, Role::Client, tcp::Class::HttpsSync))
}

// ---- exports: global ----

/// The default SNI choice, which a server uses when SetupSSLContext got no callback: the index
/// bound (BindSSLServerName) to the name or its nearest parent domain, else 0. `pContext` is the
/// context pointer the library passed to the callback (the server's handle); anything else
/// gives 0 with errno EINVAL.
#[no_mangle]
pub unsafe extern "C" fn HP_SSL_DefaultServerNameCallback(lpszServerName: LPCTSTR, pContext: PVOID) -> c_int {
    guard(|| {
        let Some((_, st)) = ssl_obj(pContext, Role::Server) else { return 0 };
        // SAFETY: upstream's contract: the name is NULL or a NUL-terminated string.
        match unsafe { tcp::opt_str(lpszServerName) } {
            Ok(Some(name)) => default_index(st, name),
            _ => {
                set_errno(libc::EINVAL);
                0
            }
        }
    })
}

/// Frees OpenSSL's state of the calling thread (OpenSSL 3 keeps it per thread; the id is
/// ignored, as upstream does with OpenSSL 1.1 and later). The library's own threads need no call.
#[no_mangle]
pub unsafe extern "C" fn HP_SSL_RemoveThreadLocalState(dwThreadID: THR_ID) {
    let _ = dwThreadID;
    guard(crate::engine::tls::thread_stop)
}

// ---- exports: server ----

/// Sets up the server's default context: verify mode (`SSL_VM_*` bits), PEM certificate chain
/// and key files (the key may be encrypted with `lpszKeyPassword`), a CA file or hashed
/// directory for verifying clients (a CA file is also sent as the acceptable CA list), and an
/// SNI callback (NULL: HP_SSL_DefaultServerNameCallback). Only while stopped and before any
/// context; errors in errno (see the module's README section).
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_SetupSSLContext(pServer: HP_SSLServer, iVerifyMode: c_int, lpszPemCertFile: LPCTSTR, lpszPemKeyFile: LPCTSTR, lpszKeyPassword: LPCTSTR, lpszCAPemCertFileOrPath: LPCTSTR, fnServerNameCallback: HP_Fn_SNI_ServerNameCallback) -> BOOL {
    guard(|| {
        // SAFETY: upstream's contract: each string is NULL or NUL-terminated.
        match unsafe { files(lpszPemCertFile, lpszPemKeyFile, lpszKeyPassword, lpszCAPemCertFileOrPath) } {
            Some(src) => setup(pServer, Role::Server, iVerifyMode, src, fnServerNameCallback),
            None => tcp::bad_arg(),
        }
    })
}
/// As HP_SSLServer_SetupSSLContext, with the certificate chain, key and CA as PEM text.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_SetupSSLContextByMemory(pServer: HP_SSLServer, iVerifyMode: c_int, lpszPemCert: LPCSTR, lpszPemKey: LPCSTR, lpszKeyPassword: LPCSTR, lpszCAPemCert: LPCSTR, fnServerNameCallback: HP_Fn_SNI_ServerNameCallback) -> BOOL {
    // SAFETY: upstream's contract: each string is NULL or NUL-terminated.
    guard(|| setup(pServer, Role::Server, iVerifyMode, unsafe { memory(lpszPemCert, lpszPemKey, lpszKeyPassword, lpszCAPemCert) }, fnServerNameCallback))
}
/// Adds an SNI context (after SetupSSLContext); returns its index (>= 1), -1 on failure (errno).
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_AddSSLContext(pServer: HP_SSLServer, iVerifyMode: c_int, lpszPemCertFile: LPCTSTR, lpszPemKeyFile: LPCTSTR, lpszKeyPassword: LPCTSTR, lpszCAPemCertFileOrPath: LPCTSTR) -> c_int {
    guard(|| {
        // SAFETY: upstream's contract: each string is NULL or NUL-terminated.
        match unsafe { files(lpszPemCertFile, lpszPemKeyFile, lpszKeyPassword, lpszCAPemCertFileOrPath) } {
            Some(src) => add_context(pServer, iVerifyMode, src),
            None => {
                set_errno(libc::EINVAL);
                -1
            }
        }
    })
}
/// As HP_SSLServer_AddSSLContext, with PEM text.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_AddSSLContextByMemory(pServer: HP_SSLServer, iVerifyMode: c_int, lpszPemCert: LPCSTR, lpszPemKey: LPCSTR, lpszKeyPassword: LPCSTR, lpszCAPemCert: LPCSTR) -> c_int {
    // SAFETY: upstream's contract: each string is NULL or NUL-terminated.
    guard(|| add_context(pServer, iVerifyMode, unsafe { memory(lpszPemCert, lpszPemKey, lpszKeyPassword, lpszCAPemCert) }))
}
/// Binds a server name (not an IP address; with a dot inside it) to a context index for the
/// default SNI callback; a name also covers its subdomains. FALSE with EINVAL for a bad name or
/// negative index, ENOANO for an index with no context.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_BindSSLServerName(pServer: HP_SSLServer, lpszServerName: LPCTSTR, iContextIndex: c_int) -> BOOL {
    guard(|| {
        let Some((_, st)) = ssl_obj(pServer, Role::Server) else { return FALSE };
        // SAFETY: upstream's contract: the name is NULL or NUL-terminated.
        let Ok(Some(name)) = (unsafe { tcp::opt_str(lpszServerName) }) else { return tcp::bad_arg() };
        let dot = name.find('.');
        if iContextIndex < 0 || name.parse::<std::net::IpAddr>().is_ok() || dot.is_none_or(|d| d == 0 || d == name.len() - 1) {
            return tcp::bad_arg();
        }
        let mut w = st.write();
        if iContextIndex as usize >= w.contexts.len() {
            set_errno(libc::ENOANO);
            return FALSE;
        }
        w.names.insert(name.to_ascii_lowercase(), iContextIndex);
        TRUE
    })
}
/// Frees the server's contexts and name bindings (only while stopped; SetupSSLContext may then
/// be called again).
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_CleanupSSLContext(pServer: HP_SSLServer) {
    guard(|| cleanup(pServer, Role::Server))
}
/// Starts the TLS handshake of a connection accepted with auto handshake off (in the clear
/// until now). FALSE with errno: EPERM with auto handshake on, EBADSLT an unknown connection,
/// EALREADY once started.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_StartSSLHandShake(pServer: HP_SSLServer, dwConnID: HP_CONNID) -> BOOL {
    guard(|| start_handshake(pServer, Role::Server, Some(dwConnID)))
}
/// Sets whether connections handshake at once (TRUE, the default) or at StartSSLHandShake;
/// only while stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_SetSSLAutoHandShake(pServer: HP_SSLServer, bAutoHandShake: BOOL) {
    guard(|| set_auto(pServer, Role::Server, bAutoHandShake))
}
/// Whether connections handshake at once.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_IsSSLAutoHandShake(pServer: HP_SSLServer) -> BOOL {
    guard(|| is_auto(pServer, Role::Server))
}
/// Sets the OpenSSL cipher list for contexts set up from now on (default "ALL:!aNULL:!eNULL").
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_SetSSLCipherList(pServer: HP_SSLServer, lpszCipherList: LPCTSTR) {
    // SAFETY: upstream's contract: the list is NULL or NUL-terminated.
    guard(|| unsafe { set_ciphers(pServer, Role::Server, lpszCipherList) })
}
/// The cipher list (valid until the next SetSSLCipherList or Destroy).
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_GetSSLCipherList(pServer: HP_SSLServer) -> LPCTSTR {
    guard(|| get_ciphers(pServer, Role::Server))
}
/// One item of a connection's TLS session: OpenSSL objects borrowed from the session (valid
/// while the connection lives; do not free), or the server-name type as an integer.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_GetSSLSessionInfo(pServer: HP_SSLServer, dwConnID: HP_CONNID, enInfo: SSLSessionInfoArg, lppInfo: *mut LPVOID) -> BOOL {
    // SAFETY: upstream's contract: `lppInfo` is NULL or writable.
    guard(|| unsafe { session_info(pServer, Role::Server, Some(dwConnID), enInfo, lppInfo) })
}

// ---- exports: agent ----

/// Sets up the agent's context: verify mode (`SSL_VM_PEER` verifies servers against the CA),
/// optional client certificate chain and key files, and a CA file or hashed directory. Only
/// while stopped and before any context.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLAgent_SetupSSLContext(pAgent: HP_SSLAgent, iVerifyMode: c_int, lpszPemCertFile: LPCTSTR, lpszPemKeyFile: LPCTSTR, lpszKeyPassword: LPCTSTR, lpszCAPemCertFileOrPath: LPCTSTR) -> BOOL {
    guard(|| {
        // SAFETY: upstream's contract: each string is NULL or NUL-terminated.
        match unsafe { files(lpszPemCertFile, lpszPemKeyFile, lpszKeyPassword, lpszCAPemCertFileOrPath) } {
            Some(src) => setup(pAgent, Role::Agent, iVerifyMode, src, None),
            None => tcp::bad_arg(),
        }
    })
}
/// As HP_SSLAgent_SetupSSLContext, with PEM text.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLAgent_SetupSSLContextByMemory(pAgent: HP_SSLAgent, iVerifyMode: c_int, lpszPemCert: LPCSTR, lpszPemKey: LPCSTR, lpszKeyPassword: LPCSTR, lpszCAPemCert: LPCSTR) -> BOOL {
    // SAFETY: upstream's contract: each string is NULL or NUL-terminated.
    guard(|| setup(pAgent, Role::Agent, iVerifyMode, unsafe { memory(lpszPemCert, lpszPemKey, lpszKeyPassword, lpszCAPemCert) }, None))
}
/// Frees the agent's context (only while stopped).
#[no_mangle]
pub unsafe extern "C" fn HP_SSLAgent_CleanupSSLContext(pAgent: HP_SSLAgent) {
    guard(|| cleanup(pAgent, Role::Agent))
}
/// Starts the TLS handshake of a connection made with auto handshake off.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLAgent_StartSSLHandShake(pAgent: HP_SSLAgent, dwConnID: HP_CONNID) -> BOOL {
    guard(|| start_handshake(pAgent, Role::Agent, Some(dwConnID)))
}
/// Sets whether connections handshake at once (the default); only while stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLAgent_SetSSLAutoHandShake(pAgent: HP_SSLAgent, bAutoHandShake: BOOL) {
    guard(|| set_auto(pAgent, Role::Agent, bAutoHandShake))
}
/// Whether connections handshake at once.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLAgent_IsSSLAutoHandShake(pAgent: HP_SSLAgent) -> BOOL {
    guard(|| is_auto(pAgent, Role::Agent))
}
/// Sets the OpenSSL cipher list for contexts set up from now on.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLAgent_SetSSLCipherList(pAgent: HP_SSLAgent, lpszCipherList: LPCTSTR) {
    // SAFETY: upstream's contract: the list is NULL or NUL-terminated.
    guard(|| unsafe { set_ciphers(pAgent, Role::Agent, lpszCipherList) })
}
/// The cipher list (valid until the next SetSSLCipherList or Destroy).
#[no_mangle]
pub unsafe extern "C" fn HP_SSLAgent_GetSSLCipherList(pAgent: HP_SSLAgent) -> LPCTSTR {
    guard(|| get_ciphers(pAgent, Role::Agent))
}
/// One item of a connection's TLS session (as HP_SSLServer_GetSSLSessionInfo).
#[no_mangle]
pub unsafe extern "C" fn HP_SSLAgent_GetSSLSessionInfo(pAgent: HP_SSLAgent, dwConnID: HP_CONNID, enInfo: SSLSessionInfoArg, lppInfo: *mut LPVOID) -> BOOL {
    // SAFETY: upstream's contract: `lppInfo` is NULL or writable.
    guard(|| unsafe { session_info(pAgent, Role::Agent, Some(dwConnID), enInfo, lppInfo) })
}

// ---- exports: client ----

/// Sets up the client's context (as HP_SSLAgent_SetupSSLContext).
#[no_mangle]
pub unsafe extern "C" fn HP_SSLClient_SetupSSLContext(pClient: HP_SSLClient, iVerifyMode: c_int, lpszPemCertFile: LPCTSTR, lpszPemKeyFile: LPCTSTR, lpszKeyPassword: LPCTSTR, lpszCAPemCertFileOrPath: LPCTSTR) -> BOOL {
    guard(|| {
        // SAFETY: upstream's contract: each string is NULL or NUL-terminated.
        match unsafe { files(lpszPemCertFile, lpszPemKeyFile, lpszKeyPassword, lpszCAPemCertFileOrPath) } {
            Some(src) => setup(pClient, Role::Client, iVerifyMode, src, None),
            None => tcp::bad_arg(),
        }
    })
}
/// As HP_SSLClient_SetupSSLContext, with PEM text.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLClient_SetupSSLContextByMemory(pClient: HP_SSLClient, iVerifyMode: c_int, lpszPemCert: LPCSTR, lpszPemKey: LPCSTR, lpszKeyPassword: LPCSTR, lpszCAPemCert: LPCSTR) -> BOOL {
    // SAFETY: upstream's contract: each string is NULL or NUL-terminated.
    guard(|| setup(pClient, Role::Client, iVerifyMode, unsafe { memory(lpszPemCert, lpszPemKey, lpszKeyPassword, lpszCAPemCert) }, None))
}
/// Frees the client's context (only while stopped).
#[no_mangle]
pub unsafe extern "C" fn HP_SSLClient_CleanupSSLContext(pClient: HP_SSLClient) {
    guard(|| cleanup(pClient, Role::Client))
}
/// Starts the TLS handshake of the connection made with auto handshake off.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLClient_StartSSLHandShake(pClient: HP_SSLClient) -> BOOL {
    guard(|| start_handshake(pClient, Role::Client, None))
}
/// Sets whether the connection handshakes at once (the default); only while stopped.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLClient_SetSSLAutoHandShake(pClient: HP_SSLClient, bAutoHandShake: BOOL) {
    guard(|| set_auto(pClient, Role::Client, bAutoHandShake))
}
/// Whether the connection handshakes at once.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLClient_IsSSLAutoHandShake(pClient: HP_SSLClient) -> BOOL {
    guard(|| is_auto(pClient, Role::Client))
}
/// Sets the OpenSSL cipher list for contexts set up from now on.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLClient_SetSSLCipherList(pClient: HP_SSLClient, lpszCipherList: LPCTSTR) {
    // SAFETY: upstream's contract: the list is NULL or NUL-terminated.
    guard(|| unsafe { set_ciphers(pClient, Role::Client, lpszCipherList) })
}
/// The cipher list (valid until the next SetSSLCipherList or Destroy).
#[no_mangle]
pub unsafe extern "C" fn HP_SSLClient_GetSSLCipherList(pClient: HP_SSLClient) -> LPCTSTR {
    guard(|| get_ciphers(pClient, Role::Client))
}
/// One item of the connection's TLS session (as HP_SSLServer_GetSSLSessionInfo).
#[no_mangle]
pub unsafe extern "C" fn HP_SSLClient_GetSSLSessionInfo(pClient: HP_SSLClient, enInfo: SSLSessionInfoArg, lppInfo: *mut LPVOID) -> BOOL {
    // SAFETY: upstream's contract: `lppInfo` is NULL or writable.
    guard(|| unsafe { session_info(pClient, Role::Client, None, enInfo, lppInfo) })
}
