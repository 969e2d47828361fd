//! Rust types for tool arguments, inferred from schemas.
//!
//! A schema gets a Rust type only where the type is faithful: deserializing valid arguments into it
//! and serializing them again sends the upstream what the caller meant. Named component objects
//! become structs (unknown properties kept in a flattened map unless the schema closes the object),
//! named string enums become enums, and everything that cannot be typed faithfully (compositions,
//! inline objects, mixed enums) stays `serde_json::Value` — the tool's JSON Schema still validates
//! it before any upstream call.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::load::refs;
use crate::naming::{self, Namer};

/// A Rust type, as the emitter writes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RustType {
    String,
    /// `i64`.
    Integer,
    /// `serde_json::Number`, which keeps the number exactly as the caller wrote it.
    Number,
    Boolean,
    /// `serde_json::Value`.
    Value,
    Vec(Box<RustType>),
    /// `BTreeMap<String, T>`.
    Map(Box<RustType>),
    /// `Option<T>` inside a container (a nullable array item or map value).
    Option(Box<RustType>),
    /// An index into [`TypeSpace::types`].
    Named(usize),
}

/// A struct or enum in the generated `types` module.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedType {
    /// The Rust name.
    pub name: String,
    /// Where the schema lives in the spec (a JSON pointer).
    pub pointer: String,
    pub doc: Option<String>,
    pub kind: NamedTypeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NamedTypeKind {
    Struct {
        fields: Vec<Field>,
        /// The flattened map that keeps properties the schema does not list (its field name),
        /// or `None` when the schema sets `additionalProperties: false`.
        additional: Option<String>,
    },
    Enum {
        variants: Vec<EnumVariant>,
    },
    /// A `oneOf`/`anyOf` of typeable alternatives: an untagged enum, one variant per
    /// alternative. Deserializing picks the first alternative that fits; since every struct keeps
    /// the properties it does not list, any choice serializes back to the same JSON.
    Union {
        variants: Vec<UnionVariant>,
    },
    /// Any JSON value, under the schema's name (`type Name = serde_json::Value`).
    Opaque,
}

/// One alternative of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    pub rust_name: String,
    pub ty: RustType,
    /// Whether the payload is boxed to break a cycle of types.
    pub boxed: bool,
}

/// A struct field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub wire_name: String,
    pub rust_name: String,
    pub ty: RustType,
    pub required: bool,
    pub nullable: bool,
    /// Whether the field's type is boxed to break a cycle of types.
    pub boxed: bool,
    pub doc: Option<String>,
}

/// An enum variant and the string it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumVariant {
    pub rust_name: String,
    pub wire: String,
}

/// What a referenced pointer turned into.
#[derive(Debug, Clone)]
enum Resolved {
    Named(usize),
    Alias(RustType),
    /// Being worked out (an alias that refers back to itself ends as `Value`).
    InProgress,
}

/// All named types of a crate, in the order they were first needed.
#[derive(Debug, Clone, Default)]
pub struct TypeSpace {
    pub types: Vec<NamedType>,
    by_pointer: HashMap<String, Resolved>,
    namer: Namer,
}

impl TypeSpace {
    pub fn new() -> Self {
        TypeSpace::default()
    }

