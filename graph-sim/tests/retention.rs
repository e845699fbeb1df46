//! `--retention-days` under both `--retention-reading`s, and `/_sim/truth`, which ignores it.

mod common;

use common::*;
use graph_sim::{RetentionReading, SimConfig, SimError};
use reqwest::{Client, StatusCode};
use serde_json::Value;

const RETENTION_DAYS: u32 = 30;
/// `TODAY` (2024-06-01) minus `RETENTION_DAYS`.
const FIRST_RETAINED: &str = "2024-05-02";
const LAST_EXPIRED: &str = "2024-05-01";
/// The last day with calls (the day before `TODAY`).
const LAST_DAY: &str = "2024-05-31";
const MESSAGE: &str = "fromDateTime is outside the data retention period of 30 days.";

/// Small pages, so that every window below takes several.
fn retaining(reading: RetentionReading) -> SimConfig {
    SimConfig {
        page_size: 25,
        retention_days: Some(RETENTION_DAYS),
        retention_reading: reading,
        ..config(200)
    }
}

fn no_retention() -> SimConfig {
    SimConfig {
        page_size: 25,
        ..config(200)
    }
}

/// Every page of `url` (all answered 200): the rows, and the number of pages.
async fn paged_rows(client: &Client, url: &str, token: &str) -> (Vec<Value>, usize) {
    let pages = fetch_pages(client, url, token).await;
    let count = pages.len();
    let rows: Vec<Value> = pages
        .iter()
        .flat_map(|page| page["value"].as_array().cloned().unwrap_or_default())
        .collect();
    // No row twice across pages: the next links kept the same (clipped) answer.
    assert_eq!(merge_rows(&rows).len(), rows.len(), "{url}");
    (rows, count)
}

#[test]
fn the_first_retained_day_is_today_minus_the_retention() {
    assert_eq!(
        day(TODAY) - chrono::Days::new(u64::from(RETENTION_DAYS)),
        day(FIRST_RETAINED)
    );
    assert_eq!(day(FIRST_RETAINED).pred_opt(), Some(day(LAST_EXPIRED)));
}

