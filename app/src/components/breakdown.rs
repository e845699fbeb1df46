//! A currency's figures split by one dimension (destination, usage location): a bar chart and
//! the same figures as a table.
use leptos::prelude::*;

use super::{ChartFigure, ChartKind, ChartSpec, TotalsRow, TotalsTable};
use crate::i18n::{Msg, use_locale};
use crate::model::Breakdown;

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
        ChartSpec::money(kind, locale.t(Msg::Charge), &currency, locale),
        |spec, row| spec.amount(label(&row.key), row.totals.charge),
    );
    let header = match dimension {
        Dimension::Destination => locale.t(Msg::Destination),
        Dimension::Location => locale.t(Msg::Location),
    };
    let rows = rows
        .into_iter()
        .map(|row| TotalsRow {
            label: label(&row.key).into_any(),
            totals: row.totals,
        })
        .collect();
    view! {
        <ChartFigure title=title.clone() chart_id spec=Signal::stored(spec)>
            <TotalsTable caption=title label_header=header currency rows />
        </ChartFigure>
    }
}
