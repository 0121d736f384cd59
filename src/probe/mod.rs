//! The probe: a short, safe sequence of requests against a real ePay environment (the bank's
//! test environment with the merchant's own test credentials) that observes, for every fidelity
//! key it can, which value the live system shows, and writes a profile the sandbox loads with
//! `--fidelity-profile`. Run against the sandbox itself it must report the sandbox's profile,
//! which is how the tests keep the probe and the profile honest.
//!
//! Safety: without `allow_payments` it only requests tokens, checks the status of an invoice
//! that does not exist, sends a CORS preflight and a confirm without a token. With it, it pays
//! 10 KZT with the bank's documented test cards only ([`TEST_CARDS`]), cancels what it
//! approved, and makes one P2P transfer between test cards when given a P2P terminal. It never
//! prints the client secret or a token, and masks card numbers.

#[cfg(feature = "cli")]
pub mod cli;
mod html;
mod steps;

use crate::fidelity::{key_info, Overrides, KEYS};
use crate::testkit::Card;
use serde_json::Value;
use std::time::Duration;

/// The only cards the probe ever sends: the bank's documented test cards (seed 000, spec §10;
/// `documented` in `fixtures/cards.json`), approved without 3-D Secure, locked (declined 465),
/// and with a challenge.
pub const TEST_CARDS: [Card; 3] = [Card::VISA, Card::LOCKED, Card::SECURE_3DS];

/// Where and as whom to probe.
#[derive(Debug, Clone)]
pub struct ProbeTarget {
    /// The token endpoint, or the base URL it hangs off (`…/oauth2/token` is appended).
    pub oauth_url: String,
    /// The API base URL (check-status, payments, confirm hang off it).
    pub api_url: String,
    /// The merchant's client id.
    pub client_id: String,
    /// The merchant's client secret (sent only to the token endpoint, never printed).
    pub client_secret: String,
    /// A payment terminal of the merchant.
    pub terminal: String,
    /// A P2P terminal of the merchant, for `transfer.code` (with `allow_payments`).
    pub p2p_terminal: Option<String>,
    /// Make payments with the documented test cards (needed for most payment keys).
    pub allow_payments: bool,
    /// Longest any one request may take.
    pub timeout: Duration,
}

impl ProbeTarget {
    /// A target with the usual defaults: no payments, no P2P terminal, 20 s per request.
    pub fn new(oauth_url: &str, api_url: &str, client_id: &str, client_secret: &str, terminal: &str) -> Self {
        ProbeTarget {
            oauth_url: oauth_url.to_string(),
            api_url: api_url.to_string(),
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            terminal: terminal.to_string(),
            p2p_terminal: None,
            allow_payments: false,
            timeout: Duration::from_secs(20),
        }
    }

    fn token_url(&self) -> String {
        let base = self.oauth_url.trim_end_matches('/');
        if base.ends_with("/oauth2/token") {
            base.to_string()
        } else {
            format!("{base}/oauth2/token")
        }
    }

    fn api(&self, path: &str) -> String {
        format!("{}{path}", self.api_url.trim_end_matches('/'))
    }
}

/// What the probe saw for one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// The key.
    pub key: &'static str,
    /// The value the live system showed, when the answer matched one of the key's values.
    pub value: Option<&'static str>,
    /// What was seen or why nothing could be (never a secret).
    pub seen: String,
}

/// Why the probe could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    /// The first token request failed: nothing else can be probed.
    #[error("the token request failed: {0}")]
    Token(String),
}

/// Every observation of one run, in the table's key order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProbeReport {
    /// One entry per key of the table.
    pub observations: Vec<Observation>,
}

impl ProbeReport {
    /// The value observed for `key`, if any.
    pub fn value(&self, key: &str) -> Option<&'static str> {
        self.observations.iter().find(|o| o.key == key).and_then(|o| o.value)
    }

    /// The observed values as a profile document (`--fidelity-profile`); unobserved keys are
    /// left out, so they keep the sandbox's defaults.
    pub fn profile(&self) -> Value {
        let mut overrides = Overrides::default();
        for observation in &self.observations {
            if let Some(value) = observation.value {
                let _ = overrides.set(observation.key, Some(value));
            }
        }
        overrides.to_json()
    }

    /// A human-readable report: each key, what was seen, and whether it differs from the
    /// sandbox's default.
    pub fn render(&self) -> String {
        let mut out = String::from("ePay fidelity probe\n");
        for observation in &self.observations {
            let default = key_info(observation.key).map(|k| k.default).unwrap_or("");
            let verdict = match observation.value {
                Some(value) if value == default => format!("{value} (the sandbox's default)"),
                Some(value) => format!("{value} (the sandbox's default is {default})"),
                None => "not observed".to_string(),
            };
            out.push_str(&format!(
                "  {:<24} {verdict}\n      {}\n",
                observation.key, observation.seen
            ));
        }
        out
    }

    fn record(&mut self, key: &'static str, value: Option<&'static str>, seen: impl Into<String>) {
        let seen = seen.into();
        match self.observations.iter_mut().find(|o| o.key == key) {
            Some(slot) => {
                slot.value = value;
                slot.seen = seen;
            }
            None => self.observations.push(Observation { key, value, seen }),
        }
    }
}

/// Runs the probe against `target`.
pub async fn run(target: &ProbeTarget) -> Result<ProbeReport, ProbeError> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(target.timeout)
        .build()
        .map_err(|e| ProbeError::Client(e.to_string()))?;
    let mut report = ProbeReport {
        observations: KEYS
            .iter()
            .map(|k| Observation {
                key: k.key,
                value: None,
                seen: if target.allow_payments {
                    "not probed".to_string()
                } else {
                    "needs --allow-payments".to_string()
                },
            })
            .collect(),
    };
    let mut probe = steps::Probe {
        target,
        http,
        report: &mut report,
    };
    probe.run().await?;
    Ok(report)
}
