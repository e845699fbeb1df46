//! The readings of what Graph's docs leave open about the report's pages: the next link's key
//! (`--next-link-key`), the charge as a string (`--charge-as-string`) and an order that is not
//! stable between pages (`--unstable-order`). Each flag changes the pages only, never the truth.

mod common;

use std::collections::BTreeMap;

use common::*;
use graph_sim::{NextLinkKey, SimConfig, UNSTABLE_ORDER_OVERLAP};
use reqwest::Client;
use rust_decimal::Decimal;
use serde_json::Value;

const FROM: &str = "2024-03-01";
const LAST_DAY: &str = "2024-05-29";
const PAGE_SIZE: u32 = 10;

fn paged() -> SimConfig {
    SimConfig {
        page_size: PAGE_SIZE,
        ..config(150)
    }
}

/// Every page of the window `FROM..=LAST_DAY`, following the link under `key`.
async fn fetch_all(sim: &graph_sim::RunningSim, key: &str) -> Vec<Value> {
    let client = Client::new();
    let token = secret_token(&client, sim).await;
    let mut pages = Vec::new();
    let mut next = Some(report_url(sim.base_url(), FROM, &end_of(LAST_DAY)));
    while let Some(url) = next.take() {
        let page = json(get(&client, &url, &token).await).await;
        next = page[key].as_str().map(str::to_owned);
        pages.push(page);
        assert!(pages.len() < 1_000, "runaway paging");
    }
    pages
}

fn rows(pages: &[Value]) -> Vec<Value> {
    pages
        .iter()
        .flat_map(|page| page["value"].as_array().cloned().unwrap_or_default())
        .collect()
}

async fn window_truth(sim: &graph_sim::RunningSim) -> BTreeMap<String, Totals> {
    truth(&Client::new(), sim.base_url(), FROM, LAST_DAY).await
}

#[tokio::test]
async fn the_next_link_key_is_spelled_as_asked() {
    for (reading, key, other) in [
        (NextLinkKey::Examples, "@odata.nextLink", "@odata.NextLink"),
        (NextLinkKey::Text, "@odata.NextLink", "@odata.nextLink"),
    ] {
        let sim = start(SimConfig {
            next_link_key: reading,
            ..paged()
        })
        .await;
        let pages = fetch_all(&sim, key).await;
        assert!(pages.len() > 3, "{key}: several pages, got {}", pages.len());
        for page in &pages[..pages.len() - 1] {
            assert!(page[key].is_string(), "{key}: {page}");
            assert!(page.get(other).is_none(), "only one spelling: {page}");
        }
        assert!(pages.last().unwrap().get(key).is_none());
        assert_eq!(currency_totals(&rows(&pages)), window_truth(&sim).await);
    }
}

#[tokio::test]
async fn the_charge_as_a_string_has_the_numbers_exact_digits() {
    let as_number = start(paged()).await;
    let as_string = start(SimConfig {
        charge_as_string: true,
        ..paged()
    })
    .await;
    let numbers = rows(&fetch_all(&as_number, "@odata.nextLink").await);
    let strings = rows(&fetch_all(&as_string, "@odata.nextLink").await);
    assert_eq!(numbers.len(), strings.len());
    assert!(!numbers.is_empty());
    for (number, string) in numbers.iter().zip(&strings) {
        let text = string["totalCallCharge"]
            .as_str()
            .unwrap_or_else(|| panic!("a JSON string: {string}"));
        // The same digits, trailing zeros included: no float ever touched it.
        assert_eq!(text, number["totalCallCharge"].to_string());
        assert!(Decimal::from_str_exact(text).is_ok(), "{text}");
        let mut same = string.clone();
        same["totalCallCharge"] = number["totalCallCharge"].clone();
        assert_eq!(&same, number, "only the charge's form differs");
    }
    assert!(
        strings
            .iter()
            .any(|row| row["totalCallCharge"].as_str().unwrap().contains('.')),
        "fractional charges were written"
    );
    assert_eq!(
        window_truth(&as_string).await,
        window_truth(&as_number).await
    );
}

/// Graph's key of a report row.
fn key(row: &Value) -> String {
    format!(
        "{}|{}|{}|{}",
        row["userId"], row["usageLocation"], row["destinationContext"], row["currency"]
    )
}

#[tokio::test]
async fn an_unstable_order_repeats_the_previous_pages_last_rows() {
    let stable = start(paged()).await;
    let unstable = start(SimConfig {
        unstable_order: true,
        ..paged()
    })
    .await;
    let pages = fetch_all(&unstable, "@odata.nextLink").await;
    assert!(pages.len() > 3, "several pages, got {}", pages.len());
    let overlap = UNSTABLE_ORDER_OVERLAP;
    for pair in pages.windows(2) {
        let before = pair[0]["value"].as_array().unwrap();
        let after = pair[1]["value"].as_array().unwrap();
        assert_eq!(
            &after[..overlap],
            &before[before.len() - overlap..],
            "the same rows, same totals"
        );
    }
    for page in &pages[..pages.len() - 1] {
        assert_eq!(page["value"].as_array().unwrap().len(), PAGE_SIZE as usize);
    }

    // Concatenated, the repeated rows count twice; kept once, they are exactly the report.
    let concatenated = rows(&pages);
    assert_eq!(
        concatenated.len() - merge_rows(&concatenated).len(),
        overlap * (pages.len() - 1)
    );
    let truth = window_truth(&unstable).await;
    assert_ne!(currency_totals(&concatenated), truth);
    let mut seen = std::collections::HashSet::new();
    let distinct: Vec<&Value> = concatenated
        .iter()
        .filter(|row| seen.insert(key(row)))
        .collect();
    assert_eq!(currency_totals(distinct.iter().copied()), truth);
    let stable_rows = rows(&fetch_all(&stable, "@odata.nextLink").await);
    assert_eq!(
        distinct.into_iter().cloned().collect::<Vec<_>>(),
        stable_rows
    );
    assert_eq!(
        truth,
        window_truth(&stable).await,
        "the truth is unaffected"
    );
}
