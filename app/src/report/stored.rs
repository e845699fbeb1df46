//! From the store's days to what the aggregation reads: a range's merged rows, the facts of a
//! trend's buckets, the runs of days a range lacks, and the history's status for the page.
use std::sync::Arc;

use chrono::NaiveDate;
use report_store::{DayRow, HistoryReport, KeyTable, RowSum, StoredDay};

use super::facts::{UNKNOWN, counted};
use super::scope::People;
use super::trend::{BucketFacts, Spend};
use crate::model::{DateRange, HistoryStatus};

/// Consecutive days as ranges (`days` sorted).
pub fn runs(days: &[NaiveDate]) -> Vec<DateRange> {
    let mut runs: Vec<DateRange> = Vec::new();
    for day in days {
        match runs.last_mut() {
            Some(run) if run.to.succ_opt() == Some(*day) => run.to = *day,
            _ => runs.push(DateRange {
                from: *day,
                to: *day,
            }),
        }
    }
    runs
}

/// Whose rows a trend sums.
#[derive(Clone, Copy, Debug)]
pub enum Whose<'a> {
    Everyone,
    /// One user's (their id exactly as the report gives it).
    User(&'a str),
    /// A scope's people's.
    People(&'a People),
}

impl<'a> Whose<'a> {
    /// The one user, when it is one user's.
    pub fn user(self) -> Option<&'a str> {
        match self {
            Whose::User(id) => Some(id),
            _ => None,
        }
    }

    fn wants(self, user_id: Option<&str>) -> bool {
        match self {
            Whose::Everyone => true,
            Whose::User(wanted) => wanted == user_id.unwrap_or(UNKNOWN),
            Whose::People(people) => user_id.is_some_and(|id| people.contains(id)),
        }
    }
}

/// The spend of each bucket per currency, for everyone, one user or a scope's people (their
/// rows only). `None` when a sum overflows.
pub fn bucket_facts(
    buckets: &[DateRange],
    days: &[Arc<StoredDay>],
    keys: &KeyTable,
    whose: Whose<'_>,
) -> Option<Vec<(DateRange, Vec<Spend>)>> {
    // Each key's currency as a number, once: a year of a large tenant is millions of day rows,
    // each then summed without reading its key's strings. For some people, only their keys.
    let mut currencies: Vec<&str> = Vec::new();
    let mut currency_of: Vec<u32> = vec![NOT_WANTED; keys.id_bound()];
    let mut user_keys: Vec<u32> = Vec::new();
    let some = !matches!(whose, Whose::Everyone);
    for id in 0..keys.id_bound() as u32 {
        let Some(key) = keys.get(id) else { continue };
        if !whose.wants(key.user_id.as_deref()) {
            continue;
        }
        let currency = key.currency.as_deref().unwrap_or(UNKNOWN);
        let index = match currencies.iter().position(|known| *known == currency) {
            Some(index) => index,
            None => {
                currencies.push(currency);
                currencies.len() - 1
            }
        };
        currency_of[id as usize] = index as u32;
        if some {
            user_keys.push(id);
        }
    }
    let mut days = days.iter().peekable();
    buckets
        .iter()
        .map(|bucket| {
            let mut sums = vec![None::<RowSum>; currencies.len()];
            while let Some(day) = days.next_if(|day| day.day <= bucket.to) {
                if day.day < bucket.from {
                    continue;
                }
                let mut add = |row: &DayRow| {
                    // A key the table lacks is skipped, as the range's merge skips it.
                    let currency = currency_of.get(row.key as usize).copied();
                    if let Some(currency) = currency.filter(|index| *index != NOT_WANTED) {
                        sums[currency as usize]
                            .get_or_insert(RowSum::EMPTY)
                            .add(row)?;
                    }
                    Some(())
                };
                // A user's or a team's few keys are looked up in the day's rows (in key order);
                // many keys are found faster by reading every row (others have no currency).
                if some && user_keys.len() < day.rows.len() / 8 {
                    for id in &user_keys {
                        if let Ok(at) = day.rows.binary_search_by_key(id, |row| row.key) {
                            add(&day.rows[at])?;
                        }
                    }
                } else {
                    for row in &day.rows {
                        add(row)?;
                    }
                }
            }
            let mut facts = Vec::new();
            for (currency, sum) in currencies.iter().zip(sums) {
                let Some(sum) = sum else { continue };
                let (calls, seconds, charge) = sum.totals()?;
                facts.push(Spend {
                    user_id: whose.user().unwrap_or_default().to_string(),
                    currency: currency.to_string(),
                    totals: counted(calls, seconds, charge),
                });
            }
            Some((*bucket, facts))
        })
        .collect()
}

/// A key no currency is summed for (another user's, in a user's trend).
const NOT_WANTED: u32 = u32::MAX;

/// The [`BucketFacts`] view of [`bucket_facts`]'s result.
pub fn as_bucket_facts(buckets: &[(DateRange, Vec<Spend>)]) -> Vec<BucketFacts<'_>> {
    buckets
        .iter()
        .map(|(range, facts)| BucketFacts {
            range: *range,
            facts,
        })
        .collect()
}

impl From<&HistoryReport> for HistoryStatus {
    fn from(report: &HistoryReport) -> Self {
        HistoryStatus {
            stored: report
                .oldest_stored
                .zip(report.newest_stored)
                .map(|(from, to)| DateRange { from, to }),
            window_days: report.window_days,
            stored_days: report.stored_days,
            loading_days: report.loading_days(),
            within_lag_days: report.within_lag_days,
            retention_floor: report.retention_floor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn consecutive_days_make_one_run() {
        let runs = runs(&[day(1), day(2), day(3), day(5), day(7), day(8)]);
        let pairs: Vec<(u32, u32)> = runs
            .iter()
            .map(|run| {
                (
                    chrono::Datelike::day(&run.from),
                    chrono::Datelike::day(&run.to),
                )
            })
            .collect();
        assert_eq!(pairs, vec![(1, 3), (5, 5), (7, 8)]);
        assert!(super::runs(&[]).is_empty());
    }
}
