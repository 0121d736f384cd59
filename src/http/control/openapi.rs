//! `GET /_sandbox/openapi.json`: the OpenAPI 3.0 description of every route (ePay's and the
//! control plane's), kept as `docs/openapi.json` and compiled in.

use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::Router;

/// The document, as checked in.
pub const OPENAPI_JSON: &str = include_str!("../../../docs/openapi.json");

/// Serves [`OPENAPI_JSON`].
pub async fn document() -> Response {
    ([(CONTENT_TYPE, "application/json")], OPENAPI_JSON).into_response()
}

/// Every path registered in `router` (axum spelling, e.g. `/operation/{invoice_id}`), sorted.
///
/// axum has no public route listing, so this reads the router's `Debug` output, which lists
/// each registered path as a quoted string (before the fallback router's own entries). The test comparing the router with the OpenAPI
/// document also checks that well-known paths are found, so a change in that output cannot
/// make the comparison pass vacuously.
pub fn route_paths<S>(router: &Router<S>) -> Vec<String> {
    let text = format!("{router:?}");
    let registered = text.split("fallback_router:").next().unwrap_or_default();
    let mut paths: Vec<String> = registered
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with('/') && !s.contains("__private__"))
        .map(str::to_string)
        .collect();
    paths.sort();
    paths.dedup();
    paths
}
