//! The body of the `request` fuzz target (`fuzz/fuzz_targets/request.rs`, which includes this
//! file), shared with the regression test `tests/fuzz_request.rs` that replays the committed
//! corpus and crashers in `cargo test`.
//!
//! Fuzzer bytes become tool arguments: a JSON object when they parse as one, else every parameter
//! gets the bytes as one string (so raw separators and control characters reach every encoder
//! without JSON escaping). Each hand-written tool below builds its request the way generated code
//! does (one [`Request`] call per parameter, see `snapshots/*/src/tools/`), after the same schema
//! validation the server runs, whose verdict is ignored here so the builders also see the values
//! validation would refuse. Credentials are then applied as the server does. Every request that
//! builds must keep these invariants, for each of several upstream base URLs:
//!
//! - the URL's scheme, host and port are the base URL's, and it has no fragment;
//! - its path is the base path followed by the template's segments, each placeholder filled
//!   within its own segment: no value adds a `/`, a dot segment, a `?` or a `#`;
//! - every query parameter is a declared one (or a key of the one free-form object parameter), and
//!   the credential parameter appears once, with the configured value;
//! - no header name or value holds CR, LF or NUL, only declared and fixed header names appear, and
//!   the credential header and cookie appear once, with the configured values;
//! - form bodies are fully percent-encoded, and a multipart boundary occurs only as a delimiter.

use mcpwright_runtime::api::{Annotations, JsonObject, Method, OutputShape, ToolDef};
use mcpwright_runtime::request::{ArgError, Body, Request};
use mcpwright_runtime::{PathStyle, QueryStyle, args};
use reqwest::Url;
use serde_json::Value;

/// Upstream base URLs as operators configure them: bare origin, trailing slash, base path.
const BASES: &[&str] = &[
    "https://api.example.com",
    "http://127.0.0.1:8080/v1/",
    "https://example.org:8443/base/path%20x",
];

/// Header names a request may carry besides the tool's declared header parameters.
const FIXED_HEADERS: &[&str] = &["authorization", "cookie", "accept", "content-type"];

/// The configured credentials (applied as the server applies an API key in the query, a bearer
/// token and an API key in a cookie).
const SECRET_QUERY: (&str, &str) = ("api_key", "SECRET-Q");
const SECRET_HEADER: (&str, &str) = ("Authorization", "Bearer SECRET");
const SECRET_COOKIE: (&str, &str) = ("sid", "SECRET-C");

/// A tool and the parameters it declares, which bound what its request may carry.
struct Case {
    tool: ToolDef,
    /// Declared query parameter names.
    query: &'static [&'static str],
    /// The form-style, exploded object query parameter, whose keys become parameter names.
    free_query: Option<&'static str>,
    /// Declared header parameter names.
    headers: &'static [&'static str],
    /// Declared cookie parameter names.
    cookies: &'static [&'static str],
}

/// Every argument name any tool reads (the non-JSON input fills them all).
const ALL_ARGS: &[&str] = &[
    "storeId",
    "petId",
    "limit",
    "tags",
    "ids",
    "pipes",
    "filter",
    "next",
    "obj",
    "api_key",
    "X-Request-ID",
    "X-Meta",
    "session",
    "sid",
    "label",
    "matrix",
    "version",
    "a",
    "b",
    "Authorization",
    "id",
    "dryRun",
    "body",
    "formId",
    "X-Idempotency-Key",
    "kind",
    "name",
    "X-Trace",
];

const fn tool(
    name: &'static str,
    method: Method,
    path: &'static str,
    input_schema: &'static str,
    accept: Option<&'static str>,
    build: fn(JsonObject) -> Result<Request, ArgError>,
) -> ToolDef {
    ToolDef {
        name,
        title: None,
        description: name,
        method,
        path,
        input_schema: mcpwright_runtime::api::Schema::standalone(input_schema),
        output_schema: None,
        output: OutputShape::Object,
        annotations: Annotations {
            read_only: false,
            destructive: false,
            idempotent: false,
            open_world: true,
        },
        accept,
        security: &[],
        scopes: &[],
        build,
    }
}

