use std::collections::HashMap;

use super::*;

fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

const TENANT: &str = "11111111-2222-3333-4444-555555555555";
const CLIENT: &str = "66666666-7777-8888-9999-000000000000";

fn secret_env() -> Vec<(&'static str, &'static str)> {
    vec![
        (vars::TENANT_ID, TENANT),
        (vars::CLIENT_ID, CLIENT),
        (vars::CLIENT_SECRET, "s3cr3t-value~x"),
    ]
}

#[test]
fn no_credentials_at_all_means_demo_mode() {
    assert_eq!(
        GraphConfig::from_lookup(lookup(&[])).unwrap().map(|_| ()),
        None
    );
    let blank = lookup(&[(vars::TENANT_ID, "  "), (vars::CLIENT_SECRET, "")]);
    assert!(GraphConfig::from_lookup(blank).unwrap().is_none());
}

#[test]
fn secret_configuration_uses_the_cloud_hosts() {
    let config = GraphConfig::from_lookup(lookup(&secret_env()))
        .unwrap()
        .unwrap();
    assert_eq!(config.cloud(), Cloud::Global);
    assert_eq!(config.tenant_id(), TENANT);
    assert_eq!(config.client_id(), CLIENT);
    assert_eq!(config.graph_endpoint(), "https://graph.microsoft.com");
    assert_eq!(config.scope(), "https://graph.microsoft.com/.default");
    assert_eq!(
        config.token_url(),
        format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token")
    );
    assert!(matches!(config.credential(), Credential::Secret(_)));
    assert!(
        !format!("{config:?}").contains("s3cr3t"),
        "Debug must not show the secret"
    );
}

#[test]
fn national_clouds_pick_their_hosts() {
    let mut env = secret_env();
    env.push((vars::CLOUD, "USGOV-L5"));
    let config = GraphConfig::from_lookup(lookup(&env)).unwrap().unwrap();
    assert_eq!(config.cloud(), Cloud::UsGovL5);
    assert_eq!(config.scope(), "https://dod-graph.microsoft.us/.default");
    assert!(
        config
            .token_url()
            .starts_with("https://login.microsoftonline.us/")
    );
}

#[test]
fn china_is_refused_at_once_even_without_credentials() {
    let err = GraphConfig::from_lookup(lookup(&[(vars::CLOUD, "china")])).unwrap_err();
    assert_eq!(err, ConfigError::ChinaCloud);
    assert!(err.to_string().contains("21Vianet"));
    let err = GraphConfig::new(
        Cloud::China,
        TENANT,
        CLIENT,
        Credential::Secret(Secret::new("x")),
    )
    .unwrap_err();
    assert_eq!(err, ConfigError::ChinaCloud);
}

#[test]
fn unknown_cloud_names_the_variable() {
    let err = GraphConfig::from_lookup(lookup(&[(vars::CLOUD, "mars")])).unwrap_err();
    assert!(
        err.to_string().starts_with("GRAPH_CLOUD is invalid"),
        "{err}"
    );
}

#[test]
fn missing_pieces_name_their_variable() {
    let err = GraphConfig::from_lookup(lookup(&[(vars::CLIENT_SECRET, "x")])).unwrap_err();
    assert!(
        err.to_string().starts_with("AZURE_TENANT_ID is not set"),
        "{err}"
    );
    let err = GraphConfig::from_lookup(lookup(&[
        (vars::TENANT_ID, TENANT),
        (vars::CLIENT_SECRET, "x"),
    ]))
    .unwrap_err();
    assert!(
        err.to_string().starts_with("AZURE_CLIENT_ID is not set"),
        "{err}"
    );
    let err = GraphConfig::from_lookup(lookup(&[
        (vars::TENANT_ID, TENANT),
        (vars::CLIENT_ID, CLIENT),
    ]))
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH"),
        "{err}"
    );
}

#[test]
fn both_credentials_conflict() {
    let mut env = secret_env();
    env.push((vars::CLIENT_CERTIFICATE_PATH, "/etc/app.pem"));
    let err = GraphConfig::from_lookup(lookup(&env)).unwrap_err();
    assert_eq!(err, ConfigError::ConflictingCredentials);
}

#[test]
fn certificate_credential_keeps_the_path() {
    let env = [
        (vars::TENANT_ID, TENANT),
        (vars::CLIENT_ID, CLIENT),
        (vars::CLIENT_CERTIFICATE_PATH, "/etc/app.pem"),
    ];
    let config = GraphConfig::from_lookup(lookup(&env)).unwrap().unwrap();
    assert_eq!(
        config.credential(),
        &Credential::CertificatePem("/etc/app.pem".into())
    );
}

