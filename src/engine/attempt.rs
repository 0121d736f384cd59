//! The one attempt pipeline that every way of moving money runs: cryptopay and saved-card
//! payments, the hosted payment page (through [`Sandbox::pay`]) and transfers (P2P, AFT, OCT):
//!
//! validate → terminal → token binding → card → open → decide → play.
//!
//! What really differs between a payment and a transfer is the [`Attempt`] trait: its field
//! rules, how its card (or cards) is identified, the transaction it opens, the gateway's own
//! refusals (a transfer's daily limits and receiver card) and what happens just before the
//! outcome is played (cryptopay's `useBonus`). The rest is written once, here: which terminal
//! the attempt is made on, the token's binding, the precedence of outcomes (forced by a
//! scenario rule → refused by the gateway → magic amount → the card's issuer) and playing the
//! outcome out ([`Sandbox::play_outcome`], which 3-D Secure's confirm step calls as well).
//!
//! Opening comes before deciding, so a scenario rule is only used up by an attempt that really
//! opened a transaction (not by one refused as a duplicate).

use super::secure3d::Secure3dChallenge;
use super::{OperateError, Sandbox};
use crate::crypto::CardData;
use crate::domain::cards::{brand_of, mask_pan};
use crate::domain::issuer::{self, PresentedCard};
use crate::domain::merchants::{Terminal, TerminalKind};
use crate::domain::money::Amount;
use crate::domain::outcome::{AttemptContext, Outcome};
use crate::domain::saved_cards::CardToSave;
use crate::domain::tokens::Token;
use crate::domain::transaction::{CardSnapshot, Event, Links, NewTransaction, PendingOutcome, Transaction};
use crate::fidelity::{self, RequestRefusal, TokenBinding};
use uuid::Uuid;

/// A payment or transfer that went through, or waits for the cardholder.
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

/// A payment or transfer that did not go through.
#[derive(Debug, Clone, PartialEq)]
pub enum PaymentError {
    /// Refused before any transaction was opened (nothing is recorded).
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
    /// A refusal before any transaction exists.
    pub(super) fn refused(kind: RequestRefusal, message: impl Into<String>) -> Self {
        PaymentError::Refused {
            kind,
            message: message.into(),
        }
    }
}

/// The order terms the shared steps check, borrowed from the attempt's request.
pub(super) struct Terms<'a> {
    /// What the attempt is called in messages: `payment`, `transfer`.
    pub noun: &'static str,
    /// The kind of terminal the attempt needs.
    pub terminal_kind: TerminalKind,
    /// How the request names its terminal field: `terminalId`, `order.terminalId`.
    pub terminal_field: &'static str,
    /// The request's terminal, when it names one.
    pub terminal_id: Option<&'a str>,
    /// The merchant's order number.
    pub invoice_id: &'a str,
    /// The merchant's customer id.
    pub account_id: &'a str,
    /// Amount.
    pub amount: Amount,
    /// ISO currency code.
    pub currency: &'a str,
}

/// The card the issuer decides on.
pub(super) enum IssuerCard<'a> {
    /// Typed, decrypted or sent by PAN: the issuer checks number, expiry and CVC.
    Presented(PresentedCard<'a>),
    /// A saved card: its test card's behaviour, without the credential checks.
    Saved {
        /// The saved card's PAN.
        pan: &'a str,
    },
    /// No card to ask (a wallet, or an OCT that debits the merchant): approved.
    Nothing,
}

/// What the decision looks at: the card scenario rules match (`pan`, `card_id`) and the card
/// the issuer decides on, which for a transfer is the sender's.
pub(super) struct DecisionCards<'a> {
    /// PAN scenario rules match (empty when there is none).
    pub pan: &'a str,
    /// Saved-card id scenario rules match (empty when none was used).
    pub card_id: &'a str,
    /// The card the issuer decides on.
    pub issuer: IssuerCard<'a>,
}

