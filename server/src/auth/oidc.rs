//! Entra ID sign-in with the openidconnect crate: discovery of the tenant's issuer, the
//! authorization-code flow with PKCE, and the ID token checked (signature against the
//! issuer's keys, issuer, audience, nonce, expiry). Requests go through our reqwest client.
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use openidconnect::core::{
    CoreAuthPrompt, CoreAuthenticationFlow, CoreClient, CoreProviderMetadata,
};
use openidconnect::{
    AsyncHttpClient, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use tokio::sync::Mutex;

use super::session::{PendingLogin, Session};

type EntraClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The issuer's keys rotate: its document is read again after this long, or at once when a
/// token names a key it did not list.
const PROVIDER_TTL: Duration = Duration::from_secs(6 * 60 * 60);

pub struct EntraSignIn {
    issuer: String,
    client_id: ClientId,
    client_secret: ClientSecret,
    redirect_uri: RedirectUrl,
    http: OidcHttp,
    provider: Mutex<Option<(Arc<EntraClient>, Instant)>>,
}

/// Why a sign-in failed, in words for the person signing in (never a secret or a token).
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error(
        "the sign-in service at {issuer} could not be reached or did not answer as expected: {problem}"
    )]
    Provider { issuer: String, problem: String },
    #[error("Microsoft Entra ID refused the sign-in: {0}")]
    Refused(String),
    #[error("the sign-in could not be checked: {0}")]
    Invalid(String),
}

impl EntraSignIn {
    pub fn new(
        issuer: String,
        client_id: String,
        client_secret: ClientSecret,
        redirect_uri: &str,
    ) -> Result<Self, String> {
        let redirect_uri = RedirectUrl::new(redirect_uri.to_string())
            .map_err(|error| format!("redirect URI {redirect_uri:?}: {error}"))?;
        let http = reqwest::Client::builder()
            // OpenID requests must not follow redirects (a token could leak to another host).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|error| error.to_string())?;
        Ok(Self {
            issuer,
            client_id: ClientId::new(client_id),
            client_secret,
            redirect_uri,
            http: OidcHttp(http),
            provider: Mutex::new(None),
        })
    }

    /// Where to send the browser, and what to remember until it comes back.
    pub async fn start(
        &self,
        return_to: String,
        popup: bool,
        choose_account: bool,
    ) -> Result<(String, PendingLogin), SignInError> {
        let client = self.client(false).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge);
        if choose_account {
            request = request.add_prompt(CoreAuthPrompt::SelectAccount);
        }
        let (url, state, nonce) = request.url();
        let pending = PendingLogin {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            return_to,
            popup,
        };
        Ok((url.to_string(), pending))
    }

    /// Redeems the code and checks the ID token; the session starts `now`.
    pub async fn finish(
        &self,
        code: String,
        pending: &PendingLogin,
        now: i64,
    ) -> Result<Session, SignInError> {
        let client = self.client(false).await?;
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|error| self.provider_error(error))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|error| SignInError::Refused(token_error_text(&error)))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| SignInError::Invalid("the token response has no ID token".into()))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let checked = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(_) => Ok(()),
            // A key we have not seen: the issuer may have rotated its keys since discovery.
            Err(openidconnect::ClaimsVerificationError::SignatureVerification(_)) => {
                let fresh = self.client(true).await?;
                id_token
                    .claims(&fresh.id_token_verifier(), &nonce)
                    .map(|_| ())
            }
            Err(error) => Err(error),
        };
        checked.map_err(|error| SignInError::Invalid(format!("ID token: {error}")))?;
        // Verified above: now read the claims openidconnect's core set does not name.
        let claims = payload(&id_token.to_string())
            .ok_or_else(|| SignInError::Invalid("ID token: unreadable claims".into()))?;
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let oid = text("oid")
            .or_else(|| text("sub"))
            .ok_or_else(|| SignInError::Invalid("ID token: no oid or sub claim".into()))?;
        let roles = claims
            .get("roles")
            .and_then(|roles| roles.as_array())
            .map(|roles| {
                roles
                    .iter()
                    .filter_map(|role| role.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Session {
            id: openidconnect::CsrfToken::new_random().secret().clone(),
            oid,
            name: text("name"),
            upn: text("preferred_username").or_else(|| text("email")),
            roles,
            signed_in_at: now,
            last_seen: now,
        })
    }

    /// The client for the issuer's current document (discovered at first use, then cached).
    async fn client(&self, refresh: bool) -> Result<Arc<EntraClient>, SignInError> {
        let mut cached = self.provider.lock().await;
        if let Some((client, at)) = cached.as_ref()
            && !refresh
            && at.elapsed() < PROVIDER_TTL
        {
            return Ok(Arc::clone(client));
        }
        let issuer = IssuerUrl::new(self.issuer.clone()).map_err(|e| self.provider_error(e))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|error| self.provider_error(error))?;
        let client = Arc::new(
            CoreClient::from_provider_metadata(
                metadata,
                self.client_id.clone(),
                Some(self.client_secret.clone()),
            )
            .set_redirect_uri(self.redirect_uri.clone()),
        );
        *cached = Some((Arc::clone(&client), Instant::now()));
        Ok(client)
    }

    fn provider_error(&self, error: impl std::error::Error) -> SignInError {
        let mut problem = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            problem.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        SignInError::Provider {
            issuer: self.issuer.clone(),
            problem,
        }
    }
}

/// The token endpoint's own words (`error_description` carries the AADSTS code), else the
/// transport's.
fn token_error_text<RE: std::error::Error + 'static>(
    error: &openidconnect::RequestTokenError<
        RE,
        openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    >,
) -> String {
    match error {
        openidconnect::RequestTokenError::ServerResponse(response) => {
            let description = response.error_description().cloned().unwrap_or_default();
            let first_line = description.lines().next().unwrap_or_default();
            format!("{} {first_line}", response.error().as_ref())
                .trim()
                .to_string()
        }
        other => other.to_string(),
    }
}

/// A JWT's claims, unverified: call only on a token already verified.
fn payload(jwt: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let middle = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(middle.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// openidconnect's HTTP client trait over our reqwest (its own reqwest feature pins an older
/// major version than the workspace's).
struct OidcHttp(reqwest::Client);

impl<'c> AsyncHttpClient<'c> for OidcHttp {
    type Error = reqwest::Error;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Self::Error>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let response = self.0.execute(request.try_into()?).await?;
            let mut out = http::Response::builder().status(response.status());
            if let Some(headers) = out.headers_mut() {
                *headers = response.headers().clone();
            }
            let body = response.bytes().await?.to_vec();
            // Status and headers come from a response that parsed: this cannot fail.
            Ok(out.body(body).unwrap_or_default())
        })
    }
}
