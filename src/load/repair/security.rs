//! Repairs of security schemes: API keys, HTTP schemes and OAuth 2 flows with their scopes.

use serde_json::{Map, Value, json};

use super::fixes::{Repair, scalar_text};
use crate::error::{Diagnostic, Location, pointer_join};

impl Repair<'_> {
    pub(super) fn security_scheme(&mut self, scheme: &mut Value, pointer: &str) {
        if scheme.get("$ref").is_some() {
            return self.fix_reference(scheme, pointer);
        }
        let problem = match scheme.as_object_mut() {
            Some(map) => self.fix_security_scheme(map, pointer).err(),
            None => Some("it is not an object".to_owned()),
        };
        if let Some(problem) = problem {
            self.warnings.push(
                Diagnostic::new(Location::new(self.file, pointer), format!("security scheme removed: {problem}"))
                    .hint("operations that required only this scheme are now described as not needing it; fix the scheme so it can be used"),
            );
            *scheme = Value::Null;
            if let Some(name) = pointer.rsplit('/').next() {
                self.removed_schemes
                    .push(crate::error::pointer_unescape(name));
            }
        }
    }

    /// Normalizes a security scheme; `Err` says why it cannot be used.
    pub(super) fn fix_security_scheme(
        &mut self,
        map: &mut Map<String, Value>,
        pointer: &str,
    ) -> Result<(), String> {
        self.fix_string(map, "description", pointer);
        let given = map
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let canonical = match given.to_ascii_lowercase().as_str() {
            "apikey" => "apiKey",
            "http" => "http",
            "oauth2" => "oauth2",
            "openidconnect" => "openIdConnect",
            "basic" => {
                // Swagger 2.0's `basic` left in a 3.0 document.
                map.entry("scheme").or_insert(json!("basic"));
                "http"
            }
            _ => return Err(format!("unknown type `{given}`")),
        };
        if given != canonical {
            self.warn(
                &pointer_join(pointer, "type"),
                format!("security scheme type `{given}` read as `{canonical}`"),
            );
            map.insert("type".into(), json!(canonical));
        }
        match canonical {
            "apiKey" => self.fix_api_key(map, pointer),
            "http" => self.fix_http_scheme(map, pointer),
            "oauth2" => self.fix_oauth2(map, pointer),
            _ => {
                self.fix_string(map, "openIdConnectUrl", pointer);
                if map.contains_key("openIdConnectUrl") {
                    Ok(())
                } else {
                    Err("`openIdConnectUrl` is missing".into())
                }
            }
        }
    }

    pub(super) fn fix_api_key(
        &mut self,
        map: &mut Map<String, Value>,
        pointer: &str,
    ) -> Result<(), String> {
        self.fix_string(map, "name", pointer);
        if !map.contains_key("name") {
            return Err(
                "an apiKey scheme needs the `name` of its header, query parameter or cookie".into(),
            );
        }
        let given = map
            .get("in")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let canonical = ["header", "query", "cookie"]
            .into_iter()
            .find(|l| l.eq_ignore_ascii_case(&given))
            .ok_or_else(|| format!("apiKey location `{given}` is not header, query or cookie"))?;
        if given != canonical {
            self.warn(
                &pointer_join(pointer, "in"),
                format!("apiKey location `{given}` read as `{canonical}`"),
            );
            map.insert("in".into(), json!(canonical));
        }
        Ok(())
    }

    pub(super) fn fix_http_scheme(
        &mut self,
        map: &mut Map<String, Value>,
        pointer: &str,
    ) -> Result<(), String> {
        self.fix_string(map, "scheme", pointer);
        self.fix_string(map, "bearerFormat", pointer);
        if !map.contains_key("scheme") {
            if !map.contains_key("bearerFormat") {
                return Err("an http scheme needs `scheme` (such as `bearer` or `basic`)".into());
            }
            self.warn(
                pointer,
                "an http scheme needs `scheme`; it has a `bearerFormat`, so set it to `bearer`",
            );
            map.insert("scheme".into(), json!("bearer"));
        }
        Ok(())
    }

    pub(super) fn fix_oauth2(
        &mut self,
        map: &mut Map<String, Value>,
        pointer: &str,
    ) -> Result<(), String> {
        let Some(Value::Object(flows)) = map.get_mut("flows") else {
            return Err("an oauth2 scheme needs `flows`".into());
        };
        let flows_at = pointer_join(pointer, "flows");
        let mut unusable = Vec::new();
        for (flow, needs) in [
            ("implicit", &["authorizationUrl"][..]),
            ("password", &["tokenUrl"][..]),
            ("clientCredentials", &["tokenUrl"][..]),
            ("authorizationCode", &["authorizationUrl", "tokenUrl"][..]),
        ] {
            let Some(fields) = flows.get_mut(flow) else {
                continue;
            };
            let at = pointer_join(&flows_at, flow);
            let Some(fields) = fields.as_object_mut() else {
                unusable.push((flow, at, "it is not an object".to_owned()));
                continue;
            };
            for url in needs.iter().copied().chain(["refreshUrl"]) {
                self.fix_string(fields, url, &at);
            }
            if let Some(missing) = needs.iter().find(|url| !fields.contains_key(**url)) {
                unusable.push((flow, at, format!("`{missing}` is missing")));
                continue;
            }
            self.fix_scopes(fields, &at);
        }
        for (flow, at, why) in unusable {
            self.warn(&at, format!("removed the oauth2 `{flow}` flow: {why}"));
            flows.shift_remove(flow);
        }
        Ok(())
    }

    /// `scopes` is a map of scope name → description; a list of names is accepted too.
    pub(super) fn fix_scopes(&mut self, flow: &mut Map<String, Value>, pointer: &str) {
        let at = pointer_join(pointer, "scopes");
        let fixed: Map<String, Value> = match flow.get("scopes") {
            Some(Value::Object(scopes)) if scopes.values().all(Value::is_string) => return,
            Some(Value::Object(scopes)) => scopes
                .iter()
                .map(|(name, text)| {
                    (
                        name.clone(),
                        Value::String(scalar_text(text).unwrap_or_default()),
                    )
                })
                .collect(),
            Some(Value::Array(names)) => names
                .iter()
                .filter_map(scalar_text)
                .map(|name| (name, json!("")))
                .collect(),
            _ => Map::new(),
        };
        self.warn(
            &at,
            "`scopes` must map scope names to descriptions; repaired it",
        );
        flow.insert("scopes".into(), Value::Object(fixed));
    }
}