    /// The Rust type of `schema` in an argument position.
    pub fn type_of(&mut self, doc: &Value, schema: &Value) -> RustType {
        let Value::Object(map) = schema else {
            return RustType::Value;
        };
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            return self.referenced(doc, reference);
        }
        if let Some(Value::Array(parts)) = map.get("allOf")
            && let [only] = parts.as_slice()
            && !["anyOf", "oneOf", "not", "properties"]
                .iter()
                .any(|k| map.contains_key(*k))
        {
            // `allOf: [{$ref}]` is how a reference gets a description or `nullable` next to it.
            return self.type_of(doc, only);
        }
        if ["allOf", "anyOf", "oneOf", "not"]
            .iter()
            .any(|k| map.contains_key(*k))
        {
            return RustType::Value;
        }
        match map.get("type").and_then(Value::as_str) {
            Some("string") => RustType::String,
            Some("integer") => RustType::Integer,
            Some("number") => RustType::Number,
            Some("boolean") => RustType::Boolean,
            Some("array") => {
                let item_schema = map.get("items").unwrap_or(&Value::Null);
                let item = self.type_of(doc, item_schema);
                let item = if is_nullable(doc, item_schema) {
                    RustType::Option(Box::new(item))
                } else {
                    item
                };
                RustType::Vec(Box::new(item))
            }
            Some("object") | None if !map.contains_key("properties") => {
                match map.get("additionalProperties") {
                    Some(Value::Object(_)) if map.get("type").is_some() => {
                        let value_schema = &map["additionalProperties"];
                        let value = self.type_of(doc, value_schema);
                        let value = if is_nullable(doc, value_schema) {
                            RustType::Option(Box::new(value))
                        } else {
                            value
                        };
                        RustType::Map(Box::new(value))
                    }
                    _ => RustType::Value,
                }
            }
            _ => RustType::Value,
        }
    }

    /// The type of a referenced schema: a named type when it is a component object or string enum,
    /// else the type of what it refers to.
    fn referenced(&mut self, doc: &Value, reference: &str) -> RustType {
        let Some(pointer) = reference.strip_prefix('#').map(refs::decode_fragment) else {
            return RustType::Value;
        };
        match self.by_pointer.get(&pointer) {
            Some(Resolved::Named(index)) => return RustType::Named(*index),
            Some(Resolved::Alias(ty)) => return ty.clone(),
            Some(Resolved::InProgress) => return RustType::Value,
            None => {}
        }
        let Some(target) = refs::resolve(doc, reference) else {
            return RustType::Value;
        };
        let name_hint = pointer
            .rsplit('/')
            .next()
            .map(crate::error::pointer_unescape)
            .unwrap_or_default();
        if let Some(variants) = string_enum(target) {
            let index = self.push(
                &name_hint,
                &pointer,
                target,
                NamedTypeKind::Enum { variants },
            );
            return RustType::Named(index);
        }
        if let Some(parts) = object_parts(doc, target, 0).filter(|parts| mergeable(parts)) {
            // Registered before its fields are typed, so fields referring back find it.
            let placeholder = NamedTypeKind::Struct {
                fields: Vec::new(),
                additional: None,
            };
            let index = self.push(&name_hint, &pointer, target, placeholder);
            let kind = self.struct_kind(doc, &parts);
            self.types[index].kind = kind;
            return RustType::Named(index);
        }
        if let Some(alternatives) = union_alternatives(doc, target) {
            let placeholder = NamedTypeKind::Union {
                variants: Vec::new(),
            };
            let index = self.push(&name_hint, &pointer, target, placeholder);
            match self.union_variants(doc, alternatives) {
                Some(variants) => {
                    self.types[index].kind = NamedTypeKind::Union { variants };
                    return RustType::Named(index);
                }
                None => {
                    // Not typeable after all; types that refer to it already use its name, which
                    // becomes an alias of `serde_json::Value`.
                    self.types[index].kind = NamedTypeKind::Opaque;
                    return RustType::Named(index);
                }
            }
        }
        self.by_pointer
            .insert(pointer.clone(), Resolved::InProgress);
        let ty = self.type_of(doc, target);
        self.by_pointer.insert(pointer, Resolved::Alias(ty.clone()));
        ty
    }

    fn push(
        &mut self,
        name_hint: &str,
        pointer: &str,
        schema: &Value,
        kind: NamedTypeKind,
    ) -> usize {
        let name = self.namer.unique(&naming::pascal_ident(name_hint), "");
        let index = self.types.len();
        self.types.push(NamedType {
            name,
            pointer: pointer.to_owned(),
            doc: describe(schema),
            kind,
        });
        self.by_pointer
            .insert(pointer.to_owned(), Resolved::Named(index));
        index
    }

    /// A struct from the object schemas `parts` (one schema, or the parts of an `allOf`): the
    /// union of their properties and required lists; closed only when every part is.
    fn struct_kind(&mut self, doc: &Value, parts: &[&Value]) -> NamedTypeKind {
        let required: HashSet<&str> = parts
            .iter()
            .filter_map(|part| part.get("required").and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut namer = Namer::new();
        let closed = parts
            .iter()
            .all(|part| part.get("additionalProperties") == Some(&Value::Bool(false)));
        let additional = (!closed).then(|| namer.unique("additional_properties", "_"));
        let mut fields: Vec<Field> = Vec::new();
        let properties = parts
            .iter()
            .filter_map(|part| part.get("properties").and_then(Value::as_object))
            .flatten();
        for (wire, prop) in properties {
            if is_read_only(doc, prop) || fields.iter().any(|f| f.wire_name == *wire) {
                continue;
            }
            let ty = self.type_of(doc, prop);
            fields.push(Field {
                wire_name: wire.clone(),
                rust_name: namer.unique(&naming::snake_ident(wire), "_"),
                ty,
                required: required.contains(wire.as_str()),
                nullable: is_nullable(doc, prop),
                boxed: false,
                doc: describe(prop),
            });
        }
        NamedTypeKind::Struct { fields, additional }
    }

    /// The variants of a union, or `None` when an alternative cannot be typed.
    fn union_variants(&mut self, doc: &Value, alternatives: &[Value]) -> Option<Vec<UnionVariant>> {
        let mut variants: Vec<UnionVariant> = Vec::new();
        let mut names = Namer::new();
        for alternative in alternatives {
            if is_nullable(doc, alternative) {
                return None;
            }
            let ty = self.type_of(doc, alternative);
            if ty == RustType::Value {
                return None;
            }
            if variants.iter().any(|v| v.ty == ty) {
                continue;
            }
            let base = match &ty {
                RustType::Named(index) => self.types[*index].name.clone(),
                RustType::String => "String".into(),
                RustType::Integer => "Integer".into(),
                RustType::Number => "Number".into(),
                RustType::Boolean => "Boolean".into(),
                RustType::Vec(_) => "Array".into(),
                RustType::Map(_) => "Map".into(),
                RustType::Option(_) | RustType::Value => "Value".into(),
            };
            variants.push(UnionVariant {
                rust_name: names.unique(&base, ""),
                ty,
                boxed: false,
            });
        }
        (variants.len() > 1).then_some(variants)
    }

    /// Boxes the fields that would otherwise make a type contain itself (a field whose type is in
    /// the same cycle of direct containment). Call once all types are known.
    pub fn finish(&mut self) {
        let direct: Vec<Vec<usize>> = self.types.iter().map(|t| direct_targets(&t.kind)).collect();
        let component = super::graph::components(&direct);
        for (index, ty) in self.types.iter_mut().enumerate() {
            match &mut ty.kind {
                NamedTypeKind::Struct { fields, .. } => {
                    for field in fields {
                        if let RustType::Named(target) = field.ty {
                            field.boxed = component[target] == component[index];
                        }
                    }
                }
                NamedTypeKind::Union { variants } => {
                    for variant in variants {
                        if let RustType::Named(target) = variant.ty {
                            variant.boxed = component[target] == component[index];
                        }
                    }
                }
                NamedTypeKind::Enum { .. } | NamedTypeKind::Opaque => {}
            }
        }
    }
}

