use std::collections::HashMap;
use std::time::Duration;

use chrono::NaiveDate;

use super::*;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

fn load(file: &str, pairs: &[(&str, &str)]) -> Result<PortalConfig, ConfigError> {
    let file = FileSettings::parse(file).map_err(|problem| ConfigError::File {
        path: "test.toml".into(),
        problem,
    })?;
    PortalConfig::from_layers(&file, env(pairs))
}

fn error(file: &str, pairs: &[(&str, &str)]) -> String {
    load(file, pairs).unwrap_err().to_string()
}

fn demo(config: &PortalConfig) -> &SimConfig {
    match &config.graph {
        GraphSource::Demo(sim) => sim,
        GraphSource::Tenant(_) => panic!("expected demo mode"),
    }
}

#[test]
fn connection_limits_and_graph_shares_are_read_from_the_file_and_the_environment() {
    let file = "PORTAL_MAX_CONNECTIONS = 2000\nPORTAL_GRAPH_WINDOWS_BURST = 90\n";
    let config = load(
        file,
        &[
            ("PORTAL_MAX_CONNECTIONS_PER_CLIENT", "2000"),
            ("PORTAL_HEADER_READ_TIMEOUT_SECS", "5"),
            ("PORTAL_BODY_READ_TIMEOUT_SECS", "20"),
            ("PORTAL_GRAPH_WINDOWS_PER_MINUTE", "45"),
            ("PORTAL_REFRESH_COOLDOWN_SECS", "0"),
        ],
    )
    .unwrap();
    let server = &config.server;
    assert_eq!(server.connections.max_connections, 2000);
    assert_eq!(server.connections.max_per_client, 2000);
    assert_eq!(
        server.connections.header_read_timeout,
        Duration::from_secs(5)
    );
    assert_eq!(server.body_read_timeout, Duration::from_secs(20));
    assert_eq!(server.quota.windows_per_minute, 45);
    assert_eq!(server.quota.burst, 90);
    assert_eq!(server.quota.refresh_cooldown, Duration::ZERO);
    // The documented defaults.
    let defaults = load("", &[]).unwrap().server;
    assert_eq!(defaults.connections.max_connections, 512);
    assert_eq!(defaults.connections.max_per_client, 128);
    assert_eq!(
        defaults.connections.header_read_timeout,
        Duration::from_secs(10)
    );
    assert_eq!(defaults.body_read_timeout, Duration::from_secs(30));
    assert_eq!(defaults.quota.windows_per_minute, 30);
    assert_eq!(defaults.quota.burst, 60);
    assert_eq!(defaults.quota.refresh_cooldown, Duration::from_secs(300));
}

#[test]
fn the_reporting_line_scope_needs_sign_in_and_names_its_all_role() {
    let proxy = [
        ("PORTAL_AUTH", "proxy"),
        ("PORTAL_PROXY_USER_HEADER", "X-Forwarded-User"),
        ("PORTAL_TRUSTED_PROXIES", "127.0.0.1"),
    ];
    let scope = |extra: &[(&'static str, &'static str)]| {
        let mut pairs = proxy.to_vec();
        pairs.extend_from_slice(extra);
        let config = load("", &pairs).unwrap();
        let AuthSettings::Proxy(proxy) = config.server.auth else {
            panic!("expected proxy");
        };
        proxy.scope
    };
    use app::report::scope::ScopeRule;
    assert_eq!(scope(&[]), ScopeRule::Everyone);
    assert_eq!(
        scope(&[("PORTAL_SCOPE", "Reporting-Line")]),
        ScopeRule::ReportingLine {
            all_role: "DialoutReports.ReadAll".into()
        }
    );
    assert_eq!(
        scope(&[
            ("PORTAL_SCOPE", "reporting-line"),
            ("PORTAL_ALL_ROLE", "Finance.All")
        ]),
        ScopeRule::ReportingLine {
            all_role: "Finance.All".into()
        }
    );
    for (pairs, setting, says) in [
        (
            vec![("PORTAL_SCOPE", "team")],
            "PORTAL_SCOPE",
            "everyone, reporting-line",
        ),
        (
            vec![("PORTAL_ALL_ROLE", "Finance.All")],
            "PORTAL_ALL_ROLE",
            "only with PORTAL_SCOPE=reporting-line",
        ),
        (
            vec![
                ("PORTAL_SCOPE", "reporting-line"),
                ("PORTAL_ALL_ROLE", "Finance All"),
            ],
            "PORTAL_ALL_ROLE",
            "no spaces",
        ),
    ] {
        let mut all = proxy.to_vec();
        all.extend(pairs);
        let message = error("", &all);
        assert!(
            message.contains(setting) && message.contains(says),
            "{message}"
        );
    }
    // Without sign-in nobody can be scoped.
    let message = error(
        "",
        &[("PORTAL_AUTH", "none"), ("PORTAL_SCOPE", "reporting-line")],
    );
    assert!(
        message.contains("PORTAL_SCOPE") && message.contains("PORTAL_AUTH=entra or proxy"),
        "{message}"
    );
}

