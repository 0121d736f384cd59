//! Homebank QR (spec §3.15): the body of `POST /payment/qr/generate`, its answer, and the bill
//! status of `GET /qr` (EpaySDK `QRResponseBody`).

use crate::domain::money::Amount;
use crate::domain::qr::QrStatus;
use crate::engine::QrPayment;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The body of `POST /payment/qr/generate`. The order (invoiceId, amount, currency, terminal)
/// normally comes from the token; the body's fields stand in when the token has none.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, rename_all = "camelCase")]
#[schema(example = json!({
    "invoiceId": "000123457", "amount": 100, "currency": "KZT",
    "terminalId": "67e34d63-102f-4bd1-898e-370781d0074d", "description": "QR order", "language": "rus"
}))]
pub struct QrGenerateBody {
    /// Success callback.
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub post_link: String,
    /// Failure callback.
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub failure_post_link: String,
    /// What is paid for.
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub description: String,
    /// `rus`, `kaz`, `eng`.
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub language: String,
    /// The merchant's customer id.
    #[serde(alias = "accountID", deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub account_id: String,
    /// Payer e-mail.
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub payer_email: String,
    /// Payer phone.
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub payer_phone: String,
    /// Order number, when the token has none.
    #[serde(alias = "invoiceID", deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub invoice_id: String,
    /// Amount, when the token has none (a number or a numeric string).
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub amount: String,
    /// Currency, when the token has none.
    #[serde(deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub currency: String,
    /// Terminal, when the token has none.
    #[serde(alias = "terminal", deserialize_with = "super::loose::text")]
    #[schema(value_type = crate::wire::loose::LooseText)]
    pub terminal_id: String,
}

/// The answer of `POST /payment/qr/generate`: `{qrcode, billNumber, homebankLink, onlinebankLink}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QrGenerated {
    /// The text the merchant renders as the QR code (the bank-app page's URL in the sandbox).
    pub qrcode: String,
    /// The bill number `GET /qr?billNumber=` takes.
    pub bill_number: String,
    /// Link that opens the bill in the Homebank app (the bank-app page).
    pub homebank_link: String,
    /// Link that opens the bill in online banking (the same page).
    pub onlinebank_link: String,
}

impl QrGenerated {
    /// The answer for a new bill, its links under `base` (the sandbox's public URL).
    pub fn of(payment: &QrPayment, base: &str) -> Self {
        let page = app_url(base, &payment.bill.bill_number);
        QrGenerated {
            qrcode: page.clone(),
            bill_number: payment.bill.bill_number.clone(),
            homebank_link: format!("{page}?channel=homebank"),
            onlinebank_link: format!("{page}?channel=onlinebank"),
        }
    }
}

/// The bank-app page of a bill: `{base}/homebank/qr/{billNumber}`.
pub fn app_url(base: &str, bill_number: &str) -> String {
    format!("{base}/homebank/qr/{bill_number}")
}

/// `GET /qr`: the SDK's `QRResponseBody` fields, then the sandbox's own (billNumber,
/// invoiceId, transactionId).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QrStatusView {
    /// The QR code's text.
    pub qrcode: String,
    /// `NEW`, `SCANNED`, `REJECTED`, `AUTH`, `PAID`.
    pub status: QrStatus,
    /// Always `PAYMENT`.
    pub tr_type: &'static str,
    /// Always false: the app authenticates the payer.
    #[serde(rename = "secure3D")]
    pub secure3d: bool,
    /// The paying card's issuer, once paid.
    pub issuer: String,
    /// The issuer's country, once paid.
    pub issuer_bank_country: String,
    /// Always 0.
    pub fee: f64,
    /// Amount.
    pub amount: Amount,
    /// Currency.
    pub currency: String,
    /// `HOMEBANK_QR` once scanned.
    pub payment_channel: String,
    /// Why it was rejected.
    pub err_description: String,
    /// Reason code of a rejection, or "".
    pub ret_code: String,
    /// The bill number.
    pub bill_number: String,
    /// The order number.
    pub invoice_id: String,
    /// The payment, once there is one.
    pub transaction_id: Option<String>,
}

/// Payment channel reported once the bill was scanned.
const CHANNEL: &str = "HOMEBANK_QR";

impl QrStatusView {
    /// The status of `payment`, its QR text under `base`.
    pub fn of(payment: &QrPayment, base: &str) -> Self {
        let bill = &payment.bill;
        let tx = payment.transaction.as_ref();
        let rejected = tx.filter(|tx| tx.status().is_failure());
        let paid = tx.filter(|tx| !tx.status().is_failure());
        QrStatusView {
            qrcode: app_url(base, &bill.bill_number),
            status: payment.status,
            tr_type: "PAYMENT",
            secure3d: false,
            issuer: paid.map(|tx| tx.card().issuer.to_string()).unwrap_or_default(),
            issuer_bank_country: paid.map(|_| "KZ".to_string()).unwrap_or_default(),
            fee: 0.0,
            amount: bill.amount,
            currency: bill.currency.clone(),
            payment_channel: if payment.status == QrStatus::New { "" } else { CHANNEL }.to_string(),
            err_description: rejected.map(|tx| tx.reason().to_string()).unwrap_or_default(),
            ret_code: rejected.map(|tx| tx.reason_code().to_string()).unwrap_or_default(),
            bill_number: bill.bill_number.clone(),
            invoice_id: bill.invoice_id.clone(),
            transaction_id: tx.map(|tx| tx.id().to_string()),
        }
    }
}
