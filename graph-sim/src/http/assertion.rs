//! Client assertions: RS256/PS256 JWTs signed with the key of the app's registered certificate.
//!
//! Checked like the identity platform: the header names the certificate by thumbprint
//! (`x5t#S256`, or the legacy SHA-1 `x5t`), the signature verifies against its public key,
//! `iss` = `sub` = client id, `aud` = the token endpoint URL, and now lies in `[nbf, exp)`.

use aws_lc_rs::digest;
use aws_lc_rs::signature::{
    RSA_PKCS1_2048_8192_SHA256, RSA_PSS_2048_8192_SHA256, UnparsedPublicKey, VerificationAlgorithm,
};
use serde_json::Value;
use x509_parser::pem::Pem;
use x509_parser::public_key::PublicKey;

use super::jwt;
use crate::error::SimError;

/// The identity platform's minimum key size for certificate credentials.
const MIN_RSA_BITS: usize = 2048;

/// The public half of the app's certificate credential.
pub struct CertificateCredential {
    /// PKCS#1 `RSAPublicKey` DER, as the verifier takes it.
    rsa_public_key: Vec<u8>,
    sha1_thumbprint: Vec<u8>,
    sha256_thumbprint: Vec<u8>,
}

impl CertificateCredential {
    /// Reads the first `CERTIFICATE` block of a PEM text; the key must be RSA, 2048 bits or more.
    pub fn from_pem(pem_text: &str) -> Result<Self, SimError> {
        let invalid = |why: String| SimError::InvalidCertificate(why);
        let pem = Pem::iter_from_buffer(pem_text.as_bytes())
            .filter_map(Result::ok)
            .find(|pem| pem.label == "CERTIFICATE")
            .ok_or_else(|| invalid("no PEM block labelled CERTIFICATE was found".into()))?;
        let certificate = pem
            .parse_x509()
            .map_err(|e| invalid(format!("not an X.509 certificate: {e}")))?;
        let spki = certificate.public_key();
        match spki.parsed() {
            Ok(PublicKey::RSA(rsa)) if rsa.key_size() >= MIN_RSA_BITS => {}
            Ok(PublicKey::RSA(rsa)) => {
                return Err(invalid(format!(
                    "the RSA key has {} bits; at least {MIN_RSA_BITS} are required",
                    rsa.key_size()
                )));
            }
            _ => return Err(invalid("the public key is not an RSA key".into())),
        }
        Ok(Self {
            rsa_public_key: spki.subject_public_key.data.to_vec(),
            sha1_thumbprint: digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &pem.contents)
                .as_ref()
                .to_vec(),
            sha256_thumbprint: digest::digest(&digest::SHA256, &pem.contents)
                .as_ref()
                .to_vec(),
        })
    }

    /// Whether the assertion header's thumbprint names this certificate.
    fn is_named_by(&self, header: &serde_json::Map<String, Value>) -> bool {
        let matches = |name: &str, expected: &[u8]| {
            header
                .get(name)
                .and_then(Value::as_str)
                .and_then(jwt::decode_segment)
                .is_some_and(|thumbprint| thumbprint == expected)
        };
        matches("x5t#S256", &self.sha256_thumbprint) || matches("x5t", &self.sha1_thumbprint)
    }
}

/// Why an assertion was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssertionRejection {
    Malformed,
    UnsupportedAlgorithm(String),
    /// No registered certificate matches the header's thumbprint.
    UnknownKey,
    InvalidSignature,
    /// `iss` or `sub` is not the client id.
    WrongClient,
    WrongAudience,
    OutsideValidity {
        now: i64,
        not_before: Option<i64>,
        expires: Option<i64>,
    },
}

/// What a valid assertion must say.
pub struct ExpectedAssertion<'a> {
    pub client_id: &'a str,
    /// The token endpoint URL.
    pub audience: &'a str,
    pub now: i64,
}

/// Verifies a client assertion against the registered certificate, if any.
pub fn verify_assertion(
    credential: Option<&CertificateCredential>,
    assertion: &str,
    expected: &ExpectedAssertion,
) -> Result<(), AssertionRejection> {
    let jwt = jwt::parse(assertion).ok_or(AssertionRejection::Malformed)?;
    let algorithm: &'static dyn VerificationAlgorithm =
        match jwt.header.get("alg").and_then(Value::as_str) {
            Some("RS256") => &RSA_PKCS1_2048_8192_SHA256,
            Some("PS256") => &RSA_PSS_2048_8192_SHA256,
            other => {
                return Err(AssertionRejection::UnsupportedAlgorithm(
                    other.unwrap_or("none").to_owned(),
                ));
            }
        };
    let credential = credential
        .filter(|c| c.is_named_by(&jwt.header))
        .ok_or(AssertionRejection::UnknownKey)?;
    UnparsedPublicKey::new(algorithm, &credential.rsa_public_key)
        .verify(jwt.signing_input.as_bytes(), &jwt.signature)
        .map_err(|_| AssertionRejection::InvalidSignature)?;

    let claims = &jwt.claims;
    let is_client = |name| jwt::string_claim(claims, name) == Some(expected.client_id);
    if !(is_client("iss") && is_client("sub")) {
        return Err(AssertionRejection::WrongClient);
    }
    if !audience_matches(claims.get("aud"), expected.audience) {
        return Err(AssertionRejection::WrongAudience);
    }
    let not_before = jwt::seconds_claim(claims, "nbf");
    let expires = jwt::seconds_claim(claims, "exp");
    let started = not_before.is_none_or(|nbf| nbf <= expected.now);
    let unexpired = expires.is_some_and(|exp| expected.now < exp);
    if !(started && unexpired) {
        return Err(AssertionRejection::OutsideValidity {
            now: expected.now,
            not_before,
            expires,
        });
    }
    Ok(())
}

/// `aud` may be a string or an array of strings (RFC 7519).
fn audience_matches(audience: Option<&Value>, expected: &str) -> bool {
    let same = |value: &Value| {
        value
            .as_str()
            .is_some_and(|aud| aud.eq_ignore_ascii_case(expected))
    };
    match audience {
        Some(Value::Array(values)) => values.iter().any(same),
        Some(value) => same(value),
        None => false,
    }
}
