//! Every name the generator invents, in one place: Rust identifiers (fields, types, modules,
//! statics), MCP tool names and tool argument names. Names the spec gave are kept apart from the
//! names made from them (wire names stay for serde renames and HTTP), and every rule is
//! deterministic: the same spec always gives the same names.

use std::collections::HashSet;

use heck::{ToPascalCase, ToShoutySnakeCase, ToSnakeCase};

/// The longest MCP tool name the major clients accept.
pub const MAX_TOOL_NAME: usize = 64;

/// Reserved words that can be raw identifiers (`r#type`).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "union", "unsafe", "unsized",
    "use", "virtual", "where", "while", "yield",
];

/// Words that cannot be raw identifiers, so they get a trailing underscore instead.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Replaces non-ASCII letters by their closest ASCII spelling (`é` → `e`, `ß` → `ss`), so names
/// made from them stay readable.
pub fn ascii(text: &str) -> String {
    if text.is_ascii() {
        text.to_owned()
    } else {
        deunicode::deunicode(text)
    }
}

/// Keeps ASCII letters, digits and underscores; every other run of characters becomes one `_`.
fn word_chars(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in ascii(text).chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out
}

/// Makes `name` a valid Rust identifier: keywords become raw (`r#type`) or get an underscore
/// (`self_`), a leading digit gets a prefix, and nothing is left empty.
fn escape(name: String, digit_prefix: &str, empty: &str) -> String {
    let name = if name.is_empty() || name.chars().all(|c| c == '_') {
        empty.to_owned()
    } else {
        name
    };
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{digit_prefix}{name}")
    } else {
        name
    };
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// A `snake_case` identifier for a field or function.
pub fn snake_ident(name: &str) -> String {
    let snake = word_chars(name).to_snake_case();
    escape(snake, "n_", "value")
}

/// A `PascalCase` identifier for a type or enum variant.
pub fn pascal_ident(name: &str) -> String {
    let pascal = word_chars(name).to_pascal_case();
    escape(pascal, "V", "Value")
}

/// A `SCREAMING_SNAKE_CASE` identifier for a static.
pub fn shouty_ident(name: &str) -> String {
    let shouty = word_chars(name).to_shouty_snake_case();
    escape(shouty, "N_", "VALUE")
}

/// A module name: `snake_case`, keywords suffixed (module files cannot be raw identifiers
/// portably).
pub fn module_ident(name: &str) -> String {
    let ident = snake_ident(name);
    match ident.strip_prefix("r#") {
        Some(keyword) => format!("{keyword}_"),
        None => ident,
    }
}

/// Hands out unique names: a name already taken gets `_2`, `_3`, … (or `2`, `3`, … for
/// `PascalCase`), in the order asked, so results are deterministic.
#[derive(Debug, Default, Clone)]
pub struct Namer {
    taken: HashSet<String>,
}

impl Namer {
    pub fn new() -> Self {
        Namer::default()
    }

    /// Marks names as taken without handing them out (reserved words of a scope).
    pub fn reserve<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) {
        self.taken.extend(names.into_iter().map(normalize_key));
    }

    /// Whether `name` (or a name that would clash with it) is taken.
    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(&normalize_key(name))
    }

    /// `candidate` itself if free, else the first free numbered variant. Names that differ only in
    /// case or by `r#` count as taken, since they would clash in files or after case conversion.
    pub fn unique(&mut self, candidate: &str, separator: &str) -> String {
        let mut name = candidate.to_owned();
        let mut n = 2;
        while !self.taken.insert(normalize_key(&name)) {
            let base = candidate
                .strip_prefix("r#")
                .unwrap_or(candidate)
                .trim_end_matches('_');
            name = format!("{base}{separator}{n}");
            n += 1;
        }
        name
    }
}

fn normalize_key(name: &str) -> String {
    name.strip_prefix("r#")
        .unwrap_or(name)
        .trim_end_matches('_')
        .to_ascii_lowercase()
}

/// The base MCP tool name of an operation: its operationId when it has one, else the method and
/// path (`get_pets_petId`), reduced to `[A-Za-z0-9_-]`.
pub fn tool_name_base(operation_id: Option<&str>, method: &str, path: &str) -> String {
    let raw = match operation_id.map(str::trim).filter(|id| !id.is_empty()) {
        Some(id) => id.to_owned(),
        None => {
            let segments = path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(|s| s.replace(['{', '}'], ""));
            std::iter::once(method.to_ascii_lowercase())
                .chain(segments)
                .collect::<Vec<_>>()
                .join("_")
        }
    };
    let mut out = String::with_capacity(raw.len());
    for c in ascii(&raw).chars() {
        let c = if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            c
        } else {
            '_'
        };
        if c == '_' && out.ends_with('_') {
            continue;
        }
        out.push(c);
    }
    let trimmed = out.trim_matches(|c| c == '_' || c == '-');
    if trimmed.is_empty() {
        method.to_ascii_lowercase()
    } else {
        trimmed.to_owned()
    }
}

/// Shortens a tool name to at most `max` characters, keeping it recognisable and distinct: the
/// head of the name plus a hash of the whole.
pub fn shorten(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_owned();
    }
    let hash = format!("{:08x}", fnv1a(name.as_bytes()) as u32);
    let mut cut = max.saturating_sub(hash.len() + 1);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = name[..cut].trim_end_matches(['_', '-']);
    format!("{head}_{hash}")
}

