//! One Graph GET with everything around it: rate limiter (at the request's [`Priority`]), bearer
//! token, fresh `client-request-id`, retries of 429/503/504 and connection failures, one token
//! refresh on a 401, and Graph's error body turned into a typed error.

use std::time::{Duration, SystemTime};

use reqwest::header::{ACCEPT, RETRY_AFTER};
use serde::Deserialize;
use tokio::time::Instant;
use tracing::{debug, warn};
use url::Url;

use crate::error::{ApiError, GraphError, TransientFailure};
use crate::http::{
    BodyError, MAX_ERROR_BYTES, connection_failure, describe_reqwest_error, gave_up, header,
    read_body, read_prefix,
};
use crate::ratelimit::{Priority, RateLimiter};
use crate::retry::{GiveUpReason, Retrier, RetryPolicy, parse_retry_after};
use crate::secret::redact;
use crate::token::TokenProvider;

/// Refuse a single page larger than this (Graph's pages of 1,000 rows are well under 1 MiB).
const MAX_PAGE_BYTES: usize = 64 << 20;

pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) tokens: TokenProvider,
    pub(crate) limiter: RateLimiter,
    pub(crate) retry: RetryPolicy,
}

/// A successful response body.
pub(crate) struct Fetched {
    pub(crate) body: Vec<u8>,
    pub(crate) request_id: Option<String>,
}

enum Attempt {
    Done(Fetched),
    Retry(TransientFailure, Option<Duration>),
}

impl Transport {
    /// GETs `url`, retrying per the policy until `deadline`; `on_retry` is told of every retry.
    /// Every attempt asks the rate limiter at `priority`.
    pub(crate) async fn get(
        &self,
        url: &Url,
        priority: Priority,
        deadline: Instant,
        on_retry: &(dyn Fn() + Sync),
    ) -> Result<Fetched, GraphError> {
        self.get_limited(&self.limiter, url, priority, deadline, on_retry)
            .await
    }

    /// [`Self::get`] under another rate limiter: an API with its own throttling budget (the
    /// directory) must not spend the report's.
    pub(crate) async fn get_limited(
        &self,
        limiter: &RateLimiter,
        url: &Url,
        priority: Priority,
        deadline: Instant,
        on_retry: &(dyn Fn() + Sync),
    ) -> Result<Fetched, GraphError> {
        let mut retrier = Retrier::new(&self.retry, deadline);
        let mut refreshed = false;
        loop {
            retrier.start_attempt();
            let (failure, retry_after) = match self
                .attempt(limiter, url, priority, &retrier, &mut refreshed)
                .await?
            {
                Attempt::Done(fetched) => return Ok(fetched),
                Attempt::Retry(failure, retry_after) => (failure, retry_after),
            };
            match retrier.next_delay(retry_after) {
                Ok(delay) => {
                    warn!(url = url.path(), attempt = retrier.attempts(), delay_ms = delay.as_millis() as u64, failure = %failure, "retrying Graph request");
                    on_retry();
                    tokio::time::sleep(delay).await;
                }
                Err(reason) => return Err(gave_up("Graph", reason, &retrier, failure)),
            }
        }
    }

