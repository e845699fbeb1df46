//! Several instances on one PostgreSQL (each test starts its own throwaway cluster): what one
//! writes reaches the others, one syncs and another takes over when it ends, Graph's pages are
//! read once whichever instance wants a day, and sign-in state is shared.
mod common;

use std::time::Duration;

use common::*;
use graph_client::Priority;
use graph_sim::RetentionReading;
use report_store::Store;

/// Waits up to 20 s for `check`, which should become true well before.
async fn eventually(what: &str, check: impl Fn() -> bool) {
    let started = std::time::Instant::now();
    while !check() {
        assert!(started.elapsed() < Duration::from_secs(20), "never: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A cluster with one database and two instances' stores on it.
async fn two_instances() -> (pg_cluster::PgCluster, String, Store, Store) {
    let cluster = pg_cluster::PgCluster::start().expect("a throwaway PostgreSQL cluster");
    let url = cluster.create_database("store").unwrap();
    let first = Store::open(&url, SOURCE)
        .await
        .expect("the first instance opens");
    let second = Store::open(&url, SOURCE)
        .await
        .expect("the second instance opens");
    (cluster, url, first, second)
}

async fn scalar(url: &str, sql: &str) -> i64 {
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let value: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    value
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_one_instance_writes_reaches_the_other() {
    let (_cluster, url, a, b) = two_instances().await;
    let (day1, day2, day3) = (back(today(), 3), back(today(), 2), back(today(), 1));
    a.write_day(fetched(
        day1,
        vec![
            user_row("u1", "Ada", 1, 60, "0.10"),
            user_row("u2", "Ben", 2, 120, "0.20"),
        ],
        1,
        "r1",
    ))
    .await
    .unwrap();
    eventually("b holds day 1", || b.day_state(day1).is_some()).await;
    assert_eq!(b.keys().len(), 2);
    // Each writes before hearing of the other's write: a key added by one is found by the
    // other's write (never stored twice), and a new one gets an id of its own.
    b.write_day(fetched(
        day2,
        vec![
            user_row("u1", "Ada Renamed", 3, 180, "0.30"),
            user_row("u3", "Cleo", 1, 30, "0.05"),
        ],
        1,
        "r2",
    ))
    .await
    .unwrap();
    a.write_day(fetched(
        day3,
        vec![
            user_row("u3", "Cleo", 2, 60, "0.07"),
            user_row("u4", "Dan", 1, 10, "0.01"),
        ],
        1,
        "r3",
    ))
    .await
    .unwrap();
    eventually("both hold three days", || {
        a.days().len() == 3 && b.days().len() == 3
    })
    .await;
    assert_eq!(
        scalar(&url, "SELECT COUNT(*) FROM report_keys").await,
        4,
        "each key once"
    );
    let (ha, hb) = (
        history(&a, offline_client(), 10),
        history(&b, offline_client(), 10),
    );
    let (rows_a, rows_b) = (
        merged_rows(&ha, day1, day3).await,
        merged_rows(&hb, day1, day3).await,
    );
    assert_eq!(rows_a, rows_b);
    let totals = totals_of(&rows_a);
    assert_eq!(totals["USD"].charge.to_string(), "0.73");
    assert_eq!(totals["USD"].calls, 10);
    // The newer name, written by b, is a's too.
    let ada = rows_a
        .iter()
        .find(|row| row.user_id.as_deref() == Some("u1"))
        .unwrap();
    assert_eq!(ada.user_display_name.as_deref(), Some("Ada Renamed"));

    // A day written again replaces what the other instance held in memory.
    let before = hb.stored_days(day1, day1).await.unwrap()[0].state.version;
    a.write_day(fetched(
        day1,
        vec![user_row("u1", "Ada Renamed", 5, 300, "1.00")],
        1,
        "r1b",
    ))
    .await
    .unwrap();
    eventually("b has day 1's new reading", || {
        b.day_state(day1)
            .is_some_and(|state| state.version > before)
    })
    .await;
    let day1_b = totals_of(&merged_rows(&hb, day1, day1).await);
    assert_eq!(day1_b["USD"].charge.to_string(), "1");
    // Older names never replace newer ones, whoever writes: day 1 is older than day 2's name.
    let ada = merged_rows(&hb, day1, day1).await;
    assert_eq!(ada[0].user_display_name.as_deref(), Some("Ada Renamed"));
    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_instance_syncs_and_another_takes_over_when_it_ends() {
    let (_cluster, url, a, b) = two_instances().await;
    assert!(a.claim_syncer().await, "the first to ask syncs");
    assert!(!b.claim_syncer().await, "one syncer at a time");
    assert!(a.claim_syncer().await, "the syncer keeps its lock");
    assert!(a.is_syncer() && !b.is_syncer());
    a.close().await;
    assert!(
        b.claim_syncer().await,
        "the lock is free once the syncer ends"
    );

    // A syncer whose lock connection is cut (a restart of PostgreSQL, a killed session) gives
    // the role up when it next asks; another takes it.
    let c = Store::open(&url, SOURCE).await.unwrap();
    assert!(!c.claim_syncer().await);
    scalar(
        &url,
        "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' \
         AND granted",
    )
    .await;
    let mut taken = false;
    for _ in 0..100 {
        if c.claim_syncer().await {
            taken = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(taken, "another instance takes the lock once it is free");
    assert!(!b.claim_syncer().await, "the one that lost it knows");
    b.close().await;
    c.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_state_is_shared_by_every_instance() {
    let (_cluster, url, a, b) = two_instances().await;
    let later = chrono::Utc::now().timestamp() + 120;
    a.put_handoff("token-1", "{\"session\":1}", later)
        .await
        .unwrap();
    assert_eq!(
        b.take_handoff("token-1").await.unwrap().as_deref(),
        Some("{\"session\":1}"),
        "redeemed on another instance"
    );
    assert_eq!(b.take_handoff("token-1").await.unwrap(), None, "once");
    assert_eq!(
        a.take_handoff("token-1").await.unwrap(),
        None,
        "once anywhere"
    );
    // The database keeps the token's digest, not the token.
    a.put_handoff("token-2", "{}", later).await.unwrap();
    assert_eq!(
        scalar(
            &url,
            "SELECT COUNT(*) FROM sign_in_handoffs WHERE token_sha256 = 'token-2'"
        )
        .await,
        0
    );
    // A lapsed token is refused.
    a.put_handoff("token-3", "{}", chrono::Utc::now().timestamp() - 1)
        .await
        .unwrap();
    assert_eq!(b.take_handoff("token-3").await.unwrap(), None);

    a.revoke_session("session-9", later).await.unwrap();
    assert!(a.is_revoked("session-9"));
    eventually("b refuses the session too", || b.is_revoked("session-9")).await;
    assert!(!b.is_revoked("session-10"));
    // An instance started later reads the revocations still in force.
    let c = Store::open(&url, SOURCE).await.unwrap();
    assert!(c.is_revoked("session-9"));
    for store in [a, b, c] {
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_missed_while_the_listener_was_cut_off_are_read_again() {
    let (_cluster, url, a, b) = two_instances().await;
    // Every connection but this one ends (both instances' listeners and pools).
    scalar(
        &url,
        "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .await;
    let day = back(today(), 5);
    a.write_day(fetched(
        day,
        vec![user_row("u1", "Ada", 1, 60, "0.10")],
        1,
        "r",
    ))
    .await
    .expect("the pool connects again");
    a.revoke_session("session-1", chrono::Utc::now().timestamp() + 60)
        .await
        .unwrap();
    eventually("b has the day", || b.day_state(day).is_some()).await;
    eventually("b has the revocation", || b.is_revoked("session-1")).await;
    assert_eq!(b.keys().len(), 1);
    a.close().await;
    b.close().await;
}

const WINDOW: u32 = 20;

fn pages(store: &Store) -> u64 {
    store.days().values().map(|state| state.pages).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_read_each_days_pages_once() {
    let sim = Sim::start(sim_config(None, RetentionReading::Empty)).await;
    let (_cluster, _url, a, b) = two_instances().await;
    let (ha, hb) = (
        history(&a, sim.client.clone(), WINDOW),
        history(&b, sim.client.clone(), WINDOW),
    );
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let runs: Vec<_> = [ha.clone(), hb.clone()]
        .into_iter()
        .map(|history| {
            let mut stop = stop.clone();
            tokio::spawn(history.run_sync(async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            }))
        })
        .collect();
    eventually("both instances hold the window", || {
        a.days().len() == WINDOW as usize && b.days().len() == WINDOW as usize
    })
    .await;
    assert!(a.is_syncer() != b.is_syncer(), "one syncer");
    let stats = sim.stats().await;
    let learning = stats.report_requests - pages(&a);
    assert!(
        learning <= 1,
        "each page read once: {learning} more requests"
    );
    // The directory read once: as many requests as one more read takes.
    sim.client
        .fetch_directory(Priority::Background)
        .await
        .expect("the directory reads");
    let one_read = sim.stats().await.users_requests - stats.users_requests;
    assert_eq!(stats.users_requests, one_read, "the directory read once");
    let stats = sim.stats().await;

    // The instance that does not sync asks the syncer for a day outside the window.
    let (syncer, follower) = if a.is_syncer() {
        (&ha, &hb)
    } else {
        (&hb, &ha)
    };
    let older = back(today(), u64::from(WINDOW) + 2);
    follower
        .fetch_missing(vec![older], Priority::Interactive, |_| {})
        .await
        .expect("the syncer stores the day");
    assert!(syncer.store().day_state(older).is_some());
    let after = sim.stats().await;
    assert_eq!(
        after.report_requests - stats.report_requests,
        follower.store().day_state(older).unwrap().pages,
        "the day's pages read once, by the syncer"
    );
    // A long range's days (more than a page waits for) are wanted, not waited for: the
    // syncer reads them all the same.
    let wanted = [
        back(today(), u64::from(WINDOW) + 4),
        back(today(), u64::from(WINDOW) + 5),
    ];
    follower.want(wanted);
    eventually("the syncer stored the wanted days", || {
        wanted
            .iter()
            .all(|day| follower.store().day_state(*day).is_some())
    })
    .await;
    // Days before Graph's retention, as the syncer recorded it, are refused at once.
    let floor = back(today(), u64::from(WINDOW) + 10);
    syncer
        .store()
        .set_meta("retention_floor", &floor.to_string())
        .await
        .unwrap();
    eventually("the follower knows the floor", || {
        follower.retention_floor() == Some(floor)
    })
    .await;
    let refused = follower
        .fetch_missing(vec![back(floor, 1)], Priority::Interactive, |_| {})
        .await
        .expect_err("before the retention floor");
    assert!(
        refused.to_string().contains("keeps nothing before"),
        "{refused}"
    );
    for history in [&ha, &hb] {
        let first = back(today(), u64::from(WINDOW) - 1);
        assert_eq!(
            totals_of(&merged_rows(history, first, today()).await),
            truth_totals(&sim.config, first, today())
        );
    }
    stop_tx.send(true).unwrap();
    for run in runs {
        run.await.unwrap();
    }
    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_syncer_ends_mid_backfill_another_finishes_it_exactly() {
    let config = graph_sim::SimConfig {
        latency_ms: 40,
        ..sim_config(None, RetentionReading::Empty)
    };
    let sim = Sim::start(config).await;
    let cluster = pg_cluster::PgCluster::start().unwrap();
    let url = cluster.create_database("store").unwrap();
    let a = Store::open(&url, SOURCE).await.unwrap();
    let ha = history(&a, sim.client.clone(), WINDOW);
    let first_run = tokio::spawn(ha.clone().run_sync(std::future::pending()));
    eventually("a has started the backfill", || a.days().len() >= 4).await;
    let b = Store::open(&url, SOURCE).await.unwrap();
    let hb = history(&b, sim.client.clone(), WINDOW);
    let second_run = tokio::spawn(hb.clone().run_sync(std::future::pending()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(a.is_syncer() && !b.is_syncer());
    assert!(a.days().len() < WINDOW as usize, "killed mid-backfill");
    // The syncer ends abruptly: its task stops wherever it was, its connections close.
    first_run.abort();
    let _ = first_run.await;
    a.close().await;
    let started = std::time::Instant::now();
    let first = back(today(), u64::from(WINDOW) - 1);
    while b.days().len() < WINDOW as usize {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "b never finished"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(b.is_syncer());
    // No day partial or doubled: each day's rows as its state says, the whole equal to the
    // truth to the cent.
    for (day, state) in b.days() {
        let text = day.format("%Y-%m-%d").to_string();
        let rows = scalar(
            &url,
            &format!("SELECT COUNT(*) FROM report_rows WHERE day = '{text}'"),
        )
        .await;
        assert_eq!(rows as u64, state.rows, "{day}");
    }
    assert_eq!(
        totals_of(&merged_rows(&hb, first, today()).await),
        truth_totals(&sim.config, first, today())
    );
    second_run.abort();
    b.close().await;
}
