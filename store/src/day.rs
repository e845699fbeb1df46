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
    pub pages: u64,
    /// Graph's `request-id` of the day's last page.
    pub request_id: Option<String>,
    /// The store's write counter when the day was written: caches built from an older state
    /// of the day are stale.
    pub version: u64,
}

/// Which of a row's totals Graph sent as null.
pub(crate) const NULL_CALLS: u8 = 1;
pub(crate) const NULL_SECONDS: u8 = 2;
pub(crate) const NULL_CHARGE: u8 = 4;

/// One stored row: the key's id and its totals for the day (null totals read as zero, with
/// the flag kept so the merged row says null where Graph did).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayRow {
    pub key: u32,
    pub(crate) nulls: u8,
    pub calls: i64,
    pub seconds: i64,
    pub charge: Decimal,
}

impl DayRow {
    pub(crate) fn new(
        key: u32,
        calls: Option<i64>,
        seconds: Option<i64>,
        charge: Option<Decimal>,
    ) -> Self {
        let nulls = (u8::from(calls.is_none()) * NULL_CALLS)
            | (u8::from(seconds.is_none()) * NULL_SECONDS)
            | (u8::from(charge.is_none()) * NULL_CHARGE);
        DayRow {
            key,
            nulls,
            calls: calls.unwrap_or(0),
            seconds: seconds.unwrap_or(0),
            charge: charge.unwrap_or_default(),
        }
    }

    pub fn total_calls(&self) -> Option<i64> {
        (self.nulls & NULL_CALLS == 0).then_some(self.calls)
    }

    pub fn total_call_seconds(&self) -> Option<i64> {
        (self.nulls & NULL_SECONDS == 0).then_some(self.seconds)
    }

    pub fn total_call_charge(&self) -> Option<Decimal> {
        (self.nulls & NULL_CHARGE == 0).then_some(self.charge)
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
