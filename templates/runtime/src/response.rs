//! Turning the upstream API's answer into an MCP tool result.
//!
//! One rule shapes most branches: when a tool declares an `outputSchema`, MCP clients reject a
//! successful result without conforming `structuredContent`. So for such tools every success that
//! cannot be returned as conforming structured content (a body that does not match the schema, a
//! truncated body, an unexpected media type) becomes a tool error (`isError: true`) that explains
//! what happened and still shows the data to the model.

use base64::Engine as _;
use rmcp::model::{CallToolResult, ContentBlock, ResourceContents};
use serde_json::{Value, json};

use super::api::{OutputShape, ToolDef, WRAPPED_KEY};
use super::errors::ArgError;
use super::schema;
use super::upstream::{UpstreamError, UpstreamResponse};
use super::{encode, parts};

/// The most of an error response's body shown to the model.
pub const ERROR_EXCERPT_BYTES: usize = 2048;

/// How many schema violations a mismatch message lists.
const MAX_REPORTED: usize = 5;

/// The tool result for an upstream answer.
pub fn tool_result(tool: &ToolDef, response: &UpstreamResponse) -> CallToolResult {
    if !(200..300).contains(&response.status) {
        return error_status(tool, response);
    }
    let media = media_type(response.content_type.as_deref());
    if response.body.is_empty() {
        return empty(tool, response);
    }
    if response.truncated {
        return truncated(tool, response, media.as_deref());
    }
    // JSON when the response says so; also when it says nothing, or is labelled as text while
    // the API description promises JSON (sloppy servers send JSON as text/plain).
    let try_json = match media.as_deref() {
        None => true,
        Some(media) if is_json(media) => true,
        Some(media) => tool.output_schema.is_some() && is_textual(media),
    };
    if try_json && let Ok(value) = serde_json::from_slice::<Value>(&response.body) {
        return structured(tool, response, value);
    }
    let media = media.unwrap_or_else(|| sniff(&response.body).to_owned());
    let parts = response
        .content_type
        .as_deref()
        .and_then(|content_type| parts::split(content_type, &response.body))
        .filter(|parts| !parts.is_empty());
    let content = match parts {
        // One block per part: a text, an image and an attached file stay what they are.
        Some(parts) => parts
            .iter()
            .enumerate()
            .flat_map(|(index, part)| {
                let media = media_type(part.content_type.as_deref())
                    .unwrap_or_else(|| sniff(part.body).to_owned());
                let body = Body {
                    media: &media,
                    disposition: part.content_disposition.as_deref(),
                    bytes: part.body,
                };
                body.blocks(tool, Some(index))
            })
            .collect(),
        None => {
            let body = Body {
                media: &media,
                disposition: response.content_disposition.as_deref(),
                bytes: &response.body,
            };
            let mut blocks = body.blocks(tool, None);
            if blocks.iter().any(|block| block.as_resource().is_some()) {
                // Said in text too, for clients that do not show resources to the model.
                let line = format!(
                    "{}: {} bytes of {media}, attached as an embedded resource",
                    status_line(response.status),
                    response.body.len()
                );
                blocks.insert(0, ContentBlock::text(line));
            }
            blocks
        }
    };
    if tool.output_schema.is_some() {
        let what = if is_json(&media) {
            "a body that is not valid JSON".to_owned()
        } else {
            media.clone()
        };
        let mut blocks = vec![ContentBlock::text(format!(
            "{} from {}: the API description promises JSON, but the upstream answered with {what}",
            status_line(response.status),
            operation(tool),
        ))];
        blocks.extend(content);
        return CallToolResult::error(blocks);
    }
    CallToolResult::success(content)
}

/// A body (or a part of one) to show as content.
struct Body<'a> {
    media: &'a str,
    disposition: Option<&'a str>,
    bytes: &'a [u8],
}

