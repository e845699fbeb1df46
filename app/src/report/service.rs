//! The report service: what server functions and exports call. It reads the kept history (the
//! store, with its days in memory), fetches from Graph only the days the store lacks (charged
//! to the requester's share; one request chain per day however many ask), caches each range's
//! indexed report and trend, and answers the pages' questions.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

use chrono::NaiveDate;
use graph_client::{DayRange, GraphError, Priority};
use moka::future::Cache;
use report_store::{History, HistoryError, HistoryReport, merge_day_keys};
use tokio::sync::watch;

use super::Today;
use super::cache::{CacheSettings, LagAwareExpiry, LastDay};
use super::dataset::RangeData;
use super::outlook::{self, Budgets, MonthOutlook};
use super::progress::StatusHub;
use super::quota::{GraphQuota, QuotaSettings, Requester};
use super::scope::{People, Scope, ScopeKey};
use super::stored::{Whose, as_bucket_facts, bucket_facts, runs};
use super::trend::{bucket_ranges, build_trend};
use crate::error::AppError;
use crate::model::{
    DateRange, EarlierPeriod, FetchStatus, Summary, Trend, UserDetail, UserPage, UserQuery,
};

/// A range with at most this many days missing from the store waits for them (fetched now,
/// at interactive priority, with the progress bar); a longer gap is left to the sync, which
/// takes the range's days first, and the page says which days are still loading.
pub const MAX_WAIT_DAYS: usize = 31;

/// How often the sync's progress on a range is looked at, and how long without progress the
/// page is told to stop waiting.
const SYNC_FOLLOW_STEP: std::time::Duration = std::time::Duration::from_secs(1);
const SYNC_FOLLOW_PATIENCE: std::time::Duration = std::time::Duration::from_secs(600);

/// How long a page's HTML waits for days fetched from Graph. A longer fetch goes on behind the
/// page, which shows the days it has, says which are loading, follows the fetch's progress and
/// reloads when it ends: the HTML comes complete or not at all (`SsrMode::Async`), so a first
/// view of a large tenant was a blank tab for minutes (256 s with 100,000 users).
const PAGE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(2);

#[derive(Clone)]
pub struct ReportService {
    inner: Arc<Inner>,
    /// Serves a page being rendered (see [`ReportService::for_page`]).
    page: bool,
}

struct Inner {
    history: History,
    ranges: Cache<DateRange, Arc<RangeData>>,
    /// Each range's data restricted to a scope's people, with the whole it was cut from (a
    /// new whole, after a day was stored, makes it stale).
    scoped: Cache<(DateRange, ScopeKey), ScopedData>,
    /// Scopes resolved against the directory read they rest on.
    scopes: moka::sync::Cache<ScopeKey, Scope>,
    /// Built series per (range, user), with the store's version they were built at.
    trends: Cache<TrendKey, Arc<(Trend, u64)>>,
    progress: StatusHub,
    today: Today,
    quota: GraphQuota,
    /// Monthly budgets per currency (`PORTAL_BUDGETS`).
    budgets: Budgets,
    /// The month's outlook, with the store's version and the date it was built at.
    outlook: std::sync::Mutex<Option<(u64, NaiveDate, MonthOutlook)>>,
    directory: super::org::DirectoryIndex,
}

/// A range's data cut to a scope, and (weakly) the whole range's data it was cut from.
type ScopedData = (std::sync::Weak<RangeData>, Arc<RangeData>);

/// A trend is asked for a range, for everyone (`None`) or one user, within a scope (`None`:
/// everyone's).
type TrendKey = (DateRange, Option<String>, Option<ScopeKey>);

impl LastDay for TrendKey {
    fn last_day(&self) -> NaiveDate {
        self.0.to
    }
}

/// Built trends kept; each is small (a point per bucket per currency).
const TRENDS_KEPT: u64 = 2_000;

