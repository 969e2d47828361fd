//! Steps 7–8: the MCP calls with the token, on rmcp's client over an `AuthClient` transport:
//! `tools/list`, then `--call TOOL --args JSON` or the first read-only tool. A `403
//! insufficient_scope` runs the step-up authorization once and retries; a `401` after the
//! server accepted the token (its authorization server changed, say) asks the caller to start
//! over from the new challenge, once.

use std::sync::Arc;

use rmcp::model::{CallToolRequestParams, JsonObject, ProtocolVersion, Tool};
use rmcp::service::{ClientLifecycleMode, RunningService};
use rmcp::transport::WWWAuthenticateParams;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{AuthClient, AuthorizationManager, StreamableHttpClientTransport};
use rmcp::{ClientHandler, ClientServiceExt as _, RoleClient};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use url::Url;

use super::flow;
use super::options::Options;
use super::redirect::Loopback;
use super::report::Report;

/// A client that offers nothing (no sampling, elicitation or roots): the test only calls.
struct Plain;
impl ClientHandler for Plain {}

/// How the calls ended.
pub enum Outcome {
    Done,
    /// The server answered `401` to a token it had accepted: authorize again from this
    /// challenge.
    Reauthorize(String),
}

/// Probe with `server/discover` (2026-07-28) and fall back to `initialize` for older servers.
fn lifecycle() -> ClientLifecycleMode {
    ClientLifecycleMode::Auto {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        legacy_version: None,
    }
}

/// Which MCP request a challenge interrupted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Connect,
    List,
    Call,
}

impl Stage {
    fn step(self) -> &'static str {
        match self {
            Stage::Connect | Stage::List => "tools-list",
            Stage::Call => "tool-call",
        }
    }

    fn request(self) -> &'static str {
        match self {
            Stage::Connect => "connecting (server/discover or initialize)",
            Stage::List => "tools/list",
            Stage::Call => "tools/call",
        }
    }
}

/// Where a run stopped: at a challenge, or at its end (every step reported).
enum Stop {
    Challenge(Stage, String),
    Ended,
}

