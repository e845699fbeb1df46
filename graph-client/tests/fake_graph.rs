//! Paging, security and error-path tests against a hand-made Graph (real HTTP on loopback).

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::fake::{FakeGraph, Reply};
use common::{CLIENT, TENANT, config_for, secret_client};
use graph_client::{
    Credential, DayRange, FetchProgress, GiveUpReason, GraphClient, GraphError, Secret, ToBound,
};

/// A client of the fake Graph. The fake answers its scripted pages whatever the window, so the
/// client is told how `toDateTime` is read instead of learning it (`tests/to_reading.rs` tests
/// that against the simulator).
fn fake_client(fake: &FakeGraph) -> GraphClient {
    GraphClient::new(
        config_for(
            &fake.base(),
            TENANT,
            CLIENT,
            Credential::Secret(Secret::new("s")),
        )
        .with_to_bound(ToBound::LastTick),
    )
    .unwrap()
}

fn row(user: &str, charge: &str) -> String {
    format!(
        r#"{{"userId":"{user}","userPrincipalName":"{user}@contoso.com","userDisplayName":"{user}","usageLocation":"BR","destinationContext":"Domestic","currency":"BRL","totalCalls":1,"totalCallCharge":{charge},"totalCallSeconds":60}}"#
    )
}

fn range() -> DayRange {
    days("2024-01-01", "2024-01-31")
}

fn days(from: &str, to: &str) -> DayRange {
    let day = |text| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
    DayRange::new(day(from), day(to)).unwrap()
}

fn no_progress(_: FetchProgress) {}

/// Also: `a` comes again on the last page of the same window with other totals. Graph sends one
/// row per key per window, so that is a repeat, not more calls: the first is kept, and counted.
#[tokio::test]
async fn follows_next_links_keeps_exact_decimals_and_counts_a_repeated_key() {
    let fake = FakeGraph::start(|fake, hit, _| {
        let body = if hit.path_and_query.contains("skip=2") {
            FakeGraph::page(&[&row("a", "0.2"), &row("b", "12.830")], None)
        } else if hit.path_and_query.contains("skip=1") {
            let next = format!("{}/beta/next?$skip=2", fake.base());
            FakeGraph::page(&[&row("a", "0.1")], Some(&next))
        } else {
            let next = format!("{}/beta/next?$skip=1", fake.base());
            FakeGraph::page(&[], Some(&next))
        };
        Reply::json(200, body).header("request-id", "req")
    })
    .await;
    let client = fake_client(&fake);
    let seen = std::sync::Mutex::new(Vec::new());
    let report = client
        .fetch_report(range(), |p| seen.lock().unwrap().push(p))
        .await
        .unwrap();
    assert_eq!(report.rows.len(), 2);
    assert_eq!(
        report.rows[0].total_call_charge.unwrap().to_string(),
        "0.1",
        "the first row of the key is kept, not summed with its repeat"
    );
    assert_eq!(report.rows[0].total_calls, Some(1));
    assert_eq!(
        (report.stats.duplicate_rows, report.stats.conflicting_rows),
        (1, 1)
    );
    assert_eq!(
        report.repeats.first[0].to_string(),
        "a/BR/Domestic/BRL (different totals)"
    );
    assert_eq!(
        report.rows[1].total_call_charge.unwrap().to_string(),
        "12.830"
    );
    assert_eq!(report.pages, 3);
    let last = *seen.lock().unwrap().last().unwrap();
    assert_eq!(
        last,
        FetchProgress {
            windows_total: 1,
            windows_done: 1,
            pages: 3,
            rows: 3,
            retries: 0
        }
    );

    let hits = fake.hits();
    assert!(hits[0].path_and_query.starts_with(
        "/beta/communications/callRecords/getPstnOnlineMeetingDialoutReport(fromDateTime=2024-01-01T00:00:00Z,toDateTime=2024-01-31T23:59:59.9999999Z)"
    ));
    assert_eq!(
        hits[1].path_and_query, "/beta/next?$skip=1",
        "the nextLink is followed as given"
    );
    assert!(
        hits.iter()
            .all(|h| h.authorization.as_deref() == Some("Bearer token-1"))
    );
    let ids: HashSet<_> = hits
        .iter()
        .map(|h| h.client_request_id.clone().unwrap())
        .collect();
    assert_eq!(
        ids.len(),
        hits.len(),
        "a fresh client-request-id on every request"
    );
    assert!(ids.iter().all(|id| uuid_like(id)));
}

