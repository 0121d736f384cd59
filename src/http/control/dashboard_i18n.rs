//! The dashboard's texts in English and Russian: `?lang=en|ru` picks one, else the browser's
//! `Accept-Language` (Russian for `ru` or `kk`), else English.

use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::HeaderMap;

/// Every text of the dashboard.
#[derive(Debug)]
pub struct DashboardTexts {
    /// `lang` attribute and the `?lang=` value.
    pub code: &'static str,
    /// Page title after "ePay Sandbox —".
    pub title: &'static str,
    /// Link to the other language.
    pub other_language: &'static str,
    /// Its `?lang=` value.
    pub other_code: &'static str,
    /// Navigation links.
    pub demo_shop: &'static str,
    /// "Test cards".
    pub test_cards: &'static str,
    /// "Journal (JSON)".
    pub journal_json: &'static str,
    /// "State (JSON)".
    pub state_json: &'static str,
    /// "Sandbox time".
    pub sandbox_time: &'static str,
    /// "frozen".
    pub frozen: &'static str,
    /// Clock buttons.
    pub plus_hour: &'static str,
    /// "+1 day".
    pub plus_day: &'static str,
    /// "+7 days".
    pub plus_week: &'static str,
    /// "Freeze".
    pub freeze: &'static str,
    /// "Unfreeze".
    pub unfreeze: &'static str,
    /// "Reset everything".
    pub reset: &'static str,
    /// "seed".
    pub seed: &'static str,
    /// Seed when none is set.
    pub no_seed: &'static str,
    /// "Transactions".
    pub transactions: &'static str,
    /// Empty transactions list.
    pub no_transactions: &'static str,
    /// Transaction columns.
    pub created: &'static str,
    /// "Invoice".
    pub invoice: &'static str,
    /// "Terminal".
    pub terminal: &'static str,
    /// "Amount".
    pub amount: &'static str,
    /// "Status".
    pub status: &'static str,
    /// "Card".
    pub card: &'static str,
    /// "Reason".
    pub reason: &'static str,
    /// "Actions".
    pub actions: &'static str,
    /// "org".
    pub org: &'static str,
    /// "charged".
    pub charged: &'static str,
    /// "refunded".
    pub refunded: &'static str,
    /// Placeholder of the charge amount.
    pub full: &'static str,
    /// Placeholder of the refund amount.
    pub all: &'static str,
    /// Buttons.
    pub charge: &'static str,
    /// "Cancel".
    pub cancel: &'static str,
    /// "Refund".
    pub refund: &'static str,
    /// "history".
    pub history: &'static str,
    /// "pending: N polls left" before N.
    pub pending_polls: &'static str,
    /// "pending until".
    pub pending_until: &'static str,
    /// "Scenario rules".
    pub scenarios: &'static str,
    /// Empty scenario list, before the endpoint.
    pub no_scenarios: &'static str,
    /// Scenario columns.
    pub id: &'static str,
    /// "Match".
    pub matcher: &'static str,
    /// "Outcome".
    pub outcome: &'static str,
    /// "Times left".
    pub times_left: &'static str,
    /// "Fault and latency rules".
    pub faults: &'static str,
    /// Fault columns.
    pub requests: &'static str,
    /// "Probability".
    pub probability: &'static str,
    /// "Latency".
    pub latency: &'static str,
    /// "Fault".
    pub fault: &'static str,
    /// "Hits".
    pub hits: &'static str,
    /// "Saved cards" and its columns.
    pub saved_cards: &'static str,
    /// Saved-card columns.
    pub saved_card_columns: [&'static str; 6],
    /// "Callback deliveries".
    pub deliveries: &'static str,
    /// Delivery columns.
    pub delivery_columns: [&'static str; 7],
    /// "Fidelity profile".
    pub fidelity: &'static str,
    /// Fidelity columns.
    pub fidelity_columns: [&'static str; 5],
    /// "Re-send".
    pub resend: &'static str,
    /// "Recent requests".
    pub journal: &'static str,
    /// Empty journal.
    pub no_requests: &'static str,
    /// Journal columns.
    pub time: &'static str,
    /// "Method".
    pub method: &'static str,
    /// "Path".
    pub path: &'static str,
    /// Test-card columns.
    pub brand: &'static str,
    /// "Issuer".
    pub issuer: &'static str,
    /// "Expiry / CVC".
    pub expiry_cvc: &'static str,
    /// "Note".
    pub note: &'static str,
    /// Credentials of a sandbox card.
    pub any_expiry: &'static str,
    /// "Merchants and terminals".
    pub merchants: &'static str,
    /// Merchant columns.
    pub client: &'static str,
    /// "Number".
    pub number: &'static str,
    /// "Kind / mode".
    pub kind_mode: &'static str,
    /// "Currencies".
    pub currencies: &'static str,
    /// "Reason codes".
    pub reasons: &'static str,
    /// Reason columns.
    pub code_column: &'static str,
    /// "English".
    pub english: &'static str,
    /// "Russian".
    pub russian: &'static str,
    /// "final".
    pub is_final: &'static str,
    /// "not final".
    pub not_final: &'static str,
}

/// English.
pub static ENGLISH: DashboardTexts = DashboardTexts {
    code: "en",
    title: "dashboard",
    other_language: "Русский",
    other_code: "ru",
    demo_shop: "Demo shop",
    test_cards: "Test cards",
    journal_json: "Journal (JSON)",
    state_json: "State (JSON)",
    sandbox_time: "Sandbox time",
    frozen: "frozen",
    plus_hour: "+1 hour",
    plus_day: "+1 day",
    plus_week: "+7 days",
    freeze: "Freeze",
    unfreeze: "Unfreeze",
    reset: "Reset everything",
    seed: "seed",
    no_seed: "none (random)",
    transactions: "Transactions",
    no_transactions: "No transactions yet.",
    created: "Created",
    invoice: "Invoice",
    terminal: "Terminal",
    amount: "Amount",
    status: "Status",
    card: "Card",
    reason: "Reason",
    actions: "Actions",
    org: "org",
    charged: "charged",
    refunded: "refunded",
    full: "full",
    all: "all",
    charge: "Charge",
    cancel: "Cancel",
    refund: "Refund",
    history: "history",
    pending_polls: "pending: polls left",
    pending_until: "pending until",
    scenarios: "Scenario rules",
    no_scenarios: "No rules: outcomes follow the test cards. Add one with",
    id: "Id",
    matcher: "Match",
    outcome: "Outcome",
    times_left: "Times left",
    faults: "Fault and latency rules",
    requests: "Requests",
    probability: "Probability",
    latency: "Latency",
    fault: "Fault",
    hits: "Hits",
    saved_cards: "Saved cards",
    saved_card_columns: ["Card ID", "Client", "Account", "Card", "Holder", "Saved"],
    deliveries: "Callback deliveries",
    delivery_columns: ["#", "Invoice", "Kind", "URL", "State", "Attempts", "Last answer"],
    fidelity: "Fidelity profile (GET /_sandbox/fidelity)",
    fidelity_columns: ["Key", "Value", "Alternatives", "Confidence", "Merchant overrides"],
    resend: "Re-send",
    journal: "Recent requests",
    no_requests: "No requests to the ePay routes yet.",
    time: "Time",
    method: "Method",
    path: "Path",
    brand: "Brand",
    issuer: "Issuer",
    expiry_cvc: "Expiry / CVC",
    note: "Note",
    any_expiry: "any future / any",
    merchants: "Merchants and terminals",
    client: "Client",
    number: "Number",
    kind_mode: "Kind / mode",
    currencies: "Currencies",
    reasons: "Reason codes",
    code_column: "Code",
    english: "English",
    russian: "Russian",
    is_final: "final",
    not_final: "not final",
};

/// Russian.
pub static RUSSIAN: DashboardTexts = DashboardTexts {
    code: "ru",
    title: "кабинет",
    other_language: "English",
    other_code: "en",
    demo_shop: "Демо-магазин",
    test_cards: "Тестовые карты",
    journal_json: "Журнал (JSON)",
    state_json: "Состояние (JSON)",
    sandbox_time: "Время песочницы",
    frozen: "остановлено",
    plus_hour: "+1 час",
    plus_day: "+1 день",
    plus_week: "+7 дней",
    freeze: "Остановить время",
    unfreeze: "Запустить время",
    reset: "Сбросить всё",
    seed: "seed",
    no_seed: "нет (случайный)",
    transactions: "Транзакции",
    no_transactions: "Транзакций пока нет.",
    created: "Создана",
    invoice: "Заказ",
    terminal: "Терминал",
    amount: "Сумма",
    status: "Статус",
    card: "Карта",
    reason: "Причина",
    actions: "Действия",
    org: "исходная",
    charged: "списано",
    refunded: "возвращено",
    full: "вся",
    all: "всё",
    charge: "Списать",
    cancel: "Отменить",
    refund: "Вернуть",
    history: "история",
    pending_polls: "в обработке: осталось опросов",
    pending_until: "в обработке до",
    scenarios: "Правила сценариев",
    no_scenarios: "Правил нет: исход определяют тестовые карты. Добавить правило:",
    id: "Id",
    matcher: "Условие",
    outcome: "Исход",
    times_left: "Осталось раз",
    faults: "Правила сбоев и задержек",
    requests: "Запросы",
    probability: "Вероятность",
    latency: "Задержка",
    fault: "Сбой",
    hits: "Срабатывания",
    saved_cards: "Сохранённые карты",
    saved_card_columns: ["ID карты", "Клиент", "Счёт", "Карта", "Владелец", "Сохранена"],
    deliveries: "Доставка колбэков",
    delivery_columns: ["#", "Заказ", "Тип", "URL", "Состояние", "Попытки", "Последний ответ"],
    fidelity: "Профиль достоверности (GET /_sandbox/fidelity)",
    fidelity_columns: ["Ключ", "Значение", "Альтернативы", "Уверенность", "У мерчантов"],
    resend: "Отправить снова",
    journal: "Последние запросы",
    no_requests: "Запросов к маршрутам ePay ещё не было.",
    time: "Время",
    method: "Метод",
    path: "Путь",
    brand: "Платёжная система",
    issuer: "Эмитент",
    expiry_cvc: "Срок / CVC",
    note: "Примечание",
    any_expiry: "любой будущий / любой",
    merchants: "Мерчанты и терминалы",
    client: "Клиент",
    number: "Номер",
    kind_mode: "Тип / режим",
    currencies: "Валюты",
    reasons: "Коды причин",
    code_column: "Код",
    english: "Английский",
    russian: "Русский",
    is_final: "финальный",
    not_final: "нефинальный",
};

/// The texts for a request: `?lang=` first, then `Accept-Language`, else English.
pub fn pick(lang: Option<&str>, headers: &HeaderMap) -> &'static DashboardTexts {
    let from = |tag: &str| match tag.trim().get(..2).map(str::to_ascii_lowercase).as_deref() {
        Some("ru") | Some("kk") => Some(&RUSSIAN),
        Some("en") => Some(&ENGLISH),
        _ => None,
    };
    if let Some(texts) = lang.and_then(from) {
        return texts;
    }
    headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|accept| {
            accept
                .split(',')
                .find_map(|tag| from(tag.split(';').next().unwrap_or_default()))
        })
        .unwrap_or(&ENGLISH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_then_accept_language_then_english() {
        let mut headers = HeaderMap::new();
        assert_eq!(pick(None, &headers).code, "en");
        assert_eq!(pick(Some("ru"), &headers).code, "ru");
        headers.insert(ACCEPT_LANGUAGE, "de-DE,ru;q=0.8,en;q=0.5".parse().expect("header"));
        assert_eq!(pick(None, &headers).code, "ru");
        assert_eq!(pick(Some("en"), &headers).code, "en");
        assert_eq!(pick(Some("xx"), &headers).code, "ru");
    }
}
