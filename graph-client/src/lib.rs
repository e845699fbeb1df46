//! Microsoft Graph client for the beta PSTN online-meeting dial-out report
//! (`getPstnOnlineMeetingDialoutReport`).
//!
//! - [`GraphConfig`]: cloud, tenant, app credential and hosts, from the Azure SDKs' standard
//!   environment variables ([`GraphConfig::from_env`]) or from explicit values.
//! - [`GraphClient`]: one shared token cache and one rate limiter; fetches any inclusive range of
//!   UTC days ([`DayRange`]) as Graph windows of at most 90 days ([`Window`]), follows paging,
//!   retries transient failures and merges the rows exactly ([`merge_rows`]). A window fetched
//!   at [`Priority::Background`] uses at most the configured share of the rate limits
//!   ([`RateLimits::background_share`]), leaving the rest to interactive requests.
//! - [`export`]: CSV and JSON writers (formula-injection safe CSV) and an atomic file writer.
//!
//! Money is a [`rust_decimal::Decimal`] from the JSON number to the output: no `f64` anywhere on
//! that path. Secrets and tokens never appear in `Debug`/`Display` output, errors or logs.

mod client;
mod cloud;
mod config;
mod credential;
mod directory;
mod error;
pub mod export;
mod http;
mod merge;
mod model;
mod page;
mod paging;
mod pipeline;
mod progress;
mod ratelimit;
mod request;
mod retry;
mod secret;
mod to_reading;
mod token;
mod window;

pub use client::{DialoutReport, GraphClient, ReportCheck, TokenStatus, WindowRows};
pub use cloud::Cloud;
pub use config::{ConfigError, Credential, GraphConfig, env_vars};
pub use directory::DirectoryUser;
pub use error::{ApiError, AuthError, AuthErrorKind, GaveUp, GraphError, TransientFailure};
pub use merge::{MergeError, MergeStats, NAMED_REPEATS, RepeatedKey, Repeats, merge_rows};
pub use model::DialoutRow;
pub use progress::{FetchProgress, ProgressSum};
pub use ratelimit::{Priority, RateLimit, RateLimits};
pub use retry::{GiveUpReason, RetryPolicy};
pub use secret::Secret;
pub use window::{DayRange, MAX_WINDOW_DAYS, RangeError, ToBound, Window};
