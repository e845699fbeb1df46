//! The layers around every route, outermost first: a request id (`x-request-id`, kept when the
//! client sent a short token), a tracing span and an access log line carrying it, the id echoed
//! on the response, gzip/br compression, a body limit and a body read timeout, a timeout, the
//! security headers, then the inbound checks (the path's normal form, the host, server-function
//! content types) before the access guard and the routes.
use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware;
use tower::ServiceBuilder;
use tower_http::CompressionLevel;
use tower_http::LatencyUnit;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::{Level, Span};

use crate::config::{AuthSettings, ServerSettings};
use crate::inbound::{self, AllowedHosts, REQUEST_ID};
use crate::security::{SecurityHeaders, security_headers};

pub fn around(router: Router, settings: &ServerSettings) -> Router {
    // Workbooks are zip files already; events must not wait in a compressor's buffer.
    let compress_when = DefaultPredicate::new().and(NotForContentType::const_new(
        "application/vnd.openxmlformats",
    ));
    let layers = ServiceBuilder::new()
        .layer(middleware::from_fn(inbound::plain_request_id))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(LatencyUnit::Micros),
                ),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            // Pages and server functions are made per request: gzip at level 2, no brotli. On
            // the dashboard (53 KB of HTML) brotli even at quality 1 took a third of the
            // server's time; gzip 4 about a fifth. zlib-rs's level 1 uses fixed Huffman codes
            // (14.0 KB against level 4's 10.4 KB); level 2 is the fast matcher with its own
            // codes (about 11.3 KB) at about half level 4's cost. Static assets keep brotli
            // (`assets.rs`), compressed once.
            CompressionLayer::new()
                .no_br()
                .quality(CompressionLevel::Precise(2))
                .compress_when(compress_when),
        )
        .layer(RequestBodyLimitLayer::new(settings.body_limit))
        .layer(RequestBodyTimeoutLayer::new(settings.body_read_timeout))
        // 504: the time usually goes on waiting for Graph.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::GATEWAY_TIMEOUT,
            settings.request_timeout,
        ));
    // Innermost, where responses still have axum's body type.
    let public_url = settings.auth.public_url();
    let hsts = public_url.is_some_and(|url| url.scheme() == "https");
    let security = middleware::from_fn_with_state(
        SecurityHeaders::new(&settings.frame_ancestors, hsts),
        security_headers,
    );
    let hosts = match public_url {
        Some(url) => AllowedHosts::public_url(url),
        None if matches!(settings.auth, AuthSettings::None) => AllowedHosts::Loopback,
        // A proxy that rewrites Host and no public URL configured: the proxy checks it.
        None => AllowedHosts::Any,
    };
    let checks = ServiceBuilder::new()
        .layer(middleware::from_fn(inbound::normal_path_only))
        .layer(middleware::from_fn_with_state(
            hosts,
            inbound::own_host_only,
        ))
        .layer(middleware::from_fn(inbound::server_fn_content_type));
    router.layer(checks).layer(security).layer(layers)
}

/// The span of one request: its id, method and path. Never the query or a header (no secrets,
/// no personal data in the log).
fn request_span(request: &Request) -> Span {
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        id,
        method = %request.method(),
        path = request.uri().path(),
    )
}
