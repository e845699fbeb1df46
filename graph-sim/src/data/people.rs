//! User identities: object id, user principal name and display name.
//!
//! Identities are derived on demand from (seed, user index), so they cost no memory however many
//! users there are. A few percent of them are hostile but legal values a client must survive:
//! deleted users (null names), markup, quotes, spreadsheet-formula prefixes, commas, very long
//! names, non-Latin scripts, emoji and guest (`#EXT#`) principal names.

use super::tariffs::Culture;
use crate::rng::{SplitMix64, Stream};

/// What Graph reports about one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user_id: String,
    pub user_principal_name: Option<String>,
    pub user_display_name: Option<String>,
}

/// A name part: what is displayed, and its ASCII form for the principal name.
type NamePart = (&'static str, &'static str);

struct NamePool {
    given: &'static [NamePart],
    family: &'static [NamePart],
    /// Japanese displays the family name first.
    family_first: bool,
}

#[rustfmt::skip]
const ENGLISH: NamePool = NamePool {
    given: &[
        ("James", "james"), ("Mary", "mary"), ("Olivia", "olivia"), ("Liam", "liam"),
        ("Ruwini", "ruwini"), ("Noah", "noah"), ("Emma", "emma"), ("Siobhán", "siobhan"),
        ("Chloë", "chloe"), ("Ethan", "ethan"), ("Ava", "ava"), ("Lucas", "lucas"),
    ],
    family: &[
        ("Smith", "smith"), ("Perera", "perera"), ("Johnson", "johnson"), ("Brown", "brown"),
        ("O'Neill", "oneill"), ("Taylor", "taylor"), ("Wilson", "wilson"), ("Davies", "davies"),
        ("Nguyen", "nguyen"), ("Walker", "walker"), ("Murphy", "murphy"), ("Clarke", "clarke"),
    ],
    family_first: false,
};

#[rustfmt::skip]
const GERMAN: NamePool = NamePool {
    given: &[
        ("Jürgen", "juergen"), ("Anna", "anna"), ("Lukas", "lukas"), ("Jörg", "joerg"),
        ("Leonie", "leonie"), ("Maximilian", "maximilian"), ("Käthe", "kaethe"), ("Felix", "felix"),
    ],
    family: &[
        ("Müller", "mueller"), ("Schmidt", "schmidt"), ("Größer", "groesser"), ("Weiß", "weiss"),
        ("Schäfer", "schaefer"), ("Becker", "becker"), ("Hoffmann", "hoffmann"), ("Köhler", "koehler"),
    ],
    family_first: false,
};

#[rustfmt::skip]
const FRENCH: NamePool = NamePool {
    given: &[
        ("Zoë", "zoe"), ("Hélène", "helene"), ("François", "francois"), ("Amélie", "amelie"),
        ("Théo", "theo"), ("Léa", "lea"), ("Jérôme", "jerome"), ("Inès", "ines"),
    ],
    family: &[
        ("Lefèvre", "lefevre"), ("Dubois", "dubois"), ("Laurent", "laurent"), ("Rousseau", "rousseau"),
        ("Bérénger", "berenger"), ("Girard", "girard"), ("Moreau", "moreau"), ("Faure", "faure"),
    ],
    family_first: false,
};

#[rustfmt::skip]
const SPANISH: NamePool = NamePool {
    given: &[
        ("Begoña", "begona"), ("José", "jose"), ("María", "maria"), ("Álvaro", "alvaro"),
        ("Lucía", "lucia"), ("Íñigo", "inigo"), ("Sofía", "sofia"), ("Martín", "martin"),
    ],
    family: &[
        ("Núñez", "nunez"), ("García", "garcia"), ("Fernández", "fernandez"), ("López", "lopez"),
        ("Muñoz", "munoz"), ("Martínez", "martinez"), ("Sánchez", "sanchez"), ("Pérez", "perez"),
    ],
    family_first: false,
};

