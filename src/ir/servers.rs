//! Upstream servers, with their URL variables filled.

use super::model::Server;

/// The spec's servers in order, each URL with `{variables}` replaced by their defaults.
pub fn servers(doc: &openapiv3::OpenAPI) -> Vec<Server> {
    doc.servers
        .iter()
        .map(|server| {
            let mut url = server.url.trim().to_owned();
            for (name, variable) in server.variables.iter().flatten() {
                url = url.replace(&format!("{{{name}}}"), &variable.default);
            }
            Server {
                url,
                description: server.description.clone().filter(|d| !d.trim().is_empty()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_get_their_defaults() {
        let doc: openapiv3::OpenAPI = serde_json::from_value(serde_json::json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
            "servers": [{"url": "https://{region}.api.example.com/{version}", "variables": {
                "region": {"default": "eu", "enum": ["eu", "us"]}, "version": {"default": "v2"}}}, {"url": "/relative"}]
        }))
        .unwrap();
        let servers = servers(&doc);
        assert_eq!(servers[0].url, "https://eu.api.example.com/v2");
        assert!(servers[0].is_absolute());
        assert!(!servers[1].is_absolute());
    }
}
