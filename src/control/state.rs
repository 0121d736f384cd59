//! The state files of `--state FILE` and `GET /_sandbox/state`, in two versions:
//!
//! - **version 2, a snapshot**: what `GET /_sandbox/state` writes. The domain records
//!   themselves, serialised (transactions with their full history, refund `externalID`s and
//!   transfer details; tokens; saved cards; 3-D Secure sessions; merchants created at run
//!   time; invoice links, subscriptions, QR bills, installment orders and bonus balances and
//!   spends), so dump → load → dump is lossless.
//! - **version 1, a prepared state**: a short, hand-writable list of transactions and tokens
//!   (only `terminal`, `invoiceId` and `amount` are required). Each transaction is replayed
//!   through the state machine to its status, so a prepared state cannot hold a transaction
//!   the bank could not have. The same shape is the control plane's inspection view of a
//!   transaction ([`StateTransaction::from_transaction`]).
//!
//! See docs/control-plane.md.

use crate::domain::merchants::Merchant;
use crate::domain::money::Amount;
use crate::domain::saved_cards::SavedCard;
use crate::domain::secure3d::Secure3dSession;
use crate::domain::status::{EventKind, Status};
use crate::domain::tokens::{Grant, Token};
use crate::domain::transaction::{
    ApplyContext, CardSnapshot, Event, Links, NewIds, NewTransaction, OrderDetails, PendingOutcome, Transaction,
    TransactionKind,
};
use crate::ids::IdGenerator;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// The version `GET /_sandbox/state` writes: a snapshot.
pub const STATE_VERSION: u32 = 2;

/// The version of a hand-written prepared state (the default when `version` is absent).
pub const PREPARED_VERSION: u32 = 1;

/// A state file of either version.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum StateFile {
    /// Version 1: transactions and tokens to replay.
    Prepared(PreparedState),
    /// Version 2: the domain records as they were.
    Snapshot(Snapshot),
}

impl StateFile {
    /// Reads a state file, choosing the shape by its `version` (1 when absent).
    pub fn parse(text: &str) -> Result<StateFile, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let version = match value.get("version") {
            None => PREPARED_VERSION,
            Some(v) => v
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| format!("version must be {PREPARED_VERSION} or {STATE_VERSION}, got {v}"))?,
        };
        match version {
            PREPARED_VERSION => serde_json::from_value(value)
                .map(StateFile::Prepared)
                .map_err(|e| e.to_string()),
            STATE_VERSION => serde_json::from_value(value)
                .map(StateFile::Snapshot)
                .map_err(|e| e.to_string()),
            other => Err(StateError::Version(other).to_string()),
        }
    }
}

/// Version 2: everything the sandbox holds that a restart would lose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Snapshot {
    /// Always [`STATE_VERSION`].
    pub version: u32,
    /// Transactions, oldest first.
    #[serde(default)]
    pub transactions: Vec<Transaction>,
    /// Access tokens, oldest first.
    #[serde(default)]
    pub tokens: Vec<Token>,
    /// Saved cards, oldest first.
    #[serde(default)]
    pub saved_cards: Vec<SavedCard>,
    /// 3-D Secure sessions waiting for the cardholder, oldest first.
    #[serde(default)]
    pub secure3d_sessions: Vec<Secure3dSession>,
    /// Merchants created at run time (those of the fixtures come from the fixtures).
    #[serde(default)]
    pub merchants: Vec<Merchant>,
    /// Invoice links, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invoice_links: Vec<crate::domain::invoice_links::InvoiceLink>,
    /// Recurrent subscriptions, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscriptions: Vec<crate::domain::recurrent::Subscription>,
    /// QR bills, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub qr_bills: Vec<crate::domain::qr::QrBill>,
    /// Installment orders (the iOS SDK's `POST /order`), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub installment_orders: Vec<crate::domain::installment::InstallmentOrder>,
    /// Halyk bonus balances and what each payment spent.
    #[serde(default, skip_serializing_if = "crate::domain::bonus::BonusRecords::is_empty")]
    pub bonuses: Box<crate::domain::bonus::BonusRecords>,
    /// Per-merchant fidelity overrides: client id → profile document (`PUT
    /// /_sandbox/fidelity?clientId=`). Absent when no merchant has any. (X-16)
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub fidelity: std::collections::BTreeMap<String, serde_json::Value>,
}

