//! The dashboard's own server functions. Thin: take the report service from context, call it.
//! Those the users' pages share are in [`crate::api`].
use crate::range::Day;
use leptos::prelude::*;

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::Locale;
use crate::model::{
    Bucket, CurrencyGlance, CurrencySeries, CurrencySummary, DateRange, EarlierPeriod, Summary,
};

/// What the dashboard shows of a range: every currency's headline figures with its trend's
/// line, the cards and charts of one currency (`spend` in the URL), and what they compare
/// with. Assembled on the server (`server.rs`); only the detailed currency's breakdowns travel,
/// so the page stays light however many currencies are paid in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardFigures {
    pub range: DateRange,
    /// Every currency, most calls first.
    pub glance: Vec<CurrencyGlance>,
    pub detailed: Option<CurrencySummary>,
    pub series: Option<CurrencySeries>,
    pub bucket: Bucket,
    pub incomplete_rows: u64,
    pub repeated_rows: u64,
    /// Days of the range not stored yet (the figures leave them out).
    pub missing: Vec<DateRange>,
    /// The period before and a year earlier, when stored (see [`Summary`]).
    pub previous: Option<EarlierPeriod>,
    pub year_earlier: Option<EarlierPeriod>,
    /// Sections written as HTML on the server: the month under way with its forecast and
    /// budgets (`dashboard::outlook`), the detailed currency's spend by organisation
    /// (`dashboard::organisation`); each left out when it could not be read.
    pub sections: String,
    /// Whose spend a scoped page shows, as HTML written on the server; empty when it shows
    /// everyone's.
    pub scope: String,
    /// How far the kept history reaches and what the changes compare with, as HTML written
    /// on the server (`dashboard::notes`).
    pub notes: String,
}

/// Everything the dashboard shows of a range, in one answer (one request when the page
/// changes range in the browser).
#[server(endpoint = "dashboard")]
pub async fn get_dashboard(
    from: Day,
    to: Day,
    spend: Option<String>,
    /// The page's language: the usage locations' country names and the month's outlook come
    /// in it (English when not given).
    lang: Option<Locale>,
) -> Result<DashboardFigures, AppError> {
    let range = Day::range(from, to);
    crate::report::with_status(
        async {
            super::server::dashboard(
                &crate::report::service()?,
                use_context::<super::server::DashboardCache>().as_ref(),
                range,
                spend,
                lang.unwrap_or_default(),
                &crate::report::requester(),
            )
            .await
        }
        .await,
    )
}

/// Per-currency totals, destination and location splits and top users for a range.
#[server(endpoint = "summary")]
pub async fn get_summary(from: Day, to: Day) -> Result<Summary, AppError> {
    let range = Day::range(from, to);
    crate::report::with_status(
        async {
            crate::report::service()?
                .summary(range, &crate::report::requester())
                .await
        }
        .await,
    )
}

/// Forgets the cached report for a range so the next request fetches it again.
#[server(endpoint = "refresh")]
pub async fn refresh_range(from: Day, to: Day) -> Result<(), AppError> {
    let range = Day::range(from, to);
    crate::report::with_status(async { crate::report::service()?.refresh(range).await }.await)
}
