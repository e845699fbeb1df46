//! Progress of a fetch, reported to the caller's callback after every page and window.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

/// A snapshot of a fetch's progress. Counters only grow; `rows` counts rows as received, before
/// merging.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FetchProgress {
    pub windows_total: usize,
    pub windows_done: usize,
    pub pages: u64,
    pub rows: u64,
    /// Requests retried so far (throttling, transient errors, token refreshes).
    pub retries: u64,
}

impl std::fmt::Display for FetchProgress {
    /// One plain line, e.g. `windows 1/5, pages 12, rows 11000, retries 0`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "windows {}/{}, pages {}, rows {}, retries {}",
            self.windows_done, self.windows_total, self.pages, self.rows, self.retries
        )
    }
}

/// The progress of a range whose windows are fetched separately, each reporting its own
/// [`FetchProgress`] (see [`crate::GraphClient::each_window`]): the sum of the latest of each.
pub struct ProgressSum {
    per_window: Mutex<Vec<FetchProgress>>,
}

impl ProgressSum {
    pub fn new(windows: usize) -> Self {
        Self {
            per_window: Mutex::new(vec![FetchProgress::default(); windows]),
        }
    }

    /// Records window `index`'s latest progress and returns the range's.
    pub fn update(&self, index: usize, progress: FetchProgress) -> FetchProgress {
        // Plain counters: a panic elsewhere cannot leave them inconsistent.
        let mut per_window = self
            .per_window
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(slot) = per_window.get_mut(index) {
            *slot = progress;
        }
        FetchProgress {
            windows_total: per_window.len(),
            windows_done: per_window.iter().map(|p| p.windows_done).sum(),
            pages: per_window.iter().map(|p| p.pages).sum(),
            rows: per_window.iter().map(|p| p.rows).sum(),
            retries: per_window.iter().map(|p| p.retries).sum(),
        }
    }
}

pub(crate) struct ProgressTracker<'a> {
    windows_total: usize,
    windows_done: AtomicUsize,
    pages: AtomicU64,
    rows: AtomicU64,
    retries: AtomicU64,
    sink: &'a (dyn Fn(FetchProgress) + Send + Sync),
}

impl<'a> ProgressTracker<'a> {
    pub(crate) fn new(
        windows_total: usize,
        sink: &'a (dyn Fn(FetchProgress) + Send + Sync),
    ) -> Self {
        Self {
            windows_total,
            windows_done: AtomicUsize::new(0),
            pages: AtomicU64::new(0),
            rows: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            sink,
        }
    }

    pub(crate) fn snapshot(&self) -> FetchProgress {
        FetchProgress {
            windows_total: self.windows_total,
            windows_done: self.windows_done.load(Relaxed),
            pages: self.pages.load(Relaxed),
            rows: self.rows.load(Relaxed),
            retries: self.retries.load(Relaxed),
        }
    }

    pub(crate) fn report(&self) {
        (self.sink)(self.snapshot());
    }

    pub(crate) fn page(&self, rows: usize) {
        self.pages.fetch_add(1, Relaxed);
        self.rows.fetch_add(rows as u64, Relaxed);
        self.report();
    }

    pub(crate) fn retry(&self) {
        self.retries.fetch_add(1, Relaxed);
    }

    pub(crate) fn window_done(&self) {
        self.windows_done.fetch_add(1, Relaxed);
        self.report();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_page_and_window() {
        let seen = Mutex::new(Vec::new());
        let sink = |p: FetchProgress| seen.lock().unwrap().push(p);
        let tracker = ProgressTracker::new(2, &sink);
        tracker.page(1000);
        tracker.retry();
        tracker.page(10);
        tracker.window_done();
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen.len(), 3);
        assert_eq!(
            seen[2].to_string(),
            "windows 1/2, pages 2, rows 1010, retries 1"
        );
        assert_eq!(
            seen[2],
            FetchProgress {
                windows_total: 2,
                windows_done: 1,
                pages: 2,
                rows: 1010,
                retries: 1
            }
        );
    }

    #[test]
    fn sums_the_latest_progress_of_each_window() {
        let sum = ProgressSum::new(2);
        let window = |done, pages, rows| FetchProgress {
            windows_total: 1,
            windows_done: done,
            pages,
            rows,
            retries: 0,
        };
        sum.update(0, window(0, 1, 1000));
        sum.update(1, window(0, 2, 2000));
        let total = sum.update(0, window(1, 3, 2500));
        assert_eq!(
            total,
            FetchProgress {
                windows_total: 2,
                windows_done: 1,
                pages: 5,
                rows: 4500,
                retries: 0
            }
        );
        // A window index past the end is ignored, not a panic.
        assert_eq!(sum.update(7, window(1, 9, 9)), total);
    }
}
