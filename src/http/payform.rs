//! The hosted payment page (spec §7, docs/payform.md): `GET /payform/payment-api.js` (the
//! drop-in script), `GET /payform/?params=…` (the card form), `POST /payform/pay` (one
//! attempt) and `POST /payform/transfer` (P2P/AFT/OCT, not wired yet).
//!
//! Handlers parse (params, form fields), call the engine ([`Sandbox::payform_open`],
//! [`Sandbox::payform_pay`]) and render askama pages; the decoding is
//! [`crate::domain::payform::params`].

use super::aliases;
use super::extract::{FormFields, PayerIp};
use crate::crypto::CardData;
use crate::domain::links::Link;
use crate::domain::money::Amount;
use crate::domain::payform::i18n::{Labels, Language};
use crate::domain::payform::params::encode_uri_component;
use crate::domain::payform::{
    append_query, decode_params, normalise_expiry, normalise_pan, origin_of, FormKind, PaymentObject, MAX_ATTEMPTS,
    SESSION_MINUTES,
};
use crate::engine::{
    PayformAttempt, PayformRefusal, PaymentAccepted, PaymentError, PaymentRequest, Sandbox, Secure3dChallenge,
};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, REFERER};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Arc;

/// Currency of a payment object without one (spec §7.2).
const DEFAULT_CURRENCY: &str = "KZT";

/// The drop-in `payment-api.js`.
const SCRIPT: &str = include_str!("../../static/payment-api.js");

