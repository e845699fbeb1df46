//! `Edm.DateTimeOffset` and `Edm.Date` literals as Graph accepts them in function parameters.
//!
//! Accepted: `YYYY-MM-DD` (midnight UTC) and `YYYY-MM-DDThh:mm:ss[.f](Z|±hh:mm)`.
//! Where Graph's exact grammar is unknown the parser takes the strict reading, so a client that
//! works here also works against Graph: seconds are required, `T`/`Z` are upper case, the zone is
//! required (Graph rejects a bare local time), at most 7 fractional digits (.NET's tick
//! precision), offsets within ±14:00, years 0001-9999.

use chrono::{NaiveDate, NaiveTime};

const NANOS_PER_SECOND: i128 = 1_000_000_000;
const MAX_FRACTION_DIGITS: usize = 7;
const MAX_OFFSET_MINUTES: i64 = 14 * 60;

/// An instant in UTC with sub-second precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant {
    /// Whole seconds since the Unix epoch (the floor).
    pub unix_seconds: i64,
    /// Nanoseconds past `unix_seconds`.
    pub nanos: u32,
}

impl Instant {
    /// The first whole second at or after this instant.
    pub fn ceil_second(self) -> i64 {
        self.unix_seconds + i64::from(self.nanos > 0)
    }

    /// The last whole second at or before this instant.
    pub fn floor_second(self) -> i64 {
        self.unix_seconds
    }

    /// `self - earlier` in nanoseconds.
    pub fn nanos_after(self, earlier: Instant) -> i128 {
        (i128::from(self.unix_seconds) - i128::from(earlier.unix_seconds)) * NANOS_PER_SECOND
            + i128::from(self.nanos)
            - i128::from(earlier.nanos)
    }
}

/// Why a literal was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiteralError {
    Empty,
    Invalid,
}

/// Parses a date or date-time-offset literal.
pub fn parse_date_time_offset(text: &str) -> Result<Instant, LiteralError> {
    if text.is_empty() {
        return Err(LiteralError::Empty);
    }
    let mut cursor = Cursor::new(text.as_bytes());
    let date = cursor.date().ok_or(LiteralError::Invalid)?;
    let midnight = date.and_time(NaiveTime::MIN).and_utc().timestamp();
    if cursor.at_end() {
        return Ok(Instant {
            unix_seconds: midnight,
            nanos: 0,
        });
    }
    let (seconds_of_day, nanos) = cursor.time().ok_or(LiteralError::Invalid)?;
    let offset_seconds = cursor.zone().ok_or(LiteralError::Invalid)?;
    if !cursor.at_end() {
        return Err(LiteralError::Invalid);
    }
    Ok(Instant {
        unix_seconds: midnight + seconds_of_day - offset_seconds,
        nanos,
    })
}

/// A forward-only reader over the literal's bytes.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    fn at_end(&self) -> bool {
        self.pos == self.bytes.len()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// Exactly `count` ASCII digits as a number.
    fn digits(&mut self, count: usize) -> Option<u32> {
        let slice = self.bytes.get(self.pos..self.pos + count)?;
        let mut value = 0u32;
        for &b in slice {
            if !b.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u32::from(b - b'0');
        }
        self.pos += count;
        Some(value)
    }

    fn date(&mut self) -> Option<NaiveDate> {
        let year = self.digits(4)?;
        self.expect(b'-')?;
        let month = self.digits(2)?;
        self.expect(b'-')?;
        let day = self.digits(2)?;
        if year == 0 {
            return None;
        }
        NaiveDate::from_ymd_opt(year as i32, month, day)
    }

    /// `Thh:mm:ss[.fffffff]` as (seconds of day, nanoseconds).
    fn time(&mut self) -> Option<(i64, u32)> {
        self.expect(b'T')?;
        let hour = self.digits(2)?;
        self.expect(b':')?;
        let minute = self.digits(2)?;
        self.expect(b':')?;
        let second = self.digits(2)?;
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let mut nanos = 0u32;
        if self.expect(b'.').is_some() {
            let start = self.pos;
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
            let count = self.pos - start;
            if count == 0 || count > MAX_FRACTION_DIGITS {
                return None;
            }
            let fraction = std::str::from_utf8(&self.bytes[start..self.pos])
                .ok()?
                .parse::<u32>()
                .ok()?;
            nanos = fraction * 10u32.pow((9 - count) as u32);
        }
        Some((
            i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second),
            nanos,
        ))
    }

    /// `Z` or `±hh:mm`, as the offset from UTC in seconds.
    fn zone(&mut self) -> Option<i64> {
        let sign = match self.peek()? {
            b'Z' => {
                self.pos += 1;
                return Some(0);
            }
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        self.pos += 1;
        let hours = self.digits(2)?;
        self.expect(b':')?;
        let minutes = self.digits(2)?;
        let total = i64::from(hours) * 60 + i64::from(minutes);
        if minutes > 59 || total > MAX_OFFSET_MINUTES {
            return None;
        }
        Some(sign * total * 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(text: &str) -> (i64, u32) {
        let i = parse_date_time_offset(text).unwrap();
        (i.unix_seconds, i.nanos)
    }

    #[test]
    fn accepts_dates_and_offsets() {
        assert_eq!(seconds("1970-01-02"), (86_400, 0));
        assert_eq!(seconds("1970-01-02T00:00:00Z"), (86_400, 0));
        assert_eq!(seconds("1970-01-02T01:00:00+01:00"), (86_400, 0));
        assert_eq!(seconds("1970-01-01T23:00:00-01:00"), (86_400, 0));
        assert_eq!(seconds("1970-01-01T00:00:01.5Z"), (1, 500_000_000));
        assert_eq!(seconds("1970-01-01T00:00:01.0000001Z"), (1, 100));
        assert_eq!(seconds("1969-12-31T23:59:59.25Z"), (-1, 250_000_000));
    }

    #[test]
    fn refuses_what_graph_may_refuse() {
        for bad in [
            "2022-13-01",
            "2022-02-30",
            "2022-11-01T00:00:00",
            "2022-11-01T00:00Z",
            "2022-11-01t00:00:00z",
            "2022-11-01T24:00:00Z",
            "2022-11-01T00:00:00.Z",
            "2022-11-01T00:00:00.123456789Z",
            "2022-11-01T00:00:00+15:00",
            "2022-11-01T00:00:00+0100",
            "2022-11-01 ",
            "0000-01-01",
            "22-11-01",
            "yesterday",
            "２０２２-11-01",
        ] {
            assert_eq!(
                parse_date_time_offset(bad),
                Err(LiteralError::Invalid),
                "{bad}"
            );
        }
        assert_eq!(parse_date_time_offset(""), Err(LiteralError::Empty));
    }

    #[test]
    fn ceil_and_floor_seconds() {
        let i = parse_date_time_offset("1970-01-01T00:00:09.5Z").unwrap();
        assert_eq!((i.floor_second(), i.ceil_second()), (9, 10));
        let j = parse_date_time_offset("1970-01-01T00:00:09Z").unwrap();
        assert_eq!((j.floor_second(), j.ceil_second()), (9, 9));
        assert_eq!(i.nanos_after(j), 500_000_000);
    }
}
