//! `GET /_sandbox/openapi.json`: the OpenAPI 3.1 description of every route (ePay's and the
//! control plane's), generated from the code by [`crate::http::openapi::document`]; this module
//! lists the control plane's operations (its handlers are private to `control`).

use crate::http::json::Json;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;

/// The control plane's operations.
#[derive(OpenApi)]
#[openapi(
    paths(
        super::health,
        super::reset,
        super::seed,
        super::clock::show,
        super::clock::freeze,
        super::clock::unfreeze,
        super::clock::advance,
        super::clock::set,
        super::inspect::transactions,
        super::inspect::create_transaction,
        super::inspect::transaction,
        super::inspect::operate,
        super::inspect::tokens,
        super::inspect::journal,
        super::inspect::state,
        super::inspect::merchants,
        super::inspect::create_merchant,
        super::inspect::delete_merchant,
        super::inspect::cards,
        super::inspect::reasons,
        super::rules::scenarios,
        super::rules::add_scenario,
        super::rules::remove_scenario,
        super::rules::clear_scenarios,
        super::rules::faults,
        super::rules::add_fault,
        super::rules::remove_fault,
        super::rules::clear_faults,
        document,
        crate::http::cryptogram::create,
        crate::http::deliveries::list,
        crate::http::deliveries::show,
        crate::http::deliveries::resend,
        crate::http::deliveries::settings,
        crate::http::deliveries::update_settings,
        crate::http::secure3d_control::complete,
        super::tls_ca::ca_pem,
        crate::http::fidelity_control::show,
        crate::http::fidelity_control::update,
        crate::http::fidelity_control::reset,
        super::installments::orders,
        super::installments::order,
        super::installments::step,
        super::installments::bonuses,
        crate::http::invoices::list,
        crate::http::invoices::show,
        crate::http::invoices::cancel,
        crate::http::recurrent::list,
        crate::http::recurrent::show,
        crate::http::recurrent::run,
        crate::http::recurrent::cancel,
        crate::http::qr::list,
        crate::http::qr::show,
        crate::http::qr::act,
    ),
    components(responses(crate::http::openapi::DashboardRedirect))
)]
struct ControlApi;

/// The dashboard (feature `pages`).
#[cfg(feature = "pages")]
#[derive(OpenApi)]
#[openapi(paths(super::dashboard::page))]
struct DashboardApi;

/// The control plane's part of the document.
pub fn control_api() -> utoipa::openapi::OpenApi {
    let api = ControlApi::openapi();
    #[cfg(feature = "pages")]
    let api = api.merge_from(DashboardApi::openapi());
    api
}

/// Serves [`crate::http::openapi::document`].
#[utoipa::path(
    get,
    path = "/_sandbox/openapi.json",
    tag = "control",
    responses(
        (status = 200, description = "This document", body = Object)
    )
)]
pub async fn document() -> Response {
    Json(crate::http::openapi::document()).into_response()
}