static CASES: &[Case] = &[
    Case {
        tool: tool(
            "getToy",
            Method::Get,
            "/stores/{storeId}/pets/{petId}.json",
            r#"{"type":"object","properties":{"storeId":{"type":"string"},"petId":{"type":"integer"},"limit":{"type":"integer","minimum":1},"tags":{"type":"array","items":{"type":"string"}},"filter":{"type":"object"},"X-Request-ID":{"type":"string","maxLength":64}},"required":["storeId","petId"]}"#,
            Some("application/json"),
            get_toy,
        ),
        query: &["limit", "tags", "ids", "pipes", "filter", "next", "api_key"],
        free_query: Some("obj"),
        headers: &["X-Request-ID", "X-Meta"],
        cookies: &["session", "sid"],
    },
    Case {
        tool: tool(
            "getItem",
            Method::Get,
            "/items/{label}/{matrix}/v{version}/{a}-{b}",
            r#"{"type":"object","properties":{"label":{"type":"array"},"matrix":{"type":"object"},"version":{"type":"integer"}},"required":["label","matrix","version","a","b"]}"#,
            None,
            get_item,
        ),
        query: &[],
        free_query: None,
        headers: &["Authorization"],
        cookies: &[],
    },
    Case {
        tool: tool(
            "createPhoto",
            Method::Post,
            "/pets/{id}/photos",
            r#"{"type":"object","properties":{"id":{"type":"string"},"dryRun":{"type":"boolean"},"body":{"type":"object","properties":{"url":{"type":"string","format":"uri"}},"required":["url"]}},"required":["id","body"],"additionalProperties":false}"#,
            Some("application/json"),
            create_photo,
        ),
        query: &["dryRun"],
        free_query: None,
        headers: &[],
        cookies: &[],
    },
    Case {
        tool: tool(
            "submitForm",
            Method::Put,
            "/forms/{formId}",
            r#"{"type":"object","properties":{"formId":{"type":"string"},"body":{"type":"object","additionalProperties":{"type":"string"}}},"required":["formId"]}"#,
            Some("text/html, application/json;q=0.9"),
            submit_form,
        ),
        query: &[],
        free_query: None,
        headers: &["X-Idempotency-Key"],
        cookies: &[],
    },
    Case {
        tool: tool(
            "upload",
            Method::Post,
            "/upload/{kind}",
            r#"{"type":"object","properties":{"kind":{"enum":["photo","doc"]},"body":{"type":"object","properties":{"file":{"type":"string","contentEncoding":"base64"}}}},"required":["kind","body"]}"#,
            None,
            upload,
        ),
        query: &[],
        free_query: None,
        headers: &[],
        cookies: &[],
    },
    Case {
        tool: tool(
            "putNote",
            Method::Post,
            "/notes/{id}",
            r#"{"type":"object","properties":{"id":{"type":"integer"},"body":{"type":"string"}}}"#,
            None,
            put_note,
        ),
        query: &[],
        free_query: None,
        headers: &[],
        cookies: &[],
    },
    Case {
        tool: tool(
            "putBlob",
            Method::Patch,
            "/blobs/{id}",
            r#"{"type":"object","properties":{"id":{"type":"integer"},"body":{"type":"string","contentEncoding":"base64"}}}"#,
            None,
            put_blob,
        ),
        query: &[],
        free_query: None,
        headers: &[],
        cookies: &[],
    },
    Case {
        tool: tool(
            "getTyped",
            Method::Delete,
            "/typed/{id}",
            r#"{"type":"object","properties":{"id":{"type":"integer","format":"int64"},"name":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}},"X-Trace":{"type":"string"}},"required":["id"],"additionalProperties":false}"#,
            None,
            get_typed,
        ),
        query: &["name", "tags"],
        free_query: None,
        headers: &["X-Trace"],
        cookies: &[],
    },
];

/// The argument `name` (`null` when absent, as an absent optional field serializes).
fn arg<'a>(args: &'a JsonObject, name: &str) -> &'a Value {
    args.get(name).unwrap_or(&Value::Null)
}

