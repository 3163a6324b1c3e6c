//! HTTP cookies as upstream's `HttpCookie.cpp` keeps them: the [`Cookie`] record, `Set-Cookie`
//! parsing, domain and path matching, the expires text (`Wdy, DD-Mon-YYYY HH:MM:SS GMT`), the
//! process-wide store ([`CookieMgr`], [`global`]) that HTTP agents and clients share, and its file
//! format, so that cookie files move between this library and upstream's.
//!
//! Times are UTC seconds since 1970. A cookie's `expires` is negative for a session cookie
//! (never saved), else the second it expires; a cookie is expired once `expires <= now`.
//!
//! The store is keyed like upstream's: domain (lower case, no leading dot), then path (always
//! ending in `/`), then name. A request to `host` + `path` sees the cookies stored under the host
//! and each parent domain, and under the path and each parent directory.
//!
//! Where this code does better than upstream it says so: inputs that would corrupt the file
//! format or a header (control characters, `;`) are refused, sizes are bounded, a failed load
//! leaves the store as it was, and a request path's query string is not taken for a directory.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// Largest name plus value of one cookie (RFC 6265 asks user agents for at least 4096 bytes).
pub const MAX_COOKIE_BYTES: usize = 4096;
/// Longest domain (a DNS name is at most 253 characters).
pub const MAX_DOMAIN_LEN: usize = 255;
/// Longest path.
pub const MAX_PATH_LEN: usize = 1024;
/// Most cookies the store holds; beyond it new cookies are refused (expired ones go first).
pub const MAX_COOKIES: usize = 4096;
/// Largest cookie file read.
const MAX_FILE_BYTES: u64 = 32 << 20;
/// Longest line of a cookie file, newline included: upstream reads lines with an 8192-byte
/// `fgets` buffer, so a longer line is one it would split.
const MAX_FILE_LINE: usize = 8191;
/// Longest expires text upstream parses.
const MAX_EXPIRES_TEXT: usize = 50;

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The `SameSite` attribute, with upstream's numbers (`CCookie::EnSameSite`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[repr(i32)]
pub enum SameSite {
    #[default]
    None = 0,
    Strict = 1,
    Lax = 2,
}

impl SameSite {
    /// The value for upstream's number; None outside 0..=2.
    pub fn from_i32(v: i32) -> Option<SameSite> {
        match v {
            0 => Some(SameSite::None),
            1 => Some(SameSite::Strict),
            2 => Some(SameSite::Lax),
            _ => None,
        }
    }
}

/// Why a cookie operation failed.
#[derive(Debug)]
pub enum CookieError {
    /// A name, value, domain or path that is empty, too long or holds forbidden characters.
    Invalid,
    /// No such cookie.
    NotFound,
    /// The store holds [`MAX_COOKIES`] cookies.
    Full,
    /// A cookie file that is not in upstream's format.
    BadFormat,
    /// Reading or writing a cookie file failed.
    Io(std::io::Error),
}

/// One cookie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cookie {
    pub name: String,
    pub value: String,
    /// Lower case, without a leading dot.
    pub domain: String,
    /// Starts and ends with `/`.
    pub path: String,
    /// Negative: a session cookie; else the UTC second it expires.
    pub expires: i64,
    pub http_only: bool,
    pub secure: bool,
    pub same_site: SameSite,
}

/// The current UTC time in seconds (upstream's `CurrentUTCTime`).
pub fn now_utc() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map(|s| -s).unwrap_or(i64::MIN),
    }
}

/// Max-Age to expires, as upstream: `n > 0` is `now + n`, a negative age a session cookie (-1),
/// 0 "expired already" (0).
pub fn max_age_to_expires(max_age: i32, now: i64) -> i64 {
    match max_age {
        n if n > 0 => now.saturating_add(i64::from(n)),
        0 => 0,
        _ => -1,
    }
}

/// Expires to Max-Age, as upstream: -1 for a session cookie, 0 once expired, else the seconds
/// left (capped at `i32::MAX`, where upstream's cast wraps).
pub fn expires_to_max_age(expires: i64, now: i64) -> i32 {
    if expires < 0 {
        return -1;
    }
    let left = expires.saturating_sub(now);
    if left > 0 {
        i32::try_from(left).unwrap_or(i32::MAX)
    } else {
        0
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1..=12; any day, counted on from
/// the 1st, so day 0 is the last day of the month before).
fn days_from_civil(year: i64, month: u32, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let march_based_month = i64::from((month + 9) % 12);
    let day_of_year = (153 * march_based_month + 2) / 5;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468 + (day - 1)
}

/// The (year, month 1..=12, day 1..=31) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let march_based_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * march_based_month + 2) / 5 + 1;
    let month = if march_based_month < 10 { march_based_month + 3 } else { march_based_month - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

/// The expires text of a time, `Wdy, DD-Mon-YYYY HH:MM:SS GMT` (upstream's `MakeExpiresStr`);
/// times before 1 become 1, as upstream's. None for a year past what a C `struct tm` holds.
pub fn make_expires_str(expires: i64) -> Option<String> {
    let t = expires.max(1);
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    if year - 1900 > i64::from(i32::MAX) {
        return None;
    }
    let weekday = WEEKDAYS.get(usize::try_from((days + 4).rem_euclid(7)).ok()?)?;
    let month_name = MONTHS.get(month.checked_sub(1)? as usize)?;
    Some(format!(
        "{weekday}, {day:02}-{month_name}-{year:04} {:02}:{:02}:{:02} GMT",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    ))
}

/// C's `isspace` in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn trim_c_space(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii() && is_c_space(c as u8))
}

/// C's `atoll`: leading space, a sign, digits; anything after is ignored; saturates.
fn c_atoll(s: &[u8]) -> i64 {
    let mut rest = s;
    while let [b, tail @ ..] = rest {
        if !is_c_space(*b) {
            break;
        }
        rest = tail;
    }
    let negative = matches!(rest.first(), Some(b'-'));
    if matches!(rest.first(), Some(b'-' | b'+')) {
        rest = rest.get(1..).unwrap_or_default();
    }
    let mut v: i64 = 0;
    for &b in rest.iter().take_while(|b| b.is_ascii_digit()) {
        let digit = i64::from(b - b'0');
        v = if negative { v.saturating_mul(10).saturating_sub(digit) } else { v.saturating_mul(10).saturating_add(digit) };
    }
    v
}

/// C's `atoi`, saturating at the `int` range.
fn c_atoi(s: &[u8]) -> i32 {
    let v = c_atoll(s);
    i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX })
}

/// Just enough of `sscanf` to read upstream's expires format
/// `"%*[^, ]%*[, ]%2d%*[-/ ]%8[^-/ ]%*[-/ ]%4d %2d:%2d:%2d %8c"` the way glibc does.
struct Scanner<'a> {
    rest: &'a [u8],
}

impl<'a> Scanner<'a> {
    /// `%[set]` / `%N[set]`: at least one byte of the set, at most `max`.
    fn set(&mut self, max: usize, in_set: impl Fn(u8) -> bool) -> Option<&'a [u8]> {
        let n = self.rest.iter().take(max).take_while(|&&b| in_set(b)).count();
        if n == 0 {
            return None;
        }
        let (taken, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some(taken)
    }

    /// A whitespace directive: skips any C space.
    fn skip_space(&mut self) {
        let n = self.rest.iter().take_while(|&&b| is_c_space(b)).count();
        self.rest = self.rest.get(n..).unwrap_or_default();
    }

    /// `%Nd`: leading space skipped, then at most `width` bytes of sign and digits, one digit at
    /// least.
    fn int(&mut self, width: usize) -> Option<i64> {
        self.skip_space();
        let signed = matches!(self.rest.first(), Some(b'-' | b'+'));
        let digits = self.rest.iter().skip(usize::from(signed)).take(width.saturating_sub(usize::from(signed))).take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        let len = usize::from(signed) + digits;
        let (taken, rest) = self.rest.split_at(len);
        self.rest = rest;
        Some(c_atoll(taken))
    }

    /// An ordinary character of the format: the next byte must be it.
    fn literal(&mut self, c: u8) -> Option<()> {
        let (&first, rest) = self.rest.split_first()?;
        if first != c {
            return None;
        }
        self.rest = rest;
        Some(())
    }

    /// `%Nc`: up to `n` bytes of anything (glibc accepts fewer at the end of the input), one at
    /// least.
    fn chars(&mut self, n: usize) -> Option<&'a [u8]> {
        self.set(n, |_| true)
    }
}

fn is_date_sep(b: u8) -> bool {
    matches!(b, b'-' | b'/' | b' ')
}

/// Upstream's `timegm`: fields out of range carry over, as C's does.
fn timegm(year: i64, month0: u32, mday: i64, hour: i64, min: i64, sec: i64) -> i64 {
    days_from_civil(year, month0 + 1, mday) * 86_400 + hour * 3600 + min * 60 + sec
}

