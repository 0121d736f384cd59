//! `/_sandbox/scenarios` (forced outcomes) and `/_sandbox/faults` (latency and fault injection).

use super::paging::Paging;
use crate::control::faults::FaultSpec;
use crate::domain::scenario::{ForcedOutcome, RuleMatch};
use crate::engine::Sandbox;
use crate::http::error::ApiError;
use crate::http::extract::JsonBody;
use crate::http::json::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
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
#[utoipa::path(
    get,
    path = "/_sandbox/scenarios",
    tag = "rules",
    params(crate::http::control::paging::Paging),
    responses(
        (status = 200, description = "The scenario rules, paged", body = Object),
        (status = 400, description = "Bad paging", body = crate::wire::errors::ApiError)
    )
)]
pub async fn scenarios(State(sandbox): State<Arc<Sandbox>>, paging: Result<Query<Paging>, QueryRejection>) -> Response {
    match Paging::from_query(paging) {
        Ok(paging) => Json(paging.answer("scenarios", sandbox.scenarios(), Map::new())).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /_sandbox/scenarios`.
#[utoipa::path(
    post,
    path = "/_sandbox/scenarios",
    tag = "rules",
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = Object),
        (status = 400, description = "Bad rule", body = crate::wire::errors::ApiError)
    )
)]
pub async fn add_scenario(State(sandbox): State<Arc<Sandbox>>, JsonBody(body): JsonBody<NewScenario>) -> Response {
    match sandbox.add_scenario(body.matcher, body.outcome, body.times) {
        Ok(rule) => (StatusCode::CREATED, Json(json!(rule))).into_response(),
        Err(e) => ApiError::bad_request(e.to_string()).into_response(),
    }
}

/// `DELETE /_sandbox/scenarios/{id}`.
#[utoipa::path(
    delete,
    path = "/_sandbox/scenarios/{id}",
    tag = "rules",
    params(("id" = String, Path, description = "Rule id")),
    responses(
        (status = 200, description = "Removed", body = Object),
        (status = 404, description = "Unknown rule", body = crate::wire::errors::ApiError)
    )
)]
pub async fn remove_scenario(State(sandbox): State<Arc<Sandbox>>, Path(id): Path<String>) -> Response {
    if sandbox.remove_scenario(&id) {
        Json(json!({"deleted": id})).into_response()
    } else {
        ApiError::not_found(format!("scenario {id} not found")).into_response()
    }
}

/// `DELETE /_sandbox/scenarios`.
#[utoipa::path(
    delete,
    path = "/_sandbox/scenarios",
    tag = "rules",
    responses(
        (status = 200, description = "All removed", body = Object)
    )
)]
pub async fn clear_scenarios(State(sandbox): State<Arc<Sandbox>>) -> Response {
    Json(json!({"deleted": sandbox.clear_scenarios()})).into_response()
}

/// `GET /_sandbox/faults`.
#[utoipa::path(
    get,
    path = "/_sandbox/faults",
    tag = "rules",
    params(crate::http::control::paging::Paging),
    responses(
        (status = 200, description = "The fault rules, paged", body = Object),
        (status = 400, description = "Bad paging", body = crate::wire::errors::ApiError)
    )
)]
pub async fn faults(State(sandbox): State<Arc<Sandbox>>, paging: Result<Query<Paging>, QueryRejection>) -> Response {
    match Paging::from_query(paging) {
        Ok(paging) => Json(paging.answer("faults", sandbox.control().faults.rules(), Map::new())).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /_sandbox/faults`.
#[utoipa::path(
    post,
    path = "/_sandbox/faults",
    tag = "rules",
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = Object),
        (status = 400, description = "Bad rule", body = crate::wire::errors::ApiError)
    )
)]
pub async fn add_fault(State(sandbox): State<Arc<Sandbox>>, JsonBody(spec): JsonBody<FaultSpec>) -> Response {
    let id = sandbox.control().next_id("ft");
    match sandbox.control().faults.add(id, spec) {
        Ok(rule) => (StatusCode::CREATED, Json(json!(rule))).into_response(),
        Err(e) => ApiError::bad_request(e.to_string()).into_response(),
    }
}

/// `DELETE /_sandbox/faults/{id}`.
#[utoipa::path(
    delete,
    path = "/_sandbox/faults/{id}",
    tag = "rules",
    params(("id" = String, Path, description = "Rule id")),
    responses(
        (status = 200, description = "Removed", body = Object),
        (status = 404, description = "Unknown rule", body = crate::wire::errors::ApiError)
    )
)]
pub async fn remove_fault(State(sandbox): State<Arc<Sandbox>>, Path(id): Path<String>) -> Response {
    if sandbox.control().faults.remove(&id) {
        Json(json!({"deleted": id})).into_response()
    } else {
        ApiError::not_found(format!("fault rule {id} not found")).into_response()
    }
}

/// `DELETE /_sandbox/faults`.
#[utoipa::path(
    delete,
    path = "/_sandbox/faults",
    tag = "rules",
    responses(
        (status = 200, description = "All removed", body = Object)
    )
)]
pub async fn clear_faults(State(sandbox): State<Arc<Sandbox>>) -> Response {
    Json(json!({"deleted": sandbox.control().faults.clear()})).into_response()
}
