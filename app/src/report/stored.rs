//! From the store's days to what the aggregation reads: a range's merged rows, the facts of a
//! trend's buckets, the runs of days a range lacks, and the history's status for the page.
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use report_store::{HistoryReport, KeyTable, StoredDay};

use super::facts::UNKNOWN;
use super::trend::{BucketFacts, Spend};
use crate::model::{DateRange, HistoryStatus, Totals};

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

/// The facts of each bucket, for everyone (one fact per currency: the trend only sums them)
/// or for one user (that user's rows).
pub fn bucket_facts(
    buckets: &[DateRange],
    days: &[Arc<StoredDay>],
    keys: &KeyTable,
    user_id: Option<&str>,
) -> Vec<(DateRange, Vec<Spend>)> {
    let mut days = days.iter().peekable();
    buckets
        .iter()
        .map(|bucket| {
            let mut per_key: BTreeMap<(Option<&str>, &str), Totals> = BTreeMap::new();
            while let Some(day) = days.next_if(|day| day.day <= bucket.to) {
                if day.day < bucket.from {
                    continue;
                }
                for row in &day.rows {
                    let Some(key) = keys.get(row.key) else {
                        continue;
                    };
                    let user = key.user_id.as_deref().unwrap_or(UNKNOWN);
                    if user_id.is_some_and(|wanted| wanted != user) {
                        continue;
                    }
                    let currency = key.currency.as_deref().unwrap_or(UNKNOWN);
                    let slot = per_key
                        .entry((user_id.map(|_| user), currency))
                        .or_default();
                    slot.add(&Totals {
                        calls: u64::try_from(row.calls).unwrap_or(0),
                        seconds: u64::try_from(row.seconds).unwrap_or(0),
                        charge: row.charge,
                    });
                }
            }
            let facts = per_key
                .into_iter()
                .map(|((user, currency), totals)| Spend {
                    user_id: user.unwrap_or_default().to_string(),
                    currency: currency.to_string(),
                    totals,
                })
                .collect();
            (*bucket, facts)
        })
        .collect()
}

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
