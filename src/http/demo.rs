//! `GET /_sandbox/demo`: an example merchant shop that pays through the sandbox's
//! `/payform/payment-api.js`, with its server-side helpers (docs/payform.md):
//!
//! - `POST /_sandbox/demo/token`: a payment token for the bank's public `test` client (the
//!   merchant's server does this in real life; a browser must not hold the client secret);
//! - `GET /_sandbox/demo/back?result=…`: the shop's back page (`backLink`/`failureBackLink`);
//! - `POST /_sandbox/demo/postlink`: the shop's callback receiver (answers 200).

use super::error::ApiError;
use super::extract::FormFields;
use crate::domain::tokens::FieldMap;
use crate::engine::Sandbox;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::sync::Arc;

/// The client the demo shop pays as (the bank's documented test client).
pub const DEMO_CLIENT: &str = "test";
/// The terminal it pays on (the documented test terminal, two-step: payments end in AUTH).
pub const DEMO_TERMINAL: &str = "67e34d63-102f-4bd1-898e-370781d0074d";

/// The demo routes, merged next to the `/_sandbox` control plane.
pub fn routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/_sandbox/demo", get(page))
        .route("/_sandbox/demo/token", post(token))
        .route("/_sandbox/demo/back", get(back))
        .route("/_sandbox/demo/postlink", post(postlink))
}

#[derive(Template)]
#[template(path = "demo.html")]
struct DemoPage {
    terminal: &'static str,
}

#[derive(Template)]
#[template(path = "demo_back.html")]
struct BackPage {
    success: bool,
    params: Vec<(String, String)>,
}

#[utoipa::path(
    get,
    path = "/_sandbox/demo",
    tag = "pages",
    responses(
        (status = 200, description = "The demo shop", body = String, content_type = "text/html")
    )
)]
async fn page() -> Response {
    html(DemoPage {
        terminal: DEMO_TERMINAL,
    })
}

/// A client-credentials token for the demo client bound to the posted `invoiceId`, `amount`,
/// `currency` (default KZT) and `terminal` (default [`DEMO_TERMINAL`]); the answer is the
/// token endpoint's.
#[utoipa::path(
    post,
    path = "/_sandbox/demo/token",
    tag = "pages",
    request_body(content(
        (Object = "application/x-www-form-urlencoded"),
        (Object = "application/json")
    )),
    responses(
        (status = 200, description = "A payment token for the demo shop", body = Object),
        (status = 400, description = "Bad amount", body = crate::wire::errors::ApiError)
    )
)]
async fn token(State(sandbox): State<Arc<Sandbox>>, FormFields(fields): FormFields) -> Response {
    let Some(merchant) = sandbox.merchant(DEMO_CLIENT) else {
        return ApiError::not_found(format!("the demo needs the client '{DEMO_CLIENT}' of the fixtures"))
            .into_response();
    };
    let field = |name: &str, default: &str| {
        fields
            .get(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| default.to_string())
    };
    let request: FieldMap = [
        ("grant_type", "client_credentials".to_string()),
        ("scope", "payment".to_string()),
        ("client_id", merchant.client_id.clone()),
        ("client_secret", merchant.client_secret.clone()),
        ("invoiceID", field("invoiceId", "")),
        ("amount", field("amount", "")),
        ("currency", field("currency", "KZT")),
        ("terminal", field("terminal", DEMO_TERMINAL)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    super::oauth::token(State(sandbox), FormFields(request)).await
}

#[utoipa::path(
    get,
    path = "/_sandbox/demo/back",
    tag = "pages",
    responses(
        (status = 200, description = "Where the demo shop's payer returns", body = String, content_type = "text/html")
    )
)]
async fn back(Query(query): Query<Vec<(String, String)>>) -> Response {
    let success = query.iter().any(|(k, v)| k == "result" && v == "success");
    html(BackPage { success, params: query })
}

#[utoipa::path(
    post,
    path = "/_sandbox/demo/postlink",
    tag = "pages",
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 200, description = "`{\"received\": true}`", body = Object)
    )
)]
async fn postlink() -> Response {
    Json(json!({ "received": true })).into_response()
}

fn html(template: impl Template) -> Response {
    match template.render() {
        Ok(body) => ([(CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response(),
        Err(error) => {
            tracing::error!("demo template failed: {error}");
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, 500, "demo page failed to render").into_response()
        }
    }
}
