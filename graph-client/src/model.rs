//! The report's rows (`microsoft.graph.callRecords.pstnOnlineMeetingDialoutReport`).
//!
//! Every property may be null (none is marked non-nullable in the CSDL), so every field is an
//! `Option`. Unknown properties are ignored. `totalCallCharge` is an exact [`Decimal`] read from
//! the JSON number's own digits (serde_json's `arbitrary_precision`), never through `f64`, or
//! from a JSON string's digits (OData's `IEEE754Compatible=true` form, `"12.3456"`).
//! Counts are `i64`: Graph sends Int32, and sums over many windows may outgrow it.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One report row, or one merged row. Serialises to Graph's property names in the reference's
/// order, the charge as a JSON number with every digit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DialoutRow {
    pub user_id: Option<String>,
    pub user_principal_name: Option<String>,
    pub user_display_name: Option<String>,
    pub usage_location: Option<String>,
    pub destination_context: Option<String>,
    pub currency: Option<String>,
    pub total_calls: Option<i64>,
    #[serde(default, with = "decimal_number")]
    pub total_call_charge: Option<Decimal>,
    pub total_call_seconds: Option<i64>,
}

/// The fields rows are merged by: (userId, usageLocation, destinationContext, currency).
pub(crate) type RowKey<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

impl DialoutRow {
    pub(crate) fn key(&self) -> RowKey<'_> {
        (
            self.user_id.as_deref(),
            self.usage_location.as_deref(),
            self.destination_context.as_deref(),
            self.currency.as_deref(),
        )
    }

    /// Whether every merge key field is present.
    pub fn has_key(&self) -> bool {
        self.user_id.is_some()
            && self.usage_location.is_some()
            && self.destination_context.is_some()
            && self.currency.is_some()
    }

    /// Whether calls, charge and seconds are all present.
    pub fn has_totals(&self) -> bool {
        self.total_calls.is_some()
            && self.total_call_charge.is_some()
            && self.total_call_seconds.is_some()
    }
}

/// `Option<Decimal>` as a JSON number, exactly; read from a number or a numeric string.
pub(crate) mod decimal_number {
    use std::fmt;
    use std::str::FromStr;

