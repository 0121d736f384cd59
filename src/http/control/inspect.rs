//! Inspection and direct manipulation: transactions, tokens, the journal, the state dump,
//! run-time merchants, test cards and reason codes.

use super::paging::Paging;
use super::respond;
use crate::control::merchants::{MerchantError, NewMerchant};
use crate::control::state::{StateToken, StateTransaction};
use crate::control::transactions::{CreateTransaction, TransactionFilter};
use crate::domain::merchants::Merchant;
use crate::domain::money::Amount;
use crate::domain::transaction::Event;
use crate::engine::{CreateError, OperateError, Sandbox};
use crate::http::error::ApiError;
use crate::http::extract::{FormFields, JsonBody};
use crate::http::json::Json;
use crate::http::pages;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use uuid::Uuid;

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(v)| v)
        .map_err(|e| ApiError::bad_request(format!("invalid query: {}", e.body_text())))
}

fn parse_id(id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| ApiError::bad_request(format!("'{id}' is not a transaction id (a UUID)")))
}

/// `GET /_sandbox/transactions`: filtered, newest first.
#[utoipa::path(
    get,
    path = "/_sandbox/transactions",
    tag = "control",
    params(crate::http::control::paging::Paging),
    responses(
        (status = 200, description = "Transactions, filtered and paged", body = Object),
        (status = 400, description = "Bad filter or paging", body = crate::wire::errors::ApiError)
    )
)]
pub async fn transactions(
    State(sandbox): State<Arc<Sandbox>>,
    filter: Result<Query<TransactionFilter>, QueryRejection>,
    paging: Result<Query<Paging>, QueryRejection>,
) -> Response {
    let paging = match Paging::from_query(paging) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let filter = match query(filter) {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    sandbox.run_due_timers();
    match sandbox.matching_transactions(&filter) {
        Ok(found) => {
            let list: Vec<StateTransaction> = found.iter().map(StateTransaction::from_transaction).collect();
            Json(paging.answer("transactions", list, Map::new())).into_response()
        }
        Err(bad) => ApiError::bad_request(format!(
            "status '{bad}' is not a status (NEW, AUTH, CHARGE, CANCEL, CANCEL_OLD, REFUND, FAILED, REJECT, 3D, VERIFIED)"
        ))
        .into_response(),
    }
}

/// `GET /_sandbox/transactions/{id}`: the full record with its history.
#[utoipa::path(
    get,
    path = "/_sandbox/transactions/{id}",
    tag = "control",
    params(("id" = String, Path, description = "Transaction id")),
    responses(
        (status = 200, description = "The transaction", body = Object),
        (status = 400, description = "Not a UUID", body = crate::wire::errors::ApiError),
        (status = 404, description = "Unknown", body = crate::wire::errors::ApiError)
    )
)]
pub async fn transaction(State(sandbox): State<Arc<Sandbox>>, Path(id): Path<String>) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return e.into_response(),
    };
    sandbox.run_due_timers();
    match sandbox.transaction(id) {
        Some(tx) => Json(StateTransaction::from_transaction(&tx)).into_response(),
        None => ApiError::not_found(format!("transaction {id} not found")).into_response(),
    }
}

/// `POST /_sandbox/transactions`: a payment opened and decided without a card flow.
#[utoipa::path(
    post,
    path = "/_sandbox/transactions",
    tag = "control",
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = Object),
        (status = 400, description = "Bad body", body = crate::wire::errors::ApiError),
        (status = 404, description = "Unknown terminal", body = crate::wire::errors::ApiError),
        (status = 409, description = "Duplicate invoiceId", body = crate::wire::errors::ApiError)
    )
)]
pub async fn create_transaction(
    State(sandbox): State<Arc<Sandbox>>,
    JsonBody(request): JsonBody<CreateTransaction>,
) -> Response {
    match sandbox.create_control_transaction(request) {
        Ok(tx) => (StatusCode::CREATED, Json(StateTransaction::from_transaction(&tx))).into_response(),
        Err(CreateError::UnknownTerminal(t)) => {
            ApiError::not_found(format!("terminal {t} is not known")).into_response()
        }
        Err(CreateError::Duplicate(e)) => ApiError::new(StatusCode::CONFLICT, 409, e.to_string()).into_response(),
        Err(e) => ApiError::bad_request(e.to_string()).into_response(),
    }
}

