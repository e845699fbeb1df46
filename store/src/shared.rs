//! Several instances on one PostgreSQL. Each instance keeps the store's index (day states,
//! keys, `store_meta`, the directory, revoked sessions) in memory; what one instance writes
//! reaches the others as a notification (`pg_notify`, sent in the writing transaction, so it is
//! delivered only once the change is committed), and each instance's [`follow`] task applies
//! it. A lost listening connection loses notifications: the whole index is read again once it
//! is back. One instance at a time syncs ([`Store::claim_syncer`]); the others ask it for the
//! days they lack ([`Change::Want`]). SQLite serves one instance, which is always the syncer.
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

use chrono::NaiveDate;
use sqlx::Connection;
use sqlx::postgres::{PgListener, PgPool};
use tracing::{info, warn};

use crate::db::Db;
use crate::error::StoreError;
use crate::store::{Inner, Store};

/// The channel every instance of the store listens on.
pub(crate) const CHANNEL: &str = "dialout_portal_store";
/// `pg_advisory_xact_lock` key held by each write transaction: writers of one database take
/// turns, whichever instance they run in (as SQLite's single writer does for one file).
pub(crate) const WRITE_LOCK: i64 = 0x6469_616c_6f75_7401;
/// `pg_try_advisory_lock` key held, on a connection of its own, by the instance that syncs.
const SYNCER_LOCK: i64 = 0x6469_616c_6f75_7402;
/// Days named in one `want` notification (PostgreSQL's payload limit is 8,000 bytes).
const WANT_CHUNK: usize = 500;
/// How long a check of the syncer lock's connection may take before it counts as lost.
const LOCK_CHECK_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the listening connection may stay quiet before it is asked whether it is alive.
const LISTEN_QUIET: Duration = Duration::from_secs(30);
/// How long a readiness check of the database may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);
/// How long the follower waits before listening again after a failure.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// A change one instance made that the others must apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    /// A day was written (its rows, its state, maybe new keys or newer names).
    Day(NaiveDate),
    /// `store_meta` changed.
    Meta,
    /// The directory was replaced.
    Directory,
    /// A session was signed out before its time.
    Revoked { session_id: String, expires_at: i64 },
    /// An instance that does not sync needs these days (for the syncer).
    Want(Vec<NaiveDate>),
}

impl Change {
    /// The notification's payload: the sending instance's origin, then the change.
    pub(crate) fn payload(&self, origin: &str) -> String {
        let body = match self {
            Change::Day(day) => format!("day {day}"),
            Change::Meta => "meta".to_string(),
            Change::Directory => "directory".to_string(),
            Change::Revoked {
                session_id,
                expires_at,
            } => format!("revoked {expires_at} {session_id}"),
            Change::Want(days) => {
                let days: Vec<String> = days.iter().map(ToString::to_string).collect();
                format!("want {}", days.join(","))
            }
        };
        format!("{origin} {body}")
    }

    /// The origin and the change of a payload; `None` for one this version does not know
    /// (a newer instance's), which is ignored.
    pub(crate) fn parse(payload: &str) -> Option<(&str, Change)> {
        let (origin, rest) = payload.split_once(' ')?;
        let (kind, value) = rest.split_once(' ').unwrap_or((rest, ""));
        let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
        let change = match kind {
            "day" => Change::Day(day(value)?),
            "meta" => Change::Meta,
            "directory" => Change::Directory,
            "revoked" => {
                let (expires_at, session_id) = value.split_once(' ')?;
                Change::Revoked {
                    session_id: session_id.to_string(),
                    expires_at: expires_at.parse().ok()?,
                }
            }
            "want" => Change::Want(value.split(',').map(day).collect::<Option<_>>()?),
            _ => return None,
        };
        Some((origin, change))
    }
}

/// The statement that sends a change (bound: channel, payload).
pub(crate) const NOTIFY: &str = "SELECT pg_notify($1, $2)";

