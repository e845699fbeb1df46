//! The report service: what server functions and exports call. It fetches Graph windows
//! through the client, caches each window and each range's indexed report (one Graph request
//! chain per window however many callers ask at once), and answers the pages' questions.
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use futures::{StreamExt, TryStreamExt, stream};
use graph_client::{
    DayRange, DialoutRow, FetchProgress, GraphClient, GraphError, Window, merge_rows,
};
use moka::future::Cache;
use tokio::sync::watch;

use super::Today;
use super::cache::{CacheSettings, LagAwareExpiry, LastDay};
use super::dataset::ReportData;
use super::facts::Fact;
use super::progress::{ProgressHub, ProgressTracker};
use super::quota::{GraphQuota, QuotaSettings, Requester};
use super::trend::{BucketFacts, bucket_for, bucket_ranges, build_trend};
use crate::error::AppError;
use crate::model::{DateRange, FetchStatus, Summary, Trend, UserDetail, UserPage, UserQuery};

/// The longest range the portal accepts, in days (Graph keeps about a year of history; the
/// client splits any range into 90-day windows).
pub const MAX_RANGE_DAYS: i64 = 731;

#[derive(Clone)]
pub struct ReportService {
    inner: Arc<Inner>,
}

struct Inner {
    client: Arc<GraphClient>,
    windows: Cache<Window, Arc<WindowData>>,
    ranges: Cache<DateRange, Arc<ReportData>>,
    /// Built series per (range, user): aggregating every bucket's rows is the costly part.
    trends: Cache<TrendKey, Arc<Trend>>,
    progress: ProgressHub,
    today: Today,
    quota: GraphQuota,
}

/// One Graph window's rows as Graph sent them, and as the portal reads them.
struct WindowData {
    rows: Vec<DialoutRow>,
    facts: Vec<Fact>,
}

impl LastDay for Window {
    fn last_day(&self) -> NaiveDate {
        self.range().to()
    }
}

/// A trend is asked for a range, for everyone (`None`) or one user.
type TrendKey = (DateRange, Option<String>);

impl LastDay for TrendKey {
    fn last_day(&self) -> NaiveDate {
        self.0.to
    }
}

/// Built trends kept; each is small (a point per bucket per currency).
const TRENDS_KEPT: u64 = 2_000;

impl LastDay for DateRange {
    fn last_day(&self) -> NaiveDate {
        self.to
    }
}

