//! The state of the HTTP message a connection is receiving, as C programs read it.
//!
//! C reads headers, cookies, URL fields and the rest through functions returning `const char*`.
//! Every string handed out points into this message's arena and stays valid until the next
//! [`Message::reset`] / [`Message::begin_message`] or the message's drop, however many strings
//! are added meanwhile (an `OnHeader` callback may keep a pointer from `GetHeader` while later
//! headers arrive). The arena's blocks never move or grow: a string goes into the current 4 KiB
//! block when it fits, into a fresh block otherwise, and a string longer than a block gets a block
//! of its own. A reset keeps the first few blocks, so a connection's steady state allocates
//! nothing per header.
//!
//! What is stored follows upstream's `THttpObjT` (`HttpHelper.h`): headers in arrival order
//! (looked up ignoring ASCII case; upstream's multimap had no order), cookies by exact name (a
//! second one replaces the first), the seven URL fields of a request, method / status / version /
//! keep-alive / upgrade as the parser reports them. `Content-Type`, `Content-Encoding`,
//! `Transfer-Encoding` and the host are the first value of their header.
//!
//! The arrays C passes follow upstream's count protocol: with no array or one too small, FALSE
//! and the count needed.

use std::ffi::{c_char, CStr};

/// Size of an arena block.
const BLOCK_SIZE: usize = 4096;
/// Blocks kept across a reset.
const RETAINED_BLOCKS: usize = 4;
/// Header / cookie slots kept across a reset (more are released).
const RETAINED_ENTRIES: usize = 256;

/// `En_HP_HttpUpgradeType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum UpgradeType {
    None = 0,
    WebSocket = 1,
    HttpTunnel = 2,
    Unknown = -1,
}

/// Which side of the exchange the message is: a server receives requests, a client responses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Request,
    Response,
}

/// `En_HP_HttpUrlField` indexes.
pub const URL_SCHEMA: usize = 0;
pub const URL_HOST: usize = 1;
pub const URL_PORT: usize = 2;
pub const URL_PATH: usize = 3;
pub const URL_QUERY: usize = 4;
pub const URL_FRAGMENT: usize = 5;
pub const URL_USERINFO: usize = 6;
/// `HUF_MAX`.
pub const URL_FIELD_COUNT: usize = 7;

/// Where a stored string lives; `len` excludes the NUL that follows it.
#[derive(Clone, Copy, Debug)]
struct Text {
    large: bool,
    block: usize,
    start: usize,
    len: usize,
}

/// Append-only string storage whose bytes never move until [`Arena::reset`].
///
/// Each block is a `Vec<u8>` created with its final capacity and only appended to within it, so
/// it never reallocates and appending writes only past the bytes already handed out.
#[derive(Default)]
struct Arena {
    blocks: Vec<Vec<u8>>,
    /// The block strings are being appended to.
    current: usize,
    /// Strings longer than a block, one allocation each.
    large: Vec<Vec<u8>>,
}

impl Arena {
    fn store(&mut self, bytes: &[u8]) -> Text {
        let need = bytes.len() + 1;
        if need > BLOCK_SIZE {
            let mut own = Vec::with_capacity(need);
            own.extend_from_slice(bytes);
            own.push(0);
            self.large.push(own);
            return Text { large: true, block: self.large.len() - 1, start: 0, len: bytes.len() };
        }
        loop {
            match self.blocks.get(self.current) {
                Some(block) if BLOCK_SIZE - block.len() >= need => break,
                Some(_) => self.current += 1,
                None => {
                    self.blocks.push(Vec::with_capacity(BLOCK_SIZE));
                    self.current = self.blocks.len() - 1;
                    break;
                }
            }
        }
        let block = &mut self.blocks[self.current];
        let start = block.len();
        block.extend_from_slice(bytes);
        block.push(0);
        Text { large: false, block: self.current, start, len: bytes.len() }
    }

    fn block(&self, t: Text) -> &[u8] {
        let block = if t.large { self.large.get(t.block) } else { self.blocks.get(t.block) };
        block.map_or(&[], Vec::as_slice)
    }

    fn bytes(&self, t: Text) -> &[u8] {
        self.block(t).get(t.start..t.start + t.len).unwrap_or(&[])
    }

    /// The string as C sees it: up to its first NUL (a value holding a NUL reads shorter).
    fn c_str(&self, t: Text) -> &CStr {
        let with_nul = self.block(t).get(t.start..=t.start + t.len).unwrap_or(&[]);
        CStr::from_bytes_until_nul(with_nul).unwrap_or(c"")
    }

