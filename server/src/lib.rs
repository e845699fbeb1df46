//! The portal's server: configuration, the Graph connection (real or the embedded simulator),
//! and the axum application around the Leptos app.
//!
//! Routes besides the Leptos pages and server functions (`/api/*`):
//! - `GET /healthz`, `GET /readyz` (see [`health`]);
//! - `GET /export/dialout.csv`, `GET /export/dialout.xlsx`, `GET /export/chargeback.csv` (see
//!   [`export`]);
//! - `GET /events/progress` (see [`progress`]).
mod assets;
pub mod auth;
mod budget_alerts;
pub mod config;
pub mod doctor;
pub mod export;
pub mod fetch;
mod graph;
mod health;
pub mod history;
pub mod inbound;
mod layers;
pub mod listener;
pub mod progress;
mod range_query;
pub mod security;
pub mod store_copy;

use std::sync::Arc;

use app::report::ReportService;
use app::{App, shell};
use axum::Router;
use axum::extract::FromRef;
use axum::routing::{MethodRouter, get};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};

pub use config::{ConfigError, GraphSource, PortalConfig, ServerSettings, StoreSettings};
pub use graph::{GraphConnection, Mode};
pub use history::OpenHistory;

/// Logs go to stderr, coloured only on a terminal; `RUST_LOG` filters them (default:
/// `default_level`).
pub fn init_logging(default_level: &str) {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

#[derive(Clone)]
pub(crate) struct PortalState {
    leptos_options: LeptosOptions,
    mode: Mode,
    service: ReportService,
    /// The embedded simulator's base URL in demo mode: tests compare with its `/_sim/truth`.
    simulator_url: Option<String>,
    readiness: health::Readiness,
}

impl FromRef<PortalState> for LeptosOptions {
    fn from_ref(state: &PortalState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<PortalState> for ReportService {
    fn from_ref(state: &PortalState) -> Self {
        state.service.clone()
    }
}

/// The whole HTTP application for one Graph connection, and the report service it serves from.
pub fn router(
    leptos_options: LeptosOptions,
    connection: &GraphConnection,
    history: report_store::History,
    settings: &ServerSettings,
) -> Result<(Router, ReportService), String> {
    let auth = auth::Auth::new(
        &settings.auth,
        &settings.frame_ancestors,
        connection.simulator_issuer(),
        history.store().clone(),
    )?;
    // A demo simulator that enforces no limits has no budget to share.
    let quota = if connection.limited {
        settings.quota.clone()
    } else {
        app::report::QuotaSettings::unlimited()
    };
    let service = ReportService::new(
        history,
        settings.cache.clone(),
        quota,
        Arc::clone(&connection.today),
        settings.budgets.clone(),
    );
    let state = PortalState {
        leptos_options: leptos_options.clone(),
        mode: connection.mode,
        service: service.clone(),
        simulator_url: connection.simulator_url().map(str::to_string),
        readiness: health::Readiness::default(),
    };
    // What every page and server function finds in its Leptos context.
    let mode = match connection.mode {
        Mode::Graph => app::model::PortalMode::Graph,
        Mode::Demo => app::model::PortalMode::Demo,
    };
    let context = {
        let service = service.clone();
        let dashboards = app::dashboard::DashboardCache::default();
        move || {
            provide_context(service.clone());
            provide_context(dashboards.clone());
            provide_context(mode);
            security::provide_request_nonce();
        }
    };
    let routes = generate_route_list(App);
    let assets = assets::routes(&leptos_options.site_root, &leptos_options.site_pkg_dir);
    let app = extra_routes()
        .into_iter()
        .fold(Router::new(), |app, (path, route)| app.route(path, route))
        .merge(assets)
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(leptos_options.clone())
        })
        // Behind the guard: only a signed-in request reaches the app's not-found page.
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            PortalState,
            _,
        >(context, shell))
        .with_state(state);
    // Inside the security layer (the auth pages use its nonce), around every route.
    Ok((layers::around(auth.protect(app), settings), service))
}

/// The routes besides the Leptos pages and server functions.
fn extra_routes() -> Vec<(&'static str, MethodRouter<PortalState>)> {
    vec![
        ("/healthz", get(health::healthz)),
        ("/readyz", get(health::readyz)),
        ("/export/dialout.csv", get(export::csv)),
        ("/export/dialout.xlsx", get(export::xlsx)),
        (
            "/export/chargeback.csv",
            get(export::chargeback::chargeback),
        ),
        ("/events/progress", get(progress::progress)),
    ]
}

