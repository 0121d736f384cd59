//! Pages for people with a browser: the landing page at `/`, and HTML views of the test cards
//! and the callback deliveries, which answer JSON to everyone else.

use super::secure3d_pages::render;
use crate::callbacks::Delivery;
use crate::domain::cards::TestCard;
use askama::Template;
use axum::http::header::ACCEPT;
use axum::http::HeaderMap;
use axum::response::Response;

/// Whether the client asked for HTML before JSON: browsers send `Accept: text/html,…`;
/// `application/json`, `*/*` or no `Accept` keep the JSON answer.
pub fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers.get(ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let position = |media: &str| accept.to_ascii_lowercase().find(media);
    match (position("text/html"), position("application/json")) {
        (Some(html), Some(json)) => html < json,
        (Some(_), None) => true,
        _ => false,
    }
}

/// A page that only says why it cannot show what was asked for (a link that cannot be paid, a
/// bill that does not exist), under a heading naming what it is.
#[derive(Template)]
#[template(path = "message_page.html")]
pub struct MessagePage {
    /// What the page is about (`Invoice link`, `Homebank QR`).
    pub heading: &'static str,
    /// Why.
    pub message: String,
}

#[derive(Template)]
#[template(path = "landing.html")]
struct Landing {
    version: &'static str,
}

/// `GET /`: what this is and where to go.
#[utoipa::path(
    get,
    path = "/",
    tag = "pages",
    responses(
        (status = 200, description = "The landing page", body = String, content_type = "text/html")
    )
)]
pub async fn landing() -> Response {
    render(&Landing {
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// One test card as the cards page shows it.
struct CardRow {
    pan: String,
    brand: String,
    source: &'static str,
    credentials: String,
    three_ds: String,
    note: String,
}

#[derive(Template)]
#[template(path = "cards.html")]
struct CardsPage {
    cards: Vec<CardRow>,
}

/// The test cards as an HTML table, if the client is a browser.
pub fn cards(headers: &HeaderMap, cards: &[TestCard]) -> Option<Response> {
    if !wants_html(headers) {
        return None;
    }
    let cards = cards
        .iter()
        .map(|c| CardRow {
            pan: c.pan.clone(),
            brand: c.brand.clone(),
            source: if c.documented { "bank" } else { "sandbox" },
            credentials: if c.credentials.is_empty() {
                "any non-past expiry / any 3–4 digits".to_string()
            } else {
                c.credentials
                    .iter()
                    .map(|k| format!("{}/{} / {}", k.month, k.year, k.cvc))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            three_ds: format!("{:?}", c.behavior.three_ds).to_lowercase(),
            note: c.note.clone(),
        })
        .collect();
    Some(render(&CardsPage { cards }))
}

/// One delivery as the deliveries page shows it.
struct DeliveryRow {
    id: u64,
    invoice_id: String,
    kind: String,
    url: String,
    state: String,
    attempts: usize,
    last: String,
    body: String,
}

#[derive(Template)]
#[template(path = "deliveries.html")]
struct DeliveriesPage {
    deliveries: Vec<DeliveryRow>,
}

/// Callback deliveries as an HTML table, newest first, each with its body and a re-send
/// button, if the client is a browser.
pub fn deliveries(headers: &HeaderMap, deliveries: &[Delivery]) -> Option<Response> {
    if !wants_html(headers) {
        return None;
    }
    let mut deliveries: Vec<&Delivery> = deliveries.iter().collect();
    deliveries.sort_by_key(|d| std::cmp::Reverse(d.id));
    let deliveries = deliveries
        .into_iter()
        .map(|d| DeliveryRow {
            id: d.id,
            invoice_id: d.invoice_id.clone(),
            kind: format!("{:?}", d.kind),
            url: d.url.clone(),
            state: format!("{:?}", d.state),
            attempts: d.attempts.len(),
            last: d
                .attempts
                .last()
                .map(|a| match (a.status, &a.error) {
                    (Some(status), _) => format!("HTTP {status} in {} ms", a.latency_ms),
                    (None, Some(error)) => error.clone(),
                    (None, None) => String::new(),
                })
                .unwrap_or_default(),
            body: serde_json::to_string_pretty(&d.body).unwrap_or_default(),
        })
        .collect();
    Some(render(&DeliveriesPage { deliveries }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_get_html_and_clients_json() {
        let with = |accept: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(ACCEPT, accept.parse().expect("header"));
            wants_html(&headers)
        };
        assert!(with("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
        assert!(!with("application/json"));
        assert!(!with("application/json, text/html"));
        assert!(!with("*/*"));
        assert!(!wants_html(&HeaderMap::new()));
    }
}
