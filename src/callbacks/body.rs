//! What a callback says: one body builder per transaction kind, shaped as spec §6 (payments)
//! and seed 004 (transfers). Pure functions of the transaction; nothing here sends anything.

use crate::domain::transaction::{Transaction, TransactionKind};
use crate::fidelity::{self, CallbackKind};
use crate::wire::status::FlatPaymentView;
use crate::wire::transfer::TransferReceipt;
use serde_json::Value;

/// A callback ready to send: where, why, and the JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Callback {
    /// Success (postLink) or failure (failurePostLink).
    pub kind: CallbackKind,
    /// The merchant URL.
    pub url: String,
    /// The JSON body.
    pub body: Value,
}

/// The callback a transaction in its current (final) status calls, if it has a link to call.
pub fn callback_for(tx: &Transaction) -> Option<Callback> {
    let kind = fidelity::callback_kind(tx.status())?;
    let url = fidelity::callback_url(tx.links(), kind)?.to_string();
    let body = match tx.kind() {
        TransactionKind::Payment => payment_body(tx, kind),
        TransactionKind::Transfer => transfer_body(tx, kind),
    };
    Some(Callback { kind, url, body })
}

/// The postLink / failurePostLink body of a card payment (spec §6). (C-03, C-04)
pub fn payment_body(tx: &Transaction, kind: CallbackKind) -> Value {
    to_body(&FlatPaymentView::callback(tx, kind))
}

/// The postLink body of a transfer, shaped as the seed 004 sample. The transaction keeps one
/// card, the sender's; receiver fields stay empty and the fee 0 until transfers record them.
/// A failure carries the reason code as `code`, the failing status and the reason text as
/// `message`. (C-05)
pub fn transfer_body(tx: &Transaction, kind: CallbackKind) -> Value {
    to_body(&TransferReceipt::callback(tx, kind))
}