fn get_toy(args: JsonObject) -> Result<Request, ArgError> {
    let a = &args;
    let mut request = Request::new(Method::Get, "/stores/{storeId}/pets/{petId}.json");
    request.path("storeId", arg(a, "storeId"))?;
    request.path("petId", arg(a, "petId"))?;
    request.query("limit", arg(a, "limit"))?;
    request.query_with("tags", arg(a, "tags"), QueryStyle::Form, false, false)?;
    request.query_with(
        "ids",
        arg(a, "ids"),
        QueryStyle::SpaceDelimited,
        false,
        false,
    )?;
    request.query_with(
        "pipes",
        arg(a, "pipes"),
        QueryStyle::PipeDelimited,
        true,
        false,
    )?;
    request.query_with(
        "filter",
        arg(a, "filter"),
        QueryStyle::DeepObject,
        true,
        false,
    )?;
    request.query_with("next", arg(a, "next"), QueryStyle::Form, true, true)?;
    request.query_with("obj", arg(a, "obj"), QueryStyle::Form, true, false)?;
    request.query("api_key", arg(a, "api_key"))?;
    request.header("X-Request-ID", arg(a, "X-Request-ID"), false)?;
    request.header("X-Meta", arg(a, "X-Meta"), true)?;
    request.cookie("session", arg(a, "session"))?;
    request.cookie("sid", arg(a, "sid"))?;
    request.finish()
}

fn get_item(args: JsonObject) -> Result<Request, ArgError> {
    let a = &args;
    let mut request = Request::new(Method::Get, "/items/{label}/{matrix}/v{version}/{a}-{b}");
    request.path_with("label", arg(a, "label"), PathStyle::Label, true)?;
    request.path_with("matrix", arg(a, "matrix"), PathStyle::Matrix, false)?;
    request.path("version", arg(a, "version"))?;
    request.path("a", arg(a, "a"))?;
    request.path("b", arg(a, "b"))?;
    request.header("Authorization", arg(a, "Authorization"), false)?;
    request.finish()
}

fn create_photo(args: JsonObject) -> Result<Request, ArgError> {
    let a = &args;
    let mut request = Request::new(Method::Post, "/pets/{id}/photos");
    request.path("id", arg(a, "id"))?;
    request.query("dryRun", arg(a, "dryRun"))?;
    request.json("application/json", "body", arg(a, "body"))?;
    request.finish()
}

fn submit_form(args: JsonObject) -> Result<Request, ArgError> {
    let a = &args;
    let mut request = Request::new(Method::Put, "/forms/{formId}");
    request.path_with("formId", arg(a, "formId"), PathStyle::Simple, true)?;
    request.header("X-Idempotency-Key", arg(a, "X-Idempotency-Key"), false)?;
    request.form("application/x-www-form-urlencoded", "body", arg(a, "body"))?;
    request.finish()
}

fn upload(args: JsonObject) -> Result<Request, ArgError> {
    let a = &args;
    let mut request = Request::new(Method::Post, "/upload/{kind}");
    request.path("kind", arg(a, "kind"))?;
    request.multipart(
        "multipart/form-data",
        "body",
        arg(a, "body"),
        &["file", "attachments"],
    )?;
    request.finish()
}

fn put_note(args: JsonObject) -> Result<Request, ArgError> {
    let a = &args;
    let mut request = Request::new(Method::Post, "/notes/{id}");
    request.path("id", arg(a, "id"))?;
    request.text("text/plain", "body", arg(a, "body"))?;
    request.finish()
}

fn put_blob(args: JsonObject) -> Result<Request, ArgError> {
    let a = &args;
    let mut request = Request::new(Method::Patch, "/blobs/{id}");
    request.path("id", arg(a, "id"))?;
    request.bytes("application/octet-stream", "body", arg(a, "body"))?;
    request.finish()
}

/// A typed argument struct, as the generator writes them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TypedArgs {
    id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<String>>,
    #[serde(rename = "X-Trace")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    x_trace: Option<String>,
}

fn get_typed(args: JsonObject) -> Result<Request, ArgError> {
    let args: TypedArgs = args::parse(args)?;
    let mut request = Request::new(Method::Delete, "/typed/{id}");
    request.path("id", &args.id)?;
    request.query("name", &args.name)?;
    request.query_with("tags", &args.tags, QueryStyle::PipeDelimited, false, false)?;
    request.header("X-Trace", &args.x_trace, false)?;
    request.finish()
}

