//! The upstream request a tool call becomes. Generated code fills a [`Request`] from the tool's
//! typed argument struct, one call per parameter; all encoding decisions live here and in
//! [`super::encode`], so every tool gets the same, tested rules.

use serde::Serialize;
use serde_json::Value;

use super::encode::{self, PathStyle, QueryStyle};
// Re-exported: `request::ArgError` (and the crate root's `ArgError`, through it) is where generated
// code and older callers find it.
pub use super::errors::ArgError;

/// The HTTP methods OpenAPI operations use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request body, already in its wire form.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// `application/json` and `+json` media types.
    Json {
        content_type: &'static str,
        value: Value,
    },
    /// `application/x-www-form-urlencoded`, already encoded.
    Form {
        content_type: &'static str,
        text: String,
    },
    /// `text/*`.
    Text {
        content_type: &'static str,
        text: String,
    },
    /// `multipart/form-data`, already encoded; the content type carries the boundary.
    Multipart {
        content_type: String,
        bytes: Vec<u8>,
    },
    /// Anything else: raw bytes (given to the tool as base64).
    Bytes {
        content_type: &'static str,
        bytes: Vec<u8>,
    },
}

/// A parameter's name on the wire and the name of the argument that carries it (which error
/// messages use): one string when they are the same, as they nearly always are, else a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Names {
    pub wire: &'static str,
    pub arg: &'static str,
}

impl From<&'static str> for Names {
    fn from(name: &'static str) -> Self {
        Names {
            wire: name,
            arg: name,
        }
    }
}

impl From<(&'static str, &'static str)> for Names {
    fn from((wire, arg): (&'static str, &'static str)) -> Self {
        Names { wire, arg }
    }
}

/// One upstream HTTP request, relative to the upstream base URL.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: Method,
    template: &'static str,
    /// The path with every parameter substituted, percent-encoded.
    path: String,
    /// The encoded query, without the leading `?`.
    query: Vec<String>,
    pub headers: Vec<(String, String)>,
    /// Headers carrying credentials: sent marked sensitive, never shown.
    pub secret_headers: Vec<(String, String)>,
    cookies: Vec<String>,
    pub body: Option<Body>,
}

impl Request {
    /// A request for `template` (e.g. `/pets/{petId}`); every `{name}` must be filled with
    /// [`Request::path`] before [`Request::finish`].
    pub fn new(method: Method, template: &'static str) -> Self {
        Request {
            method,
            template,
            path: template.to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            secret_headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
        }
    }

    /// Fills `{name}` with `value` in the `simple` style.
    pub fn path<T: Serialize + ?Sized>(
        &mut self,
        names: impl Into<Names>,
        value: &T,
    ) -> Result<(), ArgError> {
        self.path_with(names, value, PathStyle::Simple, false)
    }

    /// Fills `{name}` with `value` in the given style.
    pub fn path_with<T: Serialize + ?Sized>(
        &mut self,
        names: impl Into<Names>,
        value: &T,
        style: PathStyle,
        explode: bool,
    ) -> Result<(), ArgError> {
        let Names { wire: name, arg } = names.into();
        let value = to_value(arg, value)?;
        if value.is_null() {
            return Err(ArgError::new(arg, "is required"));
        }
        let text = encode::path_value(name, &value, style, explode);
        if text.is_empty() {
            return Err(ArgError::new(
                arg,
                "must not be empty: it fills a path segment",
            ));
        }
        let placeholder = format!("{{{name}}}");
        let Some(at) = self.path.find(&placeholder) else {
            return Err(ArgError::new(
                arg,
                format!("the path template has no {placeholder}"),
            ));
        };
        // A segment that is exactly `.` or `..` would be removed by URL normalization and move
        // the request to another path: no encoding prevents that, so such values are refused.
        let start = self.path[..at].rfind('/').map_or(0, |i| i + 1);
        let end = self.path[at + placeholder.len()..]
            .find('/')
            .map_or(self.path.len(), |i| at + placeholder.len() + i);
        let segment = format!(
            "{}{}{}",
            &self.path[start..at],
            text,
            &self.path[at + placeholder.len()..end]
        );
        if is_dot_segment(&segment) {
            return Err(ArgError::new(
                arg,
                "must not be `.` or `..`: it fills a path segment",
            ));
        }
        self.path.replace_range(at..at + placeholder.len(), &text);
        Ok(())
    }

    /// Adds a `form`-style, exploded query parameter (the OpenAPI default); `null` adds nothing.
    pub fn query<T: Serialize + ?Sized>(
        &mut self,
        names: impl Into<Names>,
        value: &T,
    ) -> Result<(), ArgError> {
        self.query_with(names, value, QueryStyle::Form, true, false)
    }

    /// Adds a query parameter in the given style; `null` adds nothing.
    pub fn query_with<T: Serialize + ?Sized>(
        &mut self,
        names: impl Into<Names>,
        value: &T,
        style: QueryStyle,
        explode: bool,
        allow_reserved: bool,
    ) -> Result<(), ArgError> {
        let Names { wire: name, arg } = names.into();
        let value = to_value(arg, value)?;
        self.query.extend(encode::query_pairs(
            name,
            &value,
            style,
            explode,
            allow_reserved,
        ));
        Ok(())
    }

