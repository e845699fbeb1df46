-- Sign-in state every instance must see (see migrations/sqlite): popup handoff tokens (SHA-256
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
