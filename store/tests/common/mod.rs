//! Helpers shared by the store's integration tests: a small graph-sim, a GraphClient pointed at
//! it the way the server's demo mode does, made-up rows, and totals to compare with the sim's
//! truth. Each test file uses a part of these.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Days, NaiveDate, Utc};
use graph_client::{Cloud, Credential, DialoutRow, GraphClient, GraphConfig, RateLimits, Secret};
use graph_sim::{RetentionReading, RunningSim, SimConfig};
use report_store::{FetchedDay, History, Store, SyncSettings, Today, merge_days};
use rust_decimal::Decimal;

/// The simulators' `today` (fixed, so every run sees the same data).
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
}

/// `day` minus `n` days.
pub fn back(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(n)).unwrap()
}

/// The source name the stores of these tests are opened with.
pub const SOURCE: &str = "graph-sim seed=42 users=200";

/// A small simulator: 200 users (some 20 report rows a day), 8 rows a page (days have
/// several pages), no limits.
pub fn sim_config(retention_days: Option<u32>, retention_reading: RetentionReading) -> SimConfig {
    SimConfig {
        users: 200,
        page_size: 8,
        today: today(),
        history_days: 60,
        retention_days,
        retention_reading,
        enforce_limits: false,
        ..SimConfig::default()
    }
}

/// A running simulator and a client for it.
pub struct Sim {
    pub running: RunningSim,
    pub config: SimConfig,
    pub client: Arc<GraphClient>,
}

impl Sim {
    pub async fn start(config: SimConfig) -> Sim {
        let running = graph_sim::start(config.clone(), "127.0.0.1:0".parse().unwrap())
            .await
            .expect("the simulator starts");
        let client = client_for(&config, running.base_url());
        Sim {
            running,
            config,
            client,
        }
    }

