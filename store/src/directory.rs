//! The directory snapshot: the people Graph's directory listed at its last read, kept in the
//! store beside the report (`directory_users`, replaced whole in one transaction) and in
//! memory, so grouping spend by department or limiting it to a manager's people never waits
//! for Graph. Who read it when, and whether the last read failed, is in `store_meta`.
use std::sync::Arc;

use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use graph_client::DirectoryUser;
use sqlx::{QueryBuilder, Row};

use crate::db::{Db, on_db};

use crate::StoreError;
use crate::store::{read, write};
use crate::sync::lock;

/// `store_meta` names.
pub(crate) const READ_AT: &str = "directory_read_at";
pub(crate) const LAST_ERROR: &str = "directory_last_error";

/// Rows per INSERT (8 values each, under SQLite's 32,766 variables).
const INSERT_CHUNK: usize = 1_000;

/// The directory as last read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectorySnapshot {
    pub read_at: DateTime<Utc>,
    pub users: Arc<Vec<DirectoryUser>>,
}

/// `users` with each person once (the last listing of anyone listed twice), in their order.
fn unique(users: Vec<DirectoryUser>) -> Vec<DirectoryUser> {
    let mut seen = std::collections::HashSet::new();
    let mut kept: Vec<DirectoryUser> = users
        .into_iter()
        .rev()
        .filter(|user| seen.insert(user.id.to_ascii_lowercase()))
        .collect();
    kept.reverse();
    kept
}

/// The stored directory, `None` when it was never read.
pub(crate) async fn load(
    db: &Db,
    read_at: Option<DateTime<Utc>>,
) -> Result<Option<DirectorySnapshot>, sqlx::Error> {
    let Some(read_at) = read_at else {
        return Ok(None);
    };
    let users = on_db!(db, |pool, dialect| {
        let rows = sqlx::query(
            "SELECT id, user_principal_name, department, company_name, office_location, \
             cost_center, division, manager_id FROM directory_users",
        )
        .fetch_all(pool)
        .await?;
        rows.iter()
            .map(|row| DirectoryUser {
                id: row.get(0),
                user_principal_name: row.get(1),
                department: row.get(2),
                company_name: row.get(3),
                office_location: row.get(4),
                cost_center: row.get(5),
                division: row.get(6),
                manager_id: row.get(7),
            })
            .collect()
    });
    Ok(Some(DirectorySnapshot {
        read_at,
        users: Arc::new(users),
    }))
}

