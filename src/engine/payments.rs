//! Card payments: `/payment/cryptopay` (a card in an RSA cryptogram, Apple Pay, Google Pay) and
//! `/payments/cards/auth` (a saved card).
//!
//! A payment is an [`Attempt`] of the shared pipeline (`attempt.rs`) with one card: a
//! cryptogram's, a wallet's (no PAN), a saved card, or one typed into the hosted payment page.

use super::attempt::{
    attempt_links, check_currency, Attempt, AttemptOrder, CryptogramFor, DecisionCards, IssuerCard, PaymentAccepted,
    PaymentError, Terms,
};
use super::Sandbox;
use crate::crypto::CardData;
use crate::domain::issuer::{PresentedCard, YearMonth};
use crate::domain::merchants::{Terminal, TerminalKind};
use crate::domain::money::Amount;
use crate::domain::saved_cards::{CardToSave, SavedCard};
use crate::domain::tokens::Token;
use crate::domain::transaction::{CardSnapshot, NewTransaction, OrderDetails, Transaction, TransactionKind};
use crate::domain::validation::{check_description, check_invoice_id};
use crate::fidelity::{self, RequestRefusal};
use chrono::{Datelike, Duration};

/// Apple Pay cryptograms carry this placeholder instead of a PAN (seed 003).
pub const APPLE_PAY_PLACEHOLDER_PAN: &str = "AppleToken";

/// The order part of a payment request, already read from JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentRequest {
    /// Amount (zero only for a USD card verification).
    pub amount: Amount,
    /// ISO currency code.
    pub currency: String,
    /// The merchant's order number.
    pub invoice_id: String,
    /// Optional second order number.
    pub invoice_id_alt: String,
    /// `terminalId` of the body, when sent.
    pub terminal_id: Option<String>,
    /// Cardholder name.
    pub name: String,
    /// What is paid for.
    pub description: String,
    /// The merchant's customer id (saved cards hang off it).
    pub account_id: String,
    /// Payer e-mail.
    pub email: String,
    /// Payer phone.
    pub phone: String,
    /// `rus`, `kaz`, `eng`.
    pub language: String,
    /// Free-form merchant data.
    pub data: String,
    /// Browser redirect after success.
    pub back_link: String,
    /// Browser redirect after failure.
    pub failure_back_link: String,
    /// Success callback (falls back to the token's).
    pub post_link: String,
    /// Failure callback (falls back to the token's).
    pub failure_post_link: String,
    /// Save the card on success (`cardSave`).
    pub card_save: bool,
    /// Payer IP as seen by the sandbox.
    pub ip: String,
}

/// A wallet that pays without a PAN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wallet {
    /// `paymentType: "applePay"`.
    ApplePay,
    /// `paymentType: "googlePay"`.
    GooglePay,
}

/// How the payer pays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentMethod {
    /// A card in an RSA cryptogram (base64).
    Cryptogram(String),
    /// Apple Pay or Google Pay, optionally with the placeholder cryptogram.
    Wallet {
        /// Which wallet.
        wallet: Wallet,
        /// The (placeholder) cryptogram, when sent.
        cryptogram: Option<String>,
    },
    /// A saved card by its `cardID`.
    SavedCard(String),
    /// A card typed into the hosted payment page (no cryptogram: the page is the bank's own).
    Card(CardData),
}

/// The card a payment is made with, once identified, and how the transaction shows it.
struct PaymentCard {
    kind: CardKind,
    snapshot: CardSnapshot,
}

/// Where a payment's card comes from.
enum CardKind {
    Entered(CardData),
    Wallet,
    Saved(Box<SavedCard>),
}

impl PaymentCard {
    /// The card number, when the payment has one (a wallet has none).
    fn pan(&self) -> Option<&str> {
        match &self.kind {
            CardKind::Entered(data) => Some(&data.hpan),
            CardKind::Saved(saved) => Some(&saved.pan),
            CardKind::Wallet => None,
        }
    }
}

impl Sandbox {
    /// Runs one payment from request to outcome.
    pub fn pay(
        &self,
        token: &Token,
        request: &PaymentRequest,
        method: PaymentMethod,
    ) -> Result<PaymentAccepted, PaymentError> {
        self.pay_with_bonus(token, request, method, false)
    }

    /// [`Sandbox::pay`], paying part of the amount with the card's Halyk bonus when `use_bonus`
    /// (cryptopay's `useBonus`; see `bonuses.rs`).
    pub fn pay_with_bonus(
        &self,
        token: &Token,
        request: &PaymentRequest,
        method: PaymentMethod,
        use_bonus: bool,
    ) -> Result<PaymentAccepted, PaymentError> {
        self.run_attempt(
            token,
            &CardPayment {
                request,
                method: &method,
                use_bonus,
            },
        )
    }

    /// The current month in bank time, for card expiry checks.
    pub(super) fn bank_month(&self) -> YearMonth {
        let local = self.clock.now() + Duration::seconds(i64::from(fidelity::BANK_UTC_OFFSET_SECONDS));
        YearMonth {
            year: local.year(),
            month: local.month(),
        }
    }
}

/// A card payment as an [`Attempt`]: one card, identified by the payment method.
struct CardPayment<'a> {
    request: &'a PaymentRequest,
    method: &'a PaymentMethod,
    use_bonus: bool,
}

