//! Spend over time for one currency, with cost, call duration and calls as switchable series
//! (the admin center's three tabs), and every bucket in a table.
use chrono::Datelike;
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

    /// The chart of this metric over `points`, each bar labelled and its tooltip titled with
    /// its period, partial buckets marked.
    fn chart(self, locale: Locale, currency: &str, buckets: &Buckets) -> ChartSpec {
        let spec = match self {
            Metric::Cost => {
                ChartSpec::money(ChartKind::Columns, locale.t(Msg::Cost), currency, locale)
            }
            Metric::Duration => {
                ChartSpec::counts(ChartKind::Columns, locale.t(Msg::Minutes), locale)
            }
            Metric::Calls => ChartSpec::counts(ChartKind::Columns, locale.t(Msg::Calls), locale),
        };
        buckets.points.iter().fold(spec, |spec, point| {
            let label = buckets.label(locale, point);
            let spec = match self {
                Metric::Cost => spec.amount(label, point.totals.charge),
                Metric::Duration => spec.count(label, point.totals.minutes()),
                Metric::Calls => spec.count(label, point.totals.calls),
            }
            .titled(period(locale, point));
            match buckets.partial_note(locale, point) {
                Some(note) => spec.partial(note),
                None => spec,
            }
        })
    }
}

/// A series' points with what their labels need to know.
struct Buckets {
    bucket: Bucket,
    points: Vec<TrendPoint>,
    /// The range spans two calendar years: labels carry the year.
    with_year: bool,
    today: chrono::NaiveDate,
}

impl Buckets {
    /// What a bucket the range cuts says of itself: the month under way is month-to-date,
    /// any other is partial.
    fn partial_note(&self, locale: Locale, point: &TrendPoint) -> Option<String> {
        let (days, full) = point.partial(self.bucket)?;
        Some(
            if self.bucket == Bucket::Month
                && crate::range::is_month_to_date(point.from, point.to, self.today)
            {
                locale.month_to_date(days, full)
            } else {
                locale.partial_days(days, full)
            },
        )
    }

    fn new(bucket: Bucket, points: Vec<TrendPoint>, today: chrono::NaiveDate) -> Self {
        let with_year = match (points.first(), points.last()) {
            (Some(first), Some(last)) => first.from.year() != last.to.year(),
            _ => false,
        };
        Self {
            bucket,
            points,
            with_year,
            today,
        }
    }

    /// The axis label: `Nov 28`, `Nov 24–Nov 30`, `Nov` (`Dec 29–Jan 4, 2026`, `Nov 2025`
    /// when the range spans two years).
    fn label(&self, locale: Locale, point: &TrendPoint) -> String {
        let day = |date| {
            if self.with_year {
                locale.date(date)
            } else {
                locale.short_date(date)
            }
        };
        match self.bucket {
            Bucket::Day => day(point.from),
            Bucket::Week => format!("{}–{}", locale.short_date(point.from), day(point.to)),
            Bucket::Month => locale.month(point.from, self.with_year),
        }
    }
}

/// A point's period in full, for its tooltip and its table row.
fn period(locale: Locale, point: &TrendPoint) -> String {
    if point.from == point.to {
        locale.date(point.from)
    } else {
        locale.date_range(point.from, point.to)
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
    let buckets = StoredValue::new(Buckets::new(
        bucket,
        series.points.clone(),
        crate::layout::use_today(),
    ));
    let spec = Signal::derive(move || {
        let metric = metric.get();
        buckets.with_value(|buckets| metric.chart(locale, &currency, buckets))
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
            let label = buckets.with_value(|buckets| match buckets.partial_note(locale, point) {
                Some(note) => format!("{} ({note})", period(locale, point)),
                None => period(locale, point),
            });
            TotalsRow {
                label: label.into_any(),
                totals: point.totals.clone(),
            }
        })
        .collect();
    view! {
        <ChartFigure title=title.clone() chart_id spec toolbar=Some(toolbar)>
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
