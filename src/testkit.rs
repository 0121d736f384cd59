//! Typed helpers a test wants from an embedded [`SandboxServer`]: a payment token, a
//! cryptogram, a payment, a finished 3-D Secure challenge and the callbacks sent.
//!
//! They are a small HTTP client over [`SandboxServer::url`], not shortcuts into the engine, so
//! a test that uses them goes through the same routes, middleware, faults and journal as the
//! application under test does (and keeps working whatever the engine's internals become).

use crate::callbacks::{Delivery, DeliveryFilter};
use crate::crypto::{encrypt_cryptogram, CardData, KeyError};
use crate::server::SandboxServer;
use serde_json::{json, Value};

/// The bank's documented test client.
pub const TEST_CLIENT_ID: &str = "test";
/// Its secret.
pub const TEST_CLIENT_SECRET: &str = "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG";
/// Its two-step payment terminal (an approved payment ends in AUTH).
pub const TEST_TERMINAL: &str = "67e34d63-102f-4bd1-898e-370781d0074d";
/// The sandbox's one-step terminal of the same client (an approved payment ends in CHARGE).
pub const ONE_STEP_TERMINAL: &str = "7c3a5e2d-0b1f-4c55-9a11-5a4d1e0c0001";

/// A card as typed by a payer: number, expiry `MMYY` and CVC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Card {
    /// Card number.
    pub pan: &'static str,
    /// Expiry as `MMYY`.
    pub exp: &'static str,
    /// CVC/CVV.
    pub cvc: &'static str,
}

impl Card {
    /// The bank's test Visa: approved without a challenge.
    pub const VISA: Card = Card {
        pan: "4405639704015096",
        exp: "0127",
        cvc: "321",
    };
    /// The bank's test MasterCard: a 3-D Secure challenge, then approved.
    pub const SECURE_3DS: Card = Card {
        pan: "5522042705066736",
        exp: "0127",
        cvc: "775",
    };
    /// The bank's documented locked Visa: declined with 465 (card restricted).
    pub const LOCKED: Card = Card {
        pan: "4003032704547597",
        exp: "0920",
        cvc: "170",
    };
    /// A sandbox Visa the issuer declines with 484 (insufficient funds).
    pub const DECLINED_484: Card = Card {
        pan: "4000000000004848",
        exp: "1299",
        cvc: "123",
    };
}

/// Why a helper could not do its job (a declined payment is not an error: see [`Payment`]).
#[derive(Debug, thiserror::Error)]
pub enum HelperError {
    /// The request could not be sent or its answer read.
    #[error("request to the sandbox failed: {0}")]
    Http(#[from] reqwest::Error),
    /// The sandbox answered with an unexpected status.
    #[error("{what}: HTTP {status}: {body}")]
    Refused {
        /// What was asked.
        what: &'static str,
        /// The HTTP status.
        status: u16,
        /// The answer.
        body: Value,
    },
    /// The cryptogram could not be made.
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// The answer to `POST /payment/cryptopay`, with the token it was paid with.
#[derive(Debug, Clone)]
pub struct Payment {
    /// HTTP status: 200 (approved, or a 3-D Secure challenge) or 400 (declined).
    pub http_status: u16,
    /// The bank's JSON answer.
    pub body: Value,
    /// The payment token (needed to confirm a 3-D Secure payment or to charge it).
    pub token: String,
}

/// What `secure3D` of a payment asks the browser to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secure3d {
    /// The ACS URL.
    pub action: String,
    /// `PaReq` to post there.
    pub pa_req: String,
    /// `MD` to post there.
    pub md: String,
}

impl Payment {
    /// The transaction id (`id`).
    pub fn id(&self) -> Option<&str> {
        self.body["id"].as_str()
    }

    /// `status` of an approved payment (`AUTH`, `CHARGE`); `None` for a challenge or a decline.
    pub fn status(&self) -> Option<&str> {
        self.body["status"].as_str()
    }

    /// The reason code of a declined payment (`code` of the 400 answer).
    pub fn decline_code(&self) -> Option<i64> {
        (self.http_status == 400).then(|| self.body["code"].as_i64()).flatten()
    }

    /// The 3-D Secure challenge, when the card needs one.
    pub fn secure3d(&self) -> Option<Secure3d> {
        let s = self.body.get("secure3D").filter(|s| s.is_object())?;
        let text = |k: &str| s[k].as_str().unwrap_or_default().to_string();
        Some(Secure3d {
            action: text("action"),
            pa_req: text("paReq"),
            md: text("md"),
        })
    }
}

/// The answer to `POST /payment/confirm` after a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// HTTP status (302 when the confirmation was taken).
    pub http_status: u16,
    /// Where the bank sends the browser (`/payform/success.html?…` or `/payform/failure.html?…`).
    pub location: Option<String>,
}

