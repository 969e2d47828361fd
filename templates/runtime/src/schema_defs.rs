//! Tool schemas as a generated crate stores them, and how they are put back together.
//!
//! A large API's tools share most of their schemas (GitHub's 1,223 tools reach the same few
//! hundred component schemas), so a crate keeps every distinct definition once, in
//! `src/schemas.tsv`, one per line, and after them each distinct tool root schema, whose `$ref`s
//! point at `#/$defs/<name>`, keyed by the ids (line numbers) of the definitions it reaches. A tool
//! names its schemas by line. [`assemble`] rebuilds the self-contained schema clients see:
//! definitions used once (or small) and never recursive are inlined in place, the rest go into the
//! schema's own `$defs`. mcpwright compiles this file too, so what it records and inspects is
//! exactly what the server serves.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value};

use super::{graph, schema_anchors};

/// Beyond this size (in bytes of JSON), a definition used more than once stays in `$defs`.
pub const INLINE_LIMIT: usize = 256;

/// How many definitions may be inlined inside one another along one path of a schema.
pub const MAX_INLINE_NESTING: usize = 8;

/// The first line of every schema file after its `@generated` header.
pub const FORMAT_LINE: &str = "mcpwright-schemas 1";

/// The dialect every input schema states: it uses 2020-12 forms (`$defs`, type arrays) that
/// draft-07 validators would misread, so it is not left to the MCP default.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// An input schema's root as clients see it: the dialect first, and no arguments beyond the
/// listed ones. Every tool's input has both, so the crate stores neither — except a root that
/// says itself which other arguments it takes: a flattened body's (`additionalProperties` of its
/// own, or `unevaluatedProperties: false` where properties come from `allOf` branches, which a
/// root `additionalProperties: false` would refuse).
pub fn arguments_root(root: Value) -> Value {
    let Value::Object(fields) = root else {
        return root;
    };
    let closed =
        fields.contains_key("additionalProperties") || fields.contains_key("unevaluatedProperties");
    let mut map = Map::new();
    map.insert("$schema".into(), Value::String(DIALECT.into()));
    map.extend(fields);
    if !closed {
        map.insert("additionalProperties".into(), Value::Bool(false));
    }
    Value::Object(map)
}

/// The self-contained tool schema of `root` with the definitions it needs: [`assemble`], with
/// each `$anchor` kept only where it is unique ([`schema_anchors::keep_unique`]); and since the
/// root of a tool schema is always an object schema, a root without a `type` (an `allOf` of
/// objects, a `$ref`) gets `"type": "object"`.
pub fn tool_schema(root: Value, bodies: &[(&str, &Value)]) -> Value {
    let mut root = assemble(root, bodies);
    schema_anchors::keep_unique(&mut root);
    if let Value::Object(map) = &mut root
        && !map.contains_key("type")
    {
        map.insert("type".into(), Value::String("object".into()));
    }
    root
}

/// The self-contained schema of `root` with the definitions it needs (`bodies`: name and body,
/// in the spec's order, every definition the root reaches).
pub fn assemble(mut root: Value, bodies: &[(&str, &Value)]) -> Value {
    if !bodies.is_empty() {
        let index: HashMap<&str, usize> = bodies
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (*name, i))
            .collect();
        let inline = inlinable(&root, bodies, &index);
        let mut pending = Vec::new();
        expand(&mut root, bodies, &index, &inline, 0, &mut pending);
        // Definitions still referenced after inlining, and what they reference in turn.
        let mut kept: Vec<(usize, Value)> = Vec::new();
        let mut seen = HashSet::new();
        while let Some(at) = pending.pop() {
            if !seen.insert(at) {
                continue;
            }
            let mut body = bodies[at].1.clone();
            expand(&mut body, bodies, &index, &inline, 0, &mut pending);
            kept.push((at, body));
        }
        if !kept.is_empty()
            && let Value::Object(map) = &mut root
        {
            // In the spec's order, whatever order they were found in.
            kept.sort_by_key(|(at, _)| *at);
            let defs: Map<String, Value> = kept
                .into_iter()
                .map(|(at, body)| (bodies[at].0.to_owned(), body))
                .collect();
            map.insert("$defs".into(), Value::Object(defs));
        }
    }
    root
}

