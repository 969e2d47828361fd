//! `mcpwright inspect`: the tool surface of a spec, as a table or as JSON.

use serde_json::{Value, json};

use crate::ir::{Api, ParamLocation, Tool};

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
                flags(tool),
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
        "\n{} tools from {} ({} {}, {})",
        api.tools.len(),
        api.source.file_name,
        api.title,
        api.api_version,
        api.source.version.as_str()
    ));
    out.join("\n") + "\n"
}

/// Everything `inspect` knows, as JSON.
pub fn json(api: &Api) -> Value {
    json!({
        "title": api.title,
        "apiVersion": api.api_version,
        "specVersion": api.source.version.as_str(),
        "servers": api.servers.iter().map(|s| &s.url).collect::<Vec<_>>(),
        "tools": api.tools.iter().map(tool_json).collect::<Vec<_>>(),
        "warnings": api.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

fn tool_json(tool: &Tool) -> Value {
    json!({
        "name": tool.name,
        "operationId": tool.operation_id,
        "method": tool.method.as_str(),
        "path": tool.path,
        "title": tool.title,
        "description": tool.description,
        "arguments": tool.params.iter().map(|p| json!({
            "name": p.arg_name, "in": p.location.as_str(), "wireName": p.wire_name, "required": p.required,
        })).chain(tool.body.iter().map(|b| json!({
            "name": b.arg_name, "in": "body", "mediaType": b.media_type, "required": b.required,
        }))).collect::<Vec<_>>(),
        "inputSchema": tool.input_schema,
        "outputSchema": tool.output.as_ref().map(|o| &o.schema),
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
    if tool.body.is_some() {
        parts.push("body".into());
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

fn flags(tool: &Tool) -> String {
    let a = tool.annotations;
    let mut flags = Vec::new();
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
