//! Reading what an upstream response is made of: the parts of a `multipart/*` body (RFC 2046) and
//! the file name a `Content-Disposition` header gives (RFC 6266). Lenient where servers are
//! sloppy (bare LF line ends, quoted or unquoted parameters); a body that does not parse is
//! `None`, and the caller treats it as one opaque body instead.

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    pub content_type: Option<String>,
    pub content_disposition: Option<String>,
    pub body: &'a [u8],
}

/// The most parts a response is split into; the rest of a longer body is not shown.
pub const MAX_PARTS: usize = 64;

/// The parts of `body`, a `multipart/*` body with `content_type`'s boundary; `None` when the
/// media type is not multipart or the body does not follow its boundary.
pub fn split<'a>(content_type: &str, body: &'a [u8]) -> Option<Vec<Part<'a>>> {
    let media = content_type.split(';').next()?.trim().to_ascii_lowercase();
    if !media.starts_with("multipart/") {
        return None;
    }
    let boundary = parameter(content_type, "boundary")?;
    if boundary.is_empty() || boundary.len() > 200 {
        return None;
    }
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    // The first delimiter may start the body; every later one starts a line.
    let mut at = if body.starts_with(delimiter) {
        0
    } else {
        find(body, &[b"\n", delimiter].concat(), 0)? + 1
    };
    let mut parts = Vec::new();
    loop {
        let after = at + delimiter.len();
        if body[after..].starts_with(b"--") {
            return Some(parts);
        }
        // The rest of the delimiter line is transport padding.
        let start = find(body, b"\n", after)? + 1;
        let next = find(body, &[b"\n", delimiter].concat(), start)?;
        let end = if next > start && body[next - 1] == b'\r' {
            next - 1
        } else {
            next
        };
        parts.push(part(&body[start..end.max(start)]));
        if parts.len() == MAX_PARTS {
            return Some(parts);
        }
        at = next + 1;
    }
}

/// A part's headers and content: headers up to the first empty line.
fn part(raw: &[u8]) -> Part<'_> {
    let (head, body) = if raw.starts_with(b"\r\n") {
        (&raw[..0], &raw[2..])
    } else if raw.starts_with(b"\n") {
        (&raw[..0], &raw[1..])
    } else if let Some(i) = find(raw, b"\r\n\r\n", 0) {
        (&raw[..i], &raw[i + 4..])
    } else if let Some(i) = find(raw, b"\n\n", 0) {
        (&raw[..i], &raw[i + 2..])
    } else {
        // Headers only, no content.
        (raw, &raw[raw.len()..])
    };
    let mut content_type = None;
    let mut content_disposition = None;
    for line in String::from_utf8_lossy(head).lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = Some(value.trim().to_owned());
        match name.trim().to_ascii_lowercase().as_str() {
            "content-type" => content_type = value,
            "content-disposition" => content_disposition = value,
            _ => {}
        }
    }
    Part {
        content_type,
        content_disposition,
        body,
    }
}

/// The file name of a `Content-Disposition` value that makes its body a file: an `attachment`,
/// or any disposition naming a `filename`. `None` for inline content and form fields.
pub fn attachment_name(disposition: &str) -> Option<String> {
    let kind = disposition.split(';').next()?.trim().to_ascii_lowercase();
    let name = parameter(disposition, "filename*")
        .and_then(|value| extended_value(&value))
        .or_else(|| parameter(disposition, "filename"));
    match name {
        Some(name) if !name.is_empty() => Some(name),
        _ if kind == "attachment" => Some(String::new()),
        _ => None,
    }
}

