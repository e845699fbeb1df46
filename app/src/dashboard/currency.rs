//! One currency's block: cards, spend over time, destination and location splits, top users.
//! Figures of different currencies never meet.
use leptos::prelude::*;

use super::top_users::TopUsersFigure;
use crate::components::{Card, ChangeLine, SpendFigures};
use crate::i18n::{Locale, Msg, use_locale};
use crate::model::{Bucket, CurrencyGlance, CurrencySeries, CurrencySummary};
use crate::money::{format_money_in, format_rate_in};
use crate::query::PageQuery;

/// The headline figures of a currency's period as the page writes them: charge, calls,
/// minutes, users, cost per minute (the order of `report::compare::headline_numbers`).
fn headline(glance: &CurrencyGlance, locale: Locale) -> [String; 5] {
    let (totals, currency) = (&glance.totals, glance.currency.as_str());
    [
        format_money_in(totals.charge, currency, locale),
        locale.format_count(totals.calls),
        locale.format_count(totals.minutes()),
        locale.format_count(glance.users),
        totals
            .cost_per_minute()
            .map_or_else(|| "—".into(), |rate| format_rate_in(rate, currency, locale)),
    ]
}

const CARDS: [(Msg, &str); 5] = [
    (Msg::TotalCharge, "total-charge"),
    (Msg::Calls, "total-calls"),
    (Msg::Minutes, "total-minutes"),
    (Msg::Users, "total-users"),
    (Msg::CostPerMinute, "cost-per-minute"),
];

#[component]
pub fn CurrencySection(
    summary: CurrencySummary,
    series: Option<CurrencySeries>,
    bucket: Bucket,
    query: PageQuery,
    /// This currency in the period before; `None` when the kept history does not reach it.
    previous: Option<CurrencyGlance>,
    /// This currency a year earlier, when stored.
    year_earlier: Option<CurrencyGlance>,
) -> impl IntoView {
    let locale = use_locale();
    let currency = summary.currency.clone();
    let id = |what: &str| format!("{what}-{currency}");
    let now = headline(&CurrencyGlance::from(&summary), locale);
    // Each card's change and the earlier value's text.
    let earlier = |earlier: &CurrencyGlance| {
        let texts = headline(earlier, locale);
        let changes = texts
            .into_iter()
            .enumerate()
            .map(|(index, text)| (earlier.change.get(index).copied().flatten(), text));
        changes.collect::<Vec<_>>()
    };
    let previous = previous.as_ref().map(earlier);
    let year_earlier = year_earlier.as_ref().map(earlier);
    let cards = CARDS
        .iter()
        .zip(now)
        .enumerate()
        .map(|(index, ((label, what), text))| {
            let testid = id(what);
            let year = year_earlier.as_ref().map(|year| {
                view! {
                    <ChangeLine
                        earlier=year.get(index).cloned()
                        label=Msg::AYearEarlier
                        testid=format!("{testid}-year")
                    />
                }
            });
            let before = previous
                .as_ref()
                .map(|previous| previous.get(index).cloned().unwrap_or_default());
            view! {
                <Card label=locale.t(*label) value=text testid=testid.clone()>
                    <ChangeLine earlier=before label=Msg::Before testid=format!("{testid}-change") />
                    {year}
                </Card>
            }
        })
        .collect_view();
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
            <dl class="cards">{cards}</dl>
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
