//! Benchmark: fetch a 100,000-row report (100,000 users, 90 days) from graph-sim running in a
//! separate process, against a raw lower bound measured in the same run: plain sequential GETs
//! following `@odata.nextLink`, bodies read but not parsed.
//!
//! `cargo bench -p graph-client --bench fetch` (release profile). The simulator runs in another
//! process: this same executable re-run in simulator mode through graph-sim's library and its
//! own command-line parser, built with the bench in release mode, so it can never be a stale
//! binary; `GRAPH_SIM_BIN=target/release/graph-sim` runs that binary instead. Since the
//! simulator is elsewhere, this process's peak RSS (VmHWM, reset before the client runs) is the
//! client's own. The CPU time of this process, of the simulator and of the rest of the machine
//! (from /proc) is printed too: on 2 shared cores, other work shows up in the ratio.
//!
//! Runs: one warm-up raw pass (the simulator builds and caches the 90-day aggregate), then
//! raw/client alternately `GRAPH_CLIENT_BENCH_RUNS` times (default 10); reports best and median.
//! `GRAPH_CLIENT_BENCH_DOCUMENTED_LIMITS=1` adds one client run under Graph's documented rate
//! limits (50 requests/min: minutes, by design). Options: `GRAPH_CLIENT_BENCH_USERS` (100000),
//! `GRAPH_CLIENT_BENCH_LATENCY_MS` (0: the simulator's `--latency-ms`, added to every request).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use graph_client::{Cloud, Credential, DayRange, GraphClient, GraphConfig, RateLimits, Secret};

const SIM_MODE: &str = "GRAPH_CLIENT_BENCH_SIM_MODE";

fn main() {
    if std::env::var_os(SIM_MODE).is_some() {
        return run_simulator();
    }
    let runs: usize = env_or("GRAPH_CLIENT_BENCH_RUNS", 10);
    let users: u32 = env_or("GRAPH_CLIENT_BENCH_USERS", 100_000);
    let (mut child, base, how) = spawn_simulator(users);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    // Both passes run on a runtime worker, as a fetch does in the portal's server.
    let pid = child.id();
    let result = runtime.block_on(async move {
        tokio::spawn(async move { bench(&base, runs, pid).await })
            .await
            .unwrap()
    });
    let _ = child.kill();
    let _ = child.wait();
    let report = result.unwrap_or_else(|e| panic!("benchmark failed: {e}"));
    let latency: u64 = env_or("GRAPH_CLIENT_BENCH_LATENCY_MS", 0);
    println!("simulator: {how}, {users} users, --latency-ms {latency}, separate process");
    report.print();
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Simulator mode: graph-sim's own command line and library; exits when stdin closes.
fn run_simulator() {
    use clap::Parser;
    let args = std::env::args().skip_while(|a| a != "--").skip(1);
    let cli = graph_sim::cli::Cli::parse_from(std::iter::once("graph-sim".to_string()).chain(args));
    let (config, addr) = cli.into_config().expect("simulator configuration");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sim = graph_sim::start(config, addr)
            .await
            .expect("simulator start");
        println!("graph-sim listening on {}", sim.base_url());
        tokio::task::spawn_blocking(|| std::io::stdin().lines().for_each(drop))
            .await
            .unwrap();
        sim.shutdown().await;
    });
}

fn spawn_simulator(users: u32) -> (Child, String, String) {
    let latency_ms: u64 = env_or("GRAPH_CLIENT_BENCH_LATENCY_MS", 0);
    let args = [
        "--addr".to_string(),
        "127.0.0.1:0".into(),
        "--users".into(),
        users.to_string(),
        "--latency-ms".into(),
        latency_ms.to_string(),
    ];
    let (mut command, how) = match std::env::var_os("GRAPH_SIM_BIN").map(PathBuf::from) {
        Some(binary) => {
            let mut c = Command::new(&binary);
            c.args(&args);
            (c, format!("{} (GRAPH_SIM_BIN)", binary.display()))
        }
        None => {
            let mut c = Command::new(std::env::current_exe().expect("this executable"));
            c.env(SIM_MODE, "1").arg("--").args(&args);
            let how = "this executable re-run as graph-sim (its library and command line, built with this bench)";
            (c, how.to_string())
        }
    };
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the simulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("the simulator's address line");
    let base = line
        .trim()
        .strip_prefix("graph-sim listening on ")
        .unwrap_or_else(|| panic!("unexpected line {line:?}"))
        .to_owned();
    (child, base, how)
}

struct Report {
    raw: Vec<Duration>,
    client: Vec<Duration>,
    rows: usize,
    pages: u64,
    raw_pages: usize,
    raw_bytes: usize,
    peak_rss_kib: u64,
    baseline_rss_kib: u64,
    hwm_reset: bool,
    documented_limits: Option<Duration>,
    raw_cpu: CpuUse,
    client_cpu: CpuUse,
}

