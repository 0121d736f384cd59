//! Typed wire views: every response body the sandbox sends, as a `#[derive(Serialize)]` struct
//! with the bank's exact key names and order (field order is key order). Each shape is written
//! once and used by the API handlers and the callbacks, and is serialised straight to bytes,
//! without building a `serde_json::Value` tree first.
//!
//! Fields that depend on a fidelity choice are computed by one [`crate::fidelity`] function;
//! keys that are present only in some answers are `Option`s skipped when `None`.

pub mod control;
pub mod errors;
pub mod fidelity;
pub mod invoice_links;
pub mod loose;
pub mod oauth;
pub mod payment;
pub mod qr;
pub mod recurrent;
pub mod requests;
pub mod saved_cards;
pub mod sdk;
pub mod status;
pub mod transfer;

use serde::Serialize;
use utoipa::ToSchema;

/// The payer's location block as the bank's flat transaction objects end it. Check-status
/// writes latitude before longitude; the flat view and callbacks the other way round, so the
/// two coordinates are placed by each view.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct PayerPlace {
    /// `ipCountry`.
    #[serde(rename = "ipCountry")]
    pub country: &'static str,
    /// `ipCity`.
    #[serde(rename = "ipCity")]
    pub city: &'static str,
    /// `ipRegion`: always empty in the samples.
    #[serde(rename = "ipRegion")]
    pub region: &'static str,
    /// `ipDistrict`: always empty in the samples.
    #[serde(rename = "ipDistrict")]
    pub district: &'static str,
}

impl PayerPlace {
    /// The sandbox's one payer place (fidelity constants).
    pub const SANDBOX: PayerPlace = PayerPlace {
        country: crate::fidelity::PAYER_COUNTRY,
        city: crate::fidelity::PAYER_CITY,
        region: "",
        district: "",
    };
}

/// Amounts are JSON numbers: integral tenge as integers, others with two decimals.
impl utoipa::PartialSchema for crate::domain::money::Amount {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Number)
            .description(Some("An amount in the currency's major unit (e.g. 100 or 100.5)"))
            .into()
    }
}

impl ToSchema for crate::domain::money::Amount {}

/// A body of one of two shapes, for the OpenAPI document (`anyOf`, since a body may well match
/// both: a client-credentials token answer, with its empty `refresh_token`, matches the
/// password-grant shape too). Never built.
pub struct AnyOf<A, B>(std::marker::PhantomData<(A, B)>);

impl<A: ToSchema, B: ToSchema> utoipa::PartialSchema for AnyOf<A, B> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{schema::AnyOfBuilder, Ref};
        AnyOfBuilder::new()
            .item(Ref::from_schema_name(A::name()))
            .item(Ref::from_schema_name(B::name()))
            .into()
    }
}

impl<A: ToSchema, B: ToSchema> ToSchema for AnyOf<A, B> {
    fn name() -> std::borrow::Cow<'static, str> {
        format!("{}_or_{}", A::name(), B::name()).into()
    }

    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        schemas.push((A::name().into(), A::schema()));
        A::schemas(schemas);
        schemas.push((B::name().into(), B::schema()));
        B::schemas(schemas);
    }
}

/// `reasonCode` in check-status is a string, success as `"00"` like the sample. (F-09)
pub fn reason_code_string(code: i32) -> String {
    if code == 0 {
        "00".into()
    } else {
        code.to_string()
    }
}

/// The answer of the paged searches `POST /operations` and `POST /p2p/operations`:
/// `{data, total, page, size}` (spec §3.8).
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchPageView<T> {
    /// The rows of this page.
    pub data: Vec<T>,
    /// How many rows match in all.
    pub total: usize,
    /// The skip count asked for.
    pub page: usize,
    /// The page size asked for.
    pub size: usize,
}

impl<T> SearchPageView<T> {
    /// The page `page` of `query`, each row shown by `view`.
    pub fn new<'a, R>(
        query: &crate::domain::search::SearchQuery,
        page: &'a crate::domain::search::SearchPage<R>,
        view: impl Fn(&'a R) -> T,
    ) -> Self {
        SearchPageView {
            data: page.items.iter().map(view).collect(),
            total: page.total,
            page: query.skip,
            size: query.size,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::payment::PaymentReceipt;
    use super::status::FlatPaymentView;
    use super::transfer::{P2pView, TransferReceipt};
    use crate::domain::money::Amount;
    use crate::domain::transaction::tests::{opened, sample_new};
    use crate::domain::transaction::TransactionKind;
    use crate::fidelity::Profile;

    fn keys(view: &impl serde::Serialize) -> Vec<String> {
        match serde_json::to_value(view) {
            Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    fn split(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn payment_views_keep_the_bank_key_order() {
        let tx = opened(sample_new(Amount::from_minor(1222)));
        assert_eq!(
            keys(&FlatPaymentView::operation(&tx)),
            split(
                "id dateTime invoiceId amount currency terminal accountId description language cardMask cardType \
                 issuer reference secure code reason reasonCode name email phone ip ipCountry ipCity ipRegion \
                 ipDistrict ipLongitude ipLatitude cardId"
            )
        );
        assert_eq!(
            keys(&PaymentReceipt::approved(&tx, &Profile::default())),
            split(
                "id accountId amount amountBonus currency description email invoiceID invoiceIdAlt language phone \
                 reference intReference secure3D cardID fee accountID code status"
            )
        );
    }

    #[test]
    fn transfer_views_keep_the_bank_key_order() {
        let mut new = sample_new(Amount::from_minor(1222));
        new.kind = TransactionKind::Transfer;
        let tx = opened(new);
        let parties = "senderCardID senderCardPAN senderCardType senderTransferType receiverCardID \
                       receiverCardPAN receiverCardType receiverTransferType";
        assert_eq!(
            keys(&TransferReceipt::done(&tx, &Profile::default())),
            split(&format!(
                "id amount fee accountID currency email description reference orderID {parties} intReference \
                 terminalID code status"
            ))
        );
        assert_eq!(
            keys(&P2pView::of(&tx, &Profile::default())),
            split(&format!(
                "id createdDate invoiceID amount amountBonus payoutAmount fee currency cardType cardMask terminal \
                 terminalID accountID description language email reference intReference approvalCode transferType \
                 {parties} secure statusID statusName reason reasonCode"
            ))
        );
    }
}
