use app::model::Summary;
use futures::future::join_all;
use graph_sim::SimConfig;

use crate::common::{Portal, Totals, sim_config, truth_totals};

async fn summary(portal: &Portal, from: &str, to: &str) -> Summary {
    let response = portal
        .server_fn("summary", &format!("from={from}&to={to}"))
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn summary_totals(summary: &Summary) -> Totals {
    summary
        .currencies
        .iter()
        .map(|c| {
            (
                c.currency.clone(),
                (c.totals.calls, c.totals.seconds, c.totals.charge, 0),
            )
        })
        .collect()
}

fn without_rows(mut totals: Totals) -> Totals {
    totals.values_mut().for_each(|t| t.3 = 0);
    totals
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summary_totals_equal_the_simulators_truth_exactly() {
    let portal = Portal::demo(sim_config()).await;
    // One Graph window, and a range of two windows (merged across them).
    for (from, to) in [("2026-01-01", "2026-02-28"), ("2025-11-05", "2026-02-28")] {
        let summary = summary(&portal, from, to).await;
        let truth = portal.truth(from, to);
        assert!(truth.currencies.len() > 1, "several currencies expected");
        assert_eq!(
            summary_totals(&summary),
            without_rows(truth_totals(&truth)),
            "{from}..{to}"
        );
        assert_eq!(summary.incomplete_rows, 0);
        assert_eq!(summary.repeated_rows, 0);
    }
}

/// Graph's order unstable between pages: the rows it repeats are counted once, the summary
/// still equals the truth, and says how many rows came twice (the page shows it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_graph_repeats_across_pages_are_counted_once_and_named() {
    let portal = Portal::demo(SimConfig {
        unstable_order: true,
        page_size: 10,
        ..sim_config()
    })
    .await;
    let (from, to) = ("2026-02-01", "2026-02-28");
    let summary = summary(&portal, from, to).await;
    assert_eq!(
        summary_totals(&summary),
        without_rows(truth_totals(&portal.truth(from, to)))
    );
    // Each page after a day's first starts 3 rows back: pages of 10 move on by 7, and each
    // of them repeats 3 rows.
    let repeats: u64 = chrono::NaiveDate::from_ymd_opt(2026, 2, 1)
        .unwrap()
        .iter_days()
        .take(28)
        .map(|day| {
            let rows = graph_sim::truth(&portal.sim_config, day, day).unwrap().rows;
            3 * rows.saturating_sub(10).div_ceil(7)
        })
        .sum();
    assert!(repeats > 0);
    assert_eq!(summary.repeated_rows, repeats);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_simultaneous_requests_cause_one_graph_request_chain() {
    // An empty store: the range's days are read from Graph once, one chain per day.
    let portal = Portal::demo_empty(SimConfig {
        page_size: 10,
        ..sim_config()
    })
    .await;
    let (from, to) = ("2026-01-10", "2026-02-09");
    let form = format!("from={from}&to={to}");
    let before = portal.sim_stats().await;
    assert_eq!(before["report_requests"], 0);
    let responses = join_all((0..100).map(|_| portal.server_fn("summary", &form))).await;
    let mut bodies = Vec::new();
    for response in responses {
        assert_eq!(response.status(), 200);
        bodies.push(response.text().await.unwrap());
    }
    assert!(
        bodies.windows(2).all(|pair| pair[0] == pair[1]),
        "every caller gets the same summary"
    );
    let pages = portal.day_pages(from, to);
    assert!(
        pages > 31,
        "some days should span several pages, got {pages}"
    );
    let stats = portal.sim_stats().await;
    assert_eq!(stats["token_requests"], 1, "{stats}");
    assert_eq!(
        stats["report_requests"], pages,
        "each day's pages read once, {pages} in all: {stats}"
    );
    assert_eq!(stats["pages_served"], pages, "{stats}");
    // Cached now: more requests do not reach Graph.
    summary(&portal, from, to).await;
    assert_eq!(portal.sim_stats().await["report_requests"], pages);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_functions_answer_bad_requests_with_4xx_and_the_reason() {
    let portal = Portal::demo(sim_config()).await;
    let reversed = portal
        .server_fn("summary", "from=2026-02-01&to=2026-01-01")
        .await;
    assert_eq!(reversed.status(), 400);
    let error: app::error::AppError = reversed.json().await.unwrap();
    assert!(error.to_string().contains("after it ends"), "{error}");

    let nobody = portal
        .server_fn("user", "from=2026-01-01&to=2026-01-31&user_id=nobody")
        .await;
    assert_eq!(nobody.status(), 404);

    let info = portal.server_fn("portal", "").await;
    assert_eq!(info.status(), 200);
    let info: app::model::PortalInfo = info.json().await.unwrap();
    assert!(info.demo);
    assert_eq!(info.today, sim_config().today);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_range_with_days_still_loading_names_them_until_the_sync_brings_them() {
    // An empty store and a range too long to wait for: the page gets what is stored (nothing
    // yet), with the missing days named, and the sync is asked to take them first.
    let portal = Portal::demo_empty(sim_config()).await;
    let (from, to) = ("2026-01-01", "2026-02-15");
    let partial = summary(&portal, from, to).await;
    assert_eq!(
        partial.missing,
        vec![app::model::DateRange {
            from: crate::common::day(from),
            to: crate::common::day(to)
        }]
    );
    assert_eq!(partial.missing_days(), 46);
    assert!(partial.currencies.is_empty(), "nothing stored yet");
    let history = partial.history.expect("the store's status");
    assert_eq!(history.stored_days, 0);
    assert_eq!(portal.sim_stats().await["report_requests"], 0);
    // A drill-down on the partial range does not say "no dial-out": the days still loading
    // may have some.
    let user_form = |user: &str| format!("from={from}&to={to}&user_id={user}");
    let unsure = portal.server_fn("user", &user_form("u-any")).await;
    assert_eq!(unsure.status(), 503);
    let error: app::error::AppError = unsure.json().await.unwrap();
    assert!(
        error.to_string().contains("46 days are still loading"),
        "{error}"
    );

    // The page's progress bar follows the sync's work on the range until every day is in.
    let mut stream = portal
        .get(&format!("/events/progress?from={from}&to={to}"))
        .await;
    let mut body = String::new();
    // The first status is there before the sync starts...
    while !body.contains("\n\n") {
        let chunk = stream.chunk().await.unwrap().expect("a first event");
        body.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    // ...then the sync takes the wanted days first, and the stream ends when all are in.
    let run = portal.history.sync_once().await;
    assert_eq!(run.failed, None);
    while let Some(chunk) = stream.chunk().await.unwrap() {
        body.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    let events: Vec<app::model::FetchStatus> = body
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .map(|data| serde_json::from_str(data).unwrap())
        .collect();
    let first = events.first().unwrap();
    assert_eq!(first.state, app::model::FetchState::Fetching, "{events:?}");
    assert_eq!(first.windows_total, 46);
    let last = events.last().unwrap();
    assert_eq!(last.state, app::model::FetchState::Done, "{events:?}");
    assert_eq!((last.windows_done, last.windows_total), (46, 46));
    // Then the range is complete and exact.
    let complete = summary(&portal, from, to).await;
    assert!(complete.missing.is_empty(), "{:?}", complete.missing);
    assert_eq!(
        summary_totals(&complete),
        without_rows(truth_totals(&portal.truth(from, to)))
    );
    let top = &complete.currencies[0].top_users[0].user_id;
    let detail = portal.server_fn("user", &user_form(top)).await;
    assert_eq!(detail.status(), 200);
    let detail: app::model::UserDetail = detail.json().await.unwrap();
    assert!(detail.missing.is_empty());
    let nobody = portal.server_fn("user", &user_form("nobody")).await;
    assert_eq!(nobody.status(), 404);
}

async fn trend(portal: &Portal, form: &str) -> app::model::Trend {
    let response = portal.server_fn("trend", form).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trend_points_equal_the_truth_of_their_days_and_a_users_add_up_to_their_detail() {
    let portal = Portal::demo(sim_config()).await;
    // Day buckets (up to 31 days) and week buckets clipped at both ends.
    for (from, to) in [("2026-02-01", "2026-02-10"), ("2026-01-07", "2026-02-25")] {
        let trend = trend(&portal, &format!("from={from}&to={to}")).await;
        let mut buckets: std::collections::BTreeMap<_, Totals> = Default::default();
        for series in &trend.currencies {
            for point in &series.points {
                let t = &point.totals;
                if t.calls > 0 || t.seconds > 0 || !t.charge.is_zero() {
                    buckets
                        .entry((point.from, point.to))
                        .or_default()
                        .insert(series.currency.clone(), (t.calls, t.seconds, t.charge, 0));
                }
            }
        }
        assert!(buckets.len() > 3, "{from}..{to}: {buckets:?}");
        for ((first, last), totals) in buckets {
            let truth = graph_sim::truth(&portal.sim_config, first, last).unwrap();
            assert_eq!(
                totals,
                without_rows(truth_totals(&truth)),
                "{first}..{last}"
            );
        }
    }

    // One user's trend sums to their drill-down's totals, currency by currency.
    let (from, to) = ("2026-01-07", "2026-02-25");
    let summary = summary(&portal, from, to).await;
    let user = &summary.currencies[0].top_users[0].user_id;
    let form = format!("from={from}&to={to}&user_id={user}");
    let detail: app::model::UserDetail =
        portal.server_fn("user", &form).await.json().await.unwrap();
    let user_trend = trend(&portal, &form).await;
    let summed: Totals = user_trend
        .currencies
        .iter()
        .map(|series| {
            let mut total = app::model::Totals::default();
            series
                .points
                .iter()
                .for_each(|point| total.add(&point.totals));
            let t = total;
            (series.currency.clone(), (t.calls, t.seconds, t.charge, 0))
        })
        .collect();
    let detailed: Totals = detail
        .currencies
        .iter()
        .map(|c| {
            let t = &c.totals;
            (c.currency.clone(), (t.calls, t.seconds, t.charge, 0))
        })
        .collect();
    assert_eq!(summed, detailed);
}

/// The same portal with its store on PostgreSQL (a throwaway cluster): synced from the
/// simulator, its summaries equal the truth to the cent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_the_summary_equals_the_truth() {
    let cluster = pg_cluster::PgCluster::start().unwrap();
    let url = cluster.create_database("portal").unwrap();
    let portal = Portal::demo_on(sim_config(), url).await;
    for (from, to) in [("2026-01-01", "2026-02-28"), ("2025-11-05", "2026-02-28")] {
        let summary = summary(&portal, from, to).await;
        assert_eq!(
            summary_totals(&summary),
            without_rows(truth_totals(&portal.truth(from, to))),
            "{from}..{to}"
        );
    }
    drop(portal);
}
