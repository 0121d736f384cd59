//! The dashboard's sections for the iOS SDK's areas: installment orders (with a button that
//! takes the next step at once) and Halyk bonus spending, in the dashboard's language.

use super::dashboard::{DashboardSection, SectionAction, SectionRow};
use super::dashboard_i18n::DashboardTexts;
use crate::engine::Sandbox;
use crate::fidelity;

/// The texts of these sections in one language.
struct SdkTexts {
    orders: &'static str,
    order_columns: [&'static str; 8],
    advance: &'static str,
    spending: &'static str,
    spending_columns: [&'static str; 5],
    returned: &'static str,
    spent: &'static str,
}

static ENGLISH: SdkTexts = SdkTexts {
    orders: "Installment orders",
    order_columns: [
        "Order ID",
        "orderId",
        "Shop",
        "Amount",
        "Condition",
        "Status",
        "Next step",
        "Steps",
    ],
    advance: "Next step",
    spending: "Bonus spending",
    spending_columns: ["Transaction", "Card", "Bonus", "Time", "State"],
    returned: "returned (payment failed)",
    spent: "spent",
};

static RUSSIAN: SdkTexts = SdkTexts {
    orders: "Заявки на рассрочку",
    order_columns: [
        "ID заявки",
        "orderId",
        "Магазин",
        "Сумма",
        "Условие",
        "Статус",
        "Следующий шаг",
        "Шаги",
    ],
    advance: "Следующий шаг",
    spending: "Списание бонусов",
    spending_columns: ["Транзакция", "Карта", "Бонусы", "Время", "Состояние"],
    returned: "возвращены (платёж не прошёл)",
    spent: "списаны",
};

fn texts(t: &DashboardTexts) -> &'static SdkTexts {
    if t.code == "ru" {
        &RUSSIAN
    } else {
        &ENGLISH
    }
}

/// Both sections (empty ones are not rendered).
pub fn sections(sandbox: &Sandbox, t: &DashboardTexts) -> Vec<DashboardSection> {
    let s = texts(t);
    vec![orders_section(sandbox, s), spending_section(sandbox, s)]
}

fn orders_section(sandbox: &Sandbox, s: &SdkTexts) -> DashboardSection {
    let rows = sandbox
        .installment_orders()
        .iter()
        .map(|o| {
            let steps: Vec<&str> = o.history().iter().map(|h| h.to.as_str()).collect();
            let cells = vec![
                o.id().to_string(),
                o.order_id().to_string(),
                o.shop_id().to_string(),
                o.amount().to_string(),
                format!(
                    "{} × {} % ({})",
                    o.month_count(),
                    o.interest_rate(),
                    o.credit_condition_id()
                ),
                o.status().as_str().to_string(),
                o.next_step_at().map(fidelity::bank_datetime).unwrap_or_default(),
                std::iter::once("NEW").chain(steps).collect::<Vec<_>>().join(" → "),
            ];
            let action = (!o.status().is_final()).then(|| SectionAction {
                label: s.advance.into(),
                url: format!("/_sandbox/orders/{}/advance", o.id()),
            });
            SectionRow { cells, action }
        })
        .collect();
    DashboardSection {
        title: s.orders.into(),
        columns: s.order_columns.map(String::from).to_vec(),
        rows,
    }
}

fn spending_section(sandbox: &Sandbox, s: &SdkTexts) -> DashboardSection {
    let rows = sandbox
        .bonus_spends()
        .iter()
        .map(|spend| SectionRow {
            action: None,
            cells: vec![
                spend.transaction_id.to_string(),
                spend.card_mask.clone(),
                spend.amount.to_string(),
                fidelity::bank_datetime(spend.at),
                if spend.returned { s.returned } else { s.spent }.to_string(),
            ],
        })
        .collect();
    DashboardSection {
        title: s.spending.into(),
        columns: s.spending_columns.map(String::from).to_vec(),
        rows,
    }
}
