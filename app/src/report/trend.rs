//! Spend over time: one point per bucket (a day, a week or a month) per currency. Pure: no I/O.
use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Bucket, CurrencySeries, DateRange, Totals, Trend, TrendPoint};

/// Ranges up to this many days are drawn per day.
pub const MAX_DAILY_DAYS: i64 = 31;
/// Ranges up to this many days (about half a year) are drawn per week; longer ones per month,
/// so a two-year range has 25 bars, not 106.
pub const MAX_WEEKLY_DAYS: i64 = 186;

pub fn bucket_for(range: DateRange) -> Bucket {
    match range.days() {
        days if days <= MAX_DAILY_DAYS => Bucket::Day,
        days if days <= MAX_WEEKLY_DAYS => Bucket::Week,
        _ => Bucket::Month,
    }
}

/// The buckets covering `range`, chronological: single days, calendar weeks (Monday to
/// Sunday) or calendar months, clipped to the range. Calendar buckets, not weeks counted from
/// the range's first day, so that overlapping ranges draw the same weeks.
pub fn bucket_ranges(range: DateRange) -> Vec<DateRange> {
    let bucket = bucket_for(range);
    let mut buckets = Vec::new();
    let mut from = range.from;
    while from <= range.to {
        let to = bucket.around(from).to.min(range.to);
        buckets.push(DateRange { from, to });
        match to.succ_opt() {
            Some(next) => from = next,
            None => break,
        }
    }
    buckets
}

/// What a trend sums: a user's spend in one currency (or everyone's, user id empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spend {
    pub user_id: String,
    pub currency: String,
    pub totals: Totals,
}

/// The spend of one bucket.
pub struct BucketFacts<'a> {
    pub range: DateRange,
    pub facts: &'a [Spend],
}

