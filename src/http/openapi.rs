//! The OpenAPI document of every route, generated from the code: each handler carries its
//! `#[utoipa::path]` (path, method, parameters, body, the status codes it answers), the wire
//! types derive `ToSchema`, and [`document`] assembles the parts the way [`super::app`]
//! assembles the router: the bank API bare and under `/api`, the token endpoint at both paths,
//! the control plane and the pages. Codes that the middleware, not the handler, answers (body
//! limits, timeouts, the bearer check, the control-plane guard) are added here, once, by
//! `add_common_responses`. docs/openapi.md says how to document a new route; the test
//! `openapi_documents_exactly_the_served_routes` fails when the router and this document differ.

use super::{operations, operations_search, payments, saved_cards, secure3d, status, transfers};
use axum::Router;
use serde_json::{Map, Value};
use utoipa::{OpenApi, PartialSchema};

/// The bank API routes, served bare and under `/api` (`api_routes` in `http/mod.rs`).
#[derive(OpenApi)]
#[openapi(
    paths(
        status::check_payment,
        status::operation,
        operations::charge,
        operations::cancel,
        operations::refund,
        payments::public_key,
        payments::cryptopay,
        payments::cards_auth,
        saved_cards::list,
        saved_cards::deactivate,
        secure3d::payment_confirm,
        secure3d::confirm_payment,
        transfers::p2p,
        transfers::aft,
        transfers::oct,
        transfers::check_p2p,
        operations_search::payments,
        operations_search::transfers,
        super::sdk::public_profile,
        super::sdk::terminal,
        super::installments::credit_conditions,
        super::installments::create_order,
        super::installments::order_status,
        super::bonus::check_go_bonus,
        super::homebank::cards,
        super::invoices::create,
        super::recurrent::subscribe,
        super::qr::generate,
        super::qr::status,
    ),
    components(schemas(crate::wire::errors::ApiError))
)]
struct BankApi;

/// The ACS, part of the bank API when the pages are built.
#[cfg(feature = "pages")]
#[derive(OpenApi)]
#[openapi(paths(super::acs::acs, super::acs::acs_submit))]
struct AcsApi;

/// The token endpoint (`/oauth2/token`, also at `/epay2/oauth2/token`).
#[derive(OpenApi)]
#[openapi(paths(super::oauth::token))]
struct TokenApi;

/// The browser pages outside the control plane's own list.
#[cfg(feature = "pages")]
#[derive(OpenApi)]
#[openapi(paths(
    super::pages::landing,
    super::result_pages::success_page,
    super::result_pages::failure_page,
    super::payform::page,
    super::payform::script,
    super::payform::pay,
    super::payform::transfer,
    super::demo::page,
    super::demo::token,
    super::demo::back,
    super::demo::postlink,
    super::invoices::page::open,
    super::qr::app::page,
    super::qr::app::act,
))]
struct PagesApi;

/// The 303 of a control endpoint posted by a dashboard form with a `redirect` field: back to
/// that page (`respond` in `http/control/mod.rs`).
pub struct DashboardRedirect;

impl<'r> utoipa::ToResponse<'r> for DashboardRedirect {
    fn response() -> (&'r str, utoipa::openapi::RefOr<utoipa::openapi::response::Response>) {
        let location = utoipa::openapi::HeaderBuilder::new()
            .schema(Some(String::schema()))
            .description(Some("The dashboard page under /_sandbox"))
            .build();
        let response = utoipa::openapi::ResponseBuilder::new()
            .description("A dashboard form's `redirect`: back to that page")
            .header("Location", location)
            .build();
        ("DashboardRedirect", response.into())
    }
}

/// Paths served twice: the second path answers exactly like the first.
const ALIASES: [(&str, &str); 2] = [("/oauth2/token", "/epay2/oauth2/token"), ("/_sandbox", "/_sandbox/")];

/// The whole document, as served at `GET /_sandbox/openapi.json`.
pub fn document() -> Value {
    let mut doc = utoipa::openapi::OpenApiBuilder::new()
        .info(
            utoipa::openapi::InfoBuilder::new()
                .title("ePay Sandbox")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "An offline emulator of Halyk Bank's ePay gateway: the bank's API (bare and under /api), \
                     the token endpoint, the control plane under /_sandbox and the browser pages. \
                     Generated from the code (docs/openapi.md).",
                ))
                .build(),
        )
        .build();
    let bank = BankApi::openapi();
    #[cfg(feature = "pages")]
    let bank = bank.merge_from(AcsApi::openapi());
    doc.merge(TokenApi::openapi());
    doc.merge(bank.clone());
    doc = doc.nest("/api", bank);
    doc.merge(super::control::openapi::control_api());
    #[cfg(feature = "pages")]
    doc.merge(PagesApi::openapi());
    let mut doc = serde_json::to_value(doc).unwrap_or_default();
    for (from, to) in ALIASES {
        if let Some(item) = doc["paths"].get(from).cloned() {
            doc["paths"][to] = item;
        }
    }
    add_common_responses(&mut doc);
    doc
}

