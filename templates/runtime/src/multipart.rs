//! `multipart/form-data` bodies (RFC 7578): one part per field of an object; fields the API
//! describes as binary arrive base64-encoded and are sent as file parts.

use base64::Engine as _;
use serde_json::Value;

use super::encode::scalar_text;
use super::errors::ArgError;

/// An encoded multipart body and the boundary that separates its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Multipart {
    pub boundary: String,
    pub bytes: Vec<u8>,
}

/// One part before encoding.
struct Part {
    name: String,
    filename: Option<String>,
    content_type: Option<&'static str>,
    data: Vec<u8>,
}

/// Encodes `fields` (an object); `binary` names the fields that hold base64 file contents.
pub fn encode(arg: &str, fields: &Value, binary: &[&str]) -> Result<Option<Multipart>, ArgError> {
    let map = match fields {
        Value::Null => return Ok(None),
        Value::Object(map) => map,
        _ => return Err(ArgError::new(arg, "must be an object of form fields")),
    };
    let mut parts = Vec::new();
    for (name, value) in map {
        let values: Vec<&Value> = match value {
            Value::Null => continue,
            Value::Array(items)
                if binary.contains(&name.as_str()) || items.iter().all(|v| !v.is_object()) =>
            {
                items.iter().collect()
            }
            other => vec![other],
        };
        for value in values {
            parts.push(part(arg, name, value, binary.contains(&name.as_str()))?);
        }
    }
    let boundary = boundary(&parts);
    let mut bytes = Vec::new();
    for part in &parts {
        bytes.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!(
            "Content-Disposition: form-data; name=\"{}\"",
            quote(&part.name)
        );
        if let Some(filename) = &part.filename {
            disposition.push_str(&format!("; filename=\"{}\"", quote(filename)));
        }
        bytes.extend_from_slice(disposition.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        if let Some(content_type) = part.content_type {
            bytes.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        bytes.extend_from_slice(b"\r\n");
        bytes.extend_from_slice(&part.data);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok(Some(Multipart { boundary, bytes }))
}

fn part(arg: &str, name: &str, value: &Value, binary: bool) -> Result<Part, ArgError> {
    if binary {
        let (data, filename) = file_content(&format!("{arg}/{name}"), value)?;
        return Ok(Part {
            name: name.to_owned(),
            filename: Some(filename.unwrap_or_else(|| name.to_owned())),
            content_type: Some("application/octet-stream"),
            data,
        });
    }
    let (content_type, data) = match value {
        Value::Object(_) | Value::Array(_) => {
            (Some("application/json"), value.to_string().into_bytes())
        }
        scalar => (None, scalar_text(scalar).into_bytes()),
    };
    Ok(Part {
        name: name.to_owned(),
        filename: None,
        content_type,
        data,
    })
}

/// The bytes of a file argument: base64 text, or `{"path": …}` naming a file in a directory the
/// operator allows (with its file name).
pub fn file_content(field: &str, value: &Value) -> Result<(Vec<u8>, Option<String>), ArgError> {
    match value {
        Value::String(text) => base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map(|data| (data, None))
            .map_err(|err| ArgError::new(field, format!("must be base64: {err}"))),
        Value::Object(map) => match map.get("path").and_then(Value::as_str) {
            Some(path) => super::files::read(path)
                .map(|(data, name)| (data, Some(name)))
                .map_err(|err| ArgError::new(field, err.to_string())),
            None => Err(ArgError::new(field, "must be base64 text or {\"path\": …}")),
        },
        _ => Err(ArgError::new(field, "must be base64 text or {\"path\": …}")),
    }
}

/// Quotes a name for a `Content-Disposition` parameter the way browsers do: `"`, CR and LF are
/// percent-encoded, so no value can end the header or start a new one.
fn quote(text: &str) -> String {
    text.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A boundary that occurs in no part (RFC 2046), derived from the content so bodies are
/// reproducible.
fn boundary(parts: &[Part]) -> String {
    let mut seed: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.name.bytes().chain(part.data.iter().copied()) {
            seed = (seed ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    loop {
        let candidate = format!("mcpwright-{seed:016x}");
        if !parts
            .iter()
            .any(|p| contains(&p.data, candidate.as_bytes()))
        {
            return candidate;
        }
        seed = seed.wrapping_mul(0x0100_0000_01b3).wrapping_add(1);
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_and_files() {
        let body = encode("body", &json!({"title": "a \"b\"", "tags": ["x", "y"], "meta": {"k": 1}, "file": "aGk=", "none": null}), &["file"])
            .unwrap()
            .unwrap();
        let text = String::from_utf8(body.bytes).unwrap();
        let b = &body.boundary;
        assert_eq!(
            text,
            format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\na \"b\"\r\n\
                 --{b}\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\nx\r\n\
                 --{b}\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\ny\r\n\
                 --{b}\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{{\"k\":1}}\r\n\
                 --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\nContent-Type: application/octet-stream\r\n\r\nhi\r\n\
                 --{b}--\r\n"
            )
        );
    }

    #[test]
    fn names_cannot_break_headers_and_files_must_be_base64() {
        let body = encode("body", &json!({"a\r\nX: 1\"": "v"}), &[])
            .unwrap()
            .unwrap();
        let text = String::from_utf8(body.bytes).unwrap();
        assert!(text.contains("name=\"a%0D%0AX: 1%22\""), "{text}");
        assert_eq!(
            encode("body", &json!({"file": "%%"}), &["file"])
                .unwrap_err()
                .field,
            "body/file"
        );
        assert_eq!(encode("body", &json!(3), &[]).unwrap_err().field, "body");
    }

    #[test]
    fn the_boundary_avoids_the_content() {
        let first = encode("body", &json!({"a": "x"}), &[]).unwrap().unwrap();
        let tricky = encode(
            "body",
            &json!({"a": "x", "b": format!("--{}", first.boundary)}),
            &[],
        )
        .unwrap()
        .unwrap();
        let text = String::from_utf8(tricky.bytes.clone()).unwrap();
        assert_eq!(
            text.matches(&format!("--{}\r\n", tricky.boundary)).count(),
            2
        );
    }
}
