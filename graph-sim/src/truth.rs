//! The exact expected totals of a range of whole UTC days, for tests to compare against.
//!
//! Deliberately computed by a different path than the report: it prices every call on its own
//! and adds the charges, while the report sums minutes per row and prices the row. Both share
//! only the call generator and the tariff table. The same path totals a part of the
//! organisation (`under`) and the groups of a directory property (`group`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::config::SimConfig;
use crate::data::Dataset;
use crate::data::calls::Call;
use crate::data::directory::{Directory, Member, OrgField};
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

/// Totals keyed by ISO 4217 code.
pub type Currencies = BTreeMap<String, CurrencyTotals>;

/// The group of users who are in the directory without a value of the grouped property.
pub const NO_VALUE_GROUP: &str = "";
/// The group of report users the directory does not list (deleted accounts and the like).
pub const NOT_IN_DIRECTORY_GROUP: &str = "not_in_directory";

/// What the report for `from..=to` (whole UTC days) must add up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Truth {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Report rows over all currencies.
    pub rows: u64,
    pub currencies: Currencies,
    /// With [`TruthQuery::under`]: the report users in that part of the organisation who have
    /// a call in the range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<u64>,
    /// With [`TruthQuery::group`]: the same totals per value of the property. Users in the
    /// directory without a value are under [`NO_VALUE_GROUP`] (`""`), users the directory
    /// does not list under [`NOT_IN_DIRECTORY_GROUP`] (`"not_in_directory"`). Per currency,
    /// the groups add up to `currencies`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<BTreeMap<String, Currencies>>,
}

/// What to total besides the plain truth.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TruthQuery {
    /// Total per value of this directory property too.
    pub group: Option<OrgField>,
    /// Only the people who report to the person with this object id, directly or indirectly
    /// (not that person).
    pub under: Option<String>,
}

/// The truth for the data a simulator with `config` serves, over the UTC days `from..=to`
/// (any length: the 90-day limit is the report's, not the truth's). It is the data as
/// generated: `retention_days` limits the report only, never the truth.
pub fn truth(config: &SimConfig, from: NaiveDate, to: NaiveDate) -> Result<Truth, SimError> {
    truth_of(config, from, to, &TruthQuery::default())
}

/// [`truth`] of a part of the organisation, or per group of a directory property: what
/// `/_sim/truth?group=…&under=…` answers.
pub fn truth_of(
    config: &SimConfig,
    from: NaiveDate,
    to: NaiveDate,
    query: &TruthQuery,
) -> Result<Truth, SimError> {
    config.validate()?;
    let dataset = Dataset::new(config.seed, config.users, config.today, config.history_days);
    truth_for(&dataset, from, to, query)
}

/// Adds one call, priced on its own; `new_row` when it starts a report row of its user.
fn add_call(currencies: &mut Currencies, call: &Call, new_row: bool) {
    let location = tariffs::location(call.location);
    let totals = currencies.entry(location.currency.to_owned()).or_default();
    totals.calls += 1;
    totals.seconds += u64::from(call.seconds);
    totals.charge += tariffs::charge(call.location, call.context, call.billed_minutes(), 1);
    totals.rows += u64::from(new_row);
}

fn normalize(currencies: &mut Currencies) {
    for totals in currencies.values_mut() {
        totals.charge = totals.charge.normalize();
    }
}

/// The report users under `object_id`, as a flag per user.
fn users_under(directory: &Directory, users: u32, object_id: &str) -> Result<Vec<bool>, SimError> {
    let head = directory.listed(object_id)?;
    let mut inside = vec![false; users as usize];
    for member in directory.reports(head) {
        if let Member::User(user) = member {
            inside[user as usize] = true;
        }
    }
    Ok(inside)
}

fn group_of(directory: &Directory, field: OrgField, user: u32) -> String {
    match directory.facts(Member::User(user)) {
        Some(facts) => field.value(&facts).unwrap_or(NO_VALUE_GROUP).to_owned(),
        None => NOT_IN_DIRECTORY_GROUP.to_owned(),
    }
}

pub(crate) fn truth_for(
    dataset: &Dataset,
    from: NaiveDate,
    to: NaiveDate,
    query: &TruthQuery,
) -> Result<Truth, SimError> {
    if from > to {
        return Err(SimError::InvalidRange(format!(
            "from {from} is after to {to}"
        )));
    }
    let directory = Directory::new(dataset);
    let inside = query
        .under
        .as_deref()
        .map(|id| users_under(&directory, dataset.user_count(), id))
        .transpose()?;
    let window = SecondWindow::whole_days(from, to);
    let mut currencies = Currencies::new();
    let mut groups: BTreeMap<String, Currencies> = BTreeMap::new();
    let mut users_with_calls = 0;
    let mut user_rows: Vec<(LocationId, DestinationContext)> = Vec::new();
    for user in 0..dataset.user_count() {
        if inside.as_ref().is_some_and(|inside| !inside[user as usize]) {
            continue;
        }
        let mut group = query
            .group
            .map(|field| groups.entry(group_of(&directory, field, user)).or_default());
        user_rows.clear();
        dataset.for_each_call(user, window, |call| {
            let key = (call.location, call.context);
            let new_row = !user_rows.contains(&key);
            if new_row {
                user_rows.push(key);
            }
            add_call(&mut currencies, call, new_row);
            if let Some(group) = group.as_deref_mut() {
                add_call(group, call, new_row);
            }
        });
        users_with_calls += u64::from(!user_rows.is_empty());
    }
    normalize(&mut currencies);
    groups.values_mut().for_each(normalize);
    // A group whose people made no call has no totals to show.
    groups.retain(|_, currencies| !currencies.is_empty());
    Ok(Truth {
        from,
        to,
        rows: currencies.values().map(|c| c.rows).sum(),
        currencies,
        users: inside.map(|_| users_with_calls),
        groups: query.group.map(|_| groups),
    })
}
