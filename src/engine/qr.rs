//! Homebank QR payments (spec §3.15). Generating a bill checks the order as a card payment is
//! checked (fields, terminal, token binding); the payer's actions in the bank app (or the
//! control plane) move it on; confirming it, rejecting it or letting it expire opens an ordinary
//! payment transaction ([`MerchantCharge`]), so check-status and the callbacks follow the
//! payment. A bill with a transaction shows the transaction's status.

use super::merchant_charge::MerchantCharge;
use super::{PaymentAccepted, PaymentError, PaymentRequest, Sandbox};
use crate::deadlines::Job;
use crate::domain::cards::{mask_pan, LockStatus, TestCard};
use crate::domain::money::Amount;
use crate::domain::outcome::Outcome;
use crate::domain::qr::{
    next_status, QrAction, QrBill, QrError, QrStatus, EXPIRED_REASON, PAYER_REJECTED_REASON, QR_LIFETIME_MINUTES,
};
use crate::domain::tokens::Token;
use crate::domain::transaction::{CardSnapshot, Links, OrderDetails, Transaction};

/// The body of `POST /payment/qr/generate`, already read; the order comes from the token, or
/// from these fields (which must then match what the token was issued for, as for a payment).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QrGenerateRequest {
    /// `invoiceId` (else the token's).
    pub invoice_id: String,
    /// `amount` (else the token's).
    pub amount: Option<Amount>,
    /// `currency` (else the token's; KZT by default).
    pub currency: String,
    /// `terminalId` when the token has none.
    pub terminal_id: Option<String>,
    /// `postLink`.
    pub post_link: String,
    /// `failurePostLink`.
    pub failure_post_link: String,
    /// `description`.
    pub description: String,
    /// `language`.
    pub language: String,
    /// `accountId`.
    pub account_id: String,
    /// `payerEmail`.
    pub payer_email: String,
    /// `payerPhone`.
    pub payer_phone: String,
}

/// A bill with its status and payment, as `GET /qr` and the app page show it.
#[derive(Debug, Clone, PartialEq)]
pub struct QrPayment {
    /// The bill.
    pub bill: QrBill,
    /// Its status now (the payment's, once there is one).
    pub status: QrStatus,
    /// The payment, once confirmed, rejected or expired.
    pub transaction: Option<Transaction>,
}

impl Sandbox {
    /// `POST /payment/qr/generate`: a new bill for the token's order.
    pub fn generate_qr(&self, token: &Token, request: &QrGenerateRequest) -> Result<QrPayment, QrError> {
        let invalid = |e: PaymentError| match e {
            PaymentError::Refused { message, .. } => QrError::Invalid(message),
            other => QrError::Invalid(format!("{other:?}")),
        };
        let amount = request
            .amount
            .or(token.amount)
            .ok_or_else(|| QrError::Invalid("amount is required (in the token request or in the body)".into()))?;
        if amount.is_zero() {
            return Err(QrError::Invalid("amount must be greater than 0".into()));
        }
        let currency = Some(request.currency.trim().to_ascii_uppercase())
            .filter(|c| !c.is_empty())
            .or_else(|| token.currency.clone())
            .unwrap_or_else(|| "KZT".to_string());
        let invoice_id = Some(request.invoice_id.trim().to_string())
            .filter(|i| !i.is_empty())
            .or_else(|| token.invoice_id.clone())
            .unwrap_or_default();
        let payment = PaymentRequest {
            amount,
            currency,
            invoice_id,
            terminal_id: request.terminal_id.clone(),
            description: request.description.clone(),
            account_id: request.account_id.clone(),
            email: request.payer_email.clone(),
            phone: request.payer_phone.clone(),
            language: request.language.clone(),
            post_link: request.post_link.clone(),
            failure_post_link: request.failure_post_link.clone(),
            ..PaymentRequest::default()
        };
        let terminal = self.check_order(token, &payment).map_err(invalid)?;
        if self
            .store
            .transactions()
            .id_by_invoice(&terminal.id, &payment.invoice_id)
            .is_some()
        {
            return Err(QrError::Invalid(format!(
                "invoiceId {} has already been used on this terminal",
                payment.invoice_id
            )));
        }
        let or_token = |own: &str, theirs: &str| if own.is_empty() { theirs } else { own }.to_string();
        let now = self.clock.now();
        let bill = QrBill {
            bill_number: self.ids.reference(),
            access_token: token.access_token.clone(),
            client_id: token.client_id.clone(),
            terminal_id: terminal.id,
            invoice_id: payment.invoice_id,
            amount,
            currency: payment.currency,
            description: payment.description,
            language: payment.language,
            account_id: payment.account_id,
            payer_email: payment.email,
            payer_phone: payment.phone,
            post_link: or_token(&payment.post_link, &token.post_link),
            failure_post_link: or_token(&payment.failure_post_link, &token.failure_post_link),
            secret_hash: token.secret_hash.clone(),
            status: QrStatus::New,
            transaction_id: None,
            created_at: now,
            expires_at: now + chrono::Duration::minutes(QR_LIFETIME_MINUTES),
        };
        self.store.qr_bills().put(bill.clone());
        self.deadlines
            .schedule(bill.expires_at, Job::ExpireQrBill(bill.bill_number.clone()));
        Ok(self.qr_view(bill))
    }

    /// `GET /qr`: the token's client's bill by number, or the one generated with this token.
    pub fn qr_status(&self, token: &Token, bill_number: Option<&str>) -> Result<QrPayment, QrError> {
        let bill = match bill_number.map(str::trim).filter(|b| !b.is_empty()) {
            Some(number) => self
                .store
                .qr_bills()
                .get(number)
                .filter(|b| b.client_id == token.client_id)
                .ok_or_else(|| QrError::NotFound(number.to_string()))?,
            None => self
                .store
                .qr_bills()
                .of_token(&token.access_token)
                .ok_or_else(|| QrError::NotFound("(none generated with this token)".to_string()))?,
        };
        Ok(self.qr_view(bill))
    }

