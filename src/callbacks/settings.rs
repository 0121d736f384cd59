//! How callbacks are delivered: attempts, backoff, timeout, duplicates and the log's size.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The longest wait between two attempts the settings accept.
pub const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// Delivery settings. [`Default`] is what the binary runs with when given no flags. (C-06)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CallbackSettings {
    /// Attempts per delivery, the first one included (at least 1).
    pub attempts: u32,
    /// Wait after the first failed attempt; it doubles after each further failure.
    #[serde(rename = "backoffMs", with = "millis")]
    #[schema(value_type = u64)]
    pub backoff: Duration,
    /// The longest wait between two attempts (the doubling stops there).
    #[serde(rename = "maxBackoffMs", with = "millis")]
    #[schema(value_type = u64)]
    pub max_backoff: Duration,
    /// How much of each wait is random, in percent: a wait is shortened by up to this share
    /// (0: the exact doubling schedule). Deterministic under `--seed`.
    pub jitter_percent: u8,
    /// How long one attempt may take (connect, send, answer).
    #[serde(rename = "timeoutMs", with = "millis")]
    #[schema(value_type = u64)]
    pub timeout: Duration,
    /// Extra copies of every callback, sent after the first one (the bank is known to call
    /// twice, spec §11.9); 0 sends each callback once. (C-07)
    pub duplicates: u32,
    /// Deliveries the log keeps; the oldest are evicted first.
    pub log_capacity: usize,
}

impl Default for CallbackSettings {
    fn default() -> Self {
        CallbackSettings {
            attempts: 12,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
            jitter_percent: 20,
            timeout: Duration::from_millis(3000),
            duplicates: 0,
            log_capacity: 1000,
        }
    }
}

impl CallbackSettings {
    /// The nominal wait after failed attempt number `attempt` (1-based):
    /// `backoff × 2^(attempt-1)`, capped at `max_backoff` (and [`MAX_BACKOFF`]).
    pub fn delay_after(&self, attempt: u32) -> Duration {
        let cap = self.max_backoff.min(MAX_BACKOFF);
        let factor = 1u32.checked_shl(attempt.saturating_sub(1)).unwrap_or(u32::MAX);
        self.backoff.checked_mul(factor).unwrap_or(cap).min(cap)
    }

    /// The wait after failed attempt `attempt` with jitter: the nominal wait shortened by
    /// `jitter_percent × random` percent, `random` in `[0, 1)`.
    pub fn jittered_delay(&self, attempt: u32, random: f64) -> Duration {
        let share = f64::from(self.jitter_percent.min(100)) / 100.0 * random.clamp(0.0, 1.0);
        self.delay_after(attempt).mul_f64(1.0 - share)
    }

    /// Every nominal wait between attempts, in order: one fewer than the attempts.
    pub fn schedule(&self) -> Vec<Duration> {
        (1..self.attempts.max(1)).map(|n| self.delay_after(n)).collect()
    }

    /// The shortest time from the first attempt to the last, whatever the jitter: a receiver
    /// down for less than this still gets the callback.
    pub fn guaranteed_window(&self) -> Duration {
        (1..self.attempts.max(1)).map(|n| self.jittered_delay(n, 1.0)).sum()
    }
}

/// Most attempts or duplicates the control API accepts.
pub const MAX_REPEATS: u32 = 100;

/// A partial change of the settings, as the control API takes it; absent fields stay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsPatch {
    /// New number of attempts (1 to [`MAX_REPEATS`]).
    pub attempts: Option<u32>,
    /// New first backoff, in milliseconds.
    pub backoff_ms: Option<u64>,
    /// New longest wait between attempts, in milliseconds (at most an hour).
    pub max_backoff_ms: Option<u64>,
    /// New jitter, in percent (0 to 100).
    pub jitter_percent: Option<u8>,
    /// New per-attempt timeout, in milliseconds (at least 1).
    pub timeout_ms: Option<u64>,
    /// New number of duplicate copies (0 to [`MAX_REPEATS`]).
    pub duplicates: Option<u32>,
    /// New log capacity (at least 1).
    pub log_capacity: Option<usize>,
}

/// Why a settings change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SettingsError(pub String);

