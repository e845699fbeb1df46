//! The Graph endpoints: the beta dial-out report, and Graph's answers for everything else.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::access_token::REPORT_PERMISSION;
use super::faults::Fault;
use super::graph_error::{GraphError, ODATA_JSON, RequestIds, RetryAfter};
use super::route::{ApiVersion, ReportRoute, parse_report_route};
use crate::config::UNSTABLE_ORDER_OVERLAP;
use crate::odata::function::parse_report_call;
use crate::odata::query::parse_query_options;
use crate::report::page::{self, NextPage, PageStyle};
use crate::report::window_request::requested_window;

/// Every path that is not the token endpoint or `/_sim/` lands here.
pub async fn graph_endpoint(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ids = RequestIds::from_headers(&headers);
    match answer(&state, &method, &uri, &headers).await {
        Ok(mut response) => {
            ids.stamp(&mut response);
            response
        }
        Err(error) => {
            tracing::debug!(status = %error.status(), path = uri.path(), "graph request refused");
            error.into_response(&ids)
        }
    }
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

    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let grant = state
        .tokens
        .check_authorization(authorization)
        .map_err(|rejection| {
            GraphError::invalid_authentication_token(
                rejection.message(),
                state.www_authenticate.clone(),
            )
        })?;

    let route = route.map_err(|e| e.into_graph_error())?;
    if method != Method::GET && method != Method::HEAD {
        return Err(GraphError::method_not_allowed(method.as_str()));
    }
    if route.version == ApiVersion::V1 {
        // The function exists only in beta.
        return Err(GraphError::resource_not_found(route.function_name()));
    }
    apply_gateway_faults(state, &route)?;
    if !grant.has_role(REPORT_PERMISSION) {
        return Err(GraphError::missing_role(REPORT_PERMISSION, grant.roles()));
    }
    report_page(state, &route, uri).await
}

fn retry_after(state: &AppState, delay: std::time::Duration) -> RetryAfter {
    RetryAfter {
        delay,
        format: state.config.retry_after_format,
    }
}

fn apply_gateway_faults(state: &AppState, route: &ReportRoute) -> Result<(), GraphError> {
    if state.config.enforce_limits {
        state
            .limits
            .admit(&route.function_segment, Instant::now())
            .map_err(|wait| GraphError::too_many_requests(retry_after(state, wait)))?;
    }
    let configured = retry_after(state, state.config.retry_after);
    match state.faults.next() {
        None => Ok(()),
        Some(Fault::Throttled) => Err(GraphError::too_many_requests(configured)),
        Some(Fault::Unavailable { with_retry_after }) => Err(GraphError::service_unavailable(
            with_retry_after.then_some(configured),
        )),
        Some(Fault::GatewayTimeout) => Err(GraphError::gateway_timeout()),
    }
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

    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ODATA_JSON));
    headers.insert("odata-version", HeaderValue::from_static("4.0"));
    Ok(response)
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
