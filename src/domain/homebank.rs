//! Homebank users of the Halyk ID flow: a `x-homebank-auth` token and the cards the Homebank
//! app holds for it (`GET /hb-cards`). Fixture data (`fixtures/homebank.json`) in the shape of
//! halyk/EpaySDK `HomeBankCard`, where every field is optional.

use serde::{Deserialize, Serialize};

/// A Homebank customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HomebankUser {
    /// The token the app sends as `x-homebank-auth: Bearer <token>`.
    pub token: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// The customer's cards.
    #[serde(default)]
    pub cards: Vec<HomebankCard>,
}

/// One card of a Homebank customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct HomebankCard {
    pub alias_name: Option<String>,
    pub is_hidden: Option<bool>,
    /// The id a Halyk ID payment names the card by (`osuvoxCardId`).
    pub system_attribute_id: Option<String>,
    pub card_info: Option<HomebankCardInfo>,
    pub limit: Option<Vec<HomebankCardLimit>>,
}

/// The card's details (`cardMask` is its last four digits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct HomebankCardInfo {
    pub owner_id: Option<String>,
    pub card_mask: Option<String>,
    pub iban: Option<String>,
    pub is_valid: Option<bool>,
    pub currency: Option<String>,
    /// `"250000.00 KZT"`: a text, as the SDK reads it.
    pub current_balance: Option<String>,
    /// `VISA_…`, `MC_…`, `WALLET`.
    pub card_type: Option<String>,
    pub is_multi_currency: Option<bool>,
    pub is_virtual: Option<bool>,
}

/// A spending limit of the card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct HomebankCardLimit {
    pub currency_limit: Option<String>,
    pub end_period: Option<String>,
    pub limit_period: Option<i64>,
    pub max_amount: Option<f64>,
}
