//! The bank's iOS SDK (halyk/EpaySDK) end to end: every call it makes, in its order and with its
//! request shapes, each answer decoded into a strict mirror of the SDK's `Decodable` struct.
//!
//! Swift's `JSONDecoder` refuses a missing non-optional property or a value of another JSON type,
//! and ignores unknown keys; serde's derive does the same with these structs (required fields
//! are plain types, Swift optionals are `Option`, unknown keys are skipped), so a body that
//! decodes here decodes in the SDK.

use crate::helpers::{location_of, TestApp, CLIENT_ID, CLIENT_SECRET, TERMINAL};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

/// The SDK's cryptogram key: a Cyrillic `с` (U+0441), in cryptopay and checkgobonus alike.
const CYRILLIC_CRYPTOGRAM: &str = "\u{0441}ryptogram";
/// The test shop of `fixtures/shops.json` that sells the two-step test terminal.
const SHOP_ID: &str = "3f0b1c2a-5d4e-4f6a-9b8c-7d6e5f4a3b21";
/// The test Homebank user's token (`fixtures/homebank.json`).
const HOMEBANK_TOKEN: &str = "hb-test-token-0001";
/// The bank's test MasterCard: 3-D Secure challenge, 2500.5 KZT of bonus.
const MC_3DS: (&str, &str, &str) = ("5522042705066736", "0127", "775");
/// A sandbox card declined with 484, 300 KZT of bonus.
const DECLINED_484: (&str, &str, &str) = ("4000000000004848", "1230", "123");

#[allow(non_snake_case, dead_code)]
mod sdk {
    //! Mirrors of the SDK's structs (Sources/EpaySDK/Common/Models), field for field.
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    pub struct TokenResponseBody {
        pub access_token: String,
        pub expires_in: String,
        pub scope: String,
        pub token_type: String,
    }

    #[derive(Debug, Deserialize)]
    pub struct PublicProfileResponseBody {
        pub assets: Option<Assets>,
        pub QR: Option<String>,
        pub homebankLink: Option<String>,
        pub onlinebankLink: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    pub struct Assets {
        pub shop_name: Option<String>,
        pub logo_url: Option<String>,
        pub lang: Option<String>,
        pub email: Option<String>,
        pub phone: Option<String>,
        pub color_scheme: Option<ColorScheme>,
        pub logo: Option<String>,
        pub logo_file_name: Option<String>,
        pub payment_view_settings: Option<PaymentViewSettings>,
        pub p2p_view_settings: Option<P2PViewSettings>,
        pub payment_system_humo: Option<bool>,
        pub payment_system_uzcard: Option<bool>,
    }

    #[derive(Debug, Deserialize)]
    pub struct ColorScheme {
        pub bg: Option<String>,
        pub card_bg: Option<String>,
        pub buttons: Option<String>,
        pub text: Option<String>,
        pub card_text: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    pub struct PaymentViewSettings {
        pub logo: Option<bool>,
        pub additionalInfo: Option<bool>,
        pub byCard: Option<bool>,
        pub byHalykID: Option<bool>,
        pub byPayByHBCredit: Option<bool>,
        pub byApplePay: Option<bool>,
        pub bySamsungPay: Option<bool>,
        pub byGooglePay: Option<bool>,
        pub byMasterPass: Option<bool>,
        pub byGoBonuses: Option<bool>,
        pub byQR: Option<bool>,
        pub userContactsByEmail: Option<bool>,
        pub userContactsAll: Option<bool>,
        pub attemptsInfo: Option<bool>,
        pub payerName: Option<bool>,
    }

    #[derive(Debug, Deserialize)]
    pub struct P2PViewSettings {
        pub checkboxSaveCardSender: Option<bool>,
        pub checkboxSaveCardReceiver: Option<bool>,
        pub notificationByEmail: Option<bool>,
    }

    #[derive(Debug, Deserialize)]
    pub struct TerminalsResponseBody {
        pub id: String,
        pub terminalId: String,
        pub singleMessageScheme: bool,
        pub shop: ShopResponseBody,
    }

    #[derive(Debug, Deserialize)]
    pub struct ShopResponseBody {
        pub id: String,
        pub name: String,
        pub url: String,
        pub merchant: MerchantResponseBody,
    }

    #[derive(Debug, Deserialize)]
    pub struct MerchantResponseBody {
        pub id: String,
        pub tradeName: String,
        pub companyName: String,
        pub description: String,
        pub phone: String,
    }

