//! Checks on real-world specs from `../shared/specs` that need no build. Skipped (with a note)
//! where that folder is absent.

mod common;

use mcpwright::ir::SecurityScheme;

/// The credential settings the generated server reads for a scheme.
fn variables(prefix: &str, scheme: &SecurityScheme) -> Vec<String> {
    let suffixes: &[&str] = match scheme {
        SecurityScheme::ApiKey { .. } => &["API_KEY", "STRATEGY"],
        SecurityScheme::Http { scheme, .. } if scheme == "basic" => {
            &["USERNAME", "PASSWORD", "STRATEGY"]
        }
        SecurityScheme::Http { .. } => &["BEARER_TOKEN", "STRATEGY"],
        SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIdConnect { .. } => &[
            "BEARER_TOKEN",
            "CLIENT_ID",
            "CLIENT_SECRET",
            "TOKEN_URL",
            "SCOPES",
            "AUDIENCE",
            "TOKEN_AUTH_METHOD",
            "STRATEGY",
        ],
        SecurityScheme::MutualTls => &[],
    };
    suffixes.iter().map(|s| format!("{prefix}_{s}")).collect()
}

/// Scalar's Galaxy uses every scheme type: the generated README and `.env.example` list every
/// credential setting of every scheme, and the README names the tools that need each.
#[test]
fn galaxy_lists_every_credential() {
    let Some(specs) = common::shared_specs() else {
        eprintln!("skipped: ../shared/specs is not present");
        return;
    };
    let spec = specs.join("scalar.com__galaxy.3.1.yaml");
    let out = common::repo().join("target").join("galaxy-mcp");
    let options = mcpwright::Options {
        crate_name: Some("galaxy-mcp".into()),
        ..Default::default()
    };
    let (api, krate) = mcpwright::render(&spec, &out, &options).expect("Galaxy generates");
    let kinds: Vec<&str> = api
        .security_schemes
        .values()
        .map(|s| match s {
            SecurityScheme::ApiKey { .. } => "apiKey",
            SecurityScheme::Http { scheme, .. } => scheme.as_str(),
            SecurityScheme::OAuth2 { .. } => "oauth2",
            SecurityScheme::OpenIdConnect { .. } => "openIdConnect",
            SecurityScheme::MutualTls => "mutualTLS",
        })
        .collect();
    for kind in ["apiKey", "bearer", "basic", "oauth2", "openIdConnect"] {
        assert!(
            kinds.contains(&kind),
            "Galaxy has a {kind} scheme: {kinds:?}"
        );
    }
    let readme = &krate.files["README.md"];
    let env = &krate.files[".env.example"];
    for (name, scheme) in &api.security_schemes {
        let prefix = &api.scheme_prefixes[name];
        for variable in variables(prefix, scheme) {
            assert!(
                readme.contains(&format!("`{variable}`")),
                "README.md lacks {variable}"
            );
            assert!(
                env.contains(&format!("# {variable}=")),
                ".env.example lacks {variable}"
            );
        }
        assert!(
            readme.contains(&format!("### `{name}`")),
            "README.md has no section for {name}"
        );
        for tool in api.tools.iter().filter(|t| {
            t.security
                .iter()
                .any(|r| r.schemes.iter().any(|(n, _)| n == name))
        }) {
            let section = readme
                .split(&format!("### `{name}`"))
                .nth(1)
                .unwrap_or_default();
            let section = section.split("### ").next().unwrap_or_default();
            assert!(
                section.contains(&format!("`{}`", tool.name)),
                "the {name} section names {}",
                tool.name
            );
        }
    }
}

/// Issue 16's size rules on the largest specs (1 MB and up): the generated source (the runtime,
/// the same in every crate, aside) at most three times the spec, the lock file at most the spec,
/// and no generated file over 5 MB. Sizes are deterministic, so this is a test, not a benchmark.
#[test]
fn output_stays_linear_in_the_largest_specs() {
    let Some(specs) = common::shared_specs() else {
        eprintln!("skipped: ../shared/specs is not present");
        return;
    };
    let mut large: Vec<(u64, std::path::PathBuf)> = std::fs::read_dir(&specs)
        .expect("read ../shared/specs")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension()
                .is_some_and(|e| e == "json" || e == "yaml" || e == "yml")
        })
        .filter_map(|path| Some((std::fs::metadata(&path).ok()?.len(), path)))
        .filter(|(size, _)| *size >= 1 << 20)
        .collect();
    large.sort();
    assert!(large.len() >= 5, "the shared specs hold the large ones");
    let mut failures = Vec::new();
    for (spec_bytes, spec) in &large {
        let name = spec.file_stem().unwrap().to_string_lossy().into_owned();
        let out = common::repo().join("target").join("sizes").join(&name);
        let krate = common::render(spec, &out, "sizes-mcp");
        let size = |path: &str| krate.files[path].len() as u64;
        let source: u64 = krate
            .files
            .keys()
            .filter(|p| p.starts_with("src/") && !p.starts_with("src/runtime/"))
            .map(|p| size(p))
            .sum();
        let lock = size("mcpwright.lock");
        let largest = krate
            .files
            .keys()
            .map(|p| (size(p), p.as_str()))
            .max()
            .unwrap();
        eprintln!(
            "{name}: spec {spec_bytes} B, source {source} B ({:.2}×), lock {lock} B ({:.2}×), largest {} {} B",
            source as f64 / *spec_bytes as f64,
            lock as f64 / *spec_bytes as f64,
            largest.1,
            largest.0
        );
        if source > 3 * spec_bytes {
            failures.push(format!("{name}: source {source} B > 3 × {spec_bytes} B"));
        }
        if lock > *spec_bytes {
            failures.push(format!("{name}: lock {lock} B > {spec_bytes} B"));
        }
        if largest.0 > 5 << 20 {
            failures.push(format!("{name}: {} is {} B", largest.1, largest.0));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
