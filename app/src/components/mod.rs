//! Small pieces every page uses: charts with their data-table alternative, figure cards, the
//! error notice, the progress of a fetch or of the sync.
mod breakdown;
mod card;
mod change;
mod chart;
mod chart_spec;
#[cfg(feature = "hydrate")]
pub mod echarts;
mod error_notice;
mod get_form;
mod progress;
mod spend_figures;
mod totals_table;
mod trend;

pub use breakdown::{BreakdownFigure, Dimension};
pub use card::Card;
pub use change::{ChangeCell, ChangeLine};
pub use chart::ChartFigure;
pub use chart_spec::{ChartKind, ChartSpec};
pub use error_notice::ErrorNotice;
pub use get_form::GetForm;
pub use progress::{ProgressBar, SyncProgress};
pub use spend_figures::SpendFigures;
pub use totals_table::{TotalsRow, TotalsTable};
pub use trend::TrendFigure;