/// `GET /payform/payment-api.js`: the sandbox's own `halyk` library. (H-01)
#[utoipa::path(
    get,
    path = "/payform/payment-api.js",
    tag = "pages",
    responses(
        (status = 200, description = "The bank's payment-api.js, pointing here", body = String, content_type = "application/javascript")
    )
)]
pub async fn script() -> Response {
    (
        [
            (CONTENT_TYPE, "application/javascript; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
        .into_response()
}

/// `GET /payform/?params=…[&isShortForm=true|&isTransfer=true|&isAFT=true|&isOCT=true]`; without
/// `params` but with `invoiceID`/`code`/`message`, the bank's failure page (seed 003, S-06).
#[utoipa::path(
    get,
    path = "/payform/",
    tag = "pages",
    responses(
        (status = 200, description = "The hosted payment page, or (with invoiceID/code/message and no params) the failure page", body = String, content_type = "text/html"),
        (status = 400, description = "Bad or missing payment parameters", body = String, content_type = "text/html")
    )
)]
pub async fn page(
    State(sandbox): State<Arc<Sandbox>>,
    PayerIp(ip): PayerIp,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if super::result_pages::is_failure_target(&query) {
        return super::result_pages::failure_page(State(sandbox), Query(query)).await;
    }
    let flag = |name: &str| query.get(name).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let kind = FormKind::from_flags(flag("isTransfer"), flag("isAFT"), flag("isOCT"));
    let raw = query.get("params").map(String::as_str).unwrap_or("");
    let parent_origin = headers
        .get(REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(origin_of)
        .unwrap_or_default();
    let mut page = Page {
        raw_params: raw.to_string(),
        short_form: flag("isShortForm"),
        parent_origin,
        kind,
        saved: SavedParties::default(),
    };
    let object = match decode_params(raw) {
        Ok(object) => object,
        Err(error) => return error_page(Language::English, StatusCode::BAD_REQUEST, &error.to_string()),
    };
    let language = Language::parse(&object.text(&["language"]));
    if let Err(message) = check_links(&object) {
        return error_page(language, StatusCode::BAD_REQUEST, &message);
    }
    let Some(access_token) = object.access_token().map(str::to_string) else {
        return error_page(language, StatusCode::BAD_REQUEST, "auth has no access_token");
    };
    if kind != FormKind::Payment {
        let opened = sandbox.payform_transfer_terminal(&access_token).and_then(|terminal| {
            page.saved = SavedParties::of(&sandbox, &access_token, &object, kind)?;
            Ok(terminal)
        });
        return match opened {
            Ok(terminal) => {
                let merchant = terminal.map(|t| t.name).unwrap_or_default();
                page.form(&object, &merchant, None, None)
            }
            Err(refusal) => page.refusal(&object, &refusal),
        };
    }
    let request = match payment_request(&object, ip) {
        Ok(request) => request,
        Err(message) => return error_page(language, StatusCode::BAD_REQUEST, &message),
    };
    match sandbox.payform_open(&access_token, &request) {
        Ok((terminal, session)) => page.form(&object, &terminal.name, Some(session.attempts_left()), None),
        Err(refusal) => page.refusal(&object, &refusal),
    }
}

/// `POST /payform/pay`: one payment attempt with the card typed into the page.
#[utoipa::path(
    post,
    path = "/payform/pay",
    tag = "pages",
    request_body(content = Object, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The result or 3-D Secure page", body = String, content_type = "text/html"),
        (status = 303, description = "To the backLink", headers(("Location" = String, description = "The backLink"))),
        (status = 400, description = "Bad form: an HTML page; JSON when the body cannot be read", content(
            (String = "text/html"),
            (crate::wire::errors::ApiError = "application/json")
        )),
        (status = 409, description = "Already paid or in progress", body = String, content_type = "text/html")
    )
)]
pub async fn pay(
    State(sandbox): State<Arc<Sandbox>>,
    PayerIp(ip): PayerIp,
    FormFields(fields): FormFields,
) -> Response {
    let field = |name: &str| fields.get(name).map(|v| v.trim().to_string()).unwrap_or_default();
    let page = Page {
        raw_params: field("params"),
        short_form: field("isShortForm").eq_ignore_ascii_case("true"),
        parent_origin: origin_of(&field("parentOrigin")).unwrap_or_default(),
        kind: FormKind::Payment,
        saved: SavedParties::default(),
    };
    let object = match decode_params(&page.raw_params) {
        Ok(object) => object,
        Err(error) => return error_page(Language::English, StatusCode::BAD_REQUEST, &error.to_string()),
    };
    let language = Language::parse(&object.text(&["language"]));
    if let Err(message) = check_links(&object) {
        return error_page(language, StatusCode::BAD_REQUEST, &message);
    }
    let Some(access_token) = object.access_token().map(str::to_string) else {
        return error_page(language, StatusCode::BAD_REQUEST, "auth has no access_token");
    };
    let mut request = match payment_request(&object, ip) {
        Ok(request) => request,
        Err(message) => return error_page(language, StatusCode::BAD_REQUEST, &message),
    };
    let holder = field("name");
    if !holder.is_empty() {
        request.name = holder.to_ascii_uppercase();
    }
    request.card_save = !request.account_id.is_empty() && fields.get("cardSave").is_some_and(|v| v == "true");
    let Some(pan) = normalise_pan(&field("pan")) else {
        return match sandbox.payform_open(&access_token, &request) {
            Ok((terminal, session)) => page.form(
                &object,
                &terminal.name,
                Some(session.attempts_left()),
                Some(entry_error(language).to_string()),
            ),
            Err(refusal) => page.refusal(&object, &refusal),
        };
    };
    let card = CardData {
        hpan: pan,
        exp_date: normalise_expiry(&field("expiry")),
        cvc: field("cvc"),
        terminal_id: request.terminal_id.clone().unwrap_or_default(),
    };
    match sandbox.payform_pay(&access_token, &request, card) {
        Ok(PayformAttempt::Approved(tx)) => page.success(&object, tx.reference()),
        Ok(PayformAttempt::Challenge { challenge, .. }) => {
            let term_url = format!(
                "{}/payments/cards/confirmPayment?Access={}",
                sandbox.public_url(),
                encode_uri_component(&access_token)
            );
            secure3d_page(language, &challenge, &term_url)
        }
        Ok(PayformAttempt::Declined {
            code,
            message,
            attempts_left,
            ..
        }) => {
            let merchant = sandbox
                .terminal(request.terminal_id.as_deref().unwrap_or(""))
                .map(|(_, t)| t.name)
                .unwrap_or_default();
            page.form(
                &object,
                &merchant,
                Some(attempts_left),
                Some(format!("{message} ({code})")),
            )
        }
        Ok(PayformAttempt::Failed { code, message, .. }) => page.failure(&object, code, &message),
        Err(refusal) => page.refusal(&object, &refusal),
    }
}

