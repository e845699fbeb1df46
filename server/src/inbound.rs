//! Checks on every request before anything routes or authorises it:
//! - the path must be in normal form: no `.`/`..` segment (raw or percent-encoded, in any
//!   case, even encoded twice), no encoded `/` or `\`, no backslash or control character. The
//!   access guard and the router then judge the very same path (a path the guard thought
//!   public could otherwise be normalised to `/` by the app's renderer behind its back);
//! - the `Host` must be the portal's own (against DNS rebinding), except for the health checks
//!   that load balancers call by address;
//! - an inbound `x-request-id` is kept only when it is a short token (it goes into every log
//!   line), else a new one is made;
//! - server functions take only the two encodings they are written for.
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode;
use url::Url;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Why `path` is not in normal form, or `None` when it is.
pub fn abnormal_path(path: &str) -> Option<&'static str> {
    if path.contains('\\') {
        return Some("a backslash");
    }
    for segment in path.split('/') {
        // Decoded again and again: a layer further in (or a proxy) may decode once more.
        let mut bytes = segment.as_bytes().to_vec();
        for _ in 0..4 {
            if bytes == b"." || bytes == b".." {
                return Some("a dot segment");
            }
            if bytes.iter().any(|&byte| byte < 0x20 || byte == 0x7f) {
                return Some("a control character");
            }
            let decoded: Vec<u8> = percent_decode(&bytes).collect();
            if decoded.contains(&b'/') || decoded.contains(&b'\\') {
                return Some("an encoded slash");
            }
            if decoded == bytes {
                break;
            }
            bytes = decoded;
        }
    }
    None
}

/// Middleware: refuses (400) a path that is not in normal form.
pub async fn normal_path_only(request: Request, next: Next) -> Response {
    match abnormal_path(request.uri().path()) {
        Some(reason) => plain(
            StatusCode::BAD_REQUEST,
            &format!("The address has {reason}: ask for the page by its plain address."),
        ),
        None => next.run(request).await,
    }
}

/// The `Host` names the portal answers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AllowedHosts {
    /// Only loopback names (`localhost`, `*.localhost`, 127.0.0.0/8, `[::1]`), any port: a
    /// portal without sign-in, which the configuration keeps on a loopback address.
    Loopback,
    /// Exactly this `host:port` (lowercase; the scheme's port when the URL names none); a
    /// `Host` without a port means `scheme_port`. `origin` is named to whoever asks elsewhere.
    PublicUrl {
        authority: String,
        scheme_port: u16,
        origin: String,
    },
    /// No check (a reverse proxy that rewrites `Host` and no public URL configured).
    Any,
}

impl AllowedHosts {
    pub fn public_url(url: &Url) -> Self {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let scheme_port = if url.scheme() == "http" { 80 } else { 443 };
        let port = url.port().unwrap_or(scheme_port);
        Self::PublicUrl {
            authority: format!("{host}:{port}"),
            scheme_port,
            origin: url.origin().ascii_serialization(),
        }
    }

    pub fn allows(&self, host_header: Option<&str>) -> bool {
        let Some((host, port)) = host_header.and_then(split_host) else {
            return matches!(self, AllowedHosts::Any);
        };
        match self {
            AllowedHosts::Any => true,
            AllowedHosts::Loopback => is_loopback_name(&host),
            AllowedHosts::PublicUrl {
                authority,
                scheme_port,
                ..
            } => {
                let port = port.map_or_else(|| scheme_port.to_string(), str::to_string);
                format!("{host}:{port}") == *authority
            }
        }
    }
}

/// `host[:port]` → (lowercase host without brackets, port).
fn split_host(value: &str) -> Option<(String, Option<&str>)> {
    let value = value.trim();
    let (host, port) = if let Some(rest) = value.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match value.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (value, None),
        }
    };
    let port_ok =
        port.is_none_or(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()));
    (!host.is_empty() && port_ok).then(|| (host.to_ascii_lowercase(), port))
}

fn is_loopback_name(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Paths any `Host` may ask for: load balancers call health checks by the server's address.
const ANY_HOST_PATHS: [&str; 2] = ["/healthz", "/readyz"];

/// Middleware: refuses (421) a request for a host that is not the portal's.
pub async fn own_host_only(
    State(allowed): State<AllowedHosts>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
        // HTTP/2 carries the host in the URI's authority.
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_string()));
    if ANY_HOST_PATHS.contains(&request.uri().path()) || allowed.allows(host.as_deref()) {
        return next.run(request).await;
    }
    tracing::warn!(
        host = host.as_deref().unwrap_or("-"),
        "request for another host refused"
    );
    plain(
        StatusCode::MISDIRECTED_REQUEST,
        "This server does not serve that host name: use the portal's own address.",
    )
}