/// Builds every tool's request from `data` and checks the invariants; panics when one breaks.
/// Returns how many requests were built (and checked).
pub fn run(data: &[u8]) -> usize {
    let args = match serde_json::from_slice::<Value>(data) {
        Ok(Value::Object(args)) => args,
        Ok(_) => return 0,
        Err(_) => {
            let text = Value::String(String::from_utf8_lossy(data).into_owned());
            ALL_ARGS
                .iter()
                .map(|name| ((*name).to_owned(), text.clone()))
                .collect()
        }
    };
    let mut built = 0;
    for case in CASES {
        // The server validates first; the verdict is ignored so refused values reach the builder.
        let _ = args::validate(&case.tool, &args);
        let Ok(mut request) = (case.tool.build)(args.clone()) else {
            continue;
        };
        built += 1;
        request.set_secret_query(SECRET_QUERY.0, SECRET_QUERY.1);
        request.set_secret_header(SECRET_HEADER.0, SECRET_HEADER.1.to_owned());
        request.set_secret_cookie(SECRET_COOKIE.0, SECRET_COOKIE.1);
        for base in BASES {
            check_url(case, &args, base, &request);
        }
        check_headers(case, &request);
        check_body(&request);
    }
    built
}

/// The URL as `Upstream::send` makes it: the base URL without trailing `/`, then the request's
/// path and query, appended as text.
fn check_url(case: &Case, args: &JsonObject, base: &str, request: &Request) {
    let template = case.tool.path;
    let text = format!("{}{}", base.trim_end_matches('/'), request.path_and_query());
    let url = Url::parse(&text).unwrap_or_else(|err| panic!("`{text}` is not a URL: {err}"));
    let base = Url::parse(base).unwrap();
    assert_eq!(url.scheme(), base.scheme(), "{text}");
    assert_eq!(url.host_str(), base.host_str(), "{text}");
    assert_eq!(
        url.port_or_known_default(),
        base.port_or_known_default(),
        "{text}"
    );
    assert_eq!(url.username(), base.username(), "{text}");
    assert_eq!(url.password(), base.password(), "{text}");
    assert_eq!(url.fragment(), None, "{text}");

    let base_path = base.path().trim_end_matches('/');
    let rest = url
        .path()
        .strip_prefix(base_path)
        .unwrap_or_else(|| panic!("`{text}` has left the base path `{base_path}`"));
    let got: Vec<&str> = rest.split('/').collect();
    let want: Vec<&str> = template.split('/').collect();
    assert_eq!(
        got.len(),
        want.len(),
        "`{text}` does not have the segments of `{template}`"
    );
    for (got, want) in got.iter().zip(&want) {
        match (want.find('{'), want.rfind('}')) {
            (Some(open), Some(close)) => {
                let (prefix, suffix) = (&want[..open], &want[close + 1..]);
                assert!(
                    got.len() >= prefix.len() + suffix.len()
                        && got.starts_with(prefix)
                        && got.ends_with(suffix),
                    "segment `{got}` of `{text}` does not fill `{want}`"
                );
                let lowered = got.to_ascii_lowercase().replace("%2e", ".");
                assert!(lowered != "." && lowered != "..", "dot segment in `{text}`");
            }
            _ => assert_eq!(
                got, want,
                "`{text}` changed a literal segment of `{template}`"
            ),
        }
        for c in ['?', '#', '\\'] {
            assert!(!got.contains(c), "`{c}` in the path of `{text}`");
        }
    }

    // Query: declared names only (deepObject `name[…]` forms, and the keys of the free-form
    // object parameter, which are the caller's by design; given a scalar, it is a plain
    // `obj=…`), the credential exactly once.
    let free_keys: Vec<&str> = match case.free_query.and_then(|name| args.get(name)) {
        Some(Value::Object(map)) => map.keys().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    let mut credential = Vec::new();
    for (key, value) in url.query_pairs() {
        if key == SECRET_QUERY.0 {
            credential.push(value.into_owned());
            continue;
        }
        let declared = case.query.iter().chain(&case.free_query).any(|name| {
            key == *name || (key.starts_with(&format!("{name}[")) && key.ends_with(']'))
        });
        assert!(
            declared || free_keys.contains(&key.as_ref()),
            "undeclared query parameter `{key}` in `{text}`"
        );
    }
    assert_eq!(
        credential,
        [SECRET_QUERY.1],
        "credential query parameter in `{text}`"
    );
}

/// The headers as `Upstream::send` makes them: argument headers appended, then the credential
/// headers, the cookie, `Accept` and `Content-Type`, each replacing any header of that name.
fn check_headers(case: &Case, request: &Request) {
    let mut headers: Vec<(String, String)> = request.headers.clone();
    let mut insert = |name: &str, value: String| {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        headers.push((name.to_owned(), value));
    };
    for (name, value) in &request.secret_headers {
        insert(name, value.clone());
    }
    if let Some(cookie) = request.cookie_header() {
        check_cookies(case, &cookie);
        insert("Cookie", cookie);
    } else {
        panic!("the credential cookie is missing");
    }
    if let Some(accept) = case.tool.accept {
        insert("Accept", accept.to_owned());
    }
    if let Some(content_type) = content_type(request) {
        insert("Content-Type", content_type);
    }
    for (name, value) in &headers {
        assert!(
            FIXED_HEADERS.contains(&name.to_ascii_lowercase().as_str())
                || case.headers.iter().any(|h| h.eq_ignore_ascii_case(name)),
            "undeclared header `{name}`"
        );
        for text in [name, value] {
            assert!(
                !text.contains(['\r', '\n', '\0']),
                "CR, LF or NUL in header `{name}: {value:?}`"
            );
        }
    }
    let credential: Vec<&str> = headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case(SECRET_HEADER.0))
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(credential, [SECRET_HEADER.1], "credential header");
}