/// Version 1: a hand-written prepared state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreparedState {
    /// Format version (1).
    #[serde(default = "version_one")]
    pub version: u32,
    /// Transactions, in any order.
    #[serde(default)]
    pub transactions: Vec<StateTransaction>,
    /// Access tokens.
    #[serde(default)]
    pub tokens: Vec<StateToken>,
}

fn version_one() -> u32 {
    PREPARED_VERSION
}

/// Payment or transfer, as the state file spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StateKind {
    /// A card payment.
    #[default]
    Payment,
    /// A P2P/AFT/OCT transfer.
    Transfer,
}

/// A pending outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatePending {
    /// When it settles.
    pub settle_at: DateTime<Utc>,
    /// Decline code when it settles (approve when absent).
    #[serde(default)]
    pub decline_with: Option<i32>,
    /// Status polls still answered 107.
    #[serde(default)]
    pub polls_left: Option<u32>,
}

/// One history line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StateHistory {
    /// When.
    pub at: DateTime<Utc>,
    /// Event (`authorize_hold`, `charge`, …).
    pub event: EventKind,
    /// Status before.
    pub from: Status,
    /// Status after.
    pub to: Status,
    /// Amount moved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Value>,
    /// Reason code.
    #[serde(default)]
    pub reason_code: i32,
}

/// One transaction. Only `terminal`, `invoiceId` and `amount` are required on input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StateTransaction {
    /// Transaction id (generated when absent).
    #[serde(default)]
    pub id: Option<Uuid>,
    /// `payment` (default) or `transfer`.
    #[serde(default)]
    pub kind: StateKind,
    /// Owning client: output only; on input it is the terminal's owner.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Terminal UUID (must exist in the merchants).
    pub terminal: String,
    /// Terminal number: output only.
    #[serde(default)]
    pub terminal_number: Option<String>,
    /// Merchant order number.
    pub invoice_id: String,
    /// Requested amount (`orgAmount`), a number or numeric string.
    pub amount: Value,
    /// Currency (default KZT).
    #[serde(default = "kzt")]
    pub currency: String,
    /// Status (default NEW).
    #[serde(default = "new_status")]
    pub status: Status,
    /// Captured amount (default: `amount` for CHARGE/REFUND, else 0).
    #[serde(default)]
    pub charged: Option<Value>,
    /// Refunded amount (default 0).
    #[serde(default)]
    pub refunded: Option<Value>,
    /// Creation time (default: sandbox now at load).
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// `statusID` (generated when absent).
    #[serde(default)]
    pub status_id: Option<Uuid>,
    /// Second order number.
    #[serde(default)]
    pub invoice_id_alt: String,
    /// Merchant customer id.
    #[serde(default)]
    pub account_id: String,
    /// What is paid for.
    #[serde(default)]
    pub description: String,
    /// `rus`, `kaz`, `eng`.
    #[serde(default)]
    pub language: String,
    /// Cardholder name.
    #[serde(default)]
    pub name: String,
    /// Payer e-mail.
    #[serde(default)]
    pub email: String,
    /// Payer phone.
    #[serde(default)]
    pub phone: String,
    /// Free-form merchant data.
    #[serde(default)]
    pub data: String,
    /// Masked PAN (`440563...5096`).
    #[serde(default)]
    pub card_mask: String,
    /// Brand (`VISA`).
    #[serde(default)]
    pub card_type: String,
    /// Issuing bank.
    #[serde(default)]
    pub issuer: String,
    /// Saved-card id.
    #[serde(default)]
    pub card_id: String,
    /// Cardholder name as entered.
    #[serde(default)]
    pub holder: String,
    /// 12-digit RRN (generated when absent).
    #[serde(default)]
    pub reference: Option<String>,
    /// 16-hex reference (generated when absent).
    #[serde(default)]
    pub int_reference: Option<String>,
    /// 6-digit approval code.
    #[serde(default)]
    pub approval_code: String,
    /// Reason text.
    #[serde(default)]
    pub reason: String,
    /// Reason code (0 success).
    #[serde(default)]
    pub reason_code: i32,
    /// Whether 3-D Secure was performed.
    #[serde(default)]
    pub secure: bool,
    /// Payer IP.
    #[serde(default)]
    pub ip: String,
    /// Success callback URL.
    #[serde(default)]
    pub post_link: String,
    /// Failure callback URL.
    #[serde(default)]
    pub failure_post_link: String,
    /// Success redirect URL.
    #[serde(default)]
    pub back_link: String,
    /// Failure redirect URL.
    #[serde(default)]
    pub failure_back_link: String,
    /// Merchant secret echoed in callbacks.
    #[serde(default)]
    pub secret_hash: String,
    /// An outcome waiting to settle.
    #[serde(default)]
    pub pending: Option<StatePending>,
    /// Moves so far.
    #[serde(default)]
    pub history: Vec<StateHistory>,
}