impl CallbackSettings {
    /// These settings with `patch` applied, or why the patch is refused (nothing changes then).
    pub fn patched(&self, patch: &SettingsPatch) -> Result<CallbackSettings, SettingsError> {
        let refuse = |what: &str| Err(SettingsError(what.to_string()));
        if patch.attempts.is_some_and(|a| a == 0 || a > MAX_REPEATS) {
            return refuse("attempts must be between 1 and 100");
        }
        if patch.duplicates.is_some_and(|d| d > MAX_REPEATS) {
            return refuse("duplicates must be between 0 and 100");
        }
        if patch.timeout_ms == Some(0) {
            return refuse("timeoutMs must be at least 1");
        }
        if patch.log_capacity == Some(0) {
            return refuse("logCapacity must be at least 1");
        }
        if patch
            .max_backoff_ms
            .is_some_and(|m| Duration::from_millis(m) > MAX_BACKOFF)
        {
            return refuse("maxBackoffMs must be at most 3600000");
        }
        if patch.jitter_percent.is_some_and(|j| j > 100) {
            return refuse("jitterPercent must be between 0 and 100");
        }
        Ok(CallbackSettings {
            attempts: patch.attempts.unwrap_or(self.attempts),
            backoff: patch.backoff_ms.map_or(self.backoff, Duration::from_millis),
            max_backoff: patch.max_backoff_ms.map_or(self.max_backoff, Duration::from_millis),
            jitter_percent: patch.jitter_percent.unwrap_or(self.jitter_percent),
            timeout: patch.timeout_ms.map_or(self.timeout, Duration::from_millis),
            duplicates: patch.duplicates.unwrap_or(self.duplicates),
            log_capacity: patch.log_capacity.unwrap_or(self.log_capacity),
        })
    }
}

/// Durations as whole milliseconds on the wire.
mod millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(u64::try_from(value.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn default_schedule_doubles_from_a_second_to_five_minutes() {
        let settings = CallbackSettings::default();
        let secs: Vec<u64> = settings.schedule().iter().map(Duration::as_secs).collect();
        assert_eq!(secs, vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
    }

    #[test]
    fn default_schedule_outlasts_a_ten_minute_outage_even_with_the_most_jitter() {
        let window = CallbackSettings::default().guaranteed_window();
        assert!(window > Duration::from_secs(14 * 60), "{window:?}");
        let exact: Duration = CallbackSettings::default().schedule().iter().sum();
        assert_eq!(exact, Duration::from_secs(1111));
    }

    #[test]
    fn jitter_only_shortens_a_wait_by_at_most_its_share() {
        let settings = CallbackSettings::default();
        assert_eq!(settings.jittered_delay(3, 0.0), Duration::from_secs(4));
        assert_eq!(settings.jittered_delay(3, 0.5), ms(3600));
        assert_eq!(settings.jittered_delay(3, 1.0), ms(3200));
        let none = CallbackSettings {
            jitter_percent: 0,
            ..settings
        };
        assert_eq!(none.jittered_delay(3, 0.9), Duration::from_secs(4));
    }

    #[test]
    fn one_attempt_never_waits() {
        let settings = CallbackSettings {
            attempts: 1,
            ..Default::default()
        };
        assert!(settings.schedule().is_empty());
        let zero = CallbackSettings {
            attempts: 0,
            ..Default::default()
        };
        assert!(zero.schedule().is_empty());
    }

    #[test]
    fn backoff_is_capped() {
        let settings = CallbackSettings {
            attempts: 100,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(600),
            ..Default::default()
        };
        assert_eq!(settings.delay_after(10), Duration::from_secs(512));
        assert_eq!(settings.delay_after(11), Duration::from_secs(600));
        assert_eq!(settings.delay_after(40), Duration::from_secs(600));
        let unbounded = CallbackSettings {
            max_backoff: Duration::MAX,
            ..settings
        };
        assert_eq!(unbounded.delay_after(40), MAX_BACKOFF);
        assert_eq!(settings.schedule().len(), 99);
    }

    #[test]
    fn a_patch_changes_only_what_it_names_and_is_checked() {
        let settings = CallbackSettings::default();
        let patch = SettingsPatch {
            duplicates: Some(2),
            backoff_ms: Some(10),
            ..Default::default()
        };
        let patched = settings.patched(&patch).unwrap_or(settings);
        assert_eq!(patched.duplicates, 2);
        assert_eq!(patched.backoff, ms(10));
        assert_eq!(patched.attempts, settings.attempts);
        let zero = SettingsPatch {
            attempts: Some(0),
            ..Default::default()
        };
        assert!(settings.patched(&zero).is_err());
    }

    #[test]
    fn settings_travel_as_camel_case_milliseconds() {
        let json = serde_json::to_value(CallbackSettings::default()).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"attempts": 12, "backoffMs": 1000, "maxBackoffMs": 300000, "jitterPercent": 20,
                               "timeoutMs": 3000, "duplicates": 0, "logCapacity": 1000})
        );
    }
}
