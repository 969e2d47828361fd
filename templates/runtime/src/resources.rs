//! MCP resources read through `GET` operations (`mcpwright generate --resource`): the lists
//! (`resources/list` for URIs without variables, `resources/templates/list` for the others), which
//! operation and arguments a URI of `resources/read` stands for, the contents made of the upstream
//! answer, and `completion/complete` for template variables. The call itself is the server's
//! (`server`), the same as a tool call's: validation, hooks, credentials, scopes.
//!
//! (`resource`, singular, is the other sense of the word: this server as an OAuth protected
//! resource.)

use rmcp::model::{
    CacheScope, CompletionInfo, ErrorData, ReadResourceResult, Resource, ResourceContents,
    ResourceTemplate,
};
use serde_json::{Value, json};

use super::api::{ApiDef, JsonObject, ResourceDef, ToolDef, ValueKind};
use super::response;
use super::upstream::UpstreamResponse;
use super::uri_template::UriTemplate;

/// How long a `resources/read` result may be reused when the upstream's `Cache-Control` does not
/// say: not at all. An API that wants its data cached says so.
const DEFAULT_READ_TTL_MS: u64 = 0;

/// The API's resources, with their templates parsed once.
#[derive(Debug, Default)]
pub struct Catalog {
    /// Fixed URIs first, then templates, each in the API's order: the first match reads a URI.
    entries: Vec<(UriTemplate, &'static ResourceDef)>,
}

/// What a URI of `resources/read` stands for.
#[derive(Debug)]
pub struct Resolved {
    pub def: &'static ResourceDef,
    /// The tool arguments the URI's variables give.
    pub arguments: JsonObject,
}

impl Catalog {
    pub fn new(api: &'static ApiDef) -> Catalog {
        let mut entries: Vec<(UriTemplate, &'static ResourceDef)> = api
            .resources
            .iter()
            .filter_map(|def| match UriTemplate::parse(def.uri_template) {
                Ok(template) => Some((template, def)),
                Err(err) => {
                    // mcpwright checked every template; a broken one is left out, not a panic.
                    tracing::warn!(uri = def.uri_template, "unusable resource template: {err}");
                    None
                }
            })
            .collect();
        entries.sort_by_key(|(template, _)| !template.is_fixed());
        Catalog { entries }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every tool a resource reads (for the scopes a basic client needs).
    pub fn tools(&self) -> impl Iterator<Item = &'static ToolDef> + '_ {
        self.entries.iter().map(|(_, def)| def.tool)
    }

    /// `resources/list`: the resources with a fixed URI that `visible` keeps.
    pub fn resources(&self, visible: impl Fn(&ToolDef) -> bool) -> Vec<Resource> {
        self.described(true, visible, |def, tool| {
            let resource = Resource::new(def.uri_template, tool.name);
            let resource = resource.with_description(tool.description);
            let resource = match tool.title {
                Some(title) => resource.with_title(title),
                None => resource,
            };
            match def.mime_type {
                Some(mime) => resource.with_mime_type(mime),
                None => resource,
            }
        })
    }

    /// `resources/templates/list`: the templates with variables that `visible` keeps.
    pub fn templates(&self, visible: impl Fn(&ToolDef) -> bool) -> Vec<ResourceTemplate> {
        self.described(false, visible, |def, tool| {
            let template = ResourceTemplate::new(def.uri_template, tool.name);
            let template = template.with_description(tool.description);
            let template = match tool.title {
                Some(title) => template.with_title(title),
                None => template,
            };
            match def.mime_type {
                Some(mime) => template.with_mime_type(mime),
                None => template,
            }
        })
    }

    /// The entries with a fixed URI (or with variables) that `visible` keeps, each described
    /// by `describe` from its operation.
    fn described<T>(
        &self,
        fixed: bool,
        visible: impl Fn(&ToolDef) -> bool,
        describe: impl Fn(&ResourceDef, &ToolDef) -> T,
    ) -> Vec<T> {
        self.entries
            .iter()
            .filter(|(template, def)| template.is_fixed() == fixed && visible(def.tool))
            .map(|(_, def)| describe(def, def.tool))
            .collect()
    }

    /// The resource `uri` names, with the arguments its variables give; `None` when no template
    /// matches.
    pub fn resolve(&self, uri: &str) -> Option<Resolved> {
        self.entries.iter().find_map(|(template, def)| {
            let values = template.matches(uri)?;
            Some(Resolved {
                def,
                arguments: arguments(def, &values),
            })
        })
    }

    /// `completion/complete` of `variable` in the template `template`: the variable's known
    /// values that start with `typed` (ignoring case), at most 100 (MCP's limit), with the total.
    /// An unknown template or variable has nothing to offer, which is an answer, not an error:
    /// clients ask while the user types.
    pub fn complete(&self, template: &str, variable: &str, typed: &str) -> CompletionInfo {
        let candidates = self
            .entries
            .iter()
            .find(|(_, def)| def.uri_template == template)
            .and_then(|(_, def)| def.variables.iter().find(|v| v.name == variable))
            .map_or(&[][..], |v| v.completions);
        let typed = typed.to_lowercase();
        let matching: Vec<String> = candidates
            .iter()
            .filter(|value| value.to_lowercase().starts_with(&typed))
            .map(|value| (*value).to_owned())
            .collect();
        let total = matching.len();
        let values: Vec<String> = matching
            .into_iter()
            .take(CompletionInfo::MAX_VALUES)
            .collect();
        let more = values.len() < total;
        CompletionInfo::with_pagination(values, u32::try_from(total).ok(), more).unwrap_or_default()
    }
}

/// The tool arguments of a matched URI: each variable's text read as its argument's type; a
/// text that is not of that type is passed as it is, and validation says what is wrong with it.
fn arguments(def: &ResourceDef, values: &[(String, String)]) -> JsonObject {
    let mut arguments = JsonObject::new();
    for variable in def.variables {
        let texts: Vec<&str> = values
            .iter()
            .filter(|(name, _)| name == variable.name)
            .map(|(_, text)| text.as_str())
            .collect();
        let value = match texts.as_slice() {
            [] => continue,
            [one] if !variable.list => typed(one, variable.kind),
            [one] => Value::Array(one.split(',').map(|t| typed(t, variable.kind)).collect()),
            many if variable.list => {
                Value::Array(many.iter().map(|t| typed(t, variable.kind)).collect())
            }
            // One value was wanted and the query gave several: the last counts, as in most
            // servers' query parsing.
            [.., last] => typed(last, variable.kind),
        };
        arguments.insert(variable.argument.to_owned(), value);
    }
    arguments
}

fn typed(text: &str, kind: ValueKind) -> Value {
    let parsed = match kind {
        ValueKind::String => None,
        ValueKind::Integer => text.parse::<i64>().ok().map(Value::from),
        ValueKind::Number => serde_json::from_str::<serde_json::Number>(text)
            .ok()
            .map(Value::Number),
        ValueKind::Boolean => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        ValueKind::Json => serde_json::from_str(text).ok(),
    };
    parsed.unwrap_or_else(|| Value::String(text.to_owned()))
}

/// The error for a URI that names no resource: resource-not-found with the URI (SEP-2164; rmcp
/// sends it as invalid-params to 2026-07-28 clients, as that revision asks).
pub fn not_found(uri: &str, why: &str) -> ErrorData {
    ErrorData::resource_not_found(
        format!("no resource `{uri}`: {why}"),
        Some(json!({"uri": uri})),
    )
}

/// The `resources/read` result for the upstream's answer to the read of `uri`. Only a success
/// is contents; anything else is an error that says what the upstream answered, as a tool
/// result would.
pub fn contents(
    def: &ResourceDef,
    uri: &str,
    answer: &UpstreamResponse,
    personal: bool,
) -> Result<ReadResourceResult, ErrorData> {
    let tool = def.tool;
    if answer.status == 404 || answer.status == 410 {
        return Err(not_found(
            uri,
            &format!(
                "the upstream answered {}",
                response::status_line(answer.status)
            ),
        ));
    }
    if !(200..300).contains(&answer.status) {
        let result = response::tool_result(tool, answer);
        return Err(ErrorData::internal_error(
            text_of(&result.content),
            Some(json!({"uri": uri, "status": answer.status})),
        ));
    }
    if answer.truncated {
        return Err(ErrorData::internal_error(
            format!(
                "`{uri}` is larger than this server returns (--max-response-bytes): only its first {} bytes arrived",
                answer.body.len()
            ),
            Some(json!({"uri": uri})),
        ));
    }
    let media = response::media_type(answer.content_type.as_deref())
        .or_else(|| def.mime_type.map(str::to_owned))
        .unwrap_or_else(|| response::sniff(&answer.body).to_owned());
    let textual = response::is_json(&media) || response::is_textual(&media);
    let content = match std::str::from_utf8(&answer.body) {
        Ok(text) if textual => ResourceContents::text(text, uri),
        _ => ResourceContents::blob(response::base64(&answer.body), uri),
    };
    let (ttl, scope) = cache_hints(answer.cache_control.as_deref(), personal);
    Ok(ReadResourceResult::new(vec![content.with_mime_type(media)])
        .with_ttl_ms(ttl)
        .with_cache_scope(scope))
}

/// The error for a read that never got an answer (bad arguments, no credentials, the upstream
/// unreachable), from the tool result that says why: arguments the URI gave that do not fit are
/// the client's mistake (invalid params), the rest is the server's.
pub fn failure(uri: &str, content: &[rmcp::model::ContentBlock], invalid: bool) -> ErrorData {
    let message = format!("cannot read `{uri}`: {}", text_of(content));
    let data = Some(json!({"uri": uri}));
    if invalid {
        ErrorData::invalid_params(message, data)
    } else {
        ErrorData::internal_error(message, data)
    }
}

fn text_of(content: &[rmcp::model::ContentBlock]) -> String {
    let lines: Vec<&str> = content
        .iter()
        .filter_map(|block| block.as_text().map(|text| text.text.as_str()))
        .collect();
    lines.join("\n")
}

/// `ttlMs` and `cacheScope` of a read (SEP-2549) from the upstream's `Cache-Control`: its
/// `max-age` (none, `no-store` or `no-cache`: zero), `private` when the upstream says so or the
/// read was made for one caller (its token, its scopes).
fn cache_hints(cache_control: Option<&str>, personal: bool) -> (u64, CacheScope) {
    let mut ttl = None;
    let mut private = personal;
    let mut never = false;
    for directive in cache_control.unwrap_or("").split(',') {
        let directive = directive.trim().to_ascii_lowercase();
        match directive.split_once('=') {
            Some(("max-age", seconds)) => {
                ttl = seconds.trim_matches('"').parse::<u64>().ok();
            }
            None if directive == "private" => private = true,
            None if directive == "no-store" || directive == "no-cache" => never = true,
            _ => {}
        }
    }
    let ttl = if never {
        0
    } else {
        ttl.map_or(DEFAULT_READ_TTL_MS, |seconds| seconds.saturating_mul(1000))
    };
    let scope = if private {
        CacheScope::Private
    } else {
        CacheScope::Public
    };
    (ttl, scope)
}

#[cfg(test)]
mod tests {
    use super::super::api::{Annotations, Method, Schema, UriVariable};
    use super::super::errors::ArgError;
    use super::super::request::Request;
    use super::*;

    fn build(_: JsonObject) -> Result<Request, ArgError> {
        Ok(Request::new(Method::Get, "/"))
    }

    static PET: ToolDef = ToolDef {
        name: "getPet",
        title: Some("A pet"),
        description: "One pet.",
        method: Method::Get,
        path: "/pets/{petId}",
        input_schema: Schema::standalone(r#"{"type":"object"}"#),
        output_schema: None,
        output: super::super::api::OutputShape::Object,
        annotations: Annotations::READ_ONLY,
        accept: None,
        security: &[],
        scopes: &[],
        build,
    };
    static RESOURCES: [ResourceDef; 2] = [
        ResourceDef {
            uri_template: "pets://pets/{petId}{?tags,verbose}",
            tool: &PET,
            variables: &[
                UriVariable {
                    name: "petId",
                    argument: "petId",
                    kind: ValueKind::Integer,
                    list: false,
                    completions: &["1", "12", "2"],
                },
                UriVariable {
                    name: "tags",
                    argument: "tags",
                    kind: ValueKind::String,
                    list: true,
                    completions: &[],
                },
                UriVariable {
                    name: "verbose",
                    argument: "verbose",
                    kind: ValueKind::Boolean,
                    list: false,
                    completions: &[],
                },
            ],
            mime_type: Some("application/json"),
        },
        ResourceDef {
            uri_template: "pets://pets/mine",
            tool: &PET,
            variables: &[],
            mime_type: None,
        },
    ];
    static API: ApiDef = ApiDef {
        name: "t",
        version: "0",
        title: "T",
        api_version: "1",
        instructions: None,
        default_upstream_url: None,
        tools: &[],
        resources: &RESOURCES,
        scopes_supported: &[],
        scope_implies: &[],
        default_issuer: None,
        schemes: &[],
        hooks: &super::super::hooks::NoHooks,
        default_tool_mode: super::super::api::ToolMode::Auto,
        search_index: "",
    };

    #[test]
    fn a_fixed_uri_wins_over_a_template_and_variables_become_typed_arguments() {
        let catalog = Catalog::new(&API);
        let mine = catalog.resolve("pets://pets/mine").unwrap();
        assert_eq!(mine.def.uri_template, "pets://pets/mine");
        let one = catalog
            .resolve("pets://pets/12?tags=a,b%2Cc&verbose=true")
            .unwrap();
        assert_eq!(
            Value::Object(one.arguments),
            json!({"petId": 12, "tags": ["a", "b", "c"], "verbose": true})
        );
        // Not an integer: passed on as text, for validation to refuse with its message.
        let bad = catalog.resolve("pets://pets/twelve").unwrap();
        assert_eq!(Value::Object(bad.arguments), json!({"petId": "twelve"}));
        assert!(catalog.resolve("pets://owners/1").is_none());
        assert_eq!(catalog.resources(|_| true).len(), 1);
        assert_eq!(catalog.templates(|_| true).len(), 1);
        assert!(catalog.templates(|_| false).is_empty());
    }

    #[test]
    fn completes_from_known_values() {
        let catalog = Catalog::new(&API);
        let template = "pets://pets/{petId}{?tags,verbose}";
        let offered = catalog.complete(template, "petId", "1");
        assert_eq!(offered.values, ["1", "12"]);
        assert_eq!(offered.total, Some(2));
        assert_eq!(offered.has_more, Some(false));
        assert!(catalog.complete(template, "tags", "").values.is_empty());
        assert!(
            catalog
                .complete("pets://nope", "petId", "")
                .values
                .is_empty()
        );
    }

    #[test]
    fn contents_follow_the_answer() {
        let answer = |status: u16, content_type: Option<&str>, body: &[u8], cache: Option<&str>| {
            UpstreamResponse {
                status,
                content_type: content_type.map(str::to_owned),
                content_disposition: None,
                cache_control: cache.map(str::to_owned),
                body: body.to_vec(),
                truncated: false,
                elapsed: std::time::Duration::ZERO,
            }
        };
        let def = &RESOURCES[0];
        let uri = "pets://pets/1";
        let text = contents(
            def,
            uri,
            &answer(
                200,
                Some("application/json; charset=utf-8"),
                b"{\"id\":1}",
                Some("public, max-age=60"),
            ),
            false,
        )
        .unwrap();
        let json = serde_json::to_value(&text).unwrap();
        assert_eq!(json["contents"][0]["text"], "{\"id\":1}");
        assert_eq!(json["contents"][0]["mimeType"], "application/json");
        assert_eq!(json["contents"][0]["uri"], uri);
        assert_eq!(json["ttlMs"], 60000);
        assert_eq!(json["cacheScope"], "public");
        let png = contents(
            def,
            uri,
            &answer(200, Some("image/png"), &[0x89, b'P', b'N', b'G'], None),
            true,
        )
        .unwrap();
        let json = serde_json::to_value(&png).unwrap();
        assert_eq!(json["contents"][0]["blob"], "iVBORw==");
        assert_eq!(json["ttlMs"], 0);
        assert_eq!(json["cacheScope"], "private");
        let missing = contents(def, uri, &answer(404, None, b"", None), false).unwrap_err();
        assert_eq!(missing.code, rmcp::model::ErrorCode::RESOURCE_NOT_FOUND);
        assert_eq!(missing.data, Some(json!({"uri": uri})));
        let failed = contents(
            def,
            uri,
            &answer(503, Some("text/plain"), b"down", None),
            false,
        )
        .unwrap_err();
        assert_eq!(failed.code, rmcp::model::ErrorCode::INTERNAL_ERROR);
        assert!(failed.message.contains("503"), "{}", failed.message);
        assert_eq!(
            cache_hints(Some("max-age=5, private"), false),
            (5000, CacheScope::Private)
        );
        assert_eq!(
            cache_hints(Some("no-store, max-age=5"), false),
            (0, CacheScope::Public)
        );
    }
}
