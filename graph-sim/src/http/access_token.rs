//! Access tokens: issued by the token endpoint, required by the Graph endpoints.
//!
//! They are JWTs like Graph's, but signed with HMAC under a key made at start-up, so only this
//! running instance accepts them (a restarted simulator rejects old tokens, as a key rollover
//! would). Clients must treat them as opaque.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::hmac;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use serde_json::{Value, json};

use super::jwt;
use crate::error::SimError;
use crate::test_users::TestUser;

/// The application permission the report requires.
pub(super) const REPORT_PERMISSION: &str = "CallRecords.Read.All";
/// The application permissions that read `/v1.0/users` with departments and managers: either.
pub(super) const DIRECTORY_PERMISSIONS: [&str; 2] = ["User.Read.All", "Directory.Read.All"];
/// Microsoft Graph's application id: the audience Entra ID gives the access token of a sign-in
/// that asked only for OpenID Connect scopes. The report endpoint wants its own audience, so
/// such a token never reads the report, as a user token without the app permission would not.
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// Why a bearer token was refused; each is a 401 `InvalidAuthenticationToken`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRejection {
    Empty,
    Malformed,
    InvalidSignature,
    WrongAudience,
    Expired,
}

impl TokenRejection {
    /// Graph's message for the rejection.
    pub fn message(self) -> &'static str {
        match self {
            Self::Empty => "Access token is empty.",
            Self::Malformed => "CompactToken parsing failed with error code: 80049217",
            Self::InvalidSignature => "Access token validation failure. Invalid signature.",
            Self::WrongAudience => "Access token validation failure. Invalid audience.",
            Self::Expired => "Lifetime validation failed, the token is expired.",
        }
    }
}

/// What a valid token grants: its `roles` claim, the app's application permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    roles: Vec<String>,
}

impl Grant {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    pub fn roles(&self) -> &[String] {
        &self.roles
    }
}

/// Issues and checks this instance's access tokens.
pub struct AccessTokens {
    key: hmac::Key,
    audience: String,
    tenant_id: String,
    lifetime: Duration,
}

