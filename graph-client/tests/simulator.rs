//! End-to-end tests against graph-sim running in-process as a real HTTP server: totals per
//! currency equal the simulator's truth to the cent, under both readings of toDateTime, with
//! faults, short-lived tokens and enforced limits; and the identity platform's refusals.

mod common;

use std::time::Duration;

use common::sim::{self, assert_fetch_matches_truth, check_ranges, last_days, small_config};
use common::{CLIENT, TENANT, config_for, fixture, secret_client};
use graph_client::{
    AuthErrorKind, ConfigError, Credential, GraphClient, GraphConfig, GraphError, Priority,
    RateLimit, RateLimits, Secret, Window, merge_rows,
};
use graph_sim::{DEFAULT_CLIENT_SECRET, RetryAfterFormat, SimConfig, ToSemantics};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totals_match_the_truth_with_inclusive_to() {
    check_ranges(SimConfig {
        to_semantics: ToSemantics::Inclusive,
        ..small_config()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totals_match_the_truth_with_exclusive_to() {
    check_ranges(SimConfig {
        to_semantics: ToSemantics::Exclusive,
        ..small_config()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totals_match_the_truth_through_throttling_and_errors() {
    check_ranges(SimConfig {
        throttle_rate: 0.3,
        error_rate: 0.1,
        retry_after: Duration::ZERO,
        page_size: 80,
        ..small_config()
    })
    .await;
}

/// The simulator can also write `Retry-After` as an HTTP date (whole seconds, so waits of up to
/// a second or two each): a one-page range keeps this test short.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_as_an_http_date_is_honoured() {
    let sim = sim::start(SimConfig {
        throttle_rate: 0.3,
        retry_after: Duration::from_secs(1),
        retry_after_format: RetryAfterFormat::HttpDate,
        seed: 42, // its fault draws start with a single 429: a short test
        ..small_config()
    })
    .await;
    let client = secret_client(sim.base_url(), DEFAULT_CLIENT_SECRET);
    assert_fetch_matches_truth(&sim, &client, last_days(1)).await;
    let stats = sim::stats(&sim).await;
    assert!(
        stats["responses_by_status"]["429"].as_u64() >= Some(1),
        "a 429 was answered: {stats}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totals_match_the_truth_when_tokens_expire_mid_paging() {
    let sim = sim::start(SimConfig {
        token_ttl: Duration::from_secs(1),
        latency_ms: 200,
        page_size: 60,
        ..small_config()
    })
    .await;
    // One window at a time, so the paging takes several token lifetimes.
    let config = config_for(
        sim.base_url(),
        TENANT,
        CLIENT,
        Credential::Secret(Secret::new(DEFAULT_CLIENT_SECRET)),
    );
    let client = GraphClient::new(config.with_max_concurrent_windows(1)).unwrap();
    let started = std::time::Instant::now();
    assert_fetch_matches_truth(&sim, &client, last_days(400)).await;
    assert!(
        started.elapsed() > Duration::from_secs(2),
        "the fetch outlived several tokens"
    );
    let stats = sim::stats(&sim).await;
    let token_requests = stats["token_requests"]
        .as_u64()
        .unwrap_or_else(|| panic!("stats: {stats}"));
    assert!(
        token_requests > 1,
        "tokens were renewed during the fetch: {stats}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stays_inside_the_enforced_limits() {
    let sim = sim::start(SimConfig {
        enforce_limits: true,
        ..small_config()
    })
    .await;
    let client = secret_client(sim.base_url(), DEFAULT_CLIENT_SECRET);
    assert_fetch_matches_truth(&sim, &client, last_days(400)).await;
    let stats = sim::stats(&sim).await;
    assert!(
        stats["responses_by_status"]["429"].is_null(),
        "no request was throttled: {stats}"
    );
}

/// More requests than the documented 50 a period: the client's limiter must spread them so
/// the simulator, enforcing the limits, never answers 429. The simulator counts Graph's numbers
/// per 2 s instead of 60 s, and the client is given the same: the suite meets the limit in
/// seconds (without the limiter the burst is throttled and this fails).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limiter_keeps_a_long_fetch_inside_the_enforced_limits() {
    let period = Duration::from_secs(2);
    let sim = sim::start(SimConfig {
        enforce_limits: true,
        limit_period: period,
        page_size: 5,
        ..small_config()
    })
    .await;
    let limits = RateLimits {
        limits: vec![
            RateLimit {
                requests: 200,
                per: period,
            },
            RateLimit {
                requests: 50,
                per: period,
            },
        ],
        safety_margin: Duration::from_millis(200),
        ..RateLimits::documented()
    };
    let client = GraphClient::new(
        config_for(
            sim.base_url(),
            TENANT,
            CLIENT,
            Credential::Secret(Secret::new(DEFAULT_CLIENT_SECRET)),
        )
        .with_rate_limits(limits),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let report = client.fetch_report(last_days(400), |_| {}).await.unwrap();
    assert!(
        report.pages > 100,
        "enough pages to exceed the limit twice: {}",
        report.pages
    );
    assert_eq!(
        sim::totals_of(&report.rows),
        sim::truth(&sim, last_days(400)).await
    );
    let stats = sim::stats(&sim).await;
    assert!(
        stats["responses_by_status"]["429"].is_null(),
        "no request was throttled: {stats}"
    );
    // Paced, not stalled: about pages / 50 periods.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

/// The portal's background sync: one UTC day at [`Priority::Background`], over several pages,
/// with the `request-id` of the response that ended the day to record where it came from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_background_day_window_has_its_rows_and_last_request_id() {
    let sim = sim::start(SimConfig {
        page_size: 5,
        ..small_config()
    })
    .await;
    let client = secret_client(sim.base_url(), DEFAULT_CLIENT_SECRET);
    let day = last_days(1);
    let window = Window::new(day).unwrap();
    let fetched = client
        .fetch_window_with(window, Priority::Background, |_| {})
        .await
        .unwrap();
    assert_eq!(fetched.window, window);
    assert!(!fetched.rows.is_empty(), "the day has rows");
    assert!(fetched.pages > 1, "several pages: {}", fetched.pages);
    let (merged, _) = merge_rows([fetched.rows.clone()]).unwrap();
    assert_eq!(sim::totals_of(&merged), sim::truth(&sim, day).await);
    let request_id = fetched.request_id.expect("the last page's request-id");
    assert!(!request_id.trim().is_empty(), "{request_id:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_credential_works() {
    let certificate = std::fs::read_to_string(fixture("test-app-cert.pem")).unwrap();
    let sim = sim::start(SimConfig {
        client_certificate: Some(certificate),
        ..small_config()
    })
    .await;
    for pem in ["test-app.pem", "test-app-pkcs1.pem"] {
        let config = config_for(
            sim.base_url(),
            TENANT,
            CLIENT,
            Credential::CertificatePem(fixture(pem)),
        );
        let client = GraphClient::new(config).unwrap();
        assert_fetch_matches_truth(&sim, &client, last_days(30)).await;
    }
}

/// A PEM holding the chain, CA first, as chains are often exported: the client signs with the
/// leaf's thumbprint, the certificate registered on the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_chain_signs_for_the_leaf() {
    let leaf = std::fs::read_to_string(fixture("test-app-leaf-cert.pem")).unwrap();
    let sim = sim::start(SimConfig {
        client_certificate: Some(leaf.clone()),
        ..small_config()
    })
    .await;
    let key = std::fs::read(fixture("test-app.pem")).unwrap();
    let key: String = pem::parse_many(key)
        .unwrap()
        .iter()
        .filter(|block| block.tag() == "PRIVATE KEY")
        .map(pem::encode)
        .collect();
    let ca = std::fs::read_to_string(fixture("test-ca-cert.pem")).unwrap();
    let chain = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(chain.path(), [ca, leaf, key].concat()).unwrap();
    let config = config_for(
        sim.base_url(),
        TENANT,
        CLIENT,
        Credential::CertificatePem(chain.path().to_owned()),
    );
    let client = GraphClient::new(config).unwrap();
    assert_fetch_matches_truth(&sim, &client, last_days(3)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_token_reports_a_valid_token() {
    let sim = sim::start(small_config()).await;
    let status = secret_client(sim.base_url(), DEFAULT_CLIENT_SECRET)
        .check_token()
        .await
        .unwrap();
    assert!(status.expires_in > Duration::from_secs(3000), "{status:?}");
}

async fn auth_failure(config: GraphConfig) -> (AuthErrorKind, String) {
    let err = GraphClient::new(config)
        .unwrap()
        .fetch_report(last_days(1), |_| {})
        .await
        .unwrap_err();
    let text = err.to_string();
    match err {
        GraphError::Auth(auth) => (auth.kind, text),
        other => panic!("expected an identity-platform error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_is_a_clear_error_that_never_echoes_it() {
    let sim = sim::start(small_config()).await;
    let wrong = "Wr0ng~Secret.Value_123";
    let config = config_for(
        sim.base_url(),
        TENANT,
        CLIENT,
        Credential::Secret(Secret::new(wrong)),
    );
    let (kind, text) = auth_failure(config).await;
    assert_eq!(kind, AuthErrorKind::InvalidSecret, "{text}");
    assert!(text.contains("AZURE_CLIENT_SECRET"), "{text}");
    assert!(
        !text.contains(wrong) && !text.contains(DEFAULT_CLIENT_SECRET),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_tenant_is_a_clear_error() {
    let sim = sim::start(small_config()).await;
    let config = config_for(
        sim.base_url(),
        "99999999-9999-4999-8999-999999999999",
        CLIENT,
        Credential::Secret(Secret::new(DEFAULT_CLIENT_SECRET)),
    );
    let (kind, text) = auth_failure(config).await;
    assert_eq!(kind, AuthErrorKind::TenantNotFound, "{text}");
    assert!(text.contains("AZURE_TENANT_ID"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_app_is_a_clear_error() {
    let sim = sim::start(small_config()).await;
    let config = config_for(
        sim.base_url(),
        TENANT,
        "33333333-3333-4333-8333-333333333333",
        Credential::Secret(Secret::new(DEFAULT_CLIENT_SECRET)),
    );
    let (kind, text) = auth_failure(config).await;
    assert_eq!(kind, AuthErrorKind::AppNotFoundInTenant, "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scope_for_another_graph_is_a_clear_error() {
    let sim = sim::start(small_config()).await;
    // Same server, other spelling: the scope is no longer the simulator's own.
    let localhost = sim.base_url().replace("127.0.0.1", "localhost");
    let config = config_for(
        sim.base_url(),
        TENANT,
        CLIENT,
        Credential::Secret(Secret::new(DEFAULT_CLIENT_SECRET)),
    )
    .with_graph_endpoint(&localhost)
    .unwrap();
    let (kind, text) = auth_failure(config).await;
    assert_eq!(kind, AuthErrorKind::InvalidScope, "{text}");
    assert!(
        text.contains("[AADSTS500011: The resource principal named"),
        "{text}"
    );
    assert!(
        text.contains("the resource named by the scope was not found in the tenant")
            && text.contains("https://graph.microsoft.com/.default in the global cloud"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_report_permission_names_it() {
    let sim = sim::start(SimConfig {
        app_permissions: vec!["User.Read.All".into()],
        ..small_config()
    })
    .await;
    let err = secret_client(sim.base_url(), DEFAULT_CLIENT_SECRET)
        .fetch_report(last_days(1), |_| {})
        .await
        .unwrap_err();
    let text = err.to_string();
    let GraphError::Api(api) = &err else {
        panic!("expected Graph's refusal, got {err:?}")
    };
    assert_eq!((api.status, api.code.as_deref()), (403, Some("Forbidden")));
    assert!(
        text.contains("API requires one of 'CallRecords.Read.All'"),
        "{text}"
    );
    assert!(
        text.contains(
            "Fix: the app needs the Microsoft Graph application permission CallRecords.Read.All"
        ) && text.contains("admin consent granted"),
        "{text}"
    );
    assert!(err.request_id().is_some(), "{text}");
}

#[tokio::test]
async fn the_china_cloud_is_refused_before_any_request() {
    let vars = [
        ("GRAPH_CLOUD", "china"),
        ("AZURE_TENANT_ID", TENANT),
        ("AZURE_CLIENT_ID", CLIENT),
        ("AZURE_CLIENT_SECRET", "x"),
    ];
    let err = GraphConfig::from_lookup(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    })
    .unwrap_err();
    assert_eq!(err, ConfigError::ChinaCloud);
    assert!(
        err.to_string()
            .contains("not offered in the China cloud operated by 21Vianet"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environment_configuration_reaches_the_simulator() {
    let sim = sim::start(small_config()).await;
    let base = sim.base_url().to_owned();
    let vars = [
        ("AZURE_TENANT_ID", TENANT.to_owned()),
        ("AZURE_CLIENT_ID", CLIENT.to_owned()),
        ("AZURE_CLIENT_SECRET", DEFAULT_CLIENT_SECRET.to_owned()),
        ("AZURE_AUTHORITY_HOST", base.clone()),
        ("GRAPH_ENDPOINT", base),
    ];
    let config = GraphConfig::from_lookup(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    })
    .unwrap()
    .expect("credentials are configured");
    let client = GraphClient::new(config.with_retry(common::fast_retry())).unwrap();
    assert_fetch_matches_truth(&sim, &client, last_days(3)).await;
}
