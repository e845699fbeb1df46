//! The Microsoft identity platform's OAuth error responses (AADSTS codes).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Serialize;

/// The identity platform's error body, fields in its order.
#[derive(Serialize)]
struct AadErrorBody<'a> {
    error: &'a str,
    error_description: String,
    error_codes: [u32; 1],
    timestamp: &'a str,
    trace_id: &'a str,
    correlation_id: &'a str,
    error_uri: String,
}

/// One identity-platform failure: a token-endpoint JSON error, or the error an authorization
/// request redirects with or shows on its error page.
#[derive(Debug, Clone)]
pub struct AadError {
    status: StatusCode,
    /// The OAuth error (`invalid_client`, `invalid_request`, ...).
    error: &'static str,
    /// The AADSTS number.
    code: u32,
    description: String,
}

/// An error's `error_description` with the ids that the identity platform appends to it.
pub struct DescribedError {
    pub text: String,
    pub trace_id: String,
    pub correlation_id: String,
    pub timestamp: String,
}

impl AadError {
    pub(super) fn new(
        status: StatusCode,
        error: &'static str,
        code: u32,
        description: String,
    ) -> Self {
        Self {
            status,
            error,
            code,
            description,
        }
    }

    pub fn missing_parameter(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{name}'."),
        )
    }

    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900561,
            format!(
                "The endpoint only accepts POST, OPTIONS requests. Received a {method} request."
            ),
        )
    }

    pub fn tenant_not_found(tenant: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID \
                 and are signing into the correct cloud. Check with your subscription \
                 administrator, this may happen if there are no active subscriptions for the \
                 tenant."
            ),
        )
    }

    pub fn unsupported_grant_type(grant_type: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant_type}'."),
        )
    }

    pub fn application_not_found(client_id: &str, tenant: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory \
                 '{tenant}'. This can happen if the application has not been installed by the \
                 administrator of the tenant or consented to by any user in the tenant. You may \
                 have sent your authentication request to the wrong tenant."
            ),
        )
    }

    pub fn invalid_scope(scope: &str, expected: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70011,
            format!(
                "The provided value for the input parameter 'scope' is not valid. The scope \
                 '{scope}' is not valid. (This tenant's resource is '{expected}'.)"
            ),
        )
    }

    /// A well-formed scope whose resource is not this tenant's (e.g. another cloud's Graph).
    pub fn resource_not_found(resource: &str, tenant: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_resource",
            500011,
            format!(
                "The resource principal named {resource} was not found in the tenant named \
                 {tenant}. This can happen if the application has not been installed by the \
                 administrator of the tenant or consented to by any user in the tenant. You \
                 might have sent your authentication request to the wrong tenant."
            ),
        )
    }

    pub fn missing_credential() -> Self {
        Self::invalid_client(
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or \
             'client_secret'."
                .into(),
        )
    }

    pub fn invalid_secret(client_id: &str) -> Self {
        Self::invalid_client(
            7000215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is \
                 the client secret value, not the client secret ID, for a secret added to app \
                 '{client_id}'."
            ),
        )
    }

    /// A malformed request or client assertion (400 `invalid_request`).
    pub fn invalid_request(code: u32, description: String) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            code,
            description,
        )
    }

    /// A credential that was presented but refused (401 `invalid_client`).
    pub fn invalid_client(code: u32, description: String) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            code,
            description,
        )
    }

    /// The same failure reported under another OAuth error (the discovery endpoints, for
    /// instance, answer an unknown tenant with `invalid_tenant`).
    pub(super) fn with_error(mut self, error: &'static str) -> Self {
        self.error = error;
        self
    }

    /// An authorization code (or its binding) that cannot be redeemed (400 `invalid_grant`).
    pub fn invalid_grant(code: u32, description: String) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", code, description)
    }

    pub fn code(&self) -> u32 {
        self.code
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The OAuth error (`invalid_client`, `invalid_grant`, ...).
    pub fn error(&self) -> &'static str {
        self.error
    }

    /// `AADSTS{code}: {description}` followed by fresh trace and correlation ids and a timestamp.
    pub fn describe(&self, correlation_id: Option<&str>) -> DescribedError {
        let trace_id = uuid::Uuid::new_v4().to_string();
        let correlation_id = correlation_id
            .map(str::to_owned)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let timestamp = Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string();
        DescribedError {
            text: format!(
                "AADSTS{}: {}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}",
                self.code, self.description
            ),
            trace_id,
            correlation_id,
            timestamp,
        }
    }

    /// The response body and headers as the identity platform sends them.
    pub fn into_response(self, base_url: &str, correlation_id: Option<&str>) -> Response {
        let DescribedError {
            text,
            trace_id,
            correlation_id,
            timestamp,
        } = self.describe(correlation_id);
        let body = AadErrorBody {
            error: self.error,
            error_description: text,
            error_codes: [self.code],
            timestamp: &timestamp,
            trace_id: &trace_id,
            correlation_id: &correlation_id,
            error_uri: format!("{base_url}/error?code={}", self.code),
        };
        let mut response = (
            self.status,
            [
                (header::CONTENT_TYPE, "application/json; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store, no-cache"),
            ],
            serde_json::to_string(&body).unwrap_or_default(),
        )
            .into_response();
        if let Ok(value) = HeaderValue::from_str(&trace_id) {
            response.headers_mut().insert("x-ms-request-id", value);
        }
        response
    }
}
