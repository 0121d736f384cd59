//! Card payments: `/payment/cryptopay` (a card in an RSA cryptogram, Apple Pay, Google Pay) and
//! `/payments/cards/auth` (a saved card).
//!
//! Every payment runs the same steps: validate the request (no transaction yet), find the
//! terminal and check the token is bound to this payment, identify the card, decide the
//! outcome (forced → magic amount → card), open the transaction and play the outcome out.

use super::secure3d::Secure3dChallenge;
use super::{OperateError, Sandbox};
use crate::crypto::CardData;
use crate::domain::cards::{brand_of, mask_pan};
use crate::domain::issuer::{self, PresentedCard, YearMonth};
use crate::domain::merchants::{Terminal, TerminalKind};
use crate::domain::money::Amount;
use crate::domain::outcome::{AttemptContext, Outcome};
use crate::domain::saved_cards::{CardToSave, SavedCard};
use crate::domain::tokens::Token;
use crate::domain::transaction::{
    CardSnapshot, Event, Links, NewTransaction, OrderDetails, PendingOutcome, Transaction, TransactionKind,
};
use crate::domain::validation::{check_description, check_invoice_id};
use crate::fidelity::{self, RequestRefusal, TokenBinding};
use chrono::{Datelike, Duration};
use uuid::Uuid;

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

/// A payment that went through (or is waiting for the cardholder).
#[derive(Debug, Clone, PartialEq)]
pub enum PaymentAccepted {
    /// Approved: AUTH, CHARGE or VERIFIED; `card.card_id` is set when a card was saved or used.
    Approved(Transaction),
    /// A 3-D Secure challenge first; the transaction stays NEW.
    Challenge {
        /// The transaction.
        transaction: Transaction,
        /// What the merchant sends the cardholder to the ACS with.
        challenge: Secure3dChallenge,
    },
}

/// A payment that did not go through.
#[derive(Debug, Clone, PartialEq)]
pub enum PaymentError {
    /// Refused before any transaction was opened.
    Refused {
        /// Which kind of refusal (decides code and HTTP status).
        kind: RequestRefusal,
        /// What is wrong, for the developer.
        message: String,
    },
    /// Declined, failed, failed 3-D Secure or pending: the transaction records it.
    NotApproved {
        /// The transaction (REJECT, FAILED, 3D, or NEW while pending).
        transaction: Box<Transaction>,
        /// Reason code.
        code: i32,
        /// Reason text.
        message: String,
    },
    /// The transaction moved under our feet (a concurrent operation).
    Conflict(OperateError),
}

impl PaymentError {
    fn refused(kind: RequestRefusal, message: impl Into<String>) -> Self {
        PaymentError::Refused {
            kind,
            message: message.into(),
        }
    }
}

/// The card an attempt is made with, once identified.
enum PaymentCard {
    Entered(CardData),
    Wallet,
    Saved(Box<SavedCard>),
}

