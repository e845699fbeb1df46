//! The lines above the dashboard's figures that only say something (whose people the page
//! shows, how far the kept history reaches, what the changes compare with): written to HTML on
//! the server, so their texts and the code that words them stay out of the browser bundle.
use chrono::NaiveDate;
use leptos::prelude::*;

use crate::i18n::{Locale, Msg};
use crate::model::{DateRange, EarlierPeriod, HistoryStatus};
use crate::report::scope::People;

/// Whose people a scoped page shows, and that its totals are theirs.
pub fn scope_html(people: &People, locale: Locale) -> String {
    view! { <p class="notice scope" data-testid="scope">{locale.scope_note(people)}</p> }.to_html()
}

/// The history line and, for a range with a period before it, what the changes compare with.
pub fn notes_html(
    range: DateRange,
    history: Option<&HistoryStatus>,
    previous: Option<&EarlierPeriod>,
    year_earlier: Option<&EarlierPeriod>,
    missing: bool,
    today: NaiveDate,
    locale: Locale,
) -> String {
    let history = history.map(|status| {
        view! { <p class="history" data-testid="history">{locale.history(status)}</p> }
    });
    let compared = crate::range::previous_period(range).map(|before| {
        // Days still loading, or within Graph's lag: the period's figures, and so its changes,
        // may still grow.
        let growing = previous.is_some()
            && (missing || today - range.to <= chrono::TimeDelta::days(2));
        view! {
            <p class="history" data-testid="compared-with">
                {locale.compared_with(before, previous.is_some(), year_earlier.map(|year| year.range))}
                {growing.then(|| locale.t(Msg::ChangesStillGrowing))}
            </p>
        }
    });
    view! { {history} {compared} }.to_html()
}
