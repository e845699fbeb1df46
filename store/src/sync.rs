//! The sync job: at start and then every interval, newest day first, it reads from Graph every
//! day of the history window the store lacks and re-reads the days still within Graph's lag,
//! at the client's background priority (a share of Graph's budget: people's requests go
//! first). Each day is written whole, in one transaction. When Graph refuses a day as too old,
//! the backfill stops there (a note says so) instead of asking again and again.
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Days, NaiveDate, Utc};
use graph_client::{GraphError, Priority};
use tracing::{info, warn};

use crate::day::DayState;
use crate::history::{History, HistoryError};

/// The `store_meta` entry of the first day Graph still gives (it refused the day before).
const RETENTION_FLOOR: &str = "retention_floor";
/// Why: Graph's answer for the day before.
const RETENTION_NOTE: &str = "retention_note";
/// How often an instance that does not sync checks whether the syncer is still there: the
/// syncer's lock is free within a moment of its end, so another takes over within this.
const ELECTION_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// What the last sync runs did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncStatus {
    pub running: bool,
    pub last_started: Option<DateTime<Utc>>,
    pub last_finished: Option<DateTime<Utc>>,
    /// Why the last run stopped early, if it did (it tries again at the next interval).
    pub last_error: Option<String>,
    /// The HTTP status of Graph's refusal that stopped it, when Graph refused (403: the app
    /// lacks the report permission).
    pub last_error_status: Option<u16>,
}

/// What one sync run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncRun {
    /// Days read for the first time.
    pub new_days: u32,
    /// Days read again because they were within Graph's lag.
    pub reread_days: u32,
    /// Days that failed (the run stops at the first failure).
    pub failed: Option<String>,
    /// Set when Graph refused a day as too old during this run.
    pub retention_floor: Option<NaiveDate>,
}

/// How far the history reaches and what is still loading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryReport {
    /// The history window: `history_days` days ending today.
    pub first_day: NaiveDate,
    pub today: NaiveDate,
    pub window_days: u32,
    /// Days of the window stored (final or not).
    pub stored_days: u32,
    /// Stored days of the window Graph may still change (re-read by every sync).
    pub within_lag_days: u32,
    /// The oldest and newest stored days (any, also before the window).
    pub oldest_stored: Option<NaiveDate>,
    pub newest_stored: Option<NaiveDate>,
    /// The first day Graph still gives, when it refused older ones, and its words.
    pub retention_floor: Option<NaiveDate>,
    pub retention_note: Option<String>,
    /// How Graph reads `toDateTime`, once the client has learnt it.
    pub to_bound: Option<graph_client::ToBound>,
    pub sync: SyncStatus,
}

impl HistoryReport {
    /// Window days that can still be loaded (not stored, not before Graph's retention).
    pub fn loading_days(&self) -> u32 {
        let unavailable = self.retention_floor.map_or(0, |floor| {
            let before = (floor - self.first_day)
                .num_days()
                .clamp(0, i64::from(self.window_days));
            before as u32
        });
        self.window_days
            .saturating_sub(self.stored_days)
            .saturating_sub(unavailable)
    }
}

impl History {
    /// How far the history reaches now.
    pub fn report(&self) -> HistoryReport {
        let store = self.store();
        let (first_day, today) = (self.first_day(), self.today());
        // Counted in place: every summary reads this report, and the window can be two years.
        let (stored_days, within_lag_days) = store.count_days(first_day, today);
        let span = store.stored_span();
        let retention_floor = self.retention_floor();
        HistoryReport {
            first_day,
            today,
            window_days: self.settings().history_days,
            stored_days,
            within_lag_days,
            oldest_stored: span.map(|(oldest, _)| oldest),
            newest_stored: span.map(|(_, newest)| newest),
            retention_floor,
            retention_note: store.meta(RETENTION_NOTE),
            to_bound: self.inner.client.to_bound(),
            sync: self.sync_status(),
        }
    }

    /// The first day Graph still gives, where it refused older ones.
    pub fn retention_floor(&self) -> Option<NaiveDate> {
        self.store()
            .meta(RETENTION_FLOOR)
            .and_then(|text| NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok())
    }

    /// One sync: the wanted days, then the window newest first, every day within Graph's lag
    /// read again. Returns what it did; a day that fails ends the run (the next run tries
    /// again), without retrying in a loop.
    pub async fn sync_once(&self) -> SyncRun {
        if !self.store().claim_syncer().await {
            return SyncRun {
                failed: Some(
                    "another instance syncs this database now (it holds the syncer lock)".into(),
                ),
                ..SyncRun::default()
            };
        }
        let run = self.sync_pass(None).await;
        self.sync_directory_if_due().await;
        run
    }