#[test]
fn the_store_is_a_sqlite_file_or_a_postgresql_database() {
    let url = |value: &'static str| {
        load("", &[("PORTAL_DATABASE_URL", value)]).map(|config| config.store.database_url)
    };
    assert_eq!(
        url("postgres://portal:pw@db.internal/dialout?sslmode=verify-full").unwrap(),
        Some("postgres://portal:pw@db.internal/dialout?sslmode=verify-full".into())
    );
    assert!(url("postgresql://db/dialout").is_ok() && url("sqlite://x.db").is_ok());
    let refused = error("", &[("PORTAL_DATABASE_URL", "mysql://root:hunter2@db/x")]);
    assert!(
        refused.contains("PORTAL_DATABASE_URL")
            && refused.contains("postgres://")
            && !refused.contains("hunter2"),
        "{refused}"
    );
}

#[test]
fn a_proxy_with_a_public_url_has_it_checked() {
    let proxy = [
        ("PORTAL_AUTH", "proxy"),
        ("PORTAL_PROXY_USER_HEADER", "X-Forwarded-User"),
        ("PORTAL_TRUSTED_PROXIES", "127.0.0.1"),
    ];
    let without = load("", &proxy).unwrap();
    assert!(without.server.auth.public_url().is_none());
    let mut with = proxy.to_vec();
    with.push(("PORTAL_PUBLIC_URL", "https://dialout.contoso.com"));
    let config = load("", &with).unwrap();
    assert_eq!(
        config.server.auth.public_url().unwrap().as_str(),
        "https://dialout.contoso.com/"
    );
    with.pop();
    with.push(("PORTAL_PUBLIC_URL", "http://dialout.contoso.com"));
    assert!(error("", &with).contains("PORTAL_PUBLIC_URL"));
}

#[test]
fn nothing_configured_means_demo_mode_with_the_documented_defaults() {
    let config = load("", &[]).unwrap();
    assert_eq!(config.site_addr.to_string(), "127.0.0.1:3000");
    assert_eq!(config.server.frame_ancestors.as_str(), "'self'");
    assert_eq!(config.server.request_timeout, Duration::from_secs(600));
    assert_eq!(config.server.body_limit, 65536);
    assert_eq!(config.server.cache.lag_days, 2);
    assert_eq!(config.server.cache.max_rows, 1_000_000);
    let sim = demo(&config);
    assert_eq!((sim.seed, sim.users, sim.latency_ms), (42, 2000, 0));
    assert_eq!((sim.error_rate, sim.throttle_rate), (0.0, 0.0));
    assert!(config.warnings.is_empty());
}