/// The order of an attempt: what the steps before the card check.
pub(super) trait AttemptOrder {
    /// The order terms the shared steps check.
    fn terms(&self) -> Terms<'_>;
    /// Field rules that need no state.
    fn validate(&self) -> Result<(), PaymentError>;
}

/// What differs between one kind of attempt and another, beyond its order.
pub(super) trait Attempt: AttemptOrder {
    /// The card (or cards) once identified.
    type Cards;
    /// Whether deciding and completing must not interleave with another attempt of this kind:
    /// daily limits count completed transfers, so two concurrent transfers must never both fit
    /// under a nearly full limit. (T-06)
    const SERIALISED: bool = false;

    /// Identifies the card (or cards) on the attempt's terminal.
    fn identify(&self, sandbox: &Sandbox, token: &Token, terminal: &Terminal) -> Result<Self::Cards, PaymentError>;
    /// The transaction the attempt opens.
    fn transaction(&self, token: &Token, terminal: &Terminal, cards: &Self::Cards) -> NewTransaction;
    /// The cards the decision looks at.
    fn decision_cards<'c>(&self, cards: &'c Self::Cards) -> DecisionCards<'c>;
    /// A refusal of the gateway itself, asked after scenario rules and before the issuer.
    fn gateway_refusal(&self, _sandbox: &Sandbox, _tx: &Transaction, _cards: &Self::Cards) -> Option<Outcome> {
        None
    }
    /// Runs on the open transaction just before its outcome is played.
    fn before_play(&self, _sandbox: &Sandbox, _tx: &Transaction, _cards: &Self::Cards) {}
    /// The card to save if the attempt is approved (a payment's `cardSave`).
    fn card_to_save(&self, _cards: &Self::Cards) -> Option<CardToSave> {
        None
    }
}

/// What a cryptogram pays for, which decides whether it must name the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CryptogramFor {
    /// A payment's cryptogram names its terminal (seed 003).
    Payment,
    /// A transfer's card cryptogram may leave `terminalId` empty (seed 000).
    Transfer,
}

impl CryptogramFor {
    fn noun(self) -> &'static str {
        match self {
            CryptogramFor::Payment => "payment",
            CryptogramFor::Transfer => "transfer",
        }
    }
}

impl Sandbox {
    /// Runs one attempt from request to outcome.
    pub(super) fn run_attempt<A: Attempt>(&self, token: &Token, attempt: &A) -> Result<PaymentAccepted, PaymentError> {
        let terminal = self.check_order(token, attempt)?;
        let cards = attempt.identify(self, token, &terminal)?;
        let _serialised = A::SERIALISED.then(|| {
            self.transfer_limits
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        });
        let terms = attempt.terms();
        let tx = self
            .open_transaction(attempt.transaction(token, &terminal, &cards))
            .map_err(|e| PaymentError::refused(RequestRefusal::DuplicateInvoice, e.to_string()))?;
        let outcome = self.decide(token, &tx, &terms, attempt.decision_cards(&cards), || {
            attempt.gateway_refusal(self, &tx, &cards)
        });
        tracing::info!(id = %tx.id(), invoice = %tx.order().invoice_id, card = %tx.card().mask, ?outcome, "{} attempt", terms.noun);
        attempt.before_play(self, &tx, &cards);
        self.play_outcome(tx.id(), outcome, attempt.card_to_save(&cards))
    }

