//! What a request to Graph and a request to the identity platform share: reading bodies within
//! a limit, one-line descriptions of connection failures, header values, and the give-up error.
//! (Both `request` and `token` use these; neither imports the other for them.)
use reqwest::header::HeaderMap;

use crate::error::{GaveUp, GraphError, TransientFailure};
use crate::retry::{GiveUpReason, Retrier};

/// Error bodies are read only this far.
pub(crate) const MAX_ERROR_BYTES: usize = 64 << 10;

pub(crate) fn gave_up(
    service: &'static str,
    reason: GiveUpReason,
    retrier: &Retrier<'_>,
    last: TransientFailure,
) -> GraphError {
    GraphError::GaveUp(Box::new(GaveUp {
        service,
        reason,
        attempts: retrier.attempts(),
        elapsed: retrier.elapsed(),
        last,
    }))
}

pub(crate) fn connection_failure(e: &reqwest::Error) -> TransientFailure {
    TransientFailure {
        status: None,
        request_id: None,
        detail: describe_reqwest_error(e),
    }
}

/// The error and its causes on one line (reqwest's own message hides the root cause).
pub(crate) fn describe_reqwest_error(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

pub(crate) fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(200).collect())
}

pub(crate) enum BodyError {
    TooLarge,
    Read(reqwest::Error),
}

pub(crate) async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    let declared = response.content_length().unwrap_or(0);
    if declared > limit as u64 {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::with_capacity(declared as usize);
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// At most `limit` bytes of an error body; a read failure just ends it.
pub(crate) async fn read_prefix(mut response: reqwest::Response, limit: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                body.extend_from_slice(&chunk[..chunk.len().min(limit - body.len())])
            }
            _ => break,
        }
    }
    body
}
