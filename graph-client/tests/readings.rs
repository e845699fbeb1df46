//! A year fetched in 90-day windows under the simulator's readings of what Graph's docs leave
//! open: the next link spelled as the docs' text does, the charge as a string, and an order
//! that moves between `$skip` pages. Each must still add up to the truth to the cent, and only
//! the unstable order may make the client drop (and count) repeated rows.

mod common;

use common::secret_client;
use common::sim::{self, last_days, small_config, totals_of};
use graph_client::{DialoutReport, Priority, Repeats, Window, merge_rows};
use graph_sim::{DEFAULT_CLIENT_SECRET, NextLinkKey, SimConfig, UNSTABLE_ORDER_OVERLAP};

const DAYS: u64 = 365;

/// Fetches the last [`DAYS`] days and checks the totals per currency against the truth.
async fn fetch_year(config: SimConfig) -> DialoutReport {
    let sim = sim::start(config).await;
    let client = secret_client(sim.base_url(), DEFAULT_CLIENT_SECRET);
    let range = last_days(DAYS);
    let report = client
        .fetch_report(range, |_| {})
        .await
        .unwrap_or_else(|e| panic!("{range}: {e}"));
    let truth = sim::truth(&sim, range).await;
    assert!(!truth.is_empty(), "an empty truth proves nothing");
    assert_eq!(totals_of(&report.rows), truth, "{range}");
    assert_eq!(report.windows, 5, "365 days are five windows of at most 90");
    assert!(
        report.pages > 2 * report.windows as u64,
        "several pages per window: {}",
        report.pages
    );
    report
}

fn assert_no_repeats(report: &DialoutReport) {
    assert_eq!(
        (report.stats.duplicate_rows, report.stats.conflicting_rows),
        (0, 0)
    );
    assert_eq!(report.repeats, Repeats::default());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_link_as_the_docs_spell_it_is_followed() {
    let report = fetch_year(SimConfig {
        next_link_key: NextLinkKey::Text,
        ..small_config()
    })
    .await;
    assert_no_repeats(&report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charges_as_strings_add_up_to_the_cent() {
    let report = fetch_year(SimConfig {
        charge_as_string: true,
        ..small_config()
    })
    .await;
    assert_no_repeats(&report);
    assert!(
        report
            .rows
            .iter()
            .any(|row| row.total_call_charge.is_some_and(|c| c.scale() > 0)),
        "fractional charges were read"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_repeated_by_an_unstable_order_are_counted_and_kept_once() {
    let config = SimConfig {
        unstable_order: true,
        ..small_config()
    };
    let report = fetch_year(config.clone()).await;
    // Every page after a window's first repeats the previous page's last rows, unchanged.
    let later_pages = report.pages as usize - report.windows;
    assert_eq!(
        report.stats.duplicate_rows,
        UNSTABLE_ORDER_OVERLAP * later_pages
    );
    assert_eq!(
        report.stats.conflicting_rows, 0,
        "the same totals each time"
    );
    assert!(!report.repeats.first.is_empty());
    assert!(report.repeats.first.iter().all(|key| !key.conflicting));
    assert_eq!(report.repeats.rows, report.stats.duplicate_rows);

    // One window fetched alone (the store's sync does so): its rows come each key once.
    let sim = sim::start(config).await;
    let client = secret_client(sim.base_url(), DEFAULT_CLIENT_SECRET);
    let range = last_days(30);
    let window = Window::new(range).unwrap();
    let fetched = client
        .fetch_window_with(window, Priority::Background, |_| {})
        .await
        .unwrap();
    assert!(fetched.pages > 1, "several pages: {}", fetched.pages);
    assert_eq!(
        fetched.repeats.rows,
        UNSTABLE_ORDER_OVERLAP * (fetched.pages as usize - 1)
    );
    let (merged, stats) = merge_rows([fetched.rows.clone()]).unwrap();
    assert_eq!(stats.output_rows, fetched.rows.len(), "no key twice");
    assert_eq!(totals_of(&merged), sim::truth(&sim, range).await);
}