fn uuid_like(id: &str) -> bool {
    id.len() == 36 && id.chars().filter(|c| *c == '-').count() == 4
}

/// `WindowRows::request_id` is the `request-id` of the page that ended the window.
#[tokio::test]
async fn a_window_keeps_the_request_id_of_its_last_page() {
    let fake = FakeGraph::start(|fake, _, index| {
        let next = format!("{}/beta/next?$skip={}", fake.base(), index + 1);
        let body = FakeGraph::page(
            &[&row(&format!("u{index}"), "1.5")],
            (index < 2).then_some(next.as_str()),
        );
        Reply::json(200, body).header("request-id", format!("req-{index}"))
    })
    .await;
    let client = fake_client(&fake);
    let window = range().windows()[0];
    let fetched = client.fetch_window(window, no_progress).await.unwrap();
    assert_eq!((fetched.rows.len(), fetched.pages), (3, 3));
    assert_eq!(fetched.request_id.as_deref(), Some("req-2"));
}

#[tokio::test]
async fn refuses_a_next_link_to_another_origin() {
    let elsewhere = FakeGraph::start(|_, _, _| Reply::json(200, FakeGraph::page(&[], None))).await;
    let target = format!("{}/beta/steal?$skip=1000", elsewhere.base());
    let fake = FakeGraph::start(move |_, _, _| {
        Reply::json(200, FakeGraph::page(&[&row("a", "1")], Some(&target)))
    })
    .await;
    let client = fake_client(&fake);
    let err = client.fetch_report(range(), no_progress).await.unwrap_err();
    assert!(matches!(err, GraphError::ForeignNextLink { .. }), "{err:?}");
    assert!(err.to_string().contains(&elsewhere.base()), "{err}");
    assert!(
        elsewhere.hits().is_empty(),
        "the token never went to the other origin"
    );
}

#[tokio::test]
async fn detects_a_paging_loop() {
    let fake = FakeGraph::start(|fake, _, _| {
        let next = format!("{}/beta/loop?$skip=1000", fake.base());
        Reply::json(200, FakeGraph::page(&[&row("a", "1")], Some(&next)))
    })
    .await;
    let err = fake_client(&fake)
        .fetch_report(range(), no_progress)
        .await
        .unwrap_err();
    assert!(matches!(err, GraphError::NextLinkLoop { .. }), "{err:?}");
    assert_eq!(fake.hits().len(), 2, "stops as soon as a link repeats");
}

#[tokio::test]
async fn forbidden_is_not_retried_and_explains_the_permission() {
    let fake = FakeGraph::start(|_, _, _| {
        Reply::json(403, r#"{"error":{"code":"Forbidden","message":"","innerError":{"date":"2024-01-01T00:00:00","request-id":"body-id"}}}"#)
            .header("request-id", "req-403")
    })
    .await;
    let err = fake_client(&fake)
        .fetch_report(range(), no_progress)
        .await
        .unwrap_err();
    let GraphError::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 403);
    assert_eq!(api.code.as_deref(), Some("Forbidden"));
    assert_eq!(err.request_id(), Some("req-403"));
    assert!(api.client_request_id.as_deref().is_some_and(uuid_like));
    let text = err.to_string();
    assert!(
        text.contains("CallRecords.Read.All") && text.contains("admin consent"),
        "{text}"
    );
    assert_eq!(fake.hits().len(), 1, "403 is not retried");
}

#[tokio::test]
async fn bad_request_is_not_retried() {
    let fake = FakeGraph::start(|_, _, _| {
        Reply::json(
            400,
            r#"{"error":{"code":"BadRequest","message":"Expression expected at position 13."}}"#,
        )
    })
    .await;
    let err = fake_client(&fake)
        .fetch_report(range(), no_progress)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("HTTP 400 BadRequest: Expression expected"),
        "{err}"
    );
    assert_eq!(fake.hits().len(), 1);
}

