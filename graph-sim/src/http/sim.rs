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
use crate::data::Dataset;
use crate::data::directory::{Directory, OrgField};
use crate::error::SimError;
use crate::truth::{TruthQuery, truth_for};

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

/// The query's parameters, decoded, in order.
fn parameters(query: Option<String>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn parameter<'a>(parameters: &'a [(String, String)], name: &str) -> Option<&'a str> {
    parameters
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

fn group(value: Option<&str>) -> Result<Option<OrgField>, String> {
    value
        .map(|name| {
            OrgField::from_name(name).ok_or_else(|| {
                let known: Vec<&str> = OrgField::NAMES.iter().map(|(name, _)| *name).collect();
                format!("'group' must be one of {}, got '{name}'", known.join(", "))
            })
        })
        .transpose()
}

/// Runs a computation over the whole dataset off the async workers; its error is a 400.
async fn blocking_answer<T: serde::Serialize + Send + 'static>(
    state: &AppState,
    compute: impl FnOnce(&Dataset) -> Result<T, SimError> + Send + 'static,
) -> Response {
    let dataset = Arc::clone(&state.dataset);
    match tokio::task::spawn_blocking(move || compute(&dataset)).await {
        Ok(Ok(answer)) => Json(answer).into_response(),
        Ok(Err(error)) => bad_request(error.to_string()),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}

/// `GET /_sim/truth?from=YYYY-MM-DD&to=YYYY-MM-DD` (inclusive UTC days), of the full data:
/// days older than `--retention-days` are still there, though the report no longer has them.
/// Optional `group=department|costCenter|division|companyName|officeLocation` adds `groups`
/// (per value of that directory property; `""` for people in the directory without one,
/// `"not_in_directory"` for report users the directory does not list), and `under=<object id>`
/// keeps only the people who report to that person directly or indirectly, adding `users`
/// (those of them with a call in the range). See [`crate::Truth`].
pub async fn truth(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
    let parameters = parameters(query);
    let get = |name: &str| parameter(&parameters, name);
    let (from, to) = match (day("from", get("from")), day("to", get("to"))) {
        (Ok(from), Ok(to)) => (from, to),
        (Err(message), _) | (_, Err(message)) => return bad_request(message),
    };
    let query = match group(get("group")) {
        Ok(group) => TruthQuery {
            group,
            under: get("under").map(str::to_owned),
        },
        Err(message) => return bad_request(message),
    };
    blocking_answer(&state, move |dataset| truth_for(dataset, from, to, &query)).await
}

/// `GET /_sim/directory/reports?manager=<object id>`: `{"ids":[…]}`, the object ids of everyone
/// in the directory who reports to that person directly or indirectly, sorted.
pub async fn directory_reports(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Response {
    let parameters = parameters(query);
    let Some(manager) = parameter(&parameters, "manager").map(str::to_owned) else {
        return bad_request("'manager' (an object id) is required".into());
    };
    blocking_answer(&state, move |dataset| {
        let ids = Directory::new(dataset).report_ids(&manager)?;
        Ok(json!({ "ids": ids }))
    })
    .await
}
