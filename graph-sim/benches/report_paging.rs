//! Benchmark of the performance target: `graph-sim --users 100000`, 90-day reports fetched page
//! by page. Prints start-up time, first-page time, later-page max/median and the simulator's
//! peak RSS (it runs as a child process, so the figure is the simulator's alone).
//!
//! Run: `cargo bench -p graph-sim --bench report_paging` (optionally `-- USERS WINDOWS`).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{Duration as Days, NaiveDate};

const TODAY: &str = "2025-01-01";

struct Simulator {
    child: Child,
    base_url: String,
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(users: u32) -> (Simulator, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_graph-sim"))
        .args(["--addr", "127.0.0.1:0", "--today", TODAY])
        .args(["--users", &users.to_string()])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn graph-sim");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read the listening line");
    let base_url = line
        .trim()
        .strip_prefix("graph-sim listening on ")
        .expect("listening line")
        .to_owned();
    (Simulator { child, base_url }, started.elapsed())
}

/// Peak resident set size of a process, from /proc (Linux).
fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

async fn token(client: &reqwest::Client, base: &str) -> String {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "client_credentials")
        .append_pair("client_id", graph_sim::DEFAULT_CLIENT_ID)
        .append_pair("client_secret", graph_sim::DEFAULT_CLIENT_SECRET)
        .append_pair("scope", &format!("{base}/.default"))
        .finish();
    let response: serde_json::Value = client
        .post(format!(
            "{base}/{}/oauth2/v2.0/token",
            graph_sim::DEFAULT_TENANT_ID
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("token request")
        .json()
        .await
        .expect("token json");
    response["access_token"].as_str().expect("token").to_owned()
}

/// Fetches every page of one window; returns the time of each page and the row count.
async fn fetch_window(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    from: NaiveDate,
) -> (Vec<Duration>, u64) {
    let to = from + Days::days(90);
    let mut url = Some(format!(
        "{base}/beta/communications/callRecords/getPstnOnlineMeetingDialoutReport(fromDateTime={from},toDateTime={to})"
    ));
    let (mut times, mut rows) = (Vec::new(), 0);
    while let Some(next) = url.take() {
        let started = Instant::now();
        let response = client
            .get(&next)
            .bearer_auth(token)
            .send()
            .await
            .expect("page");
        assert!(response.status().is_success(), "{}", response.status());
        let page: serde_json::Value = response.json().await.expect("page json");
        times.push(started.elapsed());
        rows += page["value"].as_array().map_or(0, |v| v.len() as u64);
        url = page["@odata.nextLink"].as_str().map(str::to_owned);
    }
    (times, rows)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // `cargo bench` passes `--bench`; numeric arguments override the defaults.
    let numbers: Vec<u32> = std::env::args().filter_map(|a| a.parse().ok()).collect();
    let users = numbers.first().copied().unwrap_or(100_000);
    let windows = numbers.get(1).copied().unwrap_or(3);

    let (sim, startup) = spawn(users);
    let client = reqwest::Client::new();
    let token = token(&client, &sim.base_url).await;
    let today = NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").expect("date");

    let (mut first_pages, mut later_pages, mut rows, mut pages) = (Vec::new(), Vec::new(), 0, 0);
    for w in 0..windows {
        let from = today - Days::days(91 + 91 * i64::from(w));
        let (times, window_rows) = fetch_window(&client, &sim.base_url, &token, from).await;
        pages += times.len();
        rows += window_rows;
        first_pages.push(times[0]);
        later_pages.extend_from_slice(&times[1..]);
    }
    later_pages.sort();
    let median = later_pages
        .get(later_pages.len() / 2)
        .copied()
        .unwrap_or_default();
    let max = later_pages.last().copied().unwrap_or_default();
    let first_max = first_pages.iter().max().copied().unwrap_or_default();

    println!("graph-sim report paging benchmark");
    println!("  users                 {users}");
    println!("  windows (90 days)     {windows}, {pages} pages, {rows} rows");
    println!("  start-up              {:.1} ms", ms(startup));
    println!(
        "  first page            max {:.1} ms  (each: {})",
        ms(first_max),
        first_pages
            .iter()
            .map(|d| format!("{:.1}", ms(*d)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  later pages           median {:.2} ms, max {:.2} ms",
        ms(median),
        ms(max)
    );
    match peak_rss_mib(sim.child.id()) {
        Some(mib) => println!("  simulator peak RSS    {mib:.1} MiB"),
        None => println!("  simulator peak RSS    (unavailable on this OS)"),
    }
}
