//! The paging pipeline of one window: a fetcher and a parser running side by side.
//!
//! The fetcher (async) requests a page, finds the next link with a cheap scan of the raw body
//! ([`scan_next_link`]), hands the body to the parser and requests that next link at once, up to
//! [`RUN_AHEAD`] pages ahead. The parser (a blocking-pool thread) parses each body, hashes its
//! rows' keys, and checks that the page's own `@odata.nextLink` is the URL the fetcher guessed.
//! The guess is only an optimisation: it passes the same origin, loop and page-count checks as
//! any link before it is requested, and the first time the parsed link differs, the run stops,
//! whatever was fetched past that page is dropped, and the caller continues from the parsed
//! link. So the rows are exactly those of the chain of parsed links, while network and parsing
//! overlap instead of taking turns.

use std::collections::HashSet;

use tokio::sync::mpsc;
use tokio::time::Instant;
use tracing::warn;
use url::Url;

use crate::config::Endpoint;
use crate::error::GraphError;
use crate::merge::{HashedRows, Repeats, RowHasher};
use crate::page::{is_full_page, next_url, parse_page, scan_next_link};
use crate::progress::ProgressTracker;
use crate::ratelimit::Priority;
use crate::request::Transport;

/// Pages fetched ahead of the parser, at most (besides the one being fetched).
const RUN_AHEAD: usize = 3;

/// What a run needs to know.
pub(crate) struct Stage<'a> {
    pub transport: &'a Transport,
    pub graph: &'a Endpoint,
    pub window: String,
    /// The rate limiter's priority for every request of the run.
    pub priority: Priority,
    pub deadline: Instant,
    pub hasher: &'a RowHasher,
    pub progress: &'a ProgressTracker<'a>,
    pub max_pages: u64,
    /// Pages verified before this run.
    pub pages_before: u64,
    /// URLs of the pages verified before this run.
    pub seen: &'a HashSet<String>,
}

/// The result of a run: rows so far, the pages it verified, and where to go on.
pub(crate) struct Run {
    pub rows: HashedRows,
    pub urls: Vec<String>,
    /// The `request-id` of the last page the run verified: when `next` is `None`, the response
    /// that ended the window.
    pub request_id: Option<String>,
    /// The parsed next link when it differed from the guess; `None` when the window is done.
    pub next: Option<Url>,
}

struct Job {
    number: u64,
    url: Url,
    body: Vec<u8>,
    request_id: Option<String>,
    guess: Option<Url>,
}

enum Verdict {
    /// The page's own link is the guess (or both are absent: the last page).
    Agreed {
        added: usize,
        last: bool,
        request_id: Option<String>,
    },
    /// The page's own link (resolved and origin-checked) differs from the guess.
    Disagreed {
        added: usize,
        next: Option<Result<Url, GraphError>>,
        request_id: Option<String>,
    },
    Failed(GraphError),
}

#[derive(Default)]
struct Outcome {
    verified: usize,
    last: bool,
    /// The `request-id` of the last verified page.
    request_id: Option<String>,
    disagreed: Option<Option<Result<Url, GraphError>>>,
    failed: Option<GraphError>,
}

impl Outcome {
    fn record(&mut self, verdict: Verdict, progress: &ProgressTracker<'_>) {
        match verdict {
            Verdict::Agreed {
                added,
                last,
                request_id,
            } => {
                self.verified += 1;
                self.last = last;
                self.request_id = request_id;
                progress.page(added);
            }
            Verdict::Disagreed {
                added,
                next,
                request_id,
            } => {
                self.verified += 1;
                self.disagreed = Some(next);
                self.request_id = request_id;
                progress.page(added);
            }
            Verdict::Failed(error) => self.failed = Some(error),
        }
    }

    fn stopped(&self) -> bool {
        self.last || self.disagreed.is_some() || self.failed.is_some()
    }
}