fn kzt() -> String {
    "KZT".into()
}

fn new_status() -> Status {
    Status::New
}

/// One access token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StateToken {
    /// Bearer string.
    pub access_token: String,
    /// Owning client (must exist).
    pub client_id: String,
    /// Terminal it is bound to.
    #[serde(default)]
    pub terminal: Option<String>,
    /// Scope, verbatim.
    #[serde(default)]
    pub scope: String,
    /// Cabinet user of a password-grant token (client credentials when absent).
    #[serde(default)]
    pub username: Option<String>,
    /// Refresh token (password grant).
    #[serde(default)]
    pub refresh_token: String,
    /// Order the token was issued for.
    #[serde(default)]
    pub invoice_id: Option<String>,
    /// Amount the token was issued for.
    #[serde(default)]
    pub amount: Option<Value>,
    /// Currency the token was issued for.
    #[serde(default)]
    pub currency: Option<String>,
    /// Success callback URL.
    #[serde(default)]
    pub post_link: String,
    /// Failure callback URL.
    #[serde(default)]
    pub failure_post_link: String,
    /// Merchant secret echoed in callbacks.
    #[serde(default)]
    pub secret_hash: String,
    /// Issue time (default: now).
    #[serde(default)]
    pub issued_at: Option<DateTime<Utc>>,
    /// Expiry time.
    pub expires_at: DateTime<Utc>,
}

/// Why a state file cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    /// Unsupported `version`.
    #[error("state format version {0} is not supported (this sandbox reads versions 1 and 2)")]
    Version(u32),
    /// A prepared transaction the state machine cannot reach.
    #[error("transaction {0}: {1}")]
    Unreachable(String, String),
    /// A terminal that no merchant has.
    #[error("transaction {invoice_id}: terminal {terminal} is not known")]
    UnknownTerminal {
        /// The invoice.
        invoice_id: String,
        /// The terminal.
        terminal: String,
    },
    /// A token's client that does not exist.
    #[error("token: client {0} is not known")]
    UnknownClient(String),
    /// A bad amount.
    #[error("transaction {invoice_id}: {field} is not a valid amount")]
    Amount {
        /// The invoice.
        invoice_id: String,
        /// The field.
        field: &'static str,
    },
    /// A duplicate invoice or id.
    #[error("transaction {0}: {1}")]
    Duplicate(String, String),
    /// A merchant's fidelity overrides that are not a valid profile.
    #[error("fidelity of client {0}: {1}")]
    Fidelity(String, String),
}

fn amount(value: &Value, invoice_id: &str, field: &'static str) -> Result<Amount, StateError> {
    Amount::from_json(value).map_err(|_| StateError::Amount {
        invoice_id: invoice_id.to_string(),
        field,
    })
}