/// Named types a struct or union holds directly (not behind a `Vec` or map, which already
/// allocate).
fn direct_targets(kind: &NamedTypeKind) -> Vec<usize> {
    let named = |ty: &RustType| match ty {
        RustType::Named(target) => Some(*target),
        _ => None,
    };
    match kind {
        NamedTypeKind::Struct { fields, .. } => {
            fields.iter().filter_map(|f| named(&f.ty)).collect()
        }
        NamedTypeKind::Union { variants } => variants.iter().filter_map(|v| named(&v.ty)).collect(),
        NamedTypeKind::Enum { .. } | NamedTypeKind::Opaque => Vec::new(),
    }
}

/// Whether a schema (or the schema it references) allows `null`.
pub fn is_nullable(doc: &Value, schema: &Value) -> bool {
    let flag = |s: &Value| s.get("nullable") == Some(&Value::Bool(true));
    flag(schema)
        || schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| refs::resolve(doc, r))
            .is_some_and(flag)
}

fn is_read_only(doc: &Value, schema: &Value) -> bool {
    let flag = |s: &Value| s.get("readOnly") == Some(&Value::Bool(true));
    flag(schema)
        || schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| refs::resolve(doc, r))
            .is_some_and(flag)
}

/// The object schemas a struct is made of: the schema itself when it is a plain object, or the
/// parts of its `allOf` (references followed, nested `allOf`s flattened). `None` when any part is
/// something a struct cannot express (a composition, a non-object type, `nullable`).
fn object_parts<'a>(doc: &'a Value, schema: &'a Value, depth: usize) -> Option<Vec<&'a Value>> {
    if depth > 16 {
        return None;
    }
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => refs::resolve(doc, reference)?,
        None => schema,
    };
    let Value::Object(map) = schema else {
        return None;
    };
    let object_typed = match map.get("type") {
        Some(Value::String(t)) => t == "object",
        None => true,
        Some(_) => false,
    };
    if !object_typed
        || map.get("nullable") == Some(&Value::Bool(true))
        || ["anyOf", "oneOf", "not"]
            .iter()
            .any(|k| map.contains_key(*k))
        || map.get("$ref").is_some()
    {
        return None;
    }
    let mut parts = vec![schema];
    if let Some(all) = map.get("allOf") {
        for part in all.as_array()? {
            parts.extend(object_parts(doc, part, depth + 1)?);
        }
    }
    Some(parts)
}

