//! Serde helpers used by generated argument and type structs.

/// For `Option<Option<T>>` fields of nullable, optional properties, where an absent property
/// (`None`) and an explicit `null` (`Some(None)`) mean different things to the API (commonly
/// "leave unchanged" versus "clear"). Use with
/// `#[serde(default, skip_serializing_if = "Option::is_none", with = "…::double_option")]`:
/// `default` makes an absent property `None`, this module turns a present `null` into
/// `Some(None)`, and `skip_serializing_if` leaves `None` out on the way back.
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T, S>(value: &Option<Option<T>>, serializer: S) -> Result<S::Ok, S::Error>
    where
        T: Serialize,
        S: Serializer,
    {
        match value {
            Some(Some(inner)) => serializer.serialize_some(inner),
            // `None` only reaches here without `skip_serializing_if`; null is the closest meaning.
            Some(None) | None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        // Called only when the property is present, so `null` here is an explicit null.
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use serde_json::json;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Patch {
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "super::double_option"
        )]
        nickname: Option<Option<String>>,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "super::double_option"
        )]
        age: Option<Option<u32>>,
    }

    #[test]
    fn absent_null_and_value_stay_distinct() {
        let absent: Patch = serde_json::from_value(json!({})).unwrap();
        let null: Patch = serde_json::from_value(json!({"nickname": null})).unwrap();
        let value: Patch = serde_json::from_value(json!({"nickname": "rex", "age": 3})).unwrap();
        assert_eq!(
            absent,
            Patch {
                nickname: None,
                age: None
            }
        );
        assert_eq!(
            null,
            Patch {
                nickname: Some(None),
                age: None
            }
        );
        assert_eq!(
            value,
            Patch {
                nickname: Some(Some("rex".into())),
                age: Some(Some(3))
            }
        );
    }

    #[test]
    fn round_trips() {
        for input in [
            json!({}),
            json!({"nickname": null}),
            json!({"nickname": "rex", "age": 3}),
            json!({"age": null}),
        ] {
            let patch: Patch = serde_json::from_value(input.clone()).unwrap();
            assert_eq!(serde_json::to_value(&patch).unwrap(), input);
        }
    }

    #[test]
    fn wrong_types_are_still_errors() {
        assert!(serde_json::from_value::<Patch>(json!({"age": "x"})).is_err());
    }
}
