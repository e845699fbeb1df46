//! Aggregating calls into report rows: one row per (user, usageLocation, destinationContext,
//! currency). The currency follows the location, so (location, context) identifies a user's row.
//!
//! Only integers are summed here (calls, seconds, billed minutes); the exact decimal charge is
//! derived from them when a row is rendered, so a row never carries rounding.

use std::num::NonZeroUsize;
use std::ops::Range;

use rust_decimal::Decimal;

use crate::data::Dataset;
use crate::data::tariffs::{self, DestinationContext, LocationId};
use crate::window::SecondWindow;

/// The totals of one report row, before identities and money are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowTotals {
    pub user: u32,
    pub location: LocationId,
    pub context: DestinationContext,
    pub calls: u32,
    pub seconds: u64,
    pub billed_minutes: u64,
}

impl RowTotals {
    pub fn charge(&self) -> Decimal {
        tariffs::charge(
            self.location,
            self.context,
            self.billed_minutes,
            u64::from(self.calls),
        )
    }
}

/// Below this many users one thread is faster than starting more.
const PARALLEL_MIN_USERS: u32 = 20_000;

/// The rows of the report for `window`, ordered by user, then location, then context.
pub fn aggregate(dataset: &Dataset, window: SecondWindow) -> Vec<RowTotals> {
    let users = dataset.user_count();
    let threads = std::thread::available_parallelism().map_or(1, NonZeroUsize::get) as u32;
    if threads < 2 || users < PARALLEL_MIN_USERS {
        return aggregate_users(dataset, window, 0..users);
    }
    // Contiguous chunks, concatenated in order, give the same rows as one thread.
    let chunk = users.div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|i| {
                let users = (i * chunk).min(users)..((i + 1) * chunk).min(users);
                scope.spawn(move || aggregate_users(dataset, window, users))
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

fn aggregate_users(dataset: &Dataset, window: SecondWindow, users: Range<u32>) -> Vec<RowTotals> {
    let mut rows = Vec::new();
    // A user has at most two locations times two contexts: a linear scan beats a map.
    let mut user_rows: Vec<RowTotals> = Vec::with_capacity(4);
    for user in users {
        user_rows.clear();
        dataset.for_each_call(user, window, |call| {
            let index = match user_rows
                .iter()
                .position(|r| r.location == call.location && r.context == call.context)
            {
                Some(index) => index,
                None => {
                    user_rows.push(RowTotals {
                        user,
                        location: call.location,
                        context: call.context,
                        calls: 0,
                        seconds: 0,
                        billed_minutes: 0,
                    });
                    user_rows.len() - 1
                }
            };
            let row = &mut user_rows[index];
            row.calls += 1;
            row.seconds += u64::from(call.seconds);
            row.billed_minutes += call.billed_minutes();
        });
        user_rows.sort_by_key(|r| (r.location, r.context));
        rows.extend_from_slice(&user_rows);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use std::collections::BTreeMap;

    fn dataset() -> Dataset {
        Dataset::new(9, 300, NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(), 60)
    }

    fn merged(
        rows: impl IntoIterator<Item = RowTotals>,
    ) -> BTreeMap<(u32, LocationId, DestinationContext), (u32, u64, u64)> {
        let mut map = BTreeMap::new();
        for r in rows {
            let e = map
                .entry((r.user, r.location, r.context))
                .or_insert((0, 0, 0));
            e.0 += r.calls;
            e.1 += r.seconds;
            e.2 += r.billed_minutes;
        }
        map
    }

    #[test]
    fn a_window_equals_the_sum_of_its_parts() {
        let data = dataset();
        let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).unwrap();
        let whole = aggregate(&data, SecondWindow::whole_days(day(1), day(31)));
        let first = aggregate(&data, SecondWindow::whole_days(day(1), day(15)));
        let second = aggregate(&data, SecondWindow::whole_days(day(16), day(31)));
        assert!(!whole.is_empty());
        assert_eq!(
            merged(whole.clone()),
            merged(first.into_iter().chain(second))
        );
        // Rows are unique per key and ordered.
        assert_eq!(merged(whole.clone()).len(), whole.len());
    }

    #[test]
    fn windows_outside_the_history_are_empty() {
        let data = dataset();
        let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        assert!(aggregate(&data, SecondWindow::whole_days(day, day)).is_empty());
    }
}
