//! The scope-hierarchy syntax, `SCOPE=IMPLIED[,IMPLIED...]`, read by `mcpwright generate
//! --scope-implies` and `[scopes] implies` as well as by the server's `--scope-implies` /
//! `MCP_SCOPE_IMPLIES`. The generator compiles this file too, so the two cannot read it
//! differently.

/// A scope and the scopes it grants.
pub type Implication = (String, Vec<String>);

/// Checks one implication: scope names are non-empty and without spaces, and a scope does not
/// imply itself.
pub fn check(scope: &str, implied: &[&str]) -> Result<(), String> {
    let valid = |name: &str| !name.is_empty() && !name.contains(char::is_whitespace);
    if !valid(scope) || implied.is_empty() || !implied.iter().all(|name| valid(name)) {
        return Err("every scope must be a name without spaces".into());
    }
    if implied.contains(&scope) {
        return Err(format!("`{scope}` cannot imply itself"));
    }
    Ok(())
}

/// Parses `SCOPE=IMPLIED[,IMPLIED...]` entries (blank ones skipped); the entries of one scope
/// given twice add up.
pub fn parse(entries: &[String]) -> Result<Vec<Implication>, String> {
    let mut hierarchy: Vec<Implication> = Vec::new();
    for entry in entries.iter().map(|entry| entry.trim()) {
        if entry.is_empty() {
            continue;
        }
        let Some((scope, implied)) = entry.split_once('=') else {
            return Err(format!("`{entry}` is not SCOPE=IMPLIED[,IMPLIED...]"));
        };
        let scope = scope.trim();
        let implied: Vec<&str> = implied.split(',').map(str::trim).collect();
        check(scope, &implied).map_err(|err| format!("`{entry}`: {err}"))?;
        let at = match hierarchy.iter().position(|(have, _)| have == scope) {
            Some(at) => at,
            None => {
                hierarchy.push((scope.to_owned(), Vec::new()));
                hierarchy.len() - 1
            }
        };
        let list = &mut hierarchy[at].1;
        for each in implied {
            if !list.iter().any(|seen| seen == each) {
                list.push(each.to_owned());
            }
        }
    }
    Ok(hierarchy)
}
