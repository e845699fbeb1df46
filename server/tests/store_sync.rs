//! `dialout-portal sync --once` as cron or an operator runs it: the real binary, configured for
//! a tenant whose identity platform and Graph are a simulator in this process, syncing a store
//! in a temporary folder. Killed mid-sync, run twice, or pointed at a store it must not touch.
//!
//! In tenant mode the client keeps to Graph's documented limit of 50 report requests a minute
//! (the sync's share set to the whole of it): each run below stays under 50 requests, so
//! nothing waits for the limiter. Today is the clock's UTC date (tenant mode has no other), so
//! the simulators run on it too.
mod tenant;
use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use chrono::{Days, NaiveDate, Timelike, Utc};
use graph_client::{Cloud, Credential, DialoutRow, GraphConfig, Secret};
use graph_sim::{RunningSim, SimConfig};
use report_store::{Store, StoredDay, merge_days};
use rust_decimal::Decimal;

/// Longest a sync that should finish may take (the limiter would add a minute past 50 requests).
const RUN_TIMEOUT: Duration = Duration::from_secs(180);

/// A simulator of `users` users on the clock's today, `page_size` rows a page, `latency_ms` on
/// every request.
fn sim_config(users: u32, page_size: u32, latency_ms: u64) -> SimConfig {
    SimConfig {
        users,
        page_size,
        latency_ms,
        today: Utc::now().date_naive(),
        history_days: 120,
        ..SimConfig::default()
    }
}

