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
            GraphError::Auth(e) => Some(e.hint()),
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
            // Graph's code varies (Forbidden, Authorization_RequestDenied, accessDenied): the
            // cause of a 403 on this report is the missing app permission either way.
            403 => {
                "the app needs the Microsoft Graph application permission CallRecords.Read.All (type Application, not Delegated) with admin consent granted for the tenant (app registration > API permissions > Grant admin consent); a token issued before the consent lacks it, so restart the portal or wait up to an hour for a new token"
            }
            404 => {
                "the report function was not found: check GRAPH_ENDPOINT / GRAPH_CLOUD (the dial-out report exists only under /beta, and not in the China cloud)"
            }
            // Graph has answered 406 to a range longer than 90 days.
            406 => {
                "a request's range must be at most 90 days; this client splits every range into windows of at most 90 days, so this points at a bug in the client or a changed limit in Graph's beta API: report it with the request-id"
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
    /// AADSTS70011 (a malformed scope) and 500011 (a scope naming a resource the tenant's
    /// cloud does not have).
    InvalidScope,
    /// AADSTS700021, 700023, 700024, 700027 and other client-assertion failures.
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
            Some(70011 | 500011) => Self::InvalidScope,
            Some(700021 | 700023 | 700024 | 700027 | 7000274 | 7000277) => {
                Self::InvalidClientAssertion
            }
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

/// A refusal whose AADSTS code says more than its [`AuthErrorKind`]: the kinds stay coarse
/// (callers classify by them), the summary and hint follow the code.
struct Diagnosis {
    code: u32,
    summary: &'static str,
    hint: &'static str,
}

const DIAGNOSES: &[Diagnosis] = &[
    Diagnosis {
        code: 500011,
        summary: "the resource named by the scope was not found in the tenant",
        hint: "the scope must be the Graph of the tenant's own cloud: https://graph.microsoft.com/.default in the global cloud, https://graph.microsoft.us/.default in usgov-l4, https://dod-graph.microsoft.us/.default in usgov-l5; the client asks for GRAPH_ENDPOINT + /.default, so set GRAPH_CLOUD to the tenant's cloud, leave GRAPH_ENDPOINT unset (or that cloud's Graph) and AZURE_AUTHORITY_HOST in the same cloud",
    },
    Diagnosis {
        code: 700021,
        summary: "the client assertion's application id does not match client_id",
        hint: "the client puts AZURE_CLIENT_ID in the assertion's iss and sub and in client_id alike: check that AZURE_CLIENT_ID is the app registration's Application (client) id and that no proxy rewrites the token request",
    },
    Diagnosis {
        code: 700024,
        summary: "the client assertion is not within its valid time range",
        hint: "this host's clock is too far from Entra ID's (the assertion is valid from 5 minutes before to 10 minutes after the host's time): synchronise the clock (NTP) and try again",
    },
    Diagnosis {
        code: 700027,
        summary: "the client assertion was signed with a key not registered on the app",
        hint: "upload to the app registration (Certificates & secrets) the certificate whose private key is in AZURE_CLIENT_CERTIFICATE_PATH; when the file holds a chain, the client uses the certificate matching the key (the leaf), not a CA, and that one must be registered",
    },
];

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

impl AuthError {
    fn diagnosis(&self) -> Option<&'static Diagnosis> {
        let code = self.code?;
        DIAGNOSES.iter().find(|d| d.code == code)
    }

    /// What went wrong, as precisely as the AADSTS code tells.
    pub fn summary(&self) -> &'static str {
        self.diagnosis()
            .map_or_else(|| self.kind.summary(), |d| d.summary)
    }

    /// What to do: the AADSTS code's own hint, else its kind's.
    pub fn hint(&self) -> &'static str {
        self.diagnosis()
            .map_or_else(|| self.kind.hint(), |d| d.hint)
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the identity platform refused the token request (HTTP {}): {}",
            self.status,
            self.summary()
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
        write!(f, ". Fix: {}", self.hint())
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

    fn api_error(status: u16, code: &str) -> GraphError {
        GraphError::Api(Box::new(ApiError {
            status,
            code: Some(code.into()),
            message: None,
            request_id: Some("req-1".into()),
            client_request_id: Some("cli-1".into()),
            date: None,
        }))
    }

    /// The text callers show alone: the hint must be in it exactly once.
    fn shown_with_its_hint(e: &GraphError) -> String {
        let text = e.to_string();
        let hint = e.hint().unwrap_or_else(|| panic!("no hint: {text}"));
        assert_eq!(text.matches(hint).count(), 1, "{text}");
        text
    }

    #[test]
    fn forbidden_explains_the_permission() {
        for code in ["Forbidden", "Authorization_RequestDenied"] {
            let e = api_error(403, code);
            let text = shown_with_its_hint(&e);
            assert!(text.contains(&format!("HTTP 403 {code}")), "{text}");
            assert!(text.contains("request-id req-1"), "{text}");
            assert!(
                text.contains("application permission CallRecords.Read.All")
                    && text.contains("admin consent granted"),
                "{text}"
            );
            assert_eq!(e.request_id(), Some("req-1"));
        }
    }

    #[test]
    fn not_acceptable_explains_the_90_day_limit() {
        let text = shown_with_its_hint(&api_error(406, "NotAcceptable"));
        assert!(text.contains("at most 90 days"), "{text}");
        assert!(
            text.contains("bug in the client or a changed limit"),
            "{text}"
        );
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
    fn each_aadsts_code_gets_its_own_hint() {
        use AuthErrorKind::*;
        // (code, kind, in the summary, in the hint)
        let cases = [
            (
                7000215,
                InvalidSecret,
                "client secret is wrong",
                "AZURE_CLIENT_SECRET",
            ),
            (7000222, ExpiredSecret, "has expired", "new client secret"),
            (
                90002,
                TenantNotFound,
                "tenant was not found",
                "AZURE_TENANT_ID",
            ),
            (
                700016,
                AppNotFoundInTenant,
                "not found in the tenant",
                "AZURE_CLIENT_ID",
            ),
            (70011, InvalidScope, "scope is invalid", "GRAPH_ENDPOINT"),
            (
                500011,
                InvalidScope,
                "resource named by the scope was not found",
                "https://graph.microsoft.com/.default in the global cloud",
            ),
            (
                700021,
                InvalidClientAssertion,
                "application id does not match client_id",
                "Application (client) id",
            ),
            (
                700024,
                InvalidClientAssertion,
                "not within its valid time range",
                "synchronise the clock",
            ),
            (
                700027,
                InvalidClientAssertion,
                "signed with a key not registered on the app",
                "the certificate matching the key (the leaf), not a CA",
            ),
            (
                700023,
                InvalidClientAssertion,
                "client assertion was refused",
                "AZURE_CLIENT_CERTIFICATE_PATH",
            ),
        ];
        for (code, kind, summary, hint) in cases {
            assert_eq!(AuthErrorKind::from_code(Some(code)), kind, "{code}");
            let e = GraphError::Auth(Box::new(AuthError {
                kind,
                status: 400,
                error: None,
                code: Some(code),
                description: None,
                trace_id: None,
                correlation_id: None,
            }));
            let text = shown_with_its_hint(&e);
            assert!(text.contains(&format!("[AADSTS{code}]")), "{text}");
            assert!(text.contains(summary), "{code}: {text}");
            assert!(e.hint().is_some_and(|h| h.contains(hint)), "{code}: {text}");
        }
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
