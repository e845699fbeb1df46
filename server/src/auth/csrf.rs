//! Requests that change state (anything but GET, HEAD and OPTIONS) must come from the portal's
//! own pages: `Sec-Fetch-Site: same-origin` where the browser sends it, else an `Origin` equal
//! to the portal's. Clients that are not browsers send neither and carry no victim's cookie.
use axum::extract::Request;
use axum::http::{HeaderName, Method, header};

const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// Whether `request` is a state-changing request from another site.
pub fn is_cross_site_write(request: &Request, public_origin: Option<&str>) -> bool {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return false;
    }
    let headers = request.headers();
    let text = |name: &HeaderName| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(site) = text(&SEC_FETCH_SITE) {
        return site != "same-origin";
    }
    let Some(origin) = text(&header::ORIGIN) else {
        return false;
    };
    let same_host = origin
        .split_once("://")
        .map(|(_, host)| Some(host) == text(&header::HOST))
        .unwrap_or(false);
    !(same_host || Some(origin) == public_origin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn post(headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri("/api/summary")
            .header("host", "portal.example:8443");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    fn refuses_other_sites_and_allows_the_portal_itself() {
        let public = Some("https://dialout.contoso.com");
        assert!(!is_cross_site_write(
            &post(&[("sec-fetch-site", "same-origin")]),
            public
        ));
        assert!(is_cross_site_write(
            &post(&[("sec-fetch-site", "cross-site")]),
            public
        ));
        assert!(is_cross_site_write(
            &post(&[("sec-fetch-site", "same-site")]),
            public
        ));
        assert!(!is_cross_site_write(
            &post(&[("origin", "https://portal.example:8443")]),
            public
        ));
        assert!(!is_cross_site_write(
            &post(&[("origin", "https://dialout.contoso.com")]),
            public
        ));
        assert!(is_cross_site_write(
            &post(&[("origin", "https://evil.example")]),
            public
        ));
        assert!(is_cross_site_write(&post(&[("origin", "null")]), public));
        // Not a browser: nothing to check.
        assert!(!is_cross_site_write(&post(&[]), public));
        let get = Request::builder()
            .uri("/")
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .unwrap();
        assert!(!is_cross_site_write(&get, public));
    }
}
