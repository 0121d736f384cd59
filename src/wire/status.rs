//! Payment status views: the `transaction` object of check-status (seed 001), the flat object of
//! `GET /operation/{invoiceId}` and the payment postLink bodies (spec §3.7, §6), which share one
//! flat shape.

use super::{reason_code_string, PayerPlace};
use crate::domain::money::Amount;
use crate::domain::transaction::Transaction;
use crate::fidelity::{self, CallbackKind, Profile};
use serde::Serialize;
use utoipa::ToSchema;

/// `{resultCode, resultMessage, transaction}` of check-status; `transaction` is `null` when
/// nothing was found.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckStatus<'a> {
    /// The lookup's result code.
    #[serde(rename = "resultCode")]
    pub result_code: &'static str,
    /// The catalogue's text for the code.
    #[serde(rename = "resultMessage")]
    pub result_message: String,
    /// The transaction found, if any.
    pub transaction: Option<TransactionView<'a>>,
}

/// The `transaction` object of payment check-status, field for field as the bank's sample.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionView<'a> {
    id: String,
    #[serde(rename = "createdDate")]
    created_date: String,
    #[serde(rename = "invoiceID")]
    invoice_id: &'a str,
    amount: Amount,
    #[serde(rename = "amountBonus")]
    amount_bonus: Amount,
    #[serde(rename = "payoutAmount")]
    payout_amount: Amount,
    #[serde(rename = "orgAmount")]
    org_amount: Amount,
    #[serde(rename = "approvalCode")]
    approval_code: &'a str,
    data: &'a str,
    currency: &'a str,
    terminal: &'a str,
    #[serde(rename = "terminalID")]
    terminal_id: &'a str,
    #[serde(rename = "accountID")]
    account_id: &'a str,
    description: &'a str,
    language: String,
    #[serde(rename = "cardMask")]
    card_mask: &'a str,
    #[serde(rename = "cardType")]
    card_type: &'a str,
    issuer: &'a str,
    reference: &'a str,
    reason: &'a str,
    #[serde(rename = "reasonCode")]
    reason_code: String,
    #[serde(rename = "intReference")]
    int_reference: &'a str,
    secure: bool,
    #[serde(rename = "statusID")]
    status_id: String,
    #[serde(rename = "statusName")]
    status_name: &'static str,
    name: &'a str,
    email: &'a str,
    phone: &'a str,
    #[serde(rename = "cardID")]
    card_id: &'a str,
    #[serde(rename = "xlsRRN")]
    xls_rrn: &'static str,
    ip: &'a str,
    #[serde(flatten)]
    place: PayerPlace,
    #[serde(rename = "ipLatitude")]
    latitude: f64,
    #[serde(rename = "ipLongitude")]
    longitude: f64,
}

impl<'a> TransactionView<'a> {
    /// The view of `tx`; `language` as the profile's `answer.language`.
    pub fn of(tx: &'a Transaction, profile: &Profile) -> Self {
        let order = tx.order();
        let card = tx.card();
        TransactionView {
            id: tx.id().to_string(),
            created_date: fidelity::bank_timestamp(tx.created_at()),
            invoice_id: order.invoice_id,
            amount: tx.amount(),
            amount_bonus: tx.amount_bonus(),
            payout_amount: tx.refunded(),
            org_amount: tx.org_amount(),
            approval_code: tx.approval_code(),
            data: order.data,
            currency: order.currency,
            terminal: tx.terminal_number(),
            terminal_id: tx.terminal_id(),
            account_id: order.account_id,
            description: order.description,
            language: profile.answer_language.render(order.language),
            card_mask: card.mask,
            card_type: card.brand,
            issuer: card.issuer,
            reference: tx.reference(),
            reason: tx.reason(),
            reason_code: reason_code_string(tx.reason_code()),
            int_reference: tx.int_reference(),
            secure: tx.secure(),
            status_id: tx.status_id().to_string(),
            status_name: tx.status().as_str(),
            name: order.name,
            email: order.email,
            phone: order.phone,
            card_id: card.card_id,
            xls_rrn: "",
            ip: tx.ip(),
            place: PayerPlace::SANDBOX,
            latitude: fidelity::PAYER_LATITUDE,
            longitude: fidelity::PAYER_LONGITUDE,
        }
    }
}

