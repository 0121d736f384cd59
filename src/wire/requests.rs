//! The request bodies of the bank API as the OpenAPI document shows them.
//!
//! The handlers read these bodies leniently (numbers or strings, `invoiceId`/`invoiceID`, …;
//! see `http/lenient.rs` and `http/aliases.rs`), so there is no typed struct to derive the
//! schema from: these structs are that schema, written once, with the canonical key names.
//! They are never built (hence `dead_code` allowed); the API tests and schemathesis check that
//! the server accepts what they describe.
#![allow(dead_code)]

use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /oauth2/token`: every grant's fields (form, multipart or JSON).
#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    /// `client_credentials` (the default), `password` or `refresh_token`.
    #[schema(example = "client_credentials")]
    grant_type: Option<String>,
    /// Merchant client id (`test` in the bank's test environment).
    #[schema(example = "test")]
    client_id: Option<String>,
    /// Merchant client secret (the example is the bank's public test client's).
    #[schema(example = "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG")]
    client_secret: Option<String>,
    /// Space-separated scopes (`webapi usermanagement email_send verification statement statistics payment`).
    #[schema(example = "webapi usermanagement email_send verification statement statistics payment")]
    scope: Option<String>,
    /// Order number: makes a payment token bound to this invoice.
    #[serde(rename = "invoiceID")]
    invoice_id: Option<String>,
    /// Amount the payment token allows.
    amount: Option<String>,
    /// Currency of the payment token (KZT).
    currency: Option<String>,
    /// Terminal UUID of the payment token.
    terminal: Option<String>,
    /// Callback URL for approved payments.
    #[serde(rename = "postLink")]
    post_link: Option<String>,
    /// Callback URL for failed payments.
    #[serde(rename = "failurePostLink")]
    failure_post_link: Option<String>,
    /// Cabinet login (password grant).
    username: Option<String>,
    /// Cabinet password (password grant).
    password: Option<String>,
    /// Refresh token (refresh grant).
    refresh_token: Option<String>,
}

/// A saved card to pay with: `{"id": "<cardID>"}`.
#[derive(Deserialize, ToSchema)]
pub struct CardRef {
    /// The `cardID` of an earlier payment with `cardSave: true`.
    id: String,
}

/// `POST /payment/cryptopay` and `POST /payments/cards/auth` (seed 002).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequest {
    /// Amount in the currency's major unit (a number or a numeric string).
    #[schema(value_type = f64)]
    amount: String,
    /// ISO currency code (KZT).
    currency: String,
    /// Merchant order number (`invoiceID` is accepted too).
    invoice_id: String,
    /// Alternative order number.
    invoice_id_alt: Option<String>,
    /// Terminal UUID (default: the token's).
    terminal_id: Option<String>,
    /// Cardholder name.
    name: Option<String>,
    /// Order description.
    description: Option<String>,
    /// Merchant customer id (saved cards are kept per customer).
    account_id: Option<String>,
    /// Payer e-mail.
    email: Option<String>,
    /// Payer phone.
    phone: Option<String>,
    /// `rus`, `kaz` or `eng`.
    language: Option<String>,
    /// Free text echoed in callbacks.
    data: Option<String>,
    /// Absolute http(s) URL the payer returns to on success.
    back_link: Option<String>,
    /// Absolute http(s) URL the payer returns to on failure.
    failure_back_link: Option<String>,
    /// Absolute http(s) callback URL for the approved payment.
    post_link: Option<String>,
    /// Absolute http(s) callback URL for the failed payment.
    failure_post_link: Option<String>,
    /// Save the card for later `cardId` payments.
    card_save: Option<bool>,
    /// `applePay`, `googlePay` or `cardId`; a card cryptogram when absent.
    payment_type: Option<String>,
    /// RSA-encrypted card data (see `GET /public.rsa` and `POST /_sandbox/cryptogram`).
    cryptogram: Option<String>,
    /// The saved card of a `paymentType: cardId` payment.
    card_id: Option<CardRef>,
}

/// `POST /payments/cards/auth`: a payment with a saved card, or a transfer (`{order, card}`).
pub type CardsAuthRequest = super::AnyOf<PaymentRequest, TransferRequest>;

/// `POST /payment/confirm` (seed 003): the ACS's answer for a 3-D Secure payment.
#[derive(Deserialize, ToSchema)]
pub struct ConfirmRequest {
    /// The transaction id of the cryptopay answer.
    #[serde(rename = "ID")]
    id: Option<String>,
    /// The ACS's `PaRes`.
    #[serde(rename = "PaRes")]
    pa_res: String,
    /// The `MD` of the challenge.
    #[serde(rename = "MD")]
    md: String,
}

/// The form the ACS posts to a TermUrl.
#[derive(Deserialize, ToSchema)]
pub struct AcsAnswer {
    /// The ACS's signed statement.
    #[serde(rename = "PaRes")]
    pa_res: String,
    /// The session key of the challenge.
    #[serde(rename = "MD")]
    md: String,
}

/// The order of a transfer (seed 000).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransferOrder {
    /// Order number (digits).
    id: String,
    /// Amount in the currency's major unit.
    #[schema(value_type = f64)]
    amount: String,
    /// ISO currency code (default KZT).
    currency: Option<String>,
    /// Terminal UUID (default: the token's).
    terminal_id: Option<String>,
    /// Description.
    description: Option<String>,
    /// Merchant customer id.
    #[serde(rename = "accountID")]
    account_id: Option<String>,
    /// Sender e-mail.
    sender_email: Option<String>,
    /// `rus`, `kaz` or `eng`.
    language: Option<String>,
    /// Absolute http(s) URL the payer returns to on success.
    back_link: Option<String>,
    /// Absolute http(s) URL the payer returns to on failure.
    failure_back_link: Option<String>,
    /// Absolute http(s) callback URL for the finished transfer.
    post_link: Option<String>,
    /// Absolute http(s) callback URL for the failed transfer.
    failure_post_link: Option<String>,
}

/// A card's expiry.
#[derive(Deserialize, ToSchema)]
pub struct Expiry {
    /// Two digits.
    month: String,
    /// Two digits.
    year: String,
}

/// One side of a transfer: a card by number, a saved card by id, or a phone (OCT).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransferParty {
    /// `TYPEPAN` (card number in `cardCred`) or `TYPECARDID` (saved card id).
    transfer_type: Option<String>,
    /// Card number, or the saved card id.
    card_cred: Option<String>,
    /// Saved card id.
    card_id: Option<String>,
    /// Phone of an OCT payout.
    phone: Option<String>,
    /// Card expiry.
    expire: Option<Expiry>,
    /// CVC.
    cvc: Option<String>,
    /// Cardholder name.
    name: Option<String>,
    /// Save the card.
    save: Option<bool>,
    /// Holder's IIN.
    iin: Option<String>,
}

/// The cards of a transfer.
#[derive(Deserialize, ToSchema)]
pub struct TransferCards {
    /// The debited card.
    sender: Option<TransferParty>,
    /// The credited card.
    receiver: Option<TransferParty>,
}

/// `POST /p2p/transfer`, `/chdebit/transfer`, `/chpayment/transfer` (seed 000).
#[derive(Deserialize, ToSchema)]
pub struct TransferRequest {
    /// The order.
    order: TransferOrder,
    /// The cards.
    card: Option<TransferCards>,
}

/// `POST /operations` and `POST /p2p/operations` (spec §3.8).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    /// Rows to skip.
    page: Option<u32>,
    /// Page size.
    size: Option<u32>,
    /// Filters: `startDate`, `endDate`, `terminal`, `invoiceId`, `statusName`, `amount`, …
    #[schema(value_type = Object)]
    search_parameters: Option<String>,
}

/// `POST /operation/{id}/charge|refund`: an optional partial amount (or `?amount=`).
#[derive(Deserialize, ToSchema)]
pub struct OperationAmount {
    /// Amount in the currency's major unit (the whole remaining amount when absent).
    #[schema(value_type = f64)]
    amount: Option<String>,
}

/// `POST /_sandbox/cryptogram`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CryptogramRequest {
    /// Card number.
    hpan: String,
    /// `MMYY` or `MM/YY`.
    exp_date: String,
    /// CVC.
    cvc: String,
    /// Terminal UUID.
    terminal_id: String,
    /// Let a Luhn-invalid number through (to test reason 472).
    allow_bad_luhn: Option<bool>,
}

/// `POST /_sandbox/3ds/{key}/complete`.
#[derive(Deserialize, ToSchema)]
pub struct ChallengeVerdict {
    /// `approve` or `fail`.
    result: String,
}
