//! Report rows as the portal reads them: every field present, nulls shown as "(unknown)" so
//! that a row Graph sent with a missing field still counts and the totals stay equal to Graph's.
use graph_client::DialoutRow;

use crate::model::Totals;

pub const UNKNOWN: &str = "(unknown)";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    pub user_id: String,
    pub user_principal_name: Option<String>,
    pub display_name: Option<String>,
    pub location: String,
    pub destination: String,
    pub currency: String,
    pub totals: Totals,
}

impl Fact {
    pub fn from_row(row: &DialoutRow) -> Self {
        let label = |value: &Option<String>| value.clone().unwrap_or_else(|| UNKNOWN.to_string());
        Fact {
            user_id: label(&row.user_id),
            user_principal_name: row.user_principal_name.clone(),
            display_name: row
                .user_display_name
                .clone()
                .filter(|name| !name.trim().is_empty()),
            location: label(&row.usage_location),
            destination: label(&row.destination_context),
            currency: label(&row.currency),
            totals: Totals {
                calls: count(row.total_calls),
                seconds: count(row.total_call_seconds),
                charge: row.total_call_charge.unwrap_or_default(),
            },
        }
    }
}

/// Graph's counts are Int32; a negative one would be a corrupt row, counted as zero.
fn count(value: Option<i64>) -> u64 {
    value.and_then(|v| u64::try_from(v).ok()).unwrap_or(0)
}
