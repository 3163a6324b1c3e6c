//! HTTP/1.x message heads and chunk framing, written the way upstream's components write them.
//!
//! Everything appends to a caller's `Vec<u8>` (reused across sends). The rules, from upstream's
//! `HttpHelper.cpp` / `HttpServer.cpp` / `HttpAgent.cpp` / `HttpClient.cpp`:
//! - the caller's headers go first, in order (an empty name is skipped);
//! - `Content-Length`: a response always gets one (also 0), a request only for a non-empty body,
//!   unless the caller gave `Content-Length` or `Transfer-Encoding`;
//! - `Connection`: the server's answer says `keep-alive` / `close` after the request unless the
//!   caller gave one; requests get none;
//! - `Host`: requests other than CONNECT get the connection's host, `:port` unless the caller
//!   passes port 0 (upstream's components pass 0 for their default port, 80 or 443);
//! - `Cookie`: requests get the connection's cookies after the rest;
//! - the method is upper-cased; a path without a leading `/` gets one, except for CONNECT, and an
//!   empty path is `/`; an absent reason phrase is the standard one ([`reason_phrase`]);
//! - chunks are `%x\r\n` data `\r\n` (`%x;ext\r\n` with extensions; upstream writes `%x ;ext`, which strict llhttp refuses); length 0 ends the body,
//!   with no trailers.
//!
//! One deliberate difference: upstream looks for the caller's `Content-Length`,
//! `Transfer-Encoding`, `Connection` and `Host` with a case-sensitive compare, so a caller's
//! `content-length` got a second, duplicate header; header names are compared ignoring ASCII
//! case here, as HTTP defines them.

/// The port upstream's HTTP components leave out of `Host`.
pub const HTTP_DEFAULT_PORT: u16 = 80;
/// The port upstream's HTTPS components leave out of `Host`.
pub const HTTPS_DEFAULT_PORT: u16 = 443;

/// `HV_1_0` and `HV_1_1`: major version in the low byte, minor in the high byte.
pub const HTTP_1_0: u16 = 0x0001;
pub const HTTP_1_1: u16 = 0x0101;

const CRLF: &[u8] = b"\r\n";

/// A response head: status line, the caller's headers, then what upstream adds.
#[derive(Clone, Copy, Debug)]
pub struct ResponseHead<'a> {
    /// `HV_1_0` / `HV_1_1` form: low byte major, high byte minor.
    pub version: u16,
    pub status: u16,
    /// None: the standard phrase for `status`.
    pub reason: Option<&'a [u8]>,
    /// The body's length, written as `Content-Length` unless the caller's headers frame the body.
    pub body_len: usize,
    /// The request's keep-alive, written as `Connection` unless the caller gave one.
    pub keep_alive: Option<bool>,
}

impl ResponseHead<'_> {
    /// Appends the head, ending with its blank line, to `out`. Returns whether the head frames
    /// exactly `body_len` bytes (its Content-Length is ours): the head and that body are a
    /// whole response; false when the caller's headers frame the body (their own
    /// Content-Length or Transfer-Encoding), whose rest may follow in later sends.
    pub fn write<'h>(&self, headers: impl IntoIterator<Item = (&'h [u8], &'h [u8])>, out: &mut Vec<u8>) -> bool {
        write_version(self.version, out);
        out.push(b' ');
        push_decimal(self.status as u64, out);
        out.push(b' ');
        out.extend_from_slice(self.reason.unwrap_or(reason_phrase(self.status).as_bytes()));
        out.extend_from_slice(CRLF);
        let given = write_headers(headers, out);
        if !given.framing {
            write_content_length(self.body_len, out);
        }
        if let (Some(keep_alive), false) = (self.keep_alive, given.connection) {
            write_header(b"Connection", if keep_alive { b"keep-alive" } else { b"close" }, out);
        }
        out.extend_from_slice(CRLF);
        !given.framing
    }
}

