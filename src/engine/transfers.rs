//! Transfers: P2P (card to card), AFT (card to merchant) and OCT (merchant to card or phone),
//! with cards given by PAN or by saved-card id (seeds 000/004, spec §3.11).
//!
//! The steps mirror a payment: validate, find the terminal (it must be a P2P one, else 487) and
//! check the token's binding, identify both cards, open the transaction, decide the outcome
//! (forced → daily limits and receiver card → magic amount → sender card) and play it out with
//! [`Sandbox::play_outcome`], which also finishes a transfer after 3-D Secure.

use super::{OperateError, PaymentAccepted, PaymentError, Sandbox, Secure3dChallenge};
use crate::domain::cards::{brand_of, luhn_valid, mask_pan, LockStatus};
use crate::domain::issuer::{self, PresentedCard};
use crate::domain::merchants::{Terminal, TerminalKind, TransferSettings};
use crate::domain::money::Amount;
use crate::domain::outcome::{AttemptContext, Outcome};
use crate::domain::saved_cards::{CardToSave, SavedCard};
use crate::domain::tokens::Token;
use crate::domain::transaction::{
    CardSnapshot, Event, Links, NewTransaction, OrderDetails, Transaction, TransactionKind,
};
use crate::domain::transfer::{
    self, check_limits, TransferDetails, TransferKind, TransferParty, TransferSide, TransferType,
};
use crate::domain::validation::check_description;
use crate::fidelity;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

/// Code of a transfer refused before any transaction exists (as payments, P-07).
pub const TRANSFER_REFUSAL_CODE: i64 = -1;
/// Reason code when the terminal cannot make transfers (seed 000).
pub const NOT_PERMITTED_TO_MERCHANT: i32 = 487;

/// One party's card as the request gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardInput {
    /// `transferType`; `None` lets the sandbox infer it from what was sent.
    pub transfer_type: Option<TransferType>,
    /// `cardCred`: a PAN, a cryptogram, or a saved-card id.
    pub cred: String,
    /// CVC (sender by PAN).
    pub cvc: String,
    /// Expiry as `MMYY` (sender by PAN).
    pub expiry: String,
    /// Cardholder name.
    pub name: String,
    /// Save the card on success.
    pub save: bool,
    /// Payout phone (OCT by phone).
    pub phone: String,
    /// Payout IIN (OCT by phone).
    pub iin: String,
}

/// A transfer request, already read from JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransferRequest {
    /// Order number (`order.id`).
    pub order_id: String,
    /// Amount.
    pub amount: Amount,
    /// ISO currency.
    pub currency: String,
    /// Description.
    pub description: String,
    /// The merchant's customer id (saved cards hang off it).
    pub account_id: String,
    /// `senderEmail`.
    pub email: String,
    /// `order.terminalId`.
    pub terminal_id: Option<String>,
    /// `rus`, `kaz`, `eng`.
    pub language: String,
    /// Browser redirect after success.
    pub back_link: String,
    /// Browser redirect after failure.
    pub failure_back_link: String,
    /// Success callback.
    pub post_link: String,
    /// Failure callback.
    pub failure_post_link: String,
    /// The debited card.
    pub sender: Option<CardInput>,
    /// The credited card or phone.
    pub receiver: Option<CardInput>,
    /// Caller IP.
    pub ip: String,
}

/// A transfer that went through or waits for the cardholder.
#[derive(Debug, Clone, PartialEq)]
pub enum TransferAccepted {
    /// CHARGE.
    Done(Transaction),
    /// The sender card needs 3-D Secure first; the transaction stays NEW.
    Challenge {
        /// The transaction.
        transaction: Transaction,
        /// Where to send the cardholder.
        challenge: Secure3dChallenge,
    },
}

/// A transfer that did not go through.
#[derive(Debug, Clone, PartialEq)]
pub enum TransferError {
    /// Refused before a transaction was opened (nothing recorded).
    Refused {
        /// `-1`, or 487 for a terminal that cannot make transfers.
        code: i64,
        /// What is wrong.
        message: String,
    },
    /// Declined or failed: the transaction records it (REJECT/FAILED, or NEW while pending).
    NotApproved {
        /// The transaction.
        transaction: Box<Transaction>,
        /// Reason code.
        code: i32,
        /// Reason text.
        message: String,
    },
    /// A concurrent operation moved the transaction.
    Conflict(OperateError),
}

