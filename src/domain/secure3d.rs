//! 3-D Secure as plain rules: the session a challenge keeps, how the ACS judges what the
//! cardholder entered (attempt counting), and the tamper-evident `PaRes` (an HMAC-SHA256-signed
//! statement of the session's result).

use super::outcome::Outcome;
use super::saved_cards::CardToSave;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

/// Length of the HMAC-SHA256 tag at the end of a decoded `PaRes`.
const TAG_LEN: usize = 32;

/// One challenge in progress, keyed by its `MD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secure3dSession {
    /// The `md` handed to the merchant (and posted back by the ACS).
    pub md: String,
    /// The `paReq` handed to the merchant.
    pub pa_req: String,
    /// The transaction waiting in NEW.
    pub transaction_id: Uuid,
    /// What happens once the cardholder passes the challenge.
    pub then: Outcome,
    /// The card to save when the payment then succeeds (`cardSave: true`).
    pub card_to_save: Option<CardToSave>,
    /// When the challenge began (sandbox time).
    pub created_at: DateTime<Utc>,
    /// Wrong codes entered so far.
    pub failed_attempts: u32,
    /// Where the ACS posts `PaRes` and `MD` (the merchant's `TermUrl`), once the ACS has seen it.
    pub term_url: Option<String>,
    /// The ACS's answer, once given: the session then waits for the confirm step only.
    pub answer: Option<AcsAnswer>,
}

impl Secure3dSession {
    /// Whether the challenge has run out of time at `now`.
    pub fn is_expired(&self, now: DateTime<Utc>, timeout: chrono::Duration) -> bool {
        self.created_at + timeout <= now
    }

    /// Judges the cardholder's action and records it: an answer, or one more failed attempt.
    /// `None` when the session was already answered.
    pub fn record_action(&mut self, rules: &AcsRules<'_>, action: CardholderAction<'_>) -> Option<Verdict> {
        if self.answer.is_some() {
            return None;
        }
        let verdict = judge(rules, self.failed_attempts, action);
        match verdict {
            Verdict::Answered(answer) => self.answer = Some(answer),
            Verdict::Retry { .. } => self.failed_attempts = self.failed_attempts.saturating_add(1),
        }
        Some(verdict)
    }
}

/// What the ACS concluded (the `TXstatus` of a 3-D Secure 1 PaRes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum AcsAnswer {
    /// `Y`: the cardholder was authenticated.
    #[serde(rename = "Y")]
    Authenticated,
    /// `N`: authentication failed, with the reason code the payment fails with.
    #[serde(rename = "N")]
    Failed {
        /// Reason code (§4.3).
        #[serde(rename = "reasonCode")]
        code: i32,
    },
}

/// What the cardholder did on the challenge page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardholderAction<'a> {
    /// Entered a one-time code and pressed "confirm".
    Code(&'a str),
    /// Pressed "cancel".
    Cancel,
}

/// The ACS's verdict on one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The challenge is over with this answer.
    Answered(AcsAnswer),
    /// A wrong code; the cardholder may try again `attempts_left` more times.
    Retry {
        /// Tries left.
        attempts_left: u32,
    },
}

/// The rules an ACS judges by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcsRules<'a> {
    /// The one-time code that passes.
    pub code: &'a str,
    /// Wrong codes allowed in total before the challenge fails.
    pub max_attempts: u32,
    /// Reason code of a failed challenge (wrong codes, cancel).
    pub failed_reason: i32,
    /// `Some(code)` when the card's challenge always fails, whatever is entered.
    pub always_fails: Option<i32>,
}

/// Judges one action given the wrong codes entered before it.
pub fn judge(rules: &AcsRules<'_>, failed_attempts: u32, action: CardholderAction<'_>) -> Verdict {
    let failed = |code| Verdict::Answered(AcsAnswer::Failed { code });
    match action {
        CardholderAction::Cancel => failed(rules.failed_reason),
        CardholderAction::Code(entered) => {
            if let Some(code) = rules.always_fails {
                return failed(code);
            }
            if entered.trim() == rules.code {
                return Verdict::Answered(AcsAnswer::Authenticated);
            }
            let used = failed_attempts.saturating_add(1);
            if used >= rules.max_attempts {
                failed(rules.failed_reason)
            } else {
                Verdict::Retry {
                    attempts_left: rules.max_attempts - used,
                }
            }
        }
    }
}

/// What a `PaRes` states: which session and transaction, and the ACS's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaResStatement {
    /// Always `"PaRes"`.
    pub message_type: String,
    /// The session's MD.
    pub md: String,
    /// The transaction the challenge belongs to.
    pub transaction_id: Uuid,
    /// The ACS's answer.
    pub answer: AcsAnswer,
    /// When the ACS answered (sandbox time).
    pub issued_at: DateTime<Utc>,
}

/// Why a `PaRes` was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PaResError {
    /// Not base64, or too short to carry a signature.
    #[error("PaRes is malformed (not a PaRes issued by the sandbox ACS)")]
    Malformed,
    /// The signature does not match: the PaRes was altered or forged.
    #[error("PaRes signature is invalid (the PaRes was altered or not issued by this sandbox)")]
    BadSignature,
}

