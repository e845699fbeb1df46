//! Who may read the report: `PORTAL_AUTH` and the settings of each way to sign in.
use std::net::SocketAddr;
use std::time::Duration;

use http::HeaderName;
use ipnet::IpNet;
use url::Url;

use app::report::scope::ScopeRule;

use super::values::Values;
use super::{ConfigError, GraphSource, names};

/// The app role a manager needs unless `PORTAL_REQUIRED_ROLE` says otherwise.
pub const DEFAULT_REQUIRED_ROLE: &str = "DialoutReports.Read";
/// With `PORTAL_SCOPE=reporting-line`, the app role that sees everyone unless
/// `PORTAL_ALL_ROLE` says otherwise.
pub const DEFAULT_ALL_ROLE: &str = "DialoutReports.ReadAll";

#[derive(Clone, Debug)]
pub enum AuthSettings {
    /// Nobody signs in: allowed only on a loopback address (the demo default).
    None,
    Entra(EntraSettings),
    Proxy(ProxySettings),
}

impl AuthSettings {
    /// The public address, where one is configured (always with `entra`).
    pub fn public_url(&self) -> Option<&Url> {
        match self {
            AuthSettings::None => None,
            AuthSettings::Entra(entra) => Some(&entra.public_url),
            AuthSettings::Proxy(proxy) => proxy.public_url.as_ref(),
        }
    }

    pub fn mode_name(&self) -> &'static str {
        match self {
            AuthSettings::None => "none",
            AuthSettings::Entra(_) => "entra",
            AuthSettings::Proxy(_) => "proxy",
        }
    }
}

/// Where the sign-in app's tokens come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Issuer {
    /// `{authority host}/{tenant}/v2.0`: the tenant-specific issuer of the configured cloud.
    Url(String),
    /// Demo mode: the embedded simulator's OpenID provider (its address is known at start).
    EmbeddedSimulator,
}

#[derive(Clone, Debug)]
pub struct EntraSettings {
    pub issuer: Issuer,
    pub client_id: String,
    /// Never logged: `Debug` redacts it.
    pub client_secret: openidconnect::ClientSecret,
    /// Where browsers reach the portal; the redirect URI is `{public_url}/auth/callback`.
    pub public_url: Url,
    pub required_role: String,
    /// Whose spend a signed-in person sees (`PORTAL_SCOPE`).
    pub scope: ScopeRule,
    pub session: SessionSettings,
}

#[derive(Clone, Debug)]
pub struct SessionSettings {
    /// 64 bytes that sign and encrypt the session cookie; `None`: random at each start (every
    /// session ends with the process).
    pub key: Option<Vec<u8>>,
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, however busy.
    pub absolute: Duration,
}

#[derive(Clone, Debug)]
pub struct ProxySettings {
    /// The header the proxy puts the signed-in user's name in.
    pub user_header: HeaderName,
    /// Optional: a header with the user's roles (comma-separated); then the required role is
    /// checked as with Entra.
    pub roles_header: Option<HeaderName>,
    pub required_role: String,
    /// Whose spend a signed-in person sees (`PORTAL_SCOPE`; the all-role needs the roles
    /// header: without it everyone sees their reporting line).
    pub scope: ScopeRule,
    /// Only requests from these addresses may carry the user header.
    pub trusted: Vec<IpNet>,
    /// Where browsers reach the portal (`PORTAL_PUBLIC_URL`, optional here): when set, requests
    /// for any other host are refused, and with https browsers are told to keep to it (HSTS).
    pub public_url: Option<Url>,
}

pub(super) fn auth_settings(
    values: &Values<'_>,
    graph: &GraphSource,
    site_addr: SocketAddr,
) -> Result<AuthSettings, ConfigError> {
    let invalid =
        |setting: &'static str, problem: String| ConfigError::Invalid { setting, problem };
    let demo = matches!(graph, GraphSource::Demo(_));
    let mode = values.get(names::AUTH).unwrap_or_else(|| {
        // Real credentials read the whole tenant's spend: sign-in is on unless turned off.
        if demo { "none" } else { "entra" }.to_string()
    });
    let required_role = values
        .get(names::REQUIRED_ROLE)
        .unwrap_or_else(|| DEFAULT_REQUIRED_ROLE.to_string());
    let scope = scope_rule(values)?;
    match mode.to_ascii_lowercase().as_str() {
        "none" => {
            if scope != ScopeRule::Everyone {
                return Err(invalid(
                    names::SCOPE,
                    "\"reporting-line\" needs to know who is asking: set PORTAL_AUTH=entra or proxy".into(),
                ));
            }
            if !site_addr.ip().is_loopback() {
                return Err(invalid(
                    names::AUTH,
                    format!(
                        "\"none\" serves the report to anyone who reaches the server, so it is allowed only on a loopback address, and {} is {site_addr}: set PORTAL_AUTH=entra or proxy",
                        names::SITE_ADDR
                    ),
                ));
            }
            Ok(AuthSettings::None)
        }
        "entra" => {
            entra_settings(values, graph, site_addr, required_role, scope).map(AuthSettings::Entra)
        }
        "proxy" => proxy_settings(values, required_role, scope).map(AuthSettings::Proxy),
        other => Err(invalid(
            names::AUTH,
            format!("{other:?} is not one of entra, proxy, none"),
        )),
    }
}