#[test]
fn every_setting_is_read_and_the_environment_overrides_the_file() {
    let file = r#"
        LEPTOS_SITE_ADDR = "127.0.0.1:4000"
        PORTAL_FRAME_ANCESTORS = "'self' https://teams.microsoft.com"
        PORTAL_CACHE_RECENT_TTL_SECS = 60
        PORTAL_CACHE_SETTLED_TTL_SECS = 3600
        PORTAL_CACHE_LAG_DAYS = 3
        PORTAL_CACHE_MAX_ROWS = 5000
        PORTAL_REQUEST_TIMEOUT_SECS = 30
        PORTAL_BODY_LIMIT_BYTES = 2048
        PORTAL_DEMO_SEED = 7
        PORTAL_DEMO_USERS = 100
        PORTAL_DEMO_TODAY = "2026-03-01"
        PORTAL_DEMO_LATENCY_MS = 5
        PORTAL_DEMO_ERROR_RATE = 0.25
        PORTAL_DEMO_THROTTLE_RATE = 0.5
    "#;
    let env_with_key = |key: &'static str| {
        [
            ("LEPTOS_SITE_ADDR", "0.0.0.0:8080"),
            ("PORTAL_DEMO_USERS", " 300 "),
            // Off loopback, sign-in is required.
            ("PORTAL_AUTH", "entra"),
            ("PORTAL_PUBLIC_URL", "https://dialout.contoso.com"),
            ("PORTAL_REQUIRED_ROLE", "Reports.Dialout"),
            ("PORTAL_SESSION_KEY", key),
            ("PORTAL_SESSION_IDLE_MINUTES", "30"),
            ("PORTAL_SESSION_MAX_MINUTES", "480"),
        ]
    };
    // A key of 6 bytes is too short.
    let short = error(file, &env_with_key("QUFB\nQUFB"));
    assert!(short.contains("PORTAL_SESSION_KEY"), "{short}");
    // 69 bytes, wrapped as `openssl rand -base64` wraps: the line break is not part of it.
    let key = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\nQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB";
    let config = load(file, &env_with_key(key)).unwrap();
    let AuthSettings::Entra(entra) = &config.server.auth else {
        panic!("expected entra");
    };
    assert_eq!(entra.issuer, Issuer::EmbeddedSimulator);
    assert_eq!(entra.client_id, graph_sim::DEFAULT_OIDC_CLIENT_ID);
    assert_eq!(entra.public_url.as_str(), "https://dialout.contoso.com/");
    assert_eq!(entra.required_role, "Reports.Dialout");
    assert_eq!(entra.session.key.as_ref().map(Vec::len), Some(69));
    assert_eq!(entra.session.idle, Duration::from_secs(30 * 60));
    assert_eq!(entra.session.absolute, Duration::from_secs(8 * 60 * 60));
    assert_eq!(config.site_addr.to_string(), "0.0.0.0:8080");
    assert_eq!(
        config.server.frame_ancestors.as_str(),
        "'self' https://teams.microsoft.com"
    );
    let cache = &config.server.cache;
    assert_eq!(cache.recent_ttl, Duration::from_secs(60));
    assert_eq!(cache.settled_ttl, Duration::from_secs(3600));
    assert_eq!((cache.lag_days, cache.max_rows), (3, 5000));
    assert_eq!(config.server.request_timeout, Duration::from_secs(30));
    assert_eq!(config.server.body_limit, 2048);
    let sim = demo(&config);
    assert_eq!((sim.seed, sim.users, sim.latency_ms), (7, 300, 5));
    assert_eq!(sim.today, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
    assert_eq!((sim.error_rate, sim.throttle_rate), (0.25, 0.5));
}

#[test]
fn an_empty_variable_unsets_the_file_value() {
    let config = load("PORTAL_DEMO_USERS = 5", &[("PORTAL_DEMO_USERS", "")]).unwrap();
    assert_eq!(demo(&config).users, 2000);
}

#[test]
fn graph_credentials_come_from_file_and_environment_and_demo_settings_are_then_ignored() {
    let file = r#"
        AZURE_TENANT_ID = "contoso.onmicrosoft.com"
        AZURE_CLIENT_ID = "app-id"
        PORTAL_DEMO_USERS = 5
    "#;
    let config = load(
        file,
        &[
            ("AZURE_CLIENT_SECRET", "s3cret-value"),
            ("PORTAL_AUTH", "none"),
        ],
    )
    .unwrap();
    let GraphSource::Tenant(graph) = &config.graph else {
        panic!("expected the tenant");
    };
    assert_eq!(graph.tenant_id(), "contoso.onmicrosoft.com");
    assert_eq!(config.warnings.len(), 1);
    assert!(config.warnings[0].contains("PORTAL_DEMO_USERS"));
    // An empty variable in the environment switches a file's credential off: demo mode again.
    let blanked = load(file, &[("AZURE_TENANT_ID", ""), ("AZURE_CLIENT_ID", "")]).unwrap();
    assert!(matches!(blanked.graph, GraphSource::Demo(_)));
}

/// A file, environment variables, and the setting the error must name.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

