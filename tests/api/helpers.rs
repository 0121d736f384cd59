//! Spawning a sandbox and talking to it like a merchant would.

use epay_sandbox::domain::money::Amount;
use epay_sandbox::domain::transaction::{
    CardSnapshot, Event, Links, NewTransaction, OrderDetails, PendingOutcome, Transaction, TransactionKind,
};
use epay_sandbox::{Config, SandboxServer};
use serde_json::Value;

/// The bank's documented test client.
pub const CLIENT_ID: &str = "test";
/// Its secret.
pub const CLIENT_SECRET: &str = "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG";
/// Its two-step payment terminal.
pub const TERMINAL: &str = "67e34d63-102f-4bd1-898e-370781d0074d";
/// The sandbox's one-step payment terminal of the same client.
pub const ONE_STEP_TERMINAL: &str = "7c3a5e2d-0b1f-4c55-9a11-5a4d1e0c0001";
/// The documented P2P terminal.
#[allow(dead_code)]
pub const P2P_TERMINAL: &str = "c36b282f-6819-4d4f-85df-a4bdc8a8f703";
/// The long scope of the docs.
pub const SCOPE: &str = "webapi usermanagement email_send verification statement statistics payment";

/// A running sandbox and an HTTP client for it.
pub struct TestApp {
    pub server: SandboxServer,
    pub http: reqwest::Client,
}

impl TestApp {
    /// A sandbox with default settings on a free port.
    pub async fn spawn() -> Self {
        Self::spawn_with(Config::default()).await
    }

    /// A sandbox with `config` (its address is forced to a free loopback port).
    pub async fn spawn_with(config: Config) -> Self {
        let config = Config {
            addr: "127.0.0.1:0".parse().expect("loopback"),
            ..config
        };
        let server = SandboxServer::start(config).await.expect("sandbox starts");
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        TestApp { server, http }
    }

    /// Absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.url(), path)
    }

    /// The engine behind the server.
    pub fn sandbox(&self) -> &epay_sandbox::Sandbox {
        self.server.sandbox()
    }

    /// POSTs a urlencoded token request; returns status and JSON body.
    pub async fn token_request(&self, fields: &[(&str, &str)]) -> (u16, Value) {
        let response = self
            .http
            .post(self.url("/oauth2/token"))
            .form(fields)
            .send()
            .await
            .expect("token request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// A client-credentials token for `terminal` (no invoice).
    pub async fn terminal_token(&self, terminal: &str) -> String {
        let (status, body) = self
            .token_request(&[
                ("grant_type", "client_credentials"),
                ("scope", SCOPE),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("terminal", terminal),
            ])
            .await;
        assert_eq!(status, 200, "token: {body}");
        body["access_token"].as_str().expect("access_token").to_string()
    }

    /// GET with a bearer token; returns status and JSON body.
    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let response = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// GETs `path` without a token and returns the body as text.
    pub async fn get_text(&self, path: &str) -> String {
        let response = self.http.get(self.url(path)).send().await.expect("GET");
        response.text().await.expect("text")
    }

    /// Creates a NEW payment directly through the engine (no HTTP), as a test fixture.
    pub fn seed_payment(&self, terminal: &str, invoice_id: &str, amount_units: i64) -> Transaction {
        let mut new = self.payment_template(terminal, invoice_id);
        new.amount = Amount::from_units(amount_units);
        self.open_payment(new)
    }

    /// A NEW payment on `terminal` with the bank's test Visa, for a test to adjust and open.
    pub fn payment_template(&self, terminal: &str, invoice_id: &str) -> NewTransaction {
        let (client_id, t) = self.sandbox().terminal(terminal).expect("terminal in fixtures");
        NewTransaction {
            kind: TransactionKind::Payment,
            client_id,
            terminal_id: t.id.clone(),
            terminal_number: t.processing_id.clone(),
            order: OrderDetails {
                invoice_id: invoice_id.into(),
                currency: "KZT".into(),
                description: format!("order {invoice_id}"),
                language: "rus".into(),
                name: "ARMAN ALI".into(),
                email: "epay@halykbank.kz".into(),
                ..Default::default()
            },
            amount: Amount::ZERO,
            card: CardSnapshot {
                mask: "440563...5096".into(),
                brand: "VISA".into(),
                issuer: "Halyk Bank".into(),
                ..Default::default()
            },
            links: Links::default(),
            ip: "127.0.0.1".into(),
            transfer: None,
        }
    }

    /// Leaves a NEW payment pending (reason 454) until `pending` settles it.
    pub fn defer(&self, id: uuid::Uuid, pending: PendingOutcome) {
        let event = Event::Defer {
            pending,
            code: 454,
            reason: "pending".into(),
        };
        self.sandbox()
            .operate(id, event)
            .expect("a NEW payment can be deferred");
    }

    /// Opens a payment through the engine (its invoiceId must be new on the terminal).
    pub fn open_payment(&self, new: NewTransaction) -> Transaction {
        self.sandbox().open_transaction(new).expect("unique invoice")
    }

    /// A payment token bound to `invoice`, `amount`, `currency` and `terminal`, as seed 002 requests it.
    #[allow(dead_code)]
    pub async fn payment_token_in(&self, invoice: &str, amount: &str, currency: &str, terminal: &str) -> String {
        let (status, body) = self
            .token_request(&[
                ("grant_type", "client_credentials"),
                ("scope", SCOPE),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("invoiceID", invoice),
                ("amount", amount),
                ("currency", currency),
                ("terminal", terminal),
                ("postLink", ""),
                ("failurePostLink", ""),
            ])
            .await;
        assert_eq!(status, 200, "token: {body}");
        body["access_token"].as_str().expect("access_token").to_string()
    }

    /// A KZT payment token for `invoice`, `amount` on `terminal`.
    #[allow(dead_code)]
    pub async fn payment_token(&self, invoice: &str, amount: &str, terminal: &str) -> String {
        self.payment_token_in(invoice, amount, "KZT", terminal).await
    }

    /// A cryptogram for the sandbox's key, built like a merchant builds it.
    #[allow(dead_code)]
    pub fn cryptogram(&self, pan: &str, exp: &str, cvc: &str, terminal: &str) -> String {
        let card = epay_sandbox::crypto::CardData {
            hpan: pan.into(),
            exp_date: exp.into(),
            cvc: cvc.into(),
            terminal_id: terminal.into(),
        };
        epay_sandbox::crypto::encrypt_cryptogram(self.sandbox().crypto().public_pem(), &card).expect("encrypts")
    }

    /// POSTs JSON with a bearer token; returns status and JSON body.
    #[allow(dead_code)]
    pub async fn post_json(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("POST");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Makes every request under `path_prefix` take `ms` longer (a fault rule), so a test can
    /// hold a request in flight.
    pub async fn slow_down(&self, path_prefix: &str, ms: u64) {
        let rule = serde_json::json!({"pathPrefix": path_prefix, "latency": {"ms": ms}});
        let (status, body) = self.post_json("/_sandbox/faults", "", &rule).await;
        assert_eq!(status, 201, "{body}");
    }
}

/// The `Location` header of a redirect (empty when there is none).
#[allow(dead_code)]
pub fn location_of(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}
