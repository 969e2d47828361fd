//! Tool arguments: validated against the tool's input schema before anything else happens, then
//! deserialized into the tool's typed struct. Both steps report a bad argument as an [`ArgError`]
//! naming the field, which the model can act on.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::api::{JsonObject, ToolDef};
use super::errors::ArgError;
use super::schema;

/// How many schema violations one error message lists.
const MAX_REPORTED: usize = 5;

/// Checks `args` against `tool.input_schema` (JSON Schema draft 2020-12).
///
/// `field` of the error is the first violation's location below the arguments, without the
/// leading `/` (`limit`, `body/name`, `tags/0`); for a missing required property it names that
/// property. The message lists up to five violations.
pub fn validate(tool: &ToolDef, args: &JsonObject) -> Result<(), ArgError> {
    let compiled = schema::validator(&tool.input_schema);
    let validator = match compiled.as_ref() {
        Ok(validator) => validator,
        Err(reason) => {
            return Err(ArgError::new(
                "",
                format!(
                    "the tool `{}` cannot check its arguments: its input schema is broken ({reason})",
                    tool.name
                ),
            ));
        }
    };
    let instance = Value::Object(args.clone());
    let violations = schema::violations(validator, &instance, MAX_REPORTED);
    let Some(first) = violations.first() else {
        return Ok(());
    };
    let mut message = first.message.clone();
    for more in &violations[1..] {
        message.push_str(&format!(
            "; also `{}`: {}",
            field_of(&more.pointer),
            more.message
        ));
    }
    Err(ArgError::new(field_of(&first.pointer), message))
}

/// Deserializes validated arguments into a tool's typed argument struct. Validation catches almost
/// everything first; what is left (a value out of a Rust type's range, say) is reported with the
/// path of the field serde stopped at.
pub fn parse<T: DeserializeOwned>(args: JsonObject) -> Result<T, ArgError> {
    serde_path_to_error::deserialize(Value::Object(args)).map_err(|err| {
        let mut field = err
            .path()
            .iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                serde_path_to_error::Segment::Enum { variant } => Some(variant.clone()),
                serde_path_to_error::Segment::Unknown => None,
            })
            .collect::<Vec<_>>()
            .join("/");
        let message = err.inner().to_string();
        // serde reports a missing field at its parent; name the field itself, like `validate`.
        if let Some(missing) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            if !field.is_empty() {
                field.push('/');
            }
            field.push_str(missing);
            return ArgError::new(field, "is required");
        }
        ArgError::new(field, message)
    })
}

/// Takes argument `name` out of validated arguments, as its field's Rust type. Generated tools
/// build their typed argument structs field by field with it: validation has already checked the
/// arguments against the schema, and a derived `Deserialize` per tool would cost the compiler far
/// more than these calls (a 10,000-operation crate has 10,000 argument structs). Errors name the
/// field, and below it the path serde stopped at; a required argument that is absent "is
/// required".
pub fn take<T: DeserializeOwned>(args: &mut JsonObject, name: &str) -> Result<T, ArgError> {
    let present = args.contains_key(name);
    let value = args.remove(name).unwrap_or(Value::Null);
    serde_path_to_error::deserialize(value).map_err(|err| {
        if !present {
            return ArgError::new(name, "is required");
        }
        located(name.to_owned(), err)
    })
}

/// Takes every argument still left, after [`take`] took the parameters', as one value: a
/// flattened request body, whose properties are the tool's top-level arguments (`generate
/// --flatten-body`). The body is then exactly the value a `body` argument would have held, so
/// the upstream gets the same bytes either way. Errors name the property (`address/city`).
pub fn rest<T: DeserializeOwned>(args: &mut JsonObject) -> Result<T, ArgError> {
    let value = Value::Object(std::mem::take(args));
    serde_path_to_error::deserialize(value).map_err(|err| located(String::new(), err))
}

