//! The report endpoint over HTTP: paging, literals, errors, headers, and the `/_sim/` endpoints.

mod common;

use common::*;
use graph_sim::SimConfig;
use reqwest::{Client, StatusCode};
use serde_json::Value;

const FROM: &str = "2024-03-01";
const LAST_DAY: &str = "2024-05-29";

#[tokio::test]
async fn pages_follow_next_links_and_add_up_to_the_truth() {
    let sim = start(SimConfig {
        page_size: 40,
        ..config(300)
    })
    .await;
    let client = Client::new();
    let token = secret_token(&client, &sim).await;
    let base = sim.base_url();
    let url = report_url(base, FROM, &end_of(LAST_DAY));
    let pages = fetch_pages(&client, &url, &token).await;

    let context = format!(
        "{base}/beta/$metadata#Collection(microsoft.graph.callRecords.pstnOnlineMeetingDialoutReport)"
    );
    let rows: Vec<Value> = pages
        .iter()
        .flat_map(|p| p["value"].as_array().unwrap().clone())
        .collect();
    assert!(
        pages.len() > 3,
        "expected several pages, got {}",
        pages.len()
    );
    assert_eq!(pages.len(), rows.len().div_ceil(40));
    for (i, page) in pages.iter().enumerate() {
        assert_eq!(page["@odata.context"], context.as_str());
        let count = page["value"].as_array().unwrap().len();
        assert_eq!(page["@odata.count"].as_u64(), Some(count as u64));
        match page["@odata.nextLink"].as_str() {
            Some(next) => {
                assert_eq!(count, 40);
                assert_eq!(next, format!("{url}?$skip={}", (i + 1) * 40));
            }
            None => assert_eq!(i, pages.len() - 1),
        }
    }
    // Every row is unique by Graph's aggregation key, and the totals are exact.
    assert_eq!(merge_rows(&rows).len(), rows.len());
    assert_eq!(
        currency_totals(&rows),
        truth(&client, base, FROM, LAST_DAY).await
    );
}

#[tokio::test]
async fn every_spelling_of_the_same_window_gives_the_same_rows() {
    let sim = start(config(300)).await;
    let client = Client::new();
    let token = secret_token(&client, &sim).await;
    let base = sim.base_url();
    let qualified = format!(
        "{base}/beta/communications/callRecords/microsoft.graph.callRecords.getPstnOnlineMeetingDialoutReport(fromDateTime={FROM},toDateTime=2024-03-10)"
    );
    let urls = [
        report_url(base, FROM, "2024-03-10"),
        qualified,
        report_url(base, "2024-03-01T00%3A00%3A00Z", "2024-03-10T00%3A00%3A00Z"),
        report_url(
            base,
            "2024-03-01T01:00:00+01:00",
            "2024-03-10T01%3A00%3A00%2B01%3A00",
        ),
        report_url(
            base,
            "2024-02-29T19:00:00-05:00",
            "2024-03-09T19:00:00-05:00",
        ),
        report_url(
            base,
            "2024-03-01T00:00:00.0000000Z",
            "2024-03-10T00:00:00.000Z",
        ),
        report_url(base, "2024-02-29T23:59:59.5Z", "2024-03-10T00:00:00.9Z"),
    ];
    let expected = fetch_rows(&client, &urls[0], &token).await;
    assert!(!expected.is_empty());
    for url in &urls[1..] {
        assert_eq!(fetch_rows(&client, url, &token).await, expected, "{url}");
    }
}

#[tokio::test]
async fn graph_headers_are_sent_and_the_client_request_id_is_echoed() {
    let sim = start(config(50)).await;
    let client = Client::new();
    let token = secret_token(&client, &sim).await;
    let url = report_url(sim.base_url(), FROM, "2024-03-02");
    let response = client
        .get(&url)
        .bearer_auth(&token)
        .header("client-request-id", "7b0c1f3e-1111-4222-8333-444455556666")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert_eq!(
        headers["client-request-id"],
        "7b0c1f3e-1111-4222-8333-444455556666"
    );
    assert!(uuid::Uuid::parse_str(headers["request-id"].to_str().unwrap()).is_ok());
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );

    // Errors carry both ids in the body too.
    error_answer(&client, &report_url(sim.base_url(), "", ""), &token).await;
}

