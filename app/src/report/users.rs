//! The users table: search, filters, sort and paging, all on the server so the browser never
//! receives more than one page. Pure: no I/O.
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::sync::Arc;

use super::dataset::{RangeData, user_spend};
use crate::model::{UserPage, UserQuery, UserSort, UserSpend};

/// The largest page the server sends.
pub const MAX_PAGE_SIZE: u32 = 200;

impl RangeData {
    /// One page of the users table; repeated queries come from the range's memo.
    pub fn users(&self, query: &UserQuery) -> Arc<UserPage> {
        self.user_pages
            .get_with_by_ref(query, || Arc::new(self.compute_users(query)))
    }

    fn compute_users(&self, query: &UserQuery) -> UserPage {
        let page_size = query.page_size;
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
        let users: &[UserSpend] = if query.destination.is_some() || query.location.is_some() {
            filtered_users = user_spend(self.facts.iter().filter(|fact| {
                matches(&query.destination, &fact.destination)
                    && matches(&query.location, &fact.location)
            }));
            &filtered_users
        } else {
            &self.users
        };
        let mut rows: Vec<&UserSpend> = users
            .iter()
            .filter(|user| matches(&query.currency, &user.currency))
            .filter(|user| {
                needle
                    .as_deref()
                    .is_none_or(|needle| mentions(user, needle))
            })
            .collect();
        rows.sort_by(|a, b| {
            let order = compare(a, b, query.sort).then_with(|| a.user_id.cmp(&b.user_id));
            if query.descending {
                order.reverse()
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
                .cloned()
                .collect(),
            currencies: self
                .users
                .iter()
                .map(|u| u.currency.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            locations: self
                .facts
                .iter()
                .map(|f| f.location.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        }
    }
}

fn matches(filter: &Option<String>, value: &str) -> bool {
    filter.as_deref().is_none_or(|wanted| wanted == value)
}

fn mentions(user: &UserSpend, needle: &str) -> bool {
    let contains = |text: &Option<String>| {
        text.as_deref()
            .is_some_and(|text| text.to_lowercase().contains(needle))
    };
    contains(&user.display_name)
        || contains(&user.user_principal_name)
        || user.user_id.to_lowercase() == needle
}

/// Names sort case-insensitively; a missing name sorts after every present one.
fn compare_text(a: &Option<String>, b: &Option<String>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.to_lowercase().cmp(&b.to_lowercase()),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn compare(a: &UserSpend, b: &UserSpend, sort: UserSort) -> Ordering {
    match sort {
        UserSort::Name => compare_text(&a.display_name, &b.display_name),
        UserSort::Upn => compare_text(&a.user_principal_name, &b.user_principal_name),
        UserSort::Currency => a.currency.cmp(&b.currency),
        UserSort::Location => a.locations.cmp(&b.locations),
        UserSort::Calls => a.totals.calls.cmp(&b.totals.calls),
        UserSort::Minutes => a.totals.seconds.cmp(&b.totals.seconds),
        UserSort::Charge => a.totals.charge.cmp(&b.totals.charge),
    }
}
