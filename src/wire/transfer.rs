//! Transfer views: the receipt of seed 000 (the synchronous answer of the transfer routes and
//! the seed 004 postLink) and the `p2p` object of P2P check-status and `/p2p/operations`.

use super::reason_code_string;
use crate::domain::money::Amount;
use crate::domain::transaction::Transaction;
use crate::domain::transfer::{TransferParty, TransferType};
use crate::engine::Secure3dChallenge;
use crate::fidelity::{CallbackKind, Profile, TransferCode};
use serde::Serialize;
use utoipa::ToSchema;

static NO_PARTY: TransferParty = TransferParty {
    transfer_type: None,
    mask: String::new(),
    brand: String::new(),
    issuer: String::new(),
    card_id: String::new(),
    limit_key: String::new(),
};

/// The sender and receiver keys, in the same order in the receipt and the P2P view; empty
/// when the transaction does not record a party.
#[derive(Debug, Serialize, ToSchema)]
struct PartiesView<'a> {
    #[serde(rename = "senderCardID")]
    sender_card_id: &'a str,
    #[serde(rename = "senderCardPAN")]
    sender_card_pan: &'a str,
    #[serde(rename = "senderCardType")]
    sender_card_type: &'a str,
    #[serde(rename = "senderTransferType")]
    sender_transfer_type: &'static str,
    #[serde(rename = "receiverCardID")]
    receiver_card_id: &'a str,
    #[serde(rename = "receiverCardPAN")]
    receiver_card_pan: &'a str,
    #[serde(rename = "receiverCardType")]
    receiver_card_type: &'a str,
    #[serde(rename = "receiverTransferType")]
    receiver_transfer_type: &'static str,
}

impl<'a> PartiesView<'a> {
    fn of(tx: &'a Transaction) -> Self {
        let details = tx.transfer();
        let sender = details.and_then(|d| d.sender.as_ref()).unwrap_or(&NO_PARTY);
        let receiver = details.and_then(|d| d.receiver.as_ref()).unwrap_or(&NO_PARTY);
        let transfer_type = |party: &TransferParty| party.transfer_type.map_or("", TransferType::as_str);
        PartiesView {
            sender_card_id: &sender.card_id,
            sender_card_pan: &sender.mask,
            sender_card_type: &sender.brand,
            sender_transfer_type: transfer_type(sender),
            receiver_card_id: &receiver.card_id,
            receiver_card_pan: &receiver.mask,
            receiver_card_type: &receiver.brand,
            receiver_transfer_type: transfer_type(receiver),
        }
    }
}

fn fee(tx: &Transaction) -> Amount {
    tx.transfer().map_or(Amount::ZERO, |d| d.fee)
}

/// The seed 000 body describing a transfer (`code` before `status` as in seed 004). (T-02, C-05)
#[derive(Debug, Serialize, ToSchema)]
pub struct TransferReceipt<'a> {
    id: String,
    amount: Amount,
    fee: Amount,
    #[serde(rename = "accountID")]
    account_id: &'a str,
    currency: &'a str,
    email: &'a str,
    description: &'a str,
    reference: &'a str,
    #[serde(rename = "orderID")]
    order_id: &'a str,
    #[serde(flatten)]
    parties: PartiesView<'a>,
    #[serde(rename = "intReference")]
    int_reference: &'a str,
    #[serde(rename = "terminalID")]
    terminal_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<i32>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    #[serde(rename = "secure3D", skip_serializing_if = "Option::is_none")]
    secure3d: Option<&'a Secure3dChallenge>,
}

impl<'a> TransferReceipt<'a> {
    /// The answer of a transfer that reached its outcome: `code` 0, unless the profile's
    /// `transfer.code` is `absent`.
    pub fn done(tx: &'a Transaction, profile: &Profile) -> Self {
        Self::base(tx, (profile.transfer_code == TransferCode::Present).then_some(0))
    }

    /// The answer of a transfer waiting for 3-D Secure: no `code`, empty references, the
    /// challenge as `secure3D`.
    pub fn challenge(tx: &'a Transaction, challenge: &'a Secure3dChallenge) -> Self {
        let mut view = Self::base(tx, None);
        view.reference = "";
        view.int_reference = "";
        view.secure3d = Some(challenge);
        view
    }

