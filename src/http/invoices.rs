//! Invoice links (spec §3.12, docs/invoices-recurrent-qr.md): `POST /invoice` (bank API), the
//! payer's `GET /invoice-link/{id}` (pages: hands over to the hosted payment page), and the
//! control plane's `GET /_sandbox/invoices[/{id}]`, `POST /_sandbox/invoices/{id}/cancel`.

use super::error::ApiError;
use super::extract::{Bearer, FormFields, JsonBody};
use super::refusals::{control_answer, refused, unknown, wrong_state};
use crate::domain::invoice_links::{InvoiceLinkError, LinkDetails};
use crate::domain::money::Amount;
use crate::engine::{InvoiceLinkRequest, Sandbox};
use crate::wire::invoice_links::{InvoiceLinkAnswer, InvoiceLinkBody};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::sync::Arc;

/// Bank API routes (served bare and under `/api`).
pub fn api_routes() -> Router<Arc<Sandbox>> {
    Router::new().route("/invoice", post(create))
}

/// Control-plane routes.
pub fn control_routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/_sandbox/invoices", get(list))
        .route("/_sandbox/invoices/{id}", get(show))
        .route("/_sandbox/invoices/{id}/cancel", post(cancel))
}

/// `POST /invoice`: a new link of the token's client. (I-01)
#[utoipa::path(
    post,
    path = "/invoice",
    tag = "invoice links",
    request_body(content = crate::wire::invoice_links::InvoiceLinkBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The new link", body = crate::wire::invoice_links::InvoiceLinkAnswer),
        (status = 400, description = "Refused (code -1): a missing or malformed field, or a duplicate invoice_id", body = crate::wire::errors::ApiError)
    ),
    security(("bearer" = []))
)]
pub async fn create(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    JsonBody(body): JsonBody<InvoiceLinkBody>,
) -> Response {
    let request = match request_of(body) {
        Ok(request) => request,
        Err(error) => return error.into_response(),
    };
    match sandbox.create_invoice_link(&token, &request) {
        Ok(view) => Json(InvoiceLinkAnswer::of(&view, &sandbox.public_url())).into_response(),
        Err(error) => api_error(error).into_response(),
    }
}

fn request_of(body: InvoiceLinkBody) -> Result<InvoiceLinkRequest, ApiError> {
    let required = |name: &str, value: &str| {
        if value.is_empty() {
            Err(refused(format!("{name} is required")))
        } else {
            Ok(())
        }
    };
    required("shop_id", &body.shop_id)?;
    required("invoice_id", &body.invoice_id)?;
    required("amount", &body.amount)?;
    let amount = Amount::parse(&body.amount).map_err(|e| refused(format!("amount: {e}")))?;
    Ok(InvoiceLinkRequest {
        shop_id: body.shop_id,
        amount,
        currency: body.currency,
        expire_period: body.expire_period,
        details: LinkDetails {
            invoice_id: body.invoice_id,
            account_id: body.account_id,
            language: body.language,
            description: body.description,
            recipient_contact: body.recipient_contact,
            recipient_contact_sms: body.recipient_contact_sms,
            notifier_contact_sms: body.notifier_contact_sms,
            post_link: body.post_link,
            failure_post_link: body.failure_post_link,
            back_link: body.back_link,
            failure_back_link: body.failure_back_link,
        },
    })
}

/// The error answer of a link error.
pub fn api_error(error: InvoiceLinkError) -> ApiError {
    match error {
        InvoiceLinkError::Invalid(_) | InvoiceLinkError::Duplicate(_) => refused(error.to_string()),
        InvoiceLinkError::NotFound(_) => unknown(error.to_string()),
        InvoiceLinkError::NotPayable { .. } => wrong_state(error.to_string()),
    }
}

