//! The one table of fidelity keys: every open question about the bank's behaviour that a user
//! can switch, with its allowed values, its default, the evidence for each value and our
//! confidence. `docs/fidelity.md` has one section per key (the `docs` anchor).
//!
//! The `fidelity_keys!` macro turns the table into typed values: one enum per key, the
//! [`Profile`] (one value per key, `Copy`, read on the hot path), the [`Overrides`] (some keys
//! only) and the [`KEYS`] metadata that `GET /_sandbox/fidelity` and the probe print.

use super::profile::FidelityError;
use serde::Serialize;

/// How sure we are that the default is what the live gateway does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Seen in the bank's own live software, or in two independent sources.
    High,
    /// One source, or a strong inference.
    Medium,
    /// A guess.
    Low,
}

/// One allowed value of a key and the evidence for it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ValueInfo {
    /// The value as written in profiles (`"string"`, `"200"`).
    pub value: &'static str,
    /// Who shows this behaviour.
    pub evidence: &'static str,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct KeyInfo {
    /// The key as written in profiles (`token.expires_in`).
    pub key: &'static str,
    /// The open question the key answers.
    pub question: &'static str,
    /// Every allowed value with its evidence, the default first.
    pub values: &'static [ValueInfo],
    /// The default value (strongest evidence on the ladder).
    pub default: &'static str,
    /// Confidence in the default.
    pub confidence: Confidence,
    /// Its section in `docs/fidelity.md`.
    pub docs: &'static str,
}

impl KeyInfo {
    /// The allowed values, comma-separated (for error messages).
    pub fn allowed(&self) -> String {
        self.values.iter().map(|v| v.value).collect::<Vec<_>>().join(", ")
    }
}

/// The row of `key`, if it is a key.
pub fn key_info(key: &str) -> Option<&'static KeyInfo> {
    KEYS.iter().find(|k| k.key == key)
}

