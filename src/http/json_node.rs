//! A JSON document borrowed from the request body, for the bodies that are read leniently
//! (payments, transfers): looked up by name under several spellings rather than deserialised into
//! one type.
//!
//! It answers every lookup as a `serde_json::Value` would (a repeated key gives its last value;
//! numbers are the same `Number`s) but builds no map with hashed keys and copies no string that
//! has no escapes: the saved-card payment spent a tenth of its time building and dropping the
//! `Value` of its body.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::fmt;

/// Objects up to this many fields find their repeated keys by comparing; larger ones by hashing.
const SMALL_OBJECT: usize = 32;

/// One JSON value; strings and keys borrow from the body unless they hold escapes.
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as serde_json reads it.
    Number(Number),
    /// A string.
    Text(Cow<'a, str>),
    /// An array.
    List(Vec<Node<'a>>),
    /// An object.
    Object(Object<'a>),
}

/// A JSON object's fields in document order, repeats kept; lookups take the last.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Object<'a> {
    fields: Vec<(Cow<'a, str>, Node<'a>)>,
}

impl<'a> Object<'a> {
    /// The object of a map already parsed, borrowing its strings.
    pub fn of_map(fields: &'a Map<String, Value>) -> Self {
        Object {
            fields: fields
                .iter()
                .map(|(k, v)| (Cow::Borrowed(k.as_str()), Node::of_value(v)))
                .collect(),
        }
    }

    /// The value of `name` (its last occurrence, as in a `serde_json::Map`).
    pub fn get(&self, name: &str) -> Option<&Node<'a>> {
        self.fields
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// Every field, in document order, repeated keys included.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &Node<'a>)> {
        self.fields.iter().map(|(key, value)| (key.as_ref(), value))
    }

    /// Calls `f` on the fields a `serde_json::Map` would keep: each key once, with its last
    /// value (in document order of those last occurrences).
    pub fn try_for_each_last<E>(&self, mut f: impl FnMut(&str, &Node<'a>) -> Result<(), E>) -> Result<(), E> {
        if self.fields.len() <= SMALL_OBJECT {
            for (i, (key, value)) in self.fields.iter().enumerate() {
                if !self.fields[i + 1..].iter().any(|(later, _)| later == key) {
                    f(key, value)?;
                }
            }
            return Ok(());
        }
        let mut last = std::collections::HashMap::with_capacity(self.fields.len());
        for (i, (key, _)) in self.fields.iter().enumerate() {
            last.insert(key.as_ref(), i);
        }
        for (i, (key, value)) in self.fields.iter().enumerate() {
            if last.get(key.as_ref()) == Some(&i) {
                f(key, value)?;
            }
        }
        Ok(())
    }
}

impl<'a> Node<'a> {
    /// The node of a value already parsed, borrowing its strings.
    pub fn of_value(value: &'a Value) -> Self {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.clone()),
            Value::String(s) => Node::Text(Cow::Borrowed(s)),
            Value::Array(items) => Node::List(items.iter().map(Node::of_value).collect()),
            Value::Object(fields) => Node::Object(Object::of_map(fields)),
        }
    }

    /// The same document as a `serde_json::Value` (a repeated key keeps the place of its first
    /// occurrence and the value of its last, as serde_json's own reader does).
    pub fn to_value(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n) => Value::Number(n.clone()),
            Node::Text(s) => Value::String(s.to_string()),
            Node::List(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Object(object) => {
                let mut fields = Map::new();
                for (key, value) in object.fields() {
                    fields.insert(key.to_string(), value.to_value());
                }
                Value::Object(fields)
            }
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Node::Object(object) => Some(object),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Node<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Node<'de>, E> {
        Ok(Node::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Node<'de>, E> {
        Ok(Node::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Node<'de>, E> {
        Ok(Number::from_f64(n).map_or(Node::Null, Node::Number))
    }

    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::Text(Cow::Borrowed(text)))
    }

    fn visit_str<E>(self, text: &str) -> Result<Node<'de>, E> {
        Ok(Node::Text(Cow::Owned(text.to_string())))
    }

    fn visit_string<E>(self, text: String) -> Result<Node<'de>, E> {
        Ok(Node::Text(Cow::Owned(text)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Node<'de>, A::Error> {
        let mut list = Vec::new();
        while let Some(item) = items.next_element()? {
            list.push(item);
        }
        Ok(Node::List(list))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Node<'de>, A::Error> {
        let mut fields = Vec::new();
        while let Some(key) = entries.next_key_seed(super::json_scan::Key)? {
            fields.push((key, entries.next_value()?));
        }
        Ok(Node::Object(Object { fields }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn node(text: &str) -> Node<'_> {
        serde_json::from_str(text).unwrap_or(Node::Null)
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let body = r#"{"plain": "abc", "escaped": "a\"b"}"#;
        let document = node(body);
        let object = document.as_object().cloned().unwrap_or_default();
        assert!(matches!(object.get("plain"), Some(Node::Text(Cow::Borrowed("abc")))));
        assert!(matches!(object.get("escaped"), Some(Node::Text(Cow::Owned(s))) if s == "a\"b"));
    }

    #[test]
    fn a_repeated_key_answers_its_last_value() {
        let document = node(r#"{"amount": 1, "amount": 2}"#);
        let object = document.as_object().cloned().unwrap_or_default();
        assert_eq!(object.get("amount"), Some(&Node::Number(2.into())));
        let mut kept = Vec::new();
        let _ = object.try_for_each_last(|key, value| {
            kept.push((key.to_string(), value.clone()));
            Ok::<(), ()>(())
        });
        assert_eq!(kept, vec![("amount".to_string(), Node::Number(2.into()))]);
        assert_eq!(document.to_value(), serde_json::json!({"amount": 2}));
    }

    /// JSON texts whose objects may repeat keys, with escapes, numbers of every kind and nesting.
    fn json_text() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_string()),
            any::<bool>().prop_map(|b| b.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| f.to_string()),
            Just("1.50".to_string()),
            ".{0,6}".prop_map(|s| Value::from(s).to_string()),
        ];
        super::super::json_scan::strategies::documents(leaf, vec!["a", "b", "a\\u0062", "\\\""], 5)
    }

    proptest! {
        /// A node is the document serde_json reads: the same value back, the same lookups.
        #[test]
        fn a_node_reads_as_serde_json_does(text in json_text()) {
            let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let document = node(&text);
            prop_assert_eq!(document.to_value(), value.clone());
            prop_assert_eq!(Node::of_value(&value).to_value(), value.clone());
            if let (Some(object), Some(map)) = (document.as_object(), value.as_object()) {
                for name in ["a", "ab", "\""] {
                    prop_assert_eq!(object.get(name).map(Node::to_value), map.get(name).cloned());
                }
            }
        }
    }
}
