//! Steps 4–5 on rmcp's OAuth client: the client's identity (a pre-registered client, a Client ID
//! Metadata Document or dynamic registration, in the order the MCP specification prefers, which
//! `AuthorizationSession::new` applies) and the grant (authorization code with PKCE S256 and the
//! `resource` parameter, or client credentials). rmcp checks the redirect's `state` and RFC 9207
//! `iss`; its errors are translated here into what to fix.

use rmcp::transport::auth::{AuthorizationCallback, OAuthTokenResponse};
use rmcp::transport::{
    AuthError, AuthorizationManager, AuthorizationRequest, AuthorizationSession,
    ClientCredentialsConfig,
};
use url::Url;

use super::discovery::{Challenge, ResourceMetadata, ServerMetadata};
use super::options::Options;
use super::redirect::{Loopback, without_query};
use super::report::Report;

/// What the token endpoint said besides the token (which stays inside rmcp's manager).
#[derive(Debug, Default)]
pub struct Issued {
    pub scope: Option<String>,
    pub expires_in: Option<u64>,
    pub refresh_token: bool,
}

impl Issued {
    pub fn of(response: &OAuthTokenResponse) -> Self {
        // Read through JSON so only these three fields are kept; the value holding the token
        // is dropped here.
        let json = serde_json::to_value(response).unwrap_or_default();
        Self {
            scope: json["scope"].as_str().map(str::to_owned),
            expires_in: json["expires_in"].as_u64(),
            refresh_token: json["refresh_token"].is_string(),
        }
    }

    pub fn describe(&self) -> String {
        let mut parts = vec!["token issued".to_owned()];
        if let Some(seconds) = self.expires_in {
            parts.push(format!("expires in {seconds} s"));
        }
        parts.push(format!(
            "refresh token: {}",
            if self.refresh_token { "yes" } else { "no" }
        ));
        parts.join(", ")
    }
}

/// An authorized manager, and what was asked for.
pub struct Authorized {
    pub manager: AuthorizationManager,
    /// The scopes the authorization request (or the client-credentials request) named.
    pub requested: Vec<String>,
    pub issued: Issued,
}

/// What to fix for an error of rmcp's OAuth client.
pub fn fix_for(err: &AuthError) -> String {
    match err {
        AuthError::AuthorizationServerMismatch {
            expected_issuer, ..
        } => format!(
            "the authorization server must send its own issuer, {expected_issuer}, as `iss` in \
             the redirect (RFC 9207), byte for byte"
        ),
        AuthError::AuthorizationServerMissingIssuer { .. } => {
            "the authorization server advertises authorization_response_iss_parameter_supported \
             but left `iss` out of the redirect: send it, or stop advertising it"
                .into()
        }
        AuthError::PkceUnsupported => {
            "enable PKCE S256 at the authorization server and list it in \
             code_challenge_methods_supported"
                .into()
        }
        AuthError::RegistrationFailed(_) => {
            "allow dynamic client registration at the authorization server, or register a \
             client there (loopback redirect URI http://127.0.0.1/callback, any port) and pass \
             --client-id (and --client-secret)"
                .into()
        }
        AuthError::TokenExchangeFailed(_) => {
            "the token endpoint refused the request: check the client's \
             token_endpoint_auth_method and secret, and that the redirect URI and resource are \
             allowed for it"
                .into()
        }
        AuthError::ClientCredentialsError(_) => {
            "allow the client_credentials grant for this client, with the resource as audience"
                .into()
        }
        AuthError::ProtectedResourceMetadataInvalid { .. } => {
            "serve protected-resource metadata whose resource is this server's URL".into()
        }
        AuthError::AuthorizationServersUnavailable { .. } => {
            "make the authorization server's metadata reachable at its well-known URL".into()
        }
        _ => "see the error above; the authorization server's logs say more".into(),
    }
}

/// The identity mechanism `AuthorizationSession::new` will pick, in the specification's order.
fn identity(options: &Options, server: &ServerMetadata) -> Result<String, (String, String)> {
    if let Some(client_id) = &options.client_id {
        return Ok(format!("pre-registered client {client_id}"));
    }
    if let Some(document) = &options.client_metadata_url
        && server.supports_client_metadata_documents()
    {
        return Ok(format!("client ID metadata document {document}"));
    }
    let unused = match &options.client_metadata_url {
        Some(_) => " (the authorization server does not accept client ID metadata documents)",
        None => "",
    };
    match server.registration_endpoint() {
        Some(endpoint) => Ok(format!("dynamic registration at {endpoint}{unused}")),
        None => Err((
            format!(
                "no way to get a client identity: no --client-id, no registration_endpoint{}",
                if server.supports_client_metadata_documents() {
                    ", and no --client-metadata-url"
                } else {
                    ", and no client ID metadata documents"
                }
            ),
            "register a client at the authorization server and pass --client-id (and \
             --client-secret), host a client ID metadata document and pass \
             --client-metadata-url, or enable dynamic client registration"
                .into(),
        )),
    }
}

