//! Per-request cost with the stores empty and with the caps full: token, check-status,
//! saved-card payment and transfer, measured in-process through the engine (no HTTP, so what
//! is measured is the state model, not the network stack). A benchmark, not a test: it prints
//! and asserts nothing.
//!
//! `cargo bench --bench flat_cost` (release profile). Full means 20 000 run-time merchants,
//! 20 000 transactions and 10 000 3-D Secure sessions waiting for the cardholder.

use epay_sandbox::control::merchants::NewMerchant;
use epay_sandbox::crypto::CardData;
use epay_sandbox::domain::money::Amount;
use epay_sandbox::domain::tokens::{Token, TokenRequest};
use epay_sandbox::domain::transfer::{TransferKind, TransferType};
use epay_sandbox::engine::{CardInput, PaymentMethod, PaymentRequest, TransferRequest};
use epay_sandbox::fixtures::Fixtures;
use epay_sandbox::store::StoreLimits;
use epay_sandbox::{Config, Sandbox};
use std::collections::HashMap;
use std::time::Instant;

const TERMINAL: &str = "67e34d63-102f-4bd1-898e-370781d0074d";
const P2P_TERMINAL: &str = "c36b282f-6819-4d4f-85df-a4bdc8a8f703";
const SECRET: &str = "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG";
const ROUNDS: usize = 2_000;

fn token_request(terminal: &str) -> TokenRequest {
    let fields: HashMap<String, String> = [
        ("grant_type", "client_credentials"),
        ("scope", "payment"),
        ("client_id", "test"),
        ("client_secret", SECRET),
        ("terminal", terminal),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    TokenRequest::new(fields)
}

fn payment(invoice: usize, account: &str, save: bool) -> PaymentRequest {
    PaymentRequest {
        amount: Amount::from_units(100),
        currency: "KZT".into(),
        invoice_id: format!("{invoice:09}"),
        name: "ARMAN ALI".into(),
        description: "bench".into(),
        account_id: account.into(),
        card_save: save,
        ..Default::default()
    }
}

fn card(pan: &str, exp: &str, cvc: &str) -> PaymentMethod {
    PaymentMethod::Card(CardData {
        hpan: pan.into(),
        exp_date: exp.into(),
        cvc: cvc.into(),
        terminal_id: TERMINAL.into(),
    })
}

struct Setup {
    sandbox: Sandbox,
    token: Token,
    p2p_token: Token,
    card_id: String,
    next_invoice: usize,
}

fn setup(full: bool) -> Setup {
    let limits = StoreLimits::default();
    let config = Config {
        limits,
        ..Config::default()
    };
    let sandbox = Sandbox::new(config, Fixtures::embedded().expect("embedded fixtures"));
    let token = sandbox.issue_token(&token_request(TERMINAL)).expect("token");
    let p2p_token = sandbox.issue_token(&token_request(P2P_TERMINAL)).expect("p2p token");
    let saved = sandbox
        .pay(
            &token,
            &payment(100_000_000, "bench", true),
            card("4405639704015096", "0127", "321"),
        )
        .expect("saving payment");
    let card_id = match saved {
        epay_sandbox::engine::PaymentAccepted::Approved(tx) => tx.card().card_id.clone(),
        other => panic!("approved expected, got {other:?}"),
    };
    if full {
        for _ in 0..20_000 {
            sandbox.create_merchant(NewMerchant::default()).expect("merchant");
        }
        for n in 0..10_000 {
            sandbox
                .pay(
                    &token,
                    &payment(200_000_000 + n, "", false),
                    card("4000000000003014", "1230", "123"),
                )
                .ok();
        }
        for n in 0..10_000 {
            sandbox
                .pay(
                    &token,
                    &payment(300_010_000 + n, "", false),
                    card("4405639704015096", "0127", "321"),
                )
                .ok();
        }
    }
    Setup {
        sandbox,
        token,
        p2p_token,
        card_id,
        next_invoice: 400_000_000,
    }
}

/// Microseconds per call of `op`, the median of five batches of [`ROUNDS`].
fn per_call(mut op: impl FnMut()) -> f64 {
    let mut batches: Vec<f64> = (0..5)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..ROUNDS {
                op();
            }
            started.elapsed().as_secs_f64() * 1e6 / ROUNDS as f64
        })
        .collect();
    batches.sort_by(f64::total_cmp);
    batches[2]
}

fn measure(setup: &mut Setup) -> [f64; 4] {
    let sandbox = &setup.sandbox;
    let token = per_call(|| {
        sandbox.issue_token(&token_request(TERMINAL)).ok();
    });
    let status = per_call(|| {
        sandbox.check_payment_status(&setup.token, "100000000");
    });
    let mut invoice = setup.next_invoice;
    let saved = per_call(|| {
        invoice += 1;
        sandbox
            .pay(
                &setup.token,
                &payment(invoice, "bench", false),
                PaymentMethod::SavedCard(setup.card_id.clone()),
            )
            .ok();
    });
    let transfer = per_call(|| {
        invoice += 1;
        let request = TransferRequest {
            order_id: format!("{invoice:012}"),
            amount: Amount::from_units(1),
            currency: "KZT".into(),
            description: "bench".into(),
            sender: Some(CardInput {
                transfer_type: Some(TransferType::Pan),
                cred: "4405639704015096".into(),
                cvc: "321".into(),
                expiry: "0127".into(),
                ..Default::default()
            }),
            receiver: Some(CardInput {
                transfer_type: Some(TransferType::Pan),
                cred: "5522042705066736".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        sandbox.transfer(&setup.p2p_token, TransferKind::P2p, &request).ok();
    });
    setup.next_invoice = invoice;
    [token, status, saved, transfer]
}

fn main() {
    let mut empty = setup(false);
    let mut full = setup(true);
    let counts = full.sandbox.record_counts();
    println!("full: {counts:?}");
    let (e, f) = (measure(&mut empty), measure(&mut full));
    println!("| request | empty µs | caps full µs | full / empty |");
    println!("|---|---|---|---|");
    for (i, name) in ["token", "check-status", "saved-card payment", "transfer"]
        .iter()
        .enumerate()
    {
        println!("| {name} | {:.2} | {:.2} | {:.2} |", e[i], f[i], f[i] / e[i]);
    }
}
