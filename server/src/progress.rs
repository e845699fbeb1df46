//! `GET /events/progress?from=YYYY-MM-DD&to=YYYY-MM-DD`: server-sent events following the fetch
//! of a range. Each event is a plain `message` whose data is the `FetchStatus` as JSON: `state`
//! `fetching` with pages and rows so far, then one `done` or `failed`, after which the stream
//! ends. When no fetch of the range is running (it is cached, or nobody asked for it yet) it
//! sends one `idle` status and ends. A browser's `EventSource` reconnects when a stream ends:
//! close it once the state is not `fetching`.
use std::convert::Infallible;

use app::error::AppError;
use app::model::{FetchState, FetchStatus};
use app::report::{ReportService, Requester};
use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::HeaderName;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, BoxStream, Stream, StreamExt};
use tokio::sync::watch;

use crate::export::Asker;
use crate::range_query::range_from_query;

pub async fn progress(
    State(service): State<ReportService>,
    asker: Asker,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let range = range_from_query(&service, query.as_deref())?;
    let requester = asker.map_or_else(Requester::anonymous, |Extension(requester)| requester);
    // The pages and rows read are the whole organisation's: a scoped requester follows the
    // days (windows) only.
    let scoped = service.scope_of(&requester).people().is_some();
    let statuses: BoxStream<'static, FetchStatus> = match service.progress(range) {
        Some(receiver) => follow(receiver).boxed(),
        None => stream::once(async { FetchStatus::default() }).boxed(),
    };
    let statuses = statuses.map(move |status| {
        if scoped {
            FetchStatus {
                pages: 0,
                rows: 0,
                ..status
            }
        } else {
            status
        }
    });
    let events = statuses.map(|status| Ok::<_, Infallible>(event(&status)));
    Ok((
        // Tells a buffering reverse proxy (nginx) to pass each event on at once.
        [(HeaderName::from_static("x-accel-buffering"), "no")],
        Sse::new(events).keep_alive(KeepAlive::default()),
    )
        .into_response())
}

/// The current status, then every change, up to and including the first that is not
/// `fetching`.
fn follow(receiver: watch::Receiver<FetchStatus>) -> impl Stream<Item = FetchStatus> {
    stream::unfold(Some((receiver, true)), |state| async move {
        let (mut receiver, first) = state?;
        // `changed` still reports a value sent just before the fetch ended and dropped its
        // sender; it fails only when nothing new is left.
        if !first && receiver.changed().await.is_err() {
            return None;
        }
        let status = receiver.borrow_and_update().clone();
        let next = (status.state == FetchState::Fetching).then_some((receiver, false));
        Some((status, next))
    })
}

fn event(status: &FetchStatus) -> Event {
    Event::default().json_data(status).unwrap_or_else(|_| {
        // Not reachable for this plain struct; a client still learns the fetch is over.
        Event::default().data(r#"{"state":"failed"}"#)
    })
}
