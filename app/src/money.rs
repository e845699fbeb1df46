//! Money and number display. Amounts stay exact decimals; only the final text is rounded to
//! the currency's minor unit, with the locale's separators.
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
    let mut out = format!("{sign}{}", group_thousands(whole, locale));
    if let Some(fraction) = fraction {
        out.push(locale.decimal_separator());
        out.push_str(fraction);
    }
    out
}

/// Whole numbers with thousands separators: `1234567` becomes `1,234,567`.
pub fn format_count(value: u64) -> String {
    format_count_in(value, Locale::En)
}

/// Whole numbers grouped per locale: `1,234,567` or `1.234.567`.
pub fn format_count_in(value: u64, locale: Locale) -> String {
    group_thousands(&value.to_string(), locale)
}

fn group_thousands(digits: &str, locale: Locale) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(locale.group_separator());
        }
        out.push(digit);
    }
    out
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
    fn groups_counts() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000), "1,000");
        assert_eq!(format_count(1234567), "1,234,567");
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
        assert_eq!(format_count_in(1234, Locale::PtBr), "1.234");
        assert_eq!(format_percent(dec("0.12345"), Locale::En), "12.3%");
        assert_eq!(format_percent(dec("0.12345"), Locale::PtBr), "12,3%");
        assert_eq!(
            format_rate_in(dec("0.0512345"), "USD", Locale::En),
            "USD 0.0512"
        );
    }
}
