//! The `graph-sim` command line: one flag per [`SimConfig`] knob, plus `--addr`.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::NaiveDate;
use clap::Parser;

use crate::config::DEFAULT_APP_PERMISSIONS;
use crate::config::{
    CollectionScope, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_HISTORY_DAYS,
    DEFAULT_OIDC_ALL_ROLE, DEFAULT_OIDC_CLIENT_ID, DEFAULT_OIDC_CLIENT_SECRET, DEFAULT_OIDC_ROLE,
    DEFAULT_PAGE_SIZE, DEFAULT_RETRY_AFTER_SECONDS, DEFAULT_SEED, DEFAULT_TENANT_ID,
    DEFAULT_TOKEN_TTL_SECONDS, DEFAULT_USERS, NextLinkKey, PlusInPath, RetentionReading,
    RetryAfterFormat, SimConfig, ToSemantics, TopSemantics, UNSTABLE_ORDER_OVERLAP,
};
use crate::error::SimError;
use crate::test_users::TEST_USERS;

/// Flags choosing between readings of behaviour Graph does not document.
const READINGS: &str = "Undocumented Graph behaviour (both readings)";
const SIGN_IN: &str = "Sign-in (OpenID Connect provider)";

const ENDPOINTS_HELP: &str = "\
Endpoints (BASE is the printed http://HOST:PORT):
  POST BASE/{tenant}/oauth2/v2.0/token    client credentials (scope BASE/.default), or an
                                          authorization code from the sign-in below
  GET  BASE/beta/communications/callRecords/getPstnOnlineMeetingDialoutReport(fromDateTime=..,toDateTime=..)
  GET  BASE/v1.0/users?$select=..&$expand=manager($select=id)&$top=999   the directory (User.Read.All)
  GET  BASE/{tenant}/v2.0/.well-known/openid-configuration   OpenID Connect discovery
  GET  BASE/{tenant}/discovery/v2.0/keys  the ID-token signing key (RSA, one per instance)
  GET  BASE/{tenant}/oauth2/v2.0/authorize   sign-in page (code flow, PKCE S256 or plain)
  GET  BASE/{tenant}/oauth2/v2.0/logout
  GET  BASE/_sim/stats, POST BASE/_sim/stats/reset
  GET  BASE/_sim/truth?from=YYYY-MM-DD&to=YYYY-MM-DD   exact totals per currency (inclusive days),
                                          always of the full data: it ignores --retention-days;
                                          &group=department|costCenter|division|companyName|
                                          officeLocation adds per-group totals, &under=OBJECT_ID
                                          keeps the people reporting to that person
  GET  BASE/_sim/directory/reports?manager=OBJECT_ID   everyone under that person

