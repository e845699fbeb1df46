//! Graph's identity throttling for the directory (`--enforce-limits`): a token bucket of
//! resource units per app and tenant, refilled continuously. Only one app in one tenant
//! exists here, so there is one bucket.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::faults::retry_delay;

/// The smallest tenants' budget (larger ones get up to 8,000): the strict reading.
pub const RESOURCE_UNITS: u64 = 3_500;
pub const REFILL_PERIOD: Duration = Duration::from_secs(10);

/// What one `GET /users` costs: 2, one less with `$select`, one more with `$expand`.
pub fn users_request_cost(select: bool, expand: bool) -> u64 {
    2 - u64::from(select) + u64::from(expand)
}

/// Units are counted in units × nanoseconds of the period, so a refill of any duration adds a
/// whole number and nothing is lost to rounding.
pub struct TokenBucket {
    capacity: u64,
    period_nanos: u128,
    state: Mutex<BucketState>,
}

struct BucketState {
    level: u128,
    updated: Option<Instant>,
}

impl TokenBucket {
    /// A full bucket of `capacity` units, refilled at `capacity` per `period`.
    pub fn new(capacity: u64, period: Duration) -> Self {
        let period_nanos = period.as_nanos().max(1);
        Self {
            capacity,
            period_nanos,
            state: Mutex::new(BucketState {
                level: u128::from(capacity) * period_nanos,
                updated: None,
            }),
        }
    }

    /// Takes `cost` units, or says how long until they are there. Refused requests take none.
    pub fn take(&self, cost: u64, now: Instant) -> Result<(), Duration> {
        let capacity = u128::from(self.capacity);
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let elapsed = state.updated.map_or(0, |updated| {
            now.saturating_duration_since(updated).as_nanos()
        });
        state.level = (state.level + elapsed * capacity).min(capacity * self.period_nanos);
        state.updated = Some(now);
        let needed = u128::from(cost) * self.period_nanos;
        if state.level >= needed {
            state.level -= needed;
            return Ok(());
        }
        let wait_nanos = (needed - state.level).div_ceil(capacity.max(1));
        Err(retry_delay(Duration::from_nanos(
            u64::try_from(wait_nanos).unwrap_or(u64::MAX),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_empties_then_refills_with_time() {
        let bucket = TokenBucket::new(RESOURCE_UNITS, REFILL_PERIOD);
        let start = Instant::now();
        let cost = users_request_cost(true, true);
        assert_eq!(cost, 2);
        for i in 0..RESOURCE_UNITS / cost {
            assert!(bucket.take(cost, start).is_ok(), "request {i}");
        }
        assert_eq!(bucket.take(cost, start), Err(Duration::from_secs(1)));
        // 3,500 units per 10 s: 2 units come back in under 6 ms.
        assert!(bucket.take(cost, start + Duration::from_millis(6)).is_ok());
        assert!(bucket.take(cost, start + Duration::from_millis(6)).is_err());
        // It never holds more than its capacity, however long it rests.
        let later = start + Duration::from_secs(3600);
        assert!(bucket.take(RESOURCE_UNITS, later).is_ok());
        assert!(bucket.take(1, later).is_err());
        assert_eq!(users_request_cost(false, false), 2);
        assert_eq!(users_request_cost(true, false), 1);
    }
}