/// A request head: request line, the caller's headers, then what upstream adds.
#[derive(Clone, Copy, Debug)]
pub struct RequestHead<'a> {
    /// `HV_1_0` / `HV_1_1` form: low byte major, high byte minor.
    pub version: u16,
    /// Written upper-cased.
    pub method: &'a [u8],
    /// Adjusted as [`needs_leading_slash`] says.
    pub path: &'a [u8],
    /// A non-zero length is written as `Content-Length` unless the caller's headers frame the body.
    pub body_len: usize,
    /// The host the connection was made to and the port to show (0: none). Not written for
    /// CONNECT, for an empty host, or when the caller gave `Host`.
    pub host: Option<(&'a [u8], u16)>,
    /// The `Cookie` header's value (`name=value; name2=value2`); nothing when None or empty.
    pub cookie: Option<&'a [u8]>,
}

impl RequestHead<'_> {
    /// Appends the head, ending with its blank line, to `out`.
    pub fn write<'h>(&self, headers: impl IntoIterator<Item = (&'h [u8], &'h [u8])>, out: &mut Vec<u8>) {
        let connect = is_connect(self.method);
        out.extend(self.method.iter().map(u8::to_ascii_uppercase));
        out.push(b' ');
        write_path(connect, self.path, out);
        out.push(b' ');
        write_version(self.version, out);
        out.extend_from_slice(CRLF);
        let given = write_headers(headers, out);
        if !given.framing && self.body_len > 0 {
            write_content_length(self.body_len, out);
        }
        if let (Some((host, port)), false, false) = (self.host, connect, given.host) {
            if !host.is_empty() {
                write_host(host, port, out);
            }
        }
        if let Some(cookie) = self.cookie.filter(|c| !c.is_empty()) {
            write_header(b"Cookie", cookie, out);
        }
        out.extend_from_slice(CRLF);
    }
}

/// Whether `method` is CONNECT (ignoring case), whose path is an authority and gets no `Host`.
pub fn is_connect(method: &[u8]) -> bool {
    method.eq_ignore_ascii_case(b"CONNECT")
}

/// Whether a request's path is written with a `/` in front: an empty path always, another one
/// that does not start with `/` unless the method is CONNECT. Like upstream, an absolute URL
/// (`http://host/x`) is not recognised and gets the `/` too.
pub fn needs_leading_slash(method: &[u8], path: &[u8]) -> bool {
    slash_needed(is_connect(method), path)
}

fn slash_needed(connect: bool, path: &[u8]) -> bool {
    path.is_empty() || (!connect && path.first() != Some(&b'/'))
}

/// Appends the path as it goes on the request line (see [`needs_leading_slash`]).
pub fn write_request_path(method: &[u8], path: &[u8], out: &mut Vec<u8>) {
    write_path(is_connect(method), path, out);
}

fn write_path(connect: bool, path: &[u8], out: &mut Vec<u8>) {
    if slash_needed(connect, path) {
        out.push(b'/');
    }
    out.extend_from_slice(path);
}

/// Appends a chunk's size line: `%x\r\n`, or `%x;ext\r\n` (`%xext\r\n` when `ext` already starts
/// with `;`). The data and then [`CHUNK_END`] follow; a zero length ends the body.
pub fn write_chunk_header(len: usize, ext: Option<&[u8]>, out: &mut Vec<u8>) {
    push_hex(len as u64, out);
    if let Some(ext) = ext.filter(|e| !e.is_empty()) {
        // Upstream writes `%x ;ext`, which its own llhttp (strict) refuses: no space here.
        if ext.first() != Some(&b';') {
            out.push(b';');
        }
        out.extend_from_slice(ext);
    }
    out.extend_from_slice(CRLF);
}

/// What follows a chunk's data (and, for the last chunk, its size line).
pub const CHUNK_END: &[u8] = CRLF;

