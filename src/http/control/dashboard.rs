//! `GET /_sandbox/`: the merchant cabinet in a browser (askama template
//! `templates/dashboard.html`). Plain HTML forms post to the control endpoints, which redirect
//! back here.

use super::dashboard_i18n::{self, DashboardTexts};
use crate::domain::status::Status;
use crate::domain::transaction::Transaction;
use crate::engine::Sandbox;
use crate::fidelity;
use crate::http::error::ApiError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use std::sync::Arc;

/// How many transactions the page lists.
const PAGE_TRANSACTIONS: usize = 200;
/// How many journal entries the page lists.
const PAGE_JOURNAL: usize = 25;

/// A table the page renders only when it has rows: the extension point for areas built
/// elsewhere (saved cards, callback deliveries). See [`extension_sections`].
#[derive(Debug, Clone, Default)]
pub struct DashboardSection {
    /// Heading.
    pub title: String,
    /// Column headings.
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<SectionRow>,
}

/// One row of a [`DashboardSection`].
#[derive(Debug, Clone, Default)]
pub struct SectionRow {
    /// Cells, already formatted.
    pub cells: Vec<String>,
    /// An optional button: a form that POSTs to a control endpoint and comes back here.
    pub action: Option<SectionAction>,
}

/// A button on a row of a [`DashboardSection`].
#[derive(Debug, Clone, Default)]
pub struct SectionAction {
    /// Button text.
    pub label: String,
    /// Control endpoint the form posts to.
    pub url: String,
}

/// Sections contributed by other areas of the sandbox. Saved cards and callback deliveries
/// add theirs here, built from their own stores; an empty section is not rendered.
pub fn extension_sections(sandbox: &Sandbox, t: &DashboardTexts) -> Vec<DashboardSection> {
    let mut sections = vec![
        saved_cards_section(sandbox, t),
        deliveries_section(sandbox, t),
        super::dashboard_fidelity::fidelity_section(sandbox, t),
    ];
    sections.extend(super::dashboard_sdk::sections(sandbox, t));
    sections.extend(super::dashboard_surface::sections(sandbox));
    sections
}

/// Every active saved card, newest first.
fn saved_cards_section(sandbox: &Sandbox, t: &DashboardTexts) -> DashboardSection {
    let cards = sandbox.active_saved_cards();
    DashboardSection {
        title: t.saved_cards.into(),
        columns: t.saved_card_columns.map(String::from).to_vec(),
        rows: cards
            .iter()
            .map(|c| SectionRow {
                action: None,
                cells: vec![
                    c.id.to_string(),
                    c.client_id.clone(),
                    c.account_id.clone(),
                    format!("{} {}", c.brand, c.mask),
                    c.holder.clone(),
                    fidelity::bank_datetime(c.created_at),
                ],
            })
            .collect(),
    }
}

/// The newest callback deliveries, each with a re-send button.
fn deliveries_section(sandbox: &Sandbox, t: &DashboardTexts) -> DashboardSection {
    let mut deliveries = sandbox.callbacks().deliveries(&Default::default());
    deliveries.sort_by_key(|d| std::cmp::Reverse(d.id));
    deliveries.truncate(PAGE_JOURNAL);
    DashboardSection {
        title: t.deliveries.into(),
        columns: t.delivery_columns.map(String::from).to_vec(),
        rows: deliveries
            .iter()
            .map(|d| {
                let last = d
                    .attempts
                    .last()
                    .map(|a| match (a.status, &a.error) {
                        (Some(status), _) => format!("HTTP {status} in {} ms", a.latency_ms),
                        (None, Some(error)) => error.clone(),
                        (None, None) => String::new(),
                    })
                    .unwrap_or_default();
                let cells = vec![
                    d.id.to_string(),
                    d.invoice_id.clone(),
                    format!("{:?}", d.kind),
                    d.url.clone(),
                    format!("{:?}", d.state),
                    d.attempts.len().to_string(),
                    last,
                ];
                let action = Some(SectionAction {
                    label: t.resend.into(),
                    url: format!("/_sandbox/deliveries/{}/resend", d.id),
                });
                SectionRow { cells, action }
            })
            .collect(),
    }
}

struct TxRow {
    id: String,
    created: String,
    invoice_id: String,
    terminal: String,
    client_id: String,
    amount: String,
    org_amount: String,
    charged: String,
    refunded: String,
    currency: String,
    status: String,
    status_class: &'static str,
    card: String,
    reason: String,
    pending: String,
    can_charge: bool,
    can_refund: bool,
    history: Vec<HistoryRow>,
}

struct HistoryRow {
    at: String,
    event: String,
    from: String,
    to: String,
    amount: String,
    reason_code: i32,
}

struct Row {
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    t: &'static DashboardTexts,
    home: String,
    now: String,
    frozen: bool,
    seed: String,
    transactions: Vec<TxRow>,
    scenarios: Vec<Row>,
    faults: Vec<Row>,
    cards: Vec<Row>,
    reasons: Vec<Row>,
    journal: Vec<Row>,
    merchants: Vec<Row>,
    sections: Vec<DashboardSection>,
}

/// Query of the page: `?lang=en|ru`.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PageQuery {
    lang: Option<String>,
}

/// Renders the page in the language of `?lang=` or `Accept-Language`.
#[utoipa::path(
    get,
    path = "/_sandbox",
    tag = "pages",
    responses(
        (status = 200, description = "The dashboard (also at `/_sandbox/`)", body = String, content_type = "text/html")
    )
)]
pub async fn page(State(sandbox): State<Arc<Sandbox>>, Query(query): Query<PageQuery>, headers: HeaderMap) -> Response {
    sandbox.run_due_timers();
    let page = build(&sandbox, dashboard_i18n::pick(query.lang.as_deref(), &headers));
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!("dashboard template failed: {e}");
            ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                500,
                "dashboard could not be rendered",
            )
            .into_response()
        }
    }
}