/// A deserialization error of the value at `field` (empty: the arguments themselves), named by
/// the path below it that serde stopped at; a missing field "is required".
fn located(mut field: String, err: serde_path_to_error::Error<serde_json::Error>) -> ArgError {
    let mut push = |segment: &str| {
        if !field.is_empty() {
            field.push('/');
        }
        field.push_str(segment);
    };
    for segment in err.path().iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => push(&index.to_string()),
            serde_path_to_error::Segment::Map { key } => push(key),
            serde_path_to_error::Segment::Enum { variant } => push(variant),
            serde_path_to_error::Segment::Unknown => {}
        }
    }
    let message = err.inner().to_string();
    if let Some(missing) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        push(missing);
        return ArgError::new(field, "is required");
    }
    ArgError::new(field, message)
}

/// A JSON pointer below the arguments object as a field name: `/body/name` → `body/name`.
fn field_of(pointer: &str) -> String {
    pointer.strip_prefix('/').unwrap_or(pointer).to_owned()
}

#[cfg(test)]
mod tests {
    use super::super::api::{Annotations, Method, OutputShape};
    use super::super::request::Request;
    use super::*;
    use serde_json::json;

    static SCHEMA: &str = r#"{
        "type": "object",
        "properties": {
            "limit": {"type": "integer", "minimum": 1, "maximum": 100},
            "tags": {"type": "array", "items": {"type": "string"}},
            "body": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
                "required": ["name"]
            }
        },
        "required": ["body"],
        "additionalProperties": false
    }"#;

    fn build(_: JsonObject) -> Result<Request, ArgError> {
        Ok(Request::new(Method::Get, "/"))
    }

    fn tool(input_schema: &'static str) -> ToolDef {
        ToolDef {
            name: "t",
            title: None,
            description: "d",
            method: Method::Get,
            path: "/",
            input_schema: super::super::api::Schema::standalone(input_schema),
            output_schema: None,
            output: OutputShape::Object,
            annotations: Annotations {
                read_only: true,
                destructive: false,
                idempotent: true,
                open_world: true,
            },
            accept: None,
            scopes: &[],
            security: &[],
            build,
        }
    }

    fn object(value: Value) -> JsonObject {
        match value {
            Value::Object(map) => map,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn arguments_are_taken_field_by_field() {
        let mut args = json!({"limit": 5, "tags": ["a", 7], "body": {"pet": {}}})
            .as_object()
            .cloned()
            .unwrap();
        assert_eq!(take::<Option<i64>>(&mut args, "limit").unwrap(), Some(5));
        assert_eq!(
            take::<Option<i64>>(&mut args, "limit").unwrap(),
            None,
            "taken"
        );
        let err = take::<Vec<String>>(&mut args, "tags").unwrap_err();
        assert_eq!(err.field, "tags/1");
        let err = take::<String>(&mut args, "name").unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.message.as_str()),
            ("name", "is required")
        );
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Body {
            pet: Pet,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Pet {
            name: String,
        }
        let err = take::<Body>(&mut args, "body").unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.message.as_str()),
            ("body/pet/name", "is required")
        );
    }

    #[test]
    fn a_flattened_body_is_what_is_left() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Person {
            name: String,
            age: Option<u8>,
        }
        let mut args = object(json!({"id": 3, "name": "Ada", "age": 36}));
        assert_eq!(take::<i64>(&mut args, "id").unwrap(), 3);
        let person: Person = rest(&mut args).unwrap();
        assert_eq!(
            person,
            Person {
                name: "Ada".into(),
                age: Some(36)
            }
        );
        assert!(args.is_empty());
        let err = rest::<Person>(&mut object(json!({"age": 3}))).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.message.as_str()),
            ("name", "is required")
        );
        let err = rest::<Person>(&mut object(json!({"name": "x", "age": 300}))).unwrap_err();
        assert_eq!(err.field, "age");
    }

    /// A flat body's root, as the generator writes it: properties from an `allOf` branch pass
    /// `unevaluatedProperties: false`, unknown ones do not, and root `anyOf` and `if`/`then`
    /// are enforced.
    #[test]
    fn a_flat_body_root_is_enforced() {
        static FLAT: &str = r#"{
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {"org": {"type": "string"}, "kind": {"enum": ["phone", "email"]}},
            "allOf": [{"properties": {"phone": {"type": "string"}, "email": {"type": "string"}}}],
            "anyOf": [{"required": ["phone"]}, {"required": ["email"]}],
            "if": {"properties": {"kind": {"enum": ["phone"]}}, "required": ["kind"]},
            "then": {"required": ["phone"]},
            "unevaluatedProperties": false
        }"#;
        let flat = tool(FLAT);
        assert_eq!(
            validate(&flat, &object(json!({"org": "o", "phone": "1"}))),
            Ok(())
        );
        let refused = |args: Value| validate(&flat, &object(args)).is_err();
        assert!(refused(json!({"phone": "1", "nickname": "x"})), "unknown");
        assert!(refused(json!({"org": "o"})), "anyOf");
        assert!(refused(json!({"kind": "phone", "email": "e"})), "if/then");
    }

    #[test]
    fn accepts_valid_arguments() {
        let args = object(json!({"limit": 5, "tags": ["a"], "body": {"name": "rex"}}));
        assert_eq!(validate(&tool(SCHEMA), &args), Ok(()));
    }

    #[test]
    fn names_the_offending_field() {
        let err = validate(
            &tool(SCHEMA),
            &object(json!({"limit": "ten", "body": {"name": "x"}})),
        )
        .unwrap_err();
        assert_eq!(err.field, "limit");
        assert!(err.message.contains("integer"), "{}", err.message);
        assert!(
            err.to_string().starts_with("invalid argument `limit`: "),
            "{err}"
        );

        let err = validate(
            &tool(SCHEMA),
            &object(json!({"limit": 500, "body": {"name": "x"}})),
        )
        .unwrap_err();
        assert_eq!(err.field, "limit");
        assert!(err.message.contains("100"), "{}", err.message);

        let err = validate(
            &tool(SCHEMA),
            &object(json!({"tags": ["a", 2], "body": {"name": "x"}})),
        )
        .unwrap_err();
        assert_eq!(err.field, "tags/1");
    }

    #[test]
    fn names_missing_required_properties() {
        let err = validate(&tool(SCHEMA), &object(json!({}))).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.message.as_str()),
            ("body", "is required")
        );
        let err = validate(&tool(SCHEMA), &object(json!({"body": {"age": 3}}))).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.message.as_str()),
            ("body/name", "is required")
        );
    }

    #[test]
    fn lists_several_violations() {
        let args =
            object(json!({"limit": 0, "tags": "x", "body": {"name": 1, "age": "y"}, "extra": 1}));
        let err = validate(&tool(SCHEMA), &args).unwrap_err();
        assert_eq!(
            err.message.matches("; also `").count(),
            MAX_REPORTED - 1,
            "{}",
            err.message
        );
    }

    #[test]
    fn a_broken_schema_is_an_error_not_a_panic() {
        let err = validate(
            &tool(r#"{"type": "object", "properties": {"a": {"type": 7}}}"#),
            &JsonObject::new(),
        )
        .unwrap_err();
        assert_eq!(err.field, "");
        assert!(err.message.contains("input schema"), "{}", err.message);
        assert!(validate(&tool("not json"), &JsonObject::new()).is_err());
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Args {
        limit: Option<u8>,
        body: Body,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        tags: Option<Vec<String>>,
    }

    #[test]
    fn parse_names_the_field() {
        let args: Args = parse(object(json!({"limit": 5, "body": {"name": "rex"}}))).unwrap();
        assert_eq!(args.limit, Some(5));

        let err =
            parse::<Args>(object(json!({"limit": 300, "body": {"name": "rex"}}))).unwrap_err();
        assert_eq!(err.field, "limit");
        let err =
            parse::<Args>(object(json!({"body": {"name": "rex", "tags": ["a", 1]}}))).unwrap_err();
        assert_eq!(err.field, "body/tags/1");
        let err = parse::<Args>(object(json!({"body": {}}))).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.message.as_str()),
            ("body/name", "is required")
        );
        let err = parse::<Args>(object(json!({}))).unwrap_err();
        assert_eq!(err.field, "body");
    }
}
