//! What an attacker tries first, over real HTTP: dot segments under the open prefixes, another
//! Host, slow headers, someone spending the tenant's Graph budget, and the ASVS headers (the
//! signed-out cookie is in auth.rs, the readiness probe in http.rs).
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use dialout_portal::config::{AuthSettings, ProxySettings};
use dialout_portal::listener::ConnectionLimits;
use dialout_portal::{GraphConnection, ServerSettings};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::auth::{ADA, entra_portal, sign_in};
use crate::common::{Portal, sim_config};

/// A response read off the wire.
struct Raw {
    status: u16,
    head: String,
    body: String,
}

/// Sends `path` exactly as written (reqwest, like browsers, would collapse its dot segments).
async fn raw_get(portal: &Portal, path: &str, headers: &[(&str, &str)]) -> Raw {
    let addr: SocketAddr = portal.base.trim_start_matches("http://").parse().unwrap();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("host"))
    {
        request.push_str(&format!("Host: {addr}\r\n"));
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut bytes))
        .await
        .unwrap_or_else(|_| panic!("GET {path} did not finish"))
        .unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("GET {path}: no status in {head:?}"));
    Raw {
        status,
        head: head.to_ascii_lowercase(),
        body: body.to_owned(),
    }
}

/// A report page or its data: what must never reach anyone the guard did not let in.
fn shows_report(body: &str) -> bool {
    body.contains("<html") || body.contains("<!DOCTYPE") || body.contains("userPrincipalName")
}

#[tokio::test]
async fn dot_segments_under_every_open_prefix_are_refused() {
    let portal = entra_portal().await;
    let (ada, _) = sign_in(&portal, ADA, "/auth/login").await;
    let prefixes = [
        "/pkg/",
        "/pkg/x/",
        "/auth/",
        "/auth/login/",
        "/auth/callback/",
        "/healthz/",
        "/readyz/",
        "/echarts.min.js/",
        "/favicon.svg/",
        "/",
    ];
    let tails = [
        "..",
        "../",
        "%2e%2e",
        "%2E%2E/",
        ".%2e",
        "%2e.",
        "x/../..",
        "../users/u1",
        "..%2f",
        "%2e%2e%2fusers",
        "%252e%252e",
        ".",
        "..\\",
    ];
    let query = "?from=2026-02-01&to=2026-02-28";
    // Without a session, and with Ada's (who may read the report, but not this way).
    let cookies = [
        vec![("Accept", "text/html")],
        vec![("Accept", "text/html"), ("Cookie", ada.as_str())],
    ];
    for headers in &cookies {
        for prefix in prefixes {
            for tail in tails {
                for suffix in ["", query] {
                    let path = format!("{prefix}{tail}{suffix}");
                    let response = raw_get(&portal, &path, headers).await;
                    assert_eq!(response.status, 400, "{path}: {}", response.body);
                    assert!(!shows_report(&response.body), "{path}");
                }
            }
        }
        // Without dot segments, a miss under an open prefix is a plain 404, never the app's
        // page.
        for path in [
            "/pkg/nothing.js",
            "/pkg/",
            "/auth/nothing",
            "/auth/",
            "/auth/login/x",
        ] {
            let response = raw_get(&portal, path, headers).await;
            assert!(
                matches!(response.status, 404 | 405),
                "{path}: {}",
                response.status
            );
            assert!(!shows_report(&response.body), "{path}: {}", response.body);
        }
    }
    // The same report path, normal, is the guard's to judge: signed out, sent to sign in.
    let home = raw_get(&portal, &format!("/{query}"), &cookies[0]).await;
    assert_eq!(home.status, 303);
    let home = raw_get(&portal, &format!("/{query}"), &cookies[1]).await;
    assert_eq!(home.status, 200);
    assert!(shows_report(&home.body), "the check itself sees a report");
    // The assets themselves still load.
    let icon = raw_get(&portal, "/favicon.svg", &[]).await;
    assert_eq!(icon.status, 200);
    assert!(!icon.head.contains("no-store"), "assets may be cached");
}

