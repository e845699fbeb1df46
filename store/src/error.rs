//! What can go wrong with the store, each error naming the file and what to do. The portal never
//! deletes or rewrites a store it cannot read: every error leaves the file as it is.
use std::borrow::Cow;

/// The newest schema this build knows (the last migration's version).
pub(crate) const KNOWN_SCHEMA: i64 = 20261203000002;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("report store {location}: {problem}. {advice}")]
    Open {
        location: String,
        problem: String,
        advice: Cow<'static, str>,
    },
    #[error(
        "report store {location} was written by a newer version of the portal (schema {found}; this version knows up to {KNOWN_SCHEMA}): run that version, or point PORTAL_DATABASE_URL at another file. The store was left as it is."
    )]
    NewerSchema { location: String, found: i64 },
    #[error(
        "report store {location} holds the report of {stored}, but this portal reads {configured}: point PORTAL_DATABASE_URL at another file (or remove this one if that tenant's history is no longer wanted). The store was left as it is."
    )]
    OtherSource {
        location: String,
        stored: String,
        configured: String,
    },
    #[error("report store {location}: {problem}. {advice}")]
    Database {
        location: String,
        problem: String,
        advice: Cow<'static, str>,
    },
    #[error("report store {location}: day {day} holds a value that is not {what}: {value:?}")]
    Corrupt {
        location: String,
        day: String,
        what: &'static str,
        value: String,
    },
    #[error("report store: {0}")]
    Merge(String),
}

/// SQLite's primary result codes that call for advice of their own.
const SQLITE_PERM: i64 = 3;
const SQLITE_BUSY: i64 = 5;
const SQLITE_LOCKED: i64 = 6;
const SQLITE_READONLY: i64 = 8;
const SQLITE_IOERR: i64 = 10;
const SQLITE_CORRUPT: i64 = 11;
const SQLITE_FULL: i64 = 13;
const SQLITE_CANTOPEN: i64 = 14;
const SQLITE_NOTADB: i64 = 26;

/// What to tell the operator about a database error, by SQLite's primary result code.
fn advice_for(code: Option<i64>) -> Cow<'static, str> {
    Cow::Borrowed(match code.map(|code| code & 0xff) {
        Some(SQLITE_BUSY | SQLITE_LOCKED) => {
            "Another process holds a lock on it (a second portal, or a sqlite3 shell inside a transaction): stop that process, or give this portal a file of its own with PORTAL_DATABASE_URL"
        }
        Some(SQLITE_FULL) => {
            "The disk that holds it is full: free some space. Nothing stored was lost (a day is written whole or not at all); the day is read from Graph again on the next sync"
        }
        Some(SQLITE_READONLY | SQLITE_PERM | SQLITE_CANTOPEN) => {
            "The portal cannot write it or its folder: give the portal's user read and write access to the file and its folder (SQLite also writes -wal and -shm files beside it)"
        }
        Some(SQLITE_NOTADB | SQLITE_CORRUPT) => {
            "It is not a readable SQLite database (damaged, encrypted, or another kind of file): restore it from a backup, or point PORTAL_DATABASE_URL at a new file (history within Graph's retention is read again)"
        }
        Some(SQLITE_IOERR) => {
            "The disk reported an input/output error: check the disk, then restore the file from a backup if SQLite reports it damaged"
        }
        _ => "See the message above; the store was left as it is",
    })
}

/// SQLite's result code of a database error, if it is one (PostgreSQL's SQLSTATEs are
/// mostly digits too, and mean something else).
fn sqlite_code(error: &sqlx::Error) -> Option<i64> {
    match error {
        sqlx::Error::Database(database)
            if database
                .try_downcast_ref::<sqlx::sqlite::SqliteError>()
                .is_some() =>
        {
            database.code().and_then(|code| code.parse().ok())
        }
        _ => None,
    }
}

/// What to tell the operator about a PostgreSQL error, by its SQLSTATE (class or code), or
/// about a server that cannot be reached.
fn postgres_advice(error: &sqlx::Error) -> Option<Cow<'static, str>> {
    let sqlx::Error::Database(database) = error else {
        return matches!(error, sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Tls(_))
            .then_some(Cow::Borrowed("The PostgreSQL server cannot be reached: check that it runs, the host and port in PORTAL_DATABASE_URL, the network between them, and (with sslmode) its certificate. The portal tries again by itself"));
    };
    database.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()?;
    let code = database.code()?;
    Some(Cow::Borrowed(match (&code[..2], &*code) {
        (_, "3D000") => {
            "The database does not exist: create it (createdb), the portal makes its tables"
        }
        ("28", _) => "PostgreSQL refused the user or password of PORTAL_DATABASE_URL",
        (_, "42501") => {
            "The database's user lacks a privilege: it needs CONNECT on the database and CREATE and USAGE on its schema (for the migrations), or run the first start with a user that has them"
        }
        ("53", _) => {
            "The PostgreSQL server is out of a resource (disk, memory or connections): free it. Nothing stored was lost (a day is written whole or not at all)"
        }
        ("08" | "57", _) => {
            "The PostgreSQL server closed the connection (a restart or an administrator): the portal tries again by itself"
        }
        _ => "See the message above; the store was left as it is",
    }))
}

/// The advice for `error` of the store at `location` (a PostgreSQL URL or an SQLite file).
fn advice(location: &str, error: &sqlx::Error) -> Cow<'static, str> {
    if crate::db::is_postgres(location) {
        postgres_advice(error).unwrap_or(Cow::Borrowed(
            "See the message above; the store was left as it is",
        ))
    } else {
        advice_for(sqlite_code(error))
    }
}

impl StoreError {
    /// A failure while opening or migrating the store at `location`.
    pub(crate) fn open(location: &str, error: &sqlx::Error) -> Self {
        StoreError::Open {
            location: location.to_string(),
            problem: error.to_string(),
            advice: advice(location, error),
        }
    }

    /// A failure of a query or a write on the open store.
    pub(crate) fn database(location: &str, error: &sqlx::Error) -> Self {
        StoreError::Database {
            location: location.to_string(),
            problem: error.to_string(),
            advice: advice(location, error),
        }
    }

    /// Whether the store itself failed (as opposed to a bad value or a merge overflow).
    pub fn is_database(&self) -> bool {
        matches!(self, StoreError::Database { .. } | StoreError::Open { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_postgresql_is_told_as_such_and_sqlite_keeps_its_advice() {
        let refused = sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        let pg = StoreError::open("postgres://portal@db:5432/dialout", &refused).to_string();
        assert!(pg.contains("cannot be reached"), "{pg}");
        let file = StoreError::open("/var/lib/dialout/store.sqlite", &refused).to_string();
        assert!(!file.contains("PostgreSQL"), "{file}");
    }
}