/// Gives tool names: unique, at most [`MAX_TOOL_NAME`] characters, numbered on clashes.
#[derive(Debug, Default)]
pub struct ToolNamer {
    taken: HashSet<String>,
}

impl ToolNamer {
    pub fn new() -> Self {
        ToolNamer::default()
    }

    /// Marks a name as taken (a name the lock file gives an operation), so no other tool gets it.
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_ascii_lowercase());
    }

    pub fn name(&mut self, base: &str) -> String {
        let mut name = shorten(base, MAX_TOOL_NAME);
        let mut n = 2;
        while !self.taken.insert(name.to_ascii_lowercase()) {
            let suffix = format!("_{n}");
            name = format!("{}{suffix}", shorten(base, MAX_TOOL_NAME - suffix.len()));
            n += 1;
        }
        name
    }
}

/// The name of a tool argument (a property of the tool's input schema). Wire names that clients
/// accept as property keys (`^[a-zA-Z0-9_.-]{1,64}$`) are kept as they are, which is what the
/// model reads in the API's documentation; others are reduced to that alphabet.
pub fn argument_base(wire: &str) -> String {
    let mut out = String::new();
    for c in ascii(wire).chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
            c
        } else {
            '_'
        };
        if c == '_' && out.ends_with('_') {
            continue;
        }
        out.push(c);
    }
    let trimmed = out.trim_matches('_');
    let name = if trimmed.is_empty() { "arg" } else { trimmed };
    shorten(name, 64)
}

/// FNV-1a: a small, stable hash for names (not for security).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_identifiers() {
        let table = [
            ("type", "r#type"),
            ("self", "self_"),
            ("Self", "self_"),
            ("match", "r#match"),
            ("petId", "pet_id"),
            ("X-Rate-Limit", "x_rate_limit"),
            ("$filter", "filter"),
            ("2fa_code", "n_2fa_code"),
            ("größe", "grosse"),
            ("名前", "ming_qian"),
            ("", "value"),
            ("@@", "value"),
            ("_", "value"),
            ("user.name", "user_name"),
            ("super", "super_"),
            ("crate", "crate_"),
            ("async", "r#async"),
        ];
        for (input, expected) in table {
            assert_eq!(snake_ident(input), expected, "snake_ident({input:?})");
        }
        assert_eq!(pascal_ident("pet-status"), "PetStatus");
        assert_eq!(pascal_ident("self"), "Self_");
        assert_eq!(pascal_ident("200"), "V200");
        assert_eq!(pascal_ident("Self"), "Self_");
        assert_eq!(shouty_ident("listPets"), "LIST_PETS");
        assert_eq!(module_ident("type"), "type_");
        assert_eq!(module_ident("Pet Store"), "pet_store");
    }

    #[test]
    fn unique_names_are_numbered_in_order() {
        let mut namer = Namer::new();
        namer.reserve(["body"]);
        assert_eq!(namer.unique("pet_id", "_"), "pet_id");
        assert_eq!(namer.unique("pet_id", "_"), "pet_id_2");
        assert_eq!(namer.unique("PET_ID", "_"), "PET_ID_3");
        assert_eq!(namer.unique("body", "_"), "body_2");
        assert_eq!(namer.unique("r#type", "_"), "r#type");
        assert_eq!(
            namer.unique("type_", "_"),
            "type_2",
            "r#type and type_ clash after escaping"
        );
    }

    #[test]
    fn tool_names() {
        let table = [
            (Some("listPets"), "get", "/pets", "listPets"),
            (Some("repos/get-content"), "get", "/x", "repos_get-content"),
            (Some("Get pets by id."), "get", "/x", "Get_pets_by_id"),
            (Some("créerAnimal"), "post", "/x", "creerAnimal"),
            (None, "GET", "/pets/{petId}/toys", "get_pets_petId_toys"),
            (None, "delete", "/", "delete"),
            (Some("  "), "put", "/a.b/{c:.*}", "put_a_b_c"),
            (Some("///"), "post", "/x", "post"),
        ];
        for (id, method, path, expected) in table {
            assert_eq!(
                tool_name_base(id, method, path),
                expected,
                "{id:?} {method} {path}"
            );
        }
    }

    #[test]
    fn long_and_clashing_tool_names() {
        let long = "a".repeat(70);
        let mut namer = ToolNamer::new();
        let first = namer.name(&long);
        assert_eq!(first.len(), 64);
        let second = namer.name(&long);
        assert!(second.len() <= 64 && second.ends_with("_2"), "{second}");
        assert_eq!(namer.name("listPets"), "listPets");
        assert_eq!(
            namer.name("listpets"),
            "listpets_2",
            "names differing only in case clash in some clients"
        );
        // Distinct long names stay distinct after shortening.
        let a = shorten(&format!("{long}x"), 64);
        let b = shorten(&format!("{long}y"), 64);
        assert_ne!(a, b);
    }

    #[test]
    fn argument_names() {
        assert_eq!(argument_base("petId"), "petId");
        assert_eq!(argument_base("X-Request-ID"), "X-Request-ID");
        assert_eq!(argument_base("filter[name]"), "filter_name");
        assert_eq!(argument_base("$top"), "top");
        assert_eq!(argument_base("größe"), "grosse");
        assert_eq!(argument_base("%%"), "arg");
        assert_eq!(argument_base(&"n".repeat(80)).len(), 64);
    }
}
