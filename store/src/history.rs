//! The kept history: the store, the days held in memory in front of it, and Graph for the days
//! it lacks. What the report service reads; the sync job ([`crate::sync`]) keeps it full.
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use chrono::{DateTime, Days, NaiveDate, Utc};
use graph_client::{
    DayRange, FetchProgress, GraphClient, GraphError, Priority, ProgressSum, ToBound, Window,
};
use moka::future::Cache;
use tokio::sync::Notify;

use crate::day::StoredDay;
use crate::error::StoreError;
use crate::store::{FetchedDay, Store};

/// The `store_meta` entry holding how Graph reads toDateTime ([`ToBound::name`]).
const TO_BOUND_META: &str = "graph_to_bound";
use crate::sync::SyncStatus;

/// Days read from the file at once (the pool has four connections).
const LOAD_CONCURRENCY: usize = 4;
/// How long an instance that does not sync waits for the syncer to store the days it asked
/// for, at most.
const SYNCER_WAIT: Duration = Duration::from_secs(15 * 60);
/// An instance waiting for days asks the syncer again this often (a syncer elected meanwhile
/// never heard the first ask).
const ASK_SYNCER_EVERY: Duration = Duration::from_secs(10);
/// The `store_meta` entry where the syncer says why its last pass stopped (empty: it did not),
/// with the time: instances waiting for days stop waiting.
pub(crate) const SYNC_FAILURE: &str = "sync_failure";

/// Today's UTC date as the portal sees it (demo mode pins it to the simulator's).
pub type Today = Arc<dyn Fn() -> NaiveDate + Send + Sync>;

/// How much history is kept and how it is synced.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncSettings {
    /// Days kept, ending today.
    pub history_days: u32,
    /// Time between syncs.
    pub interval: Duration,
    /// Graph's lag: a day read this long after its end is final.
    pub lag: Duration,
    /// Report rows of stored days held in memory.
    pub cache_rows: u64,
    /// Graph's shortest documented retention (150 days, in some countries) less a margin:
    /// only a day at least this old that Graph refuses is taken as the end of its history.
    pub min_retention_days: u32,
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self {
            history_days: 365,
            interval: Duration::from_secs(3600),
            lag: Duration::from_secs(48 * 3600),
            cache_rows: 5_000_000,
            min_retention_days: 120,
        }
    }
}

/// A failure to bring a day into the store.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The instance that syncs could not read the days this one waits for (Graph refused).
    #[error("the instance that syncs the report: {0}")]
    SyncFailed(String),
    /// No instance stored the days this one waits for in time.
    #[error("the instance that syncs the report: {0}")]
    NoSyncer(String),
}

#[derive(Clone)]
pub struct History {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) store: Store,
    pub(crate) client: Arc<GraphClient>,
    pub(crate) settings: SyncSettings,
    today: Today,
    /// Stored days read from the file (or just written), weighed by rows.
    cache: Cache<NaiveDate, Arc<StoredDay>>,
    pub(crate) status: RwLock<SyncStatus>,
    /// Days someone asked for that the store lacks: the sync takes them first.
    pub(crate) wanted: Mutex<BTreeSet<NaiveDate>>,
    pub(crate) wake: Notify,
    /// Counts finished sync passes: what runs after each sync (budget alerts) waits on it.
    pub(crate) passes: tokio::sync::watch::Sender<u64>,
    /// When the directory's last read failed: the next waits an hour (`directory.rs`).
    pub(crate) directory_failed_at: Mutex<Option<chrono::DateTime<chrono::Utc>>>,
    /// How many people the last refused read listed (a directory that shrank by half is
    /// taken only when two reads agree, `directory.rs`).
    pub(crate) directory_refused: Mutex<Option<usize>>,
}

