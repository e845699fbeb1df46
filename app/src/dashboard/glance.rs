//! Every currency on one line, for reading the period in ten seconds; each currency links to its
//! cards and charts below (`spend=` in the URL), and the detailed one is marked.
//! One row per currency: amounts in different currencies are never added.
use leptos::prelude::*;

use crate::i18n::{Msg, use_locale};
use crate::model::CurrencyGlance;
use crate::money::format_money_in;
use crate::query::PageQuery;

#[component]
pub fn AtAGlance(
    currencies: Vec<CurrencyGlance>,
    /// The currency whose section the page shows.
    detailed: String,
    query: PageQuery,
) -> impl IntoView {
    let locale = use_locale();
    let rows = currencies
        .into_iter()
        .map(|glance| {
            let currency = glance.currency;
            let current = currency == detailed;
            let testid = |what: &str| format!("glance-{what}-{currency}");
            view! {
                <tr class:current=current data-testid=testid("row")>
                    <th scope="row">
                        // Switching keeps the scroll position: the section is right below.
                        <a
                            href=query.with_spend(&currency).href("/")
                            aria-current=current.then_some("true")
                            data-noscroll=true
                        >
                            {currency.clone()}
                        </a>
                    </th>
                    <td class="num" data-testid=testid("charge")>
                        {format_money_in(glance.totals.charge, &currency, locale)}
                    </td>
                    <td class="num">{locale.format_count(glance.totals.calls)}</td>
                    <td class="num">{locale.format_count(glance.totals.minutes())}</td>
                    <td class="num">{locale.format_count(glance.users)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="glance" aria-labelledby="glance-heading">
            <h2 id="glance-heading">{locale.t(Msg::AtAGlance)}</h2>
            <p class="notice">{locale.t(Msg::ChooseCurrency)}</p>
            // Wider than a phone: a focusable region, so a keyboard can scroll it.
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="glance-heading">
                <table data-testid="glance">
                    <thead>
                        <tr>
                            <th scope="col">{locale.t(Msg::Currency)}</th>
                            <th scope="col" class="num">{locale.t(Msg::TotalCharge)}</th>
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
