//! `mcpwright inspect`: the tool surface of a spec, as a table or as JSON.

use serde_json::{Value, json};

use crate::ir::{Api, ParamLocation, Tool};
use crate::search::{AUTO_SEARCH_ABOVE, ToolMode, search_tools};

/// A fixed-width table: one line per tool.
pub fn table(api: &Api) -> String {
    let rows: Vec<[String; 6]> = api
        .tools
        .iter()
        .map(|tool| {
            [
                tool.name.clone(),
                tool.method.as_str().to_owned(),
                tool.path.clone(),
                arguments(tool),
                security(tool),
                flags(api, tool),
            ]
        })
        .collect();
    let headers = ["TOOL", "METHOD", "PATH", "ARGS", "SECURITY", "HINTS"];
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut out = vec![line(headers.to_vec())];
    out.extend(
        rows.iter()
            .map(|row| line(row.iter().map(String::as_str).collect())),
    );
    out.push(format!(
        "\n{} tools from {} ({} {}, {}); tools/list is {} bytes",
        api.listed_count(),
        api.source.file_name,
        api.title,
        api.api_version,
        api.source.version.as_str(),
        tools_list_bytes(api)
    ));
    out.join("\n") + "\n"
}

/// The operations offered as resources, one line each with its URI template (the default ones
/// start with `crate_name`, or `<crate-name>` when the name comes from the output folder); nothing
/// when there are none.
pub fn resources_lines(api: &Api, crate_name: Option<&str>) -> String {
    let name = crate_name.unwrap_or("<crate-name>");
    let rows: Vec<(String, &Tool)> = api
        .resources
        .iter()
        .map(|r| (r.uri_template(name), &api.tools[r.tool]))
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let width = rows
        .iter()
        .map(|(uri, _)| uri.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = format!("\n{} resources:\n", rows.len());
    for (uri, tool) in rows {
        let also = if tool.listed {
            "also a tool"
        } else {
            "not a tool"
        };
        out.push_str(&format!("  {uri:<width$}  {} ({also})\n", tool.label));
    }
    out
}

/// Adds the resources to `inspect --format json`: `resources`, each with its URI template, tool
/// and operation.
pub fn add_resources(json: &mut Value, api: &Api, crate_name: Option<&str>) {
    let name = crate_name.unwrap_or("<crate-name>");
    json["resources"] = api
        .resources
        .iter()
        .map(|r| {
            let tool = &api.tools[r.tool];
            json!({
                "uriTemplate": r.uri_template(name),
                "tool": tool.name,
                "operation": tool.label,
                "listedAsTool": tool.listed,
                "mimeType": r.mime_type,
            })
        })
        .collect();
}

/// How many tools some clients accept or show (Cursor and others cap around 40, several at 100).
const TOOL_LIMITS: [usize; 2] = [40, 100];
/// Cursor's tool name limit; Claude and OpenAI allow 64.
const SHORT_NAME_LIMIT: usize = 60;
/// An input schema beyond this many bytes costs every request its share of the context.
const LARGE_SCHEMA_BYTES: usize = 16 * 1024;
/// A `tools/list` answer beyond this many bytes (about 25k tokens) crowds out the conversation.
const LARGE_LIST_BYTES: usize = 100 * 1024;

/// The `tools/list` answer as MCP clients receive it, in bytes.
pub fn tools_list_bytes(api: &Api) -> usize {
    let tools: Vec<Value> = api
        .listed()
        .map(|t| {
            json!({
                "name": t.name, "title": t.title, "description": t.description,
                "inputSchema": api.assemble(&t.input_schema), "outputSchema": t.output.as_ref().map(|o| api.assemble(&o.schema)),
                "annotations": {"readOnlyHint": t.annotations.read_only, "destructiveHint": t.annotations.destructive,
                                "idempotentHint": t.annotations.idempotent, "openWorldHint": t.annotations.open_world},
            })
        })
        .collect();
    json!({"tools": tools}).to_string().len()
}

/// The `tools/list` answer of search mode (its three tools), in bytes.
pub fn search_tools_list_bytes(api: &Api) -> usize {
    let docs = crate::search::documents(api);
    let tags = search_tools::tag_counts(docs.iter().map(|doc| doc.tags.as_slice()));
    let tools = search_tools::tools(&api.title, api.listed_count(), &tags);
    json!({"tools": tools}).to_string().len()
}

/// Which tool mode the server gets by default, and `tools/list`'s size in both modes.
pub fn tool_mode_line(api: &Api, mode: ToolMode) -> String {
    let searches = mode.searches(api.listed_count());
    let why = match mode {
        ToolMode::Auto if searches => format!(" (auto: more than {AUTO_SEARCH_ABOVE} tools)"),
        ToolMode::Auto => format!(" (auto: {AUTO_SEARCH_ABOVE} tools or fewer)"),
        _ => String::new(),
    };
    format!(
        "tool mode: {}{why}; tools/list is {} bytes with one tool per operation, {} bytes in search mode (3 tools)",
        if searches { "search" } else { "operations" },
        tools_list_bytes(api),
        search_tools_list_bytes(api),
    )
}

/// Adds the tool mode to `inspect --format json`: `toolMode` (what the server serves by
/// default), `toolModeSetting` and `searchToolsListBytes`.
pub fn add_tool_mode(json: &mut Value, api: &Api, mode: ToolMode) {
    let searches = mode.searches(api.listed_count());
    json["toolMode"] = json!(if searches { "search" } else { "operations" });
    json["toolModeSetting"] = json!(mode.as_str());
    json["searchToolsListBytes"] = json!(search_tools_list_bytes(api));
}

/// What MCP clients may dislike about this tool surface, each with the choice that fixes it.
pub fn lints(api: &Api) -> Vec<String> {
    let mut lints = Vec::new();
    let count = api.tools.len();
    if let Some(limit) = TOOL_LIMITS.iter().rev().find(|limit| count > **limit) {
        let mut tags: Vec<(String, usize)> = Vec::new();
        for tag in api.tools.iter().flat_map(|t| t.tags.first()) {
            match tags.iter_mut().find(|(t, _)| t == tag) {
                Some((_, n)) => *n += 1,
                None => tags.push((tag.clone(), 1)),
            }
        }
        tags.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let largest: Vec<String> = tags
            .iter()
            .take(5)
            .map(|(t, n)| format!("{t} ({n})"))
            .collect();
        let fix = if largest.is_empty() {
            "keep fewer with --include-op / --exclude-op or --include-method GET".to_owned()
        } else {
            format!(
                "keep fewer with --include-tag or --exclude-tag; the largest tags: {}",
                largest.join(", ")
            )
        };
        lints.push(format!(
            "{count} tools: more than the {limit} some MCP clients accept; {fix}"
        ));
    }
    let long: Vec<&str> = api
        .tools
        .iter()
        .filter(|t| t.name.len() >= SHORT_NAME_LIMIT)
        .map(|t| t.name.as_str())
        .collect();
    if !long.is_empty() {
        let shown: Vec<String> = long
            .iter()
            .take(5)
            .map(|n| format!("`{n}` ({})", n.len()))
            .collect();
        lints.push(format!(
            "{} {SHORT_NAME_LIMIT} characters or longer (Cursor accepts up to {SHORT_NAME_LIMIT}, Claude and OpenAI 64): {}{}; shorten them with --rename OPERATION=NAME",
            if long.len() == 1 { "1 tool name is".to_owned() } else { format!("{} tool names are", long.len()) },
            shown.join(", "),
            if long.len() > 5 { ", …" } else { "" }
        ));
    }
    let mut large: Vec<(usize, &str)> = api
        .tools
        .iter()
        .map(|t| {
            (
                api.assemble(&t.input_schema).to_string().len(),
                t.name.as_str(),
            )
        })
        .filter(|(size, _)| *size > LARGE_SCHEMA_BYTES)
        .collect();
    large.sort_by(|a, b| b.cmp(a));
    if !large.is_empty() {
        let shown: Vec<String> = large
            .iter()
            .take(5)
            .map(|(size, name)| format!("`{name}` ({} KB)", size / 1024))
            .collect();
        lints.push(format!(
            "{} over {} KB: {}; leave them out with --exclude-op if clients struggle",
            if large.len() == 1 {
                "1 tool has an input schema".to_owned()
            } else {
                format!("{} tools have input schemas", large.len())
            },
            LARGE_SCHEMA_BYTES / 1024,
            shown.join(", ")
        ));
    }
    let bytes = tools_list_bytes(api);
    if bytes > LARGE_LIST_BYTES {
        lints.push(format!(
            "tools/list is {} KB (about {}k tokens) before the conversation starts; keep fewer tools with --include-tag or --exclude-op",
            bytes / 1024,
            bytes / 4 / 1000
        ));
    }
    lints
}

/// Everything `inspect` knows, as JSON.
pub fn json(api: &Api) -> Value {
    json!({
        "title": api.title,
        "apiVersion": api.api_version,
        "specVersion": api.source.version.as_str(),
        "servers": api.servers.iter().map(|s| &s.url).collect::<Vec<_>>(),
        "tools": api.tools.iter().map(|tool| tool_json(api, tool)).collect::<Vec<_>>(),
        "warnings": api.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "toolsListBytes": tools_list_bytes(api),
        "clientLimits": lints(api),
    })
}

fn tool_json(api: &Api, tool: &Tool) -> Value {
    json!({
        "name": tool.name,
        "operationId": tool.operation_id,
        "method": tool.method.as_str(),
        "path": tool.path,
        "title": tool.title,
        "description": tool.description,
        "arguments": tool.params.iter().map(|p| json!({
            "name": p.arg_name, "in": p.location.as_str(), "wireName": p.wire_name, "required": p.required,
        })).chain(tool.body.iter().map(|b| if b.flat {
            // Its properties are the input schema's own, beside the parameters'.
            json!({"name": null, "in": "body", "flat": true, "mediaType": b.media_type, "required": b.required})
        } else {
            json!({"name": b.arg_name, "in": "body", "mediaType": b.media_type, "required": b.required})
        })).collect::<Vec<_>>(),
        "inputSchema": api.assemble(&tool.input_schema),
        "outputSchema": tool.output.as_ref().map(|o| api.assemble(&o.schema)),
        "security": tool.security.iter().map(|r| r.schemes.iter().map(|(name, scopes)| json!({"scheme": name, "scopes": scopes})).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "annotations": {
            "readOnlyHint": tool.annotations.read_only,
            "destructiveHint": tool.annotations.destructive,
            "idempotentHint": tool.annotations.idempotent,
            "openWorldHint": tool.annotations.open_world,
        },
    })
}

fn arguments(tool: &Tool) -> String {
    let count = |location| {
        tool.params
            .iter()
            .filter(|p| p.location == location)
            .count()
    };
    let mut parts = Vec::new();
    for (location, label) in [
        (ParamLocation::Path, "path"),
        (ParamLocation::Query, "query"),
        (ParamLocation::Header, "header"),
        (ParamLocation::Cookie, "cookie"),
    ] {
        match count(location) {
            0 => {}
            n => parts.push(format!("{n} {label}")),
        }
    }
    match &tool.body {
        Some(body) if body.flat => parts.push("flat body".into()),
        Some(_) => parts.push("body".into()),
        None => {}
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(", ")
    }
}

fn security(tool: &Tool) -> String {
    if tool.security.is_empty() {
        return "-".into();
    }
    tool.security
        .iter()
        .map(|requirement| {
            if requirement.schemes.is_empty() {
                return "none".to_owned();
            }
            requirement
                .schemes
                .iter()
                .map(|(name, scopes)| {
                    if scopes.is_empty() {
                        name.clone()
                    } else {
                        format!("{name}[{}]", scopes.join(" "))
                    }
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn flags(api: &Api, tool: &Tool) -> String {
    let a = tool.annotations;
    let mut flags = Vec::new();
    if api
        .resources
        .iter()
        .any(|r| std::ptr::eq(&api.tools[r.tool], tool))
    {
        flags.push(if tool.listed {
            "resource"
        } else {
            "resource-only"
        });
    }
    if a.read_only {
        flags.push("read-only");
    }
    if a.destructive {
        flags.push("destructive");
    }
    if a.idempotent && !a.read_only {
        flags.push("idempotent");
    }
    if tool.deprecated {
        flags.push("deprecated");
    }
    flags.join(",")
}
