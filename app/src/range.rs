//! Date-range presets, as the admin center offers them. Pure: used on both sides.
use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::DateRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Preset {
    Last7Days,
    Last28Days,
    Last90Days,
    LastCalendarMonth,
}

impl Preset {
    pub const ALL: [Preset; 4] = [
        Preset::Last7Days,
        Preset::Last28Days,
        Preset::Last90Days,
        Preset::LastCalendarMonth,
    ];

    /// The range for `today` (UTC). Day ranges end yesterday: today has barely begun.
    pub fn range(self, today: NaiveDate) -> DateRange {
        let yesterday = today.checked_sub_days(Days::new(1)).unwrap_or(today);
        let last_days = |days: u64| DateRange {
            from: yesterday
                .checked_sub_days(Days::new(days - 1))
                .unwrap_or(yesterday),
            to: yesterday,
        };
        match self {
            Preset::Last7Days => last_days(7),
            Preset::Last28Days => last_days(28),
            Preset::Last90Days => last_days(90),
            Preset::LastCalendarMonth => {
                let first_of_this_month = today.with_day(1).unwrap_or(today);
                let to = first_of_this_month
                    .pred_opt()
                    .unwrap_or(first_of_this_month);
                DateRange {
                    from: to.with_day(1).unwrap_or(to),
                    to,
                }
            }
        }
    }
}

/// The range a page shows when the URL names none.
pub fn default_range(today: NaiveDate) -> DateRange {
    Preset::Last28Days.range(today)
}

/// The longest range the server accepts, in days.
pub const MAX_DAYS: i64 = 731;
#[cfg(feature = "ssr")]
const _: () = assert!(MAX_DAYS == crate::report::MAX_RANGE_DAYS);

/// Why a from–to pair typed by someone (or found in a URL) is not a range we can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeError {
    Missing,
    Unreadable,
    Reversed,
    Future,
    TooLong,
}

impl RangeError {
    pub fn message(self) -> crate::i18n::Msg {
        use crate::i18n::Msg;
        match self {
            RangeError::Missing => Msg::RangeMissing,
            RangeError::Unreadable => Msg::RangeUnreadable,
            RangeError::Reversed => Msg::RangeReversed,
            RangeError::Future => Msg::RangeFuture,
            RangeError::TooLong => Msg::RangeTooLong,
        }
    }
}

/// Checks a from–to pair as typed (`YYYY-MM-DD`) against the server's `today`.
pub fn validate(from: &str, to: &str, today: NaiveDate) -> Result<DateRange, RangeError> {
    let (from, to) = (from.trim(), to.trim());
    if from.is_empty() || to.is_empty() {
        return Err(RangeError::Missing);
    }
    let parse = |text: &str| {
        text.parse::<NaiveDate>()
            .map_err(|_| RangeError::Unreadable)
    };
    let range = DateRange {
        from: parse(from)?,
        to: parse(to)?,
    };
    if range.from > range.to {
        Err(RangeError::Reversed)
    } else if range.to > today {
        Err(RangeError::Future)
    } else if (range.to - range.from).num_days() + 1 > MAX_DAYS {
        Err(RangeError::TooLong)
    } else {
        Ok(range)
    }
}

/// The preset a range is, if any.
pub fn preset_of(range: DateRange, today: NaiveDate) -> Option<Preset> {
    Preset::ALL
        .into_iter()
        .find(|preset| preset.range(today) == range)
}

impl Preset {
    pub fn label(self) -> crate::i18n::Msg {
        use crate::i18n::Msg;
        match self {
            Preset::Last7Days => Msg::Last7Days,
            Preset::Last28Days => Msg::Last28Days,
            Preset::Last90Days => Msg::Last90Days,
            Preset::LastCalendarMonth => Msg::LastCalendarMonth,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn presets_end_yesterday_or_last_month() {
        let today = day(2026, 3, 1);
        assert_eq!(
            Preset::Last7Days.range(today),
            DateRange {
                from: day(2026, 2, 22),
                to: day(2026, 2, 28)
            }
        );
        assert_eq!(
            Preset::Last28Days.range(today),
            DateRange {
                from: day(2026, 2, 1),
                to: day(2026, 2, 28)
            }
        );
        assert_eq!(Preset::Last90Days.range(today).from, day(2025, 12, 1));
        assert_eq!(
            Preset::LastCalendarMonth.range(day(2026, 1, 15)),
            DateRange {
                from: day(2025, 12, 1),
                to: day(2025, 12, 31)
            }
        );
    }

    #[test]
    fn validates_typed_ranges() {
        let today = day(2026, 3, 10);
        assert_eq!(
            validate("2026-03-01", "2026-03-09", today),
            Ok(DateRange {
                from: day(2026, 3, 1),
                to: day(2026, 3, 9)
            })
        );
        assert_eq!(validate("", "2026-03-09", today), Err(RangeError::Missing));
        assert_eq!(
            validate("03/01/2026", "2026-03-09", today),
            Err(RangeError::Unreadable)
        );
        assert_eq!(
            validate("2026-03-09", "2026-03-01", today),
            Err(RangeError::Reversed)
        );
        assert_eq!(
            validate("2026-03-01", "2026-03-11", today),
            Err(RangeError::Future)
        );
        assert_eq!(
            validate("2023-01-01", "2026-03-01", today),
            Err(RangeError::TooLong)
        );
    }
}
