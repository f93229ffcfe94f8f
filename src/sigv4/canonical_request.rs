//! Task 1 of SigV4: the canonical request.
//!
//! ```text
//! CanonicalRequest =
//!   HTTPRequestMethod + '\n' + CanonicalURI + '\n' + CanonicalQueryString + '\n' +
//!   CanonicalHeaders + '\n' + SignedHeaders + '\n' + HexEncode(Hash(RequestPayload))
//! ```

use super::{SigningError, UriEncoding};

/// Whether a (lower-case) header is left out of the signature: the never-signed ones, which a
/// proxy or the HTTP stack may add, drop or rewrite, and, when the request carries them, the
/// ones the signer sets itself (its own values are signed instead).
fn skipped(name: &str, from_request: bool) -> bool {
    match name {
        "authorization" | "user-agent" | "x-amzn-trace-id" | "transfer-encoding" | "connection" => {
            true
        }
        "x-amz-date" | "x-amz-security-token" | "x-amz-content-sha256" => from_request,
        _ => false,
    }
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Bytes SigV4 URI encoding keeps as they are: `A-Z a-z 0-9 - . _ ~`.
const UNRESERVED: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~');
        b += 1;
    }
    t
};

/// SigV4 URI encoding: every byte outside `A-Z a-z 0-9 - . _ ~` becomes `%XY` (upper-case hex);
/// `/` is kept when `keep_slash`.
pub(super) fn uri_encode_into(out: &mut String, input: &[u8], keep_slash: bool) {
    let keep = |b: u8| UNRESERVED[usize::from(b)] || (keep_slash && b == b'/');
    let mut rest = input;
    while !rest.is_empty() {
        // Copy the longest run of bytes that stay as they are in one go.
        let run = rest.iter().position(|&b| !keep(b)).unwrap_or(rest.len());
        let (plain, tail) = rest.split_at(run);
        // `plain` is ASCII, so it is valid UTF-8.
        out.push_str(std::str::from_utf8(plain).unwrap_or_default());
        let Some((&b, after)) = tail.split_first() else {
            break;
        };
        out.push('%');
        out.push(HEX_UPPER[usize::from(b >> 4)] as char);
        out.push(HEX_UPPER[usize::from(b & 0x0f)] as char);
        rest = after;
    }
}

/// Decodes `%XY` escapes (invalid escapes are kept literally); `+` becomes a space when
/// `plus_as_space`, as `application/x-www-form-urlencoded` query parsing does.
pub(crate) fn percent_decode(input: &str, plus_as_space: bool) -> Vec<u8> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = bytes.get(i + 1).and_then(|c| (*c as char).to_digit(16));
            let lo = bytes.get(i + 2).and_then(|c| (*c as char).to_digit(16));
            if let (Some(hi), Some(lo)) = (hi, lo) {
                // Both digits are < 16, so the value fits a byte.
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
                i += 3;
                continue;
            }
        }
        out.push(if plus_as_space && b == b'+' { b' ' } else { b });
        i += 1;
    }
    out
}

/// [`percent_decode`] of a path or query component (`+` kept), as text; bytes that are not
/// UTF-8 become U+FFFD. What the fake server and record mode match requests on.
pub(crate) fn percent_decode_text(input: &str) -> String {
    String::from_utf8_lossy(&percent_decode(input, false)).into_owned()
}

/// Removes `.` and `..` segments and empty segments, keeping a leading and a trailing `/`
/// (RFC 3986 section 5.2.4, plus the merging of repeated slashes that AWS applies).
fn normalize_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = String::with_capacity(path.len() + 1);
    out.push('/');
    out.push_str(&segments.join("/"));
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    if trailing && !segments.is_empty() {
        out.push('/');
    }
    out
}

/// Whether `normalize_path` would change `path` (most request paths are already normal).
/// Checked in one pass: a `/` followed by `/` or `.` may need work (a false positive such as
/// `/.well-known` only costs the normalisation, which leaves it unchanged).
fn needs_normalizing(path: &str) -> bool {
    !path.starts_with('/')
        || path
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b'/' && matches!(w[1], b'/' | b'.'))
}

/// The canonical URI of a wire path.
pub(super) fn canonical_uri(out: &mut String, path: &str, encoding: UriEncoding, normalize: bool) {
    let normalized;
    let path = if normalize && needs_normalizing(path) {
        normalized = normalize_path(path);
        normalized.as_str()
    } else if path.is_empty() {
        "/"
    } else {
        path
    };
    match encoding {
        UriEncoding::Double => uri_encode_into(out, path.as_bytes(), true),
        UriEncoding::Single => out.push_str(path),
    }
}

/// The canonical query string: each parameter decoded and re-encoded with the SigV4 rules,
/// sorted by encoded name, then encoded value; a parameter without `=` gets an empty value.
pub(super) fn canonical_query(out: &mut String, query: &str) {
    if query.is_empty() {
        return;
    }
    let mut params: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let mut ek = String::with_capacity(k.len());
            uri_encode_into(&mut ek, &percent_decode(k, true), false);
            let mut ev = String::with_capacity(v.len());
            uri_encode_into(&mut ev, &percent_decode(v, true), false);
            (ek, ev)
        })
        .collect();
    params.sort_unstable();
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
}

