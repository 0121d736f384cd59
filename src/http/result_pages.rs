//! The payment-page host's result pages, where the 3-D Secure confirm step sends the browser
//! (seed 003): `GET /payform/success.html?amount=&currency=&invoiceID=&…&reference=&language=`
//! and the failure page, `GET /payform/?invoiceID=&code=&message=` (also served as
//! `/payform/failure.html`). (S-05, S-06, H-09)
//!
//! Each page speaks the payment's language: the `language` of the transaction the `invoiceID`
//! names when the sandbox knows it, else the page's `language` parameter, else Russian. It
//! shows the order and, on failure, the reason from the reason-code catalogue, never the raw
//! query; the only link is the payment's own back link, and only when it is a safe http(s) URL.

use super::aliases;
use super::secure3d_pages::render;
use crate::domain::links::Link;
use crate::domain::money::Amount;
use crate::domain::payform::i18n::{Labels, Language};
use crate::domain::transaction::Transaction;
use crate::engine::Sandbox;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use std::collections::HashMap;
use std::sync::Arc;

/// The longest `message` parameter the failure page repeats (when its code is not catalogued).
const MAX_MESSAGE_CHARS: usize = 200;

/// Parameter names the failure page reads its reason code from (`errorCode` is what the
/// confirmPayment step adds, S-08).
const CODE: &[&str] = &["code", "errorCode"];

/// Whether a `/payform/` request without `params` is the bank's failure redirect target
/// (seed 003: `/payform/?invoiceID=…&code=…&message=…`).
pub fn is_failure_target(query: &HashMap<String, String>) -> bool {
    !query.contains_key("params")
        && aliases::INVOICE_ID
            .iter()
            .chain(CODE)
            .chain(&["message"])
            .any(|name| query.contains_key(*name))
}

/// `GET /payform/success.html?amount=…&currency=…&invoiceID=…&accountID=…&description=…
/// &reference=…&language=…&cardid=…`. (S-05)
#[utoipa::path(
    get,
    path = "/payform/success.html",
    tag = "pages",
    responses(
        (status = 200, description = "The payment page's success page", body = String, content_type = "text/html")
    )
)]
pub async fn success_page(
    State(sandbox): State<Arc<Sandbox>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    render(&ResultPage::new(&sandbox, &query, true))
}

/// `GET /payform/?invoiceID=…&code=…&message=…` (the bank's failure target) and
/// `GET /payform/failure.html` with the same parameters. (S-06)
#[utoipa::path(
    get,
    path = "/payform/failure.html",
    tag = "pages",
    responses(
        (status = 200, description = "The payment page's failure page", body = String, content_type = "text/html")
    )
)]
pub async fn failure_page(
    State(sandbox): State<Arc<Sandbox>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    render(&ResultPage::new(&sandbox, &query, false))
}

/// The success or failure page.
#[derive(Template)]
#[template(path = "payform_result.html")]
struct ResultPage {
    success: bool,
    lang: &'static str,
    labels: &'static Labels,
    heading: &'static str,
    amount: String,
    invoice_id: String,
    description: String,
    reference: String,
    reason: String,
    code: Option<i32>,
    link: Option<String>,
}

impl ResultPage {
    fn new(sandbox: &Sandbox, query: &HashMap<String, String>, success: bool) -> Self {
        let param = |names: &[&str]| {
            names
                .iter()
                .filter_map(|n| query.get(*n))
                .map(|v| v.trim())
                .find(|v| !v.is_empty())
                .unwrap_or("")
                .to_string()
        };
        let invoice_id = param(aliases::INVOICE_ID);
        let tx = (!invoice_id.is_empty())
            .then(|| sandbox.latest_transaction_by_invoice(&invoice_id))
            .flatten();
        let language = Language::parse(
            tx.as_ref()
                .map(|tx| tx.order().language)
                .filter(|l| !l.trim().is_empty())
                .unwrap_or(&param(&["language"])),
        );
        let labels = language.labels();
        let code = if success {
            None
        } else {
            param(CODE)
                .parse()
                .ok()
                .or_else(|| tx.as_ref().map(Transaction::reason_code).filter(|code| *code != 0))
        };
        let amount = match &tx {
            Some(tx) => format!("{} {}", tx.amount(), tx.order().currency),
            None => match Amount::parse(&param(&["amount"])) {
                Ok(amount) => format!("{amount} {}", param(&["currency"]).to_ascii_uppercase()),
                Err(_) => String::new(),
            },
        };
        ResultPage {
            success,
            lang: language.html_lang(),
            labels,
            heading: if success {
                labels.success_page
            } else {
                labels.failure_page
            },
            amount: amount.trim().to_string(),
            description: tx
                .as_ref()
                .map_or_else(|| param(&["description"]), |tx| tx.order().description.to_string()),
            reference: tx
                .as_ref()
                .map_or_else(|| param(&["reference"]), |tx| tx.reference().to_string()),
            reason: if success {
                String::new()
            } else {
                reason_text(sandbox, language, code, &param(&["message"]))
            },
            code,
            link: tx.as_ref().and_then(|tx| back_link(tx, success)),
            invoice_id,
        }
    }
}

/// The reason in the page's language: the catalogue's text for the code (Russian on a Kazakh
/// page: the catalogue has no Kazakh texts), else the `message` parameter, else "declined".
fn reason_text(sandbox: &Sandbox, language: Language, code: Option<i32>, message: &str) -> String {
    let catalogued = code
        .and_then(|code| sandbox.fixtures().catalogue.reason(code))
        .map(|r| match language {
            Language::English => r.message_en.clone(),
            Language::Russian | Language::Kazakh => r.message_ru.clone(),
        });
    catalogued
        .or_else(|| (!message.is_empty()).then(|| message.chars().take(MAX_MESSAGE_CHARS).collect()))
        .unwrap_or_else(|| language.labels().declined.to_string())
}

/// The payment's own way back to the shop, if it is a safe link: `backLink` after a success;
/// `failureBackLink`, else `backLink`, after a failure.
fn back_link(tx: &Transaction, success: bool) -> Option<String> {
    let links = tx.links();
    let candidates = if success {
        [links.back_link, ""]
    } else {
        [links.failure_back_link, links.back_link]
    };
    candidates
        .into_iter()
        .map(str::trim)
        .find(|l| !l.is_empty() && Link::is_safe(l))
        .map(str::to_string)
}
