//! 3-D Secure over HTTP: both confirm paths (`POST /payment/confirm` of seed 003 and the SDKs'
//! `POST /payments/cards/confirmPayment?Access=`). The ACS and the `payform` success/failure
//! pages they redirect to are browser pages, in `http/acs.rs`.

use super::aliases;
use super::error::ApiError;
use super::extract::{FormFields, JsonBody, OptionalBearer};
use crate::domain::links::Link;
use crate::domain::tokens::FieldMap;
use crate::domain::transaction::Transaction;
use crate::engine::{ConfirmRequest, Confirmed, Sandbox, Secure3dError};
use crate::fidelity::{self, ConfirmToken, Profile};
use axum::extract::{Query, State};
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::Value;
use std::sync::Arc;
use uuid::Uuid;

/// Routes served bare and under `/api` (merged into the API routes); the ACS pages are in
/// `http/acs.rs`.
pub fn api_routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/payment/confirm", post(payment_confirm))
        .route("/payments/cards/confirmPayment", post(confirm_payment))
}

/// A refused 3-D Secure request in ePay's error shape. (S-07)
impl From<Secure3dError> for ApiError {
    fn from(error: Secure3dError) -> Self {
        if error == Secure3dError::TokenRequired {
            return ApiError::new(StatusCode::UNAUTHORIZED, 401, error.to_string());
        }
        let (status, code) = fidelity::SECURE3D_REFUSAL;
        ApiError::new(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            code,
            error.to_string(),
        )
    }
}

/// The first non-empty field among `names`.
pub(super) fn field<'a>(fields: &'a FieldMap, names: &[&str]) -> &'a str {
    names
        .iter()
        .filter_map(|n| fields.get(*n))
        .map(|v| v.trim())
        .find(|v| !v.is_empty())
        .unwrap_or("")
}

