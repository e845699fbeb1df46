//! The simulated tenant's made-up, deterministic dial-out data.

pub mod calls;
pub mod directory;
pub mod people;
pub mod profiles;
pub mod tariffs;

use chrono::NaiveDate;

use crate::window::{SecondWindow, day_number};
use calls::{Call, calls_on};
use people::Identity;
use profiles::Tenant;
use tariffs::LocationId;

/// The tenant's users plus the days on which calls exist.
#[derive(Debug)]
pub struct Dataset {
    tenant: Tenant,
    /// First and last day (since 1970-01-01) with calls, inclusive. Calls exist on the
    /// `history_days` days before `today`; `today` itself has none yet (Graph lags a day or two).
    history: (i64, i64),
}

impl Dataset {
    pub fn new(seed: u64, users: u32, today: NaiveDate, history_days: u32) -> Self {
        let today = day_number(today);
        Self {
            tenant: Tenant::generate(seed, users),
            history: (today - i64::from(history_days), today - 1),
        }
    }

    pub fn user_count(&self) -> u32 {
        self.tenant.user_count()
    }

    /// Calls `visit` with every call of `user` that starts inside `window`, day by day.
    pub fn for_each_call(&self, user: u32, window: SecondWindow, mut visit: impl FnMut(&Call)) {
        let profile = &self.tenant.profiles[user as usize];
        if !profile.ever_calls() {
            return;
        }
        for day in window.days_within(self.history) {
            for call in calls_on(self.tenant.seed, user, profile, day) {
                if window.contains(call.start) {
                    visit(&call);
                }
            }
        }
    }

    pub fn seed(&self) -> u64 {
        self.tenant.seed
    }

    /// Where the user mostly calls from: the report's usage location of most of their rows.
    pub fn primary_location(&self, user: u32) -> LocationId {
        self.tenant.profiles[user as usize].primary_location
    }

    /// Graph's view of a user's names; the culture follows the user's main location.
    pub fn identity(&self, user: u32) -> Identity {
        people::identity(self.tenant.seed, user, self.culture(user))
    }

    /// Whether the report gives the user both names (see [`people::has_both_names`]).
    pub fn has_both_names(&self, user: u32) -> bool {
        people::has_both_names(self.tenant.seed, user, self.culture(user))
    }

    fn culture(&self, user: u32) -> tariffs::Culture {
        tariffs::location(self.primary_location(user)).culture
    }
}
