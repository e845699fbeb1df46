//! Reading one setting: the environment over the file, trimmed, parsed and range-checked, with
//! errors that name the setting.
use std::fmt::Display;
use std::ops::RangeInclusive;
use std::str::FromStr;
use std::time::Duration;

use chrono::NaiveDate;

use super::{ConfigError, FileSettings};

/// The longest cache lifetime or request timeout accepted: 30 days.
const MAX_SECONDS: u64 = 30 * 24 * 60 * 60;

/// Where the environment's values come from (the process's, or a test's).
type Lookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

pub(super) struct Values<'a> {
    file: &'a FileSettings,
    env: Lookup<'a>,
}

impl<'a> Values<'a> {
    pub(super) fn new(file: &'a FileSettings, env: impl Fn(&str) -> Option<String> + 'a) -> Self {
        Self {
            file,
            env: Box::new(env),
        }
    }

    /// The value in force, trimmed; `None` when unset or empty.
    pub(super) fn get(&self, name: &str) -> Option<String> {
        (self.env)(name)
            .or_else(|| self.file.get(name).map(str::to_owned))
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    pub(super) fn parse<T>(&self, name: &'static str, default: T) -> Result<T, ConfigError>
    where
        T: FromStr,
        T::Err: Display,
    {
        match self.get(name) {
            None => Ok(default),
            Some(text) => text.parse().map_err(|error| ConfigError::Invalid {
                setting: name,
                problem: format!("{text:?}: {error}"),
            }),
        }
    }

    pub(super) fn bounded<T>(
        &self,
        name: &'static str,
        default: T,
        range: RangeInclusive<T>,
    ) -> Result<T, ConfigError>
    where
        T: FromStr + PartialOrd + Display,
        T::Err: Display,
    {
        let value = self.parse(name, default)?;
        if range.contains(&value) {
            Ok(value)
        } else {
            Err(ConfigError::Invalid {
                setting: name,
                problem: format!(
                    "{value} is out of range: expected {} to {}",
                    range.start(),
                    range.end()
                ),
            })
        }
    }

    /// Whole seconds, at least 1.
    pub(super) fn seconds(
        &self,
        name: &'static str,
        default: Duration,
    ) -> Result<Duration, ConfigError> {
        self.bounded(name, default.as_secs(), 1..=MAX_SECONDS)
            .map(Duration::from_secs)
    }

    /// A fraction from 0 to 1 (default 0).
    pub(super) fn rate(&self, name: &'static str) -> Result<f64, ConfigError> {
        let value: f64 = self.parse(name, 0.0)?;
        if (0.0..=1.0).contains(&value) {
            Ok(value)
        } else {
            Err(ConfigError::Invalid {
                setting: name,
                problem: format!("{value} is not a fraction from 0 to 1"),
            })
        }
    }
}

/// A UTC day written exactly `YYYY-MM-DD` (the portal's one day parser), or what is wrong.
pub(crate) fn parse_day(text: &str) -> Result<NaiveDate, String> {
    app::range::parse_day(text).ok_or_else(|| format!("{text:?} is not a date written YYYY-MM-DD"))
}

/// Whether a URL names this host (`localhost` or a loopback address): the only place plain
/// `http://` is accepted (the public URL, the budget webhook).
pub(super) fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}
