//! One test per fault or either-reading flag.

mod common;

use std::time::{Duration, Instant};

use common::*;
use graph_sim::{
    CollectionScope, PlusInPath, RetryAfterFormat, SimConfig, ToSemantics, TopSemantics,
};
use reqwest::{Client, StatusCode};

const FROM: &str = "2024-04-01";
const TO: &str = "2024-04-10";

/// A started simulator with a token and the URL of a small report.
struct Setup {
    sim: graph_sim::RunningSim,
    client: Client,
    token: String,
    url: String,
}

async fn setup(config: SimConfig) -> Setup {
    let sim = start(config).await;
    let client = Client::new();
    let token = secret_token(&client, &sim).await;
    let url = report_url(sim.base_url(), FROM, TO);
    Setup {
        sim,
        client,
        token,
        url,
    }
}

#[tokio::test]
async fn throttle_rate_answers_429_with_retry_after() {
    let s = setup(SimConfig {
        throttle_rate: 1.0,
        retry_after: Duration::from_secs(7),
        ..config(30)
    })
    .await;
    let response = get(&s.client, &s.url, &s.token).await;
    assert_eq!(response.headers()["retry-after"], "7");
    let (status, code, _) = error_message(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "TooManyRequests")
    );

    // A fraction: some requests pass, some are throttled.
    let s = setup(SimConfig {
        throttle_rate: 0.5,
        ..config(30)
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..40 {
        statuses.push(get(&s.client, &s.url, &s.token).await.status());
    }
    let throttled = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!((5..=35).contains(&throttled), "{throttled} of 40 throttled");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::TOO_MANY_REQUESTS)
    );
}

#[tokio::test]
async fn retry_after_can_be_an_http_date() {
    let s = setup(SimConfig {
        throttle_rate: 1.0,
        retry_after: Duration::from_secs(30),
        retry_after_format: RetryAfterFormat::HttpDate,
        ..config(30)
    })
    .await;
    let response = get(&s.client, &s.url, &s.token).await;
    let value = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .to_owned();
    let when = httpdate::parse_http_date(&value).expect("an HTTP date");
    let delay = when
        .duration_since(std::time::SystemTime::now())
        .expect("in the future");
    assert!((29..=31).contains(&delay.as_secs()), "{value}");
}

#[tokio::test]
async fn error_rate_answers_503_and_504() {
    let s = setup(SimConfig {
        error_rate: 1.0,
        retry_after: Duration::from_secs(1),
        ..config(30)
    })
    .await;
    let (mut unavailable, mut with_retry_after, mut timeouts) = (0, 0, 0);
    for _ in 0..40 {
        let response = get(&s.client, &s.url, &s.token).await;
        match response.status() {
            StatusCode::SERVICE_UNAVAILABLE => {
                unavailable += 1;
                with_retry_after += usize::from(response.headers().contains_key("retry-after"));
            }
            StatusCode::GATEWAY_TIMEOUT => timeouts += 1,
            other => panic!("unexpected {other}"),
        }
        assert!(json(response).await["error"]["code"].is_string());
    }
    assert!(unavailable > 0 && timeouts > 0);
    assert!(with_retry_after > 0 && with_retry_after < unavailable);
}

#[tokio::test]
async fn latency_delays_token_and_report_requests() {
    let latency = Duration::from_millis(250);
    let started = Instant::now();
    let s = setup(SimConfig {
        latency_ms: 250,
        ..config(30)
    })
    .await;
    assert!(started.elapsed() >= latency, "token request");
    let started = Instant::now();
    assert_eq!(
        get(&s.client, &s.url, &s.token).await.status(),
        StatusCode::OK
    );
    assert!(started.elapsed() >= latency, "report request");
}

