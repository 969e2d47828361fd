//! The bundler: the documents it has read, the references still to follow, and where each
//! referenced node is placed in the main document.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::paths::{collect_ids, display_join, is_uri, split_reference};
use crate::error::{Diagnostic, Location, pointer_join, pointer_unescape};
use crate::load::openapi::{At, Flavor, ObjectKind, Section, section, section_pointer, sections};
use crate::load::refs::decode_fragment;
use crate::load::source;

/// How deep path items, examples and other copied-in-place nodes may nest through references
/// before the chain is reported as a cycle.
pub(super) const MAX_INLINE_DEPTH: usize = 32;

/// Which document a node being walked comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Src {
    Main,
    File(usize),
}

/// A referenced file, parsed.
pub(super) struct File {
    /// The folder its relative references are resolved against.
    pub(super) dir: PathBuf,
    /// Its name in messages.
    pub(super) display: String,
    pub(super) doc: Value,
    /// Its schemas' `$id`s (3.1), with their pointers.
    pub(super) ids: HashMap<String, String>,
    /// The main document itself, referenced from another file.
    pub(super) is_main: bool,
    /// The SHA-256 of its text, in hex.
    pub(super) sha256: String,
}

/// A referenced node waiting to be bundled and added under `name` in `section`.
pub(super) struct Job {
    pub(super) file: usize,
    pub(super) fragment: String,
    pub(super) obj: ObjectKind,
    pub(super) section: Section,
    pub(super) name: String,
}

pub(super) struct Bundler {
    pub(super) flavor: Flavor,
    pub(super) main_dir: PathBuf,
    pub(super) main_display: String,
    pub(super) main_canonical: Option<PathBuf>,
    /// The main document's `$id`s: references to them are left to the 3.1 normalization.
    pub(super) main_ids: HashSet<String>,
    pub(super) files: Vec<File>,
    pub(super) by_path: HashMap<PathBuf, usize>,
    /// (file, fragment, kind) → the `$ref` that now points at the node in the main document.
    pub(super) memo: HashMap<(usize, String, ObjectKind), String>,
    /// Names in use, by section pointer.
    pub(super) taken: HashMap<String, HashSet<String>>,
    pub(super) queue: VecDeque<Job>,
    /// Bundled nodes to add: (section, name, node).
    pub(super) placed: Vec<(Section, String, Value)>,
    /// Main-document component entries (pointers) that are replaced by the node they reference.
    pub(super) preplaced: HashSet<String>,
    /// The nodes being copied in place, innermost last, to stop reference cycles.
    pub(super) inlining: Vec<(usize, String)>,
    pub(super) warnings: Vec<Diagnostic>,
}

impl Bundler {
    pub(super) fn new(
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

    pub(super) fn display(&self, src: Src) -> &str {
        match src {
            Src::Main => &self.main_display,
            Src::File(index) => &self.files[index].display,
        }
    }

    pub(super) fn dir(&self, src: Src) -> &Path {
        match src {
            Src::Main => &self.main_dir,
            Src::File(index) => &self.files[index].dir,
        }
    }

    pub(super) fn location(&self, src: Src, pointer: &str) -> Location {
        Location::new(self.display(src), pointer)
    }

    /// Component entries of the main document that are just a reference to another file keep
    /// their name: the referenced node takes the entry's place, and other references to the same
    /// node point at it. Problems are left for the walk to report where they are.
    pub(super) fn preregister(&mut self, doc: &Value) {
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
    pub(super) fn walk(
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

    pub(super) fn walk_entries(
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
    pub(super) fn discriminator_mapping(
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
    pub(super) fn target(
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
    pub(super) fn load(&mut self, path: &str, src: Src, site: &str) -> Result<usize, Diagnostic> {
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
            sha256: crate::load::source::hex(&<sha2::Sha256 as sha2::Digest>::digest(
                text.as_bytes(),
            )),
        });
        self.by_path.insert(canonical, index);
        Ok(index)
    }

    /// The `$ref` that points at the node (`file`, `fragment`) of kind `obj` once it is in
    /// `section` of the main document; the first time, a name is chosen and the node is queued.
    pub(super) fn placed_ref(
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
    pub(super) fn wanted_name(&self, file: usize, fragment: &str, obj: ObjectKind) -> String {
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
    pub(super) fn inline(
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
    pub(super) fn drain(&mut self) -> Result<(), Diagnostic> {
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
    pub(super) fn place(&mut self, doc: &mut Value) -> Result<(), Diagnostic> {
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

    pub(super) fn not_an_object(&self, pointer: &str) -> Diagnostic {
        Diagnostic::new(
            Location::new(&self.main_display, pointer),
            "this is not an object, so the definitions referenced from other files cannot be added to it",
        )
        .hint("make it a map of names to definitions")
    }
}
