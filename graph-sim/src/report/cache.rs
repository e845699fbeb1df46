//! A small cache of computed reports, so that the pages after the first are slices.
//!
//! Bounded to a few windows (memory stays bounded however many windows clients ask for), and
//! concurrent first requests for one window compute it once.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;
use tokio::task::JoinError;

use super::aggregate::{RowTotals, aggregate};
use crate::data::Dataset;
use crate::window::SecondWindow;

/// Enough for a client paging a few windows in parallel.
const CACHED_WINDOWS: usize = 8;

type Rows = Arc<Vec<RowTotals>>;
type Slot = Arc<OnceCell<Rows>>;

#[derive(Default)]
pub struct ReportCache {
    /// Most recently used first.
    slots: Mutex<VecDeque<(SecondWindow, Slot)>>,
}

impl ReportCache {
    /// The rows of `window`, computed on a blocking thread the first time.
    pub async fn rows(
        &self,
        dataset: &Arc<Dataset>,
        window: SecondWindow,
    ) -> Result<Rows, JoinError> {
        let slot = self.slot(window);
        slot.get_or_try_init(|| {
            let dataset = Arc::clone(dataset);
            async move {
                tokio::task::spawn_blocking(move || Arc::new(aggregate(&dataset, window))).await
            }
        })
        .await
        .cloned()
    }

    fn slot(&self, window: SecondWindow) -> Slot {
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let slot = match slots.iter().position(|(w, _)| *w == window) {
            Some(index) => slots.remove(index).map(|(_, slot)| slot),
            None => None,
        }
        .unwrap_or_default();
        slots.push_front((window, Arc::clone(&slot)));
        slots.truncate(CACHED_WINDOWS);
        slot
    }
}
