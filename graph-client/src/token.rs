//! App-only access tokens (OAuth 2.0 client credentials), cached until shortly before expiry.
//!
//! One `tokio::sync::Mutex` guards the cache and is held during a refresh, so concurrent callers
//! wait for that one refresh instead of each starting their own. A 401 from Graph invalidates
//! only the token that was refused (by generation), so several requests failing with the same
//! token cause a single refresh.

use std::time::{Duration, SystemTime};

use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;
use tracing::{debug, warn};

use crate::credential::CertificateCredential;
use crate::error::{AuthError, AuthErrorKind, GraphError, TransientFailure};
use crate::http::{
    BodyError, MAX_ERROR_BYTES, connection_failure, describe_reqwest_error, gave_up, header,
    read_body,
};
use crate::retry::{Retrier, RetryPolicy, parse_retry_after};
use crate::secret::{Secret, redact};

const MAX_TOKEN_RESPONSE_BYTES: usize = 1 << 20;
/// Refresh this long before expiry at most (less for very short-lived tokens).
const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(300);

pub(crate) enum AppCredential {
    Secret(Secret),
    Certificate(CertificateCredential),
}

#[derive(Clone)]
pub(crate) struct AccessToken {
    pub(crate) value: Secret,
    pub(crate) generation: u64,
    pub(crate) expires_at: Instant,
}

struct Cached {
    token: AccessToken,
    refresh_at: Instant,
}

pub(crate) struct TokenProvider {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    scope: String,
    credential: AppCredential,
    retry: RetryPolicy,
    cache: Mutex<(Option<Cached>, u64)>,
}

impl TokenProvider {
    pub(crate) fn new(
        http: reqwest::Client,
        token_url: String,
        client_id: String,
        scope: String,
        credential: AppCredential,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            http,
            token_url,
            client_id,
            scope,
            credential,
            retry,
            cache: Mutex::new((None, 0)),
        }
    }

    /// A valid token: the cached one, or a fresh one (one refresh shared by all callers).
    pub(crate) async fn get(&self, deadline: Instant) -> Result<AccessToken, GraphError> {
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.0.as_ref().filter(|c| Instant::now() < c.refresh_at) {
            return Ok(cached.token.clone());
        }
        let generation = cache.1 + 1;
        let (value, lifetime, requested_at) = self.request(deadline).await?;
        let margin = (lifetime / 5).min(MAX_REFRESH_MARGIN);
        let token = AccessToken {
            value,
            generation,
            expires_at: requested_at + lifetime,
        };
        *cache = (
            Some(Cached {
                token: token.clone(),
                refresh_at: requested_at + lifetime - margin,
            }),
            generation,
        );
        debug!(
            generation,
            lifetime_s = lifetime.as_secs(),
            "got a new access token"
        );
        Ok(token)
    }

    /// Forgets the token of `generation` if it is still the cached one.
    pub(crate) async fn invalidate(&self, generation: u64) {
        let mut cache = self.cache.lock().await;
        if cache
            .0
            .as_ref()
            .is_some_and(|c| c.token.generation == generation)
        {
            cache.0 = None;
        }
    }

    /// Asks the identity platform, retrying 429, 5xx and connection failures.
    async fn request(&self, deadline: Instant) -> Result<(Secret, Duration, Instant), GraphError> {
        let mut retrier = Retrier::new(&self.retry, deadline);
        loop {
            retrier.start_attempt();
            let requested_at = Instant::now();
            let (form, assertion) = self.form()?;
            let sent = self
                .http
                .post(&self.token_url)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("client-request-id", uuid::Uuid::new_v4().to_string())
                .body(form)
                .send()
                .await;
            let (failure, retry_after) = match sent {
                Err(e) if e.is_builder() => {
                    return Err(GraphError::Setup(describe_reqwest_error(&e)));
                }
                Err(e) => (connection_failure(&e), None),
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = header(response.headers(), RETRY_AFTER.as_str())
                        .and_then(|v| parse_retry_after(&v, SystemTime::now()));
                    let request_id = header(response.headers(), "x-ms-request-id");
                    let limit = if status == 200 {
                        MAX_TOKEN_RESPONSE_BYTES
                    } else {
                        MAX_ERROR_BYTES
                    };
                    let body = match read_body(response, limit).await {
                        Ok(body) => body,
                        Err(BodyError::Read(e)) => {
                            let failure = connection_failure(&e);
                            match retrier.next_delay(None) {
                                Ok(delay) => {
                                    tokio::time::sleep(delay).await;
                                    continue;
                                }
                                Err(reason) => {
                                    return Err(gave_up(
                                        "the identity platform",
                                        reason,
                                        &retrier,
                                        failure,
                                    ));
                                }
                            }
                        }
                        Err(BodyError::TooLarge) => Vec::new(),
                    };
                    match status {
                        200 => return parse_token(&body).map(|(t, l)| (t, l, requested_at)),
                        429 | 500..=599 => (
                            TransientFailure {
                                status: Some(status),
                                request_id,
                                detail: String::new(),
                            },
                            retry_after,
                        ),
                        _ => return Err(self.auth_error(status, &body, assertion.as_ref())),
                    }
                }
            };
            match retrier.next_delay(retry_after) {
                Ok(delay) => {
                    warn!(attempt = retrier.attempts(), delay_ms = delay.as_millis() as u64, failure = %failure, "retrying token request");
                    tokio::time::sleep(delay).await;
                }
                Err(reason) => {
                    return Err(gave_up("the identity platform", reason, &retrier, failure));
                }
            }
        }
    }

    /// The form body, and the assertion it carries (to redact it from any echo).
    fn form(&self) -> Result<(String, Option<Secret>), GraphError> {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "client_credentials")
            .append_pair("client_id", &self.client_id)
            .append_pair("scope", &self.scope);
        let assertion = match &self.credential {
            AppCredential::Secret(secret) => {
                form.append_pair("client_secret", secret.expose());
                None
            }
            AppCredential::Certificate(certificate) => {
                let assertion = certificate
                    .assertion(&self.client_id, &self.token_url, SystemTime::now())
                    .map_err(|e| GraphError::Setup(format!("client assertion: {e}")))?;
                form.append_pair(
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                )
                .append_pair("client_assertion", assertion.expose());
                Some(assertion)
            }
        };
        Ok((form.finish(), assertion))
    }

    fn auth_error(&self, status: u16, body: &[u8], assertion: Option<&Secret>) -> GraphError {
        let parsed: AadError = serde_json::from_slice(body).unwrap_or_default();
        let mut sent = vec![self.client_secret().unwrap_or("")];
        sent.extend(assertion.map(Secret::expose));
        let description = parsed.error_description.as_deref().map(|d| {
            let first_line = d.lines().next().unwrap_or("").trim();
            redact(first_line, &sent)
                .chars()
                .take(500)
                .collect::<String>()
        });
        let code = parsed
            .error_codes
            .first()
            .copied()
            .or_else(|| description.as_deref().and_then(aadsts_code));
        let clip = |s: String| -> String { redact(&s, &sent).chars().take(200).collect() };
        GraphError::Auth(Box::new(AuthError {
            kind: AuthErrorKind::from_code(code),
            status,
            error: parsed.error.map(clip),
            code,
            description,
            trace_id: parsed.trace_id.map(clip),
            correlation_id: parsed.correlation_id.map(clip),
        }))
    }

    fn client_secret(&self) -> Option<&str> {
        match &self.credential {
            AppCredential::Secret(secret) => Some(secret.expose()),
            AppCredential::Certificate(_) => None,
        }
    }
}

