//! The dashboard: the period, per-currency cards and charts, and the users table.
mod api;
mod currency;
mod glance;
#[cfg(feature = "ssr")]
mod markup;
#[cfg(feature = "ssr")]
mod notes;
#[cfg(feature = "ssr")]
mod organisation;
#[cfg(feature = "ssr")]
mod outlook;
mod range_picker;
#[cfg(feature = "ssr")]
mod server;
mod status;
mod top_users;
mod view;

pub use api::*;
#[cfg(feature = "ssr")]
pub use server::DashboardCache;
pub use view::DashboardPage;
