//! Scenario rules of the control plane: outcomes forced for the next attempts that match.
//! (The control-plane issue fills this in; until then nothing is forced.)

use super::Sandbox;
use crate::domain::outcome::{AttemptContext, Outcome};

impl Sandbox {
    /// The outcome a scenario rule forces on this attempt, consuming one use of the rule.
    pub fn forced_outcome(&self, _attempt: &AttemptContext) -> Option<Outcome> {
        None
    }
}
