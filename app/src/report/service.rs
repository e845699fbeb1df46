//! The report service: what server functions and exports call. It fetches Graph windows
//! through the client, caches each window and each range's indexed report (one Graph request
//! chain per window however many callers ask at once), and answers the pages' questions.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

use chrono::NaiveDate;
use graph_client::{
    DayRange, DialoutRow, FetchProgress, GraphClient, GraphError, ProgressSum, Window, merge_rows,
};
use moka::future::Cache;
use tokio::sync::watch;

use super::Today;
use super::cache::{CacheSettings, LagAwareExpiry, LastDay};
use super::dataset::RangeData;
use super::facts::Fact;
use super::progress::StatusHub;
use super::quota::{GraphQuota, QuotaSettings, Requester};
use super::trend::{BucketFacts, bucket_windows, build_trend};
use crate::error::AppError;
use crate::model::{DateRange, FetchStatus, Summary, Trend, UserDetail, UserPage, UserQuery};

#[derive(Clone)]
pub struct ReportService {
    inner: Arc<Inner>,
}

struct Inner {
    client: Arc<GraphClient>,
    windows: Cache<Window, Arc<WindowData>>,
    ranges: Cache<DateRange, Arc<RangeData>>,
    /// Built series per (range, user): aggregating every bucket's rows is the costly part.
    trends: Cache<TrendKey, Arc<Trend>>,
    progress: StatusHub,
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
            .weigher(|_: &DateRange, data: &Arc<RangeData>| weight(data.row_count()))
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
            progress: StatusHub::default(),
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

    /// Checks a range a page, a server function or an export asked for, with the one range
    /// rule ([`crate::range::check`]), as the Graph client's range.
    pub fn check_range(&self, range: DateRange) -> Result<DayRange, AppError> {
        super::check_range(range, self.today())
    }

    /// The indexed report for a range: from the cache, or fetched once however many ask (the
    /// Graph windows it lacks charged to `requester`'s share).
    pub async fn data(
        &self,
        range: DateRange,
        requester: &Requester,
    ) -> Result<Arc<RangeData>, AppError> {
        let day_range = self.check_range(range)?;
        // Charged inside the single flight: callers that wait for a fetch another started (the
        // same page's figures and users table, say) cost nothing more.
        let ran = AtomicBool::new(false);
        let build = || async {
            ran.store(true, Relaxed);
            let missing = self.missing_windows(day_range.windows());
            self.inner.quota.charge(requester, missing)?;
            self.build(range, day_range).await
        };
        let mut result = self.inner.ranges.try_get_with(range, build()).await;
        if refused_someone_else(&result, &ran) {
            result = self.inner.ranges.try_get_with(range, build()).await;
        }
        result.map_err(|error| AppError::clone(&error))
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
        let ran = AtomicBool::new(false);
        let build = || async {
            ran.store(true, Relaxed);
            let missing = self.missing_windows(bucket_windows(range)?);
            self.inner.quota.charge(requester, missing)?;
            self.build_trend(range, user_id).await
        };
        let trends = &self.inner.trends;
        let mut result = trends.try_get_with_by_ref(&key, build()).await;
        if refused_someone_else(&result, &ran) {
            result = trends.try_get_with_by_ref(&key, build()).await;
        }
        let trend = result.map_err(|error| AppError::clone(&error))?;
        Ok(Trend::clone(&trend))
    }

    async fn build_trend(
        &self,
        range: DateRange,
        user_id: Option<&str>,
    ) -> Result<Arc<Trend>, AppError> {
        let windows = bucket_windows(range)?;
        let client = &self.inner.client;
        let buckets: Vec<Arc<WindowData>> = client
            .each_window(windows.clone(), |_, window| self.window(window, |_| {}))
            .await?;
        let bucket_facts: Vec<BucketFacts<'_>> = windows
            .iter()
            .zip(&buckets)
            .map(|(window, data)| BucketFacts {
                range: window.range().into(),
                facts: &data.facts,
            })
            .collect();
        Ok(Arc::new(build_trend(range, &bucket_facts, user_id)))
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
    ) -> Result<Arc<RangeData>, AppError> {
        let windows = day_range.windows();
        let sum = ProgressSum::new(windows.len());
        let status = self.inner.progress.start(range);
        let (sum, publish) = (&sum, &status);
        let parts: Vec<Arc<WindowData>> = self
            .inner
            .client
            .each_window(windows, |index, window| {
                self.window(window, move |update| {
                    publish.update(sum.update(index, update))
                })
            })
            .await?;
        let (rows, stats) = merge_rows(parts.iter().map(|part| part.rows.clone()))
            .map_err(|error| AppError::Internal(error.to_string()))?;
        status.succeeded();
        Ok(Arc::new(RangeData::build(range, rows, stats)))
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

/// Whether a single flight this caller only waited on (`ran` false: another caller's init ran)
/// failed for lack of *that* caller's Graph share: then this caller tries once more with its
/// own init and its own share, so one person's 429 never reaches another.
fn refused_someone_else<T>(result: &Result<T, Arc<AppError>>, ran: &AtomicBool) -> bool {
    !ran.load(Relaxed)
        && matches!(
            result.as_ref().map_err(|error| &**error),
            Err(AppError::TooManyRequests { .. })
        )
}

fn weight(rows: usize) -> u32 {
    u32::try_from(rows).unwrap_or(u32::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_refusal_of_someone_elses_share_is_tried_again() {
        let refused: Result<(), Arc<AppError>> = Err(Arc::new(AppError::TooManyRequests {
            message: "later".into(),
            retry_after_secs: 5,
        }));
        let failed: Result<(), Arc<AppError>> = Err(Arc::new(AppError::Internal("x".into())));
        let (waited, ran) = (AtomicBool::new(false), AtomicBool::new(true));
        assert!(refused_someone_else(&refused, &waited));
        // Our own init ran and was refused: our own share is spent.
        assert!(!refused_someone_else(&refused, &ran));
        assert!(!refused_someone_else(&failed, &waited));
        assert!(!refused_someone_else(&Ok::<(), Arc<AppError>>(()), &waited));
    }
}