    use rust_decimal::Decimal;
    use serde::de::value::MapAccessDeserializer;
    use serde::de::{Error as _, MapAccess, Visitor};
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        deserializer.deserialize_option(ChargeVisitor)
    }

    /// A number, a numeric string or null. serde_json hands an `arbitrary_precision` number to
    /// `visit_map` (its digits under a private key), which `serde_json::Number` decodes.
    struct ChargeVisitor;

    impl<'de> Visitor<'de> for ChargeVisitor {
        type Value = Option<Decimal>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("totalCallCharge as a number or a numeric string")
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, inner: D) -> Result<Self::Value, D::Error> {
            inner.deserialize_any(self)
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            let number = serde_json::Number::deserialize(MapAccessDeserializer::new(map))?;
            parse_exact(number.as_str())
                .map(Some)
                .map_err(A::Error::custom)
        }

        fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Self::Value, E> {
            Ok(Some(Decimal::from(value)))
        }

        fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Self::Value, E> {
            Ok(Some(Decimal::from(value)))
        }

        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
            parse_text(text).map(Some).map_err(E::custom)
        }
    }

    /// The IEEE754Compatible form: the same digits as a JSON number would carry, in a string.
    /// Anything else (empty, spaces, `NaN`, `INF`, `1,5`, `$12`) is refused, never guessed at.
    pub fn parse_text(text: &str) -> Result<Decimal, String> {
        if !is_json_number(text) {
            return Err(format!(
                "totalCallCharge {text:?} is a string that is not a decimal number"
            ));
        }
        parse_exact(text)
    }

    /// JSON's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn is_json_number(text: &str) -> bool {
        fn digits(s: &[u8]) -> usize {
            s.iter().take_while(|b| b.is_ascii_digit()).count()
        }
        let mut s = text.as_bytes();
        s = s.strip_prefix(b"-").unwrap_or(s);
        let int = digits(s);
        if int == 0 || (int > 1 && s[0] == b'0') {
            return false;
        }
        s = &s[int..];
        if let Some(rest) = s.strip_prefix(b".") {
            let fraction = digits(rest);
            if fraction == 0 {
                return false;
            }
            s = &rest[fraction..];
        }
        if let Some(rest) = s.strip_prefix(b"e").or_else(|| s.strip_prefix(b"E")) {
            let rest = rest
                .strip_prefix(b"+")
                .or_else(|| rest.strip_prefix(b"-"))
                .unwrap_or(rest);
            let exponent = digits(rest);
            if exponent == 0 {
                return false;
            }
            s = &rest[exponent..];
        }
        s.is_empty()
    }

    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            None => serializer.serialize_none(),
            Some(decimal) => serializer.serialize_some(
                &serde_json::Number::from_str(&decimal.to_string()).map_err(S::Error::custom)?,
            ),
        }
    }

    /// The exact value of a JSON number literal, or an error when it cannot be held exactly
    /// (more than 28 decimal places or out of range): money is never rounded silently.
    pub fn parse_exact(literal: &str) -> Result<Decimal, String> {
        let inexact =
            || format!("totalCallCharge {literal:?} cannot be represented exactly as a decimal");
        let (mantissa, exponent) = match literal.find(['e', 'E']) {
            None => (literal, 0i64),
            Some(at) => (
                &literal[..at],
                literal[at + 1..].parse::<i64>().map_err(|_| inexact())?,
            ),
        };
        let mut value = Decimal::from_str_exact(mantissa).map_err(|_| inexact())?;
        if exponent < 0 {
            let scale = i64::from(value.scale()) - exponent;
            let scale = u32::try_from(scale)
                .ok()
                .filter(|s| *s <= 28)
                .ok_or_else(inexact)?;
            value.set_scale(scale).map_err(|_| inexact())?;
        } else if exponent > 0 {
            let power = u32::try_from(exponent)
                .ok()
                .filter(|e| *e <= 28)
                .ok_or_else(inexact)?;
            let factor = Decimal::from_i128_with_scale(10i128.pow(power), 0);
            value = value.checked_mul(factor).ok_or_else(inexact)?;
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::decimal_number::parse_exact;
    use super::*;

    #[test]
    fn a_json_number_becomes_an_exact_decimal_keeping_its_scale() {
        let row: DialoutRow = serde_json::from_str(r#"{"totalCallCharge": 12.830}"#).unwrap();
        let charge = row.total_call_charge.unwrap();
        assert_eq!(charge, Decimal::from_str("12.83").unwrap());
        assert_eq!(
            charge.to_string(),
            "12.830",
            "the scale of the literal is kept"
        );
        // 0.1 + 0.2 is the classic float trap: exact here.
        let a: DialoutRow = serde_json::from_str(r#"{"totalCallCharge": 0.1}"#).unwrap();
        let b: DialoutRow = serde_json::from_str(r#"{"totalCallCharge": 0.2}"#).unwrap();
        assert_eq!(
            (a.total_call_charge.unwrap() + b.total_call_charge.unwrap()).to_string(),
            "0.3"
        );
        // More digits than an f64 holds.
        let long: DialoutRow =
            serde_json::from_str(r#"{"totalCallCharge": 12345678901234567.891234567}"#).unwrap();
        assert_eq!(
            long.total_call_charge.unwrap().to_string(),
            "12345678901234567.891234567"
        );
    }

    #[test]
    fn exponents_are_exact_and_inexact_values_are_refused() {
        assert_eq!(parse_exact("1.5e2").unwrap().to_string(), "150.0");
        assert_eq!(parse_exact("125E-2").unwrap().to_string(), "1.25");
        assert_eq!(parse_exact("-3").unwrap().to_string(), "-3");
        assert!(parse_exact("1e-29").is_err());
        assert!(parse_exact("1e400").is_err());
        assert!(
            parse_exact("0.12345678901234567890123456789").is_err(),
            "29 decimals would round"
        );
        assert!(parse_exact("1e99999999999999999999").is_err());
    }

    #[test]
    fn nulls_missing_and_unknown_properties_are_tolerated() {
        let json = r#"{"userId":"u1","userPrincipalName":null,"usageLocation":"BR","destinationContext":"Domestic",
            "currency":"BRL","totalCalls":3,"totalCallCharge":null,"newBetaProperty":{"x":[1,2]}}"#;
        let row: DialoutRow = serde_json::from_str(json).unwrap();
        assert_eq!(row.user_id.as_deref(), Some("u1"));
        assert_eq!(row.user_principal_name, None);
        assert_eq!(row.total_call_charge, None);
        assert_eq!(row.total_call_seconds, None);
        assert!(row.has_key());
        assert!(!row.has_totals());
    }

    #[test]
    fn a_charge_as_a_string_is_read_exactly() {
        let charge =
            |json: &str| serde_json::from_str::<DialoutRow>(json).map(|row| row.total_call_charge);
        let text = charge(r#"{"totalCallCharge":"12.8300"}"#).unwrap().unwrap();
        assert_eq!(text.to_string(), "12.8300", "every digit, the scale too");
        assert_eq!(
            Some(text),
            charge(r#"{"totalCallCharge":12.8300}"#).unwrap(),
            "the same value as the number"
        );
        assert_eq!(
            charge(r#"{"totalCallCharge":"12345678901234567.891234567"}"#)
                .unwrap()
                .unwrap()
                .to_string(),
            "12345678901234567.891234567"
        );
        assert_eq!(
            charge(r#"{"totalCallCharge":"-1.5E2"}"#).unwrap(),
            Some(Decimal::from(-150))
        );
        assert_eq!(charge(r#"{"totalCallCharge":7}"#).unwrap(), Some(7.into()));
        assert_eq!(charge(r#"{"totalCallCharge":null}"#).unwrap(), None);
    }

    #[test]
    fn a_charge_string_that_is_not_a_number_is_a_clear_error() {
        for bad in [
            "", " 1", "1 ", "abc", "NaN", "INF", "-INF", "1,5", "$12", "+1", "1_000", "01", "1.",
            ".5", "1e", "1e+", "0x10", "--1", "1.2.3",
        ] {
            let json = serde_json::json!({ "totalCallCharge": bad }).to_string();
            let error = serde_json::from_str::<DialoutRow>(&json)
                .unwrap_err()
                .to_string();
            assert!(
                error.contains("totalCallCharge") && error.contains(&format!("{bad:?}")),
                "{bad:?}: {error}"
            );
        }
        let error = serde_json::from_str::<DialoutRow>(r#"{"totalCallCharge":"1e-29"}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("cannot be represented exactly"), "{error}");
    }

    #[test]
    fn other_types_where_numbers_belong_are_errors_not_guesses() {
        for bad in [
            r#"{"totalCalls":1.5}"#,
            r#"{"totalCalls":"3"}"#,
            r#"{"totalCallCharge":true}"#,
            r#"{"totalCallCharge":[1]}"#,
            r#"{"totalCallCharge":{"amount":1}}"#,
        ] {
            assert!(serde_json::from_str::<DialoutRow>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn serialises_with_graph_names_in_order_and_every_digit() {
        let row = DialoutRow {
            user_id: Some("u".into()),
            currency: Some("JPY".into()),
            total_calls: Some(2),
            total_call_charge: Some(Decimal::from_str("1234.5000").unwrap()),
            ..Default::default()
        };
        let json = serde_json::to_string(&row).unwrap();
        assert_eq!(
            json,
            r#"{"userId":"u","userPrincipalName":null,"userDisplayName":null,"usageLocation":null,"destinationContext":null,"currency":"JPY","totalCalls":2,"totalCallCharge":1234.5000,"totalCallSeconds":null}"#
        );
        let back: DialoutRow = serde_json::from_str(&json).unwrap();
        assert_eq!(back, row);
    }
}