    /// `GET /_sim/stats` (the simulator's request counters).
    pub async fn stats(&self) -> SimStats {
        let addr = self.running.local_addr();
        let body = tokio::task::spawn_blocking(move || {
            use std::io::{Read, Write};
            let mut stream = std::net::TcpStream::connect(addr).expect("connects to the sim");
            write!(
                stream,
                "GET /_sim/stats HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).unwrap();
            let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
            assert!(head.starts_with("HTTP/1.1 200"), "{head}");
            body.to_string()
        })
        .await
        .unwrap();
        let json: serde_json::Value = serde_json::from_str(&body).expect("stats are JSON");
        let count = |name: &str| {
            json[name]
                .as_u64()
                .unwrap_or_else(|| panic!("{name}: {json}"))
        };
        SimStats {
            report_requests: count("report_requests"),
            pages_served: count("pages_served"),
            responses_400: json["responses_by_status"]["400"].as_u64().unwrap_or(0),
            users_requests: count("users_requests"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimStats {
    pub report_requests: u64,
    pub pages_served: u64,
    pub responses_400: u64,
    /// Directory (`/v1.0/users`) requests.
    pub users_requests: u64,
}

/// A client for the simulator at `base`, built as `GraphConnection::demo` builds it.
pub fn client_for(config: &SimConfig, base: &str) -> Arc<GraphClient> {
    let graph = GraphConfig::new(
        Cloud::Global,
        config.tenant_id.clone(),
        config.client_id.clone(),
        Credential::Secret(Secret::new(config.client_secret.clone())),
    )
    .and_then(|graph| graph.with_authority_host(base))
    .and_then(|graph| graph.with_graph_endpoint(base))
    .expect("a valid client configuration");
    let graph = if config.enforce_limits {
        graph
    } else {
        graph.with_rate_limits(RateLimits::unlimited())
    };
    Arc::new(GraphClient::new(graph).expect("a client"))
}

/// A client that is never used (tests of the store alone still need one for a `History`).
pub fn offline_client() -> Arc<GraphClient> {
    client_for(
        &sim_config(None, RetentionReading::Empty),
        "http://127.0.0.1:9",
    )
}

pub fn fixed_today(day: NaiveDate) -> Today {
    Arc::new(move || day)
}

/// A history of `days` days ending on the sims' today.
pub fn history(store: &Store, client: Arc<GraphClient>, days: u32) -> History {
    History::new(
        store.clone(),
        client,
        SyncSettings {
            history_days: days,
            // The simulator's retention in these tests is days, not months.
            min_retention_days: 1,
            ..SyncSettings::default()
        },
        fixed_today(today()),
    )
}

/// The `sqlite://` URL of `name` in `dir`.
pub fn store_url(dir: &Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(name).display())
}

/// A store's database for a test that holds for both databases: the SQLite file `name` in
/// `dir`, or with `STORE_TEST_DATABASE=postgres` (`make test` runs the store's tests both
/// ways) a database on a throwaway PostgreSQL cluster of the test's own.
pub struct TestDb {
    pub url: String,
    _cluster: Option<pg_cluster::PgCluster>,
}

pub fn test_db(dir: &Path, name: &str) -> TestDb {
    match std::env::var("STORE_TEST_DATABASE").as_deref() {
        Ok("postgres") => {
            let cluster = pg_cluster::PgCluster::start().expect("a throwaway PostgreSQL cluster");
            let url = cluster.create_database("store").unwrap();
            TestDb {
                url,
                _cluster: Some(cluster),
            }
        }
        _ => TestDb {
            url: store_url(dir, name),
            _cluster: None,
        },
    }
}

/// Totals of one currency, as the truth gives them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub calls: u64,
    pub seconds: u64,
    pub charge: Decimal,
    pub rows: u64,
}

/// The merged rows of every stored day of `from..=to`, sorted by key.
pub async fn merged_rows(history: &History, from: NaiveDate, to: NaiveDate) -> Vec<DialoutRow> {
    let days = history
        .stored_days(from, to)
        .await
        .expect("stored days load");
    let refs: Vec<_> = days.iter().map(Arc::as_ref).collect();
    let (mut rows, stats) = merge_days(&refs, &history.store().keys()).expect("no overflow");
    assert_eq!(stats.output_rows, rows.len());
    rows.sort_by_key(row_key);
    rows
}

pub fn row_key(row: &DialoutRow) -> [Option<String>; 4] {
    [
        row.user_id.clone(),
        row.usage_location.clone(),
        row.destination_context.clone(),
        row.currency.clone(),
    ]
}

/// The rows summed per currency (rows without a currency under "").
pub fn totals_of(rows: &[DialoutRow]) -> BTreeMap<String, Totals> {
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
pub fn truth_totals(
    config: &SimConfig,
    from: NaiveDate,
    to: NaiveDate,
) -> BTreeMap<String, Totals> {
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

/// A made-up report row.
#[allow(clippy::too_many_arguments)]
pub fn row(
    user: &str,
    upn: Option<&str>,
    display: Option<&str>,
    location: &str,
    context: &str,
    currency: &str,
    calls: Option<i64>,
    seconds: Option<i64>,
    charge: Option<&str>,
) -> DialoutRow {
    DialoutRow {
        user_id: Some(user.to_string()),
        user_principal_name: upn.map(str::to_string),
        user_display_name: display.map(str::to_string),
        usage_location: Some(location.to_string()),
        destination_context: Some(context.to_string()),
        currency: Some(currency.to_string()),
        total_calls: calls,
        total_call_seconds: seconds,
        total_call_charge: charge.map(|text| Decimal::from_str_exact(text).unwrap()),
    }
}

/// A simple row of `user` (US, domestic, USD) with the given totals and names.
pub fn user_row(user: &str, name: &str, calls: i64, seconds: i64, charge: &str) -> DialoutRow {
    row(
        user,
        Some(&format!("{name}@contoso.example")),
        Some(name),
        "US",
        "Domestic",
        "USD",
        Some(calls),
        Some(seconds),
        Some(charge),
    )
}

pub fn fetched(day: NaiveDate, rows: Vec<DialoutRow>, pages: u64, request_id: &str) -> FetchedDay {
    FetchedDay {
        day,
        rows,
        pages,
        request_id: Some(request_id.to_string()),
        fetched_at: fetched_time(day),
        is_final: true,
        repeated_rows: 0,
    }
}

/// Three days after `day` at noon, with a sub-millisecond part.
pub fn fetched_time(day: NaiveDate) -> DateTime<Utc> {
    day.checked_add_days(Days::new(3))
        .unwrap()
        .and_hms_nano_opt(12, 0, 0, 123_456_789)
        .unwrap()
        .and_utc()
}
