//! The users table and one user's drill-down.
mod api;
mod detail;
mod filters;
mod table;

pub use api::*;
pub use detail::UserDetailPage;
pub use table::UsersTable;
