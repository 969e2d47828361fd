//! Authorization server discovery against a real HTTP server on 127.0.0.1: issuers with a path
//! (RFC 8414 path-inserted form and OpenID Connect's appended form), and the rule that the
//! document's `issuer` must be the configured one.

use axum::Router;
use axum::routing::get;
use mcpwright_runtime::discovery;
use serde_json::json;

/// Serves `documents` (path → JSON) and returns the server's origin.
async fn serve(documents: Vec<(String, serde_json::Value)>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let mut app = Router::new();
    for (path, document) in documents {
        let document = document.to_string().replace("ORIGIN", &origin);
        app = app.route(&path, get(move || async move { document }));
    }
    tokio::spawn(async move { axum::serve(listener, app).await });
    origin
}

#[tokio::test]
async fn issuer_with_a_path_found_by_the_inserted_form() {
    let origin = serve(vec![(
        "/.well-known/oauth-authorization-server/tenants/a".into(),
        json!({"issuer": "ORIGIN/tenants/a", "jwks_uri": "ORIGIN/jwks", "code_challenge_methods_supported": ["S256"]}),
    )])
    .await;
    let client = discovery::client().unwrap();
    let metadata = discovery::discover(&client, &format!("{origin}/tenants/a"))
        .await
        .unwrap();
    assert_eq!(metadata.issuer, format!("{origin}/tenants/a"));
    assert!(
        metadata
            .source
            .ends_with("/.well-known/oauth-authorization-server/tenants/a")
    );
    assert!(metadata.supports_s256());
}

#[tokio::test]
async fn issuer_with_a_path_found_by_the_appended_openid_form() {
    let origin = serve(vec![(
        "/realms/x/.well-known/openid-configuration".into(),
        json!({"issuer": "ORIGIN/realms/x", "jwks_uri": "ORIGIN/jwks"}),
    )])
    .await;
    let client = discovery::client().unwrap();
    let metadata = discovery::discover(&client, &format!("{origin}/realms/x"))
        .await
        .unwrap();
    assert!(
        metadata
            .source
            .ends_with("/realms/x/.well-known/openid-configuration")
    );
    assert!(!metadata.supports_s256());
}

#[tokio::test]
async fn a_document_for_another_issuer_is_refused() {
    let origin = serve(vec![
        (
            "/.well-known/oauth-authorization-server".into(),
            json!({"issuer": "https://evil.example"}),
        ),
        (
            "/.well-known/openid-configuration".into(),
            json!({"issuer": "ORIGIN/other"}),
        ),
    ])
    .await;
    let client = discovery::client().unwrap();
    let err = discovery::discover(&client, &origin).await.unwrap_err();
    assert!(err.contains("names issuer `https://evil.example`"), "{err}");
    assert!(err.contains("/other"), "{err}");
}
