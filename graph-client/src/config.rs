//! Configuration: cloud, tenant, app credential and hosts, from the Azure SDKs' standard
//! environment variables or from explicit values.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::{Host, Origin, Url};

use crate::cloud::Cloud;
use crate::ratelimit::RateLimits;
use crate::retry::RetryPolicy;
use crate::secret::Secret;
use crate::window::ToBound;

/// The environment variables [`GraphConfig::from_env`] reads.
pub mod env_vars {
    pub const TENANT_ID: &str = "AZURE_TENANT_ID";
    pub const CLIENT_ID: &str = "AZURE_CLIENT_ID";
    pub const CLIENT_SECRET: &str = "AZURE_CLIENT_SECRET";
    pub const CLIENT_CERTIFICATE_PATH: &str = "AZURE_CLIENT_CERTIFICATE_PATH";
    pub const CLOUD: &str = "GRAPH_CLOUD";
    pub const AUTHORITY_HOST: &str = "AZURE_AUTHORITY_HOST";
    pub const GRAPH_ENDPOINT: &str = "GRAPH_ENDPOINT";
}
use env_vars as vars;

/// What [`GraphConfig::with_background_share`]'s error names (not an environment variable: the
/// caller reads the share from its own settings).
const BACKGROUND_SHARE: &str = "the background share";

/// Invalid configuration. Every message names the variable to fix and never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error(
        "{variable} is not set ({what}); set it, or unset every AZURE_* credential variable to run in demo mode"
    )]
    Missing {
        variable: &'static str,
        what: &'static str,
    },
    #[error("{variable} is invalid: {problem}")]
    Invalid {
        variable: &'static str,
        problem: String,
    },
    #[error(
        "GRAPH_CLOUD=china: the dial-out report (getPstnOnlineMeetingDialoutReport) is not offered in \
         the China cloud operated by 21Vianet; use global, usgov-l4 or usgov-l5"
    )]
    ChinaCloud,
    #[error(
        "both AZURE_CLIENT_SECRET and AZURE_CLIENT_CERTIFICATE_PATH are set: set only one of them"
    )]
    ConflictingCredentials,
}

/// How the app proves its identity to the Microsoft identity platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A client secret (`AZURE_CLIENT_SECRET`).
    Secret(Secret),
    /// A PEM file holding the RSA private key and the certificate
    /// (`AZURE_CLIENT_CERTIFICATE_PATH`); the client signs a JWT client assertion with it.
    CertificatePem(PathBuf),
}

/// A validated base URL: `https://`, or `http://` on a loopback host; no trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    base: String,
    origin: Origin,
}

impl Endpoint {
    pub(crate) fn parse(variable: &'static str, value: &str) -> Result<Self, ConfigError> {
        let invalid = |problem: String| ConfigError::Invalid { variable, problem };
        let value = value.trim();
        let url = Url::parse(value)
            .map_err(|e| invalid(format!("{value:?} is not an absolute URL ({e})")))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(
                "it must not contain a user name or password".into(),
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid(format!(
                "{value:?} must not have a query or a fragment"
            )));
        }
        let Some(host) = url.host() else {
            return Err(invalid(format!("{value:?} has no host")));
        };
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            "http" => {
                return Err(invalid(format!(
                    "{value:?}: http:// is accepted only for loopback hosts (127.0.0.1, ::1, localhost); use https://"
                )));
            }
            other => {
                return Err(invalid(format!(
                    "{value:?}: unsupported scheme {other:?}, use https://"
                )));
            }
        }
        Ok(Self {
            base: url.as_str().trim_end_matches('/').to_owned(),
            origin: url.origin(),
        })
    }

    fn builtin(host: &'static str) -> Self {
        let url = Url::parse(host).expect("the built-in cloud hosts are valid URLs");
        Self {
            base: host.to_owned(),
            origin: url.origin(),
        }
    }

    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    pub(crate) fn origin(&self) -> &Origin {
        &self.origin
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
    }
}

/// Everything the client needs: who (tenant, app, credential), where (cloud hosts, overridable)
/// and how hard to try (retries, rate limits, concurrency, timeouts).
#[derive(Clone, Debug)]
pub struct GraphConfig {
    cloud: Cloud,
    tenant_id: String,
    client_id: String,
    credential: Credential,
    authority: Endpoint,
    graph: Endpoint,
    retry: RetryPolicy,
    rate_limits: RateLimits,
    max_concurrent_windows: usize,
    request_timeout: Duration,
    connect_timeout: Duration,
    max_pages_per_window: u32,
    /// How `toDateTime` is written; `None`: found from the tenant's answers (`to_reading.rs`).
    to_bound: Option<ToBound>,
}

