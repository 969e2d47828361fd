//! Bundling a spec split over files into one self-contained document.
//!
//! Real specs are often split: `$ref: './schemas/Pet.yaml'`, `common.yaml#/components/schemas/
//! Error`, `paths: {/pets: {$ref: './paths/pets.yaml'}}`. [`bundle`] runs right after the main
//! document is parsed, before its version is detected and normalized, and brings every referenced
//! node into the main document, in the version the document is written in, so the normalization
//! passes see one ordinary document.
//!
//! What a referenced node *is* is decided by where its `$ref` sits (a `parameters` element is a
//! Parameter, a `responses` entry a Response, a `schema` a Schema, …). Nodes that OpenAPI can
//! reference are added to the section for their kind (`components.schemas`, Swagger 2.0
//! `definitions`, …) under a unique name and the `$ref` is rewritten to point there; the others
//! (path items, examples, links, callbacks, security schemes, and headers in Swagger 2.0) are
//! copied in place. A component entry of the main document that is only a `$ref` to another file
//! (`components: {schemas: {Pet: {$ref: './Pet.yaml'}}}`) is replaced by the node itself and keeps
//! its name.
//!
//! Inside a referenced file, its own local references (`#/components/schemas/X`, `#/Pet`) mean
//! nodes of that file and are bundled the same way. The main document's own `#/…` references are
//! left as they are. Remote references (`https://…`) are never fetched.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use super::openapi::{At, Flavor, ObjectKind, Section, section, section_pointer, sections};
use super::refs::{NodePath, decode_fragment, try_for_each_object};
use super::source;
use crate::error::{Diagnostic, Location, pointer_join, pointer_unescape};

/// How deep path items, examples and other copied-in-place nodes may nest through references
/// before the chain is reported as a cycle.
const MAX_INLINE_DEPTH: usize = 32;

