//! The dashboard page: the period, then per currency cards and charts, then the users table.
//! Rendered on the server with every figure in the HTML; charts hydrate into place.
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::api::{get_summary, get_today, get_trend};
use super::currency::CurrencySection;
use super::glance::AtAGlance;
use super::progress::FetchProgress;
use super::range_picker::RangePicker;
use super::status::StatusBar;
use crate::components::ErrorNotice;
use crate::i18n::{Msg, use_locale};
use crate::model::{Summary, Trend};
use crate::query::{PageError, PageQuery, resolve_range, use_page_query};
use crate::range::{default_range, validate};
use crate::users::UsersTable;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    today: NaiveDate,
    summary: Summary,
    trend: Trend,
}

async fn load_report(requested: Option<(String, String)>) -> Result<Report, PageError> {
    let (today, range) = resolve_range(requested).await?;
    let summary = get_summary(range.from, range.to).await?;
    let trend = get_trend(range.from, range.to, None).await?;
    Ok(Report {
        today,
        summary,
        trend,
    })
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_page_query();
    let requested = Memo::new(move |_| query.with(PageQuery::requested));
    // Bumped by the refresh button: every resource of the page loads again.
    let version = RwSignal::new(0u32);
    let report = Resource::new(
        move || (requested.get(), version.get()),
        |(requested, _)| load_report(requested),
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
        summary,
        trend,
    } = report;
    let empty = summary.currencies.is_empty();
    let bucket = trend.bucket;
    let mut series = trend.currencies;
    let glance = (summary.currencies.len() > 1)
        .then(|| view! { <AtAGlance currencies=summary.currencies.clone() /> });
    let sections = summary
        .currencies
        .into_iter()
        .map(|currency| {
            let position = series.iter().position(|s| s.currency == currency.currency);
            let series = position.map(|position| series.swap_remove(position));
            view! { <CurrencySection summary=currency series bucket query=query.clone() /> }
        })
        .collect_view();
    view! {
        <StatusBar today range=summary.range version />
        {empty
            .then(|| {
                view! {
                    <p class="notice empty" data-testid="empty">
                        {locale.t(Msg::Empty)}
                    </p>
                }
            })}
        {glance}
        <div class="currencies">{sections}</div>
    }
}
