//! The HTTP face of the sandbox: one module per ePay area, each a thin layer that parses the
//! request, calls the engine and renders the bank's response shape.
//!
//! Every API route is served both bare (production, new test host) and under `/api` (the old
//! test host); the token endpoint both as `/oauth2/token` and `/epay2/oauth2/token`.

pub mod aliases;
pub mod control;
pub mod deliveries;
pub mod demo;
pub mod error;
pub mod extract;
mod faults;
pub mod lenient;
mod middleware;
pub mod oauth;
pub mod operations;
pub mod operations_search;
pub mod payform;
pub mod payments;
pub mod saved_cards;
pub mod secure3d;
pub mod secure3d_control;
pub mod secure3d_pages;
pub mod status;
pub mod transfers;

use crate::engine::Sandbox;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use std::time::Duration;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// The whole application: ePay's routes, the control plane, limits and JSON errors.
pub fn app(sandbox: Arc<Sandbox>) -> Router {
    let api = api_routes();
    let config = &sandbox.config();
    Router::new()
        .route("/oauth2/token", post(oauth::token))
        .route("/epay2/oauth2/token", post(oauth::token))
        .merge(api.clone())
        .nest("/api", api)
        .merge(secure3d::page_routes())
        .merge(control::routes())
        .merge(payform_routes())
        .merge(demo::routes())
        .fallback(middleware::not_found)
        .layer(axum::middleware::from_fn_with_state(sandbox.clone(), faults::inject))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(GlobalConcurrencyLimitLayer::new(config.concurrency_limit))
        .layer(axum::middleware::from_fn(middleware::json_errors))
        .layer(axum::middleware::from_fn(middleware::log_request))
        .with_state(sandbox)
}

/// Routes that exist both bare and under `/api`.
fn api_routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route(
            "/check-status/payment/transaction/{invoice_id}",
            get(status::check_payment),
        )
        .route("/operation/{invoice_id}", get(status::operation))
        .route("/operation/{id}/charge", post(operations::charge))
        .route("/operation/{id}/cancel", post(operations::cancel))
        .route("/operation/{id}/refund", post(operations::refund))
        .route("/public.rsa", get(payments::public_key))
        .route("/payment/cryptopay", post(payments::cryptopay))
        .route("/payments/cards/auth", post(payments::cards_auth))
        .route("/cards/{account_id}", get(saved_cards::list))
        .route("/card/deactivate/{card_id}", post(saved_cards::deactivate))
        .merge(secure3d::api_routes())
        .route("/p2p/transfer", post(transfers::p2p))
        .route("/chdebit/transfer", post(transfers::aft))
        .route("/chpayment/transfer", post(transfers::oct))
        .route("/check-status/p2p/transaction/{order}", get(transfers::check_p2p))
        .route("/operations", post(operations_search::payments))
        .route("/p2p/operations", post(operations_search::transfers))
}

/// The hosted payment page: browser routes, served bare only (as on the bank's payform host).
fn payform_routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/payform/", get(payform::page))
        .route("/payform/payment-api.js", get(payform::script))
        .route("/payform/pay", post(payform::pay))
        .route("/payform/transfer", post(payform::transfer))
}

/// How long a graceful shutdown waits for in-flight requests.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);
