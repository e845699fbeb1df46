//! Cache settings and expiry: windows that end inside Graph's data lag are still filling in,
//! so they expire sooner than settled ones.
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use moka::Expiry;

/// How long fetched report data is kept, and how much of it.
#[derive(Clone, Debug)]
pub struct CacheSettings {
    /// For data whose last day is inside the lag (Graph may still add to it).
    pub recent_ttl: Duration,
    /// For data whose last day is older than the lag.
    pub settled_ttl: Duration,
    /// Graph's reporting lag: days before today that may still change.
    pub lag_days: u64,
    /// Upper bound on report rows held across all cached windows and ranges.
    pub max_rows: u64,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            recent_ttl: Duration::from_secs(15 * 60),
            settled_ttl: Duration::from_secs(12 * 60 * 60),
            lag_days: 2,
            max_rows: 1_000_000,
        }
    }
}

impl CacheSettings {
    pub fn ttl_for(&self, last_day: NaiveDate, today: NaiveDate) -> Duration {
        let settled_before = today
            .checked_sub_days(Days::new(self.lag_days))
            .unwrap_or(today);
        if last_day >= settled_before {
            self.recent_ttl
        } else {
            self.settled_ttl
        }
    }
}

/// Anything cached under a key that knows its last day.
pub trait LastDay {
    fn last_day(&self) -> NaiveDate;
}

/// moka expiry policy: each entry lives for the TTL its key's last day calls for.
pub struct LagAwareExpiry {
    pub settings: CacheSettings,
    pub today: super::Today,
}

impl<K: LastDay, V> Expiry<K, V> for LagAwareExpiry {
    fn expire_after_create(&self, key: &K, _value: &V, _created_at: Instant) -> Option<Duration> {
        Some(self.settings.ttl_for(key.last_day(), (self.today)()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_inside_the_lag_expires_sooner() {
        let settings = CacheSettings::default();
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert_eq!(settings.ttl_for(day(27), today), settings.recent_ttl);
        assert_eq!(settings.ttl_for(day(26), today), settings.recent_ttl);
        assert_eq!(settings.ttl_for(day(25), today), settings.settled_ttl);
    }
}
