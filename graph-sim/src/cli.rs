//! The `graph-sim` command line: one flag per [`SimConfig`] knob, plus `--addr`.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::NaiveDate;
use clap::Parser;

use crate::config::{
    CollectionScope, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_HISTORY_DAYS,
    DEFAULT_PAGE_SIZE, DEFAULT_RETRY_AFTER_SECONDS, DEFAULT_SEED, DEFAULT_TENANT_ID,
    DEFAULT_TOKEN_TTL_SECONDS, DEFAULT_USERS, PlusInPath, RetryAfterFormat, SimConfig, ToSemantics,
    TopSemantics,
};
use crate::error::SimError;

/// Flags choosing between readings of behaviour Graph does not document.
const READINGS: &str = "Undocumented Graph behaviour (both readings)";

const AFTER_HELP: &str = "\
Endpoints (BASE is the printed http://HOST:PORT):
  POST BASE/{tenant}/oauth2/v2.0/token    client credentials; scope must be BASE/.default
  GET  BASE/beta/communications/callRecords/getPstnOnlineMeetingDialoutReport(fromDateTime=..,toDateTime=..)
  GET  BASE/_sim/stats, POST BASE/_sim/stats/reset
  GET  BASE/_sim/truth?from=YYYY-MM-DD&to=YYYY-MM-DD   exact totals per currency (inclusive days)

Demo credentials: the defaults of --tenant-id, --client-id and --client-secret above (made up,
not secret; the portal's demo mode uses them).";

/// A faithful Microsoft Graph simulator: the identity platform's token endpoint and the beta
/// PSTN online-meeting dial-out report, on deterministic made-up data.
#[derive(Debug, Parser)]
#[command(name = "graph-sim", version, after_help = AFTER_HELP)]
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

    /// Rows per report page.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PAGE_SIZE, help_heading = "Paging")]
    pub page_size: u32,
    /// What $top means (Graph does not document it).
    #[arg(long, value_enum, default_value_t, help_heading = READINGS)]
    pub top_semantics: TopSemantics,

    /// Delay added to every token and report request.
    #[arg(long, value_name = "N", default_value_t = 0, help_heading = "Faults")]
    pub latency_ms: u64,
    /// Fraction (0-1) of report requests answered 429 with Retry-After.
    #[arg(long, value_name = "F", default_value_t = 0.0, help_heading = "Faults")]
    pub throttle_rate: f64,
    /// Retry-After of injected 429s and 503s.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_RETRY_AFTER_SECONDS, help_heading = "Faults")]
    pub retry_after: u64,
    /// How Retry-After is written.
    #[arg(long, value_enum, default_value_t, help_heading = READINGS)]
    pub retry_after_format: RetryAfterFormat,
    /// Fraction (0-1) of report requests answered 503 or 504.
    #[arg(long, value_name = "F", default_value_t = 0.0, help_heading = "Faults")]
    pub error_rate: f64,
    /// Enforce the documented limits (1000/60 s per tenant, 200/60 s per app, 50/60 s per
    /// collection): 429 with Retry-After when exceeded.
    #[arg(long, help_heading = "Faults")]
    pub enforce_limits: bool,
    /// What the per-collection limit counts (Graph does not say).
    #[arg(long, value_enum, default_value_t, help_heading = READINGS)]
    pub collection_scope: CollectionScope,
    /// Whether toDateTime is inclusive (Graph does not document it).
    #[arg(long, value_enum, default_value_t, help_heading = READINGS)]
    pub to_semantics: ToSemantics,
    /// How a raw '+' in the path is read.
    #[arg(long, value_enum, default_value_t, help_heading = READINGS)]
    pub plus_in_path: PlusInPath,
    /// Write non-ASCII characters as \uXXXX escapes in JSON.
    #[arg(long, help_heading = READINGS)]
    pub escape_non_ascii: bool,
}

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
            tenant_id: self.tenant_id,
            client_id: self.client_id,
            client_secret: self.client_secret,
            client_certificate,
            token_ttl: Duration::from_secs(self.token_ttl),
            page_size: self.page_size,
            latency_ms: self.latency_ms,
            throttle_rate: self.throttle_rate,
            retry_after: Duration::from_secs(self.retry_after),
            retry_after_format: self.retry_after_format,
            error_rate: self.error_rate,
            enforce_limits: self.enforce_limits,
            collection_scope: self.collection_scope,
            to_semantics: self.to_semantics,
            top_semantics: self.top_semantics,
            plus_in_path: self.plus_in_path,
            escape_non_ascii: self.escape_non_ascii,
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
        ]);
        let (config, addr) = cli.into_config().unwrap();
        assert_eq!(addr.port(), 0);
        assert_eq!(config.today, NaiveDate::from_ymd_opt(2024, 5, 1).unwrap());
        assert_eq!(config.to_semantics, ToSemantics::Exclusive);
        assert_eq!(config.tenant_id, DEFAULT_TENANT_ID);
        let bad = Cli::parse_from(["graph-sim", "--error-rate", "2"]);
        assert!(bad.into_config().is_err());
    }
}
