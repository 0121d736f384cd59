//! 3-D Secure end to end: the session a challenge needs and the `secure3D {paReq, md, action}`
//! the merchant redirects the cardholder with (seed 003), the sandbox ACS (challenge page,
//! one-time code, signed `PaRes`), the confirm step (`/payment/confirm` and the SDKs'
//! `confirmPayment?Access=`), the headless completion of the control plane, and the timeout.

use super::transactions::token_sees;
use super::{OperateError, PaymentAccepted, PaymentError, Sandbox};
use crate::deadlines::Job;
use crate::domain::outcome::Outcome;
use crate::domain::saved_cards::CardToSave;
use crate::domain::secure3d::{
    sign_pares, verify_pares, AcsAnswer, AcsRules, CardholderAction, PaResError, PaResStatement, Secure3dSession,
    Verdict,
};
use crate::domain::tokens::Token;
use crate::domain::transaction::{Event, Transaction};
use crate::fidelity::{self, ConfirmToken};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;
use serde_json::json;
use std::sync::RwLock;
use uuid::Uuid;

/// What cryptopay answers in `secure3D` when a challenge is needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Secure3dChallenge {
    /// Opaque request for the ACS (base64 JSON, as the seed's sample looks).
    pub pa_req: String,
    /// Session key the ACS posts back.
    pub md: String,
    /// The ACS URL the cardholder's browser posts `PaReq`, `MD`, `TermUrl` to.
    pub action: String,
}

/// The key `PaRes` statements are signed with: random per sandbox (from the id generator, so
/// a seeded sandbox signs reproducibly), renewed on reset.
#[derive(Debug)]
pub struct PaResKey(RwLock<[u8; 32]>);

impl Default for PaResKey {
    fn default() -> Self {
        Self::new()
    }
}

impl PaResKey {
    /// A fresh random key. It comes from the OS, not from the seeded id generator, so that
    /// signing keys never shift the reproducible sequence of ids and tokens.
    pub fn new() -> Self {
        PaResKey(RwLock::new(rand::random()))
    }

    /// Replaces the key (after a reset every earlier `PaRes` is void).
    pub fn renew(&self) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = rand::random();
    }

    fn get(&self) -> [u8; 32] {
        *self.0.read().unwrap_or_else(|p| p.into_inner())
    }
}

/// Everything the challenge page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeView {
    /// The session's MD (posted back by the page's forms).
    pub md: String,
    /// Merchant name.
    pub merchant: String,
    /// Terminal (shop) name.
    pub terminal: String,
    /// Amount as the bank prints it (`100`, `12.22`).
    pub amount: String,
    /// ISO currency code.
    pub currency: String,
    /// Masked card number.
    pub card_mask: String,
    /// Card brand.
    pub card_brand: String,
    /// The payment's language: `rus`, `kaz` or `eng`.
    pub language: String,
    /// The one-time code that passes (printed on the sandbox page).
    pub code: String,
    /// Tries left before the challenge fails.
    pub attempts_left: u32,
    /// Whether the previous try was a wrong code.
    pub wrong_code: bool,
    /// The merchant's `TermUrl`, once the ACS has been given one (not shown).
    pub term_url: Option<String>,
}

/// What the ACS posts to the merchant's `TermUrl` once the challenge is over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcsReply {
    /// The signed result.
    #[serde(rename = "PaRes")]
    pub pa_res: String,
    /// The session's MD.
    #[serde(rename = "MD")]
    pub md: String,
    /// The merchant's `TermUrl`, when the ACS was given one.
    #[serde(rename = "TermUrl")]
    pub term_url: Option<String>,
}

/// The next step after the cardholder acted on the challenge page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcsStep {
    /// A wrong code: show the page again.
    Retry(ChallengeView),
    /// The challenge is over: post the reply to `TermUrl`.
    Answered(AcsReply),
}

/// A `PaRes` + `MD` handed back for confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmRequest {
    /// The transaction id (`ID` of `/payment/confirm`); `None` on `confirmPayment`.
    pub transaction_id: Option<Uuid>,
    /// The signed ACS result.
    pub pa_res: String,
    /// The session's MD.
    pub md: String,
}

