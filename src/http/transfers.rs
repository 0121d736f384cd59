//! Transfers by API: `POST /p2p/transfer`, `POST /chdebit/transfer` (AFT), `POST
//! /chpayment/transfer` (OCT) and `POST /payments/cards/auth` with an `{order, card}` body
//! (seed 000); `GET /check-status/p2p/transaction/{order}`. Bodies are read leniently; the
//! engine decides; responses follow seeds 000/004.

use super::aliases;
use super::error::ApiError;
use super::extract::{Bearer, JsonText, PayerIp};
use super::json::Json;
use super::json_node::{Node, Object};
use super::lenient;
use crate::domain::money::Amount;
use crate::domain::tokens::Token;
use crate::domain::transfer::{expiry_mmyy, TransferKind, TransferType};
use crate::engine::{CardInput, PaymentAccepted, PaymentError, Sandbox, TransferRequest};
use crate::fidelity;
use crate::wire::transfer::{P2pCheckStatus, P2pView, P2pWrapper, ResultView, TransferReceipt};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// `POST /p2p/transfer`: card to card.
#[utoipa::path(
    post,
    path = "/p2p/transfer",
    tag = "transfers",
    request_body(content = crate::wire::requests::TransferRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Card to card: done, or waiting for 3-D Secure (`secure3D` set)", body = crate::wire::transfer::TransferReceipt),
        (status = 400, description = "Refused or declined (seed 000)", body = crate::wire::errors::PaymentError)
    ),
    security(("bearer" = []))
)]
pub async fn p2p(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    PayerIp(ip): PayerIp,
    body: JsonText,
) -> Response {
    transfer_by(&sandbox, &token, ip, TransferKind::P2p, &body)
}

/// `POST /chdebit/transfer`: AFT, a card debited to the merchant.
#[utoipa::path(
    post,
    path = "/chdebit/transfer",
    tag = "transfers",
    request_body(content = crate::wire::requests::TransferRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "AFT: a card debited to the merchant: done, or waiting for 3-D Secure (`secure3D` set)", body = crate::wire::transfer::TransferReceipt),
        (status = 400, description = "Refused or declined (seed 000)", body = crate::wire::errors::PaymentError)
    ),
    security(("bearer" = []))
)]
pub async fn aft(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    PayerIp(ip): PayerIp,
    body: JsonText,
) -> Response {
    transfer_by(&sandbox, &token, ip, TransferKind::Aft, &body)
}

/// `POST /chpayment/transfer`: OCT, a payout to a card or a phone.
#[utoipa::path(
    post,
    path = "/chpayment/transfer",
    tag = "transfers",
    request_body(content = crate::wire::requests::TransferRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "OCT: a payout to a card or phone: done, or waiting for 3-D Secure (`secure3D` set)", body = crate::wire::transfer::TransferReceipt),
        (status = 400, description = "Refused or declined (seed 000)", body = crate::wire::errors::PaymentError)
    ),
    security(("bearer" = []))
)]
pub async fn oct(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    PayerIp(ip): PayerIp,
    body: JsonText,
) -> Response {
    transfer_by(&sandbox, &token, ip, TransferKind::Oct, &body)
}

/// A transfer by API: the body read as a JSON document, then [`transfer_response`].
fn transfer_by(sandbox: &Sandbox, token: &Token, ip: String, kind: TransferKind, body: &JsonText) -> Response {
    match body.document() {
        Ok(document) => transfer_response(sandbox, token, ip, kind, &document),
        Err(error) => error.into_response(),
    }
}

/// Parses a transfer body, runs it and renders the answer (shared with `/payments/cards/auth`).
pub fn transfer_response(
    sandbox: &Sandbox,
    token: &Token,
    ip: String,
    kind: TransferKind,
    body: &Node<'_>,
) -> Response {
    let echo = Echo::of(body);
    let request = match parse(body, ip) {
        Ok(request) => request,
        Err(message) => return echo.error(i64::from(-1), message, "", "").into_response(),
    };
    let profile = sandbox.profile_for(&token.client_id);
    match sandbox.transfer(token, kind, &request) {
        Ok(PaymentAccepted::Approved(tx)) => Json(TransferReceipt::done(&tx, &profile)).into_response(),
        Ok(PaymentAccepted::Challenge { transaction, challenge }) => {
            Json(TransferReceipt::challenge(&transaction, &challenge)).into_response()
        }
        Err(PaymentError::Refused { kind, message }) => echo
            .error(fidelity::request_refusal(kind).1, message, "", "")
            .into_response(),
        Err(PaymentError::NotApproved {
            transaction,
            code,
            message,
        }) => {
            let (id, reference) = profile
                .payment_decline_ids
                .render(&transaction.id().to_string(), transaction.reference());
            echo.error(i64::from(code), message, &id, &reference).into_response()
        }
        Err(PaymentError::Conflict(error)) => echo.error(-1, error.to_string(), "", "").into_response(),
    }
}

