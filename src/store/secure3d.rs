//! 3-D Secure sessions waiting for the cardholder, by MD and by transaction.

use super::capped::Capped;
use super::StoreMap;
use crate::domain::secure3d::{AcsAnswer, AcsRules, CardholderAction, Secure3dSession, Verdict};
use uuid::Uuid;

/// 3-D Secure sessions.
#[derive(Debug)]
pub struct Secure3dStore {
    sessions: Capped<String, Secure3dSession>,
    by_transaction: StoreMap<Uuid, String>,
}

impl Secure3dStore {
    /// An empty store keeping at most about `cap` sessions.
    pub fn with_cap(cap: usize) -> Self {
        Secure3dStore {
            sessions: Capped::with_cap(cap),
            by_transaction: StoreMap::default(),
        }
    }

    /// Stores a session under its MD.
    pub fn put(&self, session: Secure3dSession) {
        self.by_transaction.insert(session.transaction_id, session.md.clone());
        self.sessions.insert(session.md.clone(), session);
        if self.sessions.overshoots() {
            self.evict();
        }
    }

    /// The session with this MD.
    pub fn get(&self, md: &str) -> Option<Secure3dSession> {
        self.sessions.get(md).map(|s| s.clone())
    }

    /// The MD of the session of transaction `id`, if one is open.
    pub fn md_of(&self, id: Uuid) -> Option<String> {
        self.by_transaction.get(&id).map(|md| md.clone())
    }

    /// Records the cardholder's `TermUrl`; returns the session.
    pub fn set_term_url(&self, md: &str, term_url: &str) -> Option<Secure3dSession> {
        let mut session = self.sessions.get_mut(md)?;
        session.term_url = Some(term_url.to_string());
        Some(session.clone())
    }

    /// Judges and records the cardholder's action (see [`Secure3dSession::record_action`]):
    /// `None` for no such session, `Some(None)` when it was already answered.
    pub fn record_action(
        &self,
        md: &str,
        rules: &AcsRules<'_>,
        action: CardholderAction<'_>,
    ) -> Option<Option<(Verdict, Secure3dSession)>> {
        let mut session = self.sessions.get_mut(md)?;
        Some(session.record_action(rules, action).map(|v| (v, session.clone())))
    }

    /// Removes and returns the session with this MD when it belongs to transaction `id` and
    /// was answered with `answer` (so a confirm completes it only once).
    pub fn take_answered(&self, md: &str, id: Uuid, answer: AcsAnswer) -> Option<Secure3dSession> {
        let session = self
            .sessions
            .remove_if(md, |s| s.transaction_id == id && s.answer == Some(answer))?;
        self.forget_index(&session);
        Some(session)
    }

    /// Removes and returns the session with this MD when it is older than `timeout` at `now`.
    pub fn take_expired(
        &self,
        md: &str,
        now: chrono::DateTime<chrono::Utc>,
        timeout: chrono::Duration,
    ) -> Option<Secure3dSession> {
        let session = self.sessions.remove_if(md, |s| s.is_expired(now, timeout))?;
        self.forget_index(&session);
        Some(session)
    }

    /// Removes a session.
    pub fn remove(&self, md: &str) -> Option<Secure3dSession> {
        let session = self.sessions.remove(md)?;
        self.forget_index(&session);
        Some(session)
    }

    fn forget_index(&self, session: &Secure3dSession) {
        self.by_transaction
            .remove_if(&session.transaction_id, |_, md| *md == session.md);
    }

    /// Every session.
    pub fn all(&self) -> Vec<Secure3dSession> {
        let mut all = self.sessions.values();
        all.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.md.cmp(&b.md)));
        all
    }

    /// How many sessions are open.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// Whether none is open.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// Drops the oldest sessions over the cap.
    pub fn evict(&self) -> usize {
        self.sessions.evict(|md| self.remove(md).is_some())
    }

    /// Forgets every session.
    pub fn clear(&self) {
        self.sessions.clear();
        self.by_transaction.clear();
    }
}
