//! The answers of the iOS SDK's endpoints, each shaped as the halyk/EpaySDK `Decodable` struct
//! that reads it (the only source for these shapes): every non-optional Swift property is
//! present with its JSON type, so the SDK's strict `JSONDecoder` accepts them. (SDK-01…SDK-08)

use crate::domain::installment::InstallmentOrder;
use crate::domain::merchants::TerminalMode;
use crate::domain::money::Amount;
use crate::domain::shops::{CreditCondition, Shop, ShopAssets, ShopMerchant};
use crate::engine::TerminalInfo;
use serde::Serialize;
use utoipa::ToSchema;

/// `GET /terminals/{id}` (`TerminalsResponseBody`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TerminalView<'a> {
    /// The terminal UUID.
    id: &'a str,
    /// The processing-side terminal number (`98120001`).
    terminal_id: &'a str,
    /// One-step (capture at once) rather than two-step.
    single_message_scheme: bool,
    shop: ShopView<'a>,
}

#[derive(Debug, Serialize, ToSchema)]
struct ShopView<'a> {
    id: &'a str,
    name: &'a str,
    url: &'a str,
    merchant: &'a ShopMerchant,
}

impl<'a> TerminalView<'a> {
    /// The terminal and its shop.
    pub fn of(info: &'a TerminalInfo) -> Self {
        TerminalView {
            id: &info.terminal.id,
            terminal_id: &info.terminal.processing_id,
            single_message_scheme: info.terminal.mode == TerminalMode::OneStep,
            shop: ShopView {
                id: &info.shop.id,
                name: &info.shop.name,
                url: &info.shop.url,
                merchant: &info.shop.merchant,
            },
        }
    }
}

/// `POST /public-profile` (`PublicProfileResponseBody`): the shop's assets, with its name,
/// e-mail and phone filled in from the shop when the fixture leaves them out. The QR and deep
/// links belong to the Homebank QR product and stay `null`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicProfileView {
    assets: ShopAssets,
    #[serde(rename = "QR")]
    qr: Option<String>,
    #[serde(rename = "homebankLink")]
    homebank_link: Option<String>,
    #[serde(rename = "onlinebankLink")]
    onlinebank_link: Option<String>,
}

impl PublicProfileView {
    /// The profile of `shop`.
    pub fn of(shop: &Shop) -> Self {
        let mut assets = shop.assets.clone();
        let fill = |slot: &mut Option<String>, value: &str| {
            if slot.is_none() {
                *slot = Some(value.to_string());
            }
        };
        fill(&mut assets.shop_name, &shop.name);
        fill(&mut assets.phone, &shop.merchant.phone);
        PublicProfileView {
            assets,
            qr: None,
            homebank_link: None,
            onlinebank_link: None,
        }
    }
}

/// One element of `GET /credit-condition` (`CreditConditionResponseBody`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreditConditionView<'a> {
    id: &'a str,
    shop_id: &'a str,
    month_count: u32,
    interest_rate: f64,
}

impl<'a> CreditConditionView<'a> {
    /// Every condition of `shop`.
    pub fn list(shop: &'a Shop) -> Vec<Self> {
        shop.credit_conditions.iter().map(|c| Self::of(shop, c)).collect()
    }

    fn of(shop: &'a Shop, condition: &'a CreditCondition) -> Self {
        CreditConditionView {
            id: &condition.id,
            shop_id: &shop.id,
            month_count: condition.month_count,
            interest_rate: condition.interest_rate,
        }
    }
}

/// `POST /order` (`OrderResponseBody`): the approved terms are the requested ones (the bank's
/// decision comes later, through `GET /order/status`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderView<'a> {
    id: String,
    amount: Amount,
    shop_id: &'a str,
    credit_condition_id: &'a str,
    approved_amount: Amount,
    approved_month_count: u32,
    approved_interest_rate: f64,
}

impl<'a> OrderView<'a> {
    /// The order as `POST /order` answers it.
    pub fn of(order: &'a InstallmentOrder) -> Self {
        OrderView {
            id: order.id().to_string(),
            amount: order.amount(),
            shop_id: order.shop_id(),
            credit_condition_id: order.credit_condition_id(),
            approved_amount: order.amount(),
            approved_month_count: order.month_count(),
            approved_interest_rate: order.interest_rate(),
        }
    }
}

/// `GET /order/status` (`OrderStatusResponseBody`): the order's id and its status name.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderStatusView {
    id: String,
    #[schema(value_type = crate::domain::installment::OrderStatus)]
    name: &'static str,
}

impl OrderStatusView {
    /// The order's status.
    pub fn of(order: &InstallmentOrder) -> Self {
        OrderStatusView {
            id: order.id().to_string(),
            name: order.status().as_str(),
        }
    }
}

/// `POST /payment/checkgobonus` (`GoBonusResponseBody`).
#[derive(Debug, Serialize, ToSchema)]
pub struct GoBonusView {
    #[serde(rename = "goBonus")]
    go_bonus: Amount,
}

impl GoBonusView {
    /// A balance.
    pub fn of(go_bonus: Amount) -> Self {
        GoBonusView { go_bonus }
    }
}
