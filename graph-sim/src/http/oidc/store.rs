//! What the provider remembers between requests: sign-in pages waiting for the user's choice
//! and issued authorization codes. Both are one-time, expire, and are keyed by 256-bit random
//! strings, so the browser only ever holds an unguessable key, never data it could alter.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use aws_lc_rs::rand::{SecureRandom, SystemRandom};

use super::super::jwt;
use super::authorization_response::ReplyTo;
use super::pkce::CodeChallenge;
use crate::test_users::TestUser;

/// How long a sign-in page stays usable.
pub const SIGN_IN_LIFETIME: Duration = Duration::from_secs(30 * 60);
/// How long an authorization code can be redeemed (Entra ID: about 10 minutes).
pub const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// Live entries per map, so a client stuck in a loop cannot exhaust memory.
const CAPACITY: usize = 10_000;

/// A validated authorization request: everything the code it leads to is bound to.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub reply: ReplyTo,
    pub nonce: Option<String>,
    pub code_challenge: Option<CodeChallenge>,
    /// The OpenID Connect scopes granted, space-separated (the token response's `scope`).
    pub granted_scope: String,
}

/// An authorization code: the request it answers and who signed in.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub request: AuthorizationRequest,
    pub user: &'static TestUser,
}

/// Why nothing could be stored; the user should try again later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreError {
    Full,
    NoRandomness,
}

/// One-time values under random keys, each valid for a fixed lifetime.
pub struct ExpiringMap<T> {
    lifetime: Duration,
    entries: Mutex<HashMap<String, (Instant, T)>>,
}

/// 32 random bytes, base64url: 43 characters.
fn random_key() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| StoreError::NoRandomness)?;
    Ok(jwt::encode_segment(&bytes))
}

impl<T> ExpiringMap<T> {
    pub fn new(lifetime: Duration) -> Self {
        Self {
            lifetime,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn entries(&self) -> MutexGuard<'_, HashMap<String, (Instant, T)>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores `value` under a new random key and returns the key.
    pub fn insert(&self, value: T) -> Result<String, StoreError> {
        let key = random_key()?;
        let now = Instant::now();
        let mut entries = self.entries();
        entries.retain(|_, (expires, _)| now < *expires);
        if entries.len() >= CAPACITY {
            return Err(StoreError::Full);
        }
        entries.insert(key.clone(), (now + self.lifetime, value));
        Ok(key)
    }

    /// Removes the value under `key`; `None` if there is none or it has expired.
    pub fn take(&self, key: &str) -> Option<T> {
        let (expires, value) = self.entries().remove(key)?;
        (Instant::now() < expires).then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_taken_once_and_expire() {
        let map = ExpiringMap::new(Duration::from_secs(60));
        let key = map.insert(7).unwrap();
        assert_eq!(key.len(), 43);
        assert_ne!(map.insert(8).unwrap(), key);
        assert_eq!(map.take(&key), Some(7));
        assert_eq!(map.take(&key), None);
        assert_eq!(map.take("unknown"), None);

        let expired = ExpiringMap::new(Duration::ZERO);
        let key = expired.insert("code").unwrap();
        assert_eq!(expired.take(&key), None);
    }
}
