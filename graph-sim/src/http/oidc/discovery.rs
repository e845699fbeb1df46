//! `GET /{tenant}/v2.0/.well-known/openid-configuration` and `GET /{tenant}/discovery/v2.0/keys`:
//! the provider metadata and signing keys, as Entra ID publishes them.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::super::AppState;
use super::oauth_endpoint;

/// Public, cacheable JSON readable from any origin (single-page apps fetch it too).
fn public_json(body: &Value) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=86400, private"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        body.to_string(),
    )
        .into_response()
}

/// Entra ID answers discovery for an unknown tenant with `invalid_tenant`.
fn unknown_tenant(state: &AppState, tenant: &str) -> Option<Response> {
    state.check_tenant(tenant).err().map(|error| {
        error
            .with_error("invalid_tenant")
            .into_response(&state.base_url, None)
    })
}

pub async fn openid_configuration(
    State(state): State<Arc<AppState>>,
    Path(tenant): Path<String>,
) -> Response {
    if let Some(refusal) = unknown_tenant(&state, &tenant) {
        return refusal;
    }
    let (base, tenant_id) = (state.base_url.as_str(), state.config.tenant_id.as_str());
    let graph_host = base.strip_prefix("http://").unwrap_or(base);
    public_json(&json!({
        "token_endpoint": oauth_endpoint(base, tenant_id, "token"),
        "token_endpoint_auth_methods_supported":
            ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{tenant_id}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": state.oidc.issuer,
        "request_uri_parameter_supported": false,
        "authorization_endpoint": oauth_endpoint(base, tenant_id, "authorize"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": oauth_endpoint(base, tenant_id, "logout"),
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "nbf", "nonce", "preferred_username", "name",
            "email", "oid", "roles", "tid", "ver", "uti"
        ],
        // Entra ID leaves this out but supports both; listing them lets clients see PKCE.
        "code_challenge_methods_supported": ["plain", "S256"],
        "tenant_region_scope": "WW",
        "cloud_instance_name": "microsoftonline.com",
        "msgraph_host": graph_host,
    }))
}

pub async fn keys(State(state): State<Arc<AppState>>, Path(tenant): Path<String>) -> Response {
    if let Some(refusal) = unknown_tenant(&state, &tenant) {
        return refusal;
    }
    match state.oidc.signing_key() {
        Ok(key) => public_json(&json!({ "keys": [key.jwk()] })),
        Err(error) => error.into_response(&state.base_url, None),
    }
}
