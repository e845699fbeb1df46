//! One user's drill-down: who they are, their figures per currency and destination, their
//! trend and their share of each currency's total; the way back keeps the range and filters.
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

use super::api::get_user_detail;
use crate::api::get_trend;
use crate::components::{Card, ErrorNotice, SpendFigures, SyncProgress};
use crate::i18n::{Locale, Msg, use_locale};
use crate::layout::use_today;
use crate::model::{Bucket, CurrencySeries, DateRange, Trend, UserCurrency, UserDetail};
use crate::money::{format_money_in, format_percent};
use crate::query::{PageError, use_page_query, use_page_range};
use crate::range::RangeError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct UserFigures {
    detail: UserDetail,
    trend: Trend,
}

async fn load_user(
    user_id: String,
    range: Result<DateRange, RangeError>,
    lang: Locale,
) -> Result<UserFigures, PageError> {
    let range = range.map_err(PageError::Range)?;
    let (from, to) = (range.from.into(), range.to.into());
    let detail = get_user_detail(from, to, user_id.clone(), Some(lang)).await?;
    let trend = get_trend(range.from.into(), range.to.into(), Some(user_id)).await?;
    Ok(UserFigures { detail, trend })
}

#[component]
pub fn UserDetailPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let query = use_page_query();
    let range = use_page_range(query, use_today());
    // Bumped when the days still loading have all arrived: the figures load again.
    let version = RwSignal::new(0u32);
    let figures = Resource::new(
        move || {
            (
                params.with(|p| p.get("id").unwrap_or_default()),
                range.get(),
                version.get(),
            )
        },
        move |(user_id, range, _)| load_user(user_id, range, locale),
    );
    view! {
        <p>
            <a class="back" href=move || query.with(|q| q.href("/")) data-testid="back">
                "← "
                {locale.t(Msg::BackToDashboard)}
            </a>
        </p>
        <Transition fallback=move || view! { <p class="notice">{locale.t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match figures.await {
                    Ok(figures) => view! { <UserView figures version /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn UserView(figures: UserFigures, version: RwSignal<u32>) -> impl IntoView {
    let locale = use_locale();
    let UserFigures { detail, trend } = figures;
    let name = detail
        .display_name
        .clone()
        .or_else(|| detail.user_principal_name.clone())
        .unwrap_or_else(|| locale.t(Msg::Unnamed).to_string());
    let bucket = trend.bucket;
    let mut series = trend.currencies;
    let sections = detail
        .currencies
        .into_iter()
        .map(|spend| {
            let position = series.iter().position(|s| s.currency == spend.currency);
            let series = position.map(|position| series.swap_remove(position));
            view! { <UserCurrencySection locale spend series bucket /> }
        })
        .collect_view();
    view! {
        <h1 data-testid="user-name">{name}</h1>
        <dl class="who">
            <div>
                <dt>{locale.t(Msg::Upn)}</dt>
                <dd data-testid="user-upn">{detail.user_principal_name.clone().unwrap_or_default()}</dd>
            </div>
            <div>
                <dt>{locale.t(Msg::Location)}</dt>
                <dd data-testid="user-locations">{detail.locations.join(", ")}</dd>
            </div>
            <div>
                <dt>{locale.t(Msg::Period)}</dt>
                <dd data-testid="period">
                    {locale.date_range(detail.range.from, detail.range.to)} " (UTC)"
                </dd>
            </div>
        </dl>
        {(!detail.missing.is_empty())
            .then(|| {
                let range = detail.range;
                view! {
                    <p class="notice warning" data-testid="missing-days">
                        {locale.missing_days(&detail.missing)}
                    </p>
                    <SyncProgress range version />
                }
            })}
        <div class="currencies">{sections}</div>
    }
}

#[component]
fn UserCurrencySection(
    locale: Locale,
    spend: UserCurrency,
    series: Option<CurrencySeries>,
    bucket: Bucket,
) -> impl IntoView {
    let currency = spend.currency.clone();
    let id = |what: &str| format!("{what}-{currency}");
    let share = spend
        .share_of_charge
        .map(|share| format_percent(share, locale))
        .unwrap_or_else(|| "—".into());
    view! {
        <section class="currency" data-testid=id("user-currency") aria-labelledby=id("heading")>
            <h2 id=id("heading")>
                <span class="visually-hidden">{locale.spend_in(&currency)} " · "</span>
                {currency.clone()}
            </h2>
            <dl class="cards">
                <Card
                    label=locale.t(Msg::TotalCharge)
                    value=format_money_in(spend.totals.charge, &currency, locale)
                    testid=id("user-charge")
                />
                <Card
                    label=locale.t(Msg::Calls)
                    value=locale.format_count(spend.totals.calls)
                    testid=id("user-calls")
                />
                <Card
                    label=locale.t(Msg::Minutes)
                    value=locale.format_count(spend.totals.minutes())
                    testid=id("user-minutes")
                />
                <Card label=locale.t(Msg::ShareOfTotal) value=share testid=id("user-share") />
            </dl>
            <SpendFigures
                trend_title=Msg::UserTrend
                id_prefix="chart-user"
                currency=currency.clone()
                series
                bucket
                by_destination=spend.by_destination
                by_location=spend.by_location
            />
        </section>
    }
}
