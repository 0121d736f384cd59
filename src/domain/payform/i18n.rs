//! The payment page's texts in Russian, Kazakh and English (`language`: `rus`, `kaz`, `eng`;
//! plugins also send `RU`). Russian when the language is missing or unknown, as on the bank's
//! page. (H-07)

/// A page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// `rus`.
    Russian,
    /// `kaz`.
    Kazakh,
    /// `eng`.
    English,
}

impl Language {
    /// The language of a payment object's `language` value.
    pub fn parse(value: &str) -> Self {
        match value.trim().to_ascii_lowercase().as_str() {
            "kaz" | "kz" | "kk" => Language::Kazakh,
            "eng" | "en" => Language::English,
            _ => Language::Russian,
        }
    }

    /// The `lang` attribute of the page.
    pub fn html_lang(self) -> &'static str {
        match self {
            Language::Russian => "ru",
            Language::Kazakh => "kk",
            Language::English => "en",
        }
    }

    /// The page's texts.
    pub fn labels(self) -> &'static Labels {
        match self {
            Language::Russian => &RUSSIAN,
            Language::Kazakh => &KAZAKH,
            Language::English => &ENGLISH,
        }
    }
}

/// Every text the payment page shows.
#[derive(Debug)]
pub struct Labels {
    /// Page title.
    pub title: &'static str,
    /// Title of a transfer page.
    pub transfer_title: &'static str,
    /// "Amount".
    pub amount: &'static str,
    /// "Merchant".
    pub merchant: &'static str,
    /// "Order".
    pub order: &'static str,
    /// "Description".
    pub description: &'static str,
    /// Card number label.
    pub card_number: &'static str,
    /// Expiry label.
    pub expiry: &'static str,
    /// CVC label.
    pub cvc: &'static str,
    /// Cardholder label.
    pub cardholder: &'static str,
    /// Save-card checkbox.
    pub save_card: &'static str,
    /// Pay button.
    pub pay: &'static str,
    /// Transfer button.
    pub transfer: &'static str,
    /// Sender card heading.
    pub sender_card: &'static str,
    /// Receiver card heading.
    pub receiver_card: &'static str,
    /// The limits notice; `{minutes}` and `{attempts}` are filled in.
    pub limits: &'static str,
    /// "Attempts left".
    pub attempts_left: &'static str,
    /// Heading of a failed payment.
    pub failed: &'static str,
    /// Heading of a paid order.
    pub paid: &'static str,
    /// Heading of an error page.
    pub error: &'static str,
    /// "Return to the shop".
    pub back_to_shop: &'static str,
    /// The 3-D Secure waiting text.
    pub wait: &'static str,
    /// "Continue" (3-D Secure without JavaScript).
    pub continue_label: &'static str,
    /// Placeholder of the expiry field.
    pub expiry_placeholder: &'static str,
    /// The sandbox footer before the link to the test cards.
    pub test_cards: &'static str,
    /// The sandbox footer's warning.
    pub never_real_card: &'static str,
    /// Heading of the bank's success page (`/payform/success.html`).
    pub success_page: &'static str,
    /// Heading of the bank's failure page (`/payform/?invoiceID=&code=&message=`).
    pub failure_page: &'static str,
    /// "Reference" (the RRN on the success page).
    pub reference: &'static str,
    /// "Reason" (on the failure page).
    pub reason: &'static str,
    /// The failure page's reason when the code is not in the catalogue.
    pub declined: &'static str,
    /// "Saved card" (a transfer form whose card is a saved one).
    pub saved_card: &'static str,
}

