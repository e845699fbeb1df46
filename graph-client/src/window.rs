//! Date ranges and Graph windows.
//!
//! The caller asks for inclusive UTC days. Graph takes `fromDateTime`/`toDateTime`, at most 90
//! days apart, and does not document whether `toDateTime` is inclusive. A window for the days
//! `a..=b` is sent as `fromDateTime=aT00:00:00Z,toDateTime=bT23:59:59.9999999Z`: the last
//! 100-ns tick of day `b` (Edm.DateTimeOffset's precision). Under the inclusive reading that
//! covers exactly `[a 00:00, b+1 00:00)`; under the exclusive reading it misses only the single
//! instant `b 23:59:59.9999999`, which no call with a start time in whole seconds (or whole
//! milliseconds, or anything coarser than a tick) can have. The next window starts at
//! `b+1 00:00:00`, so no instant is ever counted twice under either reading.
//!
//! Two more readings are possible, and a sibling function (getDirectRoutingCalls) was changed
//! to one of them: Graph cuts `toDateTime` to its date, and includes that whole date (the last
//! tick is still right) or leaves it out (the last tick loses day `b` whole, and a one-day
//! window is always empty). No single literal is right under all four: under the date-exclusive
//! reading a window must end at `b+1 00:00:00` ([`ToBound::NextMidnight`]), which the
//! date-inclusive reading would read as all of day `b+1`. The client finds the tenant's reading
//! once (`to_reading.rs`) and writes the bound that is right for it.

use std::fmt;

use chrono::{Datelike, Days, NaiveDate};

/// The longest range Graph serves in one request, in days.
pub const MAX_WINDOW_DAYS: u32 = 90;

const REPORT_FUNCTION: &str = "getPstnOnlineMeetingDialoutReport";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RangeError {
    #[error("date {0} is outside the years 1..=9999")]
    OutOfCalendar(NaiveDate),
    #[error("the range starts on {from} after it ends on {to}")]
    Reversed { from: NaiveDate, to: NaiveDate },
    #[error("a Graph window spans at most {MAX_WINDOW_DAYS} days; {from}..={to} spans {days}")]
    WindowTooLong {
        from: NaiveDate,
        to: NaiveDate,
        days: i64,
    },
    #[error("window length must be 1..={MAX_WINDOW_DAYS} days, got {0}")]
    BadWindowLength(u32),
}

/// An inclusive range of UTC days, `from..=to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct DayRange {
    from: NaiveDate,
    to: NaiveDate,
}

impl DayRange {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, RangeError> {
        for day in [from, to] {
            if !(1..=9999).contains(&day.year()) {
                return Err(RangeError::OutOfCalendar(day));
            }
        }
        if from > to {
            return Err(RangeError::Reversed { from, to });
        }
        Ok(Self { from, to })
    }

    /// The single day `day`.
    pub fn day(day: NaiveDate) -> Result<Self, RangeError> {
        Self::new(day, day)
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// Number of days, at least 1.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    /// The fewest windows covering the range: consecutive, chronological, each at most
    /// [`MAX_WINDOW_DAYS`] long.
    pub fn windows(&self) -> Vec<Window> {
        self.windows_of(MAX_WINDOW_DAYS).unwrap_or_default()
    }

    /// Consecutive chronological windows of `max_days` days (the last may be shorter).
    pub fn windows_of(&self, max_days: u32) -> Result<Vec<Window>, RangeError> {
        if !(1..=MAX_WINDOW_DAYS).contains(&max_days) {
            return Err(RangeError::BadWindowLength(max_days));
        }
        let mut windows = Vec::new();
        let mut start = self.from;
        loop {
            let end = start
                .checked_add_days(Days::new(u64::from(max_days - 1)))
                .map_or(self.to, |d| d.min(self.to));
            windows.push(Window {
                range: DayRange {
                    from: start,
                    to: end,
                },
                bound: ToBound::default(),
            });
            match end.succ_opt() {
                Some(next) if end < self.to => start = next,
                _ => return Ok(windows),
            }
        }
    }
}

impl fmt::Display for DayRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..={}", self.from, self.to)
    }
}

/// How a window's `toDateTime` is written (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum ToBound {
    /// `bT23:59:59.9999999Z`: right when Graph reads the instant (inclusive or exclusive) or
    /// cuts it to a date it includes.
    #[default]
    LastTick,
    /// `(b+1)T00:00:00Z`: right when Graph cuts it to a date it leaves out.
    NextMidnight,
}

impl ToBound {
    /// `last-tick` or `next-midnight`: how a caller records it (the portal's store does).
    pub fn name(self) -> &'static str {
        match self {
            ToBound::LastTick => "last-tick",
            ToBound::NextMidnight => "next-midnight",
        }
    }

    /// The bound [`Self::name`] names.
    pub fn from_name(name: &str) -> Option<Self> {
        [ToBound::LastTick, ToBound::NextMidnight]
            .into_iter()
            .find(|bound| bound.name() == name)
    }
}

/// A range Graph can serve in one request (at most [`MAX_WINDOW_DAYS`] days).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Window {
    range: DayRange,
    bound: ToBound,
}

impl Window {
    pub fn new(range: DayRange) -> Result<Self, RangeError> {
        let days = range.days();
        if days > i64::from(MAX_WINDOW_DAYS) {
            return Err(RangeError::WindowTooLong {
                from: range.from,
                to: range.to,
                days,
            });
        }
        Ok(Self {
            range,
            bound: ToBound::default(),
        })
    }

    pub fn range(&self) -> DayRange {
        self.range
    }

    /// The same days, their end written as `bound` says.
    pub fn with_bound(self, bound: ToBound) -> Self {
        Self { bound, ..self }
    }

