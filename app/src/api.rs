//! Server functions more than one page calls: the server's today, what the page says about
//! the data source, and the spend trend (of everyone, or of one user). Thin: take the report
//! service from context, call it.
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Trend;
use crate::range::Day;

/// Per-currency series of charge, minutes and calls per day or week; one user's when given.
#[server(endpoint = "trend")]
pub async fn get_trend(from: Day, to: Day, user_id: Option<String>) -> Result<Trend, AppError> {
    let range = Day::range(from, to);
    let user_id = user_id.as_deref();
    let requester = crate::report::requester();
    crate::report::with_status(
        async {
            crate::report::service()?
                .trend(range, user_id, &requester)
                .await
        }
        .await,
    )
}

/// The server's current UTC date (the simulator's in demo mode), for scripts and checks; a
/// page reads it from `<html data-today>` (see `layout::use_today`).
#[server(endpoint = "today")]
pub async fn get_today() -> Result<Day, AppError> {
    crate::report::with_status(crate::report::service().map(|service| Day(service.today())))
}

/// What the page tells the manager about the data source: demo data, and the server's date.
#[server(endpoint = "portal")]
pub async fn get_portal_info() -> Result<crate::model::PortalInfo, AppError> {
    let service = crate::report::with_status(crate::report::service())?;
    let demo = use_context::<crate::model::PortalMode>() == Some(crate::model::PortalMode::Demo);
    // The server's sign-in check puts the user in the request (see the server's `auth`).
    let user = use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .extensions
            .get::<crate::model::SignedInUser>()
            .cloned()
    });
    Ok(crate::model::PortalInfo {
        demo,
        today: service.today(),
        user,
    })
}
