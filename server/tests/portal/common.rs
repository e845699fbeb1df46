//! A portal on a loopback port, over an in-process simulator with a fixed seed and today.
use std::time::Duration;

use chrono::NaiveDate;
use dialout_portal::{
    GraphConnection, OpenHistory, ServerSettings, StoreSettings, listener, router,
};
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
    /// The portal's store (its days synced before the portal serves).
    pub history: report_store::History,
    _store_folder: tempfile::TempDir,
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

    /// A portal whose store is empty (no sync has run): every range is read from Graph on
    /// demand, as on a portal's first start.
    pub async fn empty(
        connection: GraphConnection,
        sim_config: SimConfig,
        settings: ServerSettings,
    ) -> Self {
        Self::launch(connection, sim_config, |_| settings, false, None).await
    }

    /// [`Self::empty`] in demo mode.
    pub async fn demo_empty(sim_config: SimConfig) -> Self {
        let connection = GraphConnection::demo(sim_config.clone()).await.unwrap();
        Self::empty(connection, sim_config, ServerSettings::default()).await
    }

    /// `settings` made once the portal's address is known (sign-in needs its public URL).
    pub async fn start_with(
        connection: GraphConnection,
        sim_config: SimConfig,
        settings: impl FnOnce(&str) -> ServerSettings,
    ) -> Self {
        Self::launch(connection, sim_config, settings, true, None).await
    }

    /// [`Self::demo`] with its store in the PostgreSQL database at `database_url`.
    pub async fn demo_on(sim_config: SimConfig, database_url: String) -> Self {
        let connection = GraphConnection::demo(sim_config.clone()).await.unwrap();
        let settings = |_: &str| ServerSettings::default();
        Self::launch(connection, sim_config, settings, true, Some(database_url)).await
    }

    async fn launch(
        connection: GraphConnection,
        sim_config: SimConfig,
        settings: impl FnOnce(&str) -> ServerSettings,
        synced: bool,
        database_url: Option<String>,
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
        // Each portal has a store of its own, synced over the simulator's history before it
        // serves (as a portal that has run for a while): pages read the store, not Graph.
        let store_folder = tempfile::tempdir().unwrap();
        let store_settings = StoreSettings {
            database_url: Some(database_url.unwrap_or_else(|| {
                store_folder
                    .path()
                    .join("store.sqlite")
                    .display()
                    .to_string()
            })),
            sync: report_store::SyncSettings {
                history_days: sim_config.history_days + 1,
                ..Default::default()
            },
            ..StoreSettings::default()
        };
        let history = OpenHistory::open(&connection, &store_settings)
            .await
            .unwrap()
            .history;
        if synced {
            let run = history.sync_once().await;
            assert_eq!(run.failed, None, "the test portal's first sync");
        }
        // Tests count the requests the portal makes from here on.
        if let Some(sim) = connection.simulator_url() {
            reqwest::Client::new()
                .post(format!("{sim}/_sim/stats/reset"))
                .send()
                .await
                .unwrap();
        }
        let (app, _) = router(options, &connection, history.clone(), &settings).unwrap();
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
            history,
            _store_folder: store_folder,
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

    /// The pages Graph serves for each day of `from..=to` read one by one (an empty day is one
    /// page), as the store reads them.
    pub fn day_pages(&self, from: &str, to: &str) -> u64 {
        let page_size = u64::from(self.sim_config.page_size);
        day(from)
            .iter_days()
            .take_while(|d| *d <= day(to))
            .map(|d| {
                let truth = graph_sim::truth(&self.sim_config, d, d).unwrap();
                truth.rows.div_ceil(page_size).max(1)
            })
            .sum()
    }

    /// The statuses `/events/progress?{query}` streams until it ends.
    pub async fn progress_events(&self, query: &str) -> Vec<app::model::FetchStatus> {
        let response = self.get(&format!("/events/progress?{query}")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        let body = response.text().await.unwrap();
        body.lines()
            .filter_map(|line| line.strip_prefix("data: "))
            .map(|data| serde_json::from_str(data).unwrap())
            .collect()
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

/// A users-table query for `from..=to`, every currency, `page` of pages of `page_size`, in the
/// group of the directory `org` names (every person when `None`).
pub fn every_currency(
    from: &str,
    to: &str,
    org: Option<&str>,
    page: u32,
    page_size: u32,
) -> app::model::UserQuery {
    app::model::UserQuery {
        range: app::model::DateRange {
            from: day(from),
            to: day(to),
        },
        filters: app::model::UserFilters {
            currency: Some(app::model::ALL_CURRENCIES.into()),
            org: org.map(str::to_string),
            page,
            ..app::model::UserFilters::default()
        },
        page_size,
        spend: None,
    }
}
