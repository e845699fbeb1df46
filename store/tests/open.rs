//! Stores that cannot be opened: each is an error naming the file, and the file is left exactly
//! as it was.
mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use common::*;
use report_store::{Store, StoreError};
use sqlx::{Connection, SqliteConnection};

/// Opens `url` expecting a refusal: the error names `file` and says `words`; `file` keeps its
/// bytes (also once the refused connections are gone).
async fn assert_refused(url: &str, source: &str, file: &Path, words: &[&str]) -> StoreError {
    let before = std::fs::read(file).expect("the file is readable by the test");
    let error = Store::open(url, source)
        .await
        .expect_err("the store is refused");
    let text = error.to_string();
    assert!(
        text.contains(&file.display().to_string()),
        "the message names {}: {text}",
        file.display()
    );
    for word in words {
        assert!(text.contains(word), "{word:?} in: {text}");
    }
    assert!(
        std::fs::read(file).unwrap() == before,
        "{} changed",
        file.display()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        std::fs::read(file).unwrap() == before,
        "{} changed",
        file.display()
    );
    error
}

/// A closed store with one day in it.
async fn make_store(url: &str) {
    let store = Store::open(url, SOURCE).await.unwrap();
    let day = back(today(), 5);
    store
        .write_day(fetched(
            day,
            vec![user_row("u-a", "Alice", 1, 60, "0.10")],
            1,
            "r",
        ))
        .await
        .unwrap();
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_is_not_a_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.db");
    let garbage: Vec<u8> = b"this is not a database, just some text\n"
        .iter()
        .copied()
        .cycle()
        .take(8192)
        .collect();
    std::fs::write(&file, &garbage).unwrap();
    let error = assert_refused(
        &store_url(dir.path(), "report.db"),
        SOURCE,
        &file,
        &["not a readable SQLite database"],
    )
    .await;
    assert!(error.is_database(), "{error:?}");
    assert_eq!(std::fs::read(&file).unwrap(), garbage);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_of_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url = store_url(dir.path(), "report.db");
    make_store(&url).await;
    // A newer portal applied one more migration, recorded the way sqlx records it.
    let mut side = SqliteConnection::connect(&url).await.unwrap();
    let newest: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&mut side)
        .await
        .unwrap();
    let newer = newest + 1;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (?, 'a future migration', TRUE, X'00112233', 1)",
    )
    .bind(newer)
    .execute(&mut side)
    .await
    .unwrap();
    side.close().await.unwrap();

    let error = assert_refused(
        &url,
        SOURCE,
        &dir.path().join("report.db"),
        &["newer version", &newer.to_string()],
    )
    .await;
    assert!(
        matches!(error, StoreError::NewerSchema { found, .. } if found == newer),
        "{error:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_of_another_source_is_refused_and_still_opens_for_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let url = store_url(dir.path(), "report.db");
    make_store(&url).await;
    let error = assert_refused(
        &url,
        "another tenant",
        &dir.path().join("report.db"),
        &[SOURCE, "another tenant"],
    )
    .await;
    assert!(
        matches!(&error, StoreError::OtherSource { stored, configured, .. }
            if stored == SOURCE && configured == "another tenant"),
        "{error:?}"
    );
    let store = Store::open(&url, SOURCE)
        .await
        .expect("its own source opens it");
    assert_eq!(store.days().len(), 1);
    assert_eq!(store.meta("source").as_deref(), Some(SOURCE));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url = store_url(dir.path(), "report.db");
    make_store(&url).await;
    let file = dir.path().join("report.db");
    let before = std::fs::read(&file).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&file).is_ok() {
        // Root (or a capability) reads it anyway: nothing to test here.
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        eprintln!("skipped: the file stays readable after chmod 000 (running as root?)");
        return;
    }
    let error = Store::open(&url, SOURCE).await.expect_err("refused");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let text = error.to_string();
    assert!(text.contains(&file.display().to_string()), "{text}");
    assert!(text.contains("read and write access"), "{text}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_that_cannot_be_created_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // A file stands where a folder of the store's path would have to be created.
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, b"a file, not a folder").unwrap();
    let file = blocker.join("sub").join("report.db");
    let error = Store::open(&format!("sqlite://{}", file.display()), SOURCE)
        .await
        .expect_err("refused");
    let text = error.to_string();
    assert!(text.contains(&file.display().to_string()), "{text}");
    assert!(text.contains("cannot create its folder"), "{text}");
    assert!(matches!(error, StoreError::Open { .. }), "{error:?}");
    assert_eq!(std::fs::read(&blocker).unwrap(), b"a file, not a folder");
    assert!(!file.exists());
}
