//! The dashboard's own server functions. Thin: take the report service from context, call it.
//! Those the users' pages share are in [`crate::api`].
use crate::range::Day;
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Summary;

/// Per-currency totals, destination and location splits and top users for a range.
#[server(endpoint = "summary")]
pub async fn get_summary(from: Day, to: Day) -> Result<Summary, AppError> {
    let range = Day::range(from, to);
    crate::report::with_status(
        async {
            crate::report::service()?
                .summary(range, &crate::report::requester())
                .await
        }
        .await,
    )
}

/// Forgets the cached report for a range so the next request fetches it again.
#[server(endpoint = "refresh")]
pub async fn refresh_range(from: Day, to: Day) -> Result<(), AppError> {
    let range = Day::range(from, to);
    crate::report::with_status(async { crate::report::service()?.refresh(range).await }.await)
}
