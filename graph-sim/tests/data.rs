//! The made-up data over HTTP: determinism, summability (property test), and the hostile but
//! legal values the spec asks for.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use common::*;
use graph_sim::{SimConfig, ToSemantics};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use reqwest::Client;
use rust_decimal::Decimal;
use serde_json::Value;

/// Every page body of a window, with the instance's base URL replaced so two instances compare.
async fn page_bodies(sim: &graph_sim::RunningSim, from: &str, to: &str) -> Vec<String> {
    let client = Client::new();
    let token = secret_token(&client, sim).await;
    let mut next = Some(report_url(sim.base_url(), from, to));
    let mut bodies = Vec::new();
    while let Some(url) = next.take() {
        let body = get(&client, &url, &token).await.text().await.unwrap();
        let page: Value = serde_json::from_str(&body).unwrap();
        next = page["@odata.nextLink"].as_str().map(str::to_owned);
        bodies.push(body.replace(sim.base_url(), "BASE"));
    }
    bodies
}

#[tokio::test]
async fn the_same_seed_gives_byte_identical_pages() {
    let config = SimConfig {
        page_size: 100,
        ..config(400)
    };
    let first = start(config.clone()).await;
    let second = start(config.clone()).await;
    let other_seed = start(SimConfig {
        seed: config.seed + 1,
        ..config
    })
    .await;
    let window = ("2024-02-01", "2024-04-30");
    let a = page_bodies(&first, window.0, window.1).await;
    assert!(a.len() > 1);
    assert_eq!(a, page_bodies(&first, window.0, window.1).await);
    assert_eq!(a, page_bodies(&second, window.0, window.1).await);
    assert_ne!(a, page_bodies(&other_seed, window.0, window.1).await);
}

/// A window of whole days `[first, last]` spelled for the instance's `toDateTime` reading:
/// inclusive ends on the last whole second (a date cut and included: the date itself),
/// exclusive on the next midnight (cut and left out: the next date).
fn window_url(
    base: &str,
    first: chrono::NaiveDate,
    last: chrono::NaiveDate,
    semantics: ToSemantics,
) -> String {
    let to = match semantics {
        ToSemantics::Inclusive => format!("{last}T23:59:59Z"),
        ToSemantics::DateInclusive => last.to_string(),
        ToSemantics::Exclusive | ToSemantics::DateExclusive => {
            (last + Duration::days(1)).to_string()
        }
    };
    report_url(base, &first.to_string(), &to)
}

#[test]
fn splitting_a_range_at_any_day_boundary_never_changes_the_merged_totals() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (sims, token_per_sim) = runtime.block_on(async {
        let client = Client::new();
        let mut sims = Vec::new();
        let mut tokens = Vec::new();
        for semantics in [
            ToSemantics::Inclusive,
            ToSemantics::Exclusive,
            ToSemantics::DateExclusive,
            ToSemantics::DateInclusive,
        ] {
            let sim = start(SimConfig {
                to_semantics: semantics,
                ..config(150)
            })
            .await;
            tokens.push(secret_token(&client, &sim).await);
            sims.push((sim, semantics));
        }
        (sims, tokens)
    });
    let client = Client::new();
    let history_start = day(TODAY) - Duration::days(125);
    let rows_seen = std::cell::Cell::new(0usize);

    // (start offset, length in days, split after this many days, which instance)
    let strategy = (0i64..130, 2i64..=90, 1i64..90, 0usize..2)
        .prop_filter("split inside the range", |(_, len, split, _)| split < len);
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 24,
        ..ProptestConfig::default()
    });
    runner
        .run(&strategy, |(offset, len, split, which)| {
            let (sim, semantics) = &sims[which];
            let token = &token_per_sim[which];
            let first = history_start + Duration::days(offset);
            let last = first + Duration::days(len - 1);
            let cut = first + Duration::days(split);
            runtime.block_on(async {
                let base = sim.base_url();
                let whole =
                    fetch_rows(&client, &window_url(base, first, last, *semantics), token).await;
                let mut parts = fetch_rows(
                    &client,
                    &window_url(base, first, cut - Duration::days(1), *semantics),
                    token,
                )
                .await;
                parts.extend(
                    fetch_rows(&client, &window_url(base, cut, last, *semantics), token).await,
                );

                rows_seen.set(rows_seen.get() + whole.len());
                let merged_whole = merge_rows(&whole);
                let merged_parts = merge_rows(&parts);
                prop_assert_eq!(merged_whole.len(), whole.len());
                prop_assert_eq!(&merged_whole, &merged_parts);
                let truth = truth(&client, base, &first.to_string(), &last.to_string()).await;
                prop_assert_eq!(currency_totals(&whole), truth);
                Ok(())
            })
        })
        .unwrap();
    assert!(rows_seen.get() > 0, "every generated window was empty");
}

