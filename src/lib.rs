//! # ePay Sandbox
//!
//! An offline, high-fidelity emulator of Halyk Bank's ePay card-payment gateway. It serves the
//! bank's paths, field names, response shapes and status codes, so a client switches to it by
//! changing only the host, and gives tests what the bank's test environment cannot:
//! deterministic ids, forced outcomes, a controllable clock and a reset.
//!
//! Layout: [`http`] (one module per ePay area; answers are the typed views of [`wire`]) calls
//! [`engine`] (the rules wired to state), which uses [`domain`] (plain Rust: the transaction
//! aggregate, changed only by events through its transition table; cards, money, validation,
//! reason codes), [`store`] (one small store per kind of record, with its indexes and its lock
//! order) and [`deadlines`] (the one queue of timed work). Quirk decisions live in [`fidelity`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod callbacks;
#[cfg(feature = "cli")]
pub mod cli;
pub mod clock;
pub mod config;
pub mod connections;
pub mod control;
pub mod crypto;
pub mod deadlines;
pub mod domain;
pub mod engine;
pub mod fidelity;
pub mod fixtures;
pub mod healthcheck;
pub mod http;
pub mod ids;
pub mod parse_errors;
pub mod probe;
pub mod server;
pub mod store;
pub mod testkit;
pub mod tls;

/// The README's Rust examples, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
pub mod wire;

pub use config::Config;
pub use engine::Sandbox;
pub use http::app;
pub use server::{serve, serve_with_tls, SandboxServer, StartError};
pub use testkit::{Card, Payment};
