//! Recurrent payments (spec §3.13, docs/invoices-recurrent-qr.md): `POST /recurrent/subscribe`
//! (bank API) and the control plane's `GET /_sandbox/recurrent[/{id}]`,
//! `POST /_sandbox/recurrent/{id}/run` (the next charge now) and `.../cancel`.

use super::error::ApiError;
use super::extract::{Bearer, FormFields, JsonBody};
use super::refusals::{control_answer, refused, unknown, wrong_state};
use crate::domain::recurrent::SubscriptionError;
use crate::engine::Sandbox;
use crate::wire::recurrent::{SubscribeBody, SubscriptionAnswer};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use std::sync::Arc;
use uuid::Uuid;

/// Bank API routes (served bare and under `/api`).
pub fn api_routes() -> Router<Arc<Sandbox>> {
    Router::new().route("/recurrent/subscribe", post(subscribe))
}

/// Control-plane routes.
pub fn control_routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/_sandbox/recurrent", get(list))
        .route("/_sandbox/recurrent/{id}", get(show))
        .route("/_sandbox/recurrent/{id}/run", post(run))
        .route("/_sandbox/recurrent/{id}/cancel", post(cancel))
}

/// `POST /recurrent/subscribe`: subscribes an approved payment of the token's client.
#[utoipa::path(
    post,
    path = "/recurrent/subscribe",
    tag = "recurrent",
    request_body(content = crate::wire::recurrent::SubscribeBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The subscription", body = crate::wire::recurrent::SubscriptionAnswer),
        (status = 400, description = "Refused (code -1): no transactionId, or a bad paymentFrequency", body = crate::wire::errors::ApiError),
        (status = 404, description = "No such transaction of the token's client", body = crate::wire::errors::ApiError),
        (status = 409, description = "The payment is not approved (code 409)", body = crate::wire::errors::ApiError)
    ),
    security(("bearer" = []))
)]
pub async fn subscribe(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    JsonBody(body): JsonBody<SubscribeBody>,
) -> Response {
    if body.transaction_id.is_empty() {
        return refused("transactionId is required").into_response();
    }
    match sandbox.subscribe(&token, &body.transaction_id, &body.payment_frequency) {
        Ok(subscription) => Json(SubscriptionAnswer::of(&subscription)).into_response(),
        Err(error) => api_error(error).into_response(),
    }
}

fn api_error(error: SubscriptionError) -> ApiError {
    match error {
        SubscriptionError::Invalid(_) => refused(error.to_string()),
        SubscriptionError::NotFound(_) => unknown(error.to_string()),
        SubscriptionError::NotApproved { .. } | SubscriptionError::Cancelled(_) => wrong_state(error.to_string()),
    }
}

fn parse_id(id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id.trim()).map_err(|_| unknown(format!("subscription {id} not found")))
}

/// `GET /_sandbox/recurrent`: every subscription, newest first.
#[utoipa::path(
    get,
    path = "/_sandbox/recurrent",
    tag = "recurrent",
    responses(
        (status = 200, description = "Every subscription, newest first", body = Vec<crate::wire::recurrent::SubscriptionAnswer>)
    )
)]
async fn list(State(sandbox): State<Arc<Sandbox>>) -> Response {
    let all: Vec<SubscriptionAnswer> = sandbox.subscriptions().iter().map(SubscriptionAnswer::of).collect();
    Json(all).into_response()
}

/// `GET /_sandbox/recurrent/{id}`.
#[utoipa::path(
    get,
    path = "/_sandbox/recurrent/{id}",
    tag = "recurrent",
    params(("id" = String, Path, description = "The subscription's id")),
    responses(
        (status = 200, description = "The subscription", body = crate::wire::recurrent::SubscriptionAnswer),
        (status = 404, description = "No such subscription", body = crate::wire::errors::ApiError)
    )
)]
async fn show(State(sandbox): State<Arc<Sandbox>>, Path(id): Path<String>) -> Response {
    let found = parse_id(&id).and_then(|uuid| {
        sandbox
            .subscription(uuid)
            .ok_or_else(|| unknown(format!("subscription {id} not found")))
    });
    match found {
        Ok(subscription) => Json(SubscriptionAnswer::of(&subscription)).into_response(),
        Err(error) => error.into_response(),
    }
}

/// What `run` answers: the subscription after the charge, and the charge.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct RunAnswer {
    subscription: SubscriptionAnswer,
    transaction_id: String,
    status: String,
    reason_code: i32,
}

/// `POST /_sandbox/recurrent/{id}/run`: makes the next charge now.
#[utoipa::path(
    post,
    path = "/_sandbox/recurrent/{id}/run",
    tag = "recurrent",
    params(("id" = String, Path, description = "The subscription's id")),
    request_body(content(
        (Object = "application/x-www-form-urlencoded"),
        (Object = "application/json")
    )),
    responses(
        (status = 200, description = "The subscription after the charge, and the charge", body = RunAnswer),
        (status = 303, response = crate::http::openapi::DashboardRedirect),
        (status = 400, description = "The charge was refused (code -1), e.g. the terminal is gone", body = crate::wire::errors::ApiError),
        (status = 404, description = "No such subscription", body = crate::wire::errors::ApiError),
        (status = 409, description = "Cancelled (code 409)", body = crate::wire::errors::ApiError)
    )
)]
async fn run(State(sandbox): State<Arc<Sandbox>>, Path(id): Path<String>, FormFields(fields): FormFields) -> Response {
    let uuid = match parse_id(&id) {
        Ok(uuid) => uuid,
        Err(error) => return error.into_response(),
    };
    match sandbox.run_subscription(uuid) {
        Ok((subscription, tx)) => {
            let answer = RunAnswer {
                subscription: SubscriptionAnswer::of(&subscription),
                transaction_id: tx.id().to_string(),
                status: tx.status().to_string(),
                reason_code: tx.reason_code(),
            };
            control_answer(&fields, answer)
        }
        Err(error) => api_error(error).into_response(),
    }
}

/// `POST /_sandbox/recurrent/{id}/cancel`: no more charges (cancelling twice is no error).
#[utoipa::path(
    post,
    path = "/_sandbox/recurrent/{id}/cancel",
    tag = "recurrent",
    params(("id" = String, Path, description = "The subscription's id")),
    request_body(content(
        (Object = "application/x-www-form-urlencoded"),
        (Object = "application/json")
    )),
    responses(
        (status = 200, description = "The cancelled subscription", body = crate::wire::recurrent::SubscriptionAnswer),
        (status = 303, response = crate::http::openapi::DashboardRedirect),
        (status = 404, description = "No such subscription", body = crate::wire::errors::ApiError)
    )
)]
async fn cancel(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
    FormFields(fields): FormFields,
) -> Response {
    match parse_id(&id).and_then(|uuid| sandbox.cancel_subscription(uuid).map_err(api_error)) {
        Ok(subscription) => control_answer(&fields, SubscriptionAnswer::of(&subscription)),
        Err(error) => error.into_response(),
    }
}
