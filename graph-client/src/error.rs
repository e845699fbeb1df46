//! Typed errors. Each carries what support needs (Graph's code, message and `request-id`, the
//! identity platform's AADSTS code, trace and correlation ids) and a fix hint. No message ever
//! contains a secret, an assertion or an access token.

use std::fmt;
use std::time::Duration;

use crate::config::ConfigError;
use crate::merge::MergeError;
use crate::retry::GiveUpReason;
use crate::window::RangeError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Range(#[from] RangeError),
    /// The identity platform refused the token request.
    #[error(transparent)]
    Auth(Box<AuthError>),
    /// Graph answered with an error that retrying cannot fix (400, 401 after a refresh, 403, …).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// Transient failures (429, 503, 504, connection errors) outlasted the retry policy.
    #[error(transparent)]
    GaveUp(Box<GaveUp>),
    #[error(
        "Graph's @odata.nextLink points to another origin ({found}, expected {expected}): refusing to send \
         the access token there; the report was not fetched"
    )]
    ForeignNextLink { expected: String, found: String },
    #[error(
        "Graph's @odata.nextLink repeats a page already fetched in this window ({window}): stopping a paging loop; the report was not fetched"
    )]
    NextLinkLoop { window: String },
    #[error("window {window} has more than {limit} pages: stopping; the report was not fetched")]
    TooManyPages { window: String, limit: u32 },
    /// A response that does not follow Graph's contract (bad JSON, missing `value`, …).
    #[error("unexpected response from {source_name}{}: {detail}", request_id_suffix(.request_id.as_deref()))]
    Protocol {
        source_name: &'static str,
        request_id: Option<String>,
        detail: String,
    },
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// The HTTP client or the certificate credential could not be set up.
    #[error("cannot set up the Graph client: {0}")]
    Setup(String),
}

impl GraphError {
    /// Graph's or the identity platform's request id, when the failure came with one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            GraphError::Api(e) => e.request_id.as_deref(),
            GraphError::Auth(e) => e.trace_id.as_deref(),
            GraphError::GaveUp(e) => e.last.request_id.as_deref(),
            GraphError::Protocol { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// What to do about it, when there is something to do.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            GraphError::Api(e) => e.hint(),
            GraphError::Auth(e) => Some(e.kind.hint()),
            GraphError::GaveUp(_) => {
                Some("Graph or the network is failing or throttling: try again later")
            }
            _ => None,
        }
    }
}

fn request_id_suffix(request_id: Option<&str>) -> String {
    request_id
        .map(|id| format!(" (request-id {id})"))
        .unwrap_or_default()
}

/// An error response from Graph (`{"error": {"code", "message", "innerError": {...}}}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    /// Graph's error code, e.g. `BadRequest`, `Forbidden`, `InvalidAuthenticationToken`.
    pub code: Option<String>,
    pub message: Option<String>,
    /// The `request-id` response header (or the body's `innerError.request-id`).
    pub request_id: Option<String>,
    /// The `client-request-id` this client sent.
    pub client_request_id: Option<String>,
    /// `innerError.date`.
    pub date: Option<String>,
}

