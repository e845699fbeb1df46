//! One range's merged report, indexed for the questions the pages ask: the summary, the users
//! table and one user's detail. Built once per range (then cached), queried many times. Pure:
//! no I/O.
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use graph_client::{DialoutRow, MergeStats};
use rust_decimal::Decimal;

use super::facts::Fact;
use crate::model::{
    Breakdown, CurrencySummary, DateRange, Summary, Totals, UserCurrency, UserDetail, UserPage,
    UserQuery, UserSpend,
};

/// The destinations Graph reports, in display order; both are always listed.
pub const DESTINATIONS: [&str; 2] = ["Domestic", "International"];
/// How many users the summary lists per currency.
pub const TOP_USERS: usize = 10;

pub struct RangeData {
    pub range: DateRange,
    /// The merged rows exactly as Graph's report would list them (exports use these).
    pub rows: Vec<DialoutRow>,
    pub stats: MergeStats,
    pub(super) facts: Vec<Fact>,
    /// One entry per (user, currency), highest charge first.
    pub(super) users: Vec<UserSpend>,
    summary: Vec<CurrencySummary>,
    /// Runs of days of the range the store lacked when this was built.
    pub missing: Vec<DateRange>,
    /// The store's write counter when this was built: a day written since makes it stale.
    pub version: u64,
    /// Pages already answered: the same query (a page reload, SSR then hydration) is served
    /// without filtering and sorting every row again.
    pub(super) user_pages: moka::sync::Cache<UserQuery, Arc<UserPage>>,
}

/// Users-table answers kept per range.
const USER_PAGES_KEPT: u64 = 512;

impl RangeData {
    pub fn build(range: DateRange, rows: Vec<DialoutRow>, stats: MergeStats) -> Self {
        let facts: Vec<Fact> = rows.iter().map(Fact::from_row).collect();
        let users = user_spend(&facts);
        let summary = summarise(&facts, &users);
        let user_pages = moka::sync::Cache::new(USER_PAGES_KEPT);
        Self {
            range,
            rows,
            stats,
            facts,
            users,
            summary,
            missing: Vec::new(),
            version: 0,
            user_pages,
        }
    }

    /// Records what the store held when this was built.
    pub fn with_store_state(mut self, missing: Vec<DateRange>, version: u64) -> Self {
        self.missing = missing;
        self.version = version;
        self
    }

    pub fn summary(&self) -> Summary {
        Summary {
            range: self.range,
            currencies: self.summary.clone(),
            incomplete_rows: (self.stats.rows_missing_key + self.stats.rows_missing_totals) as u64,
            missing: self.missing.clone(),
            history: None,
        }
    }

    /// Rows held, for cache weighing.
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// `None` when the user has no dial-out in the range.
    pub fn user_detail(&self, user_id: &str) -> Option<UserDetail> {
        let facts: Vec<&Fact> = self
            .facts
            .iter()
            .filter(|fact| fact.user_id == user_id)
            .collect();
        let first = facts.first()?;
        let mut per_currency: BTreeMap<&str, Vec<&Fact>> = BTreeMap::new();
        for fact in &facts {
            per_currency
                .entry(fact.currency.as_str())
                .or_default()
                .push(fact);
        }
        let currencies = per_currency
            .into_iter()
            .map(|(currency, facts)| {
                let totals = sum(facts.iter().copied());
                let currency_total = self
                    .summary
                    .iter()
                    .find(|summary| summary.currency == currency)
                    .map(|summary| summary.totals.charge)
                    .unwrap_or_default();
                UserCurrency {
                    currency: currency.to_string(),
                    share_of_charge: share(totals.charge, currency_total),
                    by_destination: by_destination(facts.iter().copied()),
                    by_location: by_key(facts.iter().copied(), |fact| &fact.location),
                    totals,
                }
            })
            .collect();
        Some(UserDetail {
            range: self.range,
            user_id: user_id.to_string(),
            user_principal_name: latest(&facts, |fact| &fact.user_principal_name)
                .or_else(|| first.user_principal_name.clone()),
            display_name: latest(&facts, |fact| &fact.display_name),
            locations: facts
                .iter()
                .map(|fact| fact.location.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            currencies,
        })
    }
}

fn sum<'a>(facts: impl IntoIterator<Item = &'a Fact>) -> Totals {
    let mut totals = Totals::default();
    for fact in facts {
        totals.add(&fact.totals);
    }
    totals
}

