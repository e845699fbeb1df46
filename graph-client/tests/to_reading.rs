//! How `toDateTime` is read is undocumented: the client finds the tenant's reading from a few
//! one-day answers (`to_reading.rs`), and its totals equal the simulator's truth to the cent
//! under every reading the simulator offers, for ranges of one day to over a year.

mod common;

use common::sim::{self, assert_fetch_matches_truth, check_ranges, last_days, small_config};
use common::{CLIENT, TENANT, config_for, secret_client};
use graph_client::{Credential, GraphClient, Secret, ToBound};
use graph_sim::{DEFAULT_CLIENT_SECRET, SimConfig, ToSemantics};

/// Report requests the simulator answered (every status).
async fn report_requests(sim: &graph_sim::RunningSim) -> u64 {
    let stats = sim::stats(sim).await;
    stats["report_requests"]
        .as_u64()
        .unwrap_or_else(|| panic!("no report_requests in {stats}"))
}

async fn totals_match_under(semantics: ToSemantics) {
    check_ranges(SimConfig {
        to_semantics: semantics,
        ..small_config()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totals_match_the_truth_when_graph_cuts_to_a_date_it_leaves_out() {
    totals_match_under(ToSemantics::DateExclusive).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totals_match_the_truth_when_graph_cuts_to_a_date_it_includes() {
    totals_match_under(ToSemantics::DateInclusive).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totals_match_the_truth_under_the_instant_readings_too() {
    totals_match_under(ToSemantics::Inclusive).await;
    totals_match_under(ToSemantics::Exclusive).await;
}

/// The reading is learnt once per client: a second fetch asks Graph for its pages only. A
/// one-day window with rows settles it for nothing; a longer window costs one probe request
/// under the other readings. Under the date-exclusive reading a one-day window (empty with the
/// last tick) costs two more (its day to the next midnight, the next day with the last tick)
/// and a longer one three; then the window is read again (its first, empty page is in `pages`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reading_is_found_once_and_costs_a_few_requests() {
    for (semantics, days, probes) in [
        (ToSemantics::Inclusive, 1, 0),
        (ToSemantics::DateInclusive, 1, 0),
        (ToSemantics::Inclusive, 30, 1),
        (ToSemantics::DateInclusive, 30, 1),
        (ToSemantics::DateExclusive, 1, 2),
        (ToSemantics::DateExclusive, 30, 3),
    ] {
        let sim = sim::start(SimConfig {
            to_semantics: semantics,
            ..small_config()
        })
        .await;
        let client = secret_client(sim.base_url(), DEFAULT_CLIENT_SECRET);
        let range = last_days(days);
        let first = client.fetch_report(range, |_| {}).await.unwrap();
        let after_first = report_requests(&sim).await;
        assert_eq!(
            after_first,
            first.pages + probes,
            "{semantics:?} {days} days"
        );
        let again = client.fetch_report(range, |_| {}).await.unwrap();
        assert_eq!(again.rows, first.rows, "{semantics:?}");
        assert_eq!(
            report_requests(&sim).await,
            after_first + again.pages,
            "{semantics:?}: found once"
        );
        sim.shutdown().await;
    }
}

/// A tenant whose reading is known can say so: nothing is probed, and a wrong setting shows
/// (the date-exclusive reading with the last tick loses every last day).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixed_bound_is_used_as_given() {
    let sim = sim::start(SimConfig {
        to_semantics: ToSemantics::DateExclusive,
        ..small_config()
    })
    .await;
    let fixed = |bound| {
        GraphClient::new(
            config_for(
                sim.base_url(),
                TENANT,
                CLIENT,
                Credential::Secret(Secret::new(DEFAULT_CLIENT_SECRET)),
            )
            .with_to_bound(bound),
        )
        .unwrap()
    };
    assert_fetch_matches_truth(&sim, &fixed(ToBound::NextMidnight), last_days(30)).await;
    let wrong = fixed(ToBound::LastTick)
        .fetch_report(last_days(1), |_| {})
        .await
        .unwrap();
    assert!(
        wrong.rows.is_empty(),
        "a one-day window read date-exclusive is empty"
    );
    sim.shutdown().await;
}

/// A tenant without a call that day: the empty one-day window costs one more request (the day
/// to the next midnight, empty too), learns nothing and looks at no other day.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_day_costs_one_request_and_teaches_nothing() {
    let sim = sim::start(small_config()).await;
    let client = secret_client(sim.base_url(), DEFAULT_CLIENT_SECRET);
    // The simulator's today has no call yet.
    let today = graph_client::DayRange::day(sim::today()).unwrap();
    let report = client.fetch_report(today, |_| {}).await.unwrap();
    assert!(report.rows.is_empty());
    assert_eq!(report_requests(&sim).await, report.pages + 1);
    assert_eq!(client.to_bound(), None);
    sim.shutdown().await;
}
