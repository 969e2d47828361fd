//! Compiled JSON Schema validators for the tools' input and output schemas, built on first use and
//! kept for the life of the process.
//!
//! Schemas are `'static` parts of the generated crate, so the cache is keyed by their addresses and
//! lengths: looking a validator up costs no hashing of the schema.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use jsonschema::Validator;
use serde_json::Value;

use super::schema_defs::Schema;

/// A compiled schema, or why it could not be compiled.
type Compiled = Arc<Result<Validator, String>>;

type Key = (usize, usize, usize);

fn cache() -> &'static RwLock<HashMap<Key, Compiled>> {
    static CACHE: OnceLock<RwLock<HashMap<Key, Compiled>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The validator for `schema` (draft 2020-12), compiled once. A schema that is not a JSON object
/// or does not compile yields the reason as text, never a panic.
pub fn validator(schema: &Schema) -> Arc<Result<Validator, String>> {
    let key = schema.address();
    // A poisoned lock only means another thread panicked while holding it; the map is still
    // consistent (entries are inserted whole), so carry on with it.
    if let Some(found) = cache().read().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Arc::clone(found);
    }
    let compiled = Arc::new(compile(schema));
    let mut map = cache().write().unwrap_or_else(|e| e.into_inner());
    Arc::clone(map.entry(key).or_insert(compiled))
}

fn compile(schema: &Schema) -> Result<Validator, String> {
    let object = schema
        .object()
        .ok_or_else(|| "the schema is not a JSON object".to_owned())?;
    let value = Value::Object((*object).clone());
    jsonschema::draft202012::new(&value)
        .map_err(|err| format!("the schema does not compile: {err}"))
}

/// One validation failure: where in the instance (a JSON pointer, `""` for the root) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The JSON pointer of the offending value; for a missing required property, the pointer of
    /// the property that should be there.
    pub pointer: String,
    pub message: String,
}

/// Up to `limit` violations of `instance` against `validator`, in the validator's order.
pub fn violations(validator: &Validator, instance: &Value, limit: usize) -> Vec<Violation> {
    // The common case, a valid instance, takes the short-circuiting check: collecting errors
    // walks the whole instance and costs several times more.
    if validator.is_valid(instance) {
        return Vec::new();
    }
    validator
        .iter_errors(instance)
        .take(limit)
        .map(|error| {
            let mut pointer = error.instance_path().as_str().to_owned();
            let message = match error.kind() {
                jsonschema::error::ValidationErrorKind::Required { property } => {
                    let name = property
                        .as_str()
                        .map_or_else(|| property.to_string(), str::to_owned);
                    pointer.push('/');
                    pointer.push_str(&name.replace('~', "~0").replace('/', "~1"));
                    "is required".to_owned()
                }
                _ => error.to_string(),
            };
            Violation { pointer, message }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compiles_once_and_reports_bad_schemas() {
        static SCHEMA: Schema = Schema::standalone(
            r#"{"type":"object","required":["a"],"properties":{"a":{"type":"integer"}}}"#,
        );
        let first = validator(&SCHEMA);
        let second = validator(&SCHEMA);
        assert!(Arc::ptr_eq(&first, &second));
        let Ok(v) = first.as_ref() else {
            panic!("schema should compile")
        };
        assert_eq!(
            violations(v, &json!({}), 5),
            [Violation {
                pointer: "/a".into(),
                message: "is required".into()
            }]
        );
        assert_eq!(violations(v, &json!({"a": "x"}), 5)[0].pointer, "/a");
        assert!(violations(v, &json!({"a": 1}), 5).is_empty());

        let broken = Schema::standalone("{not json");
        assert!(validator(&broken).as_ref().as_ref().is_err());
        let wrong = Schema::standalone(r#"{"type": 12}"#);
        assert!(validator(&wrong).as_ref().as_ref().is_err());
    }
}
