//! The sync job against a real graph-sim: the window is filled, exact to the cent, re-reads only
//! what Graph may still change, survives a restart, and stops at Graph's retention.
mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use common::*;
use graph_client::GraphClient;
use graph_sim::RetentionReading;
use report_store::{DayState, History, Store, SyncSettings};

const WINDOW: u32 = 20;
/// Requests a fresh client may spend on how Graph reads toDateTime when the sync starts: today
/// has no call yet, and its empty window asks its day to the next midnight too, unless another
/// worker's day with rows has taught the client first (the workers run side by side).
const LEARNING_TO_BOUND: std::ops::RangeInclusive<u64> = 0..=1;

/// Days at or before this are final under the default 48 h lag when read on `today()`: a day
/// is final once 48 h have passed since its end (`today - 3` ended 48 h before today began).
fn last_final_day() -> NaiveDate {
    back(today(), 3)
}

fn pages_of(days: &BTreeMap<NaiveDate, DayState>, keep: impl Fn(&DayState) -> bool) -> u64 {
    days.values()
        .filter(|state| keep(state))
        .map(|state| state.pages)
        .sum()
}

/// Every stored day, one by one, and the whole range, equal the sim's truth.
async fn assert_equals_truth(
    history: &report_store::History,
    config: &graph_sim::SimConfig,
    from: NaiveDate,
    to: NaiveDate,
) {
    for day in from.iter_days().take_while(|day| *day <= to) {
        assert_eq!(
            totals_of(&merged_rows(history, day, day).await),
            truth_totals(config, day, day),
            "{day}"
        );
    }
    let merged = merged_rows(history, from, to).await;
    let totals = totals_of(&merged);
    assert_eq!(totals, truth_totals(config, from, to), "{from}..={to}");
    assert!(
        totals.len() >= 2 && totals.values().all(|totals| totals.calls > 0),
        "the sim's data has several currencies with calls: {totals:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_fills_the_window_exactly_and_rereads_only_days_within_the_lag() {
    let sim = Sim::start(sim_config(None, RetentionReading::Empty)).await;
    let dir = tempfile::tempdir().unwrap();
    // The store's folder does not exist yet: it is created.
    let db = test_db(dir.path(), "nested/folder/report.db");
    let url = db.url.clone();
    let store = Store::open(&url, SOURCE).await.expect("the store opens");
    let history = history(&store, sim.client.clone(), WINDOW);
    let (first, today) = (back(today(), u64::from(WINDOW) - 1), today());
    assert_eq!(history.first_day(), first);
    assert_eq!(history.missing_days(first, today).len(), WINDOW as usize);

    let run = history.sync_once().await;
    assert_eq!(run.failed, None);
    assert_eq!(run.new_days, WINDOW);
    assert_eq!(run.reread_days, 0);
    assert_eq!(run.retention_floor, None);

    let days = store.days();
    let expected_days: Vec<NaiveDate> = first.iter_days().take(WINDOW as usize).collect();
    assert_eq!(days.keys().copied().collect::<Vec<_>>(), expected_days);
    assert!(history.missing_days(first, today).is_empty());
    for (day, state) in &days {
        assert_eq!(state.is_final, *day <= last_final_day(), "{day}: {state:?}");
        assert!(state.pages >= 1, "{day}: {state:?}");
        assert!(state.request_id.is_some(), "{day}: {state:?}");
    }
    // The newest two (and, under a 48 h lag, the day before them) are not final.
    assert!(!days[&today].is_final && !days[&back(today, 1)].is_final);
    let within_lag = days.values().filter(|state| !state.is_final).count();
    assert_eq!(within_lag, 3);
    // The sim has no calls yet on its today; the other days span several 50-row pages.
    assert_eq!(days[&today].rows, 0);
    assert!(
        days.values().filter(|state| state.pages >= 2).count() >= 10,
        "{days:?}"
    );
    // Every stored row count is what merging the day gives.
    for day in &expected_days {
        let merged = merged_rows(&history, *day, *day).await;
        assert_eq!(days[day].rows, merged.len() as u64, "{day}");
    }
    // One request per page, nothing read twice, and the client's learning how Graph reads
    // toDateTime (recorded in the store: a restart does not ask again).
    let stats = sim.stats().await;
    let learning = stats.report_requests - pages_of(&days, |_| true);
    assert!(LEARNING_TO_BOUND.contains(&learning), "{learning}");
    assert_eq!(stats.pages_served, stats.report_requests);
    assert_eq!(store.meta("graph_to_bound").as_deref(), Some("last-tick"));

    assert_equals_truth(&history, &sim.config, first, today).await;

    let report = history.report();
    assert_eq!(report.stored_days, WINDOW);
    assert_eq!(report.within_lag_days, 3);
    assert_eq!(report.loading_days(), 0);
    assert_eq!(report.retention_floor, None);
    assert_eq!(report.oldest_stored, Some(first));
    assert_eq!(report.newest_stored, Some(today));
    let status = history.sync_status();
    assert!(!status.running && status.last_finished.is_some());
    assert_eq!(status.last_error, None);

    // A second run reads again only the days Graph may still change.
    let run = history.sync_once().await;
    assert_eq!(run.failed, None);
    assert_eq!(run.new_days, 0);
    assert_eq!(run.reread_days, within_lag as u32);
    let after = store.days();
    let reread_pages = pages_of(&after, |state| !state.is_final);
    assert_eq!(
        sim.stats().await.report_requests - stats.report_requests,
        reread_pages
    );
    for (day, state) in &after {
        if *day <= last_final_day() {
            assert_eq!(state, &days[day], "a final day is never read again");
        } else {
            assert!(state.version > days[day].version, "{day} was re-read");
            assert!(!state.is_final);
            assert_eq!(state.rows, days[day].rows);
        }
    }
    assert_equals_truth(&history, &sim.config, first, today).await;
}

/// A day's state as it must come back after a restart (the write counter starts over).
fn without_version(days: BTreeMap<NaiveDate, DayState>) -> BTreeMap<NaiveDate, DayState> {
    days.into_iter()
        .map(|(day, state)| {
            (
                day,
                DayState {
                    version: 0,
                    ..state
                },
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_survives_a_restart() {
    let config = sim_config(None, RetentionReading::Empty);
    let dir = tempfile::tempdir().unwrap();
    let db = test_db(dir.path(), "report.db");
    let url = db.url.clone();
    let (first, today) = (back(today(), u64::from(WINDOW) - 1), today());
    let (states, rows, key_count) = {
        let sim = Sim::start(config.clone()).await;
        let store = Store::open(&url, SOURCE).await.unwrap();
        let history = history(&store, sim.client.clone(), WINDOW);
        assert_eq!(history.sync_once().await.new_days, WINDOW);
        let rows = merged_rows(&history, first, today).await;
        let states = store.days();
        let key_count = store.keys().len();
        store.close().await;
        sim.running.shutdown().await;
        (states, rows, key_count)
    };
    assert_eq!(states.len(), WINDOW as usize);
    assert!(!rows.is_empty());

    let store = Store::open(&url, SOURCE)
        .await
        .expect("the store opens again");
    assert_eq!(without_version(store.days()), without_version(states));
    assert_eq!(store.keys().len(), key_count);
    // No Graph needed to read stored days.
    let history = history(&store, offline_client(), WINDOW);
    let reopened_rows = merged_rows(&history, first, today).await;
    assert_eq!(
        reopened_rows, rows,
        "the same merged rows, names and totals"
    );
    assert_equals_truth(&history, &config, first, today).await;

    // The write counter: nothing changed since the version just read; everything did since 0.
    let version = store.version();
    assert!(!history.changed_since(first, today, version));
    assert!(history.changed_since(first, today, 0));
    assert!(store.days().values().all(|state| state.version <= version));

    // A sync against a sim again re-reads the three days within the lag: they (and only they)
    // changed since that version.
    let sim = Sim::start(config.clone()).await;
    let history = report_store::History::new(
        store.clone(),
        sim.client.clone(),
        history.settings().clone(),
        fixed_today(today),
    );
    let run = history.sync_once().await;
    assert_eq!((run.new_days, run.reread_days, run.failed), (0, 3, None));
    assert!(store.version() > version);
    assert!(history.changed_since(back(today, 2), today, version));
    assert!(!history.changed_since(first, last_final_day(), version));
    assert_eq!(merged_rows(&history, first, today).await, rows);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_for_old_days_sets_the_retention_floor_and_is_not_asked_again() {
    let sim = Sim::start(sim_config(Some(10), RetentionReading::Error)).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&store_url(dir.path(), "report.db"), SOURCE)
        .await
        .unwrap();
    let history = history(&store, sim.client.clone(), WINDOW);
    let today = today();
    // The sim's first retained day is its today minus the retention days.
    let floor = back(today, 10);

    let run = history.sync_once().await;
    assert_eq!(run.failed, None);
    assert_eq!(run.new_days, 11);
    assert_eq!(run.reread_days, 0);
    assert_eq!(run.retention_floor, Some(floor));
    let days = store.days();
    assert_eq!(
        days.keys().copied().collect::<Vec<_>>(),
        floor.iter_days().take(11).collect::<Vec<_>>()
    );
    let stats = sim.stats().await;
    assert!(stats.responses_400 >= 1, "{stats:?}");
    let learning = stats.report_requests - pages_of(&days, |_| true) - stats.responses_400;
    assert!(LEARNING_TO_BOUND.contains(&learning), "{learning}");
    assert_equals_truth(&history, &sim.config, floor, today).await;

    let report = history.report();
    assert_eq!(report.retention_floor, Some(floor));
    let note = report.retention_note.clone().expect("a note says why");
    assert!(note.contains(&back(today, 11).to_string()), "{note}");
    assert!(note.contains(&floor.to_string()), "{note}");
    assert_eq!(report.stored_days, 11);
    assert_eq!(report.loading_days(), 0, "{report:?}");
    assert_eq!(report.sync.last_error, None);
    assert_eq!(history.sync_status().last_error, None);

    // The next run asks only for the days within the lag, never for the refused ones.
    let run = history.sync_once().await;
    assert_eq!(run.failed, None);
    assert_eq!((run.new_days, run.reread_days), (0, 3));
    assert_eq!(run.retention_floor, None, "the floor did not move");
    let again = sim.stats().await;
    assert_eq!(
        again.responses_400, stats.responses_400,
        "no refused day asked again"
    );
    assert_eq!(
        again.report_requests - stats.report_requests,
        pages_of(&store.days(), |state| !state.is_final)
    );
    assert_eq!(store.days().len(), 11);

    // The floor is kept in the file: a restarted portal does not ask for those days either.
    store.close().await;
    let store = Store::open(&store_url(dir.path(), "report.db"), SOURCE)
        .await
        .unwrap();
    let history = history_for(&store, &sim);
    assert_eq!(history.report().retention_floor, Some(floor));
    let run = history.sync_once().await;
    assert_eq!((run.new_days, run.reread_days, run.failed), (0, 3, None));
    assert_eq!(sim.stats().await.responses_400, stats.responses_400);
}

fn history_for(store: &Store, sim: &Sim) -> report_store::History {
    history(store, sim.client.clone(), WINDOW)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn days_past_a_later_retention_keep_their_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = test_db(dir.path(), "report.db");
    let url = db.url.clone();
    let (first, today) = (back(today(), u64::from(WINDOW) - 1), today());
    let before = {
        let sim = Sim::start(sim_config(None, RetentionReading::Empty)).await;
        let store = Store::open(&url, SOURCE).await.unwrap();
        let history = history_for(&store, &sim);
        assert_eq!(history.sync_once().await.new_days, WINDOW);
        let states = store.days();
        store.close().await;
        states
    };

    // The same tenant, now with a 5-day retention that answers older days as empty.
    let config = sim_config(Some(5), RetentionReading::Empty);
    let sim = Sim::start(config.clone()).await;
    let store = Store::open(&url, SOURCE).await.unwrap();
    let history = history_for(&store, &sim);
    let run = history.sync_once().await;
    assert_eq!((run.new_days, run.reread_days, run.failed), (0, 3, None));
    let after = store.days();
    assert_eq!(after.len(), WINDOW as usize);
    for (day, state) in &after {
        if *day <= last_final_day() {
            assert_eq!(
                DayState {
                    version: 0,
                    ..state.clone()
                },
                DayState {
                    version: 0,
                    ..before[day].clone()
                },
                "{day} was never read again"
            );
        }
    }
    // The truth ignores the retention: the old days still add up to it, to the cent.
    assert_equals_truth(&history, &config, first, today).await;
    assert_eq!(
        sim.stats().await.report_requests,
        pages_of(&after, |state| !state.is_final)
    );
}

/// Runs the background sync until its first run has finished, then stops it.
async fn first_background_run(history: &report_store::History) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let job = tokio::spawn(history.clone().run_sync(async {
        let _ = stopped.await;
    }));
    while history.sync_status().last_finished.is_none() {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    stop.send(()).unwrap();
    job.await.unwrap();
}

#[tokio::test]
async fn a_restart_soon_after_a_sync_asks_graph_for_nothing() {
    let sim = Sim::start(sim_config(None, RetentionReading::Empty)).await;
    let dir = tempfile::tempdir().unwrap();
    let db = test_db(dir.path(), "report.db");
    let url = db.url.clone();
    {
        let store = Store::open(&url, SOURCE).await.unwrap();
        let history = history(&store, sim.client.clone(), WINDOW);
        first_background_run(&history).await;
        assert_eq!(store.days().len(), WINDOW as usize);
        store.close().await;
    }
    let before = sim.stats().await.report_requests;
    assert!(before >= u64::from(WINDOW));

    // The portal starts again on the same file: its first sync finds every day stored and the
    // lag's days read moments ago (less than half an interval), so Graph is not asked.
    let store = Store::open(&url, SOURCE).await.unwrap();
    let history = history(&store, sim.client.clone(), WINDOW);
    first_background_run(&history).await;
    assert_eq!(sim.stats().await.report_requests, before);
    assert_eq!(history.sync_status().last_error, None);
    // An explicit sync (`dialout-portal sync --once`) still reads the lag's days again.
    let run = history.sync_once().await;
    assert_eq!((run.new_days, run.reread_days), (0, 3));
}

#[tokio::test]
async fn a_restart_reads_the_lags_days_once_their_reading_is_an_interval_old() {
    let sim = Sim::start(sim_config(None, RetentionReading::Empty)).await;
    let dir = tempfile::tempdir().unwrap();
    let db = test_db(dir.path(), "report.db");
    let url = db.url.clone();
    // Long enough that opening the store (a throwaway PostgreSQL's too) stays well inside the
    // quarter interval the test leaves between "not yet" and "due".
    let interval = std::time::Duration::from_secs(4);
    let restart = || async {
        let store = Store::open(&url, SOURCE).await.unwrap();
        let history = History::new(
            store.clone(),
            sim.client.clone(),
            SyncSettings {
                history_days: WINDOW,
                interval,
                min_retention_days: 1,
                ..SyncSettings::default()
            },
            fixed_today(today()),
        );
        let before = sim.stats().await.report_requests;
        first_background_run(&history).await;
        store.close().await;
        sim.stats().await.report_requests - before
    };
    let first = restart().await;
    assert!(first >= u64::from(WINDOW));
    let lag_pages = {
        let store = Store::open(&url, SOURCE).await.unwrap();
        let pages = pages_of(&store.days(), |state| !state.is_final);
        store.close().await;
        pages
    };
    assert!(lag_pages >= 3);
    // Older than half an interval (a running sync's tick would read them) but not a whole
    // one: a restart leaves them.
    tokio::time::sleep(interval * 3 / 4).await;
    assert_eq!(restart().await, 0);
    // A whole interval old: the restart reads them at once.
    tokio::time::sleep(interval / 2).await;
    assert_eq!(restart().await, lag_pages);
}

#[tokio::test]
async fn the_history_window_is_read_into_memory_when_it_fits() {
    let sim = Sim::start(sim_config(None, RetentionReading::Empty)).await;
    let dir = tempfile::tempdir().unwrap();
    let db = test_db(dir.path(), "report.db");
    let url = db.url.clone();
    let rows: u64 = {
        let store = Store::open(&url, SOURCE).await.unwrap();
        history(&store, sim.client.clone(), WINDOW)
            .sync_once()
            .await;
        let rows = store.days().values().map(|state| state.rows).sum();
        store.close().await;
        rows
    };
    let (first, last) = (back(today(), u64::from(WINDOW - 1)), today());
    async fn reopened(url: &str, client: Arc<GraphClient>, cache_rows: u64) -> History {
        let store = Store::open(url, SOURCE).await.unwrap();
        let settings = SyncSettings {
            history_days: WINDOW,
            cache_rows,
            ..SyncSettings::default()
        };
        History::new(store, client, settings, fixed_today(today()))
    }

    let fits = reopened(&url, sim.client.clone(), rows).await;
    assert_eq!(fits.days_in_memory(first, last), 0);
    fits.warm_window().await;
    assert_eq!(fits.days_in_memory(first, last), WINDOW);

    // A day cache smaller than the history: nothing is read ahead (long ranges read their
    // days from the file when asked), and Graph is never asked.
    let requests = sim.stats().await.report_requests;
    // One instance at a time (PostgreSQL refuses a second): the first is closed.
    fits.store().close().await;
    drop(fits);
    let too_small = reopened(&url, sim.client.clone(), rows - 1).await;
    too_small.warm_window().await;
    assert_eq!(too_small.days_in_memory(first, last), 0);
    assert_eq!(sim.stats().await.report_requests, requests);
}

/// Graph's order unstable between pages (graph-sim `--unstable-order`: each page repeats the
/// previous one's last rows): every stored day still equals the truth, the repeats are counted
/// per day, and a restart reads the counts back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_repeated_across_pages_are_stored_once_and_counted() {
    let sim = Sim::start(graph_sim::SimConfig {
        unstable_order: true,
        ..sim_config(None, RetentionReading::Empty)
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let db = test_db(dir.path(), "report.db");
    let url = db.url.clone();
    let store = Store::open(&url, SOURCE).await.expect("the store opens");
    let history = history(&store, sim.client.clone(), WINDOW);
    let run = history.sync_once().await;
    assert_eq!(run.failed, None);
    let (first, today) = (back(today(), u64::from(WINDOW) - 1), today());
    assert_equals_truth(&history, &sim.config, first, today).await;
    let days = store.days();
    for (day, state) in &days {
        // Each page after the first repeats up to 3 rows of the one before.
        let repeats = 3 * state.pages.saturating_sub(1);
        assert_eq!(state.repeated_rows, repeats, "{day}: {state:?}");
    }
    assert!(days.values().any(|state| state.repeated_rows > 0));
    drop(history);
    drop(store);
    let reopened = Store::open(&url, SOURCE)
        .await
        .expect("the store opens again");
    let counts = |days: &BTreeMap<NaiveDate, DayState>| -> Vec<(NaiveDate, u64)> {
        days.iter()
            .map(|(day, state)| (*day, state.repeated_rows))
            .collect()
    };
    assert_eq!(counts(&reopened.days()), counts(&days));
}

/// An app without the report permission: the sync stops at its first day with Graph's 403,
/// and its status keeps the status code (readiness names it "forbidden").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_report_permission_stops_the_sync_with_its_status() {
    let sim = Sim::start(graph_sim::SimConfig {
        app_permissions: Vec::new(),
        ..sim_config(None, RetentionReading::Empty)
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&store_url(dir.path(), "report.db"), SOURCE)
        .await
        .expect("the store opens");
    let history = history(&store, sim.client.clone(), WINDOW);
    let run = history.sync_once().await;
    let failed = run.failed.expect("the sync stops");
    assert!(failed.contains("CallRecords.Read.All"), "{failed}");
    assert_eq!(history.sync_status().last_error_status, Some(403));
    assert!(store.days().is_empty());
}