    #[derive(Debug, Deserialize)]
    pub struct CreditConditionResponseBody {
        pub id: String,
        pub shopId: String,
        pub monthCount: i64,
        pub interestRate: f64,
    }

    #[derive(Debug, Deserialize)]
    pub struct OrderResponseBody {
        pub id: String,
        pub amount: f64,
        pub shopId: String,
        pub creditConditionId: String,
        pub approvedAmount: f64,
        pub approvedMonthCount: i64,
        pub approvedInterestRate: f64,
    }

    #[derive(Debug, Deserialize)]
    pub struct OrderStatusResponseBody {
        pub id: String,
        pub name: OrderStatus,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
    pub enum OrderStatus {
        #[serde(rename = "NEW")]
        New,
        #[serde(rename = "SCAN")]
        Scan,
        #[serde(rename = "IN_PROGRESS")]
        InProgress,
        #[serde(rename = "ACCEPT")]
        Accept,
        #[serde(rename = "REJECT")]
        Reject,
    }

    #[derive(Debug, Deserialize)]
    pub struct GoBonusResponseBody {
        pub goBonus: f64,
    }

    #[derive(Debug, Deserialize)]
    pub struct PaymentResponseBody {
        pub id: String,
        pub amount: f64,
        pub currency: String,
        pub invoiceID: String,
        pub accountId: Option<String>,
        pub phone: Option<String>,
        pub email: String,
        pub description: Option<String>,
        pub reference: String,
        pub language: Option<String>,
        pub secure3D: Option<Details3D>,
        pub cardID: Option<String>,
        pub intReference: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    pub struct Details3D {
        pub paReq: String,
        pub md: String,
        pub termURL: Option<String>,
        pub action: String,
    }

    #[derive(Debug, Deserialize)]
    pub struct HomeBankCard {
        pub aliasName: Option<String>,
        pub isHidden: Option<bool>,
        pub systemAttributeId: Option<String>,
        pub cardInfo: Option<CardInfo>,
        pub limit: Option<Vec<Limit>>,
    }

    #[derive(Debug, Deserialize)]
    pub struct CardInfo {
        pub ownerId: Option<String>,
        pub cardMask: Option<String>,
        pub iban: Option<String>,
        pub isValid: Option<bool>,
        pub currency: Option<String>,
        pub currentBalance: Option<String>,
        pub cardType: Option<String>,
        pub isMultiCurrency: Option<bool>,
        pub isVirtual: Option<bool>,
    }

    #[derive(Debug, Deserialize)]
    pub struct Limit {
        pub currencyLimit: Option<String>,
        pub endPeriod: Option<String>,
        pub limitPeriod: Option<i64>,
        pub maxAmount: Option<f64>,
    }

    #[derive(Debug, Deserialize)]
    pub struct ErrorResponseBody {
        pub code: i64,
        pub message: String,
    }
}

/// Decodes `body` strictly into the SDK's struct, or fails the test naming both.
fn decode<T: DeserializeOwned>(what: &str, body: &str) -> T {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{what} does not decode as the SDK's struct: {e}\n{body}"))
}

/// Sends a request; status and raw body.
async fn send(request: reqwest::RequestBuilder) -> (u16, String) {
    let response = request.send().await.expect("request");
    (response.status().as_u16(), response.text().await.unwrap_or_default())
}

/// What the SDK holds for one payment.
struct SdkSession<'a> {
    app: &'a TestApp,
    /// `Constants.Url.base`: bare for production, `/api` for the old test host.
    base: &'static str,
    token: String,
}

impl<'a> SdkSession<'a> {
    /// `ApiRequest.requestToken`: a urlencoded form with the invoice, amount (a Swift Double,
    /// so `15000.0`), currency and terminal.
    async fn start(app: &'a TestApp, base: &'static str, invoice_id: &str, amount: &str) -> SdkSession<'a> {
        let form = [
            ("grant_type", "client_credentials"),
            ("scope", "webapi payment"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("amount", amount),
            ("currency", "KZT"),
            ("terminal", TERMINAL),
            ("invoiceID", invoice_id),
        ];
        let oauth = if base.is_empty() {
            "/oauth2/token"
        } else {
            "/epay2/oauth2/token"
        };
        let (status, body) = send(app.http.post(app.url(oauth)).form(&form)).await;
        assert_eq!(status, 200, "{body}");
        let token: sdk::TokenResponseBody = decode("the token", &body);
        assert_eq!(token.expires_in, "7200");
        assert_eq!(token.token_type, "Bearer");
        SdkSession {
            app,
            base,
            token: token.access_token,
        }
    }

