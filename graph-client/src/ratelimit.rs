//! Client-side rate limiter that keeps the app inside Graph's documented limits for the PSTN
//! call-record resources: 200 requests / 60 s per app per tenant, 50 / 60 s per collection
//! (graph-reference.md section 5; the 1,000 / 60 s per-tenant limit is shared with other apps
//! and cannot be tracked from here). All the client's report requests go to one collection, so
//! both limits apply to every request, retries included.
//!
//! Hand-written rather than `governor`: governor implements GCRA, a token bucket, which after a
//! full burst of N can let up to about 2N requests through in one 60-second window, over a
//! sliding-window limit of N. This is a sliding-window log: it remembers the send times of the
//! last N requests and sends the next one only when the oldest of them is older than the
//! period (plus a safety margin for the delay between sending and the server's clock), so no
//! window of that length, sliding or fixed, ever sees more than N. It also honours a global
//! pause after a 429 with `Retry-After`, so concurrent windows back off together.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// At most `requests` requests in any `per` period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub per: Duration,
}

/// The limits the client keeps to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimits {
    pub limits: Vec<RateLimit>,
    /// Added to every period, to absorb network delay between our clock and the server's.
    pub safety_margin: Duration,
}

impl RateLimits {
    /// Graph's documented per-app limits for the PSTN call-record resources.
    pub fn documented() -> Self {
        Self {
            limits: vec![
                RateLimit {
                    requests: 200,
                    per: Duration::from_secs(60),
                },
                RateLimit {
                    requests: 50,
                    per: Duration::from_secs(60),
                },
            ],
            safety_margin: Duration::from_millis(500),
        }
    }

    /// No client-side limit (benchmarks against a simulator that enforces none).
    pub fn unlimited() -> Self {
        Self {
            limits: Vec::new(),
            safety_margin: Duration::ZERO,
        }
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::documented()
    }
}

struct State {
    /// Per limit, the send times of the most recent requests (at most `requests` of them).
    sent: Vec<VecDeque<Instant>>,
    paused_until: Option<Instant>,
}

pub(crate) struct RateLimiter {
    limits: Vec<(usize, Duration)>,
    state: Mutex<State>,
}

impl RateLimiter {
    pub(crate) fn new(config: &RateLimits) -> Self {
        let limits: Vec<(usize, Duration)> = config
            .limits
            .iter()
            .filter(|l| l.requests > 0)
            .map(|l| {
                (
                    l.requests as usize,
                    l.per.saturating_add(config.safety_margin),
                )
            })
            .collect();
        let sent = limits
            .iter()
            .map(|(n, _)| VecDeque::with_capacity(*n))
            .collect();
        Self {
            limits,
            state: Mutex::new(State {
                sent,
                paused_until: None,
            }),
        }
    }

    /// Waits until one more request fits every limit, then records it as sent.
    /// Waits until one more request fits every limit and records it as sent; `false`, at once,
    /// when that moment is past `deadline` (no pointless wait).
    pub(crate) async fn acquire(&self, deadline: Instant) -> bool {
        loop {
            match self.try_acquire(Instant::now()) {
                None => return true,
                Some(at) if at > deadline => return false,
                Some(at) => tokio::time::sleep_until(at).await,
            }
        }
    }

    /// Records a request at `now` and returns `None`, or returns when to try again.
    fn try_acquire(&self, now: Instant) -> Option<Instant> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut ready_at = state.paused_until.filter(|t| *t > now);
        for ((n, per), sent) in self.limits.iter().zip(&state.sent) {
            if sent.len() >= *n
                && let Some(oldest) = sent.front()
            {
                let at = *oldest + *per;
                if at > now {
                    ready_at = ready_at.max(Some(at));
                }
            }
        }
        if ready_at.is_some() {
            return ready_at;
        }
        for ((n, _), sent) in self.limits.iter().zip(state.sent.iter_mut()) {
            if sent.len() >= *n {
                sent.pop_front();
            }
            sent.push_back(now);
        }
        None
    }

    /// Holds every request until `until` (after a 429 with `Retry-After`).
    pub(crate) fn pause_until(&self, until: Instant) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.paused_until = state.paused_until.max(Some(until));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(n: u32, secs: u64) -> RateLimiter {
        RateLimiter::new(&RateLimits {
            limits: vec![RateLimit {
                requests: n,
                per: Duration::from_secs(secs),
            }],
            safety_margin: Duration::ZERO,
        })
    }

    #[test]
    fn never_more_than_n_in_any_sliding_period() {
        let l = limiter(3, 60);
        let t0 = Instant::now();
        for i in 0..3 {
            assert_eq!(l.try_acquire(t0 + Duration::from_secs(i)), None);
        }
        assert_eq!(
            l.try_acquire(t0 + Duration::from_secs(10)),
            Some(t0 + Duration::from_secs(60))
        );
        assert_eq!(l.try_acquire(t0 + Duration::from_secs(60)), None);
        assert_eq!(
            l.try_acquire(t0 + Duration::from_secs(60)),
            Some(t0 + Duration::from_secs(61))
        );
    }

    #[test]
    fn the_strictest_limit_and_the_pause_win() {
        let l = RateLimiter::new(&RateLimits::documented());
        let t0 = Instant::now();
        for _ in 0..50 {
            assert_eq!(l.try_acquire(t0), None);
        }
        let next = l.try_acquire(t0).unwrap();
        assert_eq!(next, t0 + Duration::from_millis(60_500));
        l.pause_until(t0 + Duration::from_secs(100));
        assert_eq!(l.try_acquire(next), Some(t0 + Duration::from_secs(100)));
    }

    #[test]
    fn unlimited_only_honours_pauses() {
        let l = RateLimiter::new(&RateLimits::unlimited());
        let t0 = Instant::now();
        for _ in 0..10_000 {
            assert_eq!(l.try_acquire(t0), None);
        }
        l.pause_until(t0 + Duration::from_secs(1));
        assert!(l.try_acquire(t0).is_some());
        assert_eq!(l.try_acquire(t0 + Duration::from_secs(1)), None);
    }

    #[tokio::test(start_paused = true)]
    async fn acquire_waits_for_the_window_to_slide() {
        let l = limiter(2, 10);
        let t0 = Instant::now();
        let far = t0 + Duration::from_secs(3600);
        assert!(l.acquire(far).await);
        assert!(l.acquire(far).await);
        assert!(
            !l.acquire(t0 + Duration::from_secs(5)).await,
            "past the deadline: no wait"
        );
        assert_eq!(Instant::now(), t0);
        assert!(l.acquire(far).await);
        assert!(Instant::now() >= t0 + Duration::from_secs(10));
    }
}