#[tokio::test]
async fn a_401_mid_paging_refreshes_once_and_retries_that_page() {
    let fake = FakeGraph::start(|fake, hit, index| {
        if index == 1 {
            return Reply::json(401, r#"{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}"#)
                .header("www-authenticate", "Bearer");
        }
        if hit.path_and_query.contains("skip") {
            Reply::json(200, FakeGraph::page(&[&row("b", "2")], None))
        } else {
            let next = format!("{}/beta/next?$skip=1", fake.base());
            Reply::json(200, FakeGraph::page(&[&row("a", "1")], Some(&next)))
        }
    })
    .await;
    let client = fake_client(&fake);
    let report = client.fetch_report(range(), no_progress).await.unwrap();
    assert_eq!(report.rows.len(), 2);
    assert_eq!(fake.token_requests(), 2, "exactly one refresh");
    let hits = fake.hits();
    assert_eq!(hits.len(), 3);
    assert_eq!(
        hits[1].path_and_query, hits[2].path_and_query,
        "the same page is retried"
    );
    assert_eq!(hits[2].authorization.as_deref(), Some("Bearer token-2"));
}

#[tokio::test]
async fn a_second_401_is_an_error() {
    let fake = FakeGraph::start(|_, _, _| {
        Reply::json(
            401,
            r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty."}}"#,
        )
    })
    .await;
    let err = fake_client(&fake)
        .fetch_report(range(), no_progress)
        .await
        .unwrap_err();
    let GraphError::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 401);
    assert_eq!(fake.hits().len(), 2);
    assert!(
        !err.to_string().contains("token-"),
        "the token never appears in an error: {err}"
    );
}

#[tokio::test]
async fn honours_retry_after_seconds_and_http_dates() {
    for http_date in [false, true] {
        let fake = FakeGraph::start(move |_, _, index| {
            if index > 0 {
                return Reply::json(200, FakeGraph::page(&[&row("a", "1")], None));
            }
            let retry_after = if http_date {
                httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2))
            } else {
                "1".to_string()
            };
            Reply::json(
                429,
                r#"{"error":{"code":"TooManyRequests","message":"slow down"}}"#,
            )
            .header("retry-after", retry_after)
        })
        .await;
        let started = Instant::now();
        let retries = std::sync::atomic::AtomicU64::new(0);
        let report = fake_client(&fake)
            .fetch_report(range(), |p| {
                retries.store(p.retries, std::sync::atomic::Ordering::SeqCst)
            })
            .await
            .unwrap();
        assert_eq!(report.rows.len(), 1);
        // An HTTP date has whole-second precision: "in 2 s" may mean a little over 1 s.
        assert!(
            started.elapsed() >= Duration::from_millis(900),
            "http date {http_date}: waited {:?}",
            started.elapsed()
        );
        assert_eq!(retries.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}

#[tokio::test]
async fn gives_up_after_bounded_attempts_with_a_clear_error() {
    let fake =
        FakeGraph::start(|_, _, _| Reply::json(503, "").header("request-id", "req-503")).await;
    let err = fake_client(&fake)
        .fetch_report(range(), no_progress)
        .await
        .unwrap_err();
    let GraphError::GaveUp(gave_up) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(gave_up.reason, GiveUpReason::Attempts);
    assert_eq!(gave_up.attempts, 12);
    assert_eq!(fake.hits().len(), 12);
    assert_eq!(err.request_id(), Some("req-503"));
    assert!(err.to_string().contains("HTTP 503"), "{err}");
}

