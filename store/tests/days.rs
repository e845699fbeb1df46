//! Writing days: a re-read replaces a day whole, the newest day's names win, and a write that
//! fails (or is dropped midway) leaves the day, the keys and the memory as they were.
mod common;

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

use chrono::NaiveDate;
use common::*;
use graph_client::DialoutRow;
use report_store::{DayState, FetchedDay, Store, StoredDay};
use rust_decimal::Decimal;
use sqlx::{Connection, SqliteConnection};

fn day(n: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 2, n).unwrap()
}

/// A stored day's rows by user id (one key per user in these tests), as the file holds them.
async fn rows_by_user(store: &Store, on: NaiveDate) -> BTreeMap<String, DialoutRow> {
    let loaded = store.load_days(&[on]).await.expect("the day loads");
    assert_eq!(loaded.len(), 1, "{on} is stored");
    rows_of(store, &loaded[0])
}

fn rows_of(store: &Store, stored: &StoredDay) -> BTreeMap<String, DialoutRow> {
    let keys = store.keys();
    let rows: BTreeMap<String, DialoutRow> = stored
        .rows
        .iter()
        .map(|row| {
            let key = keys.get(row.key).expect("every row's key is known");
            let merged = key.row(
                row.total_calls(),
                row.total_call_seconds(),
                row.total_call_charge(),
            );
            (merged.user_id.clone().unwrap(), merged)
        })
        .collect();
    assert_eq!(rows.len(), stored.rows.len(), "one row per key");
    rows
}

fn totals(row: &DialoutRow) -> (Option<i64>, Option<i64>, Option<Decimal>) {
    (
        row.total_calls,
        row.total_call_seconds,
        row.total_call_charge,
    )
}