/// Appends a whole chunk: size line, data, CRLF. Empty `data` writes the last chunk.
pub fn write_chunk(data: &[u8], ext: Option<&[u8]>, out: &mut Vec<u8>) {
    write_chunk_header(data.len(), ext, out);
    out.extend_from_slice(data);
    out.extend_from_slice(CHUNK_END);
}

/// Which framing headers the caller gave.
#[derive(Default)]
struct GivenHeaders {
    /// `Content-Length` or `Transfer-Encoding`.
    framing: bool,
    connection: bool,
    host: bool,
}

fn write_headers<'h>(headers: impl IntoIterator<Item = (&'h [u8], &'h [u8])>, out: &mut Vec<u8>) -> GivenHeaders {
    let mut given = GivenHeaders::default();
    for (name, value) in headers {
        if name.is_empty() {
            continue;
        }
        given.framing |= name.eq_ignore_ascii_case(b"Content-Length") || name.eq_ignore_ascii_case(b"Transfer-Encoding");
        given.connection |= name.eq_ignore_ascii_case(b"Connection");
        given.host |= name.eq_ignore_ascii_case(b"Host");
        write_header(name, value, out);
    }
    given
}

fn write_header(name: &[u8], value: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(name);
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(CRLF);
}

fn write_content_length(len: usize, out: &mut Vec<u8>) {
    out.extend_from_slice(b"Content-Length: ");
    push_decimal(len as u64, out);
    out.extend_from_slice(CRLF);
}

/// `Host: name[:port]`; an IPv6 literal is bracketed (upstream writes it bare, which no server
/// can split from the port).
fn write_host(host: &[u8], port: u16, out: &mut Vec<u8>) {
    out.extend_from_slice(b"Host: ");
    let bracket = host.contains(&b':') && host.first() != Some(&b'[');
    if bracket {
        out.push(b'[');
    }
    out.extend_from_slice(host);
    if bracket {
        out.push(b']');
    }
    if port != 0 {
        out.push(b':');
        push_decimal(port as u64, out);
    }
    out.extend_from_slice(CRLF);
}

/// `HTTP/major.minor` from the `EnHttpVersion` form.
fn write_version(version: u16, out: &mut Vec<u8>) {
    let [major, minor] = version.to_le_bytes();
    out.extend_from_slice(b"HTTP/");
    push_decimal(major as u64, out);
    out.push(b'.');
    push_decimal(minor as u64, out);
}

