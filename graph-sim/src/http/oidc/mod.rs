//! An OpenID Connect provider like Entra ID's v2.0 endpoints, for the authorization code flow
//! with PKCE: discovery and signing keys, an authorization endpoint whose sign-in page lists
//! the [`TEST_USERS`](crate::TEST_USERS) (no passwords), the `authorization_code` grant on the
//! token endpoint, and logout. Every endpoint is under `{base}/{tenant}/`; other tenants get
//! AADSTS90002 as from Entra ID.

mod authorization_response;
mod authorize;
mod code_grant;
mod discovery;
mod errors;
mod id_token;
mod logout;
mod page;
mod pkce;
mod redirect_uri;
mod signing_key;
mod store;

pub use authorize::{choose_account, show_sign_in};
pub use code_grant::redeem_code;
pub use discovery::{keys, openid_configuration};
pub use logout::logout;

use std::sync::OnceLock;

use super::aad_error::AadError;
use signing_key::{SigningError, SigningKey};
use store::{AuthorizationRequest, CODE_LIFETIME, ExpiringMap, IssuedCode, SIGN_IN_LIFETIME};

/// The OpenID Connect issuer, `{base}/{tenant}/v2.0`, exactly as ID tokens carry it.
pub fn issuer(base_url: &str, tenant_id: &str) -> String {
    format!("{base_url}/{tenant_id}/v2.0")
}

/// `{base}/{tenant}/oauth2/v2.0/{name}`: the authorize, token and logout endpoints.
fn oauth_endpoint(base_url: &str, tenant_id: &str, name: &str) -> String {
    format!("{base_url}/{tenant_id}/oauth2/v2.0/{name}")
}

/// The provider's state: its signing key, sign-ins in progress and unredeemed codes.
pub struct OidcProvider {
    issuer: String,
    /// Made on first use: an RSA key takes about 0.1 s, which simulators that never sign
    /// anyone in (most tests) should not pay at start-up.
    signing_key: OnceLock<Result<SigningKey, SigningError>>,
    sign_ins: ExpiringMap<AuthorizationRequest>,
    codes: ExpiringMap<IssuedCode>,
}

impl OidcProvider {
    pub fn new(base_url: &str, tenant_id: &str) -> Self {
        Self {
            issuer: issuer(base_url, tenant_id),
            signing_key: OnceLock::new(),
            sign_ins: ExpiringMap::new(SIGN_IN_LIFETIME),
            codes: ExpiringMap::new(CODE_LIFETIME),
        }
    }

    /// This instance's signing key, the same for its whole life.
    fn signing_key(&self) -> Result<&SigningKey, AadError> {
        self.signing_key
            .get_or_init(|| SigningKey::generate(&self.issuer))
            .as_ref()
            .map_err(|error| AadError::signing_failed(&error.0))
    }
}