/// `POST /_sandbox/transactions/{id}/{charge|cancel|refund}` with an optional `amount`, as
/// the merchant would (without a token). Dashboard forms add `redirect`.
#[utoipa::path(
    post,
    path = "/_sandbox/transactions/{id}/{operation}",
    tag = "control",
    params(
        ("id" = String, Path, description = "Transaction id"),
        ("operation" = String, Path, description = "charge, cancel, refund, approve, decline, expire, ...")
    ),
    request_body(content(
        (Object = "application/x-www-form-urlencoded"),
        (Object = "application/json")
    )),
    responses(
        (status = 200, description = "The transaction after the operation", body = Object),
        (status = 303, response = crate::http::openapi::DashboardRedirect),
        (status = 400, description = "Bad id, operation or amount", body = crate::wire::errors::ApiError),
        (status = 404, description = "Unknown transaction", body = crate::wire::errors::ApiError),
        (status = 409, description = "Not allowed in this status", body = crate::wire::errors::ApiError)
    )
)]
pub async fn operate(
    State(sandbox): State<Arc<Sandbox>>,
    Path((id, operation)): Path<(String, String)>,
    FormFields(fields): FormFields,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return e.into_response(),
    };
    let amount = match fields.get("amount").map(|a| a.trim()).filter(|a| !a.is_empty()) {
        Some(text) => match Amount::parse(text) {
            Ok(a) => Some(a),
            Err(e) => return ApiError::bad_request(format!("amount '{text}': {e}")).into_response(),
        },
        None => None,
    };
    let op = match operation.as_str() {
        "charge" => Event::Charge(amount),
        "cancel" => Event::Cancel,
        "refund" => Event::Refund {
            amount,
            external_id: None,
        },
        other => {
            return ApiError::not_found(format!("operation '{other}' is not one of charge, cancel, refund"))
                .into_response()
        }
    };
    match sandbox.operate(id, op) {
        Ok(tx) => respond(&fields, json!(StateTransaction::from_transaction(&tx))),
        Err(OperateError::NotFound(id)) => ApiError::not_found(format!("transaction {id} not found")).into_response(),
        Err(error @ OperateError::Refused(_)) => {
            ApiError::new(StatusCode::CONFLICT, 409, error.to_string()).into_response()
        }
    }
}

/// Query of `GET /_sandbox/tokens`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenQuery {
    client_id: Option<String>,
    terminal: Option<String>,
}

/// `GET /_sandbox/tokens`: every token and what it is bound to.
#[utoipa::path(
    get,
    path = "/_sandbox/tokens",
    tag = "control",
    params(crate::http::control::paging::Paging),
    responses(
        (status = 200, description = "Issued tokens, paged", body = Object),
        (status = 400, description = "Bad query", body = crate::wire::errors::ApiError)
    )
)]
pub async fn tokens(
    State(sandbox): State<Arc<Sandbox>>,
    q: Result<Query<TokenQuery>, QueryRejection>,
    paging: Result<Query<Paging>, QueryRejection>,
) -> Response {
    let (q, paging) = match query(q).and_then(|q| Ok((q, Paging::from_query(paging)?))) {
        Ok(both) => both,
        Err(e) => return e.into_response(),
    };
    let now = sandbox.clock().now();
    let mut list: Vec<Value> = sandbox
        .all_tokens()
        .iter()
        .filter(|t| q.client_id.as_deref().is_none_or(|c| c == t.client_id))
        .filter(|t| {
            q.terminal
                .as_deref()
                .is_none_or(|w| t.terminal.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(w)))
        })
        .map(|t| {
            let mut v = json!(StateToken::from_token(t));
            v["live"] = json!(t.is_live(now));
            v
        })
        .collect();
    list.sort_by(|a, b| a["issuedAt"].as_str().cmp(&b["issuedAt"].as_str()));
    Json(paging.answer("tokens", list, Map::new())).into_response()
}

/// Query of `GET /_sandbox/journal`.
/// `GET /_sandbox/journal`: the last requests to the ePay routes, newest first.
#[utoipa::path(
    get,
    path = "/_sandbox/journal",
    tag = "control",
    params(crate::http::control::paging::Paging),
    responses(
        (status = 200, description = "The journal, paged", body = Object),
        (status = 400, description = "Bad paging", body = crate::wire::errors::ApiError)
    )
)]
pub async fn journal(State(sandbox): State<Arc<Sandbox>>, paging: Result<Query<Paging>, QueryRejection>) -> Response {
    let paging = match Paging::from_query(paging) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let journal = &sandbox.control().journal;
    let mut extra = Map::new();
    extra.insert("capacity".into(), json!(journal.capacity()));
    Json(paging.answer("entries", journal.entries(usize::MAX), extra)).into_response()
}

