//! From the function's two literals to the whole seconds the report covers.

use crate::config::{RetentionReading, SimConfig, ToSemantics};
use crate::data::calls::SECONDS_PER_DAY;
use crate::odata::function::ReportCall;
use crate::odata::literal::{Instant, parse_date_time_offset};
use crate::window::{SecondWindow, day_number};

/// The documented maximum range of one request.
pub const MAX_RANGE_DAYS: i64 = 90;
const NANOS_PER_DAY: i128 = 86_400 * 1_000_000_000;

/// Graph's data retention (`--retention-days`) as the report applies it. The truth ignores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub days: u32,
    /// Midnight (UTC) starting the first retained day, `today - days`, in Unix seconds.
    pub first_second: i64,
    pub reading: RetentionReading,
}

impl Retention {
    /// The configured retention, if any.
    pub fn of(config: &SimConfig) -> Option<Self> {
        config.retention_days.map(|days| Self {
            days,
            first_second: (day_number(config.today) - i64::from(days)) * SECONDS_PER_DAY,
            reading: config.retention_reading,
        })
    }

    /// The retained part of `window` (requested from `from`), or Graph's 400 message.
    ///
    /// Clipping depends only on the request's own literals and the fixed `--today`, so every
    /// page of a window (the next links keep the function segment) gets the same answer.
    fn apply(self, from: Instant, window: SecondWindow) -> Result<SecondWindow, String> {
        match self.reading {
            // Older days are simply absent, as days outside the history are.
            RetentionReading::Empty => Ok(window.starting_no_earlier_than(self.first_second)),
            // The UTC day of the instant itself: `…T23:59:59.5Z` on an expired day is refused
            // even though no call of that day could be selected.
            RetentionReading::Error if from.floor_second() < self.first_second => Err(format!(
                "fromDateTime is outside the data retention period of {} days.",
                self.days
            )),
            RetentionReading::Error => Ok(window),
        }
    }
}

/// Validates the range and reduces it to whole seconds, then applies the retention; the error
/// is Graph's 400 message.
pub fn requested_window(
    call: &ReportCall,
    semantics: ToSemantics,
    retention: Option<Retention>,
) -> Result<SecondWindow, String> {
    let from = literal(call.from)?;
    let to = literal(call.to)?;
    let length = to.nanos_after(from);
    if length < 0 {
        return Err(format!(
            "Invalid date range: fromDateTime '{}' is later than toDateTime '{}'.",
            call.from, call.to
        ));
    }
    if length > i128::from(MAX_RANGE_DAYS) * NANOS_PER_DAY {
        return Err(format!(
            "The date range between fromDateTime and toDateTime cannot be more than \
             {MAX_RANGE_DAYS} days."
        ));
    }
    let window = selected_seconds(from, to, semantics);
    match retention {
        Some(retention) => retention.apply(from, window),
        None => Ok(window),
    }
}

fn literal(text: &str) -> Result<Instant, String> {
    parse_date_time_offset(text).map_err(|_| {
        format!(
            "The DateTimeOffset text '{text}' should be in format \
             'yyyy-mm-ddThh:mm:ss('.'s+)?(zzzzzz)?' and each field value is within valid range."
        )
    })
}