static RUSSIAN: Labels = Labels {
    title: "Оплата картой",
    transfer_title: "Перевод с карты на карту",
    amount: "Сумма",
    merchant: "Магазин",
    order: "Заказ",
    description: "Описание",
    card_number: "Номер карты",
    expiry: "Срок действия (ММ/ГГ)",
    cvc: "CVC/CVV",
    cardholder: "Имя владельца карты",
    save_card: "Сохранить карту",
    pay: "Оплатить",
    transfer: "Перевести",
    sender_card: "Карта отправителя",
    receiver_card: "Карта получателя",
    limits: "На оплату отводится {minutes} минут или {attempts} попытки.",
    attempts_left: "Осталось попыток",
    failed: "Платёж не прошёл",
    paid: "Оплата прошла успешно",
    error: "Ошибка",
    back_to_shop: "Вернуться в магазин",
    wait: "Дождитесь ответа!",
    continue_label: "Продолжить",
    expiry_placeholder: "ММ/ГГ",
    test_cards: "Песочница ePay: тестовые карты —",
    never_real_card: "Никогда не вводите настоящую карту.",
    success_page: "Оплата прошла успешно",
    failure_page: "Оплата не прошла",
    reference: "Референс",
    reason: "Причина",
    declined: "Платёж отклонён",
    saved_card: "Сохранённая карта",
};

static KAZAKH: Labels = Labels {
    title: "Картамен төлеу",
    transfer_title: "Картадан картаға аудару",
    amount: "Сома",
    merchant: "Дүкен",
    order: "Тапсырыс",
    description: "Сипаттама",
    card_number: "Карта нөмірі",
    expiry: "Жарамдылық мерзімі (АА/ЖЖ)",
    cvc: "CVC/CVV",
    cardholder: "Карта иесінің аты",
    save_card: "Картаны сақтау",
    pay: "Төлеу",
    transfer: "Аудару",
    sender_card: "Жіберушінің картасы",
    receiver_card: "Алушының картасы",
    limits: "Төлеуге {minutes} минут немесе {attempts} әрекет беріледі.",
    attempts_left: "Қалған әрекеттер",
    failed: "Төлем өтпеді",
    paid: "Төлем сәтті өтті",
    error: "Қате",
    back_to_shop: "Дүкенге оралу",
    wait: "Жауабын күтіңіз!",
    continue_label: "Жалғастыру",
    expiry_placeholder: "АА/ЖЖ",
    test_cards: "ePay құмсалғышы: тест карталары —",
    never_real_card: "Ешқашан нағыз картаны енгізбеңіз.",
    success_page: "Төлем сәтті өтті",
    failure_page: "Төлем өтпеді",
    reference: "Референс",
    reason: "Себебі",
    declined: "Төлем қабылданбады",
    saved_card: "Сақталған карта",
};

static ENGLISH: Labels = Labels {
    title: "Card payment",
    transfer_title: "Card to card transfer",
    amount: "Amount",
    merchant: "Merchant",
    order: "Order",
    description: "Description",
    card_number: "Card number",
    expiry: "Expiry (MM/YY)",
    cvc: "CVC/CVV",
    cardholder: "Cardholder name",
    save_card: "Save card",
    pay: "Pay",
    transfer: "Transfer",
    sender_card: "Sender's card",
    receiver_card: "Receiver's card",
    limits: "You have {minutes} minutes or {attempts} attempts to pay.",
    attempts_left: "Attempts left",
    failed: "Payment failed",
    paid: "Payment successful",
    error: "Error",
    back_to_shop: "Return to the shop",
    wait: "Wait for an answer!",
    continue_label: "Continue",
    expiry_placeholder: "MM/YY",
    test_cards: "ePay Sandbox: test cards at",
    never_real_card: "Never enter a real card.",
    success_page: "Payment successful",
    failure_page: "Payment failed",
    reference: "Reference",
    reason: "Reason",
    declined: "The payment was declined",
    saved_card: "Saved card",
};

impl Labels {
    /// The limits notice with its numbers filled in.
    pub fn limits_text(&self, minutes: i64, attempts: u32) -> String {
        self.limits
            .replace("{minutes}", &minutes.to_string())
            .replace("{attempts}", &attempts.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages() {
        assert_eq!(Language::parse("rus"), Language::Russian);
        assert_eq!(Language::parse("RU"), Language::Russian);
        assert_eq!(Language::parse("kaz"), Language::Kazakh);
        assert_eq!(Language::parse(" ENG "), Language::English);
        assert_eq!(Language::parse(""), Language::Russian);
        assert_eq!(
            Language::English.labels().limits_text(20, 3),
            "You have 20 minutes or 3 attempts to pay."
        );
    }
}
