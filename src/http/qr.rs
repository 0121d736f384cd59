//! Homebank QR payments (spec §3.15, docs/invoices-recurrent-qr.md): `POST /payment/qr/generate`
//! and `GET /qr[?billNumber=]` (bank API), the control plane's `GET /_sandbox/qr[/{billNumber}]`
//! and `POST /_sandbox/qr/{billNumber}/{scan|pay|reject}`, and (feature `pages`) the bank-app
//! page `GET /homebank/qr/{billNumber}` whose buttons do the same.

use super::error::ApiError;
use super::extract::{Bearer, FormFields, JsonBody};
use super::refusals::{control_answer, refused, unknown, wrong_state};
use crate::domain::money::Amount;
use crate::domain::qr::{QrAction, QrError};
use crate::domain::tokens::FieldMap;
use crate::engine::{QrGenerateRequest, Sandbox};
use crate::wire::qr::{QrGenerateBody, QrGenerated, QrStatusView};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::sync::Arc;

/// Bank API routes (served bare and under `/api`).
pub fn api_routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/payment/qr/generate", post(generate))
        .route("/qr", get(status))
}

/// Control-plane routes.
pub fn control_routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/_sandbox/qr", get(list))
        .route("/_sandbox/qr/{bill}", get(show))
        .route("/_sandbox/qr/{bill}/{action}", post(act))
}

/// `POST /payment/qr/generate`: a new bill for the token's order.
#[utoipa::path(
    post,
    path = "/payment/qr/generate",
    tag = "qr",
    request_body(content = crate::wire::qr::QrGenerateBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The new bill", body = crate::wire::qr::QrGenerated),
        (status = 400, description = "Refused (code -1): no amount, a bad field, or a used invoiceId", body = crate::wire::errors::ApiError)
    ),
    security(("bearer" = []))
)]
pub async fn generate(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    JsonBody(body): JsonBody<QrGenerateBody>,
) -> Response {
    let amount = match body.amount.as_str() {
        "" => None,
        text => match Amount::parse(text) {
            Ok(amount) => Some(amount),
            Err(error) => return refused(format!("amount: {error}")).into_response(),
        },
    };
    let request = QrGenerateRequest {
        invoice_id: body.invoice_id,
        amount,
        currency: body.currency,
        terminal_id: Some(body.terminal_id).filter(|t| !t.is_empty()),
        post_link: body.post_link,
        failure_post_link: body.failure_post_link,
        description: body.description,
        language: body.language,
        account_id: body.account_id,
        payer_email: body.payer_email,
        payer_phone: body.payer_phone,
    };
    match sandbox.generate_qr(&token, &request) {
        Ok(payment) => Json(QrGenerated::of(&payment, &sandbox.public_url())).into_response(),
        Err(error) => api_error(error).into_response(),
    }
}

/// The query of `GET /qr`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QrQuery {
    /// The bill; without it, the bill generated with the request's token.
    #[serde(default, alias = "billnumber")]
    pub bill_number: Option<String>,
}

/// `GET /qr?billNumber=`: the bill's status.
#[utoipa::path(
    get,
    path = "/qr",
    tag = "qr",
    params(("billNumber" = Option<String>, Query, description = "The bill; without it, the bill generated with the request's token")),
    responses(
        (status = 200, description = "The bill's status", body = crate::wire::qr::QrStatusView),
        (status = 404, description = "No such bill of the token's client", body = crate::wire::errors::ApiError)
    ),
    security(("bearer" = []))
)]
pub async fn status(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    Query(query): Query<QrQuery>,
) -> Response {
    match sandbox.qr_status(&token, query.bill_number.as_deref()) {
        Ok(payment) => Json(QrStatusView::of(&payment, &sandbox.public_url())).into_response(),
        Err(error) => api_error(error).into_response(),
    }
}

fn api_error(error: QrError) -> ApiError {
    match error {
        QrError::Invalid(_) => refused(error.to_string()),
        QrError::NotFound(_) => unknown(error.to_string()),
        QrError::WrongState { .. } => wrong_state(error.to_string()),
    }
}