/// Whether object parts make a faithful struct: some properties to hold, and no property defined
/// differently by two parts.
fn mergeable(parts: &[&Value]) -> bool {
    let mut seen: HashMap<&str, &Value> = HashMap::new();
    let mut any = false;
    for props in parts
        .iter()
        .filter_map(|p| p.get("properties").and_then(Value::as_object))
    {
        for (name, schema) in props {
            any = true;
            if seen
                .insert(name, schema)
                .is_some_and(|earlier| earlier != schema)
            {
                return false;
            }
        }
    }
    any
}

/// The alternatives of a plain `oneOf` or `anyOf` (nothing else beside it that a union of the
/// alternatives would lose).
fn union_alternatives<'a>(doc: &Value, schema: &'a Value) -> Option<&'a [Value]> {
    let _ = doc;
    let Value::Object(map) = schema else {
        return None;
    };
    let alternatives = match (map.get("oneOf"), map.get("anyOf")) {
        (Some(Value::Array(a)), None) | (None, Some(Value::Array(a))) => a,
        _ => return None,
    };
    let constraining = [
        "allOf",
        "not",
        "properties",
        "additionalProperties",
        "items",
        "enum",
        "type",
    ];
    let plain = !constraining.iter().any(|k| map.contains_key(*k))
        && map.get("nullable") != Some(&Value::Bool(true));
    (plain && alternatives.len() > 1).then_some(alternatives.as_slice())
}

/// The variants of a string enum (every value a string, no duplicates), else `None`.
fn string_enum(schema: &Value) -> Option<Vec<EnumVariant>> {
    if schema.get("type").and_then(Value::as_str) != Some("string")
        || schema.get("nullable") == Some(&Value::Bool(true))
    {
        return None;
    }
    let values = schema.get("enum")?.as_array()?;
    let mut seen = HashSet::new();
    let wires: Vec<&str> = values.iter().map(Value::as_str).collect::<Option<_>>()?;
    if wires.is_empty() || !wires.iter().all(|w| seen.insert(*w)) {
        return None;
    }
    let mut namer = Namer::new();
    Some(
        wires
            .into_iter()
            .map(|wire| {
                let base = if wire.is_empty() {
                    "Empty".to_owned()
                } else {
                    naming::pascal_ident(wire)
                };
                EnumVariant {
                    rust_name: namer.unique(&base, ""),
                    wire: wire.to_owned(),
                }
            })
            .collect(),
    )
}

