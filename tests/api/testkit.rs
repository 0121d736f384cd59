//! The typed helpers of `SandboxServer` beyond the README's example.

use crate::helpers::*;
use epay_sandbox::testkit::{Card, HelperError};

#[tokio::test]
async fn helpers_pay_magic_amounts_and_fail_a_challenge() {
    let app = TestApp::spawn().await;
    let server = &app.server;
    let declined = server.pay(&Card::VISA, "000000501", "484.99").await.expect("pays");
    assert_eq!((declined.http_status, declined.decline_code()), (400, Some(484)));
    let challenged = server.pay(&Card::SECURE_3DS, "000000502", "12.50").await.expect("pays");
    assert!(challenged.secure3d().is_some(), "{:?}", challenged.body);
    let confirmation = server.complete_3ds(&challenged, false).await.expect("confirms");
    assert!(!confirmation.succeeded(), "{confirmation:?}");
    let again = server.complete_3ds(&challenged, true).await;
    assert!(
        matches!(again, Err(HelperError::Refused { status: 404, .. })),
        "{again:?}"
    );
    let refused = server.token("000000503", "-1").await;
    assert!(
        matches!(refused, Err(HelperError::Refused { what: "token", .. })),
        "{refused:?}"
    );
}
