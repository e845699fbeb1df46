//! Injected faults (`--throttle-rate`, `--error-rate`) and the documented request limits
//! (`--enforce-limits`).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::config::CollectionScope;
use crate::rng::{SplitMix64, Stream};

/// A failure to answer instead of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Throttled,
    /// Graph's 503 may or may not carry `Retry-After`: both happen.
    Unavailable {
        with_retry_after: bool,
    },
    GatewayTimeout,
}

/// Decides, per report request, whether to fail it. The decisions follow the seed and the
/// request's sequence number, so a run is reproducible request by request.
pub struct FaultInjector {
    seed: u64,
    throttle_rate: f64,
    error_rate: f64,
    requests: AtomicU64,
}

impl FaultInjector {
    pub fn new(seed: u64, throttle_rate: f64, error_rate: f64) -> Self {
        Self {
            seed,
            throttle_rate,
            error_rate,
            requests: AtomicU64::new(0),
        }
    }

    pub fn next(&self) -> Option<Fault> {
        if self.throttle_rate <= 0.0 && self.error_rate <= 0.0 {
            return None;
        }
        let sequence = self.requests.fetch_add(1, Ordering::Relaxed);
        let mut rng = SplitMix64::keyed(self.seed, Stream::Fault, &[sequence]);
        // One draw splits [0, 1) into throttle | error | success, so both rates hold exactly.
        let draw = rng.unit_fraction();
        if draw < self.throttle_rate {
            Some(Fault::Throttled)
        } else if draw < self.throttle_rate + self.error_rate {
            Some(match rng.below(4) {
                0 => Fault::Unavailable {
                    with_retry_after: true,
                },
                1 => Fault::Unavailable {
                    with_retry_after: false,
                },
                _ => Fault::GatewayTimeout,
            })
        } else {
            None
        }
    }
}

/// A limiter's wait as `Retry-After` gives it: whole seconds rounded up, at least one, so the
/// client never retries too early.
pub fn retry_delay(wait: Duration) -> Duration {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    Duration::from_secs(seconds.max(1))
}

/// The documented limits for the PSTN call-record resources, per `SimConfig::limit_period` (60
/// seconds as documented; `--limit-period` counts them per a shorter one, for tests).
#[cfg(test)]
const PERIOD: Duration = Duration::from_secs(60);
pub const TENANT_LIMIT: usize = 1000;
pub const APP_LIMIT: usize = 200;
pub const COLLECTION_LIMIT: usize = 50;

/// Request times within the last period.
struct SlidingWindow {
    limit: usize,
    period: Duration,
    hits: VecDeque<Instant>,
}

impl SlidingWindow {
    fn new(limit: usize, period: Duration) -> Self {
        Self {
            limit,
            period,
            hits: VecDeque::new(),
        }
    }

    fn forget_expired(&mut self, now: Instant) {
        while self
            .hits
            .front()
            .is_some_and(|&hit| now.duration_since(hit) >= self.period)
        {
            self.hits.pop_front();
        }
    }

    /// How long until one more request is allowed, if it is not allowed now.
    fn wait(&mut self, now: Instant) -> Option<Duration> {
        self.forget_expired(now);
        if self.hits.len() < self.limit {
            return None;
        }
        let oldest = self.hits.front().copied()?;
        Some(self.period.saturating_sub(now.duration_since(oldest)))
    }
}

struct Windows {
    tenant: SlidingWindow,
    app: SlidingWindow,
    collections: HashMap<String, SlidingWindow>,
}

/// Sliding-window limits: per tenant, per app in the tenant, per collection.
/// Only one tenant and one app exist here, but each limit is kept as documented.
pub struct RequestLimits {
    scope: CollectionScope,
    period: Duration,
    windows: Mutex<Windows>,
}

impl RequestLimits {
    pub fn new(scope: CollectionScope, period: Duration) -> Self {
        Self {
            scope,
            period,
            windows: Mutex::new(Windows {
                tenant: SlidingWindow::new(TENANT_LIMIT, period),
                app: SlidingWindow::new(APP_LIMIT, period),
                collections: HashMap::new(),
            }),
        }
    }

    /// Admits one request to the report (`window_key` names its fromDateTime/toDateTime), or
    /// says how long to wait. Refused requests do not count.
    pub fn admit(&self, window_key: &str, now: Instant) -> Result<(), Duration> {
        let collection = match self.scope {
            CollectionScope::Report => "report",
            CollectionScope::Window => window_key,
        };
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Windows {
            tenant,
            app,
            collections,
        } = &mut *windows;
        // Drop idle collections so distinct windows cannot grow the map forever.
        collections.retain(|_, window| {
            window.forget_expired(now);
            !window.hits.is_empty()
        });
        let collection = collections
            .entry(collection.to_owned())
            .or_insert_with(|| SlidingWindow::new(COLLECTION_LIMIT, self.period));
        let waits = [tenant.wait(now), app.wait(now), collection.wait(now)];
        if let Some(wait) = waits.into_iter().flatten().max() {
            return Err(retry_delay(wait));
        }
        for window in [tenant, app, collection] {
            window.hits.push_back(now);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_honoured() {
        let injector = FaultInjector::new(1, 0.25, 0.25);
        let faults: Vec<_> = (0..4000).map(|_| injector.next()).collect();
        let throttled = faults
            .iter()
            .filter(|f| **f == Some(Fault::Throttled))
            .count();
        let failed = faults.iter().filter(|f| f.is_some()).count() - throttled;
        assert!((800..1200).contains(&throttled), "{throttled}");
        assert!((800..1200).contains(&failed), "{failed}");
        assert!(FaultInjector::new(1, 0.0, 0.0).next().is_none());
        assert_eq!(
            FaultInjector::new(1, 1.0, 0.0).next(),
            Some(Fault::Throttled)
        );
    }

    #[test]
    fn collection_limit_refuses_the_51st_request_until_the_period_passes() {
        let limits = RequestLimits::new(CollectionScope::Report, PERIOD);
        let start = Instant::now();
        for i in 0..COLLECTION_LIMIT {
            assert!(
                limits
                    .admit("w", start + Duration::from_millis(i as u64))
                    .is_ok()
            );
        }
        let wait = limits
            .admit("w", start + Duration::from_secs(1))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(59));
        assert!(
            limits
                .admit("w", start + PERIOD + Duration::from_millis(100))
                .is_ok()
        );
    }

    #[test]
    fn window_scope_counts_windows_apart() {
        let limits = RequestLimits::new(CollectionScope::Window, PERIOD);
        let now = Instant::now();
        for _ in 0..COLLECTION_LIMIT {
            limits.admit("a", now).unwrap();
        }
        assert!(limits.admit("a", now).is_err());
        assert!(limits.admit("b", now).is_ok());
    }
}
