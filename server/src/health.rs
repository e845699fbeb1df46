//! `/healthz`: the process is up (and in which mode). `/readyz`: the report store's database
//! answers (asked each time: a stopped PostgreSQL shows at once) and a Graph token can be
//! obtained (the cached one or a fresh one), so pages can be served; 503 otherwise.
//!
//! Both are open to anyone (load balancers call them), so `/readyz` says only a short reason
//! code; the identity platform's whole answer (AADSTS text, client id, trace ids) goes to the
//! log. Its verdict is kept for a while, so a flood of calls makes no flood of token requests:
//! 30 s after a success, and after a failure 5 s, doubling with each further failure up to 60 s.
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use graph_client::{AuthErrorKind, GraphError};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::PortalState;

const READY_FOR: Duration = Duration::from_secs(30);
const FIRST_BACKOFF: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

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
    let report = state.service.history_report();
    let in_memory_days = state
        .service
        .history()
        .days_in_memory(report.first_day, report.today);
    let mut history = history(&report, in_memory_days);
    let store = state.service.history().store();
    // Several instances on one PostgreSQL: whether this one is the one that syncs.
    history["this_instance_syncs"] = json!(store.is_syncer());
    let verdict = match store.check().await {
        Ok(()) => state.readiness.verdict(&state.service).await,
        Err(error) => {
            tracing::warn!(%error, "not ready: the report store does not answer");
            Err("store_unavailable")
        }
    };
    match verdict {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "mode": mode, "history": history })),
        ),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(
                json!({ "status": "unavailable", "mode": mode, "reason": reason, "history": history }),
            ),
        ),
    }
}

/// How far the kept history reaches and what is still loading: counts and dates only (this
/// route is open to anyone), and one line a person can read.
fn history(report: &report_store::HistoryReport, in_memory_days: u32) -> Value {
    let day = |day: Option<chrono::NaiveDate>| day.map(|day| day.to_string());
    json!({
        "from": day(report.oldest_stored),
        "to": day(report.newest_stored),
        "window_days": report.window_days,
        "stored_days": report.stored_days,
        "loading_days": report.loading_days(),
        "within_lag_days": report.within_lag_days,
        "in_memory_days": in_memory_days,
        "retention_floor": day(report.retention_floor),
        // What the last sync learnt of the report itself (doctor's report step, from traffic
        // the portal makes anyway: readiness never asks Graph for the report).
        "report": match report.sync.last_error_status {
            Some(403) => "forbidden",
            Some(_) => "refused",
            None if report.sync.last_error.is_some() => "failed",
            // A stored day was read from Graph: a first backfill takes hours before it finishes.
            None if report.sync.last_finished.is_some() || report.stored_days > 0 => "ok",
            None => "not_read_yet",
        },
        // How Graph reads toDateTime (`last-tick`, `next-midnight`), once learnt.
        "to_datetime_reading": report.to_bound.map(|bound| bound.name()),
        "syncing": report.sync.running,
        "last_sync_error": report.sync.last_error.is_some(),
        "summary": history_line(report),
    })
}

/// "history from 2025-12-03 to 2026-12-02; backfilling, 212 of 365 days; 2 days still within
/// Graph's lag".
pub(crate) fn history_line(report: &report_store::HistoryReport) -> String {
    let mut parts = vec![match (report.oldest_stored, report.newest_stored) {
        (Some(from), Some(to)) => format!("history from {from} to {to}"),
        _ => "no history stored yet".to_string(),
    }];
    if report.loading_days() > 0 {
        parts.push(format!(
            "backfilling, {} of {} days",
            report.stored_days, report.window_days
        ));
    }
    if let Some(floor) = report.retention_floor {
        parts.push(format!("Graph keeps nothing before {floor}"));
    }
    match report.within_lag_days {
        0 => {}
        1 => parts.push("1 day still within Graph's lag".into()),
        days => parts.push(format!("{days} days still within Graph's lag")),
    }
    parts.join("; ")
}

/// The last readiness verdict and until when it holds. Behind an async mutex: callers that
/// arrive while a check runs wait for its verdict instead of starting their own.
#[derive(Clone, Default)]
pub struct Readiness {
    last: Arc<Mutex<Option<Verdict>>>,
}

struct Verdict {
    result: Result<(), &'static str>,
    until: Instant,
    failures: u32,
}

impl Readiness {
    async fn verdict(&self, service: &app::report::ReportService) -> Result<(), &'static str> {
        let mut last = self.last.lock().await;
        let now = Instant::now();
        if let Some(verdict) = last.as_ref()
            && now < verdict.until
        {
            return verdict.result;
        }
        let failures = last.as_ref().map_or(0, |verdict| verdict.failures);
        let (result, failures, valid_for) = match service.check_graph().await {
            Ok(()) => (Ok(()), 0, READY_FOR),
            Err(error) => {
                let reason = reason_code(&error);
                tracing::warn!(reason, %error, "not ready: no Graph token");
                (Err(reason), failures + 1, backoff(failures + 1))
            }
        };
        *last = Some(Verdict {
            result,
            until: Instant::now() + valid_for,
            failures,
        });
        result
    }
}

/// How long the `failures`-th failure in a row is kept.
fn backoff(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(8);
    (FIRST_BACKOFF * 2u32.pow(doublings)).min(MAX_BACKOFF)
}

/// A short, stable code for what stops a token: enough for a load balancer's operator to know
/// where to look, nothing from the identity platform's answer.
fn reason_code(error: &GraphError) -> &'static str {
    match error {
        GraphError::Auth(auth) => match auth.kind {
            AuthErrorKind::InvalidSecret | AuthErrorKind::ExpiredSecret => "credential_rejected",
            AuthErrorKind::InvalidClientAssertion => "certificate_rejected",
            AuthErrorKind::TenantNotFound => "tenant_not_found",
            AuthErrorKind::AppNotFoundInTenant => "app_not_found",
            AuthErrorKind::InvalidScope => "scope_rejected",
            _ => "token_refused",
        },
        GraphError::GaveUp(_) => "identity_platform_unavailable",
        GraphError::Config(_) | GraphError::Setup(_) => "misconfigured",
        _ => "token_failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_is_read_once_a_day_is_stored_or_a_sync_finished() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let report = |stored_days, sync| report_store::HistoryReport {
            first_day: day,
            today: day,
            window_days: 365,
            stored_days,
            within_lag_days: 0,
            oldest_stored: None,
            newest_stored: None,
            retention_floor: None,
            retention_note: None,
            to_bound: None,
            sync,
        };
        let status = |stored_days, sync| history(&report(stored_days, sync), 0)["report"].clone();
        let running = report_store::SyncStatus {
            running: true,
            ..Default::default()
        };
        assert_eq!(status(0, running.clone()), "not_read_yet");
        // A first backfill, hours long, has stored days before it finishes.
        assert_eq!(status(29, running.clone()), "ok");
        let refused = report_store::SyncStatus {
            last_error: Some("forbidden".into()),
            last_error_status: Some(403),
            ..running.clone()
        };
        assert_eq!(status(29, refused), "forbidden");
        let failed = report_store::SyncStatus {
            last_error: Some("timed out".into()),
            ..running
        };
        assert_eq!(status(29, failed), "failed");
    }

    #[test]
    fn failures_back_off_to_a_minute() {
        assert_eq!(backoff(1), Duration::from_secs(5));
        assert_eq!(backoff(2), Duration::from_secs(10));
        assert_eq!(backoff(4), Duration::from_secs(40));
        assert_eq!(backoff(5), MAX_BACKOFF);
        assert_eq!(backoff(40), MAX_BACKOFF);
    }
}
