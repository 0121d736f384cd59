//! Scenario rules: outcomes the control plane forces on the next authorisation attempts that
//! match. Plain data and matching; the engine keeps the book and consumes the rules.

use super::outcome::{AttemptContext, Outcome};
use crate::fidelity::RESULT_CODES;
use serde::{Deserialize, Serialize};

/// How long a pending outcome settled only by polls waits before time settles it anyway:
/// ten years of sandbox time, i.e. in practice only the polls do. (X-05)
pub const POLL_ONLY_BACKSTOP_SECONDS: i64 = 10 * 365 * 24 * 3600;

/// Which attempts a rule applies to. Every field that is set must match; a rule with no field
/// set matches every attempt.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuleMatch {
    /// Merchant order number (exact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    /// Merchant customer id (exact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Card number (spaces and dashes ignored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pan: Option<String>,
    /// Terminal UUID (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal: Option<String>,
    /// OAuth client id (exact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

impl RuleMatch {
    /// Whether `attempt` satisfies every criterion that is set.
    pub fn matches(&self, attempt: &AttemptContext) -> bool {
        let exact = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        exact(&self.invoice_id, &attempt.invoice_id)
            && exact(&self.account_id, &attempt.account_id)
            && exact(&self.client_id, &attempt.client_id)
            && self
                .terminal
                .as_deref()
                .is_none_or(|t| t.trim().eq_ignore_ascii_case(attempt.terminal_id.trim()))
            && self.pan.as_deref().is_none_or(|p| digits(p) == digits(&attempt.pan))
    }

    /// Whether no criterion is set.
    pub fn is_empty(&self) -> bool {
        self == &RuleMatch::default()
    }
}

fn digits(pan: &str) -> String {
    pan.chars().filter(|c| !matches!(c, ' ' | '-')).collect()
}

/// The outcome a rule forces, in the control plane's JSON (camelCase, tagged by `kind`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum ForcedOutcome {
    /// Approve.
    Approve,
    /// Decline (REJECT) with a reason code.
    Decline {
        /// Reason code.
        code: i32,
    },
    /// Technical failure (FAILED) with a reason code.
    Fail {
        /// Reason code.
        code: i32,
    },
    /// A 3-D Secure challenge, then `then` (approve by default).
    Challenge {
        /// What a passed challenge leads to.
        #[serde(default)]
        then: Option<Box<ForcedOutcome>>,
    },
    /// Not final at first (check-status answers 107); settles after a time or a number of polls.
    Pending {
        /// Sandbox seconds until it settles.
        #[serde(default)]
        settle_after_seconds: Option<i64>,
        /// Status polls answered 107 before it settles.
        #[serde(default)]
        settle_after_polls: Option<u32>,
        /// Decline with this code when it settles (approve when absent).
        #[serde(default)]
        then_decline: Option<i32>,
    },
    /// Not an attempt's outcome: check-status of the matching invoice answers this `resultCode`
    /// (any of `fixtures/result_codes.json`: 101, 103, 106, 107 …); `times` counts polls. (X-15)
    StatusResult {
        /// The forced `resultCode`.
        result_code: String,
    },
}

/// Why a forced outcome cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// A pending outcome needs a time or a poll count.
    #[error("a pending outcome needs settleAfterSeconds or settleAfterPolls")]
    PendingNeedsTrigger,
    /// Negative time.
    #[error("settleAfterSeconds must not be negative")]
    NegativeSeconds,
    /// A reason code that is not in the catalogue.
    #[error("reason code {0} is not in the catalogue (see GET /_sandbox/reasons)")]
    UnknownCode(i32),
    /// A challenge whose outcome is itself a challenge or pending.
    #[error("a challenge can only be followed by approve, decline or fail")]
    NestedChallenge,
    /// `times` of zero.
    #[error("times must be at least 1")]
    ZeroTimes,
    /// A result code that check-status does not have.
    #[error("resultCode '{0}' is not a check-status result code (valid: {valid})", valid = RESULT_CODES.join(", "))]
    UnknownResultCode(String),
    /// A status result where an attempt's outcome is needed.
    #[error("a statusResult rule forces check-status answers, not a payment's outcome")]
    StatusResultIsNoOutcome,
}

