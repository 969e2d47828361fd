//! Turning argument values into the text of paths, queries, headers and cookies, as OpenAPI's
//! `style` and `explode` describe. Everything that reaches a URL is percent-encoded here, so no
//! argument can change the target host, path or query structure.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

/// Everything but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`): the strictest set, for
/// path segments, query names and values.
pub const STRICT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// For `allowReserved` query values: RFC 3986 reserved characters pass through, except those that
/// would end the value or the URL (`&`, `=`, `#`, `+`), which stay encoded so a value can never
/// add a parameter or cut the URL short.
pub const RESERVED_ALLOWED: &AsciiSet = &STRICT
    .remove(b':')
    .remove(b'/')
    .remove(b'?')
    .remove(b'[')
    .remove(b']')
    .remove(b'@')
    .remove(b'!')
    .remove(b'$')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b',')
    .remove(b';');

/// Characters outside RFC 6265 `cookie-octet`, plus `%` so encoded values stay unambiguous.
pub const COOKIE: &AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b',')
    .add(b';')
    .add(b'\\')
    .add(b'%');

/// Percent-encodes `text` with `set`.
pub fn encode(text: &str, set: &'static AsciiSet) -> String {
    utf8_percent_encode(text, set).to_string()
}

/// The text of a scalar: strings as they are, numbers and booleans as JSON writes them, `null` as
/// the empty string. Arrays and objects (which styles flatten before calling this) become JSON.
pub fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::Array(_) | Value::Object(_) => value.to_string(),
    }
}

/// OpenAPI path parameter styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathStyle {
    Simple,
    Label,
    Matrix,
}

/// OpenAPI query parameter styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStyle {
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
}

/// The already-encoded text that replaces `{name}` in a path template.
pub fn path_value(name: &str, value: &Value, style: PathStyle, explode: bool) -> String {
    let enc = |text: &str| encode(text, STRICT);
    match (style, value) {
        (PathStyle::Simple, Value::Array(items)) => {
            join(items.iter().map(|v| enc(&scalar_text(v))), ",")
        }
        (PathStyle::Simple, Value::Object(map)) => {
            let sep = if explode { "=" } else { "," };
            join(
                map.iter()
                    .map(|(k, v)| format!("{}{sep}{}", enc(k), enc(&scalar_text(v)))),
                ",",
            )
        }
        (PathStyle::Simple, scalar) => enc(&scalar_text(scalar)),
        (PathStyle::Label, Value::Array(items)) => {
            let sep = if explode { "." } else { "," };
            format!(".{}", join(items.iter().map(|v| enc(&scalar_text(v))), sep))
        }
        (PathStyle::Label, Value::Object(map)) => {
            let (kv, sep) = if explode { ("=", ".") } else { (",", ",") };
            format!(
                ".{}",
                join(
                    map.iter()
                        .map(|(k, v)| format!("{}{kv}{}", enc(k), enc(&scalar_text(v)))),
                    sep
                )
            )
        }
        (PathStyle::Label, scalar) => format!(".{}", enc(&scalar_text(scalar))),
        (PathStyle::Matrix, Value::Array(items)) if explode => join(
            items
                .iter()
                .map(|v| format!(";{}={}", enc(name), enc(&scalar_text(v)))),
            "",
        ),
        (PathStyle::Matrix, Value::Array(items)) => {
            format!(
                ";{}={}",
                enc(name),
                join(items.iter().map(|v| enc(&scalar_text(v))), ",")
            )
        }
        (PathStyle::Matrix, Value::Object(map)) if explode => join(
            map.iter()
                .map(|(k, v)| format!(";{}={}", enc(k), enc(&scalar_text(v)))),
            "",
        ),
        (PathStyle::Matrix, Value::Object(map)) => format!(
            ";{}={}",
            enc(name),
            join(
                map.iter()
                    .map(|(k, v)| format!("{},{}", enc(k), enc(&scalar_text(v)))),
                ","
            )
        ),
        (PathStyle::Matrix, scalar) => format!(";{}={}", enc(name), enc(&scalar_text(scalar))),
    }
}

