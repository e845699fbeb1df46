//! One stored day, as the portal holds it in memory: its sync state and its rows, compact
//! (a key id and the three totals), so a year of a large tenant fits in the day cache.
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

/// The sync state of a stored day (the `report_days` row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayState {
    pub fetched_at: DateTime<Utc>,
    /// Read after Graph's lag had passed: it will not change and is never read again.
    pub is_final: bool,
    /// Rows stored (one per key).
    pub rows: u64,
    /// Rows Graph sent, before rows of one key were merged.
    pub graph_rows: u64,
    pub rows_missing_key: u64,
    pub rows_missing_totals: u64,
    /// Rows Graph sent twice across the day's pages (kept once).
    pub repeated_rows: u64,
    pub pages: u64,
    /// Graph's `request-id` of the day's last page.
    pub request_id: Option<String>,
    /// The store's write counter when the day was written: caches built from an older state
    /// of the day are stale.
    pub version: u64,
}

impl DayState {
    /// Whether `other` is the same reading of the day (all but the version).
    pub(crate) fn same_reading(&self, other: &DayState) -> bool {
        DayState {
            version: other.version,
            ..self.clone()
        } == *other
    }
}

/// Which of a row's totals Graph sent as null.
pub(crate) const NULL_CALLS: u8 = 1;
pub(crate) const NULL_SECONDS: u8 = 2;
pub(crate) const NULL_CHARGE: u8 = 4;

/// One stored row: the key's id and its totals for the day (null totals read as zero, with
/// the flag kept so the merged row says null where Graph did). 24 bytes: a year of a large
/// tenant is millions of them in memory. Graph's counts are Int32, so they are held as `i32`;
/// the charge as an `i64` mantissa and its scale (18 digits; Graph's charges have a few).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayRow {
    pub key: u32,
    calls: i32,
    seconds: i32,
    pub(crate) charge_scale: u8,
    nulls: u8,
    pub(crate) charge_mantissa: i64,
}

impl DayRow {
    /// `None` when a total does not fit (a count beyond Int32, a charge of more than 18
    /// digits): the caller refuses the day with an error rather than store a wrong number.
    pub(crate) fn new(
        key: u32,
        calls: Option<i64>,
        seconds: Option<i64>,
        charge: Option<Decimal>,
    ) -> Option<Self> {
        let nulls = (u8::from(calls.is_none()) * NULL_CALLS)
            | (u8::from(seconds.is_none()) * NULL_SECONDS)
            | (u8::from(charge.is_none()) * NULL_CHARGE);
        let charge = charge.unwrap_or_default();
        Some(DayRow {
            key,
            nulls,
            calls: i32::try_from(calls.unwrap_or(0)).ok()?,
            seconds: i32::try_from(seconds.unwrap_or(0)).ok()?,
            charge_scale: u8::try_from(charge.scale()).ok()?,
            charge_mantissa: i64::try_from(charge.mantissa()).ok()?,
        })
    }

    pub fn total_calls(&self) -> Option<i64> {
        (self.nulls & NULL_CALLS == 0).then_some(i64::from(self.calls))
    }

    pub fn total_call_seconds(&self) -> Option<i64> {
        (self.nulls & NULL_SECONDS == 0).then_some(i64::from(self.seconds))
    }

    pub fn total_call_charge(&self) -> Option<Decimal> {
        (self.nulls & NULL_CHARGE == 0).then(|| {
            Decimal::from_i128_with_scale(
                i128::from(self.charge_mantissa),
                u32::from(self.charge_scale),
            )
        })
    }

    pub(crate) fn has_charge(&self) -> bool {
        self.nulls & NULL_CHARGE == 0
    }

    /// The row's fields as held: calls, seconds, charge mantissa and scale, null flags
    /// (`packed.rs`).
    pub(crate) fn raw(&self) -> (i32, i32, i64, u8, u8) {
        (
            self.calls,
            self.seconds,
            self.charge_mantissa,
            self.charge_scale,
            self.nulls,
        )
    }

    /// The row [`Self::raw`] gave; `None` for a scale no decimal has or unknown flags.
    pub(crate) fn from_raw(
        key: u32,
        calls: i32,
        seconds: i32,
        charge_mantissa: i64,
        charge_scale: u8,
        nulls: u8,
    ) -> Option<Self> {
        (charge_scale <= 28 && nulls <= NULL_CALLS | NULL_SECONDS | NULL_CHARGE).then_some(DayRow {
            key,
            calls,
            seconds,
            charge_scale,
            nulls,
            charge_mantissa,
        })
    }
}

/// A stored day's rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDay {
    pub day: NaiveDate,
    pub state: DayState,
    /// In key order (as read from the file and as written): ranges rely on it.
    pub rows: Vec<DayRow>,
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn a_row_is_24_bytes_and_gives_back_what_it_was_given() {
        assert_eq!(std::mem::size_of::<DayRow>(), 24);
        let charge = Decimal::from_str("-123456789012.345678").unwrap();
        let row = DayRow::new(7, Some(i64::from(i32::MAX)), None, Some(charge)).unwrap();
        assert_eq!(row.total_calls(), Some(i64::from(i32::MAX)));
        assert_eq!(row.total_call_seconds(), None);
        assert_eq!(row.total_call_charge(), Some(charge));
        assert_eq!(
            row.total_call_charge().unwrap().to_string(),
            charge.to_string()
        );
    }

    #[test]
    fn totals_that_do_not_fit_are_refused_not_cut() {
        let beyond = Some(i64::from(i32::MAX) + 1);
        assert_eq!(DayRow::new(1, beyond, Some(1), None), None);
        assert_eq!(DayRow::new(1, Some(1), beyond, None), None);
        let digits = Decimal::from_str("12345678901234567890.5").unwrap();
        assert_eq!(DayRow::new(1, None, None, Some(digits)), None);
    }
}