fn build(sandbox: &Sandbox, t: &'static DashboardTexts) -> Dashboard {
    let mut transactions = sandbox.all_transactions();
    transactions.truncate(PAGE_TRANSACTIONS);
    let home = if t.code == dashboard_i18n::ENGLISH.code {
        "/_sandbox/".to_string()
    } else {
        format!("/_sandbox/?lang={}", t.code)
    };
    Dashboard {
        t,
        home,
        now: fidelity::bank_timestamp(sandbox.clock().now()),
        frozen: sandbox.clock().is_frozen(),
        seed: sandbox
            .control()
            .seed()
            .map_or_else(|| t.no_seed.to_string(), |s| s.to_string()),
        transactions: transactions.iter().map(|tx| tx_row(tx, t)).collect(),
        scenarios: sandbox
            .scenarios()
            .iter()
            .map(|r| Row {
                cells: vec![
                    r.id.clone(),
                    json(&r.matcher),
                    json(&r.outcome),
                    r.times_left.to_string(),
                ],
            })
            .collect(),
        faults: sandbox
            .control()
            .faults
            .rules()
            .iter()
            .map(|r| Row {
                cells: vec![
                    r.id.clone(),
                    format!("{} {}", r.spec.method.as_deref().unwrap_or("*"), r.spec.path_prefix),
                    r.spec.probability.to_string(),
                    r.spec
                        .latency
                        .map_or_else(String::new, |l| format!("{} ± {} ms", l.ms, l.jitter_ms)),
                    r.spec.fault.as_ref().map_or_else(String::new, json),
                    r.hits.to_string(),
                ],
            })
            .collect(),
        cards: sandbox
            .fixtures()
            .cards
            .iter()
            .map(|c| Row {
                cells: vec![
                    c.pan.clone(),
                    c.brand.clone(),
                    c.issuer.clone(),
                    if c.credentials.is_empty() {
                        t.any_expiry.to_string()
                    } else {
                        c.credentials
                            .iter()
                            .map(|k| format!("{}/{} {}", k.month, k.year, k.cvc))
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                    format!("{:?}", c.behavior.three_ds).to_lowercase(),
                    c.note.clone(),
                ],
            })
            .collect(),
        reasons: sandbox
            .fixtures()
            .catalogue
            .reasons()
            .map(|r| Row {
                cells: vec![
                    r.code.to_string(),
                    r.message_en.clone(),
                    r.message_ru.clone(),
                    if r.r#final { t.is_final } else { t.not_final }.to_string(),
                ],
            })
            .collect(),
        journal: sandbox
            .control()
            .journal
            .entries(PAGE_JOURNAL)
            .into_iter()
            .map(|e| Row {
                cells: vec![
                    fidelity::bank_datetime(e.at),
                    e.method,
                    e.path,
                    e.status.to_string(),
                    format!("{:.1} ms", e.latency_ms),
                    e.fault.unwrap_or_default(),
                ],
            })
            .collect(),
        merchants: sandbox
            .merchants()
            .iter()
            .flat_map(|m| {
                m.terminals.iter().map(move |t| Row {
                    cells: vec![
                        m.client_id.clone(),
                        t.id.clone(),
                        t.processing_id.clone(),
                        format!("{:?} / {:?}", t.kind, t.mode).to_lowercase(),
                        t.currencies.join(", "),
                    ],
                })
            })
            .collect(),
        sections: extension_sections(sandbox, t)
            .into_iter()
            .filter(|s| !s.rows.is_empty())
            .collect(),
    }
}

fn tx_row(tx: &Transaction, t: &DashboardTexts) -> TxRow {
    TxRow {
        id: tx.id().to_string(),
        created: fidelity::bank_datetime(tx.created_at()),
        invoice_id: tx.order().invoice_id.to_string(),
        terminal: tx.terminal_number().to_string(),
        client_id: tx.client_id().to_string(),
        amount: tx.amount().to_string(),
        org_amount: tx.org_amount().to_string(),
        charged: tx.charged().to_string(),
        refunded: tx.refunded().to_string(),
        currency: tx.order().currency.to_string(),
        status: tx.status().as_str().to_string(),
        status_class: status_class(tx.status()),
        card: format!("{} {}", tx.card().brand, tx.card().mask).trim().to_string(),
        reason: if tx.reason_code() == 0 {
            tx.reason().to_string()
        } else {
            format!("{} {}", tx.reason_code(), tx.reason())
        },
        pending: tx.pending().map_or_else(String::new, |p| match p.polls_left {
            Some(n) => format!("{} {n}", t.pending_polls),
            None => format!("{} {}", t.pending_until, fidelity::bank_datetime(p.settle_at)),
        }),
        can_charge: tx.status() == Status::Auth,
        can_refund: matches!(tx.status(), Status::Charge | Status::Refund) && !tx.refundable().is_zero(),
        history: tx
            .history()
            .iter()
            .map(|h| HistoryRow {
                at: fidelity::bank_datetime(h.at),
                event: format!("{:?}", h.event),
                from: h.from.as_str().to_string(),
                to: h.to.as_str().to_string(),
                amount: h.amount.map_or_else(String::new, |a| a.to_string()),
                reason_code: h.reason_code,
            })
            .collect(),
    }
}

fn status_class(status: Status) -> &'static str {
    match status {
        Status::Charge | Status::Verified => "ok",
        Status::Auth | Status::New => "wait",
        Status::Refund | Status::Cancel | Status::CancelOld => "back",
        Status::Reject | Status::Failed | Status::ThreeD => "bad",
    }
}

/// Compact JSON of a value, for table cells.
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
