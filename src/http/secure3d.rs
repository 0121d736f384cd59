//! 3-D Secure over HTTP: the sandbox ACS (`POST /acs`, `POST /acs/submit`), both confirm paths
//! (`POST /payment/confirm` of seed 003 and the SDKs' `POST /payments/cards/confirmPayment
//! ?Access=`), and the `payform` success/failure pages they redirect to.

use super::aliases;
use super::error::ApiError;
use super::extract::{Bearer, FormFields, JsonBody};
use super::secure3d_pages::{acs_texts, render, AcsPage, AcsPostPage, PayformResultPage};
use crate::domain::secure3d::CardholderAction;
use crate::domain::transaction::Transaction;
use crate::engine::{AcsStep, ChallengeView, ConfirmRequest, Confirmed, Sandbox, Secure3dError};
use crate::fidelity;
use axum::extract::{OriginalUri, Query, State};
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// Routes served bare and under `/api` (merged into the API routes).
pub fn api_routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/acs", post(acs))
        .route("/acs/submit", post(acs_submit))
        .route("/payment/confirm", post(payment_confirm))
        .route("/payments/cards/confirmPayment", post(confirm_payment))
}

/// The payment-page host's result pages (served bare only).
pub fn page_routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route(fidelity::SUCCESS_PAGE_PATH, get(success_page))
        .route(fidelity::FAILURE_PAGE_PATH, get(failure_page))
}

/// A refused 3-D Secure request in ePay's error shape. (S-07)
impl From<Secure3dError> for ApiError {
    fn from(error: Secure3dError) -> Self {
        let (status, code) = fidelity::SECURE3D_REFUSAL;
        ApiError::new(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            code,
            error.to_string(),
        )
    }
}

/// The first non-empty field among `names`.
fn field<'a>(fields: &'a HashMap<String, String>, names: &[&str]) -> &'a str {
    names
        .iter()
        .filter_map(|n| fields.get(*n))
        .map(|v| v.trim())
        .find(|v| !v.is_empty())
        .unwrap_or("")
}

/// `/acs/submit`, under `/api` when the page was.
fn submit_url(uri: &OriginalUri) -> &'static str {
    if uri.0.path().starts_with("/api/") {
        "/api/acs/submit"
    } else {
        "/acs/submit"
    }
}

fn challenge_page(mut view: ChallengeView, language: &str, uri: &OriginalUri) -> Response {
    let (code, t) = acs_texts(language);
    view.language = code.to_string();
    render(&AcsPage {
        view,
        t,
        submit_url: submit_url(uri).to_string(),
    })
}

