//! The few pages sign-in needs before the app can render: plain HTML in the portal's style, in
//! the browser's language (English or Brazilian Portuguese), scripts only with the request's
//! CSP nonce.
use app::i18n::Locale;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::security::request_nonce;

/// The fixed texts of these pages.
struct Texts {
    sign_in_title: &'static str,
    popup_note: &'static str,
    sign_in: &'static str,
    popup_blocked: &'static str,
    failed_title: &'static str,
    try_again: &'static str,
    no_access_title: &'static str,
    sign_in_as_other: &'static str,
    sign_out: &'static str,
    signed_out_title: &'static str,
    sign_in_again: &'static str,
    signed_in_close: &'static str,
    proxy_title: &'static str,
    proxy_note: &'static str,
}

const EN: Texts = Texts {
    sign_in_title: "Sign in to see dial-out spend",
    popup_note: "Microsoft's sign-in page cannot open inside another page, so it opens in a new window.",
    sign_in: "Sign in",
    popup_blocked: "The sign-in window was blocked. Allow pop-ups for this site, or open the portal in its own tab.",
    failed_title: "The sign-in did not complete",
    try_again: "Try again",
    no_access_title: "You don't have access to dial-out spend",
    sign_in_as_other: "Sign in as someone else",
    sign_out: "Sign out",
    signed_out_title: "You have signed out",
    sign_in_again: "Sign in again",
    signed_in_close: "You are signed in. You can close this window.",
    proxy_title: "Sign-in required",
    proxy_note: "Reach this portal through your organisation's sign-in proxy.",
};

const PT_BR: Texts = Texts {
    sign_in_title: "Entre para ver os gastos com chamadas externas",
    popup_note: "A página de entrada da Microsoft não abre dentro de outra página, por isso ela abre numa nova janela.",
    sign_in: "Entrar",
    popup_blocked: "A janela de entrada foi bloqueada. Permita pop-ups para este site ou abra o portal numa aba própria.",
    failed_title: "A entrada não foi concluída",
    try_again: "Tentar novamente",
    no_access_title: "Você não tem acesso aos gastos com chamadas externas",
    sign_in_as_other: "Entrar com outra conta",
    sign_out: "Sair",
    signed_out_title: "Você saiu",
    sign_in_again: "Entrar novamente",
    signed_in_close: "Você entrou. Pode fechar esta janela.",
    proxy_title: "É preciso entrar",
    proxy_note: "Acesse este portal pelo proxy de autenticação da sua organização.",
};

pub struct Pages {
    locale: Locale,
    texts: &'static Texts,
    nonce: Option<String>,
}

