//! A portal on a loopback port, over an in-process simulator with a fixed seed and today.
use std::time::Duration;

use chrono::NaiveDate;
use dialout_portal::{GraphConnection, ServerSettings, listener, router};
use graph_sim::{SimConfig, Truth};
use leptos::prelude::LeptosOptions;
use rust_decimal::Decimal;
use serde_json::Value;
use tokio::task::JoinHandle;

pub const TODAY: (i32, u32, u32) = (2026, 3, 1);

pub fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A small, fast tenant: a few hundred users, short pages so a fetch has several.
pub fn sim_config() -> SimConfig {
    SimConfig {
        seed: 7,
        users: 400,
        today: NaiveDate::from_ymd_opt(TODAY.0, TODAY.1, TODAY.2).unwrap(),
        history_days: 120,
        page_size: 50,
        ..SimConfig::default()
    }
}

/// Held by each test's portal: the portal tests run one at a time. Every test has its own tokio
/// runtime, and Leptos keeps process-wide state while it renders: two dashboards rendering at
/// once on two runtimes now and then left one waiting forever (reproduced with 8 runtimes; never
/// with one runtime, as in production, nor one test at a time, nor for server functions alone).
/// (tokio's Mutex: it works across runtimes and is held across awaits.)
static ONE_PORTAL_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub struct Portal {
    pub base: String,
    pub http: reqwest::Client,
    pub sim_config: SimConfig,
    server: JoinHandle<()>,
    // Kept alive (the simulator stops when it is dropped).
    pub connection: GraphConnection,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Portal {
    pub async fn demo(sim_config: SimConfig) -> Self {
        let connection = GraphConnection::demo(sim_config.clone()).await.unwrap();
        Self::start(connection, sim_config, ServerSettings::default()).await
    }

    pub async fn start(
        connection: GraphConnection,
        sim_config: SimConfig,
        settings: ServerSettings,
    ) -> Self {
        Self::start_with(connection, sim_config, |_| settings).await
    }

    /// `settings` made once the portal's address is known (sign-in needs its public URL).
    pub async fn start_with(
        connection: GraphConnection,
        sim_config: SimConfig,
        settings: impl FnOnce(&str) -> ServerSettings,
    ) -> Self {
        // A test that failed still gives up its turn (its portal is dropped as it unwinds).
        let turn = ONE_PORTAL_AT_A_TIME.lock().await;
        // The committed static files stand in for the built site (the icon is among them).
        let options = LeptosOptions::builder()
            .output_name("dialout-portal")
            .site_root(concat!(env!("CARGO_MANIFEST_DIR"), "/../public"))
            .build();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let settings = settings(&base);
        let app = router(options, &connection, &settings).unwrap();
        // The accept loop `serve` uses, with its limits (and the peer's address for proxy mode).
        let limits = settings.connections.clone();
        let server = tokio::spawn(listener::serve(
            listener,
            app,
            limits,
            std::future::pending(),
        ));
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            base,
            http,
            sim_config,
            server,
            connection,
            _turn: turn,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.unwrap()
    }

    /// POSTs a server function with form-encoded arguments, as the page does.
    pub async fn server_fn(&self, name: &str, form: &str) -> reqwest::Response {
        self.http
            .post(self.url(&format!("/api/{name}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.to_owned())
            .send()
            .await
            .unwrap()
    }

    /// The simulator's request counters (`/_sim/stats`).
    pub async fn sim_stats(&self) -> Value {
        let sim = self.connection.simulator_url().unwrap();
        let url = format!("{sim}/_sim/stats");
        self.http
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub fn truth(&self, from: &str, to: &str) -> Truth {
        graph_sim::truth(&self.sim_config, day(from), day(to)).unwrap()
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Per currency: (calls, seconds, exact charge, rows).
pub type Totals = std::collections::BTreeMap<String, (u64, u64, Decimal, u64)>;

pub fn truth_totals(truth: &Truth) -> Totals {
    truth
        .currencies
        .iter()
        .map(|(currency, t)| (currency.clone(), (t.calls, t.seconds, t.charge, t.rows)))
        .collect()
}