impl ForcedOutcome {
    /// Checks the outcome against the reason catalogue (`known` says whether a code exists).
    pub fn validate(&self, known: &impl Fn(i32) -> bool) -> Result<(), RuleError> {
        let check = |code: i32| {
            if known(code) {
                Ok(())
            } else {
                Err(RuleError::UnknownCode(code))
            }
        };
        match self {
            ForcedOutcome::Approve => Ok(()),
            ForcedOutcome::Decline { code } | ForcedOutcome::Fail { code } => check(*code),
            ForcedOutcome::Challenge { then } => match then.as_deref() {
                None => Ok(()),
                Some(ForcedOutcome::Challenge { .. } | ForcedOutcome::Pending { .. }) => {
                    Err(RuleError::NestedChallenge)
                }
                Some(inner) => inner.validate(known),
            },
            ForcedOutcome::Pending {
                settle_after_seconds,
                settle_after_polls,
                then_decline,
            } => {
                if settle_after_seconds.is_none() && settle_after_polls.is_none() {
                    return Err(RuleError::PendingNeedsTrigger);
                }
                if settle_after_seconds.is_some_and(|s| s < 0) {
                    return Err(RuleError::NegativeSeconds);
                }
                then_decline.map_or(Ok(()), check)
            }
            ForcedOutcome::StatusResult { result_code } => match RESULT_CODES.contains(&result_code.as_str()) {
                true => Ok(()),
                false => Err(RuleError::UnknownResultCode(result_code.chars().take(20).collect())),
            },
        }
    }

    /// Whether this forces check-status answers rather than an attempt's outcome.
    pub fn is_status_result(&self) -> bool {
        matches!(self, ForcedOutcome::StatusResult { .. })
    }

    /// The engine's [`Outcome`] for this forced outcome (a status result, which no attempt
    /// takes, approves).
    pub fn to_outcome(&self) -> Outcome {
        match self {
            ForcedOutcome::Approve | ForcedOutcome::StatusResult { .. } => Outcome::Approve,
            ForcedOutcome::Decline { code } => Outcome::Decline { code: *code },
            ForcedOutcome::Fail { code } => Outcome::Fail { code: *code },
            ForcedOutcome::Challenge { then } => Outcome::Challenge {
                then: Box::new(then.as_deref().map_or(Outcome::Approve, ForcedOutcome::to_outcome)),
            },
            ForcedOutcome::Pending {
                settle_after_seconds,
                settle_after_polls,
                then_decline,
            } => Outcome::Pending {
                settle_after_seconds: settle_after_seconds.unwrap_or(POLL_ONLY_BACKSTOP_SECONDS),
                then_decline: *then_decline,
                settle_after_polls: *settle_after_polls,
            },
        }
    }
}

/// One scenario rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioRule {
    /// Id to list and delete it by.
    pub id: String,
    /// Which attempts it applies to.
    #[serde(rename = "match")]
    pub matcher: RuleMatch,
    /// What it forces.
    pub outcome: ForcedOutcome,
    /// Uses left; the rule disappears when this reaches zero.
    pub times_left: u32,
    /// Uses so far.
    pub used: u32,
}

/// The rules in force, oldest first: the oldest matching rule wins.
#[derive(Debug, Clone, Default)]
pub struct ScenarioBook {
    rules: Vec<ScenarioRule>,
}

impl ScenarioBook {
    /// Adds a rule (it will be consulted after every older rule).
    pub fn add(&mut self, rule: ScenarioRule) -> Result<(), RuleError> {
        if rule.times_left == 0 {
            return Err(RuleError::ZeroTimes);
        }
        self.rules.push(rule);
        Ok(())
    }

    /// The outcome of the oldest attempt rule matching `attempt`, consuming one of its uses.
    pub fn take(&mut self, attempt: &AttemptContext) -> Option<Outcome> {
        self.take_where(attempt, false).map(|outcome| outcome.to_outcome())
    }