#[test]
fn errors_name_the_setting_and_never_show_a_secret() {
    let cases: &[Case<'_>] = &[
        ("", &[("LEPTOS_SITE_ADDR", "localhost")], "LEPTOS_SITE_ADDR"),
        (
            "",
            &[("PORTAL_CACHE_LAG_DAYS", "two")],
            "PORTAL_CACHE_LAG_DAYS",
        ),
        (
            "",
            &[("PORTAL_CACHE_LAG_DAYS", "400")],
            "PORTAL_CACHE_LAG_DAYS",
        ),
        (
            "",
            &[("PORTAL_CACHE_RECENT_TTL_SECS", "0")],
            "PORTAL_CACHE_RECENT_TTL_SECS",
        ),
        (
            "",
            &[("PORTAL_CACHE_SETTLED_TTL_SECS", "-1")],
            "PORTAL_CACHE_SETTLED_TTL_SECS",
        ),
        (
            "",
            &[("PORTAL_CACHE_MAX_ROWS", "0")],
            "PORTAL_CACHE_MAX_ROWS",
        ),
        (
            "",
            &[("PORTAL_REQUEST_TIMEOUT_SECS", "1e9")],
            "PORTAL_REQUEST_TIMEOUT_SECS",
        ),
        (
            "",
            &[("PORTAL_BODY_LIMIT_BYTES", "10")],
            "PORTAL_BODY_LIMIT_BYTES",
        ),
        (
            "",
            &[("PORTAL_DEMO_TODAY", "2026-02-30")],
            "PORTAL_DEMO_TODAY",
        ),
        (
            "",
            &[("PORTAL_DEMO_TODAY", "2026-3-1")],
            "PORTAL_DEMO_TODAY",
        ),
        ("", &[("PORTAL_DEMO_SEED", "-3")], "PORTAL_DEMO_SEED"),
        (
            "",
            &[("PORTAL_DEMO_USERS", "99999999")],
            "PORTAL_DEMO_USERS",
        ),
        (
            "",
            &[("PORTAL_DEMO_LATENCY_MS", "fast")],
            "PORTAL_DEMO_LATENCY_MS",
        ),
        (
            "",
            &[("PORTAL_DEMO_ERROR_RATE", "1.5")],
            "PORTAL_DEMO_ERROR_RATE",
        ),
        (
            "",
            &[("PORTAL_DEMO_THROTTLE_RATE", "NaN")],
            "PORTAL_DEMO_THROTTLE_RATE",
        ),
        (
            "",
            &[
                ("PORTAL_DEMO_ERROR_RATE", "0.6"),
                ("PORTAL_DEMO_THROTTLE_RATE", "0.6"),
            ],
            "PORTAL_DEMO_THROTTLE_RATE",
        ),
        (
            "",
            &[("PORTAL_FRAME_ANCESTORS", "'self'; script-src *")],
            "PORTAL_FRAME_ANCESTORS",
        ),
        (
            "",
            &[("PORTAL_FRAME_ANCESTORS", "'none' 'self'")],
            "PORTAL_FRAME_ANCESTORS",
        ),
        (
            "",
            &[("PORTAL_FRAME_ANCESTORS", "'unsafe-inline'")],
            "PORTAL_FRAME_ANCESTORS",
        ),
        (
            "",
            &[("PORTAL_FRAME_ANCESTORS", "*")],
            "PORTAL_FRAME_ANCESTORS",
        ),
        (
            "",
            &[("PORTAL_MAX_CONNECTIONS", "0")],
            "PORTAL_MAX_CONNECTIONS",
        ),
        (
            "",
            &[("PORTAL_MAX_CONNECTIONS_PER_CLIENT", "many")],
            "PORTAL_MAX_CONNECTIONS_PER_CLIENT",
        ),
        (
            "",
            &[("PORTAL_HEADER_READ_TIMEOUT_SECS", "301")],
            "PORTAL_HEADER_READ_TIMEOUT_SECS",
        ),
        (
            "",
            &[("PORTAL_BODY_READ_TIMEOUT_SECS", "0")],
            "PORTAL_BODY_READ_TIMEOUT_SECS",
        ),
        (
            "",
            &[("PORTAL_GRAPH_WINDOWS_PER_MINUTE", "0")],
            "PORTAL_GRAPH_WINDOWS_PER_MINUTE",
        ),
        (
            "",
            &[("PORTAL_GRAPH_WINDOWS_BURST", "-1")],
            "PORTAL_GRAPH_WINDOWS_BURST",
        ),
        (
            "",
            &[("PORTAL_REFRESH_COOLDOWN_SECS", "86401")],
            "PORTAL_REFRESH_COOLDOWN_SECS",
        ),
        (
            "",
            &[
                ("AZURE_TENANT_ID", "t"),
                ("AZURE_CLIENT_SECRET", "s3cret-value"),
            ],
            "AZURE_CLIENT_ID",
        ),
        ("", &[("GRAPH_CLOUD", "china")], "GRAPH_CLOUD"),
        ("PORTAL_DEMO_USER = 5", &[], "PORTAL_DEMO_USER"),
        ("PORTAL_DEMO_USERS = [1, 2]", &[], "PORTAL_DEMO_USERS"),
        ("AZURE_CLIENT_SECRET = \"s3cret-value", &[], "line 1"),
    ];
    for (file, pairs, setting) in cases {
        let message = error(file, pairs);
        assert!(
            message.contains(setting),
            "{pairs:?}: {message:?} should name {setting}"
        );
        assert!(!message.contains("s3cret"), "a secret leaked: {message:?}");
    }
}

