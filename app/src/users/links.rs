//! How a user is named and linked to, wherever a user appears (the users table, the top users).
use crate::i18n::{Locale, Msg};
use crate::model::UserSpend;
use crate::query::{PageQuery, encode};

/// The name a user is shown by: display name, else UPN, else id.
pub fn user_label(locale: Locale, user: &UserSpend) -> String {
    user.display_name
        .clone()
        .or_else(|| user.user_principal_name.clone())
        .unwrap_or_else(|| format!("{} {}", locale.t(Msg::Unnamed), user.user_id))
}

/// The drill-down of a user, keeping the dashboard's range and filters.
pub fn user_href(query: &PageQuery, user_id: &str) -> String {
    query.href(&format!("/users/{}", encode(user_id)))
}