/// Parses an expires text as upstream's `ParseExpires` does: a weekday token, the day, month
/// name and year separated by `-`, `/` or spaces (two-digit years 70..=100 are 1970..2000, below
/// 70 are 20xx), `HH:MM:SS` and a zone of which only a `+hhmm` / `-hhmm` offset counts.
/// None for text it refuses or a time before 1970.
pub fn parse_expires(text: &[u8]) -> Option<i64> {
    if text.is_empty() || text.len() > MAX_EXPIRES_TEXT {
        return None;
    }
    let mut s = Scanner { rest: text };
    s.set(usize::MAX, |b| b != b',' && b != b' ')?;
    s.set(usize::MAX, |b| b == b',' || b == b' ')?;
    let mday = s.int(2)?;
    s.set(usize::MAX, is_date_sep)?;
    let month_text = s.set(8, |b| !is_date_sep(b))?;
    s.set(usize::MAX, is_date_sep)?;
    let mut tm_year = s.int(4)?;
    s.skip_space();
    let hour = s.int(2)?;
    s.literal(b':')?;
    let min = s.int(2)?;
    s.literal(b':')?;
    let sec = s.int(2)?;
    s.skip_space();
    let zone = s.chars(8)?;

    if tm_year < 70 {
        tm_year += 100;
    } else if tm_year > 100 {
        tm_year -= 1900;
    }
    let month_prefix = month_text.get(..3)?;
    let month0 = MONTHS.iter().position(|m| m.as_bytes().eq_ignore_ascii_case(month_prefix))?;
    let offset = zone_offset(zone);
    let t = timegm(tm_year + 1900, month0 as u32, mday, hour, min, sec);
    // Upstream subtracts the offset only from a time at or after 1970.
    let t = if t >= 0 { t - offset } else { t };
    (t >= 0).then_some(t)
}

/// The seconds east of UTC a zone text names: the digits after its first `+` (else its first
/// `-`), colons dropped, read as `hhmm`.
fn zone_offset(zone: &[u8]) -> i64 {
    let (sign, pos) = match (zone.iter().position(|&b| b == b'+'), zone.iter().position(|&b| b == b'-')) {
        (Some(p), _) => (1, p),
        (None, Some(p)) => (-1, p),
        (None, None) => return 0,
    };
    let digits: Vec<u8> = zone.get(pos + 1..).unwrap_or_default().iter().copied().filter(|&b| b != b':').collect();
    let val = i64::from(c_atoi(&digits));
    if val > 0 {
        sign * ((val % 100) * 60 + (val / 100) * 3600)
    } else {
        0
    }
}

/// Upstream's `AdjustDomain`: the default when empty, leading dots dropped, lower case; None
/// when nothing is left.
fn adjust_domain(domain: &str, default: Option<&str>) -> Option<String> {
    let d = match default {
        Some(def) if domain.is_empty() => def,
        _ => domain,
    };
    let d = d.trim_start_matches('.').to_ascii_lowercase();
    (!d.is_empty()).then_some(d)
}

/// Upstream's `AdjustPath`: the default when empty, cut after its last `/` (a path is a
/// directory), a leading `/` added; None when no `/` is left.
fn adjust_path(path: &str, default: Option<&str>) -> Option<String> {
    let p = match default {
        Some(def) if path.is_empty() => def,
        _ => path,
    };
    let dir = p.get(..=p.rfind('/')?)?;
    Some(if dir.starts_with('/') { dir.to_string() } else { format!("/{dir}") })
}

/// A request path without its query or fragment (what upstream takes for the path).
fn request_dir_path(path: &str) -> &str {
    path.split(['?', '#']).next().unwrap_or_default()
}

fn has_control(s: &str) -> bool {
    s.bytes().any(|b| b < 0x20 || b == 0x7f)
}

/// A name a cookie may have: not empty, no control character, `;` or `=`.
fn valid_name(name: &str) -> bool {
    !name.is_empty() && !has_control(name) && !name.contains([';', '='])
}

/// A value a cookie may have: no control character or `;`.
fn valid_value(value: &str) -> bool {
    !has_control(value) && !value.contains(';')
}

/// An (adjusted) domain or path the file format can hold: no space, control character or `;`.
fn valid_location(s: &str, max: usize) -> bool {
    s.len() <= max && !has_control(s) && !s.contains([' ', ';'])
}

fn check_name_value(name: &str, value: &str) -> Result<(), CookieError> {
    if valid_name(name) && valid_value(value) && name.len() + value.len() <= MAX_COOKIE_BYTES {
        Ok(())
    } else {
        Err(CookieError::Invalid)
    }
}

fn checked_domain(domain: &str, default: Option<&str>) -> Result<String, CookieError> {
    adjust_domain(domain, default).filter(|d| valid_location(d, MAX_DOMAIN_LEN)).ok_or(CookieError::Invalid)
}

fn checked_path(path: &str, default: Option<&str>) -> Result<String, CookieError> {
    adjust_path(path, default).filter(|p| valid_location(p, MAX_PATH_LEN)).ok_or(CookieError::Invalid)
}

/// `suffix` ends `s` case-insensitively at a label boundary; the length of what precedes it.
fn domain_suffix_at(s: &str, suffix: &str) -> Option<usize> {
    let diff = s.len().checked_sub(suffix.len())?;
    let tail = s.as_bytes().get(diff..)?;
    if !tail.eq_ignore_ascii_case(suffix.as_bytes()) {
        return None;
    }
    if diff > 0 && s.as_bytes().get(diff - 1) != Some(&b'.') {
        return None;
    }
    Some(diff)
}

/// Writes a Set-Cookie string in upstream's attribute order and spelling; an empty domain or
/// path is left out.
fn write_set_cookie(out: &mut String, c: &Cookie) {
    out.push_str(&c.name);
    out.push('=');
    out.push_str(&c.value);
    if !c.domain.is_empty() {
        out.push_str("; domain=");
        out.push_str(&c.domain);
    }
    if !c.path.is_empty() {
        out.push_str("; path=");
        out.push_str(&c.path);
    }
    if c.expires >= 0 {
        if let Some(text) = make_expires_str(c.expires) {
            out.push_str("; expires=");
            out.push_str(&text);
        }
    }
    if c.http_only {
        out.push_str("; HttpOnly");
    }
    if c.secure {
        out.push_str("; secure");
    }
    match c.same_site {
        SameSite::None => {}
        SameSite::Strict => out.push_str("; SameSite=Strict"),
        SameSite::Lax => out.push_str("; SameSite=Lax"),
    }
}

/// A Set-Cookie string from loose parts (upstream's `HLP_ToString`): the domain and path are
/// adjusted and left out when nothing is left of them; `max_age` as [`max_age_to_expires`].
/// Refuses names, values, domains and paths that would break the header.
#[allow(clippy::too_many_arguments)]
pub fn format_set_cookie(name: &str, value: &str, domain: Option<&str>, path: Option<&str>, max_age: i32, http_only: bool, secure: bool, same_site: SameSite, now: i64) -> Result<String, CookieError> {
    check_name_value(name, value)?;
    let domain = domain.and_then(|d| adjust_domain(d, None)).unwrap_or_default();
    let path = path.and_then(|p| adjust_path(p, None)).unwrap_or_default();
    if !valid_location(&domain, MAX_DOMAIN_LEN) || !valid_location(&path, MAX_PATH_LEN) {
        return Err(CookieError::Invalid);
    }
    let loose = Cookie { name: name.to_string(), value: value.to_string(), domain, path, expires: max_age_to_expires(max_age, now), http_only, secure, same_site };
    Ok(loose.to_set_cookie_string())
}

/// What a `Set-Cookie` header's lifetime attributes said, in upstream's precedence: Max-Age
/// wins when it comes last, Expires counts only while no Max-Age other than -1 was seen.
enum Lifetime {
    MaxAge(i32),
    Expires(i64),
}

impl Cookie {
    /// A cookie from its parts, as upstream's `SetCookie(name, value, domain, path, ...)`: the
    /// domain and path adjusted, `max_age` as [`max_age_to_expires`].
    #[allow(clippy::too_many_arguments)]
    pub fn new(name: &str, value: &str, domain: &str, path: &str, max_age: i32, http_only: bool, secure: bool, same_site: SameSite, now: i64) -> Result<Cookie, CookieError> {
        check_name_value(name, value)?;
        Ok(Cookie {
            name: name.to_string(),
            value: value.to_string(),
            domain: checked_domain(domain, None)?,
            path: checked_path(path, None)?,
            expires: max_age_to_expires(max_age, now),
            http_only,
            secure,
            same_site,
        })
    }