/// The view as the JSON value the worker posts (the one conversion of a callback body).
fn to_body(view: &impl serde::Serialize) -> Value {
    serde_json::to_value(view).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Amount;
    use crate::domain::transaction::tests::{ctx_at, opened, sample_new};
    use crate::domain::transaction::{CardSnapshot, Event, NewTransaction};
    use chrono::{DateTime, Utc};
    use serde_json::json;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn payment_new() -> NewTransaction {
        let mut new = sample_new(Amount::from_minor(1222));
        new.order.description = "order".into();
        new.order.language = "rus".into();
        new.order.data = r#"{"statement":{"name":"Arman Ali"}}"#.into();
        new.order.invoice_id_alt = "8564546".into();
        new.card = CardSnapshot {
            mask: "440563...5096".into(),
            brand: "VISA".into(),
            issuer: "Halyk Bank".into(),
            card_id: String::new(),
            holder: "ARMAN ALI".into(),
        };
        new.links.post_link = "http://merchant/ok".into();
        new.links.secret_hash = "s3cret".into();
        new
    }

    fn payment() -> Transaction {
        opened(payment_new())
    }

    fn transfer_new() -> NewTransaction {
        let mut new = payment_new();
        new.kind = TransactionKind::Transfer;
        new.transfer = Some(p2p_details());
        new
    }

    fn approved(mut tx: Transaction) -> Transaction {
        let event = Event::Approve {
            two_step: true,
            approval_code: "170243".into(),
        };
        tx.apply(event, &ctx_at(at("2022-11-14T21:52:17Z"))).ok();
        tx
    }

    fn declined(mut tx: Transaction) -> Transaction {
        let event = Event::Decline {
            code: 484,
            reason: "Insufficient funds".into(),
        };
        tx.apply(event, &ctx_at(at("2022-11-14T21:52:17Z"))).ok();
        tx
    }

    #[test]
    fn success_body_has_every_field_with_the_documented_types() {
        let callback = callback_for(&approved(payment()));
        let Some(callback) = callback else {
            panic!("an approved payment with a postLink calls it");
        };
        assert_eq!(callback.kind, CallbackKind::Success);
        assert_eq!(callback.url, "http://merchant/ok");
        let body = callback.body;
        assert_eq!(body["amount"], json!(12.22));
        assert_eq!(body["reasonCode"], json!(0));
        assert_eq!(body["reason"], "success");
        assert_eq!(body["code"], "ok");
        assert_eq!(body["secure"], "no");
        assert_eq!(body["approvalCode"], "170243");
        assert_eq!(body["dateTime"], "2022-11-15 03:52:17");
        assert_eq!(body["terminal"], "98120001");
        assert_eq!(body["language"], "RU");
        assert_eq!(body["secret_hash"], "s3cret");
        assert_eq!(body["data"], r#"{"statement":{"name":"Arman Ali"}}"#);
        assert!(body["ipLatitude"].is_f64() && body["ipLongitude"].is_f64());
        assert!(body.get("invoiceIdAlt").is_none() && body.get("tokenRecipient").is_none());
        let fields = body.as_object().map(|o| o.len()).unwrap_or_default();
        assert_eq!(fields, 32);
    }

    #[test]
    fn failure_body_adds_the_failure_fields_and_the_decline_reason() {
        let mut new = payment_new();
        new.links.failure_post_link = "http://merchant/fail".into();
        let mut tx = opened(new);
        tx.apply(Event::MarkSecure, &ctx_at(at("2022-11-14T21:52:00Z"))).ok();
        let tx = declined(tx);
        let Some(callback) = callback_for(&tx) else {
            panic!("a declined payment with links calls one");
        };
        assert_eq!(callback.kind, CallbackKind::Failure);
        assert_eq!(callback.url, "http://merchant/fail");
        let body = callback.body;
        assert_eq!(body["code"], "error");
        assert_eq!(body["reasonCode"], json!(484));
        assert_eq!(body["reason"], "Insufficient funds");
        assert_eq!(body["invoiceIdAlt"], "8564546");
        assert_eq!(body["tokenRecipient"], "");
        assert_eq!(body["secure"], "yes");
        assert_eq!(body.as_object().map(|o| o.len()).unwrap_or_default(), 34);
    }

    #[test]
    fn failure_falls_back_to_post_link_and_no_link_sends_nothing() {
        let tx = declined(payment());
        assert_eq!(callback_for(&tx).map(|c| c.url), Some("http://merchant/ok".into()));
        let mut new = payment_new();
        new.links.post_link = "  ".into();
        let silent = declined(opened(new));
        assert!(callback_for(&silent).is_none());
        let mut new = payment_new();
        new.links.post_link.clear();
        new.links.failure_post_link = "http://merchant/fail".into();
        let only_failure = approved(opened(new));
        assert!(
            callback_for(&only_failure).is_none(),
            "success never goes to failurePostLink"
        );
    }

    #[test]
    fn a_transaction_that_is_not_final_calls_nothing() {
        assert!(callback_for(&payment()).is_none());
    }

    #[test]
    fn transfer_body_follows_seed_004() {
        let tx = approved(opened(transfer_new()));
        let Some(callback) = callback_for(&tx) else {
            panic!("an approved transfer calls postLink");
        };
        let body = callback.body;
        for field in [
            "id",
            "amount",
            "fee",
            "accountID",
            "currency",
            "email",
            "description",
            "reference",
            "orderID",
            "senderCardID",
            "senderCardPAN",
            "senderCardType",
            "senderTransferType",
            "receiverCardID",
            "receiverCardPAN",
            "receiverCardType",
            "receiverTransferType",
            "intReference",
            "terminalID",
            "code",
            "status",
        ] {
            assert!(body.get(field).is_some(), "{field} missing");
        }
        assert_eq!(body["code"], json!(0));
        assert_eq!(body["status"], "AUTH");
        assert_eq!(body["orderID"], "000001");
        assert_eq!(body["senderCardPAN"], "440563...5096");
        assert_eq!(body["receiverCardPAN"], "552204...6736");
        assert_eq!(body["receiverTransferType"], "TYPECARDID");
        assert_eq!(body["fee"], json!(95));
        let keys: Vec<&String> = body.as_object().map(|o| o.keys().collect()).unwrap_or_default();
        assert_eq!(
            keys.iter().rev().take(2).map(|k| k.as_str()).collect::<Vec<_>>(),
            ["status", "code"]
        );
        assert_eq!(body["amount"], json!(12.22));

        let body = transfer_body(&declined(opened(transfer_new())), CallbackKind::Failure);
        assert_eq!(body["code"], json!(484));
        assert_eq!(body["status"], "REJECT");
        assert_eq!(body["message"], "Insufficient funds");
    }

    fn p2p_details() -> crate::domain::transfer::TransferDetails {
        use crate::domain::transfer::{TransferDetails, TransferKind, TransferParty, TransferType};
        let party = |mask: &str, brand: &str, transfer_type| TransferParty {
            transfer_type: Some(transfer_type),
            mask: mask.into(),
            brand: brand.into(),
            ..Default::default()
        };
        TransferDetails {
            kind: TransferKind::P2p,
            fee: Amount::from_units(95),
            sender: Some(party("440563...5096", "VISA", TransferType::Pan)),
            receiver: Some(party("552204...6736", "MasterCard", TransferType::CardId)),
            to_save: Vec::new(),
        }
    }
}
