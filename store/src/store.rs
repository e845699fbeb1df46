//! The database (an SQLite file, or PostgreSQL shared by several instances: `shared.rs`):
//! opened (created and migrated at start), days written whole in one transaction, days read
//! back. The only writer of report data.
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use graph_client::{DialoutRow, merge_rows};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row};

use crate::day::{DayRow, DayState, StoredDay};
use crate::db::{Db, on_db};
use crate::directory::DirectorySnapshot;
use crate::error::{KNOWN_SCHEMA, StoreError};
use crate::keys::{KeyTable, ReportKey, identity};

/// Rows per INSERT statement (5 values each, well under SQLite's 32,766 variables).
const INSERT_CHUNK: usize = 1_000;
/// Sets one `store_meta` value.
pub(crate) const SET_META: &str = "INSERT INTO store_meta (name, value) VALUES ($1, $2) \
     ON CONFLICT (name) DO UPDATE SET value = excluded.value";
/// The keys from id `$1` on, and those named on day `$2` (may be null; `names_day` is
/// indexed, so either half of the condition is an index scan).
const KEYS_FROM: &str = "SELECT id, identity, user_id, usage_location, destination_context, \
     currency, user_principal_name, user_display_name, names_day FROM report_keys \
     WHERE id >= $1 OR names_day = $2";
/// How long a PostgreSQL query waits for a connection: with the server gone, the pool keeps
/// trying to connect until then, and the page says the store is unavailable after it.
const PG_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a statement waits for another connection's lock before failing with "busy".
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// What is known of a day's reading besides its rows (its [`DayState`] but the row count).
#[derive(Clone, Debug)]
pub(crate) struct DayFacts {
    pub fetched_at: DateTime<Utc>,
    pub is_final: bool,
    pub graph_rows: u64,
    pub rows_missing_key: u64,
    pub rows_missing_totals: u64,
    pub repeated_rows: u64,
    pub pages: u64,
    pub request_id: Option<String>,
}

/// What a sync read from Graph for one day.
#[derive(Clone, Debug)]
pub struct FetchedDay {
    pub day: NaiveDate,
    /// Graph's rows as sent (merged by key here).
    pub rows: Vec<DialoutRow>,
    pub pages: u64,
    pub request_id: Option<String>,
    pub fetched_at: DateTime<Utc>,
    pub is_final: bool,
    /// Rows Graph sent twice across the window's pages, already dropped from `rows`.
    pub repeated_rows: u64,
}

#[derive(Clone)]
pub struct Store {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) db: Db,
    /// The file, or the PostgreSQL URL without its password, for messages.
    pub(crate) location: String,
    keys: RwLock<Arc<KeyTable>>,
    days: RwLock<BTreeMap<NaiveDate, DayState>>,
    /// `store_meta`, read at start and written through (it is read on every summary).
    pub(crate) meta: RwLock<BTreeMap<String, String>>,
    /// The directory as last read (`directory.rs`).
    pub(crate) directory: RwLock<Option<DirectorySnapshot>>,
    /// Bumped by every write (a day's, under the `days` lock: see [`Store::publish_day`]).
    pub(crate) version: AtomicU64,
    /// One write transaction at a time in this process (SQLite has one writer; PostgreSQL's
    /// writers of every instance take turns on an advisory lock as well).
    pub(crate) writer: tokio::sync::Mutex<()>,
    /// Names this instance in its notifications (`shared.rs`).
    pub(crate) origin: String,
    /// PostgreSQL: the connection that holds (or tries for) the syncer lock.
    pub(crate) syncer: tokio::sync::Mutex<Option<sqlx::PgConnection>>,
    pub(crate) is_syncer: AtomicBool,
    /// What to do with days another instance wants (the history's `want`).
    #[allow(clippy::type_complexity)]
    pub(crate) on_want: OnceLock<Box<dyn Fn(Vec<NaiveDate>) + Send + Sync>>,
    /// Held while `store_meta` is written or read again, each with its memory: a reading of
    /// another instance's change never puts back a value this one has just replaced.
    pub(crate) meta_lock: tokio::sync::Mutex<()>,
    /// Counts changes of the index, for whoever waits for a day.
    pub(crate) index_changes: tokio::sync::watch::Sender<u64>,
    /// Sessions signed out early, until they would have ended (`sign_in.rs`).
    pub(crate) revoked: moka::sync::Cache<String, i64>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("location", &self.inner.location)
            .finish_non_exhaustive()
    }
}

