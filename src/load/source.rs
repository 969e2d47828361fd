//! Reading the bytes of a spec into a JSON value, YAML or JSON alike.

use serde_json::Value;

use crate::error::{Diagnostic, Location};

/// Parses `text` as JSON when it looks like JSON (faster, and its errors are exact), else as YAML
/// (a superset of JSON). Syntax errors carry the line and column.
pub fn parse(text: &str, file: &str) -> Result<Value, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with(['{', '[']) {
        return serde_json::from_str(text).map_err(|err| {
            let mut location = Location::new(file, "");
            location.line_col = Some((err.line(), err.column()));
            Diagnostic::new(location, format!("invalid JSON: {err}"))
                .hint("fix the syntax error (a JSON linter such as `jq . FILE` shows it too)")
        });
    }
    serde_saphyr::from_str_with_options::<Value>(text, yaml_options(text.len())).map_err(|err| {
        let mut location = Location::new(file, "");
        location.line_col = err
            .location()
            .map(|at| (at.line() as usize, at.column() as usize))
            .filter(|&(line, _)| line > 0);
        Diagnostic::new(
            location,
            format!("invalid YAML: {}", first_line(&err.to_string())),
        )
        .hint("fix the syntax error; a spec must be one YAML or JSON document")
    })
}

/// YAML parser limits sized to the input. The parser's defaults suit configuration files (250,000
/// nodes, nesting 64 deep) and reject real API specs, which reach millions of nodes; a node takes
/// at least a byte or two of text, so limits of one per input byte stop nothing legitimate. The
/// alias limits that stop "billion laughs" expansion stay as they are, and nesting is capped where
/// JSON parsing caps it.
pub fn yaml_options(len: usize) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = len.saturating_mul(2).max(budget.max_events);
    budget.max_nodes = len.max(budget.max_nodes);
    budget.max_depth = 128;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    options
}

/// The first line of a possibly multi-line parser message (the snippet rendering is noise here,
/// the location is reported separately).
fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message).trim()
}

/// Bytes (a digest) as lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_yaml() {
        assert_eq!(parse("{\"a\": 1}", "x.json").unwrap()["a"], 1);
        assert_eq!(parse("a: 1\nb: [x]\n", "x.yaml").unwrap()["b"][0], "x");
    }

    #[test]
    fn large_documents_load() {
        // Past the YAML parser's default budget of 250,000 nodes, as big real specs are.
        let mut text = String::from("paths:\n");
        for i in 0..150_000 {
            text.push_str(&format!("  /p{i}: {{x: 1}}\n"));
        }
        let value = parse(&text, "big.yaml").unwrap();
        assert_eq!(value["paths"].as_object().unwrap().len(), 150_000);
    }

    #[test]
    fn syntax_errors_are_located() {
        let err = parse("{\n  \"a\": 1,\n}", "x.json").unwrap_err();
        assert_eq!(err.location.line_col.map(|(l, _)| l), Some(3));
        let err = parse("a: 1\nb: [x\nc: 2\n", "x.yaml").unwrap_err();
        assert!(err.location.line_col.is_some(), "{err}");
        assert!(err.message.starts_with("invalid YAML"), "{err}");
    }
}