pub async fn exercise(
    options: &Options,
    url: &Url,
    manager: AuthorizationManager,
    loopback: &Loopback,
    may_reauthorize: bool,
    report: &mut Report,
) -> Outcome {
    let client = AuthClient::new(super::http::client(), manager);
    let manager: Arc<Mutex<AuthorizationManager>> = client.auth_manager.clone();
    let mut stepped_up = false;
    let mut accepted = false;
    let mut listed = false;
    loop {
        let stop = run(options, url, &client, &mut accepted, &mut listed, report).await;
        let Stop::Challenge(stage, header) = stop else {
            return Outcome::Done;
        };
        let params = WWWAuthenticateParams::parse(&header, url);
        if params.is_insufficient_scope() {
            let scope = params.scope.clone().unwrap_or_default();
            let held = manager.lock().await.get_current_scopes().await.join(" ");
            if stepped_up {
                report.fail(
                    stage.step(),
                    format!(
                        "{} got 403 insufficient_scope (scope=\"{scope}\") again after the \
                         step-up; the token holds \"{held}\"",
                        stage.request()
                    ),
                    format!(
                        "the authorization server does not grant {scope} to this client: define \
                         it for the resource {url} and allow the client to request it, or change \
                         the scopes the server asks for (a generated server: --scope-map, \
                         --scope-implies)"
                    ),
                );
                return Outcome::Done;
            }
            stepped_up = true;
            let upgraded = flow::step_up(options, &*manager.lock().await, &scope, loopback).await;
            match upgraded {
                Ok(issued) => report.pass(
                    "step-up",
                    format!(
                        "{} got 403 insufficient_scope asking scope=\"{scope}\": authorized again \
                         with the union of \"{held}\" and it; {}",
                        stage.request(),
                        issued.describe()
                    ),
                ),
                Err((saw, fix)) => {
                    report.fail("step-up", saw, fix);
                    return Outcome::Done;
                }
            }
            continue;
        }
        let said = [
            params.error.as_deref().map(|e| format!("error={e}")),
            params.error_description.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(": ");
        if accepted && may_reauthorize {
            report.pass(
                "reauthorize",
                format!(
                    "{} got 401 ({said}) for a token the server had accepted: discovering and \
                     authorizing again from the new challenge",
                    stage.request()
                ),
            );
            return Outcome::Reauthorize(header);
        }
        report.fail(
            stage.step(),
            format!(
                "{} got 401 with the token{}",
                stage.request(),
                if said.is_empty() {
                    String::new()
                } else {
                    format!(" ({said})")
                }
            ),
            "the server rejects the token: its issuer and audience settings must match the \
             token's (a generated server: --issuer / MCP_AUTH_ISSUER, MCP_AUTH_AUDIENCE, \
             MCP_RESOURCE_URL); its log says why",
        );
        return Outcome::Done;
    }
}

/// Connect, list and call, until done or a challenge.
async fn run(
    options: &Options,
    url: &Url,
    client: &AuthClient<reqwest::Client>,
    accepted: &mut bool,
    listed: &mut bool,
    report: &mut Report,
) -> Stop {
    let transport = StreamableHttpClientTransport::with_client(
        client.clone(),
        StreamableHttpClientTransportConfig::with_uri(url.as_str()),
    );
    let service = match Plain.serve_with_lifecycle(transport, lifecycle()).await {
        Ok(service) => service,
        Err(err) => {
            if let Some(header) = err.auth_challenge() {
                return Stop::Challenge(Stage::Connect, header.to_owned());
            }
            report.fail(
                "tools-list",
                format!("cannot connect with the token: {err}"),
                "check that the URL is the server's MCP endpoint (streamable HTTP)",
            );
            return Stop::Ended;
        }
    };
    *accepted = true;
    let stop = calls(options, &service, listed, report).await;
    let _ = service.cancel().await;
    stop
}

async fn calls(
    options: &Options,
    service: &RunningService<RoleClient, Plain>,
    listed: &mut bool,
    report: &mut Report,
) -> Stop {
    let tools = match service.list_all_tools().await {
        Ok(tools) => tools,
        Err(err) => {
            if let Some(header) = err.auth_challenge() {
                return Stop::Challenge(Stage::List, header.to_owned());
            }
            report.fail(
                "tools-list",
                format!("tools/list failed: {err}"),
                "see the server's log",
            );
            return Stop::Ended;
        }
    };
    if !*listed {
        *listed = true;
        let names: Vec<&str> = tools
            .iter()
            .take(8)
            .map(|tool| tool.name.as_ref())
            .collect();
        report.pass(
            "tools-list",
            format!(
                "{} tools{}{}",
                tools.len(),
                if names.is_empty() { "" } else { ": " },
                names.join(", ") + if tools.len() > 8 { ", …" } else { "" }
            ),
        );
    }
    let (tool, arguments) = match choose(options, &tools) {
        Ok(Some(found)) => found,
        Ok(None) => {
            report.pass(
                "tool-call",
                "skipped: no tool is marked read-only (pass --call TOOL --args JSON to call one)",
            );
            return Stop::Ended;
        }
        Err((saw, fix)) => {
            report.fail("tool-call", saw, fix);
            return Stop::Ended;
        }
    };
    let params = CallToolRequestParams::new(tool.clone()).with_arguments(arguments);
    match service.call_tool(params).await {
        Ok(result) => {
            let answer = if result.is_error == Some(true) {
                let text = result
                    .content
                    .iter()
                    .find_map(|block| block.as_text().map(|t| t.text.clone()))
                    .unwrap_or_default();
                let text: String = text.chars().take(160).collect();
                format!("the token was accepted; the tool answered with an error: {text}")
            } else {
                "the token was accepted and the tool answered".to_owned()
            };
            report.pass("tool-call", format!("tools/call {tool}: {answer}"));
            Stop::Ended
        }
        Err(err) => {
            if let Some(header) = err.auth_challenge() {
                return Stop::Challenge(Stage::Call, header.to_owned());
            }
            report.fail(
                "tool-call",
                format!("tools/call {tool} failed: {err}"),
                "check --args against the tool's input schema (tools/list shows it)",
            );
            Stop::Ended
        }
    }
}

/// The tool to call and its arguments: `--call`/`--args`, or the first read-only tool with
/// arguments made up from its schema.
fn choose(
    options: &Options,
    tools: &[Tool],
) -> Result<Option<(String, JsonObject)>, (String, String)> {
    let given = match &options.args {
        None => None,
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => Some(map),
            _ => {
                return Err((
                    format!("--args is not a JSON object: {text}"),
                    "pass the arguments as a JSON object, e.g. --args '{\"id\": 1}'".into(),
                ));
            }
        },
    };
    let tool = match &options.call {
        Some(name) => match tools.iter().find(|tool| tool.name == name.as_str()) {
            Some(tool) => tool,
            None => {
                let names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
                return Err((
                    format!("no tool named {name} in tools/list ({})", names.join(", ")),
                    "pass --call one of the listed tools".into(),
                ));
            }
        },
        None => match tools.iter().find(|tool| {
            tool.annotations
                .as_ref()
                .and_then(|a| a.read_only_hint)
                .unwrap_or(false)
        }) {
            Some(tool) => tool,
            None => return Ok(None),
        },
    };
    let arguments = given.unwrap_or_else(|| made_up(&tool.input_schema));
    Ok(Some((tool.name.to_string(), arguments)))
}

/// Arguments for a schema's required properties: a default, an example, the first enum value,
/// or a plain value of the type.
fn made_up(schema: &JsonObject) -> JsonObject {
    let mut out = JsonObject::new();
    let properties = schema.get("properties").and_then(Value::as_object);
    let required = schema.get("required").and_then(Value::as_array);
    for name in required.into_iter().flatten().filter_map(Value::as_str) {
        let property = properties
            .and_then(|p| p.get(name))
            .cloned()
            .unwrap_or_default();
        let value = property
            .get("default")
            .or_else(|| property.get("examples").and_then(|e| e.get(0)))
            .or_else(|| property.get("example"))
            .or_else(|| property.get("enum").and_then(|e| e.get(0)))
            .cloned()
            .unwrap_or_else(|| match property.get("type").and_then(Value::as_str) {
                Some("integer") | Some("number") => json!(1),
                Some("boolean") => json!(false),
                Some("array") => json!([]),
                Some("object") => json!({}),
                _ => json!("1"),
            });
        out.insert(name.to_owned(), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_up_arguments_fill_required_properties_only() {
        let schema = json!({
            "type": "object",
            "properties": {
                "petId": {"type": "integer"},
                "status": {"type": "string", "enum": ["sold", "available"]},
                "limit": {"type": "integer", "default": 10},
                "tag": {"type": "string"}
            },
            "required": ["petId", "status", "limit"]
        });
        let Value::Object(schema) = schema else {
            unreachable!()
        };
        assert_eq!(
            Value::Object(made_up(&schema)),
            json!({"petId": 1, "status": "sold", "limit": 10})
        );
    }
}
