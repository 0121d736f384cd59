//! Latency and fault injection rules: which requests they hit and what they do. The HTTP layer
//! (`http::faults`) asks [`FaultBook::decide`] once per request and plays the answer.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Mutex;

/// Added to the sandbox seed so the fault RNG does not replay the id sequence.
const FAULT_SEED_SALT: u64 = 0x00FA_017F_A017;

/// Extra time before a response: `ms`, plus or minus up to `jitterMs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Latency {
    /// Base delay in milliseconds.
    pub ms: u64,
    /// Tolerance either side of `ms`, in milliseconds.
    #[serde(default)]
    pub jitter_ms: u64,
}

/// What a faulty response looks like.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub enum Fault {
    /// This HTTP status with this JSON body (default `{"code": status, "message": ...}`).
    Status {
        /// HTTP status, 100–599.
        status: u16,
        /// Response body.
        #[serde(default)]
        body: Option<Value>,
    },
    /// The connection is dropped mid-response (the client sees a reset / incomplete message).
    Reset,
}

/// A rule as created over the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultSpec {
    /// Requests whose path starts with this (e.g. `/payment/cryptopay`; `/api/...` is separate).
    pub path_prefix: String,
    /// Only this method (any when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Chance a matching request is hit, 0–1 (default 1).
    #[serde(default = "always")]
    pub probability: f64,
    /// Delay to add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Latency>,
    /// Fault to produce.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
    /// Hits left before the rule disappears (unlimited when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
}

fn always() -> f64 {
    1.0
}

/// Why a rule was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultError {
    /// Neither latency nor a fault.
    #[error("a rule needs latency, fault or both")]
    Empty,
    /// Not starting with `/`, or aimed at the control plane.
    #[error("pathPrefix must start with '/' and must not target /_sandbox")]
    BadPrefix,
    /// Outside 0–1.
    #[error("probability must be between 0 and 1")]
    BadProbability,
    /// Not an HTTP status.
    #[error("fault status must be between 100 and 599")]
    BadStatus,
    /// Longer than a request may take.
    #[error("latency (ms + jitterMs) must not exceed {0} ms")]
    TooSlow(u64),
    /// `times` of zero.
    #[error("times must be at least 1")]
    ZeroTimes,
}

/// Longest latency accepted (the request timeout would cut it anyway).
pub const MAX_LATENCY_MS: u64 = 25_000;

impl FaultSpec {
    /// Checks the rule.
    pub fn validate(&self) -> Result<(), FaultError> {
        if self.latency.is_none() && self.fault.is_none() {
            return Err(FaultError::Empty);
        }
        if !self.path_prefix.starts_with('/') || is_control_path(&self.path_prefix) {
            return Err(FaultError::BadPrefix);
        }
        if !(0.0..=1.0).contains(&self.probability) || self.probability.is_nan() {
            return Err(FaultError::BadProbability);
        }
        if let Some(Fault::Status { status, .. }) = &self.fault {
            if !(100..=599).contains(status) {
                return Err(FaultError::BadStatus);
            }
        }
        if let Some(l) = self.latency {
            if l.ms.saturating_add(l.jitter_ms) > MAX_LATENCY_MS {
                return Err(FaultError::TooSlow(MAX_LATENCY_MS));
            }
        }
        if self.times == Some(0) {
            return Err(FaultError::ZeroTimes);
        }
        Ok(())
    }

    fn applies_to(&self, method: &str, path: &str) -> bool {
        path.starts_with(&self.path_prefix) && self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
    }
}

/// Whether a path belongs to the control plane (never faulted, never journalled).
pub fn is_control_path(path: &str) -> bool {
    path == "/_sandbox" || path.starts_with("/_sandbox/")
}

/// A rule in force.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    /// Id to delete it by.
    pub id: String,
    /// The rule.
    #[serde(flatten)]
    pub spec: FaultSpec,
    /// Requests it has hit so far.
    pub hits: u64,
}

/// What to do to one request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decision {
    /// Milliseconds to wait first.
    pub delay_ms: u64,
    /// Fault to answer with instead of the real response.
    pub fault: Option<Fault>,
}

/// The fault rules and their own seeded RNG.
#[derive(Debug)]
pub struct FaultBook {
    rules: Mutex<Vec<FaultRule>>,
    rng: Mutex<StdRng>,
}

impl FaultBook {
    /// No rules; the RNG seeded from `seed` (or the OS).
    pub fn new(seed: Option<u64>) -> Self {
        FaultBook {
            rules: Mutex::new(Vec::new()),
            rng: Mutex::new(rng_for(seed)),
        }
    }