impl StateTransaction {
    /// The state-file view of a transaction.
    pub fn from_transaction(tx: &Transaction) -> Self {
        StateTransaction {
            id: Some(tx.id()),
            kind: match tx.kind() {
                TransactionKind::Payment => StateKind::Payment,
                TransactionKind::Transfer => StateKind::Transfer,
            },
            client_id: Some(tx.client_id().to_string()),
            terminal: tx.terminal_id().to_string(),
            terminal_number: Some(tx.terminal_number().to_string()),
            invoice_id: tx.order().invoice_id.to_string(),
            amount: tx.org_amount().to_json(),
            currency: tx.order().currency.to_string(),
            status: tx.status(),
            charged: Some(tx.charged().to_json()),
            refunded: Some(tx.refunded().to_json()),
            created_at: Some(tx.created_at()),
            status_id: Some(tx.status_id()),
            invoice_id_alt: tx.order().invoice_id_alt.to_string(),
            account_id: tx.order().account_id.to_string(),
            description: tx.order().description.to_string(),
            language: tx.order().language.to_string(),
            name: tx.order().name.to_string(),
            email: tx.order().email.to_string(),
            phone: tx.order().phone.to_string(),
            data: tx.order().data.to_string(),
            card_mask: tx.card().mask.to_string(),
            card_type: tx.card().brand.to_string(),
            issuer: tx.card().issuer.to_string(),
            card_id: tx.card().card_id.to_string(),
            holder: tx.card().holder.to_string(),
            reference: Some(tx.reference().to_string()),
            int_reference: Some(tx.int_reference().to_string()),
            approval_code: tx.approval_code().to_string(),
            reason: tx.reason().to_string(),
            reason_code: tx.reason_code(),
            secure: tx.secure(),
            ip: tx.ip().to_string(),
            post_link: tx.links().post_link.to_string(),
            failure_post_link: tx.links().failure_post_link.to_string(),
            back_link: tx.links().back_link.to_string(),
            failure_back_link: tx.links().failure_back_link.to_string(),
            secret_hash: tx.links().secret_hash.to_string(),
            pending: tx.pending().map(|p| StatePending {
                settle_at: p.settle_at,
                decline_with: p.decline_with,
                polls_left: p.polls_left,
            }),
            history: tx
                .history()
                .iter()
                .map(|h| StateHistory {
                    at: h.at,
                    event: h.event,
                    from: h.from,
                    to: h.to,
                    amount: h.amount.map(Amount::to_json),
                    reason_code: h.reason_code,
                })
                .collect(),
        }
    }

    /// The transaction this entry describes, on `terminal` (its canonical id, owned by
    /// `client_id`, with processing number `terminal_number` and `two_step` mode), replayed
    /// through the state machine to its status. Missing ids come from `ids`, a missing time is
    /// `now`. The file's own history lines are replaced by the replay's.
    pub fn to_transaction(
        &self,
        terminal: &PreparedTerminal<'_>,
        ids: &IdGenerator,
        now: DateTime<Utc>,
    ) -> Result<Transaction, StateError> {
        let invoice = self.invoice_id.as_str();
        let org_amount = amount(&self.amount, invoice, "amount")?;
        let charged = match &self.charged {
            Some(v) => Some(amount(v, invoice, "charged")?),
            None => None,
        };
        let refunded = match &self.refunded {
            Some(v) => amount(v, invoice, "refunded")?,
            None => Amount::ZERO,
        };
        let created_at = self.created_at.unwrap_or(now);
        let status_id = self.status_id.unwrap_or_else(|| ids.uuid());
        let new = NewTransaction {
            kind: match self.kind {
                StateKind::Payment => TransactionKind::Payment,
                StateKind::Transfer => TransactionKind::Transfer,
            },
            client_id: terminal.client_id.to_string(),
            terminal_id: terminal.id.to_string(),
            terminal_number: terminal.number.to_string(),
            order: OrderDetails {
                invoice_id: self.invoice_id.clone(),
                invoice_id_alt: self.invoice_id_alt.clone(),
                account_id: self.account_id.clone(),
                description: self.description.clone(),
                language: self.language.clone(),
                name: self.name.clone(),
                email: self.email.clone(),
                phone: self.phone.clone(),
                data: self.data.clone(),
                currency: self.currency.clone(),
            },
            amount: org_amount,
            card: CardSnapshot {
                mask: self.card_mask.clone(),
                brand: self.card_type.clone(),
                issuer: self.issuer.clone(),
                card_id: String::new(),
                holder: self.holder.clone(),
            },
            links: Links {
                post_link: self.post_link.clone(),
                failure_post_link: self.failure_post_link.clone(),
                back_link: self.back_link.clone(),
                failure_back_link: self.failure_back_link.clone(),
                secret_hash: self.secret_hash.clone(),
            },
            ip: self.ip.clone(),
            transfer: None,
        };
        let ids = NewIds {
            id: self.id.unwrap_or_else(|| ids.uuid()),
            status_id,
            reference: self.reference.clone().unwrap_or_else(|| ids.reference()),
            int_reference: self.int_reference.clone().unwrap_or_else(|| ids.int_reference()),
        };
        let mut tx = Transaction::open(new, ids, created_at);
        let ctx = ApplyContext {
            now: created_at,
            new_status_id: status_id,
            auth_hold: chrono::Duration::MAX,
        };
        for event in self.replay(org_amount, charged, refunded, terminal.two_step) {
            tx.apply(event, &ctx)
                .map_err(|e| StateError::Unreachable(invoice.to_string(), e.to_string()))?;
        }
        Ok(tx)
    }