/// Calls start on whole seconds, so a call at second `s` is in `[from, to]` iff
/// `s >= ceil(from)` and `s <= floor(to)`, and in `[from, to)` iff `s <= ceil(to) - 1`. The
/// date readings cut `to` to the start of its UTC day first.
fn selected_seconds(from: Instant, to: Instant, semantics: ToSemantics) -> SecondWindow {
    let to_day_start = to.floor_second().div_euclid(SECONDS_PER_DAY) * SECONDS_PER_DAY;
    SecondWindow {
        first: from.ceil_second(),
        last: match semantics {
            ToSemantics::Inclusive => to.floor_second(),
            ToSemantics::Exclusive => to.ceil_second() - 1,
            ToSemantics::DateExclusive => to_day_start - 1,
            ToSemantics::DateInclusive => to_day_start + SECONDS_PER_DAY - 1,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(from: &str, to: &str, semantics: ToSemantics) -> Result<SecondWindow, String> {
        requested_window(&ReportCall { from, to }, semantics, None)
    }

    fn retention(reading: RetentionReading) -> Option<Retention> {
        let config = SimConfig {
            today: chrono::NaiveDate::from_ymd_opt(1970, 1, 12).unwrap(),
            retention_days: Some(5),
            retention_reading: reading,
            ..SimConfig::default()
        };
        Retention::of(&config)
    }

    fn retained(from: &str, to: &str, reading: RetentionReading) -> Result<SecondWindow, String> {
        requested_window(
            &ReportCall { from, to },
            ToSemantics::Inclusive,
            retention(reading),
        )
    }

    #[test]
    fn retention_starts_on_today_minus_the_days() {
        let r = retention(RetentionReading::Empty).unwrap();
        assert_eq!(r.first_second, 6 * 86_400); // 1970-01-07
        assert_eq!(Retention::of(&SimConfig::default()), None);
    }

    #[test]
    fn the_empty_reading_clips_the_start() {
        use RetentionReading::Empty;
        let straddling = retained("1970-01-02", "1970-01-09", Empty).unwrap();
        assert_eq!(
            (straddling.first, straddling.last),
            (6 * 86_400, 8 * 86_400)
        );
        assert_eq!(
            retained("1970-01-06T23:59:59Z", "1970-01-09", Empty),
            retained("1970-01-07", "1970-01-09", Empty)
        );
        let retained_only = retained("1970-01-08", "1970-01-09", Empty).unwrap();
        assert_eq!(
            Ok(retained_only),
            window("1970-01-08", "1970-01-09", ToSemantics::Inclusive)
        );
        let expired = retained("1970-01-02", "1970-01-05", Empty).unwrap();
        assert!(expired.first > expired.last);
        // Range checks come first.
        assert!(retained("1970-01-05", "1970-01-02", Empty).is_err());
    }

    #[test]
    fn the_error_reading_refuses_a_from_on_an_expired_day() {
        use RetentionReading::Error;
        let message = "fromDateTime is outside the data retention period of 5 days.";
        assert_eq!(
            retained("1970-01-02", "1970-01-09", Error),
            Err(message.into())
        );
        assert_eq!(
            retained("1970-01-06T23:59:59.5Z", "1970-01-09", Error),
            Err(message.into())
        );
        // 00:30+01:00 is 23:30 UTC the day before.
        assert!(retained("1970-01-07T00:30:00+01:00", "1970-01-09", Error).is_err());
        assert_eq!(
            retained("1970-01-07", "1970-01-09", Error),
            window("1970-01-07", "1970-01-09", ToSemantics::Inclusive)
        );
    }

    #[test]
    fn inclusive_and_exclusive_differ_only_at_the_boundary_second() {
        // The date readings: `1970-01-02T23:59:59.9999999Z` loses the 2nd, or keeps it whole.
        let late = "1970-01-02T23:59:59.9999999Z";
        let cut = window("1970-01-01", late, ToSemantics::DateExclusive).unwrap();
        assert_eq!(cut.last, SECONDS_PER_DAY - 1);
        let whole = window("1970-01-01", "1970-01-02", ToSemantics::DateInclusive).unwrap();
        assert_eq!(whole.last, 2 * SECONDS_PER_DAY - 1);
        let inc = window("1970-01-01", "1970-01-02", ToSemantics::Inclusive).unwrap();
        let exc = window("1970-01-01", "1970-01-02", ToSemantics::Exclusive).unwrap();
        assert_eq!((inc.first, inc.last), (0, 86_400));
        assert_eq!((exc.first, exc.last), (0, 86_399));
        // A fractional end selects the same seconds under both readings.
        let a = window(
            "1970-01-01",
            "1970-01-01T23:59:59.5Z",
            ToSemantics::Inclusive,
        )
        .unwrap();
        let b = window(
            "1970-01-01",
            "1970-01-01T23:59:59.5Z",
            ToSemantics::Exclusive,
        )
        .unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn range_limits() {
        assert!(window("2024-01-01", "2024-03-31", ToSemantics::Inclusive).is_ok()); // 90 days
        assert!(
            window(
                "2024-01-01",
                "2024-03-31T00:00:00.0000001Z",
                ToSemantics::Inclusive
            )
            .is_err()
        );
        assert!(window("2024-01-02", "2024-01-01", ToSemantics::Inclusive).is_err());
        assert!(window("2024-01-01", "2024-01-01", ToSemantics::Inclusive).is_ok());
        assert!(
            window("2024-01-01", "nope", ToSemantics::Inclusive)
                .unwrap_err()
                .contains("'nope'")
        );
    }
}
