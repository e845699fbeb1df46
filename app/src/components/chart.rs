//! A chart described in plain data on both sides: the server renders its frame and data table,
//! the browser draws it with charming (ECharts) once hydrated.
use leptos::prelude::*;

use super::chart_spec::ChartSpec;
use crate::i18n::{Msg, use_locale};

/// A titled chart with its figures as a table inside a `<details>` for screen readers and for
/// anyone who wants the numbers.
#[component]
pub fn ChartFigure(
    title: String,
    /// Unique on the page; also the chart's `data-testid`.
    chart_id: String,
    #[prop(into)] spec: Signal<ChartSpec>,
    /// Shown between the title and the chart: controls (series switches) or a note.
    #[prop(optional_no_strip)]
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
                aria-label=title.clone()
            ></div>
            <details class="data-table">
                <summary>{locale.t(Msg::ShowTable)}</summary>
                // Focusable: a table wider than a phone scrolls inside it, by keyboard too.
                <div class="table-scroll" tabindex="0" role="region" aria-label=title>
                    {children()}
                </div>
            </details>
        </figure>
    }
}