impl History {
    pub fn new(
        store: Store,
        client: Arc<GraphClient>,
        settings: SyncSettings,
        today: Today,
    ) -> Self {
        // How Graph reads toDateTime, as an earlier run learnt it: not asked again.
        if let Some(bound) = store
            .meta(TO_BOUND_META)
            .as_deref()
            .and_then(ToBound::from_name)
        {
            client.assume_to_bound(bound);
        }
        let cache = Cache::builder()
            .max_capacity(settings.cache_rows.max(1))
            .weigher(|_: &NaiveDate, day: &Arc<StoredDay>| {
                u32::try_from(day.rows.len()).unwrap_or(u32::MAX).max(1)
            })
            .build();
        let history = History {
            inner: Arc::new(Inner {
                store,
                client,
                settings,
                today,
                cache,
                status: RwLock::default(),
                wanted: Mutex::default(),
                wake: Notify::new(),
                passes: tokio::sync::watch::Sender::new(0),
                directory_failed_at: Mutex::default(),
                directory_refused: Mutex::default(),
            }),
        };
        // Days other instances ask for go first, as a range someone looks at here would.
        let weak = Arc::downgrade(&history.inner);
        history.inner.store.on_wanted(move |days| {
            if let Some(inner) = weak.upgrade() {
                History { inner }.want(days);
            }
        });
        history
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn settings(&self) -> &SyncSettings {
        &self.inner.settings
    }

    pub fn today(&self) -> NaiveDate {
        (self.inner.today)()
    }

    /// Now, on the portal's calendar: today's date at the clock's time of day.
    pub fn now(&self) -> DateTime<Utc> {
        self.today().and_time(Utc::now().time()).and_utc()
    }

    /// Whether a reading of `day` taken at `fetched_at` is final (Graph's lag had passed).
    pub fn is_final(&self, day: NaiveDate, fetched_at: DateTime<Utc>) -> bool {
        let Some(end) = day.succ_opt() else {
            return true;
        };
        let lag = chrono::Duration::from_std(self.inner.settings.lag).unwrap_or_default();
        fetched_at >= end.and_time(chrono::NaiveTime::MIN).and_utc() + lag
    }

    /// The first day of the history window.
    pub fn first_day(&self) -> NaiveDate {
        let today = self.today();
        today
            .checked_sub_days(Days::new(u64::from(
                self.inner.settings.history_days.max(1) - 1,
            )))
            .unwrap_or(today)
    }

    /// The days of `from..=to` the store lacks.
    pub fn missing_days(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        let stored: BTreeSet<NaiveDate> =
            self.inner.store.stored_days(from, to).into_iter().collect();
        from.iter_days()
            .take_while(|day| *day <= to)
            .filter(|day| !stored.contains(day))
            .collect()
    }

    /// Whether any day of `from..=to` was written after `version` (or none was stored then).
    pub fn changed_since(&self, from: NaiveDate, to: NaiveDate, version: u64) -> bool {
        self.inner.store.written_since(from, to, version)
    }

    /// The stored days of `from..=to`, chronological, from memory or the file. Each day is
    /// read from the file in a single flight (a page's figures and its users table, or the
    /// start-up warm-up and the first request, read it once), several days at once.
    pub async fn stored_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Arc<StoredDay>>, StoreError> {
        use futures_util::{StreamExt, TryStreamExt, stream};
        let states = self.inner.store.day_states(from, to);
        stream::iter(states)
            .map(|(day, state)| async move {
                let cache = &self.inner.cache;
                if let Some(held) = cache.get(&day).await {
                    if held.state.version >= state.version {
                        return Ok(held);
                    }
                    cache.invalidate(&day).await;
                }
                cache
                    .try_get_with(day, async {
                        let mut loaded = self.inner.store.load_days(&[day]).await?;
                        loaded
                            .pop()
                            .map(Arc::new)
                            .ok_or_else(|| StoreError::Database {
                                location: self.inner.store.location().to_string(),
                                problem: format!("day {day} is in the index but not in the file"),
                                advice: "Restart the portal; if it persists, restore a backup"
                                    .into(),
                            })
                    })
                    .await
                    .map_err(|error| StoreError::clone(&error))
            })
            .buffered(LOAD_CONCURRENCY)
            .try_collect()
            .await
    }

    /// Reads `from..=to`'s stored days into memory (at start, the default dashboard's days).
    pub async fn warm(&self, from: NaiveDate, to: NaiveDate) {
        if let Err(error) = self.stored_days(from, to).await {
            tracing::warn!(%error, "could not read the newest days into memory");
        }
    }

    /// Reads the history window's stored days into memory, when their rows fit in the day
    /// cache: then a long range is summed from memory, never read from the file while
    /// someone waits. Logs how long it took.
    pub async fn warm_window(&self) {
        let (from, to) = (self.first_day(), self.today());
        let rows: u64 = self
            .inner
            .store
            .day_states(from, to)
            .iter()
            .map(|(_, state)| state.rows)
            .sum();
        if rows > self.inner.settings.cache_rows {
            tracing::info!(
                rows,
                cache_rows = self.inner.settings.cache_rows,
                "the history's rows do not all fit in memory (PORTAL_STORE_CACHE_ROWS): long \
                 ranges read their days from the file"
            );
            return;
        }
        let started = std::time::Instant::now();
        // One day at a time, newest first: in the background of a start, leaving the other
        // cores to the first pages people ask for.
        let mut day = to;
        while day >= from {
            if let Err(error) = self.stored_days(day, day).await {
                tracing::warn!(%error, "could not read the history into memory");
                return;
            }
            match day.pred_opt() {
                Some(before) => day = before,
                None => break,
            }
        }
        tracing::info!(
            rows,
            seconds = started.elapsed().as_secs_f32(),
            "the history's days are in memory"
        );
    }

    /// How many of `from..=to`'s stored days are held in memory.
    pub fn days_in_memory(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let days = self.inner.store.stored_days(from, to);
        days.iter()
            .filter(|day| self.inner.cache.contains_key(*day))
            .count() as u32
    }

    /// Reads the days of `days` the store lacks from Graph and stores them, at most the
    /// client's window concurrency at once; a day another caller is already fetching is waited
    /// for, not fetched twice. `progress` gets the sum over the days.
    pub async fn fetch_missing(
        &self,
        days: Vec<NaiveDate>,
        priority: Priority,
        progress: impl Fn(FetchProgress) + Send + Sync,
    ) -> Result<(), Arc<HistoryError>> {
        let days = if self.inner.store.is_syncer() {
            days
        } else {
            match self.wait_for_syncer(&days, &progress).await? {
                // This instance became the syncer while it waited: it reads the rest itself.
                Some(rest) => rest,
                None => return Ok(()),
            }
        };
        let sum = ProgressSum::new(days.len());
        let (sum, progress) = (&sum, &progress);
        let windows = days
            .iter()
            .map(|day| day_window(*day))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| Arc::new(HistoryError::from(error)))?;
        self.inner
            .client
            .each_window(windows, |index, window| async move {
                let day = window.range().from();
                if self.inner.store.day_state(day).is_some() {
                    progress(sum.update(index, done_progress()));
                    return Ok(());
                }
                let fetch = self.fetch_and_store(day, priority, move |update| {
                    progress(sum.update(index, update))
                });
                self.inner.cache.try_get_with(day, fetch).await.map(drop)
            })
            .await
            .map(drop)
    }

