//! The users table: search, filters, sort and paging, all on the server so the browser never
//! receives more than one page. Pure: no I/O.
use std::cmp::Ordering;
use std::sync::Arc;

use super::dataset::{RangeData, UserEntry, user_entries};
use super::facts::Fact;
use crate::model::{ALL_CURRENCIES, UserPage, UserQuery, UserSort, detailed_currency};

/// The largest page the server sends.
pub const MAX_PAGE_SIZE: u32 = 200;

impl RangeData {
    /// One page of the users table; repeated queries come from the range's memo.
    pub fn users(&self, query: &UserQuery) -> Arc<UserPage> {
        self.user_pages
            .get_with_by_ref(query, || Arc::new(self.compute_users(query, &|_| true)))
    }

    /// One page of the users table of the people `keep` says yes to (by user id), not kept
    /// in the memo (the answer depends on more than the query).
    pub fn users_where(&self, query: &UserQuery, keep: &dyn Fn(&str) -> bool) -> UserPage {
        self.compute_users(query, keep)
    }

    /// The currency the table shows: the filter's, every one, or the dashboard's detailed one.
    fn shown_currency(&self, query: &UserQuery) -> Option<String> {
        match query.filters.currency.as_deref() {
            Some(ALL_CURRENCIES) => None,
            Some(code) => Some(code.to_string()),
            None => detailed_currency(&self.summary, query.spend.as_deref())
                .map(|detailed| detailed.currency.clone()),
        }
    }

    fn compute_users(&self, query: &UserQuery, keep: &dyn Fn(&str) -> bool) -> UserPage {
        let page_size = query.page_size;
        let currency = self.shown_currency(query);
        let query = &query.filters;
        let needle = query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase);
        // Destination and location filters change a user's figures (only the matching rows
        // count), so those rows are re-aggregated; otherwise the prebuilt index serves.
        let filtered_users;
        let users: &[UserEntry] = if query.destination.is_some() || query.location.is_some() {
            let wanted = |fact: &Fact| {
                matches(&query.destination, fact.destination())
                    && matches(&query.location, fact.location())
            };
            let indexes = (0..self.facts.len()).filter(|index| wanted(&self.facts[*index]));
            filtered_users = user_entries(&self.facts, &self.dims, indexes);
            &filtered_users
        } else {
            &self.users
        };
        let facts = &self.facts;
        let mut rows: Vec<&UserEntry> = users
            .iter()
            .filter(|user| matches(&currency, user.currency(facts)))
            .filter(|user| keep(user.user_id(facts)))
            .filter(|user| {
                needle
                    .as_deref()
                    .is_none_or(|needle| mentions(user, facts, needle))
            })
            .collect();
        rows.sort_by(|a, b| {
            let order = compare(a, b, facts, query.sort)
                .then_with(|| a.user_id(facts).cmp(b.user_id(facts)));
            let order = if query.descending {
                order.reverse()
            } else {
                order
            };
            // Amounts in different currencies are never ranked against each other: by charge
            // with every currency shown, the rows come grouped by currency (A to Z), each group
            // in the order asked. Counts and names are compared across currencies as they are.
            if query.sort == UserSort::Charge {
                a.currency(facts).cmp(b.currency(facts)).then(order)
            } else {
                order
            }
        });
        let page_size = page_size.clamp(1, MAX_PAGE_SIZE);
        let start = (query.page as usize).saturating_mul(page_size as usize);
        UserPage {
            total_rows: rows.len() as u64,
            page: query.page,
            page_size,
            rows: rows
                .into_iter()
                .skip(start)
                .take(page_size as usize)
                .map(|user| self.spend(user))
                .collect(),
            currency,
            currencies: self.dims.currencies.clone(),
            locations: self.dims.locations.clone(),
            org_options: String::new(),
        }
    }
}

fn matches(filter: &Option<String>, value: &str) -> bool {
    filter.as_deref().is_none_or(|wanted| wanted == value)
}

fn mentions(user: &UserEntry, facts: &[Fact], needle: &str) -> bool {
    let contains =
        |text: Option<&str>| text.is_some_and(|text| text.to_lowercase().contains(needle));
    contains(user.name(facts))
        || contains(user.upn(facts))
        || user.user_id(facts).to_lowercase() == needle
}

/// Names sort case-insensitively; a missing name sorts after every present one.
fn compare_text(a: Option<&str>, b: Option<&str>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.to_lowercase().cmp(&b.to_lowercase()),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn compare(a: &UserEntry, b: &UserEntry, facts: &[Fact], sort: UserSort) -> Ordering {
    match sort {
        UserSort::Name => compare_text(a.name(facts), b.name(facts)),
        UserSort::Upn => compare_text(a.upn(facts), b.upn(facts)),
        UserSort::Currency => a.currency(facts).cmp(b.currency(facts)),
        // Indexes into the range's sorted locations: ordered as the names are.
        UserSort::Location => a.locations.cmp(&b.locations),
        UserSort::Calls => a.totals.calls.cmp(&b.totals.calls),
        UserSort::Minutes => a.totals.seconds.cmp(&b.totals.seconds),
        UserSort::Charge => a.totals.charge.cmp(&b.totals.charge),
    }
}