impl GraphConfig {
    /// A configuration for `cloud`'s own hosts. Refuses the China cloud, an empty or malformed
    /// tenant or client id and an empty secret (messages name the matching variable).
    pub fn new(
        cloud: Cloud,
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        credential: Credential,
    ) -> Result<Self, ConfigError> {
        if !cloud.offers_dialout_report() {
            return Err(ConfigError::ChinaCloud);
        }
        let tenant_id = validate_tenant(tenant_id.into())?;
        let client_id = validate_client_id(client_id.into())?;
        match &credential {
            Credential::Secret(s) if s.is_empty() => {
                return Err(ConfigError::Invalid {
                    variable: vars::CLIENT_SECRET,
                    problem: "it is empty".into(),
                });
            }
            Credential::CertificatePem(p) if p.as_os_str().is_empty() => {
                return Err(ConfigError::Invalid {
                    variable: vars::CLIENT_CERTIFICATE_PATH,
                    problem: "it is empty".into(),
                });
            }
            _ => {}
        }
        Ok(Self {
            cloud,
            tenant_id,
            client_id,
            credential,
            authority: Endpoint::builtin(cloud.authority_host()),
            graph: Endpoint::builtin(cloud.graph_endpoint()),
            retry: RetryPolicy::default(),
            rate_limits: RateLimits::default(),
            max_concurrent_windows: 4,
            request_timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(15),
            max_pages_per_window: 50_000,
            to_bound: None,
        })
    }

