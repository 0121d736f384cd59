//! The HTTP face of the sandbox: one module per ePay area, each a thin layer that parses the
//! request, calls the engine and renders the bank's response shape.
//!
//! Every API route is served both bare (production, new test host) and under `/api` (the old
//! test host); the token endpoint both as `/oauth2/token` and `/epay2/oauth2/token`.
//!
//! The browser pages (the ACS, the hosted payment page, the dashboard, the demo shop, the
//! landing page and the HTML views) need the `pages` feature; this file is where they are wired
//! in, and without it every route answers JSON only.

#[cfg(feature = "pages")]
pub mod acs;
pub mod aliases;
pub mod bonus;
pub mod control;
pub mod cryptogram;
pub mod deliveries;
#[cfg(feature = "pages")]
pub mod demo;
pub mod error;
pub mod extract;
mod faults;
pub mod fidelity_control;
pub mod homebank;
pub mod installments;
pub mod invoices;
pub mod json;
pub mod json_node;
pub mod json_scan;
pub mod lenient;
mod middleware;
pub mod oauth;
pub mod openapi;
pub mod operations;
pub mod operations_search;
#[cfg(feature = "pages")]
pub mod pages;
#[cfg(feature = "pages")]
pub mod payform;
pub mod payments;
pub mod qr;
pub mod recurrent;
mod refusals;
#[cfg(feature = "pages")]
pub mod result_pages;
pub mod saved_cards;
pub mod sdk;
pub mod secure3d;
pub mod secure3d_control;
#[cfg(feature = "pages")]
pub mod secure3d_pages;
pub mod status;
pub mod transfers;

use crate::engine::Sandbox;
use axum::http::{HeaderValue, Method};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

/// The whole application: ePay's routes, the control plane, limits and JSON errors.
///
/// The edge layer (limits, errors, the journal) and the panic guard wrap the routed application
/// once, not each route: a `Router`'s own `.layer` wraps every route, so each request paid for
/// cloning the whole per-route stack (and its boxes) twice. CORS stays on the bank's routes.
pub fn app(sandbox: Arc<Sandbox>) -> Router {
    let config = sandbox.config();
    let edge = middleware::Edge {
        sandbox: sandbox.clone(),
        limits: middleware::BodyLimits {
            bytes: config.body_limit,
            timeout: config.request_timeout,
        },
        in_flight: Arc::new(tokio::sync::Semaphore::new(config.concurrency_limit)),
    };
    let guarded = ServiceBuilder::new()
        .layer(axum::middleware::from_fn_with_state(edge, middleware::edge))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .service(routes(sandbox));
    Router::new().fallback_service(guarded)
}

/// Every route of [`app`] (ePay's, the control plane's, the pages), with the bank's CORS but
/// without the edge layer: what the route listing of the OpenAPI drift test reads.
pub fn routes(sandbox: Arc<Sandbox>) -> Router {
    let api = api_routes();
    let bank = Router::new()
        .route("/oauth2/token", post(oauth::token))
        .route("/epay2/oauth2/token", post(oauth::token))
        .merge(api.clone())
        .nest("/api", api)
        .layer(cors(&sandbox.config().cors_origins));
    with_pages(
        Router::new()
            .merge(bank)
            .route("/_sandbox/tls/ca.pem", get(control::tls_ca::ca_pem))
            .merge(control::routes())
            .merge(deliveries::routes())
            .merge(invoices::control_routes())
            .merge(recurrent::control_routes())
            .merge(qr::control_routes()),
    )
    .fallback(middleware::not_found)
    .with_state(sandbox)
}

/// The browser pages: the landing page, the payment-page host's result pages, the hosted
/// payment page, the demo shop and the dashboard.
#[cfg(feature = "pages")]
fn with_pages(router: Router<Arc<Sandbox>>) -> Router<Arc<Sandbox>> {
    router
        .route("/", get(pages::landing))
        .merge(acs::page_routes())
        .merge(payform_routes())
        .merge(demo::routes())
        .merge(control::page_routes())
        .merge(invoices::page::routes())
        .merge(qr::app::routes())
}

/// Without the `pages` feature: no browser pages.
#[cfg(not(feature = "pages"))]
fn with_pages(router: Router<Arc<Sandbox>>) -> Router<Arc<Sandbox>> {
    router
}

/// The ACS, served bare and under `/api` like the API.
#[cfg(feature = "pages")]
fn with_acs(router: Router<Arc<Sandbox>>) -> Router<Arc<Sandbox>> {
    router.merge(acs::acs_routes())
}

/// Without the `pages` feature there is no ACS page: finish challenges with
/// `POST /_sandbox/3ds/{id}/complete`.
#[cfg(not(feature = "pages"))]
fn with_acs(router: Router<Arc<Sandbox>>) -> Router<Arc<Sandbox>> {
    router
}

/// HTML views of JSON routes for browsers; `None` without the
/// `pages` feature, so every client gets JSON.
#[cfg(not(feature = "pages"))]
pub mod pages {
    use crate::callbacks::Delivery;
    use crate::domain::cards::TestCard;
    use axum::http::HeaderMap;
    use axum::response::Response;

    /// Always `None`: no HTML view.
    pub fn cards(_headers: &HeaderMap, _cards: &[TestCard]) -> Option<Response> {
        None
    }

    /// Always `None`: no HTML view.
    pub fn deliveries(_headers: &HeaderMap, _deliveries: &[Delivery]) -> Option<Response> {
        None
    }
}

/// CORS for the bank-facing API (token, payments, status, operations, cards, transfers,
/// public.rsa), never for `/_sandbox/` or the pages: preflights are answered, and the
/// request's `Origin` is reflected, or only those of `--cors-origins` when given (W-01).
fn cors(origins: &[String]) -> CorsLayer {
    let allowed = if origins.is_empty() {
        AllowOrigin::mirror_request()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|origin| match HeaderValue::from_str(origin) {
            Ok(value) => Some(value),
            Err(_) => {
                tracing::warn!("--cors-origins: {origin:?} is not a valid origin; ignored");
                None
            }
        }))
    };
    CorsLayer::new()
        .allow_origin(allowed)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers(AllowHeaders::mirror_request())
        .max_age(Duration::from_secs(600))
}

/// Routes that exist both bare and under `/api`.
fn api_routes() -> Router<Arc<Sandbox>> {
    with_acs(Router::new())
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
        .merge(ios_sdk_routes())
        .merge(invoices::api_routes())
        .merge(recurrent::api_routes())
        .merge(qr::api_routes())
}

/// What the bank's iOS SDK calls besides payments (docs/ios-sdk.md).
fn ios_sdk_routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/public-profile", post(sdk::public_profile))
        .route("/terminals/{id}", get(sdk::terminal))
        .route("/credit-condition", get(installments::credit_conditions))
        .route("/order", post(installments::create_order))
        .route("/order/status", get(installments::order_status))
        .route("/payment/checkgobonus", post(bonus::check_go_bonus))
        .route("/hb-cards", get(homebank::cards))
}

/// The hosted payment page: browser routes, served bare only (as on the bank's payform host).
#[cfg(feature = "pages")]
fn payform_routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/payform/", get(payform::page))
        .route("/payform/payment-api.js", get(payform::script))
        .route("/payform/pay", post(payform::pay))
        .route("/payform/transfer", post(payform::transfer))
}

/// How long a graceful shutdown waits for in-flight requests.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);