/// Resolved scopes kept (a set of ids each), and how long an unused one (or a range cut to
/// one) is kept.
const SCOPES_KEPT: u64 = 1_000;
const SCOPES_IDLE: std::time::Duration = std::time::Duration::from_secs(3600);

impl LastDay for DateRange {
    fn last_day(&self) -> NaiveDate {
        self.to
    }
}

impl ReportService {
    pub fn new(
        history: History,
        settings: CacheSettings,
        quota: QuotaSettings,
        today: Today,
        budgets: Budgets,
    ) -> Self {
        let expiry = || LagAwareExpiry {
            settings: settings.clone(),
            today: Arc::clone(&today),
        };
        let ranges = Cache::builder()
            .max_capacity(settings.max_rows.max(1))
            .weigher(|_: &DateRange, data: &Arc<RangeData>| weight(data.row_count()))
            .expire_after(expiry())
            .build();
        let trends = Cache::builder()
            .max_capacity(TRENDS_KEPT)
            .expire_after(expiry())
            .build();
        let scoped = Cache::builder()
            .max_capacity(settings.max_rows.max(1))
            .weigher(|_: &(DateRange, ScopeKey), data: &ScopedData| weight(data.1.row_count()))
            .time_to_idle(SCOPES_IDLE)
            .build();
        let scopes = moka::sync::Cache::builder()
            .max_capacity(SCOPES_KEPT)
            .time_to_idle(SCOPES_IDLE)
            .build();
        let inner = Inner {
            history,
            ranges,
            scoped,
            scopes,
            trends,
            progress: StatusHub::default(),
            today,
            quota: GraphQuota::new(quota),
            budgets,
            outlook: std::sync::Mutex::default(),
            directory: Default::default(),
        };
        Self {
            inner: Arc::new(inner),
            page: false,
        }
    }

