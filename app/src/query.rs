//! What a page's URL holds: the range, the currency the dashboard details, the users table's
//! search, filters, sort and page, and the
//! display settings that follow every link (`lang`, `theme`, `embed`). Everything a manager sees
//! can be bookmarked and shared.
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::{DateRange, UserFilters, UserQuery, UserSort};
use crate::range::{RangeError, default_range, validate};

/// Rows per page of the users table.
pub const PAGE_SIZE: u32 = 20;
/// Display settings kept on every link (`view=glance` with `embed=1`: the compact view).
const STICKY: [&str; 4] = ["lang", "theme", "embed", "view"];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageQuery {
    /// As written in the URL, so a mistyped date can be shown back with its message.
    pub from: Option<String>,
    pub to: Option<String>,
    /// The currency whose cards and charts the dashboard shows (`spend=EUR`); the users table's
    /// own filter is `filters.currency`.
    pub spend: Option<String>,
    /// The users table's search, filters, sort and page (`page` one-based in the URL).
    pub filters: UserFilters,
    pub sticky: Vec<(String, String)>,
}

/// The current URL's query, reactive.
pub fn use_page_query() -> Memo<PageQuery> {
    let query = use_query_map();
    Memo::new(move |_| query.with(PageQuery::from_params))
}

fn sort_name(sort: UserSort) -> &'static str {
    match sort {
        UserSort::Name => "name",
        UserSort::Upn => "upn",
        UserSort::Currency => "currency",
        UserSort::Location => "location",
        UserSort::Calls => "calls",
        UserSort::Minutes => "minutes",
        UserSort::Charge => "charge",
    }
}

impl PageQuery {
    pub fn from_params(params: &ParamsMap) -> Self {
        let text = |key: &str| params.get(key).filter(|value| !value.trim().is_empty());
        let sort = text("sort")
            .and_then(|name| {
                [
                    UserSort::Name,
                    UserSort::Upn,
                    UserSort::Currency,
                    UserSort::Location,
                    UserSort::Calls,
                    UserSort::Minutes,
                    UserSort::Charge,
                ]
                .into_iter()
                .find(|sort| sort_name(*sort) == name)
            })
            .unwrap_or_default();
        let descending = match text("dir").as_deref() {
            Some("asc") => false,
            Some("desc") => true,
            _ => sort.descending_by_default(),
        };
        Self {
            from: text("from"),
            to: text("to"),
            spend: text("spend"),
            filters: UserFilters {
                search: text("q"),
                currency: text("currency"),
                destination: text("destination"),
                location: text("location"),
                org: text("org"),
                sort,
                descending,
                page: text("page")
                    .and_then(|page| page.parse::<u32>().ok())
                    .map_or(0, |page| page.saturating_sub(1)),
            },
            sticky: STICKY
                .iter()
                .filter_map(|key| text(key).map(|value| (key.to_string(), value)))
                .collect(),
        }
    }

    /// The range the URL asks for; `None` when it names none (the default range applies).
    pub fn requested(&self) -> Option<(String, String)> {
        if self.from.is_none() && self.to.is_none() {
            return None;
        }
        Some((
            self.from.clone().unwrap_or_default(),
            self.to.clone().unwrap_or_default(),
        ))
    }