/// The ACS: the cardholder's browser posts `PaReq`, `MD`, `TermUrl` (seed 003's form, the
/// SDKs' urlencoded POST) and gets the challenge page. (S-01)
pub async fn acs(State(sandbox): State<Arc<Sandbox>>, uri: OriginalUri, FormFields(fields): FormFields) -> Response {
    let md = field(&fields, aliases::MD);
    let pa_req = field(&fields, &["PaReq", "paReq", "pareq"]);
    let term_url = field(&fields, &["TermUrl", "termUrl", "TermURL", "termURL"]);
    if md.is_empty() || pa_req.is_empty() {
        return ApiError::from(Secure3dError::Invalid(
            "PaReq and MD are required (the secure3D.paReq and secure3D.md of the cryptopay answer)".into(),
        ))
        .into_response();
    }
    match sandbox.open_challenge(md, pa_req, term_url) {
        Ok(view) => {
            let language = view.language.clone();
            challenge_page(view, &language, &uri)
        }
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// The challenge page's forms: `action` = `confirm` (with `code`), `cancel`, or `language`
/// (with `lang`). A finished challenge answers the auto-submitting form to `TermUrl`.
pub async fn acs_submit(
    State(sandbox): State<Arc<Sandbox>>,
    uri: OriginalUri,
    FormFields(fields): FormFields,
) -> Response {
    let md = field(&fields, aliases::MD);
    let language = field(&fields, &["lang"]);
    let code = fields.get("code").map(String::as_str).unwrap_or("");
    let action = match field(&fields, &["action"]) {
        "confirm" => CardholderAction::Code(code),
        "cancel" => CardholderAction::Cancel,
        "language" => {
            return match sandbox.show_challenge(md) {
                Ok(view) => challenge_page(view, language, &uri),
                Err(error) => ApiError::from(error).into_response(),
            }
        }
        other => {
            return ApiError::from(Secure3dError::Invalid(format!(
                "action must be confirm, cancel or language, got '{}'",
                other.chars().take(32).collect::<String>()
            )))
            .into_response()
        }
    };
    let term_url = match sandbox.show_challenge(md) {
        Ok(view) => view.term_url,
        Err(error) => return ApiError::from(error).into_response(),
    };
    if term_url.is_none() {
        return ApiError::from(Secure3dError::Invalid(
            "the ACS has no TermUrl for this MD: post PaReq, MD and TermUrl to /acs first".into(),
        ))
        .into_response();
    }
    match sandbox.answer_challenge(md, action) {
        Ok(AcsStep::Retry(view)) => challenge_page(view, language, &uri),
        Ok(AcsStep::Answered(reply)) => render(&AcsPostPage {
            term_url: reply.term_url.unwrap_or_default(),
            pa_res: reply.pa_res,
            md: reply.md,
        }),
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// `POST /payment/confirm` with `{ID, PaRes, MD}` (seed 003): finishes the payment and
/// redirects to the success page (amount, currency, invoiceID, accountID, description,
/// reference, language, cardid) or the failure page (invoiceID, code, message). (S-05)
pub async fn payment_confirm(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
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
    match sandbox.confirm_challenge(&token, &request) {
        Ok(Confirmed::Approved(tx)) => redirect(&fidelity::confirm_success_url(&base, &success_params(&tx))),
        Ok(Confirmed::Refused {
            transaction,
            code,
            message,
        }) => redirect(&fidelity::confirm_failure_url(
            &base,
            &transaction.order().invoice_id,
            code,
            &message,
        )),
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// `POST /payments/cards/confirmPayment?Access=<token>`, the SDKs' TermUrl: the ACS form posts
/// `PaRes` + `MD` here; the browser is redirected with `?reference=<RRN>` on success and
/// `?errorCode=<code>` on failure, to the payment's `backLink`/`failureBackLink` when set,
/// else to the sandbox's own result pages. (S-08)
pub async fn confirm_payment(
    State(sandbox): State<Arc<Sandbox>>,
    Query(query): Query<HashMap<String, String>>,
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
    match sandbox.confirm_challenge(&token, &request) {
        Ok(Confirmed::Approved(tx)) => {
            let reference = [("reference", tx.reference().to_string())];
            redirect(&match tx.links().back_link.as_str() {
                "" => fidelity::confirm_success_url(&base, &success_params(&tx)),
                back => fidelity::with_query(back, &reference),
            })
        }
        Ok(Confirmed::Refused {
            transaction,
            code,
            message,
        }) => {
            let error_code = [("errorCode", code.to_string())];
            redirect(&match transaction.links().failure_back_link.as_str() {
                "" => fidelity::with_query(
                    &fidelity::confirm_failure_url(&base, &transaction.order().invoice_id, code, &message),
                    &error_code,
                ),
                back => fidelity::with_query(back, &error_code),
            })
        }
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// The seed 003 success parameters, in its order.
fn success_params(tx: &Transaction) -> Vec<(&'static str, String)> {
    vec![
        ("amount", tx.org_amount().to_string()),
        ("currency", tx.order().currency.clone()),
        ("invoiceID", tx.order().invoice_id.clone()),
        ("accountID", tx.order().account_id.clone()),
        ("description", tx.order().description.clone()),
        ("reference", tx.reference().to_string()),
        ("language", fidelity::display_language(&tx.order().language)),
        ("cardid", tx.card().card_id.clone()),
    ]
}

/// A browser redirect (status per S-05) with a small HTML body linking to `url`.
fn redirect(url: &str) -> Response {
    let status = StatusCode::from_u16(fidelity::CONFIRM_REDIRECT_STATUS).unwrap_or(StatusCode::FOUND);
    let Ok(location) = axum::http::HeaderValue::from_str(url) else {
        return ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            500,
            "redirect URL is not a valid header value",
        )
        .into_response();
    };
    let body = Html(String::from(
        "<!doctype html><title>Redirect</title><p>Redirecting…</p>",
    ));
    (status, [(LOCATION, location)], body).into_response()
}

/// Keeps `names` in order (present or not), then any other parameter, for the result pages.
fn ordered(query: HashMap<String, String>, names: &[&str]) -> Vec<(String, String)> {
    let mut rest: Vec<(String, String)> = query
        .iter()
        .filter(|(k, _)| !names.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    rest.sort();
    let mut params: Vec<(String, String)> = names
        .iter()
        .map(|n| (n.to_string(), query.get(*n).cloned().unwrap_or_default()))
        .collect();
    params.extend(rest);
    params
}

/// `GET /payform/success.html?amount=…&currency=…&invoiceID=…&accountID=…&description=…
/// &reference=…&language=…&cardid=…`
pub async fn success_page(Query(query): Query<HashMap<String, String>>) -> Response {
    render(&PayformResultPage {
        success: true,
        params: ordered(
            query,
            &[
                "amount",
                "currency",
                "invoiceID",
                "accountID",
                "description",
                "reference",
                "language",
                "cardid",
            ],
        ),
    })
}

/// `GET /payform/failure.html?invoiceID=…&code=…&message=…` (the bank's `/payform/?…`). (S-06)
pub async fn failure_page(Query(query): Query<HashMap<String, String>>) -> Response {
    render(&PayformResultPage {
        success: false,
        params: ordered(query, &["invoiceID", "code", "message"]),
    })
}