impl ReportService {
    pub fn new(
        client: Arc<GraphClient>,
        settings: CacheSettings,
        quota: QuotaSettings,
        today: Today,
    ) -> Self {
        // Both caches weigh entries by rows held; together they stay under `max_rows`.
        let per_cache = (settings.max_rows / 2).max(1);
        let expiry = || LagAwareExpiry {
            settings: settings.clone(),
            today: Arc::clone(&today),
        };
        let windows = Cache::builder()
            .max_capacity(per_cache)
            .weigher(|_: &Window, data: &Arc<WindowData>| weight(data.rows.len()))
            .expire_after(expiry())
            .build();
        let ranges = Cache::builder()
            .max_capacity(per_cache)
            .weigher(|_: &DateRange, data: &Arc<ReportData>| weight(data.row_count()))
            .expire_after(expiry())
            .build();
        let trends = Cache::builder()
            .max_capacity(TRENDS_KEPT)
            .expire_after(expiry())
            .support_invalidation_closures()
            .build();
        let inner = Inner {
            client,
            windows,
            ranges,
            trends,
            progress: ProgressHub::default(),
            today,
            quota: GraphQuota::new(quota),
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    pub fn today(&self) -> NaiveDate {
        (self.inner.today)()
    }

    /// Checks a range a page or an export asked for.
    pub fn check_range(&self, range: DateRange) -> Result<DayRange, AppError> {
        let today = self.today();
        if range.from > range.to {
            return Err(AppError::BadRequest(format!(
                "the range starts on {} after it ends on {}",
                range.from, range.to
            )));
        }
        if range.to > today {
            return Err(AppError::BadRequest(format!(
                "the range ends on {}, after today ({today} UTC): there is no data for future days",
                range.to
            )));
        }
        let days = (range.to - range.from).num_days() + 1;
        if days > MAX_RANGE_DAYS {
            return Err(AppError::BadRequest(format!(
                "the range spans {days} days; the longest allowed is {MAX_RANGE_DAYS}"
            )));
        }
        DayRange::new(range.from, range.to).map_err(|error| AppError::BadRequest(error.to_string()))
    }

    /// The indexed report for a range: from the cache, or fetched once however many ask (the
    /// Graph windows it lacks charged to `requester`'s share).
    pub async fn data(
        &self,
        range: DateRange,
        requester: &Requester,
    ) -> Result<Arc<ReportData>, AppError> {
        let day_range = self.check_range(range)?;
        if !self.inner.ranges.contains_key(&range) {
            let missing = self.missing_windows(day_range.windows());
            self.inner.quota.charge(requester, missing)?;
        }
        self.inner
            .ranges
            .try_get_with(range, self.build(range, day_range))
            .await
            .map_err(|error| AppError::clone(&error))
    }

    pub async fn summary(
        &self,
        range: DateRange,
        requester: &Requester,
    ) -> Result<Summary, AppError> {
        Ok(self.data(range, requester).await?.summary())
    }

    pub async fn users(
        &self,
        query: &UserQuery,
        requester: &Requester,
    ) -> Result<UserPage, AppError> {
        Ok(UserPage::clone(
            &self.data(query.range, requester).await?.users(query),
        ))
    }

    pub async fn user_detail(
        &self,
        range: DateRange,
        user_id: &str,
        requester: &Requester,
    ) -> Result<UserDetail, AppError> {
        let data = self.data(range, requester).await?;
        data.user_detail(user_id).ok_or_else(|| {
            AppError::NotFound(format!(
                "no dial-out by user {user_id} from {} to {}",
                range.from, range.to
            ))
        })
    }

    /// Per-currency series over day buckets (ranges up to 31 days) or week buckets, each bucket
    /// a cached Graph window; for one user when `user_id` is given.
    pub async fn trend(
        &self,
        range: DateRange,
        user_id: Option<&str>,
        requester: &Requester,
    ) -> Result<Trend, AppError> {
        self.check_range(range)?;
        let key = (range, user_id.map(str::to_string));
        if !self.inner.trends.contains_key(&key) {
            let missing = self.missing_windows(bucket_windows(range)?);
            self.inner.quota.charge(requester, missing)?;
        }
        let trend = self
            .inner
            .trends
            .try_get_with_by_ref(&key, self.build_trend(range, user_id))
            .await
            .map_err(|error| AppError::clone(&error))?;
        Ok(Trend::clone(&trend))
    }

    async fn build_trend(
        &self,
        range: DateRange,
        user_id: Option<&str>,
    ) -> Result<Arc<Trend>, AppError> {
        let bucket = bucket_for(range);
        let windows = bucket_windows(range)?;
        let buckets: Vec<Arc<WindowData>> = stream::iter(windows.iter().copied())
            .map(|window| self.window(window, |_| {}))
            .buffered(self.inner.client.max_concurrent_windows())
            .try_collect()
            .await?;
        let bucket_facts: Vec<BucketFacts<'_>> = windows
            .iter()
            .zip(&buckets)
            .map(|(window, data)| BucketFacts {
                range: DateRange {
                    from: window.range().from(),
                    to: window.range().to(),
                },
                facts: &data.facts,
            })
            .collect();
        Ok(Arc::new(build_trend(range, bucket, &bucket_facts, user_id)))
    }

    /// Drops everything cached for the range, so the next request fetches it again; at most
    /// once per cooldown for a range, whoever asks.
    pub async fn refresh(&self, range: DateRange) -> Result<(), AppError> {
        let day_range = self.check_range(range)?;
        self.inner.quota.start_refresh(range)?;
        self.inner.ranges.invalidate(&range).await;
        self.inner
            .trends
            .invalidate_entries_if(move |key, _| key.0 == range)
            .map_err(|error| AppError::Internal(error.to_string()))?;
        for window in day_range
            .windows()
            .into_iter()
            .chain(bucket_windows(range)?)
        {
            self.inner.windows.invalidate(&window).await;
        }
        Ok(())
    }

    /// How many of `windows` are not cached: each will cost at least one Graph request.
    fn missing_windows(&self, windows: Vec<Window>) -> u32 {
        let missing = windows
            .iter()
            .filter(|window| !self.inner.windows.contains_key(*window))
            .count();
        u32::try_from(missing).unwrap_or(u32::MAX)
    }

    /// Follows the fetch of `range` while one runs.
    pub fn progress(&self, range: DateRange) -> Option<watch::Receiver<FetchStatus>> {
        self.inner.progress.subscribe(range)
    }

    /// Whether a Graph token can be obtained now (readiness).
    pub async fn check_graph(&self) -> Result<(), GraphError> {
        self.inner.client.check_token().await.map(|_| ())
    }

    async fn build(
        &self,
        range: DateRange,
        day_range: DayRange,
    ) -> Result<Arc<ReportData>, AppError> {
        let windows = day_range.windows();
        let progress = RangeProgress::new(self.inner.progress.start(range), windows.len());
        let parts: Vec<Arc<WindowData>> = stream::iter(windows.into_iter().enumerate())
            .map(|(index, window)| {
                let progress = &progress;
                self.window(window, move |update| progress.update(index, update))
            })
            .buffered(self.inner.client.max_concurrent_windows())
            .try_collect()
            .await?;
        let (rows, stats) = merge_rows(parts.iter().map(|part| part.rows.clone()))
            .map_err(|error| AppError::Internal(error.to_string()))?;
        progress.tracker.succeeded();
        Ok(Arc::new(ReportData::build(range, rows, stats)))
    }

    async fn window(
        &self,
        window: Window,
        progress: impl Fn(FetchProgress) + Send + Sync,
    ) -> Result<Arc<WindowData>, AppError> {
        let client = Arc::clone(&self.inner.client);
        self.inner
            .windows
            .try_get_with(window, async move {
                let fetched = client
                    .fetch_window(window, progress)
                    .await
                    .map_err(AppError::from)?;
                let facts = fetched.rows.iter().map(Fact::from_row).collect();
                Ok::<_, AppError>(Arc::new(WindowData {
                    rows: fetched.rows,
                    facts,
                }))
            })
            .await
            .map_err(|error| AppError::clone(&error))
    }
}

/// The Graph windows of a range's trend buckets.
fn bucket_windows(range: DateRange) -> Result<Vec<Window>, AppError> {
    bucket_ranges(range)
        .into_iter()
        .map(|bucket| {
            DayRange::new(bucket.from, bucket.to)
                .and_then(Window::new)
                .map_err(|error| AppError::Internal(error.to_string()))
        })
        .collect()
}

fn weight(rows: usize) -> u32 {
    u32::try_from(rows).unwrap_or(u32::MAX).max(1)
}

/// Sums the progress of a range's windows, fetched concurrently, into one status.
struct RangeProgress {
    tracker: ProgressTracker,
    per_window: Mutex<Vec<FetchProgress>>,
}

impl RangeProgress {
    fn new(tracker: ProgressTracker, windows: usize) -> Self {
        Self {
            tracker,
            per_window: Mutex::new(vec![FetchProgress::default(); windows]),
        }
    }

    fn update(&self, index: usize, update: FetchProgress) {
        let mut per_window = self
            .per_window
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(slot) = per_window.get_mut(index) {
            *slot = update;
        }
        let total = FetchProgress {
            windows_total: per_window.len(),
            windows_done: per_window.iter().map(|p| p.windows_done).sum(),
            pages: per_window.iter().map(|p| p.pages).sum(),
            rows: per_window.iter().map(|p| p.rows).sum(),
            retries: per_window.iter().map(|p| p.retries).sum(),
        };
        self.tracker.update(total);
    }
}