#[tokio::test]
async fn missing_or_bad_tokens_get_401_with_a_challenge() {
    let sim = start(config(20)).await;
    let other = start(config(20)).await;
    let client = Client::new();
    let foreign = secret_token(&client, &other).await;
    let url = report_url(sim.base_url(), FROM, "2024-03-02");

    let cases: [(Option<String>, &str); 4] = [
        (None, "Access token is empty."),
        (Some("Bearer ".into()), "Access token is empty."),
        (
            Some("Bearer not.a-token".into()),
            "CompactToken parsing failed",
        ),
        (
            Some(format!("Bearer {foreign}")),
            "Access token validation failure",
        ),
    ];
    for (authorization, message) in cases {
        let mut request = client.get(&url);
        if let Some(value) = &authorization {
            request = request.header("authorization", value);
        }
        let response = request.send().await.unwrap();
        let challenge = response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(challenge.starts_with("Bearer "), "{challenge}");
        let (status, code, got) = error_message(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken")
        );
        assert!(got.starts_with(message), "{authorization:?}: {got}");
    }
}

/// Authenticated but not authorised: Graph's 403 body, with both ids, after the 401 checks.
#[tokio::test]
async fn a_token_without_the_report_permission_gets_403() {
    let sim = start(SimConfig {
        app_permissions: vec!["User.Read.All".into()],
        ..config(20)
    })
    .await;
    let client = Client::new();
    let token = secret_token(&client, &sim).await;
    let (status, body) = error_answer(
        &client,
        &report_url(sim.base_url(), FROM, "2024-03-02"),
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "Forbidden");
    assert_eq!(
        body["error"]["message"],
        "Missing role permissions on the request. API requires one of 'CallRecords.Read.All'. \
         Roles on the request 'User.Read.All'."
    );
}

