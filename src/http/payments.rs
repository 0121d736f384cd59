//! `POST /payment/cryptopay`, `POST /payments/cards/auth` and `GET /public.rsa`.
//!
//! Bodies are read leniently (numbers or strings, `invoiceId`/`invoiceID`, the Cyrillic
//! `"сryptogram"` key); the engine decides; responses follow seeds 002/003.

use super::aliases;
use super::error::ApiError;
use super::extract::{Bearer, JsonText, PayerIp};
use super::json::Json;
use super::json_node::{Node, Object};
use super::lenient;
use crate::domain::links::Link;
use crate::domain::money::Amount;
use crate::domain::tokens::Token;
use crate::domain::transfer::TransferKind;
use crate::engine::{PaymentAccepted, PaymentError, PaymentMethod, PaymentRequest, Sandbox, Wallet};
use crate::fidelity::{self, Profile, RequestRefusal};
use crate::wire::payment::PaymentReceipt;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The cryptogram key as the RU doc and the official SDKs spell it: Cyrillic `с` (U+0441).
const CYRILLIC_CRYPTOGRAM_KEY: &str = "\u{0441}ryptogram";

/// The sandbox's RSA public key as PEM SPKI; no authentication. (P-10)
#[utoipa::path(
    get,
    path = "/public.rsa",
    tag = "payments",
    responses(
        (status = 200, description = "The PEM public key cryptograms are encrypted with", body = String, content_type = "text/plain")
    )
)]
pub async fn public_key(State(sandbox): State<Arc<Sandbox>>) -> Response {
    (
        [(CONTENT_TYPE, fidelity::PUBLIC_KEY_CONTENT_TYPE)],
        sandbox.crypto().public_pem().to_string(),
    )
        .into_response()
}

/// A payment with a card in a cryptogram, Apple Pay or Google Pay (seed 003, spec §3.2).
#[utoipa::path(
    post,
    path = "/payment/cryptopay",
    tag = "payments",
    request_body(content = crate::wire::requests::PaymentRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Approved, or waiting for 3-D Secure (`secure3D` set)", body = crate::wire::payment::PaymentReceipt),
        (status = 400, description = "Refused request or declined payment (seeds 002/003)", body = crate::wire::errors::PaymentError)
    ),
    security(("bearer" = []))
)]
pub async fn cryptopay(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    PayerIp(ip): PayerIp,
    body: JsonText,
) -> Response {
    let document = match body.document() {
        Ok(document) => document,
        Err(error) => return error.into_response(),
    };
    let fields = match Fields::of(&document) {
        Ok(fields) => fields,
        Err(error) => return error.into_response(),
    };
    let parsed = fields
        .payment_request(ip)
        .and_then(|request| Ok((request, fields.cryptopay_method()?)));
    let (request, method) = match parsed {
        Ok(parsed) => parsed,
        Err(message) => return fields.refusal(RequestRefusal::Invalid, message).into_response(),
    };
    let use_bonus = fields.flag("useBonus");
    let profile = sandbox.profile_for(&token.client_id);
    // The RSA-4096 decryption takes milliseconds of CPU: run it off the async workers so that
    // other requests are not stalled behind it.
    match tokio::task::spawn_blocking(move || sandbox.pay_with_bonus(&token, &request, method, use_bonus)).await {
        Ok(result) => render(&fields, &profile, result),
        Err(_) => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, 500, "internal sandbox error").into_response(),
    }
}

