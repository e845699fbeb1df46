//! Security headers on every response: a Content-Security-Policy whose script nonce is the one
//! the page's inline scripts carry, `X-Content-Type-Options: nosniff` and `Referrer-Policy`;
//! `Cache-Control: no-store` on everything but the static assets (pages, data and exports
//! carry names and spend); `Strict-Transport-Security` when the portal is served over https.
//! No `X-Frame-Options`: the CSP's `frame-ancestors` (from `PORTAL_FRAME_ANCESTORS`) supersedes
//! it, and the portal may be framed by the hosts listed there (Teams, SharePoint).
//!
//! The nonce: this middleware makes one per request and puts it in the request's extensions;
//! [`provide_request_nonce`], run in the Leptos context of that request, hands the same nonce
//! to the renderer (replacing the one leptos_axum generated), so `HydrationScripts` and the
//! streaming scripts are allowed by the header. Nothing inline runs without it.
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, request::Parts};
use axum::middleware::Next;
use axum::response::Response;
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};

/// The sources allowed to frame the portal (the CSP `frame-ancestors` directive), checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameAncestors(String);

impl Default for FrameAncestors {
    fn default() -> Self {
        Self("'self'".to_owned())
    }
}

impl FrameAncestors {
    /// Space-separated CSP sources: `'self'`, `'none'` (alone), or origins: `https://host`,
    /// `https://*.domain`, with an optional port (`http://` only for a loopback host). Schemes
    /// alone (`https:`), `*`, `data:` and the like would let any page frame the portal.
    pub fn parse(text: &str) -> Result<Self, String> {
        let sources: Vec<&str> = text.split_ascii_whitespace().collect();
        if sources.is_empty() {
            return Err("it lists no source (use 'none' to forbid framing)".into());
        }
        for source in &sources {
            check_source(source)?;
        }
        if sources.len() > 1 && sources.iter().any(|s| s.eq_ignore_ascii_case("'none'")) {
            return Err("'none' cannot be combined with other sources".into());
        }
        Ok(Self(sources.join(" ")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether pages of other origins may frame the portal (then its session cookie must be
    /// `SameSite=None; Secure; Partitioned` to reach the frame).
    pub fn allows_other_sites(&self) -> bool {
        self.0
            .split_ascii_whitespace()
            .any(|source| !matches!(source.to_ascii_lowercase().as_str(), "'self'" | "'none'"))
    }
}

fn check_source(source: &str) -> Result<(), String> {
    if source.eq_ignore_ascii_case("'self'") || source.eq_ignore_ascii_case("'none'") {
        return Ok(());
    }
    if source.starts_with('\'') {
        return Err(format!(
            "{source:?}: only the keywords 'self' and 'none' apply to frame-ancestors"
        ));
    }
    let not_origin = || {
        format!(
            "{source:?} is not an https origin (like https://teams.microsoft.com or https://*.sharepoint.com; http:// only for localhost)"
        )
    };
    let (scheme, rest) = source.split_once("://").ok_or_else(not_origin)?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
    };
    let name = host.strip_prefix("*.").unwrap_or(host);
    let host_ok = name.split('.').all(label_ok);
    let port_ok = port.is_none_or(|port| {
        port == "*" || (port.len() <= 5 && port.bytes().all(|byte| byte.is_ascii_digit()))
    });
    let loopback = matches!(
        host.to_ascii_lowercase().as_str(),
        "localhost" | "127.0.0.1"
    );
    let scheme_ok =
        scheme.eq_ignore_ascii_case("https") || (scheme.eq_ignore_ascii_case("http") && loopback);
    if !(host_ok && port_ok && scheme_ok) {
        return Err(not_origin());
    }
    Ok(())
}

/// The fixed parts of the headers, built once.
#[derive(Clone)]
pub struct SecurityHeaders {
    /// The policy up to the nonce, and after it.
    csp: Arc<(String, String)>,
    /// Browsers must keep to https for a year (the public URL is https).
    hsts: bool,
}

impl SecurityHeaders {
    pub fn new(frame_ancestors: &FrameAncestors, hsts: bool) -> Self {
        let before = "default-src 'self'; script-src 'self' 'nonce-".to_owned();
        // The WASM needs 'wasm-unsafe-eval'; ECharts sets inline styles; everything else,
        // server functions and the progress events included, is same-origin.
        let after = format!(
            "' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
             connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; \
             form-action 'self'; frame-ancestors {}",
            frame_ancestors.as_str()
        );
        Self {
            csp: Arc::new((before, after)),
            hsts,
        }
    }

    fn policy(&self, nonce: &Nonce) -> HeaderValue {
        let (before, after) = &*self.csp;
        // Both parts are checked ASCII and the nonce is base64url: this cannot fail, but if it
        // did the response would still go out with a policy that allows no script at all.
        HeaderValue::from_str(&format!("{before}{nonce}{after}")).unwrap_or_else(|_| {
            HeaderValue::from_static(
                "default-src 'self'; script-src 'none'; frame-ancestors 'none'",
            )
        })
    }
}

/// The nonce of the current request, in its extensions.
#[derive(Clone)]
struct RequestNonce(Nonce);

/// Middleware: makes the request's nonce and sets the headers on its response.
pub async fn security_headers(
    State(headers): State<SecurityHeaders>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = Nonce::new();
    request.extensions_mut().insert(RequestNonce(nonce.clone()));
    let asset = crate::assets::is_asset(request.uri().path());
    let mut response = next.run(request).await;
    let out = response.headers_mut();
    let stored_nowhere = out
        .get(CACHE_CONTROL)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.contains("no-store"));
    if !asset && !stored_nowhere {
        out.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if headers.hsts {
        out.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    out.insert(CONTENT_SECURITY_POLICY, headers.policy(&nonce));
    out.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    out.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    out.remove(X_FRAME_OPTIONS);
    response
}

/// The request's CSP nonce, for pages written outside Leptos.
pub fn request_nonce(request: &Request) -> Option<String> {
    request
        .extensions()
        .get::<RequestNonce>()
        .map(|RequestNonce(nonce)| nonce.to_string())
}

/// In a request's Leptos context: renders the page with the nonce of the CSP header.
pub fn provide_request_nonce() {
    let nonce =
        use_context::<Parts>().and_then(|parts| parts.extensions.get::<RequestNonce>().cloned());
    if let Some(RequestNonce(nonce)) = nonce {
        provide_context(nonce);
    }
}
