//! A range's report from its stored days: one row per key, summed exactly, as Graph's report
//! for the whole range would list it. Pure: no I/O.
use graph_client::{DialoutRow, MergeStats};
use rust_decimal::Decimal;

use crate::day::StoredDay;
use crate::keys::KeyTable;

/// A key's running totals over the days (null only while every day's value was null).
#[derive(Clone, Copy, Default)]
struct Running {
    calls: Option<i64>,
    seconds: Option<i64>,
    charge: Option<Decimal>,
}

fn add<T>(sum: Option<T>, value: Option<T>, checked: fn(T, T) -> Option<T>) -> Option<Option<T>> {
    match (sum, value) {
        (Some(a), Some(b)) => checked(a, b).map(Some),
        (a, b) => Some(a.or(b)),
    }
}

/// The merged rows of `days` (chronological) and what merging saw; rows come in the order their
/// key first appears. `None` when a sum overflows (an error to report, never a wrap).
pub fn merge_days(days: &[&StoredDay], keys: &KeyTable) -> Option<(Vec<DialoutRow>, MergeStats)> {
    // Dense accumulators indexed by key id: a year of a large tenant is millions of day rows
    // over some 100,000 keys.
    let mut slot_of: Vec<u32> = vec![u32::MAX; keys.id_bound()];
    let mut order: Vec<(u32, Running)> = Vec::new();
    let mut stats = MergeStats::default();
    for day in days {
        stats.input_rows += day.state.graph_rows as usize;
        stats.rows_missing_key += day.state.rows_missing_key as usize;
        stats.rows_missing_totals += day.state.rows_missing_totals as usize;
        for row in &day.rows {
            let index = row.key as usize;
            if index >= slot_of.len() {
                slot_of.resize(index + 1, u32::MAX);
            }
            if slot_of[index] == u32::MAX {
                slot_of[index] = order.len() as u32;
                order.push((row.key, Running::default()));
            }
            let running = &mut order[slot_of[index] as usize].1;
            running.calls = add(running.calls, row.total_calls(), i64::checked_add)?;
            running.seconds = add(running.seconds, row.total_call_seconds(), i64::checked_add)?;
            running.charge = add(
                running.charge,
                row.total_call_charge(),
                Decimal::checked_add,
            )?;
        }
    }
    let rows: Vec<DialoutRow> = order
        .into_iter()
        .filter_map(|(id, running)| {
            keys.get(id)
                .map(|key| key.row(running.calls, running.seconds, running.charge))
        })
        .collect();
    stats.output_rows = rows.len();
    Some((rows, stats))
}
