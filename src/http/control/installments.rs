//! The control plane of the iOS SDK's areas: installment orders (`GET /_sandbox/orders`,
//! `POST /_sandbox/orders/{id}/{step}`) and Halyk bonus balances and spends
//! (`GET /_sandbox/bonuses`).

use super::respond;
use crate::domain::installment::{InstallmentOrder, OrderStep};
use crate::domain::money::Amount;
use crate::engine::Sandbox;
use crate::http::error::ApiError;
use crate::http::extract::FormFields;
use crate::store::{BonusSpend, StepError};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// Routes of this module.
pub fn routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/_sandbox/orders", get(orders))
        .route("/_sandbox/orders/{id}", get(order))
        .route("/_sandbox/orders/{id}/{step}", post(step))
        .route("/_sandbox/bonuses", get(bonuses))
}

/// `GET /_sandbox/orders`.
#[derive(Debug, Serialize, ToSchema)]
struct OrderList {
    orders: Vec<InstallmentOrder>,
}

/// Every installment order, newest first, with its history and next automatic step.
#[utoipa::path(
    get,
    path = "/_sandbox/orders",
    tag = "ios sdk",
    responses(
        (status = 200, description = "Every installment order", body = OrderList)
    )
)]
pub(super) async fn orders(State(sandbox): State<Arc<Sandbox>>) -> Response {
    sandbox.run_due_timers();
    Json(OrderList {
        orders: sandbox.installment_orders(),
    })
    .into_response()
}

fn unknown(key: &str) -> ApiError {
    ApiError::not_found(format!(
        "installment order {key} not found (give its id or its orderId)"
    ))
}

/// One order, by its id or its orderId.
#[utoipa::path(
    get,
    path = "/_sandbox/orders/{id}",
    tag = "ios sdk",
    params(("id" = String, Path, description = "The order's id, or its orderId")),
    responses(
        (status = 200, description = "The order", body = InstallmentOrder),
        (status = 404, description = "Unknown order", body = crate::wire::errors::ApiError)
    )
)]
pub(super) async fn order(State(sandbox): State<Arc<Sandbox>>, Path(key): Path<String>) -> Response {
    sandbox.run_due_timers();
    match sandbox.find_order(&key) {
        Some(order) => Json(order).into_response(),
        None => unknown(&key).into_response(),
    }
}

/// Moves an order at once: `scan`, `progress`, `accept`, `reject`, or `advance` (the step the
/// timeline would take next). A form's `redirect` field sends the browser back (dashboard).
#[utoipa::path(
    post,
    path = "/_sandbox/orders/{id}/{step}",
    tag = "ios sdk",
    params(
        ("id" = String, Path, description = "The order's id, or its orderId"),
        ("step" = String, Path, description = "scan, progress, accept, reject or advance")
    ),
    request_body(content(
        (Object = "application/x-www-form-urlencoded"),
        (Object = "application/json")
    )),
    responses(
        (status = 200, description = "The order after the step", body = InstallmentOrder),
        (status = 303, response = crate::http::openapi::DashboardRedirect),
        (status = 404, description = "Unknown order or step", body = crate::wire::errors::ApiError),
        (status = 409, description = "The step is not allowed in the order's status", body = crate::wire::errors::ApiError)
    )
)]
pub(super) async fn step(
    State(sandbox): State<Arc<Sandbox>>,
    Path((key, step)): Path<(String, String)>,
    FormFields(fields): FormFields,
) -> Response {
    let Some(order) = sandbox.find_order(&key) else {
        return unknown(&key).into_response();
    };
    let result = match (step.as_str(), OrderStep::parse(&step)) {
        ("advance", _) => sandbox.advance_order(order.id()),
        (_, Some(step)) => sandbox.step_order(order.id(), step),
        (other, None) => {
            return ApiError::not_found(format!(
                "step '{other}' is not one of scan, progress, accept, reject, advance"
            ))
            .into_response()
        }
    };
    match result {
        Ok(order) => respond(&fields, serde_json::to_value(&order).unwrap_or_default()),
        Err(StepError::NotFound(_)) => unknown(&key).into_response(),
        Err(error @ StepError::Refused(_)) => {
            ApiError::new(StatusCode::CONFLICT, 409, error.to_string()).into_response()
        }
    }
}

/// `GET /_sandbox/bonuses`.
#[derive(Debug, Serialize, ToSchema)]
struct BonusReport {
    balances: Vec<BonusBalance>,
    spends: Vec<BonusSpend>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct BonusBalance {
    pan: String,
    go_bonus: Amount,
}

/// Every test card's bonus balance and what payments spent.
#[utoipa::path(
    get,
    path = "/_sandbox/bonuses",
    tag = "ios sdk",
    responses(
        (status = 200, description = "Balances by card and the payments' spends", body = BonusReport)
    )
)]
pub(super) async fn bonuses(State(sandbox): State<Arc<Sandbox>>) -> Response {
    let balances = sandbox
        .bonus_balances()
        .into_iter()
        .map(|(pan, go_bonus)| BonusBalance { pan, go_bonus })
        .collect();
    Json(BonusReport {
        balances,
        spends: sandbox.bonus_spends(),
    })
    .into_response()
}