/// CPU clock ticks: this process, the simulator, and the whole machine (busy, all CPUs).
#[derive(Default)]
struct CpuSample {
    this: u64,
    sim: u64,
    machine: u64,
}

impl CpuSample {
    fn take(sim_stat: &str) -> Self {
        Self {
            this: cpu_ticks("/proc/self/stat"),
            sim: cpu_ticks(sim_stat),
            machine: machine_busy_ticks(),
        }
    }
}

/// CPU ticks summed over the runs of one kind of pass.
#[derive(Default)]
struct CpuUse {
    this: u64,
    sim: u64,
    /// Busy ticks of the machine not spent by this process or the simulator: other work.
    others: u64,
}

impl CpuUse {
    fn add(&mut self, before: &CpuSample, after: &CpuSample) {
        let this = after.this.saturating_sub(before.this);
        let sim = after.sim.saturating_sub(before.sim);
        self.this += this;
        self.sim += sim;
        self.others += after
            .machine
            .saturating_sub(before.machine)
            .saturating_sub(this + sim);
    }
}

impl Report {
    fn print(&self) {
        let median = |v: &[Duration]| {
            let mut v = v.to_vec();
            v.sort();
            v[v.len() / 2]
        };
        let best = |v: &[Duration]| *v.iter().min().unwrap();
        println!(
            "rows: {} merged rows from {} pages ({} raw pages, {:.1} MiB of JSON per pass)",
            self.rows,
            self.pages,
            self.raw_pages,
            self.raw_bytes as f64 / 1048576.0
        );
        for (name, v) in [
            ("raw lower bound", &self.raw),
            ("graph-client", &self.client),
        ] {
            let all: Vec<String> = v
                .iter()
                .map(|d| format!("{:.3}", d.as_secs_f64()))
                .collect();
            println!(
                "{name:>16}: best {:.3} s, median {:.3} s  [{}]",
                best(v).as_secs_f64(),
                median(v).as_secs_f64(),
                all.join(", ")
            );
        }
        let per_pass =
            |ticks: u64| ticks as f64 * 1000.0 / clock_ticks_per_second() / self.raw.len() as f64;
        for (name, cpu) in [
            ("raw lower bound", &self.raw_cpu),
            ("graph-client", &self.client_cpu),
        ] {
            println!(
                "CPU per pass, {name}: this process {:.0} ms, simulator {:.0} ms, other processes {:.0} ms",
                per_pass(cpu.this),
                per_pass(cpu.sim),
                per_pass(cpu.others),
            );
        }
        let ratio_best = best(&self.client).as_secs_f64() / best(&self.raw).as_secs_f64();
        let ratio_median = median(&self.client).as_secs_f64() / median(&self.raw).as_secs_f64();
        let verdict = |ok: bool| if ok { "meets" } else { "MISSES" };
        println!(
            "ratio client/raw: best {ratio_best:.3}, median {ratio_median:.3} ({} the 1.15 target)",
            verdict(ratio_median <= 1.15)
        );
        let peak_mb = self.peak_rss_kib as f64 / 1024.0;
        println!(
            "peak RSS of this process (VmHWM{}): {peak_mb:.1} MiB, {:.1} MiB before the client ran ({} the 80 MB target)",
            if self.hwm_reset {
                ", reset before the client runs"
            } else {
                ", NOT reset: includes the raw runs"
            },
            self.baseline_rss_kib as f64 / 1024.0,
            verdict(self.peak_rss_kib * 1024 <= 80_000_000),
        );
        if let Some(d) = self.documented_limits {
            println!(
                "graph-client under the documented limits (50 req/min): {:.1} s",
                d.as_secs_f64()
            );
        }
    }
}