Demo credentials: the defaults of --tenant-id, --client-id and --client-secret above (made up,
not secret; the portal's demo mode uses them), and of --oidc-client-id and --oidc-client-secret
for sign-in.";

/// `--unstable-order`'s help, with the overlap's actual value.
fn unstable_order_help() -> String {
    format!(
        "Graph's order is not stable between $skip pages: every page after the first starts \
         {UNSTABLE_ORDER_OVERLAP} rows before its $skip (fewer when the page holds \
         {UNSTABLE_ORDER_OVERLAP} rows or fewer: each page still moves on by at least one row), \
         repeating the previous page's last rows with the same totals; its @odata.nextLink \
         continues after its own last row. No row is missing, but a client that concatenates \
         pages counts the repeated ones twice. /_sim/truth is unaffected."
    )
}

/// The text after the flags: endpoints, demo credentials and the test users who can sign in.
fn after_help() -> String {
    let mut help =
        format!("{ENDPOINTS_HELP}\n\nTest users (no password: the sign-in page lists them):");
    for user in &TEST_USERS {
        let role = if user.holds_app_role {
            "holds --oidc-role"
        } else {
            "no app role"
        };
        help.push_str(&format!(
            "\n  {:<13} {:<25} oid {}  {role}",
            user.display_name, user.user_principal_name, user.object_id
        ));
    }
    help
}

/// A faithful Microsoft Graph simulator: the identity platform's token endpoint and the beta
/// PSTN online-meeting dial-out report, on deterministic made-up data.
#[derive(Debug, Parser)]
#[command(name = "graph-sim", version, after_help = after_help())]
pub struct Cli {
    /// Address to listen on (loopback only; port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:4010")]
    pub addr: SocketAddr,

    /// Seed of the made-up data: the same seed gives byte-identical pages.
    #[arg(long, default_value_t = DEFAULT_SEED, help_heading = "Data")]
    pub seed: u64,
    /// Number of users in the tenant.
    #[arg(long, default_value_t = DEFAULT_USERS, help_heading = "Data")]
    pub users: u32,
    /// "Today" as YYYY-MM-DD (UTC): calls exist on the days before it
    /// [default: the current UTC date].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day, help_heading = "Data")]
    pub today: Option<NaiveDate>,
    /// Number of days before --today that have calls.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_HISTORY_DAYS, help_heading = "Data")]
    pub history_days: u32,
    /// Graph's data retention: the first retained day is --today minus N; the report treats
    /// older days as --retention-reading says [default: no retention limit].
    #[arg(long, value_name = "N", help_heading = "Data")]
    pub retention_days: Option<u32>,

    /// Tenant (directory) id accepted by the token endpoint.
    #[arg(long, default_value = DEFAULT_TENANT_ID, help_heading = "Identity")]
    pub tenant_id: String,
    /// Application (client) id.
    #[arg(long, default_value = DEFAULT_CLIENT_ID, help_heading = "Identity")]
    pub client_id: String,
    /// Client secret (the default is the demo one, not a secret).
    #[arg(long, default_value = DEFAULT_CLIENT_SECRET, help_heading = "Identity")]
    pub client_secret: String,
    /// Public certificate for client-assertion checks: a PEM file path, or the PEM text.
    #[arg(long, value_name = "PEM", help_heading = "Identity")]
    pub client_certificate: Option<String>,
    /// Lifetime of issued access tokens.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TOKEN_TTL_SECONDS, help_heading = "Identity")]
    pub token_ttl: u64,
    /// Application permissions granted to the app, comma-separated: the `roles` of its access
    /// tokens. Without CallRecords.Read.All the report answers 403, without User.Read.All (or
    /// Directory.Read.All) /v1.0/users does ('' grants none).
    #[arg(long, value_name = "LIST", value_delimiter = ',', default_value = DEFAULT_APP_PERMISSIONS, help_heading = "Identity")]
    pub app_permissions: Vec<String>,

    /// Rows per report page.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PAGE_SIZE, help_heading = "Paging")]
    pub page_size: u32,
    /// What $top means (Graph does not document it).
    #[arg(long, value_enum, default_value_t, help_heading = READINGS)]
    pub top_semantics: TopSemantics,

    /// Delay added to every token, report and users request.
    #[arg(long, value_name = "N", default_value_t = 0, help_heading = "Faults")]
    pub latency_ms: u64,
    /// Fraction (0-1) of report and users requests answered 429 with Retry-After.
    #[arg(long, value_name = "F", default_value_t = 0.0, help_heading = "Faults")]
    pub throttle_rate: f64,
    /// Retry-After of injected 429s and 503s.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_RETRY_AFTER_SECONDS, help_heading = "Faults")]
    pub retry_after: u64,
    /// How Retry-After is written.
    #[arg(long, value_enum, default_value_t, help_heading = READINGS)]
    pub retry_after_format: RetryAfterFormat,
    /// Fraction (0-1) of report and users requests answered 503 or 504.
    #[arg(long, value_name = "F", default_value_t = 0.0, help_heading = "Faults")]
    pub error_rate: f64,
    /// Enforce the documented limits (1000/60 s per tenant, 200/60 s per app, 50/60 s per
    /// collection; for /v1.0/users 3,500 resource units per 10 s): 429 with Retry-After when
    /// exceeded.
    #[arg(long, help_heading = "Faults")]
    pub enforce_limits: bool,
    /// Count --enforce-limits' limits per this many seconds instead of Graph's 60 (the same
    /// numbers of requests in a shorter period: for tests that must meet them quickly).
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600), help_heading = "Faults")]
    pub limit_period: u64,
    /// What the per-collection limit counts (Graph does not say).
    #[arg(long, value_enum, default_value_t, help_heading = READINGS)]
    pub collection_scope: CollectionScope,
    /// Whether toDateTime is inclusive (Graph does not document it).
    #[arg(long, value_enum, default_value_t, help_heading = READINGS)]
    pub to_semantics: ToSemantics,
    /// What the report answers for days older than --retention-days (Graph does not say).
    #[arg(long, value_enum, default_value_t, help_heading = READINGS)]
    pub retention_reading: RetentionReading,
    /// How a raw '+' in the path is read.
    #[arg(long, value_enum, default_value_t, help_heading = READINGS)]
    pub plus_in_path: PlusInPath,
    /// Write non-ASCII characters as \uXXXX escapes in JSON.
    #[arg(long, help_heading = READINGS)]
    pub escape_non_ascii: bool,
    /// The key of the next page's link: `@odata.nextLink` as in Graph's examples, or
    /// `@odata.NextLink` as its text spells it.
    #[arg(long, value_enum, value_name = "KEY", default_value_t, help_heading = READINGS)]
    pub next_link_key: NextLinkKey,
    /// Write totalCallCharge as a JSON string with the exact digits ("12.3456", OData's
    /// IEEE754Compatible form) instead of a JSON number.
    #[arg(long, help_heading = READINGS)]
    pub charge_as_string: bool,
    /// Pages overlap: each page after the first repeats the previous page's last rows.
    #[arg(long, help_heading = READINGS, long_help = unstable_order_help())]
    pub unstable_order: bool,

    /// Client id of the app that signs users in.
    #[arg(long, value_name = "ID", default_value = DEFAULT_OIDC_CLIENT_ID, help_heading = SIGN_IN)]
    pub oidc_client_id: String,
    /// Its client secret (the default is the demo one, not a secret).
    #[arg(long, value_name = "SECRET", default_value = DEFAULT_OIDC_CLIENT_SECRET, help_heading = SIGN_IN)]
    pub oidc_client_secret: String,
    /// A registered redirect URI, matched exactly (repeat for more)
    /// [default: any http:// URI on 127.0.0.1, localhost or [::1], any port].
    #[arg(long = "oidc-redirect-uri", value_name = "URI", help_heading = SIGN_IN)]
    pub oidc_redirect_uris: Vec<String>,
    /// App role held by the test user Ada Manager (the `roles` claim).
    #[arg(long, value_name = "NAME", default_value = DEFAULT_OIDC_ROLE, help_heading = SIGN_IN)]
    pub oidc_role: String,
    /// App role that sees everyone's spend, held by the test user Cleo Finance besides.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_OIDC_ALL_ROLE, help_heading = SIGN_IN)]
    pub oidc_all_role: String,
}

