//! The dial-out report kept per UTC day, and the job that keeps it in step with Graph.
//!
//! Graph's report is additive per day and a day stops changing once Graph's lag (24-48 h) has
//! passed, so each day is read from Graph once (days within the lag again until final) and
//! kept: an embedded SQLite file by default, through sqlx (its driver and migrator serve
//! PostgreSQL the same way, for several instances sharing one database: `shared.rs`). No Leptos: the portal's report service reads [`History`].
mod assemble;
mod copy;
mod day;
mod db;
mod directory;
mod error;
mod history;
mod keys;
mod packed;
mod shared;
mod sign_in;
mod store;
mod sync;

pub use assemble::{KeyTotals, RowSum, merge_day_keys, merge_days};
pub use copy::{CopyReport, copy_store};
pub use day::{DayRow, DayState, StoredDay};
pub use db::{is_postgres, without_password};
pub use directory::{DIRECTORY_RETRY_AFTER_FAILURE, DirectorySnapshot};
pub use error::StoreError;
pub use history::{History, HistoryError, SyncSettings, Today};
pub use keys::{KeyTable, ReportKey};
pub use store::{FetchedDay, Store, sqlite_path};
pub use sync::{HistoryReport, SyncRun, SyncStatus};
