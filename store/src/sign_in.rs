//! Sign-in state every instance must see: a popup sign-in's one-time handoff token (the popup
//! may be served by one instance and the frame that redeems it by another) and the sessions
//! signed out before their time (a copied cookie must stop working on every instance). Both
//! are rows with an expiry; revocations are also held in memory, since every request asks,
//! and reach the other instances as notifications (`shared.rs`).
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::db::on_db;
use crate::error::StoreError;
use crate::shared::Change;
use crate::store::Store;

/// Revoked sessions held in memory at most (the oldest are dropped first past this; the
/// database keeps them all, and a restart reads them back).
const REVOKED_KEPT: u64 = 100_000;

/// Each revoked session is held until it would have ended anyway.
struct UntilExpiry;

impl moka::Expiry<String, i64> for UntilExpiry {
    fn expire_after_create(
        &self,
        _id: &String,
        expires_at: &i64,
        _now: Instant,
    ) -> Option<Duration> {
        Some(Duration::from_secs(
            u64::try_from(expires_at - unix_now()).unwrap_or(0),
        ))
    }
}

pub(crate) fn revoked_cache() -> moka::sync::Cache<String, i64> {
    moka::sync::Cache::builder()
        .max_capacity(REVOKED_KEPT)
        .expire_after(UntilExpiry)
        .build()
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or_default()
}

/// What the database keeps of a token: its SHA-256 (hex), so reading the table gives nothing
/// that could be redeemed.
fn token_digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

impl Store {
    /// Keeps a popup's session (`session`, as the caller serialised it) for the frame that
    /// redeems `token` before `expires_at` (Unix seconds); lapsed tokens are removed.
    pub async fn put_handoff(
        &self,
        token: &str,
        session: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let digest = token_digest(token);
        on_db!(&self.inner.db, |pool, dialect| async {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM sign_in_handoffs WHERE expires_at <= $1")
                .bind(unix_now())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO sign_in_handoffs (token_sha256, session, expires_at) VALUES ($1, $2, $3)",
            )
            .bind(&digest)
            .bind(session)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        }
        .await)
        .map_err(|error| self.db_error(error))
    }

    /// The session handed off with `token`, once: redeeming removes it, on whichever instance.
    /// `None` for a token unknown, used or lapsed.
    pub async fn take_handoff(&self, token: &str) -> Result<Option<String>, StoreError> {
        let digest = token_digest(token);
        let taken: Option<(String, i64)> = on_db!(&self.inner.db, |pool, dialect| {
            sqlx::query_as(
                "DELETE FROM sign_in_handoffs WHERE token_sha256 = $1 RETURNING session, expires_at",
            )
            .bind(&digest)
            .fetch_optional(pool)
            .await
        })
        .map_err(|error| self.db_error(error))?;
        Ok(taken
            .filter(|(_, expires_at)| *expires_at > unix_now())
            .map(|(session, _)| session))
    }

    /// Revokes a session until `expires_at` (Unix seconds), here at once and on every other
    /// instance. Held in memory even when the database cannot be written (the error says so).
    pub async fn revoke_session(
        &self,
        session_id: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        self.remember_revoked(session_id.to_string(), expires_at);
        on_db!(&self.inner.db, |pool, dialect| async {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM revoked_sessions WHERE expires_at <= $1")
                .bind(unix_now())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO revoked_sessions (session_id, expires_at) VALUES ($1, $2) \
                 ON CONFLICT (session_id) DO NOTHING",
            )
            .bind(session_id)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        }
        .await)
        .map_err(|error| self.db_error(error))?;
        self.announce(&Change::Revoked {
            session_id: session_id.to_string(),
            expires_at,
        })
        .await
    }

    /// Whether the session was signed out before its time (from memory: every request asks).
    pub fn is_revoked(&self, session_id: &str) -> bool {
        self.inner.revoked.contains_key(session_id)
    }

    pub(crate) fn remember_revoked(&self, session_id: String, expires_at: i64) {
        if expires_at > unix_now() {
            self.inner.revoked.insert(session_id, expires_at);
        }
    }

    /// Reads the revocations still in force into memory (at start, and after notifications
    /// were lost).
    pub(crate) async fn load_revoked(&self) -> Result<(), StoreError> {
        let rows: Vec<(String, i64)> = on_db!(&self.inner.db, |pool, dialect| {
            sqlx::query_as(
                "SELECT session_id, expires_at FROM revoked_sessions WHERE expires_at > $1",
            )
            .bind(unix_now())
            .fetch_all(pool)
            .await
        })
        .map_err(|error| self.db_error(error))?;
        for (session_id, expires_at) in rows {
            self.remember_revoked(session_id, expires_at);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_token_is_kept_as_its_digest() {
        let digest = super::token_digest("abc");
        assert_eq!(
            digest,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
