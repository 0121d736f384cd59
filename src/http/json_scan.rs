//! JSON request bodies read straight into their typed request, with every text field checked
//! against its byte bound first, and no `serde_json::Value` tree built on the way: a first pass
//! walks the document borrowing its strings and checks each against its bound, a second one
//! deserialises the type.

use super::json_node::Node;
use crate::domain::validation::{check_field_length, FieldTooLong};
use serde::de::{DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;

/// Why a JSON body was refused.
#[derive(Debug)]
pub enum JsonRefusal {
    /// Not JSON at all (a syntax error, trailing characters, nesting too deep).
    Syntax(serde_json::Error),
    /// JSON, but not of the expected shape (a missing field, a wrong type).
    Shape(serde_json::Error),
    /// A text field (or a field name) over its bound.
    TooLong(FieldTooLong),
}

/// Parses `T` from `bytes`, refusing a text field at any depth longer than its bound (array
/// items count under their array's name) and a field name longer than the default bound, so
/// nothing oversized is ever stored.
///
/// An object that repeats a key (rare) is read through a `serde_json::Value` instead, so that the
/// last occurrence wins as it does in serde_json's map (and in the bank's Jackson), where a
/// derived `Deserialize` would refuse the duplicate.
pub fn from_json_checked<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonRefusal> {
    let findings = Findings::default();
    let mut document = serde_json::Deserializer::from_slice(bytes);
    Scan {
        name: "",
        findings: &findings,
    }
    .deserialize(&mut document)
    .and_then(|()| document.end())
    .map_err(JsonRefusal::Syntax)?;
    if findings.repeated_key.get() {
        return through_a_tree(bytes);
    }
    if let Some(too_long) = findings.too_long.into_inner() {
        return Err(JsonRefusal::TooLong(too_long));
    }
    serde_json::from_slice(bytes).map_err(JsonRefusal::Shape)
}

/// Parses a borrowed [`Node`] from `bytes` with the same bounds as [`from_json_checked`]: a text
/// field at any depth over its bound, or a field name over the default bound, is refused; of a
/// repeated key only the last value counts, as in the tree.
pub fn node_checked(bytes: &[u8]) -> Result<Node<'_>, JsonRefusal> {
    let node: Node<'_> = serde_json::from_slice(bytes).map_err(JsonRefusal::Syntax)?;
    check_node("", &node).map_err(JsonRefusal::TooLong)?;
    Ok(node)
}

fn check_node(name: &str, node: &Node<'_>) -> Result<(), FieldTooLong> {
    match node {
        Node::Text(text) => check_field_length(name, text),
        Node::List(items) => items.iter().try_for_each(|item| check_node(name, item)),
        Node::Object(object) => object.try_for_each_last(|key, item| {
            check_field_length(key, "")?;
            check_node(key, item)
        }),
        _ => Ok(()),
    }
}

/// The same check over a parsed tree (whose map has kept the last of each repeated key).
fn through_a_tree<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonRefusal> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(JsonRefusal::Syntax)?;
    check_tree("", &value).map_err(JsonRefusal::TooLong)?;
    T::deserialize(value).map_err(JsonRefusal::Shape)
}

fn check_tree(name: &str, value: &serde_json::Value) -> Result<(), FieldTooLong> {
    match value {
        serde_json::Value::String(text) => check_field_length(name, text),
        serde_json::Value::Array(items) => items.iter().try_for_each(|item| check_tree(name, item)),
        serde_json::Value::Object(fields) => fields.iter().try_for_each(|(key, item)| {
            check_field_length(key, "")?;
            check_tree(key, item)
        }),
        _ => Ok(()),
    }
}

/// What the first pass found: the first field over its bound, and whether a key repeats.
#[derive(Default)]
struct Findings {
    too_long: RefCell<Option<FieldTooLong>>,
    repeated_key: Cell<bool>,
}

impl Findings {
    fn check(&self, name: &str, text: &str) {
        if let Err(too_long) = check_field_length(name, text) {
            self.too_long.borrow_mut().get_or_insert(too_long);
        }
    }
}

/// Keys an object can hold before the repeated-key check gives up and takes the tree path.
const KEYS_TRACKED: usize = 32;

/// One JSON value, found under the field `name`.
struct Scan<'a> {
    name: &'a str,
    findings: &'a Findings,
}

impl<'de> DeserializeSeed<'de> for Scan<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Scan<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, text: &str) -> Result<(), E> {
        self.findings.check(self.name, text);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        while let Some(()) = items.next_element_seed(Scan {
            name: self.name,
            findings: self.findings,
        })? {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut fields: A) -> Result<(), A::Error> {
        let mut seen: [&'de str; KEYS_TRACKED] = [""; KEYS_TRACKED];
        let mut count = 0;
        while let Some(key) = fields.next_key_seed(Key)? {
            self.findings.check(&key, "");
            match key {
                Cow::Borrowed(key) if count < KEYS_TRACKED && !seen[..count].contains(&key) => {
                    seen[count] = key;
                    count += 1;
                }
                _ => self.findings.repeated_key.set(true),
            }
            fields.next_value_seed(Scan {
                name: &key,
                findings: self.findings,
            })?;
        }
        Ok(())
    }
}

/// An object key, borrowed from the body unless it has escapes.
pub(super) struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(key))
    }

    fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(key.to_string()))
    }
}

