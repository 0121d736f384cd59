//! The error bodies as the OpenAPI document shows them. The server builds them as
//! [`crate::http::error::ApiError`] and [`crate::http::error::OAuthError`] (a map, since some
//! endpoints add fields), so these structs exist for the schema only and are never built.
#![allow(dead_code)]

use serde::Serialize;
use utoipa::ToSchema;

/// Every error the server sends: `{"code", "message"}` (spec §4.1), parser-level ones included;
/// some endpoints add fields (see [`PaymentError`]).
#[derive(Serialize, ToSchema)]
pub struct ApiError {
    /// ePay's error code (often the HTTP status; 100 for operations, -1 for transfers).
    code: i64,
    /// What went wrong.
    message: String,
}

/// A refused or declined payment or transfer: the error shape of seeds 000/002, echoing the
/// request's ids (only `code` and `message` when the body is not JSON at all).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentError {
    /// ePay's error or decline code (e.g. 484).
    code: i64,
    /// What went wrong.
    message: String,
    /// The request's order number.
    invoice_id: Option<String>,
    /// The transaction id of a decline (empty for refused requests).
    id: Option<String>,
    /// The RRN of a decline (empty for refused requests).
    reference: Option<String>,
    /// The request's customer id.
    account_id: Option<String>,
}

/// A refused token request: ePay's pair plus the RFC 6749 pair (F-08); only ePay's pair when
/// the body cannot be read at all.
#[derive(Serialize, ToSchema)]
pub struct TokenError {
    /// The HTTP status.
    code: i64,
    /// What went wrong.
    message: String,
    /// `invalid_client`, `invalid_grant`, `unsupported_grant_type` or `invalid_request`.
    error: Option<String>,
    /// Same as `message`.
    error_description: Option<String>,
}