/// Whether an inbound request id is worth keeping: 1 to 64 letters, digits, `-`, `_`, `.`, `:`.
pub fn is_request_id(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    (1..=64).contains(&bytes.len())
        && bytes
            .iter()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-_.:".contains(byte))
}

/// Middleware: drops an inbound `x-request-id` that is not a short token (a new one is made).
pub async fn plain_request_id(mut request: Request, next: Next) -> Response {
    if request
        .headers()
        .get(&REQUEST_ID)
        .is_some_and(|value| !is_request_id(value))
    {
        request.headers_mut().remove(&REQUEST_ID);
    }
    next.run(request).await
}

/// The encodings the server functions are written for (`users` takes JSON, the rest forms).
const SERVER_FN_TYPES: [&str; 2] = ["application/x-www-form-urlencoded", "application/json"];

/// Middleware: a POST to a server function must say it sends a form or JSON (415 otherwise),
/// so a `text/plain` body, which any page may send without asking, is never decoded. Only an
/// empty body may come without a type (a function without arguments).
pub async fn server_fn_content_type(request: Request, next: Next) -> Response {
    if request.method() == Method::POST && request.uri().path().starts_with("/api/") {
        let headers = request.headers();
        let media_type = headers
            .get(header::CONTENT_TYPE)
            .map(|value| value.to_str().unwrap_or_default())
            .map(|value| value.split(';').next().unwrap_or_default())
            .map(|value| value.trim().to_ascii_lowercase());
        let empty_body = !headers.contains_key(header::TRANSFER_ENCODING)
            && headers
                .get(header::CONTENT_LENGTH)
                .is_none_or(|length| length == "0");
        let accepted = match media_type {
            Some(media_type) => SERVER_FN_TYPES.contains(&media_type.as_str()),
            None => empty_body,
        };
        if !accepted {
            return plain(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Server functions take application/x-www-form-urlencoded or application/json.",
            );
        }
    }
    next.run(request).await
}

fn plain(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{message}\n"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_and_encoded_slashes_are_abnormal() {
        for path in [
            "/pkg/..",
            "/pkg/../",
            "/auth/%2e%2e",
            "/auth/%2E%2E",
            "/pkg/.%2e",
            "/pkg/%2e.",
            "/pkg/x/../..",
            "/pkg/%252e%252e",
            "/pkg/.",
            "/./users/1",
            "/pkg%2f..%2fusers",
            "/pkg/%2F",
            "/pkg/%5c",
            "/pkg\\..",
            "/pkg/%00",
            "/pkg/%2500",
        ] {
            assert!(abnormal_path(path).is_some(), "{path}");
        }
        for path in [
            "/",
            "/pkg/dialout-portal.wasm",
            "/users/abc-123",
            "/users/Jos%C3%A9",
            "/pkg/...",
            "/pkg/.hidden",
            "/api/summary",
        ] {
            assert_eq!(abnormal_path(path), None, "{path}");
        }
    }

    #[test]
    fn hosts() {
        let loopback = AllowedHosts::Loopback;
        for host in [
            "127.0.0.1:3000",
            "localhost",
            "LOCALHOST:8080",
            "app.localhost:1",
            "[::1]:3000",
            "127.1.2.3",
        ] {
            assert!(loopback.allows(Some(host)), "{host}");
        }
        for host in [
            "rebind.evil.example",
            "10.0.0.1:3000",
            "localhost.evil.example",
            "",
            "[::1",
        ] {
            assert!(!loopback.allows(Some(host)), "{host}");
        }
        assert!(!loopback.allows(None));

        let public = AllowedHosts::public_url(&Url::parse("https://Dialout.Contoso.com/").unwrap());
        assert!(public.allows(Some("dialout.contoso.com")));
        assert!(public.allows(Some("dialout.contoso.com:443")));
        assert!(!public.allows(Some("dialout.contoso.com:8443")));
        assert!(!public.allows(Some("evil.example")));
        let local = AllowedHosts::public_url(&Url::parse("http://127.0.0.1:3100").unwrap());
        assert!(local.allows(Some("127.0.0.1:3100")));
        assert!(!local.allows(Some("127.0.0.1")));
        assert!(AllowedHosts::Any.allows(None));
    }

    #[test]
    fn request_ids() {
        assert!(is_request_id(&HeaderValue::from_static("abc-123_x.y:z")));
        assert!(!is_request_id(&HeaderValue::from_static("")));
        assert!(!is_request_id(&HeaderValue::from_static("a b")));
        assert!(!is_request_id(
            &HeaderValue::from_str(&"a".repeat(65)).unwrap()
        ));
        assert!(!is_request_id(&HeaderValue::from_static("x\"><script>")));
    }
}
