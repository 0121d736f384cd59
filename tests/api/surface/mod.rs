//! Invoice links, recurrent subscriptions and QR bills (docs/invoices-recurrent-qr.md): each
//! endpoint's happy path, its errors and its callbacks, bare and under `/api`.

mod invoice_links;
mod qr;
mod recurrent;
mod state;

use crate::helpers::*;
use crate::operations_search::cabinet_token;
use epay_sandbox::callbacks::Delivery;
use epay_sandbox::domain::money::Amount;
use epay_sandbox::domain::transaction::{Links, Transaction};
use serde_json::Value;
use std::time::Duration;

/// Longest a test waits for a callback to be queued; never reached when things work.
const WAIT: Duration = Duration::from_secs(20);

/// Where the merchant wants its callbacks: a closed port, so each delivery is logged with its
/// body and retried, which is all these tests look at.
const POST_LINK: &str = "http://127.0.0.1:9/epay/ok";
const FAILURE_POST_LINK: &str = "http://127.0.0.1:9/epay/fail";

impl TestApp {
    /// Moves the sandbox clock forward (ISO-8601 or short form).
    async fn advance(&self, duration: &str) {
        let (status, body) = self
            .control_call(
                reqwest::Method::POST,
                "/_sandbox/clock/advance",
                Some(serde_json::json!({ "duration": duration })),
            )
            .await;
        assert_eq!(status, 200, "advance: {body}");
    }

    /// An approved (AUTH) payment on `terminal` with the test callbacks, made through the engine.
    fn subscribable_payment(&self, terminal: &str, invoice_id: &str, amount: Amount) -> Transaction {
        let mut new = self.payment_template(terminal, invoice_id);
        new.amount = amount;
        new.links = Links {
            post_link: POST_LINK.into(),
            failure_post_link: FAILURE_POST_LINK.into(),
            ..Links::default()
        };
        let tx = self.open_payment(new);
        self.sandbox().approve(tx.id()).expect("a NEW payment can be approved")
    }

    /// Waits until a callback for `invoice` to `url` is in the delivery log; returns it.
    async fn callback_to(&self, invoice: &str, url: &str) -> Delivery {
        let matches = |d: &Delivery| d.invoice_id == invoice && d.url == url;
        match self
            .sandbox()
            .callbacks()
            .wait_for(|all| all.iter().any(matches), WAIT)
            .await
        {
            Ok(all) => all.into_iter().find(matches).expect("just seen"),
            Err(seen) => panic!("no callback of {invoice} to {url}; log: {seen:#?}"),
        }
    }

    /// Whether any callback for `invoice` was queued.
    fn callbacks_of(&self, invoice: &str) -> Vec<Delivery> {
        self.sandbox()
            .callbacks()
            .deliveries(&Default::default())
            .into_iter()
            .filter(|d| d.invoice_id == invoice)
            .collect()
    }
}

/// Both prefixes every bank route is served under.
const PREFIXES: [&str; 2] = ["", "/api"];