/// Brings every node that `doc` (the parsed main document, read from `main_file`, named
/// `display_file` in messages) references in other files into `doc`, and rewrites those
/// references to point inside it. The result is in the version `doc` is written in.
///
/// Files are resolved relative to the folder of the file that holds the reference, read once
/// each, and may be YAML or JSON. A document without references to other files is returned
/// unchanged without touching the file system.
pub fn bundle(
    doc: Value,
    main_file: &Path,
    display_file: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Value, Diagnostic> {
    bundle_files(doc, main_file, display_file, warnings).map(|(doc, _)| doc)
}

/// [`bundle`], also returning each other file it read, by name in messages, with the SHA-256 of its
/// text (hex), sorted by name: the generated crate's source hash covers them, so a change in a
/// referenced file makes the crate stale too.
pub fn bundle_files(
    doc: Value,
    main_file: &Path,
    display_file: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(Value, Vec<(String, String)>), Diagnostic> {
    let mut doc = doc;
    let Some(root) = doc.as_object() else {
        return Ok((doc, Vec::new()));
    };
    let flavor = if root.contains_key("swagger") {
        Flavor::Swagger2
    } else {
        Flavor::OpenApi3
    };
    let main_ids: HashSet<String> = collect_ids(&doc).into_keys().collect();
    if !has_external_ref(&doc, &main_ids) {
        return Ok((doc, Vec::new()));
    }
    let mut bundler = Bundler::new(flavor, main_file, display_file, main_ids, &doc);
    bundler.preregister(&doc);
    bundler.walk(&mut doc, At::One(ObjectKind::Root), Src::Main, "")?;
    bundler.drain()?;
    bundler.place(&mut doc)?;
    warnings.append(&mut bundler.warnings);
    let mut files: Vec<(String, String)> = bundler
        .files
        .iter()
        .filter(|file| !file.is_main)
        .map(|file| (file.display.clone(), file.sha256.clone()))
        .collect();
    files.sort();
    Ok((doc, files))
}

/// Which document a node being walked comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Src {
    Main,
    File(usize),
}

/// A referenced file, parsed.
struct File {
    /// The folder its relative references are resolved against.
    dir: PathBuf,
    /// Its name in messages.
    display: String,
    doc: Value,
    /// Its schemas' `$id`s (3.1), with their pointers.
    ids: HashMap<String, String>,
    /// The main document itself, referenced from another file.
    is_main: bool,
    /// The SHA-256 of its text, in hex.
    sha256: String,
}

/// A referenced node waiting to be bundled and added under `name` in `section`.
struct Job {
    file: usize,
    fragment: String,
    obj: ObjectKind,
    section: Section,
    name: String,
}

struct Bundler {
    flavor: Flavor,
    main_dir: PathBuf,
    main_display: String,
    main_canonical: Option<PathBuf>,
    /// The main document's `$id`s: references to them are left to the 3.1 normalization.
    main_ids: HashSet<String>,
    files: Vec<File>,
    by_path: HashMap<PathBuf, usize>,
    /// (file, fragment, kind) → the `$ref` that now points at the node in the main document.
    memo: HashMap<(usize, String, ObjectKind), String>,
    /// Names in use, by section pointer.
    taken: HashMap<String, HashSet<String>>,
    queue: VecDeque<Job>,
    /// Bundled nodes to add: (section, name, node).
    placed: Vec<(Section, String, Value)>,
    /// Main-document component entries (pointers) that are replaced by the node they reference.
    preplaced: HashSet<String>,
    /// The nodes being copied in place, innermost last, to stop reference cycles.
    inlining: Vec<(usize, String)>,
    warnings: Vec<Diagnostic>,
}

impl Bundler {
    fn new(
        flavor: Flavor,
        main_file: &Path,
        display_file: &str,
        main_ids: HashSet<String>,
        doc: &Value,
    ) -> Self {
        let taken = sections(flavor)
            .into_iter()
            .map(|(_, section)| {
                let pointer = section_pointer(section);
                let names = doc
                    .pointer(&pointer)
                    .and_then(Value::as_object)
                    .map(|entries| entries.keys().cloned().collect())
                    .unwrap_or_default();
                (pointer, names)
            })
            .collect();
        Bundler {
            flavor,
            main_dir: main_file.parent().map(Path::to_owned).unwrap_or_default(),
            main_display: display_file.to_owned(),
            main_canonical: main_file.canonicalize().ok(),
            main_ids,
            files: Vec::new(),
            by_path: HashMap::new(),
            memo: HashMap::new(),
            taken,
            queue: VecDeque::new(),
            placed: Vec::new(),
            preplaced: HashSet::new(),
            inlining: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn display(&self, src: Src) -> &str {
        match src {
            Src::Main => &self.main_display,
            Src::File(index) => &self.files[index].display,
        }
    }

    fn dir(&self, src: Src) -> &Path {
        match src {
            Src::Main => &self.main_dir,
            Src::File(index) => &self.files[index].dir,
        }
    }

    fn location(&self, src: Src, pointer: &str) -> Location {
        Location::new(self.display(src), pointer)
    }

    /// Component entries of the main document that are just a reference to another file keep
    /// their name: the referenced node takes the entry's place, and other references to the same
    /// node point at it. Problems are left for the walk to report where they are.
    fn preregister(&mut self, doc: &Value) {
        for (obj, section) in sections(self.flavor) {
            let base = section_pointer(section);
            let Some(entries) = doc.pointer(&base).and_then(Value::as_object) else {
                continue;
            };
            for (name, entry) in entries {
                let Some(Value::String(reference)) = entry.get("$ref") else {
                    continue;
                };
                if entry.as_object().map(Map::len) != Some(1) {
                    continue;
                }
                let at = pointer_join(&base, name);
                let Ok(Some((file, fragment))) =
                    self.target(reference, Src::Main, &pointer_join(&at, "$ref"))
                else {
                    continue;
                };
                let key = (file, fragment, obj);
                if self.files[file].is_main || self.memo.contains_key(&key) {
                    continue;
                }
                self.memo
                    .insert(key.clone(), format!("#{}", pointer_join(&base, name)));
                self.queue.push_back(Job {
                    file,
                    fragment: key.1,
                    obj,
                    section,
                    name: name.clone(),
                });
                self.preplaced.insert(at);
            }
        }
    }

    /// Bundles the references in `value` (at `pointer` in `src`, a place of kind `at`).
    fn walk(
        &mut self,
        value: &mut Value,
        at: At,
        src: Src,
        pointer: &str,
    ) -> Result<(), Diagnostic> {
        match value {
            Value::Object(map) => {
                let reference = match map.get("$ref") {
                    Some(Value::String(reference))
                        if !(src == Src::Main && self.preplaced.contains(pointer)) =>
                    {
                        Some(reference.clone())
                    }
                    _ => None,
                };
                let site = match &reference {
                    Some(_) => pointer_join(pointer, "$ref"),
                    None => String::new(),
                };
                let target = match reference {
                    Some(reference) => self.target(&reference, src, &site)?,
                    None => None,
                };
                if let Some((file, fragment)) = target {
                    let obj = at.referenced();
                    if let Some(section) = section(self.flavor, obj) {
                        let to = self.placed_ref(file, fragment, obj, section, src, &site);
                        map.insert("$ref".into(), Value::String(to));
                    } else {
                        // Copied in place: the siblings of `$ref` belong here and win over the
                        // node's own fields.
                        let mut siblings = std::mem::take(map);
                        siblings.shift_remove("$ref");
                        self.walk_entries(&mut siblings, at, src, pointer)?;
                        let mut node = self.inline(file, fragment, obj, src, &site)?;
                        if let Value::Object(node_map) = &mut node {
                            node_map.extend(siblings);
                        }
                        *value = node;
                        return Ok(());
                    }
                }
                self.walk_entries(map, at, src, pointer)?;
                if at == At::One(ObjectKind::Schema) {
                    self.discriminator_mapping(map, src, pointer)?;
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter_mut().enumerate() {
                    if item.is_object() || item.is_array() {
                        let child = at.child(&index.to_string(), item);
                        self.walk(item, child, src, &format!("{pointer}/{index}"))?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn walk_entries(
        &mut self,
        map: &mut Map<String, Value>,
        at: At,
        src: Src,
        pointer: &str,
    ) -> Result<(), Diagnostic> {
        for (key, child) in map.iter_mut() {
            // Extensions are the vendor's data, not OpenAPI: a `$ref` inside one (Spotify's
            // `x-spotify-policy` points at a file it does not publish) is not ours to follow.
            // Only keys of objects are extensions; in maps of names (schemas, properties,
            // headers such as `x-rate-limit-limit`) an `x-` key is an ordinary name.
            let extension = key.starts_with("x-") && matches!(at, At::One(_));
            if key != "$ref" && !extension && (child.is_object() || child.is_array()) {
                let child_at = at.child(key, child);
                self.walk(child, child_at, src, &pointer_join(pointer, key))?;
            }
        }
        Ok(())
    }

    /// Rewrites `discriminator.mapping` values that name schemas in files (`./Cat.yaml`), or,
    /// inside a referenced file, that file's own schemas (`#/components/schemas/Cat`).
    fn discriminator_mapping(
        &mut self,
        schema: &mut Map<String, Value>,
        src: Src,
        pointer: &str,
    ) -> Result<(), Diagnostic> {
        let Some(Value::Object(mapping)) = schema
            .get_mut("discriminator")
            .and_then(|discriminator| discriminator.get_mut("mapping"))
        else {
            return Ok(());
        };
        let Some(section) = section(self.flavor, ObjectKind::Schema) else {
            return Ok(());
        };
        let base = pointer_join(&pointer_join(pointer, "discriminator"), "mapping");
        for (key, value) in mapping.iter_mut() {
            let Value::String(reference) = value else {
                continue;
            };
            let (path, _) = split_reference(reference);
            let file_like = [".yaml", ".yml", ".json"]
                .iter()
                .any(|ext| path.to_ascii_lowercase().ends_with(ext));
            let local_in_file = reference.starts_with('#') && src != Src::Main;
            if !(file_like || local_in_file) || is_uri(path) {
                continue;
            }
            let site = pointer_join(&base, key);
            if let Some((file, fragment)) = self.target(reference, src, &site)? {
                *value = Value::String(self.placed_ref(
                    file,
                    fragment,
                    ObjectKind::Schema,
                    section,
                    src,
                    &site,
                ));
            }
        }
        Ok(())
    }

    /// Where `reference`, found at `site` in `src`, points: a file (loaded) and a JSON pointer
    /// into it, checked to exist. `None` for references left as they are: the main document's
    /// own, and references to a 3.1 `$id` of the main document.
    fn target(
        &mut self,
        reference: &str,
        src: Src,
        site: &str,
    ) -> Result<Option<(usize, String)>, Diagnostic> {
        let (path, fragment) = split_reference(reference);
        let located = |this: &Self, message: String, hint: &str| {
            Diagnostic::new(this.location(src, site), message).hint(hint)
        };
        if src == Src::Main && path.is_empty() {
            return Ok(None);
        }
        if !path.is_empty() && self.main_ids.contains(path.trim_end_matches('#')) {
            return Ok(None);
        }
        if is_uri(path) {
            return Err(located(
                self,
                format!(
                    "reference `{reference}` is remote: remote references are not fetched; download the file next to the spec"
                ),
                "save the referenced document next to the spec and refer to it by a relative path (`./schemas/pet.yaml#/Pet`)",
            ));
        }
        let fragment = match fragment {
            None => String::new(),
            Some(fragment) => decode_fragment(fragment),
        };
        if !fragment.is_empty() && !fragment.starts_with('/') {
            return Err(located(
                self,
                format!("reference `{reference}` has a fragment that is not a JSON pointer"),
                "point into the file with a JSON pointer, such as `common.yaml#/components/schemas/Error`",
            ));
        }
        let (file, fragment) = match src {
            Src::File(index) if path.is_empty() => (index, fragment),
            Src::File(index) if self.files[index].ids.contains_key(path) => {
                let at = &self.files[index].ids[path];
                (index, format!("{at}{fragment}"))
            }
            _ => (self.load(path, src, site)?, fragment),
        };
        if self.files[file].doc.pointer(&fragment).is_none() {
            let file_name = self.files[file].display.clone();
            return Err(located(
                self,
                format!(
                    "reference `{reference}` points at nothing: {file_name} has no `#{fragment}`"
                ),
                "fix the reference or add the missing definition",
            ));
        }
        Ok(Some((file, fragment)))
    }

    /// Reads and parses the file `path` (as written in a reference in `src`), once.
    fn load(&mut self, path: &str, src: Src, site: &str) -> Result<usize, Diagnostic> {
        let relative = PathBuf::from(decode_fragment(path));
        let full = self.dir(src).join(&relative);
        let display = display_join(self.display(src), &relative);
        let unreadable = |this: &Self, what: String| {
            Diagnostic::new(
                this.location(src, site),
                format!("reference `{path}` names a file that cannot be read: {display}: {what}"),
            )
            .hint(
                "check the path: it is relative to the folder of the file that holds the reference",
            )
        };
        let canonical = full
            .canonicalize()
            .map_err(|err| unreadable(self, err.to_string()))?;
        if let Some(&index) = self.by_path.get(&canonical) {
            return Ok(index);
        }
        let is_file = std::fs::metadata(&canonical).is_ok_and(|meta| meta.is_file());
        if !is_file {
            return Err(unreadable(self, "not a regular file".into()));
        }
        let bytes = std::fs::read(&canonical).map_err(|err| unreadable(self, err.to_string()))?;
        let text = String::from_utf8(bytes).map_err(|err| {
            unreadable(
                self,
                format!(
                    "not UTF-8 (invalid byte at offset {})",
                    err.utf8_error().valid_up_to()
                ),
            )
        })?;
        let is_main = self.main_canonical.as_ref() == Some(&canonical);
        let (dir, display) = if is_main {
            (self.main_dir.clone(), self.main_display.clone())
        } else {
            (
                full.parent().map(Path::to_owned).unwrap_or_default(),
                display,
            )
        };
        let doc = source::parse(&text, &display)?;
        let ids = collect_ids(&doc);
        let index = self.files.len();
        self.files.push(File {
            dir,
            display,
            doc,
            ids,
            is_main,
            sha256: super::source::hex(&<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes())),
        });
        self.by_path.insert(canonical, index);
        Ok(index)
    }

    /// The `$ref` that points at the node (`file`, `fragment`) of kind `obj` once it is in
    /// `section` of the main document; the first time, a name is chosen and the node is queued.
    fn placed_ref(
        &mut self,
        file: usize,
        fragment: String,
        obj: ObjectKind,
        section: Section,
        src: Src,
        site: &str,
    ) -> String {
        if self.files[file].is_main {
            return format!("#{}", fragment.replace('%', "%25"));
        }
        let key = (file, fragment, obj);
        if let Some(to) = self.memo.get(&key) {
            return to.clone();
        }
        let base = section_pointer(section);
        let wanted = self.wanted_name(file, &key.1, obj);
        let taken = self.taken.entry(base.clone()).or_default();
        let mut name = wanted.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{wanted}_{n}");
            n += 1;
        }
        taken.insert(name.clone());
        if name != wanted {
            let what = format!("{}#{}", self.files[file].display, key.1);
            self.warnings.push(
                Diagnostic::new(
                    self.location(src, site),
                    format!("`{what}` is bundled as `{base}/{name}`: `{wanted}` is taken"),
                )
                .hint("rename one of the definitions to choose the name yourself"),
            );
        }
        let to = format!("#{}", pointer_join(&base, &name));
        self.memo.insert(key.clone(), to.clone());
        self.queue.push_back(Job {
            file,
            fragment: key.1,
            obj,
            section,
            name,
        });
        to
    }

    /// A name for a node: the last token of its pointer, else its file's stem, made of the
    /// characters component names allow.
    fn wanted_name(&self, file: usize, fragment: &str, obj: ObjectKind) -> String {
        let from_fragment = fragment
            .rsplit('/')
            .next()
            .filter(|token| !token.is_empty())
            .map(pointer_unescape);
        let raw = from_fragment.unwrap_or_else(|| {
            Path::new(&self.files[file].display)
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        let name: String = raw
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if name.is_empty() {
            format!("{obj:?}")
        } else {
            name
        }
    }

    /// The node (`file`, `fragment`) bundled, to be copied in place of a reference at `site`.
    fn inline(
        &mut self,
        file: usize,
        fragment: String,
        obj: ObjectKind,
        src: Src,
        site: &str,
    ) -> Result<Value, Diagnostic> {
        let key = (file, fragment);
        if self.inlining.contains(&key) || self.inlining.len() >= MAX_INLINE_DEPTH {
            return Err(Diagnostic::new(
                self.location(src, site),
                format!(
                    "the reference to `{}#{}` leads back to itself",
                    self.files[file].display, key.1
                ),
            )
            .hint("a path item, example, link or callback is copied where it is referenced, so it cannot contain itself"));
        }
        let mut node = self.files[file]
            .doc
            .pointer(&key.1)
            .cloned()
            .unwrap_or_default();
        let node_src = if self.files[file].is_main {
            Src::Main
        } else {
            Src::File(file)
        };
        let fragment = key.1.clone();
        self.inlining.push(key);
        self.walk(&mut node, At::One(obj), node_src, &fragment)?;
        self.inlining.pop();
        Ok(node)
    }

    /// Bundles the queued nodes (which may queue more).
    fn drain(&mut self) -> Result<(), Diagnostic> {
        while let Some(job) = self.queue.pop_front() {
            let mut node = self.files[job.file]
                .doc
                .pointer(&job.fragment)
                .cloned()
                .unwrap_or_default();
            self.walk(
                &mut node,
                At::One(job.obj),
                Src::File(job.file),
                &job.fragment,
            )?;
            self.placed.push((job.section, job.name, node));
        }
        Ok(())
    }

    /// Adds the bundled nodes to their sections of `doc`.
    fn place(&mut self, doc: &mut Value) -> Result<(), Diagnostic> {
        for (section, name, node) in std::mem::take(&mut self.placed) {
            let mut current = &mut *doc;
            let mut pointer = String::new();
            for token in section {
                let Value::Object(map) = current else {
                    return Err(self.not_an_object(&pointer));
                };
                pointer = pointer_join(&pointer, token);
                current = map
                    .entry(token.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
            }
            let Value::Object(map) = current else {
                return Err(self.not_an_object(&pointer));
            };
            map.insert(name, node);
        }
        Ok(())
    }

    fn not_an_object(&self, pointer: &str) -> Diagnostic {
        Diagnostic::new(
            Location::new(&self.main_display, pointer),
            "this is not an object, so the definitions referenced from other files cannot be added to it",
        )
        .hint("make it a map of names to definitions")
    }
}

/// Splits a reference into its path and its fragment (after `#`, not decoded).
fn split_reference(reference: &str) -> (&str, Option<&str>) {
    match reference.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (reference, None),
    }
}

/// Whether a reference's path is a URI with a scheme (`https://…`, `urn:…`), not a file path. A
/// one-letter "scheme" is a Windows drive (`C:\specs\a.yaml`).
fn is_uri(path: &str) -> bool {
    let Some((scheme, _)) = path.split_once(':') else {
        return false;
    };
    scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The name in messages of the file `relative` referenced from the file named `from`: joined to
/// `from`'s folder, with `.` and `..` folded where possible.
fn display_join(from: &str, relative: &Path) -> String {
    let joined = match Path::new(from).parent() {
        Some(parent) => parent.join(relative),
        None => relative.to_owned(),
    };
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.display().to_string()
}

/// Visits every object of `doc` with where it is.
fn for_each_object<'a>(doc: &'a Value, mut f: impl FnMut(&'a Map<String, Value>, &NodePath<'a>)) {
    let _ = try_for_each_object(doc, |map, path| {
        f(map, path);
        Ok::<(), std::convert::Infallible>(())
    });
}

/// The `$id`s declared in a document (without a trailing `#`), with the pointer of the first
/// object declaring each.
fn collect_ids(doc: &Value) -> HashMap<String, String> {
    let mut ids = HashMap::new();
    for_each_object(doc, |map, path| {
        if let Some(Value::String(id)) = map.get("$id") {
            ids.entry(id.trim_end_matches('#').to_owned())
                .or_insert_with(|| path.pointer());
        }
    });
    ids
}

/// Whether `doc` has a reference to another file (not its own `#…`, not one of its `$id`s).
fn has_external_ref(doc: &Value, ids: &HashSet<String>) -> bool {
    let mut found = false;
    for_each_object(doc, |map, path| {
        if let Some(Value::String(reference)) = map.get("$ref")
            && !super::refs::in_extension(&path.pointer())
        {
            let (path, _) = split_reference(reference);
            found |= !path.is_empty() && !ids.contains(path.trim_end_matches('#'));
        }
    });
    found
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Writes `files` (path relative to `dir`, contents) into `dir`.
    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    /// Bundles `main` (relative to `dir`), naming it `main` in messages.
    fn run(dir: &Path, main: &str) -> Result<(Value, Vec<Diagnostic>), Diagnostic> {
        let path = dir.join(main);
        let text = std::fs::read_to_string(&path).unwrap();
        let doc = source::parse(&text, main).unwrap();
        let mut warnings = Vec::new();
        let doc = bundle(doc, &path, main, &mut warnings)?;
        // What the pipeline checks next; only references to 3.1 `$id`s are left to resolve.
        super::super::refs::check_local(&doc, main)?;
        let ids = collect_ids(&doc).into_keys().collect();
        assert!(!has_external_ref(&doc, &ids), "{doc:#}");
        Ok((doc, warnings))
    }

    fn bundled(files: &[(&str, &str)]) -> Value {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), files);
        let (doc, warnings) = run(dir.path(), files[0].0).unwrap_or_else(|d| panic!("{d}"));
        assert!(warnings.is_empty(), "{warnings:#?}");
        // The whole pipeline takes it too.
        crate::load::load(&dir.path().join(files[0].0)).unwrap_or_else(|e| panic!("{e}"));
        doc
    }

    fn error(files: &[(&str, &str)]) -> Diagnostic {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), files);
        match run(dir.path(), files[0].0) {
            Err(diagnostic) => diagnostic,
            Ok((doc, _)) => panic!("expected an error, got {doc:#}"),
        }
    }

    const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

    fn spec(body: &str) -> String {
        format!("{HEAD}{body}")
    }

    /// `GET /pets` answering 200 with `schema`.
    fn get_pets(schema: &str) -> String {
        spec(&format!(
            "paths:\n  /pets:\n    get:\n      operationId: listPets\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {schema}\n"
        ))
    }

    const SCHEMA: &str = "/paths/~1pets/get/responses/200/content/application~1json/schema";

    #[test]
    fn schema_by_whole_file() {
        let doc = bundled(&[
            ("openapi.yaml", &get_pets("{$ref: './schemas/Pet.yaml'}")),
            (
                "schemas/Pet.yaml",
                "type: object\nproperties:\n  name: {type: string}\n",
            ),
        ]);
        assert_eq!(
            doc.pointer(SCHEMA).unwrap(),
            &json!({"$ref": "#/components/schemas/Pet"})
        );
        assert_eq!(
            doc["components"]["schemas"]["Pet"],
            json!({"type": "object", "properties": {"name": {"type": "string"}}})
        );
    }

    #[test]
    fn schema_by_fragment_and_local_refs_inside_the_file() {
        let doc = bundled(&[
            (
                "openapi.yaml",
                &get_pets("{$ref: 'common.yaml#/components/schemas/Error'}"),
            ),
            (
                "common.yaml",
                "components:\n  schemas:\n    Error:\n      type: object\n      properties:\n        code: {$ref: '#/components/schemas/Code'}\n    Code: {type: integer}\n    Unused: {type: string}\n",
            ),
        ]);
        assert_eq!(
            doc.pointer(SCHEMA).unwrap(),
            &json!({"$ref": "#/components/schemas/Error"})
        );
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["Error"]["properties"]["code"],
            json!({"$ref": "#/components/schemas/Code"})
        );
        assert_eq!(schemas["Code"], json!({"type": "integer"}));
        assert!(schemas.get("Unused").is_none(), "only what is referenced");
    }

    #[test]
    fn nested_relative_paths() {
        let doc = bundled(&[
            (
                "api/openapi.yaml",
                &spec(
                    "paths:\n  /pets:\n    get:\n      parameters:\n        - $ref: '../shared/params.json#/Limit'\n      responses:\n        '200': {description: ok}\n",
                ),
            ),
            (
                "shared/params.json",
                r#"{"Limit": {"name": "limit", "in": "query", "schema": {"$ref": "./types/count.yaml"}}}"#,
            ),
            ("shared/types/count.yaml", "type: integer\nminimum: 0\n"),
        ]);
        assert_eq!(
            doc["paths"]["/pets"]["get"]["parameters"][0],
            json!({"$ref": "#/components/parameters/Limit"})
        );
        assert_eq!(
            doc["components"]["parameters"]["Limit"]["schema"],
            json!({"$ref": "#/components/schemas/count"})
        );
        assert_eq!(
            doc["components"]["schemas"]["count"],
            json!({"type": "integer", "minimum": 0})
        );
    }

    #[test]
    fn cycles_across_files_end() {
        let doc = bundled(&[
            ("openapi.yaml", &get_pets("{$ref: './A.yaml'}")),
            (
                "A.yaml",
                "type: object\nproperties:\n  b: {$ref: './B.yaml'}\n",
            ),
            (
                "B.yaml",
                "type: object\nproperties:\n  a: {$ref: './A.yaml'}\n  node: {$ref: 'sub/Node.yaml'}\n",
            ),
            (
                "sub/Node.yaml",
                "type: object\nproperties:\n  children: {type: array, items: {$ref: './Node.yaml'}}\n  again: {$ref: '#'}\n",
            ),
        ]);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["A"]["properties"]["b"],
            json!({"$ref": "#/components/schemas/B"})
        );
        assert_eq!(
            schemas["B"]["properties"]["a"],
            json!({"$ref": "#/components/schemas/A"})
        );
        let node = &schemas["Node"]["properties"];
        assert_eq!(
            node["children"]["items"],
            json!({"$ref": "#/components/schemas/Node"})
        );
        assert_eq!(node["again"], json!({"$ref": "#/components/schemas/Node"}));
        assert_eq!(schemas.as_object().unwrap().len(), 3);
    }

    #[test]
    fn path_item_file_with_a_parameter_ref() {
        let doc = bundled(&[
            (
                "openapi.yaml",
                &spec(
                    "paths:\n  /pets:\n    $ref: './paths/pets.yaml'\n  /cats:\n    $ref: './paths/pets.yaml'\n    summary: Cats\n",
                ),
            ),
            (
                "paths/pets.yaml",
                "summary: Pets\nget:\n  operationId: listPets\n  parameters:\n    - $ref: '../parameters/limit.yaml'\n  responses:\n    '200': {description: ok}\n",
            ),
            (
                "parameters/limit.yaml",
                "name: limit\nin: query\nschema: {type: integer}\n",
            ),
        ]);
        let item = &doc["paths"]["/pets"];
        assert!(item.get("$ref").is_none(), "path items are copied in place");
        assert_eq!(item["summary"], "Pets");
        assert_eq!(
            item["get"]["parameters"][0],
            json!({"$ref": "#/components/parameters/limit"})
        );
        assert_eq!(doc["paths"]["/cats"]["summary"], "Cats", "siblings win");
        assert_eq!(
            doc["components"]["parameters"]["limit"],
            json!({"name": "limit", "in": "query", "schema": {"type": "integer"}})
        );
        assert_eq!(
            doc["components"]["parameters"].as_object().unwrap().len(),
            1
        );
    }

    #[test]
    fn responses_request_bodies_and_headers() {
        let doc = bundled(&[
            (
                "openapi.yaml",
                &spec(
                    "paths:\n  /pets:\n    post:\n      requestBody: {$ref: './bodies.yaml#/NewPet'}\n      responses:\n        '201':\n          description: ok\n          headers:\n            X-Rate: {$ref: './headers.yaml'}\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  responses: {$ref: './responses.yaml#/Wrapped'}\n        default: {$ref: './responses.yaml#/Error'}\n",
                ),
            ),
            (
                "bodies.yaml",
                "NewPet:\n  content:\n    application/json:\n      schema: {type: object}\n",
            ),
            ("headers.yaml", "schema: {type: integer}\n"),
            (
                "responses.yaml",
                "Error:\n  description: failed\nWrapped: {type: string}\n",
            ),
        ]);
        let op = &doc["paths"]["/pets"]["post"];
        assert_eq!(
            op["requestBody"],
            json!({"$ref": "#/components/requestBodies/NewPet"})
        );
        assert_eq!(
            op["responses"]["default"],
            json!({"$ref": "#/components/responses/Error"})
        );
        assert_eq!(
            op["responses"]["201"]["headers"]["X-Rate"],
            json!({"$ref": "#/components/headers/headers"})
        );
        // A property named `responses` is a schema, not a response.
        assert_eq!(
            op.pointer("/responses/201/content/application~1json/schema/properties/responses")
                .unwrap(),
            &json!({"$ref": "#/components/schemas/Wrapped"})
        );
        let components = &doc["components"];
        assert_eq!(components["responses"]["Error"]["description"], "failed");
        assert_eq!(components["schemas"]["Wrapped"], json!({"type": "string"}));
        assert!(components["requestBodies"]["NewPet"]["content"].is_object());
        assert_eq!(
            components["headers"]["headers"]["schema"]["type"],
            "integer"
        );
    }

    #[test]
    fn swagger2_sections() {
        let doc = bundled(&[
            (
                "swagger.yaml",
                "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    post:\n      parameters:\n        - $ref: 'params.yaml#/Limit'\n        - {name: body, in: body, schema: {$ref: 'Pet.yaml'}}\n      responses:\n        '200':\n          description: ok\n          schema: {$ref: 'Pet.yaml'}\n          headers:\n            X-Rate: {$ref: 'rate.yaml'}\n        default: {$ref: 'responses.yaml#/Error'}\n",
            ),
            (
                "params.yaml",
                "Limit: {name: limit, in: query, type: integer}\n",
            ),
            (
                "Pet.yaml",
                "type: object\nproperties:\n  name: {type: string}\n",
            ),
            ("rate.yaml", "type: integer\n"),
            (
                "responses.yaml",
                "Error:\n  description: failed\n  schema: {$ref: '#/Problem'}\nProblem: {type: object}\n",
            ),
        ]);
        let op = &doc["paths"]["/pets"]["post"];
        assert_eq!(op["parameters"][0], json!({"$ref": "#/parameters/Limit"}));
        assert_eq!(
            op["parameters"][1]["schema"],
            json!({"$ref": "#/definitions/Pet"})
        );
        assert_eq!(
            op["responses"]["200"]["headers"]["X-Rate"],
            json!({"type": "integer"}),
            "2.0 has no shared headers: copied in place"
        );
        assert_eq!(
            op["responses"]["default"],
            json!({"$ref": "#/responses/Error"})
        );
        assert_eq!(doc["parameters"]["Limit"]["name"], "limit");
        assert_eq!(
            doc["responses"]["Error"]["schema"],
            json!({"$ref": "#/definitions/Problem"})
        );
        assert_eq!(doc["definitions"]["Pet"]["type"], "object");
        assert!(doc.get("components").is_none());
    }

    #[test]
    fn openapi31_keeps_id_refs() {
        let doc = bundled(&[
            (
                "openapi.yaml",
                "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'Pet.yaml'}\ncomponents:\n  schemas:\n    Tag: {$id: 'https://example.com/tag', type: string}\n",
            ),
            (
                "Pet.yaml",
                "type: object\nproperties:\n  tag: {$ref: 'https://example.com/tag'}\n  nick: {type: [string, 'null']}\n  kind: {$ref: '#/$defs/Kind'}\n$defs:\n  Kind: {const: dog}\n",
            ),
        ]);
        let pet = &doc["components"]["schemas"]["Pet"];
        assert_eq!(
            pet["properties"]["tag"],
            json!({"$ref": "https://example.com/tag"})
        );
        assert_eq!(
            pet["properties"]["kind"],
            json!({"$ref": "#/components/schemas/Kind"})
        );
        assert_eq!(
            doc["components"]["schemas"]["Kind"],
            json!({"const": "dog"})
        );
    }

    #[test]
    fn names_do_not_collide() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                (
                    "openapi.yaml",
                    &spec(
                        "paths:\n  /pets:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                oneOf:\n                  - $ref: './a/Error.yaml'\n                  - $ref: './b/Error.yaml'\n                  - $ref: './a/Error.yaml'\n                  - $ref: './Pet.yaml'\ncomponents:\n  schemas:\n    Pet: {type: string}\n",
                    ),
                ),
                ("a/Error.yaml", "type: object\n"),
                ("b/Error.yaml", "type: array\n"),
                ("Pet.yaml", "type: integer\n"),
            ],
        );
        let (doc, warnings) = run(dir.path(), "openapi.yaml").unwrap();
        assert_eq!(
            doc.pointer(&format!("{SCHEMA}/oneOf")).unwrap(),
            &json!([
                {"$ref": "#/components/schemas/Error"},
                {"$ref": "#/components/schemas/Error_2"},
                {"$ref": "#/components/schemas/Error"},
                {"$ref": "#/components/schemas/Pet_2"},
            ])
        );
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["Pet"], json!({"type": "string"}));
        assert_eq!(schemas["Pet_2"], json!({"type": "integer"}));
        assert_eq!(schemas["Error_2"], json!({"type": "array"}));
        assert_eq!(warnings.len(), 2, "{warnings:#?}");
        assert!(warnings[0].message.contains("Error_2"), "{}", warnings[0]);
        assert_eq!(
            warnings[0].location.pointer,
            format!("{SCHEMA}/oneOf/1/$ref")
        );
    }

    #[test]
    fn component_entries_keep_their_names() {
        let doc = bundled(&[
            (
                "openapi.yaml",
                &spec(
                    "paths:\n  /pets:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: './schemas/pet.yaml'}\ncomponents:\n  schemas:\n    Animal: {type: object}\n    ThePet: {$ref: './schemas/pet.yaml'}\n",
                ),
            ),
            (
                "schemas/pet.yaml",
                "type: object\nproperties:\n  self: {$ref: './pet.yaml'}\n  error: {$ref: '../openapi.yaml#/components/schemas/Animal'}\n",
            ),
        ]);
        assert_eq!(
            doc.pointer(SCHEMA).unwrap(),
            &json!({"$ref": "#/components/schemas/ThePet"})
        );
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        assert_eq!(
            schemas.keys().collect::<Vec<_>>(),
            ["Animal", "ThePet"],
            "in place, nothing added"
        );
        assert_eq!(
            schemas["ThePet"]["properties"],
            json!({
                "self": {"$ref": "#/components/schemas/ThePet"},
                "error": {"$ref": "#/components/schemas/Animal"},
            })
        );
    }

    #[test]
    fn discriminator_mappings_to_files() {
        let doc = bundled(&[
            (
                "openapi.yaml",
                &get_pets(
                    "{oneOf: [{$ref: './Cat.yaml'}], discriminator: {propertyName: kind, mapping: {cat: './Cat.yaml', other: Cat}}}",
                ),
            ),
            (
                "Cat.yaml",
                "type: object\nproperties:\n  kind: {type: string}\n",
            ),
        ]);
        assert_eq!(
            doc.pointer(&format!("{SCHEMA}/discriminator/mapping"))
                .unwrap(),
            &json!({"cat": "#/components/schemas/Cat", "other": "Cat"})
        );
    }

    #[test]
    fn missing_files_and_fragments_are_located() {
        let d = error(&[("openapi.yaml", &get_pets("{$ref: './schemas/Nope.yaml'}"))]);
        assert_eq!(d.location.file, "openapi.yaml");
        assert_eq!(d.location.pointer, format!("{SCHEMA}/$ref"));
        assert!(d.message.contains("schemas/Nope.yaml"), "{d}");

        let d = error(&[
            ("openapi.yaml", &get_pets("{$ref: './schemas/Pet.yaml'}")),
            (
                "schemas/Pet.yaml",
                "type: object\nproperties:\n  tag: {$ref: 'common.yaml#/Tag'}\n",
            ),
            ("schemas/common.yaml", "Other: {type: string}\n"),
        ]);
        assert_eq!(d.location.file, "schemas/Pet.yaml");
        assert_eq!(d.location.pointer, "/properties/tag/$ref");
        assert!(d.message.contains("points at nothing"), "{d}");
        assert!(d.message.contains("schemas/common.yaml"), "{d}");

        let d = error(&[
            ("openapi.yaml", &get_pets("{$ref: './bad.yaml'}")),
            ("bad.yaml", "a: [1\nb: 2\n"),
        ]);
        assert_eq!(d.location.file, "bad.yaml");
        assert!(d.location.line_col.is_some(), "{d}");

        let d = error(&[
            ("openapi.yaml", &get_pets("{$ref: './schemas'}")),
            ("schemas/Pet.yaml", "type: object\n"),
        ]);
        assert!(d.message.contains("not a regular file"), "{d}");
    }

    #[test]
    fn remote_references_are_not_fetched() {
        for reference in [
            "https://example.com/schemas/pet.yaml",
            "http://example.com/x.json#/Pet",
            "ftp://example.com/pet.yaml",
        ] {
            let d = error(&[(
                "openapi.yaml",
                &get_pets(&format!("{{$ref: '{reference}'}}")),
            )]);
            assert!(
                d.message.contains(
                    "remote references are not fetched; download the file next to the spec"
                ),
                "{d}"
            );
            assert_eq!(d.location.pointer, format!("{SCHEMA}/$ref"));
        }
    }

    #[test]
    fn copied_in_place_cycles_are_errors() {
        let d = error(&[
            ("openapi.yaml", &spec("paths:\n  /a: {$ref: './a.yaml'}\n")),
            (
                "a.yaml",
                "get:\n  responses:\n    '200': {description: ok}\n  callbacks:\n    onEvent:\n      '{$request.body#/url}': {$ref: './a.yaml'}\n",
            ),
        ]);
        assert!(d.message.contains("leads back to itself"), "{d}");
        assert_eq!(d.location.file, "a.yaml");
    }

    #[test]
    fn documents_without_file_refs_are_untouched() {
        let text = spec(
            "paths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: '#/components/responses/Ok'}\ncomponents:\n  responses:\n    Ok: {description: ok}\n",
        );
        let doc = source::parse(&text, "api.yaml").unwrap();
        let mut warnings = Vec::new();
        let out = bundle(
            doc.clone(),
            Path::new("/nonexistent/api.yaml"),
            "api.yaml",
            &mut warnings,
        )
        .unwrap();
        assert_eq!(out, doc);
        assert!(crate::load::load_str(&text, "api.yaml").is_ok());
    }

    #[test]
    fn references_inside_extensions_are_not_followed() {
        // Spotify's published spec: `components.x-spotify-policy.$ref` names a file it does not
        // ship; a `$ref` in a schema beside it still bundles.
        let doc = bundled(&[
            (
                "openapi.yaml",
                &format!(
                    "{}components:\n  x-policy: {{$ref: '../policies.yaml', Other: {{$ref: './missing.yaml'}}}}\n",
                    get_pets("{$ref: './Pet.yaml'}")
                ),
            ),
            (
                "Pet.yaml",
                "type: object\nproperties:\n  x-name: {$ref: './Name.yaml'}\n",
            ),
            ("Name.yaml", "type: string\n"),
        ]);
        assert_eq!(
            doc["components"]["x-policy"]["$ref"],
            json!("../policies.yaml")
        );
        assert_eq!(
            doc["components"]["schemas"]["Pet"]["properties"]["x-name"],
            json!({"$ref": "#/components/schemas/Name"})
        );
    }

    #[test]
    fn multi_file_fixture() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/multi-file/openapi.yaml");
        let spec = crate::load::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(spec.warnings.is_empty(), "{:#?}", spec.warnings);
        // `load_str` resolves against its `file`, relative to the current directory (the crate's
        // folder under `cargo test`).
        let text = std::fs::read_to_string(&path).unwrap();
        let same = crate::load::load_str(&text, "tests/fixtures/multi-file/openapi.yaml")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(same.raw, spec.raw);
        let mut operations = Vec::new();
        for (path, item) in &spec.doc.paths.paths {
            let item = item.as_item().expect("path items are inlined");
            for (method, operation) in item.iter() {
                operations.push(format!(
                    "{method} {path} {}",
                    operation.operation_id.as_deref().unwrap_or("")
                ));
            }
        }
        assert_eq!(
            operations,
            [
                "get /pets listPets",
                "post /pets createPet",
                "get /pets/{petId} showPetById",
                "delete /pets/{petId} deletePet",
                "get /owners/{ownerId} getOwner",
            ]
        );
        let components = spec.doc.components.as_ref().unwrap();
        fn names<T>(map: &indexmap::IndexMap<String, T>) -> Vec<&str> {
            map.keys().map(String::as_str).collect()
        }
        assert_eq!(
            names(&components.schemas),
            ["Pet", "Owner", "PetStatus", "Pets", "NewPet", "Error"]
        );
        assert_eq!(names(&components.parameters), ["limit", "offset", "petId"]);
        assert_eq!(names(&components.responses), ["Error", "NotFound"]);
        // The cycle: Pet → Owner → Pet.
        assert_eq!(
            spec.raw["components"]["schemas"]["Owner"]["properties"]["pets"]["items"],
            json!({"$ref": "#/components/schemas/Pet"})
        );
        assert_eq!(
            spec.raw["components"]["schemas"]["Pet"]["properties"]["owner"],
            json!({"$ref": "#/components/schemas/Owner"})
        );

        let api = crate::ir::build(&spec, &crate::ir::Options::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let tools: Vec<&str> = api.tools.iter().map(|tool| tool.name.as_str()).collect();
        assert_eq!(
            tools,
            [
                "listPets",
                "createPet",
                "showPetById",
                "deletePet",
                "getOwner"
            ]
        );
        assert!(api.warnings.is_empty(), "{:#?}", api.warnings);
        assert!(api.skipped.is_empty(), "{:#?}", api.skipped);
        let list = &api.tools[0];
        let params: Vec<&str> = list.params.iter().map(|p| p.wire_name.as_str()).collect();
        assert_eq!(params, ["limit", "offset", "status"]);
    }
}