fn money(text: &str) -> Option<Decimal> {
    Some(Decimal::from_str(text).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reread_replaces_the_day_and_never_adds_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = test_db(dir.path(), "report.db");
    let url = db.url.clone();
    let store = Store::open(&url, SOURCE).await.unwrap();
    let history = history(&store, offline_client(), 30);
    let (d, neighbour) = (day(10), day(9));

    store
        .write_day(fetched(
            neighbour,
            vec![user_row("u-a", "Alice", 7, 700, "7.00")],
            1,
            "n-1",
        ))
        .await
        .unwrap();
    // The first reading: Alice twice (Graph's rows of one key are merged), Bob once.
    let first = store
        .write_day(FetchedDay {
            is_final: false,
            ..fetched(
                d,
                vec![
                    user_row("u-a", "Alice", 2, 120, "1.50"),
                    user_row("u-b", "Bob", 1, 60, "0.25"),
                    user_row("u-a", "Alice", 1, 30, "0.75"),
                ],
                2,
                "first",
            )
        })
        .await
        .unwrap();
    assert_eq!((first.state.rows, first.state.graph_rows), (2, 3));
    let before = rows_by_user(&store, d).await;
    assert_eq!(totals(&before["u-a"]), (Some(3), Some(150), money("2.25")));
    assert_eq!(totals(&before["u-b"]), (Some(1), Some(60), money("0.25")));
    // Held in the history's memory now, to check that a rewrite is not hidden by it.
    let held = merged_rows(&history, d, d).await;
    assert_eq!(held.len(), 2);

    // The second reading: Alice's totals changed, Bob is gone, Carol is new (charge null).
    let second = store
        .write_day(fetched(
            d,
            vec![
                user_row("u-a", "Alice", 5, 400, "3.10"),
                row(
                    "u-c",
                    Some("carol@contoso.example"),
                    Some("Carol"),
                    "GB",
                    "International",
                    "GBP",
                    Some(1),
                    Some(10),
                    None,
                ),
            ],
            1,
            "second",
        ))
        .await
        .unwrap();
    assert!(second.state.version > first.state.version);
    let expected_state = DayState {
        // The file keeps milliseconds, and so does memory (fetched_time has nanoseconds).
        fetched_at: chrono::DateTime::from_timestamp_millis(fetched_time(d).timestamp_millis())
            .unwrap(),
        is_final: true,
        rows: 2,
        graph_rows: 2,
        rows_missing_key: 0,
        rows_missing_totals: 1,
        repeated_rows: 0,
        pages: 1,
        request_id: Some("second".into()),
        version: second.state.version,
    };
    assert_ne!(expected_state.fetched_at, fetched_time(d));
    assert_eq!(second.state, expected_state);
    assert_eq!(store.day_state(d), Some(expected_state.clone()));

    let after = rows_by_user(&store, d).await;
    assert_eq!(after.keys().collect::<Vec<_>>(), ["u-a", "u-c"]);
    assert_eq!(totals(&after["u-a"]), (Some(5), Some(400), money("3.10")));
    assert_eq!(totals(&after["u-c"]), (Some(1), Some(10), None));
    // The history sees the second reading, not the one it held.
    let merged = merged_rows(&history, d, d).await;
    assert_eq!(merged, after.values().cloned().collect::<Vec<_>>());
    // Over both days, Bob's row is gone and Alice's is her neighbour day's plus the new reading.
    let merged = merged_rows(&history, neighbour, d).await;
    assert_eq!(merged.len(), 2);
    assert_eq!(totals(&merged[0]), (Some(12), Some(1100), money("10.10")));
    // The key stays known (another day may have it) but no day row refers to it.
    assert_eq!(store.keys().len(), 3);
    assert_eq!(rows_by_user(&store, neighbour).await.len(), 1);

    // The file says the same after a restart.
    store.close().await;
    let store = Store::open(&url, SOURCE).await.unwrap();
    assert_eq!(rows_by_user(&store, d).await, after);
    assert_eq!(
        store.day_state(d),
        Some(DayState {
            version: 1,
            ..expected_state
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_newest_days_names_win_whatever_order_days_are_written_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = test_db(dir.path(), "report.db");
    let url = db.url.clone();
    let store = Store::open(&url, SOURCE).await.unwrap();
    let history = history(&store, offline_client(), 30);
    let named = |user: &str, upn: Option<&str>, display: Option<&str>| {
        row(
            user,
            upn,
            display,
            "US",
            "Domestic",
            "USD",
            Some(1),
            Some(60),
            Some("0.10"),
        )
    };
    // u-1: the newer day first, then an older one with its older names.
    store
        .write_day(fetched(
            day(12),
            vec![named("u-1", Some("new@x.example"), Some("New Name"))],
            1,
            "a",
        ))
        .await
        .unwrap();
    store
        .write_day(fetched(
            day(5),
            vec![
                named("u-1", Some("old@x.example"), Some("Old Name")),
                named("u-2", Some("two-old@x.example"), Some("Two Old")),
            ],
            1,
            "b",
        ))
        .await
        .unwrap();
    // u-2: the older day first, then a newer one renames it; a newest day without a UPN keeps
    // the UPN and takes the display name.
    store
        .write_day(fetched(
            day(8),
            vec![named("u-2", Some("two-new@x.example"), Some("Two New"))],
            1,
            "c",
        ))
        .await
        .unwrap();
    store
        .write_day(fetched(
            day(20),
            vec![named("u-2", None, Some("Two Newest"))],
            1,
            "d",
        ))
        .await
        .unwrap();

    let check = |rows: Vec<DialoutRow>| {
        let names: Vec<_> = rows
            .iter()
            .map(|row| {
                (
                    row.user_id.clone().unwrap(),
                    row.user_principal_name.clone(),
                    row.user_display_name.clone(),
                    row.total_calls,
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                (
                    "u-1".to_string(),
                    Some("new@x.example".to_string()),
                    Some("New Name".to_string()),
                    Some(2)
                ),
                (
                    "u-2".to_string(),
                    Some("two-new@x.example".to_string()),
                    Some("Two Newest".to_string()),
                    Some(3)
                ),
            ]
        );
    };
    check(merged_rows(&history, day(1), day(28)).await);
    // Even over a range that holds only the old day, the key's newest names are shown.
    let old_only = merged_rows(&history, day(5), day(5)).await;
    assert_eq!(
        old_only[0].user_display_name.as_deref(),
        Some("New Name"),
        "{old_only:?}"
    );
    let keys = store.keys();
    let names_days: Vec<_> = (0..keys.id_bound() as u32)
        .filter_map(|id| keys.get(id))
        .map(|key| (key.user_id.clone().unwrap(), key.names_day))
        .collect::<BTreeMap<_, _>>()
        .into_iter()
        .collect();
    assert_eq!(
        names_days,
        [("u-1".to_string(), day(12)), ("u-2".to_string(), day(20))]
    );

    // Re-writing an older day again does not bring its names back, also after a restart.
    store
        .write_day(fetched(
            day(5),
            vec![named("u-1", Some("old@x.example"), Some("Old Name"))],
            1,
            "e",
        ))
        .await
        .unwrap();
    store.close().await;
    let store = Store::open(&url, SOURCE).await.unwrap();
    let history = common::history(&store, offline_client(), 30);
    let rows = merged_rows(&history, day(1), day(28)).await;
    assert_eq!(
        rows[0].user_principal_name.as_deref(),
        Some("new@x.example")
    );
    assert_eq!(rows[1].user_display_name.as_deref(), Some("Two Newest"));
    assert_eq!(rows[1].total_calls, Some(2), "u-2 is no longer on day 5");
}

/// A second connection to the store's file, outside the store.
async fn side_connection(url: &str) -> SqliteConnection {
    SqliteConnection::connect(url)
        .await
        .expect("a second connection")
}

/// What a day looks like from everywhere: memory, the file, the history.
async fn snapshot(
    store: &Store,
    on: NaiveDate,
) -> (Option<DayState>, BTreeMap<String, DialoutRow>, usize, u64) {
    (
        store.day_state(on),
        rows_by_user(store, on).await,
        store.keys().len(),
        store.version(),
    )
}

/// A store at `url` holding one day (day 14) of two users, written once.
async fn store_with_a_good_day(url: &str) -> (Store, NaiveDate) {
    let store = Store::open(url, SOURCE).await.unwrap();
    let d = day(14);
    store
        .write_day(fetched(
            d,
            vec![
                user_row("u-a", "Alice", 2, 120, "1.50"),
                user_row("u-b", "Bob", 1, 60, "0.25"),
            ],
            1,
            "good",
        ))
        .await
        .unwrap();
    (store, d)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_write_leaves_the_day_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let url = store_url(dir.path(), "report.db");
    let (store, d) = store_with_a_good_day(&url).await;
    let before = snapshot(&store, d).await;

    // The disk "fails" on the day's rows, after the keys were renamed and added and the old
    // rows deleted inside the transaction.
    let mut side = side_connection(&url).await;
    sqlx::query(
        "CREATE TRIGGER fail_rows BEFORE INSERT ON report_rows \
         BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END",
    )
    .execute(&mut side)
    .await
    .unwrap();
    let failed = store
        .write_day(fetched(
            d,
            vec![
                user_row("u-a", "Alice Renamed", 9, 900, "9.00"),
                user_row("u-new", "Newcomer", 1, 1, "0.01"),
            ],
            3,
            "bad",
        ))
        .await
        .expect_err("the write fails");
    assert!(failed.is_database(), "{failed:?}");
    assert!(
        failed.to_string().contains("simulated write failure")
            && failed.to_string().contains(store.location()),
        "{failed}"
    );
    assert_eq!(snapshot(&store, d).await, before);
    let alice = store.keys().ids_of_user("u-a");
    assert_eq!(
        store
            .keys()
            .get(alice[0])
            .unwrap()
            .user_display_name
            .as_deref(),
        Some("Alice")
    );
    assert!(store.keys().ids_of_user("u-new").is_empty());

    // Once the disk works again, the same write goes through and memory and file agree.
    sqlx::query("DROP TRIGGER fail_rows")
        .execute(&mut side)
        .await
        .unwrap();
    side.close().await.unwrap();
    store
        .write_day(fetched(
            d,
            vec![
                user_row("u-a", "Alice Renamed", 9, 900, "9.00"),
                user_row("u-new", "Newcomer", 1, 1, "0.01"),
            ],
            3,
            "bad",
        ))
        .await
        .unwrap();
    let written = snapshot(&store, d).await;
    assert_eq!(
        written.1.keys().collect::<Vec<_>>(),
        ["u-a", "u-new"],
        "{written:?}"
    );
    assert_eq!(
        written.1["u-a"].user_display_name.as_deref(),
        Some("Alice Renamed")
    );
    store.close().await;
    let store = Store::open(&url, SOURCE).await.unwrap();
    assert_eq!(rows_by_user(&store, d).await, written.1);
    assert_eq!(store.keys().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_dropped_midway_leaves_the_day_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let url = store_url(dir.path(), "report.db");
    let (store, d) = store_with_a_good_day(&url).await;
    let before = snapshot(&store, d).await;

    // Another process holds SQLite's write lock: the write begins its transaction and waits
    // on its first statement, where it is dropped (a shutdown, a cancelled task).
    let mut side = side_connection(&url).await;
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut side)
        .await
        .unwrap();
    let big: Vec<DialoutRow> = (0..5_000)
        .map(|n| user_row(&format!("u-{n:05}"), "Someone", 1, 1, "0.01"))
        .collect();
    let write = store.write_day(fetched(d, big.clone(), 100, "dropped"));
    assert!(
        tokio::time::timeout(Duration::from_millis(300), write)
            .await
            .is_err(),
        "the write cannot finish while the lock is held"
    );
    // Readers are not blocked, and see the day as it was.
    assert_eq!(snapshot(&store, d).await, before);
    sqlx::query("COMMIT").execute(&mut side).await.unwrap();
    side.close().await.unwrap();
    // Whatever the dropped write had started is rolled back.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(snapshot(&store, d).await, before);
    store.close().await;
    let store = Store::open(&url, SOURCE).await.unwrap();
    let (state, rows, keys, _) = snapshot(&store, d).await;
    assert_eq!(
        (state.map(|state| state.request_id), rows, keys),
        (before.0.map(|state| state.request_id), before.1, before.2)
    );

    // The store still writes.
    let stored = store
        .write_day(fetched(d, big, 100, "again"))
        .await
        .unwrap();
    assert_eq!(stored.state.rows, 5_000);
    assert_eq!(rows_by_user(&store, d).await.len(), 5_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totals_the_store_cannot_hold_refuse_the_day_and_leave_it_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = test_db(dir.path(), "report.db");
    let url = db.url.clone();
    let (store, d) = store_with_a_good_day(&url).await;
    let before = rows_by_user(&store, d).await;
    let state = store.day_state(d);
    // Calls beyond Graph's Int32 (two rows of one key summed past it, say).
    let mut beyond = user_row("u-a", "Alice", 2, 120, "1.50");
    beyond.total_calls = Some(i64::from(i32::MAX) + 1);
    let refused = store
        .write_day(fetched(d, vec![beyond], 1, "beyond"))
        .await
        .unwrap_err();
    let message = refused.to_string();
    assert!(
        message.contains("cannot hold") && message.contains("u-a"),
        "{message}"
    );
    assert_eq!(rows_by_user(&store, d).await, before);
    assert_eq!(store.day_state(d), state);
}

/// Replaces `day`'s packed value in the store at `url` by `packed` (`None`: none, as a day an
/// earlier version wrote).
async fn set_packed(url: &str, day: NaiveDate, packed: Option<Vec<u8>>) {
    let day = day.format("%Y-%m-%d").to_string();
    macro_rules! run {
        ($pool:expr) => {{
            let pool = $pool;
            sqlx::query("DELETE FROM report_day_packed WHERE day = $1")
                .bind(&day)
                .execute(&pool)
                .await
                .unwrap();
            if let Some(packed) = packed {
                sqlx::query("INSERT INTO report_day_packed (day, packed) VALUES ($1, $2)")
                    .bind(&day)
                    .bind(packed)
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            pool.close().await;
        }};
    }
    if report_store::is_postgres(url) {
        run!(sqlx::PgPool::connect(url).await.unwrap())
    } else {
        run!(sqlx::SqlitePool::connect(url).await.unwrap())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_without_good_packed_rows_is_read_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = test_db(dir.path(), "report.db");
    let (store, d) = store_with_a_good_day(&db.url).await;
    let written = rows_by_user(&store, d).await;
    store.close().await;
    // As a version before the packed values wrote it, then with values that do not fit the
    // day (cut short; two rows where the state says two but keys out of order): the rows of
    // report_rows, each time.
    for packed in [None, Some(vec![1, 2, 3]), Some(vec![0; 44])] {
        set_packed(&db.url, d, packed.clone()).await;
        let store = Store::open(&db.url, SOURCE).await.unwrap();
        assert_eq!(rows_by_user(&store, d).await, written, "{packed:?}");
        store.close().await;
    }
}