impl Body<'_> {
    /// The content block for this body: a file (an attachment) becomes an embedded resource, as
    /// does binary data that is neither image nor audio; text is text.
    fn blocks(&self, tool: &ToolDef, part: Option<usize>) -> Vec<ContentBlock> {
        let media = self.media;
        let textual = is_json(media) || is_textual(media);
        let file = self.disposition.and_then(parts::attachment_name);
        if file.is_none() {
            if textual {
                return vec![ContentBlock::text(String::from_utf8_lossy(self.bytes))];
            } else if media.starts_with("image/") {
                return vec![ContentBlock::image(base64(self.bytes), media)];
            } else if media.starts_with("audio/") {
                return vec![ContentBlock::audio(base64(self.bytes), media)];
            }
        }
        let uri = resource_uri(tool, file.as_deref(), part);
        let contents = match std::str::from_utf8(self.bytes) {
            Ok(text) if textual => ResourceContents::text(text, uri),
            _ => ResourceContents::blob(base64(self.bytes), uri),
        };
        vec![ContentBlock::resource(contents.with_mime_type(media))]
    }
}

/// `urn:mcpwright:response:getReport[:part-N][:report.csv]`: names where a resource came from;
/// the file name is percent-encoded, so it cannot make the URI say anything else.
fn resource_uri(tool: &ToolDef, file: Option<&str>, part: Option<usize>) -> String {
    let mut uri = format!("urn:mcpwright:response:{}", tool.name);
    if let Some(part) = part {
        uri.push_str(&format!(":part-{}", part + 1));
    }
    if let Some(file) = file.filter(|file| !file.is_empty()) {
        uri.push(':');
        uri.push_str(&encode::encode(file, encode::STRICT));
    }
    uri
}

/// The tool result for a request that got no answer.
pub fn upstream_error(tool: &ToolDef, error: &UpstreamError) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(format!(
        "{} failed: {error}",
        operation(tool)
    ))])
}

/// The tool result for a call no configured credential can authenticate: what to set, never a
/// secret.
pub fn credential_error(tool: &ToolDef, message: &str) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(format!(
        "{} was not sent: {message}",
        operation(tool)
    ))])
}

/// The tool result for a bad argument: a tool error the model can correct, not a protocol error.
pub fn argument_error(error: &ArgError) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(error.to_string())])
}

fn structured(tool: &ToolDef, response: &UpstreamResponse, value: Value) -> CallToolResult {
    // MCP requires structuredContent to be an object.
    let value = if tool.output == OutputShape::Wrapped || !value.is_object() {
        json!({ WRAPPED_KEY: value })
    } else {
        value
    };
    if let Some(problems) = schema_problems(tool, &value) {
        let body = String::from_utf8_lossy(&response.body);
        return CallToolResult::error(vec![ContentBlock::text(format!(
            "{} from {}: the upstream answered, but the body does not match the API description's \
             response schema:\n{problems}\nBody:\n{body}",
            status_line(response.status),
            operation(tool),
        ))]);
    }
    CallToolResult::structured(value)
}

fn empty(tool: &ToolDef, response: &UpstreamResponse) -> CallToolResult {
    let line = status_line(response.status);
    if tool.output_schema.is_none() {
        return CallToolResult::success(vec![ContentBlock::text(line)]);
    }
    // The client expects structured content; an empty object is the honest reading of "no body"
    // when the schema allows it (all properties optional), and a mismatch when it does not.
    let value = json!({});
    if let Some(problems) = schema_problems(tool, &value) {
        return CallToolResult::error(vec![ContentBlock::text(format!(
            "{line} from {}: the upstream answered with an empty body, but the API description's \
             response schema requires content:\n{problems}",
            operation(tool),
        ))]);
    }
    let mut result = CallToolResult::structured(value);
    result.content = vec![ContentBlock::text(line)];
    result
}

