//! The two URL splitters upstream uses.
//!
//! [`split_url`] splits a request line's URL into the fields of `En_HP_HttpUrlField`
//! (`GetUrlField`), as http_parser's `http_parser_parse_url` does in strict mode (upstream's
//! `llhttp_url.c`, called from `THttpObjT::ParseUrl` when the URL ends). Upstream fails the
//! request line when it returns nothing: the HTTP layer then returns `ParseResult::Error` from
//! `on_request_line`, which is llhttp's `HPE_CB_URL_COMPLETE`.
//!
//! [`parse_open_url`] splits the `http://host[:port]/path?query` URLs given to HttpSyncClient's
//! `OpenUrl` (upstream's `ParseUrl` in `HttpHelper.cpp`).

use std::ops::Range;

/// The fields of a URL, numbered as `En_HP_HttpUrlField`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
pub enum UrlField {
    Schema = 0,
    Host = 1,
    Port = 2,
    Path = 3,
    Query = 4,
    Fragment = 5,
    UserInfo = 6,
}

/// How many fields there are (`HUF_MAX`).
pub const URL_FIELD_COUNT: usize = 7;

impl UrlField {
    /// All fields in number order.
    pub const ALL: [UrlField; URL_FIELD_COUNT] = [
        UrlField::Schema,
        UrlField::Host,
        UrlField::Port,
        UrlField::Path,
        UrlField::Query,
        UrlField::Fragment,
        UrlField::UserInfo,
    ];
}

/// Where each field of a URL lies in it, and the port number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UrlFields {
    ranges: [Option<Range<usize>>; URL_FIELD_COUNT],
    /// The port's value; 0 when the URL has none.
    pub port: u16,
}

impl UrlFields {
    /// The byte range of `field` in the URL, if the URL has that field.
    pub fn get(&self, field: UrlField) -> Option<Range<usize>> {
        self.ranges.get(field as usize).cloned().flatten()
    }

    /// The bytes of `field` in `url` (the URL that was split).
    pub fn slice<'a>(&self, url: &'a [u8], field: UrlField) -> Option<&'a [u8]> {
        self.get(field).and_then(|range| url.get(range))
    }

    /// One bit per present field, bit `n` for field `n` (upstream's `GetUrlFieldSet`).
    pub fn field_set(&self) -> u16 {
        self.ranges.iter().enumerate().filter(|(_, range)| range.is_some()).fold(0, |set, (i, _)| set | 1 << i)
    }

    fn set(&mut self, field: UrlField, range: Range<usize>) {
        if let Some(slot) = self.ranges.get_mut(field as usize) {
            *slot = Some(range);
        }
    }

    fn extend(&mut self, field: UrlField, at: usize) {
        match self.ranges.get_mut(field as usize) {
            Some(Some(range)) => range.end = at + 1,
            Some(slot) => *slot = Some(at..at + 1),
            None => {}
        }
    }

    fn unset(&mut self, field: UrlField) {
        if let Some(slot) = self.ranges.get_mut(field as usize) {
            *slot = None;
        }
    }

    fn has(&self, field: UrlField) -> bool {
        self.get(field).is_some()
    }
}

/// Where the first pass over the URL is (http_parser's request-line URL states).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UrlState {
    Start,
    Schema,
    SchemaSlash,
    SchemaSlashSlash,
    ServerStart,
    Server,
    ServerWithAt,
    Path,
    QueryStart,
    Query,
    FragmentStart,
    Fragment,
}

/// http_parser's strict URL characters: visible ASCII but `#` and `?`.
fn is_url_char(c: u8) -> bool {
    c.is_ascii_graphic() && c != b'#' && c != b'?'
}

/// A byte allowed in a URL's userinfo (http_parser's set); also the parser's byte class.
pub(super) const fn is_userinfo_char(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'-' | b'_'
                | b'.'
                | b'!'
                | b'~'
                | b'*'
                | b'\''
                | b'('
                | b')'
                | b'%'
                | b';'
                | b':'
                | b'&'
                | b'='
                | b'+'
                | b'$'
                | b','
        )
}

/// Strict mode's host characters.
fn is_host_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'.' || c == b'-'
}