    /// Parses a `Set-Cookie` value as upstream's `CCookie::FromString`: `name=value` then
    /// `;`-separated attributes (names without case); a missing domain or path comes from the
    /// request. Refuses a nameless cookie, an expires text [`parse_expires`] refuses, and parts
    /// the store cannot hold. (Upstream stops at a blank attribute; this skips it.)
    pub fn parse_set_cookie(text: &str, default_domain: &str, default_path: &str, now: i64) -> Result<Cookie, CookieError> {
        let mut fields = text.split(';').map(trim_c_space).filter(|f| !f.is_empty());
        let first = fields.next().ok_or(CookieError::Invalid)?;
        let (name, value) = split_kv(first);
        if name.is_empty() {
            return Err(CookieError::Invalid);
        }
        let (mut domain, mut path) = ("", "");
        let mut lifetime = Lifetime::MaxAge(-1);
        let (mut http_only, mut secure, mut same_site) = (false, false, SameSite::None);
        for field in fields {
            let (key, val) = split_kv(field);
            if key.eq_ignore_ascii_case("domain") {
                domain = val;
            } else if key.eq_ignore_ascii_case("path") {
                path = val;
            } else if key.eq_ignore_ascii_case("max-age") && !val.is_empty() {
                lifetime = Lifetime::MaxAge(c_atoi(val.as_bytes()));
            } else if key.eq_ignore_ascii_case("expires") && !val.is_empty() && matches!(lifetime, Lifetime::MaxAge(-1)) {
                lifetime = Lifetime::Expires(parse_expires(val.as_bytes()).ok_or(CookieError::Invalid)?);
            } else if key.eq_ignore_ascii_case("httponly") {
                http_only = true;
            } else if key.eq_ignore_ascii_case("secure") {
                secure = true;
            } else if key.eq_ignore_ascii_case("samesite") {
                if val.is_empty() || val.eq_ignore_ascii_case("strict") {
                    same_site = SameSite::Strict;
                } else if val.eq_ignore_ascii_case("lax") {
                    same_site = SameSite::Lax;
                }
            }
        }
        check_name_value(name, value)?;
        let expires = match lifetime {
            Lifetime::MaxAge(n) => max_age_to_expires(n, now),
            // Upstream goes through a Max-Age: a past time becomes 0.
            Lifetime::Expires(t) => {
                if t > now {
                    t
                } else {
                    0
                }
            }
        };
        Ok(Cookie {
            name: name.to_string(),
            value: value.to_string(),
            domain: checked_domain(domain, Some(default_domain))?,
            path: checked_path(path, Some(default_path))?,
            expires,
            http_only,
            secure,
            same_site,
        })
    }

    /// A session cookie (upstream's `IsTransient`).
    pub fn is_session(&self) -> bool {
        self.expires < 0
    }

    pub fn is_expired(&self, now: i64) -> bool {
        !self.is_session() && self.expires <= now
    }

    /// Whether a request to `domain` + `path` gets this cookie (upstream's `Match`): the domain
    /// is this one or below it, the path starts with this one, and HttpOnly / Secure allow it.
    pub fn matches(&self, domain: &str, path: &str, http: bool, secure: bool) -> bool {
        domain_suffix_at(domain, &self.domain).is_some() && path.starts_with(&self.path) && (http || !self.http_only) && (secure || !self.secure)
    }

    /// Whether `domain` is this cookie's domain, a subdomain of it or a parent of it (upstream's
    /// `IsSameDomain`, the third-party test).
    pub fn is_same_domain(&self, domain: &str) -> bool {
        domain_suffix_at(domain, &self.domain).is_some() || domain_suffix_at(&self.domain, domain).is_some()
    }

    /// The cookie as a Set-Cookie string (upstream's `ToString`).
    pub fn to_set_cookie_string(&self) -> String {
        let mut out = String::new();
        write_set_cookie(&mut out, self);
        out
    }
}

/// Splits `key=value` at the first `=`, both sides trimmed; no `=` is a key alone.
fn split_kv(field: &str) -> (&str, &str) {
    match field.split_once('=') {
        Some((k, v)) => (trim_c_space(k), trim_c_space(v)),
        None => (trim_c_space(field), ""),
    }
}

/// The (name, value) pairs of a request's `Cookie:` header, as upstream's server reads them:
/// `;`-separated `name=value` pairs, those without a name skipped, a repeated name keeping its
/// first place and its last value. Names and values are trimmed (upstream keeps the space
/// around `=`).
pub fn parse_cookie_header(value: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(value);
    let mut pairs: Vec<(String, String)> = Vec::new();
    for field in text.split(';') {
        let Some((name, val)) = trim_c_space(field).split_once('=') else {
            continue;
        };
        let name = trim_c_space(name);
        if name.is_empty() {
            continue;
        }
        let val = trim_c_space(val).to_string();
        match pairs.iter_mut().find(|(n, _)| n == name) {
            Some(pair) => pair.1 = val,
            None => pairs.push((name.to_string(), val)),
        }
    }
    pairs
}

/// What a response's `Set-Cookie` means for that response's own cookie list (upstream's
/// `ParseSetCookie` keeps one per response, for `GetCookie` / `GetAllCookies`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResponseCookie {
    /// The cookie applies to the request: list it.
    Add { name: String, value: String },
    /// It applies to the request but has expired: drop the name from the list.
    Remove { name: String },
    /// It is for another domain or path (or needs HTTPS): the list is unchanged.
    Other,
}

type PathMap = BTreeMap<String, BTreeMap<String, Cookie>>;

#[derive(Default)]
struct Store {
    by_domain: BTreeMap<String, PathMap>,
    count: usize,
}

impl Store {
    fn get(&self, domain: &str, path: &str, name: &str) -> Option<&Cookie> {
        self.by_domain.get(domain)?.get(path)?.get(name)
    }

    fn get_mut(&mut self, domain: &str, path: &str, name: &str) -> Option<&mut Cookie> {
        self.by_domain.get_mut(domain)?.get_mut(path)?.get_mut(name)
    }

    fn insert_new(&mut self, cookie: Cookie) {
        let names = self.by_domain.entry(cookie.domain.clone()).or_default().entry(cookie.path.clone()).or_default();
        if names.insert(cookie.name.clone(), cookie).is_none() {
            self.count += 1;
        }
    }

    fn remove(&mut self, domain: &str, path: &str, name: &str) -> bool {
        let Some(paths) = self.by_domain.get_mut(domain) else {
            return false;
        };
        let Some(names) = paths.get_mut(path) else {
            return false;
        };
        let removed = names.remove(name).is_some();
        if names.is_empty() {
            paths.remove(path);
        }
        if paths.is_empty() {
            self.by_domain.remove(domain);
        }
        if removed {
            self.count -= 1;
        }
        removed
    }

    /// Keeps, within the domain / path scope (None: all), the cookies `keep` says yes to.
    fn retain_in(&mut self, domain: Option<&str>, path: Option<&str>, keep: impl Fn(&Cookie) -> bool) {
        for (d, paths) in self.by_domain.iter_mut() {
            if domain.is_some_and(|want| want != d) {
                continue;
            }
            for (p, names) in paths.iter_mut() {
                if path.is_some_and(|want| want != p) {
                    continue;
                }
                names.retain(|_, c| keep(c));
            }
            paths.retain(|_, names| !names.is_empty());
        }
        self.by_domain.retain(|_, paths| !paths.is_empty());
        self.count = self.by_domain.values().flat_map(|paths| paths.values()).map(|names| names.len()).sum();
    }

    /// Room for `extra` more cookies, dropping expired ones first if needed.
    fn make_room(&mut self, extra: usize, now: i64) -> Result<(), CookieError> {
        if self.count + extra > MAX_COOKIES {
            self.retain_in(None, None, |c| !c.is_expired(now));
        }
        if self.count + extra > MAX_COOKIES {
            return Err(CookieError::Full);
        }
        Ok(())
    }

    /// Upstream's `SetCookieNoLock`.
    fn set(&mut self, cookie: Cookie, only_update_value_if_exists: bool, now: i64) -> Result<(), CookieError> {
        if cookie.is_expired(now) {
            return if self.remove(&cookie.domain, &cookie.path, &cookie.name) { Ok(()) } else { Err(CookieError::NotFound) };
        }
        if let Some(existing) = self.get_mut(&cookie.domain, &cookie.path, &cookie.name) {
            if only_update_value_if_exists && !existing.is_expired(now) && cookie.is_session() {
                existing.value = cookie.value;
            } else {
                *existing = cookie;
            }
            return Ok(());
        }
        self.make_room(1, now)?;
        self.insert_new(cookie);
        Ok(())
    }
}

/// A cookie store (upstream's `CCookieMgr`); [`global`] is the one HTTP components share.
pub struct CookieMgr {
    store: RwLock<Store>,
    third_party: AtomicBool,
}