#[rustfmt::skip]
const PORTUGUESE: NamePool = NamePool {
    given: &[
        ("João", "joao"), ("Conceição", "conceicao"), ("Antônio", "antonio"), ("Luísa", "luisa"),
        ("Sebastião", "sebastiao"), ("Inês", "ines"), ("Gonçalo", "goncalo"), ("Lúcia", "lucia"),
        ("Thaís", "thais"), ("André", "andre"),
    ],
    family: &[
        ("Gonçalves", "goncalves"), ("Magalhães", "magalhaes"), ("Araújo", "araujo"),
        ("Simões", "simoes"), ("Conceição", "conceicao"), ("Souza", "souza"), ("Brandão", "brandao"),
        ("Gusmão", "gusmao"), ("Ribeiro", "ribeiro"), ("Assunção", "assuncao"),
    ],
    family_first: false,
};

#[rustfmt::skip]
const DUTCH: NamePool = NamePool {
    given: &[("Daan", "daan"), ("Sanne", "sanne"), ("Bram", "bram"), ("Fleur", "fleur")],
    family: &[
        ("van der Berg", "vanderberg"), ("de Vries", "devries"), ("Jansen", "jansen"),
        ("van 't Hof", "vanthof"),
    ],
    family_first: false,
};

#[rustfmt::skip]
const JAPANESE: NamePool = NamePool {
    given: &[
        ("花子", "hanako"), ("一郎", "ichiro"), ("美咲", "misaki"), ("翔太", "shota"),
        ("さくら", "sakura"), ("健", "ken"), ("陽菜", "hina"), ("大輔", "daisuke"),
    ],
    family: &[
        ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"),
        ("渡辺", "watanabe"), ("伊藤", "ito"), ("山本", "yamamoto"), ("中村", "nakamura"),
    ],
    family_first: true,
};

#[rustfmt::skip]
const INDIAN: NamePool = NamePool {
    given: &[
        ("Priya", "priya"), ("Arjun", "arjun"), ("प्रिया", "priya"), ("Ananya", "ananya"),
        ("Rahul", "rahul"), ("Lakshmi", "lakshmi"),
    ],
    family: &[
        ("Raghunathan", "raghunathan"), ("Sharma", "sharma"), ("शर्मा", "sharma"),
        ("Iyer", "iyer"), ("Venkataraman", "venkataraman"), ("Patel", "patel"),
    ],
    family_first: false,
};

fn pool(culture: Culture) -> &'static NamePool {
    match culture {
        Culture::English => &ENGLISH,
        Culture::German => &GERMAN,
        Culture::French => &FRENCH,
        Culture::Spanish => &SPANISH,
        Culture::Portuguese => &PORTUGUESE,
        Culture::Dutch => &DUTCH,
        Culture::Japanese => &JAPANESE,
        Culture::Indian => &INDIAN,
    }
}

const DOMAIN: &str = "contoso.com";
/// Entra ID's limit for a display name.
const MAX_DISPLAY_NAME_CHARS: usize = 256;

/// Display names that break naive HTML, CSV or spreadsheet handling, yet are legal in Entra ID.
const HOSTILE_DISPLAY_NAMES: &[&str] = &[
    "<script>alert('dial-out')</script>",
    "<img src=x onerror=alert(1)>",
    "Robert \"Bobby\" Tables",
    "\"; DROP TABLE users; --",
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "=1+1",
    "+44 20 7946 0000",
    "-Ana Souza",
    "@SUM(A1:A9)",
    "Smith, John",
    "Ana 🎉 Souza",
    "محمد علي",
    "Zoë\u{301} Åström",
    "   leading and trailing spaces   ",
];

/// Which kind of identity a user has.
enum IdentityKind {
    Ordinary,
    /// Deleted user: Graph no longer knows the names.
    Deleted,
    PrincipalNameMissing,
    DisplayNameMissing,
    Hostile,
    VeryLong,
    Guest,
}

fn identity_kind(rng: &mut SplitMix64) -> IdentityKind {
    match rng.below(1000) {
        0..=14 => IdentityKind::Deleted,
        15..=22 => IdentityKind::PrincipalNameMissing,
        23..=30 => IdentityKind::DisplayNameMissing,
        31..=90 => IdentityKind::Hostile,
        91..=98 => IdentityKind::VeryLong,
        99..=113 => IdentityKind::Guest,
        _ => IdentityKind::Ordinary,
    }
}

