//! Answering an authorization request at the client's redirect URI: a code or an error, with
//! `state`, in the query, the fragment or a self-posting form (`response_mode`).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use url::{Url, form_urlencoded};

use super::super::aad_error::AadError;
use super::page;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

impl ResponseMode {
    /// `response_mode`; the code flow's default is `query`.
    pub fn parse(value: Option<&str>) -> Option<Self> {
        match value {
            None | Some("query") => Some(Self::Query),
            Some("fragment") => Some(Self::Fragment),
            Some("form_post") => Some(Self::FormPost),
            Some(_) => None,
        }
    }
}

/// Where and how the answer goes: a registered redirect URI, so it may carry codes and errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyTo {
    pub redirect_uri: String,
    pub mode: ResponseMode,
    /// The client's `state`, echoed with every answer.
    pub state: Option<String>,
}

impl ReplyTo {
    /// Success: `code`, `state` and Entra ID's `session_state`.
    pub fn with_code(&self, code: &str) -> Response {
        let session_state = uuid::Uuid::new_v4().to_string();
        self.send(&[("code", code), ("session_state", &session_state)])
    }

    /// Failure after the redirect URI was found registered: `error`, `error_description`
    /// (`AADSTS…` with trace ids) and `state`.
    pub fn with_error(&self, error: &AadError) -> Response {
        let description = error.describe(None).text;
        self.send(&[
            ("error", error.error()),
            ("error_description", &description),
        ])
    }

    fn send(&self, params: &[(&str, &str)]) -> Response {
        let mut fields = params.to_vec();
        if let Some(state) = &self.state {
            fields.push(("state", state));
        }
        let Ok(mut url) = Url::parse(&self.redirect_uri) else {
            // Registered URIs are checked to be absolute URLs, so this is a bug, not bad input.
            return page::error_page(&AadError::invalid_request(
                90023,
                format!("The redirect URI '{}' is not a URL.", self.redirect_uri),
            ));
        };
        match self.mode {
            ResponseMode::Query => {
                url.query_pairs_mut().extend_pairs(&fields);
            }
            ResponseMode::Fragment => {
                let encoded = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&fields)
                    .finish();
                url.set_fragment(Some(&encoded));
            }
            ResponseMode::FormPost => return page::form_post_page(&self.redirect_uri, &fields),
        }
        redirect(&url)
    }
}

/// A 302 to `url`; it may carry a code, so nothing caches it.
pub fn redirect(url: &Url) -> Response {
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, url.as_str()),
            (header::CACHE_CONTROL, "no-store, no-cache"),
        ],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(response: &Response) -> &str {
        response.headers()[header::LOCATION].to_str().unwrap()
    }

    #[test]
    fn codes_go_in_the_query_or_fragment_with_state() {
        let mut reply = ReplyTo {
            redirect_uri: "http://127.0.0.1:3000/cb?keep=1".into(),
            mode: ResponseMode::Query,
            state: Some("s&1".into()),
        };
        let response = reply.with_code("abc");
        assert_eq!(response.status(), StatusCode::FOUND);
        let target = location(&response);
        assert!(
            target.starts_with("http://127.0.0.1:3000/cb?keep=1&code=abc&session_state="),
            "{target}"
        );
        assert!(target.ends_with("&state=s%261"), "{target}");

        reply.mode = ResponseMode::Fragment;
        reply.state = None;
        let response = reply.with_error(&AadError::missing_parameter("scope"));
        let target = location(&response);
        assert!(
            target.starts_with("http://127.0.0.1:3000/cb?keep=1#error=invalid_request&"),
            "{target}"
        );
        assert!(!target.contains("state="), "{target}");

        reply.mode = ResponseMode::FormPost;
        let response = reply.with_code("abc");
        assert_eq!(response.status(), StatusCode::OK);
    }
}
