//! A chart described in plain data on both sides: the server renders its frame and data table,
//! the browser draws it with charming (ECharts) once hydrated.
use leptos::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::i18n::{Msg, use_locale};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ChartKind {
    /// Vertical bars over categories (time buckets, destinations).
    #[default]
    Columns,
    /// Horizontal bars, largest first (locations, users).
    Bars,
}

/// What to draw. Bar heights are floats because ECharts draws with them; every figure shown as
/// text stays an exact decimal.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartSpec {
    pub kind: ChartKind,
    pub series: String,
    pub labels: Vec<String>,
    pub values: Vec<f64>,
}

impl ChartSpec {
    pub fn new(kind: ChartKind, series: impl Into<String>) -> Self {
        Self {
            kind,
            series: series.into(),
            ..Self::default()
        }
    }

    pub fn point(mut self, label: impl Into<String>, value: f64) -> Self {
        self.labels.push(label.into());
        self.values.push(value);
        self
    }

    /// An exact amount as a bar height (rounded: only the bar's length depends on it).
    pub fn height(amount: Decimal) -> f64 {
        amount.round_dp(4).to_f64().unwrap_or_default()
    }
}

/// A titled chart with its figures as a table inside a `<details>` for screen readers and for
/// anyone who wants the numbers.
#[component]
pub fn ChartFigure(
    title: String,
    /// Unique on the page; also the chart's `data-testid`.
    chart_id: String,
    #[prop(into)] spec: Signal<ChartSpec>,
    /// Controls shown between the title and the chart (series switches).
    #[prop(optional)]
    toolbar: Option<AnyView>,
    /// The data table.
    children: Children,
) -> impl IntoView {
    let locale = use_locale();
    let node = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    // Effects run only in the browser, once hydration or rendering has made the element.
    Effect::new(move |_| {
        let spec = spec.get();
        if let Some(element) = node.get() {
            super::echarts::draw(element.into(), spec);
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = spec;
    view! {
        <figure class="figure">
            <figcaption>
                <h3>{title.clone()}</h3>
            </figcaption>
            {toolbar}
            <div
                node_ref=node
                id=chart_id.clone()
                class="chart"
                data-testid=chart_id
                role="img"
                aria-label=title
            ></div>
            <details class="data-table">
                <summary>{locale.t(Msg::ShowTable)}</summary>
                <div class="table-scroll">{children()}</div>
            </details>
        </figure>
    }
}