impl Default for CookieMgr {
    fn default() -> Self {
        CookieMgr::new(true)
    }
}

/// The process-wide store (upstream's `g_CookieMgr`), third-party cookies allowed.
pub fn global() -> &'static CookieMgr {
    static GLOBAL: OnceLock<CookieMgr> = OnceLock::new();
    GLOBAL.get_or_init(CookieMgr::default)
}

/// `Some(adjusted)` for a given domain, None for none; an invalid one is an error.
fn scope_domain(domain: Option<&str>) -> Result<Option<String>, CookieError> {
    domain.map(|d| checked_domain(d, None)).transpose()
}

fn scope_path(path: Option<&str>) -> Result<Option<String>, CookieError> {
    path.map(|p| checked_path(p, None)).transpose()
}

impl CookieMgr {
    /// An empty store; `third_party` says whether responses may set cookies for other domains.
    pub fn new(third_party: bool) -> CookieMgr {
        CookieMgr { store: RwLock::new(Store::default()), third_party: AtomicBool::new(third_party) }
    }

    fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_third_party_enabled(&self, enabled: bool) {
        self.third_party.store(enabled, Ordering::Relaxed);
    }

    pub fn third_party_enabled(&self) -> bool {
        self.third_party.load(Ordering::Relaxed)
    }