pub(super) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl AccessTokens {
    /// `audience` is the simulator's base URL, as Graph's tokens carry `https://graph.microsoft.com`.
    pub fn new(audience: &str, tenant_id: &str, lifetime: Duration) -> Result<Self, SimError> {
        let mut key = [0u8; 32];
        SystemRandom::new()
            .fill(&mut key)
            .map_err(|_| SimError::Startup("no system randomness for the token key".into()))?;
        Ok(Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, &key),
            audience: audience.to_owned(),
            tenant_id: tenant_id.to_owned(),
            lifetime,
        })
    }

    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// A new app-only token for the app `client_id` holding the application permissions
    /// `roles`, valid for the configured lifetime.
    pub fn issue(&self, client_id: &str, roles: &[String]) -> String {
        let mut claims = json!({ "aud": self.audience });
        // Entra ID leaves `roles` out of a token whose app holds no application permission.
        if !roles.is_empty() {
            claims["roles"] = json!(roles);
        }
        self.sign(client_id, claims)
    }

    /// A delegated token for `user` signed in to the app `client_id` with `scope` (for
    /// Microsoft Graph's audience, so it is refused by this simulator's report endpoint).
    pub fn issue_for_user(&self, client_id: &str, user: &TestUser, scope: &str) -> String {
        self.sign(
            client_id,
            json!({
                "aud": GRAPH_APP_ID,
                "name": user.display_name,
                "oid": user.object_id,
                "scp": scope,
                "upn": user.user_principal_name,
            }),
        )
    }

    /// Signs `claims` plus those every token carries: issuer, lifetime, app, tenant, id.
    fn sign(&self, client_id: &str, claims: Value) -> String {
        let issued_at = unix_now();
        let mut all_claims = json!({
            "iss": format!("{}/{}/", self.audience, self.tenant_id),
            "iat": issued_at,
            "nbf": issued_at,
            "exp": issued_at + self.lifetime.as_secs() as i64,
            "appid": client_id,
            "tid": self.tenant_id,
            "uti": uuid::Uuid::new_v4().simple().to_string(),
            "ver": "1.0",
        });
        if let (Some(all_claims), Value::Object(claims)) = (all_claims.as_object_mut(), claims) {
            all_claims.extend(claims);
        }
        let header = json!({ "typ": "JWT", "alg": "HS256" });
        let signing_input = format!(
            "{}.{}",
            jwt::encode_segment(header.to_string().as_bytes()),
            jwt::encode_segment(all_claims.to_string().as_bytes())
        );
        let signature = hmac::sign(&self.key, signing_input.as_bytes());
        format!(
            "{signing_input}.{}",
            jwt::encode_segment(signature.as_ref())
        )
    }

    /// Checks an `Authorization` header value; a valid token's grant is for the caller to judge
    /// (Graph answers a missing permission with 403, after authentication).
    pub fn check_authorization(
        &self,
        authorization: Option<&str>,
    ) -> Result<Grant, TokenRejection> {
        let token = authorization
            .and_then(|value| {
                let (scheme, token) = value.split_once(' ')?;
                scheme
                    .eq_ignore_ascii_case("Bearer")
                    .then_some(token.trim())
            })
            .filter(|token| !token.is_empty())
            .ok_or(TokenRejection::Empty)?;
        let jwt = jwt::parse(token).ok_or(TokenRejection::Malformed)?;
        hmac::verify(&self.key, jwt.signing_input.as_bytes(), &jwt.signature)
            .map_err(|_| TokenRejection::InvalidSignature)?;
        if jwt::string_claim(&jwt.claims, "aud") != Some(self.audience.as_str()) {
            return Err(TokenRejection::WrongAudience);
        }
        match jwt::seconds_claim(&jwt.claims, "exp") {
            Some(expiry) if unix_now() < expiry => {}
            _ => return Err(TokenRejection::Expired),
        }
        let roles = jwt
            .claims
            .get("roles")
            .and_then(Value::as_array)
            .map(|roles| {
                roles
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Ok(Grant { roles })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn the_roles_claim_is_the_granted_permissions() {
        let tokens = AccessTokens::new("http://x", "t", Duration::from_secs(60)).unwrap();
        let check = |token: String| {
            tokens
                .check_authorization(Some(&format!("Bearer {token}")))
                .unwrap()
        };
        let grant = check(tokens.issue("c", &roles(&["User.Read.All", REPORT_PERMISSION])));
        assert_eq!(grant.roles(), roles(&["User.Read.All", REPORT_PERMISSION]));
        let grant = check(tokens.issue("c", &roles(&["User.Read.All"])));
        assert!(!grant.has_role(REPORT_PERMISSION));
        let token = tokens.issue("c", &[]);
        let claims = jwt::parse(&token).unwrap().claims;
        assert!(!claims.contains_key("roles"), "no empty roles claim");
        assert!(check(token).roles().is_empty());
    }

    #[test]
    fn issued_tokens_pass_and_others_fail() {
        let tokens = AccessTokens::new("http://x", "t", Duration::from_secs(60)).unwrap();
        let token = tokens.issue("c", &roles(&[REPORT_PERMISSION]));
        for scheme in ["Bearer", "bearer"] {
            let grant = tokens
                .check_authorization(Some(&format!("{scheme} {token}")))
                .unwrap();
            assert!(grant.has_role(REPORT_PERMISSION));
        }
        assert_eq!(tokens.check_authorization(None), Err(TokenRejection::Empty));
        assert_eq!(
            tokens.check_authorization(Some("Bearer ")),
            Err(TokenRejection::Empty)
        );
        assert_eq!(
            tokens.check_authorization(Some("Bearer abc")),
            Err(TokenRejection::Malformed)
        );
        let other = AccessTokens::new("http://x", "t", Duration::from_secs(60)).unwrap();
        assert_eq!(
            other.check_authorization(Some(&format!("Bearer {token}"))),
            Err(TokenRejection::InvalidSignature)
        );
        let delegated = tokens.issue_for_user("c", &crate::TEST_USERS[0], "openid");
        assert_eq!(
            tokens.check_authorization(Some(&format!("Bearer {delegated}"))),
            Err(TokenRejection::WrongAudience)
        );
        let expired = AccessTokens::new("http://x", "t", Duration::ZERO).unwrap();
        let token = expired.issue("c", &[]);
        assert_eq!(
            expired.check_authorization(Some(&format!("Bearer {token}"))),
            Err(TokenRejection::Expired)
        );
    }
}
