//! Counters behind `GET /_sim/stats`, so tests and benchmarks can see what a client did.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use super::AppState;

/// Paths under this prefix are the simulator's own and are not counted.
pub const SIM_PREFIX: &str = "/_sim/";

#[derive(Default)]
pub struct Stats {
    /// Token requests other than sign-ins (`grant_type=authorization_code`).
    pub token_requests: AtomicU64,
    /// Sign-in code redemptions.
    pub oidc_token_requests: AtomicU64,
    pub report_requests: AtomicU64,
    /// Report pages answered 200.
    pub pages_served: AtomicU64,
    /// `GET /v1.0/users` requests, whatever their answer.
    pub users_requests: AtomicU64,
    /// Users pages answered 200.
    pub users_pages_served: AtomicU64,
    /// Users requests answered 429 (identity throttling or `--throttle-rate`).
    pub users_throttled: AtomicU64,
    responses_by_status: Mutex<BTreeMap<u16, u64>>,
}

/// The JSON of `GET /_sim/stats`.
#[derive(Debug, Serialize)]
pub struct StatsSnapshot {
    pub token_requests: u64,
    pub oidc_token_requests: u64,
    pub report_requests: u64,
    pub pages_served: u64,
    pub users_requests: u64,
    pub users_pages_served: u64,
    pub users_throttled: u64,
    /// Keyed by status code, for every response outside `/_sim/` (token, Graph, sign-in).
    pub responses_by_status: BTreeMap<String, u64>,
}

impl Stats {
    fn statuses(&self) -> std::sync::MutexGuard<'_, BTreeMap<u16, u64>> {
        self.responses_by_status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub fn record_status(&self, status: u16) {
        *self.statuses().entry(status).or_default() += 1;
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            token_requests: self.token_requests.load(Ordering::Relaxed),
            oidc_token_requests: self.oidc_token_requests.load(Ordering::Relaxed),
            report_requests: self.report_requests.load(Ordering::Relaxed),
            pages_served: self.pages_served.load(Ordering::Relaxed),
            users_requests: self.users_requests.load(Ordering::Relaxed),
            users_pages_served: self.users_pages_served.load(Ordering::Relaxed),
            users_throttled: self.users_throttled.load(Ordering::Relaxed),
            responses_by_status: self
                .statuses()
                .iter()
                .map(|(status, count)| (status.to_string(), *count))
                .collect(),
        }
    }

    pub fn reset(&self) {
        for counter in [
            &self.token_requests,
            &self.oidc_token_requests,
            &self.report_requests,
            &self.pages_served,
            &self.users_requests,
            &self.users_pages_served,
            &self.users_throttled,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
        self.statuses().clear();
    }
}

/// Middleware counting the status of every response outside `/_sim/`.
pub async fn count_responses(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let counted = !request.uri().path().starts_with(SIM_PREFIX);
    let response = next.run(request).await;
    if counted {
        state.stats.record_status(response.status().as_u16());
    }
    response
}
