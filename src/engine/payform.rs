//! The hosted payment page's rules (`/payform/`, spec §7.3): the page's token must be live and
//! bound to its order; a page lasts 20 sandbox minutes from its first opening and allows three
//! attempts; each attempt is an ordinary payment through [`Sandbox::pay`], so test cards, magic
//! amounts, scenario rules and callbacks all apply. (H-04, H-05)

use super::{AuthError, PaymentAccepted, PaymentError, PaymentMethod, PaymentRequest, Sandbox, Secure3dChallenge};
use crate::crypto::CardData;
use crate::domain::merchants::Terminal;
use crate::domain::payform::{PayformSession, ATTEMPTS_EXHAUSTED_CODE, SESSION_EXPIRED_CODE};
use crate::domain::saved_cards::SavedCard;
use crate::domain::status::Status;
use crate::domain::tokens::Token;
use crate::domain::transaction::Transaction;

/// Why the page cannot take a payment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayformRefusal {
    /// The payment object's token is unknown or expired.
    #[error("the payment object's auth token is not valid here: {0}")]
    Token(AuthError),
    /// The payment object does not fit the token or the rules (the merchant's mistake).
    #[error("{0}")]
    Invalid(String),
    /// The page's 20 minutes are over.
    #[error("the payment page has expired (20 minutes)")]
    Expired,
    /// The three attempts are used up.
    #[error("the attempts for this payment are used up")]
    Exhausted,
    /// The page already reached a final answer.
    #[error("this payment has already been completed")]
    Finished,
    /// Another submission of the same page is still being processed.
    #[error("a payment attempt of this page is already in progress")]
    Busy,
}

impl PayformRefusal {
    /// The reason code the page reports for a final refusal (expired, exhausted).
    pub fn reason_code(&self) -> Option<i32> {
        match self {
            PayformRefusal::Expired => Some(SESSION_EXPIRED_CODE),
            PayformRefusal::Exhausted => Some(ATTEMPTS_EXHAUSTED_CODE),
            _ => None,
        }
    }
}

/// How one attempt on the page ended.
#[derive(Debug, Clone, PartialEq)]
pub enum PayformAttempt {
    /// Paid (AUTH, CHARGE or VERIFIED).
    Approved(Box<Transaction>),
    /// The card needs 3-D Secure: the page sends the browser to the ACS.
    Challenge {
        /// The transaction waiting in NEW.
        transaction: Box<Transaction>,
        /// `paReq`, `md`, `action`.
        challenge: Secure3dChallenge,
    },
    /// Declined, and attempts remain: the page shows the form again.
    Declined {
        /// The declined attempt.
        transaction: Box<Transaction>,
        /// Reason code.
        code: i32,
        /// Reason text.
        message: String,
        /// Attempts still allowed.
        attempts_left: u32,
    },
    /// Failed for good (the last attempt declined, or the outcome is pending).
    Failed {
        /// The last attempt.
        transaction: Box<Transaction>,
        /// Reason code the page reports (505 after the third decline).
        code: i32,
        /// Reason text.
        message: String,
    },
}

impl Sandbox {
    /// Opens (or finds) the page's session after checking its token and order: what the page
    /// needs to render the card form.
    pub fn payform_open(
        &self,
        access_token: &str,
        request: &PaymentRequest,
    ) -> Result<(Terminal, PayformSession), PayformRefusal> {
        let token = self.authenticate(Some(access_token)).map_err(PayformRefusal::Token)?;
        let terminal = self.payform_check(&token, request)?;
        let now = self.clock.now();
        let mut session = self.store.payform().open(access_token, PayformSession::opened(now));
        match session_refusal(&session, now) {
            None => Ok((terminal, session)),
            Some(refusal) => {
                if matches!(refusal, PayformRefusal::Expired) {
                    session.finished = true;
                    self.store.payform().put(access_token, session);
                }
                Err(refusal)
            }
        }
    }

    /// The terminal of a transfer page's token, once the token is known to be live. The
    /// transfer itself is made by the transfers engine.
    pub fn payform_transfer_terminal(&self, access_token: &str) -> Result<Option<Terminal>, PayformRefusal> {
        let token = self.authenticate(Some(access_token)).map_err(PayformRefusal::Token)?;
        Ok(token
            .terminal
            .as_deref()
            .and_then(|id| self.store.merchants().terminal(id))
            .map(|(_, terminal)| terminal))
    }

