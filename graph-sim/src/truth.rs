//! The exact expected totals of a range of whole UTC days, for tests to compare against.
//!
//! Deliberately computed by a different path than the report: it prices every call on its own
//! and adds the charges, while the report sums minutes per row and prices the row. Both share
//! only the call generator and the tariff table.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::config::SimConfig;
use crate::data::Dataset;
use crate::data::tariffs::{self, DestinationContext, LocationId};
use crate::error::SimError;
use crate::window::SecondWindow;

/// Totals of one currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CurrencyTotals {
    pub calls: u64,
    pub seconds: u64,
    /// Exact; serialized as a decimal string.
    #[serde(with = "rust_decimal::serde::str")]
    pub charge: Decimal,
    /// Report rows in this currency.
    pub rows: u64,
}

/// What the report for `from..=to` (whole UTC days) must add up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Truth {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Report rows over all currencies.
    pub rows: u64,
    /// Keyed by ISO 4217 code.
    pub currencies: BTreeMap<String, CurrencyTotals>,
}

/// The truth for the data a simulator with `config` serves, over the UTC days `from..=to`
/// (any length: the 90-day limit is the report's, not the truth's). It is the data as
/// generated: `retention_days` limits the report only, never the truth.
pub fn truth(config: &SimConfig, from: NaiveDate, to: NaiveDate) -> Result<Truth, SimError> {
    config.validate()?;
    let dataset = Dataset::new(config.seed, config.users, config.today, config.history_days);
    truth_for(&dataset, from, to)
}

pub(crate) fn truth_for(
    dataset: &Dataset,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Truth, SimError> {
    if from > to {
        return Err(SimError::InvalidRange(format!(
            "from {from} is after to {to}"
        )));
    }
    let window = SecondWindow::whole_days(from, to);
    let mut currencies: BTreeMap<String, CurrencyTotals> = BTreeMap::new();
    let mut user_rows: Vec<(LocationId, DestinationContext)> = Vec::new();
    for user in 0..dataset.user_count() {
        user_rows.clear();
        dataset.for_each_call(user, window, |call| {
            let location = tariffs::location(call.location);
            let totals = currencies.entry(location.currency.to_owned()).or_default();
            totals.calls += 1;
            totals.seconds += u64::from(call.seconds);
            totals.charge += tariffs::charge(call.location, call.context, call.billed_minutes(), 1);
            let key = (call.location, call.context);
            if !user_rows.contains(&key) {
                user_rows.push(key);
                totals.rows += 1;
            }
        });
    }
    for totals in currencies.values_mut() {
        totals.charge = totals.charge.normalize();
    }
    Ok(Truth {
        from,
        to,
        rows: currencies.values().map(|c| c.rows).sum(),
        currencies,
    })
}
