//! Server-driven paging and the JSON of one page.

use std::ops::Range;

use rust_decimal::Decimal;
use serde::Serialize;

use super::aggregate::RowTotals;
use crate::config::{NextLinkKey, SimConfig, TopSemantics};
use crate::data::Dataset;
use crate::data::tariffs;
use crate::odata::next_link::NextLinkJson;
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

/// Which of `total` rows this request gets. A page after the first starts up to `overlap` rows
/// before its `$skip` (`--unstable-order`; 0 otherwise), but never so many that it would not
/// move past its `$skip`: paging always ends.
pub fn slice(
    total: usize,
    options: QueryOptions,
    page_size: usize,
    semantics: TopSemantics,
    overlap: usize,
) -> PageSlice {
    let skip = options.skip.min(total);
    let start = |size: usize| {
        let back = if skip < total { overlap } else { 0 };
        skip - back.min(skip).min(size.saturating_sub(1))
    };
    match semantics {
        TopSemantics::PageSize => {
            let size = options.top.map_or(page_size, |top| top.min(page_size));
            let start = start(size);
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
            let start = start(page_size);
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
    total_call_charge: Charge,
    total_call_seconds: u64,
}

/// The exact decimal text of a charge: a JSON number (never through a float), or the same
/// digits as a JSON string (`--charge-as-string`).
struct Charge {
    value: Decimal,
    as_string: bool,
}

impl Serialize for Charge {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.as_string {
            rust_decimal::serde::str::serialize(&self.value, serializer)
        } else {
            rust_decimal::serde::arbitrary_precision::serialize(&self.value, serializer)
        }
    }
}

/// How pages are written: the readings of `--next-link-key`, `--charge-as-string` and
/// `--escape-non-ascii`.
#[derive(Debug, Clone, Copy)]
pub struct PageStyle {
    pub next_link_key: NextLinkKey,
    pub charge_as_string: bool,
    pub escape_non_ascii: bool,
}

impl PageStyle {
    pub fn of(config: &SimConfig) -> Self {
        Self {
            next_link_key: config.next_link_key,
            charge_as_string: config.charge_as_string,
            escape_non_ascii: config.escape_non_ascii,
        }
    }
}

#[derive(Serialize)]
struct PageJson<'a> {
    #[serde(rename = "@odata.context")]
    context: &'a str,
    /// Rows in this page, as in Graph's example (not a grand total).
    #[serde(rename = "@odata.count")]
    count: usize,
    #[serde(flatten)]
    next_link: NextLinkJson<'a>,
    value: Vec<ReportRowJson>,
}

fn row_json(dataset: &Dataset, row: &RowTotals, charge_as_string: bool) -> ReportRowJson {
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
        total_call_charge: Charge {
            value: row.charge(),
            as_string: charge_as_string,
        },
        total_call_seconds: row.seconds,
    }
}

/// The body of one page.
pub fn render(
    dataset: &Dataset,
    rows: &[RowTotals],
    context: &str,
    next_link: Option<&str>,
    style: PageStyle,
) -> serde_json::Result<Vec<u8>> {
    let page = PageJson {
        context,
        count: rows.len(),
        next_link: NextLinkJson::new(next_link, style.next_link_key),
        value: rows
            .iter()
            .map(|row| row_json(dataset, row, style.charge_as_string))
            .collect(),
    };
    crate::json::to_vec(&page, style.escape_non_ascii)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(skip: usize, top: Option<usize>) -> QueryOptions {
        QueryOptions { skip, top }
    }

    #[test]
    fn page_size_reading() {
        let s = slice(2500, opts(0, None), 1000, TopSemantics::PageSize, 0);
        assert_eq!(s.rows, 0..1000);
        assert_eq!(
            s.next,
            Some(NextPage {
                skip: 1000,
                top: None
            })
        );
        let s = slice(2500, opts(2000, None), 1000, TopSemantics::PageSize, 0);
        assert_eq!((s.rows, s.next), (2000..2500, None));
        let s = slice(2500, opts(0, Some(300)), 1000, TopSemantics::PageSize, 0);
        assert_eq!(
            s.next,
            Some(NextPage {
                skip: 300,
                top: Some(300)
            })
        );
        let s = slice(2500, opts(0, Some(0)), 1000, TopSemantics::PageSize, 0);
        assert_eq!((s.rows, s.next), (0..0, None));
        let s = slice(10, opts(50, None), 1000, TopSemantics::PageSize, 0);
        assert_eq!((s.rows, s.next), (10..10, None));
    }

    #[test]
    fn unstable_order_starts_pages_early_but_always_moves_on() {
        use TopSemantics::{Limit, PageSize};
        let first = slice(100, opts(0, None), 40, PageSize, 3);
        assert_eq!((first.rows, first.next.map(|n| n.skip)), (0..40, Some(40)));
        let second = slice(100, opts(40, None), 40, PageSize, 3);
        assert_eq!(
            (second.rows, second.next.map(|n| n.skip)),
            (37..77, Some(77))
        );
        let last = slice(100, opts(77, None), 40, PageSize, 3);
        assert_eq!((last.rows, last.next), (74..100, None));
        // Pages of one row cannot repeat one and still move on; pages of two repeat one.
        assert_eq!(slice(100, opts(5, Some(1)), 40, PageSize, 3).rows, 5..6);
        assert_eq!(slice(100, opts(5, Some(2)), 40, PageSize, 3).rows, 4..6);
        assert_eq!(slice(100, opts(100, None), 40, PageSize, 3).rows, 100..100);
        let limited = slice(100, opts(40, Some(20)), 40, Limit, 3);
        assert_eq!((limited.rows, limited.next), (37..60, None));
    }

    #[test]
    fn limit_reading() {
        let s = slice(2500, opts(0, Some(1500)), 1000, TopSemantics::Limit, 0);
        assert_eq!(s.rows, 0..1000);
        assert_eq!(
            s.next,
            Some(NextPage {
                skip: 1000,
                top: Some(500)
            })
        );
        let s = slice(2500, opts(1000, Some(500)), 1000, TopSemantics::Limit, 0);
        assert_eq!((s.rows, s.next), (1000..1500, None));
        let s = slice(2500, opts(0, None), 1000, TopSemantics::Limit, 0);
        assert_eq!(
            s.next,
            Some(NextPage {
                skip: 1000,
                top: None
            })
        );
    }
}