#[test]
fn overrides_accept_https_and_loopback_http() {
    let mut env = secret_env();
    env.push((vars::AUTHORITY_HOST, "http://127.0.0.1:4010/"));
    env.push((vars::GRAPH_ENDPOINT, "http://127.0.0.1:4010"));
    let config = GraphConfig::from_lookup(lookup(&env)).unwrap().unwrap();
    assert_eq!(config.authority_host(), "http://127.0.0.1:4010");
    assert_eq!(config.scope(), "http://127.0.0.1:4010/.default");
    assert_eq!(
        config.token_url(),
        format!("http://127.0.0.1:4010/{TENANT}/oauth2/v2.0/token")
    );

    for ok in [
        "http://localhost:9",
        "http://[::1]:8080",
        "http://127.5.6.7",
        "https://graph.example.com/prefix/",
    ] {
        assert!(Endpoint::parse(vars::GRAPH_ENDPOINT, ok).is_ok(), "{ok}");
    }
    let prefixed =
        Endpoint::parse(vars::GRAPH_ENDPOINT, "https://graph.example.com/prefix/").unwrap();
    assert_eq!(prefixed.base(), "https://graph.example.com/prefix");
}

#[test]
fn overrides_refuse_plain_http_elsewhere_and_odd_urls() {
    for (bad, needle) in [
        ("http://graph.microsoft.com", "loopback"),
        ("http://10.0.0.1:4010", "loopback"),
        ("ftp://127.0.0.1", "scheme"),
        ("graph.microsoft.com", "absolute URL"),
        ("https://graph.microsoft.com/?x=1", "query"),
        ("https://user:pw@graph.microsoft.com", "user name"),
    ] {
        let mut env = secret_env();
        env.push((vars::GRAPH_ENDPOINT, bad));
        let err = GraphConfig::from_lookup(lookup(&env))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("GRAPH_ENDPOINT is invalid"), "{bad}: {err}");
        assert!(err.contains(needle), "{bad}: {err}");
        assert!(!err.contains("pw@"), "never echo a password: {err}");
    }
    let err = GraphConfig::new(
        Cloud::Global,
        TENANT,
        CLIENT,
        Credential::Secret(Secret::new("x")),
    )
    .unwrap()
    .with_authority_host("http://login.example.com")
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("AZURE_AUTHORITY_HOST is invalid"),
        "{err}"
    );
}

#[test]
fn malformed_ids_and_empty_secret_are_refused() {
    let secret = || Credential::Secret(Secret::new("x"));
    let err = GraphConfig::new(Cloud::Global, "contoso/../x", CLIENT, secret()).unwrap_err();
    assert!(
        err.to_string().starts_with("AZURE_TENANT_ID is invalid"),
        "{err}"
    );
    let err = GraphConfig::new(Cloud::Global, TENANT, "a b", secret()).unwrap_err();
    assert!(
        err.to_string().starts_with("AZURE_CLIENT_ID is invalid"),
        "{err}"
    );
    let err = GraphConfig::new(
        Cloud::Global,
        TENANT,
        CLIENT,
        Credential::Secret(Secret::new("")),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("AZURE_CLIENT_SECRET is invalid"),
        "{err}"
    );
    assert!(GraphConfig::new(Cloud::Global, "contoso.onmicrosoft.com", CLIENT, secret()).is_ok());
}

#[test]
fn tuning_is_clamped() {
    let config = GraphConfig::new(
        Cloud::Global,
        TENANT,
        CLIENT,
        Credential::Secret(Secret::new("x")),
    )
    .unwrap()
    .with_max_concurrent_windows(0)
    .with_max_pages_per_window(0);
    assert_eq!(config.max_concurrent_windows(), 1);
    assert_eq!(config.max_pages_per_window(), 1);
}

fn secret_config() -> GraphConfig {
    GraphConfig::new(
        Cloud::Global,
        TENANT,
        CLIENT,
        Credential::Secret(Secret::new("x")),
    )
    .unwrap()
}

#[test]
fn background_share_defaults_to_half_and_accepts_zero_to_one() {
    assert_eq!(secret_config().rate_limits().background_share, 0.5);
    for share in [f64::MIN_POSITIVE, 0.1, 0.5, 0.75, 1.0] {
        let config = secret_config().with_background_share(share).unwrap();
        assert_eq!(config.rate_limits().background_share, share);
        assert_eq!(
            config.rate_limits().limits,
            RateLimits::documented().limits,
            "only the share changes"
        );
    }
    let config = secret_config()
        .with_rate_limits(RateLimits::unlimited())
        .with_background_share(0.25)
        .unwrap();
    assert_eq!(config.rate_limits().background_share, 0.25);
    assert!(config.rate_limits().limits.is_empty());
}

#[test]
fn background_share_outside_zero_to_one_is_refused_naming_the_value() {
    for (bad, shown) in [
        (0.0, "0 is"),
        (-0.5, "-0.5 is"),
        (1.5, "1.5 is"),
        (f64::NAN, "NaN is"),
        (f64::INFINITY, "inf is"),
        (f64::NEG_INFINITY, "-inf is"),
    ] {
        let err = secret_config().with_background_share(bad).unwrap_err();
        assert!(
            matches!(err, ConfigError::Invalid { variable, .. } if variable == BACKGROUND_SHARE),
            "{bad}: {err:?}"
        );
        let text = err.to_string();
        assert!(
            text.starts_with("the background share is invalid: "),
            "{bad}: {text}"
        );
        assert!(text.contains(shown), "{bad}: {text}");
        assert!(text.contains("(0, 1]"), "{bad}: {text}");
    }
}
