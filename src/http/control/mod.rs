//! The sandbox's own control plane under `/_sandbox/`: what tests get that the bank's test
//! environment cannot give. Every handler parses, calls the engine and renders; the endpoints
//! are described in docs/control-plane.md and at `GET /_sandbox/openapi.json`.

mod clock;
#[cfg(feature = "pages")]
mod dashboard;
#[cfg(feature = "pages")]
mod dashboard_fidelity;
#[cfg(feature = "pages")]
mod dashboard_i18n;
#[cfg(feature = "pages")]
mod dashboard_sdk;
#[cfg(feature = "pages")]
mod dashboard_surface;
pub mod guard;
mod inspect;
mod installments;
pub mod openapi;
pub(crate) mod paging;
pub mod redirect;
mod rules;
pub mod tls_ca;

use super::error::ApiError;
use super::extract::FormFields;
use crate::domain::tokens::FieldMap;
use crate::engine::Sandbox;
use crate::wire::control::HealthView;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use redirect::is_local_redirect;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

/// Routes under `/_sandbox` (full paths, so the dashboard answers both `/_sandbox` and
/// `/_sandbox/`).
pub fn routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .merge(super::secure3d_control::routes())
        .merge(installments::routes())
        .merge(super::fidelity_control::routes())
        .route("/_sandbox/health", get(health))
        .route("/_sandbox/reset", post(reset))
        .route("/_sandbox/seed", post(seed))
        .route("/_sandbox/clock", get(clock::show))
        .route("/_sandbox/clock/freeze", post(clock::freeze))
        .route("/_sandbox/clock/unfreeze", post(clock::unfreeze))
        .route("/_sandbox/clock/advance", post(clock::advance))
        .route("/_sandbox/clock/set", post(clock::set))
        .route(
            "/_sandbox/transactions",
            get(inspect::transactions).post(inspect::create_transaction),
        )
        .route("/_sandbox/transactions/{id}", get(inspect::transaction))
        .route("/_sandbox/transactions/{id}/{operation}", post(inspect::operate))
        .route("/_sandbox/tokens", get(inspect::tokens))
        .route("/_sandbox/journal", get(inspect::journal))
        .route("/_sandbox/state", get(inspect::state))
        .route(
            "/_sandbox/merchants",
            get(inspect::merchants).post(inspect::create_merchant),
        )
        .route("/_sandbox/merchants/{client_id}", delete(inspect::delete_merchant))
        .route("/_sandbox/cards", get(inspect::cards))
        .route("/_sandbox/reasons", get(inspect::reasons))
        .route(
            "/_sandbox/scenarios",
            get(rules::scenarios)
                .post(rules::add_scenario)
                .delete(rules::clear_scenarios),
        )
        .route("/_sandbox/scenarios/{id}", delete(rules::remove_scenario))
        .route(
            "/_sandbox/faults",
            get(rules::faults).post(rules::add_fault).delete(rules::clear_faults),
        )
        .route("/_sandbox/faults/{id}", delete(rules::remove_fault))
        .route("/_sandbox/openapi.json", get(openapi::document))
        .route("/_sandbox/cryptogram", post(super::cryptogram::create))
}

/// The dashboard (feature `pages`), at both `/_sandbox` and `/_sandbox/`.
#[cfg(feature = "pages")]
pub fn page_routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/_sandbox", get(dashboard::page))
        .route("/_sandbox/", get(dashboard::page))
}

/// Liveness, version and uptime.
#[utoipa::path(
    get,
    path = "/_sandbox/health",
    tag = "control",
    responses(
        (status = 200, description = "Liveness, version, uptime, record counts", body = HealthView)
    )
)]
async fn health(State(sandbox): State<Arc<Sandbox>>) -> Json<HealthView> {
    Json(HealthView {
        status: "ok",
        name: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: sandbox.uptime_seconds(),
        now: sandbox.clock().now().to_rfc3339(),
        records: sandbox.record_counts(),
    })
}

/// Query of `POST /_sandbox/reset`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResetQuery {
    client_id: Option<String>,
    terminal: Option<String>,
}

/// Everything back to the fixtures; with `clientId` and/or `terminal` (query or body) only
/// that merchant's/terminal's transactions, tokens and rules.
#[utoipa::path(
    post,
    path = "/_sandbox/reset",
    tag = "control",
    params(
        ("clientId" = Option<String>, Query, description = "Reset only this merchant"),
        ("terminal" = Option<String>, Query, description = "Reset only this terminal")
    ),
    request_body(content(
        (Object = "application/x-www-form-urlencoded"),
        (Object = "application/json")
    )),
    responses(
        (status = 200, description = "Reset", body = Object),
        (status = 303, response = crate::http::openapi::DashboardRedirect),
        (status = 404, description = "Unknown clientId or terminal", body = crate::wire::errors::ApiError)
    )
)]
async fn reset(
    State(sandbox): State<Arc<Sandbox>>,
    Query(query): Query<ResetQuery>,
    FormFields(fields): FormFields,
) -> Response {
    let pick = |q: Option<String>, key: &str| q.or_else(|| fields.get(key).cloned()).filter(|v| !v.trim().is_empty());
    let client_id = pick(query.client_id, "clientId");
    let terminal = pick(query.terminal, "terminal");
    if client_id.is_none() && terminal.is_none() {
        sandbox.reset();
        return respond(&fields, json!({"status": "reset", "scope": "all"}));
    }
    if let Some(c) = client_id.as_deref() {
        if sandbox.merchant(c).is_none() {
            return ApiError::not_found(format!("clientId {c} is not known")).into_response();
        }
    }
    if let Some(t) = terminal.as_deref() {
        if sandbox.terminal(t).is_none() {
            return ApiError::not_found(format!("terminal {t} is not known")).into_response();
        }
    }
    let removed = sandbox.reset_partition(client_id.as_deref(), terminal.as_deref());
    respond(
        &fields,
        json!({"status": "reset", "scope": "partition", "clientId": client_id, "terminal": terminal, "removed": removed}),
    )
}

/// Restarts the id sequence with a new seed.
#[utoipa::path(
    post,
    path = "/_sandbox/seed",
    tag = "control",
    request_body(content(
        (Object = "application/x-www-form-urlencoded"),
        (Object = "application/json")
    )),
    responses(
        (status = 200, description = "The new seed", body = Object),
        (status = 303, response = crate::http::openapi::DashboardRedirect),
        (status = 400, description = "`seed` missing or not a u64", body = crate::wire::errors::ApiError)
    )
)]
async fn seed(State(sandbox): State<Arc<Sandbox>>, FormFields(fields): FormFields) -> Response {
    let Some(text) = fields.get("seed") else {
        return ApiError::bad_request("field 'seed' is required (an unsigned 64-bit integer)").into_response();
    };
    let Ok(seed) = text.trim().parse::<u64>() else {
        return ApiError::bad_request(format!("seed '{text}' is not an unsigned 64-bit integer")).into_response();
    };
    sandbox.reseed(Some(seed));
    respond(&fields, json!({"seed": seed}))
}

/// JSON `body`, or a 303 back to the page named by a form's `redirect` field (dashboard
/// forms), which must stay under `/_sandbox`.
pub(crate) fn respond(fields: &FieldMap, body: impl serde::Serialize) -> Response {
    match fields.get("redirect") {
        Some(to) if is_local_redirect(to) => Redirect::to(to).into_response(),
        _ => (StatusCode::OK, Json(body)).into_response(),
    }
}
