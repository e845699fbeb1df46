//! Fetching one window: the first page, then every `@odata.nextLink` exactly as given, as long
//! as it stays on the Graph endpoint's origin (the bearer token goes nowhere else) and never
//! repeats (a paging loop).

use std::collections::HashSet;

use tokio::time::Instant;
use url::Url;

use crate::config::{Endpoint, GraphConfig};
use crate::error::GraphError;
use crate::merge::{HashedRows, RowHasher};
use crate::pipeline::{self, Stage};
use crate::progress::ProgressTracker;
use crate::ratelimit::Priority;
use crate::request::Transport;
use crate::window::Window;

/// `{graph}/beta/communications/callRecords/getPstnOnlineMeetingDialoutReport(…)`.
pub(crate) fn report_url(graph: &Endpoint, window: &Window) -> Result<Url, GraphError> {
    let text = format!(
        "{}/beta/communications/callRecords/{}",
        graph.base(),
        window.function_call()
    );
    Url::parse(&text)
        .map_err(|e| GraphError::Setup(format!("cannot build the report URL {text}: {e}")))
}

/// What [`fetch_window_rows`] returns.
pub(crate) struct WindowFetch {
    /// Every row of the window, in Graph's order, with their key hashes.
    pub rows: HashedRows,
    pub pages: u64,
    /// The `request-id` header of the window's last page (the response without a next link).
    pub request_id: Option<String>,
}

/// Every row of `window`, in Graph's order, with their key hashes, the number of pages and the
/// last page's `request-id`, from `config`'s Graph endpoint, with at most its
/// `max_pages_per_window`; every request asks the rate limiter at `priority`. The pages are
/// fetched and parsed by the [`pipeline`](crate::pipeline); each run follows the links the
/// pages give, and a run that stops on a link it did not expect is continued here from that
/// link, after the same loop and page-count checks.
pub(crate) async fn fetch_window_rows(
    transport: &Transport,
    config: &GraphConfig,
    window: &Window,
    priority: Priority,
    deadline: Instant,
    hasher: &RowHasher,
    progress: &ProgressTracker<'_>,
) -> Result<WindowFetch, GraphError> {
    let graph = config.graph();
    let max_pages = config.max_pages_per_window();
    let mut url = report_url(graph, window)?;
    let mut seen: HashSet<String> = HashSet::new();
    let mut rows = HashedRows::default();
    loop {
        let stage = Stage {
            transport,
            graph,
            window: window.to_string(),
            priority,
            deadline,
            hasher,
            progress,
            max_pages: u64::from(max_pages),
            pages_before: seen.len() as u64,
            seen: &seen,
        };
        let run = pipeline::run(&stage, url, rows).await?;
        rows = run.rows;
        seen.extend(run.urls);
        let Some(next) = run.next else {
            return Ok(WindowFetch {
                rows,
                pages: seen.len() as u64,
                request_id: run.request_id,
            });
        };
        if seen.contains(next.as_str()) {
            return Err(GraphError::NextLinkLoop {
                window: window.to_string(),
            });
        }
        if seen.len() as u64 >= u64::from(max_pages) {
            return Err(GraphError::TooManyPages {
                window: window.to_string(),
                limit: max_pages,
            });
        }
        url = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window::DayRange;

    fn sim() -> Endpoint {
        Endpoint::parse("GRAPH_ENDPOINT", "http://127.0.0.1:4010").unwrap()
    }

    #[test]
    fn builds_the_report_url() {
        let day = |text| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        let window = DayRange::new(day("2024-01-01"), day("2024-01-31"))
            .unwrap()
            .windows()[0];
        let url = report_url(&sim(), &window).unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:4010/beta/communications/callRecords/getPstnOnlineMeetingDialoutReport(fromDateTime=2024-01-01T00:00:00Z,toDateTime=2024-01-31T23:59:59.9999999Z)"
        );
    }
}