/// `GET /_sandbox/invoices`: every link, newest first.
#[utoipa::path(
    get,
    path = "/_sandbox/invoices",
    tag = "invoice links",
    responses(
        (status = 200, description = "Every link, newest first", body = Vec<crate::wire::invoice_links::InvoiceLinkAnswer>)
    )
)]
async fn list(State(sandbox): State<Arc<Sandbox>>) -> Response {
    let base = sandbox.public_url();
    let views = sandbox.invoice_links();
    let links: Vec<InvoiceLinkAnswer> = views.iter().map(|view| InvoiceLinkAnswer::of(view, &base)).collect();
    Json(links).into_response()
}

/// `GET /_sandbox/invoices/{id}`.
#[utoipa::path(
    get,
    path = "/_sandbox/invoices/{id}",
    tag = "invoice links",
    params(("id" = String, Path, description = "The link's id")),
    responses(
        (status = 200, description = "The link", body = crate::wire::invoice_links::InvoiceLinkAnswer),
        (status = 404, description = "No such link", body = crate::wire::errors::ApiError)
    )
)]
async fn show(State(sandbox): State<Arc<Sandbox>>, Path(id): Path<String>) -> Response {
    match sandbox.invoice_link(&id) {
        Ok(view) => Json(InvoiceLinkAnswer::of(&view, &sandbox.public_url())).into_response(),
        Err(error) => api_error(error).into_response(),
    }
}

/// `POST /_sandbox/invoices/{id}/cancel`: an unpaid link stops being payable.
#[utoipa::path(
    post,
    path = "/_sandbox/invoices/{id}/cancel",
    tag = "invoice links",
    params(("id" = String, Path, description = "The link's id")),
    request_body(content(
        (Object = "application/x-www-form-urlencoded"),
        (Object = "application/json")
    )),
    responses(
        (status = 200, description = "The cancelled link", body = crate::wire::invoice_links::InvoiceLinkAnswer),
        (status = 303, response = crate::http::openapi::DashboardRedirect),
        (status = 404, description = "No such link", body = crate::wire::errors::ApiError),
        (status = 409, description = "Already paid or expired (code 409)", body = crate::wire::errors::ApiError)
    )
)]
async fn cancel(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
    FormFields(fields): FormFields,
) -> Response {
    match sandbox.cancel_invoice_link(&id) {
        Ok(view) => control_answer(&fields, InvoiceLinkAnswer::of(&view, &sandbox.public_url())),
        Err(error) => api_error(error).into_response(),
    }
}

/// The payer's page of a link (feature `pages`): a payable link sends the browser on to the
/// hosted payment page with a payment object made of the link; any other shows why not.
#[cfg(feature = "pages")]
pub mod page {
    use super::super::pages::MessagePage;
    use super::super::secure3d_pages::render;
    use crate::domain::invoice_links::InvoiceLinkError;
    use crate::engine::Sandbox;
    use axum::extract::{Path, State};
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Redirect, Response};
    use axum::routing::get;
    use axum::Router;
    use std::sync::Arc;

    /// `GET /invoice-link/{id}`.
    pub fn routes() -> Router<Arc<Sandbox>> {
        Router::new().route("/invoice-link/{id}", get(open))
    }

    /// Sends the payer of a payable link on to the hosted payment page.
    #[utoipa::path(
        get,
        path = "/invoice-link/{id}",
        tag = "pages",
        params(("id" = String, Path, description = "The link's id")),
        responses(
            (status = 303, description = "Payable: on to `/payform/?params=` with the link's payment"),
            (status = 404, description = "No such link", body = String, content_type = "text/html"),
            (status = 410, description = "Paid, cancelled or expired", body = String, content_type = "text/html")
        )
    )]
    async fn open(State(sandbox): State<Arc<Sandbox>>, Path(id): Path<String>) -> Response {
        match sandbox.open_invoice_link(&id) {
            Ok((_, params)) => {
                Redirect::to(&format!("/payform/?params={}", params.replace('+', "%2B"))).into_response()
            }
            Err(error) => {
                let status = match error {
                    InvoiceLinkError::NotFound(_) => StatusCode::NOT_FOUND,
                    _ => StatusCode::GONE,
                };
                (
                    status,
                    render(&MessagePage {
                        heading: "Invoice link",
                        message: error.to_string(),
                    }),
                )
                    .into_response()
            }
        }
    }
}
