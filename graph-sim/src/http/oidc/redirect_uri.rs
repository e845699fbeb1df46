//! Which redirect URIs the sign-in app has registered. With none configured, any `http://`
//! loopback URI counts as registered (as Entra ID allows any port for loopback redirect URIs),
//! so demo setups and tests need no configuration.

use url::{Host, Url};

use crate::config::SimConfig;

/// An `http://` URI on 127.0.0.1, localhost or [::1], any port, without credentials or fragment.
fn is_loopback_http(uri: &str) -> bool {
    let Ok(url) = Url::parse(uri) else {
        return false;
    };
    let loopback_host = match url.host() {
        Some(Host::Domain(domain)) => domain == "localhost",
        Some(Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
        Some(Host::Ipv6(ip)) => ip == std::net::Ipv6Addr::LOCALHOST,
        None => false,
    };
    url.scheme() == "http"
        && loopback_host
        && url.username().is_empty()
        && url.password().is_none()
        && url.fragment().is_none()
}

/// Whether an authorization request may redirect to `uri`.
pub fn is_registered(config: &SimConfig, uri: &str) -> bool {
    if config.oidc_redirect_uris.is_empty() {
        is_loopback_http(uri)
    } else {
        config
            .oidc_redirect_uris
            .iter()
            .any(|registered| registered == uri)
    }
}

/// Whether logout may send the browser to `uri`: any loopback URI, or one on the origin of a
/// registered redirect URI.
pub fn is_allowed_after_logout(config: &SimConfig, uri: &str) -> bool {
    if is_loopback_http(uri) {
        return true;
    }
    let Ok(url) = Url::parse(uri) else {
        return false;
    };
    let origin = url.origin();
    origin.is_tuple()
        && config
            .oidc_redirect_uris
            .iter()
            .filter_map(|registered| Url::parse(registered).ok())
            .any(|registered| registered.origin() == origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_registrations_only_loopback_http_is_accepted() {
        let config = SimConfig::default();
        for good in [
            "http://127.0.0.1:3000/auth/callback",
            "http://localhost:8080/cb?x=1",
            "http://[::1]:1/",
            "http://localhost/",
        ] {
            assert!(is_registered(&config, good), "{good}");
        }
        for bad in [
            "https://127.0.0.1:3000/cb",
            "http://127.0.0.2/",
            "http://localhost.example/",
            "http://user@localhost/",
            "http://localhost/#x",
            "/relative",
            "javascript:alert(1)",
        ] {
            assert!(!is_registered(&config, bad), "{bad}");
        }
    }

    #[test]
    fn registered_uris_match_exactly_and_logout_by_origin() {
        let config = SimConfig {
            oidc_redirect_uris: vec!["https://portal.example/auth/callback".into()],
            ..SimConfig::default()
        };
        assert!(is_registered(
            &config,
            "https://portal.example/auth/callback"
        ));
        assert!(!is_registered(
            &config,
            "https://portal.example/auth/callback/"
        ));
        assert!(!is_registered(
            &config,
            "http://127.0.0.1:3000/auth/callback"
        ));
        assert!(is_allowed_after_logout(&config, "https://portal.example/"));
        assert!(is_allowed_after_logout(&config, "http://127.0.0.1:3000/"));
        assert!(!is_allowed_after_logout(&config, "https://evil.example/"));
        assert!(!is_allowed_after_logout(
            &config,
            "https://portal.example:444/"
        ));
    }
}
