//! The bank's rules as plain Rust: no HTTP types here, so everything can be unit- and
//! property-tested.

pub mod cards;
pub mod duration;
pub mod merchants;
pub mod money;
pub mod outcome;
pub mod reasons;
pub mod scenario;
pub mod status;
pub mod tokens;
pub mod transaction;
pub mod validation;

#[cfg(test)]
mod state_machine_props;
