-- Rows Graph sent twice across the pages of a day's window (see migrations/sqlite).
ALTER TABLE report_days ADD COLUMN repeated_rows BIGINT NOT NULL DEFAULT 0;
