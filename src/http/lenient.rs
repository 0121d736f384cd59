//! Reading JSON bodies the way the bank's clients write them: a field may come under several
//! spellings (`invoiceId` / `invoiceID`), as a string or a number, with stray whitespace.

use serde_json::{Map, Value};

/// The first present, non-empty field of `names` as text: strings trimmed, numbers and booleans
/// printed.
pub fn text(object: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names
        .iter()
        .filter_map(|n| object.get(*n))
        .filter_map(|v| match v {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        })
        .find(|s| !s.is_empty())
}

/// A boolean field: `true` or `"true"` (any case); anything else is false.
pub fn flag(object: &Map<String, Value>, name: &str) -> bool {
    match object.get(name) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.trim().eq_ignore_ascii_case("true"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_any_spelling_and_type() {
        let body = json!({"invoiceID": " 000123 ", "amount": 100, "cardSave": "TRUE", "empty": ""});
        let object = body.as_object().cloned().unwrap_or_default();
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