    /// How many cookies the store holds, expired ones included until removed.
    pub fn len(&self) -> usize {
        self.read().count
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The stored cookie of that domain, path and name (domain and path adjusted first).
    pub fn get(&self, domain: &str, path: &str, name: &str) -> Option<Cookie> {
        let (domain, path) = (adjust_domain(domain, None)?, adjust_path(path, None)?);
        self.read().get(&domain, &path, name).cloned()
    }

    /// Stores a cookie (upstream's `SetCookie`): an expired one deletes its namesake (NotFound
    /// when there is none); a session cookie only changes the value of a live namesake when
    /// `only_update_value_if_exists`; anything else replaces it.
    pub fn set(&self, cookie: Cookie, only_update_value_if_exists: bool) -> Result<(), CookieError> {
        self.set_at(cookie, only_update_value_if_exists, now_utc())
    }

    fn set_at(&self, cookie: Cookie, only_update_value_if_exists: bool, now: i64) -> Result<(), CookieError> {
        self.write().set(cookie, only_update_value_if_exists, now)
    }

    /// Deletes one cookie (upstream's `DeleteCookie`).
    pub fn delete(&self, domain: &str, path: &str, name: &str) -> Result<(), CookieError> {
        if name.is_empty() {
            return Err(CookieError::Invalid);
        }
        let (domain, path) = (checked_domain(domain, None)?, checked_path(path, None)?);
        if self.write().remove(&domain, &path, name) {
            Ok(())
        } else {
            Err(CookieError::NotFound)
        }
    }

    /// Deletes every cookie of a domain and / or path (None: any); both None empties the store.
    pub fn clear(&self, domain: Option<&str>, path: Option<&str>) -> Result<(), CookieError> {
        let (domain, path) = (scope_domain(domain)?, scope_path(path)?);
        self.write().retain_in(domain.as_deref(), path.as_deref(), |_| false);
        Ok(())
    }

    /// Deletes the expired cookies of a domain and / or path (None: any).
    pub fn remove_expired(&self, domain: Option<&str>, path: Option<&str>) -> Result<(), CookieError> {
        self.remove_expired_at(domain, path, now_utc())
    }

    fn remove_expired_at(&self, domain: Option<&str>, path: Option<&str>, now: i64) -> Result<(), CookieError> {
        let (domain, path) = (scope_domain(domain)?, scope_path(path)?);
        self.write().retain_in(domain.as_deref(), path.as_deref(), |c| !c.is_expired(now));
        Ok(())
    }

    /// The cookies an HTTP request to `host` + `path` carries (upstream's `GetCookies` with
    /// `bHttp`): the host's and each parent domain's (an IP address only its own), under the
    /// path's directory and each parent; live ones, Secure ones only when `secure`. A name met
    /// twice keeps its most specific cookie.
    pub fn cookies_for(&self, host: &str, path: &str, secure: bool) -> Vec<(String, String)> {
        self.cookies_for_at(host, path, secure, now_utc())
    }

    fn cookies_for_at(&self, host: &str, path: &str, secure: bool, now: i64) -> Vec<(String, String)> {
        let (Some(host), Some(path)) = (adjust_domain(host, None), adjust_path(request_dir_path(path), None)) else {
            return Vec::new();
        };
        let mut domains = vec![host.as_str()];
        if host.parse::<std::net::IpAddr>().is_err() {
            domains.extend(host.match_indices('.').filter_map(|(i, _)| host.get(i + 1..)).filter(|d| !d.is_empty()));
        }
        let mut paths = vec![path.as_str()];
        let trimmed = path.strip_suffix('/').unwrap_or(&path);
        paths.extend(trimmed.rmatch_indices('/').filter_map(|(i, _)| path.get(..=i)));

        let store = self.read();
        let mut out: Vec<(String, String)> = Vec::new();
        for d in &domains {
            let Some(by_path) = store.by_domain.get(*d) else {
                continue;
            };
            for p in &paths {
                let Some(names) = by_path.get(*p) else {
                    continue;
                };
                for c in names.values() {
                    if !c.is_expired(now) && (secure || !c.secure) && !out.iter().any(|(n, _)| *n == c.name) {
                        out.push((c.name.clone(), c.value.clone()));
                    }
                }
            }
        }
        out
    }

    /// The `Cookie:` header value (`a=1; b=2`) for a request to `host` + `path`, None when no
    /// cookie applies.
    pub fn request_cookie_header(&self, host: &str, path: &str, secure: bool) -> Option<String> {
        let pairs = self.cookies_for(host, path, secure);
        (!pairs.is_empty()).then(|| pairs.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; "))
    }

    /// Handles a response's `Set-Cookie` value for a request to `request_host` +
    /// `request_path` (upstream's `ParseSetCookie`): stores the cookie (for another domain only
    /// while third-party cookies are enabled; store errors are ignored, as upstream's) and says
    /// what it means for the response's cookie list. Err when the value cannot be parsed, which
    /// upstream treats as a parse error of the response.
    pub fn store_set_cookie(&self, set_cookie_value: &str, request_host: &str, request_path: &str, secure: bool) -> Result<ResponseCookie, CookieError> {
        self.store_set_cookie_at(set_cookie_value, request_host, request_path, secure, now_utc())
    }

    fn store_set_cookie_at(&self, set_cookie_value: &str, request_host: &str, request_path: &str, secure: bool, now: i64) -> Result<ResponseCookie, CookieError> {
        let request_path = request_dir_path(request_path);
        let cookie = Cookie::parse_set_cookie(set_cookie_value, request_host, request_path, now)?;
        let effect = if !cookie.matches(request_host, request_path, true, secure) {
            ResponseCookie::Other
        } else if cookie.is_expired(now) {
            ResponseCookie::Remove { name: cookie.name.clone() }
        } else {
            ResponseCookie::Add { name: cookie.name.clone(), value: cookie.value.clone() }
        };
        if self.third_party_enabled() || cookie.is_same_domain(request_host) {
            // Deleting a cookie that is not there, or a full store, leaves the response as it is.
            let _ = self.set_at(cookie, true, now);
        }
        Ok(effect)
    }

    /// Loads a cookie file in upstream's format (upstream's `LoadFromFile`); expired cookies
    /// are skipped. `keep_existing` false empties the store first; otherwise, and between
    /// duplicates in the file, the cookie already there wins. A bad file changes nothing.
    pub fn load_from_file(&self, file: &Path, keep_existing: bool) -> Result<(), CookieError> {
        self.load_from_file_at(file, keep_existing, now_utc())
    }

    fn load_from_file_at(&self, file: &Path, keep_existing: bool, now: i64) -> Result<(), CookieError> {
        let text = read_bounded(file)?;
        let cookies = parse_cookie_file(&text, now)?;
        let mut store = self.write();
        let mut fresh = Store::default();
        let target: &mut Store = if keep_existing { &mut store } else { &mut fresh };
        let mut new_count = 0usize;
        let mut seen = std::collections::HashSet::new();
        for c in &cookies {
            if target.get(&c.domain, &c.path, &c.name).is_none() && seen.insert((c.domain.as_str(), c.path.as_str(), c.name.as_str())) {
                new_count += 1;
            }
        }
        target.make_room(new_count, now)?;
        for c in cookies {
            if target.get(&c.domain, &c.path, &c.name).is_none() {
                target.insert_new(c);
            }
        }
        if !keep_existing {
            *store = fresh;
        }
        Ok(())
    }

    /// Saves the live persistent cookies in upstream's format (upstream's `SaveToFile`);
    /// `keep_existing` first loads the file into the store (a missing one is fine), keeping the
    /// store's cookie where both have one. A new file is created readable by its owner only.
    pub fn save_to_file(&self, file: &Path, keep_existing: bool) -> Result<(), CookieError> {
        self.save_to_file_at(file, keep_existing, now_utc())
    }

    fn save_to_file_at(&self, file: &Path, keep_existing: bool, now: i64) -> Result<(), CookieError> {
        if keep_existing {
            match self.load_from_file_at(file, true, now) {
                Ok(()) => {}
                Err(CookieError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        let text = {
            let store = self.read();
            format_cookie_file(&store, now)
        };
        let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(file).map_err(CookieError::Io)?;
        f.write_all(text.as_bytes()).map_err(CookieError::Io)
    }
}

fn read_bounded(file: &Path) -> Result<Vec<u8>, CookieError> {
    use std::io::Read;
    let f = std::fs::File::open(file).map_err(CookieError::Io)?;
    let mut text = Vec::new();
    f.take(MAX_FILE_BYTES + 1).read_to_end(&mut text).map_err(CookieError::Io)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(CookieError::Io(std::io::Error::from_raw_os_error(libc::EFBIG)));
    }
    Ok(text)
}

/// Upstream's file: per domain and path a line `domain path`, then one line per cookie
/// `\tname;value;expires;httpOnly;secure;sameSite` (an empty value written as one space).
fn format_cookie_file(store: &Store, now: i64) -> String {
    let mut out = String::new();
    for (domain, paths) in &store.by_domain {
        for (path, names) in paths {
            let mut saved = names.values().filter(|c| c.expires > now).peekable();
            if saved.peek().is_none() {
                continue;
            }
            out.push_str(&format!("{domain} {path}\n"));
            for c in saved {
                let value = if c.value.is_empty() { " " } else { c.value.as_str() };
                out.push_str(&format!("\t{};{};{};{};{};{}\n", c.name, value, c.expires, i32::from(c.http_only), i32::from(c.secure), c.same_site as i32));
            }
        }
    }
    out
}

/// `strtok`'s tokens: the pieces between any of `delims`, empty ones skipped.
fn tokens<'a>(line: &'a str, delims: &'a [char]) -> impl Iterator<Item = &'a str> {
    line.split(delims).filter(|t| !t.is_empty())
}

/// The live cookies of a file in upstream's format, in file order. Lines are read as upstream's
/// `LoadFromFile` reads them: blank lines skipped, a line starting with a tab is a cookie of the
/// last `domain path` line, fields split `strtok`-style.
fn parse_cookie_file(text: &[u8], now: i64) -> Result<Vec<Cookie>, CookieError> {
    let mut cookies = Vec::new();
    let mut location: Option<(String, String)> = None;
    for raw in text.split_inclusive(|&b| b == b'\n') {
        if raw.len() > MAX_FILE_LINE {
            return Err(CookieError::BadFormat);
        }
        let line = std::str::from_utf8(raw).map_err(|_| CookieError::BadFormat)?;
        match line.as_bytes().first() {
            Some(b'\n' | b'\r') | None => continue,
            Some(b'\t') => {
                let (domain, path) = location.as_ref().ok_or(CookieError::BadFormat)?;
                let cookie = parse_cookie_line(line, domain, path)?;
                if cookie.expires > now {
                    // More live cookies than the store holds cannot load: stop before holding them all.
                    if cookies.len() == MAX_COOKIES {
                        return Err(CookieError::Full);
                    }
                    cookies.push(cookie);
                }
            }
            Some(_) => {
                let mut t = tokens(line, &[' ', '\n', '\r']);
                let (Some(domain), Some(path)) = (t.next(), t.next()) else {
                    return Err(CookieError::BadFormat);
                };
                let domain = checked_domain(domain, None).map_err(|_| CookieError::BadFormat)?;
                let path = checked_path(path, None).map_err(|_| CookieError::BadFormat)?;
                location = Some((domain, path));
            }
        }
    }
    Ok(cookies)
}

fn parse_cookie_line(line: &str, domain: &str, path: &str) -> Result<Cookie, CookieError> {
    let mut t = tokens(line, &['\t', ';', '\n', '\r']);
    let mut field = || t.next().ok_or(CookieError::BadFormat);
    let (name, value, expires, http_only, secure, same_site) = (field()?, field()?, field()?, field()?, field()?, field()?);
    let (name, value) = (trim_c_space(name), trim_c_space(value));
    let expires = c_atoll(expires.as_bytes());
    let same_site = SameSite::from_i32(c_atoi(same_site.as_bytes())).ok_or(CookieError::BadFormat)?;
    if expires <= 0 || check_name_value(name, value).is_err() {
        return Err(CookieError::BadFormat);
    }
    Ok(Cookie {
        name: name.to_string(),
        value: value.to_string(),
        domain: domain.to_string(),
        path: path.to_string(),
        expires,
        http_only: c_atoi(http_only.as_bytes()) != 0,
        secure: c_atoi(secure.as_bytes()) != 0,
        same_site,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000; // 2023-11-14 22:13:20 UTC

    fn temp_file(tag: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("hp-cookie-{}-{tag}", std::process::id()))
    }

    #[test]
    fn expires_text_known_dates() {
        assert_eq!(make_expires_str(0).unwrap(), "Thu, 01-Jan-1970 00:00:01 GMT");
        assert_eq!(make_expires_str(-5).unwrap(), "Thu, 01-Jan-1970 00:00:01 GMT");
        assert_eq!(make_expires_str(86_399).unwrap(), "Thu, 01-Jan-1970 23:59:59 GMT");
        assert_eq!(make_expires_str(951_782_400).unwrap(), "Tue, 29-Feb-2000 00:00:00 GMT");
        assert_eq!(make_expires_str(1_445_412_480).unwrap(), "Wed, 21-Oct-2015 07:28:00 GMT");
        assert_eq!(make_expires_str(2_147_483_647).unwrap(), "Tue, 19-Jan-2038 03:14:07 GMT");
        assert_eq!(make_expires_str(2_147_483_648).unwrap(), "Tue, 19-Jan-2038 03:14:08 GMT");
        assert_eq!(make_expires_str(4_107_542_400).unwrap(), "Mon, 01-Mar-2100 00:00:00 GMT");
        assert_eq!(make_expires_str(253_402_300_799).unwrap(), "Fri, 31-Dec-9999 23:59:59 GMT");
        assert_eq!(make_expires_str(253_402_300_800).unwrap(), "Sat, 01-Jan-10000 00:00:00 GMT");
        assert!(make_expires_str(i64::MAX).is_none());
    }

    #[test]
    fn expires_round_trip_across_the_calendar() {
        // 1970, leap days (2000, 2024, 2400), the non-leap 1900-style century 2100, 2038 and after.
        let dates = [(1970, 1, 1), (1972, 2, 29), (1999, 12, 31), (2000, 2, 29), (2024, 2, 29), (2038, 1, 19), (2038, 1, 20), (2100, 2, 28), (2100, 3, 1), (2400, 2, 29), (9999, 12, 31)];
        for (y, m, d) in dates {
            for secs in [1, 3599, 86_399] {
                let t = days_from_civil(y, m, d) * 86_400 + secs;
                let text = make_expires_str(t).unwrap();
                assert_eq!(parse_expires(text.as_bytes()), Some(t), "{text}");
                let (cy, cm, cd) = civil_from_days(t.div_euclid(86_400));
                assert_eq!((cy, cm, i64::from(cd)), (y, m, d));
            }
        }
        for t in (0..4_000_000_000i64).step_by(7_777_777) {
            let text = make_expires_str(t.max(1)).unwrap();
            assert_eq!(parse_expires(text.as_bytes()), Some(t.max(1)), "{text}");
        }
    }

    #[test]
    fn expires_parse_variants() {
        let base = 1_445_412_480; // Wed, 21-Oct-2015 07:28:00 GMT
        assert_eq!(parse_expires(b"Wed, 21 Oct 2015 07:28:00 GMT"), Some(base));
        assert_eq!(parse_expires(b"Wednesday, 21-October-15 07:28:00 GMT"), Some(base));
        assert_eq!(parse_expires(b"x,21/oct/2015 7:28:0 UTC"), Some(base));
        assert_eq!(parse_expires(b"Wed, 21-Oct-2015 07:28:00 +0800"), Some(base - 8 * 3600));
        assert_eq!(parse_expires(b"Wed, 21-Oct-2015 07:28:00 GMT-0130"), Some(base + 5400));
        assert_eq!(parse_expires(b"Wed, 21-Oct-2015 07:28:00 +08:00"), Some(base - 8 * 3600));
        // two-digit years: below 70 are 20xx, 70..=100 are 1970..2000
        assert_eq!(parse_expires(b"Thu, 01-Jan-70 00:00:05 GMT"), Some(5));
        assert_eq!(parse_expires(b"Sat, 01-Jan-100 00:00:00 GMT"), Some(946_684_800));
        // out-of-range fields carry over, as timegm's
        assert_eq!(parse_expires(b"Wed, 32-Oct-2015 07:28:00 GMT"), parse_expires(b"Sun, 01-Nov-2015 07:28:00 GMT"));
        assert_eq!(parse_expires(b"Wed, 21-Oct-2015 07:28:60 GMT"), Some(base + 60));
        // refused
        for bad in [&b""[..], b"Wed, 21-Oct-2015 07:28:00", b"Wed, 21-Oct-2015 07:28 GMT", b", 21-Oct-2015 07:28:00 GMT", b"Wed 21-Oct-2015", b"Wed, 21-Xyz-2015 07:28:00 GMT", b"Wed, 21-Oc-2015 07:28:00 GMT", b"Wed, 21-Oct-1969 07:28:00 GMT", b"Thu, 01-Jan-1970 00:00:00 +0100", b"Wed, 21-Septembers-2015 07:28:00 GMT", b"Wed, 21-Oct-2015 07 :28:00 GMT", b"Wednesday, 21-October-2015 07:28:00 GMT+0000000000000"] {
            assert_eq!(parse_expires(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn max_age_conversions() {
        assert_eq!(max_age_to_expires(10, NOW), NOW + 10);
        assert_eq!(max_age_to_expires(0, NOW), 0);
        assert_eq!(max_age_to_expires(-7, NOW), -1);
        assert_eq!(expires_to_max_age(-1, NOW), -1);
        assert_eq!(expires_to_max_age(0, NOW), 0);
        assert_eq!(expires_to_max_age(NOW - 5, NOW), 0);
        assert_eq!(expires_to_max_age(NOW + 5, NOW), 5);
        assert_eq!(expires_to_max_age(i64::MAX, NOW), i32::MAX);
        assert!((now_utc() - 1_700_000_000) > 0);
    }

    #[test]
    fn set_cookie_attributes() {
        let c = Cookie::parse_set_cookie("sid = abc 1 ; Domain=.Example.COM; Path=/app/x; Max-Age=60; HttpOnly; Secure; SameSite=lax; Unknown=1", "www.example.com", "/", NOW).unwrap();
        assert_eq!((c.name.as_str(), c.value.as_str(), c.domain.as_str(), c.path.as_str()), ("sid", "abc 1", "example.com", "/app/"));
        assert_eq!((c.expires, c.http_only, c.secure, c.same_site), (NOW + 60, true, true, SameSite::Lax));
        // defaults from the request, a session cookie
        let c = Cookie::parse_set_cookie("a=1", "Host.Example.com", "/dir/page.html", NOW).unwrap();
        assert_eq!((c.domain.as_str(), c.path.as_str(), c.expires), ("host.example.com", "/dir/", -1));
        assert_eq!(c.same_site, SameSite::None);
        // a bare name; SameSite without a value is Strict, an unknown value leaves it
        let c = Cookie::parse_set_cookie("flag; SameSite", "h", "/", NOW).unwrap();
        assert_eq!((c.name.as_str(), c.value.as_str(), c.same_site), ("flag", "", SameSite::Strict));
        assert_eq!(Cookie::parse_set_cookie("a=1; samesite=None", "h", "/", NOW).unwrap().same_site, SameSite::None);
        // a blank attribute is skipped, not the end
        assert!(Cookie::parse_set_cookie("a=1; ; secure", "h", "/", NOW).unwrap().secure);
    }

    #[test]
    fn set_cookie_lifetime_precedence() {
        let exp = "expires=Wed, 21-Oct-2015 07:28:00 GMT";
        // Max-Age after Expires wins
        assert_eq!(Cookie::parse_set_cookie(&format!("a=1; {exp}; max-age=5"), "h", "/", NOW).unwrap().expires, NOW + 5);
        // Expires after Max-Age is ignored (even unparseable), except after Max-Age=-1
        assert_eq!(Cookie::parse_set_cookie("a=1; max-age=5; expires=junk", "h", "/", NOW).unwrap().expires, NOW + 5);
        let future = make_expires_str(NOW + 1000).unwrap();
        assert_eq!(Cookie::parse_set_cookie(&format!("a=1; max-age=-1; expires={future}"), "h", "/", NOW).unwrap().expires, NOW + 1000);
        // a past Expires is expired (0), the first Expires counts
        let c = Cookie::parse_set_cookie(&format!("a=1; {exp}; expires={future}"), "h", "/", NOW).unwrap();
        assert_eq!(c.expires, 0);
        assert!(c.is_expired(NOW));
        // Max-Age=0 expires, a bad number reads as C's atoi
        assert_eq!(Cookie::parse_set_cookie("a=1; max-age=0", "h", "/", NOW).unwrap().expires, 0);
        assert_eq!(Cookie::parse_set_cookie("a=1; max-age=12abc", "h", "/", NOW).unwrap().expires, NOW + 12);
        assert_eq!(Cookie::parse_set_cookie("a=1; max-age=", "h", "/", NOW).unwrap().expires, -1);
    }

    #[test]
    fn set_cookie_refused() {
        for bad in ["", " ; ", "=v", " =v; path=/", "a=1; expires=someday", "a=1; domain=...", "a=1; path=nodir", "a=1\r\nX-Evil: 1", "a=\u{7f}", "a=1; path=/a b/"] {
            assert!(Cookie::parse_set_cookie(bad, "h", "/", NOW).is_err(), "{bad:?}");
        }
        assert!(Cookie::parse_set_cookie("a=1", "", "/", NOW).is_err());
        assert!(Cookie::parse_set_cookie("a=1", "h", "", NOW).is_err());
        let long = format!("a={}", "v".repeat(MAX_COOKIE_BYTES));
        assert!(Cookie::parse_set_cookie(&long, "h", "/", NOW).is_err());
        let long_domain = format!("a=1; domain={}", "d".repeat(MAX_DOMAIN_LEN + 1));
        assert!(Cookie::parse_set_cookie(&long_domain, "h", "/", NOW).is_err());
    }

    #[test]
    fn domain_and_path_matching() {
        let c = Cookie::new("a", "1", "Example.com", "/app/", -1, false, false, SameSite::None, NOW).unwrap();
        assert!(c.matches("example.com", "/app/", true, false));
        assert!(c.matches("WWW.EXAMPLE.COM", "/app/x/y", true, false));
        assert!(!c.matches("badexample.com", "/app/", true, false));
        assert!(!c.matches("com", "/app/", true, false));
        assert!(!c.matches("example.com", "/ap", true, false));
        assert!(!c.matches("example.com", "/other/", true, false));
        let h = Cookie { http_only: true, secure: true, ..c.clone() };
        assert!(!h.matches("example.com", "/app/", false, true));
        assert!(!h.matches("example.com", "/app/", true, false));
        assert!(h.matches("example.com", "/app/", true, true));
        assert!(c.is_same_domain("a.b.example.com"));
        assert!(c.is_same_domain("COM"));
        assert!(!c.is_same_domain("xample.com"));
        assert!(!c.is_same_domain("other.org"));
        assert_eq!(adjust_path("a/b", None).as_deref(), Some("/a/"));
        assert_eq!(adjust_path("/", None).as_deref(), Some("/"));
        assert_eq!(adjust_path("/x", None).as_deref(), Some("/"));
        assert_eq!(adjust_path("abc", None), None);
        assert_eq!(adjust_domain("..A.b", None).as_deref(), Some("a.b"));
        assert_eq!(adjust_domain("", Some(".H")).as_deref(), Some("h"));
    }

    #[test]
    fn to_set_cookie_string_as_upstream() {
        let s = format_set_cookie("n", "v", Some(".A.com"), Some("/p/q"), 0, true, true, SameSite::Strict, NOW).unwrap();
        assert_eq!(s, "n=v; domain=a.com; path=/p/; expires=Thu, 01-Jan-1970 00:00:01 GMT; HttpOnly; secure; SameSite=Strict");
        assert_eq!(format_set_cookie("n", "", None, None, -1, false, false, SameSite::None, NOW).unwrap(), "n=");
        assert_eq!(format_set_cookie("n", "v", Some("..."), Some("nodir"), -1, false, false, SameSite::Lax, NOW).unwrap(), "n=v; SameSite=Lax");
        let s = format_set_cookie("n", "v", None, Some("/"), 60, false, false, SameSite::None, NOW).unwrap();
        assert_eq!(s, format!("n=v; path=/; expires={}", make_expires_str(NOW + 60).unwrap()));
        assert!(format_set_cookie("", "v", None, None, -1, false, false, SameSite::None, NOW).is_err());
        assert!(format_set_cookie("n", "a;b", None, None, -1, false, false, SameSite::None, NOW).is_err());
        let c = Cookie::parse_set_cookie(&s, "h", "/", NOW).unwrap();
        assert_eq!(c.to_set_cookie_string(), format!("n=v; domain=h; path=/; expires={}", make_expires_str(NOW + 60).unwrap()));
    }

    #[test]
    fn request_cookie_header_parsing() {
        let pairs = parse_cookie_header(b" a=1; b = 2 ;=x; noval; c=; a=3;; d=e=f");
        let want: Vec<(String, String)> = [("a", "3"), ("b", "2"), ("c", ""), ("d", "e=f")].iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        assert_eq!(pairs, want);
        assert!(parse_cookie_header(b"").is_empty());
        assert_eq!(parse_cookie_header(b"k=\xff").first().map(|p| p.1.as_str()), Some("\u{fffd}"));
    }

    #[test]
    fn store_set_update_delete() {
        let m = CookieMgr::new(true);
        let mk = |name: &str, value: &str, age: i32| Cookie::new(name, value, "example.com", "/", age, false, false, SameSite::None, NOW).unwrap();
        m.set_at(mk("a", "1", 100), true, NOW).unwrap();
        // a session cookie only updates the value of a live one...
        m.set_at(mk("a", "2", -1), true, NOW).unwrap();
        let a = m.read().get("example.com", "/", "a").cloned().unwrap();
        assert_eq!((a.value.as_str(), a.expires), ("2", NOW + 100));
        // ...unless told to replace it
        m.set_at(mk("a", "3", -1), false, NOW).unwrap();
        assert_eq!(m.read().get("example.com", "/", "a").unwrap().expires, -1);
        // an expired cookie deletes its namesake; NotFound when there is none
        m.set_at(mk("a", "x", 0), true, NOW).unwrap();
        assert!(m.read().get("example.com", "/", "a").is_none());
        assert!(matches!(m.set_at(mk("a", "x", 0), true, NOW), Err(CookieError::NotFound)));
        m.set_at(mk("b", "1", -1), true, NOW).unwrap();
        assert!(m.delete("EXAMPLE.com", "/", "b").is_ok());
        assert!(matches!(m.delete("example.com", "/", "b"), Err(CookieError::NotFound)));
        assert!(matches!(m.delete("example.com", "/", ""), Err(CookieError::Invalid)));
        assert!(matches!(m.delete("...", "/", "b"), Err(CookieError::Invalid)));
        assert!(m.is_empty());
        assert!(Cookie::new("a", "1", "", "/", -1, false, false, SameSite::None, NOW).is_err());
        assert!(Cookie::new("a", "1", "h", "x", -1, false, false, SameSite::None, NOW).is_err());
        assert!(Cookie::new("a=b", "1", "h", "/", -1, false, false, SameSite::None, NOW).is_err());
        assert!(Cookie::new("a", "1\t", "h", "/", -1, false, false, SameSite::None, NOW).is_err());
    }

    #[test]
    fn store_clear_and_expire_by_scope() {
        let m = CookieMgr::new(true);
        for (d, p, n, age) in [("a.com", "/", "x", 10), ("a.com", "/p/", "y", -1), ("b.com", "/", "z", 10), ("b.com", "/p/", "w", 10)] {
            m.set_at(Cookie::new(n, "v", d, p, age, false, false, SameSite::None, NOW).unwrap(), true, NOW).unwrap();
        }
        assert_eq!(m.len(), 4);
        // 20 s later: x, z, w have expired; only b.com's /p/ is swept
        m.remove_expired_at(Some("b.com"), Some("/p/"), NOW + 20).unwrap();
        assert_eq!(m.len(), 3);
        m.remove_expired_at(None, Some("/"), NOW + 20).unwrap();
        assert_eq!(m.len(), 1);
        assert!(m.get("a.com", "/p/", "y").is_some());
        assert!(m.remove_expired(Some("..."), None).is_err());
        m.set_at(Cookie::new("x", "v", "a.com", "/", -1, false, false, SameSite::None, NOW).unwrap(), true, NOW).unwrap();
        m.clear(None, Some("/p/x")).unwrap(); // path adjusted to /p/
        assert_eq!(m.len(), 1);
        m.clear(Some(".A.COM"), None).unwrap();
        assert!(m.is_empty());
        assert!(m.clear(None, Some("nodir")).is_err());
        m.set_at(Cookie::new("x", "v", "a.com", "/", -1, false, false, SameSite::None, NOW).unwrap(), true, NOW).unwrap();
        m.clear(None, None).unwrap();
        assert!(m.is_empty());
    }

    #[test]
    fn store_is_bounded() {
        let m = CookieMgr::new(true);
        for i in 0..MAX_COOKIES {
            let age = if i % 2 == 0 { 10 } else { -1 };
            m.set_at(Cookie::new(&format!("n{i}"), "v", "h", "/", age, false, false, SameSite::None, NOW).unwrap(), true, NOW).unwrap();
        }
        let extra = || Cookie::new("extra", "v", "h", "/", -1, false, false, SameSite::None, NOW).unwrap();
        assert!(matches!(m.set_at(extra(), true, NOW), Err(CookieError::Full)));
        // once half of them have expired, they make room
        m.set_at(extra(), true, NOW + 20).unwrap();
        assert_eq!(m.len(), MAX_COOKIES / 2 + 1);
        // files: a full file loads alone, not on top of other cookies; a fuller one not at all
        let file = temp_file("bounded");
        let lines: String = (0..MAX_COOKIES).map(|i| format!("\tf{i};v;{};0;0;0\n", NOW + 100)).collect();
        std::fs::write(&file, format!("h.com /\n{lines}")).unwrap();
        assert!(matches!(m.load_from_file_at(&file, true, NOW), Err(CookieError::Full)));
        assert_eq!(m.len(), MAX_COOKIES / 2 + 1);
        m.load_from_file_at(&file, false, NOW).unwrap();
        assert_eq!(m.len(), MAX_COOKIES);
        std::fs::write(&file, format!("h.com /\n{lines}\textra;v;{};0;0;0\n", NOW + 100)).unwrap();
        assert!(matches!(m.load_from_file_at(&file, false, NOW), Err(CookieError::Full)));
        std::fs::remove_file(&file).unwrap();
    }

    #[test]
    fn request_lookup_domains_and_paths() {
        let m = CookieMgr::new(true);
        let add = |n: &str, v: &str, d: &str, p: &str, secure: bool, http_only: bool| {
            m.set_at(Cookie::new(n, v, d, p, -1, http_only, secure, SameSite::None, NOW).unwrap(), true, NOW).unwrap();
        };
        add("top", "1", "example.com", "/", false, false);
        add("deep", "2", "www.example.com", "/a/b/", false, false);
        add("dup", "specific", "www.example.com", "/a/", false, false);
        add("dup", "general", "example.com", "/", false, false);
        add("sec", "3", "example.com", "/", true, true);
        add("other", "4", "other.com", "/", false, false);
        add("ip", "5", "10.0.0.1", "/", false, false);
        add("ipsuffix", "6", "0.1", "/", false, false);
        let names = |host: &str, path: &str, secure: bool| m.cookies_for_at(host, path, secure, NOW).into_iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>();
        assert_eq!(names("WWW.example.com", "/a/b/c.html?x=/y/", false), ["deep=2", "dup=specific", "top=1"]);
        assert_eq!(names("www.example.com", "/a/", true), ["dup=specific", "sec=3", "top=1"]);
        assert_eq!(names("example.com", "/", false), ["dup=general", "top=1"]);
        assert_eq!(names("10.0.0.1", "/", false), ["ip=5"]);
        assert!(names("example.org", "/", false).is_empty());
        assert!(names("", "/", false).is_empty());
        assert_eq!(m.request_cookie_header("example.com", "/x", false).as_deref(), Some("dup=general; top=1"));
        assert_eq!(m.request_cookie_header("nowhere", "/", false), None);
        // expired cookies are not sent
        m.set_at(Cookie::new("soon", "x", "example.com", "/", 5, false, false, SameSite::None, NOW).unwrap(), true, NOW).unwrap();
        assert!(m.cookies_for_at("example.com", "/", false, NOW).iter().any(|(n, _)| n == "soon"));
        assert!(!m.cookies_for_at("example.com", "/", false, NOW + 5).iter().any(|(n, _)| n == "soon"));
    }

    #[test]
    fn responses_set_cookies() {
        let m = CookieMgr::new(true);
        let r = m.store_set_cookie_at("a=1; Max-Age=100", "www.example.com", "/d/page?q=/x/", false, NOW).unwrap();
        assert_eq!(r, ResponseCookie::Add { name: "a".into(), value: "1".into() });
        assert_eq!(m.get("www.example.com", "/d/", "a").unwrap().expires, NOW + 100);
        // another domain: stored while third-party cookies are on, not matched
        assert_eq!(m.store_set_cookie_at("t=1; domain=tracker.net", "www.example.com", "/", false, NOW).unwrap(), ResponseCookie::Other);
        assert!(m.get("tracker.net", "/", "t").is_some());
        m.set_third_party_enabled(false);
        assert!(!m.third_party_enabled());
        m.store_set_cookie_at("t2=1; domain=tracker.net", "www.example.com", "/", false, NOW).unwrap();
        assert!(m.get("tracker.net", "/", "t2").is_none());
        // a parent domain is not third party
        m.store_set_cookie_at("p=1; domain=example.com", "www.example.com", "/", false, NOW).unwrap();
        assert!(m.get("example.com", "/", "p").is_some());
        // a Secure cookie on a plain request is stored but not listed
        assert_eq!(m.store_set_cookie_at("s=1; secure", "www.example.com", "/", false, NOW).unwrap(), ResponseCookie::Other);
        assert_eq!(m.store_set_cookie_at("s=1; secure", "www.example.com", "/", true, NOW).unwrap(), ResponseCookie::Add { name: "s".into(), value: "1".into() });
        // an expired one deletes
        assert_eq!(m.store_set_cookie_at("a=; Max-Age=0", "www.example.com", "/d/", false, NOW).unwrap(), ResponseCookie::Remove { name: "a".into() });
        assert!(m.get("www.example.com", "/d/", "a").is_none());
        assert!(m.store_set_cookie_at("=v; path=/", "www.example.com", "/", false, NOW).is_err());
    }

    #[test]
    fn file_round_trip_and_format() {
        let m = CookieMgr::new(true);
        let add = |n: &str, v: &str, d: &str, p: &str, age: i32, h: bool, s: bool, ss: SameSite| {
            m.set_at(Cookie::new(n, v, d, p, age, h, s, ss, NOW).unwrap(), true, NOW).unwrap();
        };
        add("a", "1", "example.com", "/", 100, true, false, SameSite::Lax);
        add("empty", "", "example.com", "/", 100, false, true, SameSite::Strict);
        add("session", "x", "example.com", "/", -1, false, false, SameSite::None);
        add("b", "2 3", "www.example.com", "/p/", 200, false, false, SameSite::None);
        add("gone", "x", "only.session", "/", -1, false, false, SameSite::None);
        let file = temp_file("roundtrip");
        m.save_to_file_at(&file, false, NOW).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(
            text,
            format!("example.com /\n\ta;1;{};1;0;2\n\tempty; ;{};0;1;1\nwww.example.com /p/\n\tb;2 3;{};0;0;0\n", NOW + 100, NOW + 100, NOW + 200)
        );
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        let back = CookieMgr::new(true);
        back.load_from_file_at(&file, false, NOW).unwrap();
        assert_eq!(back.len(), 3);
        for (d, p, n) in [("example.com", "/", "a"), ("example.com", "/", "empty"), ("www.example.com", "/p/", "b")] {
            assert_eq!(back.get(d, p, n), m.get(d, p, n));
        }
        // later than the first expiry, those cookies are skipped
        let later = CookieMgr::new(true);
        later.load_from_file_at(&file, false, NOW + 150).unwrap();
        assert_eq!(later.len(), 1);
        std::fs::remove_file(&file).unwrap();
    }

    #[test]
    fn file_keep_existing_semantics() {
        let file = temp_file("keep");
        std::fs::write(&file, format!("example.com /\n\tx;file;{0};0;0;0\n\ty;file;{0};0;0;0\n\ty;dup;{0};0;0;0\n", NOW + 100)).unwrap();
        let m = CookieMgr::new(true);
        m.set_at(Cookie::new("x", "memory", "example.com", "/", -1, false, false, SameSite::None, NOW).unwrap(), true, NOW).unwrap();
        m.set_at(Cookie::new("z", "memory", "other.com", "/", 50, false, false, SameSite::None, NOW).unwrap(), true, NOW).unwrap();
        // keep: the store's x wins, y comes from the file (its first line)
        m.load_from_file_at(&file, true, NOW).unwrap();
        assert_eq!(m.get("example.com", "/", "x").unwrap().value, "memory");
        assert_eq!(m.get("example.com", "/", "y").unwrap().value, "file");
        assert_eq!(m.len(), 3);
        // no keep: the store is the file
        m.load_from_file_at(&file, false, NOW).unwrap();
        assert_eq!(m.get("example.com", "/", "x").unwrap().value, "file");
        assert!(m.get("other.com", "/", "z").is_none());
        // saving with keep merges the file in first
        let m2 = CookieMgr::new(true);
        m2.set_at(Cookie::new("x", "m2", "example.com", "/", 300, false, false, SameSite::None, NOW).unwrap(), true, NOW).unwrap();
        m2.save_to_file_at(&file, true, NOW).unwrap();
        let check = CookieMgr::new(true);
        check.load_from_file_at(&file, false, NOW).unwrap();
        assert_eq!(check.get("example.com", "/", "x").unwrap().value, "m2");
        assert_eq!(check.get("example.com", "/", "y").unwrap().value, "file");
        // a missing file is fine for a keeping save, not for a load
        let missing = temp_file("missing");
        assert!(matches!(m2.load_from_file_at(&missing, true, NOW), Err(CookieError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound));
        m2.save_to_file_at(&missing, true, NOW).unwrap();
        std::fs::remove_file(&missing).unwrap();
        std::fs::remove_file(&file).unwrap();
    }

    #[test]
    fn file_quirks_and_bad_files() {
        let file = temp_file("quirks");
        // CRLF, blank lines, a domain line with a leading dot and upper case, a path without its
        // last slash, extra fields, flags as any number, values trimmed, an expired cookie
        let text = format!("\r\n.Example.COM /dir/page  extra\r\n\n\t a ; b ;{0}junk;7;-1;1;more\r\n\told;v;{1};0;0;0\n", NOW + 10, NOW - 1);
        std::fs::write(&file, &text).unwrap();
        let m = CookieMgr::new(true);
        m.load_from_file_at(&file, false, NOW).unwrap();
        assert_eq!(m.len(), 1);
        let c = m.get("example.com", "/dir/", "a").unwrap();
        assert_eq!((c.value.as_str(), c.expires, c.http_only, c.secure, c.same_site), ("b", NOW + 10, true, true, SameSite::Strict));
        let bad_files = [
            format!("\tx;v;{};0;0;0\n", NOW + 10),             // cookie before any domain line
            "example.com\n".to_string(),                        // no path
            format!("example.com /\n\tx;;{};0;0;0\n", NOW + 10), // empty value: a field short
            "example.com /\n\tx;v;0;0;0;0\n".to_string(),        // expires 0
            format!("example.com /\n\tx;v;{};0;0;3\n", NOW + 10), // SameSite out of range
            "... /\n".to_string(),                              // no domain left
            "example.com nodir\n".to_string(),
            format!("example.com /\n\tx;{};{};0;0;0\n", "v".repeat(MAX_FILE_LINE), NOW + 10),
        ];
        m.set_at(Cookie::new("keep", "me", "k.com", "/", -1, false, false, SameSite::None, NOW).unwrap(), true, NOW).unwrap();
        let before = m.len();
        for bad in &bad_files {
            std::fs::write(&file, bad).unwrap();
            assert!(matches!(m.load_from_file_at(&file, false, NOW), Err(CookieError::BadFormat)), "{bad:?}");
            assert_eq!(m.len(), before, "a failed load changes nothing");
        }
        std::fs::write(&file, b"example.com /\n\tx;\xff;9999999999;0;0;0\n").unwrap();
        assert!(matches!(m.load_from_file_at(&file, false, NOW), Err(CookieError::BadFormat)));
        std::fs::remove_file(&file).unwrap();
    }

    #[test]
    fn global_is_one_instance() {
        assert!(std::ptr::eq(global(), global()));
    }

    #[test]
    fn c_number_parsing() {
        assert_eq!(c_atoll(b"  -12x"), -12);
        assert_eq!(c_atoll(b"+7"), 7);
        assert_eq!(c_atoll(b"x1"), 0);
        assert_eq!(c_atoll(b"99999999999999999999999"), i64::MAX);
        assert_eq!(c_atoi(b"-99999999999"), i32::MIN);
        let mut s = Scanner { rest: b"+5x" };
        assert_eq!(s.int(2), Some(5));
        let mut s = Scanner { rest: b"123" };
        assert_eq!(s.int(2), Some(12));
        assert_eq!(s.int(2), Some(3));
        let mut s = Scanner { rest: b"-" };
        assert_eq!(s.int(2), None);
    }
}