/// Discovery through rmcp (seeded with the challenge), then identity and grant.
pub async fn authorize(
    options: &Options,
    url: &Url,
    challenge: &Challenge,
    resource: &ResourceMetadata,
    server: &ServerMetadata,
    loopback: &Loopback,
    report: &mut Report,
) -> Option<Authorized> {
    let mut manager = match AuthorizationManager::new_allowing_private_addresses(url.as_str()).await
    {
        Ok(manager) => manager,
        Err(err) => {
            report.fail(
                "client",
                format!("cannot start the OAuth client: {err}"),
                fix_for(&err),
            );
            return None;
        }
    };
    match manager
        .resolve_metadata_from_challenge(challenge.header.as_deref())
        .await
    {
        Ok(resolution) => manager.set_metadata(resolution.metadata),
        Err(err) => {
            report.fail(
                "client",
                format!("the OAuth client's discovery failed: {err}"),
                fix_for(&err),
            );
            return None;
        }
    }
    if server.client_credentials {
        return client_credentials(options, manager, resource, report).await;
    }
    let how = match identity(options, server) {
        Ok(how) => how,
        Err((saw, fix)) => {
            report.fail("client", saw, fix);
            return None;
        }
    };
    let mut request = AuthorizationRequest::new(loopback.redirect_uri.clone())
        .with_client_name("mcpwright auth test");
    if let Some(header) = &challenge.header {
        request = request.with_challenge(header.clone());
    }
    if let Some(client_id) = &options.client_id {
        request = request.with_preregistered_client(client_id.clone());
        if let Some(secret) = &options.client_secret {
            request = request.with_client_secret(secret.clone());
        }
    }
    if let Some(document) = &options.client_metadata_url {
        request = request.with_client_metadata_url(document.clone());
    }
    let session = match AuthorizationSession::new(manager, request).await {
        Ok(session) => session,
        Err((_, err)) => {
            report.fail("client", format!("{how} failed: {err}"), fix_for(&err));
            return None;
        }
    };
    let client_id = session
        .get_credentials()
        .await
        .map(|(id, _)| id)
        .unwrap_or_default();
    report.pass(
        "client",
        if how.starts_with("dynamic") {
            format!("{how}: client id {client_id}")
        } else {
            how
        },
    );

    let auth_url = session.get_authorization_url().to_owned();
    let (requested, line) = match check_authorization_url(&auth_url, &resource.resource) {
        Ok(found) => found,
        Err((saw, fix)) => {
            report.fail("authorization", saw, fix);
            return None;
        }
    };
    let callback = match loopback
        .callback(options.browser, &auth_url, options.timeout)
        .await
    {
        Ok(callback) => callback,
        Err(missing) => {
            report.fail("authorization", missing.saw, missing.fix);
            return None;
        }
    };
    if let Some((saw, fix)) = redirect_error(&callback, &resource.resource) {
        report.fail("authorization", saw, fix);
        return None;
    }
    match session.handle_callback_url(&callback).await {
        Ok(response) => {
            let issued = Issued::of(&response);
            report.pass("authorization", format!("{line}; {}", issued.describe()));
            Some(Authorized {
                manager: session.auth_manager,
                requested,
                issued,
            })
        }
        Err(err) => {
            report.fail(
                "authorization",
                format!("{line}; the redirect was refused: {err}"),
                fix_for(&err),
            );
            None
        }
    }
}

/// The scopes an authorization URL asks for, and a line about it; it must carry PKCE S256 and
/// the resource.
fn check_authorization_url(
    auth_url: &str,
    resource: &str,
) -> Result<(Vec<String>, String), (String, String)> {
    let parsed = Url::parse(auth_url).map_err(|err| {
        (
            format!("the authorization URL does not parse: {err}"),
            "check the authorization_endpoint in the authorization server's metadata".to_owned(),
        )
    })?;
    let param = |name: &str| {
        parsed
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    };
    let scope = param("scope").unwrap_or_default();
    let requested: Vec<String> = scope.split_whitespace().map(str::to_owned).collect();
    if param("code_challenge_method").as_deref() != Some("S256") {
        return Err((
            "the authorization request carries no PKCE S256 challenge".into(),
            "report this as a bug of mcpwright".into(),
        ));
    }
    let sent = param("resource").unwrap_or_default();
    Ok((
        requested,
        format!(
            "authorization code with PKCE S256 at {}, resource={}, scope={}",
            without_query(&parsed),
            if sent.is_empty() { resource } else { &sent },
            if scope.is_empty() { "(none)" } else { &scope }
        ),
    ))
}