/// The state after `c`, or `None` when the URL is invalid there.
fn url_step(state: UrlState, c: u8) -> Option<UrlState> {
    if matches!(c, b' ' | b'\r' | b'\n' | b'\t' | 0x0c) {
        return None;
    }
    let next = match state {
        UrlState::Start if c == b'/' || c == b'*' => UrlState::Path,
        UrlState::Start if c.is_ascii_alphabetic() => UrlState::Schema,
        UrlState::Schema if c.is_ascii_alphabetic() => UrlState::Schema,
        UrlState::Schema if c == b':' => UrlState::SchemaSlash,
        UrlState::SchemaSlash if c == b'/' => UrlState::SchemaSlashSlash,
        UrlState::SchemaSlashSlash if c == b'/' => UrlState::ServerStart,
        UrlState::ServerWithAt if c == b'@' => return None,
        UrlState::ServerStart | UrlState::Server | UrlState::ServerWithAt => match c {
            b'/' => UrlState::Path,
            b'?' => UrlState::QueryStart,
            b'@' => UrlState::ServerWithAt,
            b'[' | b']' => UrlState::Server,
            _ if is_userinfo_char(c) => UrlState::Server,
            _ => return None,
        },
        UrlState::Path if is_url_char(c) => UrlState::Path,
        UrlState::Path | UrlState::QueryStart | UrlState::Query if c == b'#' => UrlState::FragmentStart,
        UrlState::Path if c == b'?' => UrlState::QueryStart,
        UrlState::QueryStart | UrlState::Query if is_url_char(c) || c == b'?' => UrlState::Query,
        UrlState::FragmentStart | UrlState::Fragment if is_url_char(c) || c == b'?' => UrlState::Fragment,
        UrlState::FragmentStart if c == b'#' => UrlState::FragmentStart,
        UrlState::Fragment if c == b'#' => UrlState::Fragment,
        _ => return None,
    };
    Some(next)
}

/// Where the authority's second pass is (http_parser's host states).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HostState {
    UserinfoStart,
    Userinfo,
    HostStart,
    Host,
    V6Start,
    V6,
    V6End,
    V6ZoneStart,
    V6Zone,
    PortStart,
    Port,
}

fn host_step(state: HostState, c: u8) -> Option<HostState> {
    let zone_char = c.is_ascii_alphanumeric() || matches!(c, b'%' | b'.' | b'-' | b'_' | b'~');
    let next = match state {
        HostState::UserinfoStart | HostState::Userinfo if c == b'@' => HostState::HostStart,
        HostState::UserinfoStart | HostState::Userinfo if is_userinfo_char(c) => HostState::Userinfo,
        HostState::HostStart if c == b'[' => HostState::V6Start,
        HostState::HostStart | HostState::Host if is_host_char(c) => HostState::Host,
        HostState::Host | HostState::V6End if c == b':' => HostState::PortStart,
        HostState::V6 if c == b']' => HostState::V6End,
        HostState::V6 | HostState::V6Start if c.is_ascii_hexdigit() || c == b':' || c == b'.' => HostState::V6,
        HostState::V6 if c == b'%' => HostState::V6ZoneStart,
        HostState::V6Zone if c == b']' => HostState::V6End,
        HostState::V6Zone | HostState::V6ZoneStart if zone_char => HostState::V6Zone,
        HostState::PortStart | HostState::Port if c.is_ascii_digit() => HostState::Port,
        _ => return None,
    };
    Some(next)
}

/// Narrows the host field (which held the whole authority) to the host, and finds the userinfo
/// and port in it.
fn split_authority(url: &[u8], fields: &mut UrlFields, found_at: bool) -> Option<()> {
    let authority = fields.get(UrlField::Host)?;
    fields.unset(UrlField::Host);
    let mut state = if found_at { HostState::UserinfoStart } else { HostState::HostStart };
    for at in authority {
        let next = host_step(state, *url.get(at)?)?;
        match next {
            HostState::Host | HostState::V6 if next != state => fields.set(UrlField::Host, at..at + 1),
            HostState::Host | HostState::V6 | HostState::V6ZoneStart | HostState::V6Zone => {
                fields.extend(UrlField::Host, at)
            }
            HostState::Port => fields.extend(UrlField::Port, at),
            HostState::Userinfo => fields.extend(UrlField::UserInfo, at),
            _ => {}
        }
        state = next;
    }
    match state {
        HostState::Host | HostState::V6End | HostState::Port => Some(()),
        _ => None,
    }
}

