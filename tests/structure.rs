//! The house rules, checked on the source tree: no import circle between the modules of the
//! generator (`src/`) or of the runtime crate (`templates/runtime/src`), no generator file over
//! 800 lines, and `snapshots/` small enough to review.
//!
//! An import circle is a set of files that reach each other through their `use` items and
//! paths (`crate::…`, `super::…`, a child module's name, a `use` alias). A path is followed
//! through `pub use` re-exports to the file that defines the item, so a facade `mod.rs` does not
//! hide or invent a circle; a `mod x;` declaration alone is not an import, and `#[cfg(test)]`
//! modules are left out (tests may look at anything). We check it with our own parser, on `syn`,
//! rather than `cargo modules`: it runs with the test suite and needs nothing installed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;

/// A module's path below the crate root (empty: the root).
type ModPath = Vec<String>;

/// One module held in a file of its own (inline modules are folded into their file).
struct Module {
    file: PathBuf,
    children: BTreeSet<String>,
    /// Names brought in by `use`: local name → absolute path.
    aliases: BTreeMap<String, ModPath>,
    /// `pub use` items: exported name (or `*`) → absolute path of the target.
    reexports: Vec<(String, ModPath)>,
    /// Every path this file names, relative to the module as written.
    paths: Vec<Vec<String>>,
    /// Modules imported whole (`use x::*`).
    globs: Vec<Vec<String>>,
}

struct Tree {
    modules: BTreeMap<ModPath, Module>,
}

fn has_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg") && attr.to_token_stream().to_string().contains("test")
    })
}

fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| {
        if !attr.path().is_ident("path") {
            return None;
        }
        match &attr.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        }
    })
}

/// The leaves of a `use` tree: (full path, local name or `*`).
fn use_leaves(prefix: &[String], tree: &syn::UseTree, out: &mut Vec<(ModPath, String)>) {
    match tree {
        syn::UseTree::Path(p) => {
            let mut next = prefix.to_vec();
            next.push(p.ident.to_string());
            use_leaves(&next, &p.tree, out);
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                let local = prefix.last().cloned().unwrap_or_default();
                out.push((prefix.to_vec(), local));
            } else {
                let mut full = prefix.to_vec();
                full.push(name.clone());
                out.push((full, name));
            }
        }
        syn::UseTree::Rename(r) => {
            let mut full = prefix.to_vec();
            let name = r.ident.to_string();
            if name != "self" {
                full.push(name);
            }
            out.push((full, r.rename.to_string()));
        }
        syn::UseTree::Glob(_) => out.push((prefix.to_vec(), "*".into())),
        syn::UseTree::Group(g) => {
            for item in &g.items {
                use_leaves(prefix, item, out);
            }
        }
    }
}

/// Every `a::b::c` path in a token stream (brace groups after `::` expanded, as in `use`
/// trees).
fn scan_paths(tokens: TokenStream, out: &mut Vec<Vec<String>>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(g) => {
                scan_paths(g.stream(), out);
                i += 1;
            }
            TokenTree::Ident(first) => {
                // A path starts at an identifier not itself preceded by `::`.
                let after_colons = i >= 2 && is_colons(&tokens, i - 2);
                if after_colons {
                    i += 1;
                    continue;
                }
                let mut segments = vec![first.to_string()];
                let mut j = i + 1;
                loop {
                    if j + 2 < tokens.len() + 1 && is_colons(&tokens, j) {
                        match tokens.get(j + 2) {
                            Some(TokenTree::Ident(next)) => {
                                segments.push(next.to_string());
                                j += 3;
                                continue;
                            }
                            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
                                for part in split_commas(g.stream()) {
                                    let mut inner = Vec::new();
                                    scan_paths(part, &mut inner);
                                    for tail in inner {
                                        let mut full = segments.clone();
                                        full.extend(tail);
                                        out.push(full);
                                    }
                                }
                                j += 3;
                            }
                            _ => {}
                        }
                    }
                    break;
                }
                // A `quote!` body is the generated crate's code, not this crate's: its
                // `crate::runtime::…` names the generated crate's modules, so it is no import.
                if QUOTE_MACROS.contains(&segments.last().unwrap().as_str())
                    && matches!(tokens.get(j), Some(TokenTree::Punct(p)) if p.as_char() == '!')
                    && matches!(tokens.get(j + 1), Some(TokenTree::Group(_)))
                {
                    out.push(segments);
                    i = j + 2;
                    continue;
                }
                out.push(segments);
                i = j;
            }
            TokenTree::Punct(_) | TokenTree::Literal(_) => i += 1,
        }
    }
}

