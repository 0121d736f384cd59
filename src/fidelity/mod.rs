//! Where the sources are silent or disagree, the sandbox's choice lives here, in one place,
//! each with a pointer to its entry in `docs/fidelity.md`. Change a choice here and everything
//! that renders it follows.
//!
//! Choices with a plausible alternative are keys of the fidelity profile ([`keys`]): the
//! engine resolves a [`Profile`] per merchant ([`profile::Profiles`]) and the functions here
//! render a key's value. The rest are constants.

#[cfg(feature = "cli")]
pub mod cli;
pub mod keys;
pub mod profile;

pub use keys::{
    key_info, AccountIdKeys, Confidence, ConfirmRedirect, ConfirmToken, Cors, DeclineIds, ExpiresIn, FailedResult,
    KeyInfo, LanguageForm, NotFoundHttp, Overrides, Profile, RefreshToken, ScopeEcho, Secure3dField, TokenBinding,
    TokenReach, TransferCode, ValueInfo, KEYS,
};
pub use profile::{FidelityError, Profiles};

use crate::domain::status::Status;
use crate::domain::transaction::LinksView;
use chrono::{DateTime, Datelike, FixedOffset, Offset, Timelike, Utc};
use serde::Serialize;

/// The bank's wall-clock offset (Astana, UTC+6): `createdDate` ends in `+06:00`. (F-01)
pub const BANK_UTC_OFFSET_SECONDS: i32 = 6 * 3600;

/// [`BANK_UTC_OFFSET_SECONDS`] as the timestamps spell it.
const BANK_UTC_OFFSET: &str = "+06:00";

/// Formats an instant as ePay does in check-status: `2022-11-15T03:52:17.289853+06:00`. (F-01)
pub fn bank_timestamp(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&bank_offset());
    let mut text = String::with_capacity(32);
    if !push_date_time(&mut text, local.naive_local(), 'T') {
        return local.format("%Y-%m-%dT%H:%M:%S%.6f%:z").to_string();
    }
    text.push('.');
    push_digits(&mut text, local.nanosecond() / 1000, 6);
    text.push_str(BANK_UTC_OFFSET);
    text
}

/// Formats an instant for the flat `/operation/{id}` and callbacks: `2022-11-15 03:52:17`. (F-01)
pub fn bank_datetime(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&bank_offset());
    let mut text = String::with_capacity(19);
    if !push_date_time(&mut text, local.naive_local(), ' ') {
        return local.format("%Y-%m-%d %H:%M:%S").to_string();
    }
    text
}

/// `YYYY-MM-DD<separator>HH:MM:SS`, written digit by digit (chrono's `format` parses its pattern
/// on every call, a visible share of a check-status). `false`, with nothing written, for what
/// that cannot spell as chrono does: a year outside 0–9999 or a leap second.
fn push_date_time(text: &mut String, at: chrono::NaiveDateTime, separator: char) -> bool {
    let Ok(year) = u32::try_from(at.year()) else {
        return false;
    };
    if year > 9999 || at.nanosecond() >= 1_000_000_000 {
        return false;
    }
    push_digits(text, year, 4);
    text.push('-');
    push_digits(text, at.month(), 2);
    text.push('-');
    push_digits(text, at.day(), 2);
    text.push(separator);
    push_digits(text, at.hour(), 2);
    text.push(':');
    push_digits(text, at.minute(), 2);
    text.push(':');
    push_digits(text, at.second(), 2);
    true
}

/// `value` as exactly `width` decimal digits (zero-padded; `value` fits).
fn push_digits(text: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = value / 10u32.pow(place) % 10;
        text.push(char::from(b'0' + digit as u8));
    }
}

fn bank_offset() -> FixedOffset {
    FixedOffset::east_opt(BANK_UTC_OFFSET_SECONDS).unwrap_or_else(|| Utc.fix())
}

impl ExpiresIn {
    /// `expires_in` of a client-credentials token: `"7200"` or `7200`. (F-02)
    pub fn render(self, seconds: i64) -> serde_json::Value {
        match self {
            ExpiresIn::String => serde_json::Value::from(seconds.to_string()),
            ExpiresIn::Number => serde_json::Value::from(seconds),
        }
    }
}

