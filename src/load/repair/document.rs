//! Repairs at the document level: the root object, `info` and `tags`, and removing what the
//! other repairs marked unusable.

use serde_json::{Map, Value, json};

use super::fixes::Repair;
use crate::error::{Diagnostic, Location, pointer_join};
use crate::load::openapi::ObjectKind;
use crate::load::schema_walk::{Visitor, walk_document};

/// Removes a security scheme from every security requirement (root and operations) that names
/// it, for a scheme that was removed from the document.
pub(crate) fn forget_security_scheme(doc: &mut Value, name: &str) {
    fn forget(requirements: Option<&mut Value>, name: &str) {
        if let Some(Value::Array(requirements)) = requirements {
            for requirement in requirements.iter_mut() {
                if let Some(requirement) = requirement.as_object_mut() {
                    requirement.shift_remove(name);
                }
            }
        }
    }
    struct Forget<'a>(&'a str);
    impl Visitor for Forget<'_> {
        fn enter_object(&mut self, kind: ObjectKind, value: &mut Value, _pointer: &str) {
            if kind == ObjectKind::Operation {
                forget(value.get_mut("security"), self.0);
            }
        }
    }
    forget(doc.get_mut("security"), name);
    walk_document(doc, &mut Forget(name));
}

impl Repair<'_> {
    pub(super) fn root(&mut self, root: &mut Map<String, Value>) {
        match root.get("openapi") {
            Some(Value::String(_)) => {}
            Some(value @ Value::Number(_)) => {
                let text = value.to_string();
                self.warn(
                    "/openapi",
                    format!("`openapi` must be a string; read {text} as \"{text}\""),
                );
                root.insert("openapi".into(), Value::String(text));
            }
            _ => {
                self.warn("/openapi", "`openapi` is missing; set it to \"3.0.3\"");
                root.insert("openapi".into(), json!("3.0.3"));
            }
        }
        self.fix_info(root);
        self.fix_servers(root, "");
        if !root.get("paths").is_some_and(Value::is_object) {
            self.warn(
                "/paths",
                "`paths` is missing or not an object; the document has no operations",
            );
            root.insert("paths".into(), json!({}));
        }
        if let Some(Value::Object(paths)) = root.get("paths") {
            let stray: Vec<String> = paths
                .keys()
                .filter(|key| !key.starts_with('/') && !key.starts_with("x-"))
                .cloned()
                .collect();
            for key in stray {
                self.warnings.push(
                    Diagnostic::new(
                        Location::new(self.file, pointer_join("/paths", &key)),
                        format!("path `{key}` does not start with `/`; it is ignored"),
                    )
                    .hint("paths are relative to the server URL and start with `/`"),
                );
            }
        }
        self.fix_tags(root);
        self.fix_external_docs(root, "");
        self.fix_security(root, "");
    }

    pub(super) fn fix_info(&mut self, root: &mut Map<String, Value>) {
        if !root.get("info").is_some_and(Value::is_object) {
            self.warn("/info", "`info` is missing; added a title and version");
            root.insert("info".into(), json!({}));
        }
        let Some(Value::Object(info)) = root.get_mut("info") else {
            return;
        };
        self.require_string(info, "title", "/info", "API");
        self.require_string(info, "version", "/info", "0.0.0");
        for key in ["description", "termsOfService"] {
            self.fix_string(info, key, "/info");
        }
        self.expect_object(info, "contact", "/info");
        if let Some(Value::Object(contact)) = info.get_mut("contact") {
            for key in ["name", "url", "email"] {
                self.fix_string(contact, key, "/info/contact");
            }
        }
        self.expect_object(info, "license", "/info");
        if let Some(Value::Object(license)) = info.get_mut("license") {
            self.fix_string(license, "name", "/info/license");
            self.fix_string(license, "url", "/info/license");
            if !license.contains_key("name") {
                match license.get("url").cloned() {
                    Some(url) => {
                        self.warn("/info/license", "a license needs a `name`; used its URL");
                        license.insert("name".into(), url);
                    }
                    None => {
                        self.warn(
                            "/info/license",
                            "a license needs a `name`; removed the license",
                        );
                        info.shift_remove("license");
                    }
                }
            }
        }
    }

    pub(super) fn fix_tags(&mut self, root: &mut Map<String, Value>) {
        self.expect_array(root, "tags", "");
        let Some(Value::Array(tags)) = root.get_mut("tags") else {
            return;
        };
        let mut kept = Vec::new();
        for (index, mut tag) in std::mem::take(tags).into_iter().enumerate() {
            let at = format!("/tags/{index}");
            let Some(fields) = tag.as_object_mut() else {
                self.warn(&at, "a tag must be an object with a `name`; removed it");
                continue;
            };
            self.fix_string(fields, "name", &at);
            if !fields.contains_key("name") {
                self.warn(&at, "a tag needs a `name`; removed it");
                continue;
            }
            self.fix_string(fields, "description", &at);
            self.fix_external_docs(fields, &at);
            kept.push(tag);
        }
        root.insert("tags".into(), Value::Array(kept));
    }

    /// Removes the entries the walk marked unusable (set to `null`) from `paths` and
    /// `components`.
    pub(super) fn prune_document(&mut self, doc: &mut Value) {
        if let Some(Value::Object(paths)) = doc.get_mut("paths") {
            paths.retain(|_, item| !item.is_null());
        }
        if let Some(Value::Object(components)) = doc.get_mut("components") {
            for section in components.values_mut() {
                if let Value::Object(entries) = section {
                    entries.retain(|_, entry| !entry.is_null());
                }
            }
        }
    }
}