impl Store {
    /// Whether other instances may share this store (PostgreSQL).
    pub fn is_shared(&self) -> bool {
        matches!(self.inner.db, Db::Postgres(_))
    }

    /// Tells the other instances about `change` (PostgreSQL; nothing for SQLite). A day is
    /// announced inside its write transaction instead (`Store::write_merged`).
    pub(crate) async fn announce(&self, change: &Change) -> Result<(), StoreError> {
        let Db::Postgres(pool) = &self.inner.db else {
            return Ok(());
        };
        sqlx::query(NOTIFY)
            .bind(CHANNEL)
            .bind(change.payload(&self.inner.origin))
            .execute(pool)
            .await
            .map(drop)
            .map_err(|error| self.db_error(error))
    }

    /// Asks the instance that syncs for `days` (an instance that does not sync never reads
    /// Graph for the report itself: two instances would spend the tenant's budget twice).
    pub async fn want_from_syncer(&self, days: &[NaiveDate]) -> Result<(), StoreError> {
        for chunk in days.chunks(WANT_CHUNK) {
            self.announce(&Change::Want(chunk.to_vec())).await?;
        }
        Ok(())
    }

    /// Calls `want` with the days other instances ask for (set once, by the history).
    pub fn on_wanted(&self, want: impl Fn(Vec<NaiveDate>) + Send + Sync + 'static) {
        let _ = self.inner.on_want.set(Box::new(want));
    }