/// The random choices behind one identity, drawn in a fixed order from its own keyed stream.
struct IdentityDraws {
    id_bytes: [u8; 16],
    given: NamePart,
    family: NamePart,
    kind: IdentityKind,
    rng: SplitMix64,
}

fn draw(seed: u64, user: u32, names: &NamePool) -> IdentityDraws {
    let mut rng = SplitMix64::keyed(seed, Stream::Identity, &[u64::from(user)]);
    let id_bytes = rng.bytes16();
    let given = *rng.pick(names.given);
    let family = *rng.pick(names.family);
    let kind = identity_kind(&mut rng);
    IdentityDraws {
        id_bytes,
        given,
        family,
        kind,
        rng,
    }
}

/// Whether the report names user `user` with both a principal name and a display name: the
/// directory leaves out the others (deleted accounts and records that lost their names). Cheaper
/// than [`identity`]: no string is built.
pub fn has_both_names(seed: u64, user: u32, culture: Culture) -> bool {
    !matches!(
        draw(seed, user, pool(culture)).kind,
        IdentityKind::Deleted
            | IdentityKind::PrincipalNameMissing
            | IdentityKind::DisplayNameMissing
    )
}

/// The identity of user `user` (0-based) in a tenant made from `seed`.
pub fn identity(seed: u64, user: u32, culture: Culture) -> Identity {
    let names = pool(culture);
    let IdentityDraws {
        id_bytes,
        given: (given, given_ascii),
        family: (family, family_ascii),
        kind,
        mut rng,
    } = draw(seed, user, names);
    let user_id = uuid::Builder::from_random_bytes(id_bytes)
        .into_uuid()
        .to_string();
    let display = if names.family_first {
        format!("{family} {given}")
    } else {
        format!("{given} {family}")
    };
    // The index keeps principal names unique, as Entra ID requires.
    let principal = format!("{given_ascii}.{family_ascii}{user}@{DOMAIN}");

    let (user_principal_name, user_display_name) = match kind {
        IdentityKind::Ordinary => (Some(principal), Some(display)),
        IdentityKind::Deleted => (None, None),
        IdentityKind::PrincipalNameMissing => (None, Some(display)),
        IdentityKind::DisplayNameMissing => (Some(principal), None),
        IdentityKind::Hostile => (
            Some(principal),
            Some((*rng.pick(HOSTILE_DISPLAY_NAMES)).to_owned()),
        ),
        IdentityKind::VeryLong => (Some(principal), Some(very_long_name(&display))),
        IdentityKind::Guest => (
            Some(format!(
                "{given_ascii}.{family_ascii}{user}_fabrikam.example#EXT#@{DOMAIN}"
            )),
            Some(format!("{display} (Guest)")),
        ),
    };
    Identity {
        user_id,
        user_principal_name,
        user_display_name,
    }
}

/// A display name at Entra ID's maximum length, cut on a character boundary.
fn very_long_name(display: &str) -> String {
    let filler = " de Albuquerque Magalhães Gonçalves Wolfeschlegelsteinhausenbergerdorff";
    display
        .chars()
        .chain(filler.chars().cycle())
        .take(MAX_DISPLAY_NAME_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_deterministic_and_hostile_values_occur() {
        assert_eq!(
            identity(5, 17, Culture::Japanese),
            identity(5, 17, Culture::Japanese)
        );
        let all: Vec<_> = (0..3000)
            .map(|u| identity(5, u, Culture::English))
            .collect();
        assert!(all.iter().any(|i| i.user_principal_name.is_none()));
        assert!(all.iter().any(|i| i.user_display_name.is_none()));
        assert!(all.iter().any(|i| {
            i.user_display_name
                .as_deref()
                .is_some_and(|n| n.contains("<script>"))
        }));
        assert!(all.iter().any(|i| {
            i.user_display_name
                .as_deref()
                .is_some_and(|n| n.chars().count() == MAX_DISPLAY_NAME_CHARS)
        }));
        for (user, identity) in (0..).zip(&all) {
            let named =
                identity.user_principal_name.is_some() && identity.user_display_name.is_some();
            assert_eq!(has_both_names(5, user, Culture::English), named, "{user}");
        }
    }
}
