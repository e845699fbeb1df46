//! One range's merged report, indexed for the questions the pages ask: the summary, the users
//! table and one user's detail. Built once per range (then cached), queried many times. Pure:
//! no I/O.
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt};
use graph_client::{DialoutRow, MergeStats};
use report_store::KeyTotals;
use rust_decimal::Decimal;

use super::dims::Dims;
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
    pub stats: MergeStats,
    /// One per merged row, in the order Graph's report would list them.
    pub(super) facts: Vec<Fact>,
    /// Each fact's user, currency, location and destination as numbers, and their names.
    pub(super) dims: Dims,
    /// One entry per (user, currency), highest charge first.
    pub(super) users: Vec<UserEntry>,
    pub(super) summary: Vec<CurrencySummary>,
    /// Runs of days of the range the store lacked when this was built.
    pub missing: Vec<DateRange>,
    /// The store's write counter when this was built: a day written since makes it stale.
    pub version: u64,
    /// Pages already answered: the same query (a page reload, SSR then hydration) is served
    /// without filtering and sorting every row again.
    pub(super) user_pages: moka::sync::Cache<UserQuery, Arc<UserPage>>,
    /// The users table's organisation choices, with the directory they were found in.
    pub(super) org_choices: std::sync::Mutex<Option<super::org::OrgChoices>>,
}

/// Users-table answers kept per range.
const USER_PAGES_KEPT: u64 = 512;

/// A user's spend in one currency, held compactly: indexes into the range's facts (whose keys
/// are the store's, shared) and into its sorted locations. Made into a [`UserSpend`] only for
/// the rows a page shows.
#[derive(Clone, Debug)]
pub(super) struct UserEntry {
    /// A fact of this user in this currency (its user id and currency).
    first: u32,
    /// The facts the newest UPN and display name come from.
    upn_from: Option<u32>,
    name_from: Option<u32>,
    /// Sorted indexes into the range's locations ([`Dims`]; so sorted by name too).
    pub(super) locations: Vec<u32>,
    pub(super) totals: Totals,
}

impl RangeData {
    /// The range's data from rows that came without the store (tests, exports' tests).
    pub fn build(range: DateRange, rows: Vec<DialoutRow>, stats: MergeStats) -> Self {
        let facts = rows
            .iter()
            .map(|row| Fact::from_row(row, range.to))
            .collect();
        Self::from_facts(range, facts, stats)
    }

    /// The range's data from its merged rows (each key's totals over the range).
    pub fn from_merged(range: DateRange, merged: Vec<KeyTotals>, stats: MergeStats) -> Self {
        Self::from_facts(range, merged.into_iter().map(Fact::new).collect(), stats)
    }

    pub(super) fn from_facts(range: DateRange, facts: Vec<Fact>, stats: MergeStats) -> Self {
        let dims = Dims::of(&facts);
        let users = user_entries(&facts, &dims, 0..facts.len());
        let summary = summarise(&facts, &dims, &users);
        Self {
            range,
            stats,
            facts,
            dims,
            users,
            summary,
            missing: Vec::new(),
            version: 0,
            user_pages: moka::sync::Cache::new(USER_PAGES_KEPT),
            org_choices: std::sync::Mutex::default(),
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
            repeated_rows: self.stats.duplicate_rows as u64,
            missing: self.missing.clone(),
            history: None,
            previous: None,
            year_earlier: None,
        }
    }

    /// Rows held, for cache weighing.
    pub fn row_count(&self) -> usize {
        self.facts.len()
    }

    /// The merged rows exactly as Graph's report for the range would list them (exports).
    pub fn rows(&self) -> Vec<DialoutRow> {
        self.facts.iter().map(|fact| fact.merged.row()).collect()
    }

    /// The entry as the page shows it.
    pub(super) fn spend(&self, user: &UserEntry) -> UserSpend {
        spend(&self.facts, &self.dims.locations, user)
    }