    /// The `resultCode` the oldest status rule matching a check-status lookup forces
    /// (`attempt` carries its client, terminal and invoice), consuming one of its uses. (X-15)
    pub fn take_status_result(&mut self, lookup: &AttemptContext) -> Option<&'static str> {
        match self.take_where(lookup, true) {
            Some(ForcedOutcome::StatusResult { result_code }) => {
                RESULT_CODES.iter().copied().find(|code| *code == result_code)
            }
            _ => None,
        }
    }

    fn take_where(&mut self, attempt: &AttemptContext, status_rules: bool) -> Option<ForcedOutcome> {
        let index = self
            .rules
            .iter()
            .position(|r| r.outcome.is_status_result() == status_rules && r.matcher.matches(attempt))?;
        let rule = &mut self.rules[index];
        rule.times_left = rule.times_left.saturating_sub(1);
        rule.used = rule.used.saturating_add(1);
        let outcome = rule.outcome.clone();
        if rule.times_left == 0 {
            self.rules.remove(index);
        }
        Some(outcome)
    }

    /// Every rule, oldest first.
    pub fn rules(&self) -> &[ScenarioRule] {
        &self.rules
    }

    /// Removes a rule by id; whether it existed.
    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        before != self.rules.len()
    }

    /// Removes the rules for which `drop` holds; how many went.
    pub fn remove_where(&mut self, drop: impl Fn(&ScenarioRule) -> bool) -> usize {
        let before = self.rules.len();
        self.rules.retain(|r| !drop(r));
        before - self.rules.len()
    }

    /// Removes every rule; how many went.
    pub fn clear(&mut self) -> usize {
        std::mem::take(&mut self.rules).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn attempt() -> AttemptContext {
        AttemptContext {
            client_id: "test".into(),
            terminal_id: "67E34D63-102F-4BD1-898E-370781D0074D".into(),
            invoice_id: "000123".into(),
            account_id: "acc-1".into(),
            pan: "4405639704015096".into(),
            ..Default::default()
        }
    }

    fn rule(id: &str, matcher: RuleMatch, outcome: ForcedOutcome, times: u32) -> ScenarioRule {
        ScenarioRule {
            id: id.into(),
            matcher,
            outcome,
            times_left: times,
            used: 0,
        }
    }

    #[test]
    fn criteria_are_anded_with_normalised_terminal_and_pan() {
        let m = RuleMatch {
            terminal: Some("67e34d63-102f-4bd1-898e-370781d0074d".into()),
            pan: Some("4405 6397 0401 5096".into()),
            ..Default::default()
        };
        assert!(m.matches(&attempt()));
        let wrong_invoice = RuleMatch {
            invoice_id: Some("000124".into()),
            ..m.clone()
        };
        assert!(!wrong_invoice.matches(&attempt()));
        assert!(RuleMatch::default().matches(&attempt()));
    }

    #[test]
    fn fail_twice_then_succeed() {
        let mut book = ScenarioBook::default();
        let m = RuleMatch {
            account_id: Some("acc-1".into()),
            ..Default::default()
        };
        book.add(rule("r1", m, ForcedOutcome::Fail { code: 487 }, 2)).ok();
        assert_eq!(book.take(&attempt()), Some(Outcome::Fail { code: 487 }));
        assert_eq!(book.rules()[0].times_left, 1);
        assert_eq!(book.take(&attempt()), Some(Outcome::Fail { code: 487 }));
        assert!(book.rules().is_empty());
        assert_eq!(book.take(&attempt()), None);
    }

    #[test]
    fn oldest_matching_rule_wins_and_non_matching_rules_stay() {
        let mut book = ScenarioBook::default();
        let other = RuleMatch {
            invoice_id: Some("999999".into()),
            ..Default::default()
        };
        book.add(rule("a", other, ForcedOutcome::Approve, 1)).ok();
        book.add(rule("b", RuleMatch::default(), ForcedOutcome::Decline { code: 484 }, 1))
            .ok();
        book.add(rule("c", RuleMatch::default(), ForcedOutcome::Fail { code: 487 }, 1))
            .ok();
        assert_eq!(book.take(&attempt()), Some(Outcome::Decline { code: 484 }));
        let left: Vec<&str> = book.rules().iter().map(|r| r.id.as_str()).collect();
        assert_eq!(left, ["a", "c"]);
    }

    #[test]
    fn validation_rejects_what_cannot_be_played() {
        let known = |c: i32| c == 484;
        assert_eq!(
            ForcedOutcome::Decline { code: 1 }.validate(&known),
            Err(RuleError::UnknownCode(1))
        );
        assert_eq!(ForcedOutcome::Decline { code: 484 }.validate(&known), Ok(()));
        let pending = ForcedOutcome::Pending {
            settle_after_seconds: None,
            settle_after_polls: None,
            then_decline: None,
        };
        assert_eq!(pending.validate(&known), Err(RuleError::PendingNeedsTrigger));
        let nested = ForcedOutcome::Challenge {
            then: Some(Box::new(ForcedOutcome::Challenge { then: None })),
        };
        assert_eq!(nested.validate(&known), Err(RuleError::NestedChallenge));
        let mut book = ScenarioBook::default();
        assert_eq!(
            book.add(rule("z", RuleMatch::default(), ForcedOutcome::Approve, 0)),
            Err(RuleError::ZeroTimes)
        );
    }

    #[test]
    fn poll_only_pending_gets_the_backstop_and_json_is_camel_case() {
        let parsed: ForcedOutcome =
            serde_json::from_str(r#"{"kind":"pending","settleAfterPolls":3,"thenDecline":484}"#)
                .unwrap_or(ForcedOutcome::Approve);
        assert_eq!(
            parsed.to_outcome(),
            Outcome::Pending {
                settle_after_seconds: POLL_ONLY_BACKSTOP_SECONDS,
                then_decline: Some(484),
                settle_after_polls: Some(3)
            }
        );
        let challenge: ForcedOutcome =
            serde_json::from_str(r#"{"kind":"challenge"}"#).unwrap_or(ForcedOutcome::Approve);
        assert_eq!(
            challenge.to_outcome(),
            Outcome::Challenge {
                then: Box::new(Outcome::Approve)
            }
        );
    }

    fn opt(s: impl Strategy<Value = String>) -> impl Strategy<Value = Option<String>> {
        prop::option::of(s)
    }

    proptest! {
        /// A rule built from an attempt's own fields always matches it; changing any one field
        /// the rule constrains breaks the match.
        #[test]
        fn a_rule_matches_exactly_the_attempts_it_describes(
            invoice in "[0-9]{6,15}", account in "[a-z0-9]{0,8}", pan in "[0-9]{16}",
            pick in prop::collection::vec(any::<bool>(), 5), other in "[0-9]{6,15}",
        ) {
            let a = AttemptContext {
                client_id: "c".into(), terminal_id: "T-1".into(), invoice_id: invoice.clone(),
                account_id: account.clone(), pan: pan.clone(), ..Default::default()
            };
            let m = RuleMatch {
                invoice_id: pick[0].then(|| invoice.clone()),
                account_id: pick[1].then(|| account.clone()),
                pan: pick[2].then(|| pan.clone()),
                terminal: pick[3].then(|| "t-1".to_string()),
                client_id: pick[4].then(|| "c".to_string()),
            };
            prop_assert!(m.matches(&a));
            if pick[0] && other != invoice {
                let changed = AttemptContext { invoice_id: other, ..a.clone() };
                prop_assert!(!m.matches(&changed));
            }
        }

        /// A rule with `times: n` forces exactly n outcomes, then is gone, whatever else is
        /// in the book.
        #[test]
        fn times_counts_down_to_removal(
            n in 1u32..6, extra in 0usize..4,
            invoice in opt("[0-9]{6}".prop_map(String::from)),
        ) {
            let mut book = ScenarioBook::default();
            for i in 0..extra {
                let m = RuleMatch { invoice_id: Some(format!("x{i}")), ..Default::default() };
                let added = book.add(rule(&format!("o{i}"), m, ForcedOutcome::Approve, 1));
                prop_assert!(added.is_ok());
            }
            let a = AttemptContext { invoice_id: invoice.clone().unwrap_or_default(), ..Default::default() };
            let m = RuleMatch { invoice_id: invoice, ..Default::default() };
            let added = book.add(rule("r", m, ForcedOutcome::Decline { code: 484 }, n));
            prop_assert!(added.is_ok());
            for _ in 0..n {
                prop_assert_eq!(book.take(&a), Some(Outcome::Decline { code: 484 }));
            }
            prop_assert_eq!(book.take(&a), None);
            prop_assert_eq!(book.rules().len(), extra);
        }
    }
}
