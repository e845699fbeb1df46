//! The figures the server sends to the browser. All money is an exact decimal (sent as a
//! string); every figure belongs to one currency and is never added across currencies.
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An inclusive range of UTC days, as pages and server functions send it (checked by
/// [`crate::range::check`]; the Graph client's `DayRange` is its checked twin on the server).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DateRange {
    #[serde(with = "crate::range::day_serde")]
    pub from: NaiveDate,
    #[serde(with = "crate::range::day_serde")]
    pub to: NaiveDate,
}

impl DateRange {
    /// Number of days, counting both ends (0 or less when reversed).
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
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
    /// A usage location's country name in the page's language, when the server named it for
    /// a page (`report::countries`); the key is the code Graph sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
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

/// One currency's headline figures, without its breakdowns: the dashboard's "at a glance" row,
/// and a currency in an earlier period. What only one of those needs rides along, empty (and
/// not sent) in the other: one type, because every type the browser reads costs it a JSON
/// reader of its own (the WASM budget).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyGlance {
    pub currency: String,
    pub totals: Totals,
    pub users: u64,
    /// A glance row's trend line: an SVG the server wrote from digits
    /// (`dashboard::server::spark_svg`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub spark: String,
    /// In an earlier period: the change of the range's charge, calls, minutes, users and cost
    /// per minute against these figures, in percent, rounded once to the decimal the page shows
    /// (worked out on the server by `report::compare`); `None` where the earlier figure was
    /// zero and the range's is not (new spend).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub change: Vec<Option<Decimal>>,
}

impl From<&CurrencySummary> for CurrencyGlance {
    fn from(summary: &CurrencySummary) -> Self {
        Self {
            currency: summary.currency.clone(),
            totals: summary.totals.clone(),
            users: summary.users,
            ..Self::default()
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub range: DateRange,
    /// Sorted by currency code.
    pub currencies: Vec<CurrencySummary>,
    /// Rows Graph sent with a null key or total field; they are counted, never dropped.
    pub incomplete_rows: u64,
    /// Rows Graph sent twice across the pages of a day (its order not stable between pages):
    /// each was kept once.
    #[serde(default)]
    pub repeated_rows: u64,
    /// Runs of days of the range the portal has not stored yet (still loading from Graph, or
    /// older than Graph gives): the figures leave them out. Empty when the range is complete.
    #[serde(default)]
    pub missing: Vec<DateRange>,
    /// How far the portal's kept history reaches.
    #[serde(default)]
    pub history: Option<HistoryStatus>,
    /// The same figures of the period before ([`crate::range::previous_period`]) and of the
    /// same days a year earlier, read from stored days only (a comparison never asks Graph);
    /// `None` when the kept history does not hold all of that period.
    #[serde(default)]
    pub previous: Option<EarlierPeriod>,
    #[serde(default)]
    pub year_earlier: Option<EarlierPeriod>,
}

/// An earlier period's headline figures, per currency, to compare a range's with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlierPeriod {
    pub range: DateRange,
    /// The range's currencies (sorted by code) as they were then (zero when nothing was spent
    /// in one then), each with its `change` since.
    pub currencies: Vec<CurrencyGlance>,
}

impl EarlierPeriod {
    pub fn of(&self, currency: &str) -> Option<&CurrencyGlance> {
        self.currencies
            .iter()
            .find(|earlier| earlier.currency == currency)
    }
}

impl Summary {
    /// Days of the range the figures leave out.
    pub fn missing_days(&self) -> i64 {
        self.missing.iter().map(DateRange::days).sum()
    }
}

/// How far the kept history reaches and what is still loading from Graph.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryStatus {
    /// The oldest and the newest stored day; `None` before the first day is stored.
    pub stored: Option<DateRange>,
    /// The days kept (ending today), of which stored, and still to load.
    pub window_days: u32,
    pub stored_days: u32,
    pub loading_days: u32,
    /// Stored days Graph may still change (read again until its lag has passed).
    pub within_lag_days: u32,
    /// Graph refused days before this one as too old; older days cannot be loaded.
    #[serde(default, with = "crate::range::optional_day_serde")]
    pub retention_floor: Option<NaiveDate>,
}

