//! The optional TOML configuration file: a flat table whose keys are the variable names and whose
//! values are strings or numbers. Unknown keys are refused (they are typos).
use std::collections::BTreeMap;
use std::path::Path;

use super::{ConfigError, names};

#[derive(Clone, Debug, Default)]
pub struct FileSettings {
    values: BTreeMap<String, String>,
    warnings: Vec<String>,
}

impl FileSettings {
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::File {
            path: shown.clone(),
            problem: error.to_string(),
        })?;
        let mut settings = Self::parse(&text).map_err(|problem| ConfigError::File {
            path: shown.clone(),
            problem,
        })?;
        let secrets: Vec<&str> = [
            graph_client::env_vars::CLIENT_SECRET,
            super::names::OIDC_CLIENT_SECRET,
            super::names::SESSION_KEY,
        ]
        .into_iter()
        .filter(|name| settings.values.contains_key(*name))
        .collect();
        if !secrets.is_empty() && readable_by_others(path) {
            settings.warnings.push(format!(
                "{shown} holds {} and other users can read it: chmod 600 it",
                secrets.join(", ")
            ));
        }
        Ok(settings)
    }

    /// Parses the file's text; the error says which key or line is wrong (never a value).
    pub fn parse(text: &str) -> Result<Self, String> {
        let table: toml::Table = text.parse().map_err(|error: toml::de::Error| {
            // Display quotes the offending line, which may hold a secret: give its number only.
            let line = error
                .span()
                .map(|span| line_of(text.as_bytes(), span.start));
            match line {
                Some(line) => format!("not valid TOML on line {line}: {}", error.message()),
                None => format!("not valid TOML: {}", error.message()),
            }
        })?;
        let mut values = BTreeMap::new();
        for (key, value) in table {
            if !names::all().any(|name| name == key) {
                return Err(format!(
                    "unknown setting {key:?} (the keys are the environment variables' names; see docs/configuration.md)"
                ));
            }
            let text = match value {
                toml::Value::String(text) => text,
                toml::Value::Integer(number) => number.to_string(),
                toml::Value::Float(number) => number.to_string(),
                _ => return Err(format!("{key} must be a string or a number")),
            };
            values.insert(key, text);
        }
        Ok(Self {
            values,
            warnings: Vec::new(),
        })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub(super) fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

fn line_of(text: &[u8], offset: usize) -> usize {
    let before = &text[..offset.min(text.len())];
    before.iter().filter(|&&byte| byte == b'\n').count() + 1
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|metadata| metadata.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> bool {
    false
}