    /// The steps that need no card: the attempt's fields, its terminal and the token's binding.
    /// The payment page runs them when it opens, so a wrong payment object is reported at once.
    pub(super) fn check_order(&self, token: &Token, order: &impl AttemptOrder) -> Result<Terminal, PaymentError> {
        order.validate()?;
        let terms = order.terms();
        let terminal = self.attempt_terminal(token, &terms)?;
        self.check_token_binding(token, &terms)?;
        Ok(terminal)
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
        let not_approved = |code: i32, event: Event| -> Result<PaymentAccepted, PaymentError> {
            let transaction = self.apply(id, event).map_err(PaymentError::Conflict)?;
            Err(PaymentError::NotApproved {
                transaction: Box::new(transaction),
                code,
                message: catalogue.message_en(code),
            })
        };
        let reason = |code: i32| catalogue.message_en(code);
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
            Outcome::Decline { code } => not_approved(
                code,
                Event::Decline {
                    code,
                    reason: reason(code),
                },
            ),
            Outcome::Fail { code } => not_approved(
                code,
                Event::Fail {
                    code,
                    reason: reason(code),
                },
            ),
            Outcome::AuthenticationFailed { code } => not_approved(
                code,
                Event::Fail3ds {
                    code,
                    reason: reason(code),
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
                not_approved(
                    code,
                    Event::Defer {
                        pending,
                        code,
                        reason: reason(code),
                    },
                )
            }
        }
    }

    /// Whether the merchant's tokens bind what they were issued for (`token.binding`). (F-12)
    pub(super) fn binds_tokens(&self, token: &Token) -> bool {
        self.profile_for(&token.client_id).token_binding == TokenBinding::Strict
    }

    /// A token issued for an invoice, amount or currency only pays that, unless the merchant's
    /// `token.binding` is `off`. (P-07, F-12)
    fn check_token_binding(&self, token: &Token, terms: &Terms<'_>) -> Result<(), PaymentError> {
        if !self.binds_tokens(token) {
            return Ok(());
        }
        match token.binding_mismatch(terms.invoice_id, terms.amount, terms.currency) {
            Some(mismatch) => Err(PaymentError::refused(
                RequestRefusal::TokenMismatch,
                mismatch.explain(terms.noun),
            )),
            None => Ok(()),
        }
    }