/// `GET /check-status/p2p/transaction/{order}`: `{"result": {code, message}, "transaction":
/// {"p2p": {...}}}` (spec §3.11, §4.2).
#[utoipa::path(
    get,
    path = "/check-status/p2p/transaction/{order}",
    tag = "transfers",
    params(("order" = String, Path, description = "The transfer's order number")),
    responses(
        (status = 200, description = "Found (result.code 100), not settled yet (107), and by default (`status.not_found_http=200`) also 102, 104 or 106 with `transaction` null", body = crate::wire::transfer::P2pCheckStatus),
        (status = 400, description = "With `status.not_found_http=400`: result.code 102, 104 or 106; `transaction` is null", body = crate::wire::transfer::P2pCheckStatus)
    ),
    security(("bearer" = []))
)]
pub async fn check_p2p(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    Path(order): Path<String>,
) -> Response {
    let found = sandbox.check_transfer_status(&token, &order);
    let (answer, profile) = (found.answer, found.profile);
    let body = P2pCheckStatus {
        result: ResultView {
            code: answer.code,
            message: sandbox.fixtures().catalogue.result_message(answer.code),
        },
        transaction: found.transaction.as_ref().map(|tx| P2pWrapper {
            p2p: P2pView::of(tx, &profile),
        }),
    };
    (StatusCode::from_u16(answer.http).unwrap_or(StatusCode::OK), Json(body)).into_response()
}

/// What an error body echoes from the request: `invoiceId` and `accountId`.
struct Echo {
    invoice_id: String,
    account_id: String,
}

impl Echo {
    fn of(body: &Node<'_>) -> Self {
        let order = body
            .as_object()
            .and_then(|body| body.get("order"))
            .and_then(Node::as_object);
        let get = |names: &[&str]| order.map(|o| text(o, names)).unwrap_or_default();
        Echo {
            invoice_id: get(aliases::ORDER_ID),
            account_id: get(aliases::TRANSFER_ACCOUNT_ID),
        }
    }

    /// The seed 000 error body: `{code, message, invoiceId, id, reference, accountId}`, HTTP 400.
    fn error(&self, code: i64, message: impl Into<String>, id: &str, reference: &str) -> ApiError {
        let status = StatusCode::from_u16(fidelity::DECLINE_HTTP_STATUS).unwrap_or(StatusCode::BAD_REQUEST);
        ApiError::new(status, code, message)
            .with("invoiceId", self.invoice_id.clone())
            .with("id", id)
            .with("reference", reference)
            .with("accountId", self.account_id.clone())
    }
}

/// The first present, non-empty field of `names` as trimmed text, or "".
fn text(object: &Object<'_>, names: &[&str]) -> String {
    lenient::text(object, names).unwrap_or_default()
}

/// The transfer request of a `{order, card}` body (seed 000), read leniently.
pub(crate) fn parse(body: &Node<'_>, ip: String) -> Result<TransferRequest, String> {
    let root = body
        .as_object()
        .ok_or("request body must be a JSON object {order, card}")?;
    let order = root
        .get("order")
        .and_then(Node::as_object)
        .ok_or("order is required: {amount, currency, id, terminalId, ...}")?;
    let amount = order.get("amount").ok_or("order.amount is required")?;
    let amount = Amount::from_json(&amount.to_value()).map_err(|e| format!("order.amount: {e}"))?;
    let order_id = text(order, aliases::ORDER_ID);
    if order_id.is_empty() {
        return Err("order.id is required (the order number, digits)".into());
    }
    let currency = text(order, &["currency"]);
    let card = match root.get("card") {
        Some(Node::Object(card)) => Some(card),
        Some(Node::Null) | None => None,
        Some(_) => return Err("card must be an object {sender, receiver}".into()),
    };
    let saved_id = |name: &str| {
        [Some(root), Some(order), card]
            .into_iter()
            .flatten()
            .map(|o| text(o, &[name, &name.replace("Id", "ID")]))
            .find(|s| !s.is_empty())
            .unwrap_or_default()
    };
    let sender = party(card, "sender", saved_id("senderCardId"))?;
    let receiver = party(card, "receiver", saved_id("receiverCardId"))?;
    let terminal = text(order, aliases::TERMINAL_ID);
    Ok(TransferRequest {
        order_id,
        amount,
        currency: if currency.is_empty() {
            "KZT".into()
        } else {
            currency.to_ascii_uppercase()
        },
        description: text(order, &["description"]),
        account_id: text(order, aliases::TRANSFER_ACCOUNT_ID),
        email: text(order, &["senderEmail", "email"]),
        terminal_id: (!terminal.is_empty()).then_some(terminal),
        language: text(order, &["language"]),
        back_link: link(order, "backLink")?,
        failure_back_link: link(order, "failureBackLink")?,
        post_link: link(order, "postLink")?,
        failure_post_link: link(order, "failurePostLink")?,
        sender,
        receiver,
        ip,
    })
}

