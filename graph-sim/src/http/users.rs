//! `GET /v1.0/users`: the simulated directory, paged by `$skiptoken` as Graph pages users.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;

use super::access_token::DIRECTORY_PERMISSIONS;
use super::graph_error::{GraphError, RequestIds};
use super::identity_limits::users_request_cost;
use super::{AppState, gateway};
use crate::data::directory::Directory;
use crate::report::page::PageStyle;
use crate::users::page;
use crate::users::query::{UsersQuery, UsersQueryError, next_link, parse_users_query};

pub async fn users_endpoint(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ids = RequestIds::from_headers(&headers);
    let answer = answer(&state, &method, &uri, &headers).await;
    if answer
        .as_ref()
        .is_err_and(|error| error.status() == StatusCode::TOO_MANY_REQUESTS)
    {
        state.stats.users_throttled.fetch_add(1, Ordering::Relaxed);
    }
    gateway::finish(&ids, uri.path(), answer)
}

/// The report's order of checks: authentication, the gateway's limits and faults, the
/// permission, then the request's own options.
async fn answer(
    state: &Arc<AppState>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Response, GraphError> {
    state.stats.users_requests.fetch_add(1, Ordering::Relaxed);
    state.add_latency().await;
    let grant = gateway::authenticate(state, headers)?;
    gateway::check_method(method)?;
    let query = parse_users_query(uri.query());
    if state.config.enforce_limits {
        // A refused query still passed the gateway: it costs what a plain GET costs.
        let cost = query
            .as_ref()
            .map_or(users_request_cost(false, false), |q| {
                users_request_cost(q.select.is_some(), q.manager.is_some())
            });
        gateway::admit(state, state.identity_limits.take(cost, Instant::now()))?;
    }
    gateway::inject_faults(state)?;
    if !DIRECTORY_PERMISSIONS
        .iter()
        .any(|role| grant.has_role(role))
    {
        return Err(GraphError::insufficient_privileges());
    }
    let query = query.map_err(|error| match error {
        UsersQueryError::Invalid(message) => GraphError::bad_request(message),
        UsersQueryError::PageSize(message) => GraphError::unsupported_query(message),
        UsersQueryError::PageToken => GraphError::expired_page_token(),
    })?;
    let body = users_page(Arc::clone(state), query, uri.query().map(str::to_owned)).await?;
    state
        .stats
        .users_pages_served
        .fetch_add(1, Ordering::Relaxed);
    Ok(gateway::odata_page(body))
}

/// A page of up to 999 people, each with a manager to look up: off the async workers.
async fn users_page(
    state: Arc<AppState>,
    query: UsersQuery,
    raw_query: Option<String>,
) -> Result<Vec<u8>, GraphError> {
    let rendered = tokio::task::spawn_blocking(move || {
        let directory = Directory::new(&state.dataset);
        let page = page::collect(&directory, &query);
        let next_link = page
            .next_entry
            .map(|entry| next_link(&state.base_url, raw_query.as_deref(), entry));
        let context = query.context(&state.base_url);
        page::render(
            &page,
            &query,
            &context,
            next_link.as_deref(),
            PageStyle::of(&state.config),
        )
    })
    .await;
    match rendered {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(error)) => Err(GraphError::internal(format!(
            "The page could not be written: {error}"
        ))),
        Err(error) => Err(GraphError::internal(format!(
            "The page could not be computed: {error}"
        ))),
    }
}