#[derive(Deserialize, Default)]
struct AadError {
    error: Option<String>,
    error_description: Option<String>,
    #[serde(default)]
    error_codes: Vec<u32>,
    trace_id: Option<String>,
    correlation_id: Option<String>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    expires_in: Option<serde_json::Value>,
}

fn parse_token(body: &[u8]) -> Result<(Secret, Duration), GraphError> {
    let protocol = |detail: &str| GraphError::Protocol {
        source_name: "the identity platform",
        request_id: None,
        detail: detail.into(),
    };
    let response: TokenResponse = serde_json::from_slice(body)
        .map_err(|_| protocol("the token response is not the expected JSON"))?;
    let token = response
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| protocol("the token response has no access_token"))?;
    // expires_in is a number (v2 endpoint) or a numeric string (v1 endpoint).
    let seconds = match response.expires_in {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| protocol("the token response has no valid expires_in"))?;
    Ok((
        Secret::new(token),
        Duration::from_secs(seconds.min(24 * 3600)),
    ))
}

fn aadsts_code(description: &str) -> Option<u32> {
    let rest = &description[description.find("AADSTS")? + 6..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_token_responses() {
        let (t, l) =
            parse_token(br#"{"token_type":"Bearer","expires_in":3599,"access_token":"abc"}"#)
                .unwrap();
        assert_eq!((t.expose(), l), ("abc", Duration::from_secs(3599)));
        let (_, l) = parse_token(br#"{"expires_in":"60","access_token":"abc"}"#).unwrap();
        assert_eq!(l, Duration::from_secs(60));
        assert!(parse_token(br#"{"expires_in":60}"#).is_err());
        assert!(parse_token(br#"{"access_token":"x","expires_in":-1}"#).is_err());
        assert!(parse_token(b"<html>").is_err());
    }

    #[test]
    fn finds_aadsts_codes_in_descriptions() {
        assert_eq!(
            aadsts_code("AADSTS7000215: Invalid client secret provided."),
            Some(7000215)
        );
        assert_eq!(aadsts_code("no code here"), None);
        assert_eq!(aadsts_code("AADSTS"), None);
    }

    #[test]
    fn auth_errors_never_echo_the_secret() {
        let provider = TokenProvider::new(
            reqwest::Client::new(),
            "http://127.0.0.1:1/t/oauth2/v2.0/token".into(),
            "client".into(),
            "http://127.0.0.1:1/.default".into(),
            AppCredential::Secret(Secret::new("TopSecretValue123")),
            RetryPolicy::default(),
        );
        let body = br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided: TopSecretValue123.\r\nTrace ID: abc\r\nCorrelation ID: def","error_codes":[7000215],"trace_id":"abc","correlation_id":"def"}"#;
        let err = provider.auth_error(401, body, None);
        let text = err.to_string();
        assert!(!text.contains("TopSecretValue123"), "{text}");
        assert!(text.contains("client secret is wrong"), "{text}");
        assert!(text.contains("trace id abc"), "{text}");
        assert!(
            !text.contains("Trace ID:"),
            "only the first line of the description: {text}"
        );
        let GraphError::Auth(auth) = err else {
            panic!("not an auth error")
        };
        assert_eq!(auth.kind, AuthErrorKind::InvalidSecret);
    }
}