/// A payment with a saved card (`paymentType: "cardId"`, seed 002). The same path carries P2P
/// transfers with an `{order, card}` body; those are dispatched to [`p2p_via_cards_auth`].
#[utoipa::path(
    post,
    path = "/payments/cards/auth",
    tag = "payments",
    request_body(
        content = crate::wire::requests::CardsAuthRequest,
        content_type = "application/json",
        description = "A payment with a saved card, or a transfer (`{order, card}`, seed 000)"
    ),
    responses(
        (status = 200, description = "Approved, or waiting for 3-D Secure (`secure3D` set)", body = crate::wire::payment::CardsAuthAnswer),
        (status = 400, description = "Refused request or declined payment (seeds 002/003)", body = crate::wire::errors::PaymentError)
    ),
    security(("bearer" = []))
)]
pub async fn cards_auth(
    State(sandbox): State<Arc<Sandbox>>,
    Bearer(token): Bearer,
    PayerIp(ip): PayerIp,
    body: JsonText,
) -> Response {
    let document = match body.document() {
        Ok(document) => document,
        Err(error) => return error.into_response(),
    };
    let order = document.as_object().and_then(|body| body.get("order"));
    if order.is_some_and(|order| order.as_object().is_some()) {
        return p2p_via_cards_auth(&sandbox, &token, ip, &document);
    }
    let fields = match Fields::of(&document) {
        Ok(fields) => fields,
        Err(error) => return error.into_response(),
    };
    let parsed = fields
        .payment_request(ip)
        .and_then(|request| Ok((request, fields.saved_card_method()?)));
    let (request, method) = match parsed {
        Ok(parsed) => parsed,
        Err(message) => return fields.refusal(RequestRefusal::Invalid, message).into_response(),
    };
    render(
        &fields,
        &sandbox.profile_for(&token.client_id),
        sandbox.pay(&token, &request, method),
    )
}

/// P2P transfers with saved cards (`{order, card{sender, receiver}}`, seed 000) on
/// `/payments/cards/auth`: the same as `/p2p/transfer`.
pub fn p2p_via_cards_auth(sandbox: &Sandbox, token: &Token, ip: String, body: &Node<'_>) -> Response {
    super::transfers::transfer_response(sandbox, token, ip, TransferKind::P2p, body)
}

fn render(fields: &Fields<'_>, profile: &Profile, result: Result<PaymentAccepted, PaymentError>) -> Response {
    match result {
        Ok(PaymentAccepted::Approved(tx)) => Json(PaymentReceipt::approved(&tx, profile)).into_response(),
        Ok(PaymentAccepted::Challenge { transaction, challenge }) => {
            Json(PaymentReceipt::challenge(&transaction, &challenge, profile)).into_response()
        }
        Err(PaymentError::Refused { kind, message }) => fields.refusal(kind, message).into_response(),
        Err(PaymentError::NotApproved {
            transaction,
            code,
            message,
        }) => {
            let status = StatusCode::from_u16(fidelity::DECLINE_HTTP_STATUS).unwrap_or(StatusCode::BAD_REQUEST);
            let (id, reference) = profile
                .payment_decline_ids
                .render(&transaction.id().to_string(), transaction.reference());
            ApiError::new(status, i64::from(code), message)
                .with("invoiceId", transaction.order().invoice_id.to_string())
                .with("id", id)
                .with("reference", reference)
                .with("accountId", transaction.order().account_id.to_string())
                .into_response()
        }
        Err(PaymentError::Conflict(error)) => fields
            .refusal(RequestRefusal::Invalid, error.to_string())
            .into_response(),
    }
}

/// A JSON object body, read leniently.
struct Fields<'a>(&'a Object<'a>);

impl<'a> Fields<'a> {
    fn of(body: &'a Node<'a>) -> Result<Self, ApiError> {
        body.as_object().map(Fields).ok_or_else(|| {
            let (status, code) = fidelity::request_refusal(RequestRefusal::Invalid);
            ApiError::new(
                StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
                code,
                "request body must be a JSON object",
            )
        })
    }

    fn text(&self, names: &[&str]) -> Option<String> {
        lenient::text(self.0, names)
    }

    fn text_or_empty(&self, names: &[&str]) -> String {
        self.text(names).unwrap_or_default()
    }

    fn flag(&self, name: &str) -> bool {
        lenient::flag(self.0, name)
    }