    /// Reads `GRAPH_CLOUD`, `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` or
    /// `AZURE_CLIENT_CERTIFICATE_PATH`, `AZURE_AUTHORITY_HOST` and `GRAPH_ENDPOINT`.
    /// `Ok(None)` when no credential variable at all is set (the portal's demo mode).
    pub fn from_env() -> Result<Option<Self>, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`GraphConfig::from_env`] over any source of variables (tests, config files).
    /// Values are trimmed; an empty value counts as unset.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let cloud = match get(vars::CLOUD) {
            None => Cloud::Global,
            Some(v) => v.parse().map_err(|problem| ConfigError::Invalid {
                variable: vars::CLOUD,
                problem,
            })?,
        };
        if !cloud.offers_dialout_report() {
            return Err(ConfigError::ChinaCloud);
        }
        let authority = get(vars::AUTHORITY_HOST)
            .map(|v| Endpoint::parse(vars::AUTHORITY_HOST, &v))
            .transpose()?;
        let graph = get(vars::GRAPH_ENDPOINT)
            .map(|v| Endpoint::parse(vars::GRAPH_ENDPOINT, &v))
            .transpose()?;
        let tenant = get(vars::TENANT_ID);
        let client = get(vars::CLIENT_ID);
        let secret = get(vars::CLIENT_SECRET);
        let certificate = get(vars::CLIENT_CERTIFICATE_PATH);
        if tenant.is_none() && client.is_none() && secret.is_none() && certificate.is_none() {
            return Ok(None);
        }
        let tenant = tenant.ok_or(ConfigError::Missing {
            variable: vars::TENANT_ID,
            what: "the directory (tenant) id of the Microsoft 365 tenant",
        })?;
        let client = client.ok_or(ConfigError::Missing {
            variable: vars::CLIENT_ID,
            what: "the application (client) id of the app registration",
        })?;
        let credential = match (secret, certificate) {
            (Some(secret), None) => Credential::Secret(Secret::new(secret)),
            (None, Some(path)) => Credential::CertificatePem(PathBuf::from(path)),
            (Some(_), Some(_)) => return Err(ConfigError::ConflictingCredentials),
            (None, None) => {
                return Err(ConfigError::Missing {
                    variable: "AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH",
                    what: "the app's client secret, or a PEM file with its private key and certificate",
                });
            }
        };
        let mut config = Self::new(cloud, tenant, client, credential)?;
        if let Some(authority) = authority {
            config.authority = authority;
        }
        if let Some(graph) = graph {
            config.graph = graph;
        }
        Ok(Some(config))
    }

    /// Overrides the token authority (`AZURE_AUTHORITY_HOST`), e.g. the simulator's base URL.
    pub fn with_authority_host(mut self, url: &str) -> Result<Self, ConfigError> {
        self.authority = Endpoint::parse(vars::AUTHORITY_HOST, url)?;
        Ok(self)
    }

    /// Overrides the Graph endpoint (`GRAPH_ENDPOINT`), e.g. the simulator's base URL.
    pub fn with_graph_endpoint(mut self, url: &str) -> Result<Self, ConfigError> {
        self.graph = Endpoint::parse(vars::GRAPH_ENDPOINT, url)?;
        Ok(self)
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The client-side rate limits (default [`RateLimits::documented`]), background share
    /// included: call [`Self::with_background_share`] after this, not before.
    pub fn with_rate_limits(mut self, rate_limits: RateLimits) -> Self {
        self.rate_limits = rate_limits;
        self
    }

    /// The share of every rate limit that background requests
    /// ([`Priority::Background`](crate::Priority::Background)) may use, leaving the rest to
    /// interactive ones ([`RateLimits::background_share`]; default 0.5). Refuses a share that is
    /// not a finite number in (0, 1].
    pub fn with_background_share(mut self, share: f64) -> Result<Self, ConfigError> {
        if !(share.is_finite() && share > 0.0 && share <= 1.0) {
            return Err(ConfigError::Invalid {
                variable: BACKGROUND_SHARE,
                problem: format!(
                    "{share} is outside the allowed range (0, 1]: background requests may use a \
                     share of Graph's request budget greater than 0 and at most 1 (default 0.5)"
                ),
            });
        }
        self.rate_limits.background_share = share;
        Ok(self)
    }

    /// How many ≤90-day windows are fetched at once (at least 1; default 4).
    pub fn with_max_concurrent_windows(mut self, n: usize) -> Self {
        self.max_concurrent_windows = n.max(1);
        self
    }

    /// Timeout of one HTTP request, body included (default 120 s).
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Guard against a server that pages forever with ever-new links (default 50,000).
    pub fn with_max_pages_per_window(mut self, n: u32) -> Self {
        self.max_pages_per_window = n.max(1);
        self
    }

    pub fn cloud(&self) -> Cloud {
        self.cloud
    }
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
    pub fn credential(&self) -> &Credential {
        &self.credential
    }
    /// The token authority's base URL, without a trailing slash.
    pub fn authority_host(&self) -> &str {
        self.authority.base()
    }
    /// The Graph endpoint's base URL, without a trailing slash.
    pub fn graph_endpoint(&self) -> &str {
        self.graph.base()
    }
    /// `{graph endpoint}/.default`.
    pub fn scope(&self) -> String {
        format!("{}/.default", self.graph.base())
    }
    /// `{authority}/{tenant}/oauth2/v2.0/token`.
    pub fn token_url(&self) -> String {
        format!(
            "{}/{}/oauth2/v2.0/token",
            self.authority.base(),
            self.tenant_id
        )
    }
    pub fn retry(&self) -> &RetryPolicy {
        &self.retry
    }
    pub fn rate_limits(&self) -> &RateLimits {
        &self.rate_limits
    }
    pub fn max_concurrent_windows(&self) -> usize {
        self.max_concurrent_windows
    }
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }
    /// Fixes how each window's `toDateTime` is written instead of finding it from the tenant's
    /// answers (a few one-day requests, once per client): for a tenant whose reading is known.
    pub fn with_to_bound(mut self, bound: ToBound) -> Self {
        self.to_bound = Some(bound);
        self
    }

    pub fn to_bound(&self) -> Option<ToBound> {
        self.to_bound
    }

    pub fn max_pages_per_window(&self) -> u32 {
        self.max_pages_per_window
    }
    pub(crate) fn graph(&self) -> &Endpoint {
        &self.graph
    }
}

fn validate_tenant(tenant: String) -> Result<String, ConfigError> {
    let tenant = tenant.trim().to_owned();
    let ok = !tenant.is_empty()
        && tenant.len() <= 253
        && tenant
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if ok {
        Ok(tenant)
    } else {
        Err(ConfigError::Invalid {
            variable: vars::TENANT_ID,
            problem: format!("{tenant:?} is not a tenant id (a GUID) or a domain name"),
        })
    }
}

fn validate_client_id(client_id: String) -> Result<String, ConfigError> {
    let client_id = client_id.trim().to_owned();
    let ok = !client_id.is_empty()
        && client_id.len() <= 256
        && !client_id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(client_id)
    } else {
        Err(ConfigError::Invalid {
            variable: vars::CLIENT_ID,
            problem: format!("{client_id:?} is not an application (client) id"),
        })
    }
}

#[cfg(test)]
mod tests;