/// The already-encoded `name=value` pairs (joined later with `&`) of one query parameter.
pub fn query_pairs(
    name: &str,
    value: &Value,
    style: QueryStyle,
    explode: bool,
    allow_reserved: bool,
) -> Vec<String> {
    let set = if allow_reserved {
        RESERVED_ALLOWED
    } else {
        STRICT
    };
    let key = encode(name, STRICT);
    let val = |v: &Value| encode(&scalar_text(v), set);
    match (style, value) {
        (_, Value::Null) => Vec::new(),
        (QueryStyle::DeepObject, Value::Object(map)) => {
            let mut pairs = Vec::new();
            deep_object_pairs(name, map, &mut pairs, set);
            pairs
        }
        (QueryStyle::Form, Value::Array(items)) if explode => {
            items.iter().map(|v| format!("{key}={}", val(v))).collect()
        }
        (QueryStyle::Form, Value::Object(map)) if explode => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| format!("{}={}", encode(k, STRICT), val(v)))
            .collect(),
        (QueryStyle::SpaceDelimited | QueryStyle::PipeDelimited, Value::Array(items))
            if explode =>
        {
            items.iter().map(|v| format!("{key}={}", val(v))).collect()
        }
        (_, Value::Array(items)) => {
            let sep = match style {
                QueryStyle::SpaceDelimited => "%20",
                QueryStyle::PipeDelimited => "%7C",
                QueryStyle::Form | QueryStyle::DeepObject => ",",
            };
            vec![format!("{key}={}", join(items.iter().map(val), sep))]
        }
        (_, Value::Object(map)) => {
            let flat = map.iter().flat_map(|(k, v)| [encode(k, STRICT), val(v)]);
            vec![format!("{key}={}", join(flat, ","))]
        }
        (_, scalar) => vec![format!("{key}={}", val(scalar))],
    }
}

/// `name[key][sub]=value` pairs, the convention deepObject and most form encoders share.
fn deep_object_pairs(
    prefix: &str,
    map: &serde_json::Map<String, Value>,
    out: &mut Vec<String>,
    set: &'static AsciiSet,
) {
    for (key, value) in map {
        let name = format!("{prefix}[{key}]");
        match value {
            Value::Null => {}
            Value::Object(inner) => deep_object_pairs(&name, inner, out, set),
            Value::Array(items) => {
                for item in items {
                    out.push(format!(
                        "{}={}",
                        encode(&format!("{name}[]"), STRICT),
                        encode(&scalar_text(item), set)
                    ));
                }
            }
            scalar => out.push(format!(
                "{}={}",
                encode(&name, STRICT),
                encode(&scalar_text(scalar), set)
            )),
        }
    }
}

/// The text of a header value (OpenAPI's `simple` style), or `None` when the value is `null`.
pub fn header_value(value: &Value, explode: bool) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Array(items) => Some(join(items.iter().map(scalar_text), ",")),
        Value::Object(map) => {
            let sep = if explode { "=" } else { "," };
            Some(join(
                map.iter()
                    .map(|(k, v)| format!("{k}{sep}{}", scalar_text(v))),
                ",",
            ))
        }
        scalar => Some(scalar_text(scalar)),
    }
}

/// The `name=value` text of a cookie (OpenAPI's `form` style), or `None` when the value is `null`.
pub fn cookie_pair(name: &str, value: &Value) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::Array(items) => join(items.iter().map(scalar_text), ","),
        Value::Object(map) => join(
            map.iter().flat_map(|(k, v)| [k.clone(), scalar_text(v)]),
            ",",
        ),
        scalar => scalar_text(scalar),
    };
    Some(format!(
        "{}={}",
        encode(name, COOKIE),
        encode(&text, COOKIE)
    ))
}

