//! The browser side of 3-D Secure: the sandbox ACS (`POST /acs`, `POST /acs/submit`) and the
//! routes of the `payform` success/failure pages the confirm paths redirect to (feature
//! `pages`; the pages themselves are `result_pages`).

use super::aliases;
use super::error::ApiError;
use super::extract::FormFields;
use super::result_pages::{failure_page, success_page};
use super::secure3d::field;
use super::secure3d_pages::{acs_texts, render, AcsPage, AcsPostPage};
use crate::domain::links::Link;
use crate::domain::secure3d::CardholderAction;
use crate::engine::{AcsStep, ChallengeView, Sandbox, Secure3dError};
use crate::fidelity;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// The ACS, served bare and under `/api`.
pub fn acs_routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/acs", post(acs))
        .route("/acs/submit", post(acs_submit))
}

/// The payment-page host's result pages (served bare only); the failure page is also the
/// payment page's answer to `/payform/?invoiceID=&code=&message=` (S-06).
pub fn page_routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route(fidelity::SUCCESS_PAGE_PATH, get(success_page))
        .route(fidelity::FAILURE_PAGE_PATH, get(failure_page))
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
#[utoipa::path(
    post,
    path = "/acs",
    tag = "3-D Secure",
    request_body(content = Object, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The challenge page", body = String, content_type = "text/html"),
        (status = 400, description = "Missing or unknown PaReq/MD (code -1)", body = crate::wire::errors::ApiError)
    )
)]
pub async fn acs(State(sandbox): State<Arc<Sandbox>>, uri: OriginalUri, FormFields(fields): FormFields) -> Response {
    let md = field(&fields, aliases::MD);
    let pa_req = field(&fields, &["PaReq", "paReq", "pareq"]);
    let term_url = field(&fields, &["TermUrl", "termUrl", "TermURL", "termURL"]).trim();
    if md.is_empty() || pa_req.is_empty() {
        return ApiError::from(Secure3dError::Invalid(
            "PaReq and MD are required (the secure3D.paReq and secure3D.md of the cryptopay answer)".into(),
        ))
        .into_response();
    }
    if let Err(error) = Link::parse("TermUrl", term_url) {
        return ApiError::from(Secure3dError::Invalid(format!(
            "{error} (TermUrl is where the ACS posts PaRes and MD)"
        )))
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
#[utoipa::path(
    post,
    path = "/acs/submit",
    tag = "3-D Secure",
    request_body(content = Object, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The auto-posting form to TermUrl, or the challenge again", body = String, content_type = "text/html"),
        (status = 400, description = "Missing or unknown session (code -1)", body = crate::wire::errors::ApiError)
    )
)]
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
