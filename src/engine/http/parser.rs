//! A sans-IO HTTP/1.x parser that behaves as llhttp 8.1 built in strict mode, the parser upstream
//! HP-Socket registers its callbacks with (`HttpHelper.h`, `THttpObjT`).
//!
//! It is a byte-exact re-implementation of llhttp's state machine (`src/llhttp/http.ts`,
//! `src/llhttp/url.ts`, `src/native/http.c`), not a wrapper: the same bytes are accepted, the same
//! errors are raised with llhttp's `HPE_*` numbers and reason texts, and the events come in the
//! order upstream raises them. Where upstream collects a span (URL, reason phrase, header name and
//! value) and fires its event from the span's `*_complete` callback, this parser does the same, so
//! `on_request_line` comes before the headers and `on_header` fires once the next line shows that
//! the value is not folded.
//!
//! Input is fed in any pieces; the events are the same whatever the split, except that body data
//! comes in as many `on_body` pieces as the input has (each a slice of the input, never a copy).
//! A URL, reason, header name or value lying in one piece is passed straight from the input;
//! one that straddles pieces (or a folded value) is assembled in a per-parser buffer that is reused
//! from message to message. Those buffers are bounded by [`MAX_HEAD_SIZE`].

use crate::engine::ParseResult;

// llhttp's error numbers (`enum llhttp_errno`, llhttp 8.1 `llhttp.h`).
pub const HPE_OK: i32 = 0;
pub const HPE_INTERNAL: i32 = 1;
pub const HPE_STRICT: i32 = 2;
pub const HPE_LF_EXPECTED: i32 = 3;
pub const HPE_UNEXPECTED_CONTENT_LENGTH: i32 = 4;
pub const HPE_CLOSED_CONNECTION: i32 = 5;
pub const HPE_INVALID_METHOD: i32 = 6;
pub const HPE_INVALID_URL: i32 = 7;
pub const HPE_INVALID_CONSTANT: i32 = 8;
pub const HPE_INVALID_VERSION: i32 = 9;
pub const HPE_INVALID_HEADER_TOKEN: i32 = 10;
pub const HPE_INVALID_CONTENT_LENGTH: i32 = 11;
pub const HPE_INVALID_CHUNK_SIZE: i32 = 12;
pub const HPE_INVALID_STATUS: i32 = 13;
pub const HPE_INVALID_EOF_STATE: i32 = 14;
pub const HPE_INVALID_TRANSFER_ENCODING: i32 = 15;
pub const HPE_CB_MESSAGE_BEGIN: i32 = 16;
pub const HPE_CB_HEADERS_COMPLETE: i32 = 17;
pub const HPE_CB_MESSAGE_COMPLETE: i32 = 18;
pub const HPE_CB_CHUNK_HEADER: i32 = 19;
pub const HPE_CB_CHUNK_COMPLETE: i32 = 20;
pub const HPE_PAUSED: i32 = 21;
pub const HPE_PAUSED_UPGRADE: i32 = 22;
pub const HPE_PAUSED_H2_UPGRADE: i32 = 23;
pub const HPE_USER: i32 = 24;
pub const HPE_CR_EXPECTED: i32 = 25;
pub const HPE_CB_URL_COMPLETE: i32 = 26;
pub const HPE_CB_STATUS_COMPLETE: i32 = 27;
pub const HPE_CB_HEADER_FIELD_COMPLETE: i32 = 28;
pub const HPE_CB_HEADER_VALUE_COMPLETE: i32 = 29;
pub const HPE_UNEXPECTED_SPACE: i32 = 30;
pub const HPE_CB_RESET: i32 = 31;
pub const HPE_CB_METHOD_COMPLETE: i32 = 32;
pub const HPE_CB_VERSION_COMPLETE: i32 = 33;
pub const HPE_CB_CHUNK_EXTENSION_NAME_COMPLETE: i32 = 34;
pub const HPE_CB_CHUNK_EXTENSION_VALUE_COMPLETE: i32 = 35;

/// llhttp's name for an error number (`llhttp_errno_name`), e.g. `HPE_OK`; upstream reports it
/// when an error has no reason text.
pub fn error_name(code: i32) -> Option<&'static str> {
    const NAMES: [&str; 36] = [
        "HPE_OK",
        "HPE_INTERNAL",
        "HPE_STRICT",
        "HPE_LF_EXPECTED",
        "HPE_UNEXPECTED_CONTENT_LENGTH",
        "HPE_CLOSED_CONNECTION",
        "HPE_INVALID_METHOD",
        "HPE_INVALID_URL",
        "HPE_INVALID_CONSTANT",
        "HPE_INVALID_VERSION",
        "HPE_INVALID_HEADER_TOKEN",
        "HPE_INVALID_CONTENT_LENGTH",
        "HPE_INVALID_CHUNK_SIZE",
        "HPE_INVALID_STATUS",
        "HPE_INVALID_EOF_STATE",
        "HPE_INVALID_TRANSFER_ENCODING",
        "HPE_CB_MESSAGE_BEGIN",
        "HPE_CB_HEADERS_COMPLETE",
        "HPE_CB_MESSAGE_COMPLETE",
        "HPE_CB_CHUNK_HEADER",
        "HPE_CB_CHUNK_COMPLETE",
        "HPE_PAUSED",
        "HPE_PAUSED_UPGRADE",
        "HPE_PAUSED_H2_UPGRADE",
        "HPE_USER",
        "HPE_CR_EXPECTED",
        "HPE_CB_URL_COMPLETE",
        "HPE_CB_STATUS_COMPLETE",
        "HPE_CB_HEADER_FIELD_COMPLETE",
        "HPE_CB_HEADER_VALUE_COMPLETE",
        "HPE_UNEXPECTED_SPACE",
        "HPE_CB_RESET",
        "HPE_CB_METHOD_COMPLETE",
        "HPE_CB_VERSION_COMPLETE",
        "HPE_CB_CHUNK_EXTENSION_NAME_COMPLETE",
        "HPE_CB_CHUNK_EXTENSION_VALUE_COMPLETE",
    ];
    usize::try_from(code).ok().and_then(|i| NAMES.get(i).copied())
}

/// The most bytes a head may take: the start line and headers of a message, counted from its
/// first byte to the LF that ends the empty line; the same limit applies to a chunked body's
/// trailers. llhttp has no limit (Node's binding counts the bytes itself); going over it is
/// [`HEAD_TOO_LARGE`].
pub const MAX_HEAD_SIZE: usize = 64 * 1024;

/// The most header lines a head (or a trailer section) may have; one more is [`TOO_MANY_HEADERS`].
pub const MAX_HEADERS: usize = 256;

/// A head over [`MAX_HEAD_SIZE`]. llhttp's enum has no code for it: Node's binding, which adds
/// this limit, returns `HPE_USER` with this reason (its `HPE_HEADER_OVERFLOW` exists only in
/// JavaScript), and we do the same, so the number stays one llhttp defines.
pub const HEAD_TOO_LARGE: ParseError = ParseError { code: HPE_USER, reason: "HPE_HEADER_OVERFLOW:Header overflow" };

/// A head with more than [`MAX_HEADERS`] headers: `HPE_USER`, like [`HEAD_TOO_LARGE`].
pub const TOO_MANY_HEADERS: ParseError = ParseError { code: HPE_USER, reason: "HPE_HEADER_OVERFLOW:Too many headers" };

/// What the parser reads: requests (servers) or responses (agents and clients).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Request,
    Response,
}

/// The request methods llhttp knows, numbered as its `enum llhttp_method` (upstream's
/// `GetMethodInt`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Method {
    Delete = 0,
    Get = 1,
    Head = 2,
    Post = 3,
    Put = 4,
    Connect = 5,
    Options = 6,
    Trace = 7,
    Copy = 8,
    Lock = 9,
    Mkcol = 10,
    Move = 11,
    Propfind = 12,
    Proppatch = 13,
    Search = 14,
    Unlock = 15,
    Bind = 16,
    Rebind = 17,
    Unbind = 18,
    Acl = 19,
    Report = 20,
    Mkactivity = 21,
    Checkout = 22,
    Merge = 23,
    MSearch = 24,
    Notify = 25,
    Subscribe = 26,
    Unsubscribe = 27,
    Patch = 28,
    Purge = 29,
    Mkcalendar = 30,
    Link = 31,
    Unlink = 32,
    Source = 33,
    Pri = 34,
    Describe = 35,
    Announce = 36,
    Setup = 37,
    Play = 38,
    Pause = 39,
    Teardown = 40,
    GetParameter = 41,
    SetParameter = 42,
    Redirect = 43,
    Record = 44,
    Flush = 45,
}

/// Every method with its name, sorted by name: the request-line matcher narrows a range of this
/// table byte by byte, as llhttp's method trie does.
const METHODS_BY_NAME: [(&[u8], Method); 46] = [
    (b"ACL", Method::Acl),
    (b"ANNOUNCE", Method::Announce),
    (b"BIND", Method::Bind),
    (b"CHECKOUT", Method::Checkout),
    (b"CONNECT", Method::Connect),
    (b"COPY", Method::Copy),
    (b"DELETE", Method::Delete),
    (b"DESCRIBE", Method::Describe),
    (b"FLUSH", Method::Flush),
    (b"GET", Method::Get),
    (b"GET_PARAMETER", Method::GetParameter),
    (b"HEAD", Method::Head),
    (b"LINK", Method::Link),
    (b"LOCK", Method::Lock),
    (b"M-SEARCH", Method::MSearch),
    (b"MERGE", Method::Merge),
    (b"MKACTIVITY", Method::Mkactivity),
    (b"MKCALENDAR", Method::Mkcalendar),
    (b"MKCOL", Method::Mkcol),
    (b"MOVE", Method::Move),
    (b"NOTIFY", Method::Notify),
    (b"OPTIONS", Method::Options),
    (b"PATCH", Method::Patch),
    (b"PAUSE", Method::Pause),
    (b"PLAY", Method::Play),
    (b"POST", Method::Post),
    (b"PRI", Method::Pri),
    (b"PROPFIND", Method::Propfind),
    (b"PROPPATCH", Method::Proppatch),
    (b"PURGE", Method::Purge),
    (b"PUT", Method::Put),
    (b"REBIND", Method::Rebind),
    (b"RECORD", Method::Record),
    (b"REDIRECT", Method::Redirect),
    (b"REPORT", Method::Report),
    (b"SEARCH", Method::Search),
    (b"SETUP", Method::Setup),
    (b"SET_PARAMETER", Method::SetParameter),
    (b"SOURCE", Method::Source),
    (b"SUBSCRIBE", Method::Subscribe),
    (b"TEARDOWN", Method::Teardown),
    (b"TRACE", Method::Trace),
    (b"UNBIND", Method::Unbind),
    (b"UNLINK", Method::Unlink),
    (b"UNLOCK", Method::Unlock),
    (b"UNSUBSCRIBE", Method::Unsubscribe),
];

impl Method {
    /// All methods in number order.
    pub const ALL: [Method; 46] = [
        Method::Delete,
        Method::Get,
        Method::Head,
        Method::Post,
        Method::Put,
        Method::Connect,
        Method::Options,
        Method::Trace,
        Method::Copy,
        Method::Lock,
        Method::Mkcol,
        Method::Move,
        Method::Propfind,
        Method::Proppatch,
        Method::Search,
        Method::Unlock,
        Method::Bind,
        Method::Rebind,
        Method::Unbind,
        Method::Acl,
        Method::Report,
        Method::Mkactivity,
        Method::Checkout,
        Method::Merge,
        Method::MSearch,
        Method::Notify,
        Method::Subscribe,
        Method::Unsubscribe,
        Method::Patch,
        Method::Purge,
        Method::Mkcalendar,
        Method::Link,
        Method::Unlink,
        Method::Source,
        Method::Pri,
        Method::Describe,
        Method::Announce,
        Method::Setup,
        Method::Play,
        Method::Pause,
        Method::Teardown,
        Method::GetParameter,
        Method::SetParameter,
        Method::Redirect,
        Method::Record,
        Method::Flush,
    ];

    /// llhttp's number for the method.
    pub fn index(self) -> u8 {
        self as u8
    }

    /// The method with llhttp's number `index`.
    pub fn from_index(index: u8) -> Option<Method> {
        Method::ALL.get(usize::from(index)).copied()
    }

    /// The method's name as it appears on the request line (`llhttp_method_name`).
    pub fn name(self) -> &'static str {
        match self {
            Method::Delete => "DELETE",
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Connect => "CONNECT",
            Method::Options => "OPTIONS",
            Method::Trace => "TRACE",
            Method::Copy => "COPY",
            Method::Lock => "LOCK",
            Method::Mkcol => "MKCOL",
            Method::Move => "MOVE",
            Method::Propfind => "PROPFIND",
            Method::Proppatch => "PROPPATCH",
            Method::Search => "SEARCH",
            Method::Unlock => "UNLOCK",
            Method::Bind => "BIND",
            Method::Rebind => "REBIND",
            Method::Unbind => "UNBIND",
            Method::Acl => "ACL",
            Method::Report => "REPORT",
            Method::Mkactivity => "MKACTIVITY",
            Method::Checkout => "CHECKOUT",
            Method::Merge => "MERGE",
            Method::MSearch => "M-SEARCH",
            Method::Notify => "NOTIFY",
            Method::Subscribe => "SUBSCRIBE",
            Method::Unsubscribe => "UNSUBSCRIBE",
            Method::Patch => "PATCH",
            Method::Purge => "PURGE",
            Method::Mkcalendar => "MKCALENDAR",
            Method::Link => "LINK",
            Method::Unlink => "UNLINK",
            Method::Source => "SOURCE",
            Method::Pri => "PRI",
            Method::Describe => "DESCRIBE",
            Method::Announce => "ANNOUNCE",
            Method::Setup => "SETUP",
            Method::Play => "PLAY",
            Method::Pause => "PAUSE",
            Method::Teardown => "TEARDOWN",
            Method::GetParameter => "GET_PARAMETER",
            Method::SetParameter => "SET_PARAMETER",
            Method::Redirect => "REDIRECT",
            Method::Record => "RECORD",
            Method::Flush => "FLUSH",
        }
    }

    /// The method named `name`, ignoring ASCII case (upstream compares a client's request method
    /// with `stricmp` to know that its response to HEAD has no body).
    pub fn from_name_ignore_case(name: &str) -> Option<Method> {
        Method::ALL.iter().copied().find(|m| m.name().eq_ignore_ascii_case(name))
    }
}

