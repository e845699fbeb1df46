//! Usage locations, their billing currency and the made-up per-minute rates.
//!
//! Rates are exact decimals (mantissa, scale). JPY is zero-decimal: its rates and fees are whole
//! yen, so every JPY charge is an integer. Other currencies use up to four decimal places, so a
//! client that assumes two decimals will notice.

use rust_decimal::Decimal;

/// An exact amount written as `mantissa * 10^-scale` (const-friendly, unlike `Decimal` literals).
#[derive(Debug, Clone, Copy)]
pub struct Amount {
    mantissa: i64,
    scale: u32,
}

impl Amount {
    const fn new(mantissa: i64, scale: u32) -> Self {
        Self { mantissa, scale }
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.mantissa, self.scale)
    }
}

/// Which name pool a location's users are drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Culture {
    English,
    German,
    French,
    Spanish,
    Portuguese,
    Dutch,
    Japanese,
    Indian,
}

/// Where a call is billed: a destination is either in the user's country or abroad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DestinationContext {
    Domestic,
    International,
}

impl DestinationContext {
    /// The value Graph sends in `destinationContext`.
    pub fn as_graph_str(self) -> &'static str {
        match self {
            Self::Domestic => "Domestic",
            Self::International => "International",
        }
    }
}

/// A usage location with its billing currency and tariff.
#[derive(Debug)]
pub struct Location {
    /// ISO 3166 alpha-2.
    pub country: &'static str,
    /// ISO 4217.
    pub currency: &'static str,
    pub domestic_per_minute: Amount,
    pub international_per_minute: Amount,
    /// Charged once per call, on top of the per-minute price.
    pub connection_fee: Amount,
    /// Relative share of the tenant's users living here.
    pub user_weight: u32,
    pub culture: Culture,
}

impl Location {
    pub fn per_minute(&self, context: DestinationContext) -> Decimal {
        match context {
            DestinationContext::Domestic => self.domestic_per_minute.to_decimal(),
            DestinationContext::International => self.international_per_minute.to_decimal(),
        }
        .normalize()
    }

    pub fn connection_fee(&self) -> Decimal {
        self.connection_fee.to_decimal().normalize()
    }
}

/// Index into [`LOCATIONS`].
pub type LocationId = u8;

/// One row of the table below; amounts are `(mantissa, scale)`, e.g. `(220, 4)` = 0.0220.
macro_rules! location {
    ($country:literal, $currency:literal, ($dm:literal, $ds:literal), ($im:literal, $is:literal),
     ($fm:literal, $fs:literal), $weight:literal, $culture:ident) => {
        Location {
            country: $country,
            currency: $currency,
            domestic_per_minute: Amount::new($dm, $ds),
            international_per_minute: Amount::new($im, $is),
            connection_fee: Amount::new($fm, $fs),
            user_weight: $weight,
            culture: Culture::$culture,
        }
    };
}

/// Fourteen locations in nine currencies (the spec asks for at least ten and four, one of them
/// zero-decimal).
#[rustfmt::skip]
pub static LOCATIONS: [Location; 14] = [
    //        country currency  domestic/min  international/min  connection fee  user weight  names
    location!("US", "USD", (220, 4),  (1360, 4), (100, 4), 30, English),
    location!("GB", "GBP", (175, 4),  (1150, 4), (85, 4),  10, English),
    location!("DE", "EUR", (190, 4),  (1210, 4), (90, 4),   9, German),
    location!("FR", "EUR", (205, 4),  (1270, 4), (90, 4),   7, French),
    location!("JP", "JPY", (3, 0),    (20, 0),   (10, 0),   9, Japanese),
    location!("BR", "BRL", (1100, 4), (7800, 4), (500, 4),  8, Portuguese),
    location!("IN", "INR", (145, 2),  (980, 2),  (75, 2),   6, Indian),
    location!("CA", "CAD", (290, 4),  (1850, 4), (135, 4),  5, English),
    location!("AU", "AUD", (330, 4),  (2050, 4), (150, 4),  4, English),
    location!("ES", "EUR", (225, 4),  (1330, 4), (95, 4),   4, Spanish),
    location!("PT", "EUR", (235, 4),  (1380, 4), (100, 4),  3, Portuguese),
    location!("NL", "EUR", (180, 4),  (1190, 4), (85, 4),   2, Dutch),
    location!("IE", "EUR", (215, 4),  (1290, 4), (95, 4),   1, English),
    location!("CH", "CHF", (245, 4),  (1420, 4), (120, 4),  2, German),
];

pub fn location(id: LocationId) -> &'static Location {
    &LOCATIONS[usize::from(id)]
}

/// Picks a location by user weight from a uniform draw in `0..total_user_weight()`.
pub fn location_for_weight_draw(draw: u32) -> LocationId {
    let mut remaining = draw;
    for (id, loc) in LOCATIONS.iter().enumerate() {
        if remaining < loc.user_weight {
            return id as LocationId;
        }
        remaining -= loc.user_weight;
    }
    (LOCATIONS.len() - 1) as LocationId
}

pub fn total_user_weight() -> u32 {
    LOCATIONS.iter().map(|l| l.user_weight).sum()
}

/// The exact charge of calls billed at one location and context:
/// per-minute price times billed minutes plus one connection fee per call.
pub fn charge(
    location_id: LocationId,
    context: DestinationContext,
    billed_minutes: u64,
    calls: u64,
) -> Decimal {
    let loc = location(location_id);
    (loc.per_minute(context) * Decimal::from(billed_minutes)
        + loc.connection_fee() * Decimal::from(calls))
    .normalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn enough_locations_and_currencies_with_a_zero_decimal_one() {
        let countries: BTreeSet<_> = LOCATIONS.iter().map(|l| l.country).collect();
        let currencies: BTreeSet<_> = LOCATIONS.iter().map(|l| l.currency).collect();
        assert!(countries.len() >= 10);
        assert!(currencies.len() >= 4);
        assert!(currencies.contains("JPY"));
    }

    #[test]
    fn jpy_charges_are_whole_yen_and_others_are_exact() {
        let jp = LOCATIONS.iter().position(|l| l.currency == "JPY").unwrap() as LocationId;
        assert_eq!(
            charge(jp, DestinationContext::International, 7, 2).to_string(),
            "160"
        );
        assert_eq!(
            charge(0, DestinationContext::Domestic, 3, 1).to_string(),
            "0.076"
        );
    }

    #[test]
    fn weight_draws_cover_every_location() {
        let hit: BTreeSet<_> = (0..total_user_weight())
            .map(location_for_weight_draw)
            .collect();
        assert_eq!(hit.len(), LOCATIONS.len());
    }
}
