//! The dashboard's figures assembled from the report service's answers (server only): every
//! currency's glance row with its trend's line, ranked without comparing amounts, and the one
//! currency the page details.
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::api::DashboardFigures;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::model::{CurrencyGlance, DateRange, Summary, Trend, TrendPoint};
use crate::report::countries::name_locations;
use crate::report::scope::ScopeKey;
use crate::report::{ReportService, Requester};

/// Dashboards already assembled. Every page view asks for one, and assembling it (the summary
/// and the trend copied out of the report cache, both earlier periods compared, a trend line
/// per currency, the month's table rendered) was a few percent of a page's server time. An
/// answer holds while the store holds the same days (its write counter) on the same date;
/// one with days still loading is never kept, so each request can start their fetch again.
#[derive(Clone)]
pub struct DashboardCache(moka::sync::Cache<DashboardKey, Arc<DashboardFigures>>);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DashboardKey {
    range: DateRange,
    spend: Option<String>,
    lang: Locale,
    store_version: u64,
    today: NaiveDate,
    /// Learnt from Graph without a day stored: the history line says it.
    retention_floor: Option<NaiveDate>,
    /// Whose spend (`None`: everyone's).
    scope: Option<ScopeKey>,
}

impl Default for DashboardCache {
    fn default() -> Self {
        DashboardCache(
            moka::sync::Cache::builder()
                .max_capacity(256)
                .time_to_live(Duration::from_secs(600))
                .build(),
        )
    }
}

/// The dashboard of `range`, from `cache` when it holds it.
pub async fn dashboard(
    service: &ReportService,
    cache: Option<&DashboardCache>,
    range: DateRange,
    spend: Option<String>,
    lang: Locale,
    requester: &Requester,
) -> Result<DashboardFigures, AppError> {
    let scope = service.scope_of(requester);
    // Taken before building: a day stored meanwhile leaves this answer under the old counter.
    let key = DashboardKey {
        scope: scope.key(),
        range,
        spend,
        lang,
        store_version: service.history().store().version(),
        today: service.today(),
        retention_floor: service.history().retention_floor(),
    };
    if let Some(held) = cache.and_then(|cache| cache.0.get(&key)) {
        return Ok(DashboardFigures::clone(&held));
    }
    let summary = service.summary(range, requester).await?;
    let trend = service.trend(range, None, requester).await?;
    let mut built = figures(summary, trend, key.spend.as_deref(), lang, key.today);
    // The month's outlook and the spend by organisation are extra: a range's figures never
    // fail for their sake (but an answer without one is not kept).
    let mut complete = true;
    if let Some(people) = scope.people() {
        built.scope = super::notes::scope_html(people, lang);
    }
    match service.month_outlook(requester).await {
        Ok(outlook) => built.sections = super::outlook::outlook_html(&outlook, lang),
        Err(error) => {
            complete = false;
            tracing::warn!(%error, "the month's outlook could not be read");
        }
    }
    if let Some(currency) = built
        .detailed
        .as_ref()
        .map(|detailed| detailed.currency.clone())
    {
        match organisation(service, range, requester).await {
            Ok(spend) => built
                .sections
                .push_str(&super::organisation::organisation_html(
                    &spend, &currency, range, lang,
                )),
            Err(error) => {
                complete = false;
                tracing::warn!(%error, "the spend by organisation could not be read");
            }
        }
    }
    if let Some(cache) = cache.filter(|_| complete && built.missing.is_empty()) {
        cache.0.insert(key, Arc::new(built.clone()));
    }
    Ok(built)
}

/// A sparkline's box: wide and flat, stretched to its cell (`preserveAspectRatio="none"`),
/// with room above and below so the stroke is never cut.
const WIDTH: i64 = 1000;
const HEIGHT: i64 = 240;
const MARGIN: i64 = 20;

/// The range's spend by each grouping the page shows.
async fn organisation(
    service: &ReportService,
    range: DateRange,
    requester: &Requester,
) -> Result<Vec<crate::report::org::OrgSpend>, AppError> {
    let mut spend = Vec::new();
    for dimension in super::organisation::SHOWN {
        spend.push(service.spend_by(range, dimension, requester).await?);
    }
    Ok(spend)
}

/// What the dashboard shows of `summary` and `trend` (the same range), detailing `spend` when
/// it has spend in the range (else the busiest currency), its usage locations named in `lang`.
pub fn figures(
    summary: Summary,
    trend: Trend,
    spend: Option<&str>,
    lang: Locale,
    today: NaiveDate,
) -> DashboardFigures {
    // A year earlier that is the period before (a range of twelve months) is said once.
    let previous_range = summary.previous.as_ref().map(|previous| previous.range);
    let year_earlier =
        (summary.year_earlier.clone()).filter(|year| Some(year.range) != previous_range);
    let notes = super::notes::notes_html(
        summary.range,
        summary.history.as_ref(),
        summary.previous.as_ref(),
        year_earlier.as_ref(),
        !summary.missing.is_empty(),
        today,
        lang,
    );
    let mut detailed = summary.detailed_currency(spend).cloned();
    if let Some(detailed) = detailed.as_mut() {
        name_locations(&mut detailed.by_location, lang);
    }
    let mut glance: Vec<CurrencyGlance> = summary
        .currencies
        .iter()
        .map(|currency| CurrencyGlance {
            spark: trend
                .currencies
                .iter()
                .find(|series| series.currency == currency.currency)
                .map(|series| spark_svg(&series.points))
                .unwrap_or_default(),
            ..CurrencyGlance::from(currency)
        })
        .collect();
    order_rows(&mut glance);
    let series = detailed.as_ref().and_then(|detailed| {
        trend
            .currencies
            .into_iter()
            .find(|series| series.currency == detailed.currency)
    });
    DashboardFigures {
        range: summary.range,
        glance,
        detailed,
        series,
        bucket: trend.bucket,
        incomplete_rows: summary.incomplete_rows,
        repeated_rows: summary.repeated_rows,
        missing: summary.missing,
        previous: summary.previous,
        year_earlier,
        sections: String::new(),
        scope: String::new(),
        notes,
    }
}