/// `PORTAL_SCOPE` (`everyone`, the default, or `reporting-line`) with `PORTAL_ALL_ROLE`.
fn scope_rule(values: &Values<'_>) -> Result<ScopeRule, ConfigError> {
    let all_role = values.get(names::ALL_ROLE);
    let scope = values
        .get(names::SCOPE)
        .unwrap_or_else(|| "everyone".into());
    match scope.to_ascii_lowercase().as_str() {
        "everyone" if all_role.is_some() => Err(ConfigError::Invalid {
            setting: names::ALL_ROLE,
            problem: "it applies only with PORTAL_SCOPE=reporting-line (with everyone, every signed-in person with the required role sees everyone)".into(),
        }),
        "everyone" => Ok(ScopeRule::Everyone),
        "reporting-line" => {
            let all_role = all_role.unwrap_or_else(|| DEFAULT_ALL_ROLE.to_string());
            if all_role.is_empty() || all_role.chars().any(char::is_whitespace) {
                return Err(ConfigError::Invalid {
                    setting: names::ALL_ROLE,
                    problem: format!("{all_role:?} is not an app role's value (no spaces)"),
                });
            }
            Ok(ScopeRule::ReportingLine { all_role })
        }
        other => Err(ConfigError::Invalid {
            setting: names::SCOPE,
            problem: format!("{other:?} is not one of everyone, reporting-line"),
        }),
    }
}

fn entra_settings(
    values: &Values<'_>,
    graph: &GraphSource,
    site_addr: SocketAddr,
    required_role: String,
    scope: ScopeRule,
) -> Result<EntraSettings, ConfigError> {
    let missing = |setting: &'static str, why: &str| ConfigError::Invalid {
        setting,
        problem: format!("it is required with PORTAL_AUTH=entra{why}"),
    };
    let (issuer, client_id, client_secret) = match graph {
        GraphSource::Tenant(config) if uuid_shaped(config.tenant_id()) => (
            Issuer::Url(format!(
                "{}/{}/v2.0",
                config.authority_host().trim_end_matches('/'),
                config.tenant_id()
            )),
            values
                .get(names::OIDC_CLIENT_ID)
                .ok_or_else(|| missing(names::OIDC_CLIENT_ID, " (the sign-in app's client id)"))?,
            values.get(names::OIDC_CLIENT_SECRET).ok_or_else(|| {
                missing(
                    names::OIDC_CLIENT_SECRET,
                    " (the sign-in app's client secret)",
                )
            })?,
        ),
        // Entra's issuer names the tenant by its id: a domain name would never match it.
        GraphSource::Tenant(config) => {
            return Err(ConfigError::Invalid {
                setting: graph_client::env_vars::TENANT_ID,
                problem: format!(
                    "{:?}: with PORTAL_AUTH=entra it must be the tenant's id (Directory (tenant) ID, a GUID), not a domain name: sign-in checks the ID token's issuer, which names the tenant by its id",
                    config.tenant_id()
                ),
            });
        }
        // The simulator's documented sign-in app, unless the settings name another.
        GraphSource::Demo(_) => (
            Issuer::EmbeddedSimulator,
            values
                .get(names::OIDC_CLIENT_ID)
                .unwrap_or_else(|| graph_sim::DEFAULT_OIDC_CLIENT_ID.to_string()),
            values
                .get(names::OIDC_CLIENT_SECRET)
                .unwrap_or_else(|| graph_sim::DEFAULT_OIDC_CLIENT_SECRET.to_string()),
        ),
    };
    let public_url = public_url(values, site_addr)?;
    Ok(EntraSettings {
        issuer,
        client_id,
        client_secret: openidconnect::ClientSecret::new(client_secret),
        public_url,
        required_role,
        scope,
        session: session_settings(values)?,
    })
}

/// `PORTAL_PUBLIC_URL`, required unless the portal is on a loopback address (then it is
/// `http://{LEPTOS_SITE_ADDR}`). https, except on loopback.
fn public_url(values: &Values<'_>, site_addr: SocketAddr) -> Result<Url, ConfigError> {
    if let Some(url) = optional_public_url(values)? {
        return Ok(url);
    }
    let invalid = |problem: String| ConfigError::Invalid {
        setting: names::PUBLIC_URL,
        problem,
    };
    if site_addr.ip().is_loopback() {
        return Url::parse(&format!("http://{site_addr}")).map_err(|e| invalid(e.to_string()));
    }
    Err(invalid(
        "it is required with PORTAL_AUTH=entra: the address browsers use to reach the portal, such as https://dialout.contoso.com".into(),
    ))
}

