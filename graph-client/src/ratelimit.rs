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
//!
//! Every request has a [`Priority`]. An [`Interactive`](Priority::Interactive) one may use the
//! whole of every limit; a [`Background`](Priority::Background) one (the portal's sync job) is
//! sent only while the requests of either priority already sent in each limit's sliding period
//! are fewer than that limit's background share, `max(1, floor(share × N))`
//! ([`RateLimits::background_share`], default ½). So background work never holds more than its
//! share of any period and interactive requests always find the rest free; the pause after a
//! 429 holds both.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Who a request is for, as the rate limiter sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Priority {
    /// Someone is waiting for it: it may use the whole of every limit.
    #[default]
    Interactive,
    /// Nobody is waiting (a background sync): it is sent only while the requests sent in the
    /// sliding period, of either priority, are fewer than the limit's
    /// [background share](RateLimits::background_share), so interactive requests always find
    /// the rest of the limit free.
    Background,
}

/// At most `requests` requests in any `per` period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub per: Duration,
}

/// The limits the client keeps to.
#[derive(Clone, Debug, PartialEq)]
pub struct RateLimits {
    pub limits: Vec<RateLimit>,
    /// Added to every period, to absorb network delay between our clock and the server's.
    pub safety_margin: Duration,
    /// The share of every limit that [`Priority::Background`] requests may use: one is sent
    /// only while fewer than `max(1, floor(background_share × requests))` requests (of either
    /// priority) were sent in the limit's sliding period. In (0, 1]; default 0.5.
    /// [`GraphConfig::with_background_share`](crate::GraphConfig::with_background_share) checks
    /// the value; the limiter itself reads a value outside (0, 1] (or NaN) as the nearest
    /// bound, i.e. one request per period at the least and the whole limit at the most.
    pub background_share: f64,
}

/// The default [`RateLimits::background_share`]: half of Graph's budget.
const DEFAULT_BACKGROUND_SHARE: f64 = 0.5;

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
            background_share: DEFAULT_BACKGROUND_SHARE,
        }
    }

    /// No client-side limit (benchmarks against a simulator that enforces none): requests of
    /// both priorities only wait for a `Retry-After` pause.
    pub fn unlimited() -> Self {
        Self {
            limits: Vec::new(),
            safety_margin: Duration::ZERO,
            background_share: DEFAULT_BACKGROUND_SHARE,
        }
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::documented()
    }
}

/// How many requests of a `requests` limit a background request may find already sent:
/// `max(1, floor(share × requests))`, at most `requests`. The product gets a tolerance of 1e-9
/// so a decimal share means what it says (0.29 × 100 is 28.999999999999996 in binary floating
/// point, and must give 29).
fn background_cap(share: f64, requests: usize) -> usize {
    let share = if share.is_nan() {
        0.0
    } else {
        share.clamp(0.0, 1.0)
    };
    // `as` saturates; the value is within 0..=requests anyway.
    let cap = (share * requests as f64 + 1e-9).floor() as usize;
    cap.clamp(1, requests.max(1))
}

/// One limit, as the limiter keeps it.
struct Limit {
    /// At most this many requests in `per`.
    requests: usize,
    /// A background request waits while this many were sent in `per`.
    background: usize,
    /// The period, safety margin included.
    per: Duration,
}

struct State {
    /// Per limit, the send times of the most recent requests (at most `requests` of them),
    /// oldest first.
    sent: Vec<VecDeque<Instant>>,
    paused_until: Option<Instant>,
}

pub(crate) struct RateLimiter {
    limits: Vec<Limit>,
    state: Mutex<State>,
}

impl RateLimiter {
    pub(crate) fn new(config: &RateLimits) -> Self {
        let limits: Vec<Limit> = config
            .limits
            .iter()
            .filter(|l| l.requests > 0)
            .map(|l| Limit {
                requests: l.requests as usize,
                background: background_cap(config.background_share, l.requests as usize),
                per: l.per.saturating_add(config.safety_margin),
            })
            .collect();
        let sent = limits
            .iter()
            .map(|l| VecDeque::with_capacity(l.requests))
            .collect();
        Self {
            limits,
            state: Mutex::new(State {
                sent,
                paused_until: None,
            }),
        }
    }

    /// Waits until one more request of `priority` fits every limit and records it as sent;
    /// `false`, at once, when that moment is past `deadline` (no pointless wait).
    pub(crate) async fn acquire(&self, priority: Priority, deadline: Instant) -> bool {
        loop {
            match self.try_acquire(priority, Instant::now()) {
                None => return true,
                Some(at) if at > deadline => return false,
                Some(at) => tokio::time::sleep_until(at).await,
            }
        }
    }

