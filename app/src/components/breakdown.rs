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
    // A location is drawn by its country's name (the code when the server had none) and
    // listed in the table by name and code.
    let label = move |row: &Breakdown| match dimension {
        Dimension::Destination => locale.destination(&row.key),
        Dimension::Location => row.name.clone().unwrap_or_else(|| row.key.clone()),
    };
    let table_label = move |row: &Breakdown| match (&row.name, dimension) {
        (Some(name), Dimension::Location) => format!("{name} ({})", row.key),
        _ => label(row),
    };
    let kind = match dimension {
        Dimension::Destination => ChartKind::Columns,
        Dimension::Location => ChartKind::Bars,
    };
    let spec = rows.iter().fold(
        ChartSpec::money(kind, locale.t(Msg::Charge), &currency, locale),
        |spec, row| spec.amount(label(row), row.totals.charge),
    );
    let header = match dimension {
        Dimension::Destination => locale.t(Msg::Destination),
        Dimension::Location => locale.t(Msg::Location),
    };
    let rows = rows
        .into_iter()
        .map(|row| TotalsRow {
            label: table_label(&row).into_any(),
            totals: row.totals,
        })
        .collect();
    // Graph's report says where the user is licensed, not which country they called.
    let note = (dimension == Dimension::Location)
        .then(|| view! { <p class="figure-note">{locale.t(Msg::LocationNote)}</p> }.into_any());
    view! {
        <ChartFigure title=title.clone() chart_id spec=Signal::stored(spec) toolbar=note>
            <TotalsTable caption=title label_header=header currency rows />
        </ChartFigure>
    }
}
