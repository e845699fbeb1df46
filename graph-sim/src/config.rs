//! Every knob of the simulator, with the documented defaults.

use std::time::Duration;

use chrono::{NaiveDate, Utc};

use crate::error::SimError;

/// Demo tenant id (obviously made up). The portal's demo mode uses these three.
pub const DEFAULT_TENANT_ID: &str = "11111111-1111-4111-8111-111111111111";
/// Demo application (client) id.
pub const DEFAULT_CLIENT_ID: &str = "22222222-2222-4222-8222-222222222222";
/// Demo client secret. Not a secret: it is printed in `--help`.
pub const DEFAULT_CLIENT_SECRET: &str = "graph-sim-demo-secret";
/// Client id of the app that signs users in (OpenID Connect), a second demo app registration.
pub const DEFAULT_OIDC_CLIENT_ID: &str = "33333333-3333-4333-8333-333333333333";
/// Its client secret. Not a secret either: it is printed in `--help`.
pub const DEFAULT_OIDC_CLIENT_SECRET: &str = "graph-sim-demo-sign-in-secret";
/// The app role the first test user holds.
pub const DEFAULT_OIDC_ROLE: &str = "DialoutReports.Read";
/// The app role that sees everyone's spend, held by the third test user.
pub const DEFAULT_OIDC_ALL_ROLE: &str = "DialoutReports.ReadAll";
/// The application permissions the demo app holds, comma-separated as `--app-permissions`
/// takes them: the report's, and the directory's (so demo mode has departments and managers).
pub const DEFAULT_APP_PERMISSIONS: &str = "CallRecords.Read.All,User.Read.All";

pub const DEFAULT_SEED: u64 = 42;
pub const DEFAULT_USERS: u32 = 2000;
pub const DEFAULT_HISTORY_DAYS: u32 = 400;
pub const DEFAULT_TOKEN_TTL_SECONDS: u64 = 3599;
pub const DEFAULT_PAGE_SIZE: u32 = 1000;
pub const DEFAULT_RETRY_AFTER_SECONDS: u64 = 2;
/// Rows each page repeats from the previous one under `--unstable-order`: a few, as when
/// rows moved between two requests.
pub const UNSTABLE_ORDER_OVERLAP: usize = 3;

/// Upper bounds that keep a typo from exhausting the machine.
const MAX_USERS: u32 = 5_000_000;
const MAX_HISTORY_DAYS: u32 = 10 * 366;

/// How `toDateTime` bounds the window; Graph does not document it for this function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ToSemantics {
    /// Calls starting exactly at `toDateTime` are included.
    #[default]
    Inclusive,
    /// Only calls starting before `toDateTime` are included.
    Exclusive,
    /// `toDateTime` is cut to its UTC date, and that date is left out: `…T23:59:59.9999999Z`
    /// loses its whole day (as getDirectRoutingCalls was changed to read it).
    DateExclusive,
    /// `toDateTime` is cut to its UTC date, and that whole date is included: `bT00:00:00Z`
    /// brings all of day b.
    DateInclusive,
}

/// What `$top` means on this function; Graph does not document it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TopSemantics {
    /// `$top` sets the page size (capped at `--page-size`); `@odata.nextLink` keeps it.
    #[default]
    PageSize,
    /// `$top` caps the total number of rows across all pages (OData's reading).
    Limit,
}

/// How `Retry-After` is written; clients must accept both forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum RetryAfterFormat {
    /// Delay in seconds, as Graph sends it.
    #[default]
    Seconds,
    /// An HTTP date (RFC 9110), which the HTTP standard also allows.
    HttpDate,
}

/// What the documented "per collection" request limit counts; Graph does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CollectionScope {
    /// Every request to the report function counts against one limit (the stricter reading).
    #[default]
    Report,
    /// Each distinct window (fromDateTime, toDateTime) has its own limit.
    Window,
}

/// How a raw `+` in the path is read; a gateway may decode it as a space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PlusInPath {
    /// `+` is a plus sign (RFC 3986): `+01:00` offsets work unencoded.
    #[default]
    Literal,
    /// `+` is a space, so an unencoded offset is a bad literal; `%2B` still works.
    Space,
}

/// How the next page's link is spelled. Graph's examples write `@odata.nextLink`, its prose
/// `@odata.NextLink`; JSON keys are case-sensitive, so a client matching one exactly would
/// take the other for the last page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum NextLinkKey {
    /// `@odata.nextLink`, as in the examples (and OData).
    #[default]
    #[value(name = "odata.nextLink")]
    Examples,
    /// `@odata.NextLink`, as the docs' text spells it.
    #[value(name = "odata.NextLink")]
    Text,
}

/// What the report answers for days older than `--retention-days`; Graph does not document it
/// for this function (its usage data is kept 365 days by default, 150-180 in some countries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum RetentionReading {
    /// Older days are absent: a window reaching past the retention returns only the retained
    /// days' rows (none at all if it lies entirely past it), with 200 and no error.
    #[default]
    Empty,
    /// A `fromDateTime` on a day older than the retention is refused with 400 `BadRequest`.
    Error,
}