    /// Records a request of `priority` at `now` and returns `None`, or returns when to try
    /// again (a background request may still find the limit taken by then: it tries again).
    fn try_acquire(&self, priority: Priority, now: Instant) -> Option<Instant> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut ready_at = state.paused_until.filter(|t| *t > now);
        for (limit, sent) in self.limits.iter().zip(&state.sent) {
            let cap = match priority {
                Priority::Interactive => limit.requests,
                Priority::Background => limit.background,
            };
            // Fewer than `cap` sends in the period once the cap-th newest one has left it (for
            // an interactive request, with `requests` remembered, that is the oldest one).
            if sent.len() >= cap {
                let at = sent[sent.len() - cap] + limit.per;
                if at > now {
                    ready_at = ready_at.max(Some(at));
                }
            }
        }
        if ready_at.is_some() {
            return ready_at;
        }
        for (limit, sent) in self.limits.iter().zip(state.sent.iter_mut()) {
            if sent.len() >= limit.requests {
                sent.pop_front();
            }
            sent.push_back(now);
        }
        None
    }

    /// Holds every request, of either priority, until `until` (after a 429 with `Retry-After`).
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
    use super::Priority::{Background, Interactive};
    use super::*;

    fn limiter(n: u32, secs: u64) -> RateLimiter {
        shared_limiter(n, secs, DEFAULT_BACKGROUND_SHARE)
    }

    fn shared_limiter(n: u32, secs: u64, background_share: f64) -> RateLimiter {
        RateLimiter::new(&RateLimits {
            limits: vec![RateLimit {
                requests: n,
                per: Duration::from_secs(secs),
            }],
            safety_margin: Duration::ZERO,
            background_share,
        })
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn never_more_than_n_in_any_sliding_period() {
        let l = limiter(3, 60);
        let t0 = Instant::now();
        for i in 0..3 {
            assert_eq!(
                l.try_acquire(Interactive, t0 + Duration::from_secs(i)),
                None
            );
        }
        assert_eq!(
            l.try_acquire(Interactive, t0 + Duration::from_secs(10)),
            Some(t0 + Duration::from_secs(60))
        );
        assert_eq!(
            l.try_acquire(Interactive, t0 + Duration::from_secs(60)),
            None
        );
        assert_eq!(
            l.try_acquire(Interactive, t0 + Duration::from_secs(60)),
            Some(t0 + Duration::from_secs(61))
        );
    }

    #[test]
    fn the_strictest_limit_and_the_pause_win() {
        let l = RateLimiter::new(&RateLimits::documented());
        let t0 = Instant::now();
        for _ in 0..50 {
            assert_eq!(l.try_acquire(Interactive, t0), None);
        }
        let next = l.try_acquire(Interactive, t0).unwrap();
        assert_eq!(next, t0 + Duration::from_millis(60_500));
        l.pause_until(t0 + Duration::from_secs(100));
        assert_eq!(
            l.try_acquire(Interactive, next),
            Some(t0 + Duration::from_secs(100))
        );
    }

    #[test]
    fn unlimited_only_honours_pauses() {
        let l = RateLimiter::new(&RateLimits::unlimited());
        let t0 = Instant::now();
        for _ in 0..10_000 {
            assert_eq!(l.try_acquire(Interactive, t0), None);
        }
        l.pause_until(t0 + Duration::from_secs(1));
        assert!(l.try_acquire(Interactive, t0).is_some());
        assert_eq!(
            l.try_acquire(Interactive, t0 + Duration::from_secs(1)),
            None
        );
    }

    #[tokio::test(start_paused = true)]
    async fn acquire_waits_for_the_window_to_slide() {
        let l = limiter(2, 10);
        let t0 = Instant::now();
        let far = t0 + Duration::from_secs(3600);
        assert!(l.acquire(Interactive, far).await);
        assert!(l.acquire(Interactive, far).await);
        assert!(
            !l.acquire(Interactive, t0 + Duration::from_secs(5)).await,
            "past the deadline: no wait"
        );
        assert_eq!(Instant::now(), t0);
        assert!(l.acquire(Interactive, far).await);
        assert!(Instant::now() >= t0 + Duration::from_secs(10));
    }

    #[test]
    fn the_background_share_is_floored_and_at_least_one() {
        assert_eq!(background_cap(0.5, 50), 25);
        assert_eq!(background_cap(0.5, 200), 100);
        assert_eq!(background_cap(0.5, 3), 1);
        assert_eq!(
            background_cap(0.29, 100),
            29,
            "no binary floating-point surprise"
        );
        assert_eq!(background_cap(0.01, 50), 1, "at least one");
        assert_eq!(background_cap(1.0, 50), 50);
        // What the config builder refuses, the limiter reads as the nearest bound.
        assert_eq!(background_cap(f64::NAN, 50), 1);
        assert_eq!(background_cap(-1.0, 50), 1);
        assert_eq!(background_cap(2.0, 50), 50);
        assert_eq!(background_cap(f64::INFINITY, 50), 50);
    }

    #[test]
    fn background_stops_at_its_share_while_interactive_gets_the_full_limit() {
        let l = limiter(10, 60); // background share: 5 of 10
        let t0 = Instant::now();
        for i in 0..5 {
            assert_eq!(l.try_acquire(Background, t0 + secs(i)), None);
        }
        assert_eq!(
            l.try_acquire(Background, t0 + secs(5)),
            Some(t0 + secs(60)),
            "the 6th background request waits for the 1st to leave the period"
        );
        for i in 5..10 {
            assert_eq!(l.try_acquire(Interactive, t0 + secs(i)), None);
        }
        assert_eq!(
            l.try_acquire(Interactive, t0 + secs(10)),
            Some(t0 + secs(60)),
            "the full limit, no more"
        );
        assert_eq!(
            l.try_acquire(Background, t0 + secs(10)),
            Some(t0 + secs(65)),
            "fewer than 5 in the period only once the 6th newest (t0+5) is out"
        );
    }

    #[test]
    fn interactive_requests_count_against_the_background_share() {
        let l = limiter(10, 60);
        let t0 = Instant::now();
        for _ in 0..5 {
            assert_eq!(l.try_acquire(Interactive, t0), None);
        }
        assert_eq!(l.try_acquire(Background, t0), Some(t0 + secs(60)));
        assert_eq!(l.try_acquire(Interactive, t0), None);
    }

    #[test]
    fn background_resumes_when_the_window_slides() {
        let l = limiter(4, 10); // background share: 2 of 4
        let t0 = Instant::now();
        assert_eq!(l.try_acquire(Background, t0), None);
        assert_eq!(l.try_acquire(Background, t0 + secs(1)), None);
        assert_eq!(l.try_acquire(Background, t0 + secs(2)), Some(t0 + secs(10)));
        assert_eq!(l.try_acquire(Background, t0 + secs(10)), None);
        assert_eq!(
            l.try_acquire(Background, t0 + secs(10)),
            Some(t0 + secs(11))
        );
        assert_eq!(l.try_acquire(Background, t0 + secs(11)), None);
        assert_eq!(l.try_acquire(Interactive, t0 + secs(11)), None);
        assert_eq!(l.try_acquire(Interactive, t0 + secs(11)), None);
        assert_eq!(
            l.try_acquire(Interactive, t0 + secs(11)),
            Some(t0 + secs(20))
        );
    }

    #[test]
    fn a_share_of_one_is_the_whole_limit() {
        let l = shared_limiter(3, 60, 1.0);
        let t0 = Instant::now();
        for i in 0..3 {
            assert_eq!(l.try_acquire(Background, t0 + secs(i)), None);
        }
        assert_eq!(
            l.try_acquire(Background, t0 + secs(10)),
            Some(t0 + secs(60))
        );
        assert_eq!(
            l.try_acquire(Interactive, t0 + secs(10)),
            Some(t0 + secs(60))
        );
        assert_eq!(l.try_acquire(Background, t0 + secs(60)), None);
        assert_eq!(
            l.try_acquire(Background, t0 + secs(60)),
            Some(t0 + secs(61))
        );
    }

    #[test]
    fn the_documented_limits_give_background_half_of_the_strictest() {
        let l = RateLimiter::new(&RateLimits::documented());
        let t0 = Instant::now();
        for _ in 0..25 {
            assert_eq!(l.try_acquire(Background, t0), None);
        }
        assert_eq!(
            l.try_acquire(Background, t0),
            Some(t0 + Duration::from_millis(60_500))
        );
        for _ in 0..25 {
            assert_eq!(l.try_acquire(Interactive, t0), None);
        }
        assert!(l.try_acquire(Interactive, t0).is_some());
    }

    #[test]
    fn unlimited_lets_both_priorities_through_but_the_pause_holds_both() {
        let l = RateLimiter::new(&RateLimits::unlimited());
        let t0 = Instant::now();
        for _ in 0..10_000 {
            assert_eq!(l.try_acquire(Background, t0), None);
            assert_eq!(l.try_acquire(Interactive, t0), None);
        }
        l.pause_until(t0 + secs(1));
        assert_eq!(l.try_acquire(Background, t0), Some(t0 + secs(1)));
        assert_eq!(l.try_acquire(Interactive, t0), Some(t0 + secs(1)));
        assert_eq!(l.try_acquire(Background, t0 + secs(1)), None);
    }

    #[tokio::test(start_paused = true)]
    async fn background_waits_for_the_window_while_interactive_goes_through() {
        let l = std::sync::Arc::new(limiter(4, 10));
        let t0 = Instant::now();
        let far = t0 + secs(3600);
        assert!(l.acquire(Background, far).await);
        assert!(l.acquire(Background, far).await);
        assert!(
            !l.acquire(Background, t0 + secs(5)).await,
            "past the deadline: no wait"
        );
        let waiting = tokio::spawn({
            let l = l.clone();
            async move {
                assert!(l.acquire(Background, far).await);
                Instant::now()
            }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        assert!(l.acquire(Interactive, far).await);
        assert!(l.acquire(Interactive, far).await);
        assert_eq!(Instant::now(), t0, "interactive requests did not wait");
        assert_eq!(waiting.await.unwrap(), t0 + secs(10));
    }
}
