//! What a chart shows, as plain data: the page builds it, [`super::chart::ChartFigure`] frames
//! it with its data table, and the browser-only renderer (`echarts.rs`) draws it. Every text the
//! chart shows (axis ticks, tooltips) is written here, with the page's language and each
//! currency's minor units, not by ECharts.
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::i18n::Locale;
use crate::money::{format_compact, format_money_in};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ChartKind {
    /// Vertical bars over categories (time buckets, destinations).
    #[default]
    Columns,
    /// Horizontal bars, largest first (locations, users).
    Bars,
}

/// Category labels longer than this many characters are cut with an ellipsis on the axis; the
/// tooltip and the data table keep the whole name. About 150 px of axis text: the bars keep
/// most of a 320 px phone's width.
pub const MAX_LABEL_CHARS: usize = 22;

/// One bar.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartPoint {
    /// The axis label (cut to [`MAX_LABEL_CHARS`]).
    pub label: String,
    /// The bar's height. A float because ECharts draws with floats; every figure shown as text
    /// is formatted from the exact decimal.
    pub value: f64,
    /// The tooltip's lines: the whole label, then the value as the page writes it, then any note.
    pub tooltip: Vec<String>,
    /// Drawn apart (lighter, outlined): a bucket with fewer days than its neighbours.
    pub partial: bool,
}

/// What to draw.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartSpec {
    pub kind: ChartKind,
    /// The series' name, shown before the value in tooltips.
    pub series: String,
    /// What the value axis counts: a currency code for money, `None` for counts and minutes.
    pub unit: Option<String>,
    pub locale: Locale,
    pub points: Vec<ChartPoint>,
}

impl ChartSpec {
    /// A chart of amounts in `currency`: the value axis is named by the currency.
    pub fn money(
        kind: ChartKind,
        series: impl Into<String>,
        currency: &str,
        locale: Locale,
    ) -> Self {
        Self {
            kind,
            series: series.into(),
            unit: Some(currency.to_string()),
            locale,
            points: Vec::new(),
        }
    }

    /// A chart of whole numbers (calls, minutes).
    pub fn counts(kind: ChartKind, series: impl Into<String>, locale: Locale) -> Self {
        Self {
            kind,
            series: series.into(),
            unit: None,
            locale,
            points: Vec::new(),
        }
    }

    /// A bar of `amount` in the chart's currency.
    pub fn amount(self, label: impl Into<String>, amount: Decimal) -> Self {
        let currency = self.unit.clone().unwrap_or_default();
        let text = format_money_in(amount, &currency, self.locale);
        // Rounded: only the bar's length depends on it.
        let height = amount.round_dp(4).to_f64().unwrap_or_default();
        self.push(label.into(), height, text)
    }

    /// A bar of a whole number.
    pub fn count(self, label: impl Into<String>, count: u64) -> Self {
        let text = self.locale.format_count(count);
        self.push(label.into(), count as f64, text)
    }

    fn push(mut self, label: String, value: f64, value_text: String) -> Self {
        let tooltip = vec![label.clone(), format!("{}: {value_text}", self.series)];
        self.points.push(ChartPoint {
            label: shorten(&label),
            value,
            tooltip,
            partial: false,
        });
        self
    }

    /// Titles the last bar's tooltip with `title` (a bucket's whole period) instead of its label.
    pub fn titled(mut self, title: impl Into<String>) -> Self {
        if let Some(first) = self.points.last_mut().and_then(|p| p.tooltip.first_mut()) {
            *first = title.into();
        }
        self
    }

    /// Marks the last bar as partial, with `note` (e.g. "partial: 3 of 7 days") in its tooltip.
    pub fn partial(mut self, note: impl Into<String>) -> Self {
        if let Some(point) = self.points.last_mut() {
            point.partial = true;
            point.tooltip.push(note.into());
        }
        self
    }

    /// A value axis tick as the page writes numbers: `10K`, `10 mil`.
    pub fn tick(&self, value: f64) -> String {
        format_compact(value, self.locale)
    }
}

impl ChartPoint {
    /// The tooltip as ECharts shows a formatter's text: HTML, names escaped, lines joined.
    pub fn tooltip_html(&self) -> String {
        let lines: Vec<String> = self
            .tooltip
            .iter()
            .map(|line| crate::html::escape(line))
            .collect();
        lines.join("<br>")
    }
}

/// `label` cut to [`MAX_LABEL_CHARS`] characters, the cut marked with an ellipsis.
pub fn shorten(label: &str) -> String {
    if label.chars().count() <= MAX_LABEL_CHARS {
        return label.to_string();
    }
    let kept: String = label.chars().take(MAX_LABEL_CHARS - 1).collect();
    format!("{}…", kept.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn tooltips_are_the_pages_text_and_names_are_whole_there() {
        let long = "Maria Aparecida dos Santos Oliveira Pereira";
        let spec = ChartSpec::money(ChartKind::Bars, "Cobrança", "JPY", Locale::PtBr)
            .amount(long, Decimal::from_str("21679.4965").unwrap())
            .count("x", 3);
        let point = &spec.points[0];
        assert_eq!(point.label, "Maria Aparecida dos S…");
        assert_eq!(point.label.chars().count(), MAX_LABEL_CHARS);
        assert_eq!(point.tooltip, [long, "Cobrança: JPY 21.679"]);
        assert!((point.value - 21679.4965).abs() < 1e-9);
        assert_eq!(spec.points[1].tooltip[1], "Cobrança: 3");
        assert_eq!(spec.tick(20000.0), "20 mil");
        let hostile = ChartSpec::money(ChartKind::Bars, "Charge", "USD", Locale::En)
            .amount("<script>alert('x')</script>", Decimal::ONE);
        assert_eq!(
            hostile.points[0].tooltip_html(),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;<br>Charge: USD 1.00"
        );
    }

    #[test]
    fn marks_the_last_point_partial() {
        let spec = ChartSpec::counts(ChartKind::Columns, "Calls", Locale::En)
            .count("a", 1)
            .count("b", 2)
            .titled("Nov 30, 2026")
            .partial("partial: 1 of 7 days");
        assert!(!spec.points[0].partial);
        assert!(spec.points[1].partial);
        assert_eq!(
            spec.points[1].tooltip,
            ["Nov 30, 2026", "Calls: 2", "partial: 1 of 7 days"]
        );
        assert_eq!(spec.points[1].label, "b");
        assert_eq!(shorten("short"), "short");
    }
}
