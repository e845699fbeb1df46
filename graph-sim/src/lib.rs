//! `graph-sim`: a faithful Microsoft Graph simulator for the Dialout Portal.
//!
//! It serves, on one loopback HTTP address, the Microsoft identity platform's token endpoint
//! (client credentials with a secret or a certificate assertion), the beta
//! `getPstnOnlineMeetingDialoutReport` function and the directory's `GET /v1.0/users`
//! (departments, cost centres, managers of the report's users), on deterministic made-up data,
//! with Graph's paging, errors, throttling and injectable faults; and an OpenID Connect provider
//! like Entra ID's (authorization code flow with PKCE) where fixed [`TEST_USERS`] sign in
//! without a password. See `README.md` for flags and endpoints.
//!
//! ```no_run
//! # async fn demo() -> Result<(), graph_sim::SimError> {
//! let sim = graph_sim::start(graph_sim::SimConfig::default(), "127.0.0.1:0".parse().unwrap()).await?;
//! println!("Graph at {}", sim.base_url());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

pub mod cli;
mod config;
mod data;
mod error;
mod http;
mod json;
mod odata;
mod report;
mod rng;
mod test_users;
mod truth;
mod users;
mod window;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{
    CollectionScope, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_HISTORY_DAYS,
    DEFAULT_OIDC_ALL_ROLE, DEFAULT_OIDC_CLIENT_ID, DEFAULT_OIDC_CLIENT_SECRET, DEFAULT_OIDC_ROLE,
    DEFAULT_PAGE_SIZE, DEFAULT_RETRY_AFTER_SECONDS, DEFAULT_SEED, DEFAULT_TENANT_ID,
    DEFAULT_TOKEN_TTL_SECONDS, DEFAULT_USERS, NextLinkKey, PlusInPath, RetentionReading,
    RetryAfterFormat, SimConfig, ToSemantics, TopSemantics, UNSTABLE_ORDER_OVERLAP,
};
pub use data::directory::OrgField;
pub use error::SimError;
pub use test_users::{CLEO, TEST_USERS, TestUser};
pub use truth::{
    Currencies, CurrencyTotals, NO_VALUE_GROUP, NOT_IN_DIRECTORY_GROUP, Truth, TruthQuery, truth,
    truth_of,
};

/// The object ids of everyone in the simulated directory who reports to the person with
/// `manager_id`, directly or indirectly (not that person), sorted: what
/// `/_sim/directory/reports?manager=` answers.
pub fn directory_reports(config: &SimConfig, manager_id: &str) -> Result<Vec<String>, SimError> {
    config.validate()?;
    let dataset = data::Dataset::new(config.seed, config.users, config.today, config.history_days);
    data::directory::Directory::new(&dataset).report_ids(manager_id)
}

/// How long `shutdown` waits for open requests before cutting them off.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A simulator serving in a background task. It stops on [`RunningSim::shutdown`] or on drop.
pub struct RunningSim {
    base_url: String,
    local_addr: SocketAddr,
    tenant_id: String,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

/// Starts a simulator on `addr` (a loopback address; port 0 picks a free port).
/// It is accepting connections when this returns.
pub async fn start(config: SimConfig, addr: SocketAddr) -> Result<RunningSim, SimError> {
    config.validate()?;
    if !addr.ip().is_loopback() {
        return Err(SimError::NotLoopback(addr));
    }
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| SimError::Bind { addr, source })?;
    let local_addr = listener
        .local_addr()
        .map_err(|source| SimError::Bind { addr, source })?;
    let base_url = format!("http://{local_addr}");
    let tenant_id = config.tenant_id.clone();
    let state = Arc::new(http::AppState::new(config, base_url.clone())?);
    let app = http::router(state);

    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let serving = axum::serve(listener, app).with_graceful_shutdown(async move {
            // A dropped sender also stops the server.
            let _ = stopped.await;
        });
        if let Err(error) = serving.await {
            tracing::error!(%error, "graph-sim server failed");
        }
    });
    tracing::info!(%base_url, "graph-sim serving");
    Ok(RunningSim {
        base_url,
        local_addr,
        tenant_id,
        stop: Some(stop),
        server: Some(server),
    })
}

impl RunningSim {
    /// `http://127.0.0.1:PORT`, without a trailing slash: the authority host and the Graph
    /// endpoint at once.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The token endpoint: `{base}/{tenant}/oauth2/v2.0/token`.
    pub fn token_url(&self) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.base_url, self.tenant_id)
    }

    /// The OpenID Connect issuer, `{base}/{tenant}/v2.0`: discovery is at
    /// `{issuer}/.well-known/openid-configuration`.
    pub fn oidc_issuer(&self) -> String {
        http::oidc::issuer(&self.base_url, &self.tenant_id)
    }

    /// The scope the token endpoint requires: `{base}/.default`.
    pub fn scope(&self) -> String {
        format!("{}/.default", self.base_url)
    }

    /// Stops accepting, lets open requests finish (up to a few seconds), then returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut server) = self.server.take()
            && tokio::time::timeout(SHUTDOWN_GRACE, &mut server)
                .await
                .is_err()
        {
            server.abort();
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}