async fn start_sim(config: &SimConfig) -> RunningSim {
    graph_sim::start(config.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .expect("the simulator starts")
}

/// Tenant mode takes today from the clock: a test that straddled midnight (UTC) would compare
/// one day's window with the next's. Starts it after midnight when midnight is near.
async fn clear_of_midnight() {
    let left = 86_400 - i64::from(Utc::now().num_seconds_from_midnight());
    if left < 240 {
        eprintln!("waiting {left} s for midnight UTC to pass");
        tokio::time::sleep(Duration::from_secs(left as u64 + 2)).await;
    }
}

/// The store's source as the server names a tenant (`GraphConnection::tenant`): the tenant id
/// and the Graph endpoint as `GraphConfig` normalises it.
fn tenant_source(sim: &RunningSim, config: &SimConfig) -> String {
    let graph = GraphConfig::new(
        Cloud::Global,
        config.tenant_id.clone(),
        config.client_id.clone(),
        Credential::Secret(Secret::new(config.client_secret.clone())),
    )
    .and_then(|graph| graph.with_graph_endpoint(sim.base_url()))
    .expect("a valid tenant configuration");
    format!("tenant {} at {}", graph.tenant_id(), graph.graph_endpoint())
}

/// `dialout-portal sync --once` with only the environment an operator would set for a tenant
/// whose authority and Graph are `sim`.
fn sync_command(
    sim: &RunningSim,
    config: &SimConfig,
    database_url: &str,
    history_days: u32,
) -> tokio::process::Command {
    let mut command = tenant::command(sim, config, &config.client_secret, &["sync", "--once"]);
    // No sign-in settings: `sync` serves no page and needs none.
    command
        .env("PORTAL_DATABASE_URL", database_url)
        .env("PORTAL_HISTORY_DAYS", history_days.to_string())
        .env("PORTAL_SYNC_GRAPH_SHARE", "1")
        .env("RUST_LOG", "warn");
    command
}

/// Runs a sync to its end.
async fn run_to_end(mut command: tokio::process::Command) -> Output {
    tokio::time::timeout(RUN_TIMEOUT, command.output())
        .await
        .expect("the sync ends within its time")
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts a run succeeded and returns its stdout.
fn succeeded(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what}: {}\nstdout: {}\nstderr: {}",
        output.status,
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// The simulator's report requests so far (`GET /_sim/stats`).
async fn report_requests(http: &reqwest::Client, sim: &RunningSim) -> u64 {
    let stats: serde_json::Value = http
        .get(format!("{}/_sim/stats", sim.base_url()))
        .send()
        .await
        .expect("the simulator answers")
        .json()
        .await
        .expect("stats are JSON");
    stats["report_requests"]
        .as_u64()
        .unwrap_or_else(|| panic!("report_requests in {stats}"))
}

/// Starts a sync, waits until the simulator has seen `requests` report requests in all, then
/// kills the sync with SIGKILL.
async fn kill_after(
    mut command: tokio::process::Command,
    http: &reqwest::Client,
    sim: &RunningSim,
    requests: u64,
) {
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let waited = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if let Some(status) = child.try_wait().expect("the child's status") {
                panic!(
                    "the sync ended ({status}) before the simulator saw {requests} report \
                     requests ({} so far): it was not killed mid-sync",
                    report_requests(http, sim).await
                );
            }
            if report_requests(http, sim).await >= requests {
                return;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await;
    assert!(
        waited.is_ok(),
        "the simulator never saw {requests} report requests"
    );
    child.start_kill().expect("SIGKILL is sent");
    let output = child.wait_with_output().await.expect("the child is reaped");
    assert_eq!(
        output.status.signal(),
        Some(9),
        "the sync ended on its own ({}) instead of being killed; stderr: {}",
        output.status,
        text(&output.stderr)
    );
}

/// `day` minus `n` days.
fn back(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(n)).unwrap()
}

/// Pages the simulator serves for a window of `rows` rows (an empty window is one page).
fn pages_for(rows: u64, page_size: u32) -> u64 {
    rows.div_ceil(u64::from(page_size)).max(1)
}

fn day_pages(config: &SimConfig, day: NaiveDate) -> u64 {
    let rows = graph_sim::truth(config, day, day).expect("truth").rows;
    pages_for(rows, config.page_size)
}

/// What `sync --once` prints at the end of a run whose whole window ends up stored.
fn summary(new: u64, reread: u64, first: NaiveDate, today: NaiveDate) -> String {
    format!(
        "synced {new} new days, read {reread} days again; history from {first} to {today}; \
         3 days still within Graph's lag"
    )
}

/// Totals of one currency, as the truth gives them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Totals {
    calls: u64,
    seconds: u64,
    charge: Decimal,
    rows: u64,
}

/// The rows summed per currency (rows without a currency under "").
fn totals_of(rows: &[DialoutRow]) -> BTreeMap<String, Totals> {
    let mut totals: BTreeMap<String, Totals> = BTreeMap::new();
    for row in rows {
        let entry = totals
            .entry(row.currency.clone().unwrap_or_default())
            .or_default();
        entry.calls += u64::try_from(row.total_calls.expect("calls")).unwrap();
        entry.seconds += u64::try_from(row.total_call_seconds.expect("seconds")).unwrap();
        entry.charge += row.total_call_charge.expect("charge");
        entry.rows += 1;
    }
    for entry in totals.values_mut() {
        entry.charge = entry.charge.normalize();
    }
    totals
}

/// What the simulator's data adds up to over `from..=to`, per currency.
fn truth_totals(config: &SimConfig, from: NaiveDate, to: NaiveDate) -> BTreeMap<String, Totals> {
    graph_sim::truth(config, from, to)
        .expect("truth")
        .currencies
        .into_iter()
        .map(|(currency, totals)| {
            (
                currency,
                Totals {
                    calls: totals.calls,
                    seconds: totals.seconds,
                    charge: totals.charge.normalize(),
                    rows: totals.rows,
                },
            )
        })
        .collect()
}

/// Opens the store as the server would, checks that every stored day lies in `first..=today`
/// and is exactly the simulator's day (whole, once), and returns the stored days with whether
/// each is final. With `whole_window`, every day of the window must be stored and the window's
/// merged report must equal the truth too.
async fn check_store(
    url: &str,
    source: &str,
    config: &SimConfig,
    first: NaiveDate,
    today: NaiveDate,
    whole_window: bool,
) -> BTreeMap<NaiveDate, bool> {
    let store = Store::open(url, source)
        .await
        .unwrap_or_else(|error| panic!("the store opens after the sync: {error}"));
    let states = store.days();
    let days: Vec<NaiveDate> = states.keys().copied().collect();
    for day in &days {
        assert!(
            (first..=today).contains(day),
            "{day} is stored, outside the window {first}..={today}"
        );
    }
    if whole_window {
        let window: Vec<NaiveDate> = first.iter_days().take_while(|day| *day <= today).collect();
        assert_eq!(days, window, "every day of the window is stored");
    }
    let loaded = store.load_days(&days).await.expect("the stored days load");
    assert_eq!(
        loaded.iter().map(|stored| stored.day).collect::<Vec<_>>(),
        days,
        "every day of the index has its rows"
    );
    let keys = store.keys();
    for stored in &loaded {
        let day = stored.day;
        let state = &stored.state;
        let truth = graph_sim::truth(config, day, day).expect("truth");
        assert_eq!(
            stored.rows.len() as u64,
            state.rows,
            "{day}: the rows in the file differ from the day's row count (a partial or doubled day)"
        );
        assert!(
            stored.rows.windows(2).all(|pair| pair[0].key < pair[1].key),
            "{day}: a key appears twice (a doubled day)"
        );
        assert_eq!(
            state.rows, truth.rows,
            "{day}: rows stored vs report rows in the simulator"
        );
        assert_eq!(
            state.graph_rows, truth.rows,
            "{day}: rows Graph sent, as recorded"
        );
        assert_eq!(
            state.pages,
            pages_for(truth.rows, config.page_size),
            "{day}: pages recorded"
        );
        let (rows, stats) = merge_days(&[stored], &keys).expect("no overflow");
        assert_eq!(stats.output_rows, rows.len());
        assert_eq!(
            totals_of(&rows),
            truth_totals(config, day, day),
            "{day}: the stored day's totals per currency vs the truth"
        );
    }
    if whole_window {
        let refs: Vec<&StoredDay> = loaded.iter().collect();
        let (rows, _) = merge_days(&refs, &keys).expect("no overflow");
        assert_eq!(
            totals_of(&rows),
            truth_totals(config, first, today),
            "the window {first}..={today} merged vs the truth"
        );
    }
    store.close().await;
    states
        .into_iter()
        .map(|(day, state)| (day, state.is_final))
        .collect()
}

/// The days of `first..=today` that a sync reads: those not stored and those not final.
fn days_to_read(
    stored: &BTreeMap<NaiveDate, bool>,
    first: NaiveDate,
    today: NaiveDate,
) -> (Vec<NaiveDate>, Vec<NaiveDate>) {
    let window = first.iter_days().take_while(|day| *day <= today);
    let (mut missing, mut again) = (Vec::new(), Vec::new());
    for day in window {
        match stored.get(&day) {
            None => missing.push(day),
            Some(false) => again.push(day),
            Some(true) => {}
        }
    }
    (missing, again)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_a_sync_leaves_no_day_partial_or_doubled() {
    clear_of_midnight().await;
    // Some 30 report rows a day, 20 a page: most days take two pages, so a kill lands between
    // a day's pages or inside its write as often as between days. 30 ms a request: the first
    // run would take about a second.
    let config = sim_config(300, 20, 30);
    let sim = start_sim(&config).await;
    let http = reqwest::Client::new();
    let source = tenant_source(&sim, &config);
    let folder = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", folder.path().join("report.sqlite").display());
    let days = 40;
    let today = config.today;
    let first = back(today, u64::from(days) - 1);

    // Killed twice, each time with days written and days in flight: the first run after 24
    // report requests, the second after 36 more of its own.
    kill_after(sync_command(&sim, &config, &url, days), &http, &sim, 24).await;
    let after_first = check_store(&url, &source, &config, first, today, false).await;
    assert!(
        !after_first.is_empty() && after_first.len() < days as usize,
        "the first kill came mid-sync: {} of {days} days stored",
        after_first.len()
    );
    let requests = report_requests(&http, &sim).await;
    kill_after(
        sync_command(&sim, &config, &url, days),
        &http,
        &sim,
        requests + 36,
    )
    .await;
    let after_second = check_store(&url, &source, &config, first, today, false).await;
    assert!(
        after_second.len() > after_first.len() && after_second.len() < days as usize,
        "the second run stored more days before it was killed mid-sync: {} then {} of {days}",
        after_first.len(),
        after_second.len()
    );

    // A run to the end reads exactly the days still missing, and the ones within the lag.
    let (missing, again) = days_to_read(&after_second, first, today);
    eprintln!(
        "stored after the kills: {} then {} of {days} days; the last run reads {} new and {} \
         again",
        after_first.len(),
        after_second.len(),
        missing.len(),
        again.len()
    );
    let expected_requests: u64 = missing
        .iter()
        .chain(&again)
        .map(|day| day_pages(&config, *day))
        .sum();
    let before = report_requests(&http, &sim).await;
    let output = run_to_end(sync_command(&sim, &config, &url, days)).await;
    let stdout = succeeded(&output, "the sync after the kills");
    assert_eq!(
        stdout.trim_end(),
        summary(missing.len() as u64, again.len() as u64, first, today),
        "stderr: {}",
        text(&output.stderr)
    );
    assert_eq!(
        report_requests(&http, &sim).await - before,
        expected_requests,
        "the last run asks Graph for the pages of the {} missing days and the {} days within \
         the lag, nothing else",
        missing.len(),
        again.len()
    );
    check_store(&url, &source, &config, first, today, true).await;
    assert_eq!(
        Utc::now().date_naive(),
        today,
        "the UTC date changed during the test: run it again"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_once_reports_and_a_second_run_reads_only_days_within_the_lag() {
    clear_of_midnight().await;
    // 10 rows a page: three or four pages a day.
    let config = sim_config(300, 10, 0);
    let sim = start_sim(&config).await;
    let http = reqwest::Client::new();
    let source = tenant_source(&sim, &config);
    let folder = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", folder.path().join("report.sqlite").display());
    let days = 10;
    let today = config.today;
    let first = back(today, u64::from(days) - 1);
    let window: Vec<NaiveDate> = first.iter_days().take_while(|day| *day <= today).collect();
    let lag_days = [today, back(today, 1), back(today, 2)];

    let before = report_requests(&http, &sim).await;
    let output = run_to_end(sync_command(&sim, &config, &url, days)).await;
    let stdout = succeeded(&output, "the first sync");
    assert_eq!(stdout.trim_end(), summary(u64::from(days), 0, first, today));
    assert_eq!(
        text(&output.stderr),
        "",
        "a clean sync logs no warning or error"
    );
    let first_requests = report_requests(&http, &sim).await - before;
    let window_pages: u64 = window.iter().map(|day| day_pages(&config, *day)).sum();
    // Plus, perhaps, one request learning how Graph reads toDateTime (recorded in the store for
    // the next runs): today's empty window asks its day to the next midnight, unless another
    // day with rows has taught the client first.
    assert!(
        (window_pages..=window_pages + 1).contains(&first_requests),
        "the first run reads every page of the window once: {first_requests} requests, {window_pages} pages"
    );
    let stored = check_store(&url, &source, &config, first, today, true).await;
    let not_final: Vec<NaiveDate> = stored
        .iter()
        .filter(|(_, is_final)| !**is_final)
        .map(|(day, _)| *day)
        .collect();
    let mut expected_not_final = lag_days.to_vec();
    expected_not_final.sort();
    assert_eq!(
        not_final, expected_not_final,
        "today and the two days before are within Graph's 48 h lag, older days are final"
    );

    let before = report_requests(&http, &sim).await;
    let output = run_to_end(sync_command(&sim, &config, &url, days)).await;
    let stdout = succeeded(&output, "the second sync");
    assert_eq!(stdout.trim_end(), summary(0, 3, first, today));
    assert_eq!(
        text(&output.stderr),
        "",
        "a clean sync logs no warning or error"
    );
    let lag_pages: u64 = lag_days.iter().map(|day| day_pages(&config, *day)).sum();
    assert_eq!(
        report_requests(&http, &sim).await - before,
        lag_pages,
        "the second run reads the pages of the 3 days within the lag and no other day"
    );
    assert!(
        lag_pages < window_pages,
        "the test would not tell: the lag days are the whole window"
    );
    let again = check_store(&url, &source, &config, first, today, true).await;
    assert_eq!(again, stored, "the same days, final or not, as before");
    assert_eq!(
        Utc::now().date_naive(),
        today,
        "the UTC date changed during the test: run it again"
    );
    sim.shutdown().await;
}

/// The version of the newest migration this build has (the migrations' file names start with
/// it).
fn newest_migration() -> i64 {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/migrations/sqlite");
    std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().into_string().ok()?;
            name.split('_').next()?.parse::<i64>().ok()
        })
        .max()
        .expect("a migration")
}

/// Rewrites the version of the store's newest applied migration to `newest + 1` in the file's
/// bytes, as if a newer portal had applied one more (the server's tests have no SQLite client
/// of their own). SQLite keeps the version as a 6-byte big-endian integer in the
/// `_sqlx_migrations` row and again in its primary-key index.
fn bump_schema_version(file: &Path, newest: i64) -> i64 {
    let wal = wal_of(file);
    assert!(
        std::fs::metadata(&wal).map_or(true, |meta| meta.len() == 0),
        "{} holds pages not yet in the file: the bytes cannot be patched",
        wal.display()
    );
    let encode = |version: i64| -> [u8; 6] {
        let bytes = version.to_be_bytes();
        assert!(
            bytes[0] == 0 && bytes[1] == 0 && bytes[2] < 0x80,
            "{version} is not a 6-byte integer in SQLite's record format"
        );
        bytes[2..].try_into().unwrap()
    };
    let (old, newer) = (encode(newest), encode(newest + 1));
    let mut bytes = std::fs::read(file).unwrap();
    let at: Vec<usize> = bytes
        .windows(old.len())
        .enumerate()
        .filter(|(_, window)| *window == old)
        .map(|(at, _)| at)
        .collect();
    assert_eq!(
        at.len(),
        2,
        "version {newest} is in the file's row of _sqlx_migrations and in its index: found at {at:?}"
    );
    for at in at {
        bytes[at..at + old.len()].copy_from_slice(&newer);
    }
    std::fs::write(file, bytes).unwrap();
    newest + 1
}

fn wal_of(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Runs a sync on `file` expecting a refusal: non-zero, one line naming the file with `words`
/// in it, no report request, and the file's bytes as they were (nothing left in a WAL either).
async fn assert_refused(
    command: tokio::process::Command,
    http: &reqwest::Client,
    sim: &RunningSim,
    file: &Path,
    words: &[&str],
) {
    let before = std::fs::read(file).unwrap();
    let requests = report_requests(http, sim).await;
    let output = run_to_end(command).await;
    let stderr = text(&output.stderr);
    assert!(
        !output.status.success(),
        "{} is refused; stdout: {}",
        file.display(),
        text(&output.stdout)
    );
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("dialout-portal:"))
        .collect();
    assert_eq!(lines.len(), 1, "one error line: {stderr}");
    let line = lines[0];
    assert!(
        line.contains(&file.display().to_string()),
        "the message names {}: {line}",
        file.display()
    );
    for word in words {
        assert!(line.contains(word), "{word:?} in: {line}");
    }
    assert_eq!(
        report_requests(http, sim).await,
        requests,
        "nothing is read from Graph for a refused store"
    );
    assert!(
        std::fs::read(file).unwrap() == before,
        "{} changed",
        file.display()
    );
    let wal = wal_of(file);
    assert!(
        std::fs::metadata(&wal).map_or(true, |meta| meta.len() == 0),
        "{} was written: {} bytes",
        wal.display(),
        std::fs::metadata(&wal).map_or(0, |meta| meta.len())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_of_another_tenant_or_a_newer_schema_is_refused_and_left_alone() {
    clear_of_midnight().await;
    let config = sim_config(50, 1000, 0);
    let sim = start_sim(&config).await;
    let http = reqwest::Client::new();
    let folder = tempfile::tempdir().unwrap();
    let url_of = |name: &str| -> (PathBuf, String) {
        let file = folder.path().join(name);
        let url = format!("sqlite://{}", file.display());
        (file, url)
    };

    // (a) Not a database at all.
    let (garbage, url) = url_of("garbage.sqlite");
    let bytes: Vec<u8> = b"not a database, just some text\n"
        .iter()
        .copied()
        .cycle()
        .take(8192)
        .collect();
    std::fs::write(&garbage, &bytes).unwrap();
    assert_refused(
        sync_command(&sim, &config, &url, 3),
        &http,
        &sim,
        &garbage,
        &[
            "not a readable SQLite database",
            "point PORTAL_DATABASE_URL at a new file",
        ],
    )
    .await;
    assert_eq!(std::fs::read(&garbage).unwrap(), bytes);

    // (b) Synced from another tenant (its own simulator, so its own Graph endpoint too).
    let other_config = SimConfig {
        tenant_id: "44444444-4444-4444-8444-444444444444".into(),
        ..config.clone()
    };
    let other = start_sim(&other_config).await;
    let (theirs, url) = url_of("other-tenant.sqlite");
    let output = run_to_end(sync_command(&other, &other_config, &url, 3)).await;
    succeeded(&output, "the other tenant's sync");
    let their_source = tenant_source(&other, &other_config);
    let our_source = tenant_source(&sim, &config);
    assert_ne!(their_source, our_source);
    assert_refused(
        sync_command(&sim, &config, &url, 3),
        &http,
        &sim,
        &theirs,
        &[
            &their_source,
            &our_source,
            "point PORTAL_DATABASE_URL at another file",
            "left as it is",
        ],
    )
    .await;
    // Still its own tenant's store: it opens for it, with what it held.
    let today = config.today;
    let stored = check_store(
        &url,
        &their_source,
        &other_config,
        back(today, 2),
        today,
        true,
    )
    .await;
    assert_eq!(stored.len(), 3);

    // (c) Written by a newer portal: one more migration applied than this build knows.
    let (newer, url) = url_of("newer-schema.sqlite");
    let output = run_to_end(sync_command(&sim, &config, &url, 3)).await;
    succeeded(&output, "the sync that makes the store");
    let found = bump_schema_version(&newer, newest_migration());
    assert_refused(
        sync_command(&sim, &config, &url, 3),
        &http,
        &sim,
        &newer,
        &[
            "newer version of the portal",
            &format!("schema {found}"),
            "point PORTAL_DATABASE_URL at another file",
            "left as it is",
        ],
    )
    .await;

    other.shutdown().await;
    sim.shutdown().await;
}

/// `dialout-portal store copy`: the synced SQLite store into a throwaway PostgreSQL database,
/// as an operator moves to several instances; the copy holds the truth, a second run copies
/// nothing, and the database's password never reaches the output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_copy_moves_a_sqlite_store_into_postgresql_exactly() {
    clear_of_midnight().await;
    let config = sim_config(200, 50, 0);
    let sim = start_sim(&config).await;
    let source = tenant_source(&sim, &config);
    let folder = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", folder.path().join("report.sqlite").display());
    let days = 8;
    let today = config.today;
    let first = back(today, u64::from(days) - 1);
    succeeded(
        &run_to_end(sync_command(&sim, &config, &sqlite, days)).await,
        "the sync",
    );

    let cluster = pg_cluster::PgCluster::start().unwrap();
    let postgres = cluster.create_database("portal").unwrap();
    // With a password in the URL (trust authentication ignores it): never printed.
    let with_password = postgres.replace("portal@", "portal:s3cret-pw@");
    let copy = || {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_dialout-portal"));
        command
            .args(["store", "copy", "--from", &sqlite, "--to", &with_password])
            .env("RUST_LOG", "warn")
            .kill_on_drop(true);
        command
    };
    let output = run_to_end(copy()).await;
    let stdout = succeeded(&output, "the copy");
    assert_eq!(
        stdout.trim_end(),
        format!(
            "copied {days} days, 0 already there; all {days} days verified: totals per currency equal in both stores"
        )
    );
    assert!(!text(&output.stderr).contains("s3cret-pw") && !stdout.contains("s3cret-pw"));
    check_store(&postgres, &source, &config, first, today, true).await;
    let again = succeeded(&run_to_end(copy()).await, "the second copy");
    assert!(
        again.starts_with(&format!("copied 0 days, {days} already there")),
        "{again}"
    );
}