/// `GET /_sandbox/qr`: every bill, newest first.
#[utoipa::path(
    get,
    path = "/_sandbox/qr",
    tag = "qr",
    responses(
        (status = 200, description = "Every bill, newest first", body = Vec<crate::wire::qr::QrStatusView>)
    )
)]
async fn list(State(sandbox): State<Arc<Sandbox>>) -> Response {
    let base = sandbox.public_url();
    let all: Vec<QrStatusView> = sandbox.qr_bills().iter().map(|p| QrStatusView::of(p, &base)).collect();
    Json(all).into_response()
}

/// `GET /_sandbox/qr/{billNumber}`.
#[utoipa::path(
    get,
    path = "/_sandbox/qr/{billNumber}",
    tag = "qr",
    params(("billNumber" = String, Path, description = "The bill number")),
    responses(
        (status = 200, description = "The bill's status", body = crate::wire::qr::QrStatusView),
        (status = 404, description = "No such bill", body = crate::wire::errors::ApiError)
    )
)]
async fn show(State(sandbox): State<Arc<Sandbox>>, Path(bill): Path<String>) -> Response {
    match sandbox.qr_bill(&bill) {
        Ok(payment) => Json(QrStatusView::of(&payment, &sandbox.public_url())).into_response(),
        Err(error) => api_error(error).into_response(),
    }
}

/// Runs a payer's action: `scan`, `pay` (optional field `pan`: a test card) or `reject`.
fn run_action(sandbox: &Sandbox, bill: &str, action: &str, fields: &FieldMap) -> Result<QrStatusView, ApiError> {
    let action = parse_action(action).map_err(unknown)?;
    sandbox
        .qr_act(bill, action, fields.get("pan").map(String::as_str))
        .map(|payment| QrStatusView::of(&payment, &sandbox.public_url()))
        .map_err(api_error)
}

/// An action of the path, or what is wrong with it.
fn parse_action(action: &str) -> Result<QrAction, String> {
    QrAction::parse(action).ok_or_else(|| format!("no QR action '{action}' (scan, pay or reject)"))
}

/// `POST /_sandbox/qr/{billNumber}/{scan|pay|reject}`.
#[utoipa::path(
    post,
    path = "/_sandbox/qr/{billNumber}/{action}",
    tag = "qr",
    params(
        ("billNumber" = String, Path, description = "The bill number"),
        ("action" = String, Path, description = "`scan`, `pay` (form field `pan`: a test card) or `reject`")
    ),
    request_body(content(
        (Object = "application/x-www-form-urlencoded"),
        (Object = "application/json")
    )),
    responses(
        (status = 200, description = "The bill's status after the action", body = crate::wire::qr::QrStatusView),
        (status = 303, response = crate::http::openapi::DashboardRedirect),
        (status = 400, description = "Refused (code -1): e.g. an unknown card", body = crate::wire::errors::ApiError),
        (status = 404, description = "No such bill or action", body = crate::wire::errors::ApiError),
        (status = 409, description = "The action does not fit the bill's status (code 409)", body = crate::wire::errors::ApiError)
    )
)]
async fn act(
    State(sandbox): State<Arc<Sandbox>>,
    Path((bill, action)): Path<(String, String)>,
    FormFields(fields): FormFields,
) -> Response {
    match run_action(&sandbox, &bill, &action, &fields) {
        Ok(view) => control_answer(&fields, view),
        Err(error) => error.into_response(),
    }
}

