//! JSON output, optionally with every non-ASCII character written as a `\uXXXX` escape (UTF-16,
//! surrogate pairs for astral characters), as OData writers may do. Both forms are valid JSON;
//! `--escape-non-ascii` lets a client prove it does not care which one it gets.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, Serializer};

/// A compact formatter (the trait's defaults) that escapes non-ASCII characters in strings.
struct AsciiOnlyFormatter;

impl Formatter for AsciiOnlyFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut ascii_start = 0;
        for (index, ch) in fragment.char_indices() {
            if ch.is_ascii() {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[ascii_start..index])?;
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04X}")?;
            }
            ascii_start = index + ch.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[ascii_start..])
    }
}

/// Serializes `value` compactly, escaping non-ASCII characters if asked to.
pub fn to_vec<T: Serialize>(value: &T, escape_non_ascii: bool) -> serde_json::Result<Vec<u8>> {
    if !escape_non_ascii {
        return serde_json::to_vec(value);
    }
    let mut out = Vec::new();
    let mut serializer = Serializer::with_formatter(&mut out, AsciiOnlyFormatter);
    value.serialize(&mut serializer)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_non_ascii_and_round_trips() {
        let text = "Zoë 佐藤 🎉 \"<q>\"";
        let escaped = String::from_utf8(to_vec(&text, true).unwrap()).unwrap();
        assert!(escaped.is_ascii());
        assert!(escaped.contains("\\u00EB") && escaped.contains("\\uD83C\\uDF89"));
        let back: String = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, text);
        let plain = String::from_utf8(to_vec(&text, false).unwrap()).unwrap();
        assert!(plain.contains('佐'));
    }
}
