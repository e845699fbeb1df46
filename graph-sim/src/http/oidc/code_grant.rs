//! `grant_type=authorization_code` on the token endpoint: the client authenticates with its
//! secret (in the body, or HTTP Basic as most OpenID Connect libraries send it), redeems a code
//! once, proves PKCE, and gets an ID token signed with the provider's key.

use aws_lc_rs::constant_time::verify_slices_are_equal;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::percent_decode_str;
use serde::Serialize;

use super::super::AppState;
use super::super::aad_error::AadError;
use super::super::access_token::unix_now;
use super::super::form::FormFields;
use super::super::token::no_store_json;
use super::id_token::id_token_claims;

/// A successful code redemption, fields in the identity platform's order.
#[derive(Serialize)]
struct CodeTokenResponse<'a> {
    token_type: &'static str,
    scope: &'a str,
    expires_in: u64,
    ext_expires_in: u64,
    access_token: String,
    id_token: String,
}

/// One `application/x-www-form-urlencoded` value, as RFC 6749 2.3.1 encodes Basic credentials.
fn form_decode(text: &str) -> Option<String> {
    percent_decode_str(&text.replace('+', " "))
        .decode_utf8()
        .ok()
        .map(|decoded| decoded.into_owned())
}

/// `Authorization: Basic base64(urlencode(client_id):urlencode(secret))`; `None` for no header
/// or another scheme.
fn basic_credentials(authorization: Option<&str>) -> Option<Result<(String, String), AadError>> {
    let (scheme, encoded) = authorization?.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("Basic") {
        return None;
    }
    let malformed = || {
        AadError::malformed_client_authentication(
            "the Authorization header is not Basic base64(client_id:client_secret)",
        )
    };
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let credentials = decoded.as_deref().and_then(|text| {
        let (id, secret) = text.split_once(':')?;
        Some((form_decode(id)?, form_decode(secret)?))
    });
    Some(credentials.ok_or_else(malformed))
}

/// The client id and the secret it presented (client_secret_post or client_secret_basic).
fn client_credentials(
    form: &FormFields,
    authorization: Option<&str>,
) -> Result<(String, Option<String>), AadError> {
    let Some(basic) = basic_credentials(authorization) else {
        let client_id = form.require("client_id")?.to_owned();
        return Ok((client_id, form.get("client_secret").map(str::to_owned)));
    };
    let (client_id, secret) = basic?;
    if form.get("client_secret").is_some() {
        return Err(AadError::malformed_client_authentication(
            "send the client secret in the Authorization header or in the body, not both",
        ));
    }
    if form
        .get("client_id")
        .is_some_and(|body_id| !body_id.eq_ignore_ascii_case(&client_id))
    {
        return Err(AadError::malformed_client_authentication(
            "the client_id in the body differs from the one in the Authorization header",
        ));
    }
    Ok((client_id, Some(secret)))
}

/// Checks the client, then the code and what it is bound to, and issues the tokens. A code is
/// spent by the first redemption from its (authenticated) client, even a failed one, so a
/// wrong PKCE verifier cannot be retried.
pub fn redeem_code(
    state: &AppState,
    tenant: &str,
    form: &FormFields,
    authorization: Option<&str>,
) -> Result<Response, AadError> {
    let config = &state.config;
    let (client_id, secret) = client_credentials(form, authorization)?;
    if !client_id.eq_ignore_ascii_case(&config.oidc_client_id) {
        return Err(AadError::application_not_found(&client_id, tenant));
    }
    if form.get("client_assertion").is_some() {
        return Err(AadError::invalid_client(
            700027,
            "Client assertion failed signature validation. [Reason - The key was not found.] \
             (graph-sim: the sign-in app has a client secret only.)"
                .into(),
        ));
    }
    let secret = secret.ok_or_else(AadError::missing_credential)?;
    verify_slices_are_equal(secret.as_bytes(), config.oidc_client_secret.as_bytes())
        .map_err(|_| AadError::invalid_secret(&config.oidc_client_id))?;

    let code = form.require("code")?;
    let redirect_uri = form.require("redirect_uri")?;
    let issued = state
        .oidc
        .codes
        .take(code)
        .ok_or_else(AadError::code_not_redeemable)?;
    let request = &issued.request;
    if !request.client_id.eq_ignore_ascii_case(&client_id) {
        return Err(AadError::code_for_another_client());
    }
    if request.reply.redirect_uri != redirect_uri {
        return Err(AadError::redirect_uri_mismatch(
            redirect_uri,
            &request.reply.redirect_uri,
        ));
    }
    if let Some(challenge) = &request.code_challenge {
        let verifier = form
            .get("code_verifier")
            .ok_or_else(AadError::code_verifier_missing)?;
        if !challenge.is_satisfied_by(verifier) {
            return Err(AadError::code_verifier_mismatch());
        }
    }

    let claims = id_token_claims(&issued, &state.oidc.issuer, config, unix_now());
    let id_token = state
        .oidc
        .signing_key()?
        .sign(&claims)
        .map_err(|error| AadError::signing_failed(&error.0))?;
    let lifetime = state.tokens.lifetime().as_secs();
    Ok(no_store_json(&CodeTokenResponse {
        token_type: "Bearer",
        scope: &request.granted_scope,
        expires_in: lifetime,
        ext_expires_in: lifetime,
        access_token: state.tokens.issue_for_user(
            &request.client_id,
            issued.user,
            &request.granted_scope,
        ),
        id_token,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(id: &str, secret: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
    }

    #[test]
    fn basic_credentials_are_form_decoded_and_conflicts_refused() {
        let empty = FormFields::parse(b"");
        let header = basic("client", "s%2Bcret+x%3A");
        assert_eq!(
            client_credentials(&empty, Some(&header)).unwrap(),
            ("client".into(), Some("s+cret x:".into()))
        );
        let body = FormFields::parse(b"client_id=client&client_secret=body");
        assert_eq!(
            client_credentials(&body, None).unwrap(),
            ("client".into(), Some("body".into()))
        );
        assert_eq!(
            client_credentials(&body, Some(&header)).unwrap_err().code(),
            50027
        );
        let other_id = FormFields::parse(b"client_id=other");
        assert!(client_credentials(&other_id, Some(&header)).is_err());
        for bad in ["Basic !!!", "Basic bm9jb2xvbg==", "basic"] {
            let result = client_credentials(&empty, Some(bad));
            assert!(result.is_err(), "{bad}");
        }
        // Another scheme is not client authentication: the body must then name the client.
        assert_eq!(
            client_credentials(&empty, Some("Bearer x"))
                .unwrap_err()
                .code(),
            900144
        );
    }
}