async fn bench(base: &str, runs: usize, sim_pid: u32) -> Result<Report, String> {
    let today = chrono::Utc::now().date_naive();
    let range = DayRange::new(today - chrono::Days::new(90), today - chrono::Days::new(1))
        .map_err(|e| e.to_string())?;
    let window = range.windows()[0];
    let http = reqwest::Client::new();
    let token = raw_token(&http, base).await?;
    let first_url = format!(
        "{base}/beta/communications/callRecords/{}",
        window.function_call()
    );
    let (raw_pages, raw_bytes) = raw_pass(&http, &token, &first_url).await?; // warm-up
    let client =
        GraphClient::new(config(base, RateLimits::unlimited())?).map_err(|e| e.to_string())?;
    client.check_token().await.map_err(|e| e.to_string())?;

    let baseline_rss_kib = proc_status_kib("VmRSS:").unwrap_or(0);
    let mut report = Report {
        raw: Vec::new(),
        client: Vec::new(),
        rows: 0,
        pages: 0,
        raw_pages,
        raw_bytes,
        peak_rss_kib: 0,
        baseline_rss_kib,
        hwm_reset: std::fs::write("/proc/self/clear_refs", "5").is_ok(),
        documented_limits: None,
        raw_cpu: CpuUse::default(),
        client_cpu: CpuUse::default(),
    };
    let sim_stat = format!("/proc/{sim_pid}/stat");
    for _ in 0..runs {
        let before = CpuSample::take(&sim_stat);
        let started = Instant::now();
        raw_pass(&http, &token, &first_url).await?;
        report.raw.push(started.elapsed());
        report.raw_cpu.add(&before, &CpuSample::take(&sim_stat));

        let before = CpuSample::take(&sim_stat);
        let started = Instant::now();
        let fetched = client
            .fetch_report(range, |_| {})
            .await
            .map_err(|e| e.to_string())?;
        report.client.push(started.elapsed());
        report.client_cpu.add(&before, &CpuSample::take(&sim_stat));
        report.rows = fetched.rows.len();
        report.pages = fetched.pages;
        drop(fetched); // outside the timed part: freeing 65k rows is the caller's business
    }
    report.peak_rss_kib = proc_status_kib("VmHWM:").unwrap_or(0);
    if std::env::var_os("GRAPH_CLIENT_BENCH_DOCUMENTED_LIMITS").is_some() {
        let limited =
            GraphClient::new(config(base, RateLimits::documented())?).map_err(|e| e.to_string())?;
        let started = Instant::now();
        limited
            .fetch_report(range, |_| {})
            .await
            .map_err(|e| e.to_string())?;
        report.documented_limits = Some(started.elapsed());
    }
    Ok(report)
}

fn config(base: &str, limits: RateLimits) -> Result<GraphConfig, String> {
    let credential = Credential::Secret(Secret::new(graph_sim::DEFAULT_CLIENT_SECRET));
    GraphConfig::new(
        Cloud::Global,
        graph_sim::DEFAULT_TENANT_ID,
        graph_sim::DEFAULT_CLIENT_ID,
        credential,
    )
    .and_then(|c| c.with_authority_host(base))
    .and_then(|c| c.with_graph_endpoint(base))
    .map(|c| c.with_rate_limits(limits))
    .map_err(|e| e.to_string())
}

async fn raw_token(http: &reqwest::Client, base: &str) -> Result<String, String> {
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "client_credentials")
        .append_pair("client_id", graph_sim::DEFAULT_CLIENT_ID)
        .append_pair("client_secret", graph_sim::DEFAULT_CLIENT_SECRET)
        .append_pair("scope", &format!("{base}/.default"))
        .finish();
    let response = http
        .post(format!(
            "{base}/{}/oauth2/v2.0/token",
            graph_sim::DEFAULT_TENANT_ID
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let body: serde_json::Value =
        serde_json::from_slice(&response.bytes().await.map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    body["access_token"]
        .as_str()
        .map(String::from)
        .ok_or_else(|| format!("no token: {body}"))
}

/// Sequential GETs following nextLink; each body is read in full, and only scanned for the link.
async fn raw_pass(
    http: &reqwest::Client,
    token: &str,
    first: &str,
) -> Result<(usize, usize), String> {
    let mut url = first.to_owned();
    let (mut pages, mut bytes) = (0, 0);
    loop {
        let response = http
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("raw GET answered {}", response.status()));
        }
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        pages += 1;
        bytes += body.len();
        match next_link(&body) {
            Some(next) => url = next,
            None => return Ok((pages, bytes)),
        }
    }
}

fn next_link(body: &[u8]) -> Option<String> {
    const KEY: &[u8] = b"\"@odata.nextLink\":\"";
    let start = memchr::memmem::find(body, KEY)? + KEY.len();
    let len = memchr::memchr(b'"', &body[start..])?;
    Some(String::from_utf8_lossy(&body[start..start + len]).replace("\\/", "/"))
}

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(stat_path: &str) -> u64 {
    let Ok(stat) = std::fs::read_to_string(stat_path) else {
        return 0;
    };
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(11) + field(12)
}

/// Busy ticks of all CPUs (everything but idle and iowait), from /proc/stat.
fn machine_busy_ticks() -> u64 {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else {
        return 0;
    };
    let Some(line) = stat.lines().next() else {
        return 0;
    };
    let values: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal …
    values
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, v)| v)
        .sum()
}

/// Linux's USER_HZ, 100 on every mainstream architecture.
fn clock_ticks_per_second() -> f64 {
    100.0
}

fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