/// `POST /payform/transfer`: P2P, AFT and OCT through the page. The form's cards and the
/// payment object become the `{order, card}` body of the transfer API, and the same transfers
/// engine decides. (H-08)
#[utoipa::path(
    post,
    path = "/payform/transfer",
    tag = "pages",
    request_body(content = Object, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The result or 3-D Secure page", body = String, content_type = "text/html"),
        (status = 303, description = "To the backLink", headers(("Location" = String, description = "The backLink"))),
        (status = 400, description = "Bad form: an HTML page; JSON when the body cannot be read", content(
            (String = "text/html"),
            (crate::wire::errors::ApiError = "application/json")
        )),
        (status = 409, description = "Already done or in progress", body = String, content_type = "text/html")
    )
)]
pub async fn transfer(
    State(sandbox): State<Arc<Sandbox>>,
    PayerIp(ip): PayerIp,
    FormFields(fields): FormFields,
) -> Response {
    let field = |name: &str| fields.get(name).map(|v| v.trim().to_string()).unwrap_or_default();
    let form = field("form");
    let mut page = Page {
        raw_params: field("params"),
        short_form: field("isShortForm").eq_ignore_ascii_case("true"),
        parent_origin: origin_of(&field("parentOrigin")).unwrap_or_default(),
        kind: FormKind::from_flags(form == "isTransfer", form == "isAFT", form == "isOCT"),
        saved: SavedParties::default(),
    };
    let object = match decode_params(&page.raw_params) {
        Ok(object) => object,
        Err(error) => return error_page(Language::English, StatusCode::BAD_REQUEST, &error.to_string()),
    };
    let language = Language::parse(&object.text(&["language"]));
    if let Err(message) = check_links(&object) {
        return error_page(language, StatusCode::BAD_REQUEST, &message);
    }
    let Some(kind) = page.kind.transfer_kind() else {
        return error_page(language, StatusCode::BAD_REQUEST, "the form is not a transfer form");
    };
    let token = match sandbox.authenticate(object.access_token()) {
        Ok(token) => token,
        Err(error) => return error_page(language, StatusCode::BAD_REQUEST, &format!("auth: {error}")),
    };
    let merchant = token
        .terminal
        .as_deref()
        .and_then(|t| sandbox.terminal(t))
        .map(|(_, t)| t.name)
        .unwrap_or_default();
    page.saved = match SavedParties::of(&sandbox, &token.access_token, &object, page.kind) {
        Ok(saved) => saved,
        Err(refusal) => return page.refusal(&object, &refusal),
    };
    let card_save = object.get(aliases::ACCOUNT_ID).is_some() && field("cardSave") == "true";
    let body = transfer_body(&object, &field, page.kind, card_save);
    let request = match super::transfers::parse(&super::json_node::Node::of_value(&body), ip) {
        Ok(request) => request,
        Err(message) => return page.form(&object, &merchant, None, Some(message)),
    };
    match sandbox.transfer(&token, kind, &request) {
        Ok(PaymentAccepted::Approved(tx)) => page.success(&object, tx.reference()),
        Ok(PaymentAccepted::Challenge { challenge, .. }) => {
            let term_url = format!(
                "{}/payments/cards/confirmPayment?Access={}",
                sandbox.public_url(),
                encode_uri_component(&token.access_token)
            );
            secure3d_page(language, &challenge, &term_url)
        }
        Err(PaymentError::Refused { message, .. }) => page.form(&object, &merchant, None, Some(message)),
        Err(PaymentError::NotApproved { code, message, .. }) => page.failure(&object, code, &message),
        Err(PaymentError::Conflict(error)) => page.failure(&object, -1, &error.to_string()),
    }
}