/// The current message's head as llhttp holds it. Fields keep their values until the parser
/// overwrites them, as llhttp's do: `method`, `version` and `status` as the start line is read,
/// `content_length` and `chunked` just before `on_headers_complete`, `keep_alive` and `upgrade`
/// before `on_headers_complete` and again before `on_message_complete`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Head {
    /// The request's method (requests only).
    pub method: Option<Method>,
    /// (major, minor); HTTP/0.9 for a request line without a version.
    pub version: (u8, u8),
    /// The response's status code (responses only; 0 until read).
    pub status: u16,
    /// The Content-Length header's value, when the message has one.
    pub content_length: Option<u64>,
    /// Whether `chunked` is the final Transfer-Encoding.
    pub chunked: bool,
    /// `llhttp_should_keep_alive`: another message may follow on the connection.
    pub keep_alive: bool,
    /// llhttp's `upgrade`: a request with `Upgrade` and `Connection: upgrade` (or CONNECT), a 101
    /// response with both, or `ParseResult::Upgrade` returned from `on_headers_complete`. When
    /// true at the end of the message, [`HttpParser::feed`] returns [`Progress::Upgrade`].
    pub upgrade: bool,
}

/// The events of a message, in the order upstream raises them. Each returns what the HTTP layer's
/// listener returned; `ParseResult::Error` stops parsing with llhttp's code for that callback.
/// `SkipBody` and `Upgrade` count only from `on_headers_complete`; elsewhere they are taken as
/// `Ok` (llhttp would turn any non-zero value into an error there).
pub trait Handler {
    /// The first byte of a message (after any CR / LF between messages) has arrived.
    fn on_message_begin(&mut self) -> ParseResult {
        ParseResult::Ok
    }
    /// The request line's method and URL, once the URL has ended (before any header).
    fn on_request_line(&mut self, _method: &str, _url: &[u8]) -> ParseResult {
        ParseResult::Ok
    }
    /// The status line's code and reason phrase.
    fn on_status_line(&mut self, _status: u16, _reason: &[u8]) -> ParseResult {
        ParseResult::Ok
    }
    /// One header (or trailer) with its value, folded lines joined without their CRLF.
    fn on_header(&mut self, _name: &[u8], _value: &[u8]) -> ParseResult {
        ParseResult::Ok
    }
    /// The empty line after the headers. `SkipBody`: the message has no body (a response to
    /// HEAD). `Upgrade`: no body, and the bytes after the head belong to another protocol.
    fn on_headers_complete(&mut self, _head: &Head) -> ParseResult {
        ParseResult::Ok
    }
    /// A chunk's size line; the last chunk has size 0 and its trailers follow.
    fn on_chunk_header(&mut self, _size: u64) -> ParseResult {
        ParseResult::Ok
    }
    /// Body bytes (of a chunk, or of the whole body), a slice of the input.
    fn on_body(&mut self, _data: &[u8]) -> ParseResult {
        ParseResult::Ok
    }
    /// The CRLF after a chunk's data, or the end of the trailers for the last chunk.
    fn on_chunk_complete(&mut self) -> ParseResult {
        ParseResult::Ok
    }
    /// The message is complete.
    fn on_message_complete(&mut self, _head: &Head) -> ParseResult {
        ParseResult::Ok
    }
}

/// A parse error: llhttp's error number and its reason text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// One of the `HPE_*` numbers.
    pub code: i32,
    /// llhttp's reason text for it.
    pub reason: &'static str,
}

/// How far a call to [`HttpParser::feed`] went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Every byte was parsed.
    All,
    /// A message that upgrades the connection is complete (`HPE_PAUSED_UPGRADE` in llhttp): the
    /// bytes from `consumed` on belong to the next protocol. Later feeds parse nothing and
    /// return `Upgrade { consumed: 0 }` until [`HttpParser::reset`].
    Upgrade { consumed: usize },
}

// llhttp's flags (`enum llhttp_flags`).
const F_CONNECTION_KEEP_ALIVE: u16 = 0x1;
const F_CONNECTION_CLOSE: u16 = 0x2;
const F_CONNECTION_UPGRADE: u16 = 0x4;
const F_CHUNKED: u16 = 0x8;
const F_UPGRADE: u16 = 0x10;
const F_CONTENT_LENGTH: u16 = 0x20;
const F_SKIPBODY: u16 = 0x40;
const F_TRAILING: u16 = 0x80;
const F_TRANSFER_ENCODING: u16 = 0x200;

/// What llhttp knows about the header being read (its `header_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HeaderState {
    General,
    Connection,
    ContentLength,
    TransferEncoding,
    Upgrade,
    ConnectionKeepAlive,
    ConnectionClose,
    ConnectionUpgrade,
    TransferEncodingChunked,
}

/// What an end of input means now (llhttp's `finish`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Finish {
    /// Between messages.
    Safe,
    /// In a body that lasts until the connection closes.
    SafeWithCb,
    /// Inside a message.
    Unsafe,
}

/// The protocol names a request line may end with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Protocol {
    Http,
    Rtsp,
    Ice,
}

impl Protocol {
    fn name(self) -> &'static [u8] {
        match self {
            Protocol::Http => b"HTTP/",
            Protocol::Rtsp => b"RTSP/",
            Protocol::Ice => b"ICE/",
        }
    }

    /// Whether `method` may be used with this protocol, and llhttp's reason when not.
    fn check(self, method: Option<Method>) -> Result<(), &'static str> {
        let index = method.map_or(u8::MAX, Method::index);
        match self {
            // DELETE .. PRI: every HTTP method, SOURCE and PRI included.
            Protocol::Http if index <= Method::Pri.index() => Ok(()),
            Protocol::Http => Err("Invalid method for HTTP/x.x request"),
            Protocol::Rtsp
                if matches!(method, Some(Method::Options | Method::Get | Method::Post))
                    || (Method::Describe.index()..=Method::Flush.index()).contains(&index) =>
            {
                Ok(())
            }
            Protocol::Rtsp => Err("Invalid method for RTSP/x.x request"),
            Protocol::Ice if method == Some(Method::Source) => Ok(()),
            Protocol::Ice => Err("Expected SOURCE method for ICE/x.x request"),
        }
    }
}

/// The Connection header tokens llhttp recognizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ConnectionToken {
    Close,
    Upgrade,
    KeepAlive,
}

impl ConnectionToken {
    fn word(self) -> &'static [u8] {
        match self {
            ConnectionToken::Close => b"close",
            ConnectionToken::Upgrade => b"upgrade",
            ConnectionToken::KeepAlive => b"keep-alive",
        }
    }

    fn header_state(self) -> HeaderState {
        match self {
            ConnectionToken::Close => HeaderState::ConnectionClose,
            ConnectionToken::Upgrade => HeaderState::ConnectionUpgrade,
            ConnectionToken::KeepAlive => HeaderState::ConnectionKeepAlive,
        }
    }
}

/// The parser's position, one variant per llhttp node that waits for a byte. Counters are
/// how many bytes of a fixed word have matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before a message: CR and LF are skipped.
    Start,
    /// The method so far matches `METHODS_BY_NAME[lo..hi]` in its first `len` bytes.
    Method {
        lo: u8,
        hi: u8,
        len: u8,
    },
    FirstSpaceBeforeUrl,
    SpacesBeforeUrl,
    UrlStart,
    UrlSchema,
    UrlSchemaSlashes(u8),
    UrlServer,
    UrlServerWithAt,
    UrlPath,
    UrlQueryOrFragment,
    UrlQuery,
    UrlFragment,
    /// The URL ended at CR: `matched` bytes of CRLF seen.
    UrlCrlf(u8),
    /// The URL ended at a space: the next byte decides.
    UrlToHttp,
    /// The URL ended the line (HTTP/0.9): the next byte decides.
    UrlToHttp09,
    ReqProtocolStart,
    ReqProtocol(Protocol, u8),
    Major,
    Dot,
    Minor,
    ReqLineEnd,
    ReqLineLf,
    PriPreface(u8),
    ResProtocol(u8),
    ResAfterVersion,
    StatusCode,
    StatusStart,
    Status,
    StatusLineLf,
    HeadersStart,
    FieldStart,
    Field,
    ValueDiscardWs,
    ValueDiscardWsLf,
    ValueDiscardLws,
    ValueStart,
    ValueTeChunked(u8),
    ValueTeChunkedLast,
    ValueTeToken,
    ValueTeTokenOws,
    ValueContentLength,
    ValueContentLengthWs,
    ValueConnection(Option<ConnectionToken>, u8),
    ValueConnectionWs,
    ValueConnectionToken,
    Value,
    ValueOtherwise,
    ValueLf,
    ValueLws,
    HeadersLf,
    BodyIdentity,
    BodyUntilEof,
    ChunkSizeStart,
    ChunkSize,
    ChunkSizeOtherwise,
    ChunkExtensions,
    ChunkExtensionName,
    ChunkExtensionValue,
    ChunkExtensionQuoted,
    ChunkExtensionQuotedDone,
    ChunkSizeLf,
    ChunkData,
    ChunkDataCr,
    ChunkDataLf,
    /// After a message that does not keep the connection alive.
    Closed,
}

impl State {
    /// Whether the bytes read in this state count toward [`MAX_HEAD_SIZE`].
    fn in_head(self) -> bool {
        !matches!(
            self,
            State::Start
                | State::Closed
                | State::BodyIdentity
                | State::BodyUntilEof
                | State::ChunkSizeStart
                | State::ChunkSize
                | State::ChunkSizeOtherwise
                | State::ChunkExtensions
                | State::ChunkExtensionName
                | State::ChunkExtensionValue
                | State::ChunkExtensionQuoted
                | State::ChunkExtensionQuotedDone
                | State::ChunkSizeLf
                | State::ChunkData
                | State::ChunkDataCr
                | State::ChunkDataLf
        )
    }
}

// Byte classes, as llhttp's strict-mode character lists (`src/llhttp/constants.ts`).
const C_TOKEN: u8 = 1; // STRICT_TOKEN
const C_HEADER: u8 = 2; // HEADER_CHARS
const C_URL: u8 = 4; // STRICT_URL_CHAR
const C_USERINFO: u8 = 8; // USERINFO_CHARS
const C_CONNECTION_TOKEN: u8 = 16; // CONNECTION_TOKEN_CHARS
const C_QUOTED: u8 = 32; // QUOTED_STRING
const C_ALPHA: u8 = 64;

const fn byte_classes() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        let alpha = c.is_ascii_alphabetic();
        let alnum = c.is_ascii_alphanumeric();
        let mut class = 0;
        if alpha {
            class |= C_ALPHA;
        }
        if alnum
            || matches!(
                c,
                b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
            )
        {
            class |= C_TOKEN;
        }
        if c == b'\t' || (c >= 0x20 && c != 0x7f) {
            class |= C_HEADER;
            if c != b',' {
                class |= C_CONNECTION_TOKEN;
            }
        }
        if c > 0x20 && c < 0x7f && c != b'#' && c != b'?' {
            class |= C_URL;
        }
        if super::url::is_userinfo_char(c) {
            class |= C_USERINFO;
        }
        if c == b'\t' || c == b' ' || (c >= 0x21 && c != b'"' && c != b'\\') {
            class |= C_QUOTED;
        }
        table[i] = class;
        i += 1;
    }
    table
}

static CLASSES: [u8; 256] = byte_classes();

fn is(c: u8, class: u8) -> bool {
    CLASSES[usize::from(c)] & class != 0
}

/// The index of the first byte of `data[from..to]` outside `class`, or `to`.
fn scan(data: &[u8], from: usize, to: usize, class: u8) -> usize {
    data.get(from..to).and_then(|run| run.iter().position(|&c| !is(c, class))).map_or(to, |i| from + i)
}

/// As [`scan`], skipping eight bytes at a time while none of them can be outside `class`:
/// `suspect` tells, for a word of eight bytes, whether any of them might be (never missing one).
fn scan_words(data: &[u8], from: usize, to: usize, class: u8, suspect: fn(u64) -> bool) -> usize {
    let Some(run) = data.get(from..to) else {
        return to;
    };
    let clean_words = run.chunks_exact(8).take_while(|word| {
        let word: [u8; 8] = (*word).try_into().unwrap_or([0; 8]);
        !suspect(u64::from_le_bytes(word))
    });
    scan(data, from + 8 * clean_words.count(), to, class)
}

const BYTES_01: u64 = 0x0101_0101_0101_0101;
const BYTES_80: u64 = 0x8080_8080_8080_8080;

/// Whether a byte of `word` is below `n` (`n` at most 0x80).
fn has_byte_below(word: u64, n: u8) -> bool {
    word.wrapping_sub(BYTES_01 * u64::from(n)) & !word & BYTES_80 != 0
}

fn has_byte(word: u64, value: u8) -> bool {
    has_byte_below(word ^ (BYTES_01 * u64::from(value)), 1)
}

/// A header value's bytes: TAB and 0x20..=0xFF but DEL (TAB takes the slow path).
fn header_word_suspect(word: u64) -> bool {
    has_byte_below(word, 0x20) || has_byte(word, 0x7f)
}

/// A URL's bytes: visible ASCII but `#` and `?`.
fn url_word_suspect(word: u64) -> bool {
    has_byte_below(word, 0x21)
        || word & BYTES_80 != 0
        || has_byte(word, 0x7f)
        || has_byte(word, b'#')
        || has_byte(word, b'?')
}

fn hex_value(c: u8) -> Option<u64> {
    char::from(c).to_digit(16).map(u64::from)
}

/// The header names llhttp treats specially, and what it then knows about the header.
fn special_header(name: &[u8]) -> HeaderState {
    const SPECIAL: [(&[u8], HeaderState); 5] = [
        (b"connection", HeaderState::Connection),
        (b"content-length", HeaderState::ContentLength),
        (b"proxy-connection", HeaderState::Connection),
        (b"transfer-encoding", HeaderState::TransferEncoding),
        (b"upgrade", HeaderState::Upgrade),
    ];
    SPECIAL
        .iter()
        .find(|(special, _)| special.eq_ignore_ascii_case(name))
        .map_or(HeaderState::General, |&(_, state)| state)
}

