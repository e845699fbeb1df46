//! The Graph endpoints: the beta dial-out report, and Graph's answers for everything else.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;

use super::access_token::REPORT_PERMISSION;
use super::graph_error::{GraphError, RequestIds};
use super::route::{ApiVersion, ReportRoute, parse_report_route};
use super::{AppState, gateway};
use crate::config::UNSTABLE_ORDER_OVERLAP;
use crate::odata::function::parse_report_call;
use crate::odata::query::parse_query_options;
use crate::report::page::{self, NextPage, PageStyle};
use crate::report::window_request::requested_window;

/// Every path that is not the token endpoint, `/v1.0/users` or `/_sim/` lands here.
pub async fn graph_endpoint(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ids = RequestIds::from_headers(&headers);
    let answer = answer(&state, &method, &uri, &headers).await;
    gateway::finish(&ids, uri.path(), answer)
}

/// Checks in the order Graph's layers do: authentication, then the gateway's limits and
/// faults, then the workload's permission check and the function's own validation.
async fn answer(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Response, GraphError> {
    let route = parse_report_route(uri.path(), state.config.plus_in_path);
    if route.is_ok() {
        state.stats.report_requests.fetch_add(1, Ordering::Relaxed);
    }
    state.add_latency().await;
    let grant = gateway::authenticate(state, headers)?;

    let route = route.map_err(|e| e.into_graph_error())?;
    gateway::check_method(method)?;
    if route.version == ApiVersion::V1 {
        // The function exists only in beta.
        return Err(GraphError::resource_not_found(route.function_name()));
    }
    if state.config.enforce_limits {
        gateway::admit(
            state,
            state.limits.admit(&route.function_segment, Instant::now()),
        )?;
    }
    gateway::inject_faults(state)?;
    if !grant.has_role(REPORT_PERMISSION) {
        return Err(GraphError::missing_role(REPORT_PERMISSION, grant.roles()));
    }
    report_page(state, &route, uri).await
}

async fn report_page(
    state: &AppState,
    route: &ReportRoute,
    uri: &Uri,
) -> Result<Response, GraphError> {
    let config = &state.config;
    let call = parse_report_call(&route.function_segment)
        .map_err(|e| GraphError::bad_request(e.message()))?;
    let options = parse_query_options(uri.query()).map_err(GraphError::bad_request)?;
    // The retention clips (or refuses) the window before the cache: its pages all agree.
    let window = requested_window(&call, config.to_semantics, state.retention)
        .map_err(GraphError::bad_request)?;

    let rows = state
        .reports
        .rows(&state.dataset, window)
        .await
        .map_err(|e| GraphError::internal(format!("The report could not be computed: {e}")))?;
    // The cached rows are the same for every page, so an overlap repeats rows exactly.
    let overlap = if config.unstable_order {
        UNSTABLE_ORDER_OVERLAP
    } else {
        0
    };
    let slice = page::slice(
        rows.len(),
        options,
        config.page_size as usize,
        config.top_semantics,
        overlap,
    );
    let next_link = slice
        .next
        .map(|next| next_link(&state.base_url, uri.path(), next));
    let body = page::render(
        &state.dataset,
        &rows[slice.rows],
        &state.odata_context,
        next_link.as_deref(),
        PageStyle::of(config),
    )
    .map_err(|e| GraphError::internal(format!("The page could not be written: {e}")))?;
    state.stats.pages_served.fetch_add(1, Ordering::Relaxed);
    Ok(gateway::odata_page(body))
}

/// An absolute link to the next page: the request's own path plus `$skip` (and `$top`), as
/// in Graph's example. Clients must follow it as given.
fn next_link(base_url: &str, raw_path: &str, next: NextPage) -> String {
    let mut link = format!("{base_url}{raw_path}?$skip={}", next.skip);
    if let Some(top) = next.top {
        link.push_str(&format!("&$top={top}"));
    }
    link
}
