//! `/auth/*`: start a sign-in, come back from Entra, hand a popup's session to its frame, sign
//! out. Only `PORTAL_AUTH=entra` has sessions; in the other modes these answer 404.
use axum::Router;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get, post};
use serde::Deserialize;

use super::pages::Pages;
use super::session::Session;
use super::{Auth, HANDOFF_TTL, unix_now};

pub fn routes(auth: Auth) -> Router {
    Router::new()
        .route("/auth/login", get(login))
        .route("/auth/callback", get(callback))
        .route("/auth/handoff", post(handoff))
        .route("/auth/logout", post(logout))
        .route("/auth/signed-out", get(signed_out))
        // Anything else under /auth/ is open to everyone, so it must never reach the app's
        // pages: a plain 404.
        .route("/auth/", any(not_found))
        .route("/auth/{*rest}", any(not_found))
        .with_state(auth)
}

#[derive(Deserialize)]
struct LoginQuery {
    return_to: Option<String>,
    popup: Option<String>,
    /// "Sign in as someone else": ask Entra to show the account picker.
    switch: Option<String>,
}

async fn login(
    State(auth): State<Auth>,
    Query(query): Query<LoginQuery>,
    request: Request,
) -> Response {
    let Some(entra) = auth.entra() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let pages = Pages::for_request(&request);
    let return_to = local_path(query.return_to.as_deref());
    let flag = |value: &Option<String>| value.as_deref().is_some_and(|v| v == "1" || v == "true");
    match entra
        .sign_in
        .start(return_to, flag(&query.popup), flag(&query.switch))
        .await
    {
        Ok((url, pending)) => with_cookies(
            Redirect::to(&url).into_response(),
            [entra.cookies.login_cookie(&pending)],
        ),
        Err(error) => {
            tracing::warn!("sign-in could not start: {error}");
            pages.failed(StatusCode::BAD_GATEWAY, &error.to_string())
        }
    }
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

async fn callback(
    State(auth): State<Auth>,
    Query(query): Query<CallbackQuery>,
    request: Request,
) -> Response {
    let Some(entra) = auth.entra() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let pages = Pages::for_request(&request);
    let fail = |status: StatusCode, problem: &str| {
        with_cookies(pages.failed(status, problem), [entra.cookies.clear_login()])
    };
    let Some(pending) = entra.cookies.pending_login(request.headers()) else {
        return fail(
            StatusCode::BAD_REQUEST,
            "This sign-in was not started here, or took longer than 10 minutes.",
        );
    };
    if query.state.as_deref() != Some(pending.state.as_str()) {
        return fail(
            StatusCode::BAD_REQUEST,
            "The sign-in's state does not match.",
        );
    }
    if let Some(error) = query.error {
        // Entra's description names the AADSTS code; its first line is the message.
        let description = query.error_description.unwrap_or_default();
        let first = description.lines().next().unwrap_or_default();
        return fail(StatusCode::UNAUTHORIZED, format!("{error}: {first}").trim());
    }
    let Some(code) = query.code else {
        return fail(
            StatusCode::BAD_REQUEST,
            "Entra ID sent no authorization code.",
        );
    };
    let session = match entra.sign_in.finish(code, &pending, unix_now()).await {
        Ok(session) => session,
        Err(error) => {
            tracing::warn!("sign-in failed: {error}");
            return fail(StatusCode::BAD_GATEWAY, &error.to_string());
        }
    };
    tracing::info!(user = %session.oid, "signed in");
    let cookies = [
        entra.cookies.session_cookie(&session),
        entra.cookies.clear_login(),
    ];
    if pending.popup {
        let token = openidconnect::CsrfToken::new_random().secret().clone();
        let expires_at = unix_now() + HANDOFF_TTL.as_secs() as i64;
        let kept = match serde_json::to_string(&session) {
            Ok(json) => (entra.store.put_handoff(&token, &json, expires_at).await)
                .map_err(|error| error.to_string()),
            Err(error) => Err(error.to_string()),
        };
        if let Err(error) = kept {
            tracing::warn!(%error, "cannot keep a popup sign-in's handoff");
            return fail(
                StatusCode::SERVICE_UNAVAILABLE,
                "The portal's data store is unavailable, so this window cannot hand the sign-in to the page. Try again in a minute.",
            );
        }
        return with_cookies(pages.signed_in_popup(&token, &pending.return_to), cookies);
    }
    with_cookies(Redirect::to(&pending.return_to).into_response(), cookies)
}

#[derive(Deserialize)]
struct HandoffForm {
    token: String,
}

/// The frame's side of a popup sign-in: the one-time token becomes the frame's own session
/// cookie (a partitioned cookie set in the popup would not reach an embedded frame).
async fn handoff(State(auth): State<Auth>, axum::Form(form): axum::Form<HandoffForm>) -> Response {
    let Some(entra) = auth.entra() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let taken = match entra.store.take_handoff(&form.token).await {
        Ok(taken) => taken.and_then(|json| serde_json::from_str::<Session>(&json).ok()),
        Err(error) => {
            tracing::warn!(%error, "cannot redeem a popup sign-in's handoff");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "the portal's data store is unavailable",
            )
                .into_response();
        }
    };
    match taken {
        Some(session) => with_cookies(
            StatusCode::NO_CONTENT.into_response(),
            [entra.cookies.session_cookie(&session)],
        ),
        None => (StatusCode::BAD_REQUEST, "unknown or used sign-in token").into_response(),
    }
}

/// Ends the portal's session (the Entra account stays signed in for other apps): the cookie is
/// cleared, and its session id revoked, so a copy of the cookie no longer works either.
async fn logout(State(auth): State<Auth>, request: Request) -> Response {
    let Some(entra) = auth.entra() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Some(session) = entra.cookies.session(request.headers(), unix_now()) {
        // Refused here at once; on every other instance once the store has it.
        if let Err(error) = (entra.store)
            .revoke_session(&session.id, entra.cookies.ends_at(&session))
            .await
        {
            tracing::warn!(%error, "the sign-out could not be shared with the other instances");
        }
        tracing::info!(user = %session.oid, "signed out");
    }
    with_cookies(
        Redirect::to("/auth/signed-out").into_response(),
        [entra.cookies.clear_session()],
    )
}

async fn signed_out(State(auth): State<Auth>, request: Request) -> Response {
    if auth.entra().is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    Pages::for_request(&request).signed_out()
}

async fn not_found() -> StatusCode {
    StatusCode::NOT_FOUND
}

/// A path on this site: anything else (another host, `//host`, a scheme) becomes `/`.
fn local_path(candidate: Option<&str>) -> String {
    match candidate {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}

fn with_cookies<const N: usize>(mut response: Response, cookies: [HeaderValue; N]) -> Response {
    for cookie in cookies {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn return_to_stays_on_this_site() {
        assert_eq!(
            local_path(Some("/users/1?from=2026-01-01")),
            "/users/1?from=2026-01-01"
        );
        for outside in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "evil",
            "",
        ] {
            assert_eq!(local_path(Some(outside)), "/", "{outside}");
        }
        assert_eq!(local_path(None), "/");
    }
}
