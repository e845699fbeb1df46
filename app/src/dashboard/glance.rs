//! Every currency on one line, for reading the period in ten seconds; each links to its section.
//! One row per currency: amounts in different currencies are never added.
use leptos::prelude::*;

use crate::i18n::{Msg, use_locale};
use crate::model::CurrencySummary;
use crate::money::{format_count_in, format_money_in};

#[component]
pub fn AtAGlance(currencies: Vec<CurrencySummary>) -> impl IntoView {
    let locale = use_locale();
    let rows = currencies
        .iter()
        .map(|summary| {
            let currency = summary.currency.clone();
            view! {
                <tr>
                    <th scope="row">
                        <a href=format!("#currency-{currency}")>{currency.clone()}</a>
                    </th>
                    <td class="num">{format_money_in(summary.totals.charge, &currency, locale)}</td>
                    <td class="num">{format_count_in(summary.totals.calls, locale)}</td>
                    <td class="num">{format_count_in(summary.totals.minutes(), locale)}</td>
                    <td class="num">{format_count_in(summary.users, locale)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="glance" aria-labelledby="glance-heading">
            <h2 id="glance-heading">{locale.t(Msg::AtAGlance)}</h2>
            <div class="table-scroll">
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