/// Every setting of a simulator instance. `Default` gives the documented defaults.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Seed of the made-up data: the same seed gives byte-identical pages.
    pub seed: u64,
    pub users: u32,
    /// Calls exist on the `history_days` days before `today` (UTC).
    pub today: NaiveDate,
    pub history_days: u32,
    /// Graph's data retention in days: the first retained day is `today - retention_days`, and
    /// the report treats older days as `retention_reading` says. `None`: no limit.
    /// `/_sim/truth` ignores it (it always answers the data as generated).
    pub retention_days: Option<u32>,
    pub retention_reading: RetentionReading,
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    /// PEM of the public certificate that client assertions must be signed for.
    pub client_certificate: Option<String>,
    pub token_ttl: Duration,
    /// The application permissions granted to the app (with admin consent): its access
    /// tokens' `roles`. The report answers 403 without `CallRecords.Read.All`, `/v1.0/users`
    /// without `User.Read.All` or `Directory.Read.All`.
    pub app_permissions: Vec<String>,
    /// Rows per page (Graph: 1000).
    pub page_size: u32,
    /// Delay, in milliseconds, added to every token, report and users request.
    pub latency_ms: u64,
    /// Fraction of report and users requests answered 429.
    pub throttle_rate: f64,
    pub retry_after: Duration,
    pub retry_after_format: RetryAfterFormat,
    /// Fraction of report and users requests answered 503 or 504.
    pub error_rate: f64,
    /// Apply the documented request limits (429 with Retry-After when exceeded): the report's
    /// per tenant, app and collection, and the directory's identity throttling (3,500 resource
    /// units per 10 s; `limit_period` does not shorten it).
    pub enforce_limits: bool,
    /// The period the documented limits count over: 60 s as documented; shorter in tests that
    /// must meet the limits within seconds.
    pub limit_period: Duration,
    pub collection_scope: CollectionScope,
    pub to_semantics: ToSemantics,
    pub top_semantics: TopSemantics,
    pub plus_in_path: PlusInPath,
    /// Write non-ASCII characters as `\uXXXX` escapes in JSON, as some OData writers do.
    pub escape_non_ascii: bool,
    /// The key of the next page's link.
    pub next_link_key: NextLinkKey,
    /// Write `totalCallCharge` as a JSON string with the exact digits (OData's
    /// `IEEE754Compatible=true` form) instead of a JSON number.
    pub charge_as_string: bool,
    /// Every page after the first starts [`UNSTABLE_ORDER_OVERLAP`] rows before its `$skip`,
    /// repeating the previous page's last rows (see `--unstable-order`). The truth is unaffected.
    pub unstable_order: bool,
    /// The app registration that signs users in through the OpenID Connect provider.
    pub oidc_client_id: String,
    pub oidc_client_secret: String,
    /// Its registered redirect URIs, matched exactly. Empty: any `http://` loopback URI
    /// (`127.0.0.1`, `localhost`, `[::1]`, any port) is accepted.
    pub oidc_redirect_uris: Vec<String>,
    /// The app role (`roles` claim) the first test user holds.
    pub oidc_role: String,
    /// The app role that sees everyone's spend, which the third test user holds besides.
    pub oidc_all_role: String,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: DEFAULT_SEED,
            users: DEFAULT_USERS,
            today: Utc::now().date_naive(),
            history_days: DEFAULT_HISTORY_DAYS,
            retention_days: None,
            retention_reading: RetentionReading::default(),
            tenant_id: DEFAULT_TENANT_ID.to_owned(),
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
            client_certificate: None,
            token_ttl: Duration::from_secs(DEFAULT_TOKEN_TTL_SECONDS),
            app_permissions: DEFAULT_APP_PERMISSIONS
                .split(',')
                .map(str::to_owned)
                .collect(),
            page_size: DEFAULT_PAGE_SIZE,
            latency_ms: 0,
            throttle_rate: 0.0,
            retry_after: Duration::from_secs(DEFAULT_RETRY_AFTER_SECONDS),
            retry_after_format: RetryAfterFormat::default(),
            error_rate: 0.0,
            enforce_limits: false,
            limit_period: Duration::from_secs(60),
            collection_scope: CollectionScope::default(),
            to_semantics: ToSemantics::default(),
            top_semantics: TopSemantics::default(),
            plus_in_path: PlusInPath::default(),
            escape_non_ascii: false,
            next_link_key: NextLinkKey::default(),
            charge_as_string: false,
            unstable_order: false,
            oidc_client_id: DEFAULT_OIDC_CLIENT_ID.to_owned(),
            oidc_client_secret: DEFAULT_OIDC_CLIENT_SECRET.to_owned(),
            oidc_redirect_uris: Vec::new(),
            oidc_role: DEFAULT_OIDC_ROLE.to_owned(),
            oidc_all_role: DEFAULT_OIDC_ALL_ROLE.to_owned(),
        }
    }
}

