//! The month under way: what each currency has spent so far, where the month will end at that
//! pace, and how that stands against the currency's budget. Pure: the report service hands it
//! the month's daily series and the budgets.
use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::model::{DateRange, Trend};

/// Monthly budgets per currency code (`PORTAL_BUDGETS`), never added across currencies.
pub type Budgets = BTreeMap<String, Decimal>;

/// This month so far and its forecast, per currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthOutlook {
    /// The whole calendar month.
    pub month: DateRange,
    /// Days of the month before today (today's calls are not in Graph's report yet).
    pub elapsed_days: u32,
    /// Days of the month stored after Graph's lag had passed, so final: the forecast's base.
    /// The days since are still growing (Graph publishes calls 24–48 hours late).
    pub settled_days: u32,
    /// Most calls first; every currency with spend this month or a budget.
    pub currencies: Vec<CurrencyOutlook>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrencyOutlook {
    pub currency: String,
    /// Charge on every day stored so far (settled or still growing).
    pub spent: Decimal,
    pub calls: u64,
    /// The charge of the settled days, per settled day; `None` before any day is settled.
    pub daily_average: Option<Decimal>,
    /// The settled days' charge plus the daily average for each other day of the month (the
    /// days to come, today, and the past days Graph is still completing): recent days count at
    /// the average, not at their partial figures; never below `spent`.
    pub forecast: Option<Decimal>,
    pub budget: Option<Decimal>,
}

/// Where a currency stands against its budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetStatus {
    NoBudget,
    Within,
    /// The forecast ends the month above the budget.
    ForecastOver,
    /// The month has already spent more than the budget.
    Over,
}

impl CurrencyOutlook {
    pub fn status(&self) -> BudgetStatus {
        match (self.budget, self.forecast) {
            (None, _) => BudgetStatus::NoBudget,
            (Some(budget), _) if self.spent > budget => BudgetStatus::Over,
            (Some(budget), Some(forecast)) if forecast > budget => BudgetStatus::ForecastOver,
            (Some(_), _) => BudgetStatus::Within,
        }
    }
}

/// The calendar month `today` is in.
pub fn outlook_month(today: NaiveDate) -> DateRange {
    crate::model::Bucket::Month.around(today)
}

/// The outlook of the month `today` is in, from `daily`: the month's stored days before today
/// as day buckets (`None` on the 1st, when no day has passed), of which `settled` are final.
pub fn month_outlook(
    today: NaiveDate,
    daily: Option<&Trend>,
    settled: &BTreeSet<NaiveDate>,
    budgets: &Budgets,
) -> MonthOutlook {
    outlook_of(outlook_month(today), today, daily, settled, budgets)
}

/// The outlook of `month` as of `today`, which may be after the month: a month just ended
/// still has days Graph is completing, and its forecast rests on its settled days until they
/// all are.
pub fn outlook_of(
    month: DateRange,
    today: NaiveDate,
    daily: Option<&Trend>,
    settled: &BTreeSet<NaiveDate>,
    budgets: &Budgets,
) -> MonthOutlook {
    let days_in_month = month.days() as u32;
    let elapsed_days = ((today - month.from).num_days().max(0) as u32).min(days_in_month);
    let settled_days = settled
        .iter()
        .filter(|day| (month.from..today).contains(day) && **day <= month.to)
        .count() as u32;
    // Per currency: all the charge, the settled days' charge, the calls.
    let mut by_currency: BTreeMap<String, (Decimal, Decimal, u64)> = BTreeMap::new();
    for series in daily
        .map(|trend| trend.currencies.as_slice())
        .unwrap_or_default()
    {
        let entry = by_currency.entry(series.currency.clone()).or_default();
        for point in &series.points {
            entry.0 += point.totals.charge;
            if settled.contains(&point.from) && point.from < today {
                entry.1 += point.totals.charge;
            }
            entry.2 += point.totals.calls;
        }
    }
    for currency in budgets.keys() {
        by_currency.entry(currency.clone()).or_default();
    }
    let mut currencies: Vec<CurrencyOutlook> = by_currency
        .into_iter()
        .map(|(currency, (spent, settled_spend, calls))| {
            let daily_average =
                (settled_days > 0).then(|| settled_spend / Decimal::from(settled_days));
            let others = Decimal::from(days_in_month.saturating_sub(settled_days));
            // Never below what is already spent: a day still growing can already be above
            // the average it is counted at.
            let forecast =
                daily_average.map(|average| (settled_spend + average * others).max(spent));
            CurrencyOutlook {
                budget: budgets.get(&currency).copied(),
                currency,
                spent,
                calls,
                daily_average,
                forecast,
            }
        })
        .collect();
    currencies.sort_by(|a, b| {
        b.calls
            .cmp(&a.calls)
            .then_with(|| a.currency.cmp(&b.currency))
    });
    MonthOutlook {
        month,
        elapsed_days,
        settled_days,
        currencies,
    }
}