#[tokio::test]
async fn a_foreign_host_is_refused_but_health_checks_answer_any() {
    let portal = Portal::demo(sim_config()).await;
    let foreign = [("Host", "rebind.evil.example")];
    let page = raw_get(&portal, "/?from=2026-02-01&to=2026-02-28", &foreign).await;
    assert_eq!(page.status, 421);
    assert!(!shows_report(&page.body));
    assert_eq!(raw_get(&portal, "/api/today", &foreign).await.status, 421);
    assert_eq!(raw_get(&portal, "/healthz", &foreign).await.status, 200);
    assert_eq!(
        raw_get(&portal, "/healthz", &[("Host", "localhost:1")])
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn slow_headers_are_cut_off_while_others_are_served() {
    let connection = GraphConnection::demo(sim_config()).await.unwrap();
    let settings = ServerSettings {
        connections: ConnectionLimits {
            max_connections: 64,
            max_per_client: 8,
            header_read_timeout: Duration::from_secs(1),
            shutdown_grace: Duration::from_secs(1),
        },
        ..ServerSettings::default()
    };
    let portal = Portal::start(connection, sim_config(), settings).await;
    let addr: SocketAddr = portal.base.trim_start_matches("http://").parse().unwrap();
    // A slowloris from another loopback address: half-sent request heads.
    let mut slow = Vec::new();
    for _ in 0..20 {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
        let mut stream = socket.connect(addr).await.unwrap();
        let _ = stream
            .write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .await;
        slow.push(stream);
    }
    let started = Instant::now();
    let health = portal.get("/healthz").await;
    assert_eq!(health.status(), StatusCode::OK);
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "/healthz took {:?}",
        started.elapsed()
    );
    // Every slow connection is closed by the server: the 12 over the per-client cap at once,
    // the 8 admitted ones once their head is 1 s late.
    let started = Instant::now();
    for mut stream in slow {
        let mut buffer = Vec::new();
        let closed =
            tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut buffer)).await;
        assert!(closed.is_ok(), "a slow connection stayed open");
    }
    assert!(started.elapsed() < Duration::from_secs(4));
    // (A new connection: the idle one of the first request has timed out as well.)
    let fresh = reqwest::get(portal.url("/healthz")).await.unwrap();
    assert_eq!(fresh.status(), StatusCode::OK);
}

/// A portal with an empty store on a simulator that enforces Graph's limits (so there is a
/// budget to share), each requester's share `burst` Graph request chains (a day each),
/// refilled at one a minute.
async fn portal_with_graph_share(latency_ms: u64, burst: u32) -> Portal {
    let sim = graph_sim::SimConfig {
        enforce_limits: true,
        latency_ms,
        ..sim_config()
    };
    let connection = GraphConnection::demo(sim.clone()).await.unwrap();
    let settings = ServerSettings {
        quota: app::report::QuotaSettings {
            windows_per_minute: 1,
            burst,
            refresh_cooldown: Duration::from_secs(300),
        },
        ..ServerSettings::default()
    };
    Portal::empty(connection, sim, settings).await
}