#[tokio::test]
async fn bad_windows_and_literals_are_400() {
    let sim = start(config(20)).await;
    let client = Client::new();
    let token = secret_token(&client, &sim).await;
    let base = sim.base_url();
    let bad = |from: &str, to: &str| report_url(base, from, to);
    let cases = [
        (
            bad("", ""),
            "Expression expected at position 13 in 'fromDateTime=,toDateTime='.",
        ),
        (bad(FROM, ""), "Expression expected at position 35"),
        (
            bad("2024-13-01", FROM),
            "The DateTimeOffset text '2024-13-01' should be in format",
        ),
        (bad(FROM, "2024-03-02T00:00:00"), "should be in format"),
        (bad("yesterday", FROM), "should be in format"),
        (bad("2024-03-02", FROM), "later than toDateTime"),
        (
            bad("2024-01-01", "2024-03-31T00:00:01Z"),
            "cannot be more than 90 days",
        ),
        (
            format!("{base}{REPORT_PATH}(fromDateTime={FROM})"),
            "No function signature",
        ),
        (format!("{base}{REPORT_PATH}"), "No function signature"),
        (
            format!("{}?$skip=-1", bad(FROM, FROM)),
            "Invalid value '-1' for $skip",
        ),
        (
            format!("{}?$top=x", bad(FROM, FROM)),
            "Invalid value 'x' for $top",
        ),
        (
            format!("{}?$filter=currency%20eq%20'USD'", bad(FROM, FROM)),
            "Query option '$filter' is not allowed",
        ),
        (
            format!("{}?$skip=1&%24skip=2", bad(FROM, FROM)),
            "specified more than once",
        ),
    ];
    for (url, message) in cases {
        let (status, code, got) = error_message(get(&client, &url, &token).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "BadRequest"),
            "{url}"
        );
        assert!(got.contains(message), "{url}: {got}");
    }
    // Exactly 90 days is allowed.
    let url = bad("2024-01-01", "2024-03-31");
    assert_eq!(get(&client, &url, &token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn skip_and_top_select_rows_and_keep_paging() {
    let sim = start(config(300)).await;
    let client = Client::new();
    let token = secret_token(&client, &sim).await;
    let url = report_url(sim.base_url(), FROM, &end_of(LAST_DAY));
    let all = fetch_rows(&client, &url, &token).await;
    assert!(all.len() > 20);

    let page = json(get(&client, &format!("{url}?%24skip=5"), &token).await).await;
    assert_eq!(page["value"].as_array().unwrap()[..], all[5..]);

    let page = json(get(&client, &format!("{url}?$top=7"), &token).await).await;
    assert_eq!(page["@odata.count"], 7);
    assert_eq!(
        page["@odata.nextLink"],
        format!("{url}?$skip=7&$top=7").as_str()
    );
    assert_eq!(
        fetch_rows(&client, &format!("{url}?$top=7"), &token).await,
        all
    );

    let past_end = json(get(&client, &format!("{url}?$skip=100000"), &token).await).await;
    assert_eq!(past_end["@odata.count"], 0);
    assert!(past_end.get("@odata.nextLink").is_none());
    assert_eq!(
        get(&client, &format!("{url}?$count=true"), &token)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn other_paths_answer_as_graph_does() {
    let sim = start(config(20)).await;
    let client = Client::new();
    let token = secret_token(&client, &sim).await;
    let base = sim.base_url();
    let v1 = format!(
        "{base}/v1.0/communications/callRecords/getPstnOnlineMeetingDialoutReport(fromDateTime={FROM},toDateTime={FROM})"
    );
    let cases = [
        (
            v1,
            "Resource not found for the segment 'getPstnOnlineMeetingDialoutReport'.",
        ),
        (
            format!(
                "{base}/beta/communications/callRecords/getPstnCalls(fromDateTime={FROM},toDateTime={FROM})"
            ),
            "Resource not found for the segment 'getPstnCalls'.",
        ),
        (format!("{base}/v2.0/me"), "Invalid version: v2.0"),
    ];
    for (url, message) in cases {
        let (status, code, got) = error_message(get(&client, &url, &token).await).await;
        assert_eq!(
            (status, code.as_str(), got.as_str()),
            (StatusCode::BAD_REQUEST, "BadRequest", message)
        );
    }
    let response = client
        .post(report_url(base, FROM, FROM))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn stats_count_requests_and_reset() {
    let sim = start(SimConfig {
        page_size: 10,
        ..config(100)
    })
    .await;
    let client = Client::new();
    let base = sim.base_url();
    let stats = || async {
        json(
            client
                .get(format!("{base}/_sim/stats"))
                .send()
                .await
                .unwrap(),
        )
        .await
    };
    let token = secret_token(&client, &sim).await;
    let url = report_url(base, FROM, "2024-03-20");
    assert_eq!(get(&client, &url, &token).await.status(), StatusCode::OK);
    assert_eq!(
        get(&client, &format!("{url}?$skip=10"), &token)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        get(&client, &url, "nope").await.status(),
        StatusCode::UNAUTHORIZED
    );

    let snapshot = stats().await;
    assert_eq!(snapshot["token_requests"], 1);
    assert_eq!(snapshot["report_requests"], 3);
    assert_eq!(snapshot["pages_served"], 2);
    assert_eq!(
        snapshot["responses_by_status"],
        serde_json::json!({ "200": 3, "401": 1 })
    );

    let reset = client
        .post(format!("{base}/_sim/stats/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), StatusCode::OK);
    let snapshot = stats().await;
    assert_eq!(snapshot["report_requests"], 0);
    assert_eq!(snapshot["responses_by_status"], serde_json::json!({}));
}

#[tokio::test]
async fn truth_refuses_bad_ranges() {
    let sim = start(config(20)).await;
    let client = Client::new();
    let base = sim.base_url();
    for query in [
        "",
        "?from=2024-01-01",
        "?from=2024-01-02&to=2024-01-01",
        "?from=x&to=2024-01-01",
    ] {
        let response = client
            .get(format!("{base}/_sim/truth{query}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
    }
    // Any length is fine for the truth, and it matches the in-process computation.
    let body = json(
        client
            .get(format!("{base}/_sim/truth?from=2023-01-01&to=2024-12-31"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let in_process = graph_sim::truth(&config(20), day("2023-01-01"), day("2024-12-31")).unwrap();
    assert_eq!(body, serde_json::to_value(&in_process).unwrap());
}

/// GETs `url` with `client-request-id: abc`; the error body's `innerError` carries both ids
/// and a date. Returns the status and the body.
async fn error_answer(client: &Client, url: &str, token: &str) -> (StatusCode, serde_json::Value) {
    let response = client
        .get(url)
        .bearer_auth(token)
        .header("client-request-id", "abc")
        .send()
        .await
        .unwrap();
    let status = response.status();
    let request_id = response.headers()["request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = json(response).await;
    let inner = &body["error"]["innerError"];
    assert_eq!(inner["client-request-id"], "abc");
    assert_eq!(inner["request-id"], request_id.as_str());
    assert!(inner["date"].is_string());
    (status, body)
}
