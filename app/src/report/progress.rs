//! The status of each range fetch in flight (state and summed progress), for the server-sent
//! events endpoint.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use graph_client::FetchProgress;
use tokio::sync::watch;

use crate::model::{DateRange, FetchState, FetchStatus};

#[derive(Clone, Default)]
pub struct StatusHub {
    fetches: Arc<Mutex<HashMap<DateRange, watch::Sender<FetchStatus>>>>,
}

impl StatusHub {
    /// Registers a fetch of `range`; the returned publisher sends its progress and marks it
    /// finished when dropped.
    pub fn start(&self, range: DateRange) -> StatusPublisher {
        let initial = FetchStatus {
            state: FetchState::Fetching,
            ..FetchStatus::default()
        };
        let sender = {
            let mut fetches = self.lock();
            fetches
                .entry(range)
                .or_insert_with(|| watch::channel(initial.clone()).0)
                .clone()
        };
        sender.send_replace(initial);
        StatusPublisher {
            hub: self.clone(),
            range,
            sender,
            outcome: FetchState::Failed,
        }
    }

    /// Follows the fetch of `range` if one is running; `None` when there is none.
    pub fn subscribe(&self, range: DateRange) -> Option<watch::Receiver<FetchStatus>> {
        self.lock().get(&range).map(watch::Sender::subscribe)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<DateRange, watch::Sender<FetchStatus>>> {
        // A panic while holding this lock cannot leave the map inconsistent: keep serving.
        self.fetches
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub struct StatusPublisher {
    hub: StatusHub,
    range: DateRange,
    sender: watch::Sender<FetchStatus>,
    outcome: FetchState,
}

impl StatusPublisher {
    pub fn update(&self, progress: FetchProgress) {
        self.sender.send_replace(FetchStatus {
            state: FetchState::Fetching,
            windows_total: progress.windows_total as u64,
            windows_done: progress.windows_done as u64,
            pages: progress.pages,
            rows: progress.rows,
        });
    }

    pub fn succeeded(mut self) {
        self.outcome = FetchState::Done;
    }
}

impl Drop for StatusPublisher {
    fn drop(&mut self) {
        let outcome = self.outcome;
        self.sender.send_modify(|status| status.state = outcome);
        self.hub.lock().remove(&self.range);
    }
}