    /// Adds a header parameter (`simple` style); `null` adds nothing. Values with control
    /// characters are refused, so no argument can add or split headers.
    pub fn header<T: Serialize + ?Sized>(
        &mut self,
        names: impl Into<Names>,
        value: &T,
        explode: bool,
    ) -> Result<(), ArgError> {
        let Names { wire: name, arg } = names.into();
        let value = to_value(arg, value)?;
        let Some(text) = encode::header_value(&value, explode) else {
            return Ok(());
        };
        if text.chars().any(|c| c.is_control() && c != '\t') {
            return Err(ArgError::new(
                arg,
                "must not contain control characters (such as CR or LF)",
            ));
        }
        self.headers.push((name.to_owned(), text));
        Ok(())
    }

    /// Adds a cookie parameter; `null` adds nothing.
    pub fn cookie<T: Serialize + ?Sized>(
        &mut self,
        names: impl Into<Names>,
        value: &T,
    ) -> Result<(), ArgError> {
        let Names { wire: name, arg } = names.into();
        let value = to_value(arg, value)?;
        if let Some(pair) = encode::cookie_pair(name, &value) {
            self.cookies.push(pair);
        }
        Ok(())
    }

    /// Sets a JSON body; `null` (an absent optional body) sets none.
    pub fn json<T: Serialize + ?Sized>(
        &mut self,
        content_type: &'static str,
        arg: &str,
        value: &T,
    ) -> Result<(), ArgError> {
        let value = to_value(arg, value)?;
        if !value.is_null() {
            self.body = Some(Body::Json {
                content_type,
                value,
            });
        }
        Ok(())
    }

    /// Sets an `application/x-www-form-urlencoded` body from an object: scalars as `key=value`,
    /// arrays repeated, nested objects as `key[sub]=value`.
    pub fn form<T: Serialize + ?Sized>(
        &mut self,
        content_type: &'static str,
        arg: &str,
        value: &T,
    ) -> Result<(), ArgError> {
        let value = to_value(arg, value)?;
        let pairs = match &value {
            Value::Null => return Ok(()),
            Value::Object(map) => map
                .iter()
                .flat_map(|(key, value)| match value {
                    Value::Object(_) => {
                        encode::query_pairs(key, value, QueryStyle::DeepObject, true, false)
                    }
                    _ => encode::query_pairs(key, value, QueryStyle::Form, true, false),
                })
                .collect::<Vec<_>>(),
            _ => return Err(ArgError::new(arg, "must be an object of form fields")),
        };
        self.body = Some(Body::Form {
            content_type,
            text: pairs.join("&"),
        });
        Ok(())
    }

    /// Sets a text body from a string.
    pub fn text<T: Serialize + ?Sized>(
        &mut self,
        content_type: &'static str,
        arg: &str,
        value: &T,
    ) -> Result<(), ArgError> {
        match to_value(arg, value)? {
            Value::Null => {}
            Value::String(text) => self.body = Some(Body::Text { content_type, text }),
            other => {
                self.body = Some(Body::Text {
                    content_type,
                    text: encode::scalar_text(&other),
                })
            }
        }
        Ok(())
    }

    /// Sets a `multipart/form-data` body from an object; `binary` names the fields that carry
    /// base64 file contents.
    pub fn multipart<T: Serialize + ?Sized>(
        &mut self,
        content_type: &'static str,
        arg: &str,
        value: &T,
        binary: &[&str],
    ) -> Result<(), ArgError> {
        let value = to_value(arg, value)?;
        if let Some(body) = super::multipart::encode(arg, &value, binary)? {
            let media = content_type
                .split(';')
                .next()
                .unwrap_or(content_type)
                .trim();
            self.body = Some(Body::Multipart {
                content_type: format!("{media}; boundary={}", body.boundary),
                bytes: body.bytes,
            });
        }
        Ok(())
    }

    /// Sets a binary body from base64 text, or from `{"path": …}` naming an allowed local file.
    pub fn bytes<T: Serialize + ?Sized>(
        &mut self,
        content_type: &'static str,
        arg: &str,
        value: &T,
    ) -> Result<(), ArgError> {
        let value = to_value(arg, value)?;
        if value.is_null() {
            return Ok(());
        }
        let (bytes, _) = super::multipart::file_content(arg, &value)?;
        self.body = Some(Body::Bytes {
            content_type,
            bytes,
        });
        Ok(())
    }

