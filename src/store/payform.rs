//! Payment-page sessions, one per access token that opened `/payform/`.
//!
//! An attempt claims its session for as long as it runs ([`PayformStore::claim`]) instead of
//! holding a lock over the whole payment, so two submissions of one page cannot both use the
//! last attempt and nothing else waits behind a payment.

use super::capped::Capped;
use crate::domain::payform::PayformSession;

/// Another attempt of the same page is still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionBusy;

#[derive(Debug, Clone)]
struct Slot {
    session: PayformSession,
    claimed: bool,
}

/// Payment-page sessions.
#[derive(Debug)]
pub struct PayformStore {
    sessions: Capped<String, Slot>,
}

impl PayformStore {
    /// An empty store keeping at most about `cap` sessions.
    pub fn with_cap(cap: usize) -> Self {
        PayformStore {
            sessions: Capped::with_cap(cap),
        }
    }

    /// The session of `access_token`, opened as `fresh` when there is none.
    pub fn open(&self, access_token: &str, fresh: PayformSession) -> PayformSession {
        let (slot, inserted) = self.sessions.get_or_insert_with(&access_token.to_string(), || Slot {
            session: fresh,
            claimed: false,
        });
        let session = slot.session.clone();
        drop(slot);
        if inserted && self.sessions.overshoots() {
            self.evict();
        }
        session
    }

    /// Claims the session for one attempt (opening it as `fresh` when there is none) and
    /// returns it; refused while another attempt holds it. [`PayformStore::release`] ends the
    /// claim.
    pub fn claim(&self, access_token: &str, fresh: PayformSession) -> Result<PayformSession, SessionBusy> {
        self.open(access_token, fresh);
        let mut slot = self.sessions.get_mut(access_token).ok_or(SessionBusy)?;
        if slot.claimed {
            return Err(SessionBusy);
        }
        slot.claimed = true;
        Ok(slot.session.clone())
    }

    /// Stores the session as the attempt left it and ends the claim.
    pub fn release(&self, access_token: &str, session: PayformSession) {
        if let Some(mut slot) = self.sessions.get_mut(access_token) {
            slot.session = session;
            slot.claimed = false;
        }
    }

    /// Stores a session as it is now (no attempt running).
    pub fn put(&self, access_token: &str, session: PayformSession) {
        if let Some(mut slot) = self.sessions.get_mut(access_token) {
            slot.session = session;
        }
    }

    /// Removes the session of `access_token` (its token expired).
    pub fn remove(&self, access_token: &str) -> Option<PayformSession> {
        self.sessions.remove(access_token).map(|slot| slot.session)
    }

    /// How many sessions there are.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// Drops the oldest sessions over the cap.
    pub fn evict(&self) -> usize {
        self.sessions.evict(|token| self.remove(token).is_some())
    }

    /// Forgets every session.
    pub fn clear(&self) {
        self.sessions.clear();
    }
}