/// Replaces the stored directory with `users`, and records when it was read, in one
/// transaction: a failure leaves the previous directory whole. `users` lists each person once
/// ([`unique`]).
pub(crate) async fn replace(
    db: &Db,
    users: &[DirectoryUser],
    read_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_db!(db, |pool, dialect| {
        let mut tx = pool.begin().await?;
        sqlx::query("DELETE FROM directory_users")
            .execute(&mut *tx)
            .await?;
        for chunk in users.chunks(INSERT_CHUNK) {
            let mut insert = QueryBuilder::new(
                "INSERT INTO directory_users (id, user_principal_name, department, \
                 company_name, office_location, cost_center, division, manager_id) ",
            );
            insert.push_values(chunk, |mut row, user| {
                row.push_bind(&user.id)
                    .push_bind(&user.user_principal_name)
                    .push_bind(&user.department)
                    .push_bind(&user.company_name)
                    .push_bind(&user.office_location)
                    .push_bind(&user.cost_center)
                    .push_bind(&user.division)
                    .push_bind(&user.manager_id);
            });
            insert.build().execute(&mut *tx).await?;
        }
        for (name, value) in [(READ_AT, read_at.to_rfc3339()), (LAST_ERROR, String::new())] {
            sqlx::query(crate::store::SET_META)
                .bind(name)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    })
}

impl crate::Store {
    pub(crate) async fn load_directory(&self) -> Result<(), StoreError> {
        let read_at = self
            .meta(READ_AT)
            .and_then(|text| DateTime::parse_from_rfc3339(&text).ok())
            .map(|time| time.with_timezone(&Utc));
        let snapshot = load(&self.inner.db, read_at)
            .await
            .map_err(|error| self.db_error(error))?;
        *write(&self.inner.directory) = snapshot;
        Ok(())
    }

    /// The directory as last read from Graph; `None` before its first read.
    pub fn directory(&self) -> Option<DirectorySnapshot> {
        read(&self.inner.directory).clone()
    }

    /// Why the last read of the directory failed (`None` after a read that worked).
    pub fn directory_error(&self) -> Option<String> {
        self.meta(LAST_ERROR).filter(|text| !text.is_empty())
    }

    /// Replaces the directory with `users`, read at `read_at`; figures built before are stale.
    pub async fn write_directory(
        &self,
        users: Vec<graph_client::DirectoryUser>,
        read_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let users = unique(users);
        let _writer = self.inner.writer.lock().await;
        // Its `store_meta` values are written with the directory (see `Inner::meta_lock`).
        let meta_lock = self.inner.meta_lock.lock().await;
        let read_at = chrono::SubsecRound::trunc_subsecs(read_at, 3);
        replace(&self.inner.db, &users, read_at)
            .await
            .map_err(|error| self.db_error(error))?;
        {
            let mut meta = write(&self.inner.meta);
            meta.insert(READ_AT.into(), read_at.to_rfc3339());
            meta.insert(LAST_ERROR.into(), String::new());
        }
        drop(meta_lock);
        *write(&self.inner.directory) = Some(DirectorySnapshot {
            read_at,
            users: Arc::new(users),
        });
        self.inner.version.fetch_add(1, Ordering::AcqRel);
        self.announce(&crate::shared::Change::Directory).await
    }

    /// Records why the directory could not be read (the stored one, if any, is kept).
    pub async fn record_directory_error(&self, error: &str) -> Result<(), StoreError> {
        let _writer = self.inner.writer.lock().await;
        self.set_meta(LAST_ERROR, error).await?;
        self.inner.version.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }
}

/// How often the directory is read again: once a day, with the report's sync.
const READ_EVERY: chrono::TimeDelta = chrono::TimeDelta::hours(24);
/// After a failed read (a missing permission does not fix itself in minutes).
pub const DIRECTORY_RETRY_AFTER_FAILURE: chrono::TimeDelta = chrono::TimeDelta::hours(1);

impl crate::History {
    /// Reads the directory from Graph when it was never read or the last read is a day old,
    /// and stores it. A failure (the permission `User.Read.All` missing: 403) is recorded and
    /// logged; the report is not affected and the stored directory, if any, is kept.
    pub async fn sync_directory_if_due(&self) {
        let store = self.store();
        let now = Utc::now();
        if store
            .directory()
            .is_some_and(|snapshot| now - snapshot.read_at < READ_EVERY)
        {
            return;
        }
        let failed_at = &self.inner.directory_failed_at;
        if lock(failed_at).is_some_and(|at| now - at < DIRECTORY_RETRY_AFTER_FAILURE) {
            return;
        }
        match self
            .inner
            .client
            .fetch_directory(graph_client::Priority::Background)
            .await
        {
            Ok(users) => {
                let people = users.len();
                let kept = store.directory().map_or(0, |snapshot| snapshot.users.len());
                let refused = &self.inner.directory_refused;
                let verdict = plausible(people, kept, *lock(refused));
                if let Err(text) = verdict {
                    *lock(refused) = Some(people);
                    self.directory_failed(now, text).await;
                    return;
                }
                (*lock(failed_at), *lock(refused)) = (None, None);
                match store.write_directory(users, now).await {
                    Ok(()) => tracing::info!(people, "directory read"),
                    Err(error) => tracing::error!(%error, "the directory could not be stored"),
                }
            }
            Err(error) => {
                self.directory_failed(now, directory_error_text(&error))
                    .await
            }
        }
    }

    /// Records a failed read (logged, and in `store_meta` for the page): the stored directory
    /// is kept, and the next read waits an hour.
    async fn directory_failed(&self, now: DateTime<Utc>, text: String) {
        *lock(&self.inner.directory_failed_at) = Some(now);
        tracing::warn!(error = %text, "the directory could not be read");
        let store = self.store();
        if store.directory_error().as_deref() != Some(text.as_str())
            && let Err(error) = store.record_directory_error(&text).await
        {
            tracing::error!(%error, "the directory's failure could not be recorded");
        }
    }
}

/// Whether a read that listed `people` may replace the `kept` directory. An empty read never
/// may (a tenant without users is a fault, and it would leave every manager seeing no one); one
/// with fewer than half the people kept only when the read before it, refused, listed as
/// many: a real change (a part of the company sold) holds on the next read an hour later, a
/// fault seldom does.
fn plausible(people: usize, kept: usize, refused_before: Option<usize>) -> Result<(), String> {
    if kept == 0 {
        return Ok(());
    }
    if people == 0 {
        return Err(format!(
            "Graph listed no users in the directory; the {kept} people read before are kept"
        ));
    }
    if people * 2 < kept && refused_before != Some(people) {
        return Err(format!(
            "Graph listed {people} users, fewer than half of the {kept} read before; those are kept unless the next read, in an hour, lists as many again"
        ));
    }
    Ok(())
}

/// What a manager's page says when the directory could not be read: the permission by name
/// when Graph refused it.
fn directory_error_text(error: &graph_client::GraphError) -> String {
    match error {
        graph_client::GraphError::Api(api) if api.status == 403 => format!(
            "Graph refused to list the directory's users (403{}): grant the app the application permission User.Read.All, with admin consent",
            api.code
                .as_deref()
                .map(|code| format!(", {code}"))
                .unwrap_or_default()
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::plausible;

    #[test]
    fn an_empty_or_halved_directory_is_not_taken_at_once() {
        assert!(
            plausible(0, 0, None).is_ok(),
            "the first read may be anything"
        );
        assert!(plausible(100, 0, None).is_ok());
        assert!(plausible(0, 100, Some(0)).unwrap_err().contains("no users"));
        assert!(
            plausible(49, 100, None)
                .unwrap_err()
                .contains("fewer than half")
        );
        // The next read agrees: the company really shrank.
        assert!(plausible(49, 100, Some(49)).is_ok());
        assert!(plausible(48, 100, Some(49)).is_err());
        assert!(plausible(50, 100, None).is_ok());
        assert!(plausible(150, 100, None).is_ok());
    }
}
