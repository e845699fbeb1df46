//! A range's figures against an earlier period's, per currency: the changes are worked out
//! here, exactly, so the page only writes them (and the browser carries no decimal arithmetic
//! beyond what it formats).
use rust_decimal::{Decimal, RoundingStrategy};

use crate::model::{CurrencyGlance, CurrencySummary, DateRange, EarlierPeriod};

/// The change from `before` to `now` in percent, rounded once, half away from zero, to the
/// one decimal the page shows (the browser rounds nothing again); a change too small for that
/// is sent unrounded, so its direction still shows. Zero when equal, `None` when there was
/// nothing before and there is now.
pub fn percent_change(now: Decimal, before: Decimal) -> Option<Decimal> {
    if now == before {
        return Some(Decimal::ZERO);
    }
    if before.is_zero() {
        return None;
    }
    // Multiplied first, so the one rounding is the division's; a change too large for a
    // decimal (some 10^26 percent) is shown as new rather than overflowing.
    let exact = (now.checked_sub(before)?)
        .checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(before.abs())?;
    let shown = exact.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    Some(if shown.is_zero() { exact } else { shown })
}

/// Charge, calls, minutes, users and cost per minute: the figures the page compares, in the
/// order of its cards.
pub fn headline_numbers(glance: &CurrencyGlance) -> [Decimal; 5] {
    let totals = &glance.totals;
    [
        totals.charge,
        Decimal::from(totals.calls),
        Decimal::from(totals.minutes()),
        Decimal::from(glance.users),
        totals.cost_per_minute().unwrap_or_default(),
    ]
}

/// Each of the range's currencies (`now`) as it was in the earlier period (`then`, that
/// period's summaries) and how it changed since.
pub fn earlier_period(
    range: DateRange,
    then: &[CurrencySummary],
    now: &[CurrencySummary],
) -> EarlierPeriod {
    let currencies = now
        .iter()
        .map(|current| {
            let mut earlier = then
                .iter()
                .find(|earlier| earlier.currency == current.currency)
                .map(CurrencyGlance::from)
                .unwrap_or_else(|| CurrencyGlance {
                    currency: current.currency.clone(),
                    ..CurrencyGlance::default()
                });
            earlier.change = headline_numbers(&CurrencyGlance::from(current))
                .into_iter()
                .zip(headline_numbers(&earlier))
                .map(|(now, before)| percent_change(now, before))
                .collect();
            earlier
        })
        .collect();
    EarlierPeriod { range, currencies }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Totals;
    use std::str::FromStr;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn changes_are_exact_percentages() {
        let change = |now, before| percent_change(dec(now), dec(before));
        assert_eq!(change("112.34", "100"), Some(dec("12.3")));
        assert_eq!(change("112.35", "100"), Some(dec("12.4")));
        assert_eq!(change("87.65", "100"), Some(dec("-12.4")));
        // Too small to show with one decimal: sent as it is, so it still reads as a rise.
        assert_eq!(change("10001", "10000"), Some(dec("0.01")));
        assert_eq!(change("96", "100"), Some(dec("-4")));
        assert_eq!(change("0", "100"), Some(dec("-100")));
        assert_eq!(change("1", "3"), Some(dec("-66.7")));
        assert_eq!(change("7.50", "7.5"), Some(Decimal::ZERO));
        assert_eq!(change("5", "0"), None);
        assert_eq!(change("0", "0"), Some(Decimal::ZERO));
        // A credit before: the change is read against its size.
        assert_eq!(change("10", "-10"), Some(dec("200")));
    }

    fn summary(
        currency: &str,
        calls: u64,
        seconds: u64,
        charge: &str,
        users: u64,
    ) -> CurrencySummary {
        CurrencySummary {
            currency: currency.into(),
            totals: Totals {
                calls,
                seconds,
                charge: dec(charge),
            },
            users,
            by_destination: Vec::new(),
            by_location: Vec::new(),
            top_users: Vec::new(),
        }
    }

    #[test]
    fn compares_each_currency_of_the_range_on_its_own() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let range = DateRange { from: day, to: day };
        let then = [
            summary("EUR", 10, 600, "20", 4),
            summary("GBP", 1, 60, "1", 1),
        ];
        let now = [
            summary("EUR", 15, 600, "25", 4),
            summary("USD", 2, 120, "3", 1),
        ];
        let period = earlier_period(range, &then, &now);
        let eur = period.of("EUR").unwrap();
        assert_eq!(eur.totals.charge, dec("20"));
        // Charge +25%, calls +50%, minutes and users unchanged, cost per minute +25%.
        assert_eq!(
            eur.change,
            [
                Some(dec("25")),
                Some(dec("50")),
                Some(dec("0")),
                Some(dec("0")),
                Some(dec("25"))
            ]
        );
        // No USD then: zero figures, every change new.
        let usd = period.of("USD").unwrap();
        assert_eq!(usd.totals, Totals::default());
        assert_eq!(usd.change, [None; 5]);
        // GBP is not in the range: nothing to compare.
        assert!(period.of("GBP").is_none());
    }
}
