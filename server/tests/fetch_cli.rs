//! `dialout-portal fetch` as a script would run it, against the simulator over real HTTP.
mod tenant;

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::Output;
use std::str::FromStr;

use chrono::NaiveDate;
use graph_sim::{RunningSim, SimConfig};
use rust_decimal::Decimal;

fn sim_config() -> SimConfig {
    SimConfig {
        seed: 7,
        users: 300,
        today: NaiveDate::from_ymd_opt(2026, 6, 15).unwrap(),
        history_days: 200,
        ..SimConfig::default()
    }
}

async fn start_sim(config: &SimConfig) -> RunningSim {
    graph_sim::start(config.clone(), SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap()
}

/// Runs the real binary with the simulator as tenant, authority and Graph.
async fn fetch(sim: &RunningSim, config: &SimConfig, secret: &str, args: &[&str]) -> Output {
    let args: Vec<&str> = std::iter::once("fetch")
        .chain(args.iter().copied())
        .collect();
    tenant::command(sim, config, secret, &args)
        .output()
        .await
        .unwrap()
}

/// Per currency: (calls, seconds, charge) summed from the CSV.
fn csv_totals(csv_text: &str) -> BTreeMap<String, (u64, u64, Decimal)> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "userId",
            "userPrincipalName",
            "userDisplayName",
            "usageLocation",
            "destinationContext",
            "currency",
            "totalCalls",
            "totalCallCharge",
            "totalCallSeconds"
        ]
    );
    let mut totals = BTreeMap::new();
    for record in reader.records() {
        let record = record.unwrap();
        let entry: &mut (u64, u64, Decimal) = totals.entry(record[5].to_string()).or_default();
        entry.0 += record[6].parse::<u64>().unwrap();
        entry.2 += Decimal::from_str(&record[7]).unwrap();
        entry.1 += record[8].parse::<u64>().unwrap();
    }
    totals
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_writes_csv_whose_totals_equal_the_truth_across_windows() {
    let config = sim_config();
    let sim = start_sim(&config).await;
    let folder = tempfile::tempdir().unwrap();
    let output = folder.path().join("report.csv");
    // 120 days: two Graph windows, merged.
    let result = fetch(
        &sim,
        &config,
        &config.client_secret,
        &[
            "--from",
            "2026-02-01",
            "--to",
            "2026-05-31",
            "--output",
            output.to_str().unwrap(),
        ],
    )
    .await;
    assert!(
        result.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("fetched"), "stderr: {stderr}");

    let truth = graph_sim::truth(
        &config,
        NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 5, 31).unwrap(),
    )
    .unwrap();
    let totals = csv_totals(&std::fs::read_to_string(&output).unwrap());
    assert_eq!(totals.len(), truth.currencies.len());
    for (currency, expected) in &truth.currencies {
        let (calls, seconds, charge) = totals[currency];
        assert_eq!(
            (calls, seconds, charge),
            (expected.calls, expected.seconds, expected.charge),
            "{currency}"
        );
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_json_to_stdout_keeps_every_digit() {
    let config = sim_config();
    let sim = start_sim(&config).await;
    let result = fetch(
        &sim,
        &config,
        &config.client_secret,
        &[
            "--from",
            "2026-06-01",
            "--to",
            "2026-06-07",
            "--format",
            "json",
        ],
    )
    .await;
    assert!(
        result.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    let text = String::from_utf8(result.stdout).unwrap();
    let rows: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows[0].get("totalCallCharge").unwrap().is_number());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_fetch_exits_non_zero_with_one_line_and_leaves_no_file() {
    let config = sim_config();
    let sim = start_sim(&config).await;
    let folder = tempfile::tempdir().unwrap();
    let output = folder.path().join("report.csv");
    let wrong_secret = "not-the-secret";
    let result = fetch(
        &sim,
        &config,
        wrong_secret,
        &[
            "--from",
            "2026-06-01",
            "--to",
            "2026-06-07",
            "--output",
            output.to_str().unwrap(),
        ],
    )
    .await;
    assert!(!result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("dialout-portal:"))
        .collect();
    assert_eq!(lines.len(), 1, "stderr: {stderr}");
    assert!(
        lines[0].contains("7000215") || lines[0].to_lowercase().contains("secret"),
        "{}",
        lines[0]
    );
    assert!(
        !stderr.contains(wrong_secret),
        "the secret leaked: {stderr}"
    );
    assert!(!output.exists());
    assert_eq!(
        std::fs::read_dir(folder.path()).unwrap().count(),
        0,
        "a temporary file was left behind"
    );

    let reversed = fetch(
        &sim,
        &config,
        &config.client_secret,
        &["--from", "2026-06-07", "--to", "2026-06-01"],
    )
    .await;
    assert!(!reversed.status.success());
    assert!(String::from_utf8_lossy(&reversed.stderr).contains("after it ends"));
    // The portal's range rule: strict days, no future days (by the real clock here), at most
    // 731 days.
    for (args, problem) in [
        (["--from", "2026-6-1", "--to", "2026-06-07"], "YYYY-MM-DD"),
        (
            ["--from", "2026-06-01", "--to", "2999-01-01"],
            "after today",
        ),
        (
            ["--from", "2023-01-01", "--to", "2026-06-07"],
            "longest allowed",
        ),
    ] {
        let refused = fetch(&sim, &config, &config.client_secret, &args).await;
        assert!(!refused.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains(problem), "{args:?}: {stderr}");
    }
    sim.shutdown().await;
}
