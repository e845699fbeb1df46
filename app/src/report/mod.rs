//! Server-side report logic: the service server functions and exports call, its cache, and
//! the pure aggregation behind it.
mod cache;
pub mod compare;
pub mod countries;
pub mod dataset;
mod dims;
pub(crate) mod facts;
pub mod org;
pub mod outlook;
pub mod progress;
mod quota;
pub mod scope;
mod service;
pub mod stored;
pub mod trend;
mod users;

use std::sync::Arc;

pub use cache::CacheSettings;
pub use dataset::RangeData;
pub use quota::{QuotaSettings, Requester};
pub use service::{MAX_WAIT_DAYS, ReportService};

use graph_client::DayRange;

use crate::error::AppError;
use crate::model::DateRange;

/// The one conversion between the page's range and the Graph client's.
impl From<DayRange> for DateRange {
    fn from(range: DayRange) -> Self {
        DateRange {
            from: range.from(),
            to: range.to(),
        }
    }
}

impl TryFrom<DateRange> for DayRange {
    type Error = crate::error::AppError;

    fn try_from(range: DateRange) -> Result<Self, Self::Error> {
        DayRange::new(range.from, range.to)
            .map_err(|error| crate::error::AppError::BadRequest(error.to_string()))
    }
}

/// `range` checked with the one range rule ([`crate::range::check`]) against `today`, as the
/// Graph client's range; a fault is a `BadRequest` saying what is wrong. For the report service
/// and for `dialout-portal fetch`, which has no service.
pub fn check_range(range: DateRange, today: chrono::NaiveDate) -> Result<DayRange, AppError> {
    crate::range::check(range, today)
        .map_err(|problem| AppError::BadRequest(problem.describe(range, today)))
        .and_then(DayRange::try_from)
}

/// The current UTC date, as the service sees it (demo mode pins it to the simulator's).
pub type Today = Arc<dyn Fn() -> chrono::NaiveDate + Send + Sync>;

/// Sets the response's status from the error (400 for a bad range rather than Leptos's default
/// 500), then passes the result on.
pub fn with_status<T>(
    result: Result<T, crate::error::AppError>,
) -> Result<T, crate::error::AppError> {
    if let Err(error) = &result {
        set_response_status(error);
    }
    result
}

/// Gives the current server function's response the error's status (and `Retry-After` when
/// the error says when to try again).
pub fn set_response_status(error: &crate::error::AppError) {
    let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    if let Ok(status) = axum::http::StatusCode::from_u16(error.status_code()) {
        response.set_status(status);
    }
    if let Some(secs) = error.retry_after_secs() {
        response.insert_header(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(secs),
        );
    }
}

/// Who the current server function's request comes from (the server's access guard puts it
/// in the request); without one, an anonymous requester shares one budget with all others.
pub fn requester() -> Requester {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Requester>().cloned())
        .unwrap_or_else(Requester::anonymous)
}

/// The report service the server put in the Leptos context; while a page is rendered, as
/// pages use it ([`ReportService::for_page`]).
pub fn service() -> Result<ReportService, crate::error::AppError> {
    let service = leptos::prelude::use_context::<ReportService>().ok_or_else(|| {
        crate::error::AppError::Internal("the report service is not configured".into())
    })?;
    Ok(if renders_page() {
        service.for_page()
    } else {
        service
    })
}

/// Whether the server functions run inside a page's render (the request is the page's) rather
/// than being called by the browser (`/api/…`).
fn renders_page() -> bool {
    leptos::prelude::use_context::<http::request::Parts>()
        .is_some_and(|parts| !parts.uri.path().starts_with("/api/"))
}
