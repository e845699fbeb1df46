//! Server-driven paging and the JSON of one page.

use std::ops::Range;

use rust_decimal::Decimal;
use serde::Serialize;

use super::aggregate::RowTotals;
use crate::config::TopSemantics;
use crate::data::Dataset;
use crate::data::tariffs;
use crate::odata::query::QueryOptions;

/// Where the next page starts, for `@odata.nextLink`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextPage {
    pub skip: usize,
    pub top: Option<usize>,
}

/// The rows of one page and the link to the next, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSlice {
    pub rows: Range<usize>,
    pub next: Option<NextPage>,
}

/// Which of `total` rows this request gets.
pub fn slice(
    total: usize,
    options: QueryOptions,
    page_size: usize,
    semantics: TopSemantics,
) -> PageSlice {
    let start = options.skip.min(total);
    match semantics {
        TopSemantics::PageSize => {
            let size = options.top.map_or(page_size, |top| top.min(page_size));
            let end = start.saturating_add(size).min(total);
            let next = (size > 0 && end < total).then_some(NextPage {
                skip: end,
                top: options.top,
            });
            PageSlice {
                rows: start..end,
                next,
            }
        }
        TopSemantics::Limit => {
            let limit_end = options
                .top
                .map_or(total, |top| options.skip.saturating_add(top).min(total));
            let end = start.saturating_add(page_size).min(limit_end).max(start);
            let next = (end < limit_end).then(|| NextPage {
                skip: end,
                top: options.top.map(|_| limit_end - end),
            });
            PageSlice {
                rows: start..end,
                next,
            }
        }
    }
}

/// One `microsoft.graph.callRecords.pstnOnlineMeetingDialoutReport`, in the doc's field order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportRowJson {
    user_id: String,
    user_principal_name: Option<String>,
    user_display_name: Option<String>,
    usage_location: &'static str,
    destination_context: &'static str,
    currency: &'static str,
    total_calls: u32,
    /// A JSON number carrying the exact decimal text, never a float.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    total_call_charge: Decimal,
    total_call_seconds: u64,
}

#[derive(Serialize)]
struct PageJson<'a> {
    #[serde(rename = "@odata.context")]
    context: &'a str,
    /// Rows in this page, as in Graph's example (not a grand total).
    #[serde(rename = "@odata.count")]
    count: usize,
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    next_link: Option<&'a str>,
    value: Vec<ReportRowJson>,
}

fn row_json(dataset: &Dataset, row: &RowTotals) -> ReportRowJson {
    let identity = dataset.identity(row.user);
    let location = tariffs::location(row.location);
    ReportRowJson {
        user_id: identity.user_id,
        user_principal_name: identity.user_principal_name,
        user_display_name: identity.user_display_name,
        usage_location: location.country,
        destination_context: row.context.as_graph_str(),
        currency: location.currency,
        total_calls: row.calls,
        total_call_charge: row.charge(),
        total_call_seconds: row.seconds,
    }
}

/// The body of one page.
pub fn render(
    dataset: &Dataset,
    rows: &[RowTotals],
    context: &str,
    next_link: Option<&str>,
    escape_non_ascii: bool,
) -> serde_json::Result<Vec<u8>> {
    let page = PageJson {
        context,
        count: rows.len(),
        next_link,
        value: rows.iter().map(|row| row_json(dataset, row)).collect(),
    };
    crate::json::to_vec(&page, escape_non_ascii)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(skip: usize, top: Option<usize>) -> QueryOptions {
        QueryOptions { skip, top }
    }

    #[test]
    fn page_size_reading() {
        let s = slice(2500, opts(0, None), 1000, TopSemantics::PageSize);
        assert_eq!(s.rows, 0..1000);
        assert_eq!(
            s.next,
            Some(NextPage {
                skip: 1000,
                top: None
            })
        );
        let s = slice(2500, opts(2000, None), 1000, TopSemantics::PageSize);
        assert_eq!((s.rows, s.next), (2000..2500, None));
        let s = slice(2500, opts(0, Some(300)), 1000, TopSemantics::PageSize);
        assert_eq!(
            s.next,
            Some(NextPage {
                skip: 300,
                top: Some(300)
            })
        );
        let s = slice(2500, opts(0, Some(0)), 1000, TopSemantics::PageSize);
        assert_eq!((s.rows, s.next), (0..0, None));
        let s = slice(10, opts(50, None), 1000, TopSemantics::PageSize);
        assert_eq!((s.rows, s.next), (10..10, None));
    }

    #[test]
    fn limit_reading() {
        let s = slice(2500, opts(0, Some(1500)), 1000, TopSemantics::Limit);
        assert_eq!(s.rows, 0..1000);
        assert_eq!(
            s.next,
            Some(NextPage {
                skip: 1000,
                top: Some(500)
            })
        );
        let s = slice(2500, opts(1000, Some(500)), 1000, TopSemantics::Limit);
        assert_eq!((s.rows, s.next), (1000..1500, None));
        let s = slice(2500, opts(0, None), 1000, TopSemantics::Limit);
        assert_eq!(
            s.next,
            Some(NextPage {
                skip: 1000,
                top: None
            })
        );
    }
}
