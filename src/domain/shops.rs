//! Shops: what the bank's iOS SDK learns about the merchant it pays (`GET /terminals/{id}`,
//! `POST /public-profile`) and the installment conditions it offers (`GET /credit-condition`).
//! Fixture data (`fixtures/shops.json`); the shapes follow halyk/EpaySDK, the only source.

use super::merchants::{Merchant, Terminal};
use super::money::Amount;
use serde::{Deserialize, Serialize};

/// A shop: terminals of one merchant sold under one name, with its branding and conditions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shop {
    /// Shop UUID (`shop.id`, the `shopId` of credit conditions and orders).
    pub id: String,
    /// The OAuth client that owns it.
    pub client_id: String,
    /// Shop name.
    pub name: String,
    /// Shop web site.
    #[serde(default)]
    pub url: String,
    /// Terminal UUIDs sold under this shop.
    #[serde(default)]
    pub terminals: Vec<String>,
    /// The legal entity behind it.
    pub merchant: ShopMerchant,
    /// Branding the SDK's payment screen uses (`assets` of the public profile).
    #[serde(default)]
    pub assets: ShopAssets,
    /// Installment and credit conditions offered.
    #[serde(default)]
    pub credit_conditions: Vec<CreditCondition>,
}

/// The merchant of a shop (`shop.merchant` of `GET /terminals/{id}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShopMerchant {
    /// Merchant UUID.
    pub id: String,
    /// Trade name.
    pub trade_name: String,
    /// Registered company name.
    pub company_name: String,
    /// What it sells.
    #[serde(default)]
    pub description: String,
    /// Contact phone.
    #[serde(default)]
    pub phone: String,
}

/// One installment or credit offer of a shop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditCondition {
    /// Condition UUID (`creditConditionId` of an order).
    pub id: String,
    /// Number of monthly payments.
    pub month_count: u32,
    /// Yearly interest, percent (0 for an installment).
    pub interest_rate: f64,
    /// Smallest order this condition is granted for.
    #[serde(default)]
    pub min_amount: Amount,
    /// Largest order this condition is granted for (no bound when absent).
    #[serde(default)]
    pub max_amount: Option<Amount>,
}

impl CreditCondition {
    /// Whether the bank grants this condition for an order of `amount`.
    pub fn grants(&self, amount: Amount) -> bool {
        amount >= self.min_amount && self.max_amount.is_none_or(|max| amount <= max)
    }
}

/// The `assets` of `POST /public-profile`, with the SDK's snake_case keys. Every field is
/// optional in the SDK; the sandbox fills them from the fixture or the shop itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShopAssets {
    /// Shop name shown on the payment screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shop_name: Option<String>,
    /// Logo URL (the SDK downloads it when `payment_view_settings.logo` is true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// Default language (`rus`, `kaz`, `eng`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Shop e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Shop phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Colours of the payment screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color_scheme: Option<ColorScheme>,
    /// Which payment methods and fields the screen shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_view_settings: Option<PaymentViewSettings>,
    /// Which options the transfer screen shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p2p_view_settings: Option<P2pViewSettings>,
    /// Whether Humo cards are accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_system_humo: Option<bool>,
    /// Whether UzCard cards are accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_system_uzcard: Option<bool>,
}

/// Colours (`bg` and `card_bg` are JSON texts of `{color1, color2, gradient}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ColorScheme {
    /// Page background.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bg: Option<String>,
    /// Card background.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_bg: Option<String>,
    /// Button colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buttons: Option<String>,
    /// Text colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Text colour on the card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_text: Option<String>,
}

/// Switches of the SDK's payment screen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct PaymentViewSettings {
    pub logo: Option<bool>,
    pub additional_info: Option<bool>,
    pub by_card: Option<bool>,
    #[serde(rename = "byHalykID")]
    pub by_halyk_id: Option<bool>,
    #[serde(rename = "byPayByHBCredit")]
    pub by_pay_by_hb_credit: Option<bool>,
    pub by_apple_pay: Option<bool>,
    pub by_samsung_pay: Option<bool>,
    pub by_google_pay: Option<bool>,
    pub by_master_pass: Option<bool>,
    pub by_go_bonuses: Option<bool>,
    #[serde(rename = "byQR")]
    pub by_qr: Option<bool>,
    pub user_contacts_by_email: Option<bool>,
    pub user_contacts_all: Option<bool>,
    pub attempts_info: Option<bool>,
    pub payer_name: Option<bool>,
}

/// Switches of the SDK's transfer screen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct P2pViewSettings {
    pub checkbox_save_card_sender: Option<bool>,
    pub checkbox_save_card_receiver: Option<bool>,
    pub notification_by_email: Option<bool>,
}

impl Shop {
    /// Whether the terminal `id` is sold under this shop.
    pub fn has_terminal(&self, id: &str) -> bool {
        self.terminals.iter().any(|t| t.eq_ignore_ascii_case(id))
    }

    /// The condition with this id.
    pub fn condition(&self, id: &str) -> Option<&CreditCondition> {
        self.credit_conditions
            .iter()
            .find(|c| c.id.eq_ignore_ascii_case(id.trim()))
    }

    /// The shop of a terminal that no fixture shop lists (a run-time merchant's, or an edited
    /// fixture's): the terminal's own id and name, the merchant's name, no credit conditions.
    pub fn of_terminal(merchant: &Merchant, terminal: &Terminal) -> Shop {
        Shop {
            id: terminal.id.clone(),
            client_id: merchant.client_id.clone(),
            name: terminal.name.clone(),
            url: String::new(),
            terminals: vec![terminal.id.clone()],
            merchant: ShopMerchant {
                id: merchant.client_id.clone(),
                trade_name: merchant.name.clone(),
                company_name: merchant.name.clone(),
                description: String::new(),
                phone: String::new(),
            },
            assets: ShopAssets::default(),
            credit_conditions: Vec::new(),
        }
    }
}
