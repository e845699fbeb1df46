//! The users table and one user's drill-down.
mod api;
mod detail;
mod filters;
mod links;
#[cfg(feature = "ssr")]
mod org_options;
mod table;

pub use api::*;
pub use detail::UserDetailPage;
pub use links::{user_href, user_label};
pub use table::UsersTable;
