//! Progress of a fetch, reported to the caller's callback after every page and window.

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
    use std::sync::Mutex;

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
}
