//! The client: one HTTP connection pool, one token cache and one rate limiter, shared by every
//! clone and every concurrent fetch.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt, stream};
use tokio::time::Instant;
use tracing::{info, warn};

use crate::config::{Credential, GraphConfig};
use crate::credential::CertificateCredential;
use crate::directory::directory_limits;
use crate::error::GraphError;
use crate::merge::{HashedRows, MergeStats, Repeats, RowHasher, merge_hashed};
use crate::model::DialoutRow;
use crate::paging::{WindowFetch, fetch_window_rows, report_url};
use crate::progress::{FetchProgress, ProgressTracker};
use crate::ratelimit::{Priority, RateLimiter};
use crate::request::Transport;
use crate::to_reading::{ToReading, first_page};
use crate::token::{AppCredential, TokenProvider};
use crate::window::{DayRange, ToBound, Window};

/// How long [`GraphClient::check_token`] may take at most.
const CHECK_TOKEN_DEADLINE: Duration = Duration::from_secs(30);

/// A Microsoft Graph client for the dial-out report. Cheap to clone: clones share the
/// connection pool, the token cache and the rate limiter.
#[derive(Clone)]
pub struct GraphClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: GraphConfig,
    transport: Transport,
    /// The directory's requests (`directory.rs`): its own budget at Graph.
    directory_limiter: RateLimiter,
    to_reading: ToReading,
}

/// The merged report for a range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DialoutReport {
    pub range: DayRange,
    /// One row per (userId, usageLocation, destinationContext, currency), in order of first
    /// appearance (see [`crate::merge_rows`]).
    pub rows: Vec<DialoutRow>,
    pub windows: usize,
    pub pages: u64,
    pub stats: MergeStats,
    /// Rows Graph repeated within a window, dropped (their counts are also in `stats`).
    pub repeats: Repeats,
}

/// The rows of one window as Graph sent them (not merged), each key once: a row Graph repeated
/// across the window's pages is dropped and counted in `repeats`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowRows {
    pub window: Window,
    pub rows: Vec<DialoutRow>,
    pub pages: u64,
    /// The `request-id` header of the window's last page (the response that ended the window),
    /// to record which Graph response the stored rows came from; `None` if Graph sent none.
    pub request_id: Option<String>,
    /// Rows Graph repeated across the window's pages: dropped from `rows`, the first kept.
    pub repeats: Repeats,
}

/// The outcome of [`GraphClient::check_report`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportCheck {
    /// Rows on the day's first page (at most a page).
    pub rows_on_first_page: usize,
    pub request_id: Option<String>,
    /// How Graph reads `toDateTime`; `None` when the days looked at had no call to tell by.
    pub to_bound: Option<ToBound>,
}