#[tokio::test]
async fn calls_exist_only_on_the_history_days_before_today() {
    let sim = start(config(300)).await; // history_days = 120
    let client = Client::new();
    let base = sim.base_url();
    let today = day(TODAY);
    let shifted = |days: i64| (today + Duration::days(days)).to_string();
    assert!(
        truth(&client, base, &shifted(0), &shifted(30))
            .await
            .is_empty()
    );
    assert!(
        truth(&client, base, &shifted(-200), &shifted(-121))
            .await
            .is_empty()
    );
    assert!(
        !truth(&client, base, &shifted(-1), &shifted(-1))
            .await
            .is_empty()
    );
    assert!(
        !truth(&client, base, &shifted(-120), &shifted(-120))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn users_locations_currencies_and_names_are_varied_and_hostile() {
    let sim = start(config(2000)).await;
    let client = Client::new();
    let token = secret_token(&client, &sim).await;
    let rows = fetch_rows(
        &client,
        &report_url(sim.base_url(), "2024-03-01", &end_of("2024-05-29")),
        &token,
    )
    .await;

    let strings = |field: &str| {
        rows.iter()
            .filter_map(|r| r[field].as_str())
            .collect::<Vec<_>>()
    };
    let names = strings("userDisplayName");
    let locations: BTreeSet<_> = strings("usageLocation").into_iter().collect();
    let currencies: BTreeSet<_> = strings("currency").into_iter().collect();
    assert!(locations.len() >= 10, "{locations:?}");
    assert!(
        currencies.len() >= 4 && currencies.contains("JPY"),
        "{currencies:?}"
    );
    assert!(rows.iter().any(|r| r["userPrincipalName"].is_null()));
    assert!(rows.iter().any(|r| r["userDisplayName"].is_null()));
    let any_name = |test: &dyn Fn(&str) -> bool| names.iter().any(|n| test(n));
    assert!(
        any_name(&|n| n.chars().any(|c| ('\u{3040}'..='\u{9fff}').contains(&c))),
        "Japanese"
    );
    assert!(
        any_name(&|n| n.contains('ã') || n.contains('ç')),
        "Portuguese accents"
    );
    assert!(any_name(&|n| n.contains("<script>")));
    assert!(any_name(&|n| n.contains('"')));
    for prefix in ['=', '+', '-', '@'] {
        assert!(
            any_name(&|n| n.starts_with(prefix)),
            "name starting with {prefix}"
        );
    }
    assert!(any_name(&|n| n.chars().count() >= 200), "very long name");

    // JPY is zero-decimal; charges are JSON numbers and never floats in disguise.
    for row in &rows {
        let charge = decimal(&row["totalCallCharge"]);
        if row["currency"] == "JPY" {
            assert_eq!(charge.fract(), Decimal::ZERO);
        }
    }
    assert!(
        rows.iter()
            .any(|r| decimal(&r["totalCallCharge"]).scale() >= 3)
    );

    // Some users have rows in two currencies.
    let mut currencies_per_user: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in &rows {
        currencies_per_user
            .entry(r["userId"].as_str().unwrap())
            .or_default()
            .insert(r["currency"].as_str().unwrap());
    }
    assert!(currencies_per_user.values().any(|c| c.len() >= 2));

    // Heavy tail: the top 5% of users by seconds make at least 40% of the seconds.
    let mut seconds_per_user: BTreeMap<&str, u64> = BTreeMap::new();
    for r in &rows {
        *seconds_per_user
            .entry(r["userId"].as_str().unwrap())
            .or_default() += r["totalCallSeconds"].as_u64().unwrap();
    }
    let mut seconds: Vec<u64> = seconds_per_user.values().copied().collect();
    seconds.sort_unstable_by(|a, b| b.cmp(a));
    let total: u64 = seconds.iter().sum();
    let top: u64 = seconds.iter().take(2000 / 20).sum();
    assert!(top * 10 >= total * 4, "top 5% = {top} of {total}");

    // Most users make no dial-out call at all in a given week.
    let week = fetch_rows(
        &client,
        &report_url(sim.base_url(), "2024-05-06", &end_of("2024-05-12")),
        &token,
    )
    .await;
    let active: BTreeSet<_> = week.iter().map(|r| r["userId"].as_str().unwrap()).collect();
    assert!(
        active.len() < 1000,
        "{} of 2000 users active in a week",
        active.len()
    );
}
