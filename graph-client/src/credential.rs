//! The certificate credential: a PEM file with the RSA private key and the certificate (alone
//! or with its chain, in any order), used to sign the client assertion (a JWT) the identity
//! platform accepts instead of a secret.
//!
//! JWT: header `{"alg":"PS256","typ":"JWT","x5t#S256":…}` (the base64url SHA-256 thumbprint
//! of the DER of the certificate that holds the key's public half), claims `aud` = the token
//! URL, `iss` = `sub` = client id, `jti`, `nbf` (5 minutes back), `iat`, `exp` (10 minutes).
//! Signed with aws-lc-rs (already the TLS provider).

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{KeyPair as _, RSA_PSS_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use x509_parser::prelude::{FromDer as _, X509Certificate};

use crate::config::{ConfigError, env_vars};
use crate::secret::Secret;

const ASSERTION_LIFETIME_SECS: u64 = 600;
/// `nbf` lies this far before the host's time, so a host clock somewhat ahead of Entra ID's
/// does not make the assertion "not yet valid" (AADSTS700024). Five minutes is the usual
/// clock-skew allowance of token validators. The claim is kept rather than omitted: Entra
/// ID's documentation lists it among the assertion's claims. (The 700024 hint in `error.rs`
/// quotes both durations.)
const NOT_BEFORE_SKEW_SECS: u64 = 300;

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
        let certificates: Vec<&[u8]> = blocks
            .iter()
            .filter(|b| b.tag() == "CERTIFICATE")
            .map(|b| b.contents())
            .collect();
        if certificates.is_empty() {
            return Err(
                "no CERTIFICATE block: the file must hold the certificate as well as the private key"
                    .into(),
            );
        }
        let key = private_key(&blocks)?;
        let certificate = certificate_of(&key, &certificates)?;
        let thumbprint_s256 = B64.encode(digest(&SHA256, certificate).as_ref());
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
            "nbf": now.saturating_sub(NOT_BEFORE_SKEW_SECS),
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

/// The first private-key block, which must be an unencrypted RSA key.
fn private_key(blocks: &[pem::Pem]) -> Result<RsaKeyPair, String> {
    for block in blocks {
        let parsed = match block.tag() {
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(block.contents()),
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(block.contents()),
            "ENCRYPTED PRIVATE KEY" => {
                return Err("the private key is encrypted: export it without a passphrase".into());
            }
            "EC PRIVATE KEY" => {
                return Err("the private key is an EC key: an RSA key is needed".into());
            }
            _ => continue,
        };
        return parsed.map_err(|e| format!("the private key is not a usable RSA key ({e})"));
    }
    Err("no PRIVATE KEY or RSA PRIVATE KEY block: the file must hold the private key".into())
}

/// The certificate (DER) whose public key is `key`'s: with a chain in the file, that is the
/// leaf, the one registered on the app, wherever it stands. Entra ID finds the registered
/// certificate by the assertion's thumbprint, so a CA's would be refused (AADSTS700027).
fn certificate_of<'a>(key: &RsaKeyPair, certificates: &[&'a [u8]]) -> Result<&'a [u8], String> {
    // PKCS#1 `RSAPublicKey` DER, the same bytes an RSA SubjectPublicKeyInfo wraps in its BIT
    // STRING; DER being canonical, equal keys have equal bytes.
    let public_key = key.public_key().as_ref();
    let mut unreadable = 0;
    for &der in certificates {
        match X509Certificate::from_der(der) {
            Ok((_, certificate)) => {
                if certificate.public_key().subject_public_key.data.as_ref() == public_key {
                    return Ok(der);
                }
            }
            Err(_) => unreadable += 1,
        }
    }
    let unreadable = match unreadable {
        0 => String::new(),
        n => format!(", {n} of them not a readable X.509 certificate"),
    };
    Err(format!(
        "the certificate and the private key do not belong together: none of the {} \
         certificate(s) in the file holds the private key's public key{unreadable}",
        certificates.len()
    ))
}

#[cfg(test)]
mod tests {
    use aws_lc_rs::signature::{KeyPair, RSA_PSS_2048_8192_SHA256, UnparsedPublicKey};

    use super::*;

    const PKCS8: &[u8] = include_bytes!("../tests/fixtures/test-app.pem");
    const PKCS1: &[u8] = include_bytes!("../tests/fixtures/test-app-pkcs1.pem");
    const CERT_ONLY: &[u8] = include_bytes!("../tests/fixtures/test-app-cert.pem");
    /// A certificate for the key of `PKCS8`, issued by `CA`.
    const LEAF: &[u8] = include_bytes!("../tests/fixtures/test-app-leaf-cert.pem");
    const CA: &[u8] = include_bytes!("../tests/fixtures/test-ca-cert.pem");

    fn decode_part(part: &str) -> serde_json::Value {
        serde_json::from_slice(&B64.decode(part).unwrap()).unwrap()
    }

    /// The blocks labelled `tag` of a PEM file, re-encoded.
    fn blocks(tag: &str, file: &[u8]) -> String {
        pem::parse_many(file)
            .unwrap()
            .iter()
            .filter(|b| b.tag() == tag)
            .map(pem::encode)
            .collect()
    }