fn truncated(tool: &ToolDef, response: &UpstreamResponse, media: Option<&str>) -> CallToolResult {
    let n = response.body.len();
    let marker = format!("[truncated after {n} bytes]");
    let textual = match media {
        Some(media) => is_json(media) || is_textual(media),
        None => std::str::from_utf8(utf8_prefix(&response.body)).is_ok(),
    };
    let shown = if textual {
        format!(
            "{}\n{marker}",
            String::from_utf8_lossy(utf8_prefix(&response.body))
        )
    } else {
        format!(
            "{}: {} (binary) {marker}",
            status_line(response.status),
            media.unwrap_or("application/octet-stream")
        )
    };
    if tool.output_schema.is_some() {
        return CallToolResult::error(vec![ContentBlock::text(format!(
            "{} from {}: the response is longer than the limit of {n} bytes (--max-response-bytes, \
             MCP_MAX_RESPONSE_BYTES), so it cannot be returned as structured content. Its start:\n{shown}",
            status_line(response.status),
            operation(tool),
        ))]);
    }
    CallToolResult::success(vec![ContentBlock::text(shown)])
}

fn error_status(tool: &ToolDef, response: &UpstreamResponse) -> CallToolResult {
    let mut text = format!("{} from {}", status_line(response.status), operation(tool));
    if (300..400).contains(&response.status) {
        text.push_str(" (redirects are not followed; check the upstream URL)");
    }
    if !response.body.is_empty() {
        let media = media_type(response.content_type.as_deref());
        let textual = match media.as_deref() {
            Some(media) => is_json(media) || is_textual(media),
            None => std::str::from_utf8(utf8_prefix(&response.body)).is_ok(),
        };
        text.push('\n');
        if textual {
            let cut = utf8_prefix(&response.body[..response.body.len().min(ERROR_EXCERPT_BYTES)]);
            text.push_str(&String::from_utf8_lossy(cut));
            if cut.len() < response.body.len() || response.truncated {
                text.push_str(&format!("\n[truncated after {} bytes]", cut.len()));
            }
        } else {
            let more = if response.truncated { " or more" } else { "" };
            text.push_str(&format!(
                "[{} bytes{more} of {}]",
                response.body.len(),
                media.as_deref().unwrap_or("binary data")
            ));
        }
    }
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// The first violations of `value` against the tool's output schema as lines, or `None` when it
/// conforms (or there is no usable schema to check against).
fn schema_problems(tool: &ToolDef, value: &Value) -> Option<String> {
    let output_schema = tool.output_schema?;
    let compiled = schema::validator(&output_schema);
    let validator = match compiled.as_ref() {
        Ok(validator) => validator,
        Err(reason) => {
            // Nothing to check against; the generator's schema is at fault, not the upstream.
            tracing::warn!(
                tool = tool.name,
                "output schema unusable, not validating: {reason}"
            );
            return None;
        }
    };
    let violations = schema::violations(validator, value, MAX_REPORTED);
    if violations.is_empty() {
        return None;
    }
    let lines: Vec<String> = violations
        .iter()
        .map(|v| {
            format!(
                "- {}: {}",
                if v.pointer.is_empty() {
                    "(root)"
                } else {
                    &v.pointer
                },
                v.message
            )
        })
        .collect();
    Some(lines.join("\n"))
}

/// `HTTP 404 Not Found`.
pub fn status_line(status: u16) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    match reason {
        Some(reason) => format!("HTTP {status} {reason}"),
        None => format!("HTTP {status}"),
    }
}

/// `GET /pets/{petId}`: the template, never the filled path, which may carry argument values.
fn operation(tool: &ToolDef) -> String {
    format!("{} {}", tool.method, tool.path)
}

/// The media type of a `Content-Type` value, lowercased, without parameters.
pub fn media_type(content_type: Option<&str>) -> Option<String> {
    let essence = content_type?.split(';').next()?.trim().to_ascii_lowercase();
    (!essence.is_empty()).then_some(essence)
}

pub fn is_json(media: &str) -> bool {
    media == "application/json" || media.ends_with("+json")
}