impl Confirmation {
    /// Whether the bank sent the browser to its success page.
    pub fn succeeded(&self) -> bool {
        self.location.as_deref().is_some_and(|l| l.contains("/payform/success"))
    }
}

async fn json_of(response: reqwest::Response) -> Result<(u16, Value), HelperError> {
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    Ok((status, body))
}

impl SandboxServer {
    /// A payment token of the test client for `invoice_id` and `amount` (`"100"`, `"484.99"`)
    /// in KZT on [`TEST_TERMINAL`].
    pub async fn token(&self, invoice_id: &str, amount: &str) -> Result<String, HelperError> {
        self.token_on(TEST_TERMINAL, invoice_id, amount).await
    }

    /// A payment token of the test client on `terminal`.
    pub async fn token_on(&self, terminal: &str, invoice_id: &str, amount: &str) -> Result<String, HelperError> {
        let response = self
            .http()
            .post(format!("{}/oauth2/token", self.url()))
            .form(&[
                ("grant_type", "client_credentials"),
                ("scope", "webapi payment"),
                ("client_id", TEST_CLIENT_ID),
                ("client_secret", TEST_CLIENT_SECRET),
                ("invoiceID", invoice_id),
                ("amount", amount),
                ("currency", "KZT"),
                ("terminal", terminal),
            ])
            .send()
            .await?;
        let (status, body) = json_of(response).await?;
        match body["access_token"].as_str() {
            Some(token) if status == 200 => Ok(token.to_string()),
            _ => Err(HelperError::Refused {
                what: "token",
                status,
                body,
            }),
        }
    }

    /// A cryptogram of `card` for [`TEST_TERMINAL`], encrypted with this sandbox's key.
    pub fn cryptogram(&self, card: &Card) -> Result<String, HelperError> {
        self.cryptogram_on(TEST_TERMINAL, card)
    }

    /// A cryptogram of `card` for `terminal`.
    pub fn cryptogram_on(&self, terminal: &str, card: &Card) -> Result<String, HelperError> {
        let data = CardData {
            hpan: card.pan.into(),
            exp_date: card.exp.into(),
            cvc: card.cvc.into(),
            terminal_id: terminal.into(),
        };
        Ok(encrypt_cryptogram(self.sandbox().crypto().public_pem(), &data)?)
    }

    /// Pays `amount` KZT for `invoice_id` with `card` on [`TEST_TERMINAL`], as a merchant's
    /// backend does: a token, a cryptogram, `POST /payment/cryptopay`.
    pub async fn pay(&self, card: &Card, invoice_id: &str, amount: &str) -> Result<Payment, HelperError> {
        let token = self.token(invoice_id, amount).await?;
        let amount_json = serde_json::from_str::<Value>(amount.trim())
            .ok()
            .filter(Value::is_number)
            .unwrap_or_else(|| json!(amount));
        let response = self
            .http()
            .post(format!("{}/payment/cryptopay", self.url()))
            .bearer_auth(&token)
            .json(&json!({
                "amount": amount_json,
                "currency": "KZT",
                "name": "TEST PAYER",
                "cryptogram": self.cryptogram(card)?,
                "invoiceId": invoice_id,
                "description": format!("test payment {invoice_id}"),
                "accountId": "test-account",
                "cardSave": false,
            }))
            .send()
            .await?;
        let (http_status, body) = json_of(response).await?;
        if http_status != 200 && http_status != 400 {
            return Err(HelperError::Refused {
                what: "cryptopay",
                status: http_status,
                body,
            });
        }
        Ok(Payment {
            http_status,
            body,
            token,
        })
    }

    /// Finishes `payment`'s 3-D Secure challenge without a browser (`approve`: the right code;
    /// otherwise a cancel) and confirms it with `POST /payment/confirm`, as the merchant's
    /// backend does.
    pub async fn complete_3ds(&self, payment: &Payment, approve: bool) -> Result<Confirmation, HelperError> {
        let id = payment.id().unwrap_or_default();
        let result = if approve { "approve" } else { "fail" };
        let response = self
            .http()
            .post(format!("{}/_sandbox/3ds/{id}/complete", self.url()))
            .json(&json!({ "result": result }))
            .send()
            .await?;
        let (status, posted) = json_of(response).await?;
        if status != 200 {
            return Err(HelperError::Refused {
                what: "3-D Secure completion",
                status,
                body: posted,
            });
        }
        let response = self
            .http()
            .post(format!("{}/payment/confirm", self.url()))
            .bearer_auth(&payment.token)
            .json(&json!({ "ID": id, "PaRes": posted["PaRes"], "MD": posted["MD"] }))
            .send()
            .await?;
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(str::to_string);
        Ok(Confirmation {
            http_status: response.status().as_u16(),
            location,
        })
    }

    /// Every callback delivery logged so far, oldest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.sandbox().callbacks().deliveries(&DeliveryFilter::default())
    }
}
