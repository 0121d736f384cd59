//! Answers of the control plane that have a fixed shape (most others echo stored records).

use crate::engine::RecordCounts;
use serde::Serialize;
use utoipa::ToSchema;

/// `GET /_sandbox/health`: liveness, version and uptime.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthView {
    /// Always `ok`.
    pub status: &'static str,
    /// The crate's name.
    pub name: &'static str,
    /// The crate's version.
    pub version: &'static str,
    /// Seconds since start.
    pub uptime_seconds: f64,
    /// Sandbox time, RFC 3339.
    pub now: String,
    /// How many records each store holds.
    pub records: RecordCounts,
}

/// `/_sandbox/clock`: sandbox time and how it runs.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClockView {
    /// Sandbox time, RFC 3339.
    pub now: String,
    /// Sandbox time as the bank writes timestamps.
    pub bank_time: String,
    /// Whether the clock stands still.
    pub frozen: bool,
    /// Sandbox time minus real time, in seconds.
    pub offset_seconds: i64,
}
