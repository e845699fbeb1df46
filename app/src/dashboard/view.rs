//! The dashboard page: the period, every currency at a glance, one currency's cards and charts,
//! then the users table.
//! Rendered on the server with every figure in the HTML; charts hydrate into place.
use chrono::NaiveDate;
use leptos::prelude::*;

use super::api::{DashboardFigures, get_dashboard};
use super::currency::CurrencySection;
use super::glance::AtAGlance;
use super::range_picker::RangePicker;
use super::status::StatusBar;
use crate::components::{ErrorNotice, ProgressBar, SyncProgress};
use crate::i18n::{Locale, Msg, use_locale};
use crate::layout::use_today;
use crate::model::{DateRange, EarlierPeriod};
use crate::query::{PageError, PageQuery, use_page_query, use_page_range};
use crate::range::RangeError;
use crate::users::UsersTable;

async fn load_figures(
    range: Result<DateRange, RangeError>,
    spend: Option<String>,
    lang: Locale,
) -> Result<DashboardFigures, PageError> {
    let range = range.map_err(PageError::Range)?;
    let figures = get_dashboard(range.from.into(), range.to.into(), spend, Some(lang)).await?;
    // Rendering the page: its markup goes into the HTML only, not into the hydration data.
    #[cfg(feature = "ssr")]
    let figures = match use_context::<super::markup::PageMarkup>() {
        Some(markup) => markup.keep(figures),
        None => figures,
    };
    Ok(figures)
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let locale = use_locale();
    let today = use_today();
    let query = use_page_query();
    let range = use_page_range(query, today);
    let spend = Memo::new(move |_| query.with(|query| query.spend.clone()));
    // The compact embedded view: the glance table alone, for a small frame.
    let compact = query.with_untracked(PageQuery::is_compact);
    // Bumped by the refresh button: every resource of the page loads again.
    let version = RwSignal::new(0u32);
    #[cfg(feature = "ssr")]
    provide_context(super::markup::PageMarkup::default());
    let figures = Resource::new(
        move || (range.get(), spend.get(), version.get()),
        move |(range, spend, _)| load_figures(range, spend, locale),
    );
    let (pending, set_pending) = signal(false);
    let invalid = Signal::derive(move || range.with(Result::is_err));
    // The range being fetched, for the progress stream.
    let fetching = Signal::derive(move || range.get().ok());
    view! {
        <h1>{locale.t(Msg::Title)}</h1>
        {(!compact).then(|| view! { <RangePicker today query range invalid /> })}
        <ProgressBar pending range=fetching />
        <Transition
            fallback=move || view! { <p class="notice">{locale.t(Msg::Loading)}</p> }
            set_pending=SignalSetter::from(set_pending)
        >
            {move || Suspend::new(async move {
                let figures = figures.await;
                // The server's HTML has the markup the hydration data leaves out.
                #[cfg(feature = "ssr")]
                let figures = match use_context::<super::markup::PageMarkup>() {
                    Some(markup) => figures.map(|figures| markup.restore(figures)),
                    None => figures,
                };
                match figures {
                    Ok(figures) if compact => view! { <CompactView figures /> }.into_any(),
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
        {(!compact).then(|| view! { <UsersTable version range /> })}
    }
}

/// The glance table alone (`?embed=1&view=glance`): the period, each currency's charge, change
/// and trend, and a link to the whole report.
#[component]
fn CompactView(figures: DashboardFigures) -> impl IntoView {
    let locale = use_locale();
    let query = use_page_query().get_untracked();
    let full = query.full_report().href("/");
    view! {
        <div inner_html=figures.scope></div>
        <p class="period" data-testid="compact-period">
            {locale.date_range(figures.range.from, figures.range.to)}
        </p>
        {(!figures.missing.is_empty())
            .then(|| {
                view! {
                    <p class="notice warning" data-testid="missing-days">
                        {locale.missing_days(&figures.missing)}
                    </p>
                }
            })}
        <AtAGlance
            rows=figures.glance
            detailed=None
            previous=figures.previous
            query
            compact=true
        />
        <p>
            <a href=full target="_blank" data-testid="open-full-report">
                {locale.t(Msg::OpenFullReport)}
            </a>
        </p>
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
        previous,
        year_earlier,
        sections,
        scope,
        notes,
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
    let detailed_code = detailed.as_ref().map(|summary| summary.currency.clone());
    let choice = detailed_code.filter(|_| glance.len() > 1).map(|code| {
        view! {
            <AtAGlance
                rows=glance
                detailed=Some(code)
                previous=previous.clone()
                query=query.clone()
            />
        }
    });
    let earlier_of = |period: &Option<EarlierPeriod>, currency: &str| {
        period
            .as_ref()
            .and_then(|period| period.of(currency).cloned())
    };
    let section = detailed.map(|summary| {
        let (before, year) = (
            earlier_of(&previous, &summary.currency),
            earlier_of(&year_earlier, &summary.currency),
        );
        view! {
            <CurrencySection
                summary
                series
                bucket
                query=query.clone()
                previous=before
                year_earlier=year
            />
        }
    });
    view! {
        <StatusBar today range version />
        // Written on the server: whose people, the history kept, what changes compare with.
        <div inner_html=scope></div>
        <div inner_html=notes></div>
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
        // Written on the server: the month under way, its forecast and budgets.
        <div class="server-sections" inner_html=sections></div>
        <div class="currencies">{section}</div>
    }
}