/// Property-test inputs shared by the JSON readers' tests.
#[cfg(test)]
pub(super) mod strategies {
    use proptest::prelude::*;

    /// JSON texts nested up to four deep whose objects take their keys from `names` (so keys
    /// repeat) and whose leaves are `leaf`'s.
    pub fn documents(
        leaf: impl Strategy<Value = String> + 'static,
        names: Vec<&'static str>,
        width: u32,
    ) -> impl Strategy<Value = String> {
        let names = prop::sample::select(names);
        leaf.prop_recursive(4, 40, width, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(|items| format!("[{}]", items.join(","))),
                prop::collection::vec((names.clone(), inner), 0..5).prop_map(|fields| {
                    let fields: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                    format!("{{{}}}", fields.join(","))
                }),
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::strategies::documents;
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;
    use serde_json::{json, Value};

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Payment {
        invoice_id: String,
        amount: f64,
        #[serde(default)]
        card: Option<Card>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Card {
        id: String,
    }

    fn read<T: DeserializeOwned>(body: &str) -> Result<T, JsonRefusal> {
        from_json_checked(body.as_bytes())
    }

    #[test]
    fn a_valid_body_is_read_into_its_type() {
        let payment: Payment = read(r#"{"invoiceId": "000001", "amount": 100, "card": {"id": "c-1"}}"#).unwrap();
        assert_eq!(payment.card, Some(Card { id: "c-1".into() }));
    }

    #[test]
    fn a_long_field_at_any_depth_is_refused_under_its_own_name() {
        let long = "x".repeat(4096);
        let body = json!({"invoiceId": "000001", "amount": 1, "card": {"id": long}}).to_string();
        match read::<Payment>(&body) {
            Err(JsonRefusal::TooLong(e)) => assert!(e.to_string().contains("id"), "{e}"),
            other => panic!("{other:?}"),
        }
        let items = json!({"tags": [long]}).to_string();
        match read::<Value>(&items) {
            Err(JsonRefusal::TooLong(e)) => assert!(e.to_string().contains("tags"), "{e}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn syntax_and_shape_errors_are_told_apart() {
        assert!(matches!(
            read::<Payment>(r#"{"invoiceId": "#),
            Err(JsonRefusal::Syntax(_))
        ));
        assert!(matches!(
            read::<Payment>(r#"{"amount": 1} x"#),
            Err(JsonRefusal::Syntax(_))
        ));
        assert!(matches!(
            read::<Payment>(r#"{"amount": 1}"#),
            Err(JsonRefusal::Shape(_))
        ));
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value() {
        let payment: Payment = read(r#"{"invoiceId": "1", "amount": 1, "amount": 2}"#).unwrap();
        assert_eq!(payment.amount, 2.0);
        let long = "x".repeat(4096);
        let body = format!(r#"{{"invoiceId": "{long}", "invoiceId": "000001", "amount": 1}}"#);
        assert_eq!(read::<Payment>(&body).unwrap().invoice_id, "000001");
    }

    /// The tree path, as every JSON body was read before: the reference the scan must agree with.
    fn through_a_tree_only(body: &str) -> Result<Value, String> {
        through_a_tree::<Value>(body.as_bytes()).map_err(|e| format!("{e:?}"))
    }

    /// JSON documents as text, so that keys can repeat: short and long strings (over the 32-byte
    /// bound of `amount`, the 64 of `invoiceId`), escapes, nesting.
    fn json_text() -> impl Strategy<Value = String> {
        let text = prop::collection::vec(prop::sample::select(vec!["é", "\"", "\\", "xxxxxxxxxx"]), 0..8)
            .prop_map(|parts| Value::from(parts.concat()).to_string());
        let leaf = prop_oneof![
            Just("null".to_string()),
            any::<bool>().prop_map(|b| b.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            text,
        ];
        documents(leaf, vec!["amount", "invoiceId", "a\\\"b", "a\\u0062"], 6)
    }

    proptest! {
        // Enough cases to meet a repeated key whose first value is over its bound (~1 in 1,000).
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// Whatever the document (repeated keys, escapes, long fields, nesting), the scan
        /// accepts and refuses exactly what the tree path does, and reads the same value.
        #[test]
        fn the_scan_agrees_with_the_tree(body in json_text()) {
            let scanned = read::<Value>(&body).map_err(|e| format!("{e:?}"));
            let tree = through_a_tree_only(&body);
            prop_assert_eq!(scanned.is_ok(), tree.is_ok(), "{} → {:?} vs {:?}", body, scanned, tree);
            let node = node_checked(body.as_bytes()).map(|node| node.to_value()).map_err(|e| format!("{e:?}"));
            prop_assert_eq!(node.is_ok(), tree.is_ok(), "{} → node {:?} vs {:?}", body, node, tree);
            if let (Ok(a), Ok(b), Ok(c)) = (scanned, tree, node) {
                prop_assert_eq!(&a, &b);
                prop_assert_eq!(&c, &b);
            }
        }
    }
}