    /// A saved card a transfer page's payment object names (`senderCardId`/`receiverCardId`),
    /// checked as the transfer will check it (the token's client, the object's `accountId`), so
    /// the page can show its mask instead of the card fields. (H-10)
    pub fn payform_saved_card(
        &self,
        access_token: &str,
        account_id: &str,
        card_id: &str,
    ) -> Result<SavedCard, PayformRefusal> {
        let token = self.authenticate(Some(access_token)).map_err(PayformRefusal::Token)?;
        self.usable_saved_card(&token, account_id, card_id)
            .map_err(|e| PayformRefusal::Invalid(e.to_string()))
    }

    /// One attempt with a card typed into the page. The attempt claims the page's session
    /// while it runs, so two submissions of one page cannot both use the last attempt; no lock
    /// is held meanwhile.
    pub fn payform_pay(
        &self,
        access_token: &str,
        request: &PaymentRequest,
        card: CardData,
    ) -> Result<PayformAttempt, PayformRefusal> {
        let token = self.authenticate(Some(access_token)).map_err(PayformRefusal::Token)?;
        self.payform_check(&token, request)?;
        let now = self.clock.now();
        let mut session = self
            .store
            .payform()
            .claim(access_token, PayformSession::opened(now))
            .map_err(|_| PayformRefusal::Busy)?;
        let result = match session_refusal(&session, now) {
            Some(refusal) => {
                if matches!(refusal, PayformRefusal::Expired) {
                    session.finished = true;
                }
                Err(refusal)
            }
            None => self.attempt(&token, request, card, &mut session),
        };
        self.store.payform().release(access_token, session);
        result
    }

    /// The checks of [`Sandbox::pay`] that need no card (the order's fields, the terminal and
    /// the token's binding), so a wrong payment object is reported when the page opens.
    fn payform_check(&self, token: &Token, request: &PaymentRequest) -> Result<Terminal, PayformRefusal> {
        let invalid = |error: PaymentError| match error {
            PaymentError::Refused { message, .. } => PayformRefusal::Invalid(message),
            other => PayformRefusal::Invalid(format!("{other:?}")),
        };
        self.check_order(token, request).map_err(invalid)
    }

    fn attempt(
        &self,
        token: &Token,
        request: &PaymentRequest,
        card: CardData,
        session: &mut PayformSession,
    ) -> Result<PayformAttempt, PayformRefusal> {
        let released = session
            .last_transaction
            .filter(|id| self.store.transactions().get(*id).is_some_and(|tx| failed(tx.status())))
            .filter(|id| self.store.transactions().release_invoice(*id));
        match self.pay(token, request, PaymentMethod::Card(card)) {
            Ok(PaymentAccepted::Approved(tx)) => {
                session.finished = true;
                session.last_transaction = Some(tx.id());
                Ok(PayformAttempt::Approved(Box::new(tx)))
            }
            Ok(PaymentAccepted::Challenge { transaction, challenge }) => {
                session.finished = true;
                session.last_transaction = Some(transaction.id());
                Ok(PayformAttempt::Challenge {
                    transaction: Box::new(transaction),
                    challenge,
                })
            }
            Err(PaymentError::NotApproved {
                transaction,
                code,
                message,
            }) => {
                session.last_transaction = Some(transaction.id());
                if transaction.status() == Status::New {
                    session.finished = true;
                    return Ok(PayformAttempt::Failed {
                        transaction,
                        code,
                        message,
                    });
                }
                session.failed_attempts += 1;
                let attempts_left = session.attempts_left();
                if attempts_left == 0 {
                    session.finished = true;
                    return Ok(PayformAttempt::Failed {
                        transaction,
                        code: ATTEMPTS_EXHAUSTED_CODE,
                        message: self.fixtures.catalogue.message_en(ATTEMPTS_EXHAUSTED_CODE),
                    });
                }
                Ok(PayformAttempt::Declined {
                    transaction,
                    code,
                    message,
                    attempts_left,
                })
            }
            Err(PaymentError::Refused { message, .. }) => {
                if let Some(id) = released {
                    self.store.transactions().reclaim_invoice(id);
                }
                Err(PayformRefusal::Invalid(message))
            }
            Err(PaymentError::Conflict(error)) => Err(PayformRefusal::Invalid(error.to_string())),
        }
    }
}

/// Why a session cannot take another attempt at `now`, if it cannot.
fn session_refusal(session: &PayformSession, now: chrono::DateTime<chrono::Utc>) -> Option<PayformRefusal> {
    if session.finished {
        Some(PayformRefusal::Finished)
    } else if session.expired(now) {
        Some(PayformRefusal::Expired)
    } else if session.attempts_left() == 0 {
        Some(PayformRefusal::Exhausted)
    } else {
        None
    }
}

/// Whether an attempt ended in a final failure (its invoiceId may be reused by the next one).
fn failed(status: Status) -> bool {
    matches!(status, Status::Reject | Status::Failed | Status::ThreeD)
}