impl Pages {
    /// For a request: its language (the page's `?lang=`, also inside `return_to`, else the
    /// browser's), and its CSP nonce for inline scripts.
    pub fn for_request(request: &Request) -> Self {
        let locale = lang_in_query(request.uri().query().unwrap_or_default())
            .or_else(|| {
                request
                    .headers()
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|value| value.to_str().ok())
                    .map(Locale::negotiate)
            })
            .unwrap_or_default();
        let texts = match locale {
            Locale::En => &EN,
            Locale::PtBr => &PT_BR,
        };
        Self {
            locale,
            texts,
            nonce: request_nonce(request),
        }
    }

    /// Embedded, signed out: a button that opens the sign-in in a popup; the popup hands the
    /// session back (see `signed_in_popup`) and the frame reloads.
    pub fn sign_in_embedded(&self, return_to: &str) -> Response {
        let t = self.texts;
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
            title = esc(t.sign_in_title),
            note = esc(t.popup_note),
            login = esc(&login),
            sign_in = esc(t.sign_in),
            blocked = esc(t.popup_blocked),
            nonce = esc(self.nonce.as_deref().unwrap_or_default()),
        );
        self.page(StatusCode::UNAUTHORIZED, t.sign_in_title, &body)
    }

    /// The end of a popup sign-in: give the frame that opened it a one-time token for the
    /// session (only a page of this origin receives it), then close.
    pub fn signed_in_popup(&self, handoff_token: &str, return_to: &str) -> Response {
        let t = self.texts;
        let token = serde_json::to_string(handoff_token).unwrap_or_default();
        let body = format!(
            r#"<h1>{done}</h1><p><a href="{back}">{back_text}</a></p>
<script nonce="{nonce}">
if (window.opener) {{
  window.opener.postMessage({{ type: 'dialout-signed-in', token: {token} }}, location.origin);
  window.close();
}}
</script>"#,
            done = esc(t.signed_in_close),
            back = esc(return_to),
            back_text = "Dialout Portal",
            nonce = esc(self.nonce.as_deref().unwrap_or_default()),
        );
        self.page(StatusCode::OK, t.signed_in_close, &body)
    }

    /// Signed in without the role: says which role to ask for. `sessions`: the portal's own
    /// sign-in (not a proxy's), so it can sign out and, outside a frame, switch accounts.
    pub fn no_access(&self, who: &str, role: &str, sessions: bool, framed: bool) -> Response {
        let t = self.texts;
        let explanation = match self.locale {
            Locale::En => format!(
                "You are signed in as {who}, but the portal shows dial-out spend only to people with the app role <strong>{role}</strong>. Ask your Microsoft Entra ID administrator to assign it to you (Enterprise applications → the portal's sign-in app → Users and groups).",
                who = esc(who),
                role = esc(role)
            ),
            Locale::PtBr => format!(
                "Você entrou como {who}, mas o portal mostra os gastos apenas a quem tem a função de aplicativo <strong>{role}</strong>. Peça ao administrador do Microsoft Entra ID que a atribua a você (Aplicativos empresariais → o aplicativo de entrada do portal → Usuários e grupos).",
                who = esc(who),
                role = esc(role)
            ),
        };
        // Entra cannot show its account picker inside a frame.
        let switch = if sessions && !framed {
            format!(
                r#"<a class="button" href="/auth/login?switch=1">{}</a>"#,
                esc(t.sign_in_as_other)
            )
        } else {
            String::new()
        };
        let sign_out = if sessions {
            format!(
                r#"<form method="post" action="/auth/logout"><button type="submit">{}</button></form>"#,
                esc(t.sign_out)
            )
        } else {
            String::new()
        };
        let body = format!(
            r#"<h1>{title}</h1><p data-testid="no-access">{explanation}</p>
<div class="actions">{switch}{sign_out}</div>"#,
            title = esc(t.no_access_title),
        );
        self.page(StatusCode::FORBIDDEN, t.no_access_title, &body)
    }

    pub fn signed_out(&self) -> Response {
        let t = self.texts;
        let body = format!(
            // The portal's front page starts a sign-in the right way, framed or not.
            r#"<h1>{title}</h1><p><a class="button primary" href="/">{again}</a></p>"#,
            title = esc(t.signed_out_title),
            again = esc(t.sign_in_again),
        );
        self.page(StatusCode::OK, t.signed_out_title, &body)
    }

    pub fn failed(&self, status: StatusCode, problem: &str) -> Response {
        let t = self.texts;
        let body = format!(
            r#"<h1>{title}</h1><p role="alert" data-testid="sign-in-error">{problem}</p><p><a class="button primary" href="/">{again}</a></p>"#,
            title = esc(t.failed_title),
            problem = esc(problem),
            again = esc(t.try_again),
        );
        self.page(status, t.failed_title, &body)
    }

    pub fn proxy_required(&self) -> Response {
        let t = self.texts;
        let body = format!(
            "<h1>{}</h1><p>{}</p>",
            esc(t.proxy_title),
            esc(t.proxy_note)
        );
        self.page(StatusCode::UNAUTHORIZED, t.proxy_title, &body)
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

/// `lang=` in a query, or in the query of its `return_to` path.
fn lang_in_query(query: &str) -> Option<Locale> {
    url::form_urlencoded::parse(query.as_bytes()).find_map(|(key, value)| match key.as_ref() {
        "lang" => Locale::parse(&value),
        "return_to" => value
            .split_once('?')
            .and_then(|(_, inner)| lang_in_query(inner)),
        _ => None,
    })
}

/// Text for HTML content and quoted attributes.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_language_follows_the_url_first() {
        assert_eq!(lang_in_query("embed=1&lang=pt-BR"), Some(Locale::PtBr));
        assert_eq!(
            lang_in_query("return_to=%2F%3Ffrom%3D2026-01-01%26lang%3Dpt-BR"),
            Some(Locale::PtBr)
        );
        assert_eq!(lang_in_query("return_to=%2F"), None);
        assert_eq!(lang_in_query(""), None);
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
