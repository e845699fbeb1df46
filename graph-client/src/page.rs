//! Reading one report page: `{"@odata.context": …, "@odata.count": N, "@odata.nextLink": …,
//! "value": [rows]}`. Rows are appended straight into the window's vector (no per-page vector
//! to copy later); other properties are ignored; a page without a `value` array is an error.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use url::Url;

use crate::config::Endpoint;
use crate::error::GraphError;
use crate::model::DialoutRow;

/// The most rows a page's `@odata.count` may make room for ahead of time.
const MAX_RESERVED_ROWS: u64 = 10_000;

/// Appends the page's rows to `rows`; returns its `@odata.nextLink`.
pub(crate) fn parse_page(
    body: &[u8],
    rows: &mut Vec<DialoutRow>,
) -> Result<Option<String>, serde_json::Error> {
    // One UTF-8 check of the whole body (fast on mostly-ASCII JSON) spares serde_json a check
    // of every string.
    let text = std::str::from_utf8(body).map_err(|e| {
        <serde_json::Error as de::Error>::custom(format!("the page is not UTF-8: {e}"))
    })?;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let next_link = PageSeed { rows }.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(next_link)
}

/// The first `"@odata.nextLink": "…"` in a raw body, without parsing the rest. Only a guess:
/// the key could also appear in a nested object, so the parsed page has the last word.
pub(crate) fn scan_next_link(body: &[u8]) -> Option<String> {
    const KEY: &[u8] = b"\"@odata.nextLink\"";
    let rest = &body[memchr::memmem::find(body, KEY)? + KEY.len()..];
    let rest = rest
        .trim_ascii_start()
        .strip_prefix(b":")?
        .trim_ascii_start();
    String::deserialize(&mut serde_json::Deserializer::from_slice(rest)).ok()
}

#[derive(Deserialize)]
enum Field {
    #[serde(rename = "@odata.nextLink")]
    NextLink,
    #[serde(rename = "@odata.count")]
    Count,
    #[serde(rename = "value")]
    Value,
    #[serde(other)]
    Other,
}

struct PageSeed<'a> {
    rows: &'a mut Vec<DialoutRow>,
}

impl<'de> DeserializeSeed<'de> for PageSeed<'_> {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PageSeed<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a report page object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut next_link = None;
        let mut has_value = false;
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::NextLink => next_link = map.next_value::<Option<String>>()?,
                Field::Count => {
                    // Rows in this page: a capacity hint when it comes before `value`.
                    let count = map.next_value::<serde_json::Value>()?.as_u64().unwrap_or(0);
                    self.rows
                        .reserve(usize::try_from(count.min(MAX_RESERVED_ROWS)).unwrap_or(0));
                }
                Field::Value if has_value => return Err(de::Error::duplicate_field("value")),
                Field::Value => {
                    map.next_value_seed(RowsSeed { rows: self.rows })?;
                    has_value = true;
                }
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if has_value {
            Ok(next_link)
        } else {
            Err(de::Error::missing_field("value"))
        }
    }
}

struct RowsSeed<'a> {
    rows: &'a mut Vec<DialoutRow>,
}

impl<'de> DeserializeSeed<'de> for RowsSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RowsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of report rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(row) = seq.next_element::<DialoutRow>()? {
            self.rows.push(row);
        }
        Ok(())
    }
}

/// The next page's URL: `link` resolved against the current page, refused unless it is on the
/// Graph endpoint's origin.
pub(crate) fn next_url(graph: &Endpoint, current: &Url, link: &str) -> Result<Url, GraphError> {
    let next = current.join(link).map_err(|e| GraphError::Protocol {
        source_name: "Graph",
        request_id: None,
        detail: format!("@odata.nextLink is not a URL ({e})"),
    })?;
    if next.origin() != *graph.origin() {
        return Err(GraphError::ForeignNextLink {
            expected: graph.origin().ascii_serialization(),
            found: next.origin().ascii_serialization(),
        });
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim() -> Endpoint {
        Endpoint::parse("GRAPH_ENDPOINT", "http://127.0.0.1:4010").unwrap()
    }

    #[test]
    fn appends_rows_and_returns_the_next_link() {
        let mut rows = vec![DialoutRow::default()];
        let body = br#"{"@odata.context":"c","@odata.count":2,"@odata.nextLink":"http://h/x?$skip=2","value":[{"userId":"a"},{"userId":"b","unknown":[1,{"x":null}]}]}"#;
        assert_eq!(
            parse_page(body, &mut rows).unwrap().as_deref(),
            Some("http://h/x?$skip=2")
        );
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[2].user_id.as_deref(), Some("b"));
        let last = br#"{"value":[],"@odata.nextLink":null}"#;
        assert_eq!(parse_page(last, &mut rows).unwrap(), None);
    }

    #[test]
    fn a_page_needs_one_value_array() {
        let mut rows = Vec::new();
        for bad in [
            &br#"{"@odata.nextLink":"x"}"#[..],
            br#"{"value":null}"#,
            br#"{"value":{}}"#,
            br#"{"value":[],"value":[]}"#,
            br#"[]"#,
            br#"{"value":[]} trailing"#,
            br#"{"value":[{"totalCalls":"3"}]}"#,
            b"{\"value\":[{\"userId\":\"\xff\"}]}",
            b"",
        ] {
            assert!(
                parse_page(bad, &mut rows).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn scans_the_next_link_from_a_raw_body() {
        let body = br#"{"@odata.context":"c","@odata.nextLink" : "http://h/x?$skip=1000\u0026a=\/b","value":[]}"#;
        assert_eq!(
            scan_next_link(body).as_deref(),
            Some("http://h/x?$skip=1000&a=/b")
        );
        assert_eq!(
            scan_next_link(br#"{"value":[{"userDisplayName":"\"@odata.nextLink\":\"x"}]}"#),
            None
        );
        assert_eq!(
            scan_next_link(br#"{"value":[],"@odata.nextLink":42}"#),
            None
        );
        assert_eq!(scan_next_link(b"\"@odata.nextLink\""), None);
    }

    #[test]
    fn next_links_stay_on_the_graph_origin() {
        let graph = sim();
        let current = Url::parse("http://127.0.0.1:4010/beta/x").unwrap();
        let next = next_url(&graph, &current, "http://127.0.0.1:4010/beta/x?$skip=1000").unwrap();
        assert_eq!(
            next.as_str(),
            "http://127.0.0.1:4010/beta/x?$skip=1000",
            "followed as given"
        );
        assert!(
            next_url(&graph, &current, "/beta/x?$skip=2000").is_ok(),
            "relative links resolve on the same origin"
        );
        for foreign in [
            "http://127.0.0.1:4011/beta/x?$skip=1000",
            "https://127.0.0.1:4010/beta/x",
            "http://localhost:4010/beta/x",
            "http://evil.example/beta/x",
            "//evil.example/steal",
            "file:///etc/passwd",
        ] {
            assert!(
                matches!(
                    next_url(&graph, &current, foreign),
                    Err(GraphError::ForeignNextLink { .. })
                ),
                "{foreign}"
            );
        }
    }
}