/// Macros whose body is code being generated (tokens to print), not code of the crate.
const QUOTE_MACROS: &[&str] = &["quote", "quote_spanned", "parse_quote"];

fn is_colons(tokens: &[TokenTree], at: usize) -> bool {
    matches!(
        (tokens.get(at), tokens.get(at + 1)),
        (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b))) if a.as_char() == ':' && b.as_char() == ':'
    )
}

fn split_commas(tokens: TokenStream) -> Vec<TokenStream> {
    let mut parts = vec![Vec::new()];
    for token in tokens {
        match &token {
            TokenTree::Punct(p) if p.as_char() == ',' => parts.push(Vec::new()),
            _ => parts.last_mut().unwrap().push(token),
        }
    }
    parts.into_iter().map(|p| p.into_iter().collect()).collect()
}

/// Resolves a path as written in module `at` to an absolute one (None: another crate, a
/// local name, a type's associated item, …).
fn absolute(tree: &Tree, at: &ModPath, path: &[String]) -> Option<ModPath> {
    resolve(tree, at, path, true)
}

/// [`absolute`], with or without the module's `use` aliases (an alias's own path is resolved
/// without them: `use quote::quote` names the `quote` crate, not itself).
fn resolve(tree: &Tree, at: &ModPath, path: &[String], aliases: bool) -> Option<ModPath> {
    let module = &tree.modules[at];
    let (mut base, rest): (ModPath, &[String]) = match path.first()?.as_str() {
        "crate" => (Vec::new(), &path[1..]),
        "self" => (at.clone(), &path[1..]),
        "super" => {
            let mut base = at.clone();
            let mut rest = path;
            while rest.first().map(String::as_str) == Some("super") {
                base.pop();
                rest = &rest[1..];
            }
            (base, rest)
        }
        first if module.children.contains(first) => (at.clone(), path),
        first => {
            if !aliases {
                return None;
            }
            let target = module.aliases.get(first)?;
            let mut full = target.clone();
            full.extend(path[1..].iter().cloned());
            return Some(full);
        }
    };
    base.extend(rest.iter().cloned());
    Some(base)
}

/// The module that defines what an absolute path names, following `pub use` re-exports.
/// Returns the module and whether the path named the module itself.
fn defining(tree: &Tree, path: &[String], depth: usize) -> Option<(ModPath, bool)> {
    if depth > 16 {
        return None;
    }
    let mut module: ModPath = Vec::new();
    for (i, segment) in path.iter().enumerate() {
        let here = tree.modules.get(&module)?;
        if here.children.contains(segment) {
            module.push(segment.clone());
            continue;
        }
        // An item of `module`, or one it re-exports.
        for (name, target) in &here.reexports {
            if name == segment {
                let mut full = target.clone();
                full.extend(path[i + 1..].iter().cloned());
                return defining(tree, &full, depth + 1);
            }
        }
        return Some((module, false));
    }
    Some((module, true))
}