/// `PORTAL_PUBLIC_URL` when set, checked: https (http only on loopback), the site's root.
fn optional_public_url(values: &Values<'_>) -> Result<Option<Url>, ConfigError> {
    let invalid = |problem: String| ConfigError::Invalid {
        setting: names::PUBLIC_URL,
        problem,
    };
    let Some(text) = values.get(names::PUBLIC_URL) else {
        return Ok(None);
    };
    let url = Url::parse(&text).map_err(|error| invalid(format!("{text:?}: {error}")))?;
    if url.scheme() != "https" && !(url.scheme() == "http" && super::values::is_loopback(&url)) {
        return Err(invalid(format!(
            "{text:?} must be an https:// URL (http:// only for a loopback address)"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() || url.path() != "/" {
        return Err(invalid(format!(
            "{text:?} must be the site's root address, with no path, query or fragment (the portal is served at /)"
        )));
    }
    Ok(Some(url))
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex digits.
fn uuid_shaped(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(index, byte)| match index {
            8 | 13 | 18 | 23 => byte == b'-',
            _ => byte.is_ascii_hexdigit(),
        })
}

fn session_settings(values: &Values<'_>) -> Result<SessionSettings, ConfigError> {
    use base64::Engine;
    let key = match values.get(names::SESSION_KEY) {
        None => None,
        Some(text) => {
            // `openssl rand -base64 64` wraps its output: line breaks are not part of the key.
            let compact: String = text.split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(compact.as_bytes())
                .ok()
                .filter(|bytes| bytes.len() >= 64)
                .ok_or_else(|| ConfigError::Invalid {
                    setting: names::SESSION_KEY,
                    problem:
                        "it must be at least 64 random bytes in base64 (openssl rand -base64 64)"
                            .into(),
                })?;
            Some(bytes)
        }
    };
    let minutes = |name: &'static str, default: u64, max: u64| {
        values
            .bounded(name, default, 1..=max)
            .map(|minutes| Duration::from_secs(minutes * 60))
    };
    let idle = minutes(names::SESSION_IDLE_MINUTES, 60, 7 * 24 * 60)?;
    let absolute = minutes(names::SESSION_MAX_MINUTES, 12 * 60, 30 * 24 * 60)?;
    if idle > absolute {
        return Err(ConfigError::Invalid {
            setting: names::SESSION_IDLE_MINUTES,
            problem: format!("it must not exceed {}", names::SESSION_MAX_MINUTES),
        });
    }
    Ok(SessionSettings {
        key,
        idle,
        absolute,
    })
}

fn proxy_settings(
    values: &Values<'_>,
    required_role: String,
    scope: ScopeRule,
) -> Result<ProxySettings, ConfigError> {
    let header = |setting: &'static str, text: String| {
        HeaderName::try_from(text.as_str()).map_err(|_| ConfigError::Invalid {
            setting,
            problem: format!("{text:?} is not an HTTP header name"),
        })
    };
    let user_header = values
        .get(names::PROXY_USER_HEADER)
        .ok_or_else(|| ConfigError::Invalid {
            setting: names::PROXY_USER_HEADER,
            problem: "it is required with PORTAL_AUTH=proxy (the header with the signed-in user, such as X-Forwarded-User)".into(),
        })
        .and_then(|text| header(names::PROXY_USER_HEADER, text))?;
    let roles_header = values
        .get(names::PROXY_ROLES_HEADER)
        .map(|text| header(names::PROXY_ROLES_HEADER, text))
        .transpose()?;
    let trusted_text = values
        .get(names::TRUSTED_PROXIES)
        .ok_or_else(|| ConfigError::Invalid {
            setting: names::TRUSTED_PROXIES,
            problem: "it is required with PORTAL_AUTH=proxy: the proxy's addresses (IPs or CIDR ranges, comma-separated)".into(),
        })?;
    let trusted = trusted_text
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<IpNet>()
                .or_else(|_| part.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| ConfigError::Invalid {
                    setting: names::TRUSTED_PROXIES,
                    problem: format!("{part:?} is not an IP address or CIDR range"),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if trusted.is_empty() {
        return Err(ConfigError::Invalid {
            setting: names::TRUSTED_PROXIES,
            problem: "it lists no address".into(),
        });
    }
    Ok(ProxySettings {
        user_header,
        roles_header,
        required_role,
        scope,
        trusted,
        public_url: optional_public_url(values)?,
    })
}