fn refused(message: impl Into<String>) -> TransferError {
    TransferError::Refused {
        code: TRANSFER_REFUSAL_CODE,
        message: message.into(),
    }
}

/// A party once its card is known.
struct Resolved {
    party: TransferParty,
    /// Full PAN (empty for a phone).
    pan: String,
    /// The saved card used, if any.
    saved: Option<SavedCard>,
    /// The card data as presented (sender by PAN).
    expiry: String,
    cvc: String,
    name: String,
    to_save: Option<CardToSave>,
}

impl Sandbox {
    /// Runs one transfer of `kind` from request to outcome.
    pub fn transfer(
        &self,
        token: &Token,
        kind: TransferKind,
        request: &TransferRequest,
    ) -> Result<TransferAccepted, TransferError> {
        validate(kind, request)?;
        let terminal = self.transfer_terminal(token, request)?;
        if self.binds_tokens(token) {
            check_token_binding(token, request)?;
        }
        let settings = terminal.p2p.unwrap_or(TransferSettings {
            fee_percent: 0.0,
            fee_min: 0,
            daily_limit: i64::MAX / 200,
            receiver_daily_limit: i64::MAX / 200,
        });
        let sender = match (kind.has_sender(), &request.sender) {
            (true, Some(input)) => Some(self.resolve(token, request, &terminal, input, TransferSide::Sender)?),
            _ => None,
        };
        let receiver = match (kind.has_receiver(), &request.receiver) {
            (true, Some(input)) => Some(self.resolve(token, request, &terminal, input, TransferSide::Receiver)?),
            _ => None,
        };
        if let (Some(s), Some(r)) = (&sender, &receiver) {
            if !s.pan.is_empty() && s.pan == r.pan {
                return Err(refused("the sender and receiver cards must be different cards"));
            }
        }
        let main = sender.as_ref().or(receiver.as_ref());
        let card = main.map(|m| snapshot(&m.party, &m.name)).unwrap_or_default();
        let details = TransferDetails {
            kind,
            fee: transfer::fee(request.amount, &settings),
            sender: sender.as_ref().map(|s| s.party.clone()),
            receiver: receiver.as_ref().map(|r| r.party.clone()),
            to_save: [(TransferSide::Sender, &sender), (TransferSide::Receiver, &receiver)]
                .into_iter()
                .filter_map(|(side, r)| r.as_ref().and_then(|r| r.to_save.clone()).map(|c| (side, c)))
                .collect(),
        };
        // Daily limits count completed transfers: deciding and completing happen under one lock,
        // so two concurrent transfers can never both fit under a nearly full limit. (T-06)
        let _limits = self
            .transfer_limits
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let tx = self.open_transfer(token, request, &terminal, card, details)?;
        let outcome = self.decide_transfer_outcome(token, request, &tx, &settings, sender.as_ref(), receiver.as_ref());
        tracing::info!(id = %tx.id(), order = %tx.order().invoice_id, kind = kind.as_str(), ?outcome, "transfer attempt");
        match self.play_outcome(tx.id(), outcome, None) {
            Ok(PaymentAccepted::Approved(tx)) => Ok(TransferAccepted::Done(tx)),
            Ok(PaymentAccepted::Challenge { transaction, challenge }) => {
                Ok(TransferAccepted::Challenge { transaction, challenge })
            }
            Err(PaymentError::NotApproved {
                transaction,
                code,
                message,
            }) => Err(TransferError::NotApproved {
                transaction,
                code,
                message,
            }),
            Err(PaymentError::Conflict(e)) => Err(TransferError::Conflict(e)),
            Err(PaymentError::Refused { message, .. }) => Err(refused(message)),
        }
    }

