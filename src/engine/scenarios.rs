//! Scenario rules of the control plane: outcomes forced for the next attempts that match.

use super::Sandbox;
use crate::domain::outcome::{AttemptContext, Outcome};
use crate::domain::scenario::{ForcedOutcome, RuleError, RuleMatch, ScenarioRule};

impl Sandbox {
    /// The outcome a scenario rule forces on this attempt, consuming one use of the rule.
    pub fn forced_outcome(&self, attempt: &AttemptContext) -> Option<Outcome> {
        self.control.scenarios().take(attempt)
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
