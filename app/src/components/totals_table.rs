//! A chart's data-table alternative: one row per label (a destination, a location, a user, a
//! period) with its charge, minutes and calls in one currency.
use leptos::prelude::*;

use crate::i18n::{Msg, use_locale};
use crate::model::Totals;
use crate::money::format_money_in;

/// One row: its label (text or a link) and its figures.
pub struct TotalsRow {
    pub label: AnyView,
    pub totals: Totals,
}

#[component]
pub fn TotalsTable(
    caption: String,
    /// The first column's header: what the rows are.
    label_header: &'static str,
    /// The money column's header (the trend says "Cost", as the admin center does).
    #[prop(default = Msg::Charge)]
    charge_header: Msg,
    currency: String,
    rows: Vec<TotalsRow>,
) -> impl IntoView {
    let locale = use_locale();
    let body = rows
        .into_iter()
        .map(|row| {
            view! {
                <tr>
                    <th scope="row">{row.label}</th>
                    <td class="num">{format_money_in(row.totals.charge, &currency, locale)}</td>
                    <td class="num">{locale.format_count(row.totals.minutes())}</td>
                    <td class="num">{locale.format_count(row.totals.calls)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table>
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">{label_header}</th>
                    <th scope="col" class="num">{locale.t(charge_header)}</th>
                    <th scope="col" class="num">{locale.t(Msg::Minutes)}</th>
                    <th scope="col" class="num">{locale.t(Msg::Calls)}</th>
                </tr>
            </thead>
            <tbody>{body}</tbody>
        </table>
    }
}
