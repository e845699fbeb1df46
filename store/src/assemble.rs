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
    /// The charge's `i128` mantissa in two halves: an `i128` field would align the sum to 16
    /// bytes and make it 64 bytes long instead of 40 (a range's sums are walked by key id, so
    /// their size is the merge's working set).
    charge_low: u64,
    charge_high: i64,
    charge_scale: u32,
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
        charge_low: 0,
        charge_high: 0,
        charge_scale: 0,
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
        if row.has_charge() {
            let charge = Exact {
                mantissa: i128::from(row.charge_mantissa),
                scale: u32::from(row.charge_scale),
            };
            self.set_charge(self.charge().checked_add(charge)?);
            self.present |= HAS_CHARGE;
        }
        Some(())
    }

    fn has(&self, flag: u8) -> bool {
        self.present & flag != 0
    }

    fn charge(&self) -> Exact {
        Exact {
            mantissa: (i128::from(self.charge_high) << 64) | i128::from(self.charge_low),
            scale: self.charge_scale,
        }
    }

    fn set_charge(&mut self, charge: Exact) {
        // The low and high 64 bits, kept whole (the casts take bits, not values).
        self.charge_low = charge.mantissa as u64;
        self.charge_high = (charge.mantissa >> 64) as i64;
        self.charge_scale = charge.scale;
    }

    /// Calls, seconds and charge; `None` when the charge does not fit a `Decimal`.
    pub fn totals(&self) -> Option<(Option<i64>, Option<i64>, Option<Decimal>)> {
        let charge = match self.has(HAS_CHARGE) {
            true => Some(self.charge().decimal()?),
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
    #[cfg(test)]
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
    let mut stats = MergeStats::default();
    for day in days {
        // Graph's rows as sent: the repeats dropped before the day was stored included.
        stats.input_rows += (day.state.graph_rows + day.state.repeated_rows) as usize;
        stats.rows_missing_key += day.state.rows_missing_key as usize;
        stats.duplicate_rows += day.state.repeated_rows as usize;
        stats.rows_missing_totals += day.state.rows_missing_totals as usize;
    }
    // Key ids `0..bound` in as many parts as there are cores to sum them (a long range only):
    // each part walks every day's rows of its ids, the parts side by side.
    let bound = days
        .iter()
        .filter_map(|day| day.rows.last())
        .map(|row| row.key as usize + 1)
        .fold(keys.id_bound(), usize::max);
    let rows: usize = days.iter().map(|day| day.rows.len()).sum();
    let parts = if rows >= ROWS_PER_PART {
        std::thread::available_parallelism().map_or(1, |cores| cores.get().min(MAX_PARTS))
    } else {
        1
    };
    let (merged, output_rows) = merge_in_parts(days, keys, bound, parts)?;
    stats.output_rows = output_rows;
    Some((merged, stats))
}

/// [`merge_day_keys`]'s sums of the key ids `0..bound` in `parts` parts.
fn merge_in_parts(
    days: &[&StoredDay],
    keys: &KeyTable,
    bound: usize,
    parts: usize,
) -> Option<(Vec<KeyTotals>, usize)> {
    let parts = parts.max(1);
    let ranges: Vec<(usize, usize)> = (0..parts)
        .map(|part| (bound * part / parts, bound * (part + 1) / parts))
        .collect();
    let summed: Vec<Option<PartSums>> = if parts == 1 {
        vec![sum_part(days, 0, bound)]
    } else {
        std::thread::scope(|scope| {
            let running: Vec<_> = ranges
                .iter()
                .map(|&(low, high)| scope.spawn(move || sum_part(days, low, high)))
                .collect();
            running
                .into_iter()
                .map(|part| part.join().ok().flatten())
                .collect()
        })
    };
    let summed: Vec<PartSums> = summed.into_iter().collect::<Option<_>>()?;
    // Rows in the order their key first appears: by first day, then by key id (a day's rows
    // are in key order), which is each part's order too.
    let mut seen: Vec<(u32, u32, usize)> = summed
        .iter()
        .enumerate()
        .flat_map(|(part, sums)| {
            sums.first_seen
                .iter()
                .map(move |&(day, key)| (day, key, part))
        })
        .collect();
    seen.sort_unstable();
    let mut merged: Vec<KeyTotals> = Vec::with_capacity(seen.len());
    for (_, id, part) in seen {
        let low = ranges[part].0;
        let (calls, seconds, charge) = summed[part].sums[id as usize - low].totals()?;
        if let Some(key) = keys.get(id) {
            merged.push(KeyTotals {
                key: Arc::clone(key),
                calls,
                seconds,
                charge,
            });
        }
    }
    let count = merged.len();
    Some((merged, count))
}

/// A range is summed in parts when it has at least this many day rows (a thread per part
/// costs more than it saves below).
const ROWS_PER_PART: usize = 500_000;
const MAX_PARTS: usize = 4;

/// The sums of the key ids `low..high` over the days, and (day index, key id) where each first
/// appeared.
struct PartSums {
    sums: Vec<RowSum>,
    first_seen: Vec<(u32, u32)>,
}

/// Accumulators indexed by key id, in one dense vector: a year of a large tenant is millions of
/// day rows over some 100,000 keys, and each day's rows come in key order, so the sums are
/// walked front to back once per day (an index of slots in first-seen order sent every row to a
/// random place in memory: most of the merge's time was waiting for it). `None` when a sum
/// overflows.
fn sum_part(days: &[&StoredDay], low: usize, high: usize) -> Option<PartSums> {
    let mut sums: Vec<RowSum> = vec![RowSum::EMPTY; high - low];
    let mut first_seen: Vec<(u32, u32)> = Vec::new();
    for (index, day) in days.iter().enumerate() {
        debug_assert!(day.rows.is_sorted_by_key(|row| row.key));
        let start = day.rows.partition_point(|row| (row.key as usize) < low);
        for row in day.rows[start..]
            .iter()
            .take_while(|row| (row.key as usize) < high)
        {
            let running = &mut sums[row.key as usize - low];
            if !running.has(SEEN) {
                running.present |= SEEN;
                first_seen.push((index as u32, row.key));
            }
            running.add(row)?;
        }
    }
    Some(PartSums { sums, first_seen })
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

    /// A key id and its calls, seconds and charge.
    type KeySum = (u32, Option<i64>, Option<i64>, Option<Decimal>);

    /// Days of `keys` keys with made-up rows (some totals null), in key order.
    fn made_up(keys: u32, days: u32) -> (KeyTable, Vec<StoredDay>) {
        use chrono::{NaiveDate, Utc};

        use crate::day::DayState;

        let mut table = KeyTable::default();
        let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for id in 0..keys {
            let row = DialoutRow {
                user_id: Some(format!("u{}", id / 3)),
                currency: Some(["USD", "EUR", "JPY"][id as usize % 3].into()),
                ..DialoutRow::default()
            };
            table.insert(id, format!("k{id}"), ReportKey::from_row(&row, first));
        }
        let stored = (0..days)
            .map(|n| {
                let rows: Vec<DayRow> = (0..keys)
                    // Each day a different subset of keys, first seen on different days.
                    .filter(|id| (id * 7 + n * 3) % 5 < 2 + n % 2)
                    .map(|id| {
                        let charge = Decimal::new(i64::from(id * 1_013 + n * 17), id % 5);
                        DayRow::new(
                            id,
                            (id % 11 != 0).then_some(i64::from(id + n)),
                            Some(i64::from(60 * n + id)),
                            (id % 13 != 0).then_some(charge),
                        )
                        .unwrap()
                    })
                    .collect();
                StoredDay {
                    day: first + chrono::Days::new(u64::from(n)),
                    state: DayState {
                        fetched_at: Utc::now(),
                        is_final: true,
                        rows: rows.len() as u64,
                        graph_rows: rows.len() as u64,
                        rows_missing_key: 0,
                        rows_missing_totals: 0,
                        repeated_rows: 0,
                        pages: 1,
                        request_id: None,
                        version: 1,
                    },
                    rows,
                }
            })
            .collect();
        (table, stored)
    }

    #[test]
    fn sums_in_parts_equal_each_keys_sum_in_first_seen_order() {
        let (keys, days) = made_up(200, 30);
        let refs: Vec<&StoredDay> = days.iter().collect();
        // The oracle: each key's rows added one by one with Decimal and Option, in the order
        // the keys first appear.
        let mut want: Vec<KeySum> = Vec::new();
        for day in &days {
            for row in &day.rows {
                let at = match want.iter().position(|entry| entry.0 == row.key) {
                    Some(at) => at,
                    None => {
                        want.push((row.key, None, None, None));
                        want.len() - 1
                    }
                };
                let entry = &mut want[at];
                if let Some(calls) = row.total_calls() {
                    entry.1 = Some(entry.1.unwrap_or(0) + calls);
                }
                if let Some(seconds) = row.total_call_seconds() {
                    entry.2 = Some(entry.2.unwrap_or(0) + seconds);
                }
                if let Some(charge) = row.total_call_charge() {
                    entry.3 = Some(entry.3.unwrap_or_default() + charge);
                }
            }
        }
        for parts in [1, 2, 3, 4] {
            let (merged, count) = merge_in_parts(&refs, &keys, keys.id_bound(), parts).unwrap();
            assert_eq!(count, want.len());
            let got: Vec<_> = merged
                .iter()
                .map(|row| {
                    let id = (0..keys.id_bound() as u32)
                        .find(|id| Arc::ptr_eq(keys.get(*id).unwrap(), &row.key))
                        .unwrap();
                    (id, row.calls, row.seconds, row.charge)
                })
                .collect();
            assert_eq!(got, want, "{parts} parts");
            // The same digits as Decimal's sums, not only the same numbers.
            let texts = |rows: &[KeySum]| {
                rows.iter()
                    .map(|r| format!("{:?}", r.3))
                    .collect::<Vec<_>>()
            };
            assert_eq!(texts(&got), texts(&want));
        }
    }

    #[test]
    fn a_row_sum_keeps_every_bit_of_its_charge() {
        assert_eq!(std::mem::size_of::<RowSum>(), 40);
        for mantissa in [
            0,
            1,
            -1,
            i128::MAX,
            i128::MIN,
            -(1 << 70) + 3,
            (1 << 64) - 1,
        ] {
            let mut sum = RowSum::EMPTY;
            sum.set_charge(Exact { mantissa, scale: 7 });
            assert_eq!(sum.charge(), Exact { mantissa, scale: 7 });
        }
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