    fn url(&self, path: &str) -> String {
        self.app.url(&format!("{}{path}", self.base))
    }

    async fn get(&self, path: &str) -> (u16, String) {
        send(self.app.http.get(self.url(path)).bearer_auth(&self.token)).await
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, String) {
        send(self.app.http.post(self.url(path)).bearer_auth(&self.token).json(body)).await
    }

    async fn ok<T: DeserializeOwned>(&self, what: &str, (status, body): (u16, String)) -> T {
        assert_eq!(status, 200, "{what}: {body}");
        decode(what, &body)
    }

    /// `loadPublicProfile`, `getTerminals`, `getCreditConditions` and `sendOrder`, as the SDK
    /// chains them at launch; returns the shop id, the conditions and the order.
    async fn launch(
        &self,
        invoice_id: &str,
        amount: f64,
    ) -> (String, Vec<sdk::CreditConditionResponseBody>, sdk::OrderResponseBody) {
        let links = json!({"failureLink": "http://127.0.0.1:9/epay/fail", "postLink": "http://127.0.0.1:9/epay/post"});
        let profile: sdk::PublicProfileResponseBody = self
            .ok("public-profile", self.post("/public-profile", &links).await)
            .await;
        let assets = profile.assets.expect("assets");
        assert_eq!(assets.shop_name.as_deref(), Some("ePay test shop"));
        assert!(assets
            .payment_view_settings
            .and_then(|s| s.byGoBonuses)
            .unwrap_or(false));

        let terminal: sdk::TerminalsResponseBody = self
            .ok("terminals", self.get(&format!("/terminals/{TERMINAL}")).await)
            .await;
        assert_eq!(
            (terminal.id.as_str(), terminal.terminalId.as_str()),
            (TERMINAL, "98120001")
        );
        assert!(!terminal.singleMessageScheme, "the test terminal is two-step");
        assert_eq!(terminal.shop.id, SHOP_ID);
        assert!(!terminal.shop.merchant.companyName.is_empty());

        let conditions: Vec<sdk::CreditConditionResponseBody> = self
            .ok(
                "credit-condition",
                self.get(&format!("/credit-condition?shopId={}", terminal.shop.id))
                    .await,
            )
            .await;
        assert!(!conditions.is_empty());
        assert!(conditions.iter().all(|c| c.shopId == terminal.shop.id));

        let order = json!({
            "shopId": terminal.shop.id, "amount": amount, "orderId": invoice_id,
            "creditConditionId": conditions[0].id,
        });
        let order: sdk::OrderResponseBody = self.ok("order", self.post("/order", &order).await).await;
        assert_eq!(order.creditConditionId, conditions[0].id);
        assert_eq!((order.amount, order.approvedAmount), (amount, amount));
        assert_eq!(order.approvedMonthCount, conditions[0].monthCount);
        (terminal.shop.id, conditions, order)
    }

    /// `getOrderStatus`, as the installment screen polls it.
    async fn order_status(&self, invoice_id: &str) -> sdk::OrderStatusResponseBody {
        self.ok(
            "order/status",
            self.get(&format!("/order/status?orderId={invoice_id}")).await,
        )
        .await
    }

    /// `requestGoBonus` with the SDK's Cyrillic key.
    async fn go_bonus(&self, cryptogram: &str) -> f64 {
        let body = json!({ CYRILLIC_CRYPTOGRAM: cryptogram });
        let bonus: sdk::GoBonusResponseBody = self
            .ok("checkgobonus", self.post("/payment/checkgobonus", &body).await)
            .await;
        bonus.goBonus
    }

    /// `makePayment` with the card's bonus (`useBonus`), as the SDK builds the body.
    async fn pay(&self, invoice_id: &str, amount: f64, cryptogram: &str) -> (u16, String) {
        let body = json!({
            "amount": amount, "currency": "KZT", "invoiceId": invoice_id,
            "postLink": "http://127.0.0.1:9/epay/post", "failurePostLink": "http://127.0.0.1:9/epay/fail",
            "useBonus": true, "cardSave": false, "name": "ARMAN ALI", CYRILLIC_CRYPTOGRAM: cryptogram,
            "description": "iOS SDK order", "accountId": "sdk-user-1", "email": "arman@example.kz", "phone": "77771234567",
        });
        self.post("/payment/cryptopay", &body).await
    }

