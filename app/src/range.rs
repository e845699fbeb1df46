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
    /// Twelve calendar months ending with yesterday's: the last is month-to-date (on the 1st,
    /// the twelve months before).
    Last12Months,
}

impl Preset {
    pub const ALL: [Preset; 5] = [
        Preset::Last7Days,
        Preset::Last28Days,
        Preset::Last90Days,
        Preset::LastCalendarMonth,
        Preset::Last12Months,
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
            Preset::Last12Months => {
                let first_of_month = yesterday.with_day(1).unwrap_or(yesterday);
                DateRange {
                    from: first_of_month
                        .checked_sub_months(chrono::Months::new(11))
                        .unwrap_or(first_of_month),
                    to: yesterday,
                }
            }
        }
    }
}

/// Whether `point` is the month still under way: a calendar month from its 1st to the range's
/// end, yesterday (the days since are not in Graph's report yet).
pub fn is_month_to_date(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> bool {
    from.day() == 1
        && from.year() == to.year()
        && from.month() == to.month()
        && today.checked_sub_days(Days::new(1)) == Some(to)
        && to.month() == today.month()
}

/// The range a page shows when the URL names none.
pub fn default_range(today: NaiveDate) -> DateRange {
    Preset::Last28Days.range(today)
}

/// The longest range the portal serves, in days (pages, server functions, exports, the CLI).
pub const MAX_DAYS: i64 = 731;

/// The first day the date pickers offer: the start of the longest range ending `today`.
pub fn earliest_offered(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_days(chrono::Days::new(MAX_DAYS as u64 - 1))
        .unwrap_or(today)
}

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

    /// What is wrong with `range` (as of `today`), in English, for API callers and logs.
    pub fn describe(self, range: DateRange, today: NaiveDate) -> String {
        let DateRange { from, to } = range;
        match self {
            RangeError::Missing | RangeError::Unreadable => {
                "dates must be written YYYY-MM-DD".to_string()
            }
            RangeError::Reversed => format!("the range starts on {from} after it ends on {to}"),
            RangeError::Future => format!(
                "the range ends on {to}, after today ({today} UTC): there is no data for future days"
            ),
            RangeError::TooLong => format!(
                "the range spans {} days; the longest allowed is {MAX_DAYS}",
                range.days()
            ),
        }
    }
}

/// A UTC day written exactly `YYYY-MM-DD` (years 0001 to 9999, Graph's calendar), the only day
/// format the portal reads: no sign, no missing zeros, no spaces, no time.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    if !shaped {
        return None;
    }
    let number = |digits: &str| digits.parse::<u32>().ok();
    let year = i32::try_from(number(&text[0..4])?)
        .ok()
        .filter(|year| *year >= 1)?;
    NaiveDate::from_ymd_opt(year, number(&text[5..7])?, number(&text[8..10])?)
}

/// The one range rule: in order, not after `today` (the server's UTC date), at most
/// [`MAX_DAYS`] long.
pub fn check(range: DateRange, today: NaiveDate) -> Result<DateRange, RangeError> {
    if range.from > range.to {
        Err(RangeError::Reversed)
    } else if range.to > today {
        Err(RangeError::Future)
    } else if range.days() > MAX_DAYS {
        Err(RangeError::TooLong)
    } else {
        Ok(range)
    }
}

/// Checks a from–to pair as typed or found in a URL against the server's `today`.
pub fn validate(from: &str, to: &str, today: NaiveDate) -> Result<DateRange, RangeError> {
    let (from, to) = (from.trim(), to.trim());
    if from.is_empty() || to.is_empty() {
        return Err(RangeError::Missing);
    }
    let parse = |text: &str| parse_day(text).ok_or(RangeError::Unreadable);
    check(
        DateRange {
            from: parse(from)?,
            to: parse(to)?,
        },
        today,
    )
}

/// A day as a server function's argument (`from=YYYY-MM-DD`): read with [`parse_day`] only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Day(#[serde(with = "day_serde")] pub NaiveDate);

impl From<NaiveDate> for Day {
    fn from(day: NaiveDate) -> Self {
        Day(day)
    }
}

impl Day {
    /// The range from `from` to `to`, as the server functions receive it (checked later).
    pub fn range(from: Day, to: Day) -> DateRange {
        DateRange {
            from: from.0,
            to: to.0,
        }
    }
}

/// Serde for a day as `YYYY-MM-DD` with [`parse_day`]: strict, and without chrono's general
/// parser (which would otherwise be compiled into the browser's bundle).
pub mod day_serde {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(day: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(day)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        super::parse_day(&text)
            .ok_or_else(|| D::Error::custom(format!("{text:?} is not a day written YYYY-MM-DD")))
    }
}

/// [`day_serde`] for an optional day (`null` when absent).
pub mod optional_day_serde {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        day: &Option<NaiveDate>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match day {
            Some(day) => super::day_serde::serialize(day, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<NaiveDate>, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "super::day_serde")] NaiveDate);
        Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|Wrapped(day)| day))
    }
}

/// The period a range is compared with: the same number of calendar months before it when it
/// is whole calendar months (November against October, a quarter against the one before),
/// else the same number of days just before it.
pub fn previous_period(range: DateRange) -> Option<DateRange> {
    let to = range.from.pred_opt()?;
    let from = match whole_months(range) {
        Some(months) => range.from.checked_sub_months(chrono::Months::new(months))?,
        None => range
            .from
            .checked_sub_days(Days::new(range.days().try_into().ok()?))?,
    };
    Some(DateRange { from, to })
}