/// Buffer memory a span keeps from one message to the next; more is freed when a message begins.
const SPAN_KEPT_CAPACITY: usize = 4096;

/// One piece of the head being collected (URL or reason phrase, header name, header value): a
/// range of the current input while it lies there, else copied into `buf`.
#[derive(Default)]
struct Span {
    buf: Vec<u8>,
    /// The bytes so far are in `buf` (the span straddled inputs, or has several pieces).
    buffered: bool,
    /// Whether a piece is being read (it ends at a later position).
    open: bool,
    start: usize,
    end: usize,
}

impl Span {
    /// A piece starts at `at`. A value folded over lines has several pieces; the earlier ones move
    /// into the buffer.
    fn begin(&mut self, at: usize, data: &[u8]) {
        if !self.buffered && self.end > self.start {
            self.buf.extend_from_slice(data.get(self.start..self.end).unwrap_or_default());
            self.buffered = true;
        }
        self.open = true;
        self.start = at;
        self.end = at;
    }

    /// The piece being read ends before `at`.
    fn finish(&mut self, at: usize, data: &[u8]) {
        if self.buffered {
            self.buf.extend_from_slice(data.get(self.start..at).unwrap_or_default());
            self.start = at;
        }
        self.end = at;
        self.open = false;
    }

    /// The input ends: what of the span lies in it moves into the buffer; an open piece goes on
    /// at position 0 of the next input.
    fn spill(&mut self, data: &[u8]) {
        if self.open {
            self.buf.extend_from_slice(data.get(self.start..).unwrap_or_default());
            self.buffered = true;
        } else if !self.buffered && self.end > self.start {
            self.buf.extend_from_slice(data.get(self.start..self.end).unwrap_or_default());
            self.buffered = true;
        }
        self.start = 0;
        self.end = 0;
    }

    /// The span's bytes (call when no piece is open).
    fn bytes<'a>(&'a self, data: &'a [u8]) -> &'a [u8] {
        if self.buffered {
            &self.buf
        } else {
            data.get(self.start..self.end).unwrap_or_default()
        }
    }

    /// Gives back the memory a long span left behind, so that idle connections stay small.
    fn release_excess(&mut self) {
        if self.buf.capacity() > SPAN_KEPT_CAPACITY {
            self.buf = Vec::new();
        }
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.buffered = false;
        self.open = false;
        self.start = 0;
        self.end = 0;
    }
}

/// Why a step stopped the parsing.
enum Stop {
    Error(ParseError),
    /// The message that upgrades the connection ended at this position.
    Upgrade(usize),
}

impl From<ParseError> for Stop {
    fn from(e: ParseError) -> Stop {
        Stop::Error(e)
    }
}

fn fail<T>(code: i32, reason: &'static str) -> Result<T, Stop> {
    Err(Stop::Error(ParseError { code, reason }))
}

/// A callback's result, outside `on_headers_complete`.
fn check(result: ParseResult, code: i32, reason: &'static str) -> Result<(), Stop> {
    match result {
        ParseResult::Error => fail(code, reason),
        ParseResult::Ok | ParseResult::SkipBody | ParseResult::Upgrade => Ok(()),
    }
}

/// An HTTP/1.x parser for one connection's requests or responses.
pub struct HttpParser {
    mode: Mode,
    state: State,
    /// Returned again by every feed once set, until `reset`.
    error: Option<ParseError>,
    /// A message upgraded the connection; nothing more is parsed until `reset`.
    upgraded: bool,
    head: Head,
    flags: u16,
    header_state: HeaderState,
    /// llhttp's `content_length`: the Content-Length value, then what is left of the body or of
    /// the current chunk.
    content_length: u64,
    finish: Finish,
    /// llhttp's `upgrade`.
    upgrade: bool,
    /// The URL (requests) or reason phrase (responses).
    line: Span,
    name: Span,
    value: Span,
    /// Bytes the current head (or trailer section) may still take.
    head_budget: usize,
    /// Headers of the current head (or trailer section) so far.
    header_count: usize,
}

impl HttpParser {
    pub fn new(mode: Mode) -> Self {
        HttpParser {
            mode,
            state: State::Start,
            error: None,
            upgraded: false,
            head: Head::default(),
            flags: 0,
            header_state: HeaderState::General,
            content_length: 0,
            finish: Finish::Safe,
            upgrade: false,
            line: Span::default(),
            name: Span::default(),
            value: Span::default(),
            head_budget: MAX_HEAD_SIZE,
            header_count: 0,
        }
    }

    /// Whether this parser reads requests or responses.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The current (or last) message's head.
    pub fn head(&self) -> &Head {
        &self.head
    }

    /// The error that stopped the parser, if one did (upstream's `GetParseErrorCode`).
    pub fn error(&self) -> Option<ParseError> {
        self.error
    }

    /// Back to the state of a new parser, keeping the buffers' memory (`llhttp_init`).
    pub fn reset(&mut self) {
        self.state = State::Start;
        self.error = None;
        self.upgraded = false;
        self.head = Head::default();
        self.flags = 0;
        self.header_state = HeaderState::General;
        self.content_length = 0;
        self.finish = Finish::Safe;
        self.upgrade = false;
        self.clear_spans();
        self.head_budget = MAX_HEAD_SIZE;
        self.header_count = 0;
    }