    /// Saves the cards a transfer asked to save (`save: true`) and records their ids; called by
    /// [`Sandbox::play_outcome`] just before approving, so it runs after 3-D Secure too. A no-op
    /// for payments.
    pub(super) fn save_transfer_cards(&self, id: Uuid) {
        let Some(tx) = self.store.transactions().get(id) else {
            return;
        };
        let Some(details) = tx.transfer() else { return };
        if details.to_save.is_empty() {
            return;
        }
        let mut parties = Vec::new();
        for (side, card) in &details.to_save {
            let party = match side {
                TransferSide::Sender => details.sender.as_ref(),
                TransferSide::Receiver => details.receiver.as_ref(),
            };
            let Some(party) = party else { continue };
            let saved = self.save_card_as(&tx, card, &snapshot(party, &card.holder));
            parties.push((*side, saved.id.to_string()));
        }
        let main_side = details.main_side();
        let card_id = parties
            .iter()
            .find(|(side, _)| *side == main_side)
            .map_or_else(|| tx.card().card_id.clone(), |(_, id)| id.clone());
        if let Err(error) = self.apply(id, Event::CardSaved { card_id, parties }) {
            tracing::debug!(%id, %error, "saved cards not recorded: the transfer moved on");
        }
    }

    /// The token's terminal (or the body's when the token has none); it must be the client's
    /// and a P2P terminal (487 otherwise) that accepts the currency.
    fn transfer_terminal(&self, token: &Token, request: &TransferRequest) -> Result<Terminal, TransferError> {
        let body = request.terminal_id.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let strict = self.binds_tokens(token);
        let id = match (token.terminal.as_deref(), body) {
            (Some(_), Some(sent)) if !strict => sent,
            (Some(bound), Some(sent)) if !bound.eq_ignore_ascii_case(sent) => {
                return Err(refused(format!(
                    "the token was issued for terminal {bound}, but order.terminalId is {sent}"
                )))
            }
            (Some(bound), _) => bound,
            (None, Some(sent)) => sent,
            (None, None) => {
                return Err(refused(
                    "order.terminalId is required (in the token request or the body)",
                ))
            }
        };
        let (_, terminal) = self
            .store
            .merchants()
            .terminal(id)
            .filter(|(owner, _)| *owner == token.client_id)
            .ok_or_else(|| refused(format!("terminal {id} does not belong to client {}", token.client_id)))?;
        if terminal.kind != TerminalKind::P2p {
            return Err(TransferError::Refused {
                code: i64::from(NOT_PERMITTED_TO_MERCHANT),
                message: self.fixtures.catalogue.message_en(NOT_PERMITTED_TO_MERCHANT),
            });
        }
        if !terminal.accepts_currency(&request.currency) {
            return Err(refused(format!(
                "currency {} is not accepted by terminal {} (accepted: {})",
                request.currency,
                terminal.id,
                terminal.currencies.join(", ")
            )));
        }
        Ok(terminal)
    }