/// `name=value` pairs separated by `; `: declared names only, values that cannot end a pair, and
/// the credential cookie exactly once.
fn check_cookies(case: &Case, cookie: &str) {
    let mut credential = Vec::new();
    for pair in cookie.split("; ") {
        let (name, value) = pair
            .split_once('=')
            .unwrap_or_else(|| panic!("cookie pair without `=` in `{cookie}`"));
        assert!(
            !value.contains([';', ',', ' ', '"', '\\']) && !value.chars().any(char::is_control),
            "cookie value `{value:?}` is not encoded"
        );
        if name == SECRET_COOKIE.0 {
            credential.push(value);
        } else {
            assert!(case.cookies.contains(&name), "undeclared cookie `{name}`");
        }
    }
    assert_eq!(
        credential,
        [SECRET_COOKIE.1],
        "credential cookie in `{cookie}`"
    );
}

fn content_type(request: &Request) -> Option<String> {
    Some(match request.body.as_ref()? {
        Body::Json { content_type, .. }
        | Body::Form { content_type, .. }
        | Body::Text { content_type, .. }
        | Body::Bytes { content_type, .. } => (*content_type).to_owned(),
        Body::Multipart { content_type, .. } => content_type.clone(),
    })
}

fn check_body(request: &Request) {
    match &request.body {
        Some(Body::Form { text, .. }) => {
            assert!(
                text.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._~%=&".contains(c)),
                "form body `{text}` is not fully encoded"
            );
            for pair in text.split('&').filter(|pair| !pair.is_empty()) {
                assert_eq!(pair.matches('=').count(), 1, "form pair `{pair}`");
            }
        }
        Some(Body::Multipart {
            content_type,
            bytes,
        }) => check_multipart(content_type, bytes),
        _ => {}
    }
}

/// The boundary is a token and every occurrence of it in the body is a delimiter line; each part's
/// header block holds only the headers the encoder writes.
fn check_multipart(content_type: &str, bytes: &[u8]) {
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("multipart content type `{content_type}`"));
    assert!(
        !boundary.is_empty()
            && boundary
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-'),
        "boundary `{boundary}`"
    );
    let open = format!("--{boundary}\r\n");
    let close = format!("--{boundary}--\r\n");
    assert!(
        bytes.ends_with(close.as_bytes()),
        "multipart body must end with its close delimiter"
    );
    let needle = boundary.as_bytes();
    let mut at = 0;
    while let Some(found) = find(&bytes[at..], needle) {
        let start = at + found;
        let line_start = start.checked_sub(2).expect("boundary at the very start");
        assert_eq!(&bytes[line_start..start], b"--", "boundary inside a part");
        assert!(
            line_start == 0 || bytes[..line_start].ends_with(b"\r\n"),
            "boundary inside a part"
        );
        let line = &bytes[line_start..];
        if line.starts_with(open.as_bytes()) {
            // The part's header block, up to the blank line.
            let headers = &line[open.len()..];
            let end = find(headers, b"\r\n\r\n").expect("part without a header block");
            for header in headers[..end].split(|&b| b == b'\n') {
                let header = header.strip_suffix(b"\r").unwrap_or(header);
                assert!(
                    header.starts_with(b"Content-Disposition: form-data; name=\"")
                        || header.starts_with(b"Content-Type: "),
                    "unexpected part header {:?}",
                    String::from_utf8_lossy(header)
                );
            }
        } else {
            assert_eq!(
                line,
                close.as_bytes(),
                "a close delimiter before the end of the body"
            );
        }
        at = start + needle.len();
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
