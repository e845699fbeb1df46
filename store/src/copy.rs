//! Copying one store into another (`dialout-portal store copy`), an SQLite file into
//! PostgreSQL say: every day exactly as stored (its rows, and what was known of its reading),
//! the directory and the store's notes. Resumable: a day the destination already holds as the
//! source does is left as it is, so a copy stopped halfway is run again. Then every day's
//! totals per currency are compared in both stores, and any difference is an error naming the
//! day.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use graph_client::DialoutRow;
use rust_decimal::Decimal;

use crate::store::DayFacts;
use crate::{KeyTable, Store, StoreError, StoredDay};

/// How far a copy got.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CopyReport {
    /// Days the source holds.
    pub days: usize,
    /// Written now.
    pub copied: usize,
    /// Already in the destination as in the source (an earlier, stopped copy).
    pub already: usize,
    /// Compared after copying, totals per currency equal.
    pub verified: usize,
    /// Days the destination holds and the source does not: left as they are, not compared.
    pub only_in_destination: usize,
}

/// Days read from the source at once.
const BATCH_DAYS: usize = 31;

/// Copies `from` into `to` (both open for the same Graph), telling `progress` after each batch.
pub async fn copy_store(
    from: &Store,
    to: &Store,
    mut progress: impl FnMut(&CopyReport),
) -> Result<CopyReport, StoreError> {
    let mut report = CopyReport::default();
    // The directory first, with its read time (one transaction); compared by its people too,
    // so a copy stopped between the two is completed by the next run.
    if let Some(directory) = from.directory()
        && to.directory().is_none_or(|held| {
            (held.read_at, held.users.len()) != (directory.read_at, directory.users.len())
        })
    {
        to.write_directory(directory.users.to_vec(), directory.read_at)
            .await?;
    }
    for (name, value) in from.meta_snapshot() {
        let own = name == "source" || name.starts_with("directory_");
        if !own && to.meta(&name).as_deref() != Some(value.as_str()) {
            to.set_meta(&name, &value).await?;
        }
    }
    let days = from.days();
    report.days = days.len();
    report.only_in_destination = (to.days().keys())
        .filter(|day| !days.contains_key(day))
        .count();
    let wanted: Vec<NaiveDate> = days
        .iter()
        .filter(|(day, state)| {
            let held = to.day_state(**day);
            let same = held.is_some_and(|held| {
                (held.fetched_at, held.rows, held.is_final)
                    == (state.fetched_at, state.rows, state.is_final)
            });
            if same {
                report.already += 1;
            }
            !same
        })
        .map(|(day, _)| *day)
        .collect();
    for batch in wanted.chunks(BATCH_DAYS) {
        let keys = from.keys();
        for stored in from.load_days(batch).await? {
            let (day, facts) = (stored.day, facts_of(&stored));
            to.write_merged(day, rows_of(&stored, &keys)?, facts)
                .await?;
            report.copied += 1;
        }
        progress(&report);
    }
    let all: Vec<NaiveDate> = days.keys().copied().collect();
    for batch in all.chunks(BATCH_DAYS) {
        // The copy as its `report_rows` hold it (not the packed values written beside them).
        let (source, copy) = (
            from.load_days(batch).await?,
            to.load_days_row_by_row(batch).await?,
        );
        let (from_keys, to_keys) = (from.keys(), to.keys());
        let copied: BTreeMap<NaiveDate, &StoredDay> =
            copy.iter().map(|day| (day.day, day)).collect();
        for day in &source {
            let same = copied.get(&day.day).is_some_and(|copy| {
                totals(day, &from_keys) == totals(copy, &to_keys)
                    && copy.rows.len() == day.rows.len()
            });
            if !same {
                return Err(StoreError::Merge(format!(
                    "day {} differs between the stores after copying: run the copy again (days already equal are kept)",
                    day.day
                )));
            }
            report.verified += 1;
        }
        progress(&report);
    }
    Ok(report)
}

fn facts_of(stored: &StoredDay) -> DayFacts {
    let state = &stored.state;
    DayFacts {
        fetched_at: state.fetched_at,
        is_final: state.is_final,
        graph_rows: state.graph_rows,
        rows_missing_key: state.rows_missing_key,
        rows_missing_totals: state.rows_missing_totals,
        repeated_rows: state.repeated_rows,
        pages: state.pages,
        request_id: state.request_id.clone(),
    }
}

/// The day's rows as Graph's, one per key, with the key's newest names.
fn rows_of(stored: &StoredDay, keys: &KeyTable) -> Result<Vec<DialoutRow>, StoreError> {
    stored
        .rows
        .iter()
        .map(|row| {
            let key = keys.get(row.key).ok_or_else(|| {
                StoreError::Merge(format!(
                    "day {} has a row of key {} the source's key table lacks",
                    stored.day, row.key
                ))
            })?;
            Ok(DialoutRow {
                user_id: key.user_id.clone(),
                user_principal_name: key.user_principal_name.clone(),
                user_display_name: key.user_display_name.clone(),
                usage_location: key.usage_location.clone(),
                destination_context: key.destination_context.clone(),
                currency: key.currency.clone(),
                total_calls: row.total_calls(),
                total_call_charge: row.total_call_charge(),
                total_call_seconds: row.total_call_seconds(),
            })
        })
        .collect()
}

/// Per currency: calls, seconds and charge of the day (nulls as they are).
type DayTotals = BTreeMap<Option<String>, (i64, i64, Decimal)>;

fn totals(day: &StoredDay, keys: &KeyTable) -> DayTotals {
    let mut totals = DayTotals::new();
    for row in &day.rows {
        let currency = keys.get(row.key).and_then(|key| key.currency.clone());
        let entry = totals.entry(currency).or_default();
        entry.0 += row.total_calls().unwrap_or(0);
        entry.1 += row.total_call_seconds().unwrap_or(0);
        entry.2 += row.total_call_charge().unwrap_or_default();
    }
    totals
}