    fn reset(&mut self) {
        self.blocks.truncate(RETAINED_BLOCKS);
        for block in &mut self.blocks {
            block.clear();
        }
        self.current = 0;
        self.large.clear();
    }
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    name: Text,
    value: Text,
}

/// One connection's current message; see the module documentation for the lifetime of what it
/// hands out.
pub struct Message {
    kind: Kind,
    arena: Arena,
    headers: Vec<Entry>,
    cookies: Vec<Entry>,
    url: Option<Text>,
    url_fields: [Option<Text>; URL_FIELD_COUNT],
    url_field_set: u16,
    method: Option<Text>,
    /// A client's last request path (upstream's `SetRequestPath`), for cookie matching.
    request_path: Option<Text>,
    reason: Option<Text>,
    status: u16,
    version: u16,
    content_length: u64,
    keep_alive: bool,
    upgrade: bool,
    upgrade_type: UpgradeType,
    /// Scratch, kept for reuse: what a response's `begin_message` carries into the emptied arena,
    /// a URL field on its way into the arena, an upper-cased method.
    carry: Vec<u8>,
    carry_lens: Vec<usize>,
}

impl Message {
    pub fn new(kind: Kind) -> Message {
        Message {
            kind,
            arena: Arena::default(),
            headers: Vec::new(),
            cookies: Vec::new(),
            url: None,
            url_fields: [None; URL_FIELD_COUNT],
            url_field_set: 0,
            method: None,
            request_path: None,
            reason: None,
            status: 0,
            version: 0,
            content_length: 0,
            keep_alive: false,
            upgrade: false,
            upgrade_type: UpgradeType::None,
            carry: Vec::new(),
            carry_lens: Vec::new(),
        }
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Forgets everything (a new connection, or an upgrade); keeps the storage for reuse.
    pub fn reset(&mut self) {
        self.clear_message();
        self.cookies.clear();
        self.cookies.shrink_to(RETAINED_ENTRIES);
        self.method = None;
        self.request_path = None;
        self.keep_alive = false;
    }

    /// What upstream's OnMessageBegin clears. A request forgets everything but keep-alive; a
    /// response (client side) also keeps its cookies and the method and path of the request it
    /// answers, copied into the emptied arena (pointers to their old copies end here, like all
    /// others).
    ///
    /// Keep-alive stays as the last headers set it, so a response sent from another thread after
    /// the message completed still gets the request's `Connection` (upstream issues 315, 317).
    pub fn begin_message(&mut self) {
        if self.kind == Kind::Request {
            self.clear_message();
            self.cookies.clear();
            self.method = None;
            return;
        }
        let mut carry = std::mem::take(&mut self.carry);
        let mut lens = std::mem::take(&mut self.carry_lens);
        carry.clear();
        lens.clear();
        let (had_method, had_path) = (self.method.is_some(), self.request_path.is_some());
        let kept = self.method.iter().chain(self.request_path.iter()).chain(self.cookies.iter().flat_map(|e| [&e.name, &e.value]));
        for &t in kept {
            let bytes = self.arena.bytes(t);
            carry.extend_from_slice(bytes);
            lens.push(bytes.len());
        }
        self.clear_message();
        self.cookies.clear();
        let mut pieces = lens.iter().scan(0usize, |at, &n| {
            let start = *at;
            *at += n;
            Some(carry.get(start..start + n).unwrap_or(&[]))
        });
        self.method = if had_method { pieces.next().map(|b| self.arena.store(b)) } else { None };
        self.request_path = if had_path { pieces.next().map(|b| self.arena.store(b)) } else { None };
        while let (Some(name), Some(value)) = (pieces.next(), pieces.next()) {
            let entry = Entry { name: self.arena.store(name), value: self.arena.store(value) };
            self.cookies.push(entry);
        }
        self.carry = carry;
        self.carry_lens = lens;
    }

    fn clear_message(&mut self) {
        self.arena.reset();
        self.headers.clear();
        self.headers.shrink_to(RETAINED_ENTRIES);
        self.url = None;
        self.url_fields = [None; URL_FIELD_COUNT];
        self.url_field_set = 0;
        self.reason = None;
        self.status = 0;
        self.version = 0;
        self.content_length = 0;
        self.upgrade = false;
        self.upgrade_type = UpgradeType::None;
    }

    /// Makes this message a copy of `src` (HttpSyncClient keeps a finished response this way),
    /// with its own storage.
    pub fn copy_from(&mut self, src: &Message) {
        self.kind = src.kind;
        self.reset();
        let arena = &mut self.arena;
        let mut copy = |t: Text| arena.store(src.arena.bytes(t));
        self.headers.extend(src.headers.iter().map(|e| Entry { name: copy(e.name), value: copy(e.value) }));
        self.cookies.extend(src.cookies.iter().map(|e| Entry { name: copy(e.name), value: copy(e.value) }));
        self.url = src.url.map(&mut copy);
        for (to, from) in self.url_fields.iter_mut().zip(src.url_fields) {
            *to = from.map(&mut copy);
        }
        self.method = src.method.map(&mut copy);
        self.request_path = src.request_path.map(&mut copy);
        self.reason = src.reason.map(&mut copy);
        self.url_field_set = src.url_field_set;
        self.status = src.status;
        self.version = src.version;
        self.content_length = src.content_length;
        self.keep_alive = src.keep_alive;
        self.upgrade = src.upgrade;
        self.upgrade_type = src.upgrade_type;
    }

    // ---- filled in by the parser ----

    /// A request's method and URL; clears the URL fields until [`Message::set_url_fields`].
    pub fn set_request_line(&mut self, method: &[u8], url: &[u8]) {
        self.method = Some(self.arena.store(method));
        self.url = Some(self.arena.store(url));
        self.url_fields = [None; URL_FIELD_COUNT];
        self.url_field_set = 0;
    }

    /// The URL splitter's result: for each `En_HP_HttpUrlField`, `(offset, length)` into the URL
    /// given to [`Message::set_request_line`]. A range outside the URL is taken as absent.
    pub fn set_url_fields(&mut self, fields: [Option<(usize, usize)>; URL_FIELD_COUNT]) {
        self.url_fields = [None; URL_FIELD_COUNT];
        self.url_field_set = 0;
        let Some(url) = self.url else { return };
        // A field is a slice of the stored URL with no NUL after it: copied out, then stored.
        let mut piece = std::mem::take(&mut self.carry);
        for (i, field) in fields.into_iter().enumerate() {
            let Some((offset, len)) = field else { continue };
            let Some(bytes) = offset.checked_add(len).and_then(|end| self.arena.bytes(url).get(offset..end)) else { continue };
            piece.clear();
            piece.extend_from_slice(bytes);
            self.url_fields[i] = Some(self.arena.store(&piece));
            self.url_field_set |= 1 << i;
        }
        self.carry = piece;
    }

    pub fn set_status(&mut self, code: u16, reason: &[u8]) {
        self.status = code;
        self.reason = Some(self.arena.store(reason));
    }

    pub fn set_version(&mut self, major: u8, minor: u8) {
        self.version = u16::from_le_bytes([major, minor]);
    }

    pub fn set_content_length(&mut self, len: u64) {
        self.content_length = len;
    }

    pub fn set_keep_alive(&mut self, keep_alive: bool) {
        self.keep_alive = keep_alive;
    }

    /// Whether the parser saw an upgrade, at headers-complete; the type follows upstream's
    /// `CheckUpgrade`: a request's CONNECT is a tunnel, an `Upgrade: websocket` header (the whole
    /// value, any case) WebSocket, anything else unknown.
    pub fn set_upgrade(&mut self, upgrade: bool) {
        self.upgrade = upgrade;
        self.upgrade_type = if !upgrade {
            UpgradeType::None
        } else if self.kind == Kind::Request && self.method_bytes().eq_ignore_ascii_case(b"CONNECT") {
            UpgradeType::HttpTunnel
        } else if self.header_bytes(b"Upgrade").is_some_and(|v| v.eq_ignore_ascii_case(b"WebSocket")) {
            UpgradeType::WebSocket
        } else {
            UpgradeType::Unknown
        };
    }

    pub fn add_header(&mut self, name: &[u8], value: &[u8]) {
        let entry = Entry { name: self.arena.store(name), value: self.arena.store(value) };
        self.headers.push(entry);
    }

    /// Adds a cookie, replacing the value of one with the same (case-sensitive) name.
    pub fn add_cookie(&mut self, name: &[u8], value: &[u8]) {
        let value = self.arena.store(value);
        if let Some(i) = self.cookie_index(name) {
            if let Some(e) = self.cookies.get_mut(i) {
                e.value = value;
            }
            return;
        }
        let name = self.arena.store(name);
        self.cookies.push(Entry { name, value });
    }

    /// Removes a cookie (an expired `Set-Cookie`); false when there was none.
    pub fn remove_cookie(&mut self, name: &[u8]) -> bool {
        match self.cookie_index(name) {
            Some(i) => {
                self.cookies.remove(i);
                true
            }
            None => false,
        }
    }

    pub fn clear_cookies(&mut self) {
        self.cookies.clear();
    }

    /// A client's request, as sent: the method (stored upper-cased, as written) and the path.
    /// Ignored on a request's message, as upstream ignores it.
    pub fn set_request_path(&mut self, method: &[u8], path: &[u8]) {
        if self.kind == Kind::Request {
            return;
        }
        let mut upper = std::mem::take(&mut self.carry);
        upper.clear();
        upper.extend(method.iter().map(u8::to_ascii_uppercase));
        self.method = Some(self.arena.store(&upper));
        self.carry = upper;
        self.request_path = Some(self.arena.store(path));
    }

    // ---- read by C ----

    /// A header's value, looked up ignoring ASCII case; of several, the last to arrive, as
    /// upstream's (its multimap puts a new duplicate first).
    pub fn header(&self, name: &[u8]) -> Option<&CStr> {
        self.headers.iter().rev().find(|e| self.arena.bytes(e.name).eq_ignore_ascii_case(name)).map(|e| self.arena.c_str(e.value))
    }

    /// The first value's bytes, for the library's own checks.
    pub fn header_bytes(&self, name: &[u8]) -> Option<&[u8]> {
        self.find_header(name).map(|e| self.arena.bytes(e.value))
    }

    pub fn header_count(&self) -> usize {
        self.headers.len()
    }

    /// The `i`-th header in arrival order (e.g. the one just added, for OnHeader).
    pub fn header_at(&self, i: usize) -> Option<(&CStr, &CStr)> {
        self.headers.get(i).map(|e| (self.arena.c_str(e.name), self.arena.c_str(e.value)))
    }

    /// The headers' bytes in arrival order.
    pub fn headers(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.headers.iter().map(|e| (self.arena.bytes(e.name), self.arena.bytes(e.value)))
    }

    /// `GetHeaders`: every value of `name`, the last to arrive first (as upstream's multimap).
    /// With no array (or an empty one): FALSE and the count. Otherwise the array is filled as
    /// far as it goes; TRUE only when there was at least one value and all fitted. The count
    /// returned is the number of values.
    pub fn header_values(&self, name: &[u8], out: Option<&mut [*const c_char]>) -> (bool, u32) {
        let values = self.headers.iter().rev().filter(|e| self.arena.bytes(e.name).eq_ignore_ascii_case(name));
        let Some(out) = out.filter(|o| !o.is_empty()) else { return (false, count(values.count())) };
        let capacity = out.len();
        let mut found = 0;
        for e in values {
            if let Some(slot) = out.get_mut(found) {
                *slot = self.arena.c_str(e.value).as_ptr();
            }
            found += 1;
        }
        (found > 0 && found <= capacity, count(found))
    }

    /// `GetAllHeaders`: `pair(name, value)` for each header into `out`. No array, an empty one,
    /// no headers or too many: FALSE and the count.
    pub fn all_headers<T>(&self, out: Option<&mut [T]>, pair: impl Fn(*const c_char, *const c_char) -> T) -> (bool, u32) {
        fill_all(&self.arena, &self.headers, out, |a, e| pair(a.c_str(e.name).as_ptr(), a.c_str(e.value).as_ptr()))
    }

    /// `GetAllHeaderNames`: each header's name (repeated names repeat), with the same protocol.
    pub fn all_header_names(&self, out: Option<&mut [*const c_char]>) -> (bool, u32) {
        fill_all(&self.arena, &self.headers, out, |a, e| a.c_str(e.name).as_ptr())
    }

    /// A cookie's value by exact name.
    pub fn cookie(&self, name: &[u8]) -> Option<&CStr> {
        self.cookie_index(name).and_then(|i| self.cookies.get(i)).map(|e| self.arena.c_str(e.value))
    }

    pub fn cookie_count(&self) -> usize {
        self.cookies.len()
    }

    /// `GetAllCookies`, with the same protocol as [`Message::all_headers`].
    pub fn all_cookies<T>(&self, out: Option<&mut [T]>, pair: impl Fn(*const c_char, *const c_char) -> T) -> (bool, u32) {
        fill_all(&self.arena, &self.cookies, out, |a, e| pair(a.c_str(e.name).as_ptr(), a.c_str(e.value).as_ptr()))
    }

    /// Appends the cookies as a `Cookie` header's value, `name=value; name2=value2`.
    pub fn write_cookie_header_value(&self, out: &mut Vec<u8>) {
        for (i, e) in self.cookies.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(b"; ");
            }
            out.extend_from_slice(self.arena.bytes(e.name));
            out.push(b'=');
            out.extend_from_slice(self.arena.bytes(e.value));
        }
    }

    /// The request's URL as received.
    pub fn url(&self) -> Option<&CStr> {
        self.url.map(|t| self.arena.c_str(t))
    }

    /// `GetUrlField`: None for a response's message or a field past `HUF_MAX`; an empty string
    /// for a field the URL does not have, as upstream.
    pub fn url_field(&self, field: usize) -> Option<&CStr> {
        if self.kind == Kind::Response {
            return None;
        }
        let slot = self.url_fields.get(field)?;
        Some(slot.map_or(c"", |t| self.arena.c_str(t)))
    }

    /// `GetUrlFieldSet`: bit `i` set when field `i` is present.
    pub fn url_field_set(&self) -> u16 {
        self.url_field_set
    }

    /// A request's method, or for a response the method of the request it answers.
    pub fn method(&self) -> Option<&CStr> {
        self.method.map(|t| self.arena.c_str(t))
    }

    fn method_bytes(&self) -> &[u8] {
        self.method.map_or(&[], |t| self.arena.bytes(t))
    }

    /// A client's last request path (None on a request's message, as upstream's `GetRequestPath`).
    pub fn request_path(&self) -> Option<&CStr> {
        self.request_path.map(|t| self.arena.c_str(t))
    }

    pub fn status(&self) -> u16 {
        self.status
    }

    pub fn reason(&self) -> Option<&CStr> {
        self.reason.map(|t| self.arena.c_str(t))
    }

    /// `GetVersion`: major in the low byte, minor in the high byte.
    pub fn version(&self) -> u16 {
        self.version
    }

    pub fn content_length(&self) -> u64 {
        self.content_length
    }

    pub fn content_type(&self) -> Option<&CStr> {
        self.header(b"Content-Type")
    }

    pub fn content_encoding(&self) -> Option<&CStr> {
        self.header(b"Content-Encoding")
    }

    pub fn transfer_encoding(&self) -> Option<&CStr> {
        self.header(b"Transfer-Encoding")
    }

    /// `GetHost`: the `Host` header.
    pub fn host(&self) -> Option<&CStr> {
        self.header(b"Host")
    }

    pub fn is_keep_alive(&self) -> bool {
        self.keep_alive
    }

    pub fn is_upgrade(&self) -> bool {
        self.upgrade
    }

    pub fn upgrade_type(&self) -> UpgradeType {
        self.upgrade_type
    }

    fn find_header(&self, name: &[u8]) -> Option<&Entry> {
        self.headers.iter().find(|e| self.arena.bytes(e.name).eq_ignore_ascii_case(name))
    }

    fn cookie_index(&self, name: &[u8]) -> Option<usize> {
        self.cookies.iter().position(|e| self.arena.bytes(e.name) == name)
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn fill_all<T>(arena: &Arena, entries: &[Entry], out: Option<&mut [T]>, make: impl Fn(&Arena, &Entry) -> T) -> (bool, u32) {
    let size = entries.len();
    match out {
        Some(out) if size > 0 && size <= out.len() => {
            for (slot, e) in out.iter_mut().zip(entries) {
                *slot = make(arena, e);
            }
            (true, count(size))
        }
        _ => (false, count(size)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr;

    fn text(p: *const c_char) -> String {
        assert!(!p.is_null());
        // SAFETY: every pointer tested here came from a Message that is still alive and has not
        // been reset since, which is exactly the lifetime the module promises.
        unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned()
    }

    fn s(c: Option<&CStr>) -> Option<&str> {
        c.map(|c| c.to_str().unwrap())
    }

    #[test]
    fn pointers_survive_a_thousand_more_headers() {
        let mut m = Message::new(Kind::Request);
        m.add_header(b"X-First", b"first value");
        m.add_cookie(b"sid", b"abc");
        let first = m.header(b"x-first").unwrap().as_ptr();
        let cookie = m.cookie(b"sid").unwrap().as_ptr();
        let (first_name, _) = m.header_at(0).unwrap();
        let first_name = first_name.as_ptr();
        let big = vec![b'b'; 10_000];
        for i in 0..1000 {
            let name = format!("X-H{i}");
            let value = if i % 100 == 7 { big.clone() } else { format!("value {i}").into_bytes() };
            m.add_header(name.as_bytes(), &value);
            m.add_cookie(format!("c{i}").as_bytes(), b"v");
        }
        assert_eq!(text(first), "first value");
        assert_eq!(text(first_name), "X-First");
        assert_eq!(text(cookie), "abc");
        assert_eq!(s(m.header(b"x-h999")), Some("value 999"));
        assert_eq!(m.header(b"X-H7").unwrap().to_bytes(), &big[..]);
        assert_eq!(m.header_count(), 1001);
    }

    #[test]
    fn lookup_ignores_case_and_returns_the_last() {
        let mut m = Message::new(Kind::Request);
        m.add_header(b"Accept", b"text/html");
        m.add_header(b"ACCEPT", b"*/*");
        m.add_header(b"Content-Type", b"text/plain");
        m.add_header(b"host", b"example.com:8080");
        assert_eq!(s(m.header(b"accept")), Some("*/*"), "the last to arrive, as upstream");
        assert_eq!(s(m.content_type()), Some("text/plain"));
        assert_eq!(s(m.host()), Some("example.com:8080"));
        assert_eq!(m.header(b"Accept-Language"), None);
        assert_eq!(m.transfer_encoding(), None);
        assert_eq!(m.header_bytes(b"HOST"), Some(&b"example.com:8080"[..]));
        let all: Vec<_> = m.headers().collect();
        assert_eq!(all[1], (&b"ACCEPT"[..], &b"*/*"[..]));
    }

    #[test]
    fn header_values_count_protocol() {
        let mut m = Message::new(Kind::Request);
        for v in ["a", "b", "c"] {
            m.add_header(b"Via", v.as_bytes());
        }
        m.add_header(b"Other", b"x");
        assert_eq!(m.header_values(b"via", None), (false, 3));
        let mut none: [*const c_char; 0] = [];
        assert_eq!(m.header_values(b"via", Some(&mut none)), (false, 3));
        let mut small = [ptr::null(); 2];
        assert_eq!(m.header_values(b"VIA", Some(&mut small)), (false, 3));
        assert_eq!((text(small[0]), text(small[1])), ("c".into(), "b".into()), "filled as far as it goes, last first");
        let mut room = [ptr::null(); 5];
        assert_eq!(m.header_values(b"Via", Some(&mut room)), (true, 3));
        assert_eq!(text(room[2]), "a");
        assert!(room[3].is_null());
        assert_eq!(m.header_values(b"Missing", Some(&mut room)), (false, 0));
    }

    #[test]
    fn all_headers_and_names_count_protocol() {
        let mut m = Message::new(Kind::Response);
        let pair = |n, v| (n, v);
        let mut buf = [(ptr::null(), ptr::null()); 3];
        assert_eq!(m.all_headers(Some(&mut buf), pair), (false, 0), "no headers: FALSE even with room");
        m.add_header(b"A", b"1");
        m.add_header(b"B", b"2");
        m.add_header(b"A", b"3");
        assert_eq!(m.all_headers(None, pair), (false, 3));
        assert_eq!(m.all_headers(Some(&mut buf[..2]), pair), (false, 3));
        assert!(buf[0].0.is_null(), "too small: nothing written");
        assert_eq!(m.all_headers(Some(&mut buf), pair), (true, 3));
        assert_eq!((text(buf[2].0), text(buf[2].1)), ("A".into(), "3".into()));
        let mut names = [ptr::null(); 4];
        assert_eq!(m.all_header_names(Some(&mut names)), (true, 3));
        assert_eq!([text(names[0]), text(names[1]), text(names[2])], ["A", "B", "A"]);
        assert_eq!(m.all_header_names(Some(&mut names[..0])), (false, 3));
    }

    #[test]
    fn cookies_are_case_sensitive_and_replaced() {
        let mut m = Message::new(Kind::Request);
        m.add_cookie(b"Sid", b"1");
        m.add_cookie(b"sid", b"2");
        m.add_cookie(b"Sid", b"3");
        assert_eq!(s(m.cookie(b"Sid")), Some("3"));
        assert_eq!(s(m.cookie(b"sid")), Some("2"));
        assert_eq!(m.cookie(b"SID"), None);
        assert_eq!(m.cookie_count(), 2);
        let mut out = Vec::new();
        m.write_cookie_header_value(&mut out);
        assert_eq!(out, b"Sid=3; sid=2");
        let mut buf = [(ptr::null(), ptr::null()); 2];
        assert_eq!(m.all_cookies(Some(&mut buf), |n, v| (n, v)), (true, 2));
        assert_eq!(text(buf[1].1), "2");
        assert_eq!(m.all_cookies(Some(&mut buf[..1]), |n, v| (n, v)), (false, 2));
        assert!(m.remove_cookie(b"Sid"));
        assert!(!m.remove_cookie(b"Sid"));
        m.clear_cookies();
        assert_eq!(m.all_cookies(None, |n, v| (n, v)), (false, 0));
    }

    #[test]
    fn url_fields() {
        let mut m = Message::new(Kind::Request);
        let url = b"http://user@host:8080/p/a?q=1#frag";
        m.set_request_line(b"GET", url);
        let mut fields = [None; URL_FIELD_COUNT];
        fields[URL_SCHEMA] = Some((0, 4));
        fields[URL_USERINFO] = Some((7, 4));
        fields[URL_HOST] = Some((12, 4));
        fields[URL_PORT] = Some((17, 4));
        fields[URL_PATH] = Some((21, 4));
        fields[URL_QUERY] = Some((26, 3));
        fields[URL_FRAGMENT] = Some((30, 4));
        m.set_url_fields(fields);
        let got: Vec<_> = (0..URL_FIELD_COUNT).map(|f| s(m.url_field(f)).unwrap().to_owned()).collect();
        assert_eq!(got, ["http", "host", "8080", "/p/a", "q=1", "frag", "user"]);
        assert_eq!(m.url_field_set(), 0x7F);
        assert_eq!(s(m.url()), Some("http://user@host:8080/p/a?q=1#frag"));
        assert_eq!(m.url_field(URL_FIELD_COUNT), None);

        m.begin_message();
        m.set_request_line(b"GET", b"/only?x");
        let mut fields = [None; URL_FIELD_COUNT];
        fields[URL_PATH] = Some((0, 5));
        fields[URL_QUERY] = Some((6, 100));
        fields[URL_HOST] = Some((usize::MAX, 2));
        m.set_url_fields(fields);
        assert_eq!(s(m.url_field(URL_PATH)), Some("/only"));
        assert_eq!(s(m.url_field(URL_QUERY)), Some(""), "a range past the URL is absent");
        assert_eq!(s(m.url_field(URL_HOST)), Some(""));
        assert_eq!(m.url_field_set(), 1 << URL_PATH);
        assert_eq!(s(m.method()), Some("GET"));

        let r = Message::new(Kind::Response);
        assert_eq!(r.url_field(URL_PATH), None, "a response has no URL fields");
    }

    #[test]
    fn begin_message_on_each_side() {
        let mut req = Message::new(Kind::Request);
        req.set_request_line(b"POST", b"/x");
        req.add_header(b"A", b"1");
        req.add_cookie(b"c", b"1");
        req.set_keep_alive(true);
        req.set_version(1, 1);
        req.begin_message();
        assert_eq!((req.header_count(), req.cookie_count(), req.method(), req.version()), (0, 0, None, 0));
        assert!(req.is_keep_alive(), "keep-alive outlives the message it came with");
        req.reset();
        assert!(!req.is_keep_alive());

        let mut resp = Message::new(Kind::Response);
        resp.set_request_path(b"head", b"/path");
        resp.add_cookie(b"k", b"v");
        resp.add_cookie(b"k2", b"v2");
        resp.set_status(200, b"OK");
        resp.add_header(b"Set-Cookie", b"k=v");
        resp.begin_message();
        assert_eq!(resp.header_count(), 0);
        assert_eq!(resp.status(), 0);
        assert_eq!(resp.reason(), None);
        assert_eq!(s(resp.method()), Some("HEAD"));
        assert_eq!(s(resp.request_path()), Some("/path"));
        assert_eq!((s(resp.cookie(b"k")), s(resp.cookie(b"k2"))), (Some("v"), Some("v2")));
        for _ in 0..50 {
            resp.begin_message();
        }
        assert_eq!(s(resp.cookie(b"k2")), Some("v2"));
        assert!(resp.arena.blocks.len() <= 1, "carrying over does not grow the arena");
        resp.reset();
        assert_eq!((resp.method(), resp.request_path(), resp.cookie_count()), (None, None, 0));
        req.set_request_path(b"GET", b"/");
        assert_eq!(req.request_path(), None, "a request's message has no request path");
    }

    #[test]
    fn steady_state_reuses_storage() {
        let mut m = Message::new(Kind::Request);
        let fill = |m: &mut Message| {
            m.begin_message();
            m.set_request_line(b"GET", b"/index.html");
            for i in 0..200 {
                m.add_header(format!("X-Header-{i}").as_bytes(), b"some value of a typical length");
            }
        };
        fill(&mut m);
        let blocks: Vec<*const u8> = m.arena.blocks.iter().map(|b| b.as_ptr()).collect();
        assert!(blocks.len() <= RETAINED_BLOCKS, "this message fits the retained blocks");
        let header_capacity = m.headers.capacity();
        for _ in 0..10 {
            fill(&mut m);
        }
        let again: Vec<*const u8> = m.arena.blocks.iter().map(|b| b.as_ptr()).collect();
        assert_eq!(again, blocks, "no block was reallocated or replaced");
        assert_eq!(m.headers.capacity(), header_capacity);
    }

    #[test]
    fn reset_releases_what_a_large_message_took() {
        let mut m = Message::new(Kind::Request);
        for i in 0..2000 {
            m.add_header(format!("Name-{i}").as_bytes(), &[b'v'; 100]);
        }
        m.add_header(b"Huge", &vec![b'h'; 100_000]);
        assert!(m.arena.blocks.len() > RETAINED_BLOCKS);
        m.reset();
        assert_eq!(m.arena.blocks.len(), RETAINED_BLOCKS);
        assert!(m.arena.large.is_empty());
        assert!(m.headers.capacity() <= RETAINED_ENTRIES * 2);
        assert_eq!(m.header(b"Huge"), None);
    }

    #[test]
    fn upgrade_types() {
        let mut m = Message::new(Kind::Request);
        m.set_request_line(b"GET", b"/chat");
        m.add_header(b"Upgrade", b"websocket");
        m.set_upgrade(false);
        assert_eq!((m.is_upgrade(), m.upgrade_type()), (false, UpgradeType::None));
        m.set_upgrade(true);
        assert_eq!((m.is_upgrade(), m.upgrade_type()), (true, UpgradeType::WebSocket));
        m.begin_message();
        m.set_request_line(b"CONNECT", b"host:443");
        m.set_upgrade(true);
        assert_eq!(m.upgrade_type(), UpgradeType::HttpTunnel);
        m.begin_message();
        m.set_request_line(b"GET", b"/");
        m.add_header(b"Upgrade", b"h2c");
        m.set_upgrade(true);
        assert_eq!(m.upgrade_type(), UpgradeType::Unknown);
        m.begin_message();
        assert_eq!(m.upgrade_type(), UpgradeType::None);

        let mut r = Message::new(Kind::Response);
        r.set_request_path(b"CONNECT", b"h:1");
        r.add_header(b"Upgrade", b"WebSocket");
        r.set_upgrade(true);
        assert_eq!(r.upgrade_type(), UpgradeType::WebSocket, "a response's CONNECT is no tunnel");
        assert_eq!(UpgradeType::Unknown as i32, -1);
    }

    #[test]
    fn scalars_and_odd_bytes() {
        let mut m = Message::new(Kind::Response);
        m.set_version(1, 0);
        assert_eq!(m.version(), 0x0001);
        m.set_version(1, 1);
        assert_eq!(m.version(), 0x0101);
        m.set_status(404, b"Not Found");
        m.set_content_length(1234);
        assert_eq!((m.status(), s(m.reason()), m.content_length()), (404, Some("Not Found"), 1234));
        m.add_header(b"X-Nul", b"before\0after");
        m.add_header(b"", b"");
        assert_eq!(s(m.header(b"x-nul")), Some("before"), "C sees up to the NUL");
        assert_eq!(m.header_bytes(b"x-nul"), Some(&b"before\0after"[..]));
        assert_eq!(s(m.header(b"")), Some(""));
        let exact = vec![b'e'; BLOCK_SIZE - 1];
        m.add_header(b"Exact", &exact);
        assert_eq!(m.header(b"exact").unwrap().to_bytes().len(), BLOCK_SIZE - 1);
    }

    #[test]
    fn copy_from_is_independent() {
        let mut a = Message::new(Kind::Response);
        a.set_request_path(b"GET", b"/r");
        a.set_status(200, b"OK");
        a.set_version(1, 1);
        a.set_keep_alive(true);
        a.add_header(b"Content-Type", b"text/html");
        a.add_cookie(b"k", b"v");
        let mut b = Message::new(Kind::Response);
        b.add_header(b"Stale", b"x");
        b.copy_from(&a);
        a.reset();
        assert_eq!(s(b.content_type()), Some("text/html"));
        assert_eq!(b.header(b"Stale"), None);
        assert_eq!((s(b.cookie(b"k")), s(b.method()), s(b.request_path())), (Some("v"), Some("GET"), Some("/r")));
        assert_eq!((b.status(), b.version(), b.is_keep_alive()), (200, 0x0101, true));
    }
}