/// Totals per value of `key`, highest charge first (ties by key, for a stable order).
fn by_key<'a>(
    facts: impl IntoIterator<Item = &'a Fact>,
    key: impl Fn(&Fact) -> &String,
) -> Vec<Breakdown> {
    let mut groups: HashMap<&String, Totals> = HashMap::new();
    for fact in facts {
        groups.entry(key(fact)).or_default().add(&fact.totals);
    }
    let mut breakdown: Vec<Breakdown> = groups
        .into_iter()
        .map(|(key, totals)| Breakdown {
            key: key.clone(),
            totals,
        })
        .collect();
    breakdown.sort_by(|a, b| {
        b.totals
            .charge
            .cmp(&a.totals.charge)
            .then_with(|| a.key.cmp(&b.key))
    });
    breakdown
}

/// Domestic and International first (always present, zero if absent), then any other value.
fn by_destination<'a>(facts: impl IntoIterator<Item = &'a Fact>) -> Vec<Breakdown> {
    let mut groups = by_key(facts, |fact| &fact.destination);
    let mut ordered: Vec<Breakdown> = DESTINATIONS
        .iter()
        .map(
            |name| match groups.iter().position(|group| group.key == *name) {
                Some(index) => groups.remove(index),
                None => Breakdown {
                    key: name.to_string(),
                    totals: Totals::default(),
                },
            },
        )
        .collect();
    ordered.extend(groups);
    ordered
}

fn share(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        None
    } else {
        Some((part / whole).round_dp(6))
    }
}

/// The last non-null value in report order: rows come merged with the most recent names.
fn latest(facts: &[&Fact], field: impl Fn(&Fact) -> &Option<String>) -> Option<String> {
    facts.iter().rev().find_map(|fact| field(fact).clone())
}

/// One entry per (user, currency), highest charge first.
pub(super) fn user_spend<'a>(facts: impl IntoIterator<Item = &'a Fact>) -> Vec<UserSpend> {
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    let mut users: Vec<UserSpend> = Vec::new();
    for fact in facts {
        let slot = *index
            .entry((fact.user_id.as_str(), fact.currency.as_str()))
            .or_insert_with(|| {
                users.push(UserSpend {
                    user_id: fact.user_id.clone(),
                    user_principal_name: None,
                    display_name: None,
                    locations: Vec::new(),
                    currency: fact.currency.clone(),
                    totals: Totals::default(),
                });
                users.len() - 1
            });
        let user = &mut users[slot];
        user.totals.add(&fact.totals);
        if fact.user_principal_name.is_some() {
            user.user_principal_name = fact.user_principal_name.clone();
        }
        if fact.display_name.is_some() {
            user.display_name = fact.display_name.clone();
        }
        if !user.locations.contains(&fact.location) {
            user.locations.push(fact.location.clone());
            user.locations.sort();
        }
    }
    users.sort_by(|a, b| {
        b.totals
            .charge
            .cmp(&a.totals.charge)
            .then_with(|| a.user_id.cmp(&b.user_id))
            .then_with(|| a.currency.cmp(&b.currency))
    });
    users
}

fn summarise(facts: &[Fact], users: &[UserSpend]) -> Vec<CurrencySummary> {
    let mut per_currency: BTreeMap<&str, Vec<&Fact>> = BTreeMap::new();
    for fact in facts {
        per_currency
            .entry(fact.currency.as_str())
            .or_default()
            .push(fact);
    }
    per_currency
        .into_iter()
        .map(|(currency, facts)| {
            let currency_users = users.iter().filter(|user| user.currency == currency);
            CurrencySummary {
                currency: currency.to_string(),
                totals: sum(facts.iter().copied()),
                users: users
                    .iter()
                    .filter(|user| user.currency == currency)
                    .count() as u64,
                by_destination: by_destination(facts.iter().copied()),
                by_location: by_key(facts.iter().copied(), |fact| &fact.location),
                top_users: currency_users.take(TOP_USERS).cloned().collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
