//! Memory under hostile input: how much the server's resident set grows when clients send
//! 1 000 requests whose fields are a megabyte long. Field byte bounds refuse such requests before
//! anything is stored, so the growth should stay within the allocator's working set, not grow
//! with the bytes sent. A benchmark, not a test: it prints and asserts nothing.
//!
//! `cargo bench --bench hostile_rss` (release profile). The sandbox runs as its own process (the
//! binary built beside this benchmark), so the figure is the server's alone, read from
//! `/proc/<pid>/status` (Linux only).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TERMINAL: &str = "67e34d63-102f-4bd1-898e-370781d0074d";
const P2P_TERMINAL: &str = "c36b282f-6819-4d4f-85df-a4bdc8a8f703";
const SECRET: &str = "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG";
const REQUESTS: usize = 1_000;
const IN_FLIGHT: usize = 8;
const FIELD_BYTES: usize = 1_000_000;

/// The sandbox binary, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Server {
    fn start() -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_epay-sandbox"))
            .args(["--addr", &format!("127.0.0.1:{port}"), "--seed", "7"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the sandbox binary starts");
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Resident set size in KiB.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

async fn wait_ready(http: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(response) = http.get(format!("{base}/_sandbox/health")).send().await {
            if response.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the sandbox did not become ready");
}

async fn token(http: &reqwest::Client, base: &str, terminal: &str, invoice: &str) -> reqwest::Response {
    http.post(format!("{base}/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "payment"),
            ("client_id", "test"),
            ("client_secret", SECRET),
            ("terminal", terminal),
            ("invoiceID", invoice),
        ])
        .send()
        .await
        .expect("token request")
}

async fn bearer(http: &reqwest::Client, base: &str, terminal: &str) -> String {
    let body: serde_json::Value = token(http, base, terminal, "").await.json().await.expect("token body");
    body["access_token"].as_str().expect("access_token").to_string()
}

/// One hostile request of kind `n % 5`; returns its HTTP status and the start of its answer.
async fn hostile(http: &reqwest::Client, base: &str, n: usize, payment_token: &str, p2p_token: &str) -> (u16, String) {
    let huge = "9".repeat(FIELD_BYTES);
    let response = match n % 5 {
        0 => token(http, base, TERMINAL, &huge).await,
        1 => http
            .post(format!("{base}/payment/cryptopay"))
            .bearer_auth(payment_token)
            .json(&serde_json::json!({
                "amount": 100, "currency": "KZT", "invoiceId": huge, "terminalId": TERMINAL,
                "name": "ARMAN ALI", "cryptogram": "x"
            }))
            .send()
            .await
            .expect("cryptopay"),
        2 => http
            .post(format!("{base}/payments/cards/auth"))
            .bearer_auth(payment_token)
            .json(&serde_json::json!({
                "amount": 100, "currency": "KZT", "invoiceId": format!("{:09}", 500_000 + n),
                "terminalId": TERMINAL, "cardId": {"id": "x"}, "description": huge
            }))
            .send()
            .await
            .expect("saved-card payment"),
        3 => http
            .post(format!("{base}/p2p/transfer"))
            .bearer_auth(p2p_token)
            .json(&serde_json::json!({
                "amount": 100, "currency": "KZT", "order": format!("{:09}", 600_000 + n),
                "terminalId": P2P_TERMINAL, "senderCardCred": huge
            }))
            .send()
            .await
            .expect("transfer"),
        _ => http
            .post(format!("{base}/operation/{}/refund", "1".repeat(64)))
            .bearer_auth(payment_token)
            .json(&serde_json::json!({ "amount": 1, "externalID": huge }))
            .send()
            .await
            .expect("refund"),
    };
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    (status, body.chars().take(100).collect())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let server = Server::start();
    runtime.block_on(async {
        let http = reqwest::Client::new();
        wait_ready(&http, &server.base).await;
        let payment_token = bearer(&http, &server.base, TERMINAL).await;
        let p2p_token = bearer(&http, &server.base, P2P_TERMINAL).await;
        for n in 0..5 * IN_FLIGHT {
            hostile(&http, &server.base, n, &payment_token, &p2p_token).await;
        }
        let before = server.rss_kib();
        let started = Instant::now();
        let mut answers = std::collections::BTreeMap::<(u16, String), usize>::new();
        for batch in (0..REQUESTS).collect::<Vec<_>>().chunks(IN_FLIGHT) {
            let mut set = tokio::task::JoinSet::new();
            for &n in batch {
                let (http, base) = (http.clone(), server.base.clone());
                let (payment_token, p2p_token) = (payment_token.clone(), p2p_token.clone());
                set.spawn(async move { hostile(&http, &base, n, &payment_token, &p2p_token).await });
            }
            while let Some(Ok(answer)) = set.join_next().await {
                *answers.entry(answer).or_default() += 1;
            }
        }
        let after = server.rss_kib();
        println!(
            "hostile_rss: {REQUESTS} requests with {FIELD_BYTES}-byte fields in {:.1} s ({} MB sent)",
            started.elapsed().as_secs_f64(),
            REQUESTS * FIELD_BYTES / 1_000_000
        );
        for ((status, body), count) in &answers {
            println!("  {count:>4} × {status} {body}");
        }
        println!(
            "  server RSS: {:.1} MiB before, {:.1} MiB after, growth {:.1} MiB",
            before as f64 / 1024.0,
            after as f64 / 1024.0,
            (after.saturating_sub(before)) as f64 / 1024.0
        );
    });
}
