//! The few pages sign-in needs before the app can render: plain HTML in the portal's style, in
//! the browser's language (English or Brazilian Portuguese), scripts only with the request's
//! CSP nonce.
use app::i18n::{Locale, Msg};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::security::request_nonce;

pub struct Pages {
    locale: Locale,
    nonce: Option<String>,
}

impl Pages {
    /// For a request: its language (the page's `?lang=`, also inside `return_to`, else the
    /// browser's), and its CSP nonce for inline scripts.
    pub fn for_request(request: &Request) -> Self {
        let accept_language = request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok());
        let locale = Locale::negotiate(request.uri().query(), accept_language);
        Self {
            locale,
            nonce: request_nonce(request),
        }
    }

    /// Embedded, signed out: a button that opens the sign-in in a popup; the popup hands the
    /// session back (see `signed_in_popup`) and the frame reloads.
    pub fn sign_in_embedded(&self, return_to: &str) -> Response {
        let t = |msg| self.locale.t(msg);
        let login = format!(
            "/auth/login?popup=1&return_to={}",
            app::query::encode(return_to)
        );
        let body = format!(
            r#"<h1>{title}</h1><p>{note}</p>
<p><a class="button primary" id="sign-in" href="{login}" target="_blank" rel="opener">{sign_in}</a></p>
<p class="notice" id="sign-in-blocked" role="alert" hidden>{blocked}</p>
<script nonce="{nonce}">
(() => {{
  const link = document.getElementById('sign-in');
  link.addEventListener('click', (event) => {{
    event.preventDefault();
    const popup = window.open(link.href, 'dialout-sign-in', 'popup,width=520,height=700');
    if (!popup) document.getElementById('sign-in-blocked').hidden = false;
  }});
  window.addEventListener('message', async (event) => {{
    if (event.origin !== location.origin || !event.data || event.data.type !== 'dialout-signed-in') return;
    const response = await fetch('/auth/handoff', {{
      method: 'POST',
      headers: {{ 'content-type': 'application/x-www-form-urlencoded' }},
      body: 'token=' + encodeURIComponent(event.data.token),
    }});
    if (response.ok) location.reload();
  }});
}})();
</script>"#,
            title = esc(t(Msg::SignInTitle)),
            note = esc(t(Msg::PopupNote)),
            login = esc(&login),
            sign_in = esc(t(Msg::SignIn)),
            blocked = esc(t(Msg::PopupBlocked)),
            nonce = esc(self.nonce.as_deref().unwrap_or_default()),
        );
        self.page(StatusCode::UNAUTHORIZED, t(Msg::SignInTitle), &body)
    }

    /// The end of a popup sign-in: give the frame that opened it a one-time token for the
    /// session (only a page of this origin receives it), then close.
    pub fn signed_in_popup(&self, handoff_token: &str, return_to: &str) -> Response {
        let t = |msg| self.locale.t(msg);
        let token = serde_json::to_string(handoff_token).unwrap_or_default();
        let body = format!(
            r#"<h1>{done}</h1><p><a href="{back}">{back_text}</a></p>
<script nonce="{nonce}">
if (window.opener) {{
  window.opener.postMessage({{ type: 'dialout-signed-in', token: {token} }}, location.origin);
  window.close();
}}
</script>"#,
            done = esc(t(Msg::SignedInClose)),
            back = esc(return_to),
            back_text = "Dialout Portal",
            nonce = esc(self.nonce.as_deref().unwrap_or_default()),
        );
        self.page(StatusCode::OK, t(Msg::SignedInClose), &body)
    }

    /// Signed in without the role: says which role to ask for. `sessions`: the portal's own
    /// sign-in (not a proxy's), so it can sign out and, outside a frame, switch accounts.
    pub fn no_access(&self, who: &str, role: &str, sessions: bool, framed: bool) -> Response {
        let t = |msg| self.locale.t(msg);
        let explanation = self.locale.no_access_explanation(&esc(who), &esc(role));
        // Entra cannot show its account picker inside a frame.
        let switch = if sessions && !framed {
            format!(
                r#"<a class="button" href="/auth/login?switch=1">{}</a>"#,
                esc(t(Msg::SignInAsOther))
            )
        } else {
            String::new()
        };
        let sign_out = if sessions {
            format!(
                r#"<form method="post" action="/auth/logout"><button type="submit">{}</button></form>"#,
                esc(t(Msg::SignOut))
            )
        } else {
            String::new()
        };
        let body = format!(
            r#"<h1>{title}</h1><p data-testid="no-access">{explanation}</p>
<div class="actions">{switch}{sign_out}</div>"#,
            title = esc(t(Msg::NoAccess)),
        );
        self.page(StatusCode::FORBIDDEN, t(Msg::NoAccess), &body)
    }

    pub fn signed_out(&self) -> Response {
        let t = |msg| self.locale.t(msg);
        let body = format!(
            // The portal's front page starts a sign-in the right way, framed or not.
            r#"<h1>{title}</h1><p><a class="button primary" href="/">{again}</a></p>"#,
            title = esc(t(Msg::SignedOut)),
            again = esc(t(Msg::SignInAgain)),
        );
        self.page(StatusCode::OK, t(Msg::SignedOut), &body)
    }

    pub fn failed(&self, status: StatusCode, problem: &str) -> Response {
        let t = |msg| self.locale.t(msg);
        let body = format!(
            r#"<h1>{title}</h1><p role="alert" data-testid="sign-in-error">{problem}</p><p><a class="button primary" href="/">{again}</a></p>"#,
            title = esc(t(Msg::SignInFailed)),
            problem = esc(problem),
            again = esc(t(Msg::TryAgain)),
        );
        self.page(status, t(Msg::SignInFailed), &body)
    }

    pub fn proxy_required(&self) -> Response {
        let t = |msg| self.locale.t(msg);
        let body = format!(
            "<h1>{}</h1><p>{}</p>",
            esc(t(Msg::ProxyTitle)),
            esc(t(Msg::ProxyNote))
        );
        self.page(StatusCode::UNAUTHORIZED, t(Msg::ProxyTitle), &body)
    }

    fn page(&self, status: StatusCode, title: &str, body: &str) -> Response {
        let html = format!(
            r#"<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/pkg/dialout-portal.css"><title>{title} · Dialout Portal</title></head><body><div class="app"><main id="content" class="page auth-page">{body}</main></div></body></html>"#,
            lang = self.locale.tag(),
            title = esc(title),
        );
        let mut response = (status, Html(html)).into_response();
        // Per-person pages: never from a cache.
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
        response
    }
}

/// Text for HTML content and quoted attributes.
pub use app::html::escape as esc;
