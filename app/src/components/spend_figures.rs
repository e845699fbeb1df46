//! The figures every spend view shows for one currency: its trend, the domestic/international
//! split and the split by usage location — for the whole organisation or for one user.
use leptos::prelude::*;

use super::{BreakdownFigure, Dimension, TrendFigure};
use crate::i18n::{Msg, use_locale};
use crate::model::{Breakdown, Bucket, CurrencySeries};

#[component]
pub fn SpendFigures(
    /// The trend chart's title.
    trend_title: Msg,
    /// Start of every chart id (`chart`, `chart-user`): ids stay unique on the page.
    id_prefix: &'static str,
    currency: String,
    series: Option<CurrencySeries>,
    bucket: Bucket,
    by_destination: Vec<Breakdown>,
    by_location: Vec<Breakdown>,
    /// Figures shown after these (the top users).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let locale = use_locale();
    let id = |what: &str| format!("{id_prefix}-{what}-{currency}");
    view! {
        <div class="figures">
            {series
                .map(|series| {
                    view! {
                        <TrendFigure
                            title=locale.t(trend_title).to_string()
                            chart_id=id("trend")
                            series
                            bucket
                        />
                    }
                })}
            <BreakdownFigure
                title=locale.t(Msg::DomesticVsInternational).to_string()
                chart_id=id("destination")
                currency=currency.clone()
                dimension=Dimension::Destination
                rows=by_destination
            />
            <BreakdownFigure
                title=locale.t(Msg::ByLocation).to_string()
                chart_id=id("location")
                currency=currency.clone()
                dimension=Dimension::Location
                rows=by_location
            />
            {children.map(|children| children())}
        </div>
    }
}