    async fn check_status(&self, invoice_id: &str) -> Value {
        let (status, body) = self
            .get(&format!("/check-status/payment/transaction/{invoice_id}"))
            .await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap_or(Value::Null)
    }
}

/// Stops sandbox time, so that only [`advance`] moves the orders' timelines.
async fn freeze(app: &TestApp) {
    let (status, body) = send(app.http.post(app.url("/_sandbox/clock/freeze"))).await;
    assert_eq!(status, 200, "{body}");
}

async fn advance(app: &TestApp, seconds: i64) {
    let (status, body) = send(
        app.http
            .post(app.url("/_sandbox/clock/advance"))
            .json(&json!({"duration": format!("PT{seconds}S")})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

/// The 3-D Secure round trip of `LoadingViewController`: the ACS form with the SDK's TermUrl
/// (`confirmPayment?Access=<token>`), the cardholder's answer (here the headless control
/// endpoint), then the ACS's post to TermUrl; the SDK reads success from `reference` in the
/// redirect.
async fn secure3d(app: &TestApp, session: &SdkSession<'_>, details: &sdk::Details3D) -> String {
    let term_url = session.url(&format!("/payments/cards/confirmPayment?Access={}", session.token));
    let form = [
        ("PaReq", details.paReq.as_str()),
        ("MD", details.md.as_str()),
        ("TermUrl", term_url.as_str()),
    ];
    let (status, page) = send(app.http.post(&details.action).form(&form)).await;
    assert_eq!(status, 200, "{page}");
    let (status, body) = send(
        app.http
            .post(app.url(&format!("/_sandbox/3ds/{}/complete", details.md)))
            .json(&json!({"result": "approve"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let reply: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    assert_eq!(reply["TermUrl"], json!(term_url));
    let text = |key: &str| reply[key].as_str().unwrap_or_default().to_string();
    let response = app
        .http
        .post(&term_url)
        .form(&[("PaRes", text("PaRes")), ("MD", text("MD"))])
        .send()
        .await
        .expect("TermUrl");
    assert_eq!(response.status().as_u16(), 302);
    let location = location_of(&response);
    assert!(
        location.contains("reference=") && !location.contains("errorCode"),
        "{location}"
    );
    location
}

#[tokio::test]
async fn ios_sdk_whole_sequence_decodes_into_the_sdk_structs() {
    let app = TestApp::spawn().await;
    freeze(&app).await;
    for (base, invoice) in [("", "000170001"), ("/api", "000170002")] {
        let session = SdkSession::start(&app, base, invoice, "15000.0").await;
        let (_, _, order) = session.launch(invoice, 15000.0).await;

        let cryptogram = app.cryptogram(MC_3DS.0, MC_3DS.1, MC_3DS.2, TERMINAL);
        let balance = session.go_bonus(&cryptogram).await;
        let expected = if base.is_empty() { 2500.5 } else { 0.0 };
        assert_eq!(
            balance, expected,
            "the first payment spends the test MasterCard's whole bonus"
        );

        let (status, body) = session.pay(invoice, 15000.0, &cryptogram).await;
        assert_eq!(status, 200, "{body}");
        let paid: sdk::PaymentResponseBody = decode("cryptopay", &body);
        assert_eq!(paid.invoiceID, invoice);
        let details = paid.secure3D.expect("the test MasterCard is challenged");
        secure3d(&app, &session, &details).await;

        let checked = session.check_status(invoice).await;
        assert_eq!(checked["transaction"]["statusName"], "AUTH", "{checked}");
        assert_eq!(checked["transaction"]["amount"], json!(15000), "{checked}");
        assert_eq!(
            checked["transaction"]["amountBonus"].as_f64(),
            Some(balance),
            "{checked}"
        );
        assert_eq!(session.go_bonus(&cryptogram).await, 0.0, "the bonus is spent");

        assert_eq!(session.order_status(invoice).await.name, sdk::OrderStatus::New);
        let mut seen = vec![sdk::OrderStatus::New];
        for seconds in [15, 15, 30] {
            advance(&app, seconds).await;
            let status = session.order_status(invoice).await;
            assert_eq!(status.id, order.id);
            seen.push(status.name);
        }
        assert_eq!(
            seen,
            [
                sdk::OrderStatus::New,
                sdk::OrderStatus::Scan,
                sdk::OrderStatus::InProgress,
                sdk::OrderStatus::Accept
            ]
        );
    }

    let (status, body) = send(app.http.get(app.url("/_sandbox/deliveries?invoiceId=000170001"))).await;
    assert_eq!(status, 200, "{body}");
    let deliveries: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    assert_eq!(
        deliveries["deliveries"][0]["body"]["amountBonus"],
        json!(2500.5),
        "{deliveries}"
    );
}

#[tokio::test]
async fn ios_sdk_homebank_cards_for_the_test_homebank_user() {
    let app = TestApp::spawn().await;
    let session = SdkSession::start(&app, "", "000170010", "2000.0").await;
    let cards = |homebank: Option<&'static str>, invoice: &'static str| {
        let mut request = app
            .http
            .get(app.url(&format!("/hb-cards?invoiceId={invoice}")))
            .bearer_auth(&session.token);
        if let Some(token) = homebank {
            request = request.header("x-homebank-auth", format!("Bearer {token}"));
        }
        send(request)
    };
    let (status, body) = cards(Some(HOMEBANK_TOKEN), "000170010").await;
    assert_eq!(status, 200, "{body}");
    let list: Vec<sdk::HomeBankCard> = decode("hb-cards", &body);
    assert_eq!(list.len(), 3);
    assert!(list
        .iter()
        .all(|c| c.systemAttributeId.is_some() && c.cardInfo.is_some()));

    for (homebank, invoice, want) in [
        (None, "000170010", 401),
        (Some("no-such-user"), "000170010", 401),
        (Some(HOMEBANK_TOKEN), "000170011", 400),
    ] {
        let (status, body) = cards(homebank, invoice).await;
        assert_eq!(status, want, "{body}");
        let error: sdk::ErrorResponseBody = decode("the hb-cards error", &body);
        assert!(!error.message.is_empty());
    }
}

#[tokio::test]
async fn ios_sdk_endpoints_need_a_live_token_and_answer_errors_in_the_bank_shape() {
    let app = TestApp::spawn().await;
    let requests = [
        (reqwest::Method::POST, "/public-profile"),
        (reqwest::Method::GET, "/terminals/67e34d63-102f-4bd1-898e-370781d0074d"),
        (
            reqwest::Method::GET,
            "/credit-condition?shopId=3f0b1c2a-5d4e-4f6a-9b8c-7d6e5f4a3b21",
        ),
        (reqwest::Method::POST, "/order"),
        (reqwest::Method::GET, "/order/status?orderId=000170020"),
        (reqwest::Method::POST, "/payment/checkgobonus"),
        (reqwest::Method::GET, "/hb-cards?invoiceId=000170020"),
    ];
    for base in ["", "/api"] {
        for (method, path) in &requests {
            let (status, body) = send(
                app.http
                    .request(method.clone(), app.url(&format!("{base}{path}")))
                    .json(&json!({})),
            )
            .await;
            assert_eq!(status, 401, "{base}{path}: {body}");
            let error: sdk::ErrorResponseBody = decode(path, &body);
            assert_eq!(error.code, 401);
        }
    }

    let session = SdkSession::start(&app, "", "000170020", "9000.0").await;
    let refusals = [
        (session.get("/terminals/c36b282f-0000-0000-0000-000000000000").await, 404),
        (session.get("/credit-condition?shopId=04f25a4b-d2bd-4dd8-b3a7-9390be4774c4").await, 404),
        (session.get("/credit-condition").await, 400),
        (session.get("/order/status?orderId=000170020").await, 404),
        (session.post("/order", &json!({"shopId": SHOP_ID, "amount": 9000})).await, 400),
        (
            session
                .post("/order", &json!({"shopId": SHOP_ID, "amount": 9000, "orderId": "000170020", "creditConditionId": "nope"}))
                .await,
            400,
        ),
        (
            session
                .post("/order", &json!({"shopId": SHOP_ID, "amount": 9000, "orderId": "000170099", "creditConditionId": "1c7e0d6a-0b0e-4c3e-9a51-3a0e2b1f0003"}))
                .await,
            400,
        ),
        (session.post("/payment/checkgobonus", &json!({"card": "x"})).await, 400),
        (session.post("/payment/checkgobonus", &json!({"cryptogram": "bm90IGEgY3J5cHRvZ3JhbQ=="})).await, 400),
    ];
    for ((status, body), want) in refusals {
        assert_eq!(status, want, "{body}");
        let error: sdk::ErrorResponseBody = decode("an SDK error", &body);
        assert!(!error.message.is_empty(), "{body}");
    }
    assert!(
        app.sandbox().installment_orders().is_empty(),
        "nothing is stored from a refused order"
    );
}

#[tokio::test]
async fn ios_sdk_latin_cryptogram_key_and_a_declined_payment_gives_the_bonus_back() {
    let app = TestApp::spawn().await;
    let session = SdkSession::start(&app, "", "000170030", "1000.0").await;
    let cryptogram = app.cryptogram(DECLINED_484.0, DECLINED_484.1, DECLINED_484.2, TERMINAL);
    let (status, body) = session
        .post("/payment/checkgobonus", &json!({ "cryptogram": cryptogram }))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(decode::<sdk::GoBonusResponseBody>("checkgobonus", &body).goBonus, 300.0);

    let (status, body) = session.pay("000170030", 1000.0, &cryptogram).await;
    assert_eq!(status, 400, "{body}");
    let error: sdk::ErrorResponseBody = decode("the decline", &body);
    assert_eq!(error.code, 484);
    let checked = session.check_status("000170030").await;
    assert_eq!(checked["transaction"]["statusName"], "REJECT");
    assert_eq!(checked["transaction"]["amountBonus"], json!(300), "{checked}");
    assert_eq!(
        session.go_bonus(&cryptogram).await,
        300.0,
        "a declined payment gives the bonus back"
    );
    let (_, body) = send(app.http.get(app.url("/_sandbox/bonuses"))).await;
    let report: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    assert_eq!(report["spends"][0]["returned"], json!(true), "{report}");
    let page = app.get_text("/_sandbox/").await;
    assert!(
        page.contains("Bonus spending") && page.contains("400000...4848"),
        "the dashboard shows the spend"
    );
}

#[tokio::test]
async fn ios_sdk_installment_orders_reject_outside_the_condition_and_obey_the_control_plane() {
    #[derive(Deserialize)]
    struct Order {
        id: String,
        status: String,
    }
    let app = TestApp::spawn().await;
    freeze(&app).await;
    let session = SdkSession::start(&app, "", "000170040", "3000.0").await;
    let (_, _, small) = session.launch("000170040", 3000.0).await;
    let (status, body) = session
        .post(
            "/order",
            &json!({"shopId": SHOP_ID, "amount": 3000.0, "orderId": "000170040", "creditConditionId": "1c7e0d6a-0b0e-4c3e-9a51-3a0e2b1f0003"}),
        )
        .await;
    assert_eq!(status, 200, "the SDK's repeated launch gets the same order: {body}");
    assert_eq!(decode::<sdk::OrderResponseBody>("order", &body).id, small.id);
    advance(&app, 60).await;
    assert_eq!(
        session.order_status("000170040").await.name,
        sdk::OrderStatus::Reject,
        "3000 KZT is below the condition's 5000"
    );

    let session = SdkSession::start(&app, "", "000170041", "20000.0").await;
    let (_, _, order) = session.launch("000170041", 20000.0).await;
    let step = |key: String, step: &'static str| {
        let app = &app;
        async move { send(app.http.post(app.url(&format!("/_sandbox/orders/{key}/{step}")))).await }
    };
    let (status, body) = step(order.id.clone(), "scan").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(decode::<Order>("control order", &body).status, "SCAN");
    assert_eq!(session.order_status("000170041").await.name, sdk::OrderStatus::Scan);
    let (status, body) = step("000170041".into(), "reject").await;
    assert_eq!(
        (status, decode::<Order>("control order", &body).id),
        (200, order.id.clone())
    );
    assert_eq!(session.order_status("000170041").await.name, sdk::OrderStatus::Reject);
    let (status, body) = step(order.id.clone(), "accept").await;
    assert_eq!(status, 409, "a decided order stays decided: {body}");
    let (status, _) = step(order.id.clone(), "sideways").await;
    assert_eq!(status, 404);
    advance(&app, 3600).await;
    assert_eq!(session.order_status("000170041").await.name, sdk::OrderStatus::Reject);

    let page = app.get_text("/_sandbox/").await;
    assert!(
        page.contains("Installment orders") && page.contains("000170041"),
        "the dashboard lists the orders"
    );
}
