//! Compact JWS (`header.claims.signature`) encoding and decoding, shared by the access tokens the
//! simulator issues and the client assertions it verifies.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

/// A decoded compact JWT whose signature has not been checked yet.
#[derive(Debug)]
pub struct CompactJwt<'a> {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    /// `header.claims` as sent: the bytes the signature covers.
    pub signing_input: &'a str,
    pub signature: Vec<u8>,
}

/// Base64url without padding, as JWS requires.
pub fn encode_segment(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url, tolerating padding and the standard alphabet (some libraries send
/// thumbprints that way).
pub fn decode_segment(text: &str) -> Option<Vec<u8>> {
    let normalized: String = text
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            other => other,
        })
        .collect();
    URL_SAFE_NO_PAD.decode(normalized).ok()
}

fn decode_object(segment: &str) -> Option<Map<String, Value>> {
    match serde_json::from_slice(&decode_segment(segment)?).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// Splits and decodes a compact JWT; `None` if it is not one.
pub fn parse(token: &str) -> Option<CompactJwt<'_>> {
    let (signing_input, signature) = token.rsplit_once('.')?;
    let (header, claims) = signing_input.split_once('.')?;
    if claims.contains('.') {
        return None;
    }
    Some(CompactJwt {
        header: decode_object(header)?,
        claims: decode_object(claims)?,
        signing_input,
        signature: decode_segment(signature)?,
    })
}

/// A numeric claim (`exp`, `nbf`, ...) in whole seconds; JSON allows fractions there.
pub fn seconds_claim(claims: &Map<String, Value>, name: &str) -> Option<i64> {
    let number = claims.get(name)?.as_number()?;
    number
        .as_i64()
        .or_else(|| number.as_f64().map(|f| f.floor() as i64))
}

pub fn string_claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    claims.get(name)?.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_garbage() {
        let token = format!(
            "{}.{}.{}",
            encode_segment(br#"{"alg":"HS256"}"#),
            encode_segment(br#"{"exp":12.5}"#),
            encode_segment(b"sig")
        );
        let jwt = parse(&token).unwrap();
        assert_eq!(jwt.header["alg"], "HS256");
        assert_eq!(seconds_claim(&jwt.claims, "exp"), Some(12));
        assert_eq!(jwt.signature, b"sig");
        for bad in ["", "a.b", "a.b.c.d", "!!.e30.e30", "e30.W10.e30"] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}