impl AttemptOrder for PaymentRequest {
    fn terms(&self) -> Terms<'_> {
        Terms {
            noun: "payment",
            terminal_kind: TerminalKind::Payment,
            terminal_field: "terminalId",
            terminal_id: self.terminal_id.as_deref(),
            invoice_id: &self.invoice_id,
            account_id: &self.account_id,
            amount: self.amount,
            currency: &self.currency,
        }
    }

    /// Spec §9 rules that need no state.
    fn validate(&self) -> Result<(), PaymentError> {
        let invalid = |message: String| PaymentError::refused(RequestRefusal::Invalid, message);
        check_invoice_id(&self.invoice_id).map_err(|e| invalid(e.to_string()))?;
        if !self.invoice_id_alt.is_empty() {
            check_invoice_id(&self.invoice_id_alt).map_err(|e| invalid(format!("invoiceIdAlt: {e}")))?;
        }
        check_description(&self.description).map_err(invalid)?;
        check_currency("currency", &self.currency)?;
        if self.amount.is_zero() && !self.currency.eq_ignore_ascii_case(fidelity::VERIFICATION_CURRENCY) {
            return Err(invalid(format!(
                "amount must be greater than 0 (a zero amount is a card verification and needs currency {})",
                fidelity::VERIFICATION_CURRENCY
            )));
        }
        Ok(())
    }
}

impl AttemptOrder for CardPayment<'_> {
    fn terms(&self) -> Terms<'_> {
        self.request.terms()
    }

    fn validate(&self) -> Result<(), PaymentError> {
        self.request.validate()
    }
}

impl Attempt for CardPayment<'_> {
    type Cards = PaymentCard;

    fn identify(&self, sandbox: &Sandbox, token: &Token, terminal: &Terminal) -> Result<PaymentCard, PaymentError> {
        let open = |cryptogram: &str| sandbox.open_cryptogram(cryptogram, terminal, CryptogramFor::Payment);
        let kind = match self.method {
            PaymentMethod::Cryptogram(cryptogram) => {
                let data = open(cryptogram)?;
                if data.hpan == APPLE_PAY_PLACEHOLDER_PAN {
                    CardKind::Wallet
                } else {
                    CardKind::Entered(data)
                }
            }
            PaymentMethod::Wallet { wallet: _, cryptogram } => {
                if let Some(cryptogram) = cryptogram {
                    open(cryptogram)?;
                }
                CardKind::Wallet
            }
            PaymentMethod::Card(data) => CardKind::Entered(data.clone()),
            PaymentMethod::SavedCard(card_id) => sandbox
                .usable_saved_card(token, &self.request.account_id, card_id)
                .map(|card| CardKind::Saved(Box::new(card)))
                .map_err(|e| PaymentError::refused(RequestRefusal::CardNotUsable, e.to_string()))?,
        };
        let holder = &self.request.name;
        let snapshot = match &kind {
            CardKind::Entered(data) => sandbox.presented_card(&data.hpan, holder),
            CardKind::Wallet => CardSnapshot {
                mask: fidelity::WALLET_CARD.0.to_string(),
                brand: fidelity::WALLET_CARD.1.to_string(),
                holder: holder.clone(),
                ..CardSnapshot::default()
            },
            CardKind::Saved(saved) => CardSnapshot {
                mask: saved.mask.clone(),
                brand: saved.brand.clone(),
                issuer: saved.issuer.clone(),
                card_id: saved.id.to_string(),
                holder: if holder.is_empty() {
                    saved.holder.clone()
                } else {
                    holder.clone()
                },
            },
        };
        Ok(PaymentCard { kind, snapshot })
    }

    fn transaction(&self, token: &Token, terminal: &Terminal, card: &PaymentCard) -> NewTransaction {
        let request = self.request;
        NewTransaction {
            kind: TransactionKind::Payment,
            client_id: token.client_id.clone(),
            terminal_id: terminal.id.clone(),
            terminal_number: terminal.processing_id.clone(),
            order: OrderDetails {
                invoice_id: request.invoice_id.clone(),
                invoice_id_alt: request.invoice_id_alt.clone(),
                account_id: request.account_id.clone(),
                description: request.description.clone(),
                language: request.language.clone(),
                name: request.name.clone(),
                email: request.email.clone(),
                phone: request.phone.clone(),
                data: request.data.clone(),
                currency: request.currency.to_ascii_uppercase(),
            },
            amount: request.amount,
            card: card.snapshot.clone(),
            links: attempt_links(
                token,
                &request.post_link,
                &request.failure_post_link,
                &request.back_link,
                &request.failure_back_link,
            ),
            ip: request.ip.clone(),
            transfer: None,
        }
    }

    fn decision_cards<'c>(&self, card: &'c PaymentCard) -> DecisionCards<'c> {
        match &card.kind {
            CardKind::Entered(data) => DecisionCards {
                pan: &data.hpan,
                card_id: "",
                issuer: IssuerCard::Presented(PresentedCard {
                    pan: &data.hpan,
                    expiry: &data.exp_date,
                    cvc: &data.cvc,
                }),
            },
            CardKind::Wallet => DecisionCards {
                pan: "",
                card_id: "",
                issuer: IssuerCard::Nothing,
            },
            CardKind::Saved(saved) => DecisionCards {
                pan: &saved.pan,
                card_id: &card.snapshot.card_id,
                issuer: IssuerCard::Saved { pan: &saved.pan },
            },
        }
    }

    fn before_play(&self, sandbox: &Sandbox, tx: &Transaction, card: &PaymentCard) {
        if let (true, Some(pan)) = (self.use_bonus, card.pan()) {
            sandbox.spend_bonus(tx, pan);
        }
    }

    fn card_to_save(&self, card: &PaymentCard) -> Option<CardToSave> {
        match &card.kind {
            CardKind::Entered(data) if self.request.card_save && !self.request.account_id.is_empty() => {
                Some(CardToSave {
                    pan: data.hpan.clone(),
                    expiry: data.exp_date.clone(),
                    holder: self.request.name.clone(),
                })
            }
            _ => None,
        }
    }
}
