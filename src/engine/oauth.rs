//! Issuing and checking OAuth tokens.

use super::Sandbox;
use crate::deadlines::Job;
use crate::domain::money::Amount;
use crate::domain::tokens::{authenticate_client, Grant, Token, TokenError, TokenRequest};

/// Why a bearer token was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization: Bearer` header.
    #[error("Authorization header with a Bearer token is required")]
    Missing,
    /// Not a token this sandbox issued (or it was reset).
    #[error("token is unknown")]
    Unknown,
    /// Past its lifetime.
    #[error("token has expired")]
    Expired,
}

impl Sandbox {
    /// Handles `POST /oauth2/token` for every grant type.
    pub fn issue_token(&self, request: &TokenRequest) -> Result<Token, TokenError> {
        let grant_type = request.get(&["grant_type"]).unwrap_or("");
        match grant_type {
            "client_credentials" => self.client_credentials(request),
            "password" => self.password_grant(request),
            "refresh_token" => self.refresh_grant(request),
            "" => Err(TokenError::MissingField("grant_type")),
            other => Err(TokenError::UnsupportedGrant(other.to_string())),
        }
    }

    /// Stores an issued token, schedules its expiry and marks its merchant as in use.
    fn keep_token(&self, token: &Token) {
        self.store.tokens().put(token.clone());
        self.deadlines
            .schedule(token.expires_at, Job::ExpireToken(token.access_token.clone()));
        self.store.merchants().touch(&token.client_id, token.issued_at);
    }

    /// Forgets a token that has expired, with its payment-page session.
    pub(super) fn expire_token(&self, access_token: &str) {
        let now = self.clock.now();
        let expired = self.store.tokens().get(access_token).is_some_and(|t| !t.is_live(now));
        if expired {
            self.store.tokens().remove(access_token);
            self.store.payform().remove(access_token);
        }
    }

    /// The live token behind a bearer string.
    pub fn authenticate(&self, bearer: Option<&str>) -> Result<Token, AuthError> {
        let bearer = bearer
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .ok_or(AuthError::Missing)?;
        let token = self.store.tokens().get(bearer).ok_or(AuthError::Unknown)?;
        if token.is_live(self.clock.now()) {
            Ok(token)
        } else {
            Err(AuthError::Expired)
        }
    }

    fn client_credentials(&self, request: &TokenRequest) -> Result<Token, TokenError> {
        let client_id = request.require("client_id")?;
        let secret = request.require("client_secret")?;
        let merchant = self.store.merchants().get(client_id);
        let merchant = authenticate_client(merchant.as_deref(), secret)?;
        if request.get(&["scope"]).is_none() {
            return Err(TokenError::MissingField("scope"));
        }
        let terminal = match request.get(&["terminal", "terminalId", "terminalID"]) {
            Some(id) => Some(
                merchant
                    .terminal(id)
                    .map(|t| t.id.clone())
                    .ok_or_else(|| TokenError::ForeignTerminal(id.to_string()))?,
            ),
            None => None,
        };
        let amount = match request.get(&["amount"]) {
            Some(text) => Some(Amount::parse(text).map_err(|e| TokenError::InvalidField {
                field: "amount",
                reason: e.to_string(),
            })?),
            None => None,
        };
        let now = self.clock.now();
        let token = Token {
            access_token: self.ids.access_token(),
            refresh_token: String::new(),
            grant: Grant::ClientCredentials,
            client_id: merchant.client_id.clone(),
            scope: request.raw("scope").to_string(),
            terminal,
            invoice_id: request
                .get(&["invoiceID", "invoiceId", "invoice_id"])
                .map(str::to_string),
            amount,
            currency: request.get(&["currency"]).map(str::to_ascii_uppercase),
            post_link: request.get(&["postLink"]).unwrap_or("").to_string(),
            failure_post_link: request.get(&["failurePostLink"]).unwrap_or("").to_string(),
            secret_hash: request.get(&["secret_hash"]).unwrap_or("").to_string(),
            issued_at: now,
            expires_at: now + self.config.token_ttl,
        };
        self.keep_token(&token);
        Ok(token)
    }

    fn password_grant(&self, request: &TokenRequest) -> Result<Token, TokenError> {
        let client_id = request.require("client_id")?;
        let secret = request.require("client_secret")?;
        let username = request.require("username")?;
        let password = request.require("password")?;
        let merchant = self.store.merchants().get(client_id);
        let merchant = authenticate_client(merchant.as_deref(), secret)?;
        let user = merchant
            .cabinet_users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username) && u.password == password)
            .ok_or(TokenError::InvalidUser)?;
        let now = self.clock.now();
        let token = Token {
            access_token: self.ids.uuid().to_string(),
            refresh_token: self.ids.uuid().to_string(),
            grant: Grant::Password {
                username: user.username.clone(),
            },
            client_id: merchant.client_id.clone(),
            scope: request.raw("scope").to_string(),
            terminal: None,
            invoice_id: None,
            amount: None,
            currency: None,
            post_link: String::new(),
            failure_post_link: String::new(),
            secret_hash: String::new(),
            issued_at: now,
            expires_at: now + self.config.password_token_ttl,
        };
        self.keep_token(&token);
        Ok(token)
    }

    fn refresh_grant(&self, request: &TokenRequest) -> Result<Token, TokenError> {
        let client_id = request.require("client_id")?;
        let secret = request.require("client_secret")?;
        let refresh = request.require("refresh_token")?;
        let merchant = self.store.merchants().get(client_id);
        let merchant = authenticate_client(merchant.as_deref(), secret)?;
        let previous = self
            .store
            .tokens()
            .by_refresh(refresh)
            .filter(|t| t.client_id == merchant.client_id)
            .ok_or(TokenError::InvalidRefreshToken)?;
        let now = self.clock.now();
        let scope = request
            .get(&["scope"])
            .map(|_| request.raw("scope").to_string())
            .unwrap_or(previous.scope.clone());
        let token = Token {
            access_token: self.ids.access_token(),
            refresh_token: String::new(),
            scope,
            issued_at: now,
            expires_at: now + self.config.token_ttl,
            ..previous
        };
        self.keep_token(&token);
        Ok(token)
    }
}