/// Fetches and parses pages from `start`, appending to `rows`.
pub(crate) async fn run(
    stage: &Stage<'_>,
    start: Url,
    rows: HashedRows,
) -> Result<Run, GraphError> {
    let (jobs, job_queue) = mpsc::channel::<Job>(RUN_AHEAD);
    let (verdict_tx, mut verdicts) = mpsc::unbounded_channel::<Verdict>();
    let parser = tokio::task::spawn_blocking({
        let (hasher, graph, window) = (
            stage.hasher.clone(),
            stage.graph.clone(),
            stage.window.clone(),
        );
        move || parse_jobs(job_queue, &verdict_tx, rows, &hasher, &graph, &window)
    });
    let on_retry = || stage.progress.retry();
    let mut outcome = Outcome::default();
    let mut fetched: Vec<Url> = Vec::new();
    let mut fetched_set: HashSet<String> = HashSet::new();
    let mut fetch_error = None;
    let mut url = start;
    loop {
        while let Ok(verdict) = verdicts.try_recv() {
            outcome.record(verdict, stage.progress);
        }
        if outcome.stopped() {
            break;
        }
        let page = match stage
            .transport
            .get(&url, stage.priority, stage.deadline, &on_retry)
            .await
        {
            Ok(page) => page,
            Err(error) => {
                fetch_error = Some(error);
                break;
            }
        };
        let number = stage.pages_before + fetched.len() as u64 + 1;
        fetched_set.insert(url.as_str().to_owned());
        let guess = scan_next_link(&page.body)
            .and_then(|link| next_url(stage.graph, &url, &link).ok())
            .filter(|next| {
                number < stage.max_pages
                    && !stage.seen.contains(next.as_str())
                    && !fetched_set.contains(next.as_str())
            });
        fetched.push(url.clone());
        let job = Job {
            number,
            url,
            body: page.body,
            request_id: page.request_id,
            guess: guess.clone(),
        };
        if jobs.send(job).await.is_err() {
            break; // the parser stopped: its verdict says why
        }
        match guess {
            Some(next) => url = next,
            None => break,
        }
    }
    drop(jobs);
    let rows = parser.await.map_err(|e| GraphError::Protocol {
        source_name: "Graph",
        request_id: None,
        detail: format!("the page parser of window {} failed: {e}", stage.window),
    })?;
    while let Some(verdict) = verdicts.recv().await {
        outcome.record(verdict, stage.progress);
    }
    if let Some(error) = outcome.failed {
        return Err(error);
    }
    let urls = fetched
        .iter()
        .take(outcome.verified)
        .map(|u| u.as_str().to_owned())
        .collect();
    if let Some(next) = outcome.disagreed {
        return Ok(Run {
            rows,
            urls,
            request_id: outcome.request_id,
            next: next.transpose()?,
        });
    }
    if outcome.last {
        return Ok(Run {
            rows,
            urls,
            request_id: outcome.request_id,
            next: None,
        });
    }
    Err(fetch_error.unwrap_or_else(|| GraphError::Protocol {
        source_name: "Graph",
        request_id: None,
        detail: format!("paging of window {} stopped unexpectedly", stage.window),
    }))
}

/// Warns of what a page makes doubtful: rows Graph repeated from earlier pages of the window
/// (dropped, see `merge.rs`), and a last page as full as a page gets, which may be a next link
/// this client did not recognise (or Graph did not send): the window could be short of rows.
fn log_doubts(job: &Job, window: &str, added: usize, repeats: &Repeats, last: bool) {
    if repeats.rows > 0 {
        warn!(
            window,
            page = job.number,
            request_id = job.request_id.as_deref(),
            repeated = repeats.rows,
            conflicting = repeats.conflicting,
            keys = %repeats.named(),
            "Graph repeated rows of earlier pages of this window; the first of each key is kept"
        );
    }
    if last && is_full_page(&job.url, added) {
        warn!(
            window,
            page = job.number,
            request_id = job.request_id.as_deref(),
            rows = added,
            "a full page without a next link: a missed link would leave the window short of rows"
        );
    }
}

/// The parser's loop, on a blocking-pool thread.
fn parse_jobs(
    mut jobs: mpsc::Receiver<Job>,
    verdicts: &mpsc::UnboundedSender<Verdict>,
    mut rows: HashedRows,
    hasher: &RowHasher,
    graph: &Endpoint,
    window: &str,
) -> HashedRows {
    while let Some(mut job) = jobs.blocking_recv() {
        let mut page = Vec::new();
        let parsed = parse_page(&job.body, &mut page);
        drop(std::mem::take(&mut job.body)); // the page's bytes are done with
        let link = match parsed {
            Ok(link) => link,
            Err(e) => {
                let _ = verdicts.send(Verdict::Failed(GraphError::Protocol {
                    source_name: "Graph",
                    request_id: job.request_id,
                    detail: format!(
                        "page {} of window {window} is not a report page: {e}",
                        job.number
                    ),
                }));
                break;
            }
        };
        let added = page.len();
        let repeats = rows.push_page(page, hasher);
        let next = link.map(|link| next_url(graph, &job.url, &link));
        log_doubts(&job, window, added, &repeats, next.is_none());
        let agrees = match (&next, &job.guess) {
            (None, None) => true,
            (Some(Ok(parsed)), Some(guess)) => parsed == guess,
            _ => false,
        };
        if !agrees {
            let _ = verdicts.send(Verdict::Disagreed {
                added,
                next,
                request_id: job.request_id,
            });
            break;
        }
        let last = next.is_none();
        let _ = verdicts.send(Verdict::Agreed {
            added,
            last,
            request_id: job.request_id,
        });
        if last {
            break;
        }
    }
    rows
}