    /// Asks the instance that syncs for `days` and waits until they are stored (another
    /// instance reading Graph too would spend the tenant's budget twice). `Some(rest)`: this
    /// instance became the syncer meanwhile, and `rest` is what it must still read.
    async fn wait_for_syncer(
        &self,
        days: &[NaiveDate],
        progress: &(impl Fn(FetchProgress) + Send + Sync),
    ) -> Result<Option<Vec<NaiveDate>>, Arc<HistoryError>> {
        let store = &self.inner.store;
        let mut changes = store.index_changes();
        let started = std::time::Instant::now();
        let asked_at = Utc::now();
        let mut asked: Option<std::time::Instant> = None;
        loop {
            let missing: Vec<NaiveDate> = (days.iter())
                .filter(|day| store.day_state(**day).is_none())
                .copied()
                .collect();
            progress(FetchProgress {
                windows_total: days.len(),
                windows_done: days.len() - missing.len(),
                ..FetchProgress::default()
            });
            if missing.is_empty() {
                return Ok(None);
            }
            if store.is_syncer() {
                return Ok(Some(missing));
            }
            if let Some(failure) = self.sync_failure_since(asked_at) {
                return Err(Arc::new(HistoryError::SyncFailed(failure)));
            }
            // Graph keeps nothing before its retention: the syncer does not ask for such days.
            if let Some(floor) = self.retention_floor()
                && let Some(lost) = missing.iter().find(|day| **day < floor)
            {
                return Err(Arc::new(HistoryError::SyncFailed(format!(
                    "Graph keeps nothing before {floor}: {lost} cannot be read"
                ))));
            }
            if started.elapsed() >= SYNCER_WAIT {
                return Err(Arc::new(HistoryError::NoSyncer(format!(
                    "no instance stored {} within {} minutes (is one syncing? see the instances' logs)",
                    missing[0],
                    SYNCER_WAIT.as_secs() / 60
                ))));
            }
            if asked.is_none_or(|at| at.elapsed() >= ASK_SYNCER_EVERY) {
                store
                    .want_from_syncer(&missing)
                    .await
                    .map_err(|error| Arc::new(HistoryError::from(error)))?;
                asked = Some(std::time::Instant::now());
            }
            let _ = tokio::time::timeout(ASK_SYNCER_EVERY, changes.changed()).await;
        }
    }