/// `POST /payment/confirm` with `{ID, PaRes, MD}` (seed 003): finishes the payment and
/// redirects to the success page (amount, currency, invoiceID, accountID, description,
/// reference, language, cardid) or the failure page (invoiceID, code, message). (S-05)
///
/// The bearer token is optional by default (seed 003 sends none; key `confirm.token`); one that
/// is sent must be live. (S-10)
#[utoipa::path(
    post,
    path = "/payment/confirm",
    tag = "3-D Secure",
    request_body(content = crate::wire::requests::ConfirmRequest, content_type = "application/json"),
    responses(
        (status = 302, description = "To the success or failure page", headers(("Location" = String, description = "The result page"))),
        (status = 400, description = "Unknown session, bad PaRes (code -1)", body = crate::wire::errors::ApiError)
    ),
    security((), ("bearer" = []))
)]
pub async fn payment_confirm(
    State(sandbox): State<Arc<Sandbox>>,
    OptionalBearer(token): OptionalBearer,
    JsonBody(body): JsonBody<Value>,
) -> Response {
    let text = |names: &[&str]| {
        names
            .iter()
            .filter_map(|n| body.get(*n).and_then(Value::as_str))
            .map(str::trim)
            .find(|s| !s.is_empty())
            .unwrap_or("")
            .to_string()
    };
    let (id, pa_res, md) = (text(&["ID", "id", "Id"]), text(aliases::PA_RES), text(aliases::MD));
    if token.is_none() && sandbox.fidelity().global().confirm_token == ConfirmToken::Required {
        return ApiError::from(Secure3dError::TokenRequired).into_response();
    }
    if id.is_empty() || pa_res.is_empty() || md.is_empty() {
        return ApiError::from(Secure3dError::Invalid(
            "ID, PaRes and MD are required (ID is the cryptopay answer's id; PaRes and MD what the ACS posted to TermUrl)"
                .into(),
        ))
        .into_response();
    }
    let Ok(transaction_id) = Uuid::parse_str(&id) else {
        return ApiError::from(Secure3dError::Invalid(format!(
            "ID must be the transaction UUID of the cryptopay answer, got '{}'",
            id.chars().take(64).collect::<String>()
        )))
        .into_response();
    };
    let request = ConfirmRequest {
        transaction_id: Some(transaction_id),
        pa_res,
        md,
    };
    let base = sandbox.public_url();
    match sandbox.confirm_challenge(token.as_ref(), &request) {
        Ok(Confirmed::Approved(tx)) => {
            let profile = sandbox.profile_for(tx.client_id());
            redirect(&profile, &confirm_success_url(&base, &tx, &profile))
        }
        Ok(Confirmed::Refused {
            transaction,
            code,
            message,
        }) => redirect(
            &sandbox.profile_for(transaction.client_id()),
            &fidelity::confirm_failure_url(&base, transaction.order().invoice_id, code, &message),
        ),
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// `POST /payments/cards/confirmPayment?Access=<token>`, the SDKs' TermUrl: the ACS form posts
/// `PaRes` + `MD` here; the browser is redirected with `?reference=<RRN>` on success and
/// `?errorCode=<code>` on failure, to the payment's `backLink`/`failureBackLink` when set,
/// else to the sandbox's own result pages. (S-08)
#[utoipa::path(
    post,
    path = "/payments/cards/confirmPayment",
    tag = "3-D Secure",
    params(("Access" = String, Query, description = "The payment token")),
    request_body(content = crate::wire::requests::AcsAnswer, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 302, description = "To backLink/failureBackLink or the result pages", headers(("Location" = String, description = "The result page"))),
        (status = 400, description = "Missing PaRes/MD, unknown session (code -1)", body = crate::wire::errors::ApiError),
        (status = 401, description = "The Access token is missing, unknown or expired", body = crate::wire::errors::ApiError)
    )
)]
pub async fn confirm_payment(
    State(sandbox): State<Arc<Sandbox>>,
    Query(query): Query<FieldMap>,
    FormFields(fields): FormFields,
) -> Response {
    let access = field(&query, &["Access", "access"]);
    let token = match sandbox.authenticate(Some(access)) {
        Ok(token) => token,
        Err(error) => return ApiError::from(error).into_response(),
    };
    let request = ConfirmRequest {
        transaction_id: None,
        pa_res: field(&fields, aliases::PA_RES).to_string(),
        md: field(&fields, aliases::MD).to_string(),
    };
    if request.pa_res.is_empty() || request.md.is_empty() {
        return ApiError::from(Secure3dError::Invalid(
            "PaRes and MD are required (as the ACS posts them to TermUrl)".into(),
        ))
        .into_response();
    }
    let base = sandbox.public_url();
    let profile = sandbox.profile_for(&token.client_id);
    match sandbox.confirm_challenge(Some(&token), &request) {
        Ok(Confirmed::Approved(tx)) => {
            let reference = [("reference", tx.reference().to_string())];
            redirect(
                &profile,
                &match tx.links().back_link {
                    back if Link::is_safe(back) => fidelity::with_query(back, &reference),
                    _ => confirm_success_url(&base, &tx, &profile),
                },
            )
        }
        Ok(Confirmed::Refused {
            transaction,
            code,
            message,
        }) => {
            let error_code = [("errorCode", code.to_string())];
            redirect(
                &profile,
                &match transaction.links().failure_back_link {
                    back if Link::is_safe(back) => fidelity::with_query(back, &error_code),
                    _ => fidelity::with_query(
                        &fidelity::confirm_failure_url(&base, transaction.order().invoice_id, code, &message),
                        &error_code,
                    ),
                },
            )
        }
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// The success page with the seed 003 parameters, in its order.
fn confirm_success_url(base: &str, tx: &Transaction, profile: &Profile) -> String {
    let params = [
        ("amount", tx.org_amount().to_string()),
        ("currency", tx.order().currency.to_string()),
        ("invoiceID", tx.order().invoice_id.to_string()),
        ("accountID", tx.order().account_id.to_string()),
        ("description", tx.order().description.to_string()),
        ("reference", tx.reference().to_string()),
        ("language", profile.answer_language.render(tx.order().language)),
        ("cardid", tx.card().card_id.to_string()),
    ];
    fidelity::confirm_success_url(base, &params)
}

/// A browser redirect with a small HTML body linking to `url`: 302, or with `confirm.redirect=200`
/// a 200 page that forwards the browser by meta refresh (`Location` is sent either way). (S-05)
fn redirect(profile: &Profile, url: &str) -> Response {
    let status = StatusCode::from_u16(profile.confirm_redirect.status()).unwrap_or(StatusCode::FOUND);
    let Ok(location) = axum::http::HeaderValue::from_str(url) else {
        return ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            500,
            "redirect URL is not a valid header value",
        )
        .into_response();
    };
    let href = html_attribute(url);
    let body = Html(format!(
        "<!doctype html><title>Redirect</title><meta http-equiv=\"refresh\" content=\"0;url={href}\"><p>Redirecting to <a href=\"{href}\">the result page</a>…</p>"
    ));
    (status, [(LOCATION, location)], body).into_response()
}

/// `text` escaped for an HTML attribute value.
fn html_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
