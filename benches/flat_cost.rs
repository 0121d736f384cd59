//! Per-request cost with the stores empty and with the caps full: token, check-status,
//! saved-card payment and transfer, measured in-process through the engine (no HTTP, so what
//! is measured is the state model, not the network stack). A benchmark, not a test: it prints
//! and asserts nothing.
//!
//! `cargo bench --bench flat_cost` (release profile). Full means 20 000 run-time merchants,
//! 20 000 transactions and 10 000 3-D Secure sessions waiting for the cardholder.
//!
//! Instruction counts, free of timing noise: build with `cargo bench --bench flat_cost --no-run`
//! and run the binary under `valgrind --tool=callgrind --collect-atstart=no
//! --toggle-collect='*counted_window*'` with `FLAT_COST_COUNT=<0-3>:<empty|full>`
//! (`benches/flat_cost_counts.sh` runs all eight).

use epay_sandbox::control::merchants::NewMerchant;
use epay_sandbox::crypto::CardData;
use epay_sandbox::domain::money::Amount;
use epay_sandbox::domain::tokens::{FieldMap, Token, TokenRequest};
use epay_sandbox::domain::transfer::{TransferKind, TransferType};
use epay_sandbox::engine::{CardInput, PaymentMethod, PaymentRequest, TransferRequest};
use epay_sandbox::fixtures::Fixtures;
use epay_sandbox::store::StoreLimits;
use epay_sandbox::{Config, Sandbox};
use std::time::Instant;

const TERMINAL: &str = "67e34d63-102f-4bd1-898e-370781d0074d";
const P2P_TERMINAL: &str = "c36b282f-6819-4d4f-85df-a4bdc8a8f703";
const SECRET: &str = "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG";
const ROUNDS: usize = 2_000;

fn token_request(terminal: &str) -> TokenRequest {
    let fields: FieldMap = [
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
        epay_sandbox::engine::PaymentAccepted::Approved(tx) => tx.card().card_id.to_string(),
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

/// The four requests measured, in table order.
const REQUESTS: [&str; 4] = ["token", "check-status", "saved-card payment", "transfer"];

/// Runs request `which` once on `setup`.
fn call(setup: &mut Setup, which: usize) {
    let sandbox = &setup.sandbox;
    setup.next_invoice += 1;
    let invoice = setup.next_invoice;
    match which {
        0 => {
            sandbox.issue_token(&token_request(TERMINAL)).ok();
        }
        1 => {
            sandbox.check_payment_status(&setup.token, "100000000");
        }
        2 => {
            sandbox
                .pay(
                    &setup.token,
                    &payment(invoice, "bench", false),
                    PaymentMethod::SavedCard(setup.card_id.clone()),
                )
                .ok();
        }
        _ => {
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
        }
    }
}

/// Microseconds per call of one batch of [`ROUNDS`] calls.
fn batch(setup: &mut Setup, which: usize) -> f64 {
    let started = Instant::now();
    for _ in 0..ROUNDS {
        call(setup, which);
    }
    started.elapsed().as_secs_f64() * 1e6 / ROUNDS as f64
}

/// The calls callgrind counts (`--toggle-collect=*counted_window*`): instructions are the same
/// on a loaded machine, so the full/empty ratio of a count is free of timing noise.
#[inline(never)]
fn counted_window(setup: &mut Setup, which: usize) {
    for _ in 0..ROUNDS {
        call(setup, which);
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    // `FLAT_COST_COUNT=<request index>:<empty|full>`: set up, warm up, then run one window of
    // calls for callgrind to count, and print nothing else.
    if let Ok(spec) = std::env::var("FLAT_COST_COUNT") {
        let (which, state) = spec.split_once(':').expect("FLAT_COST_COUNT=<0-3>:<empty|full>");
        let which: usize = which.parse().expect("a request index 0-3");
        let mut setup = setup(state == "full");
        for _ in 0..ROUNDS {
            call(&mut setup, which);
        }
        counted_window(&mut setup, which);
        return;
    }
    let mut empty = setup(false);
    let mut full = setup(true);
    let counts = full.sandbox.record_counts();
    println!("full: {counts:?}");
    println!("| request | empty µs | caps full µs | full / empty |");
    println!("|---|---|---|---|");
    for (which, name) in REQUESTS.iter().enumerate() {
        // Batches alternate between the two sandboxes, so a slow spell of the machine falls
        // on both; the median of seven of each is reported.
        let (mut e, mut f) = (Vec::new(), Vec::new());
        for _ in 0..7 {
            e.push(batch(&mut empty, which));
            f.push(batch(&mut full, which));
        }
        let (e, f) = (median(e), median(f));
        println!("| {name} | {e:.2} | {f:.2} | {:.2} |", f / e);
    }
}