    /// Why the syncer's pass stopped, if it stopped after `since` (from `store_meta`).
    fn sync_failure_since(&self, since: DateTime<Utc>) -> Option<String> {
        let recorded = self.inner.store.meta(SYNC_FAILURE)?;
        let (at, failure) = recorded.split_once(' ')?;
        let at = DateTime::parse_from_rfc3339(at).ok()?;
        (at >= since).then(|| failure.to_string())
    }

    /// Reads `day` from Graph and replaces what the store holds for it.
    pub(crate) async fn fetch_and_store(
        &self,
        day: NaiveDate,
        priority: Priority,
        progress: impl Fn(FetchProgress) + Send + Sync,
    ) -> Result<Arc<StoredDay>, HistoryError> {
        let window = day_window(day)?;
        let fetched = self
            .inner
            .client
            .fetch_window_with(window, priority, progress)
            .await?;
        self.record_to_bound().await;
        let fetched_at = self.now();
        let stored = self
            .inner
            .store
            .write_day(FetchedDay {
                day,
                rows: fetched.rows,
                pages: fetched.pages,
                request_id: fetched.request_id,
                repeated_rows: fetched.repeats.rows as u64,
                fetched_at,
                is_final: self.is_final(day, fetched_at),
            })
            .await?;
        Ok(Arc::new(stored))
    }

    /// Keeps how Graph reads toDateTime once the client has learnt it, so a restart does not
    /// spend requests finding it again. Not keeping it only costs those requests next time.
    async fn record_to_bound(&self) {
        let Some(bound) = self.inner.client.to_bound() else {
            return;
        };
        let store = &self.inner.store;
        if store.meta(TO_BOUND_META).as_deref() != Some(bound.name())
            && let Err(error) = store.set_meta(TO_BOUND_META, bound.name()).await
        {
            tracing::warn!(%error, "could not record how Graph reads toDateTime");
        }
    }

    /// Reads a stored day again now (a refresh of days Graph may still change).
    pub async fn reread(&self, day: NaiveDate, priority: Priority) -> Result<(), HistoryError> {
        let stored = self.fetch_and_store(day, priority, |_| {}).await?;
        self.hold(stored).await;
        Ok(())
    }

    /// Reads a day the store lacks, in the single flight people's requests use (an error is
    /// shared by everyone who waited for it).
    pub(crate) async fn fetch_one_missing(
        &self,
        day: NaiveDate,
        priority: Priority,
    ) -> Result<(), Arc<HistoryError>> {
        let fetch = self.fetch_and_store(day, priority, |_| {});
        self.inner.cache.try_get_with(day, fetch).await.map(drop)
    }

    /// Whether a Graph token can be obtained now (readiness).
    pub async fn check_graph(&self) -> Result<(), GraphError> {
        self.inner.client.check_token().await.map(drop)
    }

    /// Puts a day just written in memory (a re-read replaces the older reading).
    pub(crate) async fn hold(&self, day: Arc<StoredDay>) {
        self.inner.cache.insert(day.day, day).await;
    }

    /// Asks the sync to read these days first (a range someone looks at).
    pub fn want(&self, days: impl IntoIterator<Item = NaiveDate>) {
        let mut wanted = self
            .inner
            .wanted
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let before = wanted.len();
        wanted.extend(days);
        if wanted.len() > before {
            self.inner.wake.notify_one();
            // An instance that does not sync asks the syncer (its own sync waits for the lock).
            // Only the days still missing: a set the sync never empties here (it runs there)
            // would otherwise grow with every range looked at.
            let store = &self.inner.store;
            if !store.is_syncer() {
                wanted.retain(|day| store.day_state(*day).is_none());
                let asked: Vec<NaiveDate> = wanted.iter().copied().collect();
                let store = store.clone();
                tokio::spawn(async move {
                    if let Err(error) = store.want_from_syncer(&asked).await {
                        tracing::warn!(%error, "cannot ask the syncing instance for days");
                    }
                });
            }
        }
    }

    /// Changes after each finished sync pass (its value: how many have finished).
    pub fn sync_passes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.passes.subscribe()
    }

    pub fn sync_status(&self) -> SyncStatus {
        self.inner
            .status
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

/// The Graph window of one UTC day.
pub(crate) fn day_window(day: NaiveDate) -> Result<Window, GraphError> {
    Ok(Window::new(DayRange::day(day)?)?)
}

fn done_progress() -> FetchProgress {
    FetchProgress {
        windows_total: 1,
        windows_done: 1,
        ..FetchProgress::default()
    }
}