/// `GET /_sandbox/state`: the state in the `--state` file format.
#[utoipa::path(
    get,
    path = "/_sandbox/state",
    tag = "control",
    params(crate::http::control::paging::Paging),
    responses(
        (status = 200, description = "The whole state, paged", body = Object),
        (status = 400, description = "Bad paging", body = crate::wire::errors::ApiError)
    )
)]
pub async fn state(State(sandbox): State<Arc<Sandbox>>, paging: Result<Query<Paging>, QueryRejection>) -> Response {
    let paging = match Paging::from_query(paging) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    sandbox.run_due_timers();
    let mut state = sandbox.dump_state();
    let totals = [
        ("x-total-transactions", state.transactions.len()),
        ("x-total-tokens", state.tokens.len()),
    ];
    if paging.is_requested() {
        state.transactions = paging.slice(state.transactions);
        state.tokens = paging.slice(state.tokens);
    }
    let mut response = Json(state).into_response();
    for (name, total) in totals {
        response
            .headers_mut()
            .insert(name, axum::http::HeaderValue::from(total));
    }
    response
}

/// `GET /_sandbox/merchants`: every merchant with its terminals.
#[utoipa::path(
    get,
    path = "/_sandbox/merchants",
    tag = "control",
    params(crate::http::control::paging::Paging),
    responses(
        (status = 200, description = "Merchants, paged", body = Object),
        (status = 400, description = "Bad paging", body = crate::wire::errors::ApiError)
    )
)]
pub async fn merchants(State(sandbox): State<Arc<Sandbox>>, paging: Result<Query<Paging>, QueryRejection>) -> Response {
    let merchants = sandbox.merchants();
    match Paging::from_query(paging) {
        Ok(paging) => Json(paging.answer(
            "merchants",
            merchants.iter().map(|m| Merchant::clone(m)).collect::<Vec<_>>(),
            Map::new(),
        ))
        .into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /_sandbox/merchants`: a merchant with terminals, created at run time.
#[utoipa::path(
    post,
    path = "/_sandbox/merchants",
    tag = "control",
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = Object),
        (status = 400, description = "Bad body", body = crate::wire::errors::ApiError),
        (status = 409, description = "Client id or terminal taken", body = crate::wire::errors::ApiError)
    )
)]
pub async fn create_merchant(State(sandbox): State<Arc<Sandbox>>, JsonBody(body): JsonBody<Value>) -> Response {
    if !body.is_object() {
        return ApiError::bad_request("the body must be a JSON object such as {\"clientId\": \"ci-shop\"} (or {})")
            .into_response();
    }
    let request: NewMerchant = match serde_json::from_value(body) {
        Ok(request) => request,
        Err(e) => return ApiError::bad_request(format!("invalid merchant: {e}")).into_response(),
    };
    match sandbox.create_merchant(request) {
        Ok(merchant) => (StatusCode::CREATED, Json(json!(merchant))).into_response(),
        Err(e @ (MerchantError::ClientExists(_) | MerchantError::TerminalExists(_))) => {
            ApiError::new(StatusCode::CONFLICT, 409, e.to_string()).into_response()
        }
        Err(e) => ApiError::bad_request(e.to_string()).into_response(),
    }
}

/// `DELETE /_sandbox/merchants/{clientId}`: a run-time merchant and everything it made.
#[utoipa::path(
    delete,
    path = "/_sandbox/merchants/{clientId}",
    tag = "control",
    params(("clientId" = String, Path, description = "The merchant's client id")),
    responses(
        (status = 200, description = "Deleted", body = Object),
        (status = 404, description = "Unknown", body = crate::wire::errors::ApiError),
        (status = 409, description = "A fixture merchant", body = crate::wire::errors::ApiError)
    )
)]
pub async fn delete_merchant(State(sandbox): State<Arc<Sandbox>>, Path(client_id): Path<String>) -> Response {
    match sandbox.delete_merchant(&client_id) {
        Ok(removed) => Json(json!({"deleted": client_id, "removed": removed})).into_response(),
        Err(e @ MerchantError::NotFound(_)) => ApiError::not_found(e.to_string()).into_response(),
        Err(e) => ApiError::new(StatusCode::CONFLICT, 409, e.to_string()).into_response(),
    }
}

/// `GET /_sandbox/cards`: the test cards (an HTML table for browsers).
#[utoipa::path(
    get,
    path = "/_sandbox/cards",
    tag = "control",
    responses(
        (status = 200, description = "The test cards", body = Object)
    )
)]
pub async fn cards(State(sandbox): State<Arc<Sandbox>>, headers: HeaderMap) -> Response {
    pages::cards(&headers, &sandbox.fixtures().cards)
        .unwrap_or_else(|| Json(json!({"cards": sandbox.fixtures().cards})).into_response())
}

/// `GET /_sandbox/reasons`: the reason-code catalogue.
#[utoipa::path(
    get,
    path = "/_sandbox/reasons",
    tag = "control",
    responses(
        (status = 200, description = "The reason codes", body = Object)
    )
)]
pub async fn reasons(State(sandbox): State<Arc<Sandbox>>) -> Response {
    let reasons: Vec<_> = sandbox.fixtures().catalogue.reasons().collect();
    Json(json!({"reasonCodes": reasons})).into_response()
}
