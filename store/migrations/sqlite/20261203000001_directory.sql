-- The directory as last read from Graph (GET /v1.0/users): who works where and who reports
-- to whom, replaced whole by each read. People in the report but not here are "not in the
-- directory" (deleted, guests); their spend is kept all the same. Only what the portal uses is
-- kept: no display names (the report has those of the people who call), no countries.
CREATE TABLE directory_users (
    id TEXT PRIMARY KEY NOT NULL,
    user_principal_name TEXT,
    department TEXT,
    company_name TEXT,
    office_location TEXT,
    cost_center TEXT,
    division TEXT,
    manager_id TEXT
);
