//! Helpers around graph-sim running in-process as a real HTTP server.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::NaiveDate;
use graph_client::{DayRange, DialoutRow, GraphClient};
use graph_sim::{RunningSim, SimConfig};
use rust_decimal::Decimal;

pub const TODAY: &str = "2025-06-15";

pub fn today() -> NaiveDate {
    NaiveDate::from_str(TODAY).unwrap()
}

/// Small and paged: 200 users, pages of 40 rows.
pub fn small_config() -> SimConfig {
    SimConfig {
        seed: 7,
        users: 200,
        today: today(),
        history_days: 420,
        page_size: 40,
        ..SimConfig::default()
    }
}

pub async fn start(config: SimConfig) -> RunningSim {
    graph_sim::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// The `days` days before today.
pub fn last_days(days: u64) -> DayRange {
    let to = today().pred_opt().unwrap();
    let from = today().checked_sub_days(chrono::Days::new(days)).unwrap();
    DayRange::new(from, to).unwrap()
}

/// Per currency: calls, seconds, charge, rows.
#[derive(Debug, Default, PartialEq, Eq, Clone)]
pub struct Totals {
    pub calls: u64,
    pub seconds: u64,
    pub charge: Decimal,
    pub rows: u64,
}

pub fn totals_of(rows: &[DialoutRow]) -> BTreeMap<String, Totals> {
    let mut out: BTreeMap<String, Totals> = BTreeMap::new();
    for row in rows {
        let t = out
            .entry(
                row.currency
                    .clone()
                    .expect("the simulator always sends a currency"),
            )
            .or_default();
        t.calls += u64::try_from(row.total_calls.unwrap()).unwrap();
        t.seconds += u64::try_from(row.total_call_seconds.unwrap()).unwrap();
        t.charge += row.total_call_charge.unwrap();
        t.rows += 1;
    }
    for t in out.values_mut() {
        t.charge = t.charge.normalize();
    }
    out
}

/// `GET /_sim/truth` over real HTTP.
pub async fn truth(sim: &RunningSim, range: DayRange) -> BTreeMap<String, Totals> {
    let url = format!(
        "{}/_sim/truth?from={}&to={}",
        sim.base_url(),
        range.from(),
        range.to()
    );
    let body = reqwest::get(&url)
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let mut out = BTreeMap::new();
    for (currency, t) in value["currencies"]
        .as_object()
        .expect("truth has currencies")
    {
        let number = |name: &str| {
            t[name]
                .as_u64()
                .unwrap_or_else(|| panic!("truth {currency}.{name}: {t}"))
        };
        out.insert(
            currency.clone(),
            Totals {
                calls: number("calls"),
                seconds: number("seconds"),
                charge: Decimal::from_str_exact(t["charge"].as_str().unwrap())
                    .unwrap()
                    .normalize(),
                rows: number("rows"),
            },
        );
    }
    out
}

/// `GET /_sim/stats` as JSON.
pub async fn stats(sim: &RunningSim) -> serde_json::Value {
    let body = reqwest::get(format!("{}/_sim/stats", sim.base_url()))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    serde_json::from_slice(&body).unwrap()
}

/// Fetches `range` and checks the totals per currency (and the merged row count) against the
/// simulator's truth, to the cent.
pub async fn assert_fetch_matches_truth(sim: &RunningSim, client: &GraphClient, range: DayRange) {
    let report = client
        .fetch_report(range, |_| {})
        .await
        .unwrap_or_else(|e| panic!("{range}: {e}"));
    let expected = truth(sim, range).await;
    assert!(
        !expected.is_empty(),
        "{range}: the truth is empty, the test would prove nothing"
    );
    assert_eq!(totals_of(&report.rows), expected, "{range}");
    assert_eq!(report.windows, range.windows().len());
}

/// Fetches 1, 90 and 400 days from a simulator started with `config` and checks each against
/// its truth. Each range gets a fresh client (its own rate limiter and its own learning of how
/// `toDateTime` is read), so the suite never waits on a limiter.
pub async fn check_ranges(config: SimConfig) {
    let sim = start(config).await;
    for days in [1, 90, 400] {
        let client = super::secret_client(sim.base_url(), graph_sim::DEFAULT_CLIENT_SECRET);
        assert_fetch_matches_truth(&sim, &client, last_days(days)).await;
    }
    sim.shutdown().await;
}
