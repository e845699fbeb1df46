-- The directory as last read from Graph (see migrations/sqlite), replaced whole by each read.
CREATE TABLE directory_users (
    id                  TEXT PRIMARY KEY,
    user_principal_name TEXT,
    department          TEXT,
    company_name        TEXT,
    office_location     TEXT,
    cost_center         TEXT,
    division            TEXT,
    manager_id          TEXT
);
