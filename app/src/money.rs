//! Money display. Amounts stay exact decimals; only the final text is rounded to the currency's
//! minor unit, with the locale's separators (whole counts are [`Locale::format_count`]).
use rust_decimal::{Decimal, RoundingStrategy};

use crate::i18n::Locale;

/// Digits after the decimal point that a currency is shown with (ISO 4217 minor units).
pub fn minor_units(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "CLP" | "ISK" | "VND" | "UGX" | "PYG" | "XAF" | "XOF" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" | "LYD" | "IQD" => 3,
        _ => 2,
    }
}

/// `1234.5` in USD becomes `USD 1,234.50`; JPY shows no decimals.
pub fn format_money(amount: Decimal, currency: &str) -> String {
    format_money_in(amount, currency, Locale::En)
}

/// Money in `locale`: `USD 1,234.50` in English, `USD 1.234,50` in Brazilian Portuguese.
pub fn format_money_in(amount: Decimal, currency: &str, locale: Locale) -> String {
    format!(
        "{currency} {}",
        format_decimal(amount, minor_units(currency), locale)
    )
}

/// A rate such as a cost per minute: two more decimals than the currency's minor unit.
pub fn format_rate_in(amount: Decimal, currency: &str, locale: Locale) -> String {
    format!(
        "{currency} {}",
        format_decimal(amount, minor_units(currency) + 2, locale)
    )
}

/// A fraction (0..=1) as a percentage with one decimal: `0.1234` becomes `12.3%` (`12,3%`).
pub fn format_percent(fraction: Decimal, locale: Locale) -> String {
    format!(
        "{}%",
        format_decimal(fraction * Decimal::from(100), 1, locale)
    )
}

/// An exact decimal rounded half away from zero to `scale` digits, grouped per locale.
pub fn format_decimal(amount: Decimal, scale: u32, locale: Locale) -> String {
    let rounded = amount.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.*}", scale as usize, rounded.abs());
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text.as_str(), None),
    };
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    let mut out = format!("{sign}{}", locale.group_digits(whole));
    if let Some(fraction) = fraction {
        out.push(locale.decimal_separator());
        out.push_str(fraction);
    }
    out
}

/// A chart axis's tick in few characters: `950`, `2.5`, `10K`, `1.5M` in English, `10 mil`,
/// `1,5 mi` in Portuguese (as `Intl.NumberFormat`'s compact notation writes them). At most one
/// decimal above a thousand and two below: ticks are round numbers, and only their order of
/// magnitude matters to the eye.
pub fn format_compact(value: f64, locale: Locale) -> String {
    const SCALES: [(f64, &str, &str); 4] = [
        (1e12, "T", " tri"),
        (1e9, "B", " bi"),
        (1e6, "M", " mi"),
        (1e3, "K", " mil"),
    ];
    if !value.is_finite() {
        return String::new();
    }
    let magnitude = value.abs();
    for (scale, en, pt) in SCALES {
        // 999,950 is 1.0M, not 1,000.0K.
        if magnitude >= scale * 0.99995 {
            let suffix = match locale {
                Locale::En => en,
                Locale::PtBr => pt,
            };
            return format!("{}{suffix}", trimmed(value / scale, 1, locale));
        }
    }
    trimmed(value, 2, locale)
}

/// `value` with at most `scale` decimals, trailing zeros dropped, grouped per locale.
fn trimmed(value: f64, scale: u32, locale: Locale) -> String {
    let exact = Decimal::from_f64_retain(value).unwrap_or_default();
    let text = format_decimal(exact, scale, locale);
    match text.split_once(locale.decimal_separator()) {
        Some((whole, fraction)) => {
            let fraction = fraction.trim_end_matches('0');
            if fraction.is_empty() {
                whole.to_string()
            } else {
                format!("{whole}{}{fraction}", locale.decimal_separator())
            }
        }
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn formats_two_decimal_currencies_with_grouping() {
        assert_eq!(format_money(dec("1234.5"), "USD"), "USD 1,234.50");
        assert_eq!(format_money(dec("0.005"), "EUR"), "EUR 0.01");
        assert_eq!(format_money(dec("999999.994"), "BRL"), "BRL 999,999.99");
    }

    #[test]
    fn formats_zero_decimal_currencies_without_fraction() {
        assert_eq!(format_money(dec("1234567.5"), "JPY"), "JPY 1,234,568");
        assert_eq!(format_money(dec("12"), "JPY"), "JPY 12");
    }

    #[test]
    fn keeps_the_sign_of_credits() {
        assert_eq!(format_money(dec("-1500.25"), "GBP"), "GBP -1,500.25");
        assert_eq!(format_money(dec("-0.001"), "GBP"), "GBP 0.00");
    }

    #[test]
    fn formats_per_locale() {
        assert_eq!(
            format_money_in(dec("1234567.891"), "BRL", Locale::PtBr),
            "BRL 1.234.567,89"
        );
        assert_eq!(
            format_money_in(dec("1234.5"), "JPY", Locale::PtBr),
            "JPY 1.235"
        );
        assert_eq!(format_percent(dec("0.12345"), Locale::En), "12.3%");
        assert_eq!(format_percent(dec("0.12345"), Locale::PtBr), "12,3%");
        assert_eq!(
            format_rate_in(dec("0.0512345"), "USD", Locale::En),
            "USD 0.0512"
        );
    }

    #[test]
    fn compacts_axis_ticks_per_locale() {
        let en = |v| format_compact(v, Locale::En);
        let pt = |v| format_compact(v, Locale::PtBr);
        assert_eq!(en(0.0), "0");
        assert_eq!(en(0.5), "0.5");
        assert_eq!(pt(0.25), "0,25");
        assert_eq!(en(950.0), "950");
        assert_eq!(en(1000.0), "1K");
        assert_eq!(en(2500.0), "2.5K");
        assert_eq!(pt(2500.0), "2,5 mil");
        assert_eq!(pt(10000.0), "10 mil");
        assert_eq!(en(20000.0), "20K");
        assert_eq!(en(999_950.0), "1M");
        assert_eq!(pt(1_500_000.0), "1,5 mi");
        assert_eq!(en(2e9), "2B");
        assert_eq!(pt(-3000.0), "-3 mil");
        assert_eq!(en(f64::NAN), "");
    }
}
