//! Each stored day's rows also kept packed, as one value (`report_day_packed`), written in the
//! day's transaction: reading a day the memory does not hold is then one value per day instead
//! of one row per key (2.5 million rows for a year of a large tenant took 3.6 s from PostgreSQL;
//! see docs/benchmarks.md). `report_rows` stays the store's relational truth (queries, backups,
//! `store copy`'s check); a day without a packed value (written by an earlier version), or with
//! one that does not match its state, is read from `report_rows` as before.
use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::day::DayRow;
use crate::db::on_db;
use crate::error::StoreError;
use crate::store::Store;

/// Bytes of one packed row: key u32, calls i32, seconds i32, charge mantissa i64 (little
/// endian), charge scale u8, nulls u8.
const ROW_BYTES: usize = 22;

/// `rows` (in key order) as one value.
pub(crate) fn pack(rows: &[DayRow]) -> Vec<u8> {
    let mut packed = Vec::with_capacity(rows.len() * ROW_BYTES);
    for row in rows {
        let (calls, seconds, mantissa, scale, nulls) = row.raw();
        packed.extend_from_slice(&row.key.to_le_bytes());
        packed.extend_from_slice(&calls.to_le_bytes());
        packed.extend_from_slice(&seconds.to_le_bytes());
        packed.extend_from_slice(&mantissa.to_le_bytes());
        packed.push(scale);
        packed.push(nulls);
    }
    packed
}

/// The rows of a packed value; `None` unless it holds whole rows in key order with valid
/// scales and flags (the caller then reads the day's rows instead).
pub(crate) fn unpack(packed: &[u8]) -> Option<Vec<DayRow>> {
    if !packed.len().is_multiple_of(ROW_BYTES) {
        return None;
    }
    let mut rows: Vec<DayRow> = Vec::with_capacity(packed.len() / ROW_BYTES);
    for chunk in packed.chunks_exact(ROW_BYTES) {
        let word = |from: usize| <[u8; 4]>::try_from(&chunk[from..from + 4]).ok();
        let key = u32::from_le_bytes(word(0)?);
        let calls = i32::from_le_bytes(word(4)?);
        let seconds = i32::from_le_bytes(word(8)?);
        let mantissa = i64::from_le_bytes(<[u8; 8]>::try_from(&chunk[12..20]).ok()?);
        let row = DayRow::from_raw(key, calls, seconds, mantissa, chunk[20], chunk[21])?;
        if rows.last().is_some_and(|last| last.key >= key) {
            return None;
        }
        rows.push(row);
    }
    Some(rows)
}

impl Store {
    /// The packed rows of the stored days in `from..=to` that have them and whose row count
    /// matches `expected` (each day's state); the others are left out.
    pub(crate) async fn load_packed(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        expected: impl Fn(NaiveDate) -> Option<u64>,
    ) -> Result<BTreeMap<NaiveDate, Vec<DayRow>>, StoreError> {
        use futures_util::TryStreamExt;
        let mut days = BTreeMap::new();
        on_db!(&self.inner.db, |pool, dialect| {
            let mut stream = sqlx::query_as::<_, (String, Vec<u8>)>(
                "SELECT day, packed FROM report_day_packed WHERE day BETWEEN $1 AND $2",
            )
            .bind(from.format("%Y-%m-%d").to_string())
            .bind(to.format("%Y-%m-%d").to_string())
            .fetch(pool);
            while let Some((day_text, packed)) = stream
                .try_next()
                .await
                .map_err(|error| self.db_error(error))?
            {
                let Ok(day) = NaiveDate::parse_from_str(&day_text, "%Y-%m-%d") else {
                    continue;
                };
                let Some(want) = expected(day) else { continue };
                match unpack(&packed) {
                    Some(rows) if rows.len() as u64 == want => {
                        days.insert(day, rows);
                    }
                    _ => {
                        tracing::warn!(%day, "the day's packed rows do not match its state: read row by row")
                    }
                }
            }
        });
        Ok(days)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use rust_decimal::Decimal;

    use super::*;

    #[test]
    fn rows_come_back_as_they_were_packed() {
        let charge = |text| Some(Decimal::from_str(text).unwrap());
        let rows = vec![
            DayRow::new(1, Some(3), Some(180), charge("0.12")).unwrap(),
            DayRow::new(7, None, Some(i64::from(i32::MAX)), None).unwrap(),
            DayRow::new(900_000, Some(0), None, charge("-123456789012.345678")).unwrap(),
        ];
        let packed = pack(&rows);
        assert_eq!(packed.len(), 3 * ROW_BYTES);
        assert_eq!(unpack(&packed), Some(rows.clone()));
        assert_eq!(unpack(&[]), Some(Vec::new()));
        // Cut short, out of key order, or with a scale no decimal has: not taken.
        assert_eq!(unpack(&packed[..packed.len() - 1]), None);
        let mut reversed = rows.clone();
        reversed.reverse();
        assert_eq!(unpack(&pack(&reversed)), None);
        let mut bad_scale = packed.clone();
        bad_scale[20] = 29;
        assert_eq!(unpack(&bad_scale), None);
        let mut bad_flags = packed;
        bad_flags[21] = 8;
        assert_eq!(unpack(&bad_flags), None);
    }
}
