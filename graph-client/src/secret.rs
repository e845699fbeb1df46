//! A string that never shows itself in `Debug` output (client secrets, access tokens).

use std::fmt;

/// A credential or token. `Debug` prints `Secret([redacted])`; there is no `Display`, and the
/// value can be read only inside this crate, where it goes into a request and nowhere else.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Replaces every occurrence of each non-trivial secret in `text` (text that came from a
/// server, which could echo what it was sent).
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        if out.contains(secret) {
            out = out.replace(secret, "[redacted]");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{s:?}"), "Secret([redacted])");
        assert!(!format!("{:?}", Some(&s)).contains("hunter2"));
    }

    #[test]
    fn redact_replaces_every_occurrence() {
        let text = "bad secret abcd1234 and again abcd1234.";
        assert_eq!(
            redact(text, &["abcd1234"]),
            "bad secret [redacted] and again [redacted]."
        );
        assert_eq!(
            redact("xy", &["x"]),
            "xy",
            "trivially short values are not redacted"
        );
    }
}
