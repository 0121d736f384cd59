//! The sandbox's own control plane under `/_sandbox/`: what tests get that the bank's test
//! environment cannot give.

use crate::engine::Sandbox;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::Arc;

/// Routes under `/_sandbox`.
pub fn routes() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/health", get(health))
        .route("/reset", post(reset))
        .merge(super::secure3d_control::routes())
}

/// Liveness, version and uptime.
async fn health(State(sandbox): State<Arc<Sandbox>>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "name": env!("CARGO_PKG_NAME"),
        "version": env!("CARGO_PKG_VERSION"),
        "uptimeSeconds": sandbox.uptime_seconds(),
        "now": sandbox.clock.now().to_rfc3339(),
    }))
}

/// Everything back to the fixtures.
async fn reset(State(sandbox): State<Arc<Sandbox>>) -> Json<Value> {
    sandbox.reset();
    Json(json!({"status": "reset"}))
}