fn load(root: &Path) -> Tree {
    let mut tree = Tree {
        modules: BTreeMap::new(),
    };
    let mut queue = vec![(Vec::new(), root.join("lib.rs"))];
    while let Some((at, file)) = queue.pop() {
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let dir = if file
            .file_name()
            .is_some_and(|n| n == "lib.rs" || n == "mod.rs")
        {
            file.parent().unwrap().to_path_buf()
        } else {
            file.with_extension("")
        };
        let mut module = Module {
            file: file.clone(),
            children: BTreeSet::new(),
            aliases: BTreeMap::new(),
            reexports: Vec::new(),
            paths: Vec::new(),
            globs: Vec::new(),
        };
        collect(&at, &parsed.items, &dir, &mut module, &mut queue);
        tree.modules.insert(at, module);
    }
    // `use` aliases are relative to their module until every module is known.
    type Resolved = (ModPath, BTreeMap<String, ModPath>, Vec<(String, ModPath)>);
    let resolved: Vec<Resolved> = tree
        .modules
        .iter()
        .map(|(at, module)| {
            let aliases = module
                .aliases
                .iter()
                .filter_map(|(name, path)| Some((name.clone(), resolve(&tree, at, path, false)?)))
                .collect();
            let reexports = module
                .reexports
                .iter()
                .filter_map(|(name, path)| Some((name.clone(), resolve(&tree, at, path, false)?)))
                .collect();
            (at.clone(), aliases, reexports)
        })
        .collect();
    for (at, aliases, reexports) in resolved {
        let module = tree.modules.get_mut(&at).unwrap();
        module.aliases = aliases;
        module.reexports = reexports;
    }
    tree
}

fn collect(
    at: &ModPath,
    items: &[syn::Item],
    dir: &Path,
    module: &mut Module,
    queue: &mut Vec<(ModPath, PathBuf)>,
) {
    for item in items {
        match item {
            syn::Item::Mod(m) if has_cfg_test(&m.attrs) => {}
            syn::Item::Mod(m) => {
                let name = m.ident.to_string();
                if let Some((_, inner)) = &m.content {
                    // Inline modules are folded into their file.
                    collect(at, inner, dir, module, queue);
                    continue;
                }
                let file = match path_attr(&m.attrs) {
                    Some(p) => module.file.parent().unwrap().join(p),
                    None if dir.join(format!("{name}.rs")).exists() => {
                        dir.join(format!("{name}.rs"))
                    }
                    None => dir.join(&name).join("mod.rs"),
                };
                module.children.insert(name.clone());
                let mut child = at.clone();
                child.push(name);
                queue.push((child, file));
            }
            syn::Item::Use(u) if has_cfg_test(&u.attrs) => {}
            syn::Item::Use(u) => {
                let mut leaves = Vec::new();
                use_leaves(&[], &u.tree, &mut leaves);
                let public = !matches!(u.vis, syn::Visibility::Inherited);
                for (path, name) in leaves {
                    if public {
                        module.reexports.push((name.clone(), path.clone()));
                    }
                    if name == "*" {
                        module.globs.push(path);
                    } else {
                        module.aliases.insert(name, path.clone());
                        module.paths.push(path);
                    }
                }
            }
            other => {
                if let syn::Item::Fn(f) = other
                    && has_cfg_test(&f.attrs)
                {
                    continue;
                }
                scan_paths(other.to_token_stream(), &mut module.paths);
            }
        }
    }
}

/// Edges between files: from → to → one path that shows it.
fn edges(tree: &Tree) -> BTreeMap<ModPath, BTreeMap<ModPath, String>> {
    let mut edges: BTreeMap<ModPath, BTreeMap<ModPath, String>> = BTreeMap::new();
    for (at, module) in &tree.modules {
        let named = module.paths.iter().map(|p| (p, false));
        let globs = module.globs.iter().map(|p| (p, true));
        for (path, glob) in named.chain(globs) {
            let Some(full) = absolute(tree, at, path) else {
                continue;
            };
            let Some((target, is_module)) = defining(tree, &full, 0) else {
                continue;
            };
            // A `use` of a module itself is an alias (what is named through it is the import);
            // a glob imports everything in it.
            if (is_module && !glob) || target == *at {
                continue;
            }
            edges
                .entry(at.clone())
                .or_default()
                .entry(target)
                .or_insert_with(|| path.join("::"));
        }
    }
    edges
}

