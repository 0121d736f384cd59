//! The dashboard's sections for invoice links, recurrent subscriptions and QR bills, each row
//! with the button that moves it on (cancel a link, run a subscription's next charge, reject a
//! bill).

use super::dashboard::{DashboardSection, SectionAction, SectionRow};
use crate::engine::Sandbox;
use crate::fidelity;
use crate::wire::invoice_links::link_url;
use crate::wire::qr::app_url;

/// Rows each section lists at most (newest first).
const SECTION_ROWS: usize = 50;

/// The three sections (each rendered only when it has rows).
pub fn sections(sandbox: &Sandbox) -> Vec<DashboardSection> {
    vec![invoice_links(sandbox), subscriptions(sandbox), qr_bills(sandbox)]
}

fn columns(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

fn invoice_links(sandbox: &Sandbox) -> DashboardSection {
    let base = sandbox.public_url();
    DashboardSection {
        title: "Invoice links".into(),
        columns: columns(&["Link", "invoice_id", "Amount", "Status", "Payment", "Expires"]),
        rows: sandbox
            .invoice_links()
            .into_iter()
            .take(SECTION_ROWS)
            .map(|view| {
                let id = view.link.id.to_string();
                let status = format!("{:?}", view.status).to_ascii_uppercase();
                SectionRow {
                    action: (status == "NEW").then(|| SectionAction {
                        label: "Cancel".into(),
                        url: format!("/_sandbox/invoices/{id}/cancel"),
                    }),
                    cells: vec![
                        link_url(&base, &id),
                        view.link.details.invoice_id.clone(),
                        format!("{} {}", view.link.amount, view.link.currency),
                        status,
                        view.transaction
                            .as_ref()
                            .map(|tx| format!("{} {}", tx.status(), tx.id()))
                            .unwrap_or_default(),
                        fidelity::bank_datetime(view.link.expires_at),
                    ],
                }
            })
            .collect(),
    }
}

fn subscriptions(sandbox: &Sandbox) -> DashboardSection {
    DashboardSection {
        title: "Recurrent subscriptions".into(),
        columns: columns(&["Id", "Transaction", "Frequency", "Amount", "Charges", "Next charge"]),
        rows: sandbox
            .subscriptions()
            .into_iter()
            .take(SECTION_ROWS)
            .map(|s| SectionRow {
                action: s.active.then(|| SectionAction {
                    label: "Charge now".into(),
                    url: format!("/_sandbox/recurrent/{}/run", s.id),
                }),
                cells: vec![
                    s.id.to_string(),
                    s.transaction_id.to_string(),
                    s.frequency.as_str().to_string(),
                    format!("{} {}", s.amount, s.currency),
                    s.charges.len().to_string(),
                    s.next_payment_at.map(fidelity::bank_datetime).unwrap_or_default(),
                ],
            })
            .collect(),
    }
}

fn qr_bills(sandbox: &Sandbox) -> DashboardSection {
    let base = sandbox.public_url();
    DashboardSection {
        title: "QR bills".into(),
        columns: columns(&["Bill", "invoiceId", "Amount", "Status", "Bank app"]),
        rows: sandbox
            .qr_bills()
            .into_iter()
            .take(SECTION_ROWS)
            .map(|p| SectionRow {
                action: (!p.status.is_final()).then(|| SectionAction {
                    label: "Reject".into(),
                    url: format!("/_sandbox/qr/{}/reject", p.bill.bill_number),
                }),
                cells: vec![
                    p.bill.bill_number.clone(),
                    p.bill.invoice_id.clone(),
                    format!("{} {}", p.bill.amount, p.bill.currency),
                    format!("{:?}", p.status).to_ascii_uppercase(),
                    app_url(&base, &p.bill.bill_number),
                ],
            })
            .collect(),
    }
}
