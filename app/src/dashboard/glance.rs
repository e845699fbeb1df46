//! Every currency on one line, for reading the period in ten seconds: its charge, how that
//! changed against the period before, its trend, calls, minutes and users. Each currency links
//! to its cards and charts below (`spend=` in the URL), and the detailed one is marked.
//! One row per currency: amounts in different currencies are never added, nor ranked against
//! each other (rows go by calls, most first, and the page says so).
use leptos::prelude::*;

use crate::components::ChangeCell;
use crate::i18n::{Msg, use_locale};
use crate::model::{CurrencyGlance, EarlierPeriod};
use crate::money::format_money_in;
use crate::query::PageQuery;

#[component]
pub fn AtAGlance(
    /// Every currency, in the order shown, each with its trend's `spark`.
    rows: Vec<CurrencyGlance>,
    /// The currency whose section the page shows (none in the compact view).
    detailed: Option<String>,
    previous: Option<EarlierPeriod>,
    query: PageQuery,
    /// Links open the whole dashboard in a new tab (the compact embedded view).
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let locale = use_locale();
    let rows = rows
        .into_iter()
        .map(|figures| {
            let currency = figures.currency;
            let current = detailed.as_deref() == Some(currency.as_str());
            let testid = |what: &str| format!("glance-{what}-{currency}");
            // The charge's change; a currency the earlier period lacks is new spend.
            let change = previous.as_ref().map(|previous| {
                previous
                    .of(&currency)
                    .and_then(|earlier| earlier.change.first().copied().flatten())
            });
            let link = query.with_spend(&currency);
            // Switching keeps the scroll position: the section is right below.
            let href = if compact {
                link.full_report().href("/")
            } else {
                link.href("/")
            };
            view! {
                <tr class:current=current data-testid=testid("row")>
                    <th scope="row">
                        <a
                            href=href
                            aria-current=current.then_some("true")
                            data-noscroll=(!compact).then_some("true")
                            target=compact.then_some("_blank")
                        >
                            {currency.clone()}
                        </a>
                    </th>
                    <td class="num" data-testid=testid("charge")>
                        {format_money_in(figures.totals.charge, &currency, locale)}
                    </td>
                    <ChangeCell change testid=testid("change") />
                    <td class="spark-cell" inner_html=figures.spark></td>
                    <td class="num" data-testid=testid("calls")>
                        {locale.format_count(figures.totals.calls)}
                    </td>
                    <td class="num">{locale.format_count(figures.totals.minutes())}</td>
                    <td class="num">{locale.format_count(figures.users)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="glance" aria-labelledby="glance-heading">
            <h2 id="glance-heading">{locale.t(Msg::AtAGlance)}</h2>
            <p class="notice" data-testid="glance-order">
                {locale.t(Msg::GlanceOrder)}
                " "
                {(!compact).then(|| locale.t(Msg::ChooseCurrency))}
            </p>
            // Wider than a phone: a focusable region, so a keyboard can scroll it.
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="glance-heading">
                <table data-testid="glance">
                    <thead>
                        <tr>
                            <th scope="col">{locale.t(Msg::Currency)}</th>
                            <th scope="col" class="num">{locale.t(Msg::TotalCharge)}</th>
                            <th scope="col" class="num">{locale.t(Msg::ChangeBefore)}</th>
                            <th scope="col">{locale.t(Msg::Trend)}</th>
                            <th scope="col" class="num">{locale.t(Msg::Calls)}</th>
                            <th scope="col" class="num">{locale.t(Msg::Minutes)}</th>
                            <th scope="col" class="num">{locale.t(Msg::Users)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
