//! A range's report from its stored days: one row per key, summed exactly, as Graph's report
//! for the whole range would list it. Pure: no I/O.
use std::sync::Arc;

use graph_client::{DialoutRow, MergeStats};
use rust_decimal::Decimal;

use crate::day::{DayRow, StoredDay};
use crate::keys::{KeyTable, ReportKey};

/// A key's totals over a range: a merged report row whose key fields and names are the key
/// table's own (shared, not copied: a year of a large tenant has some 100,000 keys).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyTotals {
    pub key: Arc<ReportKey>,
    pub calls: Option<i64>,
    pub seconds: Option<i64>,
    pub charge: Option<Decimal>,
}

impl KeyTotals {
    /// The row as Graph's report for the range would list it.
    pub fn row(&self) -> DialoutRow {
        self.key.row(self.calls, self.seconds, self.charge)
    }
}

/// Running totals of day rows, exact: a key's over a range, or a trend bucket's. Each total is
/// null only while every row's value was.
#[derive(Clone, Copy, Debug)]
pub struct RowSum {
    charge: Exact,
    calls: i64,
    seconds: i64,
    /// `SEEN` and which totals some day had.
    present: u8,
}

const SEEN: u8 = 1;
const HAS_CALLS: u8 = 2;
const HAS_SECONDS: u8 = 4;
const HAS_CHARGE: u8 = 8;

impl RowSum {
    pub const EMPTY: RowSum = RowSum {
        charge: Exact {
            mantissa: 0,
            scale: 0,
        },
        calls: 0,
        seconds: 0,
        present: 0,
    };

    /// `None` when a sum overflows (an error to report, never a wrap).
    pub fn add(&mut self, row: &DayRow) -> Option<()> {
        if let Some(calls) = row.total_calls() {
            self.calls = self.calls.checked_add(calls)?;
            self.present |= HAS_CALLS;
        }
        if let Some(seconds) = row.total_call_seconds() {
            self.seconds = self.seconds.checked_add(seconds)?;
            self.present |= HAS_SECONDS;
        }
        if let Some(charge) = row.total_call_charge() {
            self.charge = self.charge.checked_add(Exact::of(charge))?;
            self.present |= HAS_CHARGE;
        }
        Some(())
    }

    fn has(&self, flag: u8) -> bool {
        self.present & flag != 0
    }

    /// Calls, seconds and charge; `None` when the charge does not fit a `Decimal`.
    pub fn totals(&self) -> Option<(Option<i64>, Option<i64>, Option<Decimal>)> {
        let charge = match self.has(HAS_CHARGE) {
            true => Some(self.charge.decimal()?),
            false => None,
        };
        Some((
            self.has(HAS_CALLS).then_some(self.calls),
            self.has(HAS_SECONDS).then_some(self.seconds),
            charge,
        ))
    }
}

/// An exact decimal as an integer mantissa and a scale, summed in `i128`: a year of a large
/// tenant adds millions of charges, and `Decimal`'s own addition (96-bit limbs, rescaling on
/// every call) was most of a long range's merge time. The sum is the same number `Decimal`
/// would give, at the largest scale of its terms; converted back at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Exact {
    mantissa: i128,
    scale: u32,
}

impl Exact {
    fn of(value: Decimal) -> Self {
        Exact {
            mantissa: value.mantissa(),
            scale: value.scale(),
        }
    }

    fn rescaled(self, scale: u32) -> Option<i128> {
        let factor = 10i128.checked_pow(scale.checked_sub(self.scale)?)?;
        self.mantissa.checked_mul(factor)
    }

    fn checked_add(self, other: Exact) -> Option<Exact> {
        let scale = self.scale.max(other.scale);
        let mantissa = self.rescaled(scale)?.checked_add(other.rescaled(scale)?)?;
        Some(Exact { mantissa, scale })
    }

    /// `None` when the sum does not fit a `Decimal` (96 bits).
    fn decimal(self) -> Option<Decimal> {
        Decimal::try_from_i128_with_scale(self.mantissa, self.scale).ok()
    }
}

/// The merged rows of `days` (chronological) and what merging saw; rows come in the order their
/// key first appears. `None` when a sum overflows (an error to report, never a wrap).
pub fn merge_days(days: &[&StoredDay], keys: &KeyTable) -> Option<(Vec<DialoutRow>, MergeStats)> {
    let (merged, stats) = merge_day_keys(days, keys)?;
    Some((merged.iter().map(KeyTotals::row).collect(), stats))
}

/// [`merge_days`] as each key's totals, the keys shared with `keys`.
pub fn merge_day_keys(
    days: &[&StoredDay],
    keys: &KeyTable,
) -> Option<(Vec<KeyTotals>, MergeStats)> {
    // Accumulators indexed by key id, in one dense vector: a year of a large tenant is millions
    // of day rows over some 100,000 keys, and each day's rows come in key order, so the sums are
    // walked front to back once per day (an index of slots in first-seen order sent every row
    // to a random place in memory: most of the merge's time was waiting for it).
    let mut sums: Vec<RowSum> = vec![RowSum::EMPTY; keys.id_bound()];
    let mut first_seen: Vec<u32> = Vec::with_capacity(keys.len());
    let mut stats = MergeStats::default();
    for day in days {
        stats.input_rows += day.state.graph_rows as usize;
        stats.rows_missing_key += day.state.rows_missing_key as usize;
        stats.rows_missing_totals += day.state.rows_missing_totals as usize;
        for row in &day.rows {
            let index = row.key as usize;
            if index >= sums.len() {
                sums.resize(index + 1, RowSum::EMPTY);
            }
            let running = &mut sums[index];
            if !running.has(SEEN) {
                running.present |= SEEN;
                first_seen.push(row.key);
            }
            running.add(row)?;
        }
    }
    let mut rows: Vec<KeyTotals> = Vec::with_capacity(first_seen.len());
    for id in first_seen {
        let (calls, seconds, charge) = sums[id as usize].totals()?;
        if let Some(key) = keys.get(id) {
            rows.push(KeyTotals {
                key: Arc::clone(key),
                calls,
                seconds,
                charge,
            });
        }
    }
    stats.output_rows = rows.len();
    Some((rows, stats))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn exact(text: &str) -> Exact {
        Exact::of(Decimal::from_str(text).unwrap())
    }

    #[test]
    fn exact_sums_equal_decimals_sums_at_the_largest_scale() {
        let terms = [
            "2.846499",
            "10.1",
            "0",
            "-3.25",
            "7",
            "0.0000001",
            "123456789.12",
        ];
        let mut sum = exact("0");
        let mut want = Decimal::ZERO;
        for term in terms {
            sum = sum.checked_add(exact(term)).unwrap();
            want += Decimal::from_str(term).unwrap();
        }
        let got = sum.decimal().unwrap();
        assert_eq!(got, want);
        // The same digits as Decimal's own sum, not only the same number.
        assert_eq!(got.to_string(), want.to_string());
        assert_eq!(got.scale(), 7);
    }

    #[test]
    fn a_sum_past_decimals_range_is_none_never_a_wrap() {
        let max = Exact::of(Decimal::MAX);
        let twice = max.checked_add(max).unwrap();
        assert_eq!(twice.decimal(), None);
        let huge = Exact {
            mantissa: i128::MAX,
            scale: 0,
        };
        assert_eq!(huge.checked_add(exact("1")), None);
        // Rescaling that overflows is refused too.
        assert_eq!(huge.checked_add(exact("0.1")), None);
    }
}