    /// Sets a header (for hooks), replacing any header of that name.
    pub fn set_header(&mut self, name: &str, value: String) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value));
    }

    /// Sets a credential header, replacing any header of that name an argument set: the configured
    /// credential decides, never the caller.
    pub fn set_secret_header(&mut self, name: &str, value: String) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.secret_headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.secret_headers.push((name.to_owned(), value));
    }

    /// Sets a credential query parameter, replacing any query parameter of that name.
    pub fn set_secret_query(&mut self, name: &str, value: &str) {
        let key = encode::encode(name, encode::STRICT);
        let prefix = format!("{key}=");
        self.query
            .retain(|pair| !pair.starts_with(&prefix) && *pair != key);
        self.query
            .push(format!("{key}={}", encode::encode(value, encode::STRICT)));
    }

    /// Sets a credential cookie, replacing any cookie of that name.
    pub fn set_secret_cookie(&mut self, name: &str, value: &str) {
        if let Some(pair) = encode::cookie_pair(name, &Value::String(value.to_owned())) {
            let prefix = format!("{}=", encode::encode(name, encode::COOKIE));
            self.cookies.retain(|c| !c.starts_with(&prefix));
            self.cookies.push(pair);
        }
    }

    /// Checks that every path parameter was filled and returns the request.
    pub fn finish(self) -> Result<Self, ArgError> {
        if let Some(open) = self.path.find('{') {
            let name = self.path[open + 1..].split('}').next().unwrap_or_default();
            return Err(ArgError::new(name, "is required: it fills the path"));
        }
        Ok(self)
    }

    /// The path template this request was built from.
    pub fn template(&self) -> &'static str {
        self.template
    }

    /// The encoded path and query, to append to the upstream base URL.
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query.join("&"))
        }
    }

    /// The `Cookie` header value, when there are cookie parameters.
    pub fn cookie_header(&self) -> Option<String> {
        (!self.cookies.is_empty()).then(|| self.cookies.join("; "))
    }
}

fn to_value<T: Serialize + ?Sized>(arg: &str, value: &T) -> Result<Value, ArgError> {
    serde_json::to_value(value).map_err(|err| ArgError::new(arg, err.to_string()))
}

/// `.` or `..`, also when written with `%2e` (URL parsers treat those as dot segments too).
fn is_dot_segment(segment: &str) -> bool {
    let lowered = segment.to_ascii_lowercase().replace("%2e", ".");
    lowered == "." || lowered == ".."
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fills_path_and_query() {
        let mut req = Request::new(Method::Get, "/pets/{petId}/toys");
        req.path("petId", &json!("a/b c")).unwrap();
        req.query("limit", &Some(10)).unwrap();
        req.query("tag", &None::<String>).unwrap();
        let req = req.finish().unwrap();
        assert_eq!(req.path_and_query(), "/pets/a%2Fb%20c/toys?limit=10");
    }

    #[test]
    fn refuses_dot_segments_and_missing_parameters() {
        for bad in [".", "..", "%2e%2E"] {
            let mut req = Request::new(Method::Get, "/files/{name}");
            let err = req.path("name", &json!(bad));
            // `%2e` is encoded to `%252e`, so only the literal dots can form a dot segment.
            if bad.starts_with('%') {
                assert!(err.is_ok());
            } else {
                assert_eq!(err.unwrap_err().field, "name");
            }
        }
        let mut req = Request::new(Method::Get, "/files/v{n}.json");
        req.path("n", &json!(".")).unwrap();
        assert_eq!(req.path_and_query(), "/files/v..json");
        let err = Request::new(Method::Get, "/a/{id}").finish().unwrap_err();
        assert_eq!(err.field, "id");
    }

    #[test]
    fn refuses_header_injection() {
        let mut req = Request::new(Method::Get, "/");
        let err = req
            .header(("X-Trace", "trace"), &json!("a\r\nEvil: 1"), false)
            .unwrap_err();
        assert_eq!(err.field, "trace");
        req.header(("X-Trace", "trace"), &json!("ok\tvalue"), false)
            .unwrap();
        assert_eq!(
            req.headers,
            [("X-Trace".to_owned(), "ok\tvalue".to_owned())]
        );
    }

    #[test]
    fn bodies() {
        let mut req = Request::new(Method::Post, "/");
        req.json("application/json", "body", &json!({"a": 1}))
            .unwrap();
        assert!(matches!(req.body, Some(Body::Json { .. })));
        req.form(
            "application/x-www-form-urlencoded",
            "body",
            &json!({"a": "x y", "m": {"k": 1}, "l": [1, 2]}),
        )
        .unwrap();
        assert_eq!(
            req.body,
            Some(Body::Form {
                content_type: "application/x-www-form-urlencoded",
                text: "a=x%20y&m%5Bk%5D=1&l=1&l=2".into()
            })
        );
        req.bytes("application/octet-stream", "body", &json!("aGk="))
            .unwrap();
        assert_eq!(
            req.body,
            Some(Body::Bytes {
                content_type: "application/octet-stream",
                bytes: b"hi".to_vec()
            })
        );
        assert_eq!(
            req.bytes("application/octet-stream", "body", &json!("%%"))
                .unwrap_err()
                .field,
            "body"
        );
    }

    #[test]
    fn cookies_join() {
        let mut req = Request::new(Method::Get, "/");
        req.cookie("a", &json!(1)).unwrap();
        req.cookie("b", &json!("x y")).unwrap();
        assert_eq!(req.cookie_header().as_deref(), Some("a=1; b=x%20y"));
    }
}
