//! What the figures are and how fresh: the period, "data as of" with Graph's 24–48 h lag, a
//! refresh button and the CSV/XLSX downloads of the range.
use chrono::NaiveDate;
use leptos::prelude::*;

use super::api::refresh_range;
use crate::i18n::{Msg, use_locale};
use crate::model::DateRange;

#[component]
pub fn StatusBar(today: NaiveDate, range: DateRange, version: RwSignal<u32>) -> impl IntoView {
    let locale = use_locale();
    let refreshing = RwSignal::new(false);
    let refresh = move |_| {
        refreshing.set(true);
        leptos::task::spawn_local(async move {
            if let Err(error) = refresh_range(range.from.into(), range.to.into()).await {
                leptos::logging::warn!("refresh failed: {error}");
            }
            refreshing.try_set(false);
            version.try_update(|version| *version += 1);
        });
    };
    let export = |ext: &str| format!("/export/dialout.{ext}?from={}&to={}", range.from, range.to);
    // The workbook is written in the page's language; the CSV keeps Graph's names.
    let workbook = format!("{}&lang={}", export("xlsx"), locale.tag());
    view! {
        <div class="status">
            <div>
                <p class="period" data-testid="period">
                    {locale.date_range(range.from, range.to)}
                    " (UTC)"
                </p>
                <p class="as-of" data-testid="as-of">
                    <strong>{locale.t(Msg::DataAsOf)} " " {locale.date(today)} " (UTC)."</strong>
                    " "
                    {locale.t(Msg::LagNote)}
                </p>
            </div>
            <div class="actions">
                <button type="button" on:click=refresh disabled=move || refreshing.get()>
                    {locale.t(Msg::Refresh)}
                </button>
                <a class="button" href=export("csv") download rel="external">
                    {locale.t(Msg::DownloadCsv)}
                </a>
                <a class="button" href=workbook download rel="external">
                    {locale.t(Msg::DownloadXlsx)}
                </a>
            </div>
        </div>
    }
}
