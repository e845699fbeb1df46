//! `GET /{tenant}/oauth2/v2.0/logout`: back to the app's `post_logout_redirect_uri` (with
//! `state`) if it is allowed, else a "you signed out" page. graph-sim keeps no sign-in session,
//! so there is nothing else to end.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use url::Url;

use super::super::AppState;
use super::super::form::FormFields;
use super::authorization_response::redirect;
use super::page;
use super::redirect_uri;

pub async fn logout(
    State(state): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err(error) = state.check_tenant(&tenant) {
        return page::error_page(&error);
    }
    let params = FormFields::parse(query.unwrap_or_default().as_bytes());
    let target = params
        .get("post_logout_redirect_uri")
        .filter(|uri| redirect_uri::is_allowed_after_logout(&state.config, uri))
        .and_then(|uri| Url::parse(uri).ok());
    let Some(mut target) = target else {
        return page::signed_out_page();
    };
    if let Some(client_state) = params.get("state") {
        target.query_pairs_mut().append_pair("state", client_state);
    }
    redirect(&target)
}
