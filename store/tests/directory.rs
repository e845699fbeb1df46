//! The directory snapshot: stored whole, read back after a restart, replaced by the next read
//! (people who left are gone), and a failed read recorded without touching what is stored.
mod common;

use chrono::{TimeZone, Utc};
use common::*;
use graph_client::DirectoryUser;
use report_store::Store;

fn person(id: &str, department: Option<&str>, manager: Option<&str>) -> DirectoryUser {
    DirectoryUser {
        id: id.into(),
        user_principal_name: Some(format!("{id}@contoso.example")),
        department: department.map(str::to_string),
        cost_center: department.map(|_| "CC-1".to_string()),
        manager_id: manager.map(str::to_string),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_directory_is_kept_whole_and_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = test_db(dir.path(), "report.db");
    let url = db.url.clone();
    let store = Store::open(&url, SOURCE).await.unwrap();
    assert_eq!(store.directory(), None, "never read");
    // More people than one INSERT takes.
    let mut people: Vec<DirectoryUser> = (0..2_500)
        .map(|n| person(&format!("u{n}"), Some("Sales"), Some("u0")))
        .collect();
    people.push(person("lonely", None, None));
    let read_at = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
    let before = store.version();
    store
        .write_directory(people.clone(), read_at)
        .await
        .unwrap();
    assert!(store.version() > before, "figures built before are stale");
    drop(store);

    let store = Store::open(&url, SOURCE).await.unwrap();
    let snapshot = store.directory().expect("read back after a restart");
    assert_eq!(snapshot.read_at, read_at);
    let mut read: Vec<DirectoryUser> = snapshot.users.to_vec();
    read.sort_by(|a, b| a.id.cmp(&b.id));
    people.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(read, people);

    // A failed read is recorded; the stored directory stays.
    store
        .record_directory_error("Graph refused (403): grant User.Read.All")
        .await
        .unwrap();
    assert_eq!(store.directory().unwrap().users.len(), 2_501);
    assert!(store.directory_error().unwrap().contains("User.Read.All"));

    // The next read replaces it whole and clears the failure.
    let later = read_at + chrono::TimeDelta::days(1);
    store
        .write_directory(vec![person("u1", Some("Legal"), None)], later)
        .await
        .unwrap();
    drop(store);
    let store = Store::open(&url, SOURCE).await.unwrap();
    let snapshot = store.directory().unwrap();
    assert_eq!(
        snapshot.users.as_slice(),
        &[person("u1", Some("Legal"), None)]
    );
    assert_eq!(store.directory_error(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sync_reads_the_directory_once_a_day_and_the_report_without_it() {
    let dir = tempfile::tempdir().unwrap();
    // Without User.Read.All: the report is stored, the directory's refusal recorded by name.
    let refused = Sim::start(graph_sim::SimConfig {
        app_permissions: vec!["CallRecords.Read.All".into()],
        ..sim_config(None, graph_sim::RetentionReading::Empty)
    })
    .await;
    let refused_db = test_db(dir.path(), "refused.db");
    let store = Store::open(&refused_db.url, SOURCE).await.unwrap();
    let without = history(&store, refused.client.clone(), 3);
    assert_eq!(without.sync_once().await.new_days, 3);
    assert_eq!(store.directory(), None);
    let error = store.directory_error().expect("the refusal is recorded");
    assert!(
        error.contains("User.Read.All") && error.contains("403"),
        "{error}"
    );

    // With it: read once, not again within the day.
    let sim = Sim::start(sim_config(None, graph_sim::RetentionReading::Empty)).await;
    let read_db = test_db(dir.path(), "read.db");
    let store = Store::open(&read_db.url, SOURCE).await.unwrap();
    let history = history(&store, sim.client.clone(), 3);
    history.sync_once().await;
    let snapshot = store.directory().expect("read by the sync");
    assert!(
        snapshot.users.len() > 100,
        "{} people",
        snapshot.users.len()
    );
    assert_eq!(store.directory_error(), None);
    let pages = sim.stats().await.users_requests;
    history.sync_once().await;
    assert_eq!(sim.stats().await.users_requests, pages, "read once a day");
}
