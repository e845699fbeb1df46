//! The figures the server sends to the browser. All money is an exact decimal (sent as a
//! string); every figure belongs to one currency and is never added across currencies.
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An inclusive range of UTC days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Calls, seconds and charge of some set of report rows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub calls: u64,
    pub seconds: u64,
    pub charge: Decimal,
}

impl Totals {
    pub fn add(&mut self, other: &Totals) {
        self.calls += other.calls;
        self.seconds += other.seconds;
        self.charge += other.charge;
    }

    /// Whole minutes, rounded up per total as the admin center shows them.
    pub fn minutes(&self) -> u64 {
        self.seconds.div_ceil(60)
    }

    /// Charge per minute of talk, exact; `None` when there were no seconds.
    pub fn cost_per_minute(&self) -> Option<Decimal> {
        if self.seconds == 0 {
            return None;
        }
        let minutes = Decimal::from(self.seconds) / Decimal::from(60);
        Some((self.charge / minutes).round_dp(6))
    }
}

/// Totals for one value of a dimension (a destination, a usage location).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    pub key: String,
    pub totals: Totals,
}

/// A user's spend in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSpend {
    pub user_id: String,
    pub user_principal_name: Option<String>,
    pub display_name: Option<String>,
    /// Usage locations seen for this user in this currency, sorted.
    pub locations: Vec<String>,
    pub currency: String,
    pub totals: Totals,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencySummary {
    pub currency: String,
    pub totals: Totals,
    pub users: u64,
    /// Domestic, then International (both always present), then anything else Graph sends.
    pub by_destination: Vec<Breakdown>,
    /// Highest charge first.
    pub by_location: Vec<Breakdown>,
    /// The ten users with the highest charge in this currency.
    pub top_users: Vec<UserSpend>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub range: DateRange,
    /// Sorted by currency code.
    pub currencies: Vec<CurrencySummary>,
    /// Rows Graph sent with a null key or total field; they are counted, never dropped.
    pub incomplete_rows: u64,
}

/// The width of a trend bucket: days for ranges up to 31 days, calendar weeks (Monday to Sunday,
/// clipped to the range) for longer ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Bucket {
    Day,
    Week,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// First and last day of the bucket (a week bucket at either end of the range may be
    /// shorter).
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub totals: Totals,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencySeries {
    pub currency: String,
    /// One point per bucket of the range, zero where there was no spend.
    pub points: Vec<TrendPoint>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trend {
    pub range: DateRange,
    pub bucket: Bucket,
    pub currencies: Vec<CurrencySeries>,
}

/// A column of the users table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UserSort {
    Name,
    Upn,
    Currency,
    /// By the user's first usage location (alphabetically) in that currency.
    Location,
    Calls,
    Minutes,
    #[default]
    Charge,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UserQuery {
    pub range: DateRange,
    /// Matches the display name or UPN, case-insensitively.
    pub search: Option<String>,
    pub currency: Option<String>,
    /// `Domestic` or `International`.
    pub destination: Option<String>,
    /// ISO 3166 alpha-2 usage location.
    pub location: Option<String>,
    pub sort: UserSort,
    pub descending: bool,
    /// Zero-based.
    pub page: u32,
    pub page_size: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    /// Rows matching the filters, over all pages.
    pub total_rows: u64,
    pub page: u32,
    pub page_size: u32,
    pub rows: Vec<UserSpend>,
    /// Filter choices present in the range.
    pub currencies: Vec<String>,
    pub locations: Vec<String>,
}

/// One user's spend in one currency, with their share of that currency's total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCurrency {
    pub currency: String,
    pub totals: Totals,
    /// Fraction (0..=1) of the currency's total charge over the range; `None` if that is zero.
    pub share_of_charge: Option<Decimal>,
    pub by_destination: Vec<Breakdown>,
    pub by_location: Vec<Breakdown>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    pub range: DateRange,
    pub user_id: String,
    pub user_principal_name: Option<String>,
    pub display_name: Option<String>,
    pub locations: Vec<String>,
    pub currencies: Vec<UserCurrency>,
}

/// Which Graph the server reads; the server puts it in the Leptos context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PortalMode {
    /// The organisation's tenant.
    Graph,
    /// The embedded simulator's made-up data.
    Demo,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalInfo {
    /// The data is the embedded simulator's, not the organisation's.
    pub demo: bool,
    /// The server's UTC date (the simulator's in demo mode).
    pub today: NaiveDate,
}

/// Where a long report fetch stands, streamed to the page as server-sent events.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchStatus {
    pub state: FetchState,
    pub windows_total: u64,
    pub windows_done: u64,
    pub pages: u64,
    pub rows: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FetchState {
    /// No fetch of this range is running (it is cached, or nobody asked yet).
    #[default]
    Idle,
    Fetching,
    Done,
    Failed,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_per_minute_is_exact_and_absent_without_talk() {
        let totals = Totals {
            calls: 1,
            seconds: 90,
            charge: Decimal::new(300, 2),
        };
        assert_eq!(totals.cost_per_minute(), Some(Decimal::new(2, 0)));
        assert_eq!(totals.minutes(), 2);
        assert_eq!(Totals::default().cost_per_minute(), None);
    }
}
