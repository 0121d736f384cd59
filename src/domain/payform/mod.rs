//! The hosted payment page (`/payform/`, spec §7): the payment object the bank's
//! `payment-api.js` sends in `?params=`, the page's session (20 minutes, 3 attempts) and the
//! texts of the page in the three languages.

pub mod i18n;
pub mod params;

pub use params::{decode_params, encode_params, ParamsError, PaymentObject};

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// How long a payment page stays usable after it is first opened (spec §7.3). (H-05)
pub const SESSION_MINUTES: i64 = 20;
/// How many payment attempts one page allows (spec §7.3). (H-05)
pub const MAX_ATTEMPTS: u32 = 3;
/// The reason code once the attempts are used up: "more than 3 transactions". (H-05)
pub const ATTEMPTS_EXHAUSTED_CODE: i32 = 505;
/// The reason code of a page opened or submitted after its 20 minutes: "timeout". (H-05)
pub const SESSION_EXPIRED_CODE: i32 = 504;

/// One payment page in use, keyed by the access token of its payment object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayformSession {
    /// When the page was first opened (sandbox time).
    pub opened_at: DateTime<Utc>,
    /// Payment attempts made so far that did not go through.
    pub failed_attempts: u32,
    /// The latest attempt's transaction.
    pub last_transaction: Option<Uuid>,
    /// Set once the page reached a final answer (paid, failed for good, sent to 3-D Secure).
    pub finished: bool,
}

impl PayformSession {
    /// A session opened at `now`.
    pub fn opened(now: DateTime<Utc>) -> Self {
        Self {
            opened_at: now,
            failed_attempts: 0,
            last_transaction: None,
            finished: false,
        }
    }

    /// Whether the 20 minutes are over at `now`.
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.opened_at + Duration::minutes(SESSION_MINUTES)
    }

    /// Attempts still allowed.
    pub fn attempts_left(&self) -> u32 {
        MAX_ATTEMPTS.saturating_sub(self.failed_attempts)
    }
}

/// Which form the page shows (the query flags of spec §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    /// A card payment (also card verification).
    Payment,
    /// Card to card (`&isTransfer=true`).
    Transfer,
    /// Account funding from a card (`&isAFT=true`).
    Aft,
    /// Payout to a card (`&isOCT=true`).
    Oct,
}

impl FormKind {
    /// The kind asked for by the page's query flags (a payment when none is set).
    pub fn from_flags(transfer: bool, aft: bool, oct: bool) -> Self {
        match (transfer, aft, oct) {
            (true, _, _) => FormKind::Transfer,
            (_, true, _) => FormKind::Aft,
            (_, _, true) => FormKind::Oct,
            _ => FormKind::Payment,
        }
    }

    /// The transfer this form makes (`None` for a payment).
    pub fn transfer_kind(self) -> Option<crate::domain::transfer::TransferKind> {
        use crate::domain::transfer::TransferKind;
        match self {
            FormKind::Payment => None,
            FormKind::Transfer => Some(TransferKind::P2p),
            FormKind::Aft => Some(TransferKind::Aft),
            FormKind::Oct => Some(TransferKind::Oct),
        }
    }

    /// Whether the form asks for the sender's card.
    pub fn needs_sender(self) -> bool {
        matches!(self, FormKind::Payment | FormKind::Transfer | FormKind::Aft)
    }

    /// Whether the form asks for the receiver's card.
    pub fn needs_receiver(self) -> bool {
        matches!(self, FormKind::Transfer | FormKind::Oct)
    }

    /// Wire name of the query flag (`isTransfer` …), empty for a payment.
    pub fn flag(self) -> &'static str {
        match self {
            FormKind::Payment => "",
            FormKind::Transfer => "isTransfer",
            FormKind::Aft => "isAFT",
            FormKind::Oct => "isOCT",
        }
    }
}

/// Appends `name=value` to a merchant URL, keeping its own query and fragment. (H-03)
pub fn append_query(url: &str, name: &str, value: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let separator = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    let mut out = format!("{base}{separator}{name}={}", params::encode_uri_component(value));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// The origin (`scheme://host[:port]`) of an http(s) URL, if it is one.
pub fn origin_of(url: &str) -> Option<String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'));
    valid.then(|| format!("{}://{}", scheme.to_ascii_lowercase(), host.to_ascii_lowercase()))
}

/// A card number as typed (spaces, dashes) reduced to its digits; `None` when it has other
/// characters or no digits.
pub fn normalise_pan(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

/// An expiry as typed (`MM/YY`, `MM / YY`, `MMYY`, `MM/YYYY`) as the `MMYY` of a cryptogram;
/// anything else is passed on as typed so the issuer answers 457.
pub fn normalise_expiry(typed: &str) -> String {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '/').collect();
    match digits.len() {
        6 if digits.chars().all(|c| c.is_ascii_digit()) => format!("{}{}", &digits[..2], &digits[4..]),
        _ => digits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_query_keeps_existing_query_and_fragment() {
        assert_eq!(
            append_query("https://a.kz/ok", "reference", "1"),
            "https://a.kz/ok?reference=1"
        );
        assert_eq!(
            append_query("https://a.kz/ok?x=1", "reference", "1"),
            "https://a.kz/ok?x=1&reference=1"
        );
        assert_eq!(
            append_query("https://a.kz/ok?", "errorCode", "505"),
            "https://a.kz/ok?errorCode=505"
        );
        assert_eq!(
            append_query("https://a.kz/ok#top", "reference", "a b"),
            "https://a.kz/ok?reference=a%20b#top"
        );
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("http://127.0.0.1:8080/_sandbox/demo").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(origin_of("HTTPS://Shop.kz").as_deref(), Some("https://shop.kz"));
        assert_eq!(origin_of("javascript:alert(1)"), None);
        assert_eq!(origin_of("http://a\"b/"), None);
        assert_eq!(origin_of(""), None);
    }

    #[test]
    fn card_input_normalisation() {
        assert_eq!(
            normalise_pan("4405 6397 0401 5096").as_deref(),
            Some("4405639704015096")
        );
        assert_eq!(normalise_pan("4405x"), None);
        assert_eq!(normalise_pan("  "), None);
        assert_eq!(normalise_expiry("01/27"), "0127");
        assert_eq!(normalise_expiry("01 / 2027"), "0127");
        assert_eq!(normalise_expiry("0127"), "0127");
        assert_eq!(normalise_expiry("1/7"), "17");
    }

    #[test]
    fn session_limits() {
        let now = Utc::now();
        let mut session = PayformSession::opened(now);
        assert!(!session.expired(now + Duration::minutes(19)));
        assert!(session.expired(now + Duration::minutes(20)));
        session.failed_attempts = 2;
        assert_eq!(session.attempts_left(), 1);
        session.failed_attempts = 5;
        assert_eq!(session.attempts_left(), 0);
    }

    #[test]
    fn form_kinds() {
        assert_eq!(FormKind::from_flags(false, false, false), FormKind::Payment);
        assert_eq!(FormKind::from_flags(false, false, true), FormKind::Oct);
        assert!(!FormKind::Oct.needs_sender());
        assert!(FormKind::Transfer.needs_receiver() && FormKind::Transfer.needs_sender());
        assert!(!FormKind::Aft.needs_receiver());
    }
}