/// Strongly connected components with more than one file (Tarjan).
fn circles(edges: &BTreeMap<ModPath, BTreeMap<ModPath, String>>) -> Vec<Vec<ModPath>> {
    struct State<'a> {
        edges: &'a BTreeMap<ModPath, BTreeMap<ModPath, String>>,
        index: BTreeMap<ModPath, usize>,
        low: BTreeMap<ModPath, usize>,
        stack: Vec<ModPath>,
        on_stack: BTreeSet<ModPath>,
        next: usize,
        found: Vec<Vec<ModPath>>,
    }
    fn visit(s: &mut State, v: &ModPath) {
        s.index.insert(v.clone(), s.next);
        s.low.insert(v.clone(), s.next);
        s.next += 1;
        s.stack.push(v.clone());
        s.on_stack.insert(v.clone());
        let targets: Vec<ModPath> = s
            .edges
            .get(v)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        for w in targets {
            if !s.index.contains_key(&w) {
                visit(s, &w);
                let low = s.low[v].min(s.low[&w]);
                s.low.insert(v.clone(), low);
            } else if s.on_stack.contains(&w) {
                let low = s.low[v].min(s.index[&w]);
                s.low.insert(v.clone(), low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(&w);
                let done = w == *v;
                component.push(w);
                if done {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    let nodes: Vec<ModPath> = edges.keys().cloned().collect();
    for v in nodes {
        if !state.index.contains_key(&v) {
            visit(&mut state, &v);
        }
    }
    state.found
}

fn name(path: &ModPath) -> String {
    if path.is_empty() {
        "crate".into()
    } else {
        path.join("::")
    }
}

fn assert_no_circles(root: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
    let tree = load(&root);
    let edges = edges(&tree);
    let mut report = String::new();
    for component in circles(&edges) {
        let members = component.iter().map(name).collect::<Vec<_>>().join(", ");
        let set: BTreeSet<&ModPath> = component.iter().collect();
        report.push_str(&format!("circle of {} files: {members}\n", component.len()));
        for from in &component {
            for (to, via) in &edges[from] {
                if set.contains(to) {
                    report.push_str(&format!("  {} -> {} ({via})\n", name(from), name(to)));
                }
            }
        }
    }
    assert!(
        report.is_empty(),
        "import circles in {}:\n{report}",
        root.display()
    );
}

#[test]
fn the_generator_has_no_import_circle() {
    assert_no_circles("src");
}

#[test]
fn the_runtime_has_no_import_circle() {
    assert_no_circles("templates/runtime/src");
}

/// The circles the finder sees in a crate made of `files` (name, text).
fn circles_in(files: &[(&str, &str)]) -> Vec<Vec<ModPath>> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    circles(&edges(&load(dir.path())))
}

#[test]
fn the_circle_finder_sees_a_circle() {
    let found = circles_in(&[
        ("lib.rs", "mod a;\nmod b;\npub use a::A;\n"),
        ("a.rs", "pub struct A(crate::b::B);\n"),
        ("b.rs", "use super::A;\npub struct B(Box<A>);\n"),
    ]);
    // b reaches A through the crate root's re-export, which leads to a.
    assert_eq!(
        found,
        vec![vec![vec!["a".to_string()], vec!["b".to_string()]]]
    );
}

#[test]
fn generated_code_is_not_an_import() {
    // b's `quote!` names the generated crate's `a`, not this crate's.
    let found = circles_in(&[
        ("lib.rs", "mod a;\nmod b;\n"),
        ("a.rs", "pub fn a() { crate::b::b(); }\n"),
        (
            "b.rs",
            "pub fn b() -> TokenStream { quote!(crate::a::a()) }\n",
        ),
    ]);
    assert!(found.is_empty());
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).unwrap().lines().count()
}

/// Every file below `dir`.
fn files_below(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_below(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn no_generator_file_is_over_800_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    files_below(&root.join("src"), &mut files);
    let mut long: Vec<String> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs") && lines(f) > 800)
        .map(|f| {
            format!(
                "{} ({} lines)",
                f.strip_prefix(root).unwrap().display(),
                lines(f)
            )
        })
        .collect();
    long.sort();
    assert!(long.is_empty(), "split these by what they hold: {long:?}");
}

#[test]
fn snapshots_stay_under_6000_lines() {
    let mut files = Vec::new();
    files_below(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"),
        &mut files,
    );
    let total: usize = files
        .iter()
        .map(|f| {
            std::fs::read(f)
                .map(|b| b.iter().filter(|&&c| c == b'\n').count())
                .unwrap_or(0)
        })
        .sum();
    assert!(total < 6000, "snapshots/ holds {total} lines");
}
