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
//!
//! Within ONE window Graph sends each key once: its report is one row per key for the window.
//! A key that comes again across the pages of a window (`$skip` paging over an order that moved
//! between requests) is Graph repeating a row, not more calls: the fetcher keeps the first and
//! drops the repeat as it reads the window's pages ([`HashedRows::push_page`]), and counts it
//! ([`MergeStats::duplicate_rows`], the first few named in [`Repeats`]). A repeat whose totals
//! differ from the kept row's is dropped too, and counted apart
//! ([`MergeStats::conflicting_rows`]): summing would add one row's calls twice whenever the data
//! changed between two page requests, and taking the later one is no better founded than the
//! first; keeping the first never counts a call twice and stays one reading Graph gave, while
//! the count tells the caller the window deserves a fresh fetch. Rows lacking a key field are
//! never taken for repeats (two deleted users may share a null key): they are summed as before.
//! The same key in DIFFERENT windows (other days) is summed: that is what merging is for.
//! [`merge_rows`] sums every row it is given: callers pass rows already read this way.

use std::hash::BuildHasher;

use hashbrown::HashTable;

use rust_decimal::Decimal;

use crate::model::DialoutRow;

/// What merging saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MergeStats {
    /// Rows Graph sent, repeats included.
    pub input_rows: usize,
    pub output_rows: usize,
    /// Input rows lacking userId, usageLocation, destinationContext or currency.
    pub rows_missing_key: usize,
    /// Input rows lacking totalCalls, totalCallCharge or totalCallSeconds.
    pub rows_missing_totals: usize,
    /// Rows whose key had already come in the same window: dropped, the first kept (see the
    /// module docs).
    pub duplicate_rows: usize,
    /// Of [`Self::duplicate_rows`], those whose totals differed from the kept row's.
    pub conflicting_rows: usize,
}

/// How many repeated keys [`Repeats`] names.
pub const NAMED_REPEATS: usize = 10;

/// Rows Graph repeated within a window (see the module docs): counted, the first few named.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Repeats {
    /// Rows dropped because their key had already come in the same window.
    pub rows: usize,
    /// Of those, rows whose totals differed from the kept row's.
    pub conflicting: usize,
    /// The first [`NAMED_REPEATS`] of them, in the order they came.
    pub first: Vec<RepeatedKey>,
}

/// The key of a repeated row (never null: rows lacking a key field are not taken for repeats).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepeatedKey {
    pub user_id: String,
    pub usage_location: String,
    pub destination_context: String,
    pub currency: String,
    /// Whether the repeat's totals differed from the kept row's.
    pub conflicting: bool,
}

impl std::fmt::Display for RepeatedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{}/{}/{}",
            self.user_id, self.usage_location, self.destination_context, self.currency
        )?;
        if self.conflicting {
            f.write_str(" (different totals)")?;
        }
        Ok(())
    }
}

impl Repeats {
    fn record(&mut self, kept: &DialoutRow, repeat: &DialoutRow) {
        let conflicting = (
            kept.total_calls,
            kept.total_call_charge,
            kept.total_call_seconds,
        ) != (
            repeat.total_calls,
            repeat.total_call_charge,
            repeat.total_call_seconds,
        );
        self.rows += 1;
        self.conflicting += usize::from(conflicting);
        if self.first.len() < NAMED_REPEATS {
            let field = |value: &Option<String>| value.clone().unwrap_or_default();
            self.first.push(RepeatedKey {
                user_id: field(&repeat.user_id),
                usage_location: field(&repeat.usage_location),
                destination_context: field(&repeat.destination_context),
                currency: field(&repeat.currency),
                conflicting,
            });
        }
    }

    fn add(&mut self, other: Repeats) {
        self.rows += other.rows;
        self.conflicting += other.conflicting;
        let room = NAMED_REPEATS.saturating_sub(self.first.len());
        self.first.extend(other.first.into_iter().take(room));
    }

    /// The named keys, for a log line.
    pub fn named(&self) -> String {
        let names: Vec<String> = self.first.iter().map(ToString::to_string).collect();
        names.join(", ")
    }
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
    /// Rows dropped by [`Self::push_page`] as repeats within the window.
    repeats: Repeats,
}

impl HashedRows {
    /// Rows to be summed as they are (no repeat is dropped).
    pub(crate) fn new(rows: Vec<DialoutRow>, hasher: &RowHasher) -> Self {
        let hashes = rows.iter().map(|row| key_hash(hasher, row)).collect();
        let mut all = Self::default();
        all.append(rows, hashes);
        all
    }