/// `USD=5000,EUR=4000.50` (spaces allowed around each part), as `PORTAL_BUDGETS` is written;
/// an error names the part it cannot read.
pub fn parse_budgets(text: &str) -> Result<Budgets, String> {
    let mut budgets = Budgets::new();
    for part in text
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        let (code, amount) = part
            .split_once('=')
            .ok_or_else(|| format!("`{part}` is not CURRENCY=AMOUNT (e.g. USD=5000)"))?;
        budgets.insert(
            checked_code(code.trim())?,
            checked_amount(code, amount.trim())?,
        );
    }
    Ok(budgets)
}

/// A budget's currency: three ASCII letters, upper case (as Graph writes currencies).
pub fn checked_code(code: &str) -> Result<String, String> {
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(code.to_ascii_uppercase())
    } else {
        Err(format!(
            "`{code}` is not a three-letter currency code (e.g. USD)"
        ))
    }
}

/// A budget's amount: a positive decimal written with a point.
pub fn checked_amount(code: &str, amount: &str) -> Result<Decimal, String> {
    use std::str::FromStr;
    match Decimal::from_str(amount) {
        Ok(value) if value > Decimal::ZERO => Ok(value),
        _ => Err(format!(
            "the budget of {} must be a positive amount such as 5000 or 4000.50, not `{amount}`",
            code.trim()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Bucket, CurrencySeries, Totals, TrendPoint};
    use std::str::FromStr;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn series(currency: &str, charges: &[(u32, &str)]) -> CurrencySeries {
        CurrencySeries {
            currency: currency.into(),
            points: charges
                .iter()
                .map(|(d, charge)| TrendPoint {
                    from: day(*d),
                    to: day(*d),
                    totals: Totals {
                        calls: 1,
                        seconds: 60,
                        charge: dec(charge),
                    },
                })
                .collect(),
        }
    }

    fn settled(days: std::ops::RangeInclusive<u32>) -> BTreeSet<NaiveDate> {
        days.map(day).collect()
    }

    #[test]
    fn forecasts_the_month_from_the_settled_days_average() {
        let trend = Trend {
            range: DateRange {
                from: day(1),
                to: day(14),
            },
            bucket: Bucket::Day,
            currencies: vec![series(
                "USD",
                &[(1, "10"), (2, "20"), (3, "30"), (13, "1"), (14, "2")],
            )],
        };
        let budgets = parse_budgets("USD=100, EUR = 50.5").unwrap();
        // Today the 15th; the 1st to the 12th settled, the 13th and 14th still growing.
        let outlook = month_outlook(day(15), Some(&trend), &settled(1..=12), &budgets);
        assert_eq!(
            outlook.month,
            DateRange {
                from: day(1),
                to: day(31)
            }
        );
        assert_eq!((outlook.elapsed_days, outlook.settled_days), (14, 12));
        let usd = &outlook.currencies[0];
        // Everything stored counts as spent; the forecast takes the settled days only.
        assert_eq!(usd.spent, dec("63"));
        assert_eq!(usd.daily_average, Some(dec("5")));
        // 60 settled + 5 a day for the 19 other days (the growing 13th and 14th among them).
        assert_eq!(usd.forecast, Some(dec("155")));
        assert_eq!(usd.status(), BudgetStatus::ForecastOver);
        // A budget without spend this month is listed, within budget.
        let eur = &outlook.currencies[1];
        assert_eq!((eur.currency.as_str(), eur.spent), ("EUR", Decimal::ZERO));
        assert_eq!(eur.forecast, Some(Decimal::ZERO));
        assert_eq!(eur.status(), BudgetStatus::Within);
    }

    #[test]
    fn says_over_when_already_spent_and_forecasts_nothing_before_a_settled_day() {
        let trend = Trend {
            range: DateRange {
                from: day(1),
                to: day(3),
            },
            bucket: Bucket::Day,
            currencies: vec![series("USD", &[(1, "150")])],
        };
        let budgets = parse_budgets("USD=100").unwrap();
        let over = month_outlook(day(4), Some(&trend), &settled(1..=1), &budgets);
        assert_eq!(over.currencies[0].status(), BudgetStatus::Over);
        // Nothing settled yet (the first days are still growing): spend, but no forecast.
        let early = month_outlook(day(3), Some(&trend), &BTreeSet::new(), &budgets);
        assert_eq!(early.currencies[0].forecast, None);
        assert_eq!(early.currencies[0].status(), BudgetStatus::Over);
        let first = month_outlook(day(1), None, &BTreeSet::new(), &budgets);
        assert_eq!(first.elapsed_days, 0);
        assert_eq!(first.currencies[0].forecast, None);
        assert_eq!(first.currencies[0].status(), BudgetStatus::Within);
    }

    #[test]
    fn a_month_just_ended_rests_on_its_settled_days_until_all_are() {
        let march = outlook_month(day(1));
        let last_days = [(1, "10"), (30, "10"), (31, "200")];
        let trend = Trend {
            range: march,
            bucket: Bucket::Day,
            currencies: vec![series("USD", &last_days)],
        };
        let budgets = parse_budgets("USD=300").unwrap();
        let april_2nd = NaiveDate::from_ymd_opt(2026, 4, 2).unwrap();
        // The 31st is stored but still growing: it counts at the settled days' average.
        let closing = outlook_of(march, april_2nd, Some(&trend), &settled(1..=30), &budgets);
        assert_eq!((closing.elapsed_days, closing.settled_days), (31, 30));
        let usd = &closing.currencies[0];
        assert_eq!(usd.spent, dec("220"));
        // 30 settled days' 20 plus their average for the 31st would be 20.67, but 220 is
        // already spent: the forecast is never below it.
        assert_eq!(usd.forecast, Some(dec("220")));
        assert_eq!(usd.status(), BudgetStatus::Within);
        // Once the 31st settles, the forecast is what was spent, and it is over the budget.
        let settled_all = outlook_of(march, april_2nd, Some(&trend), &settled(1..=31), &budgets);
        let usd = &settled_all.currencies[0];
        assert_eq!(usd.forecast, Some(dec("220")));
        let over = parse_budgets("USD=215").unwrap();
        let closed = outlook_of(march, april_2nd, Some(&trend), &settled(1..=31), &over);
        assert_eq!(closed.currencies[0].status(), BudgetStatus::Over);
    }

    #[test]
    fn reads_budgets_or_names_the_fault() {
        assert_eq!(parse_budgets("").unwrap(), Budgets::new());
        assert_eq!(parse_budgets("usd=5000").unwrap()["USD"], dec("5000"));
        assert!(
            parse_budgets("USD")
                .unwrap_err()
                .contains("CURRENCY=AMOUNT")
        );
        assert!(parse_budgets("US=5").unwrap_err().contains("three-letter"));
        assert!(parse_budgets("USD=-5").unwrap_err().contains("positive"));
        assert!(parse_budgets("USD=5,000").unwrap_err().contains("`000`"));
    }
}
