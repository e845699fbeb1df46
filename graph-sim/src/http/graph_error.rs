//! Graph's response headers and its common error shape:
//! `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.

use std::time::{Duration, SystemTime};

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Serialize;

use crate::config::RetryAfterFormat;

/// The content type Graph sends with OData JSON (decimals as JSON numbers).
pub const ODATA_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

static REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
static CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");

/// `request-id` (new for every response) and `client-request-id` (the client's, echoed, or the
/// request id when the client sent none, as Graph does).
#[derive(Debug, Clone)]
pub struct RequestIds {
    pub request_id: String,
    pub client_request_id: String,
}

impl RequestIds {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let request_id = uuid::Uuid::new_v4().to_string();
        let client_request_id = headers
            .get(&CLIENT_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_else(|| request_id.clone());
        Self {
            request_id,
            client_request_id,
        }
    }

    /// Adds both headers to a response.
    pub fn stamp(&self, response: &mut Response) {
        for (name, value) in [
            (&REQUEST_ID, &self.request_id),
            (&CLIENT_REQUEST_ID, &self.client_request_id),
        ] {
            if let Ok(value) = HeaderValue::from_str(value) {
                response.headers_mut().insert(name.clone(), value);
            }
        }
    }
}

/// A `Retry-After` delay and how to write it.
#[derive(Debug, Clone, Copy)]
pub struct RetryAfter {
    pub delay: Duration,
    pub format: RetryAfterFormat,
}

impl RetryAfter {
    fn header_value(self) -> String {
        match self.format {
            RetryAfterFormat::Seconds => self.delay.as_secs().to_string(),
            // An HTTP date has whole seconds: round up so the client never retries early.
            RetryAfterFormat::HttpDate => httpdate::fmt_http_date(
                SystemTime::now() + self.delay + Duration::from_nanos(999_999_999),
            ),
        }
    }
}

/// `{"error": {...}}`, fields in Graph's order.
#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
    inner_error: InnerError<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct InnerError<'a> {
    date: String,
    request_id: &'a str,
    client_request_id: &'a str,
}

/// An error answered by the Graph endpoints.
#[derive(Debug, Clone)]
pub struct GraphError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<RetryAfter>,
    www_authenticate: Option<String>,
}

impl GraphError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
            www_authenticate: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// The 400 Graph answers for a path segment it does not know (e.g. a beta-only function
    /// under `/v1.0`).
    pub fn resource_not_found(segment: &str) -> Self {
        Self::bad_request(format!("Resource not found for the segment '{segment}'."))
    }

    pub fn invalid_authentication_token(message: &str, www_authenticate: String) -> Self {
        Self {
            www_authenticate: Some(www_authenticate),
            ..Self::new(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                message,
            )
        }
    }

    /// The 403 Graph answers an app-only token without the permission the API requires.
    pub fn missing_role(required: &str, roles: &[String]) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Forbidden",
            format!(
                "Missing role permissions on the request. API requires one of '{required}'. \
                 Roles on the request '{}'.",
                roles.join(",")
            ),
        )
    }

    /// The 403 the directory answers a token without `User.Read.All` (nor
    /// `Directory.Read.All`): another code and message than the call records' 403.
    pub fn insufficient_privileges() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    /// The directory's 400 for a query it does not take, e.g. `$top` outside 1..=999.
    pub fn unsupported_query(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
    }

    /// The directory's 400 for a `$skiptoken` it cannot use.
    pub fn expired_page_token() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "Directory_ExpiredPageToken",
            "The specified page token value has expired and can no longer be included in your \
             request.",
        )
    }

    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "BadRequest",
            format!("The HTTP method '{method}' is not allowed for this resource."),
        )
    }

    pub fn too_many_requests(retry_after: RetryAfter) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Too many requests. Retry after the time in the Retry-After header.",
            )
        }
    }

    pub fn service_unavailable(retry_after: Option<RetryAfter>) -> Self {
        Self {
            retry_after,
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "serviceNotAvailable",
                "The service is temporarily unavailable. Please retry later.",
            )
        }
    }

    pub fn gateway_timeout() -> Self {
        Self::new(
            StatusCode::GATEWAY_TIMEOUT,
            "GatewayTimeout",
            "The operation timed out before the service could respond.",
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "generalException",
            message,
        )
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response, with Graph's headers.
    pub fn into_response(self, ids: &RequestIds) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
                inner_error: InnerError {
                    date: Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                    request_id: &ids.request_id,
                    client_request_id: &ids.client_request_id,
                },
            },
        };
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_string(&body).unwrap_or_default(),
        )
            .into_response();
        let headers = response.headers_mut();
        if let Some(retry_after) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&retry_after.header_value())
        {
            headers.insert(header::RETRY_AFTER, value);
        }
        if let Some(challenge) = self.www_authenticate
            && let Ok(value) = HeaderValue::from_str(&challenge)
        {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        ids.stamp(&mut response);
        response
    }
}