impl Summary {
    /// The currency the dashboard details: `wanted` when the range has spend in it, else the
    /// one with the most calls (the organisation's main currency; ties go to the code first
    /// in order). `None` when the range has no spend at all.
    pub fn detailed_currency(&self, wanted: Option<&str>) -> Option<&CurrencySummary> {
        detailed_currency(&self.currencies, wanted)
    }
}

/// [`Summary::detailed_currency`] of a range's currencies (the users table follows it too).
pub fn detailed_currency<'a>(
    currencies: &'a [CurrencySummary],
    wanted: Option<&str>,
) -> Option<&'a CurrencySummary> {
    let wanted = wanted.and_then(|code| currencies.iter().find(|c| c.currency == code));
    wanted.or_else(|| {
        // max_by_key keeps the last of equals: walk backwards so the first code wins.
        currencies.iter().rev().max_by_key(|c| c.totals.calls)
    })
}

/// The width of a trend bucket (`report::trend::bucket_for` chooses it for a range): days up
/// to a month, calendar weeks (Monday to Sunday) up to about half a year, calendar months
/// beyond; the first and last are clipped to the range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Bucket {
    Day,
    Week,
    Month,
}

impl Bucket {
    /// The whole calendar bucket that `day` falls in.
    pub fn around(self, day: NaiveDate) -> DateRange {
        use chrono::{Datelike, Days};
        match self {
            Bucket::Day => DateRange { from: day, to: day },
            Bucket::Week => {
                // Checked: the calendar's ends have no whole week (never within MAX_DAYS).
                let monday = day
                    .checked_sub_days(Days::new(u64::from(day.weekday().num_days_from_monday())))
                    .unwrap_or(day);
                DateRange {
                    from: monday,
                    to: monday.checked_add_days(Days::new(6)).unwrap_or(day),
                }
            }
            Bucket::Month => {
                let first = day.with_day(1).unwrap_or(day);
                let next = first.checked_add_months(chrono::Months::new(1));
                DateRange {
                    from: first,
                    to: next.and_then(|next| next.pred_opt()).unwrap_or(day),
                }
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// First and last day of the bucket (a week bucket at either end of the range may be
    /// shorter).
    #[serde(with = "crate::range::day_serde")]
    pub from: NaiveDate,
    #[serde(with = "crate::range::day_serde")]
    pub to: NaiveDate,
    pub totals: Totals,
}

impl TrendPoint {
    /// Of a `bucket` clipped by the range's ends: it covers fewer days than its calendar
    /// bucket, and is no fair comparison with its neighbours. Returns (days, full days).
    pub fn partial(&self, bucket: Bucket) -> Option<(i64, i64)> {
        let days = DateRange {
            from: self.from,
            to: self.to,
        }
        .days();
        let full = bucket.around(self.from).days();
        (days < full).then_some((days, full))
    }
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

impl UserSort {
    /// A column of figures (right-aligned), not of text.
    pub fn is_figure(self) -> bool {
        matches!(self, UserSort::Calls | UserSort::Minutes | UserSort::Charge)
    }

    /// Text columns sort A to Z first; figures largest first.
    pub fn descending_by_default(self) -> bool {
        self.is_figure()
    }
}

/// What narrows, orders and pages the users table: held by the page's URL state
/// (`query::PageQuery`) and sent in the server function's [`UserQuery`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UserFilters {
    /// Matches the display name or UPN, case-insensitively.
    pub search: Option<String>,
    /// A currency code, [`ALL_CURRENCIES`], or `None`: the currency the dashboard details
    /// (`UserQuery::spend`, as [`Summary::detailed_currency`] chooses it).
    pub currency: Option<String>,
    /// `Domestic` or `International`.
    pub destination: Option<String>,
    /// ISO 3166 alpha-2 usage location.
    pub location: Option<String>,
    /// A group of the directory: `department:Sales`, `cost_center:` (people the directory
    /// lists without one) or `not_in_directory` (see `report::org::OrgFilter`).
    #[serde(default)]
    pub org: Option<String>,
    pub sort: UserSort,
    pub descending: bool,
    /// Zero-based.
    pub page: u32,
}

impl Default for UserFilters {
    fn default() -> Self {
        Self {
            search: None,
            currency: None,
            destination: None,
            location: None,
            org: None,
            sort: UserSort::default(),
            descending: UserSort::default().descending_by_default(),
            page: 0,
        }
    }
}

/// The currency filter's value for every currency (rows grouped by currency when sorted by
/// charge). Lower case: never an ISO 4217 code.
pub const ALL_CURRENCIES: &str = "all";

/// One page of the users table for a range. The filters' fields sit beside `range` on the
/// wire (flattened), as they always have.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UserQuery {
    pub range: DateRange,
    #[serde(flatten)]
    pub filters: UserFilters,
    pub page_size: u32,
    /// The currency the dashboard was asked to detail (`spend=` in its URL): with no currency
    /// filter, the table shows the currency the dashboard details.
    #[serde(default)]
    pub spend: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    /// Rows matching the filters, over all pages.
    pub total_rows: u64,
    pub page: u32,
    pub page_size: u32,
    pub rows: Vec<UserSpend>,
    /// The currency the rows are in; `None` for every currency.
    #[serde(default)]
    pub currency: Option<String>,
    /// Filter choices present in the range.
    pub currencies: Vec<String>,
    pub locations: Vec<String>,
    /// The organisation filter's choices as `<option>`s under an `<optgroup>` per grouping
    /// (written on the server in the page's language, the current one selected; the values
    /// as [`UserFilters::org`] names them); empty before the directory's first read.
    #[serde(default)]
    pub org_options: String,
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
    /// Runs of days of the range still loading from Graph: the figures leave them out.
    #[serde(default)]
    pub missing: Vec<DateRange>,
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
    /// The server's UTC date (the simulator's in demo mode), for API callers: the pages read
    /// it from `<html data-today>`.
    #[serde(with = "crate::range::day_serde")]
    pub today: NaiveDate,
    /// Who is signed in; `None` when the portal runs without sign-in (loopback only).
    pub user: Option<SignedInUser>,
}

/// The person a request comes from, as the server's sign-in established it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    /// The display name, else the UPN.
    pub name: String,
    /// A portal session (Entra sign-in) can be ended here; a proxy's sign-in cannot.
    pub can_sign_out: bool,
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

    fn currency(code: &str, calls: u64) -> CurrencySummary {
        CurrencySummary {
            currency: code.into(),
            totals: Totals {
                calls,
                ..Totals::default()
            },
            users: 1,
            by_destination: Vec::new(),
            by_location: Vec::new(),
            top_users: Vec::new(),
        }
    }

    #[test]
    fn details_the_asked_currency_else_the_busiest() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let summary = Summary {
            range: DateRange { from: day, to: day },
            currencies: vec![currency("EUR", 5), currency("GBP", 9), currency("USD", 9)],
            incomplete_rows: 0,
            repeated_rows: 0,
            missing: Vec::new(),
            history: None,
            previous: None,
            year_earlier: None,
        };
        let detailed = |wanted| {
            summary
                .detailed_currency(wanted)
                .map(|c| c.currency.as_str())
        };
        assert_eq!(detailed(Some("USD")), Some("USD"));
        assert_eq!(detailed(None), Some("GBP"));
        // A currency without spend in this range falls back to the busiest.
        assert_eq!(detailed(Some("JPY")), Some("GBP"));
        let empty = Summary {
            currencies: Vec::new(),
            ..summary.clone()
        };
        assert_eq!(empty.detailed_currency(Some("EUR")), None);
    }
}
