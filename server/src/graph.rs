//! Which Graph the portal talks to: the tenant configured in the environment, or, with no
//! credentials at all, the embedded simulator (demo mode). Both go through the same client.
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use app::report::Today;
use chrono::Utc;
use graph_client::{Cloud, Credential, GraphClient, GraphConfig, RateLimits, Secret};
use graph_sim::{RunningSim, SimConfig};

use crate::config::GraphSource;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Microsoft Graph with the organisation's app credential.
    Graph,
    /// The embedded simulator with made-up data.
    Demo,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Graph => "graph",
            Mode::Demo => "demo",
        }
    }
}

pub struct GraphConnection {
    pub client: Arc<GraphClient>,
    pub mode: Mode,
    /// Today's UTC date for this Graph: the clock's, or the simulator's `today` in demo mode.
    pub today: Today,
    /// Whether Graph limits its requests (a tenant, or a simulator that enforces the limits):
    /// only then is there a budget to share between people.
    pub limited: bool,
    /// Which Graph's report this is, for the store (a store synced from one is never mixed
    /// with another's).
    pub source: String,
    simulator: Option<RunningSim>,
}

impl GraphConnection {
    /// The embedded simulator's OpenID issuer (demo mode only).
    pub fn simulator_issuer(&self) -> Option<String> {
        self.simulator.as_ref().map(RunningSim::oidc_issuer)
    }

    /// Connects to the configured Graph, starting the simulator in demo mode.
    pub async fn connect(source: GraphSource) -> Result<Self, String> {
        match source {
            GraphSource::Tenant(config) => Self::tenant(config),
            GraphSource::Demo(sim_config) => Self::demo(sim_config).await,
        }
    }

    /// The Graph the environment alone configures (no configuration file), every setting
    /// checked as `serve` checks it.
    pub async fn from_env() -> Result<Self, String> {
        let graph =
            crate::config::graph_from_env().map_err(|error| format!("configuration: {error}"))?;
        Self::connect(graph).await
    }

    /// The organisation's tenant; today is the clock's UTC date.
    pub fn tenant(config: GraphConfig) -> Result<Self, String> {
        let today: Today = Arc::new(|| Utc::now().date_naive());
        let source = format!(
            "tenant {} at {}",
            config.tenant_id(),
            config.graph_endpoint()
        );
        Self::connect_client(config, Mode::Graph, today, None, true, source)
    }

    /// Starts the simulator on a free loopback port and connects to it.
    pub async fn demo(sim_config: SimConfig) -> Result<Self, String> {
        let sim_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let simulator = graph_sim::start(sim_config.clone(), sim_addr)
            .await
            .map_err(|error| format!("cannot start the embedded Graph simulator: {error}"))?;
        // The simulator is both the identity platform and Graph: the same client, other hosts.
        let config = GraphConfig::new(
            Cloud::Global,
            sim_config.tenant_id.clone(),
            sim_config.client_id.clone(),
            Credential::Secret(Secret::new(sim_config.client_secret.clone())),
        )
        .and_then(|config| config.with_authority_host(simulator.base_url()))
        .and_then(|config| config.with_graph_endpoint(simulator.base_url()))
        .map_err(|error| error.to_string())?;
        // Keep to Graph's documented request limits only where the simulator enforces them:
        // otherwise a demo stalls for a minute after a few range changes, for no reason.
        let config = if sim_config.enforce_limits {
            config
        } else {
            config.with_rate_limits(RateLimits::unlimited())
        };
        tracing::info!(
            simulator = simulator.base_url(),
            seed = sim_config.seed,
            users = sim_config.users,
            today = %sim_config.today,
            "no Graph credentials configured: demo mode"
        );
        let sim_today = sim_config.today;
        // The made-up data of a day depends on the seed and the number of users only.
        let source = format!(
            "the demo simulator (seed {}, {} users)",
            sim_config.seed, sim_config.users
        );
        Self::connect_client(
            config,
            Mode::Demo,
            Arc::new(move || sim_today),
            Some(simulator),
            sim_config.enforce_limits,
            source,
        )
    }

    fn connect_client(
        config: GraphConfig,
        mode: Mode,
        today: Today,
        simulator: Option<RunningSim>,
        limited: bool,
        source: String,
    ) -> Result<Self, String> {
        let client = GraphClient::new(config).map_err(|error| error.to_string())?;
        Ok(Self {
            client: Arc::new(client),
            mode,
            today,
            limited,
            source,
            simulator,
        })
    }

    /// The embedded simulator's base URL (its `/_sim/` endpoints serve tests), in demo mode.
    pub fn simulator_url(&self) -> Option<&str> {
        self.simulator.as_ref().map(RunningSim::base_url)
    }

    pub async fn shutdown(self) {
        if let Some(simulator) = self.simulator {
            simulator.shutdown().await;
        }
    }
}
