//! Each person's share of Graph's request budget. Graph allows a tenant about 50 report
//! requests a minute, shared by everyone using the portal: without a limit one person (or a
//! script with their cookie) exploring many uncached ranges, or refreshing in a loop, makes
//! everyone else wait. So each requester has a bucket of Graph windows (a window is one
//! request chain, 1 to 90 days) that refills steadily; what is answered from the cache costs
//! nothing. A range is refreshed from Graph at most once per cooldown, whoever asks.
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::scope::Audience;
use crate::error::AppError;
use crate::model::DateRange;

/// Who a request comes from, as the server's access guard established it, and whose spend
/// it may see.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Requester {
    /// A signed-in person's object id, the proxy's user, or (without sign-in) the client's
    /// address: whose share of Graph's budget the request uses.
    pub id: String,
    pub audience: Audience,
}

impl Requester {
    pub fn new(id: impl Into<String>, audience: Audience) -> Self {
        Self {
            id: id.into(),
            audience,
        }
    }

    /// The portal itself (start-up, the sync's follow-ups): sees everyone.
    pub fn portal(id: impl Into<String>) -> Self {
        Self::new(id, Audience::Everyone)
    }

    /// A request the access guard did not name (it names every one it lets through): all such
    /// requests share one budget, and see no one's spend.
    pub fn anonymous() -> Self {
        Self::new("anonymous", Audience::Nobody)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct QuotaSettings {
    /// Graph windows a requester may have fetched per minute, on average.
    pub windows_per_minute: u32,
    /// Windows a requester may use at once (a 28-day dashboard needs 29: one per day of its
    /// trend and one for the range).
    pub burst: u32,
    /// How long after a range was refreshed from Graph it can be refreshed again.
    pub refresh_cooldown: Duration,
}

impl Default for QuotaSettings {
    fn default() -> Self {
        Self {
            windows_per_minute: 30,
            burst: 60,
            refresh_cooldown: Duration::from_secs(300),
        }
    }
}

impl QuotaSettings {
    /// No limit: for a Graph that limits nothing (the demo simulator by default).
    pub fn unlimited() -> Self {
        Self {
            windows_per_minute: u32::MAX,
            burst: u32::MAX,
            refresh_cooldown: Duration::ZERO,
        }
    }

    fn is_unlimited(&self) -> bool {
        self.burst == u32::MAX
    }
}

/// Requesters remembered at once (idle ones are forgotten after an hour, with a full bucket).
const REQUESTERS_KEPT: u64 = 100_000;

#[derive(Clone)]
pub struct GraphQuota {
    settings: QuotaSettings,
    buckets: moka::sync::Cache<String, Arc<Mutex<Bucket>>>,
    refreshed: moka::sync::Cache<DateRange, Instant>,
}

impl GraphQuota {
    pub fn new(settings: QuotaSettings) -> Self {
        let idle = Duration::from_secs(3600);
        Self {
            buckets: moka::sync::Cache::builder()
                .max_capacity(REQUESTERS_KEPT)
                .time_to_idle(idle)
                .build(),
            refreshed: moka::sync::Cache::builder()
                .max_capacity(REQUESTERS_KEPT)
                .time_to_live(settings.refresh_cooldown.max(Duration::from_secs(1)))
                .build(),
            settings,
        }
    }

    /// Takes `windows` Graph windows from the requester's bucket, or says when to come back.
    pub fn charge(&self, requester: &Requester, windows: u32) -> Result<(), AppError> {
        if windows == 0 || self.settings.is_unlimited() {
            return Ok(());
        }
        let burst = f64::from(self.settings.burst);
        let bucket = self
            .buckets
            .get_with_by_ref(&requester.id, || Arc::new(Mutex::new(Bucket::full(burst))));
        let mut bucket = bucket
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let rate = f64::from(self.settings.windows_per_minute) / 60.0;
        bucket
            .take(Instant::now(), f64::from(windows), rate, burst)
            .map_err(|wait| {
                let secs = wait.as_secs().max(1);
                AppError::TooManyRequests {
                    message: format!(
                        "You have asked Microsoft Graph for a lot of new data in the last minutes ({windows} more request chains needed now). Graph's budget is shared by everyone using the portal: try again in {secs} s, or look at a range already loaded."
                    ),
                    retry_after_secs: secs,
                }
            })
    }

    /// Whether `range` may be refreshed now (then the cooldown starts), or when it may.
    pub fn start_refresh(&self, range: DateRange) -> Result<(), AppError> {
        if self.settings.refresh_cooldown.is_zero() {
            return Ok(());
        }
        let now = Instant::now();
        let cooldown = self.settings.refresh_cooldown;
        let mut since = None;
        self.refreshed
            .entry(range)
            .and_compute_with(|entry| match entry {
                Some(entry) if now.duration_since(*entry.value()) < cooldown => {
                    since = Some(now.duration_since(*entry.value()));
                    moka::ops::compute::Op::Nop
                }
                _ => moka::ops::compute::Op::Put(now),
            });
        match since {
            None => Ok(()),
            Some(since) => {
                let secs = (cooldown - since).as_secs().max(1);
                Err(AppError::TooManyRequests {
                    message: format!(
                        "This range was refreshed from Microsoft Graph {} s ago; it can be refreshed again in {secs} s (Graph adds data only every few hours).",
                        since.as_secs()
                    ),
                    retry_after_secs: secs,
                })
            }
        }
    }
}

/// A token bucket of Graph windows.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(burst: f64) -> Self {
        Self {
            tokens: burst,
            at: Instant::now(),
        }
    }

