//! A currency's figures split by one dimension (destination, usage location): a bar chart and
//! the same figures as a table.
use leptos::prelude::*;

use super::{ChartFigure, ChartKind, ChartSpec};
use crate::i18n::{Msg, use_locale};
use crate::model::Breakdown;
use crate::money::{format_count_in, format_money_in};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimension {
    Destination,
    Location,
}

#[component]
pub fn BreakdownFigure(
    title: String,
    chart_id: String,
    currency: String,
    dimension: Dimension,
    rows: Vec<Breakdown>,
) -> impl IntoView {
    let locale = use_locale();
    let label = move |key: &str| match dimension {
        Dimension::Destination => locale.destination(key),
        Dimension::Location => key.to_string(),
    };
    let kind = match dimension {
        Dimension::Destination => ChartKind::Columns,
        Dimension::Location => ChartKind::Bars,
    };
    let spec = rows.iter().fold(
        ChartSpec::new(kind, format!("{} ({currency})", locale.t(Msg::Charge))),
        |spec, row| spec.point(label(&row.key), ChartSpec::height(row.totals.charge)),
    );
    let header = match dimension {
        Dimension::Destination => locale.t(Msg::Destination),
        Dimension::Location => locale.t(Msg::Location),
    };
    let body = rows
        .iter()
        .map(|row| {
            view! {
                <tr>
                    <th scope="row">{label(&row.key)}</th>
                    <td class="num">{format_money_in(row.totals.charge, &currency, locale)}</td>
                    <td class="num">{format_count_in(row.totals.minutes(), locale)}</td>
                    <td class="num">{format_count_in(row.totals.calls, locale)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ChartFigure title=title.clone() chart_id spec=Signal::stored(spec)>
            <table>
                <caption>{title}</caption>
                <thead>
                    <tr>
                        <th scope="col">{header}</th>
                        <th scope="col" class="num">{locale.t(Msg::Charge)}</th>
                        <th scope="col" class="num">{locale.t(Msg::Minutes)}</th>
                        <th scope="col" class="num">{locale.t(Msg::Calls)}</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </ChartFigure>
    }
}