fn push_decimal(mut n: u64, out: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

fn push_hex(mut n: u64, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut digits = [0u8; 16];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = HEX[(n & 0xF) as usize];
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// The reason phrase upstream writes for a status code when the caller gives none; `***` for a
/// code upstream does not know.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        103 => "Early Hints",
        110 => "Response Is Stale",
        111 => "Revalidation Failed",
        112 => "Disconnected Operation",
        113 => "Heuristic Expiration",
        199 => "Miscellaneous Warning",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        214 => "Transformation Applied",
        226 => "IM Used",
        299 => "Miscellaneous Persistent Warning",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Move temporarily",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        306 => "Switch Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Requested Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        419 => "Page Expired",
        420 => "Enhance Your Calm",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Unordered Collection",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        430 => "Request Header Fields Too Large Unofficial",
        431 => "Request Header Fields Too Large",
        440 => "Login Timeout",
        444 => "No Response",
        449 => "Retry With",
        450 => "Blocked By Parental Control",
        451 => "Unavailable For Legal Reasons",
        460 => "Client Closed Load Balance Request",
        463 => "Invalid X-Forwarded-For",
        494 => "Request Header Too Large",
        495 => "SSL Certificate Error",
        496 => "SSL Certificate Required",
        497 => "HTTP Request Sent To HTTPS Port",
        498 => "Invalid Token",
        499 => "Client Closed Request",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        509 => "Bandwidth Limit Exceeded",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        520 => "Web Server Unknown Error",
        521 => "Web Server Is Down",
        522 => "Connection Timeout",
        523 => "Origin Is Unreachable",
        524 => "Timeout Occured",
        525 => "SSL Handshake Failed",
        526 => "Invalid SSL Certificate",
        527 => "Railgun Error",
        529 => "Site Is Overloaded",
        530 => "Site Is Frozen",
        561 => "Identity Provider Authentication Error",
        598 => "Network Read Timeout",
        599 => "Network Connect Timeout",
        600 => "Unparseable Response Headers",
        _ => "***",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Headers<'a> = &'a [(&'a [u8], &'a [u8])];

    fn response(head: ResponseHead, headers: Headers) -> String {
        let mut out = Vec::new();
        head.write(headers.iter().copied(), &mut out);
        String::from_utf8(out).unwrap()
    }

    fn request(head: RequestHead, headers: Headers) -> String {
        let mut out = Vec::new();
        head.write(headers.iter().copied(), &mut out);
        String::from_utf8(out).unwrap()
    }

    const OK: ResponseHead = ResponseHead { version: HTTP_1_1, status: 200, reason: None, body_len: 0, keep_alive: Some(true) };
    const GET: RequestHead = RequestHead { version: HTTP_1_1, method: b"GET", path: b"/", body_len: 0, host: None, cookie: None };

    #[test]
    fn a_head_says_whether_it_frames_exactly_its_body() {
        let mut out = Vec::new();
        assert!(ResponseHead { body_len: 3, ..OK }.write([(&b"Content-Type"[..], &b"text/plain"[..])], &mut out));
        assert!(!OK.write([(&b"content-length"[..], &b"5"[..])], &mut out), "the caller's Content-Length");
        assert!(!OK.write([(&b"Transfer-Encoding"[..], &b"chunked"[..])], &mut out), "a chunked body");
    }

    #[test]
    fn response_gets_length_and_connection() {
        assert_eq!(response(OK, &[]), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
        let head = ResponseHead { status: 404, body_len: 12, keep_alive: Some(false), ..OK };
        assert_eq!(
            response(head, &[(b"Content-Type", b"text/plain")]),
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nConnection: close\r\n\r\n"
        );
        let head = ResponseHead { keep_alive: None, ..OK };
        assert_eq!(response(head, &[]), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    }

    #[test]
    fn callers_framing_and_connection_win_in_any_case() {
        let head = ResponseHead { body_len: 5, ..OK };
        assert_eq!(response(head, &[(b"content-length", b"5")]), "HTTP/1.1 200 OK\r\ncontent-length: 5\r\nConnection: keep-alive\r\n\r\n");
        assert_eq!(
            response(head, &[(b"Transfer-Encoding", b"chunked"), (b"CONNECTION", b"upgrade")]),
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nCONNECTION: upgrade\r\n\r\n"
        );
    }

    #[test]
    fn reason_version_and_skipped_names() {
        let head = ResponseHead { version: HTTP_1_0, status: 599, reason: Some(b"Custom Thing"), ..OK };
        assert_eq!(response(head, &[(b"", b"dropped"), (b"X-A", b"")]), "HTTP/1.0 599 Custom Thing\r\nX-A: \r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
        let head = ResponseHead { status: 799, keep_alive: None, ..OK };
        assert_eq!(response(head, &[]), "HTTP/1.1 799 ***\r\nContent-Length: 0\r\n\r\n");
    }

    #[test]
    fn reason_table() {
        assert_eq!(reason_phrase(101), "Switching Protocols");
        assert_eq!(reason_phrase(302), "Move temporarily");
        assert_eq!(reason_phrase(418), "I'm a teapot");
        assert_eq!(reason_phrase(600), "Unparseable Response Headers");
        assert_eq!(reason_phrase(0), "***");
        assert_eq!(reason_phrase(427), "***");
    }

    #[test]
    fn get_has_no_length_and_host_with_port() {
        assert_eq!(request(GET, &[]), "GET / HTTP/1.1\r\n\r\n");
        let head = RequestHead { method: b"get", path: b"index.html?q=1", host: Some((b"example.com", 8080)), ..GET };
        assert_eq!(request(head, &[(b"Accept", b"*/*")]), "GET /index.html?q=1 HTTP/1.1\r\nAccept: */*\r\nHost: example.com:8080\r\n\r\n");
        let head = RequestHead { host: Some((b"example.com", 0)), ..GET };
        assert_eq!(request(head, &[]), "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
        let head = RequestHead { host: Some((b"example.com", 80)), ..GET };
        assert_eq!(request(head, &[(b"host", b"other")]), "GET / HTTP/1.1\r\nhost: other\r\n\r\n");
        let head = RequestHead { host: Some((b"::1", 8080)), ..GET };
        assert_eq!(request(head, &[]), "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n");
        let head = RequestHead { host: Some((b"", 8080)), ..GET };
        assert_eq!(request(head, &[]), "GET / HTTP/1.1\r\n\r\n");
    }

    #[test]
    fn body_gets_length_then_host_then_cookie() {
        let head = RequestHead { method: b"Post", path: b"/api", body_len: 3, host: Some((b"h", 81)), cookie: Some(b"a=1; b=2"), ..GET };
        assert_eq!(request(head, &[(b"X", b"y")]), "POST /api HTTP/1.1\r\nX: y\r\nContent-Length: 3\r\nHost: h:81\r\nCookie: a=1; b=2\r\n\r\n");
        let head = RequestHead { method: b"POST", body_len: 3, cookie: Some(b""), ..GET };
        assert_eq!(request(head, &[(b"Transfer-Encoding", b"chunked")]), "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
        let head = RequestHead { method: b"POST", ..GET };
        assert_eq!(request(head, &[]), "POST / HTTP/1.1\r\n\r\n", "an empty body gets no Content-Length");
    }

    #[test]
    fn connect_keeps_its_authority_and_has_no_host() {
        let head = RequestHead { method: b"connect", path: b"example.com:443", host: Some((b"proxy", 3128)), ..GET };
        assert_eq!(request(head, &[]), "CONNECT example.com:443 HTTP/1.1\r\n\r\n");
        let head = RequestHead { method: b"CONNECT", path: b"", ..GET };
        assert_eq!(request(head, &[]), "CONNECT / HTTP/1.1\r\n\r\n");
    }

    #[test]
    fn path_rules() {
        assert!(needs_leading_slash(b"GET", b""));
        assert!(needs_leading_slash(b"GET", b"a"));
        assert!(needs_leading_slash(b"GET", b"http://h/x"), "upstream prefixes absolute URLs too");
        assert!(!needs_leading_slash(b"GET", b"/a"));
        assert!(!needs_leading_slash(b"Connect", b"h:1"));
        assert!(needs_leading_slash(b"CONNECT", b""));
        let mut out = Vec::new();
        write_request_path(b"GET", b"x", &mut out);
        assert_eq!(out, b"/x");
    }

    #[test]
    fn chunks() {
        let mut out = Vec::new();
        write_chunk(b"hello world, 26 bytes long", None, &mut out);
        assert_eq!(out, b"1a\r\nhello world, 26 bytes long\r\n");
        out.clear();
        write_chunk(b"abc", Some(b"name=v"), &mut out);
        assert_eq!(out, b"3;name=v\r\nabc\r\n");
        out.clear();
        write_chunk_header(4096, Some(b";a;b"), &mut out);
        assert_eq!(out, b"1000;a;b\r\n");
        out.clear();
        write_chunk(b"", Some(b""), &mut out);
        assert_eq!(out, b"0\r\n\r\n");
    }

    #[test]
    fn numbers() {
        let mut out = Vec::new();
        push_decimal(u64::MAX, &mut out);
        out.push(b' ');
        push_hex(u64::MAX, &mut out);
        out.push(b' ');
        push_decimal(0, &mut out);
        assert_eq!(out, b"18446744073709551615 ffffffffffffffff 0");
    }
}