    /// The terminal the attempt is made on: the token's, or the request's when the token has
    /// none (or `token.binding` is `off`); it must be the client's, of the attempt's kind (a
    /// transfer on a payment terminal is 487, seed 000) and accept the currency.
    fn attempt_terminal(&self, token: &Token, terms: &Terms<'_>) -> Result<Terminal, PaymentError> {
        let field = terms.terminal_field;
        let sent = terms.terminal_id.map(str::trim).filter(|t| !t.is_empty());
        let id = match (token.terminal.as_deref(), sent) {
            (Some(_), Some(sent)) if !self.binds_tokens(token) => sent,
            (Some(bound), Some(sent)) if !bound.eq_ignore_ascii_case(sent) => {
                return Err(PaymentError::refused(
                    RequestRefusal::TokenMismatch,
                    format!("the token was issued for terminal {bound}, but {field} is {sent}"),
                ))
            }
            (Some(bound), _) => bound,
            (None, Some(sent)) => sent,
            (None, None) => {
                return Err(PaymentError::refused(
                    RequestRefusal::Invalid,
                    format!("{field} is required (in the token request or in the body)"),
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
        match (terms.terminal_kind, terminal.kind) {
            (wanted, kind) if wanted == kind => {}
            (TerminalKind::P2p, _) => {
                return Err(PaymentError::refused(
                    RequestRefusal::NotPermittedToMerchant,
                    self.fixtures.catalogue.message_en(fidelity::NOT_PERMITTED_TO_MERCHANT),
                ))
            }
            (TerminalKind::Payment, _) => {
                return Err(PaymentError::refused(
                    RequestRefusal::Invalid,
                    format!(
                        "terminal {} is a transfer terminal; card payments need a payment terminal",
                        terminal.id
                    ),
                ))
            }
        }
        if !terminal.accepts_currency(terms.currency) {
            return Err(PaymentError::refused(
                RequestRefusal::Invalid,
                format!(
                    "currency {} is not accepted by terminal {} (accepted: {})",
                    terms.currency,
                    terminal.id,
                    terminal.currencies.join(", ")
                ),
            ));
        }
        Ok(terminal)
    }

    /// Decrypts a card cryptogram made for `terminal`.
    pub(super) fn open_cryptogram(
        &self,
        cryptogram: &str,
        terminal: &Terminal,
        purpose: CryptogramFor,
    ) -> Result<CardData, PaymentError> {
        let data = self
            .crypto
            .decrypt_cryptogram(cryptogram)
            .map_err(|e| PaymentError::refused(RequestRefusal::BadCryptogram, e.to_string()))?;
        let made_for = data.terminal_id.trim();
        let may_be_empty = purpose == CryptogramFor::Transfer && made_for.is_empty();
        if !may_be_empty && !made_for.eq_ignore_ascii_case(&terminal.id) {
            return Err(PaymentError::refused(
                RequestRefusal::TokenMismatch,
                format!(
                    "the cryptogram was made for terminal '{made_for}', but the {} is on terminal {}",
                    purpose.noun(),
                    terminal.id
                ),
            ));
        }
        Ok(data)
    }

    /// How a card given by its number is shown: its mask, and the brand and issuer of the test
    /// card it is (or the brand its number implies).
    pub(super) fn presented_card(&self, pan: &str, holder: &str) -> CardSnapshot {
        let known = self.fixtures.card(pan);
        CardSnapshot {
            mask: mask_pan(pan),
            brand: known.map_or_else(|| brand_of(pan).to_string(), |c| c.brand.clone()),
            issuer: known.map(|c| c.issuer.clone()).unwrap_or_default(),
            card_id: String::new(),
            holder: holder.to_string(),
        }
    }

    /// The outcome of an attempt: forced by a scenario rule, else refused by the gateway, else
    /// a magic amount's, else the issuer's answer for the card.
    fn decide(
        &self,
        token: &Token,
        tx: &Transaction,
        terms: &Terms<'_>,
        cards: DecisionCards<'_>,
        gateway: impl FnOnce() -> Option<Outcome>,
    ) -> Outcome {
        let attempt = AttemptContext {
            client_id: token.client_id.clone(),
            terminal_id: tx.terminal_id().to_string(),
            invoice_id: terms.invoice_id.to_string(),
            account_id: terms.account_id.to_string(),
            pan: cards.pan.to_string(),
            card_id: cards.card_id.to_string(),
            amount: terms.amount,
        };
        let catalogue = &self.fixtures.catalogue;
        let forced = self.forced_outcome(&attempt).or_else(gateway);
        issuer::resolve(forced, terms.amount, catalogue, || match cards.issuer {
            IssuerCard::Presented(card) => {
                issuer::card_outcome(&self.fixtures.cards, &card, self.bank_month(), catalogue)
            }
            IssuerCard::Saved { pan } => issuer::saved_card_outcome(self.fixtures.card(pan), catalogue),
            IssuerCard::Nothing => Outcome::Approve,
        })
    }
}

/// The transaction's callbacks and redirects: the request's, with the token's callbacks where
/// the request has none.
pub(super) fn attempt_links(
    token: &Token,
    post_link: &str,
    failure_post_link: &str,
    back_link: &str,
    failure_back_link: &str,
) -> Links {
    let or_token = |own: &str, token: &str| if own.is_empty() { token } else { own }.to_string();
    Links {
        post_link: or_token(post_link, &token.post_link),
        failure_post_link: or_token(failure_post_link, &token.failure_post_link),
        back_link: back_link.to_string(),
        failure_back_link: failure_back_link.to_string(),
        secret_hash: token.secret_hash.clone(),
    }
}

/// Checks a three-letter ISO currency code; `field` is how the request names it.
pub(super) fn check_currency(field: &str, currency: &str) -> Result<(), PaymentError> {
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(PaymentError::refused(
            RequestRefusal::Invalid,
            format!("{field} must be a three-letter ISO code, got '{currency}'"),
        ));
    }
    Ok(())
}