    /// The events that take a new transaction to this entry's status and amounts.
    fn replay(&self, org: Amount, charged: Option<Amount>, refunded: Amount, two_step: bool) -> Vec<Event> {
        let code = self.reason_code;
        let reason = self.reason.clone();
        let approval_code = self.approval_code.clone();
        let mut events = Vec::new();
        if self.secure {
            events.push(Event::MarkSecure);
        }
        if !self.card_id.is_empty() {
            events.push(Event::CardSaved {
                card_id: self.card_id.clone(),
                parties: Vec::new(),
            });
        }
        let hold = |events: &mut Vec<Event>| {
            events.push(Event::Approve {
                two_step: true,
                approval_code: approval_code.clone(),
            })
        };
        match self.status {
            Status::New => {}
            Status::Auth => hold(&mut events),
            Status::Cancel => {
                hold(&mut events);
                events.push(Event::Cancel);
            }
            Status::CancelOld => {
                hold(&mut events);
                events.push(Event::ExpireHold);
            }
            Status::Charge | Status::Refund => {
                let charged = charged.unwrap_or(org);
                if two_step || charged != org {
                    hold(&mut events);
                    events.push(Event::Charge(Some(charged)));
                } else {
                    events.push(Event::Approve {
                        two_step: false,
                        approval_code: approval_code.clone(),
                    });
                }
                if self.status == Status::Refund || !refunded.is_zero() {
                    events.push(Event::Refund {
                        amount: (!refunded.is_zero()).then_some(refunded),
                        external_id: None,
                    });
                }
            }
            Status::Verified => events.push(Event::Verify { approval_code }),
            Status::Reject => events.push(Event::Decline { code, reason }),
            Status::Failed => events.push(Event::Fail { code, reason }),
            Status::ThreeD => events.push(Event::Fail3ds { code, reason }),
        }
        if let (Status::New, Some(p)) = (self.status, &self.pending) {
            events.push(Event::Defer {
                pending: PendingOutcome {
                    settle_at: p.settle_at,
                    decline_with: p.decline_with,
                    polls_left: p.polls_left,
                },
                code,
                reason: self.reason.clone(),
            });
        }
        events
    }
}

/// The terminal a prepared transaction is loaded onto.
#[derive(Debug, Clone, Copy)]
pub struct PreparedTerminal<'a> {
    /// Its canonical id.
    pub id: &'a str,
    /// Its owner.
    pub client_id: &'a str,
    /// Its processing number.
    pub number: &'a str,
    /// Whether it holds funds first.
    pub two_step: bool,
}

impl StateToken {
    /// The state-file view of a token.
    pub fn from_token(token: &Token) -> Self {
        StateToken {
            access_token: token.access_token.clone(),
            client_id: token.client_id.clone(),
            terminal: token.terminal.clone(),
            scope: token.scope.clone(),
            username: match &token.grant {
                Grant::Password { username } => Some(username.clone()),
                Grant::ClientCredentials => None,
            },
            refresh_token: token.refresh_token.clone(),
            invoice_id: token.invoice_id.clone(),
            amount: token.amount.map(Amount::to_json),
            currency: token.currency.clone(),
            post_link: token.post_link.clone(),
            failure_post_link: token.failure_post_link.clone(),
            secret_hash: token.secret_hash.clone(),
            issued_at: Some(token.issued_at),
            expires_at: token.expires_at,
        }
    }

    /// The token this entry describes.
    pub fn to_token(&self, now: DateTime<Utc>) -> Result<Token, StateError> {
        let amount = match &self.amount {
            Some(v) => Some(amount(v, self.invoice_id.as_deref().unwrap_or(""), "token amount")?),
            None => None,
        };
        Ok(Token {
            access_token: self.access_token.clone(),
            refresh_token: self.refresh_token.clone(),
            grant: match &self.username {
                Some(username) => Grant::Password {
                    username: username.clone(),
                },
                None => Grant::ClientCredentials,
            },
            client_id: self.client_id.clone(),
            scope: self.scope.clone(),
            terminal: self.terminal.clone(),
            invoice_id: self.invoice_id.clone(),
            amount,
            currency: self.currency.clone(),
            post_link: self.post_link.clone(),
            failure_post_link: self.failure_post_link.clone(),
            secret_hash: self.secret_hash.clone(),
            issued_at: self.issued_at.unwrap_or(now),
            expires_at: self.expires_at,
        })
    }
}