/// Splits a request line's URL. `is_connect`: the request is CONNECT, whose URL is only
/// `host:port`. `None` where http_parser fails: an empty URL, a character out of place, a schema
/// without a host, a bad host, a port above 65535 or with no digits.
pub fn split_url(url: &[u8], is_connect: bool) -> Option<UrlFields> {
    if url.is_empty() {
        return None;
    }
    let mut fields = UrlFields::default();
    let mut state = if is_connect { UrlState::ServerStart } else { UrlState::Start };
    let mut found_at = false;
    let mut current: Option<UrlField> = None;
    for (at, &c) in url.iter().enumerate() {
        state = url_step(state, c)?;
        let field = match state {
            UrlState::Schema => UrlField::Schema,
            UrlState::Server => UrlField::Host,
            UrlState::ServerWithAt => {
                found_at = true;
                UrlField::Host
            }
            UrlState::Path => UrlField::Path,
            UrlState::Query => UrlField::Query,
            UrlState::Fragment => UrlField::Fragment,
            // Delimiters belong to no field.
            _ => continue,
        };
        if current == Some(field) {
            fields.extend(field, at);
        } else {
            fields.set(field, at..at + 1);
            current = Some(field);
        }
    }
    if fields.has(UrlField::Schema) && !fields.has(UrlField::Host) {
        return None;
    }
    if fields.has(UrlField::Host) {
        split_authority(url, &mut fields, found_at)?;
    }
    if is_connect && fields.field_set() != (1 << UrlField::Host as u16) | (1 << UrlField::Port as u16) {
        return None;
    }
    if let Some(port) = fields.slice(url, UrlField::Port) {
        let mut value: u16 = 0;
        for &digit in port {
            value = value.checked_mul(10)?.checked_add(u16::try_from(char::from(digit).to_digit(10)?).ok()?)?;
        }
        fields.port = value;
    }
    Some(fields)
}

/// A URL given to `OpenUrl`, split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenUrl {
    /// `https://` rather than `http://`.
    pub secure: bool,
    /// The host, without the brackets of an IPv6 address.
    pub host: String,
    /// The port given, else 80 or 443.
    pub port: u16,
    /// The path with its query (and fragment), `/` when the URL has none.
    pub path: String,
}

