//! `dialout-portal store copy`: an SQLite store synced from the simulator, copied into a
//! throwaway PostgreSQL database, holds the same days with the same totals (the simulator's
//! truth, day by day), the directory and the notes; a second run copies only what changed.
mod common;

use common::*;
use report_store::{Store, copy_store};

const WINDOW: u32 = 12;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_copied_into_postgresql_is_the_same_to_the_cent_and_resumes() {
    let config = sim_config(None, graph_sim::RetentionReading::Empty);
    let sim = Sim::start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let sqlite = store_url(dir.path(), "report.db");
    let from = Store::open(&sqlite, SOURCE).await.unwrap();
    let synced = history(&from, sim.client.clone(), WINDOW);
    assert_eq!(synced.sync_once().await.new_days, WINDOW);
    assert!(
        from.directory().is_some(),
        "the directory is read with the sync"
    );
    assert_eq!(
        Store::recorded_source(&sqlite).await.unwrap().as_deref(),
        Some(SOURCE)
    );

    let cluster = pg_cluster::PgCluster::start().unwrap();
    let postgres = cluster.create_database("copy").unwrap();
    assert_eq!(Store::recorded_source(&postgres).await.unwrap(), None);
    let to = Store::open(&postgres, SOURCE).await.unwrap();
    let mut batches = 0;
    let report = copy_store(&from, &to, |_| batches += 1).await.unwrap();
    assert_eq!(
        (report.days, report.copied, report.already, report.verified),
        (WINDOW as usize, WINDOW as usize, 0, WINDOW as usize)
    );
    assert!(batches >= 2);
    assert_eq!(
        to.days(),
        from.days()
            .into_iter()
            .map(|(day, state)| (
                day,
                report_store::DayState {
                    version: to.day_state(day).unwrap().version,
                    ..state
                }
            ))
            .collect()
    );
    assert_eq!(
        to.directory().unwrap().users.len(),
        from.directory().unwrap().users.len()
    );
    assert_eq!(to.meta("directory_read_at"), from.meta("directory_read_at"));
    // Every day of the copy equals the simulator's truth (read through a history of its own).
    let copied = history(&to, offline_client(), WINDOW);
    for day in back(today(), u64::from(WINDOW) - 1)
        .iter_days()
        .take(WINDOW as usize)
    {
        assert_eq!(
            totals_of(&merged_rows(&copied, day, day).await),
            truth_totals(&config, day, day),
            "{day}"
        );
    }

    // Run again: nothing to copy, everything verified. A day read again since is copied alone.
    let again = copy_store(&from, &to, |_| ()).await.unwrap();
    assert_eq!(
        (again.copied, again.already, again.verified),
        (0, WINDOW as usize, WINDOW as usize)
    );
    let newest = *from.days().keys().next_back().unwrap();
    synced
        .reread(newest, graph_client::Priority::Background)
        .await
        .unwrap();
    let third = copy_store(&from, &to, |_| ()).await.unwrap();
    assert_eq!((third.copied, third.already), (1, WINDOW as usize - 1));
    to.close().await;

    // A database holding another Graph's store is refused, as a file is.
    let other = Store::open(&postgres, "another tenant")
        .await
        .expect_err("refused");
    assert!(other.to_string().contains(SOURCE), "{other}");
}