    /// `data` as a string: kept as sent, or the JSON text of an object.
    fn data(&self) -> String {
        match self.0.get("data") {
            Some(Node::Text(s)) => s.to_string(),
            Some(Node::Null) | None => String::new(),
            Some(other) => other.to_value().to_string(),
        }
    }

    fn payment_request(&self, ip: String) -> Result<PaymentRequest, String> {
        let amount = self.0.get("amount").ok_or("amount is required")?;
        let amount = Amount::from_json(&amount.to_value()).map_err(|e| e.to_string())?;
        Ok(PaymentRequest {
            amount,
            currency: self
                .text(&["currency"])
                .ok_or("currency is required")?
                .to_ascii_uppercase(),
            invoice_id: self.text(aliases::INVOICE_ID).ok_or("invoiceId is required")?,
            invoice_id_alt: self.text_or_empty(aliases::INVOICE_ID_ALT),
            terminal_id: self.text(aliases::TERMINAL_ID),
            name: self.text_or_empty(&["name"]),
            description: self.text_or_empty(&["description"]),
            account_id: self.text_or_empty(aliases::ACCOUNT_ID),
            email: self.text_or_empty(&["email"]),
            phone: self.text_or_empty(&["phone"]),
            language: self.text_or_empty(&["language"]),
            data: self.data(),
            back_link: self.link("backLink")?,
            failure_back_link: self.link("failureBackLink")?,
            post_link: self.link("postLink")?,
            failure_post_link: self.link("failurePostLink")?,
            card_save: self.flag("cardSave"),
            ip,
        })
    }

    /// A link field, checked; empty when absent.
    fn link(&self, name: &'static str) -> Result<String, String> {
        Link::optional(name, &self.text_or_empty(&[name])).map_err(|e| e.to_string())
    }

    fn payment_type(&self) -> String {
        self.text_or_empty(&["paymentType"]).to_ascii_lowercase()
    }

    fn cryptogram(&self) -> Option<String> {
        self.text(&["cryptogram", CYRILLIC_CRYPTOGRAM_KEY])
    }

    fn cryptopay_method(&self) -> Result<PaymentMethod, String> {
        let wallet = match self.payment_type().as_str() {
            "applepay" => Some(Wallet::ApplePay),
            "googlepay" => Some(Wallet::GooglePay),
            "cardid" => return self.saved_card_method(),
            _ => None,
        };
        match (wallet, self.cryptogram()) {
            (Some(wallet), cryptogram) => Ok(PaymentMethod::Wallet { wallet, cryptogram }),
            (None, Some(cryptogram)) => Ok(PaymentMethod::Cryptogram(cryptogram)),
            (None, None) => Err("cryptogram is required (RSA-encrypted card data, see /public.rsa)".into()),
        }
    }

    fn saved_card_method(&self) -> Result<PaymentMethod, String> {
        if self.payment_type() != "cardid" {
            return Err("paymentType must be \"cardId\" to pay with a saved card".into());
        }
        let card = ["cardId", "cardID", "cardid"].iter().find_map(|k| self.0.get(k));
        let id = match card {
            Some(Node::Object(card)) => Fields(card).text(&["id", "ID"]),
            Some(Node::Text(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            _ => None,
        };
        id.map(PaymentMethod::SavedCard)
            .ok_or_else(|| "cardId.id is required (the cardID of an earlier payment with cardSave: true)".into())
    }

    /// The cryptopay error body (seed 003): `code`, `message`, `invoiceId`, `id`, `reference`,
    /// `accountId`.
    fn refusal(&self, kind: RequestRefusal, message: impl Into<String>) -> ApiError {
        let (status, code) = fidelity::request_refusal(kind);
        ApiError::new(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            code,
            message,
        )
        .with("invoiceId", self.text_or_empty(aliases::INVOICE_ID))
        .with("id", "")
        .with("reference", "")
        .with("accountId", self.text_or_empty(aliases::ACCOUNT_ID))
    }
}