    /// Changes whenever the index changes (a day written here or by another instance).
    pub fn index_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.index_changes.subscribe()
    }

    /// Whether this instance syncs: with SQLite always; with PostgreSQL when it holds the
    /// syncer lock, taken here when free. Asked before each sync pass and each day: a lock
    /// whose connection was lost (a restart of PostgreSQL, a network fault) is given up at
    /// once, so two instances never both go on syncing for long.
    pub async fn claim_syncer(&self) -> bool {
        let Db::Postgres(pool) = &self.inner.db else {
            return true;
        };
        let mut slot = self.inner.syncer.lock().await;
        let held = self.inner.is_syncer.load(Ordering::Acquire);
        if let Some(connection) = slot.as_mut() {
            let checked = tokio::time::timeout(LOCK_CHECK_TIMEOUT, connection.ping()).await;
            if !matches!(checked, Ok(Ok(()))) {
                if held {
                    warn!(
                        "lost the connection that holds the syncer lock: another instance may sync now"
                    );
                }
                *slot = None;
                self.inner.is_syncer.store(false, Ordering::Release);
            } else if held {
                return true;
            }
        }
        if slot.is_none() {
            match sqlx::PgConnection::connect_with(&pool.connect_options()).await {
                Ok(connection) => *slot = Some(connection),
                Err(error) => {
                    warn!(%error, "cannot connect to take the syncer lock");
                    return false;
                }
            }
        }
        let Some(connection) = slot.as_mut() else {
            return false;
        };
        let taken: Result<bool, _> = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(SYNCER_LOCK)
            .fetch_one(&mut *connection)
            .await;
        let taken = match taken {
            Ok(taken) => taken,
            Err(error) => {
                warn!(%error, "cannot take the syncer lock");
                *slot = None;
                false
            }
        };
        if taken {
            info!("this instance syncs the report store");
        }
        self.inner.is_syncer.store(taken, Ordering::Release);
        taken
    }

    /// Whether this instance held the syncer lock when last asked ([`Self::claim_syncer`]).
    pub fn is_syncer(&self) -> bool {
        !self.is_shared() || self.inner.is_syncer.load(Ordering::Acquire)
    }

    /// Gives up the syncer lock (at shutdown: another instance takes over at once).
    pub(crate) async fn release_syncer(&self) {
        if let Some(mut connection) = self.inner.syncer.lock().await.take() {
            // Unlocked before the connection closes: the server ends a closed session a moment
            // later, and another instance asking meanwhile would still find the lock taken.
            if self.inner.is_syncer.load(Ordering::Acquire) {
                let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(SYNCER_LOCK)
                    .execute(&mut connection)
                    .await;
            }
            let _ = connection.close().await;
        }
        self.inner.is_syncer.store(false, Ordering::Release);
    }

    /// Whether the database answers now (readiness), within [`CHECK_TIMEOUT`] (shorter than
    /// the pool's own wait: with the server gone the pool keeps trying to connect until its
    /// acquire timeout, and a load balancer's check must not hang that long).
    pub async fn check(&self) -> Result<(), StoreError> {
        let unanswered = || StoreError::Database {
            location: self.inner.location.clone(),
            problem: format!(
                "it did not answer within {} seconds",
                CHECK_TIMEOUT.as_secs()
            ),
            advice: "Check that the database server is running and reachable".into(),
        };
        let answered = match &self.inner.db {
            Db::Sqlite(pool) => {
                tokio::time::timeout(CHECK_TIMEOUT, sqlx::query("SELECT 1").execute(pool))
                    .await
                    .map(|answer| answer.map(drop))
            }
            Db::Postgres(pool) => {
                tokio::time::timeout(CHECK_TIMEOUT, async {
                    let mut connection = pool.acquire().await?;
                    match connection.ping().await {
                        Ok(()) => Ok(()),
                        // A connection left over from before a restart of the server: dropped,
                        // and a new one asked once.
                        Err(_) => {
                            connection.detach();
                            pool.acquire().await?.ping().await
                        }
                    }
                })
                .await
            }
        };
        match answered {
            Ok(result) => result.map_err(|error| self.db_error(error)),
            Err(_) => Err(unanswered()),
        }
    }

    /// Marks the index changed: caches built before are stale, waiters look again.
    pub(crate) fn index_changed(&self) {
        self.inner.index_changes.send_modify(|count| *count += 1);
    }

    /// Applies another instance's change.
    async fn apply(&self, change: Change) -> Result<(), StoreError> {
        match change {
            Change::Day(day) => self.reload_day(day).await?,
            Change::Meta => self.load_meta().await?,
            Change::Directory => {
                let _writer = self.inner.writer.lock().await;
                self.load_meta().await?;
                self.load_directory().await?;
                self.inner.version.fetch_add(1, Ordering::AcqRel);
            }
            Change::Revoked {
                session_id,
                expires_at,
            } => self.remember_revoked(session_id, expires_at),
            Change::Want(days) => {
                if self.is_syncer()
                    && let Some(want) = self.inner.on_want.get()
                {
                    want(days);
                }
            }
        }
        self.index_changed();
        Ok(())
    }

    /// Reads everything another instance may have written (after notifications were lost).
    /// Beside this process's writes, not between a write's reading and setting the index.
    async fn reload_all(&self) -> Result<(), StoreError> {
        let _writer = self.inner.writer.lock().await;
        self.load_meta().await?;
        self.load_index().await?;
        self.load_directory().await?;
        self.load_revoked().await?;
        self.inner.version.fetch_add(1, Ordering::AcqRel);
        self.index_changed();
        Ok(())
    }
}

/// Starts applying the other instances' changes to `store` (PostgreSQL only), until its pool
/// is closed.
pub(crate) fn follow(store: &Store) {
    let Db::Postgres(pool) = &store.inner.db else {
        return;
    };
    let weak = Arc::downgrade(&store.inner);
    tokio::spawn(listen(pool.clone(), weak));
}