/// The transfer API's `{order, card: {sender, receiver}}` body for what the page collected: a
/// side the payment object names a saved card for (`senderCardId`/`receiverCardId`) goes as
/// that id (seed 004), a typed card as `TYPEPAN`, saved on success when `card_save`. (H-10)
fn transfer_body(
    object: &PaymentObject,
    field: &dyn Fn(&str) -> String,
    kind: FormKind,
    card_save: bool,
) -> serde_json::Value {
    let expiry = normalise_expiry(&field("expiry"));
    let (month, year) = (expiry.get(..2).unwrap_or(""), expiry.get(2..).unwrap_or(""));
    let sender_card_id = object.text(aliases::SENDER_CARD_ID);
    let receiver_card_id = object.text(aliases::RECEIVER_CARD_ID);
    let sender = (kind.needs_sender() && sender_card_id.is_empty()).then(|| {
        serde_json::json!({
            "transferType": "TYPEPAN",
            "cardCred": normalise_pan(&field("pan")).unwrap_or_default(),
            "cvc": field("cvc"),
            "expire": {"month": month, "year": year},
            "name": field("name").to_ascii_uppercase(),
            "save": card_save,
        })
    });
    let receiver = (kind.needs_receiver() && receiver_card_id.is_empty()).then(|| {
        serde_json::json!({
            "transferType": "TYPEPAN",
            "cardCred": normalise_pan(&field("receiverPan")).unwrap_or_default(),
            "save": card_save,
        })
    });
    let saved_id = |needed: bool, id: String| if needed { id } else { String::new() };
    let order_field = |names: &[&str]| object.text(names);
    serde_json::json!({
        "order": {
            "id": order_field(aliases::INVOICE_ID),
            "amount": order_field(&["amount"]),
            "currency": object.get(&["currency"]).unwrap_or(DEFAULT_CURRENCY),
            "description": order_field(&["description"]),
            "accountID": order_field(aliases::ACCOUNT_ID),
            "senderEmail": order_field(&["email"]),
            "terminalId": order_field(&["terminal", "terminalId"]),
            "language": order_field(&["language"]),
            "backLink": order_field(&["backLink"]),
            "failureBackLink": order_field(&["failureBackLink"]),
            "postLink": order_field(&["postLink"]),
            "failurePostLink": order_field(&["failurePostLink"]),
            "senderCardId": saved_id(kind.needs_sender(), sender_card_id),
            "receiverCardId": saved_id(kind.needs_receiver(), receiver_card_id),
        },
        "card": {"sender": sender, "receiver": receiver},
    })
}

/// The saved cards a transfer page uses instead of card fields, by their masks.
#[derive(Debug, Default)]
struct SavedParties {
    sender: Option<String>,
    receiver: Option<String>,
}

impl SavedParties {
    /// The saved cards the payment object names for the sides `kind` has, each checked as
    /// the transfer will check it; a card that is not usable refuses the page. (H-10)
    fn of(
        sandbox: &Sandbox,
        access_token: &str,
        object: &PaymentObject,
        kind: FormKind,
    ) -> Result<SavedParties, PayformRefusal> {
        let account_id = object.text(aliases::ACCOUNT_ID);
        let mask = |needed: bool, names: &[&str]| -> Result<Option<String>, PayformRefusal> {
            let card_id = object.text(names);
            if !needed || card_id.is_empty() {
                return Ok(None);
            }
            sandbox
                .payform_saved_card(access_token, &account_id, &card_id)
                .map(|card| Some(card.mask))
                .map_err(|refusal| {
                    let field = names.first().copied().unwrap_or("card id");
                    PayformRefusal::Invalid(format!("{field}: {refusal}"))
                })
        };
        Ok(SavedParties {
            sender: mask(kind.needs_sender(), aliases::SENDER_CARD_ID)?,
            receiver: mask(kind.needs_receiver(), aliases::RECEIVER_CARD_ID)?,
        })
    }
}

