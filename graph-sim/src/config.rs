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

pub const DEFAULT_SEED: u64 = 42;
pub const DEFAULT_USERS: u32 = 2000;
pub const DEFAULT_HISTORY_DAYS: u32 = 400;
pub const DEFAULT_TOKEN_TTL_SECONDS: u64 = 3599;
pub const DEFAULT_PAGE_SIZE: u32 = 1000;
pub const DEFAULT_RETRY_AFTER_SECONDS: u64 = 2;

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

/// Every setting of a simulator instance. `Default` gives the documented defaults.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Seed of the made-up data: the same seed gives byte-identical pages.
    pub seed: u64,
    pub users: u32,
    /// Calls exist on the `history_days` days before `today` (UTC).
    pub today: NaiveDate,
    pub history_days: u32,
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    /// PEM of the public certificate that client assertions must be signed for.
    pub client_certificate: Option<String>,
    pub token_ttl: Duration,
    /// Rows per page (Graph: 1000).
    pub page_size: u32,
    /// Delay, in milliseconds, added to every token and report request.
    pub latency_ms: u64,
    /// Fraction of report requests answered 429.
    pub throttle_rate: f64,
    pub retry_after: Duration,
    pub retry_after_format: RetryAfterFormat,
    /// Fraction of report requests answered 503 or 504.
    pub error_rate: f64,
    /// Apply the documented request limits (429 with Retry-After when exceeded).
    pub enforce_limits: bool,
    pub collection_scope: CollectionScope,
    pub to_semantics: ToSemantics,
    pub top_semantics: TopSemantics,
    pub plus_in_path: PlusInPath,
    /// Write non-ASCII characters as `\uXXXX` escapes in JSON, as some OData writers do.
    pub escape_non_ascii: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: DEFAULT_SEED,
            users: DEFAULT_USERS,
            today: Utc::now().date_naive(),
            history_days: DEFAULT_HISTORY_DAYS,
            tenant_id: DEFAULT_TENANT_ID.to_owned(),
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
            client_certificate: None,
            token_ttl: Duration::from_secs(DEFAULT_TOKEN_TTL_SECONDS),
            page_size: DEFAULT_PAGE_SIZE,
            latency_ms: 0,
            throttle_rate: 0.0,
            retry_after: Duration::from_secs(DEFAULT_RETRY_AFTER_SECONDS),
            retry_after_format: RetryAfterFormat::default(),
            error_rate: 0.0,
            enforce_limits: false,
            collection_scope: CollectionScope::default(),
            to_semantics: ToSemantics::default(),
            top_semantics: TopSemantics::default(),
            plus_in_path: PlusInPath::default(),
            escape_non_ascii: false,
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
        if self.page_size == 0 {
            return invalid("page size must be at least 1".into());
        }
        for (name, value) in [
            ("tenant id", &self.tenant_id),
            ("client id", &self.client_id),
            ("client secret", &self.client_secret),
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
            tenant_id: "a/b".into(),
            ..SimConfig::default()
        };
        assert!(bad.validate().is_err());
    }
}
