//! The portal's settings: the environment, over an optional TOML file (`--config FILE`) whose
//! keys are the variable names. Everything is checked at start; every error names the setting.
//! `docs/configuration.md` is the reference.
mod auth;
mod file;
mod store;
mod values;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use app::report::outlook::{Budgets, parse_budgets};
use app::report::{CacheSettings, QuotaSettings};
use chrono::Utc;
use graph_client::GraphConfig;
use graph_sim::SimConfig;

pub use auth::{
    AuthSettings, DEFAULT_REQUIRED_ROLE, EntraSettings, Issuer, ProxySettings, SessionSettings,
};
pub use file::FileSettings;
pub use store::{DEFAULT_DATABASE_PATH, StoreSettings};
use values::Values;
pub(crate) use values::parse_day;

use crate::listener::ConnectionLimits;
use crate::security::FrameAncestors;

/// The names of the portal's own settings (the Graph ones are `graph_client::env_vars`).
pub mod names {
    pub const SITE_ADDR: &str = "LEPTOS_SITE_ADDR";
    pub const FRAME_ANCESTORS: &str = "PORTAL_FRAME_ANCESTORS";
    pub const REQUEST_TIMEOUT: &str = "PORTAL_REQUEST_TIMEOUT_SECS";
    pub const BODY_LIMIT: &str = "PORTAL_BODY_LIMIT_BYTES";
    pub const BODY_READ_TIMEOUT: &str = "PORTAL_BODY_READ_TIMEOUT_SECS";
    pub const HEADER_READ_TIMEOUT: &str = "PORTAL_HEADER_READ_TIMEOUT_SECS";
    pub const MAX_CONNECTIONS: &str = "PORTAL_MAX_CONNECTIONS";
    pub const MAX_CONNECTIONS_PER_CLIENT: &str = "PORTAL_MAX_CONNECTIONS_PER_CLIENT";
    pub const GRAPH_WINDOWS_PER_MINUTE: &str = "PORTAL_GRAPH_WINDOWS_PER_MINUTE";
    pub const GRAPH_WINDOWS_BURST: &str = "PORTAL_GRAPH_WINDOWS_BURST";
    pub const REFRESH_COOLDOWN: &str = "PORTAL_REFRESH_COOLDOWN_SECS";
    pub const CACHE_RECENT_TTL: &str = "PORTAL_CACHE_RECENT_TTL_SECS";
    pub const CACHE_SETTLED_TTL: &str = "PORTAL_CACHE_SETTLED_TTL_SECS";
    pub const CACHE_LAG_DAYS: &str = "PORTAL_CACHE_LAG_DAYS";
    pub const CACHE_MAX_ROWS: &str = "PORTAL_CACHE_MAX_ROWS";
    pub const DEMO_SEED: &str = "PORTAL_DEMO_SEED";
    pub const DEMO_USERS: &str = "PORTAL_DEMO_USERS";
    pub const DEMO_TODAY: &str = "PORTAL_DEMO_TODAY";
    pub const DEMO_LATENCY_MS: &str = "PORTAL_DEMO_LATENCY_MS";
    pub const DEMO_ERROR_RATE: &str = "PORTAL_DEMO_ERROR_RATE";
    pub const DEMO_THROTTLE_RATE: &str = "PORTAL_DEMO_THROTTLE_RATE";
    pub const AUTH: &str = "PORTAL_AUTH";
    pub const REQUIRED_ROLE: &str = "PORTAL_REQUIRED_ROLE";
    pub const SCOPE: &str = "PORTAL_SCOPE";
    pub const ALL_ROLE: &str = "PORTAL_ALL_ROLE";
    pub const OIDC_CLIENT_ID: &str = "PORTAL_OIDC_CLIENT_ID";
    pub const OIDC_CLIENT_SECRET: &str = "PORTAL_OIDC_CLIENT_SECRET";
    pub const PUBLIC_URL: &str = "PORTAL_PUBLIC_URL";
    pub const SESSION_KEY: &str = "PORTAL_SESSION_KEY";
    pub const SESSION_IDLE_MINUTES: &str = "PORTAL_SESSION_IDLE_MINUTES";
    pub const SESSION_MAX_MINUTES: &str = "PORTAL_SESSION_MAX_MINUTES";
    pub const PROXY_USER_HEADER: &str = "PORTAL_PROXY_USER_HEADER";
    pub const PROXY_ROLES_HEADER: &str = "PORTAL_PROXY_ROLES_HEADER";
    pub const TRUSTED_PROXIES: &str = "PORTAL_TRUSTED_PROXIES";
    pub const DATABASE_URL: &str = "PORTAL_DATABASE_URL";
    pub const HISTORY_DAYS: &str = "PORTAL_HISTORY_DAYS";
    pub const SYNC_INTERVAL: &str = "PORTAL_SYNC_INTERVAL";
    pub const SYNC_GRAPH_SHARE: &str = "PORTAL_SYNC_GRAPH_SHARE";
    pub const STORE_CACHE_ROWS: &str = "PORTAL_STORE_CACHE_ROWS";
    pub const BUDGETS: &str = "PORTAL_BUDGETS";
    pub const BUDGET_WEBHOOK: &str = "PORTAL_BUDGET_WEBHOOK";

