//! Saved cards by id and by owner (client and accountId).

use super::capped::Capped;
use super::StoreMap;
use crate::domain::saved_cards::SavedCard;
use uuid::Uuid;

fn owner_key(client_id: &str, account_id: &str) -> String {
    let mut key = String::with_capacity(client_id.len() + 1 + account_id.len());
    key.push_str(client_id);
    key.push('\0');
    key.push_str(account_id);
    key
}

/// Saved cards.
#[derive(Debug)]
pub struct SavedCardStore {
    cards: Capped<Uuid, SavedCard>,
    by_owner: StoreMap<String, Vec<Uuid>>,
}

impl SavedCardStore {
    /// An empty store keeping at most about `cap` cards.
    pub fn with_cap(cap: usize) -> Self {
        SavedCardStore {
            cards: Capped::with_cap(cap),
            by_owner: StoreMap::default(),
        }
    }

    /// Stores (or replaces) a saved card.
    pub fn put(&self, card: SavedCard) {
        let id = card.id;
        let owner = owner_key(&card.client_id, &card.account_id);
        if self.cards.insert(id, card).is_none() {
            self.by_owner.entry(owner).or_default().push(id);
        }
        if self.cards.overshoots() {
            self.evict();
        }
    }

    /// A saved card by id.
    pub fn get(&self, id: Uuid) -> Option<SavedCard> {
        self.cards.get(&id).map(|c| c.clone())
    }

    /// The cards of one customer of one merchant, active or not, oldest first.
    pub fn of_owner(&self, client_id: &str, account_id: &str) -> Vec<SavedCard> {
        let ids = self
            .by_owner
            .get(&owner_key(client_id, account_id))
            .map(|ids| ids.clone())
            .unwrap_or_default();
        ids.into_iter().filter_map(|id| self.get(id)).collect()
    }

    /// Deactivates a card: `None` for no such card, `Some(Err(card))` when it already was.
    pub fn deactivate(&self, id: Uuid) -> Option<Result<SavedCard, SavedCard>> {
        let mut card = self.cards.get_mut(&id)?;
        if !card.active {
            return Some(Err(card.clone()));
        }
        card.active = false;
        Some(Ok(card.clone()))
    }

    /// Every saved card, oldest first.
    pub fn all(&self) -> Vec<SavedCard> {
        let mut all = self.cards.values();
        all.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
        all
    }

    /// How many cards are stored.
    pub fn len(&self) -> usize {
        self.cards.len()
    }

    /// Whether none is stored.
    pub fn is_empty(&self) -> bool {
        self.cards.is_empty()
    }

    /// Removes a card.
    pub fn remove(&self, id: Uuid) -> Option<SavedCard> {
        let card = self.cards.remove(&id)?;
        let owner = owner_key(&card.client_id, &card.account_id);
        if let Some(mut ids) = self.by_owner.get_mut(&owner) {
            ids.retain(|other| *other != id);
        }
        self.by_owner.remove_if(&owner, |_, ids| ids.is_empty());
        Some(card)
    }

    /// Drops the oldest cards over the cap.
    pub fn evict(&self) -> usize {
        self.cards.evict(|id| self.remove(*id).is_some())
    }

    /// Forgets every card.
    pub fn clear(&self) {
        self.cards.clear();
        self.by_owner.clear();
    }
}
