//! The one error type of the portal's own routes (exports, progress): an [`AppError`] answered
//! with its status and a plain-text message a person can read in the browser.
use app::error::AppError;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug)]
pub struct HttpError(pub AppError);

impl From<AppError> for HttpError {
    fn from(error: AppError) -> Self {
        Self(error)
    }
}

impl HttpError {
    pub fn status(&self) -> StatusCode {
        match &self.0 {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::SignInRequired(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Graph { .. } | AppError::Transport(_) => StatusCode::BAD_GATEWAY,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message, with Graph's request id when there is one (support asks for it).
    pub fn message(&self) -> String {
        match &self.0 {
            AppError::Graph {
                request_id: Some(id),
                ..
            } => format!("{} (Graph request id {id})", self.0),
            other => other.to_string(),
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self.0, "request failed");
        }
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            self.message() + "\n",
        )
            .into_response();
        if let AppError::TooManyRequests {
            retry_after_secs, ..
        } = &self.0
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, (*retry_after_secs).into());
        }
        response
    }
}
