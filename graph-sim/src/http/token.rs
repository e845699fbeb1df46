//! `POST /{tenant}/oauth2/v2.0/token`: the client-credentials grant, with a client secret or a
//! certificate-signed client assertion; `authorization_code` is the sign-in's (see `oidc`).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::constant_time::verify_slices_are_equal;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::AppState;
use super::aad_error::AadError;
use super::assertion::{AssertionRejection, ExpectedAssertion, verify_assertion};
use super::form::FormFields;
use super::oidc;

const CLIENT_CREDENTIALS: &str = "client_credentials";
const AUTHORIZATION_CODE: &str = "authorization_code";
const JWT_BEARER_ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A successful token response, fields in the identity platform's order.
#[derive(Serialize)]
struct TokenResponse {
    token_type: &'static str,
    expires_in: u64,
    ext_expires_in: u64,
    access_token: String,
}

/// The token endpoint.
pub async fn token_endpoint(
    State(state): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = FormFields::parse(&body);
    // Sign-ins are counted apart, so app-token counts stay what the report client caused.
    let counter = if form.get("grant_type") == Some(AUTHORIZATION_CODE) {
        &state.stats.oidc_token_requests
    } else {
        &state.stats.token_requests
    };
    counter.fetch_add(1, Ordering::Relaxed);
    state.add_latency().await;
    let header_value = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let correlation_id = header_value("client-request-id");
    let outcome = if method == Method::POST {
        issue(
            &state,
            &tenant,
            &form,
            header_value(header::AUTHORIZATION.as_str()),
        )
    } else {
        Err(AadError::method_not_allowed(method.as_str()))
    };
    match outcome {
        Ok(response) => response,
        Err(error) => {
            tracing::debug!(code = error.code(), "token request refused");
            error.into_response(&state.base_url, correlation_id)
        }
    }
}

/// Checks the request in the order the identity platform reports problems and issues a token.
fn issue(
    state: &AppState,
    tenant: &str,
    form: &FormFields,
    authorization: Option<&str>,
) -> Result<Response, AadError> {
    let config = &state.config;
    state.check_tenant(tenant)?;
    match form.require("grant_type")? {
        CLIENT_CREDENTIALS => {}
        AUTHORIZATION_CODE => return oidc::redeem_code(state, tenant, form, authorization),
        other => return Err(AadError::unsupported_grant_type(other)),
    }
    let client_id = form.require("client_id")?;
    if !client_id.eq_ignore_ascii_case(&config.client_id) {
        return Err(AadError::application_not_found(client_id, tenant));
    }
    check_scope(form.require("scope")?, &state.base_url, tenant)?;
    authenticate_client(state, form)?;

    let lifetime = state.tokens.lifetime().as_secs();
    Ok(no_store_json(&TokenResponse {
        token_type: "Bearer",
        expires_in: lifetime,
        ext_expires_in: lifetime,
        access_token: state
            .tokens
            .issue(&config.client_id, &config.app_permissions),
    }))
}

/// Client credentials take one scope, `{resource}/.default`, the resource an absolute URI or
/// an application id. Anything else is malformed (AADSTS70011); a well-formed scope for another
/// resource than this Graph, such as another cloud's Graph, names a resource the tenant does
/// not have (AADSTS500011), as Entra ID answers.
fn check_scope(scope: &str, graph: &str, tenant: &str) -> Result<(), AadError> {
    let well_formed = scope.strip_suffix("/.default").filter(|resource| {
        !resource.contains(char::is_whitespace)
            && (url::Url::parse(resource).is_ok() || uuid::Uuid::parse_str(resource).is_ok())
    });
    match well_formed {
        Some(resource) if resource == graph => Ok(()),
        Some(resource) => Err(AadError::resource_not_found(resource, tenant)),
        None => Err(AadError::invalid_scope(scope, &format!("{graph}/.default"))),
    }
}

/// A 200 token response: JSON that no cache may keep.
pub(super) fn no_store_json(body: &impl Serialize) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store, no-cache"),
        ],
        serde_json::to_string(body).unwrap_or_default(),
    )
        .into_response()
}

