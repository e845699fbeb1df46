//! The one error type every server function returns: it crosses the wire as JSON, so the page
//! can show Graph's message and request id instead of a bare status.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Microsoft Graph (or the identity platform) refused or failed the request.
    #[error("Microsoft Graph: {message}")]
    Graph {
        message: String,
        code: Option<String>,
        request_id: Option<String>,
    },
    /// The request itself was invalid (a bad date range, an unknown currency, ...).
    #[error("{0}")]
    BadRequest(String),
    /// The thing asked for does not exist (a user with no dial-out in the range).
    #[error("{0}")]
    NotFound(String),
    /// The drill-down of a user with no dial-out in the range (its own variant so the page can
    /// say it in the page's language, with the page's dates).
    #[error("no dial-out by user {user_id} from {} to {}", range.from, range.to)]
    NoDialout {
        user_id: String,
        range: crate::model::DateRange,
    },
    /// A fault on our side; details are in the server log.
    #[error("internal error: {0}")]
    Internal(String),
    /// The report's database cannot be reached or failed (the portal tries again by itself).
    #[error("{0}")]
    StoreUnavailable(String),
    /// The server-function transport failed (network, encoding).
    #[error("request failed: {0}")]
    Transport(String),
    /// No session (or it ended): the page must be loaded again to sign in.
    #[error("{0}")]
    SignInRequired(String),
    /// Signed in, without the app role the portal requires.
    #[error("{0}")]
    Forbidden(String),
    /// The person (or client) has used their share of Graph's request budget for now.
    #[error("{message}")]
    TooManyRequests {
        message: String,
        /// When to try again, in seconds (the `Retry-After` header).
        retry_after_secs: u64,
    },
    /// Days the answer needs are still loading from Graph (a download must be whole).
    #[error("{message}")]
    StillLoading {
        message: String,
        retry_after_secs: u64,
    },
}

impl AppError {
    /// The HTTP status a server function answers with when it fails this way.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::BadRequest(_) => 400,
            AppError::NotFound(_) | AppError::NoDialout { .. } => 404,
            AppError::SignInRequired(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::TooManyRequests { .. } => 429,
            AppError::StillLoading { .. } | AppError::StoreUnavailable(_) => 503,
            AppError::Graph { .. } => 502,
            AppError::Internal(_) | AppError::Transport(_) => 500,
        }
    }

    /// When to try again, in seconds (the `Retry-After` header), for an error that says so.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::TooManyRequests {
                retry_after_secs, ..
            }
            | AppError::StillLoading {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server: the request's arguments could not be read. The decoder's own
            // words name our types' internals: the caller gets a plain message and a 400.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                let error = AppError::BadRequest(
                    "The request's parameters are missing or malformed.".into(),
                );
                #[cfg(feature = "ssr")]
                crate::report::set_response_status(&error);
                error
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

/// A failure of Graph or of the identity platform, as the page shows it: Graph's message (which
/// ends with its fix hint, where there is one), its error code and request id.
#[cfg(feature = "ssr")]
impl From<graph_client::GraphError> for AppError {
    fn from(error: graph_client::GraphError) -> Self {
        AppError::from(&error)
    }
}

#[cfg(feature = "ssr")]
impl From<&graph_client::GraphError> for AppError {
    fn from(error: &graph_client::GraphError) -> Self {
        tracing::warn!(%error, "Graph request failed");
        let code = match error {
            graph_client::GraphError::Api(api) => api.code.clone(),
            _ => None,
        };
        AppError::Graph {
            message: error.to_string(),
            code,
            request_id: error.request_id().map(str::to_string),
        }
    }
}

/// A route outside the server functions (exports, the progress stream) fails with the error's
/// status and a plain-text message a person can read in the browser: the one mapping from an
/// error to a response besides the server functions' JSON (both take [`AppError::status_code`]).
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        use axum::http::{HeaderValue, StatusCode, header};
        let status =
            StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        // Support asks for Graph's request id.
        let message = match &self {
            AppError::Graph {
                request_id: Some(id),
                ..
            } => format!("{self} (Graph request id {id})\n"),
            other => format!("{other}\n"),
        };
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            message,
        )
            .into_response();
        if let Some(secs) = self.retry_after_secs() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
