//! Media types: which request body to send, what the success response looks like, and which
//! `Accept` header to ask for it with.

use serde_json::Value;

use super::model::BodyKind;
use crate::error::pointer_join;
use crate::load::refs;

/// The request body an operation declares, with the media type chosen for it.
#[derive(Debug, Clone)]
pub struct SpecBody<'a> {
    /// The name the spec gives the body (`x-codegen-request-body-name`, kept from Swagger 2.0).
    pub name: Option<String>,
    pub media_type: String,
    pub kind: BodyKind,
    pub required: bool,
    pub description: Option<String>,
    pub schema: &'a Value,
}

/// The kind of body a media type calls for.
pub fn body_kind(media_type: &str) -> BodyKind {
    let essence = essence(media_type);
    if is_json(&essence) {
        BodyKind::Json
    } else if essence == "application/x-www-form-urlencoded" {
        BodyKind::Form
    } else if essence.starts_with("multipart/") {
        BodyKind::Multipart
    } else if essence.starts_with("text/")
        || essence == "application/xml"
        || essence.ends_with("+xml")
    {
        BodyKind::Text
    } else {
        BodyKind::Binary
    }
}

/// `type/subtype` in lower case, without parameters.
fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// `application/json`, `+json` suffixes and the `*/json` habit.
pub fn is_json(essence: &str) -> bool {
    essence == "application/json" || essence.ends_with("+json") || essence.ends_with("/json")
}

/// Preference among request media types: JSON first (structured and typed), then forms, then the
/// rest in spec order.
fn rank(kind: BodyKind) -> u8 {
    match kind {
        BodyKind::Json => 0,
        BodyKind::Form => 1,
        BodyKind::Multipart => 2,
        BodyKind::Text => 3,
        BodyKind::Binary => 4,
    }
}

/// The operation's request body, following references.
pub fn request_body<'a>(
    doc: &'a Value,
    operation: &'a Value,
    op_pointer: &str,
) -> Option<SpecBody<'a>> {
    let value = operation.get("requestBody")?;
    let (body, _) = refs::follow(doc, value, pointer_join(op_pointer, "requestBody"))?;
    let content = body.get("content")?.as_object()?;
    let (media_type, media) = content
        .iter()
        .min_by_key(|(media_type, _)| rank(body_kind(media_type)))?;
    let name = operation
        .get("x-codegen-request-body-name")
        .or_else(|| body.get("x-codegen-request-body-name"));
    Some(SpecBody {
        name: name.and_then(Value::as_str).map(str::to_owned),
        media_type: media_type.clone(),
        kind: body_kind(media_type),
        required: body
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        description: body
            .get("description")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned),
        schema: media.get("schema").unwrap_or(&Value::Bool(true)),
    })
}

/// What the success responses of an operation return.
#[derive(Debug, Clone, Default)]
pub struct SpecSuccess<'a> {
    /// The JSON schema of the success body, when every JSON success response shares one.
    pub json_schema: Option<&'a Value>,
    /// The media types the success responses declare, JSON first.
    pub media_types: Vec<String>,
}

/// Reads the success responses (2xx; `default` when there is no 2xx response).
pub fn success<'a>(doc: &'a Value, operation: &'a Value, op_pointer: &str) -> SpecSuccess<'a> {
    let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
        return SpecSuccess::default();
    };
    let responses_pointer = pointer_join(op_pointer, "responses");
    let mut codes: Vec<&String> = responses
        .keys()
        .filter(|code| code.starts_with('2'))
        .collect();
    if codes.is_empty() {
        codes = responses
            .keys()
            .filter(|code| code.as_str() == "default")
            .collect();
    }
    codes.sort();
    let mut out = SpecSuccess::default();
    let mut schemas: Vec<&Value> = Vec::new();
    for code in codes {
        let Some((response, _)) = refs::follow(
            doc,
            &responses[code],
            pointer_join(&responses_pointer, code),
        ) else {
            continue;
        };
        for (media_type, media) in response
            .get("content")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if !out.media_types.contains(media_type) {
                out.media_types.push(media_type.clone());
            }
            if is_json(&essence(media_type))
                && let Some(schema) = media.get("schema")
                && !schemas.contains(&schema)
            {
                schemas.push(schema);
            }
        }
    }
    out.media_types.sort_by_key(|m| !is_json(&essence(m)));
    // Several different JSON shapes (say 200 and 201) cannot share one output schema.
    if let [schema] = schemas[..] {
        out.json_schema = Some(schema);
    }
    out
}

/// Whether a schema's root is an object (after references), so it can be `structuredContent`
/// as it is.
pub fn is_object_schema(doc: &Value, schema: &Value) -> bool {
    let Some((schema, _)) = refs::follow(doc, schema, String::new()) else {
        return false;
    };
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        return false;
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => true,
        Some(_) => false,
        None => {
            if schema.get("properties").is_some() {
                return true;
            }
            ["allOf", "oneOf", "anyOf"].iter().any(|key| {
                schema
                    .get(*key)
                    .and_then(Value::as_array)
                    .is_some_and(|items| {
                        !items.is_empty() && items.iter().all(|item| is_object_schema(doc, item))
                    })
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prefers_json_bodies() {
        let doc = json!({});
        let op = json!({"requestBody": {"required": true, "content": {
            "application/xml": {"schema": {"type": "string"}},
            "application/vnd.api+json": {"schema": {"type": "object"}}}}});
        let body = request_body(&doc, &op, "/paths/~1a/post").unwrap();
        assert_eq!(body.media_type, "application/vnd.api+json");
        assert_eq!(body.kind, BodyKind::Json);
        assert!(body.required);
        assert_eq!(
            body_kind("multipart/form-data; boundary=x"),
            BodyKind::Multipart
        );
        assert_eq!(body_kind("application/octet-stream"), BodyKind::Binary);
    }

    #[test]
    fn success_schema_and_accept() {
        let doc = json!({"components": {"responses": {"Ok": {"description": "", "content": {
            "application/json": {"schema": {"type": "array"}}, "text/csv": {}}}}}});
        let op = json!({"responses": {"404": {"description": ""}, "200": {"$ref": "#/components/responses/Ok"}}});
        let out = success(&doc, &op, "/p");
        assert_eq!(out.json_schema, Some(&json!({"type": "array"})));
        assert_eq!(out.media_types, ["application/json", "text/csv"]);
        let op = json!({"responses": {
            "200": {"description": "", "content": {"application/json": {"schema": {"type": "object"}}}},
            "201": {"description": "", "content": {"application/json": {"schema": {"type": "string"}}}}}});
        assert_eq!(success(&doc, &op, "/p").json_schema, None);
    }

    #[test]
    fn object_roots() {
        let doc =
            json!({"components": {"schemas": {"A": {"type": "object"}, "B": {"type": "array"}}}});
        assert!(is_object_schema(
            &doc,
            &json!({"$ref": "#/components/schemas/A"})
        ));
        assert!(!is_object_schema(
            &doc,
            &json!({"$ref": "#/components/schemas/B"})
        ));
        assert!(is_object_schema(
            &doc,
            &json!({"allOf": [{"$ref": "#/components/schemas/A"}, {"properties": {}}]})
        ));
        assert!(!is_object_schema(
            &doc,
            &json!({"type": "object", "nullable": true})
        ));
        assert!(!is_object_schema(&doc, &json!({})));
    }
}
