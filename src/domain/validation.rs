//! Validation rules for merchant input (spec §9).

/// Why an order number is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceIdError {
    /// Not 6–15 characters.
    #[error("invoiceId must be 6 to 15 digits long, got {0}")]
    Length(usize),
    /// Contains something other than digits.
    #[error("invoiceId must contain digits only")]
    NotDigits,
}

/// Longest `description` the bank accepts, in bytes.
pub const MAX_DESCRIPTION_BYTES: usize = 125;

/// Checks an `invoiceId` / `invoiceIdAlt`: 6–15 ASCII digits.
pub fn check_invoice_id(invoice_id: &str) -> Result<(), InvoiceIdError> {
    if !invoice_id.chars().all(|c| c.is_ascii_digit()) {
        return Err(InvoiceIdError::NotDigits);
    }
    let len = invoice_id.len();
    if !(6..=15).contains(&len) {
        return Err(InvoiceIdError::Length(len));
    }
    Ok(())
}

/// The part of an invoiceId that must be unique per terminal besides the whole: its last six digits.
pub fn invoice_suffix(invoice_id: &str) -> &str {
    let start = invoice_id.len().saturating_sub(6);
    invoice_id.get(start..).unwrap_or(invoice_id)
}

/// Checks a `description`: at most 125 bytes of UTF-8.
pub fn check_description(description: &str) -> Result<(), String> {
    let bytes = description.len();
    if bytes > MAX_DESCRIPTION_BYTES {
        return Err(format!(
            "description is {bytes} bytes long; at most {MAX_DESCRIPTION_BYTES} are allowed"
        ));
    }
    Ok(())
}

/// Longest text field the sandbox stores when no rule below names it, in bytes: generous for
/// any name, id or free text a merchant sends, small enough that hostile input cannot grow
/// memory (every stored record stays a few kilobytes).
pub const DEFAULT_FIELD_BYTES: usize = 256;

/// Fields with their own byte bound: the bank's rule where it has one (spec §9), otherwise a
/// generous maximum for what the field holds. Names are matched case-insensitively, so every
/// spelling of a field (`invoiceId`, `invoiceID`) shares one bound.
pub const FIELD_BYTES: &[(&str, usize)] = &[
    ("invoiceid", 64),
    ("invoice_id", 64),
    ("invoiceidalt", 64),
    ("amount", 32),
    ("currency", 8),
    ("description", 1024),
    ("data", 8192),
    ("metadata", 8192),
    ("cryptogram", 8192),
    ("\u{441}ryptogram", 8192),
    ("scope", 512),
    ("postlink", 2048),
    ("failurepostlink", 2048),
    ("backlink", 2048),
    ("failurebacklink", 2048),
    ("termurl", 2048),
    ("pares", 8192),
    ("pareq", 8192),
    ("md", 512),
    ("params", 16384),
    ("externalid", 64),
    ("post_link", 2048),
    ("failure_post_link", 2048),
    ("back_link", 2048),
    ("failure_back_link", 2048),
];

/// The smallest bound of [`FIELD_BYTES`]: a value no longer than this fits any field, so its
/// name need not be looked up.
const SMALLEST_FIELD_BYTES: usize = {
    let mut smallest = DEFAULT_FIELD_BYTES;
    let mut i = 0;
    while i < FIELD_BYTES.len() {
        if FIELD_BYTES[i].1 < smallest {
            smallest = FIELD_BYTES[i].1;
        }
        i += 1;
    }
    smallest
};

/// The byte bound of a field by name.
pub fn field_limit(name: &str) -> usize {
    FIELD_BYTES
        .iter()
        .find(|(field, _)| field.eq_ignore_ascii_case(name))
        .map_or(DEFAULT_FIELD_BYTES, |(_, limit)| *limit)
}

/// A field longer than its bound: the request is refused before anything is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field {field} is {bytes} bytes long; at most {limit} are accepted")]
pub struct FieldTooLong {
    /// The field's name (cut to 64 bytes).
    pub field: String,
    /// Its length.
    pub bytes: usize,
    /// Its bound.
    pub limit: usize,
}

/// Checks one field against its bound (field names themselves are bounded by the default).
pub fn check_field_length(name: &str, value: &str) -> Result<(), FieldTooLong> {
    let too_long = |bytes: usize, limit: usize| FieldTooLong {
        field: name.chars().take(64).collect(),
        bytes,
        limit,
    };
    if name.len() > DEFAULT_FIELD_BYTES {
        return Err(too_long(name.len(), DEFAULT_FIELD_BYTES));
    }
    if value.len() <= SMALLEST_FIELD_BYTES {
        return Ok(());
    }
    let limit = field_limit(name);
    if value.len() > limit {
        return Err(too_long(value.len(), limit));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn invoice_rules() {
        assert!(check_invoice_id("000001").is_ok());
        assert!(check_invoice_id("123456789012345").is_ok());
        assert_eq!(check_invoice_id("12345"), Err(InvoiceIdError::Length(5)));
        assert_eq!(check_invoice_id("1234567890123456"), Err(InvoiceIdError::Length(16)));
        assert_eq!(check_invoice_id("12345a"), Err(InvoiceIdError::NotDigits));
        assert_eq!(invoice_suffix("8161284658529816"), "529816");
        assert_eq!(invoice_suffix("000001"), "000001");
    }

    #[test]
    fn description_counts_bytes_not_characters() {
        assert!(check_description(&"a".repeat(125)).is_ok());
        assert!(check_description(&"ж".repeat(63)).is_err());
        assert!(check_description(&"ж".repeat(62)).is_ok());
    }

    #[test]
    fn field_bounds_share_one_table_across_spellings() {
        assert!(check_field_length("invoiceID", &"1".repeat(64)).is_ok());
        let error = check_field_length("invoiceId", &"1".repeat(65));
        assert_eq!(error.map_err(|e| e.limit), Err(64));
        assert!(check_field_length("name", &"x".repeat(DEFAULT_FIELD_BYTES + 1)).is_err());
        assert!(check_field_length(&"k".repeat(300), "").is_err());
        assert!(check_field_length("сryptogram", &"A".repeat(700)).is_ok());
    }

    proptest! {
        #[test]
        fn no_accepted_field_is_longer_than_its_bound(name in "[a-zA-Z]{1,20}", len in 0usize..20_000) {
            let value = "x".repeat(len);
            if check_field_length(&name, &value).is_ok() {
                prop_assert!(len <= field_limit(&name));
            }
        }

        #[test]
        fn accepted_invoice_ids_are_6_to_15_digits(id in ".{0,20}") {
            if check_invoice_id(&id).is_ok() {
                prop_assert!(id.len() >= 6 && id.len() <= 15);
                prop_assert!(id.chars().all(|c| c.is_ascii_digit()));
            }
        }

        #[test]
        fn every_6_to_15_digit_string_is_accepted(id in "[0-9]{6,15}") {
            prop_assert!(check_invoice_id(&id).is_ok());
            prop_assert_eq!(invoice_suffix(&id).len(), 6);
        }
    }
}
