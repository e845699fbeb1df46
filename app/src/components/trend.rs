//! Spend over time for one currency, with cost, call duration and calls as switchable series
//! (the admin center's three tabs), and every bucket in a table.
use leptos::prelude::*;

use super::{ChartFigure, ChartKind, ChartSpec, TotalsRow, TotalsTable};
use crate::i18n::{Locale, Msg, use_locale};
use crate::model::{Bucket, CurrencySeries, TrendPoint};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Metric {
    Cost,
    Duration,
    Calls,
}

impl Metric {
    const ALL: [Metric; 3] = [Metric::Cost, Metric::Duration, Metric::Calls];

    fn label(self) -> Msg {
        match self {
            Metric::Cost => Msg::Cost,
            Metric::Duration => Msg::CallDuration,
            Metric::Calls => Msg::Calls,
        }
    }

    fn value(self, point: &TrendPoint) -> f64 {
        match self {
            Metric::Cost => ChartSpec::height(point.totals.charge),
            Metric::Duration => point.totals.minutes() as f64,
            Metric::Calls => point.totals.calls as f64,
        }
    }

    fn series(self, locale: Locale, currency: &str) -> String {
        match self {
            Metric::Cost => format!("{} ({currency})", locale.t(Msg::Cost)),
            Metric::Duration => locale.t(Msg::Minutes).to_string(),
            Metric::Calls => locale.t(Msg::Calls).to_string(),
        }
    }
}

fn bucket_label(locale: Locale, bucket: Bucket, point: &TrendPoint) -> String {
    match bucket {
        Bucket::Day => locale.short_date(point.from),
        Bucket::Week => format!(
            "{}–{}",
            locale.short_date(point.from),
            locale.short_date(point.to)
        ),
    }
}

#[component]
pub fn TrendFigure(
    title: String,
    chart_id: String,
    series: CurrencySeries,
    bucket: Bucket,
) -> impl IntoView {
    let locale = use_locale();
    let metric = RwSignal::new(Metric::Cost);
    let currency = series.currency.clone();
    let points = StoredValue::new(series.points.clone());
    let spec = Signal::derive(move || {
        let metric = metric.get();
        points.with_value(|points| {
            points.iter().fold(
                ChartSpec::new(ChartKind::Columns, metric.series(locale, &currency)),
                |spec, point| spec.point(bucket_label(locale, bucket, point), metric.value(point)),
            )
        })
    });
    let toolbar = view! {
        <div class="segmented" role="group" aria-label=locale.t(Msg::Series)>
            {Metric::ALL
                .into_iter()
                .map(|m| {
                    view! {
                        <button
                            type="button"
                            aria-pressed=move || (metric.get() == m).to_string()
                            on:click=move |_| metric.set(m)
                        >
                            {locale.t(m.label())}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
    .into_any();
    let currency = series.currency.clone();
    let rows = series
        .points
        .iter()
        .map(|point| {
            let period = if point.from == point.to {
                locale.date(point.from)
            } else {
                locale.date_range(point.from, point.to)
            };
            TotalsRow {
                label: period.into_any(),
                totals: point.totals.clone(),
            }
        })
        .collect();
    view! {
        <ChartFigure title=title.clone() chart_id spec toolbar>
            <TotalsTable
                caption=title
                label_header=locale.t(Msg::Period)
                charge_header=Msg::Cost
                currency
                rows
            />
        </ChartFigure>
    }
}
