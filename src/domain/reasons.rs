//! The catalogue of reason codes (spec §4.3) and check-status result codes (§4.2).

use super::outcome::Outcome;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One reason code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReasonCode {
    /// Numeric code (`484`).
    pub code: i32,
    /// Russian text, as the bank's pages show it.
    pub message_ru: String,
    /// English text.
    pub message_en: String,
    /// Whether the outcome is final; not-final codes keep a transaction in progress.
    pub r#final: bool,
    /// Whether the code is a technical failure (FAILED) rather than a decline (REJECT).
    #[serde(default)]
    pub technical: bool,
}

/// One check-status `resultCode`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ResultCode {
    /// The code as the wire string (`"100"`).
    pub code: String,
    /// `resultMessage`.
    pub message: String,
}

/// Reason codes by number, and result codes by string.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    reasons: BTreeMap<i32, ReasonCode>,
    results: BTreeMap<String, ResultCode>,
}

impl Catalogue {
    /// Builds the catalogue from fixture lists.
    pub fn new(reasons: Vec<ReasonCode>, results: Vec<ResultCode>) -> Self {
        Self {
            reasons: reasons.into_iter().map(|r| (r.code, r)).collect(),
            results: results.into_iter().map(|r| (r.code.clone(), r)).collect(),
        }
    }

    /// A reason code, if catalogued.
    pub fn reason(&self, code: i32) -> Option<&ReasonCode> {
        self.reasons.get(&code)
    }

    /// Every reason code in order.
    pub fn reasons(&self) -> impl Iterator<Item = &ReasonCode> {
        self.reasons.values()
    }

    /// The English text of a reason (what API error bodies carry), or a generic one.
    pub fn message_en(&self, code: i32) -> String {
        self.reason(code)
            .map(|r| r.message_en.clone())
            .unwrap_or_else(|| format!("Declined (reason {code})"))
    }

    /// How a refusal with `code` plays out: FAILED for a technical code, REJECT otherwise. (P-05)
    pub fn refusal(&self, code: i32) -> Outcome {
        if self.reason(code).is_some_and(|r| r.technical) {
            Outcome::Fail { code }
        } else {
            Outcome::Decline { code }
        }
    }

    /// Whether `code` is catalogued as not final (an outcome that settles later).
    pub fn is_pending_code(&self, code: i32) -> bool {
        self.reason(code).is_some_and(|r| !r.r#final)
    }

    /// The `resultMessage` of a check-status result code.
    pub fn result_message(&self, code: &str) -> String {
        self.results.get(code).map(|r| r.message.clone()).unwrap_or_default()
    }
}
