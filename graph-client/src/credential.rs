//! The certificate credential: a PEM file with the RSA private key and the certificate, used to
//! sign the client assertion (a JWT) the identity platform accepts instead of a secret.
//!
//! JWT: header `{"alg":"PS256","typ":"JWT","x5t#S256":…}` (the base64url SHA-256 thumbprint
//! of the certificate's DER), claims `aud` = the token URL, `iss` = `sub` = client id, `jti`,
//! `nbf`, `iat`, `exp` (10 minutes). Signed with aws-lc-rs (already the TLS provider).

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PSS_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

use crate::config::{ConfigError, env_vars};
use crate::secret::Secret;

const ASSERTION_LIFETIME_SECS: u64 = 600;

pub(crate) struct CertificateCredential {
    key: RsaKeyPair,
    thumbprint_s256: String,
}

impl std::fmt::Debug for CertificateCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateCredential")
            .field("x5t#S256", &self.thumbprint_s256)
            .finish_non_exhaustive()
    }
}

impl CertificateCredential {
    /// Reads and checks the PEM file; errors name `AZURE_CLIENT_CERTIFICATE_PATH`.
    pub(crate) fn load(path: &Path) -> Result<Self, ConfigError> {
        let invalid = |problem: String| ConfigError::Invalid {
            variable: env_vars::CLIENT_CERTIFICATE_PATH,
            problem,
        };
        let bytes = std::fs::read(path)
            .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
        Self::from_pem(&bytes).map_err(|problem| invalid(format!("{}: {problem}", path.display())))
    }

    pub(crate) fn from_pem(bytes: &[u8]) -> Result<Self, String> {
        let blocks = pem::parse_many(bytes).map_err(|e| format!("not a valid PEM file ({e})"))?;
        let certificate = blocks.iter().find(|b| b.tag() == "CERTIFICATE").ok_or(
            "no CERTIFICATE block: the file must hold the certificate as well as the private key",
        )?;
        let mut key = None;
        for block in &blocks {
            let parsed = match block.tag() {
                "PRIVATE KEY" => RsaKeyPair::from_pkcs8(block.contents()),
                "RSA PRIVATE KEY" => RsaKeyPair::from_der(block.contents()),
                "ENCRYPTED PRIVATE KEY" => {
                    return Err(
                        "the private key is encrypted: export it without a passphrase".into(),
                    );
                }
                "EC PRIVATE KEY" => {
                    return Err("the private key is an EC key: an RSA key is needed".into());
                }
                _ => continue,
            };
            key =
                Some(parsed.map_err(|e| format!("the private key is not a usable RSA key ({e})"))?);
            break;
        }
        let key = key
            .ok_or("no PRIVATE KEY or RSA PRIVATE KEY block: the file must hold the private key")?;
        let thumbprint_s256 = B64.encode(digest(&SHA256, certificate.contents()).as_ref());
        Ok(Self {
            key,
            thumbprint_s256,
        })
    }

    /// A fresh signed client assertion for `client_id` at the token URL `audience`.
    pub(crate) fn assertion(
        &self,
        client_id: &str,
        audience: &str,
        now: SystemTime,
    ) -> Result<Secret, String> {
        let now = now
            .duration_since(UNIX_EPOCH)
            .map_err(|_| "the system clock is before 1970")?
            .as_secs();
        let header =
            serde_json::json!({"alg": "PS256", "typ": "JWT", "x5t#S256": self.thumbprint_s256});
        let claims = serde_json::json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "nbf": now,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECS,
        });
        let signing_input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let mut signature = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PSS_SHA256,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| "signing the client assertion failed")?;
        Ok(Secret::new(format!(
            "{signing_input}.{}",
            B64.encode(signature)
        )))
    }

    #[cfg(test)]
    pub(crate) fn thumbprint(&self) -> &str {
        &self.thumbprint_s256
    }
}

#[cfg(test)]
mod tests {
    use aws_lc_rs::signature::{KeyPair, RSA_PSS_2048_8192_SHA256, UnparsedPublicKey};

    use super::*;

    const PKCS8: &[u8] = include_bytes!("../tests/fixtures/test-app.pem");
    const PKCS1: &[u8] = include_bytes!("../tests/fixtures/test-app-pkcs1.pem");
    const CERT_ONLY: &[u8] = include_bytes!("../tests/fixtures/test-app-cert.pem");

    fn decode_part(part: &str) -> serde_json::Value {
        serde_json::from_slice(&B64.decode(part).unwrap()).unwrap()
    }

    #[test]
    fn signs_a_verifiable_ps256_assertion() {
        let cred = CertificateCredential::from_pem(PKCS8).unwrap();
        let now = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let jwt = cred
            .assertion("client-1", "https://login.example/t/oauth2/v2.0/token", now)
            .unwrap();
        let parts: Vec<&str> = jwt.expose().split('.').collect();
        assert_eq!(parts.len(), 3);
        let header = decode_part(parts[0]);
        assert_eq!(header["alg"], "PS256");
        assert_eq!(header["typ"], "JWT");
        assert_eq!(header["x5t#S256"], cred.thumbprint());
        let claims = decode_part(parts[1]);
        assert_eq!(claims["aud"], "https://login.example/t/oauth2/v2.0/token");
        assert_eq!(claims["iss"], "client-1");
        assert_eq!(claims["sub"], "client-1");
        assert_eq!(claims["nbf"], 1_700_000_000u64);
        assert_eq!(claims["exp"], 1_700_000_600u64);
        assert!(claims["jti"].as_str().is_some_and(|j| j.len() == 36));

        let public = cred.key.public_key();
        let signature = B64.decode(parts[2]).unwrap();
        UnparsedPublicKey::new(&RSA_PSS_2048_8192_SHA256, public.as_ref())
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
            .expect("the signature verifies with the key's public half");
    }

    #[test]
    fn pkcs1_keys_and_either_block_order_work() {
        let a = CertificateCredential::from_pem(PKCS8).unwrap();
        let b = CertificateCredential::from_pem(PKCS1).unwrap();
        assert_eq!(
            a.thumbprint(),
            b.thumbprint(),
            "same certificate, same thumbprint"
        );
        assert_eq!(a.thumbprint().len(), 43, "base64url of 32 bytes, unpadded");
    }

    #[test]
    fn unusable_files_give_clear_errors() {
        assert!(
            CertificateCredential::from_pem(CERT_ONLY)
                .unwrap_err()
                .contains("private key")
        );
        assert!(
            CertificateCredential::from_pem(b"hello")
                .unwrap_err()
                .contains("CERTIFICATE")
        );
        let encrypted =
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        let mut with_cert = CERT_ONLY.to_vec();
        with_cert.extend_from_slice(encrypted);
        assert!(
            CertificateCredential::from_pem(&with_cert)
                .unwrap_err()
                .contains("encrypted")
        );
        let garbage_key = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        let mut with_cert = CERT_ONLY.to_vec();
        with_cert.extend_from_slice(garbage_key);
        assert!(
            CertificateCredential::from_pem(&with_cert)
                .unwrap_err()
                .contains("not a usable RSA key")
        );
        let err = CertificateCredential::load(Path::new("/nonexistent/app.pem")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("AZURE_CLIENT_CERTIFICATE_PATH is invalid: cannot read"),
            "{err}"
        );
    }
}
