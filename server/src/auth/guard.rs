//! The one check every request passes: CSRF for writes, then the session (or proxy user) and
//! the required role for everything but [`PUBLIC_PATHS`].
use std::net::SocketAddr;

use app::error::AppError;
use app::model::SignedInUser;
use app::report::Requester;
use app::report::scope::Person;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::Pages;
use super::{Auth, EntraState, Method, csrf, unix_now};
use crate::config::ProxySettings;

/// Open to everyone: sign-in itself, the health checks for load balancers, and the static
/// assets ([`crate::assets`]: the WASM, scripts, styles and icon hold no report data). A path
/// ending in `/` is a prefix. Each is routed to its own handler, never to the app's pages, and
/// the path judged here is the one the router routes (dot segments were refused before).
const PUBLIC_PATHS: [&str; 3] = ["/auth/", "/healthz", "/readyz"];

fn is_public(path: &str) -> bool {
    crate::assets::is_asset(path)
        || PUBLIC_PATHS.iter().any(|public| {
            if public.ends_with('/') {
                path.starts_with(public)
            } else {
                path == *public
            }
        })
}

pub async fn guard(State(auth): State<Auth>, request: Request, next: Next) -> Response {
    if csrf::is_cross_site_write(&request, auth.inner.public_origin.as_deref()) {
        return refusal(AppError::Forbidden("cross-site request refused".into()));
    }
    if is_public(request.uri().path()) {
        return next.run(request).await;
    }
    match &auth.inner.method {
        Method::None => {
            // No sign-in: each client address has its own share of Graph's budget.
            let client = peer(&request).map_or_else(|| "-".to_string(), |ip| ip.to_string());
            let mut request = request;
            request
                .extensions_mut()
                .insert(Requester::portal(format!("client {client}")));
            next.run(request).await
        }
        Method::Entra(entra) => entra_access(entra, request, next).await,
        Method::Proxy(proxy) => proxy_access(proxy, request, next).await,
    }
}

async fn entra_access(entra: &EntraState, mut request: Request, next: Next) -> Response {
    let now = unix_now();
    let session = (entra.cookies.session(request.headers(), now))
        .filter(|session| !entra.store.is_revoked(&session.id));
    let Some(mut session) = session else {
        let mut response = signed_out(&request);
        if request.headers().contains_key(header::COOKIE) {
            // Whatever session cookie there was has ended, was signed out, or is not ours.
            response
                .headers_mut()
                .append(header::SET_COOKIE, entra.cookies.clear_session());
        }
        return response;
    };
    if !session.has_role(&entra.required_role) {
        let who = match &session.upn {
            Some(upn) if session.name.is_some() => {
                format!("{} ({upn})", session.display_name())
            }
            _ => session.display_name(),
        };
        return forbidden(&request, &who, &entra.required_role, true);
    }
    request.extensions_mut().insert(SignedInUser {
        name: session.display_name(),
        can_sign_out: true,
    });
    // The one place a signed-in person's scope is decided (resolved against the directory by
    // the report service, which every view, server function and download reads through).
    let audience = (entra.scope).audience(Person::ObjectId(session.oid.clone()), |role| {
        session.has_role(role)
    });
    request
        .extensions_mut()
        .insert(Requester::new(format!("user {}", session.oid), audience));
    let touch = entra.cookies.needs_touch(&session, now);
    let mut response = next.run(request).await;
    if touch {
        // The idle clock restarts (written back only now and then, see `needs_touch`).
        session.last_seen = now;
        response
            .headers_mut()
            .append(header::SET_COOKIE, entra.cookies.session_cookie(&session));
    }
    response
}

/// The address the connection comes from.
fn peer(request: &Request) -> Option<std::net::IpAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

