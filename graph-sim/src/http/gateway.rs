//! What Graph's gateway does before any workload sees a request, shared by the report and the
//! directory: the bearer token, the allowed methods, throttling and the injected faults, the
//! request-id headers, and the OData headers of a page.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::access_token::Grant;
use super::faults::Fault;
use super::graph_error::{GraphError, ODATA_JSON, RequestIds, RetryAfter};

/// The response to a Graph request, with `request-id` and `client-request-id` whatever it is.
pub fn finish(ids: &RequestIds, path: &str, answer: Result<Response, GraphError>) -> Response {
    match answer {
        Ok(mut response) => {
            ids.stamp(&mut response);
            response
        }
        Err(error) => {
            tracing::debug!(status = %error.status(), path, "graph request refused");
            error.into_response(ids)
        }
    }
}

/// The app's grant, or Graph's 401 with its `WWW-Authenticate` challenge.
pub fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Grant, GraphError> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    state
        .tokens
        .check_authorization(authorization)
        .map_err(|rejection| {
            GraphError::invalid_authentication_token(
                rejection.message(),
                state.www_authenticate.clone(),
            )
        })
}

/// Both endpoints only read.
pub fn check_method(method: &Method) -> Result<(), GraphError> {
    if method == Method::GET || method == Method::HEAD {
        Ok(())
    } else {
        Err(GraphError::method_not_allowed(method.as_str()))
    }
}

fn retry_after(state: &AppState, delay: Duration) -> RetryAfter {
    RetryAfter {
        delay,
        format: state.config.retry_after_format,
    }
}

/// A limiter's verdict (`Err` holds how long to wait) as Graph's 429 with `Retry-After`.
pub fn admit(state: &AppState, verdict: Result<(), Duration>) -> Result<(), GraphError> {
    verdict.map_err(|wait| GraphError::too_many_requests(retry_after(state, wait)))
}

/// `--throttle-rate` and `--error-rate`: one decision per request, in request order.
pub fn inject_faults(state: &AppState) -> Result<(), GraphError> {
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

/// A 200 page of OData JSON, with Graph's content type and `OData-Version`.
pub fn odata_page(body: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ODATA_JSON));
    headers.insert("odata-version", HeaderValue::from_static("4.0"));
    response
}
