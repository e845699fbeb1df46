//! Server-written markup travels once. The dashboard's read-only sections, notes and trend
//! lines are HTML the server writes into the page; the figures that go into the page's
//! hydration data leave them out (an `inner_html` element keeps its server markup when it is
//! hydrated), so they are not sent a second time as JSON strings. Answers the browser fetches
//! later (another range, a refresh) carry them whole.
use std::sync::{Arc, Mutex};

use super::api::DashboardFigures;

/// A page's server-written markup, held while its figures are serialized without it.
#[derive(Clone, Default)]
pub struct PageMarkup(Arc<Mutex<Option<Markup>>>);

#[derive(Clone, Debug, Default, PartialEq)]
struct Markup {
    sections: String,
    notes: String,
    scope: String,
    /// The glance rows' trend lines, in the rows' order.
    sparks: Vec<String>,
}

impl PageMarkup {
    /// `figures` without their markup, which this keeps for the page's HTML.
    pub fn keep(&self, mut figures: DashboardFigures) -> DashboardFigures {
        let markup = Markup {
            sections: std::mem::take(&mut figures.sections),
            notes: std::mem::take(&mut figures.notes),
            scope: std::mem::take(&mut figures.scope),
            sparks: (figures.glance.iter_mut())
                .map(|row| std::mem::take(&mut row.spark))
                .collect(),
        };
        *self.lock() = Some(markup);
        figures
    }

    /// `figures` (as [`Self::keep`] left them) with the markup back, for the page's HTML.
    pub fn restore(&self, mut figures: DashboardFigures) -> DashboardFigures {
        let Some(markup) = self.lock().clone() else {
            return figures;
        };
        (figures.sections, figures.notes, figures.scope) =
            (markup.sections, markup.notes, markup.scope);
        for (row, spark) in figures.glance.iter_mut().zip(markup.sparks) {
            row.spark = spark;
        }
        figures
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Markup>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Bucket, CurrencyGlance, DateRange};

    #[test]
    fn what_is_kept_out_comes_back_in_place() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let row = |currency: &str, spark: &str| CurrencyGlance {
            currency: currency.into(),
            spark: spark.into(),
            ..CurrencyGlance::default()
        };
        let figures = DashboardFigures {
            range: DateRange { from: day, to: day },
            glance: vec![row("EUR", "<svg>e</svg>"), row("USD", "<svg>u</svg>")],
            detailed: None,
            series: None,
            bucket: Bucket::Day,
            incomplete_rows: 0,
            repeated_rows: 0,
            missing: Vec::new(),
            previous: None,
            year_earlier: None,
            sections: "<section>month</section>".into(),
            scope: "<p>yours</p>".into(),
            notes: "<p>history</p>".into(),
        };
        let markup = PageMarkup::default();
        let sent = markup.keep(figures.clone());
        assert!(sent.sections.is_empty() && sent.notes.is_empty() && sent.scope.is_empty());
        assert!(sent.glance.iter().all(|row| row.spark.is_empty()));
        assert_eq!(markup.restore(sent), figures);
        // Nothing kept: the figures as they are.
        assert_eq!(PageMarkup::default().restore(figures.clone()), figures);
    }
}
