use epay_sandbox::{Card, Config, SandboxServer};
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = SandboxServer::start(Config::seeded(7)).await?; // the same ids every run
    let base = sandbox.url(); // http://127.0.0.1:<port>: point the client under test here
    assert!(base.starts_with("http://127.0.0.1:"));

    let paid = sandbox.pay(&Card::VISA, "000000101", "100").await?;
    assert_eq!(paid.status(), Some("AUTH"));

    let challenged = sandbox.pay(&Card::SECURE_3DS, "000000102", "100").await?;
    assert!(challenged.secure3d().is_some());
    assert!(sandbox.complete_3ds(&challenged, true).await?.succeeded());

    let declined = sandbox.pay(&Card::DECLINED_484, "000000103", "100").await?;
    assert_eq!(declined.decline_code(), Some(484));
    assert!(sandbox.deliveries().is_empty()); // no postLink was given

    sandbox.freeze();
    sandbox.advance(Duration::from_secs(8 * 24 * 3600))?; // move sandbox time: the AUTH hold expires
    let held = sandbox.transaction_by_invoice(epay_sandbox::testkit::TEST_TERMINAL, "000000101");
    assert_eq!(held.map(|t| t.status().as_str()), Some("CANCEL_OLD"));

    sandbox.reset(); // back to the fixtures
    sandbox.shutdown().await;
    Ok(())
}
