//! Merging rows from several windows (or pages) into one row per
//! (userId, usageLocation, destinationContext, currency).
//!
//! Counts and charges are summed exactly (checked: an overflow is an error, never a wrap or a
//! panic). The most recent non-null `userPrincipalName` and `userDisplayName` win, "recent"
//! meaning later in the input (pass windows in chronological order). A null key field is a
//! value of its own, as in Graph's own aggregation, so splitting a range never changes the
//! merged rows; such rows are counted in [`MergeStats::rows_missing_key`], never dropped.
//! Rows come out in the order their key first appears in the input (Graph's order for a single
//! window), so the same input always gives the same output.

use std::hash::BuildHasher;

use hashbrown::HashTable;

use rust_decimal::Decimal;

use crate::model::DialoutRow;

/// What merging saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MergeStats {
    pub input_rows: usize,
    pub output_rows: usize,
    /// Input rows lacking userId, usageLocation, destinationContext or currency.
    pub rows_missing_key: usize,
    /// Input rows lacking totalCalls, totalCallCharge or totalCallSeconds.
    pub rows_missing_totals: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("merging overflowed {field} for user {user_id:?} ({currency:?})")]
pub struct MergeError {
    pub field: &'static str,
    pub user_id: Option<String>,
    pub currency: Option<String>,
}

/// Hashes merge keys; one instance (one random seed) per merge.
pub(crate) type RowHasher = foldhash::fast::RandomState;

pub(crate) fn key_hash(hasher: &RowHasher, row: &DialoutRow) -> u64 {
    hasher.hash_one(row.key())
}

/// Rows indexed by key as they arrive: hashes, and for every row the index of the first row
/// with its key (its "leader"). The fetcher builds this page by page on its parser thread, where
/// the rows are still hot in the cache, so the merge at the end has little left to do.
#[derive(Default)]
pub(crate) struct HashedRows {
    rows: Vec<DialoutRow>,
    hashes: Vec<u64>,
    leaders: Vec<usize>,
    first: HashTable<usize>,
    duplicates: bool,
    missing_key: usize,
    missing_totals: usize,
}

impl HashedRows {
    pub(crate) fn new(rows: Vec<DialoutRow>, hasher: &RowHasher) -> Self {
        let mut all = Self::default();
        all.push_page(rows, hasher);
        all
    }

    /// Hashes and indexes a page's rows and moves them to the end.
    pub(crate) fn push_page(&mut self, page: Vec<DialoutRow>, hasher: &RowHasher) {
        let hashes = page.iter().map(|row| key_hash(hasher, row)).collect();
        self.append(page, hashes);
    }

    fn append(&mut self, mut rows: Vec<DialoutRow>, hashes: Vec<u64>) {
        let start = self.rows.len();
        if self.rows.is_empty() {
            self.rows = rows;
        } else {
            self.rows.append(&mut rows);
        }
        self.hashes.extend(hashes);
        self.first
            .reserve(self.rows.len() - start, |&j| self.hashes[j]);
        for i in start..self.rows.len().min(self.hashes.len()) {
            let row = &self.rows[i];
            self.missing_key += usize::from(!row.has_key());
            self.missing_totals += usize::from(!row.has_totals());
            let hash = self.hashes[i];
            let leader = match self.first.find(hash, |&j| self.rows[j].key() == row.key()) {
                Some(&j) => j,
                None => {
                    self.first.insert_unique(hash, i, |&j| self.hashes[j]);
                    i
                }
            };
            self.duplicates |= leader != i;
            self.leaders.push(leader);
        }
    }

    /// One part from many, in order.
    pub(crate) fn concat(parts: impl IntoIterator<Item = HashedRows>) -> Self {
        let mut parts = parts.into_iter();
        let mut all = parts.next().unwrap_or_default();
        for part in parts {
            all.append(part.rows, part.hashes);
        }
        all
    }

    pub(crate) fn into_rows(self) -> Vec<DialoutRow> {
        self.rows
    }
}

/// Merges `parts` (chronological order: later parts are more recent) into one row per key.
pub fn merge_rows<I>(parts: I) -> Result<(Vec<DialoutRow>, MergeStats), MergeError>
where
    I: IntoIterator<Item = Vec<DialoutRow>>,
{
    let hasher = RowHasher::default();
    merge_hashed(parts.into_iter().map(|rows| HashedRows::new(rows, &hasher)))
}

/// [`merge_rows`] over indexed rows (all hashed by one [`RowHasher`]).
pub(crate) fn merge_hashed(
    parts: impl IntoIterator<Item = HashedRows>,
) -> Result<(Vec<DialoutRow>, MergeStats), MergeError> {
    let all = HashedRows::concat(parts);
    let mut stats = MergeStats {
        input_rows: all.rows.len(),
        rows_missing_key: all.missing_key,
        rows_missing_totals: all.missing_totals,
        ..MergeStats::default()
    };
    if !all.duplicates {
        stats.output_rows = all.rows.len();
        return Ok((all.rows, stats)); // every key once: nothing to merge
    }
    // Leaders go to the output in input order; every other row is added to its leader.
    let HashedRows { rows, leaders, .. } = all;
    let mut slot = vec![0usize; rows.len()];
    let mut merged: Vec<DialoutRow> = Vec::new();
    for (i, mut row) in rows.into_iter().enumerate() {
        let leader = leaders.get(i).copied().unwrap_or(i);
        if leader == i {
            slot[i] = merged.len();
            merged.push(row);
        } else {
            absorb(&mut merged[slot[leader]], &mut row)?;
        }
    }
    stats.output_rows = merged.len();
    Ok((merged, stats))
}

/// Adds `later` into `earlier` (same key).
fn absorb(earlier: &mut DialoutRow, later: &mut DialoutRow) -> Result<(), MergeError> {
    let overflow = |field| MergeError {
        field,
        user_id: earlier.user_id.clone(),
        currency: earlier.currency.clone(),
    };
    let calls = add(earlier.total_calls, later.total_calls, i64::checked_add)
        .ok_or_else(|| overflow("totalCalls"))?;
    let charge = add(
        earlier.total_call_charge,
        later.total_call_charge,
        Decimal::checked_add,
    )
    .ok_or_else(|| overflow("totalCallCharge"))?;
    let seconds = add(
        earlier.total_call_seconds,
        later.total_call_seconds,
        i64::checked_add,
    )
    .ok_or_else(|| overflow("totalCallSeconds"))?;
    earlier.total_calls = calls;
    earlier.total_call_charge = charge;
    earlier.total_call_seconds = seconds;
    if later.user_principal_name.is_some() {
        earlier.user_principal_name = later.user_principal_name.take();
    }
    if later.user_display_name.is_some() {
        earlier.user_display_name = later.user_display_name.take();
    }
    Ok(())
}

/// Sum of two optional values: null only when both are null; `None` on overflow.
fn add<T>(a: Option<T>, b: Option<T>, checked: fn(T, T) -> Option<T>) -> Option<Option<T>> {
    match (a, b) {
        (Some(a), Some(b)) => checked(a, b).map(Some),
        (a, b) => Some(a.or(b)),
    }
}

#[cfg(test)]
mod tests;