impl PaymentCard {
    /// The card number, when the payment has one (a wallet has none).
    fn pan(&self) -> Option<&str> {
        match self {
            PaymentCard::Entered(data) => Some(&data.hpan),
            PaymentCard::Saved(saved) => Some(&saved.pan),
            PaymentCard::Wallet => None,
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
        validate(request)?;
        let terminal = self.payment_terminal(token, request)?;
        self.check_token_binding(token, request)?;
        let card = self.identify_card(token, request, &terminal, method)?;
        let outcome = self.decide_outcome(token, request, &terminal, &card);
        let card_to_save = match &card {
            PaymentCard::Entered(data) if request.card_save && !request.account_id.is_empty() => Some(CardToSave {
                pan: data.hpan.clone(),
                expiry: data.exp_date.clone(),
                holder: request.name.clone(),
            }),
            _ => None,
        };
        let tx = self
            .open_transaction(new_transaction(
                token,
                request,
                &terminal,
                self.snapshot(&card, request),
            ))
            .map_err(|e| PaymentError::refused(RequestRefusal::DuplicateInvoice, e.to_string()))?;
        tracing::info!(id = %tx.id(), invoice = %tx.order().invoice_id, card = %tx.card().mask, ?outcome, "payment attempt");
        if let (true, Some(pan)) = (use_bonus, card.pan()) {
            self.spend_bonus(&tx, pan);
        }
        self.play_outcome(tx.id(), outcome, card_to_save)
    }

    /// Plays an outcome out on a NEW transaction: approve (saving the card first when asked),
    /// decline, fail, fail 3-D Secure, begin a challenge or leave it pending. The 3-D Secure
    /// confirm step calls this with the outcome stored in its session.
    pub fn play_outcome(
        &self,
        id: Uuid,
        outcome: Outcome,
        card_to_save: Option<CardToSave>,
    ) -> Result<PaymentAccepted, PaymentError> {
        let catalogue = &self.fixtures.catalogue;
        let refused = |code: i32, event: Event| -> Result<PaymentAccepted, PaymentError> {
            let transaction = self.apply(id, event).map_err(PaymentError::Conflict)?;
            Err(PaymentError::NotApproved {
                transaction: Box::new(transaction),
                code,
                message: catalogue.message_en(code),
            })
        };
        match outcome {
            Outcome::Approve => {
                if let (Some(card), Some(tx)) = (card_to_save, self.store.transactions().get(id)) {
                    self.save_card(&tx, &card);
                }
                self.save_transfer_cards(id);
                self.approve(id)
                    .map(PaymentAccepted::Approved)
                    .map_err(PaymentError::Conflict)
            }
            Outcome::Decline { code } => refused(
                code,
                Event::Decline {
                    code,
                    reason: catalogue.message_en(code),
                },
            ),
            Outcome::Fail { code } => refused(
                code,
                Event::Fail {
                    code,
                    reason: catalogue.message_en(code),
                },
            ),
            Outcome::AuthenticationFailed { code } => refused(
                code,
                Event::Fail3ds {
                    code,
                    reason: catalogue.message_en(code),
                },
            ),
            Outcome::Challenge { then } => {
                let tx = self
                    .store
                    .transactions()
                    .get(id)
                    .ok_or(PaymentError::Conflict(OperateError::NotFound(id)))?;
                let challenge = self.begin_challenge(&tx, *then, card_to_save);
                Ok(PaymentAccepted::Challenge {
                    transaction: tx,
                    challenge,
                })
            }
            Outcome::Pending {
                settle_after_seconds,
                then_decline,
                settle_after_polls,
            } => {
                let code = fidelity::PENDING_REASON;
                let pending =
                    PendingOutcome::after(self.clock.now(), settle_after_seconds, then_decline, settle_after_polls);
                let message = catalogue.message_en(code);
                let transaction = self
                    .apply(
                        id,
                        Event::Defer {
                            pending,
                            code,
                            reason: message.clone(),
                        },
                    )
                    .map_err(PaymentError::Conflict)?;
                Err(PaymentError::NotApproved {
                    transaction: Box::new(transaction),
                    code,
                    message,
                })
            }
        }
    }

    /// Whether the merchant's tokens bind what they were issued for (`token.binding`). (F-12)
    pub(super) fn binds_tokens(&self, token: &Token) -> bool {
        self.profile_for(&token.client_id).token_binding == TokenBinding::Strict
    }

    /// A token issued for an invoice, amount or currency only pays that, unless the merchant's
    /// `token.binding` is `off`. (P-07, F-12)
    pub(super) fn check_token_binding(&self, token: &Token, request: &PaymentRequest) -> Result<(), PaymentError> {
        if !self.binds_tokens(token) {
            return Ok(());
        }
        match token.binding_mismatch(&request.invoice_id, request.amount, &request.currency) {
            Some(mismatch) => Err(PaymentError::refused(
                RequestRefusal::TokenMismatch,
                mismatch.explain("payment"),
            )),
            None => Ok(()),
        }
    }

    /// The terminal the payment is made on: the token's, or the body's `terminalId` when the
    /// token has none (or `token.binding` is `off`); it must be the client's payment terminal
    /// and accept the currency.
    pub(super) fn payment_terminal(&self, token: &Token, request: &PaymentRequest) -> Result<Terminal, PaymentError> {
        let body = request.terminal_id.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let strict = self.binds_tokens(token);
        let id = match (token.terminal.as_deref(), body) {
            (Some(_), Some(sent)) if !strict => sent,
            (Some(bound), Some(sent)) if !bound.eq_ignore_ascii_case(sent) => {
                return Err(PaymentError::refused(
                    RequestRefusal::TokenMismatch,
                    format!("the token was issued for terminal {bound}, but terminalId is {sent}"),
                ))
            }
            (Some(bound), _) => bound,
            (None, Some(sent)) => sent,
            (None, None) => {
                return Err(PaymentError::refused(
                    RequestRefusal::Invalid,
                    "terminalId is required (in the token request or in the body)",
                ))
            }
        };
        let (_, terminal) = self
            .store
            .merchants()
            .terminal(id)
            .filter(|(owner, _)| *owner == token.client_id)
            .ok_or_else(|| {
                PaymentError::refused(
                    RequestRefusal::TokenMismatch,
                    format!("terminal {id} does not belong to client {}", token.client_id),
                )
            })?;
        if terminal.kind != TerminalKind::Payment {
            return Err(PaymentError::refused(
                RequestRefusal::Invalid,
                format!(
                    "terminal {} is a transfer terminal; card payments need a payment terminal",
                    terminal.id
                ),
            ));
        }
        if !terminal.accepts_currency(&request.currency) {
            return Err(PaymentError::refused(
                RequestRefusal::Invalid,
                format!(
                    "currency {} is not accepted by terminal {} (accepted: {})",
                    request.currency,
                    terminal.id,
                    terminal.currencies.join(", ")
                ),
            ));
        }
        Ok(terminal)
    }

    fn identify_card(
        &self,
        token: &Token,
        request: &PaymentRequest,
        terminal: &Terminal,
        method: PaymentMethod,
    ) -> Result<PaymentCard, PaymentError> {
        match method {
            PaymentMethod::Cryptogram(cryptogram) => {
                let data = self.open_cryptogram(&cryptogram, terminal)?;
                if data.hpan == APPLE_PAY_PLACEHOLDER_PAN {
                    return Ok(PaymentCard::Wallet);
                }
                Ok(PaymentCard::Entered(data))
            }
            PaymentMethod::Wallet { wallet: _, cryptogram } => {
                if let Some(cryptogram) = cryptogram {
                    self.open_cryptogram(&cryptogram, terminal)?;
                }
                Ok(PaymentCard::Wallet)
            }
            PaymentMethod::Card(data) => Ok(PaymentCard::Entered(data)),
            PaymentMethod::SavedCard(card_id) => self
                .usable_saved_card(token, &request.account_id, &card_id)
                .map(|card| PaymentCard::Saved(Box::new(card)))
                .map_err(|e| PaymentError::refused(RequestRefusal::CardNotUsable, e.to_string())),
        }
    }

    pub(super) fn open_cryptogram(&self, cryptogram: &str, terminal: &Terminal) -> Result<CardData, PaymentError> {
        let data = self
            .crypto
            .decrypt_cryptogram(cryptogram)
            .map_err(|e| PaymentError::refused(RequestRefusal::BadCryptogram, e.to_string()))?;
        if !data.terminal_id.trim().eq_ignore_ascii_case(&terminal.id) {
            return Err(PaymentError::refused(
                RequestRefusal::TokenMismatch,
                format!(
                    "the cryptogram was made for terminal '{}', but the payment is on terminal {}",
                    data.terminal_id, terminal.id
                ),
            ));
        }
        Ok(data)
    }

    fn decide_outcome(
        &self,
        token: &Token,
        request: &PaymentRequest,
        terminal: &Terminal,
        card: &PaymentCard,
    ) -> Outcome {
        let (pan, card_id) = match card {
            PaymentCard::Entered(data) => (data.hpan.clone(), String::new()),
            PaymentCard::Wallet => (String::new(), String::new()),
            PaymentCard::Saved(saved) => (saved.pan.clone(), saved.id.to_string()),
        };
        let attempt = AttemptContext {
            client_id: token.client_id.clone(),
            terminal_id: terminal.id.clone(),
            invoice_id: request.invoice_id.clone(),
            account_id: request.account_id.clone(),
            pan,
            card_id,
            amount: request.amount,
        };
        let forced = self.forced_outcome(&attempt);
        let catalogue = &self.fixtures.catalogue;
        issuer::resolve(forced, request.amount, catalogue, || match card {
            PaymentCard::Entered(data) => issuer::card_outcome(
                &self.fixtures.cards,
                &PresentedCard {
                    pan: &data.hpan,
                    expiry: &data.exp_date,
                    cvc: &data.cvc,
                },
                self.bank_month(),
                catalogue,
            ),
            PaymentCard::Wallet => Outcome::Approve,
            PaymentCard::Saved(saved) => issuer::saved_card_outcome(self.fixtures.card(&saved.pan), catalogue),
        })
    }

    fn snapshot(&self, card: &PaymentCard, request: &PaymentRequest) -> CardSnapshot {
        match card {
            PaymentCard::Entered(data) => {
                let known = self.fixtures.card(&data.hpan);
                CardSnapshot {
                    mask: mask_pan(&data.hpan),
                    brand: known.map_or_else(|| brand_of(&data.hpan).to_string(), |c| c.brand.clone()),
                    issuer: known.map(|c| c.issuer.clone()).unwrap_or_default(),
                    card_id: String::new(),
                    holder: request.name.clone(),
                }
            }
            PaymentCard::Wallet => CardSnapshot {
                mask: fidelity::WALLET_CARD.0.to_string(),
                brand: fidelity::WALLET_CARD.1.to_string(),
                issuer: String::new(),
                card_id: String::new(),
                holder: request.name.clone(),
            },
            PaymentCard::Saved(saved) => CardSnapshot {
                mask: saved.mask.clone(),
                brand: saved.brand.clone(),
                issuer: saved.issuer.clone(),
                card_id: saved.id.to_string(),
                holder: if request.name.is_empty() {
                    saved.holder.clone()
                } else {
                    request.name.clone()
                },
            },
        }
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

/// Spec §9 rules that need no state.
pub(super) fn validate(request: &PaymentRequest) -> Result<(), PaymentError> {
    let invalid = |message: String| PaymentError::refused(RequestRefusal::Invalid, message);
    check_invoice_id(&request.invoice_id).map_err(|e| invalid(e.to_string()))?;
    if !request.invoice_id_alt.is_empty() {
        check_invoice_id(&request.invoice_id_alt).map_err(|e| invalid(format!("invoiceIdAlt: {e}")))?;
    }
    check_description(&request.description).map_err(invalid)?;
    if request.currency.len() != 3 || !request.currency.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(invalid(format!(
            "currency must be a three-letter ISO code, got '{}'",
            request.currency
        )));
    }
    if request.amount.is_zero() && !request.currency.eq_ignore_ascii_case(fidelity::VERIFICATION_CURRENCY) {
        return Err(invalid(format!(
            "amount must be greater than 0 (a zero amount is a card verification and needs currency {})",
            fidelity::VERIFICATION_CURRENCY
        )));
    }
    Ok(())
}

fn new_transaction(token: &Token, request: &PaymentRequest, terminal: &Terminal, card: CardSnapshot) -> NewTransaction {
    let or_token = |own: &str, token: &str| if own.is_empty() { token } else { own }.to_string();
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
        card,
        links: Links {
            post_link: or_token(&request.post_link, &token.post_link),
            failure_post_link: or_token(&request.failure_post_link, &token.failure_post_link),
            back_link: request.back_link.clone(),
            failure_back_link: request.failure_back_link.clone(),
            secret_hash: token.secret_hash.clone(),
        },
        ip: request.ip.clone(),
        transfer: None,
    }
}
