//! Scenario rules of the control plane: outcomes forced for the next attempts that match.

use super::Sandbox;
use crate::domain::outcome::{AttemptContext, Outcome};
use crate::domain::scenario::{ForcedOutcome, RuleError, RuleMatch, ScenarioRule};
use crate::domain::tokens::Token;

impl Sandbox {
    /// The outcome a scenario rule forces on this attempt, consuming one use of the rule.
    pub fn forced_outcome(&self, attempt: &AttemptContext) -> Option<Outcome> {
        self.control.scenarios().take(attempt)
    }

    /// The check-status `resultCode` a status rule forces for this lookup, consuming one use.
    /// The lookup matches rules by client, the token's terminal and the invoice.
    pub(super) fn forced_status_result(&self, token: &Token, invoice_id: &str) -> Option<&'static str> {
        let lookup = AttemptContext {
            client_id: token.client_id.clone(),
            terminal_id: token.terminal.clone().unwrap_or_default(),
            invoice_id: invoice_id.to_string(),
            ..AttemptContext::default()
        };
        self.control.scenarios().take_status_result(&lookup)
    }

    /// Adds a rule forcing `outcome` on the next `times` attempts matching `matcher`.
    pub fn add_scenario(
        &self,
        matcher: RuleMatch,
        outcome: ForcedOutcome,
        times: u32,
    ) -> Result<ScenarioRule, RuleError> {
        let catalogue = &self.fixtures.catalogue;
        outcome.validate(&|code| catalogue.reason(code).is_some())?;
        let rule = ScenarioRule {
            id: self.control.next_id("sc"),
            matcher,
            outcome,
            times_left: times,
            used: 0,
        };
        self.control.scenarios().add(rule.clone())?;
        Ok(rule)
    }

    /// The rules in force, oldest (first to match) first.
    pub fn scenarios(&self) -> Vec<ScenarioRule> {
        self.control.scenarios().rules().to_vec()
    }

    /// Deletes one rule; whether it existed.
    pub fn remove_scenario(&self, id: &str) -> bool {
        self.control.scenarios().remove(id)
    }

    /// Deletes every rule; how many there were.
    pub fn clear_scenarios(&self) -> usize {
        self.control.scenarios().clear()
    }
}
