//! What a chart shows, as plain data: the page builds it, [`super::chart::ChartFigure`] frames
//! it with its data table, and the browser-only renderer (`echarts.rs`) draws it.
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

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