    /// The `fromDateTime` literal: the first instant of the first day.
    pub fn from_date_time(&self) -> String {
        format!("{}T00:00:00Z", self.range.from.format("%Y-%m-%d"))
    }

    /// The `toDateTime` literal: the last tick of the last day, or the first instant of the
    /// day after it (see the module docs).
    pub fn to_date_time(&self) -> String {
        // Edm.DateTimeOffset's years end at 9999.
        let next = self.range.to.succ_opt().filter(|next| next.year() <= 9999);
        match (self.bound, next) {
            (ToBound::NextMidnight, Some(next)) => format!("{}T00:00:00Z", next.format("%Y-%m-%d")),
            _ => format!("{}T23:59:59.9999999Z", self.range.to.format("%Y-%m-%d")),
        }
    }

    /// `getPstnOnlineMeetingDialoutReport(fromDateTime=…,toDateTime=…)`.
    pub fn function_call(&self) -> String {
        format!(
            "{REPORT_FUNCTION}(fromDateTime={},toDateTime={})",
            self.from_date_time(),
            self.to_date_time()
        )
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.range.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn range(from: &str, to: &str) -> DayRange {
        DayRange::new(d(from), d(to)).unwrap()
    }

    fn spans(range: DayRange, max: u32) -> Vec<(String, String)> {
        let windows = range.windows_of(max).unwrap();
        windows
            .iter()
            .map(|w| (w.range().from().to_string(), w.range().to().to_string()))
            .collect()
    }

    #[test]
    fn validates_ranges() {
        assert_eq!(range("2024-01-01", "2024-01-31").days(), 31);
        assert!(matches!(
            DayRange::new(d("2024-02-01"), d("2024-01-31")),
            Err(RangeError::Reversed { .. })
        ));
        let far = NaiveDate::from_ymd_opt(10000, 1, 1).unwrap();
        assert!(matches!(
            DayRange::new(far, far),
            Err(RangeError::OutOfCalendar(_))
        ));
    }

    #[test]
    fn one_day_is_one_window() {
        let r = DayRange::day(d("2024-02-29")).unwrap();
        let w = r.windows();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].from_date_time(), "2024-02-29T00:00:00Z");
        assert_eq!(w[0].to_date_time(), "2024-02-29T23:59:59.9999999Z");
        assert_eq!(
            w[0].function_call(),
            "getPstnOnlineMeetingDialoutReport(fromDateTime=2024-02-29T00:00:00Z,toDateTime=2024-02-29T23:59:59.9999999Z)"
        );
    }

    #[test]
    fn ninety_days_is_one_window_and_ninety_one_is_two() {
        let r = range("2024-01-01", "2024-03-30");
        assert_eq!(r.days(), 90);
        assert_eq!(
            spans(r, 90),
            vec![("2024-01-01".into(), "2024-03-30".into())]
        );
        let r = range("2024-01-01", "2024-03-31");
        assert_eq!(
            spans(r, 90),
            vec![
                ("2024-01-01".into(), "2024-03-30".into()),
                ("2024-03-31".into(), "2024-03-31".into())
            ]
        );
    }

    #[test]
    fn four_hundred_days_split_into_contiguous_windows() {
        let r = range("2023-01-01", "2024-02-04");
        assert_eq!(r.days(), 400);
        let windows = r.windows();
        assert_eq!(windows.len(), 5);
        assert_eq!(windows[0].range().from(), r.from());
        assert_eq!(windows[4].range().to(), r.to());
        for pair in windows.windows(2) {
            assert_eq!(
                pair[0].range().to().succ_opt(),
                Some(pair[1].range().from())
            );
        }
        assert!(windows.iter().all(|w| w.range().days() <= 90));
        assert_eq!(windows.iter().map(|w| w.range().days()).sum::<i64>(), 400);
    }

    #[test]
    fn the_next_midnight_bound_ends_at_the_next_days_first_instant() {
        let w = Window::new(DayRange::new(d("2024-02-28"), d("2024-02-29")).unwrap())
            .unwrap()
            .with_bound(ToBound::NextMidnight);
        assert_eq!(w.to_date_time(), "2024-03-01T00:00:00Z");
        assert_eq!(w.from_date_time(), "2024-02-28T00:00:00Z");
        let last = Window::new(DayRange::day(d("9999-12-31")).unwrap())
            .unwrap()
            .with_bound(ToBound::NextMidnight);
        // No day after it: the last tick is the only end there is.
        assert_eq!(last.to_date_time(), "9999-12-31T23:59:59.9999999Z");
    }

    #[test]
    fn window_literals_never_overlap_under_either_reading() {
        let r = range("2024-12-30", "2025-01-02");
        let w = r.windows_of(2).unwrap();
        assert_eq!(w[0].to_date_time(), "2024-12-31T23:59:59.9999999Z");
        assert_eq!(w[1].from_date_time(), "2025-01-01T00:00:00Z");
    }

    #[test]
    fn windows_refuse_bad_lengths() {
        let r = range("2024-01-01", "2024-12-31");
        assert_eq!(r.windows_of(0), Err(RangeError::BadWindowLength(0)));
        assert_eq!(r.windows_of(91), Err(RangeError::BadWindowLength(91)));
        assert!(matches!(
            Window::new(r),
            Err(RangeError::WindowTooLong { days: 366, .. })
        ));
    }

    #[test]
    fn the_end_of_the_calendar_does_not_panic() {
        let r = range("9999-12-01", "9999-12-31");
        assert_eq!(r.windows().len(), 1);
        assert_eq!(r.windows_of(1).unwrap().len(), 31);
    }
}