impl ScopeEcho {
    /// The `scope` of a token answer for the scope the client sent. (F-11)
    pub fn render(self, sent: &str) -> std::borrow::Cow<'_, str> {
        match self {
            ScopeEcho::AsSent => sent.into(),
            ScopeEcho::Trimmed => sent.trim().into(),
            ScopeEcho::BankSample => format!(" {}", sent.trim()).into(),
        }
    }
}

/// What check-status found, before it becomes a `resultCode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupOutcome {
    /// The transaction, in this status.
    Found(Status),
    /// The transaction exists but its outcome has not settled (reason 454 and friends).
    InProgress,
    /// No such invoice for this client.
    NotFound,
    /// The token was issued without a terminal.
    TerminalAbsent,
    /// The invoice belongs to another terminal of the same client.
    WrongTerminal,
    /// A scenario rule forces this result code (one of [`RESULT_CODES`]); `found` says whether
    /// the invoice exists (100 and 107 then show it).
    Forced {
        /// The forced `resultCode`.
        code: &'static str,
        /// Whether there is a transaction to show.
        found: bool,
    },
}

/// The check-status result codes of `fixtures/result_codes.json` (seed 001), which scenario
/// rules may force.
pub const RESULT_CODES: [&str; 8] = ["100", "101", "102", "103", "104", "106", "107", "109"];

/// What check-status answers: HTTP status, `resultCode`, and whether the transaction is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusAnswer {
    /// HTTP status.
    pub http: u16,
    /// `resultCode`.
    pub code: &'static str,
    /// Whether `transaction` carries the transaction (else `null`).
    pub with_transaction: bool,
}

/// The check-status answer for a lookup. (F-03, F-04, keys `status.failed_result` and
/// `status.not_found_http`)
///
/// A found transaction answers `"100"` with the transaction, or, with `status.failed_result=101`,
/// REJECT/FAILED/3D answer `"101"` and `transaction: null` (seed 001's sample); 107 is for
/// outcomes that have not settled. Every code but 100 and 107 comes with the HTTP status of
/// `status.not_found_http` (200 by default).
pub fn check_status_result(outcome: LookupOutcome, profile: &Profile) -> StatusAnswer {
    let error_http = match profile.status_not_found_http {
        NotFoundHttp::Ok => 200,
        NotFoundHttp::BadRequest => 400,
    };
    let answer = |code: &'static str, with_transaction: bool| StatusAnswer {
        http: if matches!(code, "100" | "107") { 200 } else { error_http },
        code,
        with_transaction,
    };
    match outcome {
        LookupOutcome::Found(Status::Reject | Status::Failed | Status::ThreeD)
            if profile.status_failed_result == FailedResult::Reject =>
        {
            answer("101", false)
        }
        LookupOutcome::Found(_) => answer("100", true),
        LookupOutcome::InProgress => answer("107", true),
        LookupOutcome::NotFound => answer("102", false),
        LookupOutcome::TerminalAbsent => answer("104", false),
        LookupOutcome::WrongTerminal => answer("106", false),
        LookupOutcome::Forced { code, found } => answer(code, found && matches!(code, "100" | "107")),
    }
}

/// The `code` of the error body of charge/cancel/refund and `/operation/{id}`: the documented
/// sample uses 100 for every refusal. (F-05)
pub const OPERATION_ERROR_CODE: i64 = 100;

/// HTTP status of a refused charge/cancel/refund. (F-05)
pub const OPERATION_ERROR_STATUS: u16 = 400;

/// Payer location fields the bank fills from its geo-IP database; the sandbox reports a fixed
/// Almaty location. (F-06)
pub const PAYER_COUNTRY: &str = "Kazakhstan";
/// See [`PAYER_COUNTRY`].
pub const PAYER_CITY: &str = "Almaty";
/// See [`PAYER_COUNTRY`].
pub const PAYER_LATITUDE: f64 = 43.2567;
/// See [`PAYER_COUNTRY`].
pub const PAYER_LONGITUDE: f64 = 76.9286;

