//! Report rows as the portal reads them: every field present, nulls shown as "(unknown)" so
//! that a row Graph sent with a missing field still counts and the totals stay equal to Graph's.
//! A fact's key fields and names are the store's key (shared, not copied: a year of a large
//! tenant holds some 100,000 of them, in every range cached).
use std::sync::Arc;

use graph_client::DialoutRow;
use report_store::{KeyTotals, ReportKey};
use rust_decimal::Decimal;

use crate::model::Totals;

pub const UNKNOWN: &str = "(unknown)";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    /// The merged row: its key and totals exactly as Graph listed them (nulls kept).
    pub merged: KeyTotals,
}

impl Fact {
    pub fn new(merged: KeyTotals) -> Self {
        Fact { merged }
    }

    /// The totals as the portal counts them (a null counts as zero).
    pub fn totals(&self) -> Totals {
        counted(self.merged.calls, self.merged.seconds, self.merged.charge)
    }

    /// A fact of a row that came without the store (tests, a report read straight from Graph).
    pub fn from_row(row: &DialoutRow, day: chrono::NaiveDate) -> Self {
        Fact::new(KeyTotals {
            key: Arc::new(ReportKey::from_row(row, day)),
            calls: row.total_calls,
            seconds: row.total_call_seconds,
            charge: row.total_call_charge,
        })
    }

    fn key(&self) -> &ReportKey {
        &self.merged.key
    }

    pub fn user_id(&self) -> &str {
        label(&self.key().user_id)
    }

    pub fn location(&self) -> &str {
        label(&self.key().usage_location)
    }

    pub fn destination(&self) -> &str {
        label(&self.key().destination_context)
    }

    pub fn currency(&self) -> &str {
        label(&self.key().currency)
    }

    pub fn user_principal_name(&self) -> Option<&str> {
        self.key().user_principal_name.as_deref()
    }

    /// The display name, unless Graph sent none or a blank one.
    pub fn display_name(&self) -> Option<&str> {
        self.key()
            .user_display_name
            .as_deref()
            .filter(|name| !name.trim().is_empty())
    }
}

fn label(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or(UNKNOWN)
}

/// Totals as Graph sends them (each may be null) as the portal counts them: a null counts as
/// zero, and so does a negative count (Graph's counts are Int32; one below zero would be a
/// corrupt row).
pub fn counted(calls: Option<i64>, seconds: Option<i64>, charge: Option<Decimal>) -> Totals {
    let count = |value: Option<i64>| value.and_then(|v| u64::try_from(v).ok()).unwrap_or(0);
    Totals {
        calls: count(calls),
        seconds: count(seconds),
        charge: charge.unwrap_or_default(),
    }
}