/// Declares the keys: for each, an enum with its values and everything the profile needs.
macro_rules! fidelity_keys {
    ($(
        $(#[doc = $doc:literal])*
        $field:ident: $Enum:ident = $key:literal {
            question: $question:literal,
            docs: $docs:literal,
            confidence: $confidence:ident,
            default: $Default:ident,
            $( $(#[doc = $vdoc:literal])* $Variant:ident = $value:literal => $evidence:literal, )+
        }
    )+) => {
        $(
            $(#[doc = $doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum $Enum {
                $( $(#[doc = $vdoc])* $Variant, )+
            }

            impl $Enum {
                /// Every value, in the table's order.
                pub const ALL: &'static [$Enum] = &[$($Enum::$Variant),+];

                /// The value as written in profiles.
                pub const fn as_str(self) -> &'static str {
                    match self {
                        $($Enum::$Variant => $value,)+
                    }
                }

                /// Reads a value as written in profiles.
                pub fn parse(text: &str) -> Option<Self> {
                    match text {
                        $($value => Some($Enum::$Variant),)+
                        _ => None,
                    }
                }
            }

            impl Default for $Enum {
                fn default() -> Self {
                    $Enum::$Default
                }
            }
        )+

        /// One value for every key: what the sandbox renders for one merchant. `Copy` and a
        /// few bytes, so handlers and the engine read it freely.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct Profile {
            $(
                #[doc = $question]
                pub $field: $Enum,
            )+
        }

        /// Values for some keys only: a `--fidelity` list, a profile file, a run-time change or
        /// a merchant's overrides, laid over a [`Profile`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct Overrides {
            $(
                #[doc = $question]
                pub $field: Option<$Enum>,
            )+
        }

        /// The table, in declaration order.
        pub static KEYS: &[KeyInfo] = &[
            $(KeyInfo {
                key: $key,
                question: $question,
                docs: $docs,
                confidence: Confidence::$confidence,
                default: $Enum::$Default.as_str(),
                values: &[$(ValueInfo { value: $value, evidence: $evidence }),+],
            },)+
        ];

        impl Profile {
            /// The value of `key` as written in profiles, if it is a key.
            pub fn get(&self, key: &str) -> Option<&'static str> {
                match key {
                    $($key => Some(self.$field.as_str()),)+
                    _ => None,
                }
            }

            /// This profile with `overrides` laid over it.
            pub fn with(mut self, overrides: &Overrides) -> Profile {
                $(if let Some(value) = overrides.$field {
                    self.$field = value;
                })+
                self
            }

            /// Every key and its value, in the table's order.
            pub fn entries(&self) -> Vec<(&'static str, &'static str)> {
                vec![$(($key, self.$field.as_str())),+]
            }

            /// Every value of this profile as overrides (to lay it over another).
            pub fn as_overrides(&self) -> Overrides {
                Overrides { $($field: Some(self.$field),)+ }
            }
        }

        impl Overrides {
            /// Sets `key` to `value`, or clears it with `None`; an unknown key or value is refused
            /// with the valid ones.
            pub fn set(&mut self, key: &str, value: Option<&str>) -> Result<(), FidelityError> {
                match key {
                    $($key => {
                        self.$field = match value {
                            None => None,
                            Some(text) => Some($Enum::parse(text.trim()).ok_or_else(|| FidelityError::unknown_value(key, text))?),
                        };
                        Ok(())
                    })+
                    _ => Err(FidelityError::unknown_key(key)),
                }
            }

            /// The keys that are set and their values, in the table's order.
            pub fn entries(&self) -> Vec<(&'static str, &'static str)> {
                let mut out = Vec::new();
                $(if let Some(value) = self.$field {
                    out.push(($key, value.as_str()));
                })+
                out
            }

            /// Both layers: `self`'s values, and `over`'s where it sets one.
            pub fn merged(mut self, over: &Overrides) -> Overrides {
                $(if over.$field.is_some() {
                    self.$field = over.$field;
                })+
                self
            }
        }
    };
}

fidelity_keys! {
    /// `expires_in` of client-credentials and refresh answers. (F-02)
    token_expires_in: ExpiresIn = "token.expires_in" {
        question: "Is `expires_in` of a client-credentials token a JSON string or a number?",
        docs: "docs/fidelity.md#f-02-expires_in-is-a-string",
        confidence: High,
        default: String,
        /// `"expires_in": "7200"`.
        String = "string" => "the bank's iOS SDK (halyk/EpaySDK) declares TokenResponseBody.expires_in: String and decodes it with JSONDecoder, so production sends a string; a public Go client and public integrations (\"expires_in\": \"5000\") agree",
        /// `"expires_in": 7200`.
        Number = "number" => "seeds 000/002/004 and spec 3.1 print the number 7200",
    }
    /// Whether the client-credentials answer carries `"refresh_token": ""`. (F-15)
    token_refresh_token: RefreshToken = "token.refresh_token" {
        question: "Does a client-credentials answer carry an empty `refresh_token`?",
        docs: "docs/fidelity.md#f-15-refresh_token-in-client-credentials-answers",
        confidence: High,
        default: Present,
        /// `"refresh_token": ""`.
        Present = "present" => "seeds 000, 001, 002 and 004 all show \"refresh_token\": \"\" (\"not used with this type of authorization\")",
        /// No `refresh_token` key.
        Absent = "absent" => "generic OAuth servers omit it for client credentials (RFC 6749 4.4.3); no ePay source shows this",
    }
    /// How `scope` is echoed in token answers. (F-11)
    token_scope_echo: ScopeEcho = "token.scope_echo" {
        question: "Is the token answer's `scope` the request's scope verbatim?",
        docs: "docs/fidelity.md#f-11-scopes-are-not-enforced",
        confidence: Low,
        default: AsSent,
        /// Verbatim, whitespace and all.
        AsSent = "as_sent" => "our inference: the seeds contradict each other (seed 001 adds a leading space, seed 004 drops one), so we echo what the client sent",
        /// Leading and trailing whitespace removed.
        Trimmed = "trimmed" => "seed 004: requested \" transfer\", answered \"transfer\"",
        /// Trimmed, then one leading space.
        BankSample = "bank_sample" => "seed 001: requested \"webapi … payment\", answered \" webapi … payment\"",
    }
    /// Whether a token issued for an invoice, amount, currency or terminal pays only that. (F-12)
    token_binding: TokenBinding = "token.binding" {
        question: "Does the bank refuse a payment that differs from what its token was issued for (invoiceID, amount, currency, terminal)?",
        docs: "docs/fidelity.md#f-12-token-binding",
        confidence: Medium,
        default: Strict,
        /// Refused with `{"code": -1}` (P-07).
        Strict = "strict" => "spec 9 (the token is issued for one operation) and the docs' \"one token per operation\"",
        /// Not checked: the body's values win (the terminal must still be the client's).
        Off = "off" => "the seeds' own example pairs (token for invoice 000000001, payment of 10101112; token for 100, payment of 10.0) would all be refused otherwise",
    }
    /// What a token issued for one invoice can read and operate on. (F-16)
    token_reach: TokenReach = "token.reach" {
        question: "Can a token issued for one invoice read (check-status, /operation) and charge, cancel or refund the terminal's other orders?",
        docs: "docs/fidelity.md#f-16-what-an-invoice-token-reaches",
        confidence: Low,
        default: Terminal,
        /// Every order of its client (and terminal, when it has one).
        Terminal = "terminal" => "no source says the bank limits it; the merchant's back office commonly reuses one token",
        /// Only the invoice it was issued for; other invoices are not found.
        Invoice = "invoice" => "our inference: the payment page hands such a token to the cardholder's browser, so a careful bank would limit it",
    }
    /// The HTTP status of check-status answers other than 100 and 107. (F-04)
    status_not_found_http: NotFoundHttp = "status.not_found_http" {
        question: "Which HTTP status comes with check-status resultCodes 101, 102, 103, 104, 106 and 109?",
        docs: "docs/fidelity.md#f-04-check-status-business-errors-come-with-http-200",
        confidence: Medium,
        default: Ok,
        /// HTTP 200; the body says what went wrong.
        Ok = "200" => "seed 001 shows only HTTP CODE 200; public Ruby and PHP clients handle resultCode 102 only inside a 2xx answer",
        /// HTTP 400.
        BadRequest = "400" => "one public Go client accepts a 400 too; the sandbox's earlier guess",
    }
    /// The check-status result of a found REJECT, FAILED or 3D payment. (F-03)
    status_failed_result: FailedResult = "status.failed_result" {
        question: "Does check-status of a declined or failed payment answer 100 with the transaction, or 101 with `transaction: null`?",
        docs: "docs/fidelity.md#f-03-check-status-a-found-transaction-answers-100-whatever-its-status",
        confidence: Medium,
        default: Success,
        /// `"100"` and the transaction (the merchant reads `statusName`, `reason`).
        Success = "100" => "seed 001's statusName table lists REJECT, FAILED and 3D, which can only be seen inside a 100 answer",
        /// `"101"` and `transaction: null`.
        Reject = "101" => "seed 001's error sample: {\"resultCode\": \"101\", \"resultMessage\": \"reject\", \"transaction\": null}",
    }
    /// How `language` is shown in answers. (F-07)
    answer_language: LanguageForm = "answer.language" {
        question: "Do payment and check-status answers show `language` upper-cased to two letters (\"RU\") or as sent (\"rus\")?",
        docs: "docs/fidelity.md#f-07-language-is-upper-cased-two-letters",
        confidence: Medium,
        default: TwoLetter,
        /// `rus` → `RU`, `kaz` → `KZ`, `eng` → `EN`.
        TwoLetter = "two_letter" => "seed 001's check-status sample, seed 002's saved-card answer and seed 003's 3-D Secure answer show \"RU\" for requests sending \"rus\"",
        /// The request's value, unchanged.
        AsSent = "as_sent" => "seed 003's plain (no 3-D Secure) answer shows \"language\": \"rus\"",
    }
    /// Whether `/payment/confirm` needs a bearer token. (S-10)
    confirm_token: ConfirmToken = "confirm.token" {
        question: "Does `POST /payment/confirm` need an `Authorization: Bearer` token?",
        docs: "docs/fidelity.md#s-10-payment-confirm-without-a-token",
        confidence: Low,
        default: Optional,
        /// Accepted without a token (the signed PaRes identifies the payment); a token sent is checked.
        Optional = "optional" => "seed 003's confirm example sends no Authorization header",
        /// 401 without a token.
        Required = "required" => "every other API call of the seeds carries a bearer token",
    }
    /// The HTTP status of the confirm steps' browser redirects. (S-05)
    confirm_redirect: ConfirmRedirect = "confirm.redirect" {
        question: "Does the 3-D Secure confirm step redirect with 302 or answer 200?",
        docs: "docs/fidelity.md#s-05-paymentconfirm-answers-with-a-302-redirect",
        confidence: Low,
        default: Found,
        /// `302 Found` with `Location`.
        Found = "302" => "seed 003 calls the answer a \"Redirect\", which in HTTP is a 3xx; the SDKs' web views follow Location",
        /// `200 OK`, an HTML page that forwards the browser (meta refresh), `Location` kept.
        Ok = "200" => "seed 003 prints \"Redirect Http code 200\"",
    }
    /// `secure3D` in a payment answer without 3-D Secure. (P-01)
    payment_secure3d: Secure3dField = "payment.secure3d" {
        question: "Does an approved payment answer carry `\"secure3D\": null` or no `secure3D` key?",
        docs: "docs/fidelity.md#p-01-one-success-body-for-cryptopay-and-saved-card-payments",
        confidence: Medium,
        default: Null,
        /// `"secure3D": null`.
        Null = "null" => "seed 002's saved-card answer shows \"secure3D\": null; the iOS SDK decodes it as an optional",
        /// No key.
        Absent = "absent" => "seed 003's plain answer has no secure3D key",
    }
    /// Which spellings of the customer id an approved payment answer carries. (P-01)
    payment_account_id: AccountIdKeys = "payment.account_id" {
        question: "Does an approved payment answer carry `accountId`, `accountID` or both?",
        docs: "docs/fidelity.md#p-01-one-success-body-for-cryptopay-and-saved-card-payments",
        confidence: Low,
        default: Both,
        /// Both keys (a superset serves every client).
        Both = "both" => "the seed 003 samples disagree (accountID in the plain one, accountId in the 3-D Secure one); both serve every client",
        /// `accountId` only.
        AccountIdCamel = "accountId" => "seed 002's answer and the iOS SDK decode accountId",
        /// `accountID` only.
        AccountIdUpper = "accountID" => "seed 003's plain answer shows accountID",
    }
    /// Whether a declined payment's or transfer's error body echoes `id` and `reference`. (P-04)
    payment_decline_ids: DeclineIds = "payment.decline_ids" {
        question: "Does a declined payment's error body carry the transaction's `id` and `reference`, or empty strings?",
        docs: "docs/fidelity.md#p-04-a-refused-payment-answers-400-with-the-reason-code-idreference-empty",
        confidence: Medium,
        default: Empty,
        /// `"id": ""`, `"reference": ""`.
        Empty = "empty" => "seed 003's failure sample (code 487) shows both empty",
        /// The declined transaction's id and reference.
        Echoed = "echoed" => "our inference: the bank records the declined transaction (check-status shows it)",
    }
    /// Whether a completed P2P transfer answer carries `code: 0`. (T-02)
    transfer_code: TransferCode = "transfer.code" {
        question: "Does a completed transfer's answer carry `\"code\": 0`?",
        docs: "docs/fidelity.md#t-02-success-body",
        confidence: Medium,
        default: Present,
        /// `"code": 0` before `status`.
        Present = "present" => "seed 004's postLink body and the payment answers of seed 002 carry code 0; an extra key breaks no client",
        /// No `code` key.
        Absent = "absent" => "seed 000's synchronous transfer answer has no code",
    }
    /// Whether the bank-facing API answers CORS preflights. (W-01)
    api_cors: Cors = "api.cors" {
        question: "Does the bank's API answer browser CORS preflights with Access-Control-Allow-Origin?",
        docs: "docs/fidelity.md#w-01-cors-on-the-bank-facing-api",
        confidence: Low,
        default: Reflect,
        /// The request's `Origin` is reflected (or `--cors-origins`).
        Reflect = "reflect" => "public browser widgets fetch the token from the browser (issue 13), which works only with CORS",
        /// No CORS headers: browsers block cross-origin calls.
        Off = "off" => "the bank's payment-api.js never calls the API from the browser; a server-side gateway need not send CORS headers",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_documented_and_lists_its_default_first() {
        let mut seen = std::collections::HashSet::new();
        for key in KEYS {
            assert!(seen.insert(key.key), "{} twice", key.key);
            assert!(key.values.len() >= 2, "{} has no alternative", key.key);
            assert_eq!(key.values[0].value, key.default, "{}: default first", key.key);
            assert!(key.docs.starts_with("docs/fidelity.md#"), "{}", key.key);
        }
        assert!(KEYS.len() >= 12);
    }

    #[test]
    fn the_documented_anchors_exist() {
        let docs = include_str!("../../docs/fidelity.md");
        for key in KEYS {
            assert!(
                docs.contains(&format!("`{}`", key.key)),
                "docs/fidelity.md does not name {}",
                key.key
            );
        }
    }

    #[test]
    fn values_round_trip_through_their_names() {
        let profile = Profile::default();
        for (key, value) in profile.entries() {
            let info = key_info(key).map(|k| k.default);
            assert_eq!(info, Some(value));
            let mut overrides = Overrides::default();
            for allowed in key_info(key).map(|k| k.values).unwrap_or_default() {
                assert!(overrides.set(key, Some(allowed.value)).is_ok());
                assert_eq!(Profile::default().with(&overrides).get(key), Some(allowed.value));
            }
        }
    }
}
