//! The dashboard page: the period, every currency at a glance, one currency's cards and charts,
//! then the users table.
//! Rendered on the server with every figure in the HTML; charts hydrate into place.
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::api::get_summary;
use super::currency::CurrencySection;
use super::glance::AtAGlance;
use super::progress::FetchProgress;
use super::range_picker::RangePicker;
use super::status::StatusBar;
use crate::api::{get_today, get_trend};
use crate::components::ErrorNotice;
use crate::i18n::{Msg, use_locale};
use crate::model::{Bucket, CurrencyGlance, CurrencySeries, CurrencySummary, DateRange};
use crate::query::{PageError, PageQuery, resolve_range, use_page_query};
use crate::range::{default_range, validate};
use crate::users::UsersTable;

/// What the dashboard shows of a range: every currency's headline figures, and the cards and
/// charts of one currency (`spend` in the URL). Only that currency's breakdowns travel in the
/// page and its hydration data, so the page stays light however many currencies are paid in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    today: NaiveDate,
    range: DateRange,
    glance: Vec<CurrencyGlance>,
    detailed: Option<CurrencySummary>,
    series: Option<CurrencySeries>,
    bucket: Bucket,
    incomplete_rows: u64,
}

async fn load_report(
    requested: Option<(String, String)>,
    spend: Option<String>,
) -> Result<Report, PageError> {
    let (today, range) = resolve_range(requested).await?;
    let summary = get_summary(range.from, range.to).await?;
    let trend = get_trend(range.from, range.to, None).await?;
    let detailed = summary.detailed_currency(spend.as_deref()).cloned();
    let series = detailed.as_ref().and_then(|detailed| {
        trend
            .currencies
            .into_iter()
            .find(|series| series.currency == detailed.currency)
    });
    Ok(Report {
        today,
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
    })
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_page_query();
    let requested = Memo::new(move |_| query.with(PageQuery::requested));
    let spend = Memo::new(move |_| query.with(|query| query.spend.clone()));
    // Bumped by the refresh button: every resource of the page loads again.
    let version = RwSignal::new(0u32);
    let report = Resource::new(
        move || (requested.get(), spend.get(), version.get()),
        |(requested, spend, _)| load_report(requested, spend),
    );
    let today = Resource::new(|| (), |_| get_today());
    let (pending, set_pending) = signal(false);
    let invalid = Signal::derive(move || matches!(report.get(), Some(Err(PageError::Range(_)))));
    // The range being fetched, for the progress stream.
    let fetching = Signal::derive(move || {
        let today = today.get()?.ok()?;
        match requested.get() {
            Some((from, to)) => validate(&from, &to, today).ok(),
            None => Some(default_range(today)),
        }
    });
    view! {
        <h1>{locale.t(Msg::Title)}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                today.await.ok().map(|today| view! { <RangePicker today query invalid /> })
            })}
        </Suspense>
        <FetchProgress pending range=fetching />
        <Transition
            fallback=move || view! { <p class="notice">{locale.t(Msg::Loading)}</p> }
            set_pending=SignalSetter::from(set_pending)
        >
            {move || Suspend::new(async move {
                match report.await {
                    Ok(report) => view! { <ReportView report version /> }.into_any(),
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
        <UsersTable version after=report />
    }
}

#[component]
fn ReportView(report: Report, version: RwSignal<u32>) -> impl IntoView {
    let locale = use_locale();
    let query = use_page_query().get_untracked();
    let Report {
        today,
        range,
        glance,
        detailed,
        series,
        bucket,
        incomplete_rows,
    } = report;
    let empty = glance.is_empty();
    let incomplete = (incomplete_rows > 0).then(|| {
        view! {
            <p class="notice" data-testid="incomplete-rows">
                {locale.incomplete_rows(incomplete_rows)}
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
        {empty
            .then(|| {
                view! {
                    <p class="notice empty" data-testid="empty">
                        {locale.t(Msg::Empty)}
                    </p>
                }
            })}
        {incomplete}
        {choice}
        <div class="currencies">{section}</div>
    }
}