impl ApiError {
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self.status {
            400 => {
                "Graph refused the request: check the date range (each request covers at most 90 days, from not after to); if it persists the beta API may have changed"
            }
            401 => {
                "Graph refused the access token even after a refresh: check that GRAPH_ENDPOINT / GRAPH_CLOUD match the tenant's cloud and that the app registration is enabled"
            }
            403 => {
                "grant the app registration the Microsoft Graph application permission CallRecords.Read.All (not delegated) and give admin consent for the tenant"
            }
            404 => {
                "the report function was not found: check GRAPH_ENDPOINT / GRAPH_CLOUD (the dial-out report exists only under /beta, and not in the China cloud)"
            }
            _ => return None,
        })
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Graph answered HTTP {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        match self.message.as_deref().filter(|m| !m.is_empty()) {
            Some(message) => write!(f, ": {message}")?,
            None => f.write_str(" with no message")?,
        }
        write_ids(
            f,
            &[
                ("request-id", &self.request_id),
                ("client-request-id", &self.client_request_id),
                ("date", &self.date),
            ],
        )?;
        if let Some(hint) = self.hint() {
            write!(f, ". Fix: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

fn write_ids(f: &mut fmt::Formatter<'_>, ids: &[(&str, &Option<String>)]) -> fmt::Result {
    let present: Vec<String> = ids
        .iter()
        .filter_map(|(name, v)| v.as_ref().map(|v| format!("{name} {v}")))
        .collect();
    if present.is_empty() {
        Ok(())
    } else {
        write!(f, " ({})", present.join(", "))
    }
}

/// What the identity platform's refusal means (AADSTS codes from graph-reference.md section 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthErrorKind {
    /// AADSTS7000215.
    InvalidSecret,
    /// AADSTS7000222.
    ExpiredSecret,
    /// AADSTS90002 (and 900023, a malformed tenant).
    TenantNotFound,
    /// AADSTS700016.
    AppNotFoundInTenant,
    /// AADSTS70011.
    InvalidScope,
    /// AADSTS700027 and other client-assertion failures.
    InvalidClientAssertion,
    Other,
}

impl AuthErrorKind {
    pub(crate) fn from_code(code: Option<u32>) -> Self {
        match code {
            Some(7000215) => Self::InvalidSecret,
            Some(7000222) => Self::ExpiredSecret,
            Some(90002 | 900023) => Self::TenantNotFound,
            Some(700016) => Self::AppNotFoundInTenant,
            Some(70011) => Self::InvalidScope,
            Some(700027 | 700023 | 700024 | 7000274 | 7000277) => Self::InvalidClientAssertion,
            _ => Self::Other,
        }
    }

    fn summary(self) -> &'static str {
        match self {
            Self::InvalidSecret => "the client secret is wrong",
            Self::ExpiredSecret => "the client secret has expired",
            Self::TenantNotFound => "the tenant was not found",
            Self::AppNotFoundInTenant => "the application was not found in the tenant",
            Self::InvalidScope => "the requested scope is invalid",
            Self::InvalidClientAssertion => "the certificate-signed client assertion was refused",
            Self::Other => "the token request was refused",
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            Self::InvalidSecret => {
                "check AZURE_CLIENT_SECRET: use the secret's value (not its id) from the app registration's Certificates & secrets"
            }
            Self::ExpiredSecret => {
                "create a new client secret in the app registration and update AZURE_CLIENT_SECRET"
            }
            Self::TenantNotFound => {
                "check AZURE_TENANT_ID (the directory id) and GRAPH_CLOUD / AZURE_AUTHORITY_HOST"
            }
            Self::AppNotFoundInTenant => {
                "check AZURE_CLIENT_ID, and that an admin of this tenant has consented to the app (a multi-tenant app needs its service principal here)"
            }
            Self::InvalidScope => {
                "check GRAPH_ENDPOINT / GRAPH_CLOUD: the scope is {GRAPH_ENDPOINT}/.default"
            }
            Self::InvalidClientAssertion => {
                "check that the certificate in AZURE_CLIENT_CERTIFICATE_PATH is uploaded to the app registration, is not expired, and matches the private key"
            }
            Self::Other => "check AZURE_TENANT_ID, AZURE_CLIENT_ID and the credential",
        }
    }
}

/// A refusal from the Microsoft identity platform's token endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthError {
    pub kind: AuthErrorKind,
    pub status: u16,
    /// OAuth error, e.g. `invalid_client`.
    pub error: Option<String>,
    /// The AADSTS code.
    pub code: Option<u32>,
    /// The first line of `error_description`, with anything the client sent redacted.
    pub description: Option<String>,
    pub trace_id: Option<String>,
    pub correlation_id: Option<String>,
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the identity platform refused the token request (HTTP {}): {}",
            self.status,
            self.kind.summary()
        )?;
        if let Some(description) = self.description.as_deref().filter(|d| !d.is_empty()) {
            write!(f, " [{description}]")?;
        } else if let Some(code) = self.code {
            write!(f, " [AADSTS{code}]")?;
        }
        write_ids(
            f,
            &[
                ("trace id", &self.trace_id),
                ("correlation id", &self.correlation_id),
            ],
        )?;
        write!(f, ". Fix: {}", self.kind.hint())
    }
}

