//! Sign-in and access control. One middleware ([`guard::guard`]) wraps the whole router, the
//! fallback included, so every page, server function, export and event stream — and any route
//! added later — needs a session with the required role; only the paths in
//! `guard::PUBLIC_PATHS` and the static assets (sign-in itself, health checks) are open.
//!
//! - `entra`: OpenID Connect with Microsoft Entra ID ([`oidc`]), a session cookie ([`session`]);
//!   embedded pages sign in through a popup that hands the session back to the frame.
//! - `proxy`: a user header, trusted only from the configured proxy addresses.
//! - `none`: loopback only (the configuration refuses it elsewhere).
mod csrf;
mod guard;
mod oidc;
mod pages;
mod routes;
pub mod session;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::middleware;

use crate::config::{AuthSettings, Issuer, ProxySettings};
use crate::security::FrameAncestors;
use oidc::EntraSignIn;
use report_store::Store;
use session::CookieCodec;

/// One-time tokens that carry a popup's session to the frame that opened it.
const HANDOFF_TTL: Duration = Duration::from_secs(120);

#[derive(Clone)]
pub struct Auth {
    inner: Arc<AuthState>,
}

struct AuthState {
    method: Method,
    /// `scheme://host[:port]` of PORTAL_PUBLIC_URL, for the CSRF check.
    public_origin: Option<String>,
}

enum Method {
    None,
    Entra(Box<EntraState>),
    Proxy(Box<ProxySettings>),
}

struct EntraState {
    sign_in: EntraSignIn,
    cookies: CookieCodec,
    required_role: String,
    scope: app::report::scope::ScopeRule,
    /// Popup handoff tokens and sessions signed out before their time, shared by every
    /// instance on the store's database.
    store: Store,
}

impl Auth {
    /// `simulator_issuer`: the embedded simulator's issuer in demo mode; `store` keeps the
    /// sign-in state several instances share.
    pub fn new(
        settings: &AuthSettings,
        frame_ancestors: &FrameAncestors,
        simulator_issuer: Option<String>,
        store: Store,
    ) -> Result<Self, String> {
        let (method, public_origin) = match settings {
            AuthSettings::None => (Method::None, None),
            AuthSettings::Proxy(proxy) => (Method::Proxy(Box::new(proxy.clone())), None),
            AuthSettings::Entra(entra) => {
                let issuer = match &entra.issuer {
                    Issuer::Url(url) => url.clone(),
                    Issuer::EmbeddedSimulator => simulator_issuer.ok_or(
                        "PORTAL_AUTH=entra in demo mode needs the embedded simulator's issuer",
                    )?,
                };
                let public = entra.public_url.as_str().trim_end_matches('/').to_string();
                let sign_in = EntraSignIn::new(
                    issuer,
                    entra.client_id.clone(),
                    entra.client_secret.clone(),
                    &format!("{public}/auth/callback"),
                )?;
                let secure = entra.public_url.scheme() == "https";
                let cookies = CookieCodec::new(
                    entra.session.clone(),
                    secure,
                    frame_ancestors.allows_other_sites(),
                );
                let state = EntraState {
                    sign_in,
                    cookies,
                    required_role: entra.required_role.clone(),
                    scope: entra.scope.clone(),
                    store,
                };
                let origin = entra.public_url.origin().ascii_serialization();
                (Method::Entra(Box::new(state)), Some(origin))
            }
        };
        Ok(Self {
            inner: Arc::new(AuthState {
                method,
                public_origin,
            }),
        })
    }

    /// `app` with the sign-in routes added and every route behind the guard.
    pub fn protect(&self, app: Router) -> Router {
        app.merge(routes::routes(self.clone()))
            .layer(middleware::from_fn_with_state(self.clone(), guard::guard))
    }

    fn entra(&self) -> Option<&EntraState> {
        match &self.inner.method {
            Method::Entra(entra) => Some(entra),
            _ => None,
        }
    }
}

/// Seconds since the Unix epoch.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or_default()
}
