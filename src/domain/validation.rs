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

    proptest! {
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