impl LanguageForm {
    /// `language` as answers show it: `"RU"` for `rus`, or the request's value. (F-07)
    pub fn render(self, language: &str) -> String {
        match self {
            LanguageForm::TwoLetter => display_language(language),
            LanguageForm::AsSent => language.to_string(),
        }
    }
}

/// The two upper-case letters of a language (`rus` → `"RU"`); the ACS page picks its texts by
/// them. (F-07)
pub fn display_language(language: &str) -> String {
    match language.trim().to_ascii_lowercase().as_str() {
        "" | "rus" | "ru" => "RU".into(),
        "kaz" | "kz" | "kk" => "KZ".into(),
        "eng" | "en" => "EN".into(),
        other => other.to_ascii_uppercase(),
    }
}

// ---- Payments: cryptopay, saved cards (docs/fidelity.md, section "Payments") -------------------

/// Fractional part (in minor units) that makes an amount magic: `484.99` forces reason 484. (P-02)
pub const MAGIC_AMOUNT_CENTS: i64 = 99;
/// Sandbox seconds a magic not-final amount (`454.99`) stays pending before it is approved. (P-02)
pub const MAGIC_PENDING_SECONDS: i64 = 60;

/// Expiry missing, malformed or not a documented one for the card. (P-03)
pub const WRONG_EXPIRY_REASON: i32 = 457;
/// CVC wrong for the card, or not 3–4 digits. (P-03)
pub const WRONG_CVC_REASON: i32 = 469;
/// A sandbox card with a past expiry. (P-03)
pub const EXPIRED_CARD_REASON: i32 = 478;
/// A Luhn-valid number that is not a test card. (P-03)
pub const UNKNOWN_CARD_REASON: i32 = 471;
/// A number that fails the Luhn check or has a wrong length. (P-03)
pub const INVALID_PAN_REASON: i32 = 472;
/// A locked card whose fixture names no `lockedReasonCode`. (P-03)
pub const LOCKED_CARD_DEFAULT_REASON: i32 = 465;
/// 3-D Secure unavailable for the card. (P-03)
pub const THREE_DS_UNAVAILABLE_REASON: i32 = 455;
/// 3-D Secure authentication failed. (P-03)
pub const THREE_DS_FAILED_REASON: i32 = 473;
/// Reason code of an attempt whose outcome is not final yet (answered synchronously). (P-06)
pub const PENDING_REASON: i32 = 454;

/// HTTP status of a refused payment (declined, failed or pending), body `{"code": <reason>, …}`. (P-04)
pub const DECLINE_HTTP_STATUS: u16 = 400;

impl DeclineIds {
    /// `(id, reference)` of a declined payment's or transfer's error body: empty, as seed 003's
    /// sample, or the transaction's. (P-04)
    pub fn render(self, id: &str, reference: &str) -> (String, String) {
        match self {
            DeclineIds::Empty => (String::new(), String::new()),
            DeclineIds::Echoed => (id.to_string(), reference.to_string()),
        }
    }
}

/// A payment request refused before any transaction exists. (P-07)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestRefusal {
    /// A missing or malformed field (invoiceId, amount, description, currency …).
    Invalid,
    /// The token was issued for another invoice, amount, currency or terminal.
    TokenMismatch,
    /// The invoiceId (or its last six digits) was already used on the terminal.
    DuplicateInvoice,
    /// The cryptogram cannot be decoded, decrypted or parsed.
    BadCryptogram,
    /// The saved card is unknown, another customer's, or deactivated.
    CardNotUsable,
    /// A transfer on a terminal that cannot make transfers (seed 000: code 487).
    NotPermittedToMerchant,
}

/// Reason code of a transfer on a terminal that cannot make transfers (seed 000).
pub const NOT_PERMITTED_TO_MERCHANT: i32 = 487;

