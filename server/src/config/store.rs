//! The store's settings: where the file is, how much history is kept, how often and with what
//! share of Graph's budget it is synced.
use std::time::Duration;

use report_store::SyncSettings;

use super::values::Values;
use super::{ConfigError, names};

/// Where the store lives when `PORTAL_DATABASE_URL` is not set (relative to the working
/// folder). Demo mode keeps its made-up history in a temporary folder instead.
pub const DEFAULT_DATABASE_PATH: &str = "data/dialout-portal.sqlite";

#[derive(Clone, Debug, PartialEq)]
pub struct StoreSettings {
    /// `PORTAL_DATABASE_URL`; `None`: the default file (a temporary one in demo mode).
    pub database_url: Option<String>,
    pub sync: SyncSettings,
    /// The share of Graph's request budget the sync may use (the rest is people's).
    pub graph_share: f64,
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            database_url: None,
            sync: SyncSettings::default(),
            graph_share: 0.5,
        }
    }
}

pub(super) fn store_settings(values: &Values<'_>) -> Result<StoreSettings, ConfigError> {
    let defaults = StoreSettings::default();
    let database_url = values.get(names::DATABASE_URL);
    if let Some(url) = &database_url
        && !url.starts_with("sqlite:")
        && !report_store::is_postgres(url)
        && url.contains("://")
    {
        // The URL may hold a password: only its scheme is repeated.
        let scheme = url.split("://").next().unwrap_or_default();
        return Err(ConfigError::Invalid {
            setting: names::DATABASE_URL,
            problem: format!(
                "a {scheme}:// URL: expected a SQLite file (sqlite://PATH, sqlite:PATH or a plain path) or a PostgreSQL database (postgres://USER@HOST/DATABASE)"
            ),
        });
    }
    let graph_share: f64 = values.parse(names::SYNC_GRAPH_SHARE, defaults.graph_share)?;
    if !(graph_share > 0.0 && graph_share <= 1.0) {
        return Err(ConfigError::Invalid {
            setting: names::SYNC_GRAPH_SHARE,
            problem: format!("{graph_share} is not a share above 0 and at most 1"),
        });
    }
    let interval = match values.get(names::SYNC_INTERVAL) {
        None => defaults.sync.interval,
        Some(text) => parse_interval(&text).map_err(|problem| ConfigError::Invalid {
            setting: names::SYNC_INTERVAL,
            problem,
        })?,
    };
    Ok(StoreSettings {
        database_url,
        sync: SyncSettings {
            history_days: values.bounded(
                names::HISTORY_DAYS,
                defaults.sync.history_days,
                1..=3660,
            )?,
            interval,
            cache_rows: values.bounded(
                names::STORE_CACHE_ROWS,
                defaults.sync.cache_rows,
                1_000..=1_000_000_000,
            )?,
            ..defaults.sync
        },
        graph_share,
    })
}

/// `90s`, `15m`, `1h` or whole seconds; from a minute to a day.
fn parse_interval(text: &str) -> Result<Duration, String> {
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let scale = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => {
            return Err(format!(
                "{text:?}: expected seconds, or a number with s, m or h"
            ));
        }
    };
    let seconds = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| format!("{text:?} is not a duration"))?;
    if (60..=86_400).contains(&seconds) {
        Ok(Duration::from_secs(seconds))
    } else {
        Err(format!(
            "{text:?} is out of range: from 1 minute to 24 hours"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_with_their_unit() {
        assert_eq!(parse_interval("3600"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_interval("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_interval("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_interval("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_interval("10s").is_err(), "under a minute");
        assert!(parse_interval("2d").is_err());
        assert!(parse_interval("h").is_err());
        assert!(parse_interval("99999999999999999999h").is_err());
    }
}
