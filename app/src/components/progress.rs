//! A progress bar while a report fetch runs: the server streams the fetch's status as
//! server-sent events (/events/progress), read with gloo-net's EventSource.
use leptos::prelude::*;

use crate::i18n::{Msg, use_locale};
use crate::model::{DateRange, FetchStatus};

#[component]
pub fn ProgressBar(pending: ReadSignal<bool>, range: Signal<Option<DateRange>>) -> impl IntoView {
    let locale = use_locale();
    let status = RwSignal::new(None::<FetchStatus>);
    #[cfg(feature = "hydrate")]
    follow(pending.into(), range, status);
    #[cfg(not(feature = "hydrate"))]
    let _ = range;
    let text = move || match status.get() {
        Some(status) if status.pages > 0 => locale.fetch_progress(status.pages, status.rows),
        _ => locale.t(Msg::Loading).to_string(),
    };
    let max = move || {
        status
            .get()
            .map_or(1, |s| s.windows_total.max(1))
            .to_string()
    };
    let value = move || {
        status
            .get()
            .filter(|s| s.windows_total > 0)
            .map(|s| s.windows_done.to_string())
    };
    view! {
        <Show when=move || pending.get()>
            <div class="progress" role="status" data-testid="progress">
                <span id="fetch-progress-label">{text}</span>
                <progress aria-labelledby="fetch-progress-label" max=max value=value></progress>
            </div>
        </Show>
    }
}

/// While some days of the range are still loading through the sync: how many have arrived,
/// and when all have, the page's figures load again (`version`).
#[component]
pub fn SyncProgress(range: DateRange, version: RwSignal<u32>) -> impl IntoView {
    let locale = use_locale();
    let status = RwSignal::new(None::<FetchStatus>);
    #[cfg(feature = "hydrate")]
    {
        follow(Signal::stored(true), Signal::stored(Some(range)), status);
        Effect::new(move |_| {
            // Done, or over before the stream opened (idle) or failed: the figures are loaded
            // again (the server fetches what is still missing, or says why it cannot).
            if status
                .get()
                .is_some_and(|s| s.state != crate::model::FetchState::Fetching)
            {
                version.update(|version| *version += 1);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (range, version);
    let counts = move || status.get().filter(|s| s.windows_total > 0);
    let text = move || match counts() {
        Some(s) => locale.days_loaded(s.windows_done, s.windows_total),
        None => locale.t(Msg::Loading).to_string(),
    };
    let max = move || counts().map_or(1, |s| s.windows_total).to_string();
    let value = move || counts().map(|s| s.windows_done.to_string());
    view! {
        <div class="progress" role="status" data-testid="sync-progress">
            <span id="sync-progress-label">{text}</span>
            <progress aria-labelledby="sync-progress-label" max=max value=value></progress>
        </div>
    }
}

/// Opens the event stream while `pending` is true; dropping the EventSource closes it.
#[cfg(feature = "hydrate")]
fn follow(
    pending: Signal<bool>,
    range: Signal<Option<DateRange>>,
    status: RwSignal<Option<FetchStatus>>,
) {
    use futures::StreamExt;
    use gloo_net::eventsource::futures::EventSource;

    let source = StoredValue::new_local(None::<EventSource>);
    Effect::new(move |_| {
        let active = pending.get();
        source.set_value(None);
        status.set(None);
        let Some(range) = range.get_untracked().filter(|_| active) else {
            return;
        };
        let url = format!("/events/progress?from={}&to={}", range.from, range.to);
        let Ok(mut events) = EventSource::new(&url) else {
            return;
        };
        let Ok(mut messages) = events.subscribe("message") else {
            return;
        };
        source.set_value(Some(events));
        leptos::task::spawn_local(async move {
            while let Some(Ok((_, event))) = messages.next().await {
                let Some(text) = event.data().as_string() else {
                    continue;
                };
                if let Ok(update) = leptos::serde_json::from_str::<FetchStatus>(&text) {
                    let fetching = update.state == crate::model::FetchState::Fetching;
                    if status.try_set(Some(update)).is_some() || !fetching {
                        break;
                    }
                }
            }
        });
    });
}
