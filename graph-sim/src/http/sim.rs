//! The simulator's own endpoints under `/_sim/`: statistics and the exact truth.

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde_json::json;
use url::form_urlencoded;

use super::AppState;
use crate::truth::truth_for;

pub async fn stats(State(state): State<Arc<AppState>>) -> Response {
    Json(state.stats.snapshot()).into_response()
}

/// Zeroes the counters and answers the zeroed snapshot.
pub async fn reset_stats(State(state): State<Arc<AppState>>) -> Response {
    state.stats.reset();
    Json(state.stats.snapshot()).into_response()
}

fn bad_request(message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": { "code": "BadRequest", "message": message } })),
    )
        .into_response()
}

fn day(name: &str, value: Option<&str>) -> Result<NaiveDate, String> {
    let value = value.ok_or_else(|| format!("'{name}' (YYYY-MM-DD) is required"))?;
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| format!("'{name}' must be a date YYYY-MM-DD, got '{value}'"))
}

/// `GET /_sim/truth?from=YYYY-MM-DD&to=YYYY-MM-DD` (inclusive UTC days), of the full data:
/// days older than `--retention-days` are still there, though the report no longer has them.
pub async fn truth(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
    let parameters: Vec<(String, String)> =
        form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let get = |name: &str| {
        parameters
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let (from, to) = match (day("from", get("from")), day("to", get("to"))) {
        (Ok(from), Ok(to)) => (from, to),
        (Err(message), _) | (_, Err(message)) => return bad_request(message),
    };
    let dataset = Arc::clone(&state.dataset);
    match tokio::task::spawn_blocking(move || truth_for(&dataset, from, to)).await {
        Ok(Ok(truth)) => Json(truth).into_response(),
        Ok(Err(error)) => bad_request(error.to_string()),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}