    /// [`Self::sync_once`], reading a day within the lag again only when its reading is at least
    /// `reread_after` old (`None`: always).
    async fn sync_pass(&self, reread_after: Option<std::time::Duration>) -> SyncRun {
        self.set_status(|status| {
            status.running = true;
            status.last_started = Some(Utc::now());
        });
        let floor = self.retention_floor();
        let run = SyncPass {
            history: self,
            planned: Mutex::new(self.plan(reread_after)),
            floor: Mutex::new(floor),
            recording: tokio::sync::Mutex::new(()),
            stop: AtomicBool::new(false),
            lost_lock: AtomicBool::new(false),
            new_days: AtomicU32::new(0),
            reread_days: AtomicU32::new(0),
            failed: Mutex::new(None),
            failed_status: Mutex::new(None),
        };
        let workers = self.inner.client.max_concurrent_windows().max(1);
        futures_util::future::join_all((0..workers).map(|_| run.work())).await;
        let result = SyncRun {
            new_days: run.new_days.load(Ordering::Relaxed),
            reread_days: run.reread_days.load(Ordering::Relaxed),
            failed: lock(&run.failed).clone(),
            retention_floor: lock(&run.floor).filter(|found| Some(*found) != floor),
        };
        self.set_status(|status| {
            status.running = false;
            status.last_finished = Some(Utc::now());
            status.last_error = result.failed.clone();
            status.last_error_status = *lock(&run.failed_status);
        });
        // A pass cut short by losing the syncer lock has nothing to tell: the new syncer does.
        if !run.lost_lock.load(Ordering::Relaxed) {
            self.share_failure(result.failed.as_deref()).await;
        }
        info!(
            new_days = result.new_days,
            reread_days = result.reread_days,
            failed = result.failed.as_deref().unwrap_or("no"),
            "report sync finished"
        );
        self.inner.passes.send_modify(|passes| *passes += 1);
        result
    }

    /// Tells the instances waiting for days why this pass stopped, or that it did not
    /// (`store_meta`, written only when it changes).
    async fn share_failure(&self, failed: Option<&str>) {
        let store = self.store();
        if !store.is_shared() {
            return;
        }
        let recorded = store.meta(crate::history::SYNC_FAILURE).unwrap_or_default();
        let value = match failed {
            Some(failure) => format!("{} {failure}", Utc::now().to_rfc3339()),
            None if recorded.is_empty() => return,
            None => String::new(),
        };
        if let Err(error) = store.set_meta(crate::history::SYNC_FAILURE, &value).await {
            warn!(%error, "cannot tell the other instances how the sync went");
        }
    }

    /// Syncs at once and then every interval (sooner when someone wants days the store lacks),
    /// until `shutdown` resolves. With several instances on one PostgreSQL, only the one that
    /// holds the syncer lock syncs; the others check every few seconds whether it is free.
    pub async fn run_sync(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        // The lag's days are read again about once per interval: at each tick when their
        // reading is half an interval old (a tick an interval after the last reading always
        // takes them). At start, only when the reading is a whole interval old, as a running
        // portal would have re-read it by then: a restart soon after a sync (an upgrade, a
        // crash) asks Graph nothing, a restart after a longer stop reads them at once.
        let mut reread_after = self.settings().interval;
        loop {
            if !self.store().claim_syncer().await {
                tokio::select! {
                    _ = &mut shutdown => return,
                    _ = tokio::time::sleep(ELECTION_EVERY.min(self.settings().interval)) => {}
                }
                continue;
            }
            // Once a day, the directory (departments, managers) beside the pass: it has a rate
            // limit of its own, and a reporting-line scope shows no one until it is read.
            let (run, ()) = tokio::join!(
                self.sync_pass(Some(reread_after)),
                self.sync_directory_if_due()
            );
            reread_after = self.settings().interval / 2;
            // Days asked for meanwhile go next, unless the run failed (then the interval
            // passes first: no loop of failing requests).
            let wanted_waiting = !lock(&self.inner.wanted).is_empty();
            if wanted_waiting && run.failed.is_none() {
                continue;
            }
            // Until the next pass the lock is checked every few seconds too: a syncer that lost
            // it (its connection cut) knows, and stops reading Graph for pages as the syncer.
            let next_pass = tokio::time::Instant::now() + self.settings().interval;
            loop {
                let tick = (tokio::time::Instant::now() + ELECTION_EVERY).min(next_pass);
                tokio::select! {
                    _ = &mut shutdown => return,
                    _ = tokio::time::sleep_until(tick) => {}
                    _ = self.inner.wake.notified() => break,
                }
                if tokio::time::Instant::now() >= next_pass || !self.store().claim_syncer().await {
                    break;
                }
            }
        }
    }

    /// The window's days that need reading, newest first: missing ones, and those not final
    /// whose reading is at least `reread_after` old.
    fn plan(&self, reread_after: Option<std::time::Duration>) -> Vec<NaiveDate> {
        let (first, today, now) = (self.first_day(), self.today(), self.now());
        let due = |state: &DayState| {
            !state.is_final
                && reread_after
                    .is_none_or(|age| (now - state.fetched_at).to_std().unwrap_or_default() >= age)
        };
        let states = self.store().day_states(first, today);
        let mut plan = Vec::new();
        let mut day = today;
        let mut held = states.iter().rev().peekable();
        loop {
            let state = match held.peek() {
                Some((stored, state)) if *stored == day => {
                    held.next();
                    Some(state)
                }
                _ => None,
            };
            if state.is_none_or(due) {
                plan.push(day);
            }
            if day <= first {
                break;
            }
            match day.checked_sub_days(Days::new(1)) {
                Some(previous) => day = previous,
                None => break,
            }
        }
        plan
    }