/// The bank-app page (feature `pages`): the payer's view of a bill with Scan, Pay (with a test
/// card) and Reject buttons, which post back to the page.
#[cfg(feature = "pages")]
pub mod app {
    use super::super::extract::FormFields;
    use super::super::pages::MessagePage;
    use super::super::secure3d_pages::render;
    use super::parse_action;
    use crate::domain::cards::mask_pan;
    use crate::domain::qr::QrStatus;
    use crate::engine::Sandbox;
    use askama::Template;
    use axum::extract::{Path, State};
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Redirect, Response};
    use axum::routing::{get, post};
    use axum::Router;
    use std::sync::Arc;

    /// `GET /homebank/qr/{billNumber}` and its buttons' `POST /homebank/qr/{billNumber}/{action}`.
    pub fn routes() -> Router<Arc<Sandbox>> {
        Router::new()
            .route("/homebank/qr/{bill}", get(page))
            .route("/homebank/qr/{bill}/{action}", post(act))
    }

    struct CardChoice {
        pan: String,
        label: String,
    }

    #[derive(Template)]
    #[template(path = "qr_app.html")]
    struct AppPage {
        bill: String,
        merchant: String,
        amount: String,
        currency: String,
        description: String,
        status: String,
        can_scan: bool,
        can_pay: bool,
        can_reject: bool,
        cards: Vec<CardChoice>,
        error: String,
    }

    /// The payer's view of a bill in the bank app.
    #[utoipa::path(
        get,
        path = "/homebank/qr/{billNumber}",
        tag = "pages",
        params(("billNumber" = String, Path, description = "The bill number")),
        responses(
            (status = 200, description = "The bank-app page", body = String, content_type = "text/html"),
            (status = 404, description = "No such bill", body = String, content_type = "text/html")
        )
    )]
    async fn page(State(sandbox): State<Arc<Sandbox>>, Path(bill): Path<String>) -> Response {
        render_page(&sandbox, &bill, String::new())
    }

    fn render_page(sandbox: &Sandbox, bill: &str, error: String) -> Response {
        let payment = match sandbox.qr_bill(bill) {
            Ok(payment) => payment,
            Err(error) => {
                let page = render(&MessagePage {
                    heading: "Homebank QR",
                    message: error.to_string(),
                });
                return (StatusCode::NOT_FOUND, page).into_response();
            }
        };
        let merchant = sandbox
            .terminal(&payment.bill.terminal_id)
            .map(|(_, t)| t.name)
            .unwrap_or_default();
        let waiting = payment.transaction.is_none();
        let status = payment.status;
        render(&AppPage {
            bill: payment.bill.bill_number.clone(),
            merchant,
            amount: payment.bill.amount.to_string(),
            currency: payment.bill.currency.clone(),
            description: payment.bill.description.clone(),
            status: serde_json::to_value(status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            can_scan: status == QrStatus::New,
            can_pay: status == QrStatus::Scanned && waiting,
            can_reject: matches!(status, QrStatus::New | QrStatus::Scanned) && waiting,
            cards: sandbox
                .qr_app_cards()
                .into_iter()
                .map(|c| CardChoice {
                    pan: c.pan.clone(),
                    label: format!("{} {} ({})", c.brand, mask_pan(&c.pan), c.note),
                })
                .collect(),
            error,
        })
    }

    /// A button of the bank-app page: `scan`, `pay` (form field `pan`) or `reject`.
    #[utoipa::path(
        post,
        path = "/homebank/qr/{billNumber}/{action}",
        tag = "pages",
        params(
            ("billNumber" = String, Path, description = "The bill number"),
            ("action" = String, Path, description = "`scan`, `pay` or `reject`")
        ),
        request_body(content(
            (Object = "application/x-www-form-urlencoded"),
            (Object = "application/json")
        )),
        responses(
            (status = 303, description = "Done: back to the bank-app page"),
            (status = 200, description = "Refused: the page again, saying why", body = String, content_type = "text/html"),
            (status = 404, description = "No such bill", body = String, content_type = "text/html")
        )
    )]
    async fn act(
        State(sandbox): State<Arc<Sandbox>>,
        Path((bill, action)): Path<(String, String)>,
        FormFields(fields): FormFields,
    ) -> Response {
        let done = parse_action(&action).and_then(|action| {
            sandbox
                .qr_act(&bill, action, fields.get("pan").map(String::as_str))
                .map_err(|e| e.to_string())
        });
        match done {
            Ok(payment) => Redirect::to(&format!("/homebank/qr/{}", payment.bill.bill_number)).into_response(),
            Err(message) => render_page(&sandbox, &bill, message),
        }
    }
}
