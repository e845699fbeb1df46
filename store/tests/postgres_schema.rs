//! PostgreSQL's migrations (migrations/postgres) keep step with SQLite's: the same versions,
//! applied on a throwaway cluster (testing/pg-cluster), the charge exact in NUMERIC. The
//! groundwork of the PostgreSQL store (issue 17): the store itself still opens SQLite only.
use std::str::FromStr;

use rust_decimal::Decimal;
use sqlx::migrate::Migrator;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

#[tokio::test]
async fn the_postgres_schema_has_sqlites_versions_and_exact_charges() {
    let versions = |migrator: &Migrator| -> Vec<i64> {
        migrator.iter().map(|migration| migration.version).collect()
    };
    assert_eq!(versions(&POSTGRES), versions(&SQLITE));

    let cluster = pg_cluster::PgCluster::start().unwrap();
    let url = cluster.create_database("store").unwrap();
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    POSTGRES.run(&pool).await.unwrap();
    // Applied once: a second run (another instance starting) changes nothing.
    POSTGRES.run(&pool).await.unwrap();
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(applied, versions(&SQLITE));

    // The store's statements, with `$n` placeholders, as they run on SQLite.
    let key: i64 = sqlx::query_scalar(
        "INSERT INTO report_keys (identity, user_id, usage_location, destination_context, \
         currency, user_principal_name, user_display_name, names_day) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(r#"["u1","BR","International","BRL"]"#)
    .bind("u1")
    .bind("BR")
    .bind("International")
    .bind("BRL")
    .bind("u1@contoso.example")
    .bind("Ana")
    .bind("2026-03-01")
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO report_days (day, fetched_at, final, row_count, graph_rows, \
         rows_missing_key, rows_missing_totals, pages, request_id, repeated_rows) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind("2026-03-01")
    .bind("2026-03-03T00:00:00.000Z")
    .bind(1_i64)
    .bind(1_i64)
    .bind(1_i64)
    .bind(0_i64)
    .bind(0_i64)
    .bind(1_i64)
    .bind(None::<String>)
    .bind(0_i64)
    .execute(&pool)
    .await
    .unwrap();
    // More digits than a double holds, and a scale Graph sends: read back exactly.
    let charge = Decimal::from_str("12345678901234.5678901").unwrap();
    sqlx::query(
        "INSERT INTO report_rows (day, key_id, total_calls, total_call_seconds, \
         total_call_charge) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind("2026-03-01")
    .bind(key)
    .bind(3_i64)
    .bind(185_i64)
    .bind(charge)
    .execute(&pool)
    .await
    .unwrap();
    let (read, calls): (Decimal, i64) = sqlx::query_as(
        "SELECT total_call_charge, total_calls FROM report_rows WHERE day BETWEEN $1 AND $2",
    )
    .bind("2026-03-01")
    .bind("2026-03-31")
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((read, read.scale(), calls), (charge, 7, 3));
    pool.close().await;
}

#[tokio::test]
async fn several_instances_open_one_postgres_store_of_one_source() {
    let cluster = pg_cluster::PgCluster::start().unwrap();
    let url = cluster.create_database("store").unwrap();
    let first = report_store::Store::open(&url, "tenant a").await.unwrap();
    assert!(first.location().starts_with("postgres://portal@127.0.0.1:"));
    let second = report_store::Store::open(&url, "tenant a").await.unwrap();
    second.close().await;
    first.close().await;
    // Another tenant's store is refused as a file of another tenant is.
    let other = report_store::Store::open(&url, "tenant b")
        .await
        .expect_err("another source");
    assert!(other.to_string().contains("tenant a"), "{other}");
    // A password in the URL never reaches a message.
    let with_password = url.replace("portal@", "portal:s3cret@");
    let error = report_store::Store::open(&with_password.replace("/store", "/missing"), "x")
        .await
        .expect_err("no such database");
    assert!(!error.to_string().contains("s3cret"), "{error}");
    assert!(
        error.to_string().contains("create it (createdb)"),
        "{error}"
    );
}
