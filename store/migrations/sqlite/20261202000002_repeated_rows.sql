-- Rows Graph sent twice across the pages of a day's window (its order not stable between
-- pages): each was kept once; counted so the page can say so. Days stored before this
-- migration had none counted.
ALTER TABLE report_days ADD COLUMN repeated_rows INTEGER NOT NULL DEFAULT 0;