#[test]
fn frame_ancestors_accept_keywords_and_https_origins_only() {
    for good in [
        "'self'",
        "'none'",
        "'SELF' https://intranet.contoso.com",
        "https://teams.microsoft.com https://*.cloud.microsoft https://*.sharepoint.com:443",
        "'self' http://localhost:3190 http://127.0.0.1:8080",
    ] {
        assert!(FrameAncestors::parse(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        "   ",
        "'self',https://a.example",
        "https://a.example;",
        "\"self\"",
        "/path",
        "*",
        "https:",
        "http:",
        "data:",
        "javascript:",
        "http://intranet.contoso.com",
        "*.sharepoint.com",
        "https://*",
        "https://a.example/path",
        "'unsafe-inline'",
        "'self' 'none'",
    ] {
        assert!(FrameAncestors::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn sign_in_defaults_and_refusals() {
    // Demo mode on loopback: no sign-in unless asked.
    assert!(matches!(
        load("", &[]).unwrap().server.auth,
        AuthSettings::None
    ));
    let tenant = [
        ("AZURE_TENANT_ID", "0b0c1d2e-3f40-4152-8364-758697a8b9c0"),
        ("AZURE_CLIENT_ID", "app-id"),
        ("AZURE_CLIENT_SECRET", "graph-secret-value"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut pairs = tenant.to_vec();
        pairs.extend_from_slice(extra);
        pairs
    };
    // Real credentials: sign-in is on by default, and needs its app.
    let missing = error("", &tenant);
    assert!(missing.contains("PORTAL_OIDC_CLIENT_ID"), "{missing}");
    let config = load(
        "",
        &with(&[
            ("PORTAL_OIDC_CLIENT_ID", "sign-in-app"),
            ("PORTAL_OIDC_CLIENT_SECRET", "oidc-secret-value"),
        ]),
    )
    .unwrap();
    let AuthSettings::Entra(entra) = &config.server.auth else {
        panic!("expected entra");
    };
    assert_eq!(
        entra.issuer,
        Issuer::Url(
            "https://login.microsoftonline.com/0b0c1d2e-3f40-4152-8364-758697a8b9c0/v2.0".into()
        )
    );
    assert_eq!(entra.public_url.as_str(), "http://127.0.0.1:3000/");
    assert!(
        config
            .warnings
            .iter()
            .any(|w| w.contains("PORTAL_SESSION_KEY"))
    );
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("LEPTOS_SITE_ADDR", "0.0.0.0:3000")], "PORTAL_AUTH"),
        (
            &[
                ("LEPTOS_SITE_ADDR", "0.0.0.0:3000"),
                ("PORTAL_AUTH", "none"),
            ],
            "PORTAL_AUTH",
        ),
        (&[("PORTAL_AUTH", "sso")], "PORTAL_AUTH"),
        (
            &[
                ("PORTAL_AUTH", "entra"),
                ("PORTAL_PUBLIC_URL", "http://dialout.contoso.com"),
            ],
            "PORTAL_PUBLIC_URL",
        ),
        (
            &[
                ("PORTAL_AUTH", "entra"),
                ("PORTAL_PUBLIC_URL", "https://contoso.com/dialout"),
            ],
            "PORTAL_PUBLIC_URL",
        ),
        (
            &[
                ("PORTAL_AUTH", "entra"),
                ("PORTAL_SESSION_IDLE_MINUTES", "900"),
            ],
            "PORTAL_SESSION_IDLE_MINUTES",
        ),
        (&[("PORTAL_AUTH", "proxy")], "PORTAL_PROXY_USER_HEADER"),
        (
            &[
                ("PORTAL_AUTH", "proxy"),
                ("PORTAL_PROXY_USER_HEADER", "X-Forwarded-User"),
            ],
            "PORTAL_TRUSTED_PROXIES",
        ),
        (
            &[
                ("PORTAL_AUTH", "proxy"),
                ("PORTAL_PROXY_USER_HEADER", "X-Forwarded-User"),
                ("PORTAL_TRUSTED_PROXIES", "10.0.0.0/8, proxy.local"),
            ],
            "PORTAL_TRUSTED_PROXIES",
        ),
    ];
    for (pairs, setting) in cases {
        let message = error("", pairs);
        assert!(message.contains(setting), "{pairs:?}: {message}");
    }
    // Entra names the tenant by its id in the issuer: a domain name cannot match.
    let domain = error(
        "",
        &[
            ("AZURE_TENANT_ID", "contoso.onmicrosoft.com"),
            ("AZURE_CLIENT_ID", "app-id"),
            ("AZURE_CLIENT_SECRET", "graph-secret-value"),
            ("PORTAL_OIDC_CLIENT_ID", "sign-in-app"),
            ("PORTAL_OIDC_CLIENT_SECRET", "oidc-secret-value"),
        ],
    );
    assert!(
        domain.contains("AZURE_TENANT_ID") && !domain.contains("secret-value"),
        "{domain}"
    );
    let proxy = load(
        "",
        &[
            ("PORTAL_AUTH", "proxy"),
            ("PORTAL_PROXY_USER_HEADER", "X-Forwarded-User"),
            ("PORTAL_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.5"),
        ],
    )
    .unwrap();
    let AuthSettings::Proxy(settings) = &proxy.server.auth else {
        panic!("expected proxy");
    };
    assert_eq!(settings.trusted.len(), 2);
}

#[test]
fn budgets_and_their_webhook_are_read_or_refused_by_name() {
    let config = load(
        "PORTAL_BUDGETS = \"EUR=4000.50\"\n",
        &[
            ("PORTAL_BUDGETS", "usd=5000, EUR=4000"),
            (
                "PORTAL_BUDGET_WEBHOOK",
                "https://contoso.webhook.office.com/webhookb2/abc",
            ),
        ],
    )
    .unwrap();
    let budgets = &config.server.budgets;
    assert_eq!(budgets["USD"].to_string(), "5000");
    assert_eq!(budgets["EUR"].to_string(), "4000");
    assert!(config.server.budget_webhook.is_some());
    // From the file alone; none by default.
    let file_only = load("PORTAL_BUDGETS = \"EUR=4000.50\"\n", &[]).unwrap();
    assert_eq!(file_only.server.budgets["EUR"].to_string(), "4000.50");
    assert!(load("", &[]).unwrap().server.budgets.is_empty());
    // A local receiver over plain HTTP is fine; a remote one is not.
    for good in ["http://127.0.0.1:9000/hook", "http://localhost/hook"] {
        assert!(
            load("", &[("PORTAL_BUDGET_WEBHOOK", good)]).is_ok(),
            "{good}"
        );
    }
    for (pairs, says) in [
        (
            ("PORTAL_BUDGETS", "USD"),
            "PORTAL_BUDGETS is invalid: `USD` is not CURRENCY=AMOUNT",
        ),
        (("PORTAL_BUDGETS", "USD=0"), "must be a positive amount"),
        (
            ("PORTAL_BUDGETS", "DOLLARS=5"),
            "three-letter currency code",
        ),
        (
            ("PORTAL_BUDGET_WEBHOOK", "http://hooks.example/x"),
            "PORTAL_BUDGET_WEBHOOK is invalid",
        ),
        (("PORTAL_BUDGET_WEBHOOK", "not a url"), "not a URL"),
    ] {
        let message = error("", &[pairs]);
        assert!(message.contains(says), "{message}");
    }
}