#[tokio::test]
async fn enforce_limits_answers_the_51st_request_in_a_minute_with_429() {
    let s = setup(SimConfig {
        enforce_limits: true,
        ..config(30)
    })
    .await;
    for i in 0..50 {
        let url = format!("{}?$skip={i}", s.url);
        assert_eq!(
            get(&s.client, &url, &s.token).await.status(),
            StatusCode::OK,
            "request {i}"
        );
    }
    let response = get(&s.client, &s.url, &s.token).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Under the default scope every window shares the limit.
    let other = report_url(s.sim.base_url(), FROM, "2024-04-11");
    assert_eq!(
        get(&s.client, &other, &s.token).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );

    // Per-window scope: another window still has its own budget.
    let s = setup(SimConfig {
        enforce_limits: true,
        collection_scope: CollectionScope::Window,
        ..config(30)
    })
    .await;
    for _ in 0..50 {
        assert_eq!(
            get(&s.client, &s.url, &s.token).await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(
        get(&s.client, &s.url, &s.token).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let other = report_url(s.sim.base_url(), FROM, "2024-04-11");
    assert_eq!(
        get(&s.client, &other, &s.token).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn to_semantics_decides_whether_calls_at_to_date_time_count() {
    let inclusive = setup(config(400)).await;
    let exclusive = setup(SimConfig {
        to_semantics: ToSemantics::Exclusive,
        ..config(400)
    })
    .await;
    let rows = |s: &Setup, from: String, to: String| {
        let url = report_url(s.sim.base_url(), &from, &to);
        let (client, token) = (s.client.clone(), s.token.clone());
        async move { fetch_rows(&client, &url, &token).await }
    };

    // Exclusive: [D1, D2) is exactly the whole days D1..D2-1.
    let exclusive_rows = rows(&exclusive, FROM.into(), TO.into()).await;
    assert_eq!(
        currency_totals(&exclusive_rows),
        truth(
            &exclusive.client,
            exclusive.sim.base_url(),
            FROM,
            "2024-04-09"
        )
        .await
    );

    // Inclusive adds the calls starting exactly at toDateTime; find a midnight that has some.
    let mut found = false;
    for offset in 0..30 {
        let midnight = (day(FROM) + chrono::Duration::days(offset)).to_string();
        let at = format!("{midnight}T00:00:00Z");
        let instant_inclusive = rows(&inclusive, at.clone(), at.clone()).await;
        let instant_exclusive = rows(&exclusive, at.clone(), at.clone()).await;
        assert!(
            instant_exclusive.is_empty(),
            "an empty window under the exclusive reading"
        );
        if instant_inclusive.is_empty() {
            continue;
        }
        found = true;
        let with_end = rows(&inclusive, FROM.into(), midnight.clone()).await;
        let mut without_end = rows(&exclusive, FROM.into(), midnight.clone()).await;
        without_end.extend(instant_inclusive);
        assert_eq!(merge_rows(&with_end), merge_rows(&without_end));
        break;
    }
    assert!(found, "no call starts exactly at midnight in 30 days");
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let s = setup(SimConfig {
        token_ttl: Duration::from_secs(2),
        ..config(30)
    })
    .await;
    assert_eq!(
        get(&s.client, &s.url, &s.token).await.status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, code, message) = error_message(get(&s.client, &s.url, &s.token).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken")
    );
    assert_eq!(message, "Lifetime validation failed, the token is expired.");
    // A fresh token works again.
    let token = secret_token(&s.client, &s.sim).await;
    assert_eq!(
        get(&s.client, &s.url, &token).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn top_semantics_limit_caps_the_total() {
    let s = setup(SimConfig {
        page_size: 3,
        top_semantics: TopSemantics::Limit,
        ..config(300)
    })
    .await;
    let url = format!("{}?$top=5", s.url);
    let pages = fetch_pages(&s.client, &url, &s.token).await;
    let counts: Vec<_> = pages
        .iter()
        .map(|p| p["@odata.count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [3, 2]);
    assert_eq!(
        pages[0]["@odata.nextLink"],
        format!("{}?$skip=3&$top=2", s.url).as_str()
    );
}

#[tokio::test]
async fn plus_in_path_space_needs_encoded_offsets() {
    let literal = setup(config(30)).await;
    let space = setup(SimConfig {
        plus_in_path: PlusInPath::Space,
        ..config(30)
    })
    .await;
    let raw_plus = |s: &Setup| report_url(s.sim.base_url(), "2024-04-01T00:00:00+01:00", TO);
    let encoded = |s: &Setup| report_url(s.sim.base_url(), "2024-04-01T00:00:00%2B01:00", TO);
    assert_eq!(
        get(&literal.client, &raw_plus(&literal), &literal.token)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        get(&space.client, &raw_plus(&space), &space.token)
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get(&space.client, &encoded(&space), &space.token)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn escape_non_ascii_changes_bytes_not_values() {
    let plain = setup(config(300)).await;
    let escaped = setup(SimConfig {
        escape_non_ascii: true,
        ..config(300)
    })
    .await;
    let body = get(&escaped.client, &escaped.url, &escaped.token)
        .await
        .text()
        .await
        .unwrap();
    assert!(body.is_ascii() && body.contains("\\u"));
    let plain_body = get(&plain.client, &plain.url, &plain.token)
        .await
        .text()
        .await
        .unwrap();
    assert!(!plain_body.is_ascii());
    let values =
        |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap()["value"].clone();
    assert_eq!(values(&body), values(&plain_body));
}