/// Signs a statement: standard base64 of its JSON followed by an HMAC-SHA256 tag over it.
pub fn sign_pares(key: &[u8], statement: &PaResStatement) -> String {
    let mut bytes = serde_json::to_vec(statement).unwrap_or_default();
    let tag = mac(key, &bytes);
    bytes.extend_from_slice(&tag);
    STANDARD.encode(bytes)
}

/// Verifies a `PaRes` made by [`sign_pares`] with the same key and returns its statement.
/// Whitespace (as some form encoders leave it) is ignored; anything else altered fails.
pub fn verify_pares(key: &[u8], pa_res: &str) -> Result<PaResStatement, PaResError> {
    let compact: String = pa_res.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = STANDARD.decode(compact).map_err(|_| PaResError::Malformed)?;
    if bytes.len() <= TAG_LEN {
        return Err(PaResError::Malformed);
    }
    let (body, tag) = bytes.split_at(bytes.len() - TAG_LEN);
    let mut check = new_mac(key);
    check.update(body);
    check.verify_slice(tag).map_err(|_| PaResError::BadSignature)?;
    serde_json::from_slice(body).map_err(|_| PaResError::Malformed)
}

fn new_mac(key: &[u8]) -> Hmac<Sha256> {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

fn mac(key: &[u8], body: &[u8]) -> [u8; TAG_LEN] {
    let mut mac = new_mac(key);
    mac.update(body);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn rules(always_fails: Option<i32>) -> AcsRules<'static> {
        AcsRules {
            code: "123456",
            max_attempts: 3,
            failed_reason: 473,
            always_fails,
        }
    }

    fn statement(answer: AcsAnswer) -> PaResStatement {
        PaResStatement {
            message_type: "PaRes".into(),
            md: "bWQ=".into(),
            transaction_id: Uuid::nil(),
            answer,
            issued_at: DateTime::<Utc>::default(),
        }
    }

    #[test]
    fn the_right_code_passes_and_cancel_fails() {
        let r = rules(None);
        assert_eq!(
            judge(&r, 0, CardholderAction::Code(" 123456 ")),
            Verdict::Answered(AcsAnswer::Authenticated)
        );
        assert_eq!(
            judge(&r, 2, CardholderAction::Code("123456")),
            Verdict::Answered(AcsAnswer::Authenticated)
        );
        assert_eq!(
            judge(&r, 0, CardholderAction::Cancel),
            Verdict::Answered(AcsAnswer::Failed { code: 473 })
        );
    }

    #[test]
    fn three_wrong_codes_fail() {
        let r = rules(None);
        assert_eq!(
            judge(&r, 0, CardholderAction::Code("000000")),
            Verdict::Retry { attempts_left: 2 }
        );
        assert_eq!(
            judge(&r, 1, CardholderAction::Code("")),
            Verdict::Retry { attempts_left: 1 }
        );
        assert_eq!(
            judge(&r, 2, CardholderAction::Code("1")),
            Verdict::Answered(AcsAnswer::Failed { code: 473 })
        );
    }

    #[test]
    fn a_card_that_always_fails_fails_with_the_right_code() {
        assert_eq!(
            judge(&rules(Some(473)), 0, CardholderAction::Code("123456")),
            Verdict::Answered(AcsAnswer::Failed { code: 473 })
        );
    }

    #[test]
    fn pares_round_trips_and_rejects_another_key() {
        let signed = sign_pares(KEY, &statement(AcsAnswer::Authenticated));
        assert_eq!(verify_pares(KEY, &signed), Ok(statement(AcsAnswer::Authenticated)));
        assert_eq!(verify_pares(b"another key", &signed), Err(PaResError::BadSignature));
        assert_eq!(verify_pares(KEY, ""), Err(PaResError::Malformed));
        assert_eq!(verify_pares(KEY, "not base64!"), Err(PaResError::Malformed));
    }

    proptest! {
        #[test]
        fn judge_never_retries_past_the_limit(failed in 0u32..10, entered in ".{0,8}") {
            match judge(&rules(None), failed, CardholderAction::Code(&entered)) {
                Verdict::Retry { attempts_left } => prop_assert!(attempts_left >= 1 && failed + 1 + attempts_left == 3),
                Verdict::Answered(AcsAnswer::Authenticated) => prop_assert_eq!(entered.trim(), "123456"),
                Verdict::Answered(AcsAnswer::Failed { code }) => prop_assert!(code == 473 && failed + 1 >= 3),
            }
        }

        #[test]
        fn any_altered_byte_is_detected(index in any::<prop::sample::Index>(), flip in 1u8..=255, code in 400i32..600) {
            let signed = sign_pares(KEY, &statement(AcsAnswer::Failed { code }));
            let mut bytes = STANDARD.decode(&signed).unwrap_or_default();
            let i = index.index(bytes.len());
            bytes[i] ^= flip;
            prop_assert!(verify_pares(KEY, &STANDARD.encode(bytes)).is_err());
        }

        #[test]
        fn verify_never_panics(text in ".{0,200}") {
            let _ = verify_pares(KEY, &text);
        }
    }
}
