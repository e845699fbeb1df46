use std::time::Duration;

use app::model::{FetchState, FetchStatus};
use dialout_portal::security::FrameAncestors;
use dialout_portal::{GraphConnection, GraphSource, PortalConfig, ServerSettings};
use graph_sim::SimConfig;

use crate::common::{Portal, sim_config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_in_demo_mode() {
    let portal = Portal::demo(sim_config()).await;
    let health: serde_json::Value = portal.get("/healthz").await.json().await.unwrap();
    assert_eq!(health["status"], "up");
    assert_eq!(health["mode"], "demo");
    let simulator = health["simulator"].as_str().unwrap();
    assert!(simulator.starts_with("http://127.0.0.1:"), "{simulator}");
    let ready = portal.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["mode"], "demo");
    // The test portal synced the simulator's history (and today) before serving.
    let history = &ready["history"];
    let window = u64::from(sim_config().history_days) + 1;
    assert_eq!(history["window_days"], window, "{history}");
    assert_eq!(history["stored_days"], window, "{history}");
    assert_eq!(history["loading_days"], 0, "{history}");
    assert_eq!(history["to"], sim_config().today.to_string(), "{history}");
    assert_eq!(history["within_lag_days"], 3, "{history}");
    // What the sync learnt: the report answers, and how Graph reads toDateTime.
    assert_eq!(history["report"], "ok", "{history}");
    assert_eq!(history["to_datetime_reading"], "last-tick", "{history}");
    let summary = history["summary"].as_str().unwrap();
    assert!(summary.starts_with("history from "), "{summary}");
    assert!(
        summary.contains("3 days still within Graph's lag"),
        "{summary}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_fails_with_the_reason_when_the_secret_is_wrong() {
    // A tenant configured as an operator would, pointing at a simulator, with a wrong secret.
    let sim_config = SimConfig {
        users: 10,
        ..sim_config()
    };
    let sim = graph_sim::start(sim_config.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let env = |name: &str| -> Option<String> {
        Some(match name {
            "AZURE_TENANT_ID" => sim_config.tenant_id.clone(),
            "AZURE_CLIENT_ID" => sim_config.client_id.clone(),
            "AZURE_CLIENT_SECRET" => "not-the-secret".to_owned(),
            "AZURE_AUTHORITY_HOST" | "GRAPH_ENDPOINT" => sim.base_url().to_owned(),
            // Loopback: readiness is what this test is about, not sign-in.
            "PORTAL_AUTH" => "none".to_owned(),
            _ => return None,
        })
    };
    let config = PortalConfig::from_layers(&Default::default(), env).unwrap();
    let GraphSource::Tenant(graph) = config.graph else {
        panic!("credentials are configured");
    };
    let connection = GraphConnection::tenant(graph).unwrap();
    let portal = Portal::empty(connection, sim_config.clone(), config.server).await;
    let health: serde_json::Value = portal.get("/healthz").await.json().await.unwrap();
    assert_eq!(health["mode"], "graph");
    let tokens = || async {
        let url = format!("{}/_sim/stats", sim.base_url());
        let stats: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
        stats["token_requests"].as_u64().unwrap()
    };
    let before = tokens().await;
    // Anyone may call it: a reason code only (AADSTS7000215, invalid secret, is in the log).
    for _ in 0..20 {
        let ready = portal.get("/readyz").await;
        assert_eq!(ready.status(), 503);
        let body: serde_json::Value = ready.json().await.unwrap();
        assert_eq!(body["status"], "unavailable");
        assert_eq!(body["reason"], "credential_rejected", "{body}");
        let text = body.to_string();
        for secret in ["AADSTS", "not-the-secret", sim_config.client_id.as_str()] {
            assert!(!text.contains(secret), "{text}");
        }
    }
    // The verdict is kept (and backs off): one token request for twenty calls.
    assert_eq!(tokens().await - before, 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_the_security_headers_and_the_csp_nonce_of_their_scripts() {
    let connection = GraphConnection::demo(sim_config()).await.unwrap();
    let settings = ServerSettings {
        frame_ancestors: FrameAncestors::parse("'self' https://teams.microsoft.com").unwrap(),
        ..ServerSettings::default()
    };
    let portal = Portal::start(connection, sim_config(), settings).await;
    let response = portal.get("/").await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert!(headers.get("x-frame-options").is_none());
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert!(headers.contains_key("x-request-id"));
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.ends_with("frame-ancestors 'self' https://teams.microsoft.com"),
        "{csp}"
    );
    assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("style-src 'self' 'unsafe-inline'"));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a script nonce");
    assert!(nonce.len() >= 16, "{nonce}");
    let html = response.text().await.unwrap();
    let inline_scripts = html.matches("<script").count() - html.matches("<script src=").count();
    assert!(inline_scripts > 0, "the hydration script is inline");
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        inline_scripts,
        "every inline script carries the header's nonce: {html}"
    );
    // Another request, another nonce.
    let again = portal.get("/").await;
    assert_ne!(
        again.headers()["content-security-policy"].to_str().unwrap(),
        csp
    );
    // Other responses carry the headers too; a client's request id is kept.
    let health = portal
        .http
        .get(portal.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(health.headers()["x-request-id"], "abc-123");
    assert_eq!(health.headers()["x-content-type-options"], "nosniff");
    assert!(health.headers().contains_key("content-security-policy"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_are_compressed_and_large_bodies_refused() {
    let portal = Portal::demo(sim_config()).await;
    let encoding = |path: &'static str, accepted: &'static str| {
        let request = portal
            .http
            .get(portal.url(path))
            .header("accept-encoding", accepted);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            response
                .headers()
                .get("content-encoding")
                .map(|value| value.to_str().unwrap().to_string())
        }
    };
    // Pages are gzipped (brotli cost a third of the server's time on each page); the static
    // files a browser keeps go as brotli when it is taken.
    assert_eq!(encoding("/", "gzip, br").await.as_deref(), Some("gzip"));
    assert_eq!(encoding("/", "br").await, None);
    assert_eq!(
        encoding("/embed-height.js", "gzip, br").await.as_deref(),
        Some("br")
    );
    assert_eq!(
        encoding("/embed-height.js", "gzip").await.as_deref(),
        Some("gzip")
    );
    let big = "x".repeat(ServerSettings::default().body_limit + 1);
    let response = portal.server_fn("summary", &big).await;
    assert_eq!(response.status(), 413);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_events_follow_a_fetch_and_say_idle_otherwise() {
    // Slow pages, so the fetch is still running when the events are asked for.
    let slow = SimConfig {
        latency_ms: 150,
        page_size: 20,
        ..sim_config()
    };
    let portal = Portal::demo_empty(slow).await;
    let query = "from=2026-02-01&to=2026-02-28";
    assert_eq!(
        portal.progress_events(query).await,
        [FetchStatus::default()]
    );

    let fetch = portal.server_fn("summary", query);
    let follow = async {
        for _ in 0..100 {
            let events = portal.progress_events(query).await;
            if events
                .first()
                .is_some_and(|e| e.state == FetchState::Fetching)
            {
                return events;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("never saw the fetch running");
    };
    let (response, events) = tokio::join!(fetch, follow);
    assert_eq!(response.status(), 200);
    let last = events.last().unwrap();
    assert_eq!(last.state, FetchState::Done, "{events:?}");
    assert!(
        events[..events.len() - 1]
            .iter()
            .all(|e| e.state == FetchState::Fetching)
    );
    assert!(
        events.windows(2).all(|pair| pair[0].rows <= pair[1].rows),
        "{events:?}"
    );
    assert!(
        last.pages > 1 && last.rows > 0 && last.windows_done == last.windows_total,
        "{last:?}"
    );
    // Cached: nothing in flight any more.
    assert_eq!(
        portal.progress_events(query).await,
        [FetchStatus::default()]
    );
}