/// Media types whose bodies are text a model can read.
pub fn is_textual(media: &str) -> bool {
    media.starts_with("text/")
        || media.ends_with("+xml")
        || media.ends_with("+yaml")
        || matches!(
            media,
            "application/xml"
                | "application/yaml"
                | "application/x-yaml"
                | "application/javascript"
                | "application/ecmascript"
                | "application/x-www-form-urlencoded"
                | "application/x-ndjson"
                | "application/jsonl"
                | "application/graphql"
                | "application/sql"
                | "application/csv"
        )
}

/// A media type for an unlabelled body that is not JSON.
pub fn sniff(body: &[u8]) -> &'static str {
    if std::str::from_utf8(body).is_ok() {
        "text/plain"
    } else {
        "application/octet-stream"
    }
}

/// `bytes` without a UTF-8 sequence cut off at its end (a truncated body can stop mid-character).
fn utf8_prefix(bytes: &[u8]) -> &[u8] {
    match std::str::from_utf8(bytes) {
        Err(err) if err.error_len().is_none() => &bytes[..err.valid_up_to()],
        _ => bytes,
    }
}

pub fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::super::api::{Annotations, JsonObject, Method};
    use super::super::request::Request;
    use super::*;
    use std::time::Duration;

    fn build(_: JsonObject) -> Result<Request, ArgError> {
        Ok(Request::new(Method::Get, "/"))
    }

    fn tool(output_schema: Option<&'static str>, output: OutputShape) -> ToolDef {
        ToolDef {
            name: "getPet",
            title: None,
            description: "d",
            method: Method::Get,
            path: "/pets/{petId}",
            input_schema: super::super::api::Schema::standalone(r#"{"type":"object"}"#),
            output_schema: output_schema.map(super::super::api::Schema::standalone),
            output,
            annotations: Annotations {
                read_only: true,
                destructive: false,
                idempotent: true,
                open_world: true,
            },
            accept: None,
            scopes: &[],
            security: &[],
            build,
        }
    }

    const PET: &str = r#"{"type":"object","required":["id"],"properties":{"id":{"type":"integer"},"name":{"type":"string"}}}"#;
    const PETS: &str = r#"{"type":"object","properties":{"result":{"type":"array","items":{"type":"object","properties":{"id":{"type":"integer"}}}}}}"#;

    fn response(status: u16, content_type: Option<&str>, body: &[u8]) -> UpstreamResponse {
        UpstreamResponse {
            status,
            content_type: content_type.map(str::to_owned),
            content_disposition: None,
            cache_control: None,
            body: body.to_vec(),
            truncated: false,
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn attachments_become_resources() {
        let mut answer = response(200, Some("text/csv"), b"a,b\n1,2\n");
        answer.content_disposition = Some("attachment; filename=\"q3 report.csv\"".into());
        let result = tool_result(&tool(None, OutputShape::Object), &answer);
        assert_eq!(result.is_error, Some(false));
        assert!(
            text(&result).contains("8 bytes of text/csv"),
            "{}",
            text(&result)
        );
        let resource = result.content[1].as_resource().expect("embedded resource");
        match &resource.resource {
            ResourceContents::TextResourceContents {
                uri,
                text,
                mime_type,
                ..
            } => {
                assert_eq!(uri, "urn:mcpwright:response:getPet:q3%20report.csv");
                assert_eq!(text, "a,b\n1,2\n");
                assert_eq!(mime_type.as_deref(), Some("text/csv"));
            }
            other => panic!("expected text contents, got {other:?}"),
        }
        // Inline text stays text.
        answer.content_disposition = Some("inline".into());
        let result = tool_result(&tool(None, OutputShape::Object), &answer);
        assert_eq!(result.content.len(), 1);
        assert_eq!(text(&result), "a,b\n1,2\n");
    }

    #[test]
    fn multipart_parts_become_one_block_each() {
        let body = b"--XyZ\r\nContent-Type: text/plain\r\n\r\nThe chart and its data.\r\n\
            --XyZ\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\
            --XyZ\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\r\n\
            --XyZ\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=data.csv\r\n\r\nx\r\n\
            --XyZ--\r\n";
        let result = tool_result(
            &tool(None, OutputShape::Object),
            &response(200, Some("multipart/mixed; boundary=XyZ"), body),
        );
        assert_eq!(result.is_error, Some(false));
        assert_eq!(result.content.len(), 4, "{:?}", result.content);
        assert_eq!(text(&result), "The chart and its data.");
        let image = result.content[1].as_image().expect("image");
        assert_eq!(
            (image.mime_type.as_str(), image.data.as_str()),
            ("image/png", base64(b"\x89PNG").as_str())
        );
        let uris: Vec<&str> = result.content[2..]
            .iter()
            .map(
                |block| match &block.as_resource().expect("resource").resource {
                    ResourceContents::TextResourceContents { uri, .. }
                    | ResourceContents::BlobResourceContents { uri, .. } => uri.as_str(),
                    other => panic!("unexpected {other:?}"),
                },
            )
            .collect();
        assert_eq!(
            uris,
            [
                "urn:mcpwright:response:getPet:part-3",
                "urn:mcpwright:response:getPet:part-4:data.csv"
            ]
        );
        // A multipart label on a body that does not follow it: one opaque body, as before.
        let result = tool_result(
            &tool(None, OutputShape::Object),
            &response(200, Some("multipart/mixed; boundary=nope"), b"plain words"),
        );
        assert!(result.content[1].as_resource().is_some());
    }

    fn text(result: &CallToolResult) -> String {
        result
            .content
            .iter()
            .filter_map(|c| c.as_text())
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn json_object_becomes_structured_content() {
        let result = tool_result(
            &tool(Some(PET), OutputShape::Object),
            &response(
                200,
                Some("application/json; charset=utf-8"),
                br#"{"id":1,"name":"rex"}"#,
            ),
        );
        assert_eq!(result.is_error, Some(false));
        assert_eq!(
            result.structured_content,
            Some(json!({"id": 1, "name": "rex"}))
        );
        assert_eq!(
            serde_json::from_str::<Value>(&text(&result)).unwrap(),
            json!({"id": 1, "name": "rex"})
        );
    }

    #[test]
    fn arrays_and_scalars_are_wrapped() {
        let result = tool_result(
            &tool(Some(PETS), OutputShape::Wrapped),
            &response(200, Some("application/json"), br#"[{"id":1}]"#),
        );
        assert_eq!(
            result.structured_content,
            Some(json!({"result": [{"id": 1}]}))
        );
        // Without a schema, a non-object body is wrapped too: structuredContent must be an object.
        let result = tool_result(
            &tool(None, OutputShape::Object),
            &response(200, Some("application/problem+json"), b"42"),
        );
        assert_eq!(result.structured_content, Some(json!({"result": 42})));
        // An object body of a Wrapped tool (a oneOf root, say) is wrapped as well.
        let result = tool_result(
            &tool(None, OutputShape::Wrapped),
            &response(201, None, br#"{"a":1}"#),
        );
        assert_eq!(result.structured_content, Some(json!({"result": {"a": 1}})));
    }

    #[test]
    fn unlabelled_json_is_detected() {
        let result = tool_result(
            &tool(None, OutputShape::Object),
            &response(200, None, br#"{"a":1}"#),
        );
        assert_eq!(result.structured_content, Some(json!({"a": 1})));
        // JSON labelled as text is read as JSON only when the API description promises JSON.
        let result = tool_result(
            &tool(Some(PET), OutputShape::Object),
            &response(200, Some("text/plain"), br#"{"id":1}"#),
        );
        assert_eq!(result.structured_content, Some(json!({"id": 1})));
        let result = tool_result(
            &tool(None, OutputShape::Object),
            &response(200, Some("text/plain"), br#"{"id":1}"#),
        );
        assert_eq!(result.structured_content, None);
    }

    #[test]
    fn schema_mismatch_is_an_error_that_shows_the_body() {
        let result = tool_result(
            &tool(Some(PET), OutputShape::Object),
            &response(200, Some("application/json"), br#"{"id":"x","name":2}"#),
        );
        assert_eq!(result.is_error, Some(true));
        assert_eq!(result.structured_content, None);
        let text = text(&result);
        assert!(text.starts_with("HTTP 200 OK from GET /pets/{petId}: the upstream answered, but the body does not match"), "{text}");
        assert!(text.contains("- /id: "), "{text}");
        assert!(text.contains("- /name: "), "{text}");
        assert!(
            text.ends_with(
                r#"Body:
{"id":"x","name":2}"#
            ),
            "{text}"
        );
    }

    #[test]
    fn text_image_audio_and_binary() {
        let result = tool_result(
            &tool(None, OutputShape::Object),
            &response(200, Some("text/csv"), b"a,b\n1,2"),
        );
        assert_eq!(
            (result.is_error, text(&result).as_str()),
            (Some(false), "a,b\n1,2")
        );

        let result = tool_result(
            &tool(None, OutputShape::Object),
            &response(200, Some("image/png"), b"\x89PNG"),
        );
        let image = result.content[0].as_image().expect("image content");
        assert_eq!(
            (image.data.as_str(), image.mime_type.as_str()),
            ("iVBORw==", "image/png")
        );

        let result = tool_result(
            &tool(None, OutputShape::Object),
            &response(200, Some("audio/wav"), b"RIFF"),
        );
        assert_eq!(
            result.content[0]
                .as_audio()
                .expect("audio content")
                .mime_type,
            "audio/wav"
        );

        let result = tool_result(
            &tool(None, OutputShape::Object),
            &response(200, Some("application/pdf"), b"%PDF-\xff"),
        );
        assert_eq!(result.is_error, Some(false));
        assert!(
            text(&result).contains("6 bytes of application/pdf"),
            "{}",
            text(&result)
        );
        let resource = result.content[1].as_resource().expect("embedded resource");
        match &resource.resource {
            ResourceContents::BlobResourceContents {
                blob, mime_type, ..
            } => {
                assert_eq!(blob, &base64(b"%PDF-\xff"));
                assert_eq!(mime_type.as_deref(), Some("application/pdf"));
            }
            other => panic!("expected a blob, got {other:?}"),
        }

        let result = tool_result(
            &tool(None, OutputShape::Object),
            &response(200, None, b"\xff\xfe\x00"),
        );
        assert!(result.content[1].as_resource().is_some());
        let result = tool_result(
            &tool(None, OutputShape::Object),
            &response(200, None, b"plain words"),
        );
        assert_eq!(text(&result), "plain words");
    }

    #[test]
    fn non_json_for_a_tool_with_an_output_schema_is_an_error() {
        let result = tool_result(
            &tool(Some(PET), OutputShape::Object),
            &response(200, Some("text/html"), b"<h1>hi</h1>"),
        );
        assert_eq!(result.is_error, Some(true));
        let text = text(&result);
        assert!(
            text.contains("promises JSON, but the upstream answered with text/html"),
            "{text}"
        );
        assert!(text.ends_with("<h1>hi</h1>"), "{text}");
        let result = tool_result(
            &tool(Some(PET), OutputShape::Object),
            &response(200, Some("application/json"), b"{oops"),
        );
        assert_eq!(result.is_error, Some(true));
        assert!(super::tests::text(&result).contains("not valid JSON"));
    }

    #[test]
    fn empty_bodies() {
        let result = tool_result(&tool(None, OutputShape::Object), &response(204, None, b""));
        assert_eq!(
            (result.is_error, text(&result).as_str()),
            (Some(false), "HTTP 204 No Content")
        );
        // The schema allows `{}`: structured content the client accepts.
        let result = tool_result(
            &tool(Some(PETS), OutputShape::Wrapped),
            &response(204, None, b""),
        );
        assert_eq!(result.is_error, Some(false));
        assert_eq!(result.structured_content, Some(json!({})));
        assert_eq!(text(&result), "HTTP 204 No Content");
        // The schema requires content: a mismatch.
        let result = tool_result(
            &tool(Some(PET), OutputShape::Object),
            &response(200, Some("application/json"), b""),
        );
        assert_eq!(result.is_error, Some(true));
        assert!(text(&result).contains("empty body"), "{}", text(&result));
        assert!(
            text(&result).contains("/id: is required"),
            "{}",
            text(&result)
        );
    }

    #[test]
    fn truncated_bodies_are_never_structured() {
        let mut cut = response(
            200,
            Some("application/json"),
            "{\"name\":\"caf\u{e9}".as_bytes(),
        );
        cut.body.pop(); // half of `é`
        cut.truncated = true;
        let n = cut.body.len();
        let result = tool_result(&tool(None, OutputShape::Object), &cut);
        assert_eq!(result.is_error, Some(false));
        assert_eq!(result.structured_content, None);
        assert_eq!(
            text(&result),
            format!("{{\"name\":\"caf\n[truncated after {n} bytes]")
        );

        let result = tool_result(&tool(Some(PET), OutputShape::Object), &cut);
        assert_eq!(result.is_error, Some(true));
        assert!(
            text(&result).contains("--max-response-bytes"),
            "{}",
            text(&result)
        );
        assert!(text(&result).contains(&format!("[truncated after {n} bytes]")));

        let mut binary = response(200, Some("image/png"), b"\x89PNG");
        binary.truncated = true;
        let result = tool_result(&tool(None, OutputShape::Object), &binary);
        assert!(result.content[0].as_image().is_none());
        assert!(
            text(&result).contains("[truncated after 4 bytes]"),
            "{}",
            text(&result)
        );
    }

    #[test]
    fn error_statuses_carry_a_bounded_excerpt() {
        let result = tool_result(
            &tool(Some(PET), OutputShape::Object),
            &response(404, Some("application/json"), br#"{"error":"no pet"}"#),
        );
        assert_eq!(result.is_error, Some(true));
        assert_eq!(result.structured_content, None);
        assert_eq!(
            text(&result),
            "HTTP 404 Not Found from GET /pets/{petId}\n{\"error\":\"no pet\"}"
        );

        let long = "é".repeat(ERROR_EXCERPT_BYTES); // two bytes each; the cut falls mid-character
        let mut body = b"x".to_vec();
        body.extend_from_slice(long.as_bytes());
        let result = tool_result(
            &tool(None, OutputShape::Object),
            &response(500, Some("text/plain"), &body),
        );
        let text = text(&result);
        assert!(
            text.starts_with("HTTP 500 Internal Server Error from GET /pets/{petId}\nxé"),
            "{text}"
        );
        assert!(
            text.ends_with(&format!(
                "\n[truncated after {} bytes]",
                ERROR_EXCERPT_BYTES - 1
            )),
            "{text}"
        );
        assert!(text.len() < ERROR_EXCERPT_BYTES + 200);

        let result = tool_result(
            &tool(None, OutputShape::Object),
            &response(503, Some("image/png"), b"\x89PNG"),
        );
        assert_eq!(
            super::tests::text(&result),
            "HTTP 503 Service Unavailable from GET /pets/{petId}\n[4 bytes of image/png]"
        );

        let result = tool_result(&tool(None, OutputShape::Object), &response(302, None, b""));
        assert!(super::tests::text(&result).contains("redirects are not followed"));
        let result = tool_result(&tool(None, OutputShape::Object), &response(599, None, b""));
        assert_eq!(
            super::tests::text(&result),
            "HTTP 599 from GET /pets/{petId}"
        );
    }

    #[test]
    fn transport_and_argument_errors() {
        let result = upstream_error(
            &tool(None, OutputShape::Object),
            &UpstreamError::Timeout(Duration::from_secs(30)),
        );
        assert_eq!(result.is_error, Some(true));
        assert!(
            text(&result).starts_with(
                "GET /pets/{petId} failed: the upstream API did not answer within 30 s"
            )
        );
        let result = argument_error(&ArgError::new("limit", "must be at most 100"));
        assert_eq!(
            (result.is_error, text(&result).as_str()),
            (Some(true), "invalid argument `limit`: must be at most 100")
        );
    }
}
