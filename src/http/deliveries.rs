//! The callback delivery log and settings on the control plane (`docs/callbacks.md`):
//!
//! - `GET /_sandbox/deliveries?invoiceId=&transactionId=`: logged deliveries, oldest first;
//! - `GET /_sandbox/deliveries/{id}`: one delivery with its attempts;
//! - `POST /_sandbox/deliveries/{id}/resend`: sends it again as a new delivery (202);
//! - `GET /_sandbox/callbacks`, `POST /_sandbox/callbacks`: delivery settings (attempts,
//!   backoff, timeout, duplicates, log capacity); POST takes any subset of them.

use super::control::paging::Paging;
use super::error::ApiError;
use super::extract::{FormFields, JsonBody};
use crate::callbacks::{DeliveryFilter, SettingsPatch};
use crate::engine::Sandbox;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Redirect;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::routing::post;
use axum::{Json, Router};
use std::sync::Arc;

/// The delivery-log routes, merged into the `/_sandbox` control plane.
pub fn routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/_sandbox/deliveries", get(list))
        .route("/_sandbox/deliveries/{id}", get(show))
        .route("/_sandbox/deliveries/{id}/resend", post(resend))
        .route("/_sandbox/callbacks", get(settings).post(update_settings))
}

/// Logged deliveries, filtered by `invoiceId` and/or `transactionId`, a page at a time; an
/// HTML table for browsers.
#[utoipa::path(
    get,
    path = "/_sandbox/deliveries",
    tag = "callbacks",
    params(
        ("invoiceId" = Option<String>, Query, description = "Only this order"),
        ("transactionId" = Option<String>, Query, description = "Only this transaction"),
        crate::http::control::paging::Paging
    ),
    responses(
        (status = 200, description = "Callback deliveries, paged", body = Object),
        (status = 400, description = "Bad paging", body = crate::wire::errors::ApiError)
    )
)]
async fn list(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    Query(filter): Query<DeliveryFilter>,
    paging: Result<Query<Paging>, QueryRejection>,
) -> Response {
    let paging = match Paging::from_query(paging) {
        Ok(paging) => paging,
        Err(e) => return e.into_response(),
    };
    let deliveries = sandbox.callbacks().deliveries(&filter);
    super::pages::deliveries(&headers, &deliveries)
        .unwrap_or_else(|| Json(paging.answer("deliveries", deliveries, serde_json::Map::new())).into_response())
}

/// One delivery.
#[utoipa::path(
    get,
    path = "/_sandbox/deliveries/{id}",
    tag = "callbacks",
    params(("id" = String, Path, description = "Delivery id")),
    responses(
        (status = 200, description = "The delivery", body = Object),
        (status = 404, description = "Unknown", body = crate::wire::errors::ApiError)
    )
)]
async fn show(State(sandbox): State<Arc<Sandbox>>, Path(id): Path<String>) -> Response {
    match parse_id(&id).and_then(|id| sandbox.callbacks().delivery(id)) {
        Some(delivery) => Json(delivery).into_response(),
        None => unknown(&id),
    }
}

/// Sends a delivery again; answers the new delivery.
#[utoipa::path(
    post,
    path = "/_sandbox/deliveries/{id}/resend",
    tag = "callbacks",
    params(("id" = String, Path, description = "Delivery id")),
    request_body(content(
        (Object = "application/x-www-form-urlencoded"),
        (Object = "application/json")
    )),
    responses(
        (status = 202, description = "Queued: the new delivery", body = Object),
        (status = 303, response = crate::http::openapi::DashboardRedirect),
        (status = 404, description = "Unknown", body = crate::wire::errors::ApiError)
    )
)]
async fn resend(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
    FormFields(fields): FormFields,
) -> Response {
    match parse_id(&id).and_then(|id| sandbox.callbacks().resend(id)) {
        Some(delivery) => match fields
            .get("redirect")
            .filter(|to| super::control::redirect::is_local_redirect(to))
        {
            Some(to) => Redirect::to(to).into_response(),
            None => (StatusCode::ACCEPTED, Json(delivery)).into_response(),
        },
        None => unknown(&id),
    }
}

/// The delivery settings.
#[utoipa::path(
    get,
    path = "/_sandbox/callbacks",
    tag = "callbacks",
    responses(
        (status = 200, description = "Retry and limit settings", body = crate::callbacks::CallbackSettings)
    )
)]
async fn settings(State(sandbox): State<Arc<Sandbox>>) -> Response {
    Json(sandbox.callbacks().settings()).into_response()
}

/// Changes some delivery settings; answers all of them.
#[utoipa::path(
    post,
    path = "/_sandbox/callbacks",
    tag = "callbacks",
    request_body(content = crate::callbacks::SettingsPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "The new settings", body = crate::callbacks::CallbackSettings),
        (status = 400, description = "Bad settings", body = crate::wire::errors::ApiError)
    )
)]
async fn update_settings(State(sandbox): State<Arc<Sandbox>>, JsonBody(patch): JsonBody<SettingsPatch>) -> Response {
    match sandbox.callbacks().update_settings(&patch) {
        Ok(settings) => Json(settings).into_response(),
        Err(error) => ApiError::bad_request(error.to_string()).into_response(),
    }
}

fn parse_id(id: &str) -> Option<u64> {
    id.parse().ok()
}

fn unknown(id: &str) -> Response {
    ApiError::not_found(format!("no delivery {id}")).into_response()
}
