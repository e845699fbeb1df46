//! ID tokens as Entra ID's v2.0 endpoint issues them for the authorization code flow.

use aws_lc_rs::digest;
use serde::Serialize;

use super::super::jwt;
use super::store::IssuedCode;
use crate::config::SimConfig;

/// Entra ID's ID tokens are valid for one hour.
pub const ID_TOKEN_LIFETIME_SECONDS: i64 = 3600;

/// The claims, in Entra ID's order. As there, `name`, `preferred_username` and `oid` need the
/// `profile` scope, `email` the `email` scope, and `roles` is absent when the user has none.
#[derive(Debug, Serialize)]
pub struct IdTokenClaims<'a> {
    pub aud: &'a str,
    pub iss: &'a str,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<&'a str>,
    pub sub: String,
    pub tid: &'a str,
    /// Entra ID's unique token identifier.
    pub uti: String,
    pub ver: &'static str,
}

/// Entra ID's `sub` is pairwise: the same user has a different, stable subject in every app.
pub fn pairwise_subject(object_id: &str, client_id: &str) -> String {
    let input = format!("{}|{}", object_id, client_id.to_ascii_lowercase());
    jwt::encode_segment(digest::digest(&digest::SHA256, input.as_bytes()).as_ref())
}

/// The claims for a redeemed code, issued at `now` (Unix seconds).
pub fn id_token_claims<'a>(
    code: &'a IssuedCode,
    issuer: &'a str,
    config: &'a SimConfig,
    now: i64,
) -> IdTokenClaims<'a> {
    let granted = |scope: &str| code.request.granted_scope.split(' ').any(|s| s == scope);
    let user = code.user;
    let profile = granted("profile");
    IdTokenClaims {
        aud: &code.request.client_id,
        iss: issuer,
        iat: now,
        nbf: now,
        exp: now + ID_TOKEN_LIFETIME_SECONDS,
        email: granted("email").then_some(user.user_principal_name),
        name: profile.then_some(user.display_name),
        nonce: code.request.nonce.as_deref(),
        oid: profile.then_some(user.object_id),
        preferred_username: profile.then_some(user.user_principal_name),
        roles: user.app_roles(config),
        sub: pairwise_subject(user.object_id, &code.request.client_id),
        tid: &config.tenant_id,
        uti: jwt::encode_segment(uuid::Uuid::new_v4().as_bytes()),
        ver: "2.0",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::oidc::authorization_response::{ReplyTo, ResponseMode};
    use crate::http::oidc::store::AuthorizationRequest;
    use crate::test_users::TEST_USERS;

    fn code(user: usize, scope: &str, nonce: Option<&str>) -> IssuedCode {
        IssuedCode {
            request: AuthorizationRequest {
                client_id: "client".into(),
                reply: ReplyTo {
                    redirect_uri: "http://127.0.0.1:1/cb".into(),
                    mode: ResponseMode::Query,
                    state: None,
                },
                nonce: nonce.map(str::to_owned),
                code_challenge: None,
                granted_scope: scope.into(),
            },
            user: &TEST_USERS[user],
        }
    }

    #[test]
    fn claims_follow_the_scopes_and_omit_empty_roles() {
        let config = SimConfig::default();
        let ada = code(0, "openid profile email", Some("n-1"));
        let claims = serde_json::to_value(id_token_claims(&ada, "iss", &config, 100)).unwrap();
        assert_eq!(claims["roles"], serde_json::json!([config.oidc_role]));
        assert_eq!(claims["nonce"], "n-1");
        assert_eq!(claims["exp"], 3700);
        assert_eq!(
            claims["preferred_username"],
            TEST_USERS[0].user_principal_name
        );
        assert_eq!(claims["email"], TEST_USERS[0].user_principal_name);

        let ben = code(1, "openid", None);
        let claims = serde_json::to_value(id_token_claims(&ben, "iss", &config, 100)).unwrap();
        for absent in [
            "roles",
            "nonce",
            "name",
            "email",
            "oid",
            "preferred_username",
        ] {
            assert!(claims.get(absent).is_none(), "{absent} in {claims}");
        }
        assert_eq!(claims["sub"].as_str().unwrap().len(), 43);
        assert_ne!(
            pairwise_subject(TEST_USERS[1].object_id, "client"),
            pairwise_subject(TEST_USERS[1].object_id, "other client")
        );
    }
}