/// What the middleware answers on every operation it applies to, added where the handler's
/// own annotation does not already list the code; plus unique `operationId`s (`get_cards_accountId`)
/// and the security schemes.
fn add_common_responses(doc: &mut Value) {
    let error = |description: &str| {
        serde_json::json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
        })
    };
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, operation) in item.iter_mut() {
            let Some(operation) = operation.as_object_mut() else {
                continue;
            };
            operation.insert("operationId".into(), Value::from(operation_id(method, path)));
            let bearer = operation
                .get("security")
                .is_some_and(|s| s.to_string().contains("\"bearer\""));
            let control = path == "/_sandbox" || path.starts_with("/_sandbox/");
            let mut common = vec![
                (
                    "400",
                    "Unreadable body, invalid input, or a malformed request line or header",
                ),
                ("408", "The request took too long (--request-timeout)"),
                ("413", "The body is larger than --body-limit"),
                (
                    "414",
                    "The URI is too long (answered by the HTTP parser, in this shape too)",
                ),
                (
                    "431",
                    "Too many or too large headers (answered by the HTTP parser, in this shape too)",
                ),
            ];
            if bearer {
                common.push(("401", "No bearer token, or a forged, expired or revoked one"));
            }
            if control {
                common.push((
                    "403",
                    "Host not allowed, or a cross-origin state change (docs/hardening.md)",
                ));
                common.push(("401", "--control-token is set and the request does not carry it"));
                operation.insert("security".into(), serde_json::json!([{}, {"controlToken": []}]));
            }
            let responses = operation
                .entry("responses")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(responses) = responses.as_object_mut() {
                for (code, description) in common {
                    responses.entry(code).or_insert_with(|| error(description));
                }
            }
        }
    }
    doc["components"]["securitySchemes"] = serde_json::json!({
        "bearer": {"type": "http", "scheme": "bearer", "description": "An access_token of POST /oauth2/token"},
        "controlToken": {"type": "http", "scheme": "bearer", "description": "The --control-token, when the sandbox has one"},
    });
}

/// `post /operation/{id}/charge` → `post_operation_id_charge`; `/api/...` gets `api_`.
fn operation_id(method: &str, path: &str) -> String {
    let words: Vec<&str> = path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut id = method.to_string();
    for word in words {
        id.push('_');
        id.push_str(word);
    }
    if path.ends_with('/') && path.len() > 1 {
        id.push_str("_slash");
    }
    id
}

/// Every path registered in `router` (axum spelling, e.g. `/operation/{invoice_id}`), sorted.
///
/// axum has no public route listing, so this reads the router's `Debug` output, which lists
/// each registered path as a quoted string (before the fallback router's own entries). The
/// drift test also checks that well-known paths are found, so a change in that output cannot
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

#[cfg(test)]
mod tests {
    use super::document;
    use std::collections::BTreeSet;

    /// Every (path, method, operation) of the document.
    fn operations(doc: &serde_json::Value) -> Vec<(String, String, serde_json::Value)> {
        let paths = doc["paths"].as_object().cloned().unwrap_or_default();
        paths
            .into_iter()
            .flat_map(|(path, item)| {
                let item = item.as_object().cloned().unwrap_or_default();
                item.into_iter().map(move |(method, op)| (path.clone(), method, op))
            })
            .collect()
    }

    #[test]
    fn operation_ids_are_unique() {
        let doc = document();
        let all = operations(&doc);
        let ids: BTreeSet<&str> = all.iter().filter_map(|(_, _, op)| op["operationId"].as_str()).collect();
        assert_eq!(ids.len(), all.len(), "duplicate or missing operationIds");
    }

    /// A path item without its operation ids (which differ between the copies).
    fn without_ids(item: &serde_json::Value) -> serde_json::Value {
        let mut item = item.clone();
        for operation in item.as_object_mut().into_iter().flat_map(|o| o.values_mut()) {
            if let Some(operation) = operation.as_object_mut() {
                operation.remove("operationId");
            }
        }
        item
    }

    #[test]
    fn bank_routes_are_documented_bare_and_under_api_alike() {
        let doc = document();
        let paths = &doc["paths"];
        for path in [
            "/payment/cryptopay",
            "/check-status/payment/transaction/{invoiceId}",
            "/p2p/operations",
        ] {
            assert!(paths[path].is_object(), "{path}");
            assert_eq!(
                without_ids(&paths[path]),
                without_ids(&paths[format!("/api{path}")]),
                "{path}"
            );
        }
        assert_eq!(
            without_ids(&paths["/oauth2/token"]),
            without_ids(&paths["/epay2/oauth2/token"])
        );
    }

    #[test]
    fn middleware_codes_are_documented_with_error_bodies() {
        for (path, method, op) in operations(&document()) {
            let mut codes = vec!["400", "408", "413", "414", "431"];
            if op["security"].to_string().contains("\"bearer\"") {
                codes.push("401");
            }
            if path.starts_with("/_sandbox") {
                codes.extend(["401", "403"]);
            }
            for code in codes {
                assert!(
                    op["responses"][code]["content"].is_object(),
                    "{method} {path}: {code} without a body"
                );
            }
        }
    }
}