async fn listen(pool: PgPool, store: Weak<Inner>) {
    let upgrade = |weak: &Weak<Inner>| weak.upgrade().map(|inner| Store { inner });
    let mut listener: Option<PgListener> = None;
    // The index was read at start, after LISTEN was not yet in place: read it again once it is.
    let mut stale = true;
    loop {
        if pool.is_closed() {
            return;
        }
        let Some(current) = upgrade(&store) else {
            return;
        };
        let connected = match listener.as_mut() {
            Some(listener) => Ok(listener),
            None => match PgListener::connect_with(&pool).await {
                Ok(mut made) => match made.listen(CHANNEL).await {
                    Ok(()) => Ok(listener.insert(made)),
                    Err(error) => Err(error),
                },
                Err(error) => Err(error),
            },
        };
        let listening = match connected {
            Ok(listening) => listening,
            Err(error) => {
                if !pool.is_closed() {
                    warn!(%error, "cannot listen for the other instances' changes; trying again");
                }
                drop(current);
                tokio::time::sleep(RETRY_AFTER).await;
                continue;
            }
        };
        if stale {
            // Listening first, reading second: a change committed in between arrives as a
            // notification too (applied twice, which is harmless).
            if let Err(error) = sqlx::query("SELECT 1").execute(&mut *listening).await {
                warn!(%error, "lost the listening connection; trying again");
                listener = None;
                tokio::time::sleep(RETRY_AFTER).await;
                continue;
            }
            match current.reload_all().await {
                Ok(()) => stale = false,
                Err(error) => {
                    warn!(%error, "cannot read the store again; trying again");
                    tokio::time::sleep(RETRY_AFTER).await;
                    continue;
                }
            }
        }
        drop(current);
        // A connection cut without a word (a NAT or a failover dropping it) would never end
        // `try_recv`: after a quiet while the connection is asked whether it is still there.
        // (`try_recv` is cancel-safe: a message half read stays in its buffer.)
        let received = match tokio::time::timeout(LISTEN_QUIET, listening.try_recv()).await {
            Ok(received) => received,
            Err(_) => {
                let alive = tokio::time::timeout(
                    LOCK_CHECK_TIMEOUT,
                    sqlx::query("SELECT 1").execute(&mut *listening),
                )
                .await;
                if !matches!(alive, Ok(Ok(_))) {
                    warn!("the listening connection stopped answering; listening again");
                    listener = None;
                    stale = true;
                }
                continue;
            }
        };
        match received {
            Ok(Some(notification)) => {
                let Some(current) = upgrade(&store) else {
                    return;
                };
                let Some((origin, change)) = Change::parse(notification.payload()) else {
                    continue;
                };
                if origin == current.inner.origin {
                    continue;
                }
                if let Err(error) = current.apply(change).await {
                    warn!(%error, "cannot apply another instance's change; reading the store again");
                    stale = true;
                }
            }
            // The connection was lost (and made again): what was sent meanwhile is lost.
            Ok(None) => stale = true,
            Err(error) => {
                if pool.is_closed() {
                    return;
                }
                warn!(%error, "lost the listening connection; trying again");
                listener = None;
                stale = true;
                tokio::time::sleep(RETRY_AFTER).await;
            }
        }
    }
}

/// A random origin for this instance's notifications (its own are not applied again).
pub(crate) fn new_origin() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos())
            .unwrap_or_default(),
    );
    hasher.write_u32(std::process::id());
    format!("{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_travel_as_text_and_come_back_the_same() {
        let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        for change in [
            Change::Day(day("2026-03-01")),
            Change::Meta,
            Change::Directory,
            Change::Revoked {
                session_id: "a b/c".into(),
                expires_at: 1_800_000_000,
            },
            Change::Want(vec![day("2026-03-01"), day("2026-02-28")]),
        ] {
            let payload = change.payload("0123abcd");
            assert_eq!(
                Change::parse(&payload),
                Some(("0123abcd", change)),
                "{payload}"
            );
        }
        for unknown in [
            "x",
            "x day 2026-13-01",
            "x want 2026-01-01,nope",
            "x later 1",
        ] {
            assert_eq!(Change::parse(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn a_want_of_a_year_fits_a_notification() {
        let days: Vec<NaiveDate> = NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .iter_days()
            .take(WANT_CHUNK)
            .collect();
        assert!(Change::Want(days).payload(&new_origin()).len() < 8_000);
    }
}