    /// No row at all (`to_reading.rs` asks: is the window empty?).
    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Hashes and indexes a page of the window these rows are, and moves its rows to the end;
    /// a row whose key already came in the window is dropped and counted (see the module docs).
    /// Returns this page's repeats.
    pub(crate) fn push_page(&mut self, page: Vec<DialoutRow>, hasher: &RowHasher) -> Repeats {
        let mut repeats = Repeats::default();
        self.reserve(page.len());
        for row in page {
            let hash = key_hash(hasher, &row);
            match self.leader_of(hash, &row) {
                Some(kept) if row.has_key() => repeats.record(&self.rows[kept], &row),
                leader => self.push(row, hash, leader),
            }
        }
        self.repeats.add(repeats.clone());
        repeats
    }

    /// Appends rows to be summed with those of the same key.
    fn append(&mut self, rows: Vec<DialoutRow>, hashes: Vec<u64>) {
        self.reserve(rows.len());
        for (row, hash) in rows.into_iter().zip(hashes) {
            let leader = self.leader_of(hash, &row);
            self.push(row, hash, leader);
        }
    }

    fn reserve(&mut self, additional: usize) {
        self.rows.reserve(additional);
        self.hashes.reserve(additional);
        self.leaders.reserve(additional);
        let hashes = &self.hashes;
        self.first.reserve(additional, |&j| hashes[j]);
    }

    /// The index of the first row with `row`'s key, if any.
    fn leader_of(&self, hash: u64, row: &DialoutRow) -> Option<usize> {
        self.first
            .find(hash, |&j| self.rows[j].key() == row.key())
            .copied()
    }

    fn push(&mut self, row: DialoutRow, hash: u64, leader: Option<usize>) {
        let i = self.rows.len();
        self.missing_key += usize::from(!row.has_key());
        self.missing_totals += usize::from(!row.has_totals());
        self.rows.push(row);
        self.hashes.push(hash);
        let leader = leader.unwrap_or_else(|| {
            let hashes = &self.hashes;
            self.first.insert_unique(hash, i, |&j| hashes[j]);
            i
        });
        self.duplicates |= leader != i;
        self.leaders.push(leader);
    }

    /// One part from many, in order: the same key in two parts is summed.
    pub(crate) fn concat(parts: impl IntoIterator<Item = HashedRows>) -> Self {
        let mut parts = parts.into_iter();
        let mut all = parts.next().unwrap_or_default();
        for part in parts {
            all.repeats.add(part.repeats);
            all.append(part.rows, part.hashes);
        }
        all
    }

    /// The rows (each key once, if built by pages) and the repeats dropped.
    pub(crate) fn into_rows(self) -> (Vec<DialoutRow>, Repeats) {
        (self.rows, self.repeats)
    }
}

/// The merged rows, what merging saw, and the repeats dropped before.
pub(crate) struct Merged {
    pub rows: Vec<DialoutRow>,
    pub stats: MergeStats,
    pub repeats: Repeats,
}

/// Merges `parts` (chronological order: later parts are more recent) into one row per key.
pub fn merge_rows<I>(parts: I) -> Result<(Vec<DialoutRow>, MergeStats), MergeError>
where
    I: IntoIterator<Item = Vec<DialoutRow>>,
{
    let hasher = RowHasher::default();
    let merged = merge_hashed(parts.into_iter().map(|rows| HashedRows::new(rows, &hasher)))?;
    Ok((merged.rows, merged.stats))
}

/// [`merge_rows`] over indexed rows (all hashed by one [`RowHasher`]).
pub(crate) fn merge_hashed(
    parts: impl IntoIterator<Item = HashedRows>,
) -> Result<Merged, MergeError> {
    let all = HashedRows::concat(parts);
    let mut stats = MergeStats {
        input_rows: all.rows.len() + all.repeats.rows,
        rows_missing_key: all.missing_key,
        rows_missing_totals: all.missing_totals,
        duplicate_rows: all.repeats.rows,
        conflicting_rows: all.repeats.conflicting,
        ..MergeStats::default()
    };
    if !all.duplicates {
        stats.output_rows = all.rows.len();
        // Every key once: nothing to merge.
        return Ok(Merged {
            rows: all.rows,
            stats,
            repeats: all.repeats,
        });
    }
    // Leaders go to the output in input order; every other row is added to its leader.
    let HashedRows {
        rows,
        leaders,
        repeats,
        ..
    } = all;
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
    Ok(Merged {
        rows: merged,
        stats,
        repeats,
    })
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