#[tokio::test]
async fn each_requester_has_a_share_of_graph_and_refresh_cools_down() {
    let portal = portal_with_graph_share(0, 30).await;
    let summary = |from: &str, to: &str| format!("from={from}&to={to}");
    // Three 10-day ranges the store lacks: ten days to read from Graph each.
    for from in ["2026-01-01", "2026-01-11", "2026-01-21"] {
        let to = crate::common::day(from) + chrono::Days::new(9);
        let response = portal
            .server_fn("summary", &summary(from, &to.to_string()))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{from}");
    }
    let over = portal
        .server_fn("summary", &summary("2026-02-01", "2026-02-10"))
        .await;
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = over.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    // Ten days at one a minute.
    assert!((1..=600).contains(&retry), "Retry-After {retry}");
    let message = over.text().await.unwrap();
    assert!(message.contains("try again in"), "{message}");
    // What is cached costs nothing.
    let cached = portal
        .server_fn("summary", &summary("2026-01-01", "2026-01-10"))
        .await;
    assert_eq!(cached.status(), StatusCode::OK);
    // Another client has its own share.
    let other = reqwest::Client::builder()
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    let response = other
        .post(portal.url("/api/summary"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(summary("2026-02-01", "2026-02-10"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // A range is refreshed once per cooldown.
    let refresh = || portal.server_fn("refresh", "from=2026-01-01&to=2026-01-10");
    assert!(refresh().await.status().is_success());
    let again = refresh().await;
    assert_eq!(again.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(again.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn callers_waiting_for_one_fetch_are_charged_once() {
    // A page loads its figures and its users table side by side: the server fetches the range
    // once, and only the fetch that runs is charged.
    let portal = portal_with_graph_share(300, 10).await;
    let range = "from=2026-01-01&to=2026-01-10";
    let (first, second, third) = tokio::join!(
        portal.server_fn("summary", range),
        portal.server_fn("summary", range),
        portal.server_fn("summary", range),
    );
    for response in [first, second, third] {
        assert_eq!(response.status(), StatusCode::OK);
    }
    // The ten days of the share are spent: a new range waits.
    let over = portal
        .server_fn("summary", "from=2026-02-01&to=2026-02-10")
        .await;
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn asvs_headers_request_ids_and_malformed_input() {
    let portal = Portal::demo(sim_config()).await;
    let page = portal.get("/?from=2026-02-01&to=2026-02-07").await;
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert!(!page.headers().contains_key("strict-transport-security"));
    let data = portal
        .server_fn("summary", "from=2026-02-01&to=2026-02-07")
        .await;
    assert_eq!(data.headers()["cache-control"], "no-store");
    // Malformed arguments: 400 and a plain message, none of serde's words.
    let missing = portal.server_fn("summary", "from=2026-02-01").await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    let text = missing.text().await.unwrap();
    assert!(text.contains("missing or malformed"), "{text}");
    assert!(!text.contains("missing field"), "{text}");
    // Days are read as strictly as anywhere else (app::range::parse_day).
    for loose in [
        "from=2026-2-1&to=2026-02-07",
        "from=+2026-02-01&to=2026-02-07",
    ] {
        let response = portal.server_fn("summary", loose).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{loose}");
    }
    // text/plain is not decoded.
    let plain = portal
        .http
        .post(portal.url("/api/summary"))
        .header("content-type", "text/plain")
        .body("from=2026-02-01&to=2026-02-07")
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // A request id is kept when it is a short token, replaced otherwise.
    let id = |value: &'static str| {
        let request = portal.http.get(portal.url("/healthz"));
        async move {
            let response = request.header("x-request-id", value).send().await.unwrap();
            response.headers()["x-request-id"]
                .to_str()
                .unwrap()
                .to_owned()
        }
    };
    assert_eq!(id("trace-42.a").await, "trace-42.a");
    let replaced = id("<script>alert(1)</script>").await;
    assert_ne!(replaced, "<script>alert(1)</script>");
    assert_eq!(replaced.len(), 36, "a UUID: {replaced}");
}

#[tokio::test]
async fn an_https_public_url_brings_hsts_and_its_own_host_only() {
    let connection = GraphConnection::demo(sim_config()).await.unwrap();
    let settings = ServerSettings {
        auth: AuthSettings::Proxy(ProxySettings {
            user_header: "x-forwarded-user".parse().unwrap(),
            roles_header: None,
            required_role: "DialoutReports.Read".into(),
            scope: app::report::scope::ScopeRule::Everyone,
            trusted: vec!["127.0.0.1/32".parse().unwrap()],
            public_url: Some("https://dialout.contoso.com".parse().unwrap()),
        }),
        ..ServerSettings::default()
    };
    let portal = Portal::start(connection, sim_config(), settings).await;
    let ours = [
        ("Host", "dialout.contoso.com"),
        ("X-Forwarded-User", "ada@contoso.com"),
    ];
    let response = raw_get(&portal, "/api/today", &ours).await;
    assert!(
        response
            .head
            .contains("strict-transport-security: max-age=31536000")
    );
    assert!(response.head.contains("cache-control: no-store"));
    let elsewhere = [
        ("Host", "127.0.0.1"),
        ("X-Forwarded-User", "ada@contoso.com"),
    ];
    assert_eq!(raw_get(&portal, "/api/today", &elsewhere).await.status, 421);
}