/// The order of a payment object as the engine takes it.
fn payment_request(object: &PaymentObject, ip: String) -> Result<PaymentRequest, String> {
    let amount = object.get(&["amount"]).ok_or("the payment object has no amount")?;
    let amount = Amount::parse(amount).map_err(|e| format!("amount: {e}"))?;
    Ok(PaymentRequest {
        amount,
        currency: object
            .get(&["currency"])
            .unwrap_or(DEFAULT_CURRENCY)
            .to_ascii_uppercase(),
        invoice_id: object
            .get(aliases::INVOICE_ID)
            .ok_or("the payment object has no invoiceId")?
            .to_string(),
        invoice_id_alt: object.text(aliases::INVOICE_ID_ALT),
        terminal_id: object.get(aliases::PAYFORM_TERMINAL).map(str::to_string),
        name: object.text(&["name"]),
        description: object.text(&["description"]),
        account_id: object.text(aliases::ACCOUNT_ID),
        email: object.text(&["email"]),
        phone: object.text(&["phone"]),
        language: object.text(&["language"]),
        data: object.get(&["data"]).map(str::to_string).unwrap_or_default(),
        back_link: payform_link(object, "backLink")?,
        failure_back_link: payform_link(object, "failureBackLink")?,
        post_link: payform_link(object, "postLink")?,
        failure_post_link: payform_link(object, "failurePostLink")?,
        card_save: object.flag("cardSave"),
        ip,
    })
}

/// A link of the payment object, checked; empty when absent.
fn payform_link(object: &PaymentObject, name: &'static str) -> Result<String, String> {
    Link::optional(name, &object.text(&[name])).map_err(|e| e.to_string())
}

/// Refuses a payment object whose links are not absolute http(s) URLs.
fn check_links(object: &PaymentObject) -> Result<(), String> {
    for name in ["backLink", "failureBackLink", "postLink", "failurePostLink"] {
        payform_link(object, name)?;
    }
    Ok(())
}

/// A link safe to redirect to or render, or `None`.
fn safe_link(object: &PaymentObject, name: &str) -> Option<String> {
    Some(object.text(&[name]).trim().to_string()).filter(|l| Link::is_safe(l))
}

fn entry_error(language: Language) -> &'static str {
    match language {
        Language::Russian => "Введите номер карты.",
        Language::Kazakh => "Карта нөмірін енгізіңіз.",
        Language::English => "Enter the card number.",
    }
}

/// What every answer of one page request shares.
struct Page {
    raw_params: String,
    short_form: bool,
    parent_origin: String,
    kind: FormKind,
    /// Saved cards a transfer page shows instead of card fields.
    saved: SavedParties,
}

impl Page {
    fn target_origin(&self) -> String {
        if self.parent_origin.is_empty() {
            "*".to_string()
        } else {
            self.parent_origin.clone()
        }
    }

