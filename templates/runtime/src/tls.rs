//! The process-wide TLS provider. Every HTTP client of the runtime (the upstream API, the
//! authorization server, token endpoints) is built with `rustls-no-provider`, so one of them must
//! install `ring` first; each calls [`install_tls_provider`] before building its client. It sits
//! in a leaf module so that these clients need not import one another.

/// reqwest is built without a default TLS crypto provider: installs ring's, once per process,
/// before any client is built. An error only means a provider is installed already, which is as
/// good.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