fn join(parts: impl Iterator<Item = String>, sep: &str) -> String {
    parts.collect::<Vec<_>>().join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn path_values_cannot_add_segments_or_end_the_path() {
        let v = path_value(
            "id",
            &json!("../admin?x=1#frag/%2F"),
            PathStyle::Simple,
            false,
        );
        assert_eq!(v, "..%2Fadmin%3Fx%3D1%23frag%2F%252F");
    }

    #[test]
    fn path_styles_follow_the_openapi_table() {
        let arr = json!(["blue", "black"]);
        let obj = json!({"R": 100, "G": 200});
        assert_eq!(
            path_value("color", &arr, PathStyle::Simple, false),
            "blue,black"
        );
        assert_eq!(
            path_value("color", &obj, PathStyle::Simple, true),
            "R=100,G=200"
        );
        assert_eq!(
            path_value("color", &obj, PathStyle::Simple, false),
            "R,100,G,200"
        );
        assert_eq!(
            path_value("color", &arr, PathStyle::Label, true),
            ".blue.black"
        );
        assert_eq!(
            path_value("color", &json!("blue"), PathStyle::Label, false),
            ".blue"
        );
        assert_eq!(
            path_value("color", &arr, PathStyle::Matrix, true),
            ";color=blue;color=black"
        );
        assert_eq!(
            path_value("color", &arr, PathStyle::Matrix, false),
            ";color=blue,black"
        );
        assert_eq!(
            path_value("color", &obj, PathStyle::Matrix, true),
            ";R=100;G=200"
        );
    }

    #[test]
    fn query_styles_follow_the_openapi_table() {
        let arr = json!(["blue", "black"]);
        let obj = json!({"R": 100, "G": 200});
        assert_eq!(
            query_pairs("color", &arr, QueryStyle::Form, true, false),
            ["color=blue", "color=black"]
        );
        assert_eq!(
            query_pairs("color", &arr, QueryStyle::Form, false, false),
            ["color=blue,black"]
        );
        assert_eq!(
            query_pairs("color", &obj, QueryStyle::Form, true, false),
            ["R=100", "G=200"]
        );
        assert_eq!(
            query_pairs("color", &obj, QueryStyle::Form, false, false),
            ["color=R,100,G,200"]
        );
        assert_eq!(
            query_pairs("color", &arr, QueryStyle::SpaceDelimited, false, false),
            ["color=blue%20black"]
        );
        assert_eq!(
            query_pairs("color", &arr, QueryStyle::PipeDelimited, false, false),
            ["color=blue%7Cblack"]
        );
        assert_eq!(
            query_pairs("color", &obj, QueryStyle::DeepObject, true, false),
            ["color%5BR%5D=100", "color%5BG%5D=200"]
        );
        assert!(query_pairs("color", &Value::Null, QueryStyle::Form, true, false).is_empty());
    }

    #[test]
    fn query_values_cannot_add_parameters() {
        assert_eq!(
            query_pairs("q", &json!("a&b=c#d e+f"), QueryStyle::Form, true, false),
            ["q=a%26b%3Dc%23d%20e%2Bf"]
        );
        // allowReserved keeps ':' and '/' but never '&', '=', '#' or '+'.
        assert_eq!(
            query_pairs(
                "q",
                &json!("http://x/y&z=1#f+g"),
                QueryStyle::Form,
                true,
                true
            ),
            ["q=http://x/y%26z%3D1%23f%2Bg"]
        );
    }

    #[test]
    fn scalars_keep_their_json_text() {
        assert_eq!(
            query_pairs("n", &json!(1.5), QueryStyle::Form, true, false),
            ["n=1.5"]
        );
        assert_eq!(
            query_pairs("b", &json!(true), QueryStyle::Form, true, false),
            ["b=true"]
        );
        assert_eq!(
            query_pairs("i", &json!(-3), QueryStyle::Form, true, false),
            ["i=-3"]
        );
    }

    #[test]
    fn headers_and_cookies() {
        assert_eq!(
            header_value(&json!(["a", "b"]), false).as_deref(),
            Some("a,b")
        );
        assert_eq!(header_value(&json!({"a": 1}), true).as_deref(), Some("a=1"));
        assert_eq!(header_value(&Value::Null, false), None);
        assert_eq!(
            cookie_pair("sid", &json!("a; b=c")).as_deref(),
            Some("sid=a%3B%20b=c")
        );
    }
}
