//! The provider's HTML pages: the account picker, errors, "signed out", and the self-submitting
//! form of `response_mode=form_post`. Like Entra ID's, none of them may be framed.

use std::fmt::Write as _;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::super::aad_error::AadError;
use crate::test_users::TestUser;

const STYLE: &str = "\
body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',sans-serif;background:#f2f2f2;color:#1b1b1b}
main{max-width:28rem;margin:3rem auto;padding:2rem;background:#fff;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:1.5rem;margin:0 0 1rem}
p{line-height:1.5}
ul{list-style:none;padding:0;margin:1.5rem 0}
li{margin:.5rem 0}
button{font:inherit;cursor:pointer;border-radius:2px}
.account{display:block;width:100%;text-align:left;padding:.75rem 1rem;background:#fff;color:#1b1b1b;border:1px solid #8a8886}
.account:hover{background:#f3f2f1}
.upn{display:block;font-size:.875rem;color:#505050}
.secondary{padding:.5rem 1.5rem;background:#fff;color:#1b1b1b;border:1px solid #8a8886}
button:focus-visible{outline:3px solid #0067b8;outline-offset:2px}
.details{font-family:ui-monospace,monospace;font-size:.8125rem;white-space:pre-wrap;word-break:break-all;color:#505050}";

/// Escapes text for HTML content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// A complete page. The style (and the script, if any) run under a per-response CSP nonce;
/// nothing else may load, and no one may frame the page.
fn html_page(status: StatusCode, title: &str, body: &str, script: Option<&str>) -> Response {
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let script_tag = script.map_or_else(String::new, |script| {
        format!("<script nonce=\"{nonce}\">{script}</script>")
    });
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style nonce=\"{nonce}\">{STYLE}</style>\n</head>\n<body>\n\
         <main>\n{body}\n</main>\n{script_tag}\n</body>\n</html>\n",
        escape(title)
    );
    let csp = format!(
        "default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; \
         base-uri 'none'; frame-ancestors 'none'"
    );
    let mut response = (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store, no-cache"),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        html,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// What the account picker needs to know.
pub struct AccountPicker<'a> {
    /// Where the form posts: the authorization endpoint's path.
    pub action: &'a str,
    /// The key of the pending authorization request.
    pub sign_in_key: &'a str,
    pub client_id: &'a str,
    pub users: &'a [TestUser],
    /// `login_hint`: the matching account gets the focus.
    pub login_hint: Option<&'a str>,
}

/// The sign-in page: one button per test user (no passwords), and Cancel.
pub fn sign_in_page(picker: &AccountPicker) -> Response {
    let mut accounts = String::new();
    for user in picker.users {
        let hinted = picker
            .login_hint
            .is_some_and(|hint| hint.eq_ignore_ascii_case(user.user_principal_name));
        let _ = writeln!(
            accounts,
            "<li><button type=\"submit\" class=\"account\" name=\"user\" value=\"{}\"{}>\
             <span class=\"name\">Sign in as {}</span> <span class=\"upn\">{}</span></button></li>",
            escape(user.object_id),
            if hinted { " autofocus" } else { "" },
            escape(user.display_name),
            escape(user.user_principal_name),
        );
    }
    let body = format!(
        "<h1 id=\"heading\">Sign in</h1>\n\
         <p>Pick a test account to continue to the application <code>{}</code>. These accounts \
         are made up by graph-sim; there is no password.</p>\n\
         <form method=\"post\" action=\"{}\" aria-labelledby=\"heading\">\n\
         <input type=\"hidden\" name=\"sign_in\" value=\"{}\">\n<ul>\n{accounts}</ul>\n\
         <button type=\"submit\" class=\"secondary\" name=\"cancel\" value=\"cancel\">Cancel</button>\n\
         </form>",
        escape(picker.client_id),
        escape(picker.action),
        escape(picker.sign_in_key),
    );
    html_page(StatusCode::OK, "Sign in to your account", &body, None)
}

/// An error that must not be sent to the client's redirect URI (unknown app, unregistered
/// redirect URI, expired sign-in): shown to the user, as Entra ID does.
pub fn error_page(error: &AadError) -> Response {
    let described = error.describe(None);
    let body = format!(
        "<h1>Sorry, but we\u{2019}re having trouble signing you in.</h1>\n\
         <p class=\"details\">{}</p>",
        escape(&described.text.replace("\r\n", "\n"))
    );
    html_page(error.status(), "Sign-in error", &body, None)
}

/// Logout with no (allowed) `post_logout_redirect_uri`.
pub fn signed_out_page() -> Response {
    html_page(
        StatusCode::OK,
        "Signed out",
        "<h1>You signed out of your account</h1>\n\
         <p>It\u{2019}s a good idea to close all browser windows.</p>",
        None,
    )
}

/// `response_mode=form_post`: a form that posts `fields` to `redirect_uri` by itself (or on a
/// click, without script).
pub fn form_post_page(redirect_uri: &str, fields: &[(&str, &str)]) -> Response {
    let mut inputs = String::new();
    for (name, value) in fields {
        let _ = writeln!(
            inputs,
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            escape(name),
            escape(value)
        );
    }
    let body = format!(
        "<h1>Signing you in</h1>\n<form method=\"post\" action=\"{}\">\n{inputs}\
         <noscript><p>Script is disabled. Select Continue to go back to the application.</p>\
         <button type=\"submit\">Continue</button></noscript>\n</form>",
        escape(redirect_uri)
    );
    html_page(
        StatusCode::OK,
        "Working\u{2026}",
        &body,
        Some("document.forms[0].submit();"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_content_and_attributes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