    fn form(
        &self,
        object: &PaymentObject,
        merchant: &str,
        attempts_left: Option<u32>,
        error: Option<String>,
    ) -> Response {
        let language = Language::parse(&object.text(&["language"]));
        let labels = language.labels();
        let payment = self.kind == FormKind::Payment;
        let typed_card = (self.kind.needs_sender() && self.saved.sender.is_none())
            || (self.kind.needs_receiver() && self.saved.receiver.is_none());
        let amount = object
            .get(&["amount"])
            .and_then(|a| Amount::parse(a).ok())
            .map(|a| a.to_string())
            .unwrap_or_default();
        let template = PayformTemplate {
            lang: language.html_lang(),
            labels,
            heading: if payment { labels.title } else { labels.transfer_title },
            amount,
            currency: object
                .get(&["currency"])
                .unwrap_or(DEFAULT_CURRENCY)
                .to_ascii_uppercase(),
            merchant: merchant.to_string(),
            invoice_id: object.text(aliases::INVOICE_ID),
            description: object.text(&["description"]),
            error,
            action: if payment { "/payform/pay" } else { "/payform/transfer" },
            params: self.raw_params.clone(),
            form_flag: self.kind.flag(),
            short_form: self.short_form,
            parent_origin: self.parent_origin.clone(),
            needs_sender: self.kind.needs_sender() && self.saved.sender.is_none(),
            needs_receiver: self.kind.needs_receiver() && self.saved.receiver.is_none(),
            two_cards: self.kind.needs_sender() && self.kind.needs_receiver(),
            saved_sender: self.saved.sender.clone(),
            saved_receiver: self.saved.receiver.clone(),
            cardholder: object.text(&["name"]),
            prefill_pan: object.text(&["sandboxPan"]),
            prefill_expiry: object.text(&["sandboxExpiry"]),
            prefill_cvc: object.text(&["sandboxCvc"]),
            show_save_card: object.get(aliases::ACCOUNT_ID).is_some() && (payment || typed_card),
            card_save_checked: object.flag("cardSave"),
            button: if payment { labels.pay } else { labels.transfer },
            limits: labels.limits_text(SESSION_MINUTES, MAX_ATTEMPTS),
            attempts_left: attempts_left.filter(|left| *left < MAX_ATTEMPTS),
        };
        render(StatusCode::OK, &template)
    }

    /// Paid: back to `backLink?reference=…` (303), or a success page; the widget reports
    /// `{"success": true}` to its parent instead. (H-03, H-06)
    fn success(&self, object: &PaymentObject, reference: &str) -> Response {
        let language = Language::parse(&object.text(&["language"]));
        let back = safe_link(object, "backLink");
        if let Some(back) = back.as_deref().filter(|_| !self.short_form) {
            return see_other(&append_query(back, "reference", reference));
        }
        message_page(Message {
            status: StatusCode::OK,
            language,
            kind: "success",
            heading: language.labels().paid.to_string(),
            message: String::new(),
            code: None,
            link: back.filter(|_| !self.short_form),
            post_message: self.short_form.then_some(true),
            target_origin: self.target_origin(),
        })
    }

    /// Failed for good: to `failureBackLink?errorCode=…` (303), or a failure page with a link
    /// back to the shop; the widget reports `{"success": false}`. (H-03, H-06)
    fn failure(&self, object: &PaymentObject, code: i32, message: &str) -> Response {
        let language = Language::parse(&object.text(&["language"]));
        let failure_back = safe_link(object, "failureBackLink");
        if let Some(failure_back) = failure_back.as_deref().filter(|_| !self.short_form) {
            return see_other(&append_query(failure_back, "errorCode", &code.to_string()));
        }
        let back = safe_link(object, "backLink");
        message_page(Message {
            status: StatusCode::OK,
            language,
            kind: "failure",
            heading: language.labels().failed.to_string(),
            message: message.to_string(),
            code: Some(code),
            link: back.filter(|_| !self.short_form),
            post_message: self.short_form.then_some(false),
            target_origin: self.target_origin(),
        })
    }

    fn refusal(&self, object: &PaymentObject, refusal: &PayformRefusal) -> Response {
        let language = Language::parse(&object.text(&["language"]));
        match refusal.reason_code() {
            Some(code) => self.failure(object, code, &refusal.to_string()),
            None => {
                let status = match refusal {
                    PayformRefusal::Finished | PayformRefusal::Busy => StatusCode::CONFLICT,
                    _ => StatusCode::BAD_REQUEST,
                };
                error_page(language, status, &refusal.to_string())
            }
        }
    }
}

