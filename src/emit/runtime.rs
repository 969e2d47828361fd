//! The runtime support code, copied verbatim into every generated crate as `src/runtime/`.

include!(concat!(env!("OUT_DIR"), "/runtime_files.rs"));

/// The `[dependencies]` table of the runtime crate: what every generated crate depends on. Comments
/// that belong to the next table (they stand right before it) are left out.
pub fn dependencies() -> &'static str {
    let manifest = include_str!("../../templates/runtime/Cargo.toml");
    let start = manifest
        .find("\n[dependencies]\n")
        .map_or(manifest.len(), |at| at + "\n[dependencies]\n".len());
    let rest = &manifest[start..];
    let mut end = 0;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.starts_with('[') {
            break;
        }
        offset += line.len();
        let trimmed = line.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            end = offset;
        }
    }
    rest[..end].trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_is_embedded() {
        assert!(FILES.iter().any(|(name, _)| *name == "lib.rs"));
        assert!(FILES.iter().any(|(name, _)| *name == "request.rs"));
        let deps = dependencies();
        assert!(deps.contains("rmcp"), "{deps}");
        assert!(!deps.contains("[dev-dependencies]"), "{deps}");
        assert!(
            deps.lines()
                .last()
                .is_some_and(|line| !line.starts_with('#')),
            "{deps}"
        );
    }
}
