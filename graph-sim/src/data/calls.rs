//! The individual dial-out calls of one user on one UTC day.
//!
//! Calls are regenerated on demand from (seed, user, day); nothing is stored. Every call starts
//! on a whole second, so a window boundary with a fractional second is unambiguous, and the
//! report of a window is exactly the sum of the reports of its parts. A few calls start exactly
//! at 00:00:00 or 23:59:59 so that inclusive and exclusive `toDateTime` readings differ.

use super::profiles::UserProfile;
use super::tariffs::{DestinationContext, LocationId};
use crate::rng::{SplitMix64, Stream};

pub const SECONDS_PER_DAY: i64 = 86_400;

/// One dial-out call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call {
    /// Start, in whole seconds since the Unix epoch (UTC).
    pub start: i64,
    pub seconds: u32,
    pub location: LocationId,
    pub context: DestinationContext,
}

impl Call {
    /// Calls are billed per started minute.
    pub fn billed_minutes(&self) -> u64 {
        u64::from(self.seconds.div_ceil(60))
    }
}

/// Iterator over the calls of one user-day, in generation order.
pub struct DayCalls<'a> {
    rng: SplitMix64,
    profile: &'a UserProfile,
    day_start: i64,
    made: u8,
    more: bool,
}

/// The calls `user` made on `day` (days since 1970-01-01, UTC).
pub fn calls_on(seed: u64, user: u32, profile: &UserProfile, day: i64) -> DayCalls<'_> {
    // Users who never dial out cost nothing, which keeps large tenants fast.
    if !profile.ever_calls() {
        return DayCalls::none(profile);
    }
    let mut rng = SplitMix64::keyed(seed, Stream::Day, &[u64::from(user), day as u64]);
    let active = rng.below(1000) < u32::from(profile.active_day_permille);
    DayCalls {
        rng,
        profile,
        day_start: day * SECONDS_PER_DAY,
        made: 0,
        more: active,
    }
}

impl<'a> DayCalls<'a> {
    fn none(profile: &'a UserProfile) -> Self {
        DayCalls {
            rng: SplitMix64::keyed(0, Stream::Day, &[]),
            profile,
            day_start: 0,
            made: 0,
            more: false,
        }
    }

    fn second_of_day(&mut self) -> i64 {
        // Only the first call of a day may sit on a boundary, so a user never has two calls
        // starting at the same instant.
        if self.made == 0 {
            match self.rng.below(100) {
                0..=3 => return 0,
                4..=5 => return SECONDS_PER_DAY - 1,
                _ => {}
            }
        }
        i64::from(self.rng.below(SECONDS_PER_DAY as u32))
    }

    fn duration(&mut self) -> u32 {
        if self.rng.percent(5) {
            1 + self.rng.below(14)
        } else if self.rng.percent(u32::from(self.profile.long_call_percent)) {
            600 + self.rng.below(6_601)
        } else {
            15 + self.rng.below(586)
        }
    }
}

impl Iterator for DayCalls<'_> {
    type Item = Call;

    fn next(&mut self) -> Option<Call> {
        if !self.more {
            return None;
        }
        let start = self.day_start + self.second_of_day();
        let seconds = self.duration();
        let context = if self
            .rng
            .percent(u32::from(self.profile.international_percent))
        {
            DestinationContext::International
        } else {
            DestinationContext::Domestic
        };
        let location = match self.profile.secondary_location {
            Some(second) if self.rng.percent(u32::from(self.profile.secondary_percent)) => second,
            _ => self.profile.primary_location,
        };
        self.made += 1;
        self.more = self.made < self.profile.max_calls_per_day
            && self
                .rng
                .percent(u32::from(self.profile.another_call_percent));
        Some(Call {
            start,
            seconds,
            location,
            context,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::profiles::Tenant;

    #[test]
    fn calls_are_deterministic_within_their_day_and_sometimes_at_midnight() {
        let tenant = Tenant::generate(11, 500);
        let mut at_midnight = 0;
        for (user, profile) in tenant.profiles.iter().enumerate() {
            for day in 19_000..19_030 {
                let first: Vec<_> = calls_on(11, user as u32, profile, day).collect();
                let again: Vec<_> = calls_on(11, user as u32, profile, day).collect();
                assert_eq!(first, again);
                assert!(first.len() <= usize::from(profile.max_calls_per_day));
                for call in &first {
                    assert_eq!(call.start.div_euclid(SECONDS_PER_DAY), day);
                    assert!(call.seconds >= 1);
                    at_midnight += usize::from(call.start % SECONDS_PER_DAY == 0);
                }
            }
        }
        assert!(at_midnight > 0);
    }
}