/// The flat payment object: `GET /operation/{invoiceId}` (spec §3.7) and, with the callback-only
/// keys present, the postLink / failurePostLink body (spec §6). (C-03, C-04)
#[derive(Debug, Serialize, ToSchema)]
pub struct FlatPaymentView<'a> {
    id: String,
    #[serde(rename = "dateTime")]
    date_time: String,
    #[serde(rename = "invoiceId")]
    invoice_id: &'a str,
    amount: Amount,
    currency: &'a str,
    terminal: &'a str,
    #[serde(rename = "accountId")]
    account_id: &'a str,
    description: &'a str,
    language: String,
    #[serde(rename = "cardMask")]
    card_mask: &'a str,
    #[serde(rename = "cardType")]
    card_type: &'a str,
    issuer: &'a str,
    reference: &'a str,
    #[serde(rename = "approvalCode", skip_serializing_if = "Option::is_none")]
    approval_code: Option<&'a str>,
    secure: &'static str,
    #[serde(rename = "secureDetails", skip_serializing_if = "Option::is_none")]
    secure_details: Option<&'static str>,
    code: &'static str,
    reason: &'a str,
    #[serde(rename = "reasonCode")]
    reason_code: i32,
    name: &'a str,
    email: &'a str,
    phone: &'a str,
    ip: &'a str,
    #[serde(flatten)]
    place: PayerPlace,
    #[serde(rename = "ipLongitude")]
    longitude: f64,
    #[serde(rename = "ipLatitude")]
    latitude: f64,
    #[serde(rename = "cardId")]
    card_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_hash: Option<&'a str>,
    #[serde(rename = "invoiceIdAlt", skip_serializing_if = "Option::is_none")]
    invoice_id_alt: Option<&'a str>,
    #[serde(rename = "tokenRecipient", skip_serializing_if = "Option::is_none")]
    token_recipient: Option<&'static str>,
    #[serde(rename = "amountBonus", skip_serializing_if = "Option::is_none")]
    amount_bonus: Option<Amount>,
}

impl<'a> FlatPaymentView<'a> {
    /// The `GET /operation/{invoiceId}` object: created time, the status as `code`, `secure` as
    /// `"true"`/`"false"`.
    pub fn operation(tx: &'a Transaction) -> Self {
        let mut view = Self::common(tx, tx.reason(), tx.reason_code());
        view.date_time = fidelity::bank_datetime(tx.created_at());
        view.secure = if tx.secure() { "true" } else { "false" };
        view.code = tx.status().as_str();
        view
    }

    /// The postLink (`Success`) or failurePostLink (`Failure`) body: outcome time, the callback
    /// code and secure flag, `data` and `secret_hash`; a failure adds `invoiceIdAlt` and
    /// `tokenRecipient` and carries the decline reason.
    pub fn callback(tx: &'a Transaction, kind: CallbackKind) -> Self {
        let failure = kind == CallbackKind::Failure;
        let (reason, reason_code) = if failure {
            (tx.reason(), tx.reason_code())
        } else {
            (fidelity::CALLBACK_SUCCESS_REASON, 0)
        };
        let mut view = Self::common(tx, reason, reason_code);
        view.date_time = fidelity::bank_datetime(tx.last_moved_at());
        view.approval_code = Some(tx.approval_code());
        view.secure = fidelity::callback_secure(tx.secure());
        view.secure_details = Some("");
        view.code = fidelity::callback_code(kind);
        view.data = Some(tx.order().data);
        view.secret_hash = Some(tx.links().secret_hash);
        if failure {
            view.invoice_id_alt = Some(tx.order().invoice_id_alt);
            view.token_recipient = Some("");
        }
        view.amount_bonus = Some(tx.amount_bonus()).filter(|bonus| !bonus.is_zero());
        view
    }

    fn common(tx: &'a Transaction, reason: &'a str, reason_code: i32) -> Self {
        let order = tx.order();
        let card = tx.card();
        FlatPaymentView {
            id: tx.id().to_string(),
            date_time: String::new(),
            invoice_id: order.invoice_id,
            amount: tx.amount(),
            currency: order.currency,
            terminal: tx.terminal_number(),
            account_id: order.account_id,
            description: order.description,
            language: fidelity::display_language(order.language),
            card_mask: card.mask,
            card_type: card.brand,
            issuer: card.issuer,
            reference: tx.reference(),
            approval_code: None,
            secure: "",
            secure_details: None,
            code: "",
            reason,
            reason_code,
            name: order.name,
            email: order.email,
            phone: order.phone,
            ip: tx.ip(),
            place: PayerPlace::SANDBOX,
            longitude: fidelity::PAYER_LONGITUDE,
            latitude: fidelity::PAYER_LATITUDE,
            card_id: card.card_id,
            data: None,
            secret_hash: None,
            invoice_id_alt: None,
            token_recipient: None,
            amount_bonus: None,
        }
    }
}