/// Exactly one credential: the secret or a client assertion.
fn authenticate_client(state: &AppState, form: &FormFields) -> Result<(), AadError> {
    let config = &state.config;
    match (form.get("client_secret"), form.get("client_assertion")) {
        (None, None) => Err(AadError::missing_credential()),
        (Some(_), Some(_)) => Err(AadError::invalid_request(
            50027,
            "Send either 'client_secret' or 'client_assertion', not both.".into(),
        )),
        (Some(secret), None) => {
            verify_slices_are_equal(secret.as_bytes(), config.client_secret.as_bytes())
                .map_err(|_| AadError::invalid_secret(&config.client_id))
        }
        (None, Some(assertion)) => {
            let assertion_type = form.require("client_assertion_type")?;
            if assertion_type != JWT_BEARER_ASSERTION {
                return Err(AadError::invalid_request(
                    50027,
                    format!(
                        "The client_assertion_type '{assertion_type}' is not supported; use \
                         '{JWT_BEARER_ASSERTION}'."
                    ),
                ));
            }
            let audience = format!("{}/{}/oauth2/v2.0/token", state.base_url, config.tenant_id);
            let expected = ExpectedAssertion {
                client_id: &config.client_id,
                audience: &audience,
                now: SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64),
            };
            verify_assertion(state.certificate.as_ref(), assertion, &expected)
                .map_err(|rejection| assertion_error(rejection, &audience))
        }
    }
}

fn assertion_error(rejection: AssertionRejection, audience: &str) -> AadError {
    match rejection {
        AssertionRejection::Malformed => {
            AadError::invalid_request(50027, "JWT token is invalid or malformed.".into())
        }
        AssertionRejection::UnsupportedAlgorithm(alg) => AadError::invalid_request(
            50027,
            format!(
                "Invalid JWT token. '{alg}' is not a supported signing algorithm; use RS256 or PS256."
            ),
        ),
        AssertionRejection::UnknownKey => AadError::invalid_client(
            700027,
            "Client assertion failed signature validation. [Reason - The key was not found., \
             Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see \
             configured keys for app.]"
                .into(),
        ),
        AssertionRejection::InvalidSignature => AadError::invalid_client(
            700027,
            "Client assertion contains an invalid signature. [Reason - The provided signature \
             value did not match the expected signature value.]"
                .into(),
        ),
        AssertionRejection::WrongClient => AadError::invalid_client(
            700021,
            "Client assertion application identifier doesn't match 'client_id' parameter.".into(),
        ),
        AssertionRejection::WrongAudience => AadError::invalid_client(
            700023,
            format!(
                "Client assertion audience claim does not match Realm issuer. Expected \
                 '{audience}'."
            ),
        ),
        AssertionRejection::OutsideValidity {
            now,
            not_before,
            expires,
        } => {
            let show = |t: Option<i64>| t.map_or_else(|| "(none)".to_owned(), |t| t.to_string());
            AadError::invalid_client(
                700024,
                format!(
                    "Client assertion is not within its valid time range. Current time: {now}, \
                     assertion valid from {}, expiry time of assertion {}.",
                    show(not_before),
                    show(expires)
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_scopes_are_70011_and_other_resources_500011() {
        let graph = "http://127.0.0.1:4010";
        let code = |scope: &str| check_scope(scope, graph, "t").err().map(|e| e.code());
        assert_eq!(code("http://127.0.0.1:4010/.default"), None);
        for other in [
            "https://graph.microsoft.com/.default",
            "https://graph.microsoft.us/.default",
            "api://my-api/.default",
            "00000003-0000-0000-c000-000000000000/.default",
        ] {
            assert_eq!(code(other), Some(500011), "{other}");
        }
        for malformed in [
            "",
            "User.Read",
            "/.default",
            "https://graph.microsoft.com/User.Read",
            "http://127.0.0.1:4010/.default openid",
            "graph/.default",
        ] {
            assert_eq!(code(malformed), Some(70011), "{malformed:?}");
        }
    }
}
