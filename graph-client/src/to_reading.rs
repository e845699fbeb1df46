//! Which `toDateTime` bound this tenant's Graph needs ([`ToBound`], see `window.rs`), learnt
//! once per client and remembered.
//!
//! Under the date-exclusive reading a one-day window written with the last tick
//! (`dT00:00:00Z..dT23:59:59.9999999Z`) is always empty; under the other three it holds day d.
//! So a one-day window that comes back with rows settles it for free (the store reads one day
//! at a time, so usually its first day does). An empty one-day window costs one more request
//! (its day ending at the next midnight: empty too, the day had no call under any reading, and
//! nothing is learnt; rows, step 3 below). A longer window is only trusted after a probe, from
//! its last day backwards, for a day d:
//! 1. A = d with the last tick. Rows: the last tick is right (one request).
//! 2. Empty: B = d ending at the next midnight. Empty too: nothing that day, try the day before.
//! 3. B has rows, A had none: either Graph leaves the date out, or (under the date-inclusive or
//!    instant-inclusive readings) day d had no call and B caught some of day d+1. Then A' =
//!    d+1 with the last tick holds those calls under those readings and is empty under the
//!    date-exclusive one: rows, last tick; none, next midnight.
//!
//! Only the first page of each probe is read (whether it has rows). A tenant with no call in
//! the days looked at decides nothing: the last tick is used and the next answer is probed again.
use std::sync::Mutex;

use tokio::time::Instant;
use tracing::{info, warn};

use crate::config::GraphConfig;
use crate::error::GraphError;
use crate::paging::report_url;
use crate::ratelimit::Priority;
use crate::request::Transport;
use crate::window::{DayRange, ToBound, Window};

/// Days looked at, newest first, before giving up for this answer.
const PROBE_DAYS: u64 = 14;

/// The bound learnt for this client's tenant, shared by its clones.
#[derive(Default)]
pub(crate) struct ToReading {
    known: Mutex<Option<ToBound>>,
    /// One probe at a time: windows fetched side by side wait for it.
    probing: tokio::sync::Mutex<()>,
}

impl ToReading {
    /// The bound to write: the config's, or the one learnt; `None` while unknown (write the
    /// last tick, then call [`Self::settle`] with what came back).
    pub(crate) fn known(&self, config: &GraphConfig) -> Option<ToBound> {
        config.to_bound().or_else(|| *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<ToBound>> {
        // The value is a plain Copy: a panic elsewhere cannot leave it half-written.
        self.known
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// After `window` was fetched with the last tick while the reading was unknown: the bound
    /// it should have been fetched with (probing now if its answer does not settle it).
    pub(crate) async fn settle(
        &self,
        transport: &Transport,
        config: &GraphConfig,
        window: &Window,
        had_rows: bool,
        priority: Priority,
        deadline: Instant,
    ) -> Result<ToBound, GraphError> {
        if window.range().days() == 1 && had_rows {
            self.learn(ToBound::LastTick);
            return Ok(ToBound::LastTick);
        }
        let _probing = self.probing.lock().await;
        if let Some(bound) = *self.lock() {
            return Ok(bound);
        }
        let probe = Probe {
            transport,
            config,
            priority,
            deadline,
        };
        // An empty one-day window is its own first probe: its day was just asked with the last
        // tick, and if the next midnight shows nothing either, the day had no call under any
        // reading. Nothing learnt, nothing lost; a quiet tenant pays one request a day for it.
        let one_empty_day = window.range().days() == 1;
        match probe.find(window.range(), one_empty_day).await? {
            Some(bound) => {
                self.learn(bound);
                Ok(bound)
            }
            None if one_empty_day => Ok(ToBound::LastTick),
            None => {
                warn!(
                    days = PROBE_DAYS,
                    "no dial-out in the days looked at: cannot tell how Graph reads toDateTime yet; using the last tick of each day"
                );
                Ok(ToBound::LastTick)
            }
        }
    }

    pub(crate) fn learn(&self, bound: ToBound) {
        let mut known = self.lock();
        if known.is_none() {
            info!(?bound, "learnt how Graph reads toDateTime");
            *known = Some(bound);
        }
    }
}

struct Probe<'a> {
    transport: &'a Transport,
    config: &'a GraphConfig,
    priority: Priority,
    deadline: Instant,
}

impl Probe<'_> {
    /// `empty_day`: `range` is one day, already found empty with the last tick; only that day
    /// is looked at.
    async fn find(&self, range: DayRange, empty_day: bool) -> Result<Option<ToBound>, GraphError> {
        let mut day = range.to();
        for _ in 0..PROBE_DAYS {
            if !empty_day && self.has_rows(day, ToBound::LastTick).await? {
                return Ok(Some(ToBound::LastTick));
            }
            if self.has_rows(day, ToBound::NextMidnight).await? {
                let next_has_rows = match day.succ_opt() {
                    Some(next) => self.has_rows(next, ToBound::LastTick).await?,
                    None => false,
                };
                return Ok(Some(if next_has_rows {
                    ToBound::LastTick
                } else {
                    ToBound::NextMidnight
                }));
            }
            if empty_day {
                return Ok(None);
            }
            match day.pred_opt() {
                Some(before) => day = before,
                None => break,
            }
        }
        Ok(None)
    }

    /// Whether the first page of the one-day window `day`, its end written as `bound` says,
    /// has rows.
    async fn has_rows(&self, day: chrono::NaiveDate, bound: ToBound) -> Result<bool, GraphError> {
        let range = DayRange::day(day)?;
        let window = Window::new(range)?.with_bound(bound);
        let page = first_page(
            self.transport,
            self.config,
            &window,
            self.priority,
            self.deadline,
        )
        .await?;
        Ok(page.rows > 0)
    }
}

/// The first page of a window: how many rows, and Graph's request id.
pub(crate) struct FirstPage {
    pub rows: usize,
    pub request_id: Option<String>,
}

/// Reads only the first page of `window`. A 400 answer counts as no rows: Graph may refuse a
/// window it reads as empty (a one-day window cut to a date it leaves out).
pub(crate) async fn first_page(
    transport: &Transport,
    config: &GraphConfig,
    window: &Window,
    priority: Priority,
    deadline: Instant,
) -> Result<FirstPage, GraphError> {
    let url = report_url(config.graph(), window)?;
    let page = match transport.get(&url, priority, deadline, &|| {}).await {
        Ok(page) => page,
        Err(GraphError::Api(api)) if api.status == 400 => {
            return Ok(FirstPage {
                rows: 0,
                request_id: api.request_id.clone(),
            });
        }
        Err(error) => return Err(error),
    };
    let body: serde_json::Value =
        serde_json::from_slice(&page.body).map_err(|error| GraphError::Protocol {
            source_name: "Graph",
            request_id: page.request_id.clone(),
            detail: format!("the first page of {window} is not JSON: {error}"),
        })?;
    let rows = body
        .get("value")
        .and_then(serde_json::Value::as_array)
        .map_or(0, Vec::len);
    Ok(FirstPage {
        rows,
        request_id: page.request_id,
    })
}
