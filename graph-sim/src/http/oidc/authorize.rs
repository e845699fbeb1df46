//! `GET /{tenant}/oauth2/v2.0/authorize` checks an authorization request and shows the sign-in
//! page; `POST` (that page's form) issues the code for the chosen test user.
//!
//! As at Entra ID, problems with the tenant, the app or the redirect URI are shown on an error
//! page (the redirect URI is not trusted yet); later problems go back to the redirect URI as
//! `error` and `error_description`, with `state`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;

use super::super::AppState;
use super::super::aad_error::AadError;
use super::super::form::FormFields;
use super::authorization_response::{ReplyTo, ResponseMode};
use super::oauth_endpoint;
use super::page::{self, AccountPicker};
use super::pkce::CodeChallenge;
use super::redirect_uri;
use super::store::{AuthorizationRequest, IssuedCode};
use crate::test_users::{TEST_USERS, TestUser};

/// The scopes this provider grants, in the order the token response lists them.
const SIGN_IN_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];
/// No refresh tokens are issued, so `offline_access` is accepted but not granted.
const UNGRANTED_SCOPE: &str = "offline_access";
const PROMPTS: [&str; 3] = ["login", "consent", "select_account"];

/// How a bad authorization request is answered.
enum Refusal {
    /// On an error page: the redirect URI is unknown or not registered.
    Show(AadError),
    /// At the (registered) redirect URI.
    Reply(ReplyTo, AadError),
}

impl Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::Show(error) => page::error_page(&error),
            Self::Reply(reply, error) => reply.with_error(&error),
        }
    }
}

/// The `scope` value granted for a requested one: it must hold `openid` and only sign-in scopes.
fn granted_scope(requested: &str) -> Result<String, AadError> {
    let scopes: Vec<&str> = requested.split(' ').filter(|s| !s.is_empty()).collect();
    if let Some(unknown) = scopes.iter().find(|s| !SIGN_IN_SCOPES.contains(s)) {
        return Err(AadError::invalid_sign_in_scope(
            requested,
            &format!(
                "graph-sim grants only {}, not '{unknown}'.",
                SIGN_IN_SCOPES.join(", ")
            ),
        ));
    }
    if !scopes.contains(&"openid") {
        return Err(AadError::invalid_sign_in_scope(
            requested,
            "an OpenID Connect sign-in needs the 'openid' scope.",
        ));
    }
    Ok(SIGN_IN_SCOPES
        .iter()
        .filter(|s| **s != UNGRANTED_SCOPE && scopes.contains(s))
        .copied()
        .collect::<Vec<_>>()
        .join(" "))
}

/// Checks the request in the order Entra ID reports problems.
fn check_request(
    state: &AppState,
    tenant: &str,
    params: &FormFields,
) -> Result<AuthorizationRequest, Refusal> {
    let config = &state.config;
    state.check_tenant(tenant).map_err(Refusal::Show)?;
    let client_id = params.require("client_id").map_err(Refusal::Show)?;
    if !client_id.eq_ignore_ascii_case(&config.oidc_client_id) {
        return Err(Refusal::Show(AadError::application_not_found(
            client_id, tenant,
        )));
    }
    let redirect_uri = params.require("redirect_uri").map_err(Refusal::Show)?;
    if !redirect_uri::is_registered(config, redirect_uri) {
        return Err(Refusal::Show(AadError::redirect_uri_not_registered(
            redirect_uri,
            client_id,
            config.oidc_redirect_uris.is_empty(),
        )));
    }

    let response_mode = ResponseMode::parse(params.get("response_mode"));
    let reply = ReplyTo {
        redirect_uri: redirect_uri.to_owned(),
        mode: response_mode.unwrap_or(ResponseMode::Query),
        state: params.get("state").map(str::to_owned),
    };
    let refuse = |error| Refusal::Reply(reply.clone(), error);
    if response_mode.is_none() {
        let mode = params.get("response_mode").unwrap_or_default();
        return Err(refuse(AadError::invalid_parameter_value(
            "response_mode",
            mode,
            "query, fragment or form_post",
        )));
    }
    let response_type = params.require("response_type").map_err(refuse)?;
    if response_type != "code" {
        return Err(refuse(AadError::unsupported_response_type(response_type)));
    }
    let granted_scope = granted_scope(params.require("scope").map_err(refuse)?).map_err(refuse)?;
    let code_challenge = CodeChallenge::from_request(
        params.get("code_challenge"),
        params.get("code_challenge_method"),
    )
    .map_err(refuse)?;
    match params.get("prompt") {
        None => {}
        Some("none") => return Err(refuse(AadError::login_required())),
        Some(prompt) if PROMPTS.contains(&prompt) => {}
        Some(prompt) => {
            return Err(refuse(AadError::invalid_parameter_value(
                "prompt",
                prompt,
                "login, none, consent or select_account",
            )));
        }
    }
    Ok(AuthorizationRequest {
        client_id: config.oidc_client_id.clone(),
        nonce: params.get("nonce").map(str::to_owned),
        code_challenge,
        granted_scope,
        reply,
    })
}

/// `GET`: the sign-in page for a valid request; the request waits server-side under a random
/// key, so the page's form carries nothing a user could alter but the chosen account.
pub async fn show_sign_in(
    State(state): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = FormFields::parse(query.unwrap_or_default().as_bytes());
    let request = match check_request(&state, &tenant, &params) {
        Ok(request) => request,
        Err(refusal) => return refusal.into_response(),
    };
    let reply = request.reply.clone();
    let sign_in_key = match state.oidc.sign_ins.insert(request) {
        Ok(key) => key,
        Err(error) => return reply.with_error(&AadError::store_unavailable(error)),
    };
    let endpoint = oauth_endpoint("", &state.config.tenant_id, "authorize");
    page::sign_in_page(&AccountPicker {
        action: &endpoint,
        sign_in_key: &sign_in_key,
        client_id: &state.config.oidc_client_id,
        users: &TEST_USERS,
        login_hint: params.get("login_hint"),
    })
}

/// `POST`: the sign-in page's answer, a test user's object id or Cancel. Redirects with a
/// one-time code bound to the request and the user.
pub async fn choose_account(
    State(state): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(error) = state.check_tenant(&tenant) {
        return page::error_page(&error);
    }
    let form = FormFields::parse(&body);
    let Some(request) = form
        .get("sign_in")
        .and_then(|key| state.oidc.sign_ins.take(key))
    else {
        return page::error_page(&AadError::sign_in_expired());
    };
    if form.get("cancel").is_some() {
        return request.reply.with_error(&AadError::access_denied());
    }
    let object_id = match form.require("user") {
        Ok(object_id) => object_id,
        Err(error) => return page::error_page(&error),
    };
    let Some(user) = TestUser::by_object_id(object_id) else {
        return page::error_page(&AadError::unknown_user(object_id, &state.config.tenant_id));
    };
    let reply = request.reply.clone();
    match state.oidc.codes.insert(IssuedCode { request, user }) {
        Ok(code) => reply.with_code(&code),
        Err(error) => reply.with_error(&AadError::store_unavailable(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_need_openid_and_offline_access_is_not_granted() {
        assert_eq!(
            granted_scope("email offline_access openid  profile").unwrap(),
            "openid profile email"
        );
        assert_eq!(granted_scope("openid").unwrap(), "openid");
        assert_eq!(granted_scope("profile email").unwrap_err().code(), 70011);
        assert_eq!(granted_scope("openid User.Read").unwrap_err().code(), 70011);
    }
}
