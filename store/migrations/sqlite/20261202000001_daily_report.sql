-- The dial-out report kept per UTC day (docs/architecture.md, "The daily store").
-- Migrations are only ever added, never edited: sqlx checks each applied one's checksum.

-- What this store holds: which Graph it was synced from, where Graph's retention ended.
CREATE TABLE store_meta (
    name  TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- Every report key ever seen: (userId, usageLocation, destinationContext, currency), with the
-- names of the newest day that had them. `identity` is the four key fields as a JSON array,
-- nulls kept (Graph's null key fields are values of their own, as in its own aggregation).
CREATE TABLE report_keys (
    id                  INTEGER PRIMARY KEY NOT NULL,
    identity            TEXT NOT NULL UNIQUE,
    user_id             TEXT,
    usage_location      TEXT,
    destination_context TEXT,
    currency            TEXT,
    user_principal_name TEXT,
    user_display_name   TEXT,
    names_day           TEXT NOT NULL
);

-- One row per stored day (YYYY-MM-DD, UTC): when Graph was read for it, and whether that
-- reading is final (taken after Graph's lag had passed) or will be read again.
CREATE TABLE report_days (
    day                 TEXT PRIMARY KEY NOT NULL,
    fetched_at          TEXT NOT NULL,
    final               INTEGER NOT NULL CHECK (final IN (0, 1)),
    row_count           INTEGER NOT NULL,
    graph_rows          INTEGER NOT NULL,
    rows_missing_key    INTEGER NOT NULL,
    rows_missing_totals INTEGER NOT NULL,
    pages               INTEGER NOT NULL,
    request_id          TEXT
) WITHOUT ROWID;

-- The day's rows, one per key (Graph's rows for the day, merged by key). The charge is the
-- exact decimal as text: SQLite has no decimal type and a REAL would round; sums are made in
-- Rust with rust_decimal. A day is written and replaced whole, in one transaction.
CREATE TABLE report_rows (
    day                TEXT NOT NULL REFERENCES report_days (day),
    key_id             INTEGER NOT NULL REFERENCES report_keys (id),
    total_calls        INTEGER,
    total_call_seconds INTEGER,
    total_call_charge  TEXT,
    PRIMARY KEY (day, key_id)
) WITHOUT ROWID;