/// The same days a year earlier (whole months stay whole: February's last day is the 28th or
/// the 29th as the earlier year has it).
pub fn year_earlier(range: DateRange) -> Option<DateRange> {
    let year = chrono::Months::new(12);
    let from = range.from.checked_sub_months(year)?;
    let to = match whole_months(range) {
        Some(_) => month_end(range.to.checked_sub_months(year)?),
        None => range.to.checked_sub_months(year)?,
    };
    Some(DateRange { from, to })
}

/// How many calendar months the range is, when it is whole months (1st to a month's last day).
fn whole_months(range: DateRange) -> Option<u32> {
    let whole = range.from.day() == 1 && month_end(range.to) == range.to;
    let months = (range.to.year() - range.from.year()) * 12 + range.to.month() as i32
        - range.from.month() as i32
        + 1;
    (whole && months > 0).then_some(months as u32)
}

fn month_end(day: NaiveDate) -> NaiveDate {
    crate::model::Bucket::Month.around(day).to
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
            Preset::Last12Months => Msg::Last12Months,
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
    fn compares_with_the_period_before_and_a_year_earlier() {
        let range = |from, to| DateRange { from, to };
        // 28 days: the 28 before.
        let days = range(day(2026, 2, 15), day(2026, 3, 14));
        assert_eq!(
            previous_period(days),
            Some(range(day(2026, 1, 18), day(2026, 2, 14)))
        );
        assert_eq!(
            year_earlier(days),
            Some(range(day(2025, 2, 15), day(2025, 3, 14)))
        );
        // A calendar month: the month before, whatever its length.
        let march = range(day(2026, 3, 1), day(2026, 3, 31));
        assert_eq!(
            previous_period(march),
            Some(range(day(2026, 2, 1), day(2026, 2, 28)))
        );
        // A quarter: the quarter before; February keeps its leap day a year earlier.
        let quarter = range(day(2025, 1, 1), day(2025, 3, 31));
        assert_eq!(
            previous_period(quarter),
            Some(range(day(2024, 10, 1), day(2024, 12, 31)))
        );
        let leap = range(day(2025, 2, 1), day(2025, 2, 28));
        assert_eq!(
            year_earlier(leap),
            Some(range(day(2024, 2, 1), day(2024, 2, 29)))
        );
        // Month to date is not a whole month: the same number of days before.
        let month_to_date = range(day(2026, 3, 1), day(2026, 3, 14));
        assert_eq!(
            previous_period(month_to_date),
            Some(range(day(2026, 2, 15), day(2026, 2, 28)))
        );
        let one_day = range(day(2026, 3, 1), day(2026, 3, 1));
        assert_eq!(
            previous_period(one_day),
            Some(range(day(2026, 2, 28), day(2026, 2, 28)))
        );
    }

    #[test]
    fn the_last_12_months_end_with_this_month_to_date() {
        assert_eq!(
            Preset::Last12Months.range(day(2026, 3, 15)),
            DateRange {
                from: day(2025, 4, 1),
                to: day(2026, 3, 14)
            }
        );
        // On the 1st nothing of the new month is in the report: the twelve whole months before.
        assert_eq!(
            Preset::Last12Months.range(day(2026, 3, 1)),
            DateRange {
                from: day(2025, 3, 1),
                to: day(2026, 2, 28)
            }
        );
        assert!(Preset::Last12Months.range(day(2026, 3, 15)).days() <= MAX_DAYS);
        assert!(is_month_to_date(
            day(2026, 3, 1),
            day(2026, 3, 14),
            day(2026, 3, 15)
        ));
        // February, ended, is whole; a month the range cuts at its start is not under way.
        assert!(!is_month_to_date(
            day(2026, 2, 1),
            day(2026, 2, 28),
            day(2026, 3, 1)
        ));
        assert!(!is_month_to_date(
            day(2026, 3, 2),
            day(2026, 3, 14),
            day(2026, 3, 15)
        ));
        assert!(!is_month_to_date(
            day(2026, 2, 1),
            day(2026, 2, 14),
            day(2026, 3, 15)
        ));
    }

    #[test]
    fn reads_days_written_exactly() {
        assert_eq!(parse_day("2026-03-09"), Some(day(2026, 3, 9)));
        assert_eq!(parse_day("0001-01-01"), Some(day(1, 1, 1)));
        for bad in [
            "2026-3-09",
            "2026-03-9",
            " 2026-03-09",
            "2026-03-09 ",
            "+2026-03-09",
            "2026/03/09",
            "2026-02-30",
            "2026-13-01",
            "0000-01-01",
            "2026-03-09T00:00",
            "",
            "२०२६-03-09",
        ] {
            assert_eq!(parse_day(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn describes_each_fault() {
        let today = day(2026, 3, 10);
        let range = |from, to| DateRange { from, to };
        assert_eq!(
            check(range(day(2026, 3, 9), day(2026, 3, 1)), today)
                .unwrap_err()
                .describe(range(day(2026, 3, 9), day(2026, 3, 1)), today),
            "the range starts on 2026-03-09 after it ends on 2026-03-01"
        );
        let long = range(day(2024, 1, 1), day(2026, 1, 1));
        assert_eq!(check(long, today), Err(RangeError::TooLong));
        assert!(
            RangeError::TooLong
                .describe(long, today)
                .contains("732 days")
        );
        assert_eq!(
            check(range(day(2024, 1, 2), day(2026, 1, 1)), today).map(|r| r.days()),
            Ok(MAX_DAYS)
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
            validate("2026-3-1", "2026-03-09", today),
            Err(RangeError::Unreadable)
        );
        assert_eq!(
            validate(" 2026-03-01 ", "2026-03-09", today).map(|r| r.from),
            Ok(day(2026, 3, 1))
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