impl SimConfig {
    /// Checks every value; the error says which one is wrong and why.
    pub fn validate(&self) -> Result<(), SimError> {
        let invalid = |message: String| Err(SimError::InvalidConfig(message));
        if self.users > MAX_USERS {
            return invalid(format!("users must be at most {MAX_USERS}"));
        }
        if self.history_days > MAX_HISTORY_DAYS {
            return invalid(format!("history days must be at most {MAX_HISTORY_DAYS}"));
        }
        if self.retention_days == Some(0) {
            return invalid(
                "retention days must be at least 1 (omit it for no retention limit)".into(),
            );
        }
        if self.page_size == 0 {
            return invalid("page size must be at least 1".into());
        }
        for (name, value) in [
            ("tenant id", &self.tenant_id),
            ("client id", &self.client_id),
            ("client secret", &self.client_secret),
            ("OIDC client id", &self.oidc_client_id),
            ("OIDC client secret", &self.oidc_client_secret),
            ("OIDC role", &self.oidc_role),
            ("OIDC all-role", &self.oidc_all_role),
        ] {
            if value.is_empty() {
                return invalid(format!("{name} must not be empty"));
            }
        }
        if !self
            .tenant_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
        {
            return invalid("tenant id may hold only letters, digits, '-', '.' and '_'".into());
        }
        // App role values may not contain spaces; `roles` lists them one per array element.
        if self.oidc_role.chars().any(char::is_whitespace)
            || self.oidc_all_role.chars().any(char::is_whitespace)
        {
            return invalid("OIDC roles must not contain whitespace".into());
        }
        // The same for permissions, which `--app-permissions` also separates by commas.
        if let Some(bad) = self
            .app_permissions
            .iter()
            .find(|p| p.is_empty() || p.contains(|c: char| c.is_whitespace() || c == ','))
        {
            return invalid(format!(
                "app permission {bad:?} must be non-empty, without whitespace or ','"
            ));
        }
        for uri in &self.oidc_redirect_uris {
            check_redirect_uri(uri).map_err(SimError::InvalidConfig)?;
        }
        for (name, rate) in [
            ("throttle rate", self.throttle_rate),
            ("error rate", self.error_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return invalid(format!("{name} must be between 0 and 1, got {rate}"));
            }
        }
        if self.throttle_rate + self.error_rate > 1.0 {
            return invalid("throttle rate plus error rate must not exceed 1".into());
        }
        Ok(())
    }
}

/// A registrable redirect URI: absolute `http` or `https`, without a fragment (RFC 6749 3.1.2).
fn check_redirect_uri(uri: &str) -> Result<(), String> {
    let parsed = url::Url::parse(uri)
        .map_err(|e| format!("OIDC redirect URI '{uri}' is not an absolute URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("OIDC redirect URI '{uri}' must be http or https"));
    }
    if parsed.fragment().is_some() {
        return Err(format!(
            "OIDC redirect URI '{uri}' must not contain a fragment"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_values_are_named() {
        SimConfig::default().validate().unwrap();
        let bad = SimConfig {
            throttle_rate: 1.5,
            ..SimConfig::default()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("throttle rate")
        );
        let bad = SimConfig {
            page_size: 0,
            ..SimConfig::default()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("page size")
        );
        let bad = SimConfig {
            retention_days: Some(0),
            ..SimConfig::default()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("retention days must be at least 1")
        );
        let good = SimConfig {
            retention_days: Some(1),
            retention_reading: RetentionReading::Error,
            ..SimConfig::default()
        };
        good.validate().unwrap();
        let bad = SimConfig {
            tenant_id: "a/b".into(),
            ..SimConfig::default()
        };
        assert!(bad.validate().is_err());
        for uris in [vec!["/callback"], vec!["ftp://x/"], vec!["http://x/#a"]] {
            let bad = SimConfig {
                oidc_redirect_uris: uris.iter().map(|u| (*u).to_owned()).collect(),
                ..SimConfig::default()
            };
            assert!(
                bad.validate()
                    .unwrap_err()
                    .to_string()
                    .contains("redirect URI")
            );
        }
        let bad = SimConfig {
            oidc_role: "Reports Read".into(),
            ..SimConfig::default()
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn app_permissions_are_single_names() {
        let none = SimConfig {
            app_permissions: Vec::new(),
            ..SimConfig::default()
        };
        none.validate().unwrap();
        for bad in ["", "CallRecords.Read.All User.Read.All", "a,b"] {
            let config = SimConfig {
                app_permissions: vec![bad.to_owned()],
                ..SimConfig::default()
            };
            let error = config.validate().unwrap_err().to_string();
            assert!(error.contains("app permission"), "{bad:?}: {error}");
        }
    }
}