impl std::error::Error for AuthError {}

/// One transient failure (the last one seen before giving up).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransientFailure {
    /// HTTP status, or `None` for a connection failure or timeout.
    pub status: Option<u16>,
    pub request_id: Option<String>,
    pub detail: String,
}

impl fmt::Display for TransientFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "HTTP {status}")?,
            None => f.write_str("connection failure")?,
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        write_ids(f, &[("request-id", &self.request_id)])
    }
}

/// Retrying stopped: too many attempts, or the deadline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GaveUp {
    /// `"Graph"` or `"the identity platform"`.
    pub service: &'static str,
    pub reason: GiveUpReason,
    pub attempts: u32,
    pub elapsed: Duration,
    pub last: TransientFailure,
}

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.reason {
            GiveUpReason::Attempts => "every attempt failed",
            GiveUpReason::Deadline => "the next retry would pass the fetch's deadline",
        };
        write!(
            f,
            "gave up on {} after {} attempt(s) in {:.1} s ({why}); last failure: {}. The report was not fetched: try again later",
            self.service,
            self.attempts,
            self.elapsed.as_secs_f64(),
            self.last
        )
    }
}

impl std::error::Error for GaveUp {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_explains_the_permission() {
        let e = GraphError::Api(Box::new(ApiError {
            status: 403,
            code: Some("Forbidden".into()),
            message: None,
            request_id: Some("req-1".into()),
            client_request_id: Some("cli-1".into()),
            date: None,
        }));
        let text = e.to_string();
        assert!(text.contains("HTTP 403 Forbidden"), "{text}");
        assert!(text.contains("request-id req-1"), "{text}");
        assert!(
            text.contains("CallRecords.Read.All") && text.contains("admin consent"),
            "{text}"
        );
        assert_eq!(e.request_id(), Some("req-1"));
        // Callers show the error's text alone: it must carry the hint once.
        let hint = e.hint().unwrap();
        assert_eq!(text.matches(hint).count(), 1, "{text}");
    }

    #[test]
    fn auth_errors_map_aadsts_codes() {
        assert_eq!(
            AuthErrorKind::from_code(Some(7000215)),
            AuthErrorKind::InvalidSecret
        );
        assert_eq!(
            AuthErrorKind::from_code(Some(7000222)),
            AuthErrorKind::ExpiredSecret
        );
        assert_eq!(
            AuthErrorKind::from_code(Some(90002)),
            AuthErrorKind::TenantNotFound
        );
        assert_eq!(
            AuthErrorKind::from_code(Some(700016)),
            AuthErrorKind::AppNotFoundInTenant
        );
        assert_eq!(
            AuthErrorKind::from_code(Some(70011)),
            AuthErrorKind::InvalidScope
        );
        assert_eq!(AuthErrorKind::from_code(None), AuthErrorKind::Other);
        let e = AuthError {
            kind: AuthErrorKind::InvalidSecret,
            status: 401,
            error: Some("invalid_client".into()),
            code: Some(7000215),
            description: Some("AADSTS7000215: Invalid client secret provided.".into()),
            trace_id: Some("t".into()),
            correlation_id: Some("c".into()),
        };
        let text = e.to_string();
        assert!(
            text.contains("client secret is wrong") && text.contains("AZURE_CLIENT_SECRET"),
            "{text}"
        );
        assert!(text.contains("trace id t, correlation id c"), "{text}");
    }

    #[test]
    fn gave_up_says_why() {
        let e = GaveUp {
            service: "Graph",
            reason: GiveUpReason::Attempts,
            attempts: 7,
            elapsed: Duration::from_millis(1500),
            last: TransientFailure {
                status: Some(429),
                request_id: Some("r".into()),
                detail: "TooManyRequests".into(),
            },
        };
        let text = e.to_string();
        assert!(text.contains("after 7 attempt(s) in 1.5 s"), "{text}");
        assert!(
            text.contains("HTTP 429: TooManyRequests (request-id r)"),
            "{text}"
        );
    }
}
