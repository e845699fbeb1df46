//! Time windows in whole seconds.
//!
//! Calls start on whole seconds, so any window, however fine its boundaries, selects the same
//! calls as an inclusive range of whole seconds. Reducing every request to that range makes
//! caching and summing exact.

use chrono::{NaiveDate, NaiveTime};

use crate::data::calls::SECONDS_PER_DAY;

/// An inclusive range of whole Unix seconds; empty when `first > last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecondWindow {
    pub first: i64,
    pub last: i64,
}

impl SecondWindow {
    /// All of the UTC days `from..=to`.
    pub fn whole_days(from: NaiveDate, to: NaiveDate) -> Self {
        Self {
            first: day_number(from) * SECONDS_PER_DAY,
            last: (day_number(to) + 1) * SECONDS_PER_DAY - 1,
        }
    }

    /// The part of this window at or after `second` (empty if it all lies before).
    pub fn starting_no_earlier_than(self, second: i64) -> Self {
        Self {
            first: self.first.max(second),
            last: self.last,
        }
    }

    pub fn contains(&self, second: i64) -> bool {
        (self.first..=self.last).contains(&second)
    }

    /// The days (since 1970-01-01) this window touches, clipped to `within`. An empty window
    /// may still touch one day; `contains` then rejects every call of it.
    pub fn days_within(&self, within: (i64, i64)) -> std::ops::RangeInclusive<i64> {
        let first_day = self.first.div_euclid(SECONDS_PER_DAY).max(within.0);
        let last_day = self.last.div_euclid(SECONDS_PER_DAY).min(within.1);
        first_day..=last_day
    }
}

/// Days since 1970-01-01 (negative before).
pub fn day_number(date: NaiveDate) -> i64 {
    date.and_time(NaiveTime::MIN)
        .and_utc()
        .timestamp()
        .div_euclid(SECONDS_PER_DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_days_cover_midnight_to_last_second() {
        let d = NaiveDate::from_ymd_opt(1970, 1, 2).unwrap();
        let w = SecondWindow::whole_days(d, d);
        assert_eq!((w.first, w.last), (86_400, 172_799));
        assert_eq!(w.days_within((0, 10)), 1..=1);
        assert!(w.days_within((5, 10)).is_empty());
        assert_eq!(
            day_number(NaiveDate::from_ymd_opt(1969, 12, 31).unwrap()),
            -1
        );
    }

    #[test]
    fn clipping_the_start_keeps_the_end_and_may_empty_the_window() {
        let w = SecondWindow {
            first: 100,
            last: 200,
        };
        assert_eq!(w.starting_no_earlier_than(50), w);
        assert_eq!(
            w.starting_no_earlier_than(150),
            SecondWindow {
                first: 150,
                last: 200
            }
        );
        let gone = w.starting_no_earlier_than(300);
        assert!(!gone.contains(200) && !gone.contains(300));
    }
}