    fn resolve(
        &self,
        token: &Token,
        request: &TransferRequest,
        terminal: &Terminal,
        input: &CardInput,
        side: TransferSide,
    ) -> Result<Resolved, TransferError> {
        let what = match side {
            TransferSide::Sender => "card.sender",
            TransferSide::Receiver => "card.receiver",
        };
        let cred = input.cred.trim();
        let transfer_type = input.transfer_type.unwrap_or_else(|| infer_type(input));
        let mut resolved = Resolved {
            party: TransferParty {
                transfer_type: Some(transfer_type),
                ..Default::default()
            },
            pan: String::new(),
            saved: None,
            expiry: input.expiry.clone(),
            cvc: input.cvc.clone(),
            name: input.name.clone(),
            to_save: None,
        };
        match transfer_type {
            TransferType::CardId => {
                if cred.is_empty() {
                    return Err(refused(format!("{what}.cardCred is required: the saved card id")));
                }
                let saved = self
                    .usable_saved_card(token, &request.account_id, cred)
                    .map_err(|e| refused(format!("{what}: {e}")))?;
                resolved.party.mask = saved.mask.clone();
                resolved.party.brand = saved.brand.clone();
                resolved.party.issuer = saved.issuer.clone();
                resolved.party.card_id = saved.id.to_string();
                resolved.party.limit_key = saved.card_hash.clone();
                resolved.pan = saved.pan.clone();
                if resolved.name.is_empty() {
                    resolved.name = saved.holder.clone();
                }
                resolved.saved = Some(saved);
            }
            TransferType::Phone => {
                if side == TransferSide::Sender {
                    return Err(refused(
                        "card.sender cannot be a phone; payouts by phone are receivers of an OCT",
                    ));
                }
                let phone = transfer::check_phone(&input.phone).map_err(refused)?;
                transfer::check_iin(input.iin.trim()).map_err(refused)?;
                resolved.party.mask = transfer::mask_phone(&phone);
                resolved.party.limit_key = format!("phone:{phone}");
            }
            TransferType::Pan => {
                if cred.is_empty() {
                    return Err(refused(format!("{what}.cardCred is required: the card number")));
                }
                let pan: String = cred.chars().filter(|c| !c.is_whitespace()).collect();
                let pan = if pan.chars().all(|c| c.is_ascii_digit()) {
                    pan
                } else {
                    let data = self.crypto.decrypt_cryptogram(cred).map_err(|e| {
                        refused(format!(
                            "{what}.cardCred is neither a card number nor a cryptogram: {e}"
                        ))
                    })?;
                    let for_terminal = data.terminal_id.trim();
                    if !for_terminal.is_empty() && !for_terminal.eq_ignore_ascii_case(&terminal.id) {
                        return Err(refused(format!(
                            "{what}.cardCred was encrypted for terminal '{for_terminal}', but the transfer is on terminal {}",
                            terminal.id
                        )));
                    }
                    if resolved.expiry.is_empty() {
                        resolved.expiry = data.exp_date.clone();
                    }
                    if resolved.cvc.is_empty() {
                        resolved.cvc = data.cvc.clone();
                    }
                    data.hpan
                };
                let known = self.fixtures.card(&pan);
                resolved.party.mask = mask_pan(&pan);
                resolved.party.brand = known.map_or_else(|| brand_of(&pan).to_string(), |c| c.brand.clone());
                resolved.party.issuer = known.map(|c| c.issuer.clone()).unwrap_or_default();
                resolved.party.limit_key = SavedCard::hash_pan(&pan);
                if input.save {
                    if request.account_id.is_empty() {
                        return Err(refused(format!(
                            "{what}.save is true, but order.accountID is empty: saved cards belong to a customer"
                        )));
                    }
                    resolved.to_save = Some(CardToSave {
                        pan: pan.clone(),
                        expiry: resolved.expiry.clone(),
                        holder: resolved.name.clone(),
                    });
                }
                resolved.pan = pan;
            }
        }
        Ok(resolved)
    }