    /// The sign-in settings.
    pub const AUTH_ALL: [&str; 13] = [
        AUTH,
        REQUIRED_ROLE,
        SCOPE,
        ALL_ROLE,
        OIDC_CLIENT_ID,
        OIDC_CLIENT_SECRET,
        PUBLIC_URL,
        SESSION_KEY,
        SESSION_IDLE_MINUTES,
        SESSION_MAX_MINUTES,
        PROXY_USER_HEADER,
        PROXY_ROLES_HEADER,
        TRUSTED_PROXIES,
    ];

    /// The demo settings, ignored (with a warning) when Graph credentials are configured.
    pub const DEMO: [&str; 6] = [
        DEMO_SEED,
        DEMO_USERS,
        DEMO_TODAY,
        DEMO_LATENCY_MS,
        DEMO_ERROR_RATE,
        DEMO_THROTTLE_RATE,
    ];

    /// Every setting a configuration file may hold.
    pub fn all() -> impl Iterator<Item = &'static str> {
        use graph_client::env_vars as graph;
        [
            SITE_ADDR,
            FRAME_ANCESTORS,
            REQUEST_TIMEOUT,
            BODY_LIMIT,
            BODY_READ_TIMEOUT,
            HEADER_READ_TIMEOUT,
            MAX_CONNECTIONS,
            MAX_CONNECTIONS_PER_CLIENT,
            GRAPH_WINDOWS_PER_MINUTE,
            GRAPH_WINDOWS_BURST,
            REFRESH_COOLDOWN,
            CACHE_RECENT_TTL,
            CACHE_SETTLED_TTL,
            CACHE_LAG_DAYS,
            CACHE_MAX_ROWS,
            DATABASE_URL,
            HISTORY_DAYS,
            SYNC_INTERVAL,
            SYNC_GRAPH_SHARE,
            STORE_CACHE_ROWS,
            BUDGETS,
            BUDGET_WEBHOOK,
            graph::TENANT_ID,
            graph::CLIENT_ID,
            graph::CLIENT_SECRET,
            graph::CLIENT_CERTIFICATE_PATH,
            graph::CLOUD,
            graph::AUTHORITY_HOST,
            graph::GRAPH_ENDPOINT,
        ]
        .into_iter()
        .chain(DEMO)
        .chain(AUTH_ALL)
    }
}

/// A configuration problem, found at start. Never contains a secret's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{setting} is invalid: {problem}")]
    Invalid {
        setting: &'static str,
        problem: String,
    },
    #[error("configuration file {path}: {problem}")]
    File { path: String, problem: String },
    #[error(transparent)]
    Graph(#[from] graph_client::ConfigError),
}

/// Which Graph the portal reads.
#[derive(Clone, Debug)]
pub enum GraphSource {
    /// The organisation's tenant, with its app credential.
    Tenant(GraphConfig),
    /// No credentials: the embedded simulator with these settings (demo mode).
    Demo(SimConfig),
}

