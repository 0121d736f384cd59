//! Installments of the bank's iOS SDK: `GET /credit-condition?shopId=`, `POST /order` and
//! `GET /order/status?orderId=`.

use super::error::ApiError;
use super::extract::{Bearer, JsonBody};
use super::json::Json;
use crate::domain::money::Amount;
use crate::engine::{OrderRequest, Sandbox};
use crate::wire::sdk::{CreditConditionView, OrderStatusView, OrderView};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// Query of `GET /credit-condition`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditConditionQuery {
    /// `shop.id` of `GET /terminals/{id}`.
    pub shop_id: Option<String>,
}

/// The shop's installment and credit conditions (`[CreditConditionResponseBody]`).
#[utoipa::path(
    get,
    path = "/credit-condition",
    tag = "ios sdk",
    params(("shopId" = String, Query, description = "`shop.id` of GET /terminals/{id}", example = "3f0b1c2a-5d4e-4f6a-9b8c-7d6e5f4a3b21")),
    responses(
        (status = 200, description = "The shop's conditions; `[]` when it has none", body = Vec<crate::wire::sdk::CreditConditionView>),
        (status = 400, description = "No shopId (code 400)", body = crate::wire::errors::ApiError),
        (status = 404, description = "No shop of the token's client with this id (code 404)", body = crate::wire::errors::ApiError)
    ),
    security(("bearer" = []))
)]
pub async fn credit_conditions(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    Query(query): Query<CreditConditionQuery>,
) -> Response {
    let Some(shop_id) = query.shop_id.filter(|s| !s.trim().is_empty()) else {
        return ApiError::bad_request("shopId is required (shop.id of GET /terminals/{id})").into_response();
    };
    match sandbox.client_shop(&token, &shop_id) {
        Ok(shop) => Json(CreditConditionView::list(&shop)).into_response(),
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// The body of `POST /order` (the SDK's `OrderRequestBody`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "shopId": "3f0b1c2a-5d4e-4f6a-9b8c-7d6e5f4a3b21",
    "amount": 150000,
    "orderId": "700301",
    "creditConditionId": "1c7e0d6a-0b0e-4c3e-9a51-3a0e2b1f0003"
}))]
pub struct OrderBody {
    /// The shop.
    pub shop_id: String,
    /// Amount (a number; a numeric string is accepted).
    pub amount: Amount,
    /// The merchant's order number (the invoiceId).
    pub order_id: String,
    /// The chosen credit condition.
    pub credit_condition_id: String,
}

/// Opens an installment order (`OrderResponseBody`); the same order again answers the order
/// already opened.
#[utoipa::path(
    post,
    path = "/order",
    tag = "ios sdk",
    request_body(content = OrderBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The order, NEW, with the requested terms", body = crate::wire::sdk::OrderView),
        (status = 400, description = "Invalid field, unknown condition, another order with this orderId, or not the token's invoice or amount (code -1)", body = crate::wire::errors::ApiError),
        (status = 404, description = "No shop of the token's client with this id (code 404)", body = crate::wire::errors::ApiError)
    ),
    security(("bearer" = []))
)]
pub async fn create_order(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    JsonBody(body): JsonBody<OrderBody>,
) -> Response {
    let request = OrderRequest {
        shop_id: body.shop_id,
        amount: body.amount,
        order_id: body.order_id.trim().to_string(),
        credit_condition_id: body.credit_condition_id,
    };
    match sandbox.create_order(&token, &request) {
        Ok(order) => Json(OrderView::of(&order)).into_response(),
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// Query of `GET /order/status`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderStatusQuery {
    /// The merchant's order number.
    pub order_id: Option<String>,
}

/// Where the order stands (`OrderStatusResponseBody`); the SDK polls it every 5 seconds.
#[utoipa::path(
    get,
    path = "/order/status",
    tag = "ios sdk",
    params(("orderId" = String, Query, description = "The merchant's order number (`orderId` of POST /order)", example = "700301")),
    responses(
        (status = 200, description = "The order's status", body = crate::wire::sdk::OrderStatusView),
        (status = 400, description = "No orderId (code 400)", body = crate::wire::errors::ApiError),
        (status = 404, description = "No order with this orderId on the token's shops (code 404)", body = crate::wire::errors::ApiError)
    ),
    security(("bearer" = []))
)]
pub async fn order_status(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    Query(query): Query<OrderStatusQuery>,
) -> Response {
    let Some(order_id) = query.order_id.filter(|s| !s.trim().is_empty()) else {
        return ApiError::bad_request("orderId is required").into_response();
    };
    match sandbox.order_status(&token, &order_id) {
        Ok(order) => Json(OrderStatusView::of(&order)).into_response(),
        Err(error) => ApiError::from(error).into_response(),
    }
}
