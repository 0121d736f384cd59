//! `/_sandbox/clock`: show, freeze, unfreeze, advance and set sandbox time. Every move runs
//! the timers that became due.

use super::respond;
use crate::domain::duration::{parse_duration, seconds};
use crate::domain::tokens::FieldMap;
use crate::engine::Sandbox;
use crate::fidelity;
use crate::http::error::ApiError;
use crate::http::extract::FormFields;
use crate::http::json::Json;
use crate::wire::control::ClockView;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

/// The clock's answer.
fn view(sandbox: &Sandbox) -> ClockView {
    let now = sandbox.clock().now();
    ClockView {
        now: now.to_rfc3339(),
        bank_time: fidelity::bank_timestamp(now),
        frozen: sandbox.clock().is_frozen(),
        offset_seconds: (now - Utc::now()).num_seconds(),
    }
}

#[utoipa::path(
    get,
    path = "/_sandbox/clock",
    tag = "clock",
    responses(
        (status = 200, description = "The sandbox clock", body = ClockView)
    )
)]
pub async fn show(State(sandbox): State<Arc<Sandbox>>) -> Json<ClockView> {
    Json(view(&sandbox))
}

/// `POST /_sandbox/clock/freeze` with an optional `at`.
#[utoipa::path(
    post,
    path = "/_sandbox/clock/freeze",
    tag = "clock",
    request_body(content(
        (Object = "application/x-www-form-urlencoded"),
        (Object = "application/json")
    )),
    responses(
        (status = 200, description = "Frozen (optionally `at`)", body = ClockView),
        (status = 303, response = crate::http::openapi::DashboardRedirect),
        (status = 400, description = "Bad instant or duration", body = crate::wire::errors::ApiError)
    )
)]
pub async fn freeze(State(sandbox): State<Arc<Sandbox>>, FormFields(fields): FormFields) -> Response {
    let at = match fields.get("at").filter(|v| !v.trim().is_empty()) {
        Some(text) => match instant(text) {
            Ok(at) => Some(at),
            Err(e) => return e.into_response(),
        },
        None => None,
    };
    sandbox.freeze_clock(at);
    respond(&fields, view(&sandbox))
}

/// `POST /_sandbox/clock/unfreeze`.
#[utoipa::path(
    post,
    path = "/_sandbox/clock/unfreeze",
    tag = "clock",
    request_body(content(
        (Object = "application/x-www-form-urlencoded"),
        (Object = "application/json")
    )),
    responses(
        (status = 200, description = "Running", body = ClockView),
        (status = 303, response = crate::http::openapi::DashboardRedirect),
        (status = 400, description = "Bad instant or duration", body = crate::wire::errors::ApiError)
    )
)]
pub async fn unfreeze(State(sandbox): State<Arc<Sandbox>>, FormFields(fields): FormFields) -> Response {
    sandbox.unfreeze_clock();
    respond(&fields, view(&sandbox))
}

/// `POST /_sandbox/clock/advance` with `seconds` and/or `duration` (they add up).
#[utoipa::path(
    post,
    path = "/_sandbox/clock/advance",
    tag = "clock",
    request_body(content(
        (Object = "application/x-www-form-urlencoded"),
        (Object = "application/json")
    )),
    responses(
        (status = 200, description = "Advanced by `seconds` and/or `duration`", body = ClockView),
        (status = 303, response = crate::http::openapi::DashboardRedirect),
        (status = 400, description = "Bad instant or duration", body = crate::wire::errors::ApiError)
    )
)]
pub async fn advance(State(sandbox): State<Arc<Sandbox>>, FormFields(fields): FormFields) -> Response {
    match advance_by(&fields) {
        Ok(by) => match sandbox.advance_clock(by) {
            Ok(()) => respond(&fields, view(&sandbox)),
            Err(e) => ApiError::bad_request(e.to_string()).into_response(),
        },
        Err(e) => e.into_response(),
    }
}

/// `POST /_sandbox/clock/set` with `at`.
#[utoipa::path(
    post,
    path = "/_sandbox/clock/set",
    tag = "clock",
    request_body(content(
        (Object = "application/x-www-form-urlencoded"),
        (Object = "application/json")
    )),
    responses(
        (status = 200, description = "Set to `at`", body = ClockView),
        (status = 303, response = crate::http::openapi::DashboardRedirect),
        (status = 400, description = "Bad instant or duration", body = crate::wire::errors::ApiError)
    )
)]
pub async fn set(State(sandbox): State<Arc<Sandbox>>, FormFields(fields): FormFields) -> Response {
    let Some(text) = fields.get("at").filter(|v| !v.trim().is_empty()) else {
        return ApiError::bad_request("field 'at' is required (RFC 3339, e.g. 2030-01-01T00:00:00Z)").into_response();
    };
    match instant(text) {
        Ok(at) => {
            sandbox.set_clock(at);
            respond(&fields, view(&sandbox))
        }
        Err(e) => e.into_response(),
    }
}

fn advance_by(fields: &FieldMap) -> Result<Duration, ApiError> {
    let secs = fields.get("seconds").map(|s| s.trim()).filter(|s| !s.is_empty());
    let text = fields.get("duration").map(|s| s.trim()).filter(|s| !s.is_empty());
    if secs.is_none() && text.is_none() {
        return Err(ApiError::bad_request(
            "give 'seconds' (an integer) and/or 'duration' (PT1H, P7D, 90s, 2h, 7d)",
        ));
    }
    let mut total = Duration::zero();
    if let Some(s) = secs {
        let n: i64 = s
            .parse()
            .map_err(|_| ApiError::bad_request(format!("seconds '{s}' is not an integer")))?;
        total += seconds(n).map_err(|_| ApiError::bad_request("seconds is out of range (at most 100 years)"))?;
    }
    if let Some(t) = text {
        total += parse_duration(t).map_err(|e| ApiError::bad_request(e.to_string()))?;
    }
    if total < Duration::zero() {
        return Err(ApiError::bad_request(
            "the clock only advances: the duration must not be negative (use /_sandbox/clock/set to go back)",
        ));
    }
    Ok(total)
}

fn instant(text: &str) -> Result<DateTime<Utc>, ApiError> {
    let at = DateTime::parse_from_rfc3339(text.trim())
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| ApiError::bad_request(format!("'{text}' is not an RFC 3339 instant: {e}")))?;
    let year = chrono::Datelike::year(&at);
    if !(1970..=9000).contains(&year) {
        return Err(ApiError::bad_request("the instant must lie between 1970 and 9000"));
    }
    Ok(at)
}
