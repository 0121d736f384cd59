//! The bank's spellings of request fields, in one table: clients send `invoiceId` or
//! `invoiceID`, `MD` or `md`, and the sandbox reads the first present, non-empty one, in the
//! order listed here. The order is part of the behaviour when a body carries two spellings.

/// The order's invoice id (cryptopay, cards/auth, the payment page).
pub const INVOICE_ID: &[&str] = &["invoiceId", "invoiceID"];
/// The alternative invoice id.
pub const INVOICE_ID_ALT: &[&str] = &["invoiceIdAlt", "invoiceIDAlt"];
/// The customer's account id in payment bodies.
pub const ACCOUNT_ID: &[&str] = &["accountId", "accountID"];
/// The customer's account id in transfer `order` objects, seed 000's `accountID` first.
pub const TRANSFER_ACCOUNT_ID: &[&str] = &["accountID", "accountId"];
/// The terminal of an API payment or transfer.
pub const TERMINAL_ID: &[&str] = &["terminalId", "terminalID", "terminal"];
/// The terminal of a payment-page request (`terminal` first, as the page's script sends it).
pub const PAYFORM_TERMINAL: &[&str] = &["terminal", "terminalId", "terminalID"];
/// The order number of a transfer `order` object (seed 000's `id`, or an invoice id).
pub const ORDER_ID: &[&str] = &["id", "orderId", "orderID", "invoiceId", "invoiceID"];
/// The 3-D Secure merchant data.
pub const MD: &[&str] = &["MD", "md"];
/// The 3-D Secure authentication response.
pub const PA_RES: &[&str] = &["PaRes", "paRes"];
/// A saved sender card of a transfer (seed 004's `senderCardId`; the postLink's `senderCardID`).
pub const SENDER_CARD_ID: &[&str] = &["senderCardId", "senderCardID"];
/// A saved receiver card of a transfer (seed 004's `receiverCardId`).
pub const RECEIVER_CARD_ID: &[&str] = &["receiverCardId", "receiverCardID"];