/// `(HTTP status, code)` of a refused request: seed 002's `{"code": -1, "message"}` with 400. (P-07)
pub fn request_refusal(kind: RequestRefusal) -> (u16, i64) {
    match kind {
        RequestRefusal::Invalid
        | RequestRefusal::TokenMismatch
        | RequestRefusal::DuplicateInvoice
        | RequestRefusal::BadCryptogram
        | RequestRefusal::CardNotUsable => (400, -1),
        RequestRefusal::NotPermittedToMerchant => (400, i64::from(NOT_PERMITTED_TO_MERCHANT)),
    }
}

/// Currency of a zero-amount card verification. (P-08)
pub const VERIFICATION_CURRENCY: &str = "USD";

/// Card shown for an Apple Pay / Google Pay payment, which carries no PAN: `(mask, brand)`. (P-09)
pub const WALLET_CARD: (&str, &str) = ("400000...0000", "VISA");

/// Content type of `/public.rsa`. (P-10)
pub const PUBLIC_KEY_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// Body of a successful `/card/deactivate/{cardId}`. (P-11)
pub const CARD_DEACTIVATED: &str = "card successfully deactivated";
/// Which of the merchant's callbacks an outcome calls. (C-01)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CallbackKind {
    /// `postLink`: the payment went through.
    Success,
    /// `failurePostLink`: it was declined or failed.
    Failure,
}

/// The callback a status that ends an authorisation attempt calls: AUTH, CHARGE and VERIFIED
/// report success; REJECT, FAILED and 3D report failure; anything else calls nothing. (C-01)
pub fn callback_kind(status: Status) -> Option<CallbackKind> {
    match status {
        Status::Auth | Status::Charge | Status::Verified => Some(CallbackKind::Success),
        Status::Reject | Status::Failed | Status::ThreeD => Some(CallbackKind::Failure),
        Status::New | Status::Cancel | Status::CancelOld | Status::Refund => None,
    }
}

/// The URL a callback goes to: `postLink` for success; `failurePostLink` for failure, falling
/// back to `postLink` when it is empty. `None` when there is nowhere to send. (C-01)
pub fn callback_url(links: LinksView<'_>, kind: CallbackKind) -> Option<&str> {
    let post_link = Some(links.post_link.trim()).filter(|l| !l.is_empty());
    match kind {
        CallbackKind::Success => post_link,
        CallbackKind::Failure => Some(links.failure_post_link.trim())
            .filter(|l| !l.is_empty())
            .or(post_link),
    }
}

/// `code` of a payment callback: `"ok"` for success, `"error"` for failure. (C-03, C-04)
pub fn callback_code(kind: CallbackKind) -> &'static str {
    match kind {
        CallbackKind::Success => "ok",
        CallbackKind::Failure => "error",
    }
}

/// `reason` of a successful payment callback: merchants compare it with `"success"`, whatever
/// text check-status shows. (C-03)
pub const CALLBACK_SUCCESS_REASON: &str = "success";

/// `secure` of a callback is the string `"yes"` or `"no"` (check-status has a boolean, the flat
/// status the string `"false"`). (C-03)
pub fn callback_secure(secure: bool) -> &'static str {
    if secure {
        "yes"
    } else {
        "no"
    }
}

/// Whether the merchant's answer counts as delivered: any 2xx, whatever the body. Anything else
/// (3xx included: redirects are not followed) is retried. (C-06)
pub fn callback_delivered(http_status: u16) -> bool {
    (200..300).contains(&http_status)
}

// ---- 3-D Secure (docs/fidelity.md, section "3-D Secure") ------------------------------------

/// The one-time code the sandbox ACS accepts; the challenge page prints it. (S-02)
pub const ACS_CODE: &str = "123456";
/// Wrong codes allowed before the challenge fails. (S-02)
pub const ACS_MAX_ATTEMPTS: u32 = 3;
/// Reason code of a challenge failed by wrong codes or cancelled by the cardholder. (S-03)
pub const ACS_FAILED_REASON: i32 = 473;
/// Reason code of a challenge nobody completed within `three_ds_timeout` (status 3D). (S-04)
pub const THREE_DS_TIMEOUT_REASON: i32 = 499;