/// The simulator's own day parser: graph-sim depends on no crate of the portal (it stands in
/// for Microsoft's service, and the client must not share code with it).
fn parse_day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| format!("expected YYYY-MM-DD: {e}"))
}

impl Cli {
    /// The configuration and listening address; reads the certificate file if one is named.
    pub fn into_config(self) -> Result<(SimConfig, SocketAddr), SimError> {
        let client_certificate = self
            .client_certificate
            .map(|value| {
                if value.trim_start().starts_with("-----BEGIN") {
                    Ok(value)
                } else {
                    std::fs::read_to_string(&value).map_err(|e| {
                        SimError::InvalidCertificate(format!("cannot read {value}: {e}"))
                    })
                }
            })
            .transpose()?;
        let defaults = SimConfig::default();
        let config = SimConfig {
            seed: self.seed,
            users: self.users,
            today: self.today.unwrap_or(defaults.today),
            history_days: self.history_days,
            retention_days: self.retention_days,
            retention_reading: self.retention_reading,
            tenant_id: self.tenant_id,
            client_id: self.client_id,
            client_secret: self.client_secret,
            client_certificate,
            token_ttl: Duration::from_secs(self.token_ttl),
            // `--app-permissions ''` is one empty item: no permission at all.
            app_permissions: self
                .app_permissions
                .iter()
                .map(|p| p.trim())
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
            page_size: self.page_size,
            latency_ms: self.latency_ms,
            throttle_rate: self.throttle_rate,
            retry_after: Duration::from_secs(self.retry_after),
            retry_after_format: self.retry_after_format,
            error_rate: self.error_rate,
            enforce_limits: self.enforce_limits,
            limit_period: std::time::Duration::from_secs(self.limit_period),
            collection_scope: self.collection_scope,
            to_semantics: self.to_semantics,
            top_semantics: self.top_semantics,
            plus_in_path: self.plus_in_path,
            escape_non_ascii: self.escape_non_ascii,
            next_link_key: self.next_link_key,
            charge_as_string: self.charge_as_string,
            unstable_order: self.unstable_order,
            oidc_client_id: self.oidc_client_id,
            oidc_client_secret: self.oidc_client_secret,
            oidc_redirect_uris: self.oidc_redirect_uris,
            oidc_role: self.oidc_role,
            oidc_all_role: self.oidc_all_role,
        };
        config.validate()?;
        Ok((config, self.addr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent_and_maps_to_the_config() {
        Cli::command().debug_assert();
        let cli = Cli::parse_from([
            "graph-sim",
            "--addr",
            "127.0.0.1:0",
            "--today",
            "2024-05-01",
            "--to-semantics",
            "exclusive",
            "--throttle-rate",
            "0.5",
            "--oidc-redirect-uri",
            "http://127.0.0.1:3000/auth/callback",
            "--oidc-redirect-uri",
            "https://portal.example/auth/callback",
            "--retention-days",
            "30",
            "--retention-reading",
            "error",
            "--next-link-key",
            "odata.NextLink",
            "--charge-as-string",
            "--unstable-order",
        ]);
        let (config, addr) = cli.into_config().unwrap();
        assert_eq!(addr.port(), 0);
        assert_eq!(config.today, NaiveDate::from_ymd_opt(2024, 5, 1).unwrap());
        assert_eq!(config.to_semantics, ToSemantics::Exclusive);
        assert_eq!(config.tenant_id, DEFAULT_TENANT_ID);
        assert_eq!(config.oidc_redirect_uris.len(), 2);
        assert_eq!(config.oidc_client_id, DEFAULT_OIDC_CLIENT_ID);
        assert_eq!(config.oidc_role, DEFAULT_OIDC_ROLE);
        assert_eq!(config.retention_days, Some(30));
        assert_eq!(config.retention_reading, RetentionReading::Error);
        assert_eq!(config.next_link_key, NextLinkKey::Text);
        assert!(config.charge_as_string && config.unstable_order);
        let (config, _) = Cli::parse_from(["graph-sim"]).into_config().unwrap();
        assert_eq!(config.retention_days, None);
        assert_eq!(config.retention_reading, RetentionReading::Empty);
        assert_eq!(config.next_link_key, NextLinkKey::Examples);
        assert!(!config.charge_as_string && !config.unstable_order);
        let lower = Cli::parse_from(["graph-sim", "--next-link-key", "odata.nextLink"]);
        assert_eq!(lower.next_link_key, NextLinkKey::Examples);
        assert!(Cli::try_parse_from(["graph-sim", "--next-link-key", "nextlink"]).is_err());
        let help = Cli::command().render_long_help().to_string();
        for user in &TEST_USERS {
            assert!(help.contains(user.user_principal_name), "{help}");
        }
        assert!(help.contains("ignores --retention-days"), "{help}");
        assert!(help.contains("odata.NextLink"), "{help}");
        assert!(
            help.contains(&format!(
                "starts {UNSTABLE_ORDER_OVERLAP} rows before its $skip"
            )),
            "{help}"
        );
        let bad = Cli::parse_from(["graph-sim", "--error-rate", "2"]);
        assert!(bad.into_config().is_err());
        let bad = Cli::parse_from(["graph-sim", "--retention-days", "0"]);
        let error = bad.into_config().unwrap_err().to_string();
        assert!(
            error.contains("retention days must be at least 1"),
            "{error}"
        );
        assert!(Cli::try_parse_from(["graph-sim", "--retention-reading", "truncate"]).is_err());
    }

    #[test]
    fn app_permissions_are_a_comma_list() {
        let permissions = |args: &[&str]| {
            let args = ["graph-sim"].iter().chain(args);
            Cli::parse_from(args)
                .into_config()
                .unwrap()
                .0
                .app_permissions
        };
        assert_eq!(permissions(&[]), ["CallRecords.Read.All", "User.Read.All"]);
        assert_eq!(
            permissions(&[]),
            SimConfig::default().app_permissions,
            "the flag's default and the library's agree"
        );
        assert_eq!(
            permissions(&["--app-permissions", "User.Read.All, CallRecords.Read.All"]),
            ["User.Read.All", "CallRecords.Read.All"]
        );
        assert!(permissions(&["--app-permissions", ""]).is_empty());
    }
}
