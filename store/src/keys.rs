//! The report's keys, (userId, usageLocation, destinationContext, currency), each stored once
//! with an id the day rows refer to, and the names of the newest day that had it.
use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use graph_client::DialoutRow;

/// A key and its newest names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportKey {
    pub user_id: Option<String>,
    pub usage_location: Option<String>,
    pub destination_context: Option<String>,
    pub currency: Option<String>,
    pub user_principal_name: Option<String>,
    pub user_display_name: Option<String>,
    /// The day the names come from.
    pub names_day: NaiveDate,
}

impl ReportKey {
    /// The key of `row`, with its names, as read on `day`.
    pub fn from_row(row: &DialoutRow, day: NaiveDate) -> Self {
        ReportKey {
            user_id: row.user_id.clone(),
            usage_location: row.usage_location.clone(),
            destination_context: row.destination_context.clone(),
            currency: row.currency.clone(),
            user_principal_name: row.user_principal_name.clone(),
            user_display_name: row.user_display_name.clone(),
            names_day: day,
        }
    }

    /// The names `row` of `day` gives this key, if they are newer and differ: the newest
    /// non-null name wins, as when Graph's rows are merged in date order.
    pub(crate) fn renamed(&self, row: &DialoutRow, day: NaiveDate) -> Option<ReportKey> {
        if day < self.names_day {
            return None;
        }
        let upn = row
            .user_principal_name
            .clone()
            .or_else(|| self.user_principal_name.clone());
        let display = row
            .user_display_name
            .clone()
            .or_else(|| self.user_display_name.clone());
        (upn != self.user_principal_name || display != self.user_display_name).then(|| ReportKey {
            user_principal_name: upn,
            user_display_name: display,
            names_day: day,
            ..self.clone()
        })
    }

    /// The row of this key with the given totals.
    pub fn row(
        &self,
        total_calls: Option<i64>,
        total_call_seconds: Option<i64>,
        total_call_charge: Option<rust_decimal::Decimal>,
    ) -> DialoutRow {
        DialoutRow {
            user_id: self.user_id.clone(),
            user_principal_name: self.user_principal_name.clone(),
            user_display_name: self.user_display_name.clone(),
            usage_location: self.usage_location.clone(),
            destination_context: self.destination_context.clone(),
            currency: self.currency.clone(),
            total_calls,
            total_call_charge,
            total_call_seconds,
        }
    }
}

/// The four key fields of `row` as the store's `identity` (a JSON array, nulls kept).
pub(crate) fn identity(row: &DialoutRow) -> String {
    serde_json::to_string(&[
        &row.user_id,
        &row.usage_location,
        &row.destination_context,
        &row.currency,
    ])
    .unwrap_or_default()
}

/// Every key, by id and by identity.
#[derive(Clone, Debug, Default)]
pub struct KeyTable {
    by_id: Vec<Option<Arc<ReportKey>>>,
    by_identity: HashMap<String, u32>,
}

impl KeyTable {
    pub fn get(&self, id: u32) -> Option<&Arc<ReportKey>> {
        self.by_id.get(id as usize).and_then(Option::as_ref)
    }

    pub(crate) fn id_of(&self, identity: &str) -> Option<u32> {
        self.by_identity.get(identity).copied()
    }

    pub(crate) fn insert(&mut self, id: u32, identity: String, key: ReportKey) {
        let slot = id as usize;
        if self.by_id.len() <= slot {
            self.by_id.resize(slot + 1, None);
        }
        self.by_id[slot] = Some(Arc::new(key));
        self.by_identity.insert(identity, id);
    }

    /// One past the highest id (for dense per-key accumulators).
    pub fn id_bound(&self) -> usize {
        self.by_id.len()
    }

    pub fn len(&self) -> usize {
        self.by_identity.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_identity.is_empty()
    }

    /// The ids of `user_id`'s keys.
    pub fn ids_of_user(&self, user_id: &str) -> Vec<u32> {
        self.by_id
            .iter()
            .enumerate()
            .filter(|(_, key)| {
                key.as_ref()
                    .is_some_and(|key| key.user_id.as_deref() == Some(user_id))
            })
            .map(|(id, _)| id as u32)
            .collect()
    }
}