/// The file a `sqlite:` URL or a plain path names.
pub fn sqlite_path(url: &str) -> PathBuf {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    PathBuf::from(path.split('?').next().unwrap_or(path))
}

impl Store {
    /// Opens the store at `url` (`sqlite://PATH`, `sqlite:PATH` or a plain path), creating the
    /// file and its folder when missing and applying the migrations this build has. `source`
    /// names the Graph the portal reads (tenant or demo settings): a store synced from another
    /// is refused, never mixed.
    pub async fn open(url: &str, source: &str) -> Result<Self, StoreError> {
        let (db, location) = if crate::db::is_postgres(url) {
            open_postgres(url, source).await?
        } else {
            open_sqlite(url, source).await?
        };
        let store = Store {
            inner: Arc::new(Inner {
                db,
                location,
                keys: RwLock::default(),
                days: RwLock::default(),
                meta: RwLock::default(),
                directory: RwLock::default(),
                // The first reading of the index makes it 1.
                version: AtomicU64::new(0),
                writer: tokio::sync::Mutex::new(()),
                origin: crate::shared::new_origin(),
                syncer: tokio::sync::Mutex::new(None),
                is_syncer: AtomicBool::new(false),
                on_want: OnceLock::new(),
                meta_lock: tokio::sync::Mutex::new(()),
                index_changes: tokio::sync::watch::Sender::new(0),
                revoked: crate::sign_in::revoked_cache(),
            }),
        };
        store.load_meta().await?;
        store.record_source(source).await?;
        store.load_index().await?;
        store.load_directory().await?;
        store.load_revoked().await?;
        crate::shared::follow(&store);
        Ok(store)
    }

    pub fn location(&self) -> &str {
        &self.inner.location
    }

    pub(crate) fn db_error(&self, error: sqlx::Error) -> StoreError {
        StoreError::database(&self.inner.location, &error)
    }

    /// Every `store_meta` value.
    pub fn meta_snapshot(&self) -> BTreeMap<String, String> {
        read(&self.inner.meta).clone()
    }

    /// A `store_meta` value.
    pub fn meta(&self, name: &str) -> Option<String> {
        read(&self.inner.meta).get(name).cloned()
    }

    pub async fn set_meta(&self, name: &str, value: &str) -> Result<(), StoreError> {
        let meta_lock = self.inner.meta_lock.lock().await;
        on_db!(&self.inner.db, |pool, dialect| sqlx::query(SET_META)
            .bind(name)
            .bind(value)
            .execute(pool)
            .await
            .map(drop))
        .map_err(|error| self.db_error(error))?;
        write(&self.inner.meta).insert(name.to_string(), value.to_string());
        drop(meta_lock);
        self.announce(&crate::shared::Change::Meta).await
    }

    pub(crate) async fn load_meta(&self) -> Result<(), StoreError> {
        let _meta_lock = self.inner.meta_lock.lock().await;
        let rows: Vec<(String, String)> = on_db!(&self.inner.db, |pool, dialect| {
            sqlx::query_as("SELECT name, value FROM store_meta")
                .fetch_all(pool)
                .await
        })
        .map_err(|error| self.db_error(error))?;
        *write(&self.inner.meta) = rows.into_iter().collect();
        Ok(())
    }

    /// Records which Graph a new store holds (an existing store's was checked before
    /// migrating: [`check_source_before_migrating`]).
    async fn record_source(&self, source: &str) -> Result<(), StoreError> {
        if self.meta("source").is_some() {
            return Ok(());
        }
        self.set_meta("source", source).await
    }

    /// Reads the day states and the keys into memory. A day read as it was keeps its version
    /// (what was built from it stays good); a new or changed one gets a new version.
    pub(crate) async fn load_index(&self) -> Result<(), StoreError> {
        let mut keys = KeyTable::default();
        let days = self.read_index(None, 0, &mut keys).await?;
        {
            let mut held = write(&self.inner.days);
            let version = self.inner.version.fetch_add(1, Ordering::AcqRel) + 1;
            *held = days
                .into_iter()
                .map(|(day, mut state)| {
                    state.version = match held.get(&day) {
                        Some(known) if known.same_reading(&state) => known.version,
                        _ => version,
                    };
                    (day, state)
                })
                .collect();
        }
        *write(&self.inner.keys) = Arc::new(keys);
        Ok(())
    }

