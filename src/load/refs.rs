//! `$ref` checks and resolution over the raw document.

use serde_json::{Map, Value};

use crate::error::{Diagnostic, Location};

/// Resolves a local reference (`#/components/schemas/Pet`) in `doc`.
pub fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let fragment = reference.strip_prefix('#')?;
    doc.pointer(&decode_fragment(fragment))
}

/// Follows `$ref`s from `value` (found at `pointer`) to the object they end at, returning it with
/// its pointer. Chains are followed up to a bound, so a reference cycle ends instead of looping;
/// `None` when a reference dangles or cycles.
pub fn follow<'a>(
    doc: &'a Value,
    mut value: &'a Value,
    mut pointer: String,
) -> Option<(&'a Value, String)> {
    for _ in 0..32 {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return Some((value, pointer));
        };
        pointer = decode_fragment(reference.strip_prefix('#')?);
        value = doc.pointer(&pointer)?;
    }
    None
}

/// Checks that every `$ref` in `doc` points at something: a dangling reference is an error at the
/// place of the `$ref`, and a reference to another file is an error telling how to bundle.
pub fn check(doc: &Value, file: &str) -> Result<(), Diagnostic> {
    check_with(doc, file, true)
}

/// Like [`check`], but references that are not JSON pointers (`other.yaml#/A`, or 3.1's
/// `$id`-relative `/schemas/pet#name`) are left for a later pass when `external_is_error` is
/// false.
pub fn check_local(doc: &Value, file: &str) -> Result<(), Diagnostic> {
    check_with(doc, file, false)
}

fn check_with(doc: &Value, file: &str, external_is_error: bool) -> Result<(), Diagnostic> {
    try_for_each_object(doc, |map, path| match map.get("$ref") {
        Some(Value::String(reference)) if external_is_error || reference.starts_with('#') => {
            let pointer = path.pointer();
            if in_extension(&pointer) {
                return Ok(());
            }
            check_one(doc, file, &pointer, reference)
        }
        _ => Ok(()),
    })
}

/// Maps whose keys are names, where `x-…` is an ordinary name (a response header
/// `x-rate-limit-limit`, a property `x-id`) rather than an extension.
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "definitions",
    "$defs",
    "dependentSchemas",
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
    "paths",
    "webhooks",
    "content",
    "encoding",
    "variables",
];

/// Whether `pointer` lies inside an `x-` extension, whose contents are the vendor's data rather
/// than OpenAPI.
pub fn in_extension(pointer: &str) -> bool {
    let mut previous = "";
    for token in pointer.split('/') {
        // The kept 2020-12 keywords are schema, not vendor data.
        if token.starts_with("x-")
            && token != super::openapi::KEPT_2020_12
            && !NAME_MAPS.contains(&previous)
        {
            return true;
        }
        previous = token;
    }
    false
}

/// Where a node of a document sits: the keys and indices from the root. Its JSON pointer is
/// only built when asked for, since walks visit millions of nodes and need a pointer for few.
pub struct NodePath<'a> {
    tokens: Vec<Token<'a>>,
}

#[derive(Clone, Copy)]
enum Token<'a> {
    Key(&'a str),
    Index(usize),
}

impl NodePath<'_> {
    /// The node's JSON pointer (`""` for the root).
    pub fn pointer(&self) -> String {
        let mut pointer = String::new();
        for token in &self.tokens {
            pointer.push('/');
            match token {
                Token::Key(key) => pointer.push_str(&crate::error::pointer_token(key)),
                Token::Index(index) => pointer.push_str(&index.to_string()),
            }
        }
        pointer
    }
}

/// Calls `f` with every object of `doc` and where it is, in document order (so the first problem
/// found is the first in the file), without recursion; stops at the first error.
pub fn try_for_each_object<'a, E>(
    doc: &'a Value,
    mut f: impl FnMut(&'a Map<String, Value>, &NodePath<'a>) -> Result<(), E>,
) -> Result<(), E> {
    let mut path = NodePath { tokens: Vec::new() };
    // (node, how many tokens its path has, its own token)
    let mut stack: Vec<(&Value, usize, Option<Token>)> = vec![(doc, 0, None)];
    while let Some((value, depth, token)) = stack.pop() {
        path.tokens.truncate(depth.saturating_sub(1));
        path.tokens.extend(token);
        match value {
            Value::Object(map) => {
                f(map, &path)?;
                // Pushed in reverse, so children are visited in document order.
                for (key, child) in map.iter().rev() {
                    if child.is_object() || child.is_array() {
                        stack.push((child, depth + 1, Some(Token::Key(key))));
                    }
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate().rev() {
                    if child.is_object() || child.is_array() {
                        stack.push((child, depth + 1, Some(Token::Index(index))));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
#[test]
fn extensions_are_found_in_pointers() {
    assert!(in_extension("/components/x-policy"));
    assert!(in_extension("/paths/~1a/get/x-code-samples/0"));
    assert!(!in_extension("/components/schemas/Pet/properties/x-name"));
    assert!(!in_extension("/components/schemas/Pet"));
    assert!(!in_extension(
        "/components/headers/x-rate-limit-limit/schema"
    ));
    assert!(!in_extension(
        "/paths/~1a/get/responses/200/headers/x-request-id"
    ));
}

fn check_one(doc: &Value, file: &str, pointer: &str, reference: &str) -> Result<(), Diagnostic> {
    let location = || Location::new(file, format!("{pointer}/$ref"));
    if !reference.starts_with('#') {
        return Err(Diagnostic::new(location(), format!("reference `{reference}` points outside this document"))
            .hint("only references inside the spec are supported so far; bundle the spec into one file first (for example `npx @redocly/cli bundle`)"));
    }
    if resolve(doc, reference).is_none() {
        return Err(Diagnostic::new(
            location(),
            format!("reference `{reference}` points at nothing"),
        )
        .hint("fix the reference or add the missing definition"));
    }
    Ok(())
}

/// Decodes `%XX` escapes in a URI fragment (JSON pointers in `$ref`s may be percent-encoded).
pub fn decode_fragment(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_escaped_pointers() {
        let doc = json!({"paths": {"/a/{b}": {"get": {"x": 1}}}});
        assert_eq!(resolve(&doc, "#/paths/~1a~1%7Bb%7D/get/x"), Some(&json!(1)));
        assert_eq!(resolve(&doc, "#/nope"), None);
    }

    #[test]
    fn dangling_and_external_refs_are_located() {
        let doc = json!({"components": {"schemas": {"A": {"properties": {"b": {"$ref": "#/components/schemas/B"}}}}}});
        let err = check(&doc, "api.yaml").unwrap_err();
        assert_eq!(
            err.location.pointer,
            "/components/schemas/A/properties/b/$ref"
        );
        let doc = json!({"x": [{"$ref": "other.yaml#/A"}]});
        assert_eq!(
            check(&doc, "api.yaml").unwrap_err().location.pointer,
            "/x/0/$ref"
        );
        let doc = json!({"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}});
        assert!(
            check(&doc, "api.yaml").is_ok(),
            "cycles are data, not errors"
        );
    }
}