/// How a confirmed payment ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Confirmed {
    /// Approved: AUTH, CHARGE or VERIFIED.
    Approved(Box<Transaction>),
    /// Failed 3-D Secure, declined, failed, or pending after authentication.
    Refused {
        /// The transaction as it now stands.
        transaction: Box<Transaction>,
        /// Reason code.
        code: i32,
        /// Reason text.
        message: String,
    },
}

/// Why a 3-D Secure request was refused; nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Secure3dError {
    /// A required field is missing or malformed.
    #[error("{0}")]
    Invalid(String),
    /// `/payment/confirm` without a bearer token where `confirm.token` is `required`. (S-10)
    #[error("Authorization header with a Bearer token is required (fidelity key confirm.token=required)")]
    TokenRequired,
    /// No session with this MD (never issued, already confirmed, or expired).
    #[error("no 3-D Secure session with MD {0}: it was never issued, has already been confirmed, or has expired (sessions last {1} minutes); check-status shows the payment's outcome")]
    UnknownSession(String, i64),
    /// The ACS has already answered this challenge.
    #[error("this 3-D Secure challenge has already been answered; post the PaRes to the confirm step")]
    AlreadyAnswered,
    /// The PaReq posted to the ACS is not the one issued with the MD.
    #[error("PaReq does not match the one issued with this MD")]
    PaReqMismatch,
    /// The PaRes is malformed or its signature does not match.
    #[error(transparent)]
    PaRes(#[from] PaResError),
    /// The PaRes was issued for another MD.
    #[error("PaRes was issued for another MD than the one sent")]
    MdMismatch,
    /// The PaRes was issued for another transaction.
    #[error("PaRes was issued for transaction {issued_for}, not for {requested}")]
    OtherTransaction {
        /// The transaction in the PaRes.
        issued_for: Uuid,
        /// The `ID` sent.
        requested: Uuid,
    },
    /// The transaction is not the token's.
    #[error("transaction {0} not found for this token (use the token the payment was made with)")]
    NotVisible(Uuid),
    /// The transaction moved under our feet.
    #[error(transparent)]
    Conflict(#[from] OperateError),
}

impl Sandbox {
    /// Opens a 3-D Secure session for a NEW transaction; `then` is what happens once the
    /// cardholder passes the challenge, `card_to_save` the card to save if it then succeeds.
    pub fn begin_challenge(
        &self,
        tx: &Transaction,
        then: Outcome,
        card_to_save: Option<CardToSave>,
    ) -> Secure3dChallenge {
        let md = STANDARD.encode(self.ids.uuid().simple().to_string());
        let pa_req = STANDARD.encode(
            json!({
                "messageType": "PaReq",
                "messageVersion": "1.0.2",
                "transactionId": tx.id(),
                "md": md,
                "purchaseAmount": tx.org_amount(),
                "currency": tx.order().currency,
                "cardMask": tx.card().mask,
                "terminal": tx.terminal_number(),
            })
            .to_string(),
        );
        let now = self.clock.now();
        self.store.secure3d().put(Secure3dSession {
            md: md.clone(),
            pa_req: pa_req.clone(),
            transaction_id: tx.id(),
            then,
            card_to_save,
            created_at: now,
            failed_attempts: 0,
            term_url: None,
            answer: None,
        });
        self.deadlines.schedule(
            now.checked_add_signed(self.config.three_ds_timeout)
                .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC),
            Job::ExpireChallenge(md.clone()),
        );
        Secure3dChallenge {
            pa_req,
            md,
            action: format!("{}/acs", self.public_url()),
        }
    }

    /// The ACS receives the cardholder (`PaReq`, `MD`, `TermUrl`) and shows the challenge.
    pub fn open_challenge(&self, md: &str, pa_req: &str, term_url: &str) -> Result<ChallengeView, Secure3dError> {
        let term_url = term_url.trim();
        if !crate::domain::links::Link::is_safe(term_url) {
            return Err(Secure3dError::Invalid(
                "TermUrl is required and must be an http(s) URL (where the ACS posts PaRes and MD)".into(),
            ));
        }
        let session = self.waiting_session(md)?;
        let compact = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        if compact(pa_req) != session.pa_req {
            return Err(Secure3dError::PaReqMismatch);
        }
        let session = self
            .store
            .secure3d()
            .set_term_url(md, term_url)
            .ok_or_else(|| self.unknown_session(md))?;
        self.challenge_view(&session, false)
    }

    /// The challenge page again (another language, a reload).
    pub fn show_challenge(&self, md: &str) -> Result<ChallengeView, Secure3dError> {
        let session = self.waiting_session(md)?;
        self.challenge_view(&session, false)
    }

    /// The cardholder entered a code or cancelled.
    pub fn answer_challenge(&self, md: &str, action: CardholderAction<'_>) -> Result<AcsStep, Secure3dError> {
        let session = self.waiting_session(md)?;
        let rules = AcsRules {
            code: fidelity::ACS_CODE,
            max_attempts: fidelity::ACS_MAX_ATTEMPTS,
            failed_reason: fidelity::ACS_FAILED_REASON,
            always_fails: match session.then {
                Outcome::AuthenticationFailed { code } => Some(code),
                _ => None,
            },
        };
        let verdict = self
            .store
            .secure3d()
            .record_action(md, &rules, action)
            .ok_or_else(|| self.unknown_session(md))?;
        let (verdict, session) = verdict.ok_or(Secure3dError::AlreadyAnswered)?;
        match verdict {
            Verdict::Retry { .. } => Ok(AcsStep::Retry(self.challenge_view(&session, true)?)),
            Verdict::Answered(answer) => {
                tracing::info!(id = %session.transaction_id, ?answer, "3-D Secure challenge answered");
                Ok(AcsStep::Answered(self.reply(&session, answer)))
            }
        }
    }

    /// Completes a pending challenge without a browser (control plane): `approve` enters the
    /// right code (a card whose challenge always fails still fails), otherwise cancels. `key`
    /// is the MD or the transaction id.
    pub fn complete_challenge(&self, key: &str, approve: bool) -> Result<AcsReply, Secure3dError> {
        let md = match Uuid::parse_str(key.trim()) {
            Ok(id) => self
                .store
                .secure3d()
                .md_of(id)
                .ok_or_else(|| self.unknown_session(key))?,
            Err(_) => key.to_string(),
        };
        let action = if approve {
            CardholderAction::Code(fidelity::ACS_CODE)
        } else {
            CardholderAction::Cancel
        };
        match self.answer_challenge(&md, action)? {
            AcsStep::Answered(reply) => Ok(reply),
            AcsStep::Retry(_) => Err(Secure3dError::Invalid("the challenge is still waiting".into())),
        }
    }

    /// Finishes a payment with the ACS's `PaRes` (`/payment/confirm`, `confirmPayment`): the
    /// PaRes must be genuine, belong to `MD` (and to `ID` when sent), and its session must still
    /// be open; the session is then consumed, so a replay is refused.
    ///
    /// Without a token (`/payment/confirm` as seed 003 sends it) the signed PaRes alone
    /// identifies the payment, unless the merchant's `confirm.token` is `required`. (S-10)
    pub fn confirm_challenge(
        &self,
        token: Option<&Token>,
        request: &ConfirmRequest,
    ) -> Result<Confirmed, Secure3dError> {
        let statement = verify_pares(&self.pares_key.get(), &request.pa_res)?;
        if statement.md != request.md.trim() {
            return Err(Secure3dError::MdMismatch);
        }
        if let Some(requested) = request.transaction_id.filter(|id| *id != statement.transaction_id) {
            return Err(Secure3dError::OtherTransaction {
                issued_for: statement.transaction_id,
                requested,
            });
        }
        let id = statement.transaction_id;
        let tx = self.store.transactions().get(id).ok_or(Secure3dError::NotVisible(id))?;
        match token {
            Some(token) => {
                let invoice_ok = token.invoice_id.as_deref().is_none_or(|i| i == tx.order().invoice_id);
                if !token_sees(token, &tx) || !invoice_ok {
                    return Err(Secure3dError::NotVisible(id));
                }
            }
            None if self.profile_for(tx.client_id()).confirm_token == ConfirmToken::Required => {
                return Err(Secure3dError::TokenRequired);
            }
            None => {}
        }
        self.expire_challenge(&statement.md);
        let session = self
            .store
            .secure3d()
            .take_answered(&statement.md, id, statement.answer)
            .ok_or_else(|| self.unknown_session(&statement.md))?;
        self.apply(id, Event::MarkSecure)?;
        let result = match statement.answer {
            AcsAnswer::Authenticated => self.play_outcome(id, session.then, session.card_to_save),
            AcsAnswer::Failed { code } => self.play_outcome(id, Outcome::AuthenticationFailed { code }, None),
        };
        match result {
            Ok(PaymentAccepted::Approved(tx)) => Ok(Confirmed::Approved(Box::new(tx))),
            Ok(PaymentAccepted::Challenge { transaction, .. }) => Ok(Confirmed::Refused {
                transaction: Box::new(transaction),
                code: fidelity::THREE_DS_FAILED_REASON,
                message: self.fixtures.catalogue.message_en(fidelity::THREE_DS_FAILED_REASON),
            }),
            Err(PaymentError::NotApproved {
                transaction,
                code,
                message,
            }) => Ok(Confirmed::Refused {
                transaction,
                code,
                message,
            }),
            Err(PaymentError::Conflict(error)) => Err(Secure3dError::Conflict(error)),
            Err(PaymentError::Refused { message, .. }) => Err(Secure3dError::Invalid(message)),
        }
    }

    /// Fails the challenge with this MD if it has run out of time (status 3D, S-04): run by
    /// its deadline, and before anything reads the session or its transaction, so nobody sees
    /// a stale NEW in the moment before the timer task runs.
    pub(super) fn expire_challenge(&self, md: &str) {
        let now = self.clock.now();
        let timeout = self.config.three_ds_timeout;
        let Some(session) = self.store.secure3d().take_expired(md, now, timeout) else {
            return;
        };
        let code = fidelity::THREE_DS_TIMEOUT_REASON;
        let reason = self.fixtures.catalogue.message_en(code);
        match self.apply(session.transaction_id, Event::Fail3ds { code, reason }) {
            Ok(_) => tracing::info!(id = %session.transaction_id, "3-D Secure challenge timed out"),
            Err(error) => {
                tracing::debug!(id = %session.transaction_id, %error, "3-D Secure timeout found the transaction already moved")
            }
        }
    }

    /// The session with this MD, if it is still waiting for the cardholder.
    fn waiting_session(&self, md: &str) -> Result<Secure3dSession, Secure3dError> {
        let md = md.trim();
        if md.is_empty() {
            return Err(Secure3dError::Invalid("MD is required".into()));
        }
        self.expire_challenge(md);
        let session = self.store.secure3d().get(md).ok_or_else(|| self.unknown_session(md))?;
        if session.answer.is_some() {
            return Err(Secure3dError::AlreadyAnswered);
        }
        Ok(session)
    }

    fn unknown_session(&self, md: &str) -> Secure3dError {
        Secure3dError::UnknownSession(
            md.chars().take(64).collect(),
            self.config.three_ds_timeout.num_minutes(),
        )
    }

    fn challenge_view(&self, session: &Secure3dSession, wrong_code: bool) -> Result<ChallengeView, Secure3dError> {
        let id = session.transaction_id;
        let tx = self
            .store
            .transactions()
            .get(id)
            .ok_or(Secure3dError::Conflict(OperateError::NotFound(id)))?;
        let merchant = self
            .store
            .merchants()
            .get(tx.client_id())
            .map(|m| m.name.clone())
            .unwrap_or_default();
        let terminal = self
            .store
            .merchants()
            .terminal(tx.terminal_id())
            .map(|(_, t)| t.name)
            .unwrap_or_default();
        let language = match fidelity::display_language(tx.order().language).as_str() {
            "KZ" => "kaz",
            "EN" => "eng",
            _ => "rus",
        };
        Ok(ChallengeView {
            md: session.md.clone(),
            merchant,
            terminal,
            amount: tx.org_amount().to_string(),
            currency: tx.order().currency.to_string(),
            card_mask: tx.card().mask.to_string(),
            card_brand: tx.card().brand.to_string(),
            language: language.to_string(),
            code: fidelity::ACS_CODE.to_string(),
            attempts_left: fidelity::ACS_MAX_ATTEMPTS.saturating_sub(session.failed_attempts),
            wrong_code,
            term_url: session.term_url.clone(),
        })
    }

    fn reply(&self, session: &Secure3dSession, answer: AcsAnswer) -> AcsReply {
        let statement = PaResStatement {
            message_type: "PaRes".into(),
            md: session.md.clone(),
            transaction_id: session.transaction_id,
            answer,
            issued_at: self.clock.now(),
        };
        AcsReply {
            pa_res: sign_pares(&self.pares_key.get(), &statement),
            md: session.md.clone(),
            term_url: session.term_url.clone(),
        }
    }
}