    fn open_transfer(
        &self,
        token: &Token,
        request: &TransferRequest,
        terminal: &Terminal,
        card: CardSnapshot,
        details: TransferDetails,
    ) -> Result<Transaction, TransferError> {
        let or_token = |own: &str, token: &str| if own.is_empty() { token } else { own }.to_string();
        let new = NewTransaction {
            kind: TransactionKind::Transfer,
            client_id: token.client_id.clone(),
            terminal_id: terminal.id.clone(),
            terminal_number: terminal.processing_id.clone(),
            order: OrderDetails {
                invoice_id: request.order_id.clone(),
                account_id: request.account_id.clone(),
                description: request.description.clone(),
                language: request.language.clone(),
                name: card.holder.clone(),
                email: request.email.clone(),
                currency: request.currency.to_ascii_uppercase(),
                ..Default::default()
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
            transfer: Some(details),
        };
        self.open_transaction(new)
            .map_err(|e| refused(format!("order.id: {e}")))
    }

    fn decide_transfer_outcome(
        &self,
        token: &Token,
        request: &TransferRequest,
        tx: &Transaction,
        settings: &TransferSettings,
        sender: Option<&Resolved>,
        receiver: Option<&Resolved>,
    ) -> Outcome {
        let catalogue = &self.fixtures.catalogue;
        let main = sender.or(receiver);
        let attempt = AttemptContext {
            client_id: token.client_id.clone(),
            terminal_id: tx.terminal_id().to_string(),
            invoice_id: request.order_id.clone(),
            account_id: request.account_id.clone(),
            pan: main.map(|m| m.pan.clone()).unwrap_or_default(),
            card_id: main.map(|m| m.party.card_id.clone()).unwrap_or_default(),
            amount: request.amount,
        };
        let gateway = || {
            let day = bank_day(tx.created_at());
            let totals = self.store.transfer_totals();
            let terminal_today = totals.get(&terminal_limit_key(tx.terminal_id()), day);
            let receiver_today = receiver.map(|r| totals.get(&receiver_limit_key(&r.party.limit_key), day));
            if let Err(breach) = check_limits(request.amount, terminal_today, receiver_today, settings) {
                return Some(catalogue.refusal(breach.reason_code()));
            }
            receiver.and_then(|r| self.receiver_refusal(r))
        };
        let forced = self.forced_outcome(&attempt).or_else(gateway);
        issuer::resolve(forced, request.amount, catalogue, || match sender {
            Some(s) if s.saved.is_some() => issuer::saved_card_outcome(self.fixtures.card(&s.pan), catalogue),
            Some(s) => issuer::card_outcome(
                &self.fixtures.cards,
                &PresentedCard {
                    pan: &s.pan,
                    expiry: &s.expiry,
                    cvc: &s.cvc,
                },
                self.bank_month(),
                catalogue,
            ),
            None => Outcome::Approve,
        })
    }

    /// A receiver card that cannot be credited: not a card number (472) or a locked test card.
    fn receiver_refusal(&self, receiver: &Resolved) -> Option<Outcome> {
        let catalogue = &self.fixtures.catalogue;
        if receiver.party.transfer_type == Some(TransferType::Phone) {
            return None;
        }
        let pan = &receiver.pan;
        if !(12..=19).contains(&pan.len()) || !luhn_valid(pan) {
            return Some(catalogue.refusal(fidelity::INVALID_PAN_REASON));
        }
        let card = self.fixtures.card(pan)?;
        (card.status == LockStatus::Lock).then(|| {
            catalogue.refusal(
                card.behavior
                    .locked_reason_code
                    .unwrap_or(fidelity::LOCKED_CARD_DEFAULT_REASON),
            )
        })
    }
}

/// The keys a completed transfer counts under in the daily totals: its terminal's, and its
/// receiver's when it has one. (T-06)
pub(super) fn limit_keys(tx: &Transaction) -> Vec<String> {
    let mut keys = vec![terminal_limit_key(tx.terminal_id())];
    if let Some(receiver) = tx.transfer().and_then(|d| d.receiver.as_ref()) {
        keys.push(receiver_limit_key(&receiver.limit_key));
    }
    keys
}

fn terminal_limit_key(terminal_id: &str) -> String {
    format!("terminal:{}", terminal_id.trim().to_ascii_lowercase())
}

fn receiver_limit_key(limit_key: &str) -> String {
    format!("receiver:{limit_key}")
}

/// The bank day (Astana time) of an instant.
pub(super) fn bank_day(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::seconds(i64::from(fidelity::BANK_UTC_OFFSET_SECONDS))).date_naive()
}

/// `transferType` when the request left it out: a UUID is a card id, a phone a payout by
/// phone, anything else a card number.
fn infer_type(input: &CardInput) -> TransferType {
    if Uuid::parse_str(input.cred.trim()).is_ok() {
        TransferType::CardId
    } else if input.cred.trim().is_empty() && !input.phone.trim().is_empty() {
        TransferType::Phone
    } else {
        TransferType::Pan
    }
}

fn snapshot(party: &TransferParty, holder: &str) -> CardSnapshot {
    CardSnapshot {
        mask: party.mask.clone(),
        brand: party.brand.clone(),
        issuer: party.issuer.clone(),
        card_id: party.card_id.clone(),
        holder: holder.to_string(),
    }
}

fn validate(kind: TransferKind, request: &TransferRequest) -> Result<(), TransferError> {
    transfer::check_order_id(&request.order_id).map_err(refused)?;
    check_description(&request.description).map_err(refused)?;
    if request.currency.len() != 3 || !request.currency.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(refused(format!(
            "order.currency must be a three-letter ISO code, got '{}'",
            request.currency
        )));
    }
    if request.amount.is_zero() {
        return Err(refused("order.amount must be greater than 0"));
    }
    if kind.has_sender() && request.sender.is_none() {
        return Err(refused(format!(
            "card.sender is required for a {} transfer",
            kind.as_str()
        )));
    }
    if kind.has_receiver() && request.receiver.is_none() {
        return Err(refused(format!(
            "card.receiver is required for a {} transfer",
            kind.as_str()
        )));
    }
    Ok(())
}

/// A token issued for an invoice, amount or currency only transfers that (as payments, P-07),
/// when the merchant's `token.binding` is `strict`.
fn check_token_binding(token: &Token, request: &TransferRequest) -> Result<(), TransferError> {
    match token.binding_mismatch(&request.order_id, request.amount, &request.currency) {
        Some(mismatch) => Err(refused(mismatch.explain("transfer"))),
        None => Ok(()),
    }
}