    /// The service as a page's render uses it: days fetched from Graph are waited for at most
    /// [`PAGE_PATIENCE`], then the range is answered with the days stored so far.
    pub fn for_page(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            page: true,
        }
    }

    pub fn today(&self) -> NaiveDate {
        (self.inner.today)()
    }

    pub fn history(&self) -> &History {
        &self.inner.history
    }

    /// Checks a range a page, a server function or an export asked for, with the one range
    /// rule ([`crate::range::check`]), as the Graph client's range.
    pub fn check_range(&self, range: DateRange) -> Result<DayRange, AppError> {
        super::check_range(range, self.today())
    }

    /// Whose spend `requester` may see: their audience resolved against the directory the
    /// sync last read (the one place a request's scope is decided; every answer below reads
    /// data restricted to it).
    pub fn scope_of(&self, requester: &Requester) -> Scope {
        if requester.audience == super::scope::Audience::Everyone {
            return Scope::Everyone;
        }
        let snapshot = self.inner.history.store().directory();
        let key = (
            requester.audience.clone(),
            snapshot.as_ref().map(|snapshot| snapshot.read_at),
        );
        self.inner.scopes.get_with(key, || {
            let directory = snapshot
                .as_ref()
                .map(|snapshot| (self.inner.directory.of(snapshot), snapshot.read_at));
            Scope::resolve(
                &requester.audience,
                directory
                    .as_ref()
                    .map(|(directory, at)| (&**directory, *at)),
            )
        })
    }

    /// The indexed report for a range as `requester` may see it (their scope's people only);
    /// see [`Self::whole_data`].
    pub async fn data(
        &self,
        range: DateRange,
        requester: &Requester,
    ) -> Result<Arc<RangeData>, AppError> {
        let whole = self.whole_data(range, requester).await?;
        match self.scope_of(requester) {
            Scope::Everyone => Ok(whole),
            Scope::People(people) => self.scoped_data(whole, people).await,
        }
    }

    /// `whole` restricted to `people`, from the cache while it was cut from the same whole.
    async fn scoped_data(
        &self,
        whole: Arc<RangeData>,
        people: Arc<People>,
    ) -> Result<Arc<RangeData>, AppError> {
        let key = (whole.range, people.key());
        let source = Arc::downgrade(&whole);
        if let Some((held_source, held)) = self.inner.scoped.get(&key).await
            && std::sync::Weak::ptr_eq(&held_source, &source)
        {
            return Ok(held);
        }
        // A year of a large tenant is some 100,000 rows to look through: off the async workers.
        let cut = tokio::task::spawn_blocking(move || Arc::new(whole.restricted_to(&people)))
            .await
            .map_err(|error| {
                AppError::Internal(format!("restricting the range failed: {error}"))
            })?;
        self.inner
            .scoped
            .insert(key, (source, Arc::clone(&cut)))
            .await;
        Ok(cut)
    }

    /// The indexed report for a range, everyone's: from the cache while no day of it changed,
    /// else built from the store (the days it lacks fetched first, once however many ask, and
    /// charged to `requester`'s share, when there are few enough to wait for).
    async fn whole_data(
        &self,
        range: DateRange,
        requester: &Requester,
    ) -> Result<Arc<RangeData>, AppError> {
        self.check_range(range)?;
        let history = &self.inner.history;
        // A range held with days missing is built again unless a fetch of it is running: that
        // build fetches them (or follows the sync) again, so a page told "still loading" always
        // has a fetch to follow.
        if let Some(held) = self.inner.ranges.get(&range).await
            && (history.changed_since(range.from, range.to, held.version)
                || (!held.missing.is_empty() && self.inner.progress.subscribe(range).is_none()))
        {
            self.inner.ranges.invalidate(&range).await;
        }
        // Charged inside the single flight: callers that wait for a fetch another started (the
        // same page's figures and users table, say) cost nothing more.
        let ran = AtomicBool::new(false);
        let build = || async {
            ran.store(true, Relaxed);
            self.build(range, requester).await
        };
        let mut result = self.inner.ranges.try_get_with(range, build()).await;
        if refused_someone_else(&result, &ran) {
            result = self.inner.ranges.try_get_with(range, build()).await;
        }
        result.map_err(|error| AppError::clone(&error))
    }

    async fn build(
        &self,
        range: DateRange,
        requester: &Requester,
    ) -> Result<Arc<RangeData>, AppError> {
        let history = &self.inner.history;
        let version = history.store().version();
        let missing = history.missing_days(range.from, range.to);
        if !missing.is_empty() {
            // Missing days go into the store: one that does not answer fails the request at
            // once, saying so, rather than a fetch whose days could not be kept.
            history
                .store()
                .check()
                .await
                .map_err(|error| store_error(&error))?;
            if missing.len() <= MAX_WAIT_DAYS {
                self.fetch_missing(range, missing, requester).await?;
            } else {
                self.follow_sync(range, missing.len());
                history.want(missing);
            }
        }
        let missing = history.missing_days(range.from, range.to);
        let started = std::time::Instant::now();
        let days = history
            .stored_days(range.from, range.to)
            .await
            .map_err(|error| store_error(&error))?;
        let loaded = started.elapsed();
        let keys = history.store().keys();
        let day_count = days.len();
        // Summing a year of a large tenant is a few hundred milliseconds of work on every core:
        // off the async workers, which keep serving other requests meanwhile.
        let (data, summed) = tokio::task::spawn_blocking(move || {
            let day_refs: Vec<&report_store::StoredDay> = days.iter().map(Arc::as_ref).collect();
            let (merged, stats) = merge_day_keys(&day_refs, &keys).ok_or_else(|| {
                AppError::Internal(format!(
                    "the totals of {} to {} overflow: the report cannot be summed",
                    range.from, range.to
                ))
            })?;
            let summed = started.elapsed();
            let data = RangeData::from_merged(range, merged, stats)
                .with_store_state(runs(&missing), version);
            Ok::<_, AppError>((data, summed))
        })
        .await
        .map_err(|error| AppError::Internal(format!("summing the range failed: {error}")))??;
        let stats = data.stats;
        tracing::info!(
            from = %range.from,
            to = %range.to,
            days = day_count,
            graph_rows = stats.input_rows,
            rows = data.row_count(),
            load_ms = loaded.as_millis() as u64,
            sum_ms = (summed - loaded).as_millis() as u64,
            index_ms = (started.elapsed() - summed).as_millis() as u64,
            "range built from the store"
        );
        Ok(Arc::new(data))
    }

    /// Fetches the range's missing days now, at interactive priority, publishing the progress;
    /// a page waits at most [`PAGE_PATIENCE`] and the fetch goes on behind it.
    async fn fetch_missing(
        &self,
        range: DateRange,
        missing: Vec<NaiveDate>,
        requester: &Requester,
    ) -> Result<(), AppError> {
        if self.page && self.inner.progress.subscribe(range).is_some() {
            return Ok(()); // fetching behind an earlier page already
        }
        self.inner
            .quota
            .charge(requester, u32::try_from(missing.len()).unwrap_or(u32::MAX))?;
        let status = self.inner.progress.start(range);
        let history = self.inner.history.clone();
        let fetch = async move {
            let fetched = history
                .fetch_missing(missing, Priority::Interactive, |update| {
                    status.update(update)
                })
                .await;
            if fetched.is_ok() {
                status.succeeded();
            }
            fetched
        };
        if !self.page {
            return fetch.await.map_err(|error| history_error(&error));
        }
        let mut task = tokio::spawn(fetch);
        match tokio::time::timeout(PAGE_PATIENCE, &mut task).await {
            Ok(Ok(fetched)) => fetched.map_err(|error| history_error(&error)),
            Ok(Err(error)) => Err(AppError::Internal(format!(
                "fetching the range failed: {error}"
            ))),
            Err(_) => {
                tracing::info!(
                    from = %range.from,
                    to = %range.to,
                    "the page shows the range's stored days while the rest are fetched behind it"
                );
                Ok(())
            }
        }
    }

    /// Publishes, as the range's fetch status, how many of its missing days the sync has
    /// stored, until all are (the page's progress bar follows it and reloads at the end). One
    /// follower per range; it gives up when the sync makes no progress for a while.
    fn follow_sync(&self, range: DateRange, missing: usize) {
        if self.inner.progress.subscribe(range).is_some() {
            return;
        }
        let status = self.inner.progress.start(range);
        let history = self.inner.history.clone();
        tokio::spawn(async move {
            let mut last_left = missing;
            let mut idle = std::time::Duration::ZERO;
            while idle < SYNC_FOLLOW_PATIENCE {
                let left = history.missing_days(range.from, range.to).len();
                status.update(graph_client::FetchProgress {
                    windows_total: missing,
                    windows_done: missing.saturating_sub(left),
                    ..Default::default()
                });
                if left == 0 {
                    status.succeeded();
                    return;
                }
                if left < last_left {
                    (last_left, idle) = (left, std::time::Duration::ZERO);
                }
                tokio::time::sleep(SYNC_FOLLOW_STEP).await;
                idle += SYNC_FOLLOW_STEP;
            }
            // Dropped without success: the page hears "failed" and stops following.
        });
    }

    /// The summary of a range, with how far the kept history reaches.
    pub async fn summary(
        &self,
        range: DateRange,
        requester: &Requester,
    ) -> Result<Summary, AppError> {
        let mut summary = self.data(range, requester).await?.summary();
        summary.history = Some((&self.history_report()).into());
        // Both periods at once: the first build of each sums its days off the async workers.
        let (previous, year_earlier) = tokio::join!(
            self.earlier(crate::range::previous_period(range), &summary, requester),
            self.earlier(crate::range::year_earlier(range), &summary, requester),
        );
        (summary.previous, summary.year_earlier) = (previous, year_earlier);
        Ok(summary)
    }

    /// An earlier period's figures, compared with `now`'s, when every day of it is stored: a
    /// comparison is read from the kept history only and never costs a Graph request (nor the
    /// requester's share).
    async fn earlier(
        &self,
        range: Option<DateRange>,
        now: &Summary,
        requester: &Requester,
    ) -> Option<EarlierPeriod> {
        let range = range?;
        if self.check_range(range).is_err()
            || !self
                .inner
                .history
                .missing_days(range.from, range.to)
                .is_empty()
        {
            return None;
        }
        // Nothing is missing, so building the range fetches nothing and charges no one.
        let data = match self.data(range, requester).await {
            Ok(data) => data,
            Err(error) => {
                tracing::warn!(from = %range.from, to = %range.to, %error, "the earlier period could not be read");
                return None;
            }
        };
        data.missing
            .is_empty()
            .then(|| super::compare::earlier_period(range, &data.summary, &now.currencies))
    }

    /// The month under way: spend so far per currency, its forecast and its budget, from the
    /// month's stored days only, so it never asks Graph (the forecast rests on the days stored
    /// after Graph's lag and estimates the others). Built again when a day is stored or the
    /// date changes. A scoped requester gets their people's month, without the budgets (the
    /// organisation's, which their people's spend alone would misrepresent).
    pub async fn month_outlook(&self, requester: &Requester) -> Result<MonthOutlook, AppError> {
        let today = self.today();
        if let Scope::People(people) = self.scope_of(requester) {
            let month = outlook::outlook_month(today);
            return self
                .outlook_from_store(month, today, Whose::People(&people))
                .await;
        }
        let version = self.inner.history.store().version();
        if let Some((held_version, held_today, outlook)) = &*lock(&self.inner.outlook)
            && (*held_version, *held_today) == (version, today)
        {
            return Ok(outlook.clone());
        }
        let built = self
            .outlook_from_store(outlook::outlook_month(today), today, Whose::Everyone)
            .await?;
        *lock(&self.inner.outlook) = Some((version, today, built.clone()));
        Ok(built)
    }

    /// The month before this one while Graph is still completing its last days (any of them
    /// stored but not final, or not stored yet, in the first week of this month): a budget
    /// crossed on those days is only seen once they settle. `None` otherwise.
    pub async fn closing_month_outlook(&self) -> Result<Option<MonthOutlook>, AppError> {
        let today = self.today();
        let this_month = outlook::outlook_month(today);
        let Some(last_month) = this_month
            .from
            .pred_opt()
            .map(outlook::outlook_month)
            .filter(|_| (today - this_month.from).num_days() < 7)
        else {
            return Ok(None);
        };
        let store = self.inner.history.store();
        let (stored, open) = store.count_days(last_month.from, last_month.to);
        if stored == last_month.days() as u32 && open == 0 {
            return Ok(None);
        }
        self.outlook_from_store(last_month, today, Whose::Everyone)
            .await
            .map(Some)
    }

    /// `month`'s outlook as of `today` from the stored days before today (never Graph), for
    /// everyone (with the budgets) or a scope's people (without).
    async fn outlook_from_store(
        &self,
        month: DateRange,
        today: NaiveDate,
        whose: Whose<'_>,
    ) -> Result<MonthOutlook, AppError> {
        let no_budgets = outlook::Budgets::new();
        let budgets = match whose {
            Whose::Everyone => &self.inner.budgets,
            _ => &no_budgets,
        };
        let Some(last) = today
            .pred_opt()
            .map(|day| day.min(month.to))
            .filter(|day| *day >= month.from)
        else {
            return Ok(outlook::outlook_of(
                month,
                today,
                None,
                &Default::default(),
                budgets,
            ));
        };
        let range = DateRange {
            from: month.from,
            to: last,
        };
        let (trend, _) = self.stored_trend(range, whose).await?;
        let settled = self
            .inner
            .history
            .store()
            .day_states(range.from, range.to)
            .into_iter()
            .filter(|(_, state)| state.is_final)
            .map(|(day, _)| day)
            .collect();
        Ok(outlook::outlook_of(
            month,
            today,
            Some(&trend),
            &settled,
            budgets,
        ))
    }

    /// The directory as the sync last read it, indexed; `None` before its first read.
    pub fn directory(&self) -> Option<Arc<super::org::Directory>> {
        let snapshot = self.inner.history.store().directory()?;
        Some(self.inner.directory.of(&snapshot))
    }

    /// The range's spend per group of `dimension` (department, cost centre, …) from the
    /// directory the sync last read; no rows when it was never read.
    pub async fn spend_by(
        &self,
        range: DateRange,
        dimension: super::org::OrgDimension,
        requester: &Requester,
    ) -> Result<super::org::OrgSpend, AppError> {
        let data = self.data(range, requester).await?;
        let store = self.inner.history.store();
        let snapshot = store.directory();
        let rows = snapshot.as_ref().map_or_else(Vec::new, |snapshot| {
            data.spend_by(&self.inner.directory.of(snapshot), dimension)
        });
        Ok(super::org::OrgSpend {
            dimension,
            rows,
            read_at: snapshot.map(|snapshot| snapshot.read_at),
            error: store.directory_error(),
        })
    }

    /// How far the kept history reaches and what is still loading.
    pub fn history_report(&self) -> HistoryReport {
        self.inner.history.report()
    }

    /// One page of the users table, filtered by a group of the directory when asked, and the
    /// directory's groups the requester's people in the range are in (the filter's choices, as
    /// `report::org::OrgFilter` names them; none before the directory's first read).
    pub async fn users(
        &self,
        query: &UserQuery,
        requester: &Requester,
    ) -> Result<(UserPage, Arc<Vec<String>>), AppError> {
        let data = self.data(query.range, requester).await?;
        let directory = self.directory();
        let page = match query.filters.org.as_deref() {
            None => UserPage::clone(&data.users(query)),
            Some(text) => {
                let filter = super::org::OrgFilter::parse(text).map_err(AppError::BadRequest)?;
                let Some(directory) = &directory else {
                    return Err(AppError::StillLoading {
                        message: "The directory (departments, cost centres) has not been read from Microsoft Graph yet, so the users cannot be filtered by it.".into(),
                        retry_after_secs: 300,
                    });
                };
                data.users_where(query, &|user_id| filter.admits(directory, user_id))
            }
        };
        let choices = directory
            .map(|directory| data.org_choices_of(&directory))
            .unwrap_or_default();
        Ok((page, choices))
    }

    pub async fn user_detail(
        &self,
        range: DateRange,
        user_id: &str,
        requester: &Requester,
    ) -> Result<UserDetail, AppError> {
        let data = self.data(range, requester).await?;
        data.user_detail(user_id).ok_or_else(|| {
            if data.missing.is_empty() {
                AppError::NoDialout {
                    user_id: user_id.to_string(),
                    range,
                }
            } else {
                // Not "no dial-out": the days still loading may have some.
                let days: i64 = data.missing.iter().map(DateRange::days).sum();
                AppError::StillLoading {
                    message: format!(
                        "no dial-out by user {user_id} in the days of {} to {} stored so far; {days} days are still loading from Microsoft Graph. Try again in a minute.",
                        range.from, range.to
                    ),
                    retry_after_secs: 60,
                }
            }
        })
    }

    /// Per-currency series over day, week or month buckets (`trend::bucket_for`), built from
    /// the stored days; for one user when `user_id` is given; of the requester's scope.
    pub async fn trend(
        &self,
        range: DateRange,
        user_id: Option<&str>,
        requester: &Requester,
    ) -> Result<Trend, AppError> {
        // The range's days are in the store (or being loaded) once its report is.
        let data = self.data(range, requester).await?;
        let scope = self.scope_of(requester);
        let whose = match (user_id, scope.people()) {
            // Someone outside the scope: as if they had no dial-out, so the answer does not
            // confirm that they exist.
            (Some(id), _) if !scope.allows(id) => {
                return Err(AppError::NoDialout {
                    user_id: id.to_string(),
                    range,
                });
            }
            (Some(id), _) => Whose::User(id),
            (None, Some(people)) => Whose::People(people),
            (None, None) => Whose::Everyone,
        };
        let scope_key = match whose {
            Whose::People(people) => Some(people.key()),
            _ => None,
        };
        let key = (range, user_id.map(str::to_string), scope_key);
        if let Some(held) = self.inner.trends.get(&key).await
            && held.1 < data.version
        {
            self.inner.trends.invalidate(&key).await;
        }
        let built = self
            .inner
            .trends
            .try_get_with_by_ref(&key, async {
                let (trend, _) = self.stored_trend(range, whose).await?;
                Ok::<_, AppError>(Arc::new((trend, data.version)))
            })
            .await
            .map_err(|error| AppError::clone(&error))?;
        Ok(built.0.clone())
    }

    /// The trend of the range's stored days (those it lacks are left out, never fetched), and
    /// how many days were stored.
    async fn stored_trend(
        &self,
        range: DateRange,
        whose: Whose<'_>,
    ) -> Result<(Trend, usize), AppError> {
        let history = &self.inner.history;
        let days = history
            .stored_days(range.from, range.to)
            .await
            .map_err(|error| store_error(&error))?;
        let keys = history.store().keys();
        let buckets =
            bucket_facts(&bucket_ranges(range), &days, &keys, whose).ok_or_else(|| {
                AppError::Internal(format!(
                    "the trend of {} to {} overflows: it cannot be summed",
                    range.from, range.to
                ))
            })?;
        Ok((
            build_trend(range, &as_bucket_facts(&buckets), whose.user()),
            days.len(),
        ))
    }

    /// Reads the range's days that Graph may still change again now (the others are final and
    /// never change), then drops what is cached for the range; at most once per cooldown for a
    /// range, whoever asks.
    pub async fn refresh(&self, range: DateRange) -> Result<(), AppError> {
        self.check_range(range)?;
        self.inner.quota.start_refresh(range)?;
        let history = &self.inner.history;
        let open: Vec<NaiveDate> = history
            .store()
            .day_states(range.from, range.to)
            .into_iter()
            .filter(|(_, state)| !state.is_final)
            .map(|(day, _)| day)
            .collect();
        for day in open {
            history
                .reread(day, Priority::Interactive)
                .await
                .map_err(|error| history_error(&error))?;
        }
        self.inner.ranges.invalidate(&range).await;
        Ok(())
    }

    /// Follows the fetch of `range` while one runs.
    pub fn progress(&self, range: DateRange) -> Option<watch::Receiver<FetchStatus>> {
        self.inner.progress.subscribe(range)
    }

    /// Whether a Graph token can be obtained now (readiness).
    pub async fn check_graph(&self) -> Result<(), GraphError> {
        self.inner.history.check_graph().await
    }
}

fn history_error(error: &HistoryError) -> AppError {
    match error {
        HistoryError::Graph(error) => AppError::from(error),
        HistoryError::Store(error) => store_error(error),
        HistoryError::SyncFailed(_) => AppError::Graph {
            message: error.to_string(),
            code: None,
            request_id: None,
        },
        HistoryError::NoSyncer(_) => AppError::StoreUnavailable(error.to_string()),
    }
}

/// The store's failure as the page says it: unavailable (it comes back by itself) when the
/// database failed, internal when a stored value is wrong.
fn store_error(error: &report_store::StoreError) -> AppError {
    if error.is_database() {
        AppError::StoreUnavailable(error.to_string())
    } else {
        AppError::Internal(error.to_string())
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

fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
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
