//! `application/x-www-form-urlencoded` fields, as the identity platform reads them from token
//! request bodies and authorization request queries.

use url::form_urlencoded;

use super::aad_error::AadError;

/// Decoded fields; empty values count as missing, as they do for Entra ID.
pub struct FormFields(Vec<(String, String)>);

impl FormFields {
    /// Never fails: undecodable bytes become U+FFFD, as in any lenient form parser.
    pub fn parse(body: &[u8]) -> Self {
        Self(form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first non-empty value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, value)| key == name && !value.is_empty())
            .map(|(_, value)| value.as_str())
    }

    pub fn require(&self, name: &str) -> Result<&str, AadError> {
        self.get(name)
            .ok_or_else(|| AadError::missing_parameter(name))
    }
}
