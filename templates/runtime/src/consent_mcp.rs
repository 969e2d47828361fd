//! How a consent request reaches the MCP client, by protocol revision: the URL-elicitation-
//! required error (`-32042`, 2025-11-25), an `InputRequiredResult` carrying a URL-mode
//! elicitation (2026-07-28), or, for a client that cannot show URLs, a tool error that says where
//! to go. The link itself is safe to show: it leads to a sign-in that must prove the same user.

use rmcp::ErrorData;
use rmcp::model::{
    CallToolResult, ClientCapabilities, ContentBlock, ElicitRequest, ElicitRequestParams,
    ErrorCode, InputRequest, InputRequests, InputRequiredResult, ProtocolVersion,
};
use serde_json::{Value, json};

use super::consent::ConsentRequest;

/// `URLElicitationRequiredError` (MCP 2025-11-25).
pub const URL_ELICITATION_REQUIRED: ErrorCode = ErrorCode(-32042);

/// The `-32042` error for `request`.
pub fn required_error(request: &ConsentRequest) -> ErrorData {
    ErrorData::new(
        URL_ELICITATION_REQUIRED,
        "this request needs you to connect an account first",
        Some(json!({
            "elicitations": [{
                "mode": "url",
                "elicitationId": request.elicitation_id,
                "url": request.url,
                "message": request.message,
            }]
        })),
    )
}

/// What a client that cannot open URLs for the user gets: the link, as text for the user.
pub fn fallback_result(request: &ConsentRequest) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(format!(
        "{} Link (for the user, valid 10 minutes): {}",
        request.message, request.url
    ))])
}

/// The URL elicitation in a `-32042` error: (elicitation id, URL, message).
pub fn elicitation_of(error: &ErrorData) -> Option<(String, String, String)> {
    if error.code != URL_ELICITATION_REQUIRED {
        return None;
    }
    let first = error.data.as_ref()?.get("elicitations")?.get(0)?;
    let text = |name: &str| first.get(name).and_then(Value::as_str).map(str::to_owned);
    Some((text("elicitationId")?, text("url")?, text("message")?))
}

/// How the client in this request is told.
pub enum Delivery {
    /// 2026-07-28 on: an `InputRequiredResult`; the client retries the request afterwards.
    InputRequired(InputRequiredResult),
    /// 2025-11-25 with URL elicitation: the `-32042` error.
    Error,
    /// No URL elicitation: a tool error with the link.
    ToolError(CallToolResult),
}

/// Chooses the delivery of the consent request in `error` for a client speaking `version` with
/// `capabilities`.
pub fn deliver(
    error: &ErrorData,
    version: Option<&ProtocolVersion>,
    capabilities: Option<&ClientCapabilities>,
) -> Option<Delivery> {
    let (id, url, message) = elicitation_of(error)?;
    if version.is_some_and(|v| !v.has_initialize()) {
        let params = ElicitRequestParams::UrlElicitationParams {
            meta: None,
            message,
            url,
            elicitation_id: id,
        };
        let mut requests = InputRequests::new();
        requests.insert(
            "connect-account".to_owned(),
            InputRequest::Elicitation(ElicitRequest::new(params)),
        );
        return Some(Delivery::InputRequired(
            InputRequiredResult::from_input_requests(requests),
        ));
    }
    // Unknown capabilities (a stateless server keeps no `initialize`): the specification's own
    // answer, the error.
    let url_capable =
        capabilities.is_none_or(|c| c.elicitation.as_ref().is_some_and(|e| e.url.is_some()));
    if url_capable {
        return Some(Delivery::Error);
    }
    let request = ConsentRequest {
        url,
        message,
        elicitation_id: id,
    };
    Some(Delivery::ToolError(fallback_result(&request)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> ConsentRequest {
        ConsentRequest {
            url: "https://mcp.example.com/connect/github?state=s".into(),
            message: "Connect your GitHub account".into(),
            elicitation_id: "e1".into(),
        }
    }

    #[test]
    fn the_error_carries_one_url_elicitation() {
        let error = required_error(&request());
        assert_eq!(error.code.0, -32042);
        let (id, url, _) = elicitation_of(&error).unwrap();
        assert_eq!((id.as_str(), url.as_str()), ("e1", request().url.as_str()));
    }

    #[test]
    fn delivery_follows_the_revision_and_capabilities() {
        let error = required_error(&request());
        let latest = ProtocolVersion::V_2026_07_28;
        assert!(matches!(
            deliver(&error, Some(&latest), None),
            Some(Delivery::InputRequired(_))
        ));
        let v2025 = ProtocolVersion::V_2025_11_25;
        let url: ClientCapabilities =
            serde_json::from_value(json!({"elicitation": {"url": {}}})).unwrap();
        assert!(matches!(
            deliver(&error, Some(&v2025), Some(&url)),
            Some(Delivery::Error)
        ));
        let form: ClientCapabilities = serde_json::from_value(json!({"elicitation": {}})).unwrap();
        match deliver(&error, Some(&v2025), Some(&form)) {
            Some(Delivery::ToolError(result)) => {
                assert_eq!(result.is_error, Some(true));
                let text = serde_json::to_string(&result.content).unwrap();
                assert!(text.contains("/connect/github?state=s"), "{text}");
            }
            _ => panic!("a tool error with the link"),
        }
        assert!(
            matches!(deliver(&error, Some(&v2025), None), Some(Delivery::Error)),
            "a stateless server does not know the capabilities: the error"
        );
        assert!(deliver(&ErrorData::internal_error("x", None), None, None).is_none());
    }
}
