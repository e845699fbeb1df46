//! The period: preset links and a custom from–to form. Both only change the URL (so a view is
//! bookmarkable); without WASM the form is a plain GET. The page checks the URL's range and shows
//! the validation message.
use chrono::NaiveDate;
use leptos::prelude::*;

use crate::components::GetForm;
use crate::i18n::{Msg, use_locale};
use crate::model::DateRange;
use crate::query::PageQuery;
use crate::range::{Preset, RangeError, earliest_offered, preset_of};

/// `range`: the page's range (the URL's, checked); the fields show what the URL says, even
/// when it is not a range the page can show, so it can be corrected.
#[component]
pub fn RangePicker(
    today: NaiveDate,
    query: Memo<PageQuery>,
    range: Memo<Result<DateRange, RangeError>>,
    #[prop(into)] invalid: Signal<bool>,
) -> impl IntoView {
    let locale = use_locale();
    let texts = Memo::new(move |_| {
        query.with(PageQuery::requested).unwrap_or_else(|| {
            range.with(|range| {
                range
                    .as_ref()
                    .map(|range| (range.from.to_string(), range.to.to_string()))
                    .unwrap_or_default()
            })
        })
    });
    let current = Memo::new(move |_| {
        range.with(|range| range.ok().and_then(|range| preset_of(range, today)))
    });
    // The pickers offer the days a range can have: none after today, none before the longest
    // range ending today could reach.
    let latest = today.to_string();
    let earliest = earliest_offered(today).to_string();
    let presets = Preset::ALL
        .into_iter()
        .map(|preset| {
            let range = preset.range(today);
            view! {
                <li>
                    <a
                        class="chip"
                        href=move || query.with(|q| q.with_range(range).href("/"))
                        aria-current=move || (current.get() == Some(preset)).then_some("true")
                    >
                        {locale.t(preset.label())}
                    </a>
                </li>
            }
        })
        .collect_view();
    // A new range keeps the display settings and the detailed currency (which the page can
    // switch without rendering this again; a disabled input is not sent).
    let hidden = query
        .get_untracked()
        .sticky
        .into_iter()
        .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
        .collect_view();
    let spend = move || query.with(|query| query.spend.clone());
    let aria_invalid = move || invalid.get().then_some("true");
    let described = move || invalid.get().then_some("range-error");
    view! {
        <section class="range" aria-labelledby="range-heading">
            <h2 id="range-heading" class="visually-hidden">
                {locale.t(Msg::Period)}
            </h2>
            <nav aria-label=locale.t(Msg::QuickRanges)>
                <ul class="presets">{presets}</ul>
            </nav>
            <GetForm action="/">
                <div class="range-form">
                    <div class="field">
                        <label for="range-from">{locale.t(Msg::From)}</label>
                        <input
                            id="range-from"
                            type="date"
                            name="from"
                            min=earliest.clone()
                            max=latest.clone()
                            value=texts.get_untracked().0
                            prop:value=move || texts.get().0
                            aria-invalid=aria_invalid
                            aria-describedby=described
                        />
                    </div>
                    <div class="field">
                        <label for="range-to">{locale.t(Msg::To)}</label>
                        <input
                            id="range-to"
                            type="date"
                            name="to"
                            min=earliest.clone()
                            max=latest.clone()
                            value=texts.get_untracked().1
                            prop:value=move || texts.get().1
                            aria-invalid=aria_invalid
                            aria-describedby=described
                        />
                    </div>
                    <input
                        type="hidden"
                        name="spend"
                        prop:value=move || spend().unwrap_or_default()
                        value=spend
                        disabled=move || spend().is_none()
                    />
                    {hidden}
                    <button type="submit" class="primary">
                        {locale.t(Msg::Apply)}
                    </button>
                </div>
            </GetForm>
        </section>
    }
}
