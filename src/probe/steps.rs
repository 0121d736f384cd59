//! The probe's steps, in order; each records the keys it can observe.

use super::html;
use super::{ProbeError, ProbeReport, ProbeTarget};
use crate::crypto::{encrypt_cryptogram, CardData};
use crate::domain::cards::mask_pan;
use crate::testkit::Card;
use rand::Rng;
use reqwest::header::{HeaderMap, AUTHORIZATION};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The scope the probe asks for: a trailing space shows how the scope is echoed.
const PROBE_SCOPE: &str = "payment ";
/// The amount of every probe payment.
const PROBE_AMOUNT: &str = "10";
/// The origin of the CORS preflight (a reserved name: it is nobody's site).
const PROBE_ORIGIN: &str = "https://fidelity-probe.invalid";

/// One HTTP answer, read whole.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

/// A running probe.
pub(super) struct Probe<'a> {
    pub(super) target: &'a ProbeTarget,
    pub(super) http: reqwest::Client,
    pub(super) report: &'a mut ProbeReport,
}

impl Probe<'_> {
    pub(super) async fn run(&mut self) -> Result<(), ProbeError> {
        let terminal_token = self.observe_token().await?;
        self.observe_cors().await;
        self.observe_not_found(&terminal_token).await;
        self.observe_confirm_without_token().await;
        if !self.target.allow_payments {
            return Ok(());
        }
        let Some(public_key) = self.public_key().await else {
            return Ok(());
        };
        self.observe_payments(&terminal_token, &public_key).await;
        self.observe_confirm_redirect(&public_key).await;
        if let Some(p2p) = self.target.p2p_terminal.clone() {
            self.observe_transfer(&p2p).await;
        } else {
            self.report
                .record("transfer.code", None, "needs --p2p-terminal (with --allow-payments)");
        }
        Ok(())
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<Answer, String> {
        let response = build(self.http.request(method, url))
            .send()
            .await
            .map_err(|e| format!("{url}: {}", without_url(e)))?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response
            .text()
            .await
            .map_err(|e| format!("{url}: {}", without_url(e)))?;
        Ok(Answer { status, headers, text })
    }

    async fn token(&self, extra: &[(&str, &str)]) -> Result<Answer, String> {
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("scope", PROBE_SCOPE),
            ("client_id", self.target.client_id.as_str()),
            ("client_secret", self.target.client_secret.as_str()),
        ];
        form.extend_from_slice(extra);
        self.send(Method::POST, &self.target.token_url(), |r| r.form(&form))
            .await
    }

    /// A token issued with `extra` fields; `None` (recorded under `key`) when refused.
    async fn access_token(&mut self, key: &'static str, extra: &[(&str, &str)]) -> Option<String> {
        match self.token(extra).await {
            Ok(answer) if answer.status.is_success() => answer.json()["access_token"].as_str().map(str::to_string),
            Ok(answer) => {
                self.report.record(
                    key,
                    None,
                    format!("a token request was refused with HTTP {}", answer.status.as_u16()),
                );
                None
            }
            Err(error) => {
                self.report.record(key, None, error);
                None
            }
        }
    }

    async fn get(&self, path: &str, bearer: &str) -> Result<Answer, String> {
        let url = self.target.api(path);
        self.send(Method::GET, &url, |r| {
            r.header(AUTHORIZATION, format!("Bearer {bearer}"))
        })
        .await
    }

    async fn post_json(&self, path: &str, bearer: Option<&str>, body: &Value) -> Result<Answer, String> {
        let url = self.target.api(path);
        self.send(Method::POST, &url, |r| {
            let r = r.json(body);
            match bearer {
                Some(bearer) => r.header(AUTHORIZATION, format!("Bearer {bearer}")),
                None => r,
            }
        })
        .await
    }

    /// `token.expires_in`, `token.refresh_token`, `token.scope_echo` from a terminal token.
    async fn observe_token(&mut self) -> Result<String, ProbeError> {
        let target = self.target;
        let answer = self
            .token(&[("terminal", target.terminal.as_str())])
            .await
            .map_err(ProbeError::Token)?;
        if !answer.status.is_success() {
            return Err(ProbeError::Token(format!(
                "HTTP {} (check --client-id, --client-secret and --terminal)",
                answer.status.as_u16()
            )));
        }
        let body = answer.json();
        let access = body["access_token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ProbeError::Token("the answer has no access_token".into()))?;
        let expires = &body["expires_in"];
        let (value, seen) = match expires {
            Value::String(text) => (Some("string"), format!("expires_in = \"{text}\" (a JSON string)")),
            Value::Number(n) => (Some("number"), format!("expires_in = {n} (a JSON number)")),
            other => (None, format!("expires_in = {other}")),
        };
        self.report.record("token.expires_in", value, seen);
        let (value, seen) = match body.get("refresh_token") {
            Some(v) => (Some("present"), format!("refresh_token = {v}")),
            None => (Some("absent"), "no refresh_token key".to_string()),
        };
        self.report.record("token.refresh_token", value, seen);
        let scope = body["scope"].as_str().unwrap_or_default();
        let value = match scope {
            s if s == PROBE_SCOPE => Some("as_sent"),
            s if s == PROBE_SCOPE.trim() => Some("trimmed"),
            s if s == format!(" {}", PROBE_SCOPE.trim()) => Some("bank_sample"),
            _ => None,
        };
        self.report.record(
            "token.scope_echo",
            value,
            format!("sent scope {PROBE_SCOPE:?}, answered {scope:?}"),
        );
        Ok(access)
    }

    /// `api.cors`: a browser preflight of the token endpoint.
    async fn observe_cors(&mut self) {
        let url = self.target.token_url();
        let answer = self
            .send(Method::OPTIONS, &url, |r| {
                r.header("Origin", PROBE_ORIGIN)
                    .header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "content-type")
            })
            .await;
        let (value, seen) = match answer {
            Ok(answer) => match answer.headers.get("access-control-allow-origin") {
                Some(origin) => (
                    Some("reflect"),
                    format!(
                        "preflight: HTTP {}, Access-Control-Allow-Origin {:?}",
                        answer.status.as_u16(),
                        origin.to_str().unwrap_or("")
                    ),
                ),
                None => (
                    Some("off"),
                    format!(
                        "preflight: HTTP {}, no Access-Control-Allow-Origin",
                        answer.status.as_u16()
                    ),
                ),
            },
            Err(error) => (None, error),
        };
        self.report.record("api.cors", value, seen);
    }

    /// `status.not_found_http`: check-status of an invoice that does not exist.
    async fn observe_not_found(&mut self, token: &str) {
        let invoice = invoice_id();
        let (value, seen) = match self
            .get(&format!("/check-status/payment/transaction/{invoice}"), token)
            .await
        {
            Ok(answer) => {
                let code = result_code(&answer.json());
                let value = match (code.as_str(), answer.status.as_u16()) {
                    ("102", 200) => Some("200"),
                    ("102", 400) => Some("400"),
                    _ => None,
                };
                (
                    value,
                    format!("unknown invoice: HTTP {}, resultCode {code:?}", answer.status.as_u16()),
                )
            }
            Err(error) => (None, error),
        };
        self.report.record("status.not_found_http", value, seen);
    }

    /// `confirm.token`: `/payment/confirm` without a token and without a body.
    async fn observe_confirm_without_token(&mut self) {
        let (value, seen) = match self.post_json("/payment/confirm", None, &json!({})).await {
            Ok(answer) if answer.status == StatusCode::UNAUTHORIZED => {
                (Some("required"), "no token: HTTP 401".to_string())
            }
            Ok(answer) => (
                Some("optional"),
                format!(
                    "no token: HTTP {} (the body was checked, not the token)",
                    answer.status.as_u16()
                ),
            ),
            Err(error) => (None, error),
        };
        self.report.record("confirm.token", value, seen);
    }

    async fn public_key(&mut self) -> Option<String> {
        let url = self.target.api("/public.rsa");
        match self.send(Method::GET, &url, |r| r).await {
            Ok(answer) if answer.status.is_success() && answer.text.contains("PUBLIC KEY") => Some(answer.text),
            Ok(answer) => {
                self.note_payments_skipped(format!("GET /public.rsa answered HTTP {}", answer.status.as_u16()));
                None
            }
            Err(error) => {
                self.note_payments_skipped(error);
                None
            }
        }
    }

    fn note_payments_skipped(&mut self, why: String) {
        for key in PAYMENT_KEYS {
            self.report.record(key, None, format!("payments skipped: {why}"));
        }
    }

    /// Pays `invoice` with `card` using a token issued for `token_invoice`.
    async fn pay(
        &mut self,
        key: &'static str,
        public_key: &str,
        token_invoice: &str,
        invoice: &str,
        card: Card,
    ) -> Option<(String, Answer)> {
        let target = self.target;
        let token = self
            .access_token(
                key,
                &[
                    ("terminal", target.terminal.as_str()),
                    ("invoiceID", token_invoice),
                    ("amount", PROBE_AMOUNT),
                    ("currency", "KZT"),
                ],
            )
            .await?;
        let cryptogram = CardData::checked(card.pan, card.exp, card.cvc, &self.target.terminal, false)
            .map_err(|e| e.to_string())
            .and_then(|data| encrypt_cryptogram(public_key, &data).map_err(|e| e.to_string()));
        let cryptogram = match cryptogram {
            Ok(cryptogram) => cryptogram,
            Err(error) => {
                self.report
                    .record(key, None, format!("cannot make a cryptogram: {error}"));
                return None;
            }
        };
        let body = json!({
            "amount": 10,
            "currency": "KZT",
            "name": "FIDELITY PROBE",
            "terminalId": self.target.terminal,
            "invoiceId": invoice,
            "description": "ePay sandbox fidelity probe",
            "accountId": "fidelity-probe",
            "email": "probe@example.com",
            "phone": "77770000000",
            "language": "rus",
            "cryptogram": cryptogram,
        });
        match self.post_json("/payment/cryptopay", Some(&token), &body).await {
            Ok(answer) => Some((token, answer)),
            Err(error) => {
                self.report.record(key, None, error);
                None
            }
        }
    }

    /// The payment keys: an approved payment, a decline with a mismatched token, a decline,
    /// check-status of both and of another invoice's token.
    async fn observe_payments(&mut self, terminal_token: &str, public_key: &str) {
        let approved_invoice = invoice_id();
        if let Some((_, answer)) = self
            .pay(
                "payment.secure3d",
                public_key,
                &approved_invoice,
                &approved_invoice,
                Card::VISA,
            )
            .await
        {
            self.observe_receipt(&answer);
            let id = answer.json()["id"].as_str().unwrap_or_default().to_string();
            self.observe_reach(&approved_invoice).await;
            if !id.is_empty() {
                let _ = self
                    .send(
                        Method::POST,
                        &self.target.api(&format!("/operation/{id}/cancel")),
                        |r| r.header(AUTHORIZATION, format!("Bearer {terminal_token}")),
                    )
                    .await;
            }
        }
        let (bound, paid) = (invoice_id(), invoice_id());
        if let Some((_, answer)) = self.pay("token.binding", public_key, &bound, &paid, Card::LOCKED).await {
            let code = answer.json()["code"].as_i64();
            let value = match code {
                Some(-1) => Some("strict"),
                Some(_) => Some("off"),
                None => None,
            };
            self.report.record(
                "token.binding",
                value,
                format!(
                    "token for invoice {bound}, payment of {paid} with {}: HTTP {}, code {code:?}",
                    mask_pan(Card::LOCKED.pan),
                    answer.status.as_u16()
                ),
            );
        }
        let declined = invoice_id();
        if let Some((_, answer)) = self
            .pay("payment.decline_ids", public_key, &declined, &declined, Card::LOCKED)
            .await
        {
            let body = answer.json();
            let id = body["id"].as_str().unwrap_or_default();
            let value = match (body["code"].as_i64(), id.is_empty()) {
                (Some(-1) | None, _) => None,
                (Some(_), true) => Some("empty"),
                (Some(_), false) => Some("echoed"),
            };
            self.report.record(
                "payment.decline_ids",
                value,
                format!(
                    "declined payment: HTTP {}, code {}, id {id:?}",
                    answer.status.as_u16(),
                    body["code"]
                ),
            );
            self.observe_failed_result(terminal_token, &declined).await;
        }
    }

    /// `payment.secure3d`, `payment.account_id`, `answer.language` from an approved payment.
    fn observe_receipt(&mut self, answer: &Answer) {
        let body = answer.json();
        if !answer.status.is_success() {
            let seen = format!("the approved test card answered HTTP {}", answer.status.as_u16());
            for key in ["payment.secure3d", "payment.account_id", "answer.language"] {
                self.report.record(key, None, seen.clone());
            }
            return;
        }
        let (value, seen) = match body.get("secure3D") {
            Some(Value::Null) => (Some("null"), "\"secure3D\": null".to_string()),
            None => (Some("absent"), "no secure3D key".to_string()),
            Some(other) => (None, format!("secure3D = {other}")),
        };
        self.report.record("payment.secure3d", value, seen);
        let (camel, upper) = (body.get("accountId").is_some(), body.get("accountID").is_some());
        let value = match (camel, upper) {
            (true, true) => Some("both"),
            (true, false) => Some("accountId"),
            (false, true) => Some("accountID"),
            (false, false) => None,
        };
        self.report.record(
            "payment.account_id",
            value,
            format!("accountId: {camel}, accountID: {upper}"),
        );
        let language = body["language"].as_str().unwrap_or_default();
        let value = match language {
            "RU" => Some("two_letter"),
            "rus" => Some("as_sent"),
            _ => None,
        };
        self.report
            .record("answer.language", value, format!("sent \"rus\", answered {language:?}"));
    }

    /// `token.reach`: check-status of a paid invoice with a token issued for another invoice.
    async fn observe_reach(&mut self, paid_invoice: &str) {
        let other = invoice_id();
        let target = self.target;
        let Some(token) = self
            .access_token(
                "token.reach",
                &[("terminal", target.terminal.as_str()), ("invoiceID", &other)],
            )
            .await
        else {
            return;
        };
        let (value, seen) = match self
            .get(&format!("/check-status/payment/transaction/{paid_invoice}"), &token)
            .await
        {
            Ok(answer) => {
                let code = result_code(&answer.json());
                let value = match code.as_str() {
                    "100" | "101" | "107" => Some("terminal"),
                    "102" => Some("invoice"),
                    _ => None,
                };
                (
                    value,
                    format!("token for invoice {other} reading invoice {paid_invoice}: resultCode {code:?}"),
                )
            }
            Err(error) => (None, error),
        };
        self.report.record("token.reach", value, seen);
    }

    /// `status.failed_result`: check-status of a declined payment.
    async fn observe_failed_result(&mut self, terminal_token: &str, invoice: &str) {
        let (value, seen) = match self
            .get(&format!("/check-status/payment/transaction/{invoice}"), terminal_token)
            .await
        {
            Ok(answer) => {
                let body = answer.json();
                let code = result_code(&body);
                let value = match code.as_str() {
                    "100" => Some("100"),
                    "101" => Some("101"),
                    _ => None,
                };
                (
                    value,
                    format!(
                        "declined invoice: resultCode {code:?}, statusName {}",
                        body["transaction"]["statusName"]
                    ),
                )
            }
            Err(error) => (None, error),
        };
        self.report.record("status.failed_result", value, seen);
    }

    /// `confirm.redirect`: a 3-D Secure payment whose challenge is cancelled at the ACS, then
    /// confirmed. Works with ACS pages shaped like the sandbox's (a form with `MD`, an
    /// auto-submitting form with `PaRes`); another ACS needs a browser.
    async fn observe_confirm_redirect(&mut self, public_key: &str) {
        const KEY: &str = "confirm.redirect";
        let invoice = invoice_id();
        let Some((token, answer)) = self.pay(KEY, public_key, &invoice, &invoice, Card::SECURE_3DS).await else {
            return;
        };
        let body = answer.json();
        let secure = &body["secure3D"];
        let (Some(action), Some(pa_req), Some(md), Some(id)) = (
            secure["action"].as_str(),
            secure["paReq"].as_str(),
            secure["md"].as_str(),
            body["id"].as_str(),
        ) else {
            self.report.record(
                KEY,
                None,
                format!("the challenge card got no secure3D (HTTP {})", answer.status.as_u16()),
            );
            return;
        };
        let term_url = self.target.api("/payment/confirm");
        let form = [("PaReq", pa_req), ("MD", md), ("TermUrl", term_url.as_str())];
        let page = self.send(Method::POST, action, |r| r.form(&form)).await;
        let submit = page
            .ok()
            .and_then(|page| html::form_action(&page.text))
            .map(|to| join(action, &to));
        let Some(submit) = submit else {
            self.report.record(
                KEY,
                None,
                "the ACS page is not one the probe can walk (needs a browser)",
            );
            return;
        };
        let cancelled = self
            .send(Method::POST, &submit, |r| r.form(&[("MD", md), ("action", "cancel")]))
            .await;
        let pa_res = cancelled.ok().and_then(|page| html::input_value(&page.text, "PaRes"));
        let Some(pa_res) = pa_res else {
            self.report
                .record(KEY, None, "the ACS answered no PaRes (needs a browser)");
            return;
        };
        let confirm = json!({"ID": id, "PaRes": pa_res, "MD": md});
        let (value, seen) = match self.post_json("/payment/confirm", Some(&token), &confirm).await {
            Ok(answer) => {
                let status = answer.status.as_u16();
                let location = answer.headers.contains_key("location");
                let value = match status {
                    302 => Some("302"),
                    200 => Some("200"),
                    _ => None,
                };
                (
                    value,
                    format!("confirm after a cancelled challenge: HTTP {status}, Location: {location}"),
                )
            }
            Err(error) => (None, error),
        };
        self.report.record(KEY, value, seen);
    }

    /// `transfer.code`: one P2P transfer of 10 KZT between documented test cards.
    async fn observe_transfer(&mut self, p2p_terminal: &str) {
        const KEY: &str = "transfer.code";
        let order = invoice_id();
        let mut form = vec![("terminal", p2p_terminal)];
        form.push(("scope", "transfer"));
        let token = match self.token(&form).await {
            Ok(answer) if answer.status.is_success() => answer.json()["access_token"].as_str().map(str::to_string),
            _ => None,
        };
        let Some(token) = token else {
            self.report.record(KEY, None, "no transfer token for --p2p-terminal");
            return;
        };
        let (month, year) = Card::VISA.exp.split_at(2);
        let body = json!({
            "order": {
                "amount": 10,
                "currency": "KZT",
                "description": "ePay sandbox fidelity probe",
                "id": order,
                "accountID": "",
                "terminalId": p2p_terminal,
            },
            "card": {
                "sender": {"transferType": "TYPEPAN", "cardCred": Card::VISA.pan, "cvc": Card::VISA.cvc,
                           "expire": {"month": month, "year": year}, "name": "FIDELITY PROBE", "save": false},
                "receiver": {"transferType": "TYPEPAN", "cardCred": Card::SECURE_3DS.pan, "save": false},
            },
        });
        let (value, seen) = match self.post_json("/p2p/transfer", Some(&token), &body).await {
            Ok(answer) if answer.status.is_success() => {
                let body = answer.json();
                match body.get("code") {
                    Some(code) => (Some("present"), format!("completed transfer: code = {code}")),
                    None => (Some("absent"), "completed transfer: no code key".to_string()),
                }
            }
            Ok(answer) => (None, format!("the transfer answered HTTP {}", answer.status.as_u16())),
            Err(error) => (None, error),
        };
        self.report.record(KEY, value, seen);
    }
}