    /// Parses `data`, calling `h` for each event (`llhttp_execute`).
    pub fn feed(&mut self, data: &[u8], h: &mut impl Handler) -> Result<Progress, ParseError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.upgraded {
            return Ok(Progress::Upgrade { consumed: 0 });
        }
        match self.run(data, h) {
            Ok(()) => {
                self.line.spill(data);
                self.name.spill(data);
                self.value.spill(data);
                Ok(Progress::All)
            }
            Err(Stop::Upgrade(consumed)) => {
                self.upgraded = true;
                self.clear_spans();
                Ok(Progress::Upgrade { consumed })
            }
            Err(Stop::Error(e)) => {
                self.error = Some(e);
                self.clear_spans();
                Err(e)
            }
        }
    }

    /// The peer closed the connection (`llhttp_finish`). A body that lasts until the connection
    /// closes is complete: `on_message_complete` fires, and the parser then refuses further data
    /// as after `Connection: close` (a second call does nothing). Inside any other message this is
    /// `HPE_INVALID_EOF_STATE`; between messages, after a parse error or after an upgrade there is
    /// nothing to finish. Unlike feed errors, these are not kept (llhttp does not keep them).
    pub fn finish(&mut self, h: &mut impl Handler) -> Result<(), ParseError> {
        if self.error.is_some() || self.upgraded {
            return Ok(());
        }
        match self.finish {
            Finish::Safe => Ok(()),
            Finish::SafeWithCb => {
                self.finish = Finish::Safe;
                self.state = State::Closed;
                self.head.keep_alive = self.should_keep_alive();
                match h.on_message_complete(&self.head) {
                    ParseResult::Error => Err(ParseError {
                        code: HPE_CB_MESSAGE_COMPLETE,
                        reason: "`on_message_complete` callback error",
                    }),
                    _ => Ok(()),
                }
            }
            Finish::Unsafe => Err(ParseError { code: HPE_INVALID_EOF_STATE, reason: "Invalid EOF state" }),
        }
    }

    fn clear_spans(&mut self) {
        self.line.clear();
        self.name.clear();
        self.value.clear();
    }

    /// Steps through `data`, keeping the head within its budget.
    fn run(&mut self, data: &[u8], h: &mut impl Handler) -> Result<(), Stop> {
        let mut pos = 0;
        while pos < data.len() {
            let in_head = self.state.in_head();
            let end = if in_head { data.len().min(pos.saturating_add(self.head_budget)) } else { data.len() };
            if pos >= end {
                return Err(Stop::Error(HEAD_TOO_LARGE));
            }
            let next = self.step(data, pos, end, h)?;
            if in_head {
                self.head_budget = self.head_budget.saturating_sub(next.saturating_sub(pos));
            }
            pos = next;
        }
        Ok(())
    }

    /// Handles the byte at `pos` (or a run of bytes up to `end`) in the current state and returns
    /// the position of the next byte to read; returning `pos` means the byte is read again in the
    /// new state.
    fn step(&mut self, data: &[u8], pos: usize, end: usize, h: &mut impl Handler) -> Result<usize, Stop> {
        let Some(&c) = data.get(pos) else {
            return Ok(pos);
        };
        let next = pos + 1;
        match self.state {
            State::Start => {
                if c == b'\r' || c == b'\n' {
                    return Ok(next);
                }
                self.begin_message();
                check(h.on_message_begin(), HPE_CB_MESSAGE_BEGIN, "`on_message_begin` callback error")?;
                self.state = match self.mode {
                    Mode::Request => State::Method { lo: 0, hi: METHODS_BY_NAME.len() as u8, len: 0 },
                    Mode::Response => State::ResProtocol(0),
                };
                Ok(pos)
            }

            // ---- request line ----
            State::Method { lo, hi, len } => self.method_byte(c, pos, lo, hi, len),
            State::FirstSpaceBeforeUrl => {
                if c != b' ' {
                    return fail(HPE_INVALID_METHOD, "Expected space after method");
                }
                self.state = State::SpacesBeforeUrl;
                Ok(next)
            }
            State::SpacesBeforeUrl => {
                if c == b' ' {
                    return Ok(next);
                }
                self.line.begin(pos, data);
                self.state = if self.head.method == Some(Method::Connect) { State::UrlServer } else { State::UrlStart };
                Ok(pos)
            }
            State::UrlStart => {
                url_strict(c)?;
                match c {
                    b'/' | b'*' => self.state = State::UrlPath,
                    _ if is(c, C_ALPHA) => self.state = State::UrlSchema,
                    b' ' | b'\r' | b'\n' => return fail(HPE_INVALID_URL, "Invalid characters in url"),
                    _ => return fail(HPE_INVALID_URL, "Unexpected start char in url"),
                }
                Ok(next)
            }
            State::UrlSchema => {
                url_strict(c)?;
                match c {
                    b':' => self.state = State::UrlSchemaSlashes(0),
                    _ if is(c, C_ALPHA) => {}
                    b' ' | b'\r' | b'\n' => return fail(HPE_INVALID_URL, "Invalid characters in url"),
                    _ => return fail(HPE_INVALID_URL, "Unexpected char in url schema"),
                }
                Ok(next)
            }
            State::UrlSchemaSlashes(matched) => {
                if matched == 0 {
                    url_strict(c)?;
                    if matches!(c, b' ' | b'\r' | b'\n') {
                        return fail(HPE_INVALID_URL, "Invalid characters in url");
                    }
                }
                if c != b'/' {
                    return fail(HPE_INVALID_URL, "Unexpected char in url schema");
                }
                self.state = if matched == 0 { State::UrlSchemaSlashes(1) } else { State::UrlServer };
                Ok(next)
            }
            State::UrlServer | State::UrlServerWithAt => {
                url_strict(c)?;
                match c {
                    b'/' => self.state = State::UrlPath,
                    b'?' => self.state = State::UrlQuery,
                    b'@' if self.state == State::UrlServerWithAt => {
                        return fail(HPE_INVALID_URL, "Double @ in url");
                    }
                    b'@' => self.state = State::UrlServerWithAt,
                    b'[' | b']' => self.state = State::UrlServer,
                    _ if is(c, C_USERINFO) => self.state = State::UrlServer,
                    b' ' | b'\r' | b'\n' => return Ok(self.url_end(c, pos, data)),
                    _ => return fail(HPE_INVALID_URL, "Unexpected char in url server"),
                }
                Ok(next)
            }
            State::UrlPath => {
                let stop = scan_words(data, pos, end, C_URL, url_word_suspect);
                if stop < end {
                    self.state = State::UrlQueryOrFragment;
                }
                Ok(stop)
            }
            State::UrlQueryOrFragment => {
                url_strict(c)?;
                match c {
                    b'?' => self.state = State::UrlQuery,
                    b'#' => self.state = State::UrlFragment,
                    b' ' | b'\r' | b'\n' => return Ok(self.url_end(c, pos, data)),
                    _ => return fail(HPE_INVALID_URL, "Invalid char in url path"),
                }
                Ok(next)
            }
            State::UrlQuery | State::UrlFragment => {
                let stop = scan_words(data, pos, end, C_URL, url_word_suspect);
                let Some(&c) = data.get(stop).filter(|_| stop < end) else {
                    return Ok(stop);
                };
                url_strict(c)?;
                match c {
                    b'?' => {}
                    b'#' => self.state = State::UrlFragment,
                    b' ' | b'\r' | b'\n' => return Ok(self.url_end(c, stop, data)),
                    _ if self.state == State::UrlQuery => {
                        return fail(HPE_INVALID_URL, "Invalid char in url query");
                    }
                    _ => return fail(HPE_INVALID_URL, "Invalid char in url fragment start"),
                }
                Ok(stop + 1)
            }
            State::UrlCrlf(matched) => {
                let expected = if matched == 0 { b'\r' } else { b'\n' };
                if c != expected {
                    return fail(HPE_INVALID_URL, "Expected CRLF");
                }
                self.state = if matched == 0 { State::UrlCrlf(1) } else { State::UrlToHttp09 };
                Ok(next)
            }
            State::UrlToHttp | State::UrlToHttp09 => {
                url_strict(c)?;
                let to_http = self.state == State::UrlToHttp;
                if !to_http {
                    self.head.version = (0, 9);
                }
                let method = self.head.method.map_or("", Method::name);
                let result = h.on_request_line(method, self.line.bytes(data));
                self.line.clear();
                check(result, HPE_CB_URL_COMPLETE, "`on_url_complete` callback error")?;
                self.state = if to_http { State::ReqProtocolStart } else { State::HeadersStart };
                Ok(pos)
            }
            State::ReqProtocolStart => {
                self.state = match c {
                    b' ' => State::ReqProtocolStart,
                    b'H' => State::ReqProtocol(Protocol::Http, 1),
                    b'R' => State::ReqProtocol(Protocol::Rtsp, 1),
                    b'I' => State::ReqProtocol(Protocol::Ice, 1),
                    _ => return fail(HPE_INVALID_CONSTANT, "Expected HTTP/"),
                };
                Ok(next)
            }
            State::ReqProtocol(protocol, matched) => {
                let name = protocol.name();
                if name.get(usize::from(matched)) != Some(&c) {
                    return fail(HPE_INVALID_CONSTANT, "Expected HTTP/");
                }
                if usize::from(matched) + 1 < name.len() {
                    self.state = State::ReqProtocol(protocol, matched + 1);
                } else {
                    if let Err(reason) = protocol.check(self.head.method) {
                        return fail(HPE_INVALID_CONSTANT, reason);
                    }
                    self.state = State::Major;
                }
                Ok(next)
            }
            State::Major => {
                if !c.is_ascii_digit() {
                    return fail(HPE_INVALID_VERSION, "Invalid major version");
                }
                self.head.version.0 = c - b'0';
                self.state = State::Dot;
                Ok(next)
            }
            State::Dot => {
                if c != b'.' {
                    return fail(HPE_INVALID_VERSION, "Expected dot");
                }
                self.state = State::Minor;
                Ok(next)
            }
            State::Minor => {
                if !c.is_ascii_digit() {
                    return fail(HPE_INVALID_VERSION, "Invalid minor version");
                }
                self.head.version.1 = c - b'0';
                if !matches!(self.head.version, (0, 9) | (1, 0) | (1, 1) | (2, 0)) {
                    return fail(HPE_INVALID_VERSION, "Invalid HTTP version");
                }
                self.state = match self.mode {
                    Mode::Response => State::ResAfterVersion,
                    Mode::Request if self.head.method == Some(Method::Pri) => State::PriPreface(0),
                    Mode::Request => State::ReqLineEnd,
                };
                Ok(next)
            }
            State::ReqLineEnd => {
                self.state = match c {
                    b'\n' => State::HeadersStart,
                    b'\r' => State::ReqLineLf,
                    _ => return fail(HPE_INVALID_VERSION, "Expected CRLF after version"),
                };
                Ok(next)
            }
            State::ReqLineLf => {
                if c != b'\n' {
                    return fail(HPE_INVALID_VERSION, "Expected CRLF after version");
                }
                self.state = State::HeadersStart;
                Ok(next)
            }
            State::PriPreface(matched) => {
                const PREFACE: &[u8] = b"\r\n\r\nSM\r\n\r\n";
                if PREFACE.get(usize::from(matched)) != Some(&c) {
                    return fail(HPE_INVALID_VERSION, "Expected HTTP/2 Connection Preface");
                }
                if usize::from(matched) + 1 == PREFACE.len() {
                    return fail(HPE_PAUSED_H2_UPGRADE, "Pause on PRI/Upgrade");
                }
                self.state = State::PriPreface(matched + 1);
                Ok(next)
            }

            // ---- status line ----
            State::ResProtocol(matched) => {
                if Protocol::Http.name().get(usize::from(matched)) != Some(&c) {
                    return fail(HPE_INVALID_CONSTANT, "Expected HTTP/");
                }
                self.state = if matched == 4 { State::Major } else { State::ResProtocol(matched + 1) };
                Ok(next)
            }
            State::ResAfterVersion => {
                if c != b' ' {
                    return fail(HPE_INVALID_VERSION, "Expected space after version");
                }
                self.head.status = 0;
                self.state = State::StatusCode;
                Ok(next)
            }
            State::StatusCode => match c {
                b'0'..=b'9' => {
                    self.head.status = self.head.status * 10 + u16::from(c - b'0');
                    if self.head.status > 999 {
                        return fail(HPE_INVALID_STATUS, "Response overflow");
                    }
                    Ok(next)
                }
                b' ' => {
                    self.state = State::StatusStart;
                    Ok(next)
                }
                b'\r' | b'\n' => {
                    self.state = State::StatusStart;
                    Ok(pos)
                }
                _ => fail(HPE_INVALID_STATUS, "Invalid response status"),
            },
            State::StatusStart => match c {
                b'\r' => {
                    self.state = State::StatusLineLf;
                    Ok(next)
                }
                b'\n' => {
                    self.status_complete(data, h)?;
                    Ok(next)
                }
                _ => {
                    self.line.begin(pos, data);
                    self.state = State::Status;
                    Ok(pos)
                }
            },
            State::Status => {
                let Some(at) = data.get(pos..end).and_then(|run| run.iter().position(|&c| c == b'\r' || c == b'\n'))
                else {
                    return Ok(end);
                };
                let at = pos + at;
                self.line.finish(at, data);
                if data.get(at) == Some(&b'\n') {
                    self.status_complete(data, h)?;
                } else {
                    self.state = State::StatusLineLf;
                }
                Ok(at + 1)
            }
            State::StatusLineLf => {
                if c != b'\n' {
                    return fail(HPE_STRICT, "Expected LF after CR");
                }
                self.status_complete(data, h)?;
                Ok(next)
            }

            // ---- header names ----
            State::HeadersStart => {
                if c == b' ' {
                    return fail(HPE_UNEXPECTED_SPACE, "Unexpected space after start line");
                }
                self.state = State::FieldStart;
                Ok(pos)
            }
            State::FieldStart => match c {
                b'\r' => {
                    self.state = State::HeadersLf;
                    Ok(next)
                }
                b'\n' => {
                    self.state = State::HeadersLf;
                    Ok(pos)
                }
                _ => {
                    if self.header_count >= MAX_HEADERS {
                        return Err(Stop::Error(TOO_MANY_HEADERS));
                    }
                    if let Some(after) = self.plain_header_line(data, pos, end, h)? {
                        return Ok(after);
                    }
                    self.name.begin(pos, data);
                    self.state = State::Field;
                    Ok(pos)
                }
            },
            State::Field => {
                let stop = scan(data, pos, end, C_TOKEN);
                let Some(&c) = data.get(stop).filter(|_| stop < end) else {
                    return Ok(stop);
                };
                self.name.finish(stop, data);
                let special = special_header(self.name.bytes(data));
                match c {
                    b':' => {
                        self.header_state = special;
                        self.state = State::ValueDiscardWs;
                        Ok(stop + 1)
                    }
                    b' ' if special != HeaderState::General => {
                        fail(HPE_INVALID_HEADER_TOKEN, "Invalid header field char")
                    }
                    _ => fail(HPE_INVALID_HEADER_TOKEN, "Invalid header token"),
                }
            }

            // ---- header values ----
            State::ValueDiscardWs => match c {
                b' ' | b'\t' => Ok(next),
                b'\r' => {
                    self.state = State::ValueDiscardWsLf;
                    Ok(next)
                }
                b'\n' => fail(HPE_INVALID_HEADER_TOKEN, "Invalid header value char"),
                _ => {
                    self.value.begin(pos, data);
                    self.state = State::ValueStart;
                    Ok(pos)
                }
            },
            State::ValueDiscardWsLf => {
                if c != b'\n' {
                    return fail(HPE_STRICT, "Expected LF after CR");
                }
                self.state = State::ValueDiscardLws;
                Ok(next)
            }
            State::ValueDiscardLws => {
                if c == b' ' || c == b'\t' {
                    self.state = State::ValueDiscardWs;
                    return Ok(next);
                }
                if self.header_state == HeaderState::ContentLength {
                    return fail(HPE_INVALID_CONTENT_LENGTH, "Empty Content-Length");
                }
                self.set_header_flags();
                self.value.clear();
                self.header_complete(data, h)?;
                Ok(pos)
            }
            State::ValueStart => {
                self.state = match self.header_state {
                    HeaderState::Upgrade => {
                        self.flags |= F_UPGRADE;
                        self.header_state = HeaderState::General;
                        State::Value
                    }
                    HeaderState::TransferEncoding => {
                        if self.flags & F_CHUNKED != 0 && self.mode == Mode::Request {
                            return fail(HPE_INVALID_TRANSFER_ENCODING, "Invalid `Transfer-Encoding` header value");
                        }
                        self.flags = (self.flags | F_TRANSFER_ENCODING) & !F_CHUNKED;
                        State::ValueTeChunked(0)
                    }
                    HeaderState::ContentLength => {
                        if self.flags & F_CONTENT_LENGTH != 0 {
                            return fail(HPE_UNEXPECTED_CONTENT_LENGTH, "Duplicate Content-Length");
                        }
                        State::ValueContentLength
                    }
                    HeaderState::Connection => State::ValueConnection(None, 0),
                    _ => State::Value,
                };
                Ok(pos)
            }
            State::ValueTeChunked(matched) => {
                const CHUNKED: &[u8] = b"chunked";
                if CHUNKED.get(usize::from(matched)) != Some(&(c | 0x20)) {
                    self.state = State::ValueTeToken;
                    return Ok(pos);
                }
                self.state = if usize::from(matched) + 1 == CHUNKED.len() {
                    State::ValueTeChunkedLast
                } else {
                    State::ValueTeChunked(matched + 1)
                };
                Ok(next)
            }
            State::ValueTeChunkedLast => match c {
                b' ' => Ok(next),
                b'\r' | b'\n' => {
                    self.header_state = HeaderState::TransferEncodingChunked;
                    self.state = State::ValueOtherwise;
                    Ok(pos)
                }
                b',' if self.mode == Mode::Request => {
                    fail(HPE_INVALID_TRANSFER_ENCODING, "Invalid `Transfer-Encoding` header value")
                }
                b',' => {
                    self.state = State::ValueTeChunked(0);
                    Ok(pos)
                }
                _ => {
                    self.state = State::ValueTeToken;
                    Ok(pos)
                }
            },
            State::ValueTeToken => {
                let stop = scan(data, pos, end, C_CONNECTION_TOKEN);
                match data.get(stop).filter(|_| stop < end) {
                    None => Ok(stop),
                    Some(b',') => {
                        self.state = State::ValueTeTokenOws;
                        Ok(stop + 1)
                    }
                    Some(_) => {
                        self.header_state = HeaderState::General;
                        self.state = State::Value;
                        Ok(stop)
                    }
                }
            }
            State::ValueTeTokenOws => {
                if c == b' ' || c == b'\t' {
                    return Ok(next);
                }
                self.state = State::ValueTeChunked(0);
                Ok(pos)
            }
            State::ValueContentLength => {
                let Some(digit) = char::from(c).to_digit(10) else {
                    self.state = State::ValueContentLengthWs;
                    return Ok(pos);
                };
                self.content_length = self
                    .content_length
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(u64::from(digit)))
                    .ok_or(ParseError { code: HPE_INVALID_CONTENT_LENGTH, reason: "Content-Length overflow" })?;
                Ok(next)
            }
            State::ValueContentLengthWs => match c {
                b' ' => Ok(next),
                b'\r' | b'\n' => {
                    self.flags |= F_CONTENT_LENGTH;
                    self.state = State::ValueOtherwise;
                    Ok(pos)
                }
                _ => fail(HPE_INVALID_CONTENT_LENGTH, "Invalid character in Content-Length"),
            },
            State::ValueConnection(token, matched) => {
                let lower = c.to_ascii_lowercase();
                let token = match token {
                    Some(token) => token,
                    None => match lower {
                        b' ' | b'\t' => return Ok(next),
                        b'c' => ConnectionToken::Close,
                        b'u' => ConnectionToken::Upgrade,
                        b'k' => ConnectionToken::KeepAlive,
                        _ => {
                            self.state = State::ValueConnectionToken;
                            return Ok(pos);
                        }
                    },
                };
                let word = token.word();
                if word.get(usize::from(matched)) != Some(&lower) {
                    self.state = State::ValueConnectionToken;
                    return Ok(pos);
                }
                if usize::from(matched) + 1 == word.len() {
                    self.header_state = token.header_state();
                    self.state = State::ValueConnectionWs;
                } else {
                    self.state = State::ValueConnection(Some(token), matched + 1);
                }
                Ok(next)
            }
            State::ValueConnectionWs => match c {
                b',' => {
                    self.set_header_flags();
                    self.state = State::ValueConnection(None, 0);
                    Ok(next)
                }
                b' ' => Ok(next),
                b'\r' | b'\n' => {
                    self.state = State::ValueOtherwise;
                    Ok(pos)
                }
                _ => {
                    self.header_state = HeaderState::General;
                    self.state = State::ValueConnectionToken;
                    Ok(pos)
                }
            },
            State::ValueConnectionToken => {
                let stop = scan(data, pos, end, C_CONNECTION_TOKEN);
                match data.get(stop).filter(|_| stop < end) {
                    None => Ok(stop),
                    Some(b',') => {
                        self.state = State::ValueConnection(None, 0);
                        Ok(stop + 1)
                    }
                    Some(_) => {
                        self.state = State::ValueOtherwise;
                        Ok(stop)
                    }
                }
            }
            State::Value => {
                let stop = scan_words(data, pos, end, C_HEADER, header_word_suspect);
                if stop < end {
                    self.state = State::ValueOtherwise;
                }
                Ok(stop)
            }
            State::ValueOtherwise => {
                if c != b'\r' {
                    return fail(HPE_INVALID_HEADER_TOKEN, "Invalid header value char");
                }
                self.value.finish(pos, data);
                self.state = State::ValueLf;
                Ok(next)
            }
            State::ValueLf => {
                if c != b'\n' {
                    return fail(HPE_LF_EXPECTED, "Missing expected LF after header value");
                }
                self.state = State::ValueLws;
                Ok(next)
            }
            State::ValueLws => {
                if c == b' ' || c == b'\t' {
                    if self.header_state == HeaderState::TransferEncodingChunked {
                        self.header_state = HeaderState::General;
                    }
                    self.value.begin(pos, data);
                    self.state = State::ValueStart;
                    return Ok(pos);
                }
                self.set_header_flags();
                self.header_complete(data, h)?;
                Ok(pos)
            }
            State::HeadersLf => {
                if c != b'\n' {
                    return fail(HPE_STRICT, "Expected LF after headers");
                }
                self.headers_done(next, h)?;
                Ok(next)
            }

            // ---- bodies ----
            State::BodyIdentity | State::ChunkData => {
                let available = (end - pos) as u64;
                let take = self.content_length.min(available) as usize;
                let piece = data.get(pos..pos + take).unwrap_or_default();
                check(h.on_body(piece), HPE_USER, "Span callback error in on_body")?;
                self.content_length -= take as u64;
                if self.content_length == 0 {
                    if self.state == State::BodyIdentity {
                        self.message_done(pos + take, h)?;
                    } else {
                        self.state = State::ChunkDataCr;
                    }
                }
                Ok(pos + take)
            }
            State::BodyUntilEof => {
                let piece = data.get(pos..end).unwrap_or_default();
                check(h.on_body(piece), HPE_USER, "Span callback error in on_body")?;
                Ok(end)
            }
            State::ChunkSizeStart => {
                let Some(digit) = hex_value(c) else {
                    return fail(HPE_INVALID_CHUNK_SIZE, "Invalid character in chunk size");
                };
                self.content_length = digit;
                self.state = State::ChunkSize;
                Ok(next)
            }
            State::ChunkSize => {
                let Some(digit) = hex_value(c) else {
                    self.state = State::ChunkSizeOtherwise;
                    return Ok(pos);
                };
                self.content_length = self
                    .content_length
                    .checked_mul(16)
                    .and_then(|n| n.checked_add(digit))
                    .ok_or(ParseError { code: HPE_INVALID_CHUNK_SIZE, reason: "Chunk size overflow" })?;
                Ok(next)
            }
            State::ChunkSizeOtherwise => {
                self.state = match c {
                    b'\r' => State::ChunkSizeLf,
                    b';' => State::ChunkExtensions,
                    _ => return fail(HPE_INVALID_CHUNK_SIZE, "Invalid character in chunk size"),
                };
                Ok(next)
            }
            State::ChunkExtensions => {
                if c == b' ' || c == b'\r' {
                    return fail(HPE_STRICT, "Invalid character in chunk extensions");
                }
                self.state = State::ChunkExtensionName;
                Ok(pos)
            }
            State::ChunkExtensionName => {
                self.state = match c {
                    b'=' => State::ChunkExtensionValue,
                    b';' => State::ChunkExtensions,
                    b'\r' => State::ChunkSizeLf,
                    _ if is(c, C_TOKEN) => State::ChunkExtensionName,
                    _ => return fail(HPE_STRICT, "Invalid character in chunk extensions name"),
                };
                Ok(next)
            }
            State::ChunkExtensionValue => {
                self.state = match c {
                    b'"' => State::ChunkExtensionQuoted,
                    // llhttp 8.1 goes back to the chunk size's end here, so a second extension
                    // after a valued one is an invalid chunk size.
                    b';' => State::ChunkSizeOtherwise,
                    b'\r' => State::ChunkSizeLf,
                    _ if is(c, C_TOKEN) => State::ChunkExtensionValue,
                    _ => return fail(HPE_STRICT, "Invalid character in chunk extensions value"),
                };
                Ok(next)
            }
            State::ChunkExtensionQuoted => {
                self.state = match c {
                    b'"' => State::ChunkExtensionQuotedDone,
                    _ if is(c, C_QUOTED) => State::ChunkExtensionQuoted,
                    _ => return fail(HPE_STRICT, "Invalid character in chunk extensions quoted value"),
                };
                Ok(next)
            }
            State::ChunkExtensionQuotedDone => {
                self.state = match c {
                    b';' => State::ChunkExtensions,
                    b'\r' => State::ChunkSizeLf,
                    _ => return fail(HPE_STRICT, "Invalid character in chunk extensions quote value"),
                };
                Ok(next)
            }
            State::ChunkSizeLf => {
                if c != b'\n' {
                    return fail(HPE_STRICT, "Expected LF after chunk size");
                }
                check(h.on_chunk_header(self.content_length), HPE_CB_CHUNK_HEADER, "`on_chunk_header` callback error")?;
                if self.content_length == 0 {
                    self.flags |= F_TRAILING;
                    self.head_budget = MAX_HEAD_SIZE;
                    self.header_count = 0;
                    self.state = State::FieldStart;
                } else {
                    self.state = State::ChunkData;
                }
                Ok(next)
            }
            State::ChunkDataCr => {
                if c != b'\r' {
                    return fail(HPE_STRICT, "Expected CRLF after chunk");
                }
                self.state = State::ChunkDataLf;
                Ok(next)
            }
            State::ChunkDataLf => {
                if c != b'\n' {
                    return fail(HPE_STRICT, "Expected CRLF after chunk");
                }
                check(h.on_chunk_complete(), HPE_CB_CHUNK_COMPLETE, "`on_chunk_complete` callback error")?;
                self.content_length = 0;
                self.state = State::ChunkSizeStart;
                Ok(next)
            }
            State::Closed => {
                if c == b'\r' || c == b'\n' {
                    return Ok(next);
                }
                fail(HPE_CLOSED_CONNECTION, "Data after `Connection: close`")
            }
        }
    }

    /// A new message starts: the per-message limits and spans start over.
    fn begin_message(&mut self) {
        self.finish = Finish::Unsafe;
        self.head_budget = MAX_HEAD_SIZE;
        self.header_count = 0;
        self.clear_spans();
        for span in [&mut self.line, &mut self.name, &mut self.value] {
            span.release_excess();
        }
    }

    /// One byte of the method: narrow the candidates, or end the method before this byte.
    fn method_byte(&mut self, c: u8, pos: usize, lo: u8, hi: u8, len: u8) -> Result<usize, Stop> {
        let depth = usize::from(len);
        let candidates = METHODS_BY_NAME.get(usize::from(lo)..usize::from(hi)).unwrap_or_default();
        let continues = |entry: &(&[u8], Method)| entry.0.get(depth) == Some(&c);
        if let Some(first) = candidates.iter().position(continues) {
            let count = candidates.get(first..).unwrap_or_default().iter().take_while(|e| continues(e)).count();
            let new_lo = lo + first as u8;
            self.state = State::Method { lo: new_lo, hi: new_lo + count as u8, len: len + 1 };
            return Ok(pos + 1);
        }
        // A name shorter than its extensions sorts first: that is the exact match, if any.
        match candidates.first() {
            Some(&(name, method)) if len > 0 && name.len() == depth => {
                self.head.method = Some(method);
                self.state = State::FirstSpaceBeforeUrl;
                Ok(pos)
            }
            _ => fail(HPE_INVALID_METHOD, "Invalid method encountered"),
        }
    }

    /// The fast path for the usual header line: a name llhttp does not treat specially, a value
    /// on one line, and the first byte of the next line, all in `data[pos..end]`. It raises the
    /// same event the states would, and returns where the next line starts; `None` (nothing
    /// read) leaves every other case to the states.
    fn plain_header_line(
        &mut self,
        data: &[u8],
        pos: usize,
        end: usize,
        h: &mut impl Handler,
    ) -> Result<Option<usize>, Stop> {
        let name_end = scan(data, pos, end, C_TOKEN);
        if data.get(name_end) != Some(&b':') || name_end >= end {
            return Ok(None);
        }
        let (Some(name), Some(rest)) = (data.get(pos..name_end), data.get(name_end + 1..end)) else {
            return Ok(None);
        };
        if special_header(name) != HeaderState::General {
            return Ok(None);
        }
        let value_start = name_end + 1 + rest.iter().take_while(|&&c| c == b' ' || c == b'\t').count();
        let value_end = scan_words(data, value_start, end, C_HEADER, header_word_suspect);
        let line_end = value_end + 2;
        let next_line_starts = data
            .get(value_end..=line_end)
            .filter(|_| line_end < end)
            .is_some_and(|tail| matches!(tail, [b'\r', b'\n', first] if *first != b' ' && *first != b'\t'));
        let Some(value) = data.get(value_start..value_end).filter(|v| next_line_starts && !v.is_empty()) else {
            return Ok(None);
        };
        check(h.on_header(name, value), HPE_CB_HEADER_VALUE_COMPLETE, "`on_header_value_complete` callback error")?;
        self.header_count += 1;
        Ok(Some(line_end))
    }

    /// The URL ends at `c` (a space, CR or LF at `at`); returns where reading goes on.
    fn url_end(&mut self, c: u8, at: usize, data: &[u8]) -> usize {
        self.line.finish(at, data);
        match c {
            b' ' => {
                self.state = State::UrlToHttp;
                at + 1
            }
            b'\r' => {
                self.state = State::UrlCrlf(0);
                at
            }
            _ => {
                self.state = State::UrlToHttp09;
                at + 1
            }
        }
    }

    fn status_complete(&mut self, data: &[u8], h: &mut impl Handler) -> Result<(), Stop> {
        let result = h.on_status_line(self.head.status, self.line.bytes(data));
        self.line.clear();
        check(result, HPE_CB_STATUS_COMPLETE, "`on_status_complete` callback error")?;
        self.state = State::HeadersStart;
        Ok(())
    }

    /// The flag a Connection token or chunked Transfer-Encoding sets once its value ends.
    fn set_header_flags(&mut self) {
        let flag = match self.header_state {
            HeaderState::ConnectionKeepAlive => F_CONNECTION_KEEP_ALIVE,
            HeaderState::ConnectionClose => F_CONNECTION_CLOSE,
            HeaderState::ConnectionUpgrade => F_CONNECTION_UPGRADE,
            HeaderState::TransferEncodingChunked => {
                self.flags |= F_CHUNKED;
                return;
            }
            _ => return,
        };
        self.flags |= flag;
        self.header_state = HeaderState::Connection;
    }

    fn header_complete(&mut self, data: &[u8], h: &mut impl Handler) -> Result<(), Stop> {
        let result = h.on_header(self.name.bytes(data), self.value.bytes(data));
        self.name.clear();
        self.value.clear();
        check(result, HPE_CB_HEADER_VALUE_COMPLETE, "`on_header_value_complete` callback error")?;
        self.header_count += 1;
        self.state = State::FieldStart;
        Ok(())
    }

    /// The empty line after the headers (or trailers) was read; `after` is the next position.
    fn headers_done(&mut self, after: usize, h: &mut impl Handler) -> Result<(), Stop> {
        if self.flags & F_TRAILING != 0 {
            check(h.on_chunk_complete(), HPE_CB_CHUNK_COMPLETE, "`on_chunk_complete` callback error")?;
            return self.message_done(after, h);
        }
        if self.flags & F_TRANSFER_ENCODING != 0 && self.flags & F_CONTENT_LENGTH != 0 {
            return fail(HPE_UNEXPECTED_CONTENT_LENGTH, "Content-Length can't be present with Transfer-Encoding");
        }
        self.upgrade = if self.flags & F_UPGRADE != 0 && self.flags & F_CONNECTION_UPGRADE != 0 {
            // A response's Upgrade only announces support unless the status is 101.
            self.mode == Mode::Request || self.head.status == 101
        } else {
            self.head.method == Some(Method::Connect) && self.mode == Mode::Request
        };
        self.head.content_length = (self.flags & F_CONTENT_LENGTH != 0).then_some(self.content_length);
        self.head.chunked = self.flags & F_CHUNKED != 0;
        self.head.keep_alive = self.should_keep_alive();
        self.head.upgrade = self.upgrade;
        match h.on_headers_complete(&self.head) {
            ParseResult::Ok => {}
            ParseResult::SkipBody => self.flags |= F_SKIPBODY,
            ParseResult::Upgrade => {
                self.upgrade = true;
                self.head.upgrade = true;
                self.flags |= F_SKIPBODY;
            }
            ParseResult::Error => return fail(HPE_CB_HEADERS_COMPLETE, "User callback error"),
        }

        // llhttp's `llhttp__after_headers_complete`.
        let has_body = self.flags & F_CHUNKED != 0 || self.content_length > 0;
        if self.upgrade && (self.head.method == Some(Method::Connect) || self.flags & F_SKIPBODY != 0 || !has_body) {
            self.complete_message(h)?;
            return Err(Stop::Upgrade(after));
        }
        if self.flags & F_SKIPBODY != 0 {
            self.complete_message(h)?;
            self.cleanup();
        } else if self.flags & F_CHUNKED != 0 {
            self.state = State::ChunkSizeStart;
        } else if self.flags & F_TRANSFER_ENCODING != 0 {
            if self.mode == Mode::Request {
                return fail(HPE_INVALID_TRANSFER_ENCODING, "Request has invalid `Transfer-Encoding`");
            }
            self.read_until_eof();
        } else if self.flags & F_CONTENT_LENGTH == 0 {
            if self.message_needs_eof() {
                self.read_until_eof();
            } else {
                self.complete_message(h)?;
                self.cleanup();
            }
        } else if self.content_length == 0 {
            self.complete_message(h)?;
            self.cleanup();
        } else {
            self.state = State::BodyIdentity;
        }
        Ok(())
    }

    fn read_until_eof(&mut self) {
        self.finish = Finish::SafeWithCb;
        self.state = State::BodyUntilEof;
    }

    /// The body ended at `after`: the message is complete.
    fn message_done(&mut self, after: usize, h: &mut impl Handler) -> Result<(), Stop> {
        self.complete_message(h)?;
        if self.upgrade {
            return Err(Stop::Upgrade(after));
        }
        self.cleanup();
        Ok(())
    }

    fn complete_message(&mut self, h: &mut impl Handler) -> Result<(), Stop> {
        self.head.keep_alive = self.should_keep_alive();
        self.head.upgrade = self.upgrade;
        check(h.on_message_complete(&self.head), HPE_CB_MESSAGE_COMPLETE, "`on_message_complete` callback error")
    }

    /// After a message: the next one may start, or (no keep-alive) only CR / LF may follow.
    fn cleanup(&mut self) {
        let keep_alive = self.should_keep_alive();
        self.finish = Finish::Safe;
        self.flags = 0;
        if keep_alive {
            self.content_length = 0;
            self.state = State::Start;
        } else {
            self.state = State::Closed;
        }
    }

    /// `llhttp_message_needs_eof`: the body lasts until the connection closes.
    fn message_needs_eof(&self) -> bool {
        if self.mode == Mode::Request {
            return false;
        }
        let status = self.head.status;
        if status / 100 == 1 || status == 204 || status == 304 || self.flags & F_SKIPBODY != 0 {
            return false;
        }
        if self.flags & F_TRANSFER_ENCODING != 0 && self.flags & F_CHUNKED == 0 {
            return true;
        }
        self.flags & (F_CHUNKED | F_CONTENT_LENGTH) == 0
    }

    /// `llhttp_should_keep_alive`.
    fn should_keep_alive(&self) -> bool {
        let (major, minor) = self.head.version;
        if major > 0 && minor > 0 {
            if self.flags & F_CONNECTION_CLOSE != 0 {
                return false;
            }
        } else if self.flags & F_CONNECTION_KEEP_ALIVE == 0 {
            return false;
        }
        !self.message_needs_eof()
    }
}

