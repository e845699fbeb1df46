-- (The file's name says its first part.) Sign-in state every instance must see (see migrations/sqlite): popup handoff tokens (SHA-256
-- hex, session JSON, Unix-seconds expiry; redeeming deletes the row) and sessions signed out
-- before their time.
CREATE TABLE sign_in_handoffs (
    token_sha256 TEXT PRIMARY KEY,
    session      TEXT NOT NULL,
    expires_at   BIGINT NOT NULL
);

CREATE TABLE revoked_sessions (
    session_id TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);

-- Several instances: an instance that hears another wrote a day reads the keys named on it.
CREATE INDEX report_keys_names_day ON report_keys (names_day);

-- Each day's rows also packed in one value, written with them (store/src/packed.rs): a day the
-- memory does not hold is read as one value instead of a row per key. report_rows stays the
-- truth; a day without a packed value (written before this version) is read from it.
CREATE TABLE report_day_packed (
    day    TEXT PRIMARY KEY REFERENCES report_days (day),
    packed BYTEA NOT NULL
);
-- Already compact (22 bytes a row): kept out of line uncompressed, so reading is a copy.
ALTER TABLE report_day_packed ALTER COLUMN packed SET STORAGE EXTERNAL;