    async fn attempt(
        &self,
        limiter: &RateLimiter,
        url: &Url,
        priority: Priority,
        retrier: &Retrier<'_>,
        refreshed: &mut bool,
    ) -> Result<Attempt, GraphError> {
        if !limiter.acquire(priority, retrier.deadline()).await {
            let failure = TransientFailure {
                status: None,
                request_id: None,
                detail: "the client-side rate limiter (or a Retry-After pause) holds requests past the deadline".into(),
            };
            return Err(gave_up("Graph", GiveUpReason::Deadline, retrier, failure));
        }
        let token = self.tokens.get(retrier.deadline()).await?;
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let started = Instant::now();
        let sent = self
            .http
            .get(url.clone())
            .bearer_auth(token.value.expose())
            .header("client-request-id", &client_request_id)
            .header(ACCEPT, "application/json")
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(e) if e.is_builder() => return Err(GraphError::Setup(describe_reqwest_error(&e))),
            Err(e) => return Ok(Attempt::Retry(connection_failure(&e), None)),
        };
        let status = response.status().as_u16();
        let request_id = header(response.headers(), "request-id");
        debug!(
            url = url.path(),
            status,
            request_id = request_id.as_deref(),
            client_request_id,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "Graph answered"
        );
        match status {
            200..=299 => match read_body(response, MAX_PAGE_BYTES).await {
                Ok(body) => Ok(Attempt::Done(Fetched { body, request_id })),
                Err(BodyError::TooLarge) => Err(GraphError::Protocol {
                    source_name: "Graph",
                    request_id,
                    detail: format!("a page larger than {} MiB", MAX_PAGE_BYTES >> 20),
                }),
                Err(BodyError::Read(e)) => Ok(Attempt::Retry(connection_failure(&e), None)),
            },
            401 if !*refreshed => {
                *refreshed = true;
                debug!(
                    request_id = request_id.as_deref(),
                    "Graph refused the token (401): refreshing it once and retrying the page"
                );
                self.tokens.invalidate(token.generation).await;
                Ok(Attempt::Retry(
                    TransientFailure {
                        status: Some(401),
                        request_id,
                        detail: "token refused, refreshed".into(),
                    },
                    Some(Duration::ZERO),
                ))
            }
            429 | 503 | 504 => {
                let retry_after = header(response.headers(), RETRY_AFTER.as_str())
                    .and_then(|v| parse_retry_after(&v, SystemTime::now()));
                if let Some(until) = retry_after
                    .filter(|_| status == 429)
                    .and_then(|delay| Instant::now().checked_add(delay))
                {
                    limiter.pause_until(until);
                }
                let body = read_prefix(response, MAX_ERROR_BYTES).await;
                let error = parse_api_error(
                    status,
                    request_id,
                    Some(client_request_id),
                    &body,
                    token.value.expose(),
                );
                let detail = [error.code.as_deref(), error.message.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(": ");
                Ok(Attempt::Retry(
                    TransientFailure {
                        status: Some(status),
                        request_id: error.request_id,
                        detail,
                    },
                    retry_after,
                ))
            }
            _ => {
                let body = read_prefix(response, MAX_ERROR_BYTES).await;
                let error = parse_api_error(
                    status,
                    request_id,
                    Some(client_request_id),
                    &body,
                    token.value.expose(),
                );
                Err(GraphError::Api(Box::new(error)))
            }
        }
    }
}

#[derive(Deserialize, Default)]
struct ErrorBody {
    error: Option<ErrorDetail>,
}

#[derive(Deserialize, Default)]
struct ErrorDetail {
    code: Option<String>,
    message: Option<String>,
    #[serde(rename = "innerError", alias = "innererror")]
    inner_error: Option<InnerError>,
}

#[derive(Deserialize, Default)]
struct InnerError {
    date: Option<String>,
    #[serde(rename = "request-id")]
    request_id: Option<String>,
}

/// Graph's error shape, tolerant of anything else (a proxy's HTML page, an empty body).
pub(crate) fn parse_api_error(
    status: u16,
    request_id: Option<String>,
    client_request_id: Option<String>,
    body: &[u8],
    token: &str,
) -> ApiError {
    let detail = serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .and_then(|b| b.error)
        .unwrap_or_default();
    let inner = detail.inner_error.unwrap_or_default();
    let clip = |s: String| -> String { redact(&s, &[token]).chars().take(1000).collect() };
    ApiError {
        status,
        code: detail.code.map(clip),
        message: detail.message.map(clip),
        request_id: request_id.or(inner.request_id),
        client_request_id,
        date: inner.date,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_graphs_error_shape() {
        let body = br#"{"error":{"code":"Forbidden","message":"","innerError":{"date":"2024-01-01T00:00:00","request-id":"body-id","client-request-id":"c"}}}"#;
        let e = parse_api_error(403, None, Some("c".into()), body, "tok");
        assert_eq!(e.code.as_deref(), Some("Forbidden"));
        assert_eq!(
            e.request_id.as_deref(),
            Some("body-id"),
            "the body's id fills in a missing header"
        );
        assert_eq!(e.date.as_deref(), Some("2024-01-01T00:00:00"));
        let e = parse_api_error(403, Some("header-id".into()), None, body, "tok");
        assert_eq!(
            e.request_id.as_deref(),
            Some("header-id"),
            "the header wins"
        );
    }

    #[test]
    fn tolerates_foreign_bodies_and_redacts_the_token() {
        let e = parse_api_error(502, None, None, b"<html>bad gateway</html>", "tok");
        assert_eq!((e.code, e.message), (None, None));
        let body = br#"{"error":{"code":"X","message":"your token eyJsecrettoken is bad"}}"#;
        let e = parse_api_error(400, None, None, body, "eyJsecrettoken");
        assert_eq!(e.message.as_deref(), Some("your token [redacted] is bad"));
    }
}
