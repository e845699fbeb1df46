//! `/healthz`: the process is up (and in which mode). `/readyz`: a Graph token can be obtained
//! now (the cached one or a fresh one), so pages can be served; 503 with the reason otherwise.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::PortalState;

pub async fn healthz(State(state): State<PortalState>) -> Json<Value> {
    let mut health = json!({ "status": "up", "mode": state.mode.as_str() });
    // Demo mode only: where the embedded simulator listens (loopback), for its `/_sim/truth`.
    if let Some(url) = &state.simulator_url {
        health["simulator"] = json!(url);
    }
    Json(health)
}

pub async fn readyz(State(state): State<PortalState>) -> (StatusCode, Json<Value>) {
    let mode = state.mode.as_str();
    match state.service.check_graph().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "mode": mode })),
        ),
        // The service has logged the failure already.
        Err(error) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "mode": mode, "error": error.to_string() })),
        ),
    }
}