    /// Takes `cost` tokens at `now`, refilled at `rate` a second up to `burst`. A cost larger
    /// than the burst (a long range) is admitted with a full bucket and leaves a debt to wait
    /// out; otherwise `Err` says how long until it would be admitted.
    fn take(&mut self, now: Instant, cost: f64, rate: f64, burst: f64) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(burst);
        self.at = now;
        let needed = cost.min(burst);
        if self.tokens + 1e-9 >= needed {
            self.tokens -= cost;
            return Ok(());
        }
        let wait = if rate > 0.0 {
            (needed - self.tokens) / rate
        } else {
            f64::from(u32::MAX)
        };
        Err(Duration::from_secs_f64(wait.ceil()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_refills_and_says_when() {
        let start = Instant::now();
        let mut bucket = Bucket {
            tokens: 60.0,
            at: start,
        };
        let rate = 0.5; // 30 a minute
        assert!(bucket.take(start, 29.0, rate, 60.0).is_ok());
        assert!(bucket.take(start, 29.0, rate, 60.0).is_ok());
        // 2 left: 29 more needs 27 / 0.5 = 54 s.
        assert_eq!(
            bucket.take(start, 29.0, rate, 60.0),
            Err(Duration::from_secs(54))
        );
        let later = start + Duration::from_secs(54);
        assert!(bucket.take(later, 29.0, rate, 60.0).is_ok());
        // A range larger than the burst waits for a full bucket, then leaves a debt.
        let full = later + Duration::from_secs(120);
        assert!(bucket.take(full, 100.0, rate, 60.0).is_ok());
        assert!(
            bucket
                .take(full + Duration::from_secs(60), 1.0, rate, 60.0)
                .is_err()
        );
        assert!(
            bucket
                .take(full + Duration::from_secs(82), 1.0, rate, 60.0)
                .is_ok()
        );
    }

    #[test]
    fn each_requester_has_its_own_share() {
        let quota = GraphQuota::new(QuotaSettings {
            windows_per_minute: 1,
            burst: 10,
            refresh_cooldown: Duration::from_secs(300),
        });
        let ada = Requester::portal("ada");
        let ben = Requester::portal("ben");
        assert!(quota.charge(&ada, 10).is_ok());
        let refused = quota.charge(&ada, 5).unwrap_err();
        assert!(matches!(
            refused,
            AppError::TooManyRequests { retry_after_secs, .. } if retry_after_secs >= 250
        ));
        assert_eq!(refused.status_code(), 429);
        assert!(quota.charge(&ben, 10).is_ok(), "Ben is not held up by Ada");
        assert!(quota.charge(&ada, 0).is_ok(), "the cache costs nothing");
    }

    #[test]
    fn unlimited_means_unlimited() {
        let quota = GraphQuota::new(QuotaSettings::unlimited());
        let ada = Requester::portal("ada");
        for _ in 0..100 {
            assert!(quota.charge(&ada, 1_000).is_ok());
        }
        let range = DateRange {
            from: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            to: chrono::NaiveDate::from_ymd_opt(2026, 3, 7).unwrap(),
        };
        assert!(quota.start_refresh(range).is_ok());
        assert!(quota.start_refresh(range).is_ok());
    }

    #[test]
    fn a_range_is_refreshed_once_per_cooldown() {
        let quota = GraphQuota::new(QuotaSettings::default());
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let range = DateRange {
            from: day(1),
            to: day(7),
        };
        assert!(quota.start_refresh(range).is_ok());
        let again = quota.start_refresh(range).unwrap_err();
        assert!(matches!(
            again,
            AppError::TooManyRequests { retry_after_secs, .. } if retry_after_secs > 290
        ));
        let other = DateRange {
            from: day(2),
            to: day(7),
        };
        assert!(quota.start_refresh(other).is_ok());
    }
}