/// Trims a header value and collapses every run of whitespace (including folded lines) to one
/// space.
pub(super) fn push_header_value(out: &mut String, value: &str) {
    let b = value.as_bytes();
    let plain = b.first().is_none_or(|c| *c != b' ' && *c != b'\t')
        && b.last().is_none_or(|c| *c != b' ' && *c != b'\t')
        && !b.windows(2).any(|w| w[0] == b' ' && w[1] == b' ')
        && !b.iter().any(|c| matches!(c, b'\t' | b'\n' | b'\r'));
    if plain {
        out.push_str(value);
        return;
    }
    let mut first = true;
    for word in value.split([' ', '\t', '\n', '\r']) {
        if word.is_empty() {
            continue;
        }
        if !first {
            out.push(' ');
        }
        out.push_str(word);
        first = false;
    }
}

/// One header to sign: lower-case name and one of its values (a name that repeats has one
/// entry per value, adjacent and in request order after sorting).
pub(super) struct CanonicalHeader<'a> {
    pub(super) name: std::borrow::Cow<'a, str>,
    pub(super) value: &'a str,
    /// The value is printable ASCII without whitespace, so it is signed as it is.
    pub(super) plain: bool,
}

/// Whether every byte is printable ASCII other than space (`!`..=`~`). Written without an early
/// exit so the compiler can check many bytes per instruction: session tokens are long.
fn is_plain(value: &[u8]) -> bool {
    value
        .iter()
        .fold(0u8, |bad, &b| bad | u8::from(b.wrapping_sub(0x21) >= 0x5e))
        == 0
}

/// Lower-cases, filters and sorts the headers to sign. The sort is stable, so values of a
/// repeated name keep their request order.
pub(super) fn collect_headers<'a>(
    headers: &[(&'a str, &'a str)],
    extra: &[(&'static str, &'a str)],
) -> Result<Vec<CanonicalHeader<'a>>, SigningError> {
    use std::borrow::Cow;
    let mut out: Vec<CanonicalHeader<'a>> = Vec::with_capacity(headers.len() + extra.len());
    let all = headers.iter().copied().chain(extra.iter().copied());
    for (i, (name, value)) in all.enumerate() {
        let (bad, upper) = name
            .bytes()
            .fold((name.is_empty(), false), |(bad, upper), b| {
                (
                    bad | !b.is_ascii_graphic() | (b == b':'),
                    upper | b.is_ascii_uppercase(),
                )
            });
        if bad {
            return Err(SigningError::InvalidHeader(format!("name {name:?}")));
        }
        let lower: Cow<'a, str> = if upper {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name)
        };
        // Most values (dates, tokens, content types) are printable ASCII without spaces: they
        // need neither the control-character check nor whitespace collapsing.
        let plain = is_plain(value.as_bytes());
        let control = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
        if !plain
            && (value.bytes().any(|b| control(char::from(b)))
                || (!value.is_ascii() && value.chars().any(control)))
        {
            return Err(SigningError::InvalidHeader(format!("value of {lower}")));
        }
        let from_request = i < headers.len();
        if skipped(&lower, from_request) {
            continue;
        }
        out.push(CanonicalHeader {
            name: lower,
            value,
            plain,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Writes the canonical headers block (`name:value,value\n` per name), then a blank line and
/// the signed-headers list (`a;b;c`) right after it; returns where that list starts.
pub(super) fn write_headers(out: &mut String, headers: &[CanonicalHeader<'_>]) -> usize {
    let mut prev: Option<&str> = None;
    for h in headers {
        if prev == Some(&*h.name) {
            out.push(',');
        } else {
            if prev.is_some() {
                out.push('\n');
            }
            out.push_str(&h.name);
            out.push(':');
        }
        if h.plain {
            out.push_str(h.value);
        } else {
            push_header_value(out, h.value);
        }
        prev = Some(&h.name);
    }
    out.push_str(if prev.is_some() { "\n\n" } else { "\n" });
    let signed_at = out.len();
    let mut prev: Option<&str> = None;
    for h in headers {
        if prev != Some(&*h.name) {
            if prev.is_some() {
                out.push(';');
            }
            out.push_str(&h.name);
        }
        prev = Some(&h.name);
    }
    signed_at
}

/// Lower-case hex of a 32-byte digest into `buf`, returned as text.
pub(super) fn hex_array<'b>(bytes: &[u8], buf: &'b mut [u8; 64]) -> &'b str {
    // Both digits of every byte value: one lookup and one two-byte store per byte.
    const PAIRS: [[u8; 2]; 256] = {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut t = [[0u8; 2]; 256];
        let mut b = 0;
        while b < 256 {
            t[b] = [HEX[b >> 4], HEX[b & 0x0f]];
            b += 1;
        }
        t
    };
    for (pair, &b) in buf.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&PAIRS[usize::from(b)]);
    }
    // Only hex digits were written.
    std::str::from_utf8(buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_dot_segments_and_slashes() {
        assert_eq!(normalize_path("/example/.."), "/");
        assert_eq!(normalize_path("/example1/example2/../.."), "/");
        assert_eq!(normalize_path("/./"), "/");
        assert_eq!(normalize_path("//example//"), "/example/");
        assert_eq!(normalize_path("/a/./b/../c"), "/a/c");
        assert_eq!(normalize_path(""), "/");
    }

    #[test]
    fn double_encodes_label_escapes() {
        let mut s = String::new();
        canonical_uri(&mut s, "/model/a%3Ab%2Fc/invoke", UriEncoding::Double, true);
        assert_eq!(s, "/model/a%253Ab%252Fc/invoke");
    }

    #[test]
    fn query_sorted_and_reencoded() {
        let mut s = String::new();
        canonical_query(&mut s, "b=2&a=x y&a=1&c&d=%41");
        assert_eq!(s, "a=1&a=x%20y&b=2&c=&d=A");
    }

    #[test]
    fn header_values_collapse() {
        let mut s = String::new();
        push_header_value(&mut s, "  a   b\n   c ");
        assert_eq!(s, "a b c");
    }
}
