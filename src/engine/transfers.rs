//! Transfers: P2P (card to card), AFT (card to merchant) and OCT (merchant to card or phone),
//! with cards given by PAN, by cryptogram or by saved-card id (seeds 000/004, spec §3.11).
//!
//! A transfer is an [`Attempt`] of the shared pipeline (`attempt.rs`) with up to two cards: the
//! sender's (which the issuer decides on) and the receiver's. What only transfers have is here:
//! their field rules, both parties, the fee, and the gateway's own refusals (the daily limits,
//! a receiver card that cannot be credited), asked after scenario rules and before the issuer.
//! Cards asked to be saved are saved on approval, after 3-D Secure too.

use super::attempt::{
    attempt_links, check_currency, Attempt, AttemptOrder, CryptogramFor, DecisionCards, IssuerCard, PaymentAccepted,
    PaymentError, Terms,
};
use super::Sandbox;
use crate::domain::cards::{luhn_valid, LockStatus};
use crate::domain::issuer::PresentedCard;
use crate::domain::merchants::{Terminal, TerminalKind, TransferSettings};
use crate::domain::money::Amount;
use crate::domain::outcome::Outcome;
use crate::domain::saved_cards::{CardToSave, SavedCard};
use crate::domain::tokens::Token;
use crate::domain::transaction::{CardSnapshot, Event, NewTransaction, OrderDetails, Transaction, TransactionKind};
use crate::domain::transfer::{
    self, check_limits, TransferDetails, TransferKind, TransferParty, TransferSide, TransferType,
};
use crate::domain::validation::check_description;
use crate::fidelity::{self, RequestRefusal};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

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

/// A refusal of a transfer request before any transaction exists.
fn refused(message: impl Into<String>) -> PaymentError {
    PaymentError::refused(RequestRefusal::Invalid, message)
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
    ) -> Result<PaymentAccepted, PaymentError> {
        self.run_attempt(token, &Transfer { kind, request })
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
            .map_or_else(|| tx.card().card_id.to_string(), |(_, id)| id.clone());
        if let Err(error) = self.apply(id, Event::CardSaved { card_id, parties }) {
            tracing::debug!(%id, %error, "saved cards not recorded: the transfer moved on");
        }
    }

    /// Identifies one party's card: a saved card, a phone (an OCT's receiver), or a PAN sent
    /// plainly or in a cryptogram.
    fn resolve(
        &self,
        token: &Token,
        request: &TransferRequest,
        terminal: &Terminal,
        input: &CardInput,
        side: TransferSide,
    ) -> Result<Resolved, PaymentError> {
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
                    .map_err(|e| PaymentError::refused(RequestRefusal::CardNotUsable, format!("{what}: {e}")))?;
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
                    let data = self
                        .open_cryptogram(cred, terminal, CryptogramFor::Transfer)
                        .map_err(|error| match error {
                            PaymentError::Refused {
                                kind: RequestRefusal::BadCryptogram,
                                message,
                            } => refused(format!(
                                "{what}.cardCred is neither a card number nor a cryptogram: {message}"
                            )),
                            PaymentError::Refused { message, .. } => refused(format!("{what}.cardCred: {message}")),
                            other => other,
                        })?;
                    if resolved.expiry.is_empty() {
                        resolved.expiry = data.exp_date.clone();
                    }
                    if resolved.cvc.is_empty() {
                        resolved.cvc = data.cvc.clone();
                    }
                    data.hpan
                };
                let shown = self.presented_card(&pan, "");
                resolved.party.mask = shown.mask;
                resolved.party.brand = shown.brand;
                resolved.party.issuer = shown.issuer;
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

/// A transfer as an [`Attempt`].
struct Transfer<'a> {
    kind: TransferKind,
    request: &'a TransferRequest,
}

/// A transfer's parties once their cards are known, and what the terminal charges.
struct Parties {
    sender: Option<Resolved>,
    receiver: Option<Resolved>,
    settings: TransferSettings,
}

impl Parties {
    /// The party the transaction shows and scenario rules match: the sender, or the receiver
    /// of an OCT.
    fn main(&self) -> Option<&Resolved> {
        self.sender.as_ref().or(self.receiver.as_ref())
    }
}