impl ConfirmRedirect {
    /// HTTP status of the browser redirects of `/payment/confirm` and `confirmPayment`. (S-05)
    pub fn status(self) -> u16 {
        match self {
            ConfirmRedirect::Found => 302,
            ConfirmRedirect::Ok => 200,
        }
    }
}
/// Path of the success page the confirm step redirects to (the bank's `payform/success.html`). (S-05)
pub const SUCCESS_PAGE_PATH: &str = "/payform/success.html";
/// A second path of the failure page, kept for links made before the confirm step used the
/// bank's own target. (S-06)
pub const FAILURE_PAGE_PATH: &str = "/payform/failure.html";
/// Where the confirm step sends a failure: the bank's `/payform/?invoiceID=&code=&message=`
/// (seed 003); the payment page shows the failure page for it. (S-06)
pub const FAILURE_REDIRECT_PATH: &str = "/payform/";

/// `(HTTP status, code)` of a refused 3-D Secure request (bad or replayed PaRes, unknown MD,
/// a PaRes of another transaction …): seed 002's error shape, as for payments. (S-07)
pub const SECURE3D_REFUSAL: (u16, i64) = (400, -1);

/// Where `/payment/confirm` sends the browser after a successful payment: the success page with
/// the seed 003 parameters. (S-05)
pub fn confirm_success_url(base: &str, params: &[(&str, String)]) -> String {
    with_query(&format!("{base}{SUCCESS_PAGE_PATH}"), params)
}

/// Where `/payment/confirm` sends the browser after a failed payment: the failure page with
/// `invoiceID`, `code`, `message`. (S-05, S-06)
pub fn confirm_failure_url(base: &str, invoice_id: &str, code: i32, message: &str) -> String {
    with_query(
        &format!("{base}{FAILURE_REDIRECT_PATH}"),
        &[
            ("invoiceID", invoice_id.to_string()),
            ("code", code.to_string()),
            ("message", message.to_string()),
        ],
    )
}

/// `url` with `params` appended to its query (before any `#fragment`), percent-encoded.
pub fn with_query(url: &str, params: &[(&str, String)]) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    let separator = match (query.is_empty(), base.contains('?')) {
        (true, _) => "",
        (false, true) if base.ends_with('?') || base.ends_with('&') => "",
        (false, true) => "&",
        (false, false) => "?",
    };
    let mut out = format!("{base}{separator}{query}");
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_carry_the_astana_offset() {
        let at = DateTime::parse_from_rfc3339("2022-11-14T21:52:17.289853Z")
            .map(|d| d.with_timezone(&Utc))
            .ok();
        let at = at.unwrap_or_default();
        assert_eq!(bank_timestamp(at), "2022-11-15T03:52:17.289853+06:00");
        assert_eq!(bank_datetime(at), "2022-11-15 03:52:17");
    }

    proptest::proptest! {
        /// Written by hand, the bank's two formats are still exactly chrono's, for any instant
        /// the sandbox clock can be set to (years 0 to 9999 and beyond, leap seconds).
        #[test]
        fn timestamps_are_spelled_as_chrono_spells_them(
            seconds in -62_167_219_200i64..300_000_000_000,
            nanos in 0u32..2_000_000_000,
        ) {
            if let Some(at) = DateTime::from_timestamp(seconds, nanos) {
                let local = at.with_timezone(&bank_offset());
                proptest::prop_assert_eq!(bank_timestamp(at), local.format("%Y-%m-%dT%H:%M:%S%.6f%:z").to_string());
                proptest::prop_assert_eq!(bank_datetime(at), local.format("%Y-%m-%d %H:%M:%S").to_string());
            }
        }
    }

    #[test]
    fn query_parameters_are_appended_before_the_fragment() {
        let params = [("reference", "123".to_string()), ("a b", "+/&".to_string())];
        assert_eq!(
            with_query("http://x/back", &params),
            "http://x/back?reference=123&a+b=%2B%2F%26"
        );
        assert_eq!(
            with_query("http://x/b?o=1#top", &params[..1]),
            "http://x/b?o=1&reference=123#top"
        );
        assert_eq!(with_query("http://x/b?", &params[..1]), "http://x/b?reference=123");
        assert_eq!(with_query("http://x/b", &[]), "http://x/b");
    }
}
