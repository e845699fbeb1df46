//! The provider's ID-token signing key: RSA-2048, made per simulator instance, so tokens from
//! another run (or another instance) never verify, as after a key rollover.

use aws_lc_rs::digest;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use serde::Serialize;
use serde_json::json;

use super::super::jwt;

/// One key of the JWKS document, fields as Entra ID lists them.
#[derive(Debug, Clone, Serialize)]
pub struct JsonWebKey {
    kty: &'static str,
    #[serde(rename = "use")]
    usage: &'static str,
    kid: String,
    x5t: String,
    n: String,
    e: String,
    issuer: String,
}

/// Why a token could not be signed (a broken crypto library or unencodable claims).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningError(pub String);

pub struct SigningKey {
    key_pair: KeyPair,
    /// Entra ID names its keys by certificate thumbprint (`kid` = `x5t`). There is no
    /// certificate here, so both are the SHA-1 thumbprint of the public key.
    key_id: String,
    jwk: JsonWebKey,
}

impl SigningKey {
    /// A fresh key whose JWK names `issuer`.
    pub fn generate(issuer: &str) -> Result<Self, SigningError> {
        let key_pair = KeyPair::generate(KeySize::Rsa2048)
            .map_err(|_| SigningError("cannot generate an RSA key".into()))?;
        let public_key = key_pair.public_key();
        let key_id = jwt::encode_segment(
            digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, public_key.as_ref()).as_ref(),
        );
        let jwk = JsonWebKey {
            kty: "RSA",
            usage: "sig",
            kid: key_id.clone(),
            x5t: key_id.clone(),
            n: jwt::encode_segment(public_key.modulus().big_endian_without_leading_zero()),
            e: jwt::encode_segment(public_key.exponent().big_endian_without_leading_zero()),
            issuer: issuer.to_owned(),
        };
        Ok(Self {
            key_pair,
            key_id,
            jwk,
        })
    }

    pub fn jwk(&self) -> &JsonWebKey {
        &self.jwk
    }

    /// A compact RS256 JWS of `claims`, its header naming this key.
    pub fn sign(&self, claims: &impl Serialize) -> Result<String, SigningError> {
        let header = json!({ "typ": "JWT", "alg": "RS256", "kid": self.key_id });
        let claims = serde_json::to_vec(claims)
            .map_err(|e| SigningError(format!("cannot encode the claims: {e}")))?;
        let signing_input = format!(
            "{}.{}",
            jwt::encode_segment(header.to_string().as_bytes()),
            jwt::encode_segment(&claims)
        );
        let mut signature = vec![0; self.key_pair.public_modulus_len()];
        self.key_pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| SigningError("RSA signing failed".into()))?;
        Ok(format!(
            "{signing_input}.{}",
            jwt::encode_segment(&signature)
        ))
    }
}

#[cfg(test)]
mod tests {
    use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};

    use super::*;

    #[test]
    fn tokens_verify_with_the_published_modulus_and_exponent() {
        let key = SigningKey::generate("http://x/t/v2.0").unwrap();
        let token = key.sign(&json!({ "sub": "s" })).unwrap();
        let parsed = jwt::parse(&token).unwrap();
        assert_eq!(parsed.header["kid"], key.jwk().kid.as_str());
        let public = RsaPublicKeyComponents {
            n: jwt::decode_segment(&key.jwk().n).unwrap(),
            e: jwt::decode_segment(&key.jwk().e).unwrap(),
        };
        public
            .verify(
                &RSA_PKCS1_2048_8192_SHA256,
                parsed.signing_input.as_bytes(),
                &parsed.signature,
            )
            .unwrap();
        assert_eq!(key.jwk().e, "AQAB");
    }
}
