//! One currency's block: cards, spend over time, destination and location splits, top users.
//! Figures of different currencies never meet.
use leptos::prelude::*;

use super::top_users::TopUsersFigure;
use crate::components::{Card, SpendFigures};
use crate::i18n::{Msg, use_locale};
use crate::model::{Bucket, CurrencySeries, CurrencySummary};
use crate::money::{format_money_in, format_rate_in};
use crate::query::PageQuery;

#[component]
pub fn CurrencySection(
    summary: CurrencySummary,
    series: Option<CurrencySeries>,
    bucket: Bucket,
    query: PageQuery,
) -> impl IntoView {
    let locale = use_locale();
    let currency = summary.currency.clone();
    let totals = summary.totals.clone();
    let cost_per_minute = totals
        .cost_per_minute()
        .map(|rate| format_rate_in(rate, &currency, locale))
        .unwrap_or_else(|| "—".into());
    let id = |what: &str| format!("{what}-{currency}");
    // The top users come as the figures' children: a closure that owns what it shows.
    let (top_users_id, top_users_currency) = (id("chart-top-users"), currency.clone());
    view! {
        <section
            class="currency"
            id=id("currency")
            data-testid=id("currency")
            aria-labelledby=id("heading")
        >
            <h2 id=id("heading")>
                <span class="visually-hidden">{locale.spend_in(&currency)} " · "</span>
                {currency.clone()}
            </h2>
            <dl class="cards">
                <Card
                    label=locale.t(Msg::TotalCharge)
                    value=format_money_in(totals.charge, &currency, locale)
                    testid=id("total-charge")
                />
                <Card
                    label=locale.t(Msg::Calls)
                    value=locale.format_count(totals.calls)
                    testid=id("total-calls")
                />
                <Card
                    label=locale.t(Msg::Minutes)
                    value=locale.format_count(totals.minutes())
                    testid=id("total-minutes")
                />
                <Card
                    label=locale.t(Msg::Users)
                    value=locale.format_count(summary.users)
                    testid=id("total-users")
                />
                <Card label=locale.t(Msg::CostPerMinute) value=cost_per_minute testid=id("cost-per-minute") />
            </dl>
            <SpendFigures
                trend_title=Msg::SpendOverTime
                id_prefix="chart"
                currency=currency.clone()
                series
                bucket
                by_destination=summary.by_destination
                by_location=summary.by_location
            >
                <TopUsersFigure
                    chart_id=top_users_id
                    currency=top_users_currency
                    users=summary.top_users
                    query
                />
            </SpendFigures>
        </section>
    }
}
