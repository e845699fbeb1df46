//! The identity platform's errors for sign-in (authorization endpoint and the authorization
//! code grant), next to the token endpoint's in `aad_error`. Where Entra ID's exact code is not
//! documented, the nearest documented one is used and the text says what went wrong.

use axum::http::StatusCode;

use super::super::aad_error::AadError;
use super::store::StoreError;

impl AadError {
    /// A redirect URI this app has not registered: shown, never redirected to.
    pub fn redirect_uri_not_registered(uri: &str, client_id: &str, loopback_default: bool) -> Self {
        let hint = if loopback_default {
            " (graph-sim: with no --oidc-redirect-uri, any http:// URI on 127.0.0.1, localhost \
             or [::1] is registered.)"
        } else {
            " (graph-sim: registered URIs are the --oidc-redirect-uri values, matched exactly.)"
        };
        Self::invalid_request(
            50011,
            format!(
                "The redirect URI '{uri}' specified in the request does not match the redirect \
                 URIs configured for the application '{client_id}'. Make sure the redirect URI \
                 sent in the request matches one added to your application.{hint}"
            ),
        )
    }

    pub fn unsupported_response_type(response_type: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unsupported_response_type",
            700054,
            format!(
                "response_type '{response_type}' is not enabled for the application. \
                 (graph-sim supports the authorization code flow: response_type=code.)"
            ),
        )
    }

    /// A `scope` without `openid`, or with a scope this provider does not grant.
    pub fn invalid_sign_in_scope(scope: &str, why: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70011,
            format!(
                "The provided value for the input parameter 'scope' is not valid. The scope \
                 '{scope}' is not valid: {why}"
            ),
        )
    }

    /// A parameter with a value the endpoint does not know (`response_mode`, `prompt`).
    pub fn invalid_parameter_value(name: &str, value: &str, expected: &str) -> Self {
        Self::invalid_request(
            90023,
            format!("Invalid value '{value}' for the parameter '{name}'; expected {expected}."),
        )
    }

    /// `prompt=none`: graph-sim keeps no sign-in session, so a silent sign-in always fails.
    pub fn login_required() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "login_required",
            50058,
            "A silent sign-in request was sent but no user is signed in.".into(),
        )
    }

    /// The user chose Cancel on the sign-in page.
    pub fn access_denied() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "access_denied",
            65004,
            "User declined to consent to access the app.".into(),
        )
    }

    /// A sign-in form posted after its page expired, twice, or with a made-up key.
    pub fn sign_in_expired() -> Self {
        Self::invalid_request(
            50089,
            "Flow token expired - Authentication Failed. Go back to the application and sign in \
             again."
                .into(),
        )
    }

    pub fn unknown_user(object_id: &str, tenant: &str) -> Self {
        Self::invalid_request(
            50034,
            format!("The user account '{object_id}' does not exist in the '{tenant}' directory."),
        )
    }

    pub fn store_unavailable(error: StoreError) -> Self {
        let why = match error {
            StoreError::Full => "too many sign-ins are in progress",
            StoreError::NoRandomness => "no system randomness is available",
        };
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            90033,
            format!("A transient error has occurred ({why}). Please try again."),
        )
    }

    pub fn signing_failed(why: &str) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            90033,
            format!("A transient error has occurred (no ID token could be signed: {why})."),
        )
    }

    /// A code that is unknown, already redeemed or expired.
    pub fn code_not_redeemable() -> Self {
        Self::invalid_grant(
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. \
             Send a new interactive authorization request for this user and resource. \
             (graph-sim: codes are valid once, for 10 minutes.)"
                .into(),
        )
    }

    pub fn code_for_another_client() -> Self {
        Self::invalid_grant(
            70000,
            "Provided grant is invalid or malformed: the code was issued to another application."
                .into(),
        )
    }

    pub fn redirect_uri_mismatch(given: &str, expected: &str) -> Self {
        Self::invalid_grant(
            500112,
            format!(
                "The reply address '{given}' does not match the reply address '{expected}' \
                 provided when requesting Authorization code."
            ),
        )
    }

    pub fn code_verifier_missing() -> Self {
        Self::invalid_request(
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization \
             request: the request has no 'code_verifier'."
                .into(),
        )
    }

    pub fn code_verifier_mismatch() -> Self {
        Self::invalid_grant(
            50148,
            "The code_verifier does not match the code_challenge supplied in the authorization \
             request for PKCE."
                .into(),
        )
    }

    /// Client credentials sent twice, or an `Authorization: Basic` header that cannot be read.
    pub fn malformed_client_authentication(why: &str) -> Self {
        Self::invalid_request(50027, format!("Invalid client authentication: {why}."))
    }
}