    fn set_status(&self, change: impl FnOnce(&mut crate::sync::SyncStatus)) {
        let mut status = self
            .inner
            .status
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        change(&mut status);
    }
}

/// One run's shared state: the plan its workers take days from.
struct SyncPass<'a> {
    history: &'a History,
    /// Newest first; the wanted days are taken before these.
    planned: Mutex<Vec<NaiveDate>>,
    floor: Mutex<Option<NaiveDate>>,
    /// Held while the floor is written to the store, so writes land in the order floors rise.
    recording: tokio::sync::Mutex<()>,
    stop: AtomicBool,
    /// Set when another instance took the syncer lock during the pass.
    lost_lock: AtomicBool,
    new_days: AtomicU32,
    reread_days: AtomicU32,
    failed: Mutex<Option<String>>,
    failed_status: Mutex<Option<u16>>,
}

impl SyncPass<'_> {
    /// The next day to read: a wanted one (newest first), else the plan's next.
    fn next_day(&self) -> Option<NaiveDate> {
        let floor = *lock(&self.floor);
        let today = self.history.today();
        let usable = |day: &NaiveDate| *day <= today && floor.is_none_or(|floor| *day >= floor);
        {
            let mut wanted = lock(&self.history.inner.wanted);
            while let Some(day) = wanted.pop_last() {
                if usable(&day) && self.history.store().day_state(day).is_none() {
                    return Some(day);
                }
            }
        }
        let mut planned = lock(&self.planned);
        planned.retain(|day| usable(day));
        if planned.is_empty() {
            None
        } else {
            Some(planned.remove(0))
        }
    }

    async fn work(&self) {
        while !self.stop.load(Ordering::Relaxed) {
            // Another instance may have taken over (this one lost its lock's connection).
            if !self.history.store().claim_syncer().await {
                info!("another instance syncs now: this pass stops");
                self.lost_lock.store(true, Ordering::Relaxed);
                self.stop.store(true, Ordering::Relaxed);
                return;
            }
            let Some(day) = self.next_day() else {
                return;
            };
            let existed = self.history.store().day_state(day);
            if existed.as_ref().is_some_and(|state| state.is_final) {
                continue;
            }
            // A missing day goes through the same single flight as people's requests, so a
            // day someone is already waiting for is not asked of Graph twice.
            let result = match existed {
                None => {
                    self.history
                        .fetch_one_missing(day, Priority::Background)
                        .await
                }
                Some(_) => self
                    .history
                    .reread(day, Priority::Background)
                    .await
                    .map_err(Arc::new),
            };
            match result {
                Ok(()) => {
                    let counter = if existed.is_some() {
                        &self.reread_days
                    } else {
                        &self.new_days
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                Err(error) if self.is_too_old(day, &error) => {
                    self.retention_reached(day, &error).await;
                }
                Err(error) => {
                    warn!(%day, %error, "report sync stopped; it tries again at the next interval");
                    *lock(&self.failed) = Some(format!("{day}: {error}"));
                    if let HistoryError::Graph(GraphError::Api(api)) = &*error {
                        *lock(&self.failed_status) = Some(api.status);
                    }
                    self.stop.store(true, Ordering::Relaxed);
                }
            }
        }
    }

    /// Whether Graph refused `day` as a request (not a fault of ours or a passing one) while
    /// newer days were given: its retention ends there.
    fn is_too_old(&self, day: NaiveDate, error: &HistoryError) -> bool {
        let HistoryError::Graph(GraphError::Api(api)) = error else {
            return false;
        };
        // Younger days than Graph's shortest retention are never "too old": a refusal there is
        // a failure (the run stops and the next one tries again), not the end of history.
        let min_age = i64::from(self.history.settings().min_retention_days);
        let old_enough = (self.history.today() - day).num_days() >= min_age;
        matches!(api.status, 400 | 404 | 406 | 410 | 422) && old_enough
    }

    async fn retention_reached(&self, day: NaiveDate, error: &HistoryError) {
        let Some(floor) = day.succ_opt() else {
            return;
        };
        {
            let mut current = lock(&self.floor);
            if current.is_some_and(|current| current >= floor) {
                return;
            }
            *current = Some(floor);
        }
        let note = format!(
            "Graph refused {day} ({error}): its retention ends there, so history starts on {floor}"
        );
        warn!("{note}");
        // Refusals come back in any order: only the highest floor (and its note) is written,
        // never overwritten by an older day's refusal whose write was still on its way.
        let _recording = self.recording.lock().await;
        if *lock(&self.floor) != Some(floor) {
            return;
        }
        let store = self.history.store();
        for (name, value) in [
            (RETENTION_FLOOR, floor.format("%Y-%m-%d").to_string()),
            (RETENTION_NOTE, note),
        ] {
            if let Err(error) = store.set_meta(name, &value).await {
                warn!(%error, "cannot record where Graph's retention ends");
            }
        }
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