#[tokio::test]
async fn gives_up_when_retry_after_passes_the_deadline() {
    let fake = FakeGraph::start(|_, _, _| Reply::json(429, "").header("retry-after", "3600")).await;
    let client = fake_client(&fake);
    let err = client.fetch_report(range(), no_progress).await.unwrap_err();
    let GraphError::GaveUp(gave_up) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(gave_up.reason, GiveUpReason::Deadline);
    assert_eq!(fake.hits().len(), 1, "no pointless wait");
    // The pause Graph asked for holds the whole client: the next fetch fails at once too.
    let started = Instant::now();
    let err = client.fetch_report(range(), no_progress).await.unwrap_err();
    assert!(matches!(err, GraphError::GaveUp(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(fake.hits().len(), 1, "no request during the pause");
}

#[tokio::test]
async fn retries_connection_failures_then_gives_up() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener); // nothing listens there now
    let err = secret_client(&base, "s").check_token().await.unwrap_err();
    let GraphError::GaveUp(gave_up) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(gave_up.service, "the identity platform");
    assert_eq!(gave_up.last.status, None);
    assert!(err.to_string().contains("connection failure"), "{err}");
}

#[tokio::test]
async fn a_page_without_value_is_a_protocol_error_not_an_empty_report() {
    let fake = FakeGraph::start(|_, _, _| {
        Reply::json(200, r#"{"@odata.count":0}"#).header("request-id", "r1")
    })
    .await;
    let err = fake_client(&fake)
        .fetch_report(range(), no_progress)
        .await
        .unwrap_err();
    assert!(matches!(err, GraphError::Protocol { .. }), "{err:?}");
    assert!(err.to_string().contains("request-id r1"), "{err}");
}

#[tokio::test]
async fn a_failing_window_fails_the_whole_range() {
    // 200 days = 3 windows; the second one fails: no partial report.
    let fake = FakeGraph::start(|_, hit, _| {
        if hit.path_and_query.contains("fromDateTime=2024-03-31") {
            Reply::json(400, r#"{"error":{"code":"BadRequest","message":"no"}}"#)
        } else {
            Reply::json(200, FakeGraph::page(&[&row("a", "1")], None))
        }
    })
    .await;
    let range = days("2024-01-01", "2024-07-18");
    assert_eq!(range.windows().len(), 3);
    let err = fake_client(&fake)
        .fetch_report(range, no_progress)
        .await
        .unwrap_err();
    assert!(matches!(err, GraphError::Api(_)), "{err:?}");
}

#[tokio::test]
async fn rows_missing_keys_are_kept_and_counted() {
    let fake = FakeGraph::start(|_, _, _| {
        let keyless = r#"{"userId":null,"currency":"BRL","totalCalls":1,"totalCallCharge":1.5,"totalCallSeconds":6}"#;
        Reply::json(200, FakeGraph::page(&[keyless, &row("a", "1")], None))
    })
    .await;
    let report = fake_client(&fake)
        .fetch_report(range(), no_progress)
        .await
        .unwrap();
    assert_eq!(report.rows.len(), 2);
    assert_eq!(report.stats.rows_missing_key, 1);
}

#[tokio::test]
async fn concurrent_callers_share_one_token_refresh() {
    let fake =
        FakeGraph::start(|_, _, _| Reply::json(200, FakeGraph::page(&[&row("a", "1")], None)))
            .await;
    let client = fake_client(&fake);
    let windows = days("2023-01-01", "2024-12-31").windows();
    let fetches = windows.iter().map(|w| {
        let client = client.clone();
        let window = *w;
        tokio::spawn(async move { client.fetch_window(window, no_progress).await })
    });
    for handle in fetches.collect::<Vec<_>>() {
        handle.await.unwrap().unwrap();
    }
    assert_eq!(fake.token_requests(), 1);
    assert_eq!(fake.hits().len(), windows.len());
}

#[tokio::test]
async fn a_nested_next_link_never_replaces_the_pages_own() {
    // The raw-body scan used for prefetching sees the nested link first; the parsed page wins.
    let fake = FakeGraph::start(|fake, hit, _| {
        if hit.path_and_query.starts_with("/beta/decoy") {
            return Reply::json(200, FakeGraph::page(&[&row("decoy", "99")], None));
        }
        if hit.path_and_query.starts_with("/beta/real") {
            return Reply::json(200, FakeGraph::page(&[&row("b", "2")], None));
        }
        let nested = format!(r#"{{"userId":"a","currency":"BRL","totalCalls":1,"totalCallCharge":1,"totalCallSeconds":1,"extra":{{"@odata.nextLink":"{}/beta/decoy"}}}}"#, fake.base());
        let body = format!(r#"{{"value":[{nested}],"@odata.nextLink":"{}/beta/real?$skip=1"}}"#, fake.base());
        Reply::json(200, body)
    })
    .await;
    let report = fake_client(&fake)
        .fetch_report(range(), no_progress)
        .await
        .unwrap();
    let users: Vec<_> = report
        .rows
        .iter()
        .map(|r| r.user_id.clone().unwrap())
        .collect();
    assert_eq!(users, ["a", "b"]);
    assert_eq!(report.pages, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_report_runs_on_a_spawned_task() {
    // The portal runs fetches on a multi-thread runtime: the future must be Send.
    let fake =
        FakeGraph::start(|_, _, _| Reply::json(200, FakeGraph::page(&[&row("a", "1")], None)))
            .await;
    let client = fake_client(&fake);
    let range = days("2024-01-01", "2024-12-31");
    let report = tokio::spawn(async move { client.fetch_report(range, |_| {}).await })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.windows, 5);
    assert_eq!(
        report.rows.len(),
        1,
        "the same key in every window merges into one row"
    );
    assert_eq!(report.rows[0].total_calls, Some(5));
}
