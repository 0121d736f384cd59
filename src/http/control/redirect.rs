//! Where a dashboard form may send the browser after a control-plane action.

/// A redirect target the dashboard may use: a path under `/_sandbox` of visible ASCII only (so
/// it is a valid header value and cannot leave the sandbox).
pub fn is_local_redirect(to: &str) -> bool {
    to.starts_with("/_sandbox") && !to.contains("//") && to.bytes().all(|b| b.is_ascii_graphic())
}
