//! The database behind the store: an SQLite file, or PostgreSQL for several instances
//! (`PORTAL_DATABASE_URL=postgres://…`). One set of statements serves both (`$n` placeholders,
//! which both drivers take; the same schema versions in `migrations/sqlite` and
//! `migrations/postgres`); where the dialects differ (the charge: text in SQLite, `NUMERIC` in
//! PostgreSQL; how to ask whether a table exists) [`Dialect`] says it per database.
//! [`on_db!`] runs one body against whichever pool it is, each arm compiled for its own
//! database: sqlx's `Any` driver would carry neither decimals nor `QueryBuilder`'s placeholders.
use std::marker::PhantomData;
use std::str::FromStr;

use rust_decimal::Decimal;
use sqlx::postgres::{PgPool, PgRow};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{Postgres, Row, Sqlite};

pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// `on_db!(db, |pool, dialect| body)`: `body` with `pool` the database's pool and `dialect`
/// its [`Dialect`], compiled once per database.
macro_rules! on_db {
    ($db:expr, |$pool:ident, $dialect:ident| $body:expr) => {
        match $db {
            crate::db::Db::Sqlite($pool) => {
                #[allow(unused_variables)]
                let $dialect = crate::db::Dialect::<sqlx::Sqlite>::new();
                $body
            }
            crate::db::Db::Postgres($pool) => {
                #[allow(unused_variables)]
                let $dialect = crate::db::Dialect::<sqlx::Postgres>::new();
                $body
            }
        }
    };
}
pub(crate) use on_db;

/// What differs between the databases, per database.
pub(crate) struct Dialect<DB>(PhantomData<DB>);

impl<DB> Dialect<DB> {
    pub(crate) fn new() -> Self {
        Dialect(PhantomData)
    }
}

impl Dialect<Sqlite> {
    /// A charge as stored: its exact decimal text (SQLite has no decimal type; a REAL rounds).
    pub(crate) fn charge(&self, charge: Option<Decimal>) -> Option<String> {
        charge.map(|charge| charge.to_string())
    }

    /// The charge in column `index`; `Err` holds the stored text that is not a decimal.
    pub(crate) fn read_charge(
        &self,
        row: &SqliteRow,
        index: usize,
    ) -> Result<Option<Decimal>, String> {
        match row.get::<Option<&str>, _>(index) {
            None => Ok(None),
            Some(text) => Decimal::from_str_exact(text)
                .map(Some)
                .map_err(|_| text.to_string()),
        }
    }

    /// A statement that names table `$1` when it exists (no row, or a null, when not).
    pub(crate) fn table_exists(&self) -> &'static str {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = $1"
    }

    /// SQLite's file has one writer at a time already.
    pub(crate) fn write_lock(&self) -> Option<&'static str> {
        None
    }

    /// One instance per file: no one to tell.
    pub(crate) fn notify(&self) -> Option<&'static str> {
        None
    }
}

impl Dialect<Postgres> {
    /// A charge as stored: `NUMERIC`, exact.
    pub(crate) fn charge(&self, charge: Option<Decimal>) -> Option<Decimal> {
        charge
    }

    /// The charge in column `index`; `Err` holds a value beyond rust_decimal's range.
    pub(crate) fn read_charge(&self, row: &PgRow, index: usize) -> Result<Option<Decimal>, String> {
        row.try_get::<Option<Decimal>, _>(index)
            .map_err(|error| error.to_string())
    }

    pub(crate) fn table_exists(&self) -> &'static str {
        "SELECT to_regclass($1)::text"
    }

    /// Taken by each write transaction (bound: [`crate::shared::WRITE_LOCK`]), held until it
    /// ends: the writers of every instance take turns.
    pub(crate) fn write_lock(&self) -> Option<&'static str> {
        Some("SELECT pg_advisory_xact_lock($1)")
    }

    /// Tells the other instances, when the transaction commits (`shared.rs`).
    pub(crate) fn notify(&self) -> Option<&'static str> {
        Some(crate::shared::NOTIFY)
    }
}

/// Whether `url` names a PostgreSQL database.
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// `url` named for messages and logs: scheme, user, host, port and database only (a password
/// in the authority or in the query, `?password=`, never shows).
pub fn without_password(url: &str) -> String {
    match url::Url::from_str(url) {
        Ok(parsed) => {
            let user = match parsed.username() {
                "" => String::new(),
                user => format!("{user}@"),
            };
            let port = parsed
                .port()
                .map(|port| format!(":{port}"))
                .unwrap_or_default();
            format!(
                "{}://{user}{}{port}{}",
                parsed.scheme(),
                parsed.host_str().unwrap_or_default(),
                parsed.path()
            )
        }
        Err(_) => "the PostgreSQL database of PORTAL_DATABASE_URL".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_url_is_named_without_its_password() {
        assert!(is_postgres("postgres://portal@db/dialout") && is_postgres("postgresql://db/x"));
        assert!(!is_postgres("sqlite://store.db") && !is_postgres("/var/lib/store.db"));
        assert_eq!(
            without_password(
                "postgres://portal:s3cret@db.internal:5432/dialout?sslmode=verify-full"
            ),
            "postgres://portal@db.internal:5432/dialout"
        );
        assert_eq!(
            without_password("postgresql://db/x?user=portal&password=s3cret"),
            "postgresql://db/x"
        );
    }
}