    /// Restarts the RNG sequence.
    pub fn reseed(&self, seed: Option<u64>) {
        *lock(&self.rng) = rng_for(seed);
    }

    /// Adds a validated rule.
    pub fn add(&self, id: String, spec: FaultSpec) -> Result<FaultRule, FaultError> {
        spec.validate()?;
        let rule = FaultRule { id, spec, hits: 0 };
        lock(&self.rules).push(rule.clone());
        Ok(rule)
    }

    /// Every rule, oldest first.
    pub fn rules(&self) -> Vec<FaultRule> {
        lock(&self.rules).clone()
    }

    /// Removes a rule; whether it existed.
    pub fn remove(&self, id: &str) -> bool {
        let mut rules = lock(&self.rules);
        let before = rules.len();
        rules.retain(|r| r.id != id);
        before != rules.len()
    }

    /// Removes every rule; how many went.
    pub fn clear(&self) -> usize {
        std::mem::take(&mut *lock(&self.rules)).len()
    }

    /// Rolls every matching rule (oldest first): delays add up, the first fault wins.
    pub fn decide(&self, method: &str, path: &str) -> Decision {
        let mut decision = Decision::default();
        if is_control_path(path) {
            return decision;
        }
        let mut rules = lock(&self.rules);
        if rules.is_empty() {
            return decision;
        }
        let mut rng = lock(&self.rng);
        for rule in rules.iter_mut().filter(|r| r.spec.applies_to(method, path)) {
            if !rng.gen_bool(rule.spec.probability) {
                continue;
            }
            rule.hits += 1;
            if let Some(times) = rule.spec.times.as_mut() {
                *times = times.saturating_sub(1);
            }
            if let Some(l) = rule.spec.latency {
                let low = l.ms.saturating_sub(l.jitter_ms);
                let high = l.ms.saturating_add(l.jitter_ms);
                decision.delay_ms = decision.delay_ms.saturating_add(rng.gen_range(low..=high));
            }
            if decision.fault.is_none() {
                decision.fault = rule.spec.fault.clone();
            }
        }
        rules.retain(|r| r.spec.times != Some(0));
        decision
    }
}

fn rng_for(seed: Option<u64>) -> StdRng {
    match seed {
        Some(seed) => StdRng::seed_from_u64(seed ^ FAULT_SEED_SALT),
        None => StdRng::from_entropy(),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(prefix: &str, probability: f64) -> FaultSpec {
        FaultSpec {
            path_prefix: prefix.into(),
            method: None,
            probability,
            latency: None,
            fault: Some(Fault::Status {
                status: 503,
                body: None,
            }),
            times: None,
        }
    }

    #[test]
    fn control_plane_is_never_hit() {
        let book = FaultBook::new(Some(1));
        assert_eq!(book.add("a".into(), spec("/_sandbox", 1.0)), Err(FaultError::BadPrefix));
        book.add("b".into(), spec("/", 1.0)).ok();
        assert_eq!(book.decide("GET", "/_sandbox/health").fault, None);
        assert!(book.decide("GET", "/check-status/x").fault.is_some());
    }

    #[test]
    fn times_and_method_limit_a_rule() {
        let book = FaultBook::new(Some(1));
        let mut s = spec("/payment", 1.0);
        s.method = Some("post".into());
        s.times = Some(2);
        book.add("a".into(), s).ok();
        assert!(book.decide("GET", "/payment/cryptopay").fault.is_none());
        assert!(book.decide("POST", "/payment/cryptopay").fault.is_some());
        assert!(book.decide("POST", "/payment/cryptopay").fault.is_some());
        assert!(book.decide("POST", "/payment/cryptopay").fault.is_none());
        assert!(book.rules().is_empty());
    }

    #[test]
    fn same_seed_same_rolls() {
        let roll = |seed| {
            let book = FaultBook::new(Some(seed));
            book.add("a".into(), spec("/", 0.5)).ok();
            (0..64)
                .map(|_| book.decide("GET", "/x").fault.is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(roll(7), roll(7));
        let hits = roll(7).iter().filter(|h| **h).count();
        assert!((10..54).contains(&hits), "a fair coin over 64 rolls, got {hits}");
    }

    #[test]
    fn jitter_stays_within_tolerance() {
        let book = FaultBook::new(Some(3));
        let mut s = spec("/", 1.0);
        s.fault = None;
        s.latency = Some(Latency { ms: 100, jitter_ms: 20 });
        book.add("a".into(), s).ok();
        for _ in 0..100 {
            let d = book.decide("GET", "/x").delay_ms;
            assert!((80..=120).contains(&d), "{d}");
        }
    }
}