/// Every path the router serves, for tests that must reach them all: the routes above, the
/// Leptos pages (parameters as `{name}`) and the server functions, each with its method.
pub fn route_table() -> Vec<(String, axum::http::Method)> {
    use axum::http::Method;
    let mut table: Vec<(String, Method)> = extra_routes()
        .into_iter()
        .map(|(path, _)| (path.to_string(), Method::GET))
        .collect();
    for route in generate_route_list(App) {
        table.push((route.path().to_string(), Method::GET));
    }
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        table.push((path.to_string(), method));
    }
    table
}

/// How long after start the rest of the history window is read into memory.
const WARM_WINDOW_AFTER: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub async fn serve(config: PortalConfig) -> Result<(), String> {
    for warning in &config.warnings {
        tracing::warn!("{warning}");
    }
    let mut leptos_options = get_configuration(None)
        .map_err(|error| format!("Leptos configuration: {error}"))?
        .leptos_options;
    // LEPTOS_SITE_ADDR may come from the configuration file too.
    leptos_options.site_addr = config.site_addr;
    let addr = config.site_addr;
    let connection = GraphConnection::connect(config.graph).await?;
    let opened = OpenHistory::open(&connection, &config.store).await?;
    let history = opened.history.clone();
    let (app, service) = router(leptos_options, &connection, history.clone(), &config.server)?;
    // Budget warnings follow the sync: checked after each pass (from the first: subscribed
    // before the sync starts).
    if let Some(webhook) = config.server.budget_webhook.clone() {
        let passes = history.sync_passes();
        tokio::spawn(budget_alerts::run(
            service.clone(),
            history.clone(),
            passes,
            webhook,
        ));
    }
    // The default dashboard's days (the last 28 and today) go into memory at once and, when
    // all are stored, its figures are built, so the first page after a restart only renders;
    // ten seconds later the rest of the history window goes into memory, when it fits.
    let today = history.today();
    tokio::spawn({
        let history = history.clone();
        async move {
            let from = today - chrono::Days::new(28);
            history.warm(from, today).await;
            let range = app::range::default_range(today);
            if history.missing_days(range.from, range.to).is_empty() {
                let start_up = app::report::Requester::portal("portal start-up");
                let built = service.summary(range, &start_up).await.map(drop);
                let built = match built {
                    Ok(()) => service.trend(range, None, &start_up).await.map(drop),
                    failed => failed,
                };
                if let Err(error) = built {
                    tracing::warn!(%error, "could not build the default dashboard's figures");
                }
            }
            // Reading the whole history takes a core for seconds: the first pages people open
            // after a restart go first.
            tokio::time::sleep(WARM_WINDOW_AFTER).await;
            history.warm_window().await;
        }
    });
    // The sync runs beside the server from the start; it is stopped with it.
    let (stop_sync, sync_stopped) = tokio::sync::oneshot::channel::<()>();
    let sync = tokio::spawn(history.clone().run_sync(async {
        let _ = sync_stopped.await;
    }));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|error| format!("cannot listen on {addr} (LEPTOS_SITE_ADDR): {error}"))?;
    tracing::info!(
        mode = connection.mode.as_str(),
        "serving the portal on http://{addr}"
    );
    tracing::info!(auth = config.server.auth.mode_name(), "sign-in");
    listener::serve(
        listener,
        app,
        config.server.connections.clone(),
        shutdown_signal(),
    )
    .await;
    let _ = stop_sync.send(());
    // A day being written is rolled back whole if the process ends now; waiting is not needed
    // for safety, only to close the file cleanly.
    sync.abort();
    let _ = sync.await;
    history.store().close().await;
    drop(opened);
    connection.shutdown().await;
    Ok(())
}

/// `dialout-portal sync`: syncs the store once (`once`), or until Ctrl-C or SIGTERM.
pub async fn sync(graph: GraphSource, store: StoreSettings, once: bool) -> Result<(), String> {
    let connection = GraphConnection::connect(graph).await?;
    let opened = OpenHistory::open(&connection, &store).await?;
    let history = opened.history.clone();
    let result = if once {
        let run = history.sync_once().await;
        let report = history.report();
        println!(
            "synced {} new days, read {} days again; {}",
            run.new_days,
            run.reread_days,
            health::history_line(&report)
        );
        match run.failed {
            Some(failure) => Err(format!("the sync stopped: {failure}")),
            None => Ok(()),
        }
    } else {
        history.clone().run_sync(shutdown_signal()).await;
        Ok(())
    };
    history.store().close().await;
    drop(opened);
    connection.shutdown().await;
    result
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