/// Per-currency series over `buckets` (those of [`bucket_ranges`], chronological), optionally
/// for one user only. Every series has a point for every bucket, zero where nothing was spent.
pub fn build_trend(range: DateRange, buckets: &[BucketFacts<'_>], user_id: Option<&str>) -> Trend {
    let wanted = |fact: &&Spend| user_id.is_none_or(|id| fact.user_id == id);
    let currencies: BTreeSet<&str> = buckets
        .iter()
        .flat_map(|b| b.facts.iter().filter(wanted))
        .map(|fact| fact.currency.as_str())
        .collect();
    let mut series: BTreeMap<&str, Vec<TrendPoint>> =
        currencies.iter().map(|c| (*c, Vec::new())).collect();
    for bucket_facts in buckets {
        let mut totals: BTreeMap<&str, Totals> = BTreeMap::new();
        for fact in bucket_facts.facts.iter().filter(wanted) {
            totals
                .entry(fact.currency.as_str())
                .or_default()
                .add(&fact.totals);
        }
        for (currency, points) in series.iter_mut() {
            points.push(TrendPoint {
                from: bucket_facts.range.from,
                to: bucket_facts.range.to,
                totals: totals.remove(currency).unwrap_or_default(),
            });
        }
    }
    Trend {
        range,
        bucket: bucket_for(range),
        currencies: series
            .into_iter()
            .map(|(currency, points)| CurrencySeries {
                currency: currency.to_string(),
                points,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn fact(user: &str, currency: &str, charge: &str) -> Spend {
        Spend {
            user_id: user.into(),
            currency: currency.into(),
            totals: Totals {
                calls: 1,
                seconds: 60,
                charge: Decimal::from_str(charge).unwrap(),
            },
        }
    }

    #[test]
    fn buckets_are_days_up_to_31_days_then_weeks_then_months() {
        assert_eq!(
            bucket_for(DateRange {
                from: day(1),
                to: day(30)
            }),
            Bucket::Day
        );
        let december = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(
            bucket_for(DateRange {
                from: day(1),
                to: december
            }),
            Bucket::Week
        );
        let half_year = |days: u64| DateRange {
            from: day(1),
            to: day(1) + chrono::Days::new(days - 1),
        };
        assert_eq!(bucket_for(half_year(186)), Bucket::Week);
        assert_eq!(bucket_for(half_year(187)), Bucket::Month);
    }

    #[test]
    fn month_buckets_are_calendar_months_and_partial_ends_are_named() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        // Two years ending on 2026-12-01: a partial first month, 23 whole, a one-day last.
        let range = DateRange {
            from: date(2024, 12, 2),
            to: date(2026, 12, 1),
        };
        let buckets = bucket_ranges(range);
        assert_eq!(buckets.len(), 25);
        assert_eq!(buckets[0].to, date(2024, 12, 31));
        assert_eq!(buckets[2].from, date(2025, 2, 1));
        assert_eq!(buckets[2].to, date(2025, 2, 28));
        assert_eq!(buckets[24].from, date(2026, 12, 1));
        for pair in buckets.windows(2) {
            assert_eq!(pair[0].to.succ_opt(), Some(pair[1].from));
        }
        let point = |bucket: DateRange| TrendPoint {
            from: bucket.from,
            to: bucket.to,
            totals: Totals::default(),
        };
        assert_eq!(point(buckets[0]).partial(Bucket::Month), Some((30, 31)));
        assert_eq!(point(buckets[2]).partial(Bucket::Month), None);
        assert_eq!(point(buckets[24]).partial(Bucket::Month), Some((1, 31)));
        // A week from Monday 2026-11-30 cut at that day is one day of seven.
        let monday = date(2026, 11, 30);
        let one_day = DateRange {
            from: monday,
            to: monday,
        };
        assert_eq!(point(one_day).partial(Bucket::Week), Some((1, 7)));
        assert_eq!(point(one_day).partial(Bucket::Day), None);
        assert_eq!(
            point(Bucket::Week.around(date(2026, 12, 2))).partial(Bucket::Week),
            None
        );
    }

    #[test]
    fn week_buckets_are_calendar_weeks_clipped_to_the_range() {
        // 2026-11-04 is a Wednesday; 2026-12-09 a Wednesday five weeks later.
        let range = DateRange {
            from: day(4),
            to: NaiveDate::from_ymd_opt(2026, 12, 9).unwrap(),
        };
        let buckets = bucket_ranges(range);
        assert_eq!(
            buckets.first(),
            Some(&DateRange {
                from: day(4),
                to: day(8)
            })
        );
        assert_eq!(
            buckets[1],
            DateRange {
                from: day(9),
                to: day(15)
            }
        );
        let last = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(
            buckets.last(),
            Some(&DateRange {
                from: last,
                to: range.to
            })
        );
        // Contiguous, no gaps or overlaps.
        for pair in buckets.windows(2) {
            assert_eq!(pair[0].to.succ_opt(), Some(pair[1].from));
        }
        let days = bucket_ranges(DateRange {
            from: day(1),
            to: day(3),
        });
        assert_eq!(days.len(), 3);
    }

    #[test]
    fn every_series_has_a_point_per_bucket_and_sums_to_the_range() {
        let first = [fact("a", "BRL", "1.5"), fact("b", "USD", "2")];
        let second = [fact("a", "BRL", "0.25")];
        let buckets = [
            BucketFacts {
                range: DateRange {
                    from: day(1),
                    to: day(1),
                },
                facts: &first,
            },
            BucketFacts {
                range: DateRange {
                    from: day(2),
                    to: day(2),
                },
                facts: &second,
            },
        ];
        let range = DateRange {
            from: day(1),
            to: day(2),
        };
        let trend = build_trend(range, &buckets, None);
        assert_eq!(trend.currencies.len(), 2);
        let usd = &trend.currencies[1];
        assert_eq!(usd.points.len(), 2);
        assert_eq!(usd.points[1].totals, Totals::default());
        let brl_total: Decimal = trend.currencies[0]
            .points
            .iter()
            .map(|p| p.totals.charge)
            .sum();
        assert_eq!(brl_total, Decimal::from_str("1.75").unwrap());

        let only_b = build_trend(range, &buckets, Some("b"));
        assert_eq!(only_b.currencies.len(), 1);
        assert_eq!(only_b.currencies[0].currency, "USD");
    }
}