/// The keys only payments show.
const PAYMENT_KEYS: [&str; 8] = [
    "payment.secure3d",
    "payment.account_id",
    "answer.language",
    "token.reach",
    "token.binding",
    "payment.decline_ids",
    "status.failed_result",
    "confirm.redirect",
];

/// A fresh 12-digit invoice number.
fn invoice_id() -> String {
    rand::thread_rng()
        .gen_range(100_000_000_000u64..999_999_999_999)
        .to_string()
}

/// `resultCode` of a check-status answer.
fn result_code(body: &Value) -> String {
    body["resultCode"].as_str().unwrap_or_default().to_string()
}

/// `to` resolved against `base` (absolute, or a path on `base`'s origin).
fn join(base: &str, to: &str) -> String {
    reqwest::Url::parse(base)
        .and_then(|b| b.join(to))
        .map(|u| u.to_string())
        .unwrap_or_else(|_| to.to_string())
}

/// A request error without the URL's query (which could carry a token).
fn without_url(error: reqwest::Error) -> String {
    let mut text = error.without_url().to_string();
    text.truncate(200);
    text
}

#[cfg(test)]
mod tests {
    use super::super::TEST_CARDS;
    use crate::fixtures::Fixtures;

    #[test]
    fn the_probe_sends_only_documented_test_cards_with_their_documented_credentials() {
        let fixtures = Fixtures::embedded().unwrap_or_else(|e| panic!("fixtures: {e}"));
        for card in TEST_CARDS {
            let known = fixtures.card(card.pan);
            assert!(
                known.is_some_and(|c| c.documented),
                "{} is not a documented card",
                card.pan
            );
        }
    }
}