/// Parameter `name` of a header value (`text/plain; charset="utf-8"` → `utf-8`), unquoted.
fn parameter(value: &str, name: &str) -> Option<String> {
    let mut rest = value.split_once(';')?.1;
    loop {
        let (key, after) = rest.split_once('=')?;
        let key = key.trim().to_ascii_lowercase();
        let after = after.trim_start();
        let (found, remainder) = if let Some(quoted) = after.strip_prefix('"') {
            // A quoted string: backslash escapes the next character.
            let mut out = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            out.push(escaped);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => out.push(c),
                }
            }
            let remainder = quoted[end..].split_once(';').map_or("", |(_, r)| r);
            (out, remainder)
        } else {
            match after.split_once(';') {
                Some((token, remainder)) => (token.trim().to_owned(), remainder),
                None => (after.trim().to_owned(), ""),
            }
        };
        if key == name {
            return Some(found);
        }
        if remainder.is_empty() {
            return None;
        }
        rest = remainder;
    }
}

/// An RFC 8187 extended value (`UTF-8''na%C3%AFve.txt`) decoded; `None` for other charsets.
fn extended_value(value: &str) -> Option<String> {
    let mut pieces = value.splitn(3, '\'');
    let charset = pieces.next()?;
    let _language = pieces.next()?;
    let encoded = pieces.next()?;
    if !charset.eq_ignore_ascii_case("utf-8") {
        return None;
    }
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(encoded).collect();
    String::from_utf8(bytes).ok()
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > haystack.len() || needle.is_empty() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|i| i + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_parts_with_their_headers() {
        let body = b"preamble\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n\
            --b1  \r\ncontent-type: image/png\r\nContent-Disposition: attachment; filename=\"a.png\"\r\n\r\n\x89PNG\r\n\
            --b1\r\n\r\nno headers\r\n--b1--\r\nepilogue";
        let parts = split("multipart/mixed; boundary=\"b1\"", body).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].content_type.as_deref(), Some("text/plain"));
        assert_eq!(parts[0].body, b"hello");
        assert_eq!(parts[1].content_type.as_deref(), Some("image/png"));
        assert_eq!(parts[1].body, b"\x89PNG");
        assert_eq!(
            attachment_name(parts[1].content_disposition.as_deref().unwrap()).as_deref(),
            Some("a.png")
        );
        assert_eq!(parts[2].content_type, None);
        assert_eq!(parts[2].body, b"no headers");
    }

    #[test]
    fn bare_line_feeds_and_empty_parts() {
        let body = b"--x\nContent-Type: text/csv\n\na,b\n--x\n\n\n--x--";
        let parts = split("multipart/related;boundary=x", body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].body, b"a,b");
        assert_eq!(parts[1].body, b"");
    }

    #[test]
    fn bodies_that_do_not_follow_the_boundary_are_none() {
        assert_eq!(split("multipart/mixed; boundary=x", b"no parts here"), None);
        // Cut off before the closing delimiter (a truncated body, say).
        assert_eq!(
            split("multipart/mixed; boundary=x", b"--x\r\n\r\nabc"),
            None
        );
        assert_eq!(split("multipart/mixed", b"--x\r\n\r\na\r\n--x--"), None);
        assert_eq!(
            split("text/plain; boundary=x", b"--x\r\n\r\na\r\n--x--"),
            None
        );
        assert_eq!(split("multipart/mixed; boundary=x", b"--x"), None);
        assert_eq!(split("multipart/mixed; boundary=x", b""), None);
    }

    #[test]
    fn attachment_names() {
        assert_eq!(
            attachment_name("attachment; filename=report.csv").as_deref(),
            Some("report.csv")
        );
        assert_eq!(
            attachment_name(r#"inline; filename="a \"b\".txt"; size=3"#).as_deref(),
            Some(r#"a "b".txt"#)
        );
        assert_eq!(
            attachment_name("attachment; filename=\"x.txt\"; filename*=UTF-8''na%C3%AFve.txt")
                .as_deref(),
            Some("naïve.txt")
        );
        assert_eq!(attachment_name("attachment").as_deref(), Some(""));
        assert_eq!(attachment_name("inline"), None);
        assert_eq!(attachment_name(r#"form-data; name="field""#), None);
    }
}