    /// The day states (of `only_day`, or all) and the keys from id `keys_from` on (and those
    /// named on `only_day`: newer names), the keys put in `keys`.
    async fn read_index(
        &self,
        only_day: Option<NaiveDate>,
        keys_from: usize,
        keys: &mut KeyTable,
    ) -> Result<BTreeMap<NaiveDate, DayState>, StoreError> {
        use futures_util::TryStreamExt;
        let only_day = only_day.map(|day| day.format("%Y-%m-%d").to_string());
        // Streamed, row by row: a year of a large tenant has some 100,000 keys, and holding
        // every row sqlx read at once (fetch_all) took more memory than the key table itself.
        let days = on_db!(&self.inner.db, |pool, dialect| {
            let mut rows = sqlx::query(
                "SELECT day, fetched_at, final, row_count, graph_rows, rows_missing_key, \
                 rows_missing_totals, pages, request_id, repeated_rows FROM report_days \
                 WHERE CAST($1 AS TEXT) IS NULL OR day = $1",
            )
            .bind(&only_day)
            .fetch(pool);
            let mut days = BTreeMap::new();
            while let Some(row) = rows
                .try_next()
                .await
                .map_err(|error| self.db_error(error))?
            {
                let day_text: String = row.get(0);
                let day = self.parse_day(&day_text)?;
                let fetched_text: String = row.get(1);
                let fetched_at = DateTime::parse_from_rfc3339(&fetched_text)
                    .map_err(|_| self.corrupt(&day_text, "a time", &fetched_text))?
                    .with_timezone(&Utc);
                let count = |index: usize| u64::try_from(row.get::<i64, _>(index)).unwrap_or(0);
                days.insert(
                    day,
                    DayState {
                        fetched_at,
                        is_final: row.get::<i64, _>(2) == 1,
                        rows: count(3),
                        graph_rows: count(4),
                        rows_missing_key: count(5),
                        rows_missing_totals: count(6),
                        repeated_rows: count(9),
                        pages: count(7),
                        request_id: row.get(8),
                        version: 1,
                    },
                );
            }
            drop(rows);
            let mut key_rows = sqlx::query(KEYS_FROM)
                .bind(keys_from as i64)
                .bind(&only_day)
                .fetch(pool);
            while let Some(row) = key_rows
                .try_next()
                .await
                .map_err(|error| self.db_error(error))?
            {
                let (id, identity, key) = self.key_of(&row)?;
                keys.insert(id, identity, key);
            }
            days
        });
        Ok(days)
    }

    /// A `report_keys` row as [`KEYS_FROM`] selects it.
    fn key_of<R>(&self, row: &R) -> Result<(u32, String, ReportKey), StoreError>
    where
        R: Row,
        usize: sqlx::ColumnIndex<R>,
        i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    {
        let id = row.get::<i64, _>(0);
        let id = u32::try_from(id).map_err(|_| self.corrupt("-", "a key id", &id.to_string()))?;
        let names_day: String = row.get(8);
        let key = ReportKey {
            user_id: row.get(2),
            usage_location: row.get(3),
            destination_context: row.get(4),
            currency: row.get(5),
            user_principal_name: row.get(6),
            user_display_name: row.get(7),
            names_day: self.parse_day(&names_day)?,
        };
        Ok((id, row.get(1), key))
    }

    /// Reads `day` as another instance wrote it: its state, and the keys it added or renamed.
    pub(crate) async fn reload_day(&self, day: NaiveDate) -> Result<(), StoreError> {
        // Beside this process's writes, not between their reading and setting the keys.
        let _writer = self.inner.writer.lock().await;
        let mut keys = KeyTable::clone(&self.keys());
        let days = self
            .read_index(Some(day), keys.id_bound(), &mut keys)
            .await?;
        *write(&self.inner.keys) = Arc::new(keys);
        for (day, state) in days {
            self.publish_day(day, state);
        }
        Ok(())
    }

    /// Puts a day's new state in memory with a new version, returning it. Under the `days`
    /// lock: whoever reads the version and then the days sees this day's new state with it,
    /// or an older version (and so knows what it built is stale).
    fn publish_day(&self, day: NaiveDate, mut state: DayState) -> DayState {
        let mut days = write(&self.inner.days);
        state.version = self.inner.version.fetch_add(1, Ordering::AcqRel) + 1;
        days.insert(day, state.clone());
        state
    }

