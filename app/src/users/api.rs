//! The users' server functions. Search, filters, sorting and paging run on the server: the
//! browser never receives more than one page.
use crate::range::Day;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::i18n::Locale;
use crate::model::{UserDetail, UserPage, UserQuery};

/// One page of the users table; the organisation filter's choices come in `lang`, the page's
/// language (English when not given).
#[server(endpoint = "users", input = Json)]
pub async fn search_users(query: UserQuery, lang: Option<Locale>) -> Result<UserPage, AppError> {
    crate::report::with_status(
        async {
            let service = crate::report::service()?;
            let (mut page, choices) = service.users(&query, &crate::report::requester()).await?;
            page.org_options = super::org_options::org_options_html(
                &choices,
                query.filters.org.as_deref(),
                lang.unwrap_or_default(),
            );
            Ok(page)
        }
        .await,
    )
}

/// Who the user is, their figures per currency and destination, and their share of each
/// currency's total.
/// Usage locations are named in `lang`, the page's language (English when not given).
#[server(endpoint = "user")]
pub async fn get_user_detail(
    from: Day,
    to: Day,
    user_id: String,
    lang: Option<Locale>,
) -> Result<UserDetail, AppError> {
    let lang = lang.unwrap_or_default();
    let range = Day::range(from, to);
    crate::report::with_status(
        async {
            let requester = crate::report::requester();
            let mut detail = crate::report::service()?
                .user_detail(range, &user_id, &requester)
                .await?;
            for currency in &mut detail.currencies {
                crate::report::countries::name_locations(&mut currency.by_location, lang);
            }
            Ok(detail)
        }
        .await,
    )
}