    /// The postLink body (seed 004): a failure carries the reason code as `code` and the reason
    /// text as `message`. (C-05)
    pub fn callback(tx: &'a Transaction, kind: CallbackKind) -> Self {
        match kind {
            CallbackKind::Success => Self::base(tx, Some(0)),
            CallbackKind::Failure => {
                let mut view = Self::base(tx, Some(tx.reason_code()));
                view.message = Some(tx.reason());
                view
            }
        }
    }

    fn base(tx: &'a Transaction, code: Option<i32>) -> Self {
        let order = tx.order();
        TransferReceipt {
            id: tx.id().to_string(),
            amount: tx.org_amount(),
            fee: fee(tx),
            account_id: order.account_id,
            currency: order.currency,
            email: order.email,
            description: order.description,
            reference: tx.reference(),
            order_id: order.invoice_id,
            parties: PartiesView::of(tx),
            int_reference: tx.int_reference(),
            terminal_id: tx.terminal_id(),
            code,
            status: tx.status().as_str(),
            message: None,
            secure3d: None,
        }
    }
}

/// `{"result": {code, message}, "transaction": {"p2p": {...}}}` of P2P check-status
/// (spec §3.11, §4.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct P2pCheckStatus<'a> {
    /// The lookup's result.
    pub result: ResultView,
    /// The transfer found, if any.
    pub transaction: Option<P2pWrapper<'a>>,
}

/// `{code, message}` of P2P check-status.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultView {
    /// The result code.
    pub code: &'static str,
    /// The catalogue's text for it.
    pub message: String,
}

/// `{"p2p": {...}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct P2pWrapper<'a> {
    /// The transfer.
    pub p2p: P2pView<'a>,
}

/// The transfer object of P2P check-status and `/p2p/operations`.
#[derive(Debug, Serialize, ToSchema)]
pub struct P2pView<'a> {
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
    fee: Amount,
    currency: &'a str,
    #[serde(rename = "cardType")]
    card_type: &'a str,
    #[serde(rename = "cardMask")]
    card_mask: &'a str,
    terminal: &'a str,
    #[serde(rename = "terminalID")]
    terminal_id: &'a str,
    #[serde(rename = "accountID")]
    account_id: &'a str,
    description: &'a str,
    language: String,
    email: &'a str,
    reference: &'a str,
    #[serde(rename = "intReference")]
    int_reference: &'a str,
    #[serde(rename = "approvalCode")]
    approval_code: &'a str,
    #[serde(rename = "transferType")]
    transfer_type: &'static str,
    #[serde(flatten)]
    parties: PartiesView<'a>,
    secure: bool,
    #[serde(rename = "statusID")]
    status_id: String,
    #[serde(rename = "statusName")]
    status_name: &'static str,
    reason: &'a str,
    #[serde(rename = "reasonCode")]
    reason_code: String,
}

impl<'a> P2pView<'a> {
    /// The view of `tx`; `language` as the profile's `answer.language`.
    pub fn of(tx: &'a Transaction, profile: &Profile) -> Self {
        let order = tx.order();
        P2pView {
            id: tx.id().to_string(),
            created_date: crate::fidelity::bank_timestamp(tx.created_at()),
            invoice_id: order.invoice_id,
            amount: tx.amount(),
            amount_bonus: tx.amount_bonus(),
            payout_amount: tx.refunded(),
            fee: fee(tx),
            currency: order.currency,
            card_type: tx.card().brand,
            card_mask: tx.card().mask,
            terminal: tx.terminal_number(),
            terminal_id: tx.terminal_id(),
            account_id: order.account_id,
            description: order.description,
            language: profile.answer_language.render(order.language),
            email: order.email,
            reference: tx.reference(),
            int_reference: tx.int_reference(),
            approval_code: tx.approval_code(),
            transfer_type: tx.transfer().map_or("", |d| d.kind.as_str()),
            parties: PartiesView::of(tx),
            secure: tx.secure(),
            status_id: tx.status_id().to_string(),
            status_name: tx.status().as_str(),
            reason: tx.reason(),
            reason_code: reason_code_string(tx.reason_code()),
        }
    }
}