/// Splits an `OpenUrl` URL as upstream does: the schema (either case) is `http://` or
/// `https://`; the authority runs to the first `/`; the host must start with a letter or digit
/// or be a bracketed IPv6 address; a `:` must be followed by a port. Stricter than upstream,
/// which reads the port with `atoi` and lets the host run on to `?` or `#`: here the port must be
/// 1..=65535 in digits only, and a query or fragment right after the authority ends the host
/// (the path is then `/` followed by it).
pub fn parse_open_url(url: &str) -> Option<OpenUrl> {
    let (secure, rest) = if let Some(rest) = strip_prefix_ignore_case(url, "http://") {
        (false, rest)
    } else {
        (true, strip_prefix_ignore_case(url, "https://")?)
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let path = if tail.starts_with('/') { tail.to_owned() } else { format!("/{tail}") };
    let first = *authority.as_bytes().first()?;
    let (host, port) = if first.is_ascii_alphanumeric() {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    } else if first == b'[' {
        let close = authority.rfind(']')?;
        let host = authority.get(1..close)?;
        match authority.get(close + 1..)? {
            "" => (host, None),
            after => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        return None;
    };
    let port = match port {
        None if secure => 443,
        None => 80,
        Some(digits) if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) => {
            digits.parse::<u16>().ok().filter(|&p| p != 0)?
        }
        Some(_) => return None,
    };
    Some(OpenUrl { secure, host: host.to_owned(), port, path })
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| s.get(prefix.len()..)).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each present field as (field, text), and the port.
    fn fields(url: &str, is_connect: bool) -> Option<(Vec<(UrlField, &str)>, u16)> {
        let split = split_url(url.as_bytes(), is_connect)?;
        let present = UrlField::ALL
            .iter()
            .filter_map(|&f| split.get(f).map(|range| (f, url.get(range).expect("range inside the URL"))))
            .collect();
        Some((present, split.port))
    }

    #[test]
    fn absolute_url_with_every_field() {
        let (present, port) = fields("http://user:pw@example.com:8080/a/b?x=1&y#frag", false).unwrap();
        assert_eq!(
            present,
            [
                (UrlField::Schema, "http"),
                (UrlField::Host, "example.com"),
                (UrlField::Port, "8080"),
                (UrlField::Path, "/a/b"),
                (UrlField::Query, "x=1&y"),
                (UrlField::Fragment, "frag"),
                (UrlField::UserInfo, "user:pw"),
            ]
        );
        assert_eq!(port, 8080);
        let split = split_url(b"http://user:pw@example.com:8080/a/b?x=1&y#frag", false).unwrap();
        assert_eq!(split.field_set(), 0b111_1111);
        assert_eq!(
            split.slice(b"http://user:pw@example.com:8080/a/b?x=1&y#frag", UrlField::Host),
            Some(&b"example.com"[..])
        );
    }

    #[test]
    fn origin_form() {
        assert_eq!(fields("/index.html", false), Some((vec![(UrlField::Path, "/index.html")], 0)));
        assert_eq!(fields("*", false), Some((vec![(UrlField::Path, "*")], 0)));
        assert_eq!(
            fields("/p??q#f?#", false),
            Some((vec![(UrlField::Path, "/p"), (UrlField::Query, "?q"), (UrlField::Fragment, "f?#")], 0))
        );
        assert_eq!(fields("/p#", false), Some((vec![(UrlField::Path, "/p")], 0)));
        let split = split_url(b"/a?b", false).unwrap();
        assert_eq!(split.field_set(), 1 << 3 | 1 << 4);
        assert_eq!(split.get(UrlField::Host), None);
    }

    #[test]
    fn connect_takes_host_and_port_only() {
        assert_eq!(
            fields("example.com:443", true),
            Some((vec![(UrlField::Host, "example.com"), (UrlField::Port, "443")], 443))
        );
        assert_eq!(fields("[::1]:443", true), Some((vec![(UrlField::Host, "::1"), (UrlField::Port, "443")], 443)));
        assert_eq!(fields("example.com", true), None);
        assert_eq!(fields("example.com:443/path", true), None);
        assert_eq!(fields("user@example.com:443", true), None);
        // Without CONNECT, an authority is no URL.
        assert_eq!(fields("example.com:443", false), None);
    }

    #[test]
    fn ipv6_hosts_in_brackets() {
        assert_eq!(
            fields("http://[2001:db8::1]:8000/x", false),
            Some((
                vec![
                    (UrlField::Schema, "http"),
                    (UrlField::Host, "2001:db8::1"),
                    (UrlField::Port, "8000"),
                    (UrlField::Path, "/x")
                ],
                8000
            ))
        );
        let (present, _) = fields("http://[fe80::1%25eth0]/", false).unwrap();
        assert!(present.contains(&(UrlField::Host, "fe80::1%25eth0")), "{present:?}");
        assert_eq!(fields("http://[::1/", false), None);
        assert_eq!(fields("http://[::g]/", false), None);
        assert_eq!(fields("http://[::1]x/", false), None);
    }

    #[test]
    fn userinfo_and_hosts() {
        let (present, _) = fields("http://a%20b;c@h/", false).unwrap();
        assert!(present.contains(&(UrlField::UserInfo, "a%20b;c")) && present.contains(&(UrlField::Host, "h")));
        assert_eq!(fields("http://a@b@c/", false), None);
        assert_eq!(fields("http://a@@b/", false), None);
        assert_eq!(fields("http://user@/", false), None);
        // Strict mode: no `_` in host names.
        assert_eq!(fields("http://my_host/", false), None);
        assert_eq!(fields("http:///path", false), None);
        assert_eq!(fields("http:/x", false), None);
        assert!(fields("HTTP://EXAMPLE.COM", false).is_some());
    }

    #[test]
    fn bad_ports() {
        assert_eq!(fields("http://h:65535/", false).map(|(_, port)| port), Some(65535));
        assert_eq!(fields("http://h:0/", false).map(|(_, port)| port), Some(0));
        assert_eq!(fields("http://h:65536/", false), None);
        assert_eq!(fields("http://h:99999999999/", false), None);
        assert_eq!(fields("http://h:/", false), None);
        assert_eq!(fields("http://h:8x/", false), None);
        assert_eq!(fields("h:65536", true), None);
    }

    #[test]
    fn characters_out_of_place() {
        for url in ["", "a b", "/a\tb", "/a\x0cb", "/a\x7f", "/\u{e9}", "/a\r", "?x", "#f", "1http://h/", "http://h#f"]
        {
            assert_eq!(split_url(url.as_bytes(), false), None, "{url:?}");
        }
    }

    fn open(url: &str) -> Option<(bool, String, u16, String)> {
        parse_open_url(url).map(|u| (u.secure, u.host, u.port, u.path))
    }

    #[test]
    fn open_urls() {
        let owned = |secure, host: &str, port, path: &str| Some((secure, host.to_owned(), port, path.to_owned()));
        assert_eq!(open("http://example.com/a?b=1"), owned(false, "example.com", 80, "/a?b=1"));
        assert_eq!(open("HTTPS://example.com"), owned(true, "example.com", 443, "/"));
        assert_eq!(open("https://example.com:8443/x"), owned(true, "example.com", 8443, "/x"));
        assert_eq!(open("http://[::1]:8080/p"), owned(false, "::1", 8080, "/p"));
        assert_eq!(open("http://[::1]"), owned(false, "::1", 80, "/"));
        assert_eq!(open("http://h?q=1"), owned(false, "h", 80, "/?q=1"));
        assert_eq!(open("http://h#top"), owned(false, "h", 80, "/#top"));
        assert_eq!(open("http://1.2.3.4:81"), owned(false, "1.2.3.4", 81, "/"));
    }

    #[test]
    fn bad_open_urls() {
        for url in [
            "ftp://h/",
            "http:/h",
            "http://",
            "http:///p",
            "http://-h/",
            "http://h:/",
            "http://h:0/",
            "http://h:65536/",
            "http://h:80x/",
            "http://[::1/",
            "http://[::1]x/",
            "http://[::1]:/",
            "http\u{e9}://h/",
        ] {
            assert_eq!(open(url), None, "{url}");
        }
    }
}