/// What shapes the HTTP application (everything but the address and the Graph).
#[derive(Clone, Debug)]
pub struct ServerSettings {
    pub frame_ancestors: FrameAncestors,
    /// Longest time to produce a response's head. A first fetch from Graph is included, and the
    /// client keeps to Graph's documented rate (50 report requests a minute): 10 minutes.
    pub request_timeout: Duration,
    /// Largest request body accepted (server-function arguments are small).
    pub body_limit: usize,
    /// Longest time to receive a request's body.
    pub body_read_timeout: Duration,
    /// Connections at once, per client and in all; the time to send a request's head.
    pub connections: ConnectionLimits,
    pub cache: CacheSettings,
    /// Each requester's share of Graph's request budget.
    pub quota: QuotaSettings,
    /// Who may read the report (`PORTAL_AUTH`).
    pub auth: AuthSettings,
    /// Monthly budgets per currency (`PORTAL_BUDGETS`).
    pub budgets: Budgets,
    /// Where a budget warning is posted (`PORTAL_BUDGET_WEBHOOK`): HTTPS, or HTTP to this host.
    pub budget_webhook: Option<url::Url>,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            frame_ancestors: FrameAncestors::default(),
            request_timeout: Duration::from_secs(600),
            body_limit: 64 * 1024,
            body_read_timeout: Duration::from_secs(30),
            connections: ConnectionLimits::default(),
            cache: CacheSettings::default(),
            quota: QuotaSettings::default(),
            auth: AuthSettings::None,
            budgets: Budgets::new(),
            budget_webhook: None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct PortalConfig {
    pub site_addr: SocketAddr,
    pub graph: GraphSource,
    pub server: ServerSettings,
    /// The kept history and its sync.
    pub store: StoreSettings,
    /// Things worth a warning in the log once logging is set up.
    pub warnings: Vec<String>,
}

impl PortalConfig {
    /// The environment over the file at `path`, if any.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let file = match path {
            Some(path) => FileSettings::read(path)?,
            None => FileSettings::default(),
        };
        Self::from_layers(&file, env_lookup)
    }

    /// `env` over `file`: a variable present in `env`, even empty, wins; empty means unset.
    pub fn from_layers(
        file: &FileSettings,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let values = Values::new(file, env);
        let mut warnings = file.warnings().to_vec();
        let store = store::store_settings(&values)?;
        let graph = graph_with_share(&values, &mut warnings, &store)?;
        let site_addr = values.parse(names::SITE_ADDR, SocketAddr::from(([127, 0, 0, 1], 3000)))?;
        let auth = auth::auth_settings(&values, &graph, site_addr)?;
        if let AuthSettings::Entra(entra) = &auth
            && entra.session.key.is_none()
        {
            warnings.push(format!(
                "{} is not set: sessions are signed with a key made at start, so everyone signs in again after a restart",
                names::SESSION_KEY
            ));
        }
        Ok(Self {
            site_addr,
            graph,
            server: ServerSettings {
                auth,
                ..server_settings(&values)?
            },
            store,
            warnings,
        })
    }
}

/// The Graph and the store the environment over the file at `path` configure (the `sync`
/// command: no server, so no sign-in settings are needed).
pub fn sync_config(path: Option<&Path>) -> Result<(GraphSource, StoreSettings), ConfigError> {
    let file = match path {
        Some(path) => FileSettings::read(path)?,
        None => FileSettings::default(),
    };
    let values = Values::new(&file, env_lookup);
    let store = store::store_settings(&values)?;
    let graph = graph_with_share(&values, &mut Vec::new(), &store)?;
    Ok((graph, store))
}

/// Only the Graph the environment configures (the `fetch` command: no server, no sign-in).
pub fn graph_from_env() -> Result<GraphSource, ConfigError> {
    let file = FileSettings::default();
    let values = Values::new(&file, env_lookup);
    graph_source(&values, &mut Vec::new())
}

/// The Graph the settings configure, a tenant's keeping the sync to its share of the budget.
fn graph_with_share(
    values: &Values<'_>,
    warnings: &mut Vec<String>,
    store: &StoreSettings,
) -> Result<GraphSource, ConfigError> {
    Ok(match graph_source(values, warnings)? {
        GraphSource::Tenant(config) => {
            GraphSource::Tenant(config.with_background_share(store.graph_share).map_err(
                |error| ConfigError::Invalid {
                    setting: names::SYNC_GRAPH_SHARE,
                    problem: error.to_string(),
                },
            )?)
        }
        demo => demo,
    })
}

fn graph_source(
    values: &Values<'_>,
    warnings: &mut Vec<String>,
) -> Result<GraphSource, ConfigError> {
    Ok(match GraphConfig::from_lookup(|name| values.get(name))? {
        Some(config) => {
            let ignored: Vec<&str> = names::DEMO
                .into_iter()
                .filter(|name| values.get(name).is_some())
                .collect();
            if !ignored.is_empty() {
                warnings.push(format!(
                    "{} ignored: Graph credentials are configured, so the portal is not in demo mode",
                    ignored.join(", ")
                ));
            }
            GraphSource::Tenant(config)
        }
        None => GraphSource::Demo(demo_settings(values)?),
    })
}

fn env_lookup(name: &str) -> Option<String> {
    std::env::var_os(name).map(|value| value.to_string_lossy().into_owned())
}

