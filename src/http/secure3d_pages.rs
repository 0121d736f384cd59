//! The HTML the 3-D Secure round-trip shows: the ACS challenge page (Kazakh, Russian, English),
//! and the ACS's auto-submitting form to `TermUrl` (the result pages are `result_pages`).
//! Rendered with askama (templates in `templates/`), so every value is HTML-escaped.

use super::error::ApiError;
use crate::engine::ChallengeView;
use askama::Template;
use axum::response::{Html, IntoResponse, Response};

/// The challenge page's texts in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcsTexts {
    /// `lang` attribute of the page.
    pub html_lang: &'static str,
    /// Page title and heading.
    pub title: &'static str,
    /// What to do.
    pub intro: &'static str,
    /// "Merchant".
    pub merchant: &'static str,
    /// "Amount".
    pub amount: &'static str,
    /// "Card".
    pub card: &'static str,
    /// Label of the code field.
    pub code_label: &'static str,
    /// The sandbox note that prints the code.
    pub code_hint: &'static str,
    /// Confirm button.
    pub confirm: &'static str,
    /// Cancel button.
    pub cancel: &'static str,
    /// Wrong code, followed by the tries left.
    pub wrong_code: &'static str,
}

const RUS: AcsTexts = AcsTexts {
    html_lang: "ru",
    title: "Подтверждение платежа",
    intro: "Для подтверждения покупки введите одноразовый код, отправленный на ваш телефон.",
    merchant: "Магазин",
    amount: "Сумма",
    card: "Карта",
    code_label: "Одноразовый код",
    code_hint: "Песочница ePay: код для этой проверки —",
    confirm: "Подтвердить",
    cancel: "Отменить",
    wrong_code: "Неверный код. Осталось попыток:",
};

const KAZ: AcsTexts = AcsTexts {
    html_lang: "kk",
    title: "Төлемді растау",
    intro: "Сатып алуды растау үшін телефоныңызға жіберілген бір реттік кодты енгізіңіз.",
    merchant: "Дүкен",
    amount: "Сома",
    card: "Карта",
    code_label: "Бір реттік код",
    code_hint: "ePay құмсалғышы: осы тексерудің коды —",
    confirm: "Растау",
    cancel: "Бас тарту",
    wrong_code: "Код қате. Қалған әрекет саны:",
};

const ENG: AcsTexts = AcsTexts {
    html_lang: "en",
    title: "Payment confirmation",
    intro: "To confirm the purchase, enter the one-time code sent to your phone.",
    merchant: "Merchant",
    amount: "Amount",
    card: "Card",
    code_label: "One-time code",
    code_hint: "ePay Sandbox: the code for this check is",
    confirm: "Confirm",
    cancel: "Cancel",
    wrong_code: "Wrong code. Attempts left:",
};

/// The texts for `rus`/`kaz`/`eng` (also `ru`/`kk`/`kz`/`en`, any case); Russian otherwise.
pub fn acs_texts(language: &str) -> (&'static str, AcsTexts) {
    match language.trim().to_ascii_lowercase().as_str() {
        "kaz" | "kz" | "kk" => ("kaz", KAZ),
        "eng" | "en" => ("eng", ENG),
        _ => ("rus", RUS),
    }
}

/// The ACS challenge page.
#[derive(Template)]
#[template(path = "acs.html")]
pub struct AcsPage {
    /// What to show.
    pub view: ChallengeView,
    /// Texts in the page's language.
    pub t: AcsTexts,
    /// Where the page's forms post.
    pub submit_url: String,
}

/// The ACS's auto-submitting form to the merchant's `TermUrl` (seed 003's form, reversed).
#[derive(Template)]
#[template(path = "acs_post.html")]
pub struct AcsPostPage {
    /// The merchant's `TermUrl`.
    pub term_url: String,
    /// The signed result.
    pub pa_res: String,
    /// The session's MD.
    pub md: String,
}

/// Renders a template as an HTML response (a 500 in ePay's shape if rendering fails).
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed to render");
            ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                500,
                "internal sandbox error (page)",
            )
            .into_response()
        }
    }
}
