//! How a figure moved against an earlier period: an arrow, the signed percentage and, on a
//! card, the earlier value. The words and the sign carry the direction; colour only repeats it.
use leptos::prelude::*;
use rust_decimal::Decimal;

use crate::i18n::{Locale, Msg, use_locale};
use crate::money::format_decimal;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
    Same,
}

impl Direction {
    /// The arrow is the class's (`style/main.css`: CSS content with empty alternative text, so
    /// screen readers read the sign and the words, not "black up-pointing triangle").
    fn class(self) -> &'static str {
        match self {
            Direction::Up => "change up",
            Direction::Down => "change down",
            Direction::Same => "change same",
        }
    }
}

/// How a change is written (`report::compare::percent_change` works it out and rounds it):
/// `+12.3%`, `-4.0%`, `+0.0%` (a rise too small to show is still up), `no change`, or `new`
/// (`None`: nothing before).
pub fn change_text(change: Option<Decimal>, locale: Locale) -> (Direction, String) {
    let Some(percent) = change else {
        return (Direction::Up, locale.t(Msg::NewSpend).into());
    };
    if percent.is_zero() {
        return (Direction::Same, locale.t(Msg::NoChange).into());
    }
    let (direction, sign) = if percent.is_sign_negative() {
        (Direction::Down, "-")
    } else {
        (Direction::Up, "+")
    };
    let text = format_decimal(percent.abs(), 1, locale);
    (direction, format!("{sign}{text}%"))
}

/// One line of a card: `+12.3% · before: USD 1,100.00` after an arrow, or "no earlier data"
/// when the kept history does not reach the earlier period (`earlier` is `None`).
#[component]
pub fn ChangeLine(
    /// The change and the earlier value's text.
    earlier: Option<(Option<Decimal>, String)>,
    /// "before" or "a year earlier".
    label: Msg,
    testid: String,
) -> impl IntoView {
    let locale = use_locale();
    let (class, text) = match earlier {
        Some((change, before_text)) => {
            let (direction, text) = change_text(change, locale);
            let label = locale.t(label);
            (
                direction.class(),
                format!("{text} · {label}: {before_text}"),
            )
        }
        None => ("change none", locale.t(Msg::NoEarlierData).to_string()),
    };
    view! {
        <dd class=class data-testid=testid>
            {text}
        </dd>
    }
}

/// The arrow and percentage alone, for a table cell; a dash without earlier data.
#[component]
pub fn ChangeCell(change: Option<Option<Decimal>>, testid: String) -> impl IntoView {
    let locale = use_locale();
    let (class, text) = match change {
        Some(change) => {
            let (direction, text) = change_text(change, locale);
            (direction.class(), text)
        }
        None => ("change none", "—".to_string()),
    };
    view! {
        <td class=format!("num {class}") data-testid=testid>
            {text}
        </td>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn writes_the_change_signed_with_one_decimal() {
        let en = |change: Option<&str>| {
            change_text(change.map(|c| Decimal::from_str(c).unwrap()), Locale::En)
        };
        assert_eq!(en(Some("12.34")), (Direction::Up, "+12.3%".into()));
        assert_eq!(en(Some("-4")), (Direction::Down, "-4.0%".into()));
        assert_eq!(en(Some("0.05")), (Direction::Up, "+0.1%".into()));
        assert_eq!(en(Some("0.01")), (Direction::Up, "+0.0%".into()));
        assert_eq!(en(Some("-100")), (Direction::Down, "-100.0%".into()));
        assert_eq!(en(None), (Direction::Up, "new".into()));
        assert_eq!(en(Some("0")), (Direction::Same, "no change".into()));
        assert_eq!(
            change_text(Some(Decimal::from_str("1134.5").unwrap()), Locale::PtBr),
            (Direction::Up, "+1.134,5%".into())
        );
    }
}