fn see_other(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, location.to_string())]).into_response()
}

#[derive(Template)]
#[template(path = "payform.html")]
struct PayformTemplate {
    lang: &'static str,
    labels: &'static Labels,
    heading: &'static str,
    amount: String,
    currency: String,
    merchant: String,
    invoice_id: String,
    description: String,
    error: Option<String>,
    action: &'static str,
    params: String,
    form_flag: &'static str,
    short_form: bool,
    parent_origin: String,
    needs_sender: bool,
    needs_receiver: bool,
    /// Whether the form has a sender and a receiver (P2P), so each card gets a heading.
    two_cards: bool,
    /// Mask of the saved sender card the payment object names (no sender fields then).
    saved_sender: Option<String>,
    /// Mask of the saved receiver card the payment object names (no receiver fields then).
    saved_receiver: Option<String>,
    cardholder: String,
    /// Sandbox-only fields of the payment object that fill the card in (the demo shop's 3-D
    /// Secure button); the bank has no such fields and ignores them.
    prefill_pan: String,
    prefill_expiry: String,
    prefill_cvc: String,
    show_save_card: bool,
    card_save_checked: bool,
    button: &'static str,
    limits: String,
    attempts_left: Option<u32>,
}

/// A result or error page.
struct Message {
    status: StatusCode,
    language: Language,
    kind: &'static str,
    heading: String,
    message: String,
    code: Option<i32>,
    link: Option<String>,
    post_message: Option<bool>,
    target_origin: String,
}

#[derive(Template)]
#[template(path = "payform_message.html")]
struct MessageTemplate {
    lang: &'static str,
    kind: &'static str,
    heading: String,
    message: String,
    code: Option<i32>,
    link: Option<String>,
    link_label: &'static str,
    post_message: Option<bool>,
    target_origin: String,
}

fn message_page(message: Message) -> Response {
    let template = MessageTemplate {
        lang: message.language.html_lang(),
        kind: message.kind,
        heading: message.heading,
        message: message.message,
        code: message.code,
        link: message.link,
        link_label: message.language.labels().back_to_shop,
        post_message: message.post_message,
        target_origin: message.target_origin,
    };
    render(message.status, &template)
}

/// A page the payer cannot go on from: bad params, a bad or expired token, a wrong order.
fn error_page(language: Language, status: StatusCode, message: &str) -> Response {
    message_page(Message {
        status,
        language,
        kind: "error",
        heading: language.labels().error.to_string(),
        message: message.to_string(),
        code: None,
        link: None,
        post_message: None,
        target_origin: String::new(),
    })
}

#[derive(Template)]
#[template(path = "payform_3ds.html")]
struct Secure3dTemplate<'a> {
    lang: &'static str,
    action: &'a str,
    pa_req: &'a str,
    md: &'a str,
    term_url: &'a str,
    wait: &'static str,
    continue_label: &'static str,
}

/// The auto-submitting form that takes the browser to the ACS (seed 003).
fn secure3d_page(language: Language, challenge: &Secure3dChallenge, term_url: &str) -> Response {
    let template = Secure3dTemplate {
        lang: language.html_lang(),
        action: &challenge.action,
        pa_req: &challenge.pa_req,
        md: &challenge.md,
        term_url,
        wait: language.labels().wait,
        continue_label: language.labels().continue_label,
    };
    render(StatusCode::OK, &template)
}

fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (
            status,
            [(CONTENT_TYPE, "text/html; charset=utf-8"), (CACHE_CONTROL, "no-store")],
            html,
        )
            .into_response(),
        Err(error) => {
            tracing::error!("payment page template failed: {error}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(CONTENT_TYPE, "text/html; charset=utf-8")],
                "<!doctype html><title>Error</title><p>internal sandbox error</p>",
            )
                .into_response()
        }
    }
}