/// The outcome of [`GraphClient::check_token`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenStatus {
    /// Time left before the current token expires.
    pub expires_in: Duration,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl GraphClient {
    /// Builds the client; reads and checks the certificate file now, so a bad one fails at start.
    pub fn new(config: GraphConfig) -> Result<Self, GraphError> {
        let credential = match config.credential() {
            Credential::Secret(secret) => AppCredential::Secret(secret.clone()),
            Credential::CertificatePem(path) => {
                AppCredential::Certificate(CertificateCredential::load(path)?)
            }
        };
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout())
            .timeout(config.request_timeout())
            .user_agent(concat!(
                "dialout-portal-graph-client/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|e| GraphError::Setup(format!("HTTP client: {e}")))?;
        let tokens = TokenProvider::new(
            http.clone(),
            config.token_url(),
            config.client_id().to_owned(),
            config.scope(),
            credential,
            config.retry().clone(),
        );
        let transport = Transport {
            http,
            tokens,
            limiter: RateLimiter::new(config.rate_limits()),
            retry: config.retry().clone(),
        };
        Ok(Self {
            inner: Arc::new(Inner {
                directory_limiter: RateLimiter::new(&directory_limits(config.rate_limits())),
                config,
                transport,
                to_reading: ToReading::default(),
            }),
        })
    }

    /// One GET of the directory under its own rate limiter.
    pub(crate) async fn directory_get(
        &self,
        url: &url::Url,
        priority: Priority,
        deadline: Instant,
    ) -> Result<crate::request::Fetched, GraphError> {
        let inner = &self.inner;
        inner
            .transport
            .get_limited(&inner.directory_limiter, url, priority, deadline, &|| ())
            .await
    }

    pub fn config(&self) -> &GraphConfig {
        &self.inner.config
    }

    /// Gets a token (the cached one, or a fresh one) without calling Graph: for readiness checks.
    pub async fn check_token(&self) -> Result<TokenStatus, GraphError> {
        let token = self
            .inner
            .transport
            .tokens
            .get(Instant::now() + CHECK_TOKEN_DEADLINE)
            .await?;
        Ok(TokenStatus {
            expires_in: token.expires_at.saturating_duration_since(Instant::now()),
        })
    }

    /// How this tenant's Graph needs `toDateTime` written: fixed by the config, or learnt from
    /// its answers; `None` until then. A caller that keeps state can record it and hand it to
    /// the next client with [`Self::assume_to_bound`] (the portal's store does).
    pub fn to_bound(&self) -> Option<ToBound> {
        self.inner.to_reading.known(&self.inner.config)
    }

    /// Reads the first page of `day`'s report (one request, unless how Graph reads
    /// `toDateTime` is still to be learnt: then a few more), for a configuration check: the
    /// token, the report permission and the reading, without fetching a whole day.
    pub async fn check_report(&self, day: chrono::NaiveDate) -> Result<ReportCheck, GraphError> {
        let (transport, config) = (&self.inner.transport, &self.inner.config);
        let window = Window::new(DayRange::day(day)?)?;
        let deadline = Instant::now() + config.retry().deadline;
        let priority = Priority::Interactive;
        let known = self.to_bound();
        let bound = known.unwrap_or(ToBound::LastTick);
        let read = |bound: ToBound| {
            let window = window.with_bound(bound);
            async move { first_page(transport, config, &window, priority, deadline).await }
        };
        let mut page = read(bound).await?;
        if known.is_none() {
            let learnt = self
                .inner
                .to_reading
                .settle(
                    transport,
                    config,
                    &window,
                    page.rows > 0,
                    priority,
                    deadline,
                )
                .await?;
            // Read again with the bound that is right: the last tick showed none of the day.
            if learnt != bound {
                page = read(learnt).await?;
            }
        }
        Ok(ReportCheck {
            rows_on_first_page: page.rows,
            request_id: page.request_id,
            to_bound: self.to_bound(),
        })
    }

    /// Takes `bound` as learnt (from an earlier run): nothing is probed.
    pub fn assume_to_bound(&self, bound: ToBound) {
        self.inner.to_reading.learn(bound);
    }

    /// How many windows of one range are fetched at once (the rate limiter still applies):
    /// callers that fetch windows one by one keep to the same number.
    pub fn max_concurrent_windows(&self) -> usize {
        self.inner.config.max_concurrent_windows()
    }

    /// The URL of the first page of `window`.
    pub fn report_url(&self, window: &Window) -> String {
        report_url(self.inner.config.graph(), window)
            .map(String::from)
            .unwrap_or_default()
    }

    /// Every row of one window (at most 90 days), unmerged, following all pages: someone is
    /// waiting for it ([`Priority::Interactive`]). See [`Self::fetch_window_with`].
    pub async fn fetch_window(
        &self,
        window: Window,
        progress: impl Fn(FetchProgress) + Send + Sync,
    ) -> Result<WindowRows, GraphError> {
        self.fetch_window_with(window, Priority::Interactive, progress)
            .await
    }

    /// [`Self::fetch_window`] at a chosen rate-limiter priority: a background job (nobody
    /// waiting) passes [`Priority::Background`], so its requests use at most the configured
    /// share of Graph's request budget ([`GraphConfig::with_background_share`]) and leave the
    /// rest to interactive ones; it may wait for the share to free up, within the retry
    /// policy's deadline. Token requests are not rate limited.
    pub async fn fetch_window_with(
        &self,
        window: Window,
        priority: Priority,
        progress: impl Fn(FetchProgress) + Send + Sync,
    ) -> Result<WindowRows, GraphError> {
        let tracker = ProgressTracker::new(1, &progress);
        let deadline = Instant::now() + self.inner.config.retry().deadline;
        let fetched = self
            .inner
            .window(&window, priority, deadline, &RowHasher::default(), &tracker)
            .await?;
        let (rows, repeats) = fetched.rows.into_rows();
        Ok(WindowRows {
            window,
            rows,
            repeats,
            pages: fetched.pages,
            request_id: fetched.request_id,
        })
    }

    /// Runs `fetch(index, window)` for each window, [`Self::max_concurrent_windows`] at once,
    /// and returns the results in window order; the first error ends the run. The one place
    /// that decides how windows are fetched side by side: [`Self::fetch_report`] uses it, and so
    /// does a caller that fetches windows one by one (to cache each) with [`Self::fetch_window`].
    pub async fn each_window<T, E, F, Fut>(
        &self,
        windows: Vec<Window>,
        fetch: F,
    ) -> Result<Vec<T>, E>
    where
        F: Fn(usize, Window) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        // Owned windows: a stream over borrowed ones makes the caller's future fail rustc's
        // `Send` check (a higher-ranked lifetime limitation), and the portal runs it on a
        // multi-thread runtime.
        stream::iter(windows.into_iter().enumerate())
            .map(|(index, window)| fetch(index, window))
            .buffered(self.max_concurrent_windows())
            .try_collect()
            .await
    }

    /// The merged report for an inclusive range of UTC days of any length: windows of at most
    /// 90 days, fetched with bounded concurrency, merged exactly. Any failure fails the whole
    /// fetch: a partial result is never returned. Someone is waiting for it:
    /// [`Priority::Interactive`].
    pub async fn fetch_report(
        &self,
        range: DayRange,
        progress: impl Fn(FetchProgress) + Send + Sync,
    ) -> Result<DialoutReport, GraphError> {
        let started = Instant::now();
        let windows = range.windows();
        let tracker = ProgressTracker::new(windows.len(), &progress);
        let deadline = started + self.inner.config.retry().deadline;
        info!(%range, windows = windows.len(), "fetching the dial-out report");
        tracker.report();
        let tracker = &tracker;
        let hasher = &RowHasher::default();
        let parts: Vec<HashedRows> = self
            .each_window(windows.clone(), |_, window| async move {
                let fetched = self
                    .inner
                    .window(&window, Priority::Interactive, deadline, hasher, tracker)
                    .await?;
                Ok::<_, GraphError>(fetched.rows)
            })
            .await?;
        let merged = merge_hashed(parts)?;
        let (rows, stats) = (merged.rows, merged.stats);
        if stats.duplicate_rows > 0 {
            warn!(
                repeated = stats.duplicate_rows,
                conflicting = stats.conflicting_rows,
                keys = %merged.repeats.named(),
                "Graph repeated rows within windows; each key was kept once"
            );
        }
        if stats.rows_missing_key > 0 || stats.rows_missing_totals > 0 {
            warn!(
                missing_key = stats.rows_missing_key,
                missing_totals = stats.rows_missing_totals,
                "Graph sent rows with null key or total fields; they are kept"
            );
        }
        let pages = tracker.snapshot().pages;
        info!(%range, rows = rows.len(), pages, elapsed_ms = started.elapsed().as_millis() as u64, "fetched the dial-out report");
        Ok(DialoutReport {
            range,
            rows,
            windows: windows.len(),
            pages,
            stats,
            repeats: merged.repeats,
        })
    }
}

impl Inner {
    async fn window(
        &self,
        window: &Window,
        priority: Priority,
        deadline: Instant,
        hasher: &RowHasher,
        tracker: &ProgressTracker<'_>,
    ) -> Result<WindowFetch, GraphError> {
        let fetch = |bound: ToBound| async move {
            let window = window.with_bound(bound);
            fetch_window_rows(
                &self.transport,
                &self.config,
                &window,
                priority,
                deadline,
                hasher,
                tracker,
            )
            .await
        };
        if let Some(bound) = self.to_reading.known(&self.config) {
            let result = fetch(bound).await?;
            tracker.window_done();
            return Ok(result);
        }
        // The reading is not known yet: fetched with the last tick, and kept if that is right.
        let mut result = fetch(ToBound::LastTick).await?;
        let had_rows = !result.rows.is_empty();
        let bound = self
            .to_reading
            .settle(
                &self.transport,
                &self.config,
                window,
                had_rows,
                priority,
                deadline,
            )
            .await?;
        if bound != ToBound::LastTick {
            result = fetch(bound).await?;
        }
        tracker.window_done();
        Ok(result)
    }
}