/// A doc comment from `title` and `description`.
pub fn describe(schema: &Value) -> Option<String> {
    let parts: Vec<&str> = ["title", "description"]
        .iter()
        .filter_map(|k| schema.get(*k).and_then(Value::as_str))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({"components": {"schemas": {
            "Pet": {"type": "object", "required": ["name"], "properties": {
                "id": {"type": "integer", "readOnly": true},
                "name": {"type": "string"},
                "type": {"$ref": "#/components/schemas/Kind"},
                "parent": {"$ref": "#/components/schemas/Pet"},
                "tags": {"type": "array", "items": {"type": "string", "nullable": true}},
                "note": {"type": "string", "nullable": true},
            }},
            "Kind": {"type": "string", "enum": ["dog", "cat", "DOG", ""]},
            "Name": {"type": "string"},
            "Loop": {"$ref": "#/components/schemas/Loop"},
            "Mixed": {"type": "string", "enum": ["a", 1]},
            "Closed": {"type": "object", "additionalProperties": false, "properties": {"a": {"type": "number"}}},
        }}})
    }

    #[test]
    fn named_objects_and_enums() {
        let doc = doc();
        let mut space = TypeSpace::new();
        let pet = space.type_of(&doc, &json!({"$ref": "#/components/schemas/Pet"}));
        space.finish();
        assert_eq!(pet, RustType::Named(0));
        let NamedTypeKind::Struct { fields, additional } = &space.types[0].kind else {
            panic!()
        };
        let names: Vec<_> = fields.iter().map(|f| f.rust_name.as_str()).collect();
        assert_eq!(names, ["name", "r#type", "parent", "tags", "note"]);
        assert_eq!(additional.as_deref(), Some("additional_properties"));
        assert!(fields[2].boxed, "a struct holding itself is boxed");
        assert_eq!(
            fields[3].ty,
            RustType::Vec(Box::new(RustType::Option(Box::new(RustType::String))))
        );
        assert!(fields[4].nullable && !fields[4].required);
        let NamedTypeKind::Enum { variants } = &space.types[1].kind else {
            panic!()
        };
        let names: Vec<_> = variants.iter().map(|v| v.rust_name.as_str()).collect();
        assert_eq!(names, ["Dog", "Cat", "Dog2", "Empty"]);
    }

    #[test]
    fn aliases_and_untypable_schemas() {
        let doc = doc();
        let mut space = TypeSpace::new();
        assert_eq!(
            space.type_of(&doc, &json!({"$ref": "#/components/schemas/Name"})),
            RustType::String
        );
        assert_eq!(
            space.type_of(&doc, &json!({"$ref": "#/components/schemas/Loop"})),
            RustType::Value
        );
        assert_eq!(
            space.type_of(&doc, &json!({"$ref": "#/components/schemas/Mixed"})),
            RustType::String
        );
        assert_eq!(
            space.type_of(&doc, &json!({"oneOf": [{"type": "string"}]})),
            RustType::Value
        );
        assert_eq!(
            space.type_of(&doc, &json!({"type": "object", "properties": {"a": {}}})),
            RustType::Value
        );
        assert_eq!(
            space.type_of(
                &doc,
                &json!({"type": "object", "additionalProperties": {"type": "integer"}})
            ),
            RustType::Map(Box::new(RustType::Integer))
        );
        let closed = space.type_of(&doc, &json!({"$ref": "#/components/schemas/Closed"}));
        let RustType::Named(index) = closed else {
            panic!()
        };
        assert!(matches!(
            space.types[index].kind,
            NamedTypeKind::Struct {
                additional: None,
                ..
            }
        ));
        assert!(
            space.types.iter().all(|t| t.name != "Name"),
            "aliases are not named types"
        );
    }

    #[test]
    fn all_of_objects_merge_into_one_struct() {
        let doc = json!({"components": {"schemas": {
            "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
            "Dog": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "required": ["bark"], "properties": {"bark": {"type": "boolean"}}}]},
            "Clash": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"id": {"type": "string"}}}]},
        }}});
        let mut space = TypeSpace::new();
        let RustType::Named(dog) =
            space.type_of(&doc, &json!({"$ref": "#/components/schemas/Dog"}))
        else {
            panic!()
        };
        let NamedTypeKind::Struct { fields, .. } = &space.types[dog].kind else {
            panic!()
        };
        let names: Vec<_> = fields
            .iter()
            .map(|f| (f.rust_name.as_str(), f.required))
            .collect();
        assert_eq!(names, [("id", true), ("name", false), ("bark", true)]);
        assert_eq!(
            space.type_of(&doc, &json!({"$ref": "#/components/schemas/Clash"})),
            RustType::Value,
            "conflicting parts stay untyped"
        );
        assert_eq!(
            space.type_of(
                &doc,
                &json!({"allOf": [{"$ref": "#/components/schemas/Base"}]})
            ),
            RustType::Named(1)
        );
    }

    #[test]
    fn one_of_alternatives_become_an_untagged_enum() {
        let doc = json!({"components": {"schemas": {
            "Cat": {"type": "object", "properties": {"meow": {"type": "boolean"}}},
            "Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Item"}}},
            "Item": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Node"}, {"type": "string"}]},
            "Loose": {"anyOf": [{"type": "string"}, {"type": "object", "properties": {"a": {}}}]},
        }}});
        let mut space = TypeSpace::new();
        let RustType::Named(item) =
            space.type_of(&doc, &json!({"$ref": "#/components/schemas/Item"}))
        else {
            panic!()
        };
        space.finish();
        let NamedTypeKind::Union { variants } = &space.types[item].kind else {
            panic!("{:?}", space.types[item])
        };
        let names: Vec<_> = variants.iter().map(|v| v.rust_name.as_str()).collect();
        assert_eq!(names, ["Cat", "Node", "String"]);
        assert!(variants[1].boxed, "Item holds Node which holds Item");
        let RustType::Named(loose) =
            space.type_of(&doc, &json!({"$ref": "#/components/schemas/Loose"}))
        else {
            panic!()
        };
        assert_eq!(
            space.types[loose].kind,
            NamedTypeKind::Opaque,
            "an inline object alternative is not typeable"
        );
    }
}