    /// The query string (without `?`), leaving out defaults.
    pub fn to_query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let mut push = |key: &'static str, value: &Option<String>| {
            if let Some(value) = value {
                pairs.push((key, value.clone()));
            }
        };
        push("from", &self.from);
        push("to", &self.to);
        push("spend", &self.spend);
        let filters = &self.filters;
        push("q", &filters.search);
        push("currency", &filters.currency);
        push("destination", &filters.destination);
        push("location", &filters.location);
        push("org", &filters.org);
        if filters.sort != UserSort::default()
            || filters.descending != filters.sort.descending_by_default()
        {
            pairs.push(("sort", sort_name(filters.sort).into()));
            pairs.push((
                "dir",
                if filters.descending { "desc" } else { "asc" }.into(),
            ));
        }
        if filters.page > 0 {
            pairs.push(("page", (filters.page + 1).to_string()));
        }
        let mut out: Vec<String> = pairs
            .into_iter()
            .map(|(key, value)| format!("{key}={}", encode(&value)))
            .collect();
        out.extend(
            self.sticky
                .iter()
                .map(|(key, value)| format!("{key}={}", encode(value))),
        );
        out.join("&")
    }

    /// `path` with this query.
    pub fn href(&self, path: &str) -> String {
        let query = self.to_query();
        if query.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{query}")
        }
    }

    /// Only the display settings: for links that start a fresh view.
    pub fn sticky_only(&self) -> Self {
        Self {
            sticky: self.sticky.clone(),
            ..Self::default()
        }
    }

    /// The same view over another range (the table goes back to its first page).
    pub fn with_range(&self, range: DateRange) -> Self {
        let mut view = Self {
            from: Some(range.from.to_string()),
            to: Some(range.to.to_string()),
            ..self.clone()
        };
        view.filters.page = 0;
        view
    }

    /// Sorted by `sort`: the other direction if it already is, else its natural one.
    pub fn with_sort(&self, sort: UserSort) -> Self {
        let mut view = self.clone();
        let filters = &mut view.filters;
        filters.descending = if filters.sort == sort {
            !filters.descending
        } else {
            sort.descending_by_default()
        };
        filters.sort = sort;
        filters.page = 0;
        view
    }

    /// The same view detailing another currency.
    pub fn with_spend(&self, currency: &str) -> Self {
        Self {
            spend: Some(currency.to_string()),
            ..self.clone()
        }
    }

    pub fn with_page(&self, page: u32) -> Self {
        let mut view = self.clone();
        view.filters.page = page;
        view
    }

    /// The same view without the display setting `key`.
    pub fn without_sticky(&self, key: &str) -> Self {
        let mut view = self.clone();
        view.sticky.retain(|(k, _)| k != key);
        view
    }

    /// The same view as the whole report in a page of its own (the compact view's links).
    pub fn full_report(&self) -> Self {
        self.without_sticky("view").without_sticky("embed")
    }

    /// Embedded in another page (`embed=1`): no navigation chrome.
    pub fn is_embedded(&self) -> bool {
        matches!(self.sticky_value("embed"), Some("1" | "true"))
    }

    /// The compact embedded view (`embed=1&view=glance`): the glance table alone.
    pub fn is_compact(&self) -> bool {
        self.is_embedded() && self.sticky_value("view") == Some("glance")
    }

    pub fn sticky_value(&self, key: &str) -> Option<&str> {
        self.sticky
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn user_query(&self, range: DateRange) -> UserQuery {
        UserQuery {
            range,
            filters: self.filters.clone(),
            page_size: PAGE_SIZE,
            spend: self.spend.clone(),
        }
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// What can keep a page from showing its figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PageError {
    /// The URL's range is not one we can show.
    Range(RangeError),
    App(AppError),
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        PageError::App(error)
    }
}

/// The range a page shows: the URL's, checked, or the default one when it names none.
pub fn page_range(query: &PageQuery, today: NaiveDate) -> Result<DateRange, RangeError> {
    match query.requested() {
        None => Ok(default_range(today)),
        Some((from, to)) => validate(&from, &to, today),
    }
}

/// The page's one range, worked out as the URL changes, against the server's `today` (the date
/// the page was rendered with, `layout::use_today`): every resource and control of the page
/// reads this memo.
pub fn use_page_range(
    query: Memo<PageQuery>,
    today: NaiveDate,
) -> Memo<Result<DateRange, RangeError>> {
    Memo::new(move |_| query.with(|query| page_range(query, today)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> ParamsMap {
        let mut map = ParamsMap::new();
        for (key, value) in pairs {
            map.insert(key.to_string(), value.to_string());
        }
        map
    }

    #[test]
    fn round_trips_the_url() {
        let query = PageQuery::from_params(&params(&[
            ("from", "2026-01-01"),
            ("to", "2026-01-31"),
            ("q", "ana silva@x"),
            ("spend", "JPY"),
            ("sort", "name"),
            ("page", "3"),
            ("lang", "pt-BR"),
        ]));
        assert_eq!(query.filters.page, 2);
        assert!(!query.filters.descending);
        assert_eq!(
            query.to_query(),
            "from=2026-01-01&to=2026-01-31&spend=JPY&q=ana%20silva%40x&sort=name&dir=asc&page=3&lang=pt-BR"
        );
        assert_eq!(query.sticky_only().href("/"), "/?lang=pt-BR");
        let sorted = query.with_sort(UserSort::Name);
        assert!(sorted.filters.descending);
        assert_eq!(sorted.filters.page, 0);
        assert_eq!(sorted.spend.as_deref(), Some("JPY"));
        assert_eq!(
            query.with_spend("EUR").with_page(0).href("/"),
            "/?from=2026-01-01&to=2026-01-31&spend=EUR&q=ana%20silva%40x&sort=name&dir=asc&lang=pt-BR"
        );
    }

    #[test]
    fn defaults_leave_the_url_clean() {
        let query = PageQuery::from_params(&params(&[]));
        assert_eq!(query.filters.sort, UserSort::Charge);
        assert!(query.filters.descending);
        assert_eq!(query.href("/"), "/");
        assert_eq!(query.requested(), None);
    }
}