/// The definitions that can be inlined: not on a cycle, and used at most once or small.
fn inlinable(root: &Value, bodies: &[(&str, &Value)], index: &HashMap<&str, usize>) -> Vec<bool> {
    let mut counts = vec![0usize; bodies.len()];
    count_refs(root, index, &mut counts, &mut Vec::new());
    let mut edges = Vec::with_capacity(bodies.len());
    for (_, body) in bodies {
        let mut out = Vec::new();
        count_refs(body, index, &mut counts, &mut out);
        edges.push(out);
    }
    let cyclic = graph::on_cycle(&edges);
    bodies
        .iter()
        .enumerate()
        .map(|(at, (_, body))| {
            !cyclic[at] && (counts[at] <= 1 || body.to_string().len() <= INLINE_LIMIT)
        })
        .collect()
}

fn count_refs(
    value: &Value,
    index: &HashMap<&str, usize>,
    counts: &mut [usize],
    out: &mut Vec<usize>,
) {
    match value {
        Value::Object(map) => {
            if let Some(&at) = def_ref(map).and_then(|name| index.get(name)) {
                counts[at] += 1;
                out.push(at);
            }
            map.values().for_each(|v| count_refs(v, index, counts, out));
        }
        Value::Array(items) => items.iter().for_each(|v| count_refs(v, index, counts, out)),
        _ => {}
    }
}

/// The definition a `{"$ref": "#/$defs/<name>"}` object points at.
pub fn def_ref(map: &Map<String, Value>) -> Option<&str> {
    map.get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
}

/// Replaces references to inlinable definitions by their bodies, up to [`MAX_INLINE_NESTING`]
/// definitions deep; the definitions of references left in place are pushed to `kept`.
fn expand(
    value: &mut Value,
    bodies: &[(&str, &Value)],
    index: &HashMap<&str, usize>,
    inline: &[bool],
    nesting: usize,
    kept: &mut Vec<usize>,
) {
    match value {
        Value::Object(map) => {
            if let Some(name) = def_ref(map) {
                match index.get(name) {
                    Some(&at) if inline[at] && nesting < MAX_INLINE_NESTING => {
                        *value = bodies[at].1.clone();
                        expand(value, bodies, index, inline, nesting + 1, kept);
                    }
                    Some(&at) => kept.push(at),
                    None => {}
                }
                return;
            }
            map.values_mut()
                .for_each(|v| expand(v, bodies, index, inline, nesting, kept));
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| expand(v, bodies, index, inline, nesting, kept)),
        _ => {}
    }
}

/// The lines of schema files (`key<TAB>JSON`, after the two header lines), with ids `0..` in file
/// order. Malformed lines keep their place (as an empty key and body) so later ids stay right.
pub fn lines<'a>(files: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    let mut out = Vec::new();
    for file in files {
        for line in file.lines().skip(2) {
            out.push(line.split_once('\t').unwrap_or(("", "")));
        }
    }
    out
}

/// What a line of a schema file holds, by its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A shared definition, under its `$defs` name (`[A-Za-z0-9._-]`, never a `:`).
    Definition(String),
    /// A tool's root schema: `input:` or `output:`, then the ids of the definitions it reaches.
    Root { arguments: bool, defs: Vec<u32> },
}

impl Line {
    /// The key a line starts with.
    pub fn key(&self) -> String {
        match self {
            Line::Definition(name) => name.clone(),
            Line::Root { arguments, defs } => {
                let ids: Vec<String> = defs.iter().map(u32::to_string).collect();
                let side = if *arguments { "input" } else { "output" };
                format!("{side}:{}", ids.join(","))
            }
        }
    }

    /// Reads a key; `None` when it is neither form.
    pub fn parse(key: &str) -> Option<Line> {
        let Some((side, ids)) = key.split_once(':') else {
            return (!key.is_empty()).then(|| Line::Definition(key.to_owned()));
        };
        let arguments = match side {
            "input" => true,
            "output" => false,
            _ => return None,
        };
        let defs = if ids.is_empty() {
            Vec::new()
        } else {
            ids.split(',')
                .map(|id| id.parse().ok())
                .collect::<Option<_>>()?
        };
        Some(Line::Root { arguments, defs })
    }
}

/// A crate's stored schemas: the text of its schema files (`src/schemas.tsv`, and
/// `src/schemas-2.tsv`… when one file would be too large to review), read on first use.
pub struct SchemaTable {
    files: &'static [&'static str],
    lines: OnceLock<Vec<(&'static str, &'static str)>>,
    /// Assembled schemas by root id: tools with the same schema share one line, and so one
    /// parsed schema (many tools of a large API return the same object).
    assembled: OnceLock<Mutex<HashMap<u32, Option<Object>>>>,
}

type Object = Arc<Map<String, Value>>;

/// A table without lines, for schemas given whole.
pub static NO_DEFS: SchemaTable = SchemaTable::new(&[]);