    /// A bill by number, for the bank-app page and the control plane (no token).
    pub fn qr_bill(&self, bill_number: &str) -> Result<QrPayment, QrError> {
        self.store
            .qr_bills()
            .get(bill_number)
            .map(|bill| self.qr_view(bill))
            .ok_or_else(|| QrError::NotFound(bill_number.to_string()))
    }

    /// Every bill, newest first (control plane, dashboard).
    pub fn qr_bills(&self) -> Vec<QrPayment> {
        let mut all = self.store.qr_bills().all();
        all.reverse();
        all.into_iter().map(|bill| self.qr_view(bill)).collect()
    }

    /// The test cards the bank app offers to pay with (those that are not locked).
    pub fn qr_app_cards(&self) -> Vec<&TestCard> {
        self.fixtures
            .cards
            .iter()
            .filter(|c| c.status == LockStatus::Unlock)
            .collect()
    }

    /// What the payer does in the app: scan, pay (with a test card; the first unlocked one by
    /// default) or reject.
    pub fn qr_act(&self, bill_number: &str, action: QrAction, pan: Option<&str>) -> Result<QrPayment, QrError> {
        let current = self.qr_bill(bill_number)?;
        if current.status == QrStatus::Scanned && current.transaction.is_some() {
            return Err(QrError::WrongState {
                bill: bill_number.to_string(),
                status: current.status,
                action: "act on",
            });
        }
        let next = next_status(bill_number, current.status, action)?;
        match action {
            QrAction::Scan => {
                self.store.qr_bills().update(bill_number, |b| b.status = next);
            }
            QrAction::Reject => self.settle_qr(&current.bill, None, Some(PAYER_REJECTED_REASON))?,
            QrAction::Pay => {
                let digits = pan.map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>());
                let card = match digits.filter(|p| !p.is_empty()) {
                    Some(pan) => Some(
                        self.fixtures
                            .card(&pan)
                            .ok_or_else(|| QrError::Invalid(format!("{} is not a test card", mask_pan(&pan))))?,
                    ),
                    None => self.qr_app_cards().first().copied(),
                };
                self.settle_qr(&current.bill, card, None)?;
            }
        }
        self.qr_bill(bill_number)
    }

    /// Opens the bill's payment: with `card` decided by the ordinary rules, or declined with
    /// `decline` (rejected, expired).
    fn settle_qr(&self, bill: &QrBill, card: Option<&TestCard>, decline: Option<i32>) -> Result<(), QrError> {
        let charge = MerchantCharge {
            client_id: bill.client_id.clone(),
            terminal_id: bill.terminal_id.clone(),
            order: OrderDetails {
                invoice_id: bill.invoice_id.clone(),
                account_id: bill.account_id.clone(),
                description: bill.description.clone(),
                language: bill.language.clone(),
                email: bill.payer_email.clone(),
                phone: bill.payer_phone.clone(),
                currency: bill.currency.clone(),
                ..OrderDetails::default()
            },
            amount: bill.amount,
            card: card
                .map(|c| CardSnapshot {
                    mask: mask_pan(&c.pan),
                    brand: c.brand.clone(),
                    issuer: c.issuer.clone(),
                    ..CardSnapshot::default()
                })
                .unwrap_or_default(),
            pan: card.map(|c| c.pan.clone()),
            links: Links {
                post_link: bill.post_link.clone(),
                failure_post_link: bill.failure_post_link.clone(),
                secret_hash: bill.secret_hash.clone(),
                ..Links::default()
            },
            decided: decline.map(|code| Outcome::Decline { code }),
        };
        let tx = match self.merchant_charge(charge) {
            Ok(PaymentAccepted::Approved(tx)) => tx,
            Ok(PaymentAccepted::Challenge { transaction, .. }) => transaction,
            Err(PaymentError::NotApproved { transaction, .. }) => *transaction,
            Err(PaymentError::Refused { message, .. }) => return Err(QrError::Invalid(message)),
            Err(PaymentError::Conflict(error)) => return Err(QrError::Invalid(error.to_string())),
        };
        self.store.qr_bills().update(&bill.bill_number, |b| {
            b.transaction_id = Some(tx.id());
            b.status = QrStatus::of_payment(tx.status());
        });
        Ok(())
    }

    /// The deadline job: a bill nobody finished within 20 minutes is rejected.
    pub(super) fn expire_qr_bill(&self, bill_number: &str) {
        let Ok(current) = self.qr_bill(bill_number) else { return };
        let unfinished = current.transaction.is_none() && !current.status.is_final();
        if unfinished && self.clock.now() >= current.bill.expires_at {
            if let Err(error) = self.settle_qr(&current.bill, None, Some(EXPIRED_REASON)) {
                tracing::warn!(bill = bill_number, %error, "expired QR bill not rejected");
            }
        }
    }

    /// Puts a bill from a state file back, with its expiry scheduled.
    pub(super) fn restore_qr_bill(&self, bill: QrBill) {
        self.deadlines
            .schedule(bill.expires_at, Job::ExpireQrBill(bill.bill_number.clone()));
        self.store.qr_bills().put(bill);
    }

    fn qr_view(&self, bill: QrBill) -> QrPayment {
        let transaction = bill.transaction_id.and_then(|id| self.store.transactions().get(id));
        let status = transaction
            .as_ref()
            .map_or(bill.status, |tx| QrStatus::of_payment(tx.status()));
        QrPayment {
            bill,
            status,
            transaction,
        }
    }
}
