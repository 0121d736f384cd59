//! Access tokens by bearer string, and the tokens refresh tokens were issued with.

use super::capped::Capped;
use super::StoreMap;
use crate::domain::tokens::Token;

/// Access tokens.
#[derive(Debug)]
pub struct TokenStore {
    tokens: Capped<String, Token>,
    by_refresh: StoreMap<String, String>,
}

impl TokenStore {
    /// An empty store keeping at most about `cap` tokens.
    pub fn with_cap(cap: usize) -> Self {
        TokenStore {
            tokens: Capped::with_cap(cap),
            by_refresh: StoreMap::default(),
        }
    }

    /// Stores an issued token.
    pub fn put(&self, token: Token) {
        if !token.refresh_token.is_empty() {
            self.by_refresh
                .insert(token.refresh_token.clone(), token.access_token.clone());
        }
        self.tokens.insert(token.access_token.clone(), token);
        if self.tokens.overshoots() {
            self.evict();
        }
    }

    /// A token by its bearer string.
    pub fn get(&self, access_token: &str) -> Option<Token> {
        self.tokens.get(access_token).map(|t| t.clone())
    }

    /// The token a refresh token was issued with.
    pub fn by_refresh(&self, refresh_token: &str) -> Option<Token> {
        let access = self.by_refresh.get(refresh_token)?.clone();
        self.get(&access)
    }

    /// Every token, oldest first.
    pub fn all(&self) -> Vec<Token> {
        let mut all = self.tokens.values();
        all.sort_by(|a, b| {
            a.issued_at
                .cmp(&b.issued_at)
                .then_with(|| a.access_token.cmp(&b.access_token))
        });
        all
    }

    /// How many tokens are stored.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether none is stored.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Removes a token (and its refresh token); returns it.
    pub fn remove(&self, access_token: &str) -> Option<Token> {
        let token = self.tokens.remove(access_token)?;
        if !token.refresh_token.is_empty() {
            self.by_refresh.remove(&token.refresh_token);
        }
        Some(token)
    }

    /// Drops the oldest tokens over the cap.
    pub fn evict(&self) -> usize {
        self.tokens.evict(|access| self.remove(access).is_some())
    }

    /// Forgets every token.
    pub fn clear(&self) {
        self.tokens.clear();
        self.by_refresh.clear();
    }
}