#[tokio::test]
async fn the_empty_reading_leaves_out_the_expired_days_without_an_error() {
    let sim = start(retaining(RetentionReading::Empty)).await;
    let plain = start(no_retention()).await;
    let client = Client::new();
    let token = secret_token(&client, &sim).await;
    let plain_token = secret_token(&client, &plain).await;
    let base = sim.base_url();

    // A window of expired days only: 200, no rows, no next link, although calls were made.
    let expired = report_url(base, "2024-04-01", &end_of(LAST_EXPIRED));
    let response = get(&client, &expired, &token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = json(response).await;
    assert_eq!(page["value"], Value::Array(Vec::new()), "{page}");
    assert_eq!(page["@odata.count"], 0);
    assert!(page.get("@odata.nextLink").is_none(), "{page}");
    assert!(
        !truth(&client, base, "2024-04-01", LAST_EXPIRED)
            .await
            .is_empty()
    );

    // A window straddling the boundary: exactly the retained days, on every page.
    let straddling = report_url(base, "2024-04-20", &end_of("2024-05-20"));
    let (rows, pages) = paged_rows(&client, &straddling, &token).await;
    assert!(pages > 2, "expected several pages, got {pages}");
    let retained_truth = truth(&client, base, FIRST_RETAINED, "2024-05-20").await;
    assert_eq!(currency_totals(&rows), retained_truth);
    assert_ne!(
        currency_totals(&rows),
        truth(&client, base, "2024-04-20", "2024-05-20").await
    );
    // The same rows, in the same order, as a request for the retained days alone.
    let retained_only = report_url(base, FIRST_RETAINED, &end_of("2024-05-20"));
    assert_eq!(paged_rows(&client, &retained_only, &token).await.0, rows);
    // The boundary is midnight: a call at 23:59:59 on the last expired day is gone.
    let last_second = report_url(
        base,
        &format!("{LAST_EXPIRED}T23:59:59Z"),
        &end_of(FIRST_RETAINED),
    );
    assert_eq!(
        currency_totals(&paged_rows(&client, &last_second, &token).await.0),
        truth(&client, base, FIRST_RETAINED, FIRST_RETAINED).await
    );

    // A window of retained days is unchanged: the same rows as without any retention.
    let retained = report_url(base, FIRST_RETAINED, &end_of(LAST_DAY));
    let (rows, _) = paged_rows(&client, &retained, &token).await;
    let unlimited = report_url(plain.base_url(), FIRST_RETAINED, &end_of(LAST_DAY));
    assert!(!rows.is_empty());
    assert_eq!(paged_rows(&client, &unlimited, &plain_token).await.0, rows);
}

#[tokio::test]
async fn the_error_reading_refuses_a_window_starting_before_the_retention() {
    let sim = start(retaining(RetentionReading::Error)).await;
    let plain = start(no_retention()).await;
    let client = Client::new();
    let token = secret_token(&client, &sim).await;
    let plain_token = secret_token(&client, &plain).await;
    let base = sim.base_url();

    for (from, to) in [
        (LAST_EXPIRED.to_owned(), end_of("2024-05-20")),
        ("2024-04-01".to_owned(), end_of(LAST_EXPIRED)),
        // Half a second before midnight is still on the expired day.
        (format!("{LAST_EXPIRED}T23:59:59.5Z"), end_of(LAST_DAY)),
        // Midnight at +01:00 is 23:00 UTC on the expired day.
        (format!("{FIRST_RETAINED}T00:00:00+01:00"), end_of(LAST_DAY)),
    ] {
        let url = report_url(base, &from, &to);
        let response = client
            .get(&url)
            .bearer_auth(&token)
            .header("client-request-id", "retention-check")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{url}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let request_id = response.headers()["request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let body = json(response).await;
        let error = &body["error"];
        assert_eq!(error["code"], "BadRequest", "{body}");
        assert_eq!(error["message"], MESSAGE, "{body}");
        let inner = &error["innerError"];
        assert_eq!(inner["request-id"], request_id.as_str());
        assert_eq!(inner["client-request-id"], "retention-check");
        assert!(inner["date"].is_string(), "{body}");
    }

    // From the first retained day: 200 on every page, the full data of those days.
    let url = report_url(base, FIRST_RETAINED, &end_of(LAST_DAY));
    let (rows, pages) = paged_rows(&client, &url, &token).await;
    assert!(pages > 2, "expected several pages, got {pages}");
    assert_eq!(
        currency_totals(&rows),
        truth(&client, base, FIRST_RETAINED, LAST_DAY).await
    );
    let unlimited = report_url(plain.base_url(), FIRST_RETAINED, &end_of(LAST_DAY));
    assert_eq!(paged_rows(&client, &unlimited, &plain_token).await.0, rows);
}

#[tokio::test]
async fn the_truth_still_has_the_expired_days() {
    let plain = start(no_retention()).await;
    let client = Client::new();
    let plain_token = secret_token(&client, &plain).await;
    // What a portal stored while these days were still retained.
    let stored = fetch_rows(
        &client,
        &report_url(plain.base_url(), "2024-04-01", &end_of(LAST_EXPIRED)),
        &plain_token,
    )
    .await;
    assert!(!stored.is_empty());
    let stored = currency_totals(&stored);

    for reading in [RetentionReading::Empty, RetentionReading::Error] {
        let config = retaining(reading);
        let sim = start(config.clone()).await;
        let answered = truth(&client, sim.base_url(), "2024-04-01", LAST_EXPIRED).await;
        assert_eq!(answered, stored, "{reading:?}");
        // Also across the boundary, and as the library computes it.
        let across = truth(&client, sim.base_url(), "2024-04-20", "2024-05-20").await;
        assert_eq!(
            across,
            truth(&client, plain.base_url(), "2024-04-20", "2024-05-20").await
        );
        let library = graph_sim::truth(&config, day("2024-04-01"), day(LAST_EXPIRED)).unwrap();
        assert_eq!(
            library.rows,
            answered.values().map(|t| t.rows).sum::<u64>(),
            "{reading:?}"
        );
    }
}

#[tokio::test]
async fn a_retention_of_zero_days_is_refused() {
    for reading in [RetentionReading::Empty, RetentionReading::Error] {
        let bad = SimConfig {
            retention_days: Some(0),
            retention_reading: reading,
            ..config(10)
        };
        let result = graph_sim::start(bad, "127.0.0.1:0".parse().unwrap()).await;
        match result {
            Err(SimError::InvalidConfig(message)) => {
                assert!(
                    message.contains("retention days must be at least 1"),
                    "{message}"
                );
            }
            Err(other) => panic!("unexpected error {other}"),
            Ok(_) => panic!("a retention of 0 days was accepted"),
        }
    }
    // One day is the shortest retention: only yesterday is left.
    let sim = start(SimConfig {
        retention_days: Some(1),
        ..config(200)
    })
    .await;
    let client = Client::new();
    let token = secret_token(&client, &sim).await;
    let rows = fetch_rows(
        &client,
        &report_url(sim.base_url(), "2024-05-20", &end_of(LAST_DAY)),
        &token,
    )
    .await;
    assert!(!rows.is_empty());
    assert_eq!(
        currency_totals(&rows),
        truth(&client, sim.base_url(), LAST_DAY, LAST_DAY).await
    );
}
