//! Token answers of `POST /oauth2/token`, key for key as the bank's samples.

use crate::domain::tokens::Token;
use crate::fidelity::{Profile, RefreshToken};
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;
use utoipa::ToSchema;

/// The client-credentials answer, and (without `refresh_token`) the refresh answer. The
/// profile decides `expires_in`'s type (default the string `"7200"`), whether `refresh_token`
/// is there and how `scope` is echoed.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenAnswer<'a> {
    access_token: &'a str,
    /// Seconds; its JSON type is the fidelity key `token.expires_in` (the document shows the
    /// default, a string).
    #[schema(value_type = String, example = "7200")]
    expires_in: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'static str>,
    #[schema(value_type = String)]
    scope: Cow<'a, str>,
    token_type: &'static str,
}

impl<'a> TokenAnswer<'a> {
    /// A client-credentials token: `refresh_token` present and empty (`token.refresh_token`).
    pub fn client_credentials(token: &'a Token, profile: &Profile) -> Self {
        TokenAnswer {
            refresh_token: (profile.token_refresh_token == RefreshToken::Present).then_some(""),
            ..Self::refreshed(token, profile)
        }
    }

    /// A refreshed token: no `refresh_token` key.
    pub fn refreshed(token: &'a Token, profile: &Profile) -> Self {
        TokenAnswer {
            access_token: &token.access_token,
            expires_in: profile.token_expires_in.render(lifetime(token)),
            refresh_token: None,
            scope: profile.token_scope_echo.render(&token.scope),
            token_type: "Bearer",
        }
    }
}

/// The password-grant answer: lower-case `bearer`, a refresh token, `expires_in` last.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordTokenAnswer<'a> {
    access_token: &'a str,
    token_type: &'static str,
    refresh_token: &'a str,
    expires_in: i64,
}

impl<'a> PasswordTokenAnswer<'a> {
    /// The answer for `token`.
    pub fn of(token: &'a Token) -> Self {
        PasswordTokenAnswer {
            access_token: &token.access_token,
            token_type: "bearer",
            refresh_token: &token.refresh_token,
            expires_in: lifetime(token),
        }
    }
}

/// The token's lifetime in seconds.
fn lifetime(token: &Token) -> i64 {
    (token.expires_at - token.issued_at).num_seconds()
}

/// The token endpoint's 200 body in the OpenAPI document: either answer.
pub type AnyTokenAnswer = super::AnyOf<TokenAnswer<'static>, PasswordTokenAnswer<'static>>;
