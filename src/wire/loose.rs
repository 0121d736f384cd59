//! Request fields read the way the bank's clients write them: a string, a number or a boolean
//! all become text (trimmed); `null` and absence become "". For `#[serde(deserialize_with)]`
//! on plain `String` fields of typed request bodies.

use serde::{Deserialize, Deserializer};
use serde_json::Value;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;

/// The OpenAPI schema of a field read by [`text`]: a string, a number, a boolean or `null`.
/// Never built; `#[schema(value_type = LooseText)]` on the field.
pub struct LooseText;

impl utoipa::PartialSchema for LooseText {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([
                Type::String,
                Type::Number,
                Type::Boolean,
                Type::Null,
            ]))
            .description(Some("Text; a number or a boolean is read as its text, null as empty"))
            .into()
    }
}

impl utoipa::ToSchema for LooseText {}

/// A scalar as trimmed text; objects and arrays are refused.
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(String::new()),
        Value::String(s) => Ok(s.trim().to_string()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or a number, got {}",
            match other {
                Value::Array(_) => "an array",
                _ => "an object",
            }
        ))),
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct Body {
        #[serde(deserialize_with = "super::text")]
        a: String,
    }

    #[test]
    fn scalars_become_text_and_containers_are_refused() {
        let read = |json: &str| serde_json::from_str::<Body>(json).map(|b| b.a);
        assert_eq!(read(r#"{"a": " x "}"#).ok().as_deref(), Some("x"));
        assert_eq!(read(r#"{"a": 12}"#).ok().as_deref(), Some("12"));
        assert_eq!(read(r#"{"a": null}"#).ok().as_deref(), Some(""));
        assert_eq!(read(r#"{}"#).ok().as_deref(), Some(""));
        assert!(read(r#"{"a": [1]}"#).is_err());
    }
}
