//! The bank's rules as plain Rust: no HTTP types here, so everything can be unit- and
//! property-tested.

pub mod bonus;
pub mod cards;
pub mod duration;
pub mod homebank;
pub mod installment;
pub mod invoice_links;
pub mod issuer;
pub mod links;
pub mod merchants;
pub mod money;
pub mod outcome;
pub mod payform;
pub mod qr;
pub mod reasons;
pub mod recurrent;
pub mod saved_cards;
pub mod scenario;
pub mod search;
pub mod secure3d;
pub mod shops;
pub mod status;
pub mod texts;
pub mod tokens;
pub mod transaction;
pub mod transfer;
pub mod validation;

#[cfg(test)]
pub(crate) mod state_machine_props;