impl AttemptOrder for Transfer<'_> {
    fn terms(&self) -> Terms<'_> {
        let request = self.request;
        Terms {
            noun: "transfer",
            terminal_kind: TerminalKind::P2p,
            terminal_field: "order.terminalId",
            terminal_id: request.terminal_id.as_deref(),
            invoice_id: &request.order_id,
            account_id: &request.account_id,
            amount: request.amount,
            currency: &request.currency,
        }
    }

    fn validate(&self) -> Result<(), PaymentError> {
        let (kind, request) = (self.kind, self.request);
        transfer::check_order_id(&request.order_id).map_err(refused)?;
        check_description(&request.description).map_err(refused)?;
        check_currency("order.currency", &request.currency)?;
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
}

impl Attempt for Transfer<'_> {
    type Cards = Parties;
    const SERIALISED: bool = true;

    fn identify(&self, sandbox: &Sandbox, token: &Token, terminal: &Terminal) -> Result<Parties, PaymentError> {
        let (kind, request) = (self.kind, self.request);
        let party = |wanted: bool, input: &Option<CardInput>, side| match (wanted, input) {
            (true, Some(input)) => sandbox.resolve(token, request, terminal, input, side).map(Some),
            _ => Ok(None),
        };
        let sender = party(kind.has_sender(), &request.sender, TransferSide::Sender)?;
        let receiver = party(kind.has_receiver(), &request.receiver, TransferSide::Receiver)?;
        if let (Some(s), Some(r)) = (&sender, &receiver) {
            if !s.pan.is_empty() && s.pan == r.pan {
                return Err(refused("the sender and receiver cards must be different cards"));
            }
        }
        let settings = terminal.p2p.unwrap_or(TransferSettings {
            fee_percent: 0.0,
            fee_min: 0,
            daily_limit: i64::MAX / 200,
            receiver_daily_limit: i64::MAX / 200,
        });
        Ok(Parties {
            sender,
            receiver,
            settings,
        })
    }

    fn transaction(&self, token: &Token, terminal: &Terminal, parties: &Parties) -> NewTransaction {
        let request = self.request;
        let card = parties.main().map(|m| snapshot(&m.party, &m.name)).unwrap_or_default();
        let sides = [
            (TransferSide::Sender, &parties.sender),
            (TransferSide::Receiver, &parties.receiver),
        ];
        let details = TransferDetails {
            kind: self.kind,
            fee: transfer::fee(request.amount, &parties.settings),
            sender: parties.sender.as_ref().map(|s| s.party.clone()),
            receiver: parties.receiver.as_ref().map(|r| r.party.clone()),
            to_save: sides
                .into_iter()
                .filter_map(|(side, r)| r.as_ref().and_then(|r| r.to_save.clone()).map(|c| (side, c)))
                .collect(),
        };
        NewTransaction {
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
            links: attempt_links(
                token,
                &request.post_link,
                &request.failure_post_link,
                &request.back_link,
                &request.failure_back_link,
            ),
            ip: request.ip.clone(),
            transfer: Some(details),
        }
    }

    fn decision_cards<'c>(&self, parties: &'c Parties) -> DecisionCards<'c> {
        let main = parties.main();
        let issuer = match &parties.sender {
            Some(s) if s.saved.is_some() => IssuerCard::Saved { pan: &s.pan },
            Some(s) => IssuerCard::Presented(PresentedCard {
                pan: &s.pan,
                expiry: &s.expiry,
                cvc: &s.cvc,
            }),
            None => IssuerCard::Nothing,
        };
        DecisionCards {
            pan: main.map_or("", |m| m.pan.as_str()),
            card_id: main.map_or("", |m| m.party.card_id.as_str()),
            issuer,
        }
    }

    /// The daily limits (of the terminal, and of the receiver) and a receiver card that cannot
    /// be credited. The limits count completed transfers of the bank day. (T-06)
    fn gateway_refusal(&self, sandbox: &Sandbox, tx: &Transaction, parties: &Parties) -> Option<Outcome> {
        let day = bank_day(tx.created_at());
        let totals = sandbox.store.transfer_totals();
        let receiver = parties.receiver.as_ref();
        let terminal_today = totals.get(&terminal_limit_key(tx.terminal_id()), day);
        let receiver_today = receiver.map(|r| totals.get(&receiver_limit_key(&r.party.limit_key), day));
        if let Err(breach) = check_limits(self.request.amount, terminal_today, receiver_today, &parties.settings) {
            return Some(sandbox.fixtures.catalogue.refusal(breach.reason_code()));
        }
        receiver.and_then(|r| sandbox.receiver_refusal(r))
    }
}
