//! Sandbox time.
//!
//! Everything that depends on time (token expiry, 3-D Secure timeouts, AUTH holds turning
//! CANCEL_OLD, pending outcomes settling) reads [`Clock::now`], never the system clock, so a
//! test can freeze or move time instead of sleeping.

use chrono::{DateTime, Duration, Utc};
use std::sync::RwLock;

/// The sandbox's notion of "now": the wall clock shifted by an offset, or frozen at an instant.
#[derive(Debug, Default)]
pub struct Clock {
    state: RwLock<ClockState>,
}

#[derive(Debug, Default, Clone, Copy)]
struct ClockState {
    offset: Duration,
    frozen: Option<DateTime<Utc>>,
}

impl Clock {
    /// A clock that follows the wall clock.
    pub fn new() -> Self {
        Self::default()
    }

    /// The current sandbox instant.
    pub fn now(&self) -> DateTime<Utc> {
        let state = self.read();
        state.frozen.unwrap_or_else(|| Utc::now() + state.offset)
    }

    /// Whether time stands still until it is advanced explicitly.
    pub fn is_frozen(&self) -> bool {
        self.read().frozen.is_some()
    }

    /// Stops time at the current instant (or at `at`).
    pub fn freeze(&self, at: Option<DateTime<Utc>>) {
        let now = self.now();
        self.write(|s| s.frozen = Some(at.unwrap_or(now)));
    }

    /// Lets time flow again from the instant it was frozen at.
    pub fn unfreeze(&self) {
        self.write(|s| {
            if let Some(frozen) = s.frozen.take() {
                s.offset = frozen - Utc::now();
            }
        });
    }

    /// Moves time forward (or backward, with a negative duration).
    pub fn advance(&self, by: Duration) {
        self.write(|s| match s.frozen.as_mut() {
            Some(frozen) => *frozen += by,
            None => s.offset += by,
        });
    }

    /// Jumps to an absolute instant, keeping the frozen/flowing mode.
    pub fn set(&self, at: DateTime<Utc>) {
        self.write(|s| match s.frozen.as_mut() {
            Some(frozen) => *frozen = at,
            None => s.offset = at - Utc::now(),
        });
    }

    /// Back to the wall clock, flowing.
    pub fn reset(&self) {
        self.write(|s| *s = ClockState::default());
    }

    fn read(&self) -> ClockState {
        *self.state.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self, change: impl FnOnce(&mut ClockState)) {
        let mut guard = self.state.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        change(&mut guard);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_moves_only_when_advanced() {
        let clock = Clock::new();
        clock.freeze(None);
        let t0 = clock.now();
        assert_eq!(clock.now(), t0);
        clock.advance(Duration::seconds(90));
        assert_eq!(clock.now() - t0, Duration::seconds(90));
    }

    #[test]
    fn unfreezing_keeps_the_shifted_time() {
        let clock = Clock::new();
        clock.freeze(None);
        clock.advance(Duration::days(3));
        let shifted = clock.now();
        clock.unfreeze();
        assert!(clock.now() >= shifted);
        assert!(clock.now() - shifted < Duration::seconds(5));
    }
}
