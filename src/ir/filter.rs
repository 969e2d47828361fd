//! Which operations become tools: include and exclude filters by tag, operation, method and path,
//! for clients that cap how many tools they accept.

use super::model::Method;
// The type is a setting (the file and the flags fill it), so it is declared with the options;
// how it matches an operation is the IR's business, here.
use crate::options::Filters;

/// What filters look at in an operation.
pub struct Candidate<'a> {
    pub tags: Vec<&'a str>,
    pub operation_id: Option<&'a str>,
    /// The tool name the operation would get without a clash.
    pub tool_name: &'a str,
    pub method: Method,
    pub path: &'a str,
}

impl Filters {
    /// Whether the operation is kept.
    pub fn keeps(&self, op: &Candidate<'_>) -> bool {
        let tag = |pattern: &String| op.tags.iter().any(|t| t.eq_ignore_ascii_case(pattern));
        let id = |pattern: &String| {
            op.operation_id.is_some_and(|id| glob(pattern, id)) || glob(pattern, op.tool_name)
        };
        let method = |pattern: &String| pattern.eq_ignore_ascii_case(op.method.as_str());
        let path = |pattern: &String| glob(pattern, op.path);
        let included = |list: &[String], test: &dyn Fn(&String) -> bool| {
            list.is_empty() || list.iter().any(test)
        };
        let excluded = |list: &[String], test: &dyn Fn(&String) -> bool| list.iter().any(test);
        included(&self.include_tags, &tag)
            && included(&self.include_ops, &id)
            && included(&self.include_methods, &method)
            && included(&self.include_paths, &path)
            && !excluded(&self.exclude_tags, &tag)
            && !excluded(&self.exclude_ops, &id)
            && !excluded(&self.exclude_methods, &method)
            && !excluded(&self.exclude_paths, &path)
    }
}

/// Whether the operation `operation` (the raw object) at `METHOD path` passes `filters`.
pub fn keeps(filters: &Filters, operation: &serde_json::Value, method: Method, path: &str) -> bool {
    let tags: Vec<&str> = operation
        .get("tags")
        .and_then(serde_json::Value::as_array)
        .map(|tags| tags.iter().filter_map(serde_json::Value::as_str).collect())
        .unwrap_or_default();
    let operation_id = operation
        .get("operationId")
        .and_then(serde_json::Value::as_str)
        .map(str::trim);
    let tool_name = crate::naming::tool_name_base(operation_id, method.as_str(), path);
    filters.keeps(&Candidate {
        tags,
        operation_id,
        tool_name: &tool_name,
        method,
        path,
    })
}

/// `*` matches any run of characters (including none); everything else matches itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first)
        || !text[first.len()..].ends_with(last)
        || text.len() < first.len() + last.len()
    {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op<'a>(
        tags: &[&'a str],
        id: Option<&'a str>,
        method: Method,
        path: &'a str,
    ) -> Candidate<'a> {
        Candidate {
            tags: tags.to_vec(),
            operation_id: id,
            tool_name: id.unwrap_or("tool"),
            method,
            path,
        }
    }

    #[test]
    fn globs() {
        assert!(glob("repos/*", "repos/get"));
        assert!(glob("*", ""));
        assert!(glob("/a/*/c", "/a/b/c"));
        assert!(!glob("/a/*/c", "/a/b/d"));
        assert!(glob("a*b*c", "aXbYc"));
        assert!(!glob("a*b*c", "ac"));
        assert!(glob("exact", "exact"));
    }

    #[test]
    fn include_and_exclude() {
        let f = Filters {
            include_tags: vec!["pets".into()],
            exclude_methods: vec!["delete".into()],
            ..Filters::default()
        };
        assert!(f.keeps(&op(&["Pets"], Some("listPets"), Method::Get, "/pets")));
        assert!(!f.keeps(&op(
            &["pets"],
            Some("deletePet"),
            Method::Delete,
            "/pets/{id}"
        )));
        assert!(!f.keeps(&op(&["store"], Some("order"), Method::Get, "/store")));
        let f = Filters {
            exclude_ops: vec!["repos/*".into()],
            include_paths: vec!["/repos/*".into()],
            ..Filters::default()
        };
        assert!(!f.keeps(&op(&[], Some("repos/get"), Method::Get, "/repos/{owner}")));
        assert!(f.keeps(&op(
            &[],
            Some("issues/list"),
            Method::Get,
            "/repos/{owner}/issues"
        )));
        assert!(Filters::default().keeps(&op(&[], None, Method::Get, "/")));
    }
}