    /// `None` when the user has no dial-out in the range.
    pub fn user_detail(&self, user_id: &str) -> Option<UserDetail> {
        let facts: Vec<&Fact> = self
            .facts
            .iter()
            .filter(|fact| fact.user_id() == user_id)
            .collect();
        let first = facts.first()?;
        let mut per_currency: BTreeMap<&str, Vec<&Fact>> = BTreeMap::new();
        for fact in &facts {
            per_currency.entry(fact.currency()).or_default().push(fact);
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
                    by_location: by_key(facts.iter().copied(), Fact::location),
                    totals,
                }
            })
            .collect();
        Some(UserDetail {
            range: self.range,
            user_id: user_id.to_string(),
            user_principal_name: latest(&facts, Fact::user_principal_name)
                .or_else(|| first.user_principal_name().map(str::to_string)),
            display_name: latest(&facts, Fact::display_name),
            locations: facts
                .iter()
                .map(|fact| fact.location())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .map(str::to_string)
                .collect(),
            currencies,
            missing: self.missing.clone(),
        })
    }
}

impl UserEntry {
    pub(super) fn user_id<'a>(&self, facts: &'a [Fact]) -> &'a str {
        facts[self.first as usize].user_id()
    }

    pub(super) fn currency<'a>(&self, facts: &'a [Fact]) -> &'a str {
        facts[self.first as usize].currency()
    }

    pub(super) fn upn<'a>(&self, facts: &'a [Fact]) -> Option<&'a str> {
        self.upn_from
            .and_then(|index| facts[index as usize].user_principal_name())
    }

    pub(super) fn name<'a>(&self, facts: &'a [Fact]) -> Option<&'a str> {
        self.name_from
            .and_then(|index| facts[index as usize].display_name())
    }
}

fn sum<'a>(facts: impl IntoIterator<Item = &'a Fact>) -> Totals {
    let mut totals = Totals::default();
    for fact in facts {
        totals.add(&fact.totals());
    }
    totals
}

/// Totals per value of `key`, highest charge first (ties by key, for a stable order).
fn by_key<'a>(
    facts: impl IntoIterator<Item = &'a Fact>,
    key: impl Fn(&'a Fact) -> &'a str,
) -> Vec<Breakdown> {
    let mut groups: HashMap<&str, Totals> = HashMap::new();
    for fact in facts {
        groups.entry(key(fact)).or_default().add(&fact.totals());
    }
    ranked(groups.into_iter().collect())
}