fn server_settings(values: &Values<'_>) -> Result<ServerSettings, ConfigError> {
    let defaults = ServerSettings::default();
    let frame_ancestors = match values.get(names::FRAME_ANCESTORS) {
        Some(text) => FrameAncestors::parse(&text).map_err(|problem| ConfigError::Invalid {
            setting: names::FRAME_ANCESTORS,
            problem,
        })?,
        None => defaults.frame_ancestors,
    };
    let cache = CacheSettings {
        recent_ttl: values.seconds(names::CACHE_RECENT_TTL, defaults.cache.recent_ttl)?,
        settled_ttl: values.seconds(names::CACHE_SETTLED_TTL, defaults.cache.settled_ttl)?,
        lag_days: values.bounded(names::CACHE_LAG_DAYS, defaults.cache.lag_days, 0..=90)?,
        max_rows: values.bounded(
            names::CACHE_MAX_ROWS,
            defaults.cache.max_rows,
            1..=1_000_000_000,
        )?,
    };
    Ok(ServerSettings {
        frame_ancestors,
        request_timeout: values.seconds(names::REQUEST_TIMEOUT, defaults.request_timeout)?,
        body_limit: values.bounded(names::BODY_LIMIT, defaults.body_limit, 1024..=64 << 20)?,
        body_read_timeout: bounded_seconds(
            values,
            names::BODY_READ_TIMEOUT,
            defaults.body_read_timeout,
            600,
        )?,
        connections: ConnectionLimits {
            max_connections: values.bounded(
                names::MAX_CONNECTIONS,
                defaults.connections.max_connections,
                1..=1_000_000,
            )?,
            max_per_client: values.bounded(
                names::MAX_CONNECTIONS_PER_CLIENT,
                defaults.connections.max_per_client,
                1..=1_000_000,
            )?,
            header_read_timeout: bounded_seconds(
                values,
                names::HEADER_READ_TIMEOUT,
                defaults.connections.header_read_timeout,
                300,
            )?,
            ..defaults.connections
        },
        cache,
        quota: QuotaSettings {
            windows_per_minute: values.bounded(
                names::GRAPH_WINDOWS_PER_MINUTE,
                defaults.quota.windows_per_minute,
                1..=100_000,
            )?,
            burst: values.bounded(
                names::GRAPH_WINDOWS_BURST,
                defaults.quota.burst,
                1..=100_000,
            )?,
            refresh_cooldown: Duration::from_secs(values.bounded(
                names::REFRESH_COOLDOWN,
                defaults.quota.refresh_cooldown.as_secs(),
                0..=86_400,
            )?),
        },
        auth: AuthSettings::None,
        budgets: match values.get(names::BUDGETS) {
            Some(text) => parse_budgets(&text).map_err(|problem| ConfigError::Invalid {
                setting: names::BUDGETS,
                problem,
            })?,
            None => Budgets::new(),
        },
        budget_webhook: values
            .get(names::BUDGET_WEBHOOK)
            .map(|text| {
                webhook_url(&text).map_err(|problem| ConfigError::Invalid {
                    setting: names::BUDGET_WEBHOOK,
                    problem,
                })
            })
            .transpose()?,
    })
}

/// A webhook's address: HTTPS (a Teams incoming webhook, any endpoint), or plain HTTP only to
/// this host (a relay beside the portal, a test's receiver): the warning names spend.
fn webhook_url(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text).map_err(|error| format!("not a URL ({error})"))?;
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if values::is_loopback(&url) => Ok(url),
        // Scheme and host only: the rest of a webhook's address is its secret.
        _ => Err(format!(
            "{}://{} must be an https:// address (http:// only to this host)",
            url.scheme(),
            url.host_str().unwrap_or_default()
        )),
    }
}

/// Whole seconds from 1 to `max`.
fn bounded_seconds(
    values: &Values<'_>,
    name: &'static str,
    default: Duration,
    max: u64,
) -> Result<Duration, ConfigError> {
    values
        .bounded(name, default.as_secs(), 1..=max)
        .map(Duration::from_secs)
}

fn demo_settings(values: &Values<'_>) -> Result<SimConfig, ConfigError> {
    let defaults = SimConfig::default();
    let config = SimConfig {
        seed: values.parse(names::DEMO_SEED, defaults.seed)?,
        users: values.bounded(names::DEMO_USERS, defaults.users, 0..=5_000_000)?,
        today: match values.get(names::DEMO_TODAY) {
            Some(text) => values::parse_day(&text).map_err(|problem| ConfigError::Invalid {
                setting: names::DEMO_TODAY,
                problem,
            })?,
            None => Utc::now().date_naive(),
        },
        latency_ms: values.bounded(names::DEMO_LATENCY_MS, defaults.latency_ms, 0..=60_000)?,
        error_rate: values.rate(names::DEMO_ERROR_RATE)?,
        throttle_rate: values.rate(names::DEMO_THROTTLE_RATE)?,
        ..defaults
    };
    if config.error_rate + config.throttle_rate > 1.0 {
        return Err(ConfigError::Invalid {
            setting: names::DEMO_ERROR_RATE,
            problem: format!(
                "{} plus {} must not exceed 1",
                names::DEMO_ERROR_RATE,
                names::DEMO_THROTTLE_RATE
            ),
        });
    }
    config.validate().map_err(|error| ConfigError::Invalid {
        setting: "PORTAL_DEMO_*",
        problem: error.to_string(),
    })?;
    Ok(config)
}

#[cfg(test)]
mod tests;
