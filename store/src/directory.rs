//! The directory snapshot: the people Graph's directory listed at its last read, kept in the
//! store beside the report (`directory_users`, replaced whole in one transaction) and in
//! memory, so grouping spend by department or limiting it to a manager's people never waits
//! for Graph. Who read it when, and whether the last read failed, is in `store_meta`.
use std::sync::Arc;

use chrono::{DateTime, Utc};
use graph_client::DirectoryUser;
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

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

/// The stored directory, `None` when it was never read.
pub(crate) async fn load(
    pool: &SqlitePool,
    read_at: Option<DateTime<Utc>>,
) -> Result<Option<DirectorySnapshot>, sqlx::Error> {
    let Some(read_at) = read_at else {
        return Ok(None);
    };
    let rows = sqlx::query(
        "SELECT id, user_principal_name, department, company_name, office_location, \
         cost_center, division, manager_id FROM directory_users",
    )
    .fetch_all(pool)
    .await?;
    let users = rows
        .iter()
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
        .collect();
    Ok(Some(DirectorySnapshot {
        read_at,
        users: Arc::new(users),
    }))
}

/// Replaces the stored directory with `users`, and records when it was read, in one
/// transaction: a failure leaves the previous directory whole.
pub(crate) async fn replace(
    pool: &SqlitePool,
    users: &[DirectoryUser],
    read_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM directory_users")
        .execute(&mut *tx)
        .await?;
    for chunk in users.chunks(INSERT_CHUNK) {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT OR REPLACE INTO directory_users (id, user_principal_name, department, \
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
}

/// How often the directory is read again: once a day, with the report's sync.
const READ_EVERY: chrono::TimeDelta = chrono::TimeDelta::hours(24);
/// After a failed read (a missing permission does not fix itself in minutes).
const RETRY_AFTER_FAILURE: chrono::TimeDelta = chrono::TimeDelta::hours(1);

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
        if lock(failed_at).is_some_and(|at| now - at < RETRY_AFTER_FAILURE) {
            return;
        }
        match self
            .inner
            .client
            .fetch_directory(graph_client::Priority::Background)
            .await
        {
            Ok(users) => {
                *lock(failed_at) = None;
                let people = users.len();
                match store.write_directory(users, now).await {
                    Ok(()) => tracing::info!(people, "directory read"),
                    Err(error) => tracing::error!(%error, "the directory could not be stored"),
                }
            }
            Err(error) => {
                *lock(failed_at) = Some(now);
                let text = directory_error_text(&error);
                tracing::warn!(error = %text, "the directory could not be read");
                if store.directory_error().as_deref() != Some(text.as_str())
                    && let Err(error) = store.record_directory_error(&text).await
                {
                    tracing::error!(%error, "the directory's failure could not be recorded");
                }
            }
        }
    }
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