    fn parse_day(&self, text: &str) -> Result<NaiveDate, StoreError> {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| self.corrupt(text, "a date", text))
    }

    fn corrupt(&self, day: &str, what: &'static str, value: &str) -> StoreError {
        StoreError::Corrupt {
            location: self.inner.location.clone(),
            day: day.to_string(),
            what,
            value: value.to_string(),
        }
    }

    /// The state of every stored day.
    pub fn days(&self) -> BTreeMap<NaiveDate, DayState> {
        read(&self.inner.days).clone()
    }

    /// The oldest and the newest stored day.
    pub fn stored_span(&self) -> Option<(NaiveDate, NaiveDate)> {
        let days = read(&self.inner.days);
        days.keys()
            .next()
            .copied()
            .zip(days.keys().next_back().copied())
    }

    pub fn day_state(&self, day: NaiveDate) -> Option<DayState> {
        read(&self.inner.days).get(&day).cloned()
    }

    /// The days of `from..=to` with their states (stored ones only).
    pub fn day_states(&self, from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, DayState)> {
        read(&self.inner.days)
            .range(from..=to)
            .map(|(day, state)| (*day, state.clone()))
            .collect()
    }

    /// How many days of `from..=to` are stored, and how many of those are not final yet.
    pub fn count_days(&self, from: NaiveDate, to: NaiveDate) -> (u32, u32) {
        read(&self.inner.days)
            .range(from..=to)
            .fold((0, 0), |(stored, open), (_, state)| {
                (stored + 1, open + u32::from(!state.is_final))
            })
    }

    /// The stored days of `from..=to`.
    pub fn stored_days(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        read(&self.inner.days)
            .range(from..=to)
            .map(|(day, _)| *day)
            .collect()
    }

    /// Whether any stored day of `from..=to` was written after `version`.
    pub fn written_since(&self, from: NaiveDate, to: NaiveDate, version: u64) -> bool {
        read(&self.inner.days)
            .range(from..=to)
            .any(|(_, state)| state.version > version)
    }

    pub fn keys(&self) -> Arc<KeyTable> {
        Arc::clone(&read(&self.inner.keys))
    }

    /// The store's write counter: anything built before a day's `version` is stale.
    pub fn version(&self) -> u64 {
        self.inner.version.load(Ordering::Acquire)
    }

    /// Replaces the day's rows with `fetched`'s, in one transaction: a failure (a crash, a full
    /// disk) leaves the day as it was, never partial, never doubled.
    pub async fn write_day(&self, fetched: FetchedDay) -> Result<StoredDay, StoreError> {
        let FetchedDay {
            day,
            rows,
            pages,
            request_id,
            fetched_at,
            is_final,
            repeated_rows,
        } = fetched;
        let (merged, stats) =
            merge_rows([rows]).map_err(|error| StoreError::Merge(error.to_string()))?;
        let facts = DayFacts {
            fetched_at,
            is_final,
            graph_rows: stats.input_rows as u64,
            rows_missing_key: stats.rows_missing_key as u64,
            rows_missing_totals: stats.rows_missing_totals as u64,
            repeated_rows,
            pages,
            request_id,
        };
        self.write_merged(day, merged, facts).await
    }

    /// Replaces the day's rows with `merged` (one per key) and its state with `facts`, in one
    /// transaction.
    pub(crate) async fn write_merged(
        &self,
        day: NaiveDate,
        merged: Vec<DialoutRow>,
        facts: DayFacts,
    ) -> Result<StoredDay, StoreError> {
        let DayFacts {
            fetched_at,
            is_final,
            graph_rows,
            rows_missing_key,
            rows_missing_totals,
            repeated_rows,
            pages,
            request_id,
        } = facts;
        // The file keeps milliseconds: memory holds what a restart reads back.
        let fetched_at = chrono::SubsecRound::trunc_subsecs(fetched_at, 3);
        let day_text = day.format("%Y-%m-%d").to_string();
        let _writer = self.inner.writer.lock().await;
        let mut keys = self.keys();
        let (new_keys, day_rows, state) = on_db!(&self.inner.db, |pool, dialect| {
            let mut tx = pool.begin().await.map_err(|error| self.db_error(error))?;
            // PostgreSQL: the writers of every instance take turns, and each first learns the
            // keys another instance added since this one last heard, so a key is never stored
            // twice. (SQLite's file has one writer, and a read here would only make its write
            // fail at once instead of waiting for another process's lock.)
            let mut caught_up = Vec::new();
            if let Some(lock) = dialect.write_lock() {
                sqlx::query(lock)
                    .bind(crate::shared::WRITE_LOCK)
                    .execute(&mut *tx)
                    .await
                    .map_err(|error| self.db_error(error))?;
                for row in sqlx::query(KEYS_FROM)
                    .bind(keys.id_bound() as i64)
                    .bind(None::<String>)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(|error| self.db_error(error))?
                {
                    caught_up.push(self.key_of(&row)?);
                }
            }
            if !caught_up.is_empty() {
                let mut table = KeyTable::clone(&keys);
                for (id, identity, key) in caught_up.iter().cloned() {
                    table.insert(id, identity, key);
                }
                keys = Arc::new(table);
            }
            // Keys first: new ones get their id; known ones take newer names.
            let mut new_keys: Vec<(u32, String, ReportKey)> = caught_up;
            let mut day_rows = Vec::with_capacity(merged.len());
            for row in &merged {
                let identity = identity(row);
                let id = match keys.id_of(&identity) {
                    Some(id) => {
                        if let Some(renamed) = keys.get(id).and_then(|key| key.renamed(row, day)) {
                            // Names never go back to an older day's, whoever wrote them.
                            let changed = sqlx::query(
                                "UPDATE report_keys SET user_principal_name = $1, user_display_name = $2, \
                                 names_day = $3 WHERE id = $4 AND names_day <= $3",
                            )
                            .bind(&renamed.user_principal_name)
                            .bind(&renamed.user_display_name)
                            .bind(&day_text)
                            .bind(i64::from(id))
                            .execute(&mut *tx)
                            .await
                            .map_err(|error| self.db_error(error))?;
                            if changed.rows_affected() == 1 {
                                new_keys.push((id, identity, renamed));
                            }
                        }
                        id
                    }
                    None => {
                        let id: i64 = sqlx::query_scalar(
                            "INSERT INTO report_keys (identity, user_id, usage_location, \
                             destination_context, currency, user_principal_name, user_display_name, \
                             names_day) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                        )
                        .bind(&identity)
                        .bind(&row.user_id)
                        .bind(&row.usage_location)
                        .bind(&row.destination_context)
                        .bind(&row.currency)
                        .bind(&row.user_principal_name)
                        .bind(&row.user_display_name)
                        .bind(&day_text)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(|error| self.db_error(error))?;
                        let id = u32::try_from(id)
                            .map_err(|_| self.corrupt(&day_text, "a key id", &id.to_string()))?;
                        new_keys.push((id, identity, ReportKey::from_row(row, day)));
                        id
                    }
                };
                let day_row = DayRow::new(
                    id,
                    row.total_calls,
                    row.total_call_seconds,
                    row.total_call_charge,
                )
                .ok_or_else(|| {
                    StoreError::Merge(format!(
                        "Graph's row of user {} on {day_text} has totals the store cannot hold \
                         (calls or seconds beyond Int32, or a charge of more than 18 digits: {:?}, \
                         {:?}, {:?}); the day is not stored",
                        row.user_id.as_deref().unwrap_or("(unknown)"),
                        row.total_calls,
                        row.total_call_seconds,
                        row.total_call_charge,
                    ))
                })?;
                day_rows.push(day_row);
            }
            for statement in [
                "DELETE FROM report_rows WHERE day = $1",
                "DELETE FROM report_day_packed WHERE day = $1",
                "DELETE FROM report_days WHERE day = $1",
            ] {
                sqlx::query(statement)
                    .bind(&day_text)
                    .execute(&mut *tx)
                    .await
                    .map_err(|error| self.db_error(error))?;
            }
            let state = DayState {
                fetched_at,
                is_final,
                rows: merged.len() as u64,
                graph_rows,
                rows_missing_key,
                rows_missing_totals,
                repeated_rows,
                pages,
                request_id,
                version: 0,
            };
            sqlx::query(
                "INSERT INTO report_days (day, fetched_at, final, row_count, graph_rows, \
                 rows_missing_key, rows_missing_totals, pages, request_id, repeated_rows) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&day_text)
            .bind(fetched_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            .bind(i64::from(is_final))
            .bind(state.rows as i64)
            .bind(state.graph_rows as i64)
            .bind(state.rows_missing_key as i64)
            .bind(state.rows_missing_totals as i64)
            .bind(state.pages as i64)
            .bind(&state.request_id)
            .bind(state.repeated_rows as i64)
            .execute(&mut *tx)
            .await
            .map_err(|error| self.db_error(error))?;
            // In key order, as a day read back is: a range's rows come out in the same order
            // whichever way its days were loaded.
            day_rows.sort_unstable_by_key(|row| row.key);
            for chunk in day_rows.chunks(INSERT_CHUNK) {
                let mut insert = QueryBuilder::new(
                    "INSERT INTO report_rows (day, key_id, total_calls, total_call_seconds, \
                     total_call_charge) ",
                );
                insert.push_values(chunk, |mut values, row| {
                    values
                        .push_bind(&day_text)
                        .push_bind(i64::from(row.key))
                        .push_bind(row.total_calls())
                        .push_bind(row.total_call_seconds())
                        .push_bind(dialect.charge(row.total_call_charge()));
                });
                insert
                    .build()
                    .execute(&mut *tx)
                    .await
                    .map_err(|error| self.db_error(error))?;
            }
            sqlx::query("INSERT INTO report_day_packed (day, packed) VALUES ($1, $2)")
                .bind(&day_text)
                .bind(crate::packed::pack(&day_rows))
                .execute(&mut *tx)
                .await
                .map_err(|error| self.db_error(error))?;
            if let Some(notify) = dialect.notify() {
                sqlx::query(notify)
                    .bind(crate::shared::CHANNEL)
                    .bind(crate::shared::Change::Day(day).payload(&self.inner.origin))
                    .execute(&mut *tx)
                    .await
                    .map_err(|error| self.db_error(error))?;
            }
            tx.commit().await.map_err(|error| self.db_error(error))?;
            (new_keys, day_rows, state)
        });
        // Only now, with the day on disk, does memory follow.
        if !new_keys.is_empty() {
            let mut table = KeyTable::clone(&keys);
            for (id, identity, key) in new_keys {
                table.insert(id, identity, key);
            }
            *write(&self.inner.keys) = Arc::new(table);
        }
        let state = self.publish_day(day, state);
        self.index_changed();
        Ok(StoredDay {
            day,
            state,
            rows: day_rows,
        })
    }

    /// The stored days of `days` (sorted), read from the file; days not stored are left out.
    pub async fn load_days(&self, days: &[NaiveDate]) -> Result<Vec<StoredDay>, StoreError> {
        self.read_days(days, true).await
    }

    /// [`Self::load_days`] from `report_rows` alone, never the packed values: what the
    /// relational table holds (`store copy` checks it).
    pub(crate) async fn load_days_row_by_row(
        &self,
        days: &[NaiveDate],
    ) -> Result<Vec<StoredDay>, StoreError> {
        self.read_days(days, false).await
    }

    async fn read_days(
        &self,
        days: &[NaiveDate],
        packed: bool,
    ) -> Result<Vec<StoredDay>, StoreError> {
        let (Some(first), Some(last)) = (days.first(), days.last()) else {
            return Ok(Vec::new());
        };
        let states = self.day_states(*first, *last);
        let mut loaded: BTreeMap<NaiveDate, StoredDay> = states
            .into_iter()
            .filter(|(day, _)| days.binary_search(day).is_ok())
            .map(|(day, state)| {
                let rows = Vec::with_capacity(state.rows as usize);
                (day, StoredDay { day, state, rows })
            })
            .collect();
        if loaded.is_empty() {
            return Ok(Vec::new());
        }
        // Packed first (one value a day); what is left, row by row.
        let packed = if packed {
            self.load_packed(*first, *last, |day| {
                loaded.get(&day).map(|day| day.state.rows)
            })
            .await?
        } else {
            BTreeMap::new()
        };
        for (day, rows) in packed {
            if let Some(stored) = loaded.get_mut(&day) {
                stored.rows = rows;
            }
        }
        let unpacked: Vec<NaiveDate> = (loaded.values())
            .filter(|stored| stored.rows.len() as u64 != stored.state.rows)
            .map(|stored| stored.day)
            .collect();
        let (Some(first), Some(last)) = (unpacked.first(), unpacked.last()) else {
            return Ok(loaded.into_values().collect());
        };
        on_db!(&self.inner.db, |pool, dialect| {
            let mut stream = sqlx::query(
                "SELECT day, key_id, total_calls, total_call_seconds, total_call_charge \
                 FROM report_rows WHERE day BETWEEN $1 AND $2 ORDER BY day, key_id",
            )
            .bind(first.format("%Y-%m-%d").to_string())
            .bind(last.format("%Y-%m-%d").to_string())
            .fetch(pool);
            use futures_util::TryStreamExt;
            let mut current: Option<(String, NaiveDate)> = None;
            while let Some(row) = stream
                .try_next()
                .await
                .map_err(|error| self.db_error(error))?
            {
                let day_text: &str = row.get(0);
                let day = match &current {
                    Some((text, day)) if text == day_text => *day,
                    _ => {
                        let day = self.parse_day(day_text)?;
                        current = Some((day_text.to_string(), day));
                        day
                    }
                };
                let Some(stored) = loaded
                    .get_mut(&day)
                    .filter(|_| unpacked.binary_search(&day).is_ok())
                else {
                    continue;
                };
                let key = u32::try_from(row.get::<i64, _>(1)).map_err(|_| {
                    self.corrupt(day_text, "a key id", &row.get::<i64, _>(1).to_string())
                })?;
                let charge = dialect
                    .read_charge(&row, 4)
                    .map_err(|text| self.corrupt(day_text, "a decimal charge", &text))?;
                let (calls, seconds): (Option<i64>, Option<i64>) = (row.get(2), row.get(3));
                let day_row = DayRow::new(key, calls, seconds, charge).ok_or_else(|| {
                    let value = format!("{calls:?}, {seconds:?}, {charge:?}");
                    self.corrupt(day_text, "totals within Int32 and 18 digits", &value)
                })?;
                stored.rows.push(day_row);
            }
        });
        Ok(loaded.into_values().collect())
    }

    /// Gives up the syncer lock (another instance takes over at once) and closes the pool (at
    /// shutdown, so SQLite's WAL is checkpointed).
    pub async fn close(&self) {
        self.release_syncer().await;
        on_db!(&self.inner.db, |pool, dialect| pool.close().await);
    }
}

/// The SQLite file at `url` (`sqlite://PATH`, `sqlite:PATH` or a plain path), created with its
/// folder when missing, checked and migrated; and its path for messages.
async fn open_sqlite(url: &str, source: &str) -> Result<(Db, String), StoreError> {
    let path = sqlite_path(url);
    let location = path.display().to_string();
    if let Some(folder) = path
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
        && let Err(error) = std::fs::create_dir_all(folder)
    {
        return Err(StoreError::Open {
            location,
            problem: format!("cannot create its folder {}: {error}", folder.display()),
            advice: "Create the folder, or give the portal's user the right to".into(),
        });
    }
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{location}"))
        .map_err(|error| StoreError::open(&location, &error))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true);
    let pool: SqlitePool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .map_err(|error| StoreError::open(&location, &error))?;
    let db = Db::Sqlite(pool);
    prepare(&db, &location, source).await?;
    Ok((db, location))
}

/// The PostgreSQL database at `url` (`postgres://…`, TLS as its `sslmode` asks), checked and
/// migrated, and its URL without the password for messages. Several instances may share it
/// (`shared.rs`).
async fn open_postgres(url: &str, source: &str) -> Result<(Db, String), StoreError> {
    let location = crate::db::without_password(url);
    // The server probes each connection after 30 s of quiet and ends it after three lost
    // probes: an instance whose host died gives up its syncer lock within a minute or so,
    // not after the system's default two hours.
    let options = sqlx::postgres::PgConnectOptions::from_str(url)
        .map_err(|error| StoreError::open(&location, &error))?
        .options([
            ("tcp_keepalives_idle", "30"),
            ("tcp_keepalives_interval", "10"),
            ("tcp_keepalives_count", "3"),
        ]);
    // Ten connections: one listens for the other instances' changes, the rest serve pages,
    // the sync and sign-in (the syncer lock has one of its own).
    let pool = PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(PG_ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(|error| StoreError::open(&location, &error))?;
    let db = Db::Postgres(pool);
    prepare(&db, &location, source).await?;
    Ok((db, location))
}

impl Store {
    /// Which Graph the store at `url` holds (its recorded source), without creating, migrating
    /// or locking anything: `None` for a database without a store yet. An SQLite file that does
    /// not exist is an error (a copy's source must be there).
    pub async fn recorded_source(url: &str) -> Result<Option<String>, StoreError> {
        let (db, location) = if crate::db::is_postgres(url) {
            let location = crate::db::without_password(url);
            let pool = PgPoolOptions::new()
                .max_connections(1)
                .connect(url)
                .await
                .map_err(|error| StoreError::open(&location, &error))?;
            (Db::Postgres(pool), location)
        } else {
            let path = sqlite_path(url);
            let location = path.display().to_string();
            let options = SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(false)
                .read_only(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options)
                .await
                .map_err(|error| StoreError::open(&location, &error))?;
            (Db::Sqlite(pool), location)
        };
        let source = stored_source(&db, &location).await;
        on_db!(&db, |pool, dialect| pool.close().await);
        source
    }
}

/// Refuses a store of a newer schema or of another Graph, then applies this build's
/// migrations (PostgreSQL's migrator takes a lock, so instances starting together take turns).
async fn prepare(db: &Db, location: &str, source: &str) -> Result<(), StoreError> {
    check_schema(db, location).await?;
    // Another tenant's store is refused before the migrator may write to it.
    check_source_before_migrating(db, location, source).await?;
    match db {
        Db::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await,
        Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await,
    }
    .map_err(|error| migrate_error(location, error))
}

/// Whether `table` exists.
async fn has_table(db: &Db, location: &str, table: &str) -> Result<bool, StoreError> {
    let found: Option<Option<String>> = on_db!(db, |pool, dialect| {
        sqlx::query_scalar(dialect.table_exists())
            .bind(table)
            .fetch_optional(pool)
            .await
    })
    .map_err(|error| StoreError::open(location, &error))?;
    Ok(found.flatten().is_some())
}

/// A store whose applied migrations go past this build's is refused before sqlx sees it, so
/// the message says what happened; the store is not touched.
async fn check_schema(db: &Db, location: &str) -> Result<(), StoreError> {
    if !has_table(db, location, "_sqlx_migrations").await? {
        return Ok(());
    }
    let newest: Option<i64> = on_db!(db, |pool, dialect| {
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(pool)
            .await
    })
    .map_err(|error| StoreError::open(location, &error))?;
    match newest {
        Some(found) if found > KNOWN_SCHEMA => Err(StoreError::NewerSchema {
            location: location.to_string(),
            found,
        }),
        _ => Ok(()),
    }
}

/// Which Graph the store holds, as recorded (`None` before its first start).
async fn stored_source(db: &Db, location: &str) -> Result<Option<String>, StoreError> {
    if !has_table(db, location, "store_meta").await? {
        return Ok(None);
    }
    on_db!(db, |pool, dialect| {
        sqlx::query_scalar("SELECT value FROM store_meta WHERE name = 'source'")
            .fetch_optional(pool)
            .await
    })
    .map_err(|error| StoreError::open(location, &error))
}

async fn check_source_before_migrating(
    db: &Db,
    location: &str,
    source: &str,
) -> Result<(), StoreError> {
    match stored_source(db, location).await? {
        Some(stored) if stored != source => Err(StoreError::OtherSource {
            location: location.to_string(),
            stored,
            configured: source.to_string(),
        }),
        _ => Ok(()),
    }
}

fn migrate_error(location: &str, error: sqlx::migrate::MigrateError) -> StoreError {
    use sqlx::migrate::MigrateError;
    match error {
        MigrateError::VersionMissing(found) => StoreError::NewerSchema {
            location: location.to_string(),
            found,
        },
        MigrateError::Execute(error) | MigrateError::ExecuteMigration(error, _) => {
            StoreError::open(location, &error)
        }
        other => StoreError::Open {
            location: location.to_string(),
            problem: format!("cannot bring its schema up to date: {other}"),
            advice: "Restore the file from a backup, or point PORTAL_DATABASE_URL at a new file (history within Graph's retention is read again)".into(),
        },
    }
}

pub(crate) fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_known_schema_is_the_newest_migration() {
        let migrator = sqlx::migrate!("./migrations/sqlite");
        let newest = migrator.iter().map(|m| m.version).max();
        assert_eq!(newest, Some(super::KNOWN_SCHEMA));
    }
}