/// Strict mode refuses TAB and FF anywhere in the URL and right after it.
fn url_strict(c: u8) -> Result<(), Stop> {
    if c == b'\t' || c == 0x0c {
        return fail(HPE_INVALID_URL, "Invalid characters in url (strict mode)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    /// Writes each event as a line; consecutive body pieces are joined, so that logs compare
    /// equal whatever the input's split. `fail_on` names the event whose callback returns Error.
    #[derive(Default)]
    struct Recorder {
        log: String,
        body: Vec<u8>,
        headers_result: Option<ParseResult>,
        fail_on: Option<&'static str>,
        /// What the other callbacks return.
        other_result: Option<ParseResult>,
    }

    fn escaped(out: &mut String, bytes: &[u8]) {
        for &c in bytes {
            if (0x21..0x7f).contains(&c) && c != b'\\' {
                out.push(char::from(c));
            } else {
                let _ = write!(out, "\\x{c:02x}");
            }
        }
    }

    impl Recorder {
        fn event(&mut self, name: &'static str) -> ParseResult {
            self.flush_body();
            if self.fail_on == Some(name) {
                ParseResult::Error
            } else {
                self.other_result.unwrap_or(ParseResult::Ok)
            }
        }

        fn flush_body(&mut self) {
            if !self.body.is_empty() {
                self.log.push_str("body ");
                let body = std::mem::take(&mut self.body);
                escaped(&mut self.log, &body);
                self.log.push('\n');
            }
        }
    }

    impl Handler for Recorder {
        fn on_message_begin(&mut self) -> ParseResult {
            let r = self.event("begin");
            self.log.push_str("begin\n");
            r
        }
        fn on_request_line(&mut self, method: &str, url: &[u8]) -> ParseResult {
            let r = self.event("req");
            let _ = write!(self.log, "req {method} ");
            escaped(&mut self.log, url);
            self.log.push('\n');
            r
        }
        fn on_status_line(&mut self, status: u16, reason: &[u8]) -> ParseResult {
            let r = self.event("status");
            let _ = write!(self.log, "status {status} ");
            escaped(&mut self.log, reason);
            self.log.push('\n');
            r
        }
        fn on_header(&mut self, name: &[u8], value: &[u8]) -> ParseResult {
            let r = self.event("header");
            self.log.push_str("header ");
            escaped(&mut self.log, name);
            self.log.push_str(": ");
            escaped(&mut self.log, value);
            self.log.push('\n');
            r
        }
        fn on_headers_complete(&mut self, head: &Head) -> ParseResult {
            let r = self.event("headers_complete");
            let cl = head.content_length.map_or("none".to_owned(), |n| n.to_string());
            let _ = writeln!(
                self.log,
                "headers_complete v={}.{} status={} cl={cl} chunked={} ka={} upgrade={}",
                head.version.0,
                head.version.1,
                head.status,
                u8::from(head.chunked),
                u8::from(head.keep_alive),
                u8::from(head.upgrade)
            );
            if r == ParseResult::Error {
                return r;
            }
            self.headers_result.unwrap_or(ParseResult::Ok)
        }
        fn on_chunk_header(&mut self, size: u64) -> ParseResult {
            let r = self.event("chunk_header");
            let _ = writeln!(self.log, "chunk_header {size}");
            r
        }
        fn on_body(&mut self, data: &[u8]) -> ParseResult {
            assert!(!data.is_empty(), "empty body piece");
            self.body.extend_from_slice(data);
            if self.fail_on == Some("body") {
                return ParseResult::Error;
            }
            self.other_result.unwrap_or(ParseResult::Ok)
        }
        fn on_chunk_complete(&mut self) -> ParseResult {
            let r = self.event("chunk_complete");
            self.log.push_str("chunk_complete\n");
            r
        }
        fn on_message_complete(&mut self, head: &Head) -> ParseResult {
            let r = self.event("message_complete");
            let _ = writeln!(
                self.log,
                "message_complete ka={} upgrade={}",
                u8::from(head.keep_alive),
                u8::from(head.upgrade)
            );
            r
        }
    }

    /// Feeds `input` cut at `cuts`, then finishes (if all was parsed and `finish` is set), and
    /// returns the log with the outcome as its last lines.
    fn run_with(mode: Mode, input: &[u8], cuts: &[usize], finish: bool, mut rec: Recorder) -> String {
        let mut parser = HttpParser::new(mode);
        let mut start = 0;
        let mut outcome = None;
        for end in cuts.iter().copied().chain([input.len()]) {
            match parser.feed(&input[start..end], &mut rec) {
                Ok(Progress::All) => start = end,
                Ok(Progress::Upgrade { consumed }) => {
                    outcome = Some(format!("upgrade consumed={}\n", start + consumed));
                    break;
                }
                Err(e) => {
                    outcome = Some(format!("error {} {}\n", e.code, e.reason));
                    break;
                }
            }
        }
        rec.flush_body();
        match outcome {
            Some(line) => rec.log.push_str(&line),
            None => {
                rec.log.push_str("ok\n");
                if finish {
                    let result = parser.finish(&mut rec);
                    rec.flush_body();
                    match result {
                        Ok(()) => rec.log.push_str("finish ok\n"),
                        Err(e) => {
                            let _ = writeln!(rec.log, "finish error {} {}", e.code, e.reason);
                        }
                    }
                }
            }
        }
        rec.log
    }

    /// The log of `input` fed in one piece, after checking that every split in two and the
    /// byte-by-byte split give the same log.
    fn parse_with(mode: Mode, input: &[u8], finish: bool, recorder: impl Fn() -> Recorder) -> String {
        let whole = run_with(mode, input, &[], finish, recorder());
        for cut in 1..input.len() {
            assert_eq!(run_with(mode, input, &[cut], finish, recorder()), whole, "split at {cut}");
        }
        let every: Vec<usize> = (1..input.len()).collect();
        assert_eq!(run_with(mode, input, &every, finish, recorder()), whole, "byte by byte");
        whole
    }

    fn parse(mode: Mode, input: &[u8]) -> String {
        parse_with(mode, input, true, Recorder::default)
    }

    fn lines(log: &str) -> Vec<&str> {
        log.lines().collect()
    }

    #[test]
    fn request_with_content_length() {
        let log =
            parse(Mode::Request, b"POST /upload?x=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nhello");
        assert_eq!(
            lines(&log),
            [
                "begin",
                "req POST /upload?x=1",
                "header Host: example.com",
                "header Content-Length: 5",
                "headers_complete v=1.1 status=0 cl=5 chunked=0 ka=1 upgrade=0",
                "body hello",
                "message_complete ka=1 upgrade=0",
                "ok",
                "finish ok",
            ]
        );
    }

    #[test]
    fn chunked_request_with_extensions_and_trailers() {
        let log = parse(
            Mode::Request,
            b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n6;q=\"a b\"\r\n world\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n",
        );
        assert_eq!(
            lines(&log),
            [
                "begin",
                "req POST /c",
                "header Transfer-Encoding: chunked",
                "headers_complete v=1.1 status=0 cl=none chunked=1 ka=1 upgrade=0",
                "chunk_header 5",
                "body hello",
                "chunk_complete",
                "chunk_header 6",
                "body \\x20world",
                "chunk_complete",
                "chunk_header 0",
                "header Expires: never",
                "header X-Sum: 1",
                "chunk_complete",
                "message_complete ka=1 upgrade=0",
                "ok",
                "finish ok",
            ]
        );
    }

    #[test]
    fn chunk_extensions_as_llhttp_8_1_reads_them() {
        // A second extension after one with a value is read as part of the chunk size.
        let log = parse(
            Mode::Request,
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b;c=d\r\nhello\r\n0\r\n\r\n",
        );
        assert!(log.ends_with("error 12 Invalid character in chunk size\n"), "{log}");
        // Upstream's own writer puts a space before the extensions (`%x ;ext`): refused too.
        let log =
            parse(Mode::Request, b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 ;a=b\r\nhello\r\n0\r\n\r\n");
        assert!(log.ends_with("error 12 Invalid character in chunk size\n"), "{log}");
        // Several extensions without values, then a quoted one, are fine.
        let log = parse(
            Mode::Request,
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;a;b;c=\"x;y\"\r\nz\r\n0\r\n\r\n",
        );
        assert!(log.ends_with("message_complete ka=1 upgrade=0\nok\nfinish ok\n"), "{log}");
    }

    #[test]
    fn responses_without_bodies() {
        let log = parse(
            Mode::Response,
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        );
        assert_eq!(
            lines(&log),
            [
                "begin",
                "status 100 Continue",
                "headers_complete v=1.1 status=100 cl=none chunked=0 ka=1 upgrade=0",
                "message_complete ka=1 upgrade=0",
                "begin",
                "status 204 No\\x20Content",
                "headers_complete v=1.1 status=204 cl=none chunked=0 ka=1 upgrade=0",
                "message_complete ka=1 upgrade=0",
                "begin",
                "status 304 Not\\x20Modified",
                "header ETag: x",
                "headers_complete v=1.1 status=304 cl=none chunked=0 ka=1 upgrade=0",
                "message_complete ka=1 upgrade=0",
                "begin",
                "status 200 OK",
                "header Content-Length: 0",
                "headers_complete v=1.1 status=200 cl=0 chunked=0 ka=1 upgrade=0",
                "message_complete ka=1 upgrade=0",
                "ok",
                "finish ok",
            ]
        );
    }

    #[test]
    fn a_content_length_gives_even_a_204_a_body() {
        // llhttp's rule: status 1xx / 204 / 304 means no body only without Content-Length.
        let log = parse(Mode::Response, b"HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\nab");
        assert!(log.contains("body ab\nmessage_complete ka=1 upgrade=0\n"), "{log}");
    }

    #[test]
    fn body_until_eof_ends_with_finish() {
        let log = parse(Mode::Response, b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\npart one, part two");
        assert_eq!(
            lines(&log),
            [
                "begin",
                "status 200 OK",
                "header Server: x",
                "headers_complete v=1.1 status=200 cl=none chunked=0 ka=0 upgrade=0",
                "body part\\x20one,\\x20part\\x20two",
                "ok",
                "message_complete ka=0 upgrade=0",
                "finish ok",
            ]
        );
        // A non-chunked Transfer-Encoding in a response also reads until EOF.
        let log = parse(Mode::Response, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz");
        assert!(log.ends_with("body zz\nok\nmessage_complete ka=0 upgrade=0\nfinish ok\n"), "{log}");
    }

    #[test]
    fn finish_after_or_inside_a_message() {
        let mut rec = Recorder::default();
        let mut parser = HttpParser::new(Mode::Response);
        assert_eq!(parser.finish(&mut rec), Ok(()));
        assert_eq!(parser.feed(b"HTTP/1.1 200 OK\r\nContent-Len", &mut rec), Ok(Progress::All));
        let eof = ParseError { code: HPE_INVALID_EOF_STATE, reason: "Invalid EOF state" };
        assert_eq!(parser.finish(&mut rec), Err(eof));

        // Finishing an until-EOF body once completes it; again does nothing; more data is refused.
        let mut rec = Recorder::default();
        let mut parser = HttpParser::new(Mode::Response);
        assert_eq!(parser.feed(b"HTTP/1.1 200 OK\r\n\r\nabc", &mut rec), Ok(Progress::All));
        assert_eq!(parser.finish(&mut rec), Ok(()));
        assert_eq!(parser.finish(&mut rec), Ok(()));
        assert_eq!(rec.log.matches("message_complete").count(), 1);
        assert_eq!(parser.feed(b"x", &mut rec).unwrap_err().code, HPE_CLOSED_CONNECTION);
    }

    #[test]
    fn finish_reports_a_failing_message_complete() {
        let mut rec = Recorder { fail_on: Some("message_complete"), ..Recorder::default() };
        let mut parser = HttpParser::new(Mode::Response);
        assert_eq!(parser.feed(b"HTTP/1.1 200 OK\r\n\r\nabc", &mut rec), Ok(Progress::All));
        let e = parser.finish(&mut rec).unwrap_err();
        assert_eq!((e.code, e.reason), (HPE_CB_MESSAGE_COMPLETE, "`on_message_complete` callback error"));
    }

    #[test]
    fn skip_body_for_a_response_to_head() {
        let log = parse_with(
            Mode::Response,
            b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n",
            true,
            || Recorder { headers_result: Some(ParseResult::SkipBody), ..Recorder::default() },
        );
        assert_eq!(
            lines(&log),
            [
                "begin",
                "status 200 OK",
                "header Content-Length: 4",
                "headers_complete v=1.1 status=200 cl=4 chunked=0 ka=1 upgrade=0",
                "message_complete ka=1 upgrade=0",
                "begin",
                "status 404 Not\\x20Found",
                "header Content-Length: 2",
                "headers_complete v=1.1 status=404 cl=2 chunked=0 ka=1 upgrade=0",
                "message_complete ka=1 upgrade=0",
                "ok",
                "finish ok",
            ]
        );
    }

    #[test]
    fn three_pipelined_requests() {
        let log = parse(
            Mode::Request,
            b"GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\nA: b\r\n\r\n\r\nPOST /3 HTTP/1.1\r\nContent-Length: 2\r\n\r\nok",
        );
        assert_eq!(
            lines(&log),
            [
                "begin",
                "req GET /1",
                "headers_complete v=1.1 status=0 cl=none chunked=0 ka=1 upgrade=0",
                "message_complete ka=1 upgrade=0",
                "begin",
                "req GET /2",
                "header A: b",
                "headers_complete v=1.1 status=0 cl=none chunked=0 ka=1 upgrade=0",
                "message_complete ka=1 upgrade=0",
                "begin",
                "req POST /3",
                "header Content-Length: 2",
                "headers_complete v=1.1 status=0 cl=2 chunked=0 ka=1 upgrade=0",
                "body ok",
                "message_complete ka=1 upgrade=0",
                "ok",
                "finish ok",
            ]
        );
    }

    #[test]
    fn websocket_upgrade_stops_after_the_head() {
        let input = b"GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n\x81\x85frame";
        let log = parse(Mode::Request, input);
        let head_len = input.len() - 7;
        assert_eq!(
            lines(&log),
            [
                "begin",
                "req GET /chat",
                "header Host: h",
                "header Upgrade: websocket",
                "header Connection: Upgrade",
                "header Sec-WebSocket-Version: 13",
                "headers_complete v=1.1 status=0 cl=none chunked=0 ka=1 upgrade=1",
                "message_complete ka=1 upgrade=1",
                &format!("upgrade consumed={head_len}"),
            ]
        );
    }

    #[test]
    fn connect_upgrades_after_its_head() {
        let input = b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01";
        let log = parse(Mode::Request, input);
        assert_eq!(
            lines(&log),
            [
                "begin",
                "req CONNECT example.com:443",
                "header Host: example.com:443",
                "headers_complete v=1.1 status=0 cl=none chunked=0 ka=1 upgrade=1",
                "message_complete ka=1 upgrade=1",
                &format!("upgrade consumed={}", input.len() - 3),
            ]
        );
    }

    #[test]
    fn upgrades_of_responses_and_with_bodies() {
        let log = parse(
            Mode::Response,
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n\x81\x00",
        );
        assert!(log.ends_with("headers_complete v=1.1 status=101 cl=none chunked=0 ka=1 upgrade=1\nmessage_complete ka=1 upgrade=1\nupgrade consumed=77\n"), "{log}");
        // Upgrade on a response other than 101 only announces support.
        let log = parse(
            Mode::Response,
            b"HTTP/1.1 200 OK\r\nUpgrade: websocket\r\nConnection: upgrade\r\nContent-Length: 0\r\n\r\n",
        );
        assert!(log.ends_with("upgrade=0\nmessage_complete ka=1 upgrade=0\nok\nfinish ok\n"), "{log}");
        // A request upgrading with a body upgrades after the body.
        let log = parse(
            Mode::Request,
            b"GET / HTTP/1.1\r\nUpgrade: x\r\nConnection: upgrade\r\nContent-Length: 3\r\n\r\nabcrest",
        );
        assert!(log.ends_with("body abc\nmessage_complete ka=1 upgrade=1\nupgrade consumed=73\n"), "{log}");
        // Upgrade returned from on_headers_complete: no body, upgrade now.
        let log = parse_with(Mode::Request, b"POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd", true, || Recorder {
            headers_result: Some(ParseResult::Upgrade),
            ..Recorder::default()
        });
        assert!(log.ends_with("upgrade=0\nmessage_complete ka=1 upgrade=1\nupgrade consumed=38\n"), "{log}");
    }

    #[test]
    fn after_an_upgrade_nothing_more_is_parsed_until_reset() {
        let mut rec = Recorder::default();
        let mut parser = HttpParser::new(Mode::Request);
        let input = b"CONNECT h:1 HTTP/1.1\r\n\r\n";
        assert_eq!(parser.feed(input, &mut rec), Ok(Progress::Upgrade { consumed: input.len() }));
        assert!(parser.head().upgrade);
        assert_eq!(parser.feed(b"GET / HTTP/1.1\r\n\r\n", &mut rec), Ok(Progress::Upgrade { consumed: 0 }));
        assert_eq!(parser.finish(&mut rec), Ok(()));
        parser.reset();
        let before = rec.log.len();
        assert_eq!(parser.feed(b"GET / HTTP/1.1\r\n\r\n", &mut rec), Ok(Progress::All));
        assert!(rec.log[before..].contains("req GET /"));
    }

    #[test]
    fn folded_header_values_are_joined() {
        let log = parse(Mode::Request, b"GET / HTTP/1.1\r\nX-Long: first\r\n  second\r\n\tthird\r\nY:\r\n z\r\n\r\n");
        assert!(log.contains("header X-Long: first\\x20\\x20second\\x09third\nheader Y: z\n"), "{log}");
    }

    #[test]
    fn header_values_keep_their_trailing_space_and_may_be_empty() {
        let log = parse(Mode::Request, b"GET / HTTP/1.1\r\nA:  x y \r\nB:\r\nC: \r\n\r\n");
        assert!(log.contains("header A: x\\x20y\\x20\nheader B: \nheader C: \n"), "{log}");
    }

    #[test]
    fn keep_alive_follows_the_version_and_connection() {
        let cases: [(&[u8], &str); 6] = [
            (b"GET / HTTP/1.1\r\n\r\n", "ka=1"),
            (b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", "ka=0"),
            (b"GET / HTTP/1.1\r\nConnection: Upgrade, CLOSE\r\n\r\n", "ka=0"),
            (b"GET / HTTP/1.0\r\n\r\n", "ka=0"),
            (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "ka=1"),
            (b"GET / HTTP/1.0\r\nProxy-Connection: Keep-Alive\r\n\r\n", "ka=1"),
        ];
        for (input, expected) in cases {
            let log = parse(Mode::Request, input);
            let complete = log.lines().find(|l| l.starts_with("message_complete")).unwrap();
            assert!(complete.contains(expected), "{}: {log}", String::from_utf8_lossy(input));
        }
        let log = parse(Mode::Response, b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n");
        assert!(log.contains("message_complete ka=1"), "{log}");
        let log = parse(Mode::Response, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assert!(log.contains("message_complete ka=1"), "{log}");
    }

    #[test]
    fn data_after_a_closing_message_is_an_error() {
        let log = parse(Mode::Request, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n");
        assert!(log.ends_with("message_complete ka=0 upgrade=0\nerror 5 Data after `Connection: close`\n"), "{log}");
        let log = parse(Mode::Request, b"GET / HTTP/1.0\r\n\r\n\r\n\r\n");
        assert!(log.ends_with("message_complete ka=0 upgrade=0\nok\nfinish ok\n"), "{log}");
    }

    /// The error at the end of the log of `input`, fed whole and in every split.
    fn error_of(mode: Mode, input: &[u8]) -> (i32, String) {
        let log = parse(mode, input);
        let last = log.lines().last().unwrap_or_default();
        let rest = last.strip_prefix("error ").unwrap_or_else(|| panic!("no error: {log}"));
        let (code, reason) = rest.split_once(' ').unwrap();
        (code.parse().unwrap(), reason.to_owned())
    }

    #[test]
    fn start_line_errors() {
        let cases: [(Mode, &[u8], i32, &str); 17] = [
            (Mode::Request, b"FOO / HTTP/1.1\r\n\r\n", HPE_INVALID_METHOD, "Invalid method encountered"),
            (Mode::Request, b"get / HTTP/1.1\r\n\r\n", HPE_INVALID_METHOD, "Invalid method encountered"),
            (Mode::Request, b"GETX / HTTP/1.1\r\n\r\n", HPE_INVALID_METHOD, "Expected space after method"),
            (
                Mode::Request,
                b"GET_PARAMETER / HTTP/1.1\r\n\r\n",
                HPE_INVALID_CONSTANT,
                "Invalid method for HTTP/x.x request",
            ),
            (
                Mode::Request,
                b"GET / ICE/1.0\r\n\r\n",
                HPE_INVALID_CONSTANT,
                "Expected SOURCE method for ICE/x.x request",
            ),
            (Mode::Request, b"PUT / RTSP/1.0\r\n\r\n", HPE_INVALID_CONSTANT, "Invalid method for RTSP/x.x request"),
            (Mode::Request, b"GET / HTTQ/1.1\r\n\r\n", HPE_INVALID_CONSTANT, "Expected HTTP/"),
            (Mode::Request, b"GET / HTTP/1.2\r\n\r\n", HPE_INVALID_VERSION, "Invalid HTTP version"),
            (Mode::Request, b"GET / HTTP/x.1\r\n\r\n", HPE_INVALID_VERSION, "Invalid major version"),
            (Mode::Request, b"GET / HTTP/1,1\r\n\r\n", HPE_INVALID_VERSION, "Expected dot"),
            (Mode::Request, b"GET / HTTP/1.1 \r\n\r\n", HPE_INVALID_VERSION, "Expected CRLF after version"),
            (Mode::Request, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", HPE_PAUSED_H2_UPGRADE, "Pause on PRI/Upgrade"),
            (Mode::Response, b"HTTX/1.1 200 OK\r\n\r\n", HPE_INVALID_CONSTANT, "Expected HTTP/"),
            (Mode::Response, b"HTTP/1.1200 OK\r\n\r\n", HPE_INVALID_VERSION, "Expected space after version"),
            (Mode::Response, b"HTTP/1.1 2000 OK\r\n\r\n", HPE_INVALID_STATUS, "Response overflow"),
            (Mode::Response, b"HTTP/1.1 20x OK\r\n\r\n", HPE_INVALID_STATUS, "Invalid response status"),
            (Mode::Response, b"HTTP/1.1 200 OK\rX: y\r\n\r\n", HPE_STRICT, "Expected LF after CR"),
        ];
        for (mode, input, code, reason) in cases {
            assert_eq!(error_of(mode, input), (code, reason.to_owned()), "{}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn url_errors() {
        let cases: [(&[u8], &str); 9] = [
            (b"GET \x01 HTTP/1.1\r\n\r\n", "Unexpected start char in url"),
            (b"GET /a\x7fb HTTP/1.1\r\n\r\n", "Invalid char in url path"),
            (b"GET /a?b\x01 HTTP/1.1\r\n\r\n", "Invalid char in url query"),
            (b"GET /a#b\xff HTTP/1.1\r\n\r\n", "Invalid char in url fragment start"),
            (b"GET /a\tb HTTP/1.1\r\n\r\n", "Invalid characters in url (strict mode)"),
            (b"GET / \tHTTP/1.1\r\n\r\n", "Invalid characters in url (strict mode)"),
            (b"GET http:/x HTTP/1.1\r\n\r\n", "Unexpected char in url schema"),
            (b"GET http://a@@b/ HTTP/1.1\r\n\r\n", "Double @ in url"),
            (b"GET /a\rx HTTP/1.1\r\n\r\n", "Expected CRLF"),
        ];
        for (input, reason) in cases {
            assert_eq!(
                error_of(Mode::Request, input),
                (HPE_INVALID_URL, reason.to_owned()),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn a_request_line_without_version_is_http_0_9() {
        let log = parse(Mode::Request, b"GET /old\r\n\r\n");
        assert!(
            log.starts_with("begin\nreq GET /old\nheaders_complete v=0.9 status=0 cl=none chunked=0 ka=0"),
            "{log}"
        );
    }

    #[test]
    fn header_errors() {
        let cases: [(&[u8], i32, &str); 13] = [
            (b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", HPE_INVALID_HEADER_TOKEN, "Invalid header token"),
            (b"GET / HTTP/1.1\r\nBad\x01: x\r\n\r\n", HPE_INVALID_HEADER_TOKEN, "Invalid header token"),
            (b"GET / HTTP/1.1\r\nContent-Length : 1\r\n\r\n", HPE_INVALID_HEADER_TOKEN, "Invalid header field char"),
            (b"GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n", HPE_INVALID_HEADER_TOKEN, "Invalid header value char"),
            (b"GET / HTTP/1.1\r\nA: b\nC: d\r\n\r\n", HPE_INVALID_HEADER_TOKEN, "Invalid header value char"),
            (b"GET / HTTP/1.1\r\nA: b\rC: d\r\n\r\n", HPE_LF_EXPECTED, "Missing expected LF after header value"),
            (b"GET / HTTP/1.1\r\nA: \rC\r\n\r\n", HPE_STRICT, "Expected LF after CR"),
            (b"GET / HTTP/1.1\r\nA: b\r\n\rX", HPE_STRICT, "Expected LF after headers"),
            (b"GET / HTTP/1.1\r\n Host: x\r\n\r\n", HPE_UNEXPECTED_SPACE, "Unexpected space after start line"),
            (
                b"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                HPE_UNEXPECTED_CONTENT_LENGTH,
                "Content-Length can't be present with Transfer-Encoding",
            ),
            (
                b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
                HPE_UNEXPECTED_CONTENT_LENGTH,
                "Duplicate Content-Length",
            ),
            (
                b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
                HPE_INVALID_TRANSFER_ENCODING,
                "Invalid `Transfer-Encoding` header value",
            ),
            (
                b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
                HPE_INVALID_TRANSFER_ENCODING,
                "Request has invalid `Transfer-Encoding`",
            ),
        ];
        for (input, code, reason) in cases {
            assert_eq!(error_of(Mode::Request, input), (code, reason.to_owned()), "{}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn bare_lf_where_strict_mode_wants_crlf() {
        let chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        let cases: [(Mode, String, i32, &str); 5] = [
            (
                Mode::Request,
                "GET / HTTP/1.1\r\nA: b\nC: d\r\n\r\n".into(),
                HPE_INVALID_HEADER_TOKEN,
                "Invalid header value char",
            ),
            (
                Mode::Request,
                "GET / HTTP/1.1\r\nA:\nC: d\r\n\r\n".into(),
                HPE_INVALID_HEADER_TOKEN,
                "Invalid header value char",
            ),
            (Mode::Request, format!("{chunked}1\na\r\n"), HPE_INVALID_CHUNK_SIZE, "Invalid character in chunk size"),
            (Mode::Request, format!("{chunked}1\r\na\n0\r\n\r\n"), HPE_STRICT, "Expected CRLF after chunk"),
            (Mode::Response, "HTTP/1.1 200 OK\r\nA: b\r\n\rX".into(), HPE_STRICT, "Expected LF after headers"),
        ];
        for (mode, input, code, reason) in cases {
            assert_eq!(error_of(mode, input.as_bytes()), (code, reason.to_owned()), "{input:?}");
        }
        // llhttp's strict mode still takes a bare LF after the request line, the status line and
        // as the empty line that ends the head.
        let log = parse(Mode::Request, b"GET / HTTP/1.1\nA: b\r\n\n");
        assert!(log.ends_with("header A: b\nheaders_complete v=1.1 status=0 cl=none chunked=0 ka=1 upgrade=0\nmessage_complete ka=1 upgrade=0\nok\nfinish ok\n"), "{log}");
        let log = parse(Mode::Response, b"HTTP/1.1 204 No Content\n\n");
        assert!(log.ends_with("status 204 No\\x20Content\nheaders_complete v=1.1 status=204 cl=none chunked=0 ka=1 upgrade=0\nmessage_complete ka=1 upgrade=0\nok\nfinish ok\n"), "{log}");
    }

    #[test]
    fn content_length_errors() {
        let cases: [(&[u8], &str); 4] = [
            (b"POST / HTTP/1.1\r\nContent-Length: 12a\r\n\r\n", "Invalid character in Content-Length"),
            (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "Invalid character in Content-Length"),
            (b"POST / HTTP/1.1\r\nContent-Length: \r\n\r\n", "Empty Content-Length"),
            (b"POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n", "Content-Length overflow"),
        ];
        for (input, reason) in cases {
            assert_eq!(
                error_of(Mode::Request, input),
                (HPE_INVALID_CONTENT_LENGTH, reason.to_owned()),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
        let log = parse(Mode::Request, b"POST / HTTP/1.1\r\nContent-Length: 18446744073709551615  \r\n\r\n");
        assert!(log.contains("cl=18446744073709551615 "), "{log}");
    }

    #[test]
    fn chunk_errors() {
        let head = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        let cases: [(&[u8], i32, &str); 9] = [
            (b"x\r\n", HPE_INVALID_CHUNK_SIZE, "Invalid character in chunk size"),
            (b"5\n", HPE_INVALID_CHUNK_SIZE, "Invalid character in chunk size"),
            (b"10000000000000000\r\n", HPE_INVALID_CHUNK_SIZE, "Chunk size overflow"),
            (b"5\rx", HPE_STRICT, "Expected LF after chunk size"),
            (b"1\r\nab\r\n", HPE_STRICT, "Expected CRLF after chunk"),
            (b"1\r\na\n", HPE_STRICT, "Expected CRLF after chunk"),
            (b"1; a\r\n", HPE_STRICT, "Invalid character in chunk extensions"),
            (b"1;a b\r\n", HPE_STRICT, "Invalid character in chunk extensions name"),
            (b"1;a=\"\\\"\r\n", HPE_STRICT, "Invalid character in chunk extensions quoted value"),
        ];
        for (chunks, code, reason) in cases {
            let input = [head.as_slice(), chunks].concat();
            assert_eq!(
                error_of(Mode::Request, &input),
                (code, reason.to_owned()),
                "{}",
                String::from_utf8_lossy(chunks)
            );
        }
        let largest = [head.as_slice(), b"ffffffffffffffff\r\nab"].concat();
        let log = parse(Mode::Request, &largest);
        assert!(
            log.contains("chunk_header 18446744073709551615\nbody ab\nok\nfinish error 14 Invalid EOF state"),
            "{log}"
        );
    }

    #[test]
    fn an_error_sticks_until_reset() {
        let mut rec = Recorder::default();
        let mut parser = HttpParser::new(Mode::Request);
        let e = parser.feed(b"BAD / HTTP/1.1\r\n", &mut rec).unwrap_err();
        assert_eq!(e, ParseError { code: HPE_INVALID_METHOD, reason: "Invalid method encountered" });
        assert_eq!(parser.feed(b"GET / HTTP/1.1\r\n\r\n", &mut rec), Err(e));
        assert_eq!(parser.error(), Some(e));
        assert_eq!(parser.finish(&mut rec), Ok(()));
        assert_eq!(rec.log, "begin\n");
        parser.reset();
        assert_eq!(parser.error(), None);
        assert_eq!(parser.feed(b"GET / HTTP/1.1\r\n\r\n", &mut rec), Ok(Progress::All));
        assert!(rec.log.ends_with("message_complete ka=1 upgrade=0\n"));
    }

    #[test]
    fn callback_errors_carry_llhttp_codes() {
        let request = b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n";
        let cases: [(Mode, &[u8], &'static str, i32, &str); 9] = [
            (Mode::Request, request, "begin", HPE_CB_MESSAGE_BEGIN, "`on_message_begin` callback error"),
            (Mode::Request, request, "req", HPE_CB_URL_COMPLETE, "`on_url_complete` callback error"),
            (
                Mode::Response,
                b"HTTP/1.1 200 OK\r\n\r\n",
                "status",
                HPE_CB_STATUS_COMPLETE,
                "`on_status_complete` callback error",
            ),
            (
                Mode::Request,
                request,
                "header",
                HPE_CB_HEADER_VALUE_COMPLETE,
                "`on_header_value_complete` callback error",
            ),
            (Mode::Request, request, "headers_complete", HPE_CB_HEADERS_COMPLETE, "User callback error"),
            (Mode::Request, request, "chunk_header", HPE_CB_CHUNK_HEADER, "`on_chunk_header` callback error"),
            (Mode::Request, request, "body", HPE_USER, "Span callback error in on_body"),
            (Mode::Request, request, "chunk_complete", HPE_CB_CHUNK_COMPLETE, "`on_chunk_complete` callback error"),
            (
                Mode::Request,
                request,
                "message_complete",
                HPE_CB_MESSAGE_COMPLETE,
                "`on_message_complete` callback error",
            ),
        ];
        for (mode, input, event, code, reason) in cases {
            let log = parse_with(mode, input, true, || Recorder { fail_on: Some(event), ..Recorder::default() });
            assert!(log.ends_with(&format!("error {code} {reason}\n")), "{event}: {log}");
        }
    }

    #[test]
    fn skip_body_and_upgrade_count_only_from_headers_complete() {
        let input = b"POST /x HTTP/1.1\r\nContent-Length: 1\r\n\r\na";
        let with = |result| {
            parse_with(Mode::Request, input, true, || Recorder { other_result: Some(result), ..Recorder::default() })
        };
        let plain = parse(Mode::Request, input);
        assert_eq!(with(ParseResult::SkipBody), plain);
        assert_eq!(with(ParseResult::Upgrade), plain);
    }

    /// A request whose head is `size` bytes: one long header.
    fn request_with_head_of(size: usize) -> Vec<u8> {
        let fixed = b"GET / HTTP/1.1\r\nContent-Length: 23\r\nX: \r\n\r\n".len();
        let mut input = b"\r\n\r\nGET / HTTP/1.1\r\nContent-Length: 23\r\nX: ".to_vec();
        input.resize(input.len() + size - fixed, b'v');
        input.extend_from_slice(b"\r\n\r\nbody bytes do not count");
        input
    }

    #[test]
    fn a_head_may_take_max_head_size_bytes() {
        let mut rec = Recorder::default();
        let mut parser = HttpParser::new(Mode::Request);
        assert_eq!(parser.feed(&request_with_head_of(MAX_HEAD_SIZE), &mut rec), Ok(Progress::All));
        assert!(rec.log.ends_with("message_complete ka=1 upgrade=0\n"));

        let input = request_with_head_of(MAX_HEAD_SIZE + 1);
        let whole = run_with(Mode::Request, &input, &[], false, Recorder::default());
        // The last header still fits; the LF ending the head is one byte too many.
        let events: Vec<&str> = whole.lines().map(|l| l.split(':').next().unwrap_or_default()).collect();
        assert_eq!(events, ["begin", "req GET /", "header Content-Length", "header X", "error 24 HPE_HEADER_OVERFLOW"]);
        let every: Vec<usize> = (1..input.len()).collect();
        assert_eq!(run_with(Mode::Request, &input, &every, false, Recorder::default()), whole);
        assert_eq!(run_with(Mode::Request, &input, &[MAX_HEAD_SIZE + 4], false, Recorder::default()), whole);
    }

    #[test]
    fn trailers_have_the_same_limits() {
        let mut input = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: ".to_vec();
        input.resize(input.len() + MAX_HEAD_SIZE, b't');
        input.extend_from_slice(b"\r\n\r\n");
        let log = run_with(Mode::Request, &input, &[], false, Recorder::default());
        assert!(log.ends_with("chunk_header 0\nerror 24 HPE_HEADER_OVERFLOW:Header overflow\n"), "{log}");
    }

    #[test]
    fn at_most_max_headers_headers() {
        let request = |count: usize| {
            let mut input = b"GET / HTTP/1.1\r\n".to_vec();
            for i in 0..count {
                input.extend_from_slice(format!("H{i}: v\r\n").as_bytes());
            }
            input.extend_from_slice(b"\r\n");
            input
        };
        let log = run_with(Mode::Request, &request(MAX_HEADERS), &[], false, Recorder::default());
        assert!(log.ends_with("message_complete ka=1 upgrade=0\nok\n"), "{log}");
        let input = request(MAX_HEADERS + 1);
        let log = run_with(Mode::Request, &input, &[], false, Recorder::default());
        assert_eq!(log.matches("header H").count(), MAX_HEADERS);
        assert!(log.ends_with("error 24 HPE_HEADER_OVERFLOW:Too many headers\n"), "{log}");
        let every: Vec<usize> = (1..input.len()).collect();
        assert_eq!(run_with(Mode::Request, &input, &every, false, Recorder::default()), log);
    }

    #[test]
    fn spans_straddling_feeds_are_assembled() {
        let mut rec = Recorder::default();
        let mut parser = HttpParser::new(Mode::Request);
        for piece in
            [&b"GET /lo"[..], b"ng/url HTTP/1.1\r\nLong-Na", b"me: first ", b"half\r\n", b" folded\r\n", b"\r\n"]
        {
            assert_eq!(parser.feed(piece, &mut rec), Ok(Progress::All));
        }
        assert_eq!(
            rec.log,
            "begin\nreq GET /long/url\nheader Long-Name: first\\x20half\\x20folded\nheaders_complete v=1.1 status=0 cl=none chunked=0 ka=1 upgrade=0\nmessage_complete ka=1 upgrade=0\n"
        );
    }

    #[test]
    fn head_reports_the_message() {
        let mut rec = Recorder::default();
        let mut parser = HttpParser::new(Mode::Request);
        assert_eq!(parser.mode(), Mode::Request);
        parser.feed(b"HEAD /x HTTP/1.0\r\nContent-Length: 0\r\n\r\n", &mut rec).unwrap();
        let head = parser.head();
        assert_eq!(head.method, Some(Method::Head));
        assert_eq!(head.version, (1, 0));
        assert_eq!(head.content_length, Some(0));
        assert!(!head.chunked && !head.keep_alive && !head.upgrade);
    }

    #[test]
    fn error_names_follow_the_numbers() {
        assert_eq!(error_name(HPE_OK), Some("HPE_OK"));
        assert_eq!(error_name(HPE_PAUSED_UPGRADE), Some("HPE_PAUSED_UPGRADE"));
        assert_eq!(error_name(HPE_CR_EXPECTED), Some("HPE_CR_EXPECTED"));
        assert_eq!(error_name(HPE_UNEXPECTED_SPACE), Some("HPE_UNEXPECTED_SPACE"));
        assert_eq!(error_name(HPE_CB_CHUNK_EXTENSION_VALUE_COMPLETE), Some("HPE_CB_CHUNK_EXTENSION_VALUE_COMPLETE"));
        assert_eq!(error_name(36), None);
        assert_eq!(error_name(-1), None);
    }

    #[test]
    fn a_long_span_gives_its_memory_back_at_the_next_message() {
        let mut rec = Recorder::default();
        let mut parser = HttpParser::new(Mode::Request);
        // A URL straddling two feeds is assembled in the buffer.
        let long = format!("GET /{}", "a".repeat(3 * SPAN_KEPT_CAPACITY));
        parser.feed(long.as_bytes(), &mut rec).unwrap();
        parser.feed(b" HTTP/1.1\r\n\r\n", &mut rec).unwrap();
        assert!(rec.log.contains(&format!("req GET {}\n", &long[4..])));
        assert!(parser.line.buf.capacity() > SPAN_KEPT_CAPACITY);
        parser.feed(b"G", &mut rec).unwrap();
        assert!(parser.line.buf.capacity() <= SPAN_KEPT_CAPACITY);
    }

    #[test]
    fn every_method_is_recognized() {
        for pair in METHODS_BY_NAME.windows(2) {
            assert!(pair[0].0 < pair[1].0, "table not sorted at {:?}", pair[1].1);
        }
        for (i, method) in Method::ALL.iter().enumerate() {
            assert_eq!(usize::from(method.index()), i);
            assert_eq!(Method::from_index(method.index()), Some(*method));
            assert!(METHODS_BY_NAME.contains(&(method.name().as_bytes(), *method)));
            assert_eq!(Method::from_name_ignore_case(&method.name().to_ascii_lowercase()), Some(*method));
            let protocol = match method {
                Method::Describe
                | Method::Announce
                | Method::Setup
                | Method::Play
                | Method::Pause
                | Method::Teardown
                | Method::GetParameter
                | Method::SetParameter
                | Method::Redirect
                | Method::Record
                | Method::Flush => "RTSP/1.0",
                _ => "HTTP/1.1",
            };
            let input = format!("{} /x {protocol}\r\nContent-Length: 0\r\n\r\n", method.name());
            let mut rec = Recorder::default();
            let mut parser = HttpParser::new(Mode::Request);
            let progress = parser.feed(input.as_bytes(), &mut rec);
            if *method == Method::Connect {
                assert!(matches!(progress, Ok(Progress::Upgrade { .. })));
            } else if *method == Method::Pri {
                assert_eq!(progress.unwrap_err().reason, "Expected HTTP/2 Connection Preface");
            } else {
                assert_eq!(progress, Ok(Progress::All), "{input}");
            }
            assert!(rec.log.contains(&format!("req {} /x\n", method.name())), "{}", rec.log);
        }
        assert_eq!(Method::from_index(46), None);
        assert_eq!(Method::from_name_ignore_case("FETCH"), None);
    }
}
