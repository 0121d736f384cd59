//! `/_sandbox/scenarios` (forced outcomes) and `/_sandbox/faults` (latency and fault injection).

use super::paging::Paging;
use crate::control::faults::FaultSpec;
use crate::domain::scenario::{ForcedOutcome, RuleMatch};
use crate::engine::Sandbox;
use crate::http::error::ApiError;
use crate::http::extract::JsonBody;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map};
use std::sync::Arc;

/// Body of `POST /_sandbox/scenarios`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewScenario {
    /// Which attempts (all of them when absent).
    #[serde(default, rename = "match")]
    matcher: RuleMatch,
    /// What to force.
    outcome: ForcedOutcome,
    /// How many attempts (default 1).
    #[serde(default = "once")]
    times: u32,
}

fn once() -> u32 {
    1
}

/// `GET /_sandbox/scenarios`.
pub async fn scenarios(State(sandbox): State<Arc<Sandbox>>, paging: Result<Query<Paging>, QueryRejection>) -> Response {
    match Paging::from_query(paging) {
        Ok(paging) => Json(paging.answer("scenarios", sandbox.scenarios(), Map::new())).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /_sandbox/scenarios`.
pub async fn add_scenario(State(sandbox): State<Arc<Sandbox>>, JsonBody(body): JsonBody<NewScenario>) -> Response {
    match sandbox.add_scenario(body.matcher, body.outcome, body.times) {
        Ok(rule) => (StatusCode::CREATED, Json(json!(rule))).into_response(),
        Err(e) => ApiError::bad_request(e.to_string()).into_response(),
    }
}

/// `DELETE /_sandbox/scenarios/{id}`.
pub async fn remove_scenario(State(sandbox): State<Arc<Sandbox>>, Path(id): Path<String>) -> Response {
    if sandbox.remove_scenario(&id) {
        Json(json!({"deleted": id})).into_response()
    } else {
        ApiError::not_found(format!("scenario {id} not found")).into_response()
    }
}

/// `DELETE /_sandbox/scenarios`.
pub async fn clear_scenarios(State(sandbox): State<Arc<Sandbox>>) -> Response {
    Json(json!({"deleted": sandbox.clear_scenarios()})).into_response()
}

/// `GET /_sandbox/faults`.
pub async fn faults(State(sandbox): State<Arc<Sandbox>>, paging: Result<Query<Paging>, QueryRejection>) -> Response {
    match Paging::from_query(paging) {
        Ok(paging) => Json(paging.answer("faults", sandbox.control().faults.rules(), Map::new())).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /_sandbox/faults`.
pub async fn add_fault(State(sandbox): State<Arc<Sandbox>>, JsonBody(spec): JsonBody<FaultSpec>) -> Response {
    let id = sandbox.control().next_id("ft");
    match sandbox.control().faults.add(id, spec) {
        Ok(rule) => (StatusCode::CREATED, Json(json!(rule))).into_response(),
        Err(e) => ApiError::bad_request(e.to_string()).into_response(),
    }
}

/// `DELETE /_sandbox/faults/{id}`.
pub async fn remove_fault(State(sandbox): State<Arc<Sandbox>>, Path(id): Path<String>) -> Response {
    if sandbox.control().faults.remove(&id) {
        Json(json!({"deleted": id})).into_response()
    } else {
        ApiError::not_found(format!("fault rule {id} not found")).into_response()
    }
}

/// `DELETE /_sandbox/faults`.
pub async fn clear_faults(State(sandbox): State<Arc<Sandbox>>) -> Response {
    Json(json!({"deleted": sandbox.control().faults.clear()})).into_response()
}
