//! How much, where and how each user dials out.
//!
//! Usage is heavy-tailed: almost half the users never dial out, most of the rest rarely do, and
//! the 2% "whales" make most calls and spend most credit. A few users have a second location
//! (and so rows in two locations and often two currencies).

use super::tariffs::{self, LocationId};
use crate::rng::{SplitMix64, Stream};

/// The calling habits of one user. Small and `Copy`: one is kept per user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserProfile {
    pub primary_location: LocationId,
    /// A second location some calls are billed at (travel, relocation).
    pub secondary_location: Option<LocationId>,
    /// Share of calls billed at the secondary location.
    pub secondary_percent: u8,
    /// Chance, in per mille, that the user dials out at all on a given day.
    pub active_day_permille: u16,
    /// Chance, after each call of an active day, of one more call.
    pub another_call_percent: u8,
    pub max_calls_per_day: u8,
    pub international_percent: u8,
    pub long_call_percent: u8,
}

/// A usage tier: how many users are in it and how they call.
struct Tier {
    users_permille: u32,
    active_day_permille: u16,
    another_call_percent: u8,
    max_calls_per_day: u8,
    international_percent: u8,
    long_call_percent: u8,
}

macro_rules! tier {
    ($users:literal, $active:literal, $another:literal, $max:literal, $intl:literal, $long:literal) => {
        Tier {
            users_permille: $users,
            active_day_permille: $active,
            another_call_percent: $another,
            max_calls_per_day: $max,
            international_percent: $intl,
            long_call_percent: $long,
        }
    };
}

#[rustfmt::skip]
const TIERS: [Tier; 5] = [
    //    users‰ active-day‰ another-call% max/day intl% long%
    tier!(450,   0,          0,            0,      0,    0),  // never dials out
    tier!(300,   12,         10,           2,      5,    3),  // occasional
    tier!(170,   70,         25,           4,      10,   5),  // regular
    tier!(60,    350,        50,           8,      20,   10), // heavy
    tier!(20,    850,        75,           20,     35,   20), // whale: a few users spend most
];

impl UserProfile {
    /// The profile of user `user` in a tenant made from `seed`.
    pub fn generate(seed: u64, user: u32) -> Self {
        let mut rng = SplitMix64::keyed(seed, Stream::Profile, &[u64::from(user)]);
        let primary_location =
            tariffs::location_for_weight_draw(rng.below(tariffs::total_user_weight()));

        let mut tier_draw = rng.below(1000);
        let tier = TIERS
            .iter()
            .find(|tier| {
                let inside = tier_draw < tier.users_permille;
                tier_draw = tier_draw.saturating_sub(tier.users_permille);
                inside
            })
            .unwrap_or(&TIERS[0]);

        // 5% of users have a second location, always a different country.
        let secondary_location = rng.percent(5).then(|| {
            let offset = 1 + rng.below(tariffs::LOCATIONS.len() as u32 - 1);
            ((u32::from(primary_location) + offset) % tariffs::LOCATIONS.len() as u32) as LocationId
        });
        let secondary_percent = 10 + rng.below(41) as u8;

        Self {
            primary_location,
            secondary_location,
            secondary_percent,
            active_day_permille: tier.active_day_permille,
            another_call_percent: tier.another_call_percent,
            max_calls_per_day: tier.max_calls_per_day,
            international_percent: tier.international_percent,
            long_call_percent: tier.long_call_percent,
        }
    }

    pub fn ever_calls(&self) -> bool {
        self.active_day_permille > 0
    }
}

/// Every user's profile, generated once at start (a few bytes per user).
#[derive(Debug)]
pub struct Tenant {
    pub seed: u64,
    pub profiles: Vec<UserProfile>,
}

impl Tenant {
    pub fn generate(seed: u64, users: u32) -> Self {
        let profiles = (0..users)
            .map(|user| UserProfile::generate(seed, user))
            .collect();
        Self { seed, profiles }
    }

    pub fn user_count(&self) -> u32 {
        self.profiles.len() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_cover_every_user_and_some_have_two_locations() {
        assert_eq!(TIERS.iter().map(|t| t.users_permille).sum::<u32>(), 1000);
        let tenant = Tenant::generate(3, 2000);
        assert!(
            tenant
                .profiles
                .iter()
                .any(|p| p.secondary_location.is_some())
        );
        assert!(tenant.profiles.iter().any(|p| !p.ever_calls()));
        assert!(tenant.profiles.iter().any(|p| p.active_day_permille >= 850));
        for p in &tenant.profiles {
            assert_ne!(p.secondary_location, Some(p.primary_location));
        }
    }
}
