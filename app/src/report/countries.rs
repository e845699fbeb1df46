//! Usage locations by name: Graph sends ISO 3166-1 alpha-2 codes, the page shows each
//! country's name in its language (CLDR's, written into `countries.tsv` by
//! `scripts/country-names.mjs`). Server only: the names travel with the figures that need
//! them, so the browser carries no table of its own.
use std::collections::HashMap;
use std::sync::LazyLock;

use crate::i18n::Locale;
use crate::model::Breakdown;

/// Code -> (English, Brazilian Portuguese).
static NAMES: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> = LazyLock::new(|| {
    include_str!("countries.tsv")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| {
            let mut fields = line.split('\t');
            Some((fields.next()?, (fields.next()?, fields.next()?)))
        })
        .collect()
});

/// The country's name in `locale`; `None` for a code CLDR does not name (the page shows the
/// code as Graph sent it).
pub fn country_name(code: &str, locale: Locale) -> Option<&'static str> {
    let (en, pt) = NAMES.get(code.to_ascii_uppercase().as_str())?;
    Some(match locale {
        Locale::En => en,
        Locale::PtBr => pt,
    })
}

/// Names each row of a split by usage location.
pub fn name_locations(rows: &mut [Breakdown], locale: Locale) {
    for row in rows {
        row.name = country_name(&row.key, locale).map(str::to_string);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_countries_in_each_language() {
        assert_eq!(country_name("BR", Locale::En), Some("Brazil"));
        assert_eq!(country_name("BR", Locale::PtBr), Some("Brasil"));
        assert_eq!(country_name("us", Locale::PtBr), Some("Estados Unidos"));
        assert_eq!(country_name("DE", Locale::PtBr), Some("Alemanha"));
        // Unknown, user-assigned and Graph's "(unknown)" stay unnamed.
        assert_eq!(country_name("ZZ", Locale::En), None);
        assert_eq!(country_name("XA", Locale::En), None);
        assert_eq!(country_name("(unknown)", Locale::En), None);
        // Withdrawn codes and groupings are not countries: shown as Graph sends them.
        for code in ["DD", "SU", "YU", "AN", "EU", "UN"] {
            assert_eq!(country_name(code, Locale::En), None, "{code}");
        }
        // The 249 countries of ISO 3166-1 and Kosovo; the simulator's all named.
        assert_eq!(NAMES.len(), 250);
        for code in [
            "US", "GB", "DE", "FR", "JP", "BR", "IN", "CA", "AU", "ES", "PT", "NL", "IE", "CH",
        ] {
            assert!(country_name(code, Locale::PtBr).is_some(), "{code}");
        }
    }
}
