//! Reading JSON bodies the way the bank's clients write them: a field may come under several
//! spellings (`invoiceId` / `invoiceID`), as a string or a number, with stray whitespace.

use super::json_node::{Node, Object};

/// The first present, non-empty field of `names` as text: strings trimmed, numbers and booleans
/// printed.
pub fn text(object: &Object<'_>, names: &[&str]) -> Option<String> {
    names
        .iter()
        .filter_map(|n| object.get(n))
        .filter_map(|v| match v {
            Node::Text(s) => Some(s.trim().to_string()),
            Node::Number(n) => Some(n.to_string()),
            Node::Bool(b) => Some(b.to_string()),
            _ => None,
        })
        .find(|s| !s.is_empty())
}

/// A boolean field: `true` or `"true"` (any case); anything else is false.
pub fn flag(object: &Object<'_>, name: &str) -> bool {
    match object.get(name) {
        Some(Node::Bool(b)) => *b,
        Some(Node::Text(s)) => s.trim().eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Serde readers for typed request fields that come from JSON, a form or a query string alike:
/// a number or a string, blanks meaning "not given".
pub mod serde_lenient {
    use crate::domain::money::Amount;
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    /// Text of a string, number or boolean, trimmed; `None` when absent, null or blank.
    pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
        let text = match Option::<Value>::deserialize(deserializer)? {
            Some(Value::String(s)) => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Null) | None => String::new(),
            Some(_) => return Err(serde::de::Error::custom("must be a string or a number")),
        };
        Ok((!text.is_empty()).then_some(text))
    }

    /// An amount given as a number or a numeric string; `None` when absent, null or blank.
    pub fn amount<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Amount>, D::Error> {
        match Option::<Value>::deserialize(deserializer)? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(value) => Amount::from_json(&value)
                .map(Some)
                .map_err(|e| serde::de::Error::custom(format!("amount: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_any_spelling_and_type() {
        let body = json!({"invoiceID": " 000123 ", "amount": 100, "cardSave": "TRUE", "empty": ""});
        let document = Node::of_value(&body);
        let object = document.as_object().cloned().unwrap_or_default();
        assert_eq!(
            text(&object, crate::http::aliases::INVOICE_ID).as_deref(),
            Some("000123")
        );
        assert_eq!(text(&object, &["amount"]).as_deref(), Some("100"));
        assert_eq!(text(&object, &["empty", "missing"]), None);
        assert!(flag(&object, "cardSave"));
        assert!(!flag(&object, "amount"));
    }
}
