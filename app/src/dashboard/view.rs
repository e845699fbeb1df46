//! The dashboard page: the period, every currency at a glance, one currency's cards and charts,
//! then the users table.
//! Rendered on the server with every figure in the HTML; charts hydrate into place.
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::api::get_summary;
use super::currency::CurrencySection;
use super::glance::AtAGlance;
use super::range_picker::RangePicker;
use super::status::StatusBar;
use crate::api::get_trend;
use crate::components::{ErrorNotice, ProgressBar, SyncProgress};
use crate::i18n::{Msg, use_locale};
use crate::layout::use_today;
use crate::model::{
    Bucket, CurrencyGlance, CurrencySeries, CurrencySummary, DateRange, HistoryStatus,
};
use crate::query::{PageError, use_page_query, use_page_range};
use crate::range::RangeError;
use crate::users::UsersTable;

/// What the dashboard shows of a range: every currency's headline figures, and the cards and
/// charts of one currency (`spend` in the URL). Only that currency's breakdowns travel in the
/// page and its hydration data, so the page stays light however many currencies are paid in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardFigures {
    range: DateRange,
    glance: Vec<CurrencyGlance>,
    detailed: Option<CurrencySummary>,
    series: Option<CurrencySeries>,
    bucket: Bucket,
    incomplete_rows: u64,
    repeated_rows: u64,
    /// Days of the range not stored yet (the figures leave them out).
    missing: Vec<DateRange>,
    history: Option<HistoryStatus>,
}

async fn load_figures(
    range: Result<DateRange, RangeError>,
    spend: Option<String>,
) -> Result<DashboardFigures, PageError> {
    let range = range.map_err(PageError::Range)?;
    let summary = get_summary(range.from.into(), range.to.into()).await?;
    let trend = get_trend(range.from.into(), range.to.into(), None).await?;
    let detailed = summary.detailed_currency(spend.as_deref()).cloned();
    let series = detailed.as_ref().and_then(|detailed| {
        trend
            .currencies
            .into_iter()
            .find(|series| series.currency == detailed.currency)
    });
    Ok(DashboardFigures {
        range: summary.range,
        glance: summary
            .currencies
            .iter()
            .map(CurrencyGlance::from)
            .collect(),
        detailed,
        series,
        bucket: trend.bucket,
        incomplete_rows: summary.incomplete_rows,
        repeated_rows: summary.repeated_rows,
        missing: summary.missing.clone(),
        history: summary.history.clone(),
    })
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let locale = use_locale();
    let today = use_today();
    let query = use_page_query();
    let range = use_page_range(query, today);
    let spend = Memo::new(move |_| query.with(|query| query.spend.clone()));
    // Bumped by the refresh button: every resource of the page loads again.
    let version = RwSignal::new(0u32);
    let figures = Resource::new(
        move || (range.get(), spend.get(), version.get()),
        |(range, spend, _)| load_figures(range, spend),
    );
    let (pending, set_pending) = signal(false);
    let invalid = Signal::derive(move || range.with(Result::is_err));
    // The range being fetched, for the progress stream.
    let fetching = Signal::derive(move || range.get().ok());
    view! {
        <h1>{locale.t(Msg::Title)}</h1>
        <RangePicker today query range invalid />
        <ProgressBar pending range=fetching />
        <Transition
            fallback=move || view! { <p class="notice">{locale.t(Msg::Loading)}</p> }
            set_pending=SignalSetter::from(set_pending)
        >
            {move || Suspend::new(async move {
                match figures.await {
                    Ok(figures) => view! { <FiguresView figures today version /> }.into_any(),
                    Err(error) => {
                        view! {
                            <div id="range-error">
                                <ErrorNotice error />
                            </div>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
        <UsersTable version range />
    }
}

#[component]
fn FiguresView(
    figures: DashboardFigures,
    today: NaiveDate,
    version: RwSignal<u32>,
) -> impl IntoView {
    let locale = use_locale();
    let query = use_page_query().get_untracked();
    let DashboardFigures {
        range,
        glance,
        detailed,
        series,
        bucket,
        incomplete_rows,
        repeated_rows,
        missing,
        history,
    } = figures;
    // A range with days still loading is never shown as complete.
    let not_complete = (!missing.is_empty()).then(|| {
        view! {
            <p class="notice warning" data-testid="missing-days">
                {locale.missing_days(&missing)}
            </p>
            <SyncProgress range version />
        }
    });
    let history = history.map(|status| {
        view! {
            <p class="history" data-testid="history">
                {locale.history(&status)}
            </p>
        }
    });
    // Nothing to show is "no dial-out" only once no day of the range is still loading.
    let empty = glance.is_empty() && missing.is_empty();
    let incomplete = (incomplete_rows > 0).then(|| {
        view! {
            <p class="notice" data-testid="incomplete-rows">
                {locale.incomplete_rows(incomplete_rows)}
            </p>
        }
    });
    let repeated = (repeated_rows > 0).then(|| {
        view! {
            <p class="notice" data-testid="repeated-rows">
                {locale.repeated_rows(repeated_rows)}
            </p>
        }
    });
    // With several currencies: all of them at a glance, each a link to its section.
    let choice = detailed
        .as_ref()
        .filter(|_| glance.len() > 1)
        .map(|detailed| {
            let detailed = detailed.currency.clone();
            view! { <AtAGlance currencies=glance detailed query=query.clone() /> }
        });
    let section = detailed
        .map(|summary| view! { <CurrencySection summary series bucket query=query.clone() /> });
    view! {
        <StatusBar today range version />
        {history}
        {not_complete}
        {empty
            .then(|| {
                view! {
                    <p class="notice empty" data-testid="empty">
                        {locale.t(Msg::Empty)}
                    </p>
                }
            })}
        {incomplete}
        {repeated}
        {choice}
        <div class="currencies">{section}</div>
    }
}