/// Most calls first, then most users, then by code: an order that never compares amounts of
/// different currencies.
pub fn order_rows(rows: &mut [CurrencyGlance]) {
    rows.sort_by(|a, b| {
        (b.totals.calls, b.users)
            .cmp(&(a.totals.calls, a.users))
            .then_with(|| a.currency.cmp(&b.currency))
    });
}

/// A currency's trend as a small SVG line for its glance row: written here, so the browser
/// draws it from markup and carries no SVG code of its own. Decorative (`aria-hidden`): the
/// row's change and the trend chart say the same in words and numbers. Digits only come in.
pub fn spark_svg(points: &[TrendPoint]) -> String {
    let points = spark_points(points);
    if points.is_empty() {
        return String::new();
    }
    format!(
        r#"<svg class="spark" viewBox="0 0 {WIDTH} {HEIGHT}" preserveAspectRatio="none" aria-hidden="true" focusable="false"><polyline points="{points}"/></svg>"#
    )
}

/// A series' charge per day of each bucket as a polyline's points: a bucket the range cuts is
/// averaged over its own days, so a partial week or month does not look like a drop. Whole
/// numbers only; empty for an empty series.
fn spark_points(points: &[TrendPoint]) -> String {
    let per_day: Vec<f64> = points
        .iter()
        .map(|point| {
            let days = DateRange {
                from: point.from,
                to: point.to,
            }
            .days()
            .max(1);
            (point.totals.charge / Decimal::from(days))
                .to_f64()
                .unwrap_or_default()
        })
        .collect();
    let low = per_day.iter().copied().fold(0.0, f64::min);
    let high = per_day.iter().copied().fold(0.0, f64::max);
    let span = if high > low { high - low } else { 1.0 };
    let y = |value: f64| {
        let drawn = ((value - low) / span * (HEIGHT - 2 * MARGIN) as f64).round() as i64;
        HEIGHT - MARGIN - drawn
    };
    match per_day.as_slice() {
        [] => String::new(),
        // One bucket: a level line across.
        [only] => format!("0,{y} {WIDTH},{y}", y = y(*only)),
        many => {
            let last = (many.len() - 1) as i64;
            many.iter()
                .enumerate()
                .map(|(index, value)| format!("{},{}", index as i64 * WIDTH / last, y(*value)))
                .collect::<Vec<_>>()
                .join(" ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Totals;
    use chrono::NaiveDate;

    fn row(currency: &str, calls: u64, users: u64, charge: i64) -> CurrencyGlance {
        CurrencyGlance {
            currency: currency.into(),
            totals: Totals {
                calls,
                seconds: 0,
                charge: charge.into(),
            },
            users,
            ..CurrencyGlance::default()
        }
    }

    #[test]
    fn ranks_by_calls_then_users_never_by_amounts() {
        let mut rows = vec![
            row("JPY", 5, 2, 90_000),
            row("EUR", 9, 1, 10),
            row("GBP", 5, 3, 20),
            row("BRL", 5, 2, 30),
        ];
        order_rows(&mut rows);
        let order: Vec<&str> = rows.iter().map(|r| r.currency.as_str()).collect();
        assert_eq!(order, ["EUR", "GBP", "BRL", "JPY"]);
    }

    fn point(from: (u32, u32), to: (u32, u32), charge: i64) -> TrendPoint {
        let day = |(m, d)| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        TrendPoint {
            from: day(from),
            to: day(to),
            totals: Totals {
                charge: charge.into(),
                ..Totals::default()
            },
        }
    }

    #[test]
    fn draws_the_charge_per_day_from_bottom_to_top() {
        let days = [
            point((3, 1), (3, 1), 0),
            point((3, 2), (3, 2), 10),
            point((3, 3), (3, 3), 5),
        ];
        assert_eq!(spark_points(&days), "0,220 500,20 1000,120");
        assert_eq!(spark_points(&[]), "");
        assert_eq!(spark_points(&days[1..2]), "0,20 1000,20");
    }

    #[test]
    fn a_cut_week_is_drawn_per_day_not_as_a_drop() {
        // 70 over a whole week and 20 over its first two days: both 10 a day.
        let weeks = [point((3, 2), (3, 8), 70), point((3, 9), (3, 10), 20)];
        assert_eq!(spark_points(&weeks), "0,20 1000,20");
    }
}
