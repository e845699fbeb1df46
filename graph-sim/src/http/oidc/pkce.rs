//! Proof Key for Code Exchange (RFC 7636): the challenge an authorization request carries and
//! the verifier that must redeem its code.

use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::digest;

use super::super::aad_error::AadError;
use super::super::jwt;

/// RFC 7636 4.1: verifiers (and so plain challenges) are 43 to 128 unreserved characters.
const LENGTHS: std::ops::RangeInclusive<usize> = 43..=128;

/// A code challenge and how the verifier must be transformed to match it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeChallenge {
    /// `code_challenge_method=plain`: the verifier itself.
    Plain(String),
    /// `code_challenge_method=S256`: BASE64URL(SHA-256(verifier)), 43 characters.
    S256(String),
}

fn is_unreserved(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

impl CodeChallenge {
    /// Reads `code_challenge` and `code_challenge_method`. No challenge is fine (PKCE is
    /// optional for confidential clients); a challenge needs an explicit method, so a client
    /// that forgets `S256` is not silently downgraded to `plain`.
    pub fn from_request(
        challenge: Option<&str>,
        method: Option<&str>,
    ) -> Result<Option<Self>, AadError> {
        let Some(challenge) = challenge else {
            return match method {
                None => Ok(None),
                Some(_) => Err(AadError::missing_parameter("code_challenge")),
            };
        };
        let method = method.ok_or_else(|| AadError::missing_parameter("code_challenge_method"))?;
        let parsed = match method {
            "S256" => Self::S256(challenge.to_owned()),
            "plain" => Self::Plain(challenge.to_owned()),
            other => {
                return Err(AadError::invalid_request(
                    50149,
                    format!(
                        "Invalid Code_Challenge_method parameter '{other}'; use 'S256' or 'plain'."
                    ),
                ));
            }
        };
        let well_formed = match &parsed {
            Self::S256(text) => {
                text.len() == 43
                    && text
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }
            Self::Plain(text) => LENGTHS.contains(&text.len()) && is_unreserved(text),
        };
        if !well_formed {
            return Err(AadError::invalid_request(
                501491,
                "Invalid size of Code_Challenge parameter. (S256 challenges are 43 base64url \
                 characters without padding; plain ones 43 to 128 unreserved characters.)"
                    .into(),
            ));
        }
        Ok(Some(parsed))
    }

    /// Whether `verifier` is the one this challenge was made from.
    pub fn is_satisfied_by(&self, verifier: &str) -> bool {
        if !(LENGTHS.contains(&verifier.len()) && is_unreserved(verifier)) {
            return false;
        }
        let (expected, actual) = match self {
            Self::Plain(challenge) => (challenge.clone(), verifier.to_owned()),
            Self::S256(challenge) => (
                challenge.clone(),
                jwt::encode_segment(digest::digest(&digest::SHA256, verifier.as_bytes()).as_ref()),
            ),
        };
        verify_slices_are_equal(expected.as_bytes(), actual.as_bytes()).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn s256_matches_the_rfc_example_and_nothing_else() {
        let challenge = CodeChallenge::from_request(Some(CHALLENGE), Some("S256"))
            .unwrap()
            .unwrap();
        assert!(challenge.is_satisfied_by(VERIFIER));
        assert!(!challenge.is_satisfied_by(CHALLENGE));
        assert!(!challenge.is_satisfied_by(""));
        let plain = CodeChallenge::from_request(Some(VERIFIER), Some("plain"))
            .unwrap()
            .unwrap();
        assert!(plain.is_satisfied_by(VERIFIER));
        assert!(!plain.is_satisfied_by(CHALLENGE));
    }

    #[test]
    fn bad_parameters_are_named() {
        assert_eq!(CodeChallenge::from_request(None, None).unwrap(), None);
        fn code(challenge: Option<&str>, method: Option<&str>) -> u32 {
            CodeChallenge::from_request(challenge, method)
                .unwrap_err()
                .code()
        }
        assert_eq!(code(Some(CHALLENGE), None), 900144);
        assert_eq!(code(None, Some("S256")), 900144);
        assert_eq!(code(Some(CHALLENGE), Some("S512")), 50149);
        assert_eq!(code(Some("short"), Some("S256")), 501491);
        assert_eq!(code(Some(&format!("{CHALLENGE}=")), Some("S256")), 501491);
        assert_eq!(code(Some(&"a b".repeat(20)), Some("plain")), 501491);
    }
}
