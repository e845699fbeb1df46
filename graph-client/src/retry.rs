//! Retry policy: which failures are retried, how long to wait, when to give up.
//!
//! As the official Graph SDKs do: 429, 503 and 504 (plus connection failures and timeouts) are
//! retried; `Retry-After` (seconds or an HTTP date) is honoured, otherwise exponential backoff
//! with jitter. Attempts are bounded and so is the total time of one fetch (the deadline).

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

/// How hard the client tries before it gives up with a clear error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included (at least 1).
    pub max_attempts: u32,
    /// First backoff delay; doubles on each retry.
    pub base_delay: Duration,
    /// Longest backoff delay (`Retry-After` is honoured beyond it, within the deadline).
    pub max_delay: Duration,
    /// Longest time one fetch (all its windows, pages and retries) may take.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 7,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            deadline: Duration::from_secs(15 * 60),
        }
    }
}

impl RetryPolicy {
    /// Backoff before retry number `retry` (1-based), before jitter.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1).min(30));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// "Equal jitter": a uniformly random delay in `[d/2, d]`, so that clients retrying together
/// spread out but none retries sooner than half the backoff.
pub(crate) fn jitter(delay: Duration) -> Duration {
    let half = delay / 2;
    half + half.mul_f64(fastrand::f64())
}

/// Parses `Retry-After`: delta-seconds or an HTTP date (a date in the past means "now").
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(
            value
                .parse::<u64>()
                .unwrap_or(u64::MAX)
                .min(u64::from(u32::MAX)),
        ));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Why retrying stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GiveUpReason {
    /// `max_attempts` attempts all failed.
    Attempts,
    /// The next wait would end past the fetch's deadline.
    Deadline,
}

/// The retry bookkeeping of one request.
pub(crate) struct Retrier<'a> {
    policy: &'a RetryPolicy,
    deadline: Instant,
    attempts: u32,
    started: Instant,
}

impl<'a> Retrier<'a> {
    pub(crate) fn new(policy: &'a RetryPolicy, deadline: Instant) -> Self {
        Self {
            policy,
            deadline,
            attempts: 0,
            started: Instant::now(),
        }
    }

    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Counts an attempt about to be made.
    pub(crate) fn start_attempt(&mut self) -> u32 {
        self.attempts += 1;
        self.attempts
    }

    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// The wait before the next attempt after a retryable failure, or why to stop.
    pub(crate) fn next_delay(
        &self,
        retry_after: Option<Duration>,
    ) -> Result<Duration, GiveUpReason> {
        if self.attempts >= self.policy.max_attempts.max(1) {
            return Err(GiveUpReason::Attempts);
        }
        let delay = retry_after.unwrap_or_else(|| jitter(self.policy.backoff(self.attempts)));
        match Instant::now().checked_add(delay) {
            Some(at) if at <= self.deadline => Ok(delay),
            _ => Err(GiveUpReason::Deadline),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            ..Default::default()
        };
        assert_eq!(p.backoff(1), Duration::from_millis(100));
        assert_eq!(p.backoff(2), Duration::from_millis(200));
        assert_eq!(p.backoff(4), Duration::from_millis(800));
        assert_eq!(p.backoff(5), Duration::from_secs(1));
        assert_eq!(p.backoff(u32::MAX), Duration::from_secs(1));
    }

    #[test]
    fn jitter_stays_within_half_and_whole() {
        for _ in 0..1000 {
            let j = jitter(Duration::from_millis(1000));
            assert!(
                j >= Duration::from_millis(500) && j <= Duration::from_millis(1000),
                "{j:?}"
            );
        }
        assert_eq!(jitter(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert!(
            parse_retry_after("99999999999999999999999", now).is_some(),
            "huge values saturate"
        );
    }

    #[tokio::test]
    async fn gives_up_after_max_attempts_or_past_the_deadline() {
        let policy = RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(1),
            ..Default::default()
        };
        let mut r = Retrier::new(&policy, Instant::now() + Duration::from_secs(60));
        r.start_attempt();
        assert!(r.next_delay(None).is_ok());
        r.start_attempt();
        assert_eq!(r.next_delay(None), Err(GiveUpReason::Attempts));

        let mut r = Retrier::new(&policy, Instant::now() + Duration::from_secs(1));
        r.start_attempt();
        assert_eq!(
            r.next_delay(Some(Duration::from_secs(5))),
            Err(GiveUpReason::Deadline)
        );
        assert_eq!(
            r.next_delay(Some(Duration::from_millis(1))),
            Ok(Duration::from_millis(1))
        );
    }
}
