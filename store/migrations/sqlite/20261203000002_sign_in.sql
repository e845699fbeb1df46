-- (The file's name says its first part.) Sign-in state every instance must see (several instances share one PostgreSQL; SQLite has
-- the same tables so one set of statements serves both).
-- A popup sign-in's one-time token, redeemed by the embedded frame (possibly on another
-- instance): the SHA-256 of the token (hex), the session as JSON, and when it lapses (Unix
-- seconds). Redeeming deletes the row.
CREATE TABLE sign_in_handoffs (
    token_sha256 TEXT PRIMARY KEY,
    session      TEXT NOT NULL,
    expires_at   INTEGER NOT NULL
);

-- Sessions signed out before their time, kept until they would have timed out anyway.
CREATE TABLE revoked_sessions (
    session_id TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);

-- Several instances: an instance that hears another wrote a day reads the keys named on it.
CREATE INDEX report_keys_names_day ON report_keys (names_day);

-- Each day's rows also packed in one value, written with them (store/src/packed.rs): a day the
-- memory does not hold is read as one value instead of a row per key. report_rows stays the
-- truth; a day without a packed value (written before this version) is read from it.
CREATE TABLE report_day_packed (
    day    TEXT PRIMARY KEY REFERENCES report_days (day),
    packed BLOB NOT NULL
);