    fn sha256_thumbprint(certificate_file: &[u8]) -> String {
        let block = pem::parse_many(certificate_file).unwrap().remove(0);
        B64.encode(digest(&SHA256, block.contents()).as_ref())
    }

    /// The usual export of a chain: the CA first, then the leaf, then the key.
    fn chain_pem() -> String {
        [
            blocks("CERTIFICATE", CA),
            blocks("CERTIFICATE", LEAF),
            blocks("PRIVATE KEY", PKCS8),
        ]
        .concat()
    }

    fn header_and_claims(jwt: &Secret) -> (serde_json::Value, serde_json::Value) {
        let parts: Vec<&str> = jwt.expose().split('.').collect();
        (decode_part(parts[0]), decode_part(parts[1]))
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
        assert_eq!(claims["nbf"], 1_700_000_000u64 - NOT_BEFORE_SKEW_SECS);
        assert_eq!(claims["iat"], 1_700_000_000u64);
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
    fn the_assertion_is_valid_from_before_now_and_briefly() {
        let cred = CertificateCredential::from_pem(PKCS8).unwrap();
        let now = SystemTime::now();
        let (_, claims) = header_and_claims(&cred.assertion("c", "https://a/t", now).unwrap());
        let now = now.duration_since(UNIX_EPOCH).unwrap().as_secs();
        let nbf = claims["nbf"].as_u64().unwrap();
        let exp = claims["exp"].as_u64().unwrap();
        assert!(nbf < now, "nbf {nbf} is before now {now}");
        assert!(now - nbf >= 60, "a host clock a minute ahead is tolerated");
        assert!(
            exp > now && exp - now <= 600,
            "exp {exp} stays short (now {now})"
        );
    }

    #[test]
    fn a_chain_uses_the_thumbprint_of_the_keys_certificate() {
        let leaf = sha256_thumbprint(LEAF);
        assert_ne!(leaf, sha256_thumbprint(CA));
        let (ca_cert, leaf_cert, key) = (
            blocks("CERTIFICATE", CA),
            blocks("CERTIFICATE", LEAF),
            blocks("PRIVATE KEY", PKCS8),
        );
        let orders = [
            chain_pem(),
            [key.as_str(), &leaf_cert, &ca_cert].concat(),
            [leaf_cert.as_str(), &key, &ca_cert].concat(),
        ];
        for pem in orders {
            let cred = CertificateCredential::from_pem(pem.as_bytes()).unwrap();
            assert_eq!(cred.thumbprint(), leaf, "{pem}");
            let (header, _) = header_and_claims(
                &cred
                    .assertion("c", "https://a/t", SystemTime::now())
                    .unwrap(),
            );
            assert_eq!(header["x5t#S256"], leaf.as_str());
        }
    }

    #[test]
    fn a_certificate_of_another_key_is_refused_naming_the_file() {
        let pem = [blocks("CERTIFICATE", CA), blocks("PRIVATE KEY", PKCS8)].concat();
        let err = CertificateCredential::from_pem(pem.as_bytes()).unwrap_err();
        assert!(
            err.contains("the certificate and the private key do not belong together")
                && err.contains("none of the 1 certificate(s)"),
            "{err}"
        );
        let pem = [
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            &blocks("PRIVATE KEY", PKCS8),
        ]
        .concat();
        let err = CertificateCredential::from_pem(pem.as_bytes()).unwrap_err();
        assert!(
            err.contains("1 of them not a readable X.509 certificate"),
            "{err}"
        );

        let mut file = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut file, CA).unwrap();
        std::io::Write::write_all(&mut file, blocks("PRIVATE KEY", PKCS8).as_bytes()).unwrap();
        let err = CertificateCredential::load(file.path())
            .unwrap_err()
            .to_string();
        let expected = format!(
            "AZURE_CLIENT_CERTIFICATE_PATH is invalid: {}: the certificate and the private key do not belong together",
            file.path().display()
        );
        assert!(err.starts_with(&expected), "{err}");
    }

    /// The host's clock a minute ahead of the identity platform's (here the simulator's, which
    /// checks `nbf` with no tolerance): the back-dated `nbf` still gets a token. The simulator
    /// registers the leaf; the client's file holds the whole chain.
    #[tokio::test]
    async fn a_host_clock_a_minute_ahead_still_gets_a_token() {
        let sim = graph_sim::start(
            graph_sim::SimConfig {
                users: 10,
                history_days: 10,
                client_certificate: Some(String::from_utf8(LEAF.to_vec()).unwrap()),
                ..graph_sim::SimConfig::default()
            },
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .unwrap();
        let cred = CertificateCredential::from_pem(chain_pem().as_bytes()).unwrap();
        let ahead = SystemTime::now() + std::time::Duration::from_secs(60);
        let assertion = cred
            .assertion(graph_sim::DEFAULT_CLIENT_ID, &sim.token_url(), ahead)
            .unwrap();
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", graph_sim::DEFAULT_CLIENT_ID)
            .append_pair("scope", &sim.scope())
            .append_pair(
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            )
            .append_pair("client_assertion", assertion.expose())
            .finish();
        let response = reqwest::Client::new()
            .post(sim.token_url())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, 200, "{body}");
        sim.shutdown().await;
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
