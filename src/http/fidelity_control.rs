//! `GET`/`PUT`/`DELETE /_sandbox/fidelity[?clientId=]`: read and switch the fidelity profile at
//! run time, for the sandbox or one merchant; and the `api.cors` switch of the bank-facing API.

use super::error::ApiError;
use super::extract::JsonBody;
use crate::engine::{FidelityRefusal, FidelityState, Sandbox};
use crate::fidelity::Cors;
use crate::wire::fidelity::FidelityView;
use axum::extract::{Query, State};
use axum::http::HeaderName;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

/// The control-plane routes.
pub fn routes() -> Router<Arc<Sandbox>> {
    Router::new().route("/_sandbox/fidelity", get(show).put(update).delete(reset))
}

/// `?clientId=`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ClientQuery {
    /// One merchant's profile instead of the sandbox's.
    client_id: Option<String>,
}

/// Every key: value in force, alternatives, evidence, confidence.
#[utoipa::path(
    get,
    path = "/_sandbox/fidelity",
    tag = "fidelity",
    params(ClientQuery),
    responses(
        (status = 200, description = "The profile in force", body = crate::wire::fidelity::FidelityView),
        (status = 404, description = "No such merchant", body = crate::wire::errors::ApiError)
    )
)]
pub async fn show(State(sandbox): State<Arc<Sandbox>>, Query(query): Query<ClientQuery>) -> Response {
    render(sandbox.fidelity_view(query.client_id.as_deref()))
}

/// Sets the keys of a profile document (`{"token.expires_in": "number"}`; `null` returns a key
/// to the start-up value, or removes a merchant's override).
#[utoipa::path(
    put,
    path = "/_sandbox/fidelity",
    tag = "fidelity",
    params(ClientQuery),
    request_body(content = Object, description = "Key → value (or null)", content_type = "application/json"),
    responses(
        (status = 200, description = "The profile now in force", body = crate::wire::fidelity::FidelityView),
        (status = 400, description = "An unknown key or value (the valid ones are listed)", body = crate::wire::errors::ApiError),
        (status = 404, description = "No such merchant", body = crate::wire::errors::ApiError)
    )
)]
pub async fn update(
    State(sandbox): State<Arc<Sandbox>>,
    Query(query): Query<ClientQuery>,
    JsonBody(document): JsonBody<Value>,
) -> Response {
    render(sandbox.update_fidelity(query.client_id.as_deref(), &document))
}

/// Back to the start-up profile (one merchant's overrides with `clientId`).
#[utoipa::path(
    delete,
    path = "/_sandbox/fidelity",
    tag = "fidelity",
    params(ClientQuery),
    responses(
        (status = 200, description = "The profile now in force", body = crate::wire::fidelity::FidelityView),
        (status = 404, description = "No such merchant", body = crate::wire::errors::ApiError)
    )
)]
pub async fn reset(State(sandbox): State<Arc<Sandbox>>, Query(query): Query<ClientQuery>) -> Response {
    render(sandbox.reset_fidelity(query.client_id.as_deref()))
}

fn render(result: Result<FidelityState, FidelityRefusal>) -> Response {
    match result {
        Ok(state) => Json(FidelityView::of(&state)).into_response(),
        Err(refusal @ FidelityRefusal::UnknownClient(_)) => ApiError::not_found(refusal.to_string()).into_response(),
        Err(refusal) => ApiError::bad_request(refusal.to_string()).into_response(),
    }
}

/// With `api.cors=off` the bank-facing API sends no CORS headers (preflights get a bare 200),
/// so browsers block cross-origin calls as they would against a bank without CORS. (W-01)
/// Only the bank's routes carry CORS headers, so the edge layer runs this on every answer; the
/// profile is read only for an answer that has some.
pub fn cors_switch(sandbox: &Sandbox, mut response: Response) -> Response {
    let is_cors = |name: &&HeaderName| name.as_str().starts_with("access-control-");
    if response.headers().keys().any(|name| is_cors(&name)) && sandbox.fidelity().global().api_cors == Cors::Off {
        let names: Vec<HeaderName> = response.headers().keys().filter(is_cors).cloned().collect();
        for name in names {
            response.headers_mut().remove(name);
        }
    }
    response
}