/// A link field of the order, checked; empty when absent.
fn link(order: &Object<'_>, name: &'static str) -> Result<String, String> {
    crate::domain::links::Link::optional(name, &text(order, &[name])).map_err(|e| e.to_string())
}

/// One party (`card.sender` / `card.receiver`); `saved_id` is a `senderCardId`/`receiverCardId`
/// given elsewhere in the body (seed 004's naming).
fn party(card: Option<&Object<'_>>, side: &str, saved_id: String) -> Result<Option<CardInput>, String> {
    let object = match card.and_then(|c| c.get(side)) {
        Some(Node::Object(o)) => Some(o),
        Some(Node::Null) | None => None,
        Some(_) => return Err(format!("card.{side} must be an object")),
    };
    let Some(object) = object else {
        return Ok((!saved_id.is_empty()).then(|| CardInput {
            transfer_type: Some(TransferType::CardId),
            cred: saved_id,
            ..Default::default()
        }));
    };
    let type_text = text(object, &["transferType", "TransferType"]);
    let mut transfer_type = if type_text.is_empty() {
        None
    } else {
        Some(
            TransferType::parse(&type_text)
                .ok_or_else(|| format!("card.{side}.transferType must be TYPEPAN or TYPECARDID, got '{type_text}'"))?,
        )
    };
    let mut cred = text(object, &["cardCred", "CardCred"]);
    if cred.is_empty() {
        let id = text(object, &["cardId", "cardID", "id"]);
        cred = if id.is_empty() { saved_id } else { id };
        if !cred.is_empty() && transfer_type.is_none() {
            transfer_type = Some(TransferType::CardId);
        }
    }
    let phone = text(object, &["phone"]);
    if cred.is_empty() && !phone.is_empty() {
        transfer_type = Some(TransferType::Phone);
    }
    let expiry = match object.get("expire") {
        Some(Node::Object(expire)) => {
            let (month, year) = (text(expire, &["month"]), text(expire, &["year"]));
            expiry_mmyy(&month, &year).ok_or_else(|| {
                format!("card.{side}.expire must be {{\"month\": \"01\", \"year\": \"25\"}}, got {month}/{year}")
            })?
        }
        Some(Node::Text(s)) => s.trim().replace('/', ""),
        _ => String::new(),
    };
    Ok(Some(CardInput {
        transfer_type,
        cred,
        cvc: text(object, &["cvc", "CVC", "cvv"]),
        expiry,
        name: text(object, &["name"]),
        save: lenient::flag(object, "save"),
        phone,
        iin: text(object, &["iin", "IIN"]),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            ".{0,20}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("order".to_string()),
                        Just("card".to_string()),
                        Just("sender".to_string()),
                        Just("receiver".to_string()),
                        Just("expire".to_string()),
                        Just("amount".to_string()),
                        Just("cardCred".to_string()),
                        Just("transferType".to_string()),
                        ".{0,8}"
                    ],
                    inner,
                    0..6
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn parsing_never_panics(body in json_value()) {
            let _ = parse(&Node::of_value(&body), String::new());
            let _ = Echo::of(&Node::of_value(&body));
        }
    }

    #[test]
    fn seed_000_body_parses() {
        let body = json!({
            "order": {"amount": 100, "currency": "KZT", "id": "8161284658529816", "accountID": "testUser1",
                      "senderEmail": "dosbols@halykbank.kz", "terminalId": "40a348cb-68a3-45d5-9002-a4836d79c3b5"},
            "card": {"sender": {"save": true, "transferType": "TYPEPAN", "cvc": "815",
                                "expire": {"month": "01", "year": "25"}, "cardCred": "4405639704015096"},
                     "receiver": {"cardCred": "fcf69516-f7e8-9b14-e053-1d1a000aef2f", "transferType": "TYPECARDID"}}
        });
        let request = parse(&Node::of_value(&body), String::new()).unwrap_or_default();
        assert_eq!(request.order_id, "8161284658529816");
        let sender = request.sender.unwrap_or_default();
        assert_eq!((sender.expiry.as_str(), sender.save), ("0125", true));
        let receiver = request.receiver.unwrap_or_default();
        assert_eq!(receiver.transfer_type, Some(TransferType::CardId));
    }
}