async fn proxy_access(proxy: &ProxySettings, mut request: Request, next: Next) -> Response {
    let trusted =
        peer(&request).is_some_and(|ip| proxy.trusted.iter().any(|net| net.contains(&ip)));
    // A header the proxy should have set once, sent twice: a proxy that appends rather than
    // replaces lets the client's own copy through (a claimed user or role). Refused outright.
    let repeated = [Some(&proxy.user_header), proxy.roles_header.as_ref()]
        .into_iter()
        .flatten()
        .find(|name| request.headers().get_all(*name).iter().count() > 1);
    if let Some(name) = repeated {
        return refusal(AppError::BadRequest(format!(
            "the header {name} came more than once: the sign-in proxy must replace it, not add to it"
        )));
    }
    // In a block: the closure borrows the request, which must not live across an await.
    let (user, roles) = {
        let header_text = |name: &axum::http::HeaderName| -> Option<String> {
            request
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_string)
        };
        // The user header means something only when the proxy itself set it.
        let user = trusted.then(|| header_text(&proxy.user_header)).flatten();
        let roles = (proxy.roles_header.as_ref()).map(|name| header_text(name).unwrap_or_default());
        (user, roles)
    };
    let Some(user) = user else {
        if wants_page(&request) {
            return Pages::for_request(&request).proxy_required();
        }
        return refusal(AppError::SignInRequired(
            "Reach this portal through your organisation's sign-in proxy.".into(),
        ));
    };
    // Roles count only when the proxy sends them (comma-separated): then the required role is
    // checked, and the all-role can widen the scope.
    let holds = |role: &str| {
        roles
            .as_deref()
            .is_some_and(|roles| roles.split(',').any(|held| held.trim() == role))
    };
    if roles.is_some() && !holds(&proxy.required_role) {
        return forbidden(&request, &user, &proxy.required_role, false);
    }
    // Matched with the directory by UPN.
    let audience = proxy.scope.audience(Person::Upn(user.clone()), holds);
    request
        .extensions_mut()
        .insert(Requester::new(format!("user {user}"), audience));
    request.extensions_mut().insert(SignedInUser {
        name: user,
        can_sign_out: false,
    });
    next.run(request).await
}

/// No session: a page goes to sign-in (a popup button when framed, where Entra cannot show);
/// anything else gets a 401 the app's error handling shows.
fn signed_out(request: &Request) -> Response {
    if !wants_page(request) {
        return refusal(AppError::SignInRequired(
            "Your session has ended: reload the page to sign in again.".into(),
        ));
    }
    let return_to = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    if is_framed(request) {
        return Pages::for_request(request).sign_in_embedded(&return_to);
    }
    Redirect::to(&format!(
        "/auth/login?return_to={}",
        app::query::encode(&return_to)
    ))
    .into_response()
}

/// Shown inside an iframe: the browser says so, or the URL asks for embed mode.
fn is_framed(request: &Request) -> bool {
    let embed = |pair: &str| matches!(pair, "embed=1" | "embed=true");
    request
        .headers()
        .get("sec-fetch-dest")
        .is_some_and(|dest| dest == "iframe")
        || request
            .uri()
            .query()
            .is_some_and(|query| query.split('&').any(embed))
}

fn forbidden(request: &Request, who: &str, role: &str, sessions: bool) -> Response {
    if wants_page(request) {
        return Pages::for_request(request).no_access(who, role, sessions, is_framed(request));
    }
    refusal(AppError::Forbidden(format!(
        "You are signed in as {who} without the app role {role}, which this portal requires."
    )))
}

/// A browser navigating to a page (not a script's request for data).
fn wants_page(request: &Request) -> bool {
    request.method() == axum::http::Method::GET
        && !request.uri().path().starts_with("/api/")
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
}

/// The error as the app's server functions send theirs (JSON, with its status), so the page
/// can show it.
fn refusal(error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::FORBIDDEN);
    let body = serde_json::to_string(&error).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::is_public;

    #[test]
    fn only_sign_in_health_and_assets_are_public() {
        for path in [
            "/auth/login",
            "/auth/callback",
            "/healthz",
            "/pkg/dialout-portal.wasm",
            "/favicon.svg",
            "/embed-height.js",
        ] {
            assert!(is_public(path), "{path}");
        }
        for path in [
            "/",
            "/users/1",
            "/api/summary",
            "/export/dialout.csv",
            "/events/progress",
            "/healthz/x",
            "/authx",
            "/pkgs",
            "/no-such-page",
            "/embed-height.js/",
        ] {
            assert!(!is_public(path), "{path}");
        }
    }
}
