//! What checking an access token costs per request once the issuer's keys are cached.
//!
//!   cargo bench -p mcpwright-runtime --bench token_validation
//!
//! A small issuer on 127.0.0.1 serves metadata and a JWKS; the authenticator fetches them once,
//! then every iteration validates a JWT (signature, `iss`, `aud`, `exp`, `nbf`) from the warm
//! cache. RS256 uses a key made by `openssl` (skipped when it is not installed), ES256 a key made
//! by `ring`. Prints p50, p90, p99 and the mean, in microseconds.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::routing::get;
use base64::Engine as _;
use mcpwright_runtime::auth::{AuthSettings, Authenticator};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use serde_json::{Value, json};

const ITERATIONS: usize = 20_000;
const AUDIENCE: &str = "http://127.0.0.1:8080/mcp";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A signer and its public JWK.
enum Signer {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

impl Signer {
    fn alg(&self) -> &'static str {
        match self {
            Signer::Rsa(_) => "RS256",
            Signer::Ec(_) => "ES256",
        }
    }

    fn jwk(&self, kid: &str) -> Value {
        match self {
            Signer::Rsa(key) => {
                let public = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(key.public());
                json!({"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig", "n": b64(&public.n), "e": b64(&public.e)})
            }
            Signer::Ec(key) => {
                let point = key.public_key().as_ref();
                json!({"kty": "EC", "kid": kid, "alg": "ES256", "use": "sig", "crv": "P-256",
                       "x": b64(&point[1..33]), "y": b64(&point[33..65])})
            }
        }
    }

    fn token(&self, kid: &str, claims: &Value) -> String {
        let header = json!({"alg": self.alg(), "typ": "at+jwt", "kid": kid});
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let rng = SystemRandom::new();
        let signature = match self {
            Signer::Rsa(key) => {
                let mut out = vec![0; key.public().modulus_len()];
                key.sign(
                    &signature::RSA_PKCS1_SHA256,
                    &rng,
                    input.as_bytes(),
                    &mut out,
                )
                .expect("sign");
                out
            }
            Signer::Ec(key) => key
                .sign(&rng, input.as_bytes())
                .expect("sign")
                .as_ref()
                .to_vec(),
        };
        format!("{input}.{}", b64(&signature))
    }
}

fn rsa_key() -> Option<RsaKeyPair> {
    let dir = std::env::temp_dir().join(format!("mcpwright-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join("key.der");
    let status = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-outform",
            "DER",
            "-out",
        ])
        .arg(&path)
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    let der = std::fs::read(&path).ok();
    let _ = std::fs::remove_dir_all(&dir);
    if !status.success() {
        return None;
    }
    let der = der?;
    RsaKeyPair::from_pkcs8(&der)
        .or_else(|_| RsaKeyPair::from_der(&der))
        .ok()
}

fn ec_key() -> EcdsaKeyPair {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
        .expect("generate");
    EcdsaKeyPair::from_pkcs8(
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        pkcs8.as_ref(),
        &rng,
    )
    .expect("parse")
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1e6
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut signers: Vec<(&str, Signer)> = Vec::new();
    match rsa_key() {
        Some(key) => signers.push(("rs", Signer::Rsa(key))),
        None => eprintln!("openssl not found: RS256 skipped"),
    }
    signers.push(("ec", Signer::Ec(ec_key())));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let issuer = format!("http://{}", listener.local_addr().expect("addr"));
    let metadata = json!({"issuer": issuer, "jwks_uri": format!("{issuer}/jwks"), "code_challenge_methods_supported": ["S256"]});
    let jwks = json!({"keys": signers.iter().map(|(kid, s)| s.jwk(kid)).collect::<Vec<_>>()});
    let app = Router::new()
        .route(
            "/.well-known/oauth-authorization-server",
            get(move || async move { metadata.to_string() }),
        )
        .route("/jwks", get(move || async move { jwks.to_string() }));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let authenticator = Arc::new(
        Authenticator::new(AuthSettings {
            issuer: issuer.clone(),
            resource_url: AUDIENCE.into(),
            audience: AUDIENCE.into(),
            introspection: None,
            hide_unauthorized_tools: false,
            refresh_interval: Duration::from_secs(30),
            leeway: Duration::from_secs(60),
            scope_implies: Vec::new(),
        })
        .expect("authenticator"),
    );
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let claims = json!({"iss": issuer, "aud": AUDIENCE, "sub": "user-1", "client_id": "bench",
                        "scope": "pets:read pets:write", "iat": now, "exp": now + 3600});
    println!("token validation with a warm key cache, {ITERATIONS} iterations each");
    for (kid, signer) in &signers {
        let token = signer.token(kid, &claims);
        authenticator
            .authenticate(&token)
            .await
            .expect("the token is valid (and the cache is now warm)");
        let mut samples = Vec::with_capacity(ITERATIONS);
        for _ in 0..ITERATIONS {
            let started = Instant::now();
            let identity = authenticator.authenticate(&token).await;
            samples.push(started.elapsed());
            assert!(identity.is_ok());
        }
        samples.sort();
        let mean = samples.iter().sum::<Duration>().as_secs_f64() * 1e6 / samples.len() as f64;
        println!(
            "{}: p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, mean {:.1} µs",
            signer.alg(),
            percentile(&samples, 0.50),
            percentile(&samples, 0.90),
            percentile(&samples, 0.99),
            mean
        );
    }
}