/// An OAuth error in the redirect (`error=…`), with its fix.
fn redirect_error(callback: &str, resource: &str) -> Option<(String, String)> {
    let parsed = Url::parse(callback).ok()?;
    let param = |name: &str| {
        parsed
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    };
    let error = param("error")?;
    let description = param("error_description").unwrap_or_default();
    let fix = match error.as_str() {
        "invalid_target" => format!(
            "register {resource} as a resource (API / audience) at the authorization server"
        ),
        "invalid_scope" => "let this client request the scopes the server asks for".to_owned(),
        "access_denied" => "approve the request (or give the user access to this client)".into(),
        "unauthorized_client" => "allow the authorization_code grant for this client".into(),
        _ => "see the authorization server's description of the error".into(),
    };
    Some((
        format!("the authorization server redirected with error={error}: {description}"),
        fix,
    ))
}

/// Step 4–5 for `--client-credentials`: the client-credentials grant with the resource.
async fn client_credentials(
    options: &Options,
    mut manager: AuthorizationManager,
    resource: &ResourceMetadata,
    report: &mut Report,
) -> Option<Authorized> {
    let (Some(client_id), Some(client_secret)) = (&options.client_id, &options.client_secret)
    else {
        report.fail(
            "client",
            "--client-credentials without --client-id and --client-secret",
            "pass the confidential client's --client-id and --client-secret",
        );
        return None;
    };
    report.pass("client", format!("confidential client {client_id}"));
    // No refresh token comes with this grant (RFC 6749 §4.4.3): rmcp's scope selection adds
    // `offline_access` when the server lists it, and an authorization server may refuse it here.
    let requested: Vec<String> = manager
        .select_scopes(None, &[])
        .into_iter()
        .filter(|scope| scope != "offline_access")
        .collect();
    let config = ClientCredentialsConfig::ClientSecret {
        client_id: client_id.clone(),
        client_secret: client_secret.clone(),
        scopes: requested.clone(),
        resource: Some(resource.resource.clone()),
    };
    let line = format!(
        "client_credentials grant, resource={}, scope={}",
        resource.resource,
        if requested.is_empty() {
            "(none)".to_owned()
        } else {
            requested.join(" ")
        }
    );
    let result = match manager.validate_client_credentials_metadata(&config) {
        Ok(()) => match manager.configure_client_credentials(&config) {
            Ok(()) => manager.exchange_client_credentials(&config).await,
            Err(err) => Err(err),
        },
        Err(err) => Err(err),
    };
    match result {
        Ok(response) => {
            let issued = Issued::of(&response);
            report.pass("authorization", format!("{line}; {}", issued.describe()));
            Some(Authorized {
                manager,
                requested,
                issued,
            })
        }
        Err(err) => {
            report.fail("authorization", format!("{line}: {err}"), fix_for(&err));
            None
        }
    }
}

/// One step-up authorization on an authorized manager: the union of the scopes held and
/// `scope`, through the same client and redirect URI.
pub async fn step_up(
    options: &Options,
    manager: &AuthorizationManager,
    scope: &str,
    loopback: &Loopback,
) -> Result<Issued, (String, String)> {
    let auth_url = manager
        .request_scope_upgrade(scope)
        .await
        .map_err(|err| (format!("cannot start the step-up: {err}"), fix_for(&err)))?;
    let callback = loopback
        .callback(options.browser, &auth_url, options.timeout)
        .await
        .map_err(|missing| (missing.saw, missing.fix))?;
    if let Some(found) = redirect_error(&callback, "") {
        return Err(found);
    }
    let callback = AuthorizationCallback::from_redirect_url(&callback)
        .map_err(|err| (format!("the step-up redirect: {err}"), fix_for(&err)))?;
    manager
        .exchange_code_for_token_with_issuer(
            &callback.code,
            &callback.csrf_token,
            callback.issuer.as_deref(),
        )
        .await
        .map(|response| Issued::of(&response))
        .map_err(|err| (format!("the step-up token: {err}"), fix_for(&err)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_authorization_url_names_its_scopes_and_resource() {
        let (scopes, line) = check_authorization_url(
            "https://id.example/auth?response_type=code&client_id=c&code_challenge=x&\
             code_challenge_method=S256&resource=http%3A%2F%2Fh%2Fmcp&scope=a+b&state=s",
            "http://h/mcp",
        )
        .unwrap();
        assert_eq!(scopes, ["a", "b"]);
        assert_eq!(
            line,
            "authorization code with PKCE S256 at https://id.example/auth, resource=http://h/mcp, scope=a b"
        );
        assert!(check_authorization_url("https://id.example/auth?scope=a", "r").is_err());
    }

    #[test]
    fn redirect_errors_name_their_fix() {
        let (saw, fix) = redirect_error(
            "http://127.0.0.1:1/callback?error=invalid_target&error_description=d",
            "http://h/mcp",
        )
        .unwrap();
        assert_eq!(
            saw,
            "the authorization server redirected with error=invalid_target: d"
        );
        assert!(fix.contains("register http://h/mcp as a resource"));
        assert!(redirect_error("http://127.0.0.1:1/callback?code=c&state=s", "r").is_none());
    }
}