impl SchemaTable {
    pub const fn new(files: &'static [&'static str]) -> Self {
        SchemaTable {
            files,
            lines: OnceLock::new(),
            assembled: OnceLock::new(),
        }
    }

    /// The key and JSON text of line `id`.
    fn line(&self, id: u32) -> Option<(&'static str, &'static str)> {
        self.lines
            .get_or_init(|| lines(self.files))
            .get(id as usize)
            .copied()
    }
}

/// Parsed definition bodies, kept while a batch of schemas is assembled (a whole `tools/list`)
/// and then dropped: the assembled schemas hold what they need.
#[derive(Default)]
pub struct Bodies(HashMap<(usize, u32), Option<Value>>);

/// One tool schema as the crate stores it: a root line of its table (see the module's
/// documentation), or, for tests and hand-written tools, a whole schema's text.
#[derive(Clone, Copy)]
pub struct Schema {
    table: &'static SchemaTable,
    source: Source,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Source {
    Stored(u32),
    Whole(&'static str),
}

impl Schema {
    /// The schema stored at line `id` of `table`.
    pub const fn at(table: &'static SchemaTable, id: u32) -> Self {
        Schema {
            table,
            source: Source::Stored(id),
        }
    }

    /// A whole schema that needs no shared definitions.
    pub const fn standalone(root: &'static str) -> Self {
        Schema {
            table: &NO_DEFS,
            source: Source::Whole(root),
        }
    }

    /// A key that identifies this schema by address, without hashing any text.
    pub fn address(&self) -> (usize, usize, usize) {
        let table = self.table as *const SchemaTable as usize;
        match self.source {
            Source::Stored(id) => (table, id as usize, 0),
            Source::Whole(text) => (table, text.as_ptr() as usize, text.len()),
        }
    }

    /// The schema as clients see it, assembled on first use. `None` when the stored text is not
    /// a JSON object (a generator bug, which callers report instead of panicking).
    pub fn object(&self) -> Option<Object> {
        self.object_with(&mut Bodies::default())
    }

    /// [`Schema::object`], parsing each definition once across a batch of schemas.
    pub fn object_with(&self, bodies: &mut Bodies) -> Option<Object> {
        let id = match self.source {
            Source::Whole(text) => {
                return match serde_json::from_str(text) {
                    Ok(Value::Object(map)) => Some(Arc::new(map)),
                    _ => None,
                };
            }
            Source::Stored(id) => id,
        };
        let assembled = self.table.assembled.get_or_init(Default::default);
        // A poisoned lock only means another thread panicked while holding it; entries are
        // inserted whole, so the map is still consistent.
        if let Some(found) = assembled.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
            return found.clone();
        }
        let object = self.build(id, bodies);
        assembled
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(id)
            .or_insert(object)
            .clone()
    }

    fn build(&self, id: u32, bodies: &mut Bodies) -> Option<Object> {
        let (key, text) = self.table.line(id)?;
        let Line::Root { arguments, defs } = Line::parse(key)? else {
            return None;
        };
        let mut root: Value = serde_json::from_str(text).ok()?;
        if arguments {
            root = arguments_root(root);
        }
        let table_key = self.table as *const SchemaTable as usize;
        for &id in &defs {
            bodies.0.entry((table_key, id)).or_insert_with(|| {
                self.table
                    .line(id)
                    .and_then(|(_, text)| serde_json::from_str(text).ok())
            });
        }
        let mut parts = Vec::with_capacity(defs.len());
        for &id in &defs {
            let name = self.table.line(id)?.0;
            parts.push((name, bodies.0.get(&(table_key, id))?.as_ref()?));
        }
        match tool_schema(root, &parts) {
            Value::Object(map) => Some(Arc::new(map)),
            _ => None,
        }
    }
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.source {
            Source::Stored(id) => f.debug_tuple("Schema::at").field(&id).finish(),
            Source::Whole(text) => f.debug_tuple("Schema::standalone").field(&text).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn defs(pairs: &[(&'static str, Value)]) -> Vec<(&'static str, Value)> {
        pairs.to_vec()
    }

    fn run(root: Value, defs: &[(&'static str, Value)]) -> Value {
        let bodies: Vec<(&str, &Value)> = defs.iter().map(|(n, b)| (*n, b)).collect();
        tool_schema(root, &bodies)
    }

    /// Every input root refuses unlisted arguments, unless it says itself what else it takes
    /// (a flat body's own `additionalProperties`, or `unevaluatedProperties`).
    #[test]
    fn argument_roots_are_closed_unless_they_say_otherwise() {
        let root = arguments_root(json!({"type": "object", "properties": {}}));
        assert_eq!(root["$schema"], DIALECT);
        assert_eq!(root["additionalProperties"], false);
        let own = json!({"type": "object", "additionalProperties": {"type": "string"}});
        assert_eq!(
            arguments_root(own)["additionalProperties"],
            json!({"type": "string"})
        );
        let root = arguments_root(json!({"allOf": [], "unevaluatedProperties": false}));
        assert!(root.get("additionalProperties").is_none(), "{root}");
        assert_eq!(root["$schema"], DIALECT);
    }

    #[test]
    fn definitions_used_once_are_inlined_and_shared_large_ones_kept() {
        let big = json!({"type": "object", "description": "x".repeat(300)});
        let d = defs(&[("Small", json!({"type": "string"})), ("Big", big.clone())]);
        let root = json!({"type": "object", "properties": {
            "a": {"$ref": "#/$defs/Small"}, "b": {"$ref": "#/$defs/Small"},
            "c": {"$ref": "#/$defs/Big"}, "d": {"$ref": "#/$defs/Big"}}});
        let out = run(root, &d);
        assert_eq!(out["properties"]["a"], json!({"type": "string"}));
        assert_eq!(out["properties"]["c"], json!({"$ref": "#/$defs/Big"}));
        assert_eq!(out["$defs"], json!({"Big": big}));
    }

    #[test]
    fn recursive_definitions_stay_references() {
        let d = defs(&[(
            "Node",
            json!({"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}}),
        )]);
        let out = run(
            json!({"type": "object", "properties": {"n": {"$ref": "#/$defs/Node"}}}),
            &d,
        );
        assert_eq!(out["properties"]["n"], json!({"$ref": "#/$defs/Node"}));
        assert_eq!(out["$defs"]["Node"], d[0].1);
    }

    #[test]
    fn a_root_reference_gets_an_object_type() {
        let d = defs(&[(
            "R",
            json!({"type": "object", "properties": {"r": {"$ref": "#/$defs/R"}}}),
        )]);
        let out = run(json!({"$ref": "#/$defs/R"}), &d);
        assert_eq!(out["type"], "object");
        assert_eq!(out["$ref"], "#/$defs/R");
    }

    #[test]
    fn stored_schemas_assemble_once_and_are_shared() {
        static TABLE: SchemaTable = SchemaTable::new(&[concat!(
            "# header\nmcpwright-schemas 1\n",
            "Pet\t{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}\n",
            "input:0\t{\"type\":\"object\",\"properties\":{\"pet\":{\"$ref\":\"#/$defs/Pet\"}}}\n",
            "output:7\t{\"type\":\"object\"}\n",
            "output:\t[1]\n",
        )]);
        let first = Schema::at(&TABLE, 1).object().expect("an object");
        assert_eq!(
            Value::Object((*first).clone()),
            json!({"$schema": DIALECT, "type": "object", "properties": {"pet": {"type": "object",
                "properties": {"name": {"type": "string"}}}}, "additionalProperties": false})
        );
        assert!(Arc::ptr_eq(
            &first,
            &Schema::at(&TABLE, 1).object().expect("an object")
        ));
        // A missing definition, a definition where a root belongs, a root that is no object, a
        // line that is not there: reported, not a panic.
        for id in [2, 0, 3, 9] {
            assert!(Schema::at(&TABLE, id).object().is_none(), "line {id}");
        }
        assert!(Schema::standalone("[1]").object().is_none());
        assert!(
            Schema::standalone("{\"type\":\"object\"}")
                .object()
                .is_some()
        );
    }

    #[test]
    fn line_keys_read_back() {
        for line in [
            Line::Definition("a.B-c_1".into()),
            Line::Root {
                arguments: true,
                defs: vec![],
            },
            Line::Root {
                arguments: false,
                defs: vec![3, 14, 15],
            },
        ] {
            assert_eq!(Line::parse(&line.key()), Some(line));
        }
        assert_eq!(Line::parse("sideways:1"), None);
        assert_eq!(Line::parse("input:1,x"), None);
        assert_eq!(Line::parse(""), None);
    }

    #[test]
    fn lines_keep_their_ids() {
        let file = "# header\nmcpwright-schemas 1\nA\t{}\nbroken\nB\t{\"type\":\"string\"}\n";
        assert_eq!(
            lines(&[file, file]),
            [
                ("A", "{}"),
                ("", ""),
                ("B", "{\"type\":\"string\"}"),
                ("A", "{}"),
                ("", ""),
                ("B", "{\"type\":\"string\"}")
            ]
        );
    }
}