/// The groups as a breakdown, highest charge first (ties by key, for a stable order).
fn ranked(groups: Vec<(&str, Totals)>) -> Vec<Breakdown> {
    let mut breakdown: Vec<Breakdown> = groups
        .into_iter()
        .map(|(key, totals)| Breakdown {
            key: key.to_string(),
            totals,
            name: None,
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
    destinations_first(by_key(facts, Fact::destination))
}

fn destinations_first(mut groups: Vec<Breakdown>) -> Vec<Breakdown> {
    let mut ordered: Vec<Breakdown> = DESTINATIONS
        .iter()
        .map(
            |name| match groups.iter().position(|group| group.key == *name) {
                Some(index) => groups.remove(index),
                None => Breakdown {
                    key: name.to_string(),
                    totals: Totals::default(),
                    name: None,
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
fn latest<'a>(facts: &[&'a Fact], field: impl Fn(&'a Fact) -> Option<&'a str>) -> Option<String> {
    facts
        .iter()
        .rev()
        .find_map(|fact| field(fact))
        .map(str::to_string)
}

/// One entry per (user, currency) over the facts at `indexes`, highest charge first.
pub(super) fn user_entries(
    facts: &[Fact],
    dims: &Dims,
    indexes: impl IntoIterator<Item = usize>,
) -> Vec<UserEntry> {
    let mut slots: HashMap<(u32, u32), usize> = HashMap::new();
    let mut users: Vec<UserEntry> = Vec::new();
    for index in indexes {
        let (fact, at) = (&facts[index], dims.facts[index]);
        // Fact indexes fit in u32: a range's rows are bounded by the key table's u32 ids.
        let position = index as u32;
        let slot = *slots.entry((at.user, at.currency)).or_insert_with(|| {
            users.push(UserEntry {
                first: position,
                upn_from: None,
                name_from: None,
                locations: Vec::new(),
                totals: Totals::default(),
            });
            users.len() - 1
        });
        let user = &mut users[slot];
        user.totals.add(&fact.totals());
        if fact.user_principal_name().is_some() {
            user.upn_from = Some(position);
        }
        if fact.display_name().is_some() {
            user.name_from = Some(position);
        }
        if let Err(place) = user.locations.binary_search(&at.location) {
            user.locations.insert(place, at.location);
        }
    }
    users.sort_by(|a, b| {
        b.totals
            .charge
            .cmp(&a.totals.charge)
            .then_with(|| a.user_id(facts).cmp(b.user_id(facts)))
            .then_with(|| a.currency(facts).cmp(b.currency(facts)))
    });
    users
}

/// One currency's sums, grouped by the range's destination and location numbers.
struct CurrencyGroups<'a> {
    totals: Totals,
    by_destination: Vec<Option<Totals>>,
    by_location: Vec<Option<Totals>>,
    /// Highest charge first, as the range's users are.
    users: Vec<&'a UserEntry>,
}

fn summarise(facts: &[Fact], dims: &Dims, users: &[UserEntry]) -> Vec<CurrencySummary> {
    let mut groups: Vec<CurrencyGroups> = dims
        .currencies
        .iter()
        .map(|_| CurrencyGroups {
            totals: Totals::default(),
            by_destination: vec![None; dims.destinations.len()],
            by_location: vec![None; dims.locations.len()],
            users: Vec::new(),
        })
        .collect();
    for (fact, at) in facts.iter().zip(&dims.facts) {
        let totals = fact.totals();
        let group = &mut groups[at.currency as usize];
        group.totals.add(&totals);
        for slot in [
            &mut group.by_destination[at.destination as usize],
            &mut group.by_location[at.location as usize],
        ] {
            slot.get_or_insert_with(Totals::default).add(&totals);
        }
    }
    for user in users {
        let currency = dims.facts[user.first as usize].currency;
        groups[currency as usize].users.push(user);
    }
    groups
        .into_iter()
        .zip(&dims.currencies)
        .map(|(group, currency)| CurrencySummary {
            currency: currency.clone(),
            totals: group.totals,
            users: group.users.len() as u64,
            by_destination: destinations_first(ranked(named(
                group.by_destination,
                &dims.destinations,
            ))),
            by_location: ranked(named(group.by_location, &dims.locations)),
            top_users: group
                .users
                .iter()
                .take(TOP_USERS)
                .map(|user| spend(facts, &dims.locations, user))
                .collect(),
        })
        .collect()
}

/// The groups that had facts, with their names.
fn named(groups: Vec<Option<Totals>>, names: &[String]) -> Vec<(&str, Totals)> {
    groups
        .into_iter()
        .zip(names)
        .filter_map(|(totals, name)| totals.map(|totals| (name.as_str(), totals)))
        .collect()
}

/// The entry as the page shows it.
pub(super) fn spend(facts: &[Fact], locations: &[String], user: &UserEntry) -> UserSpend {
    UserSpend {
        user_id: user.user_id(facts).to_string(),
        user_principal_name: user.upn(facts).map(str::to_string),
        display_name: user.name(facts).map(str::to_string),
        locations: user
            .locations
            .iter()
            .map(|index| locations[*index as usize].clone())
            .collect(),
        currency: user.currency(facts).to_string(),
        totals: user.totals.clone(),
    }
}

#[cfg(test)]
mod tests;
