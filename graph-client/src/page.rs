//! Reading one report page: `{"@odata.context": …, "@odata.count": N, "@odata.nextLink": …,
//! "value": [rows]}`. Rows are appended straight into the window's vector (no per-page vector
//! to copy later); other properties are ignored; a page without a `value` array is an error.
//!
//! The next link's key is matched in any case: Graph's examples write `@odata.nextLink`, its
//! text `@odata.NextLink`, and a key missed here would end the window silently, short of rows.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use url::Url;

use crate::config::Endpoint;
use crate::error::GraphError;
use crate::model::DialoutRow;

/// The most rows a page's `@odata.count` may make room for ahead of time.
const MAX_RESERVED_ROWS: u64 = 10_000;

/// The next link's key, as OData spells it; matched ignoring ASCII case.
const NEXT_LINK_KEY: &str = "@odata.nextLink";

/// Rows per page when the request asks no `$top` (Graph's documented page size).
pub(crate) const GRAPH_PAGE_SIZE: usize = 1_000;

/// Whether a page of `url` with `rows` rows is as full as a page gets: its `$top` (the SDKs may
/// encode the `$`), else [`GRAPH_PAGE_SIZE`]. A last page this full may be a missed next link.
pub(crate) fn is_full_page(url: &Url, rows: usize) -> bool {
    let size = url
        .query_pairs()
        .find(|(key, _)| key == "$top")
        .and_then(|(_, top)| top.parse().ok())
        .unwrap_or(GRAPH_PAGE_SIZE);
    rows > 0 && rows == size
}

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

/// The first `"@odata.nextLink": "…"` (the key in any case) in a raw body, without parsing the
/// rest. Only a guess: the key could also appear in a nested object, so the parsed page has the
/// last word.
pub(crate) fn scan_next_link(body: &[u8]) -> Option<String> {
    let key = NEXT_LINK_KEY.as_bytes();
    let is_key = |at: usize| {
        body.get(at + 1..at + 1 + key.len())
            .is_some_and(|text| text.eq_ignore_ascii_case(key))
            && body.get(at + 1 + key.len()) == Some(&b'"')
    };
    let at = memchr::memmem::find_iter(body, b"\"@").find(|&at| is_key(at))?;
    let rest = body[at + key.len() + 2..]
        .trim_ascii_start()
        .strip_prefix(b":")?
        .trim_ascii_start();
    String::deserialize(&mut serde_json::Deserializer::from_slice(rest)).ok()
}

enum Field {
    NextLink,
    Count,
    Value,
    Other,
}

impl Field {
    fn of(key: &str) -> Self {
        match key {
            "value" => Self::Value,
            "@odata.count" => Self::Count,
            _ if key.eq_ignore_ascii_case(NEXT_LINK_KEY) => Self::NextLink,
            _ => Self::Other,
        }
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a page property name")
            }

            fn visit_str<E: de::Error>(self, key: &str) -> Result<Field, E> {
                Ok(Field::of(key))
            }
        }
        deserializer.deserialize_identifier(FieldVisitor)
    }
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
                Field::NextLink => {
                    // Two spellings with two different links: which one is right is a guess.
                    next_link = match (next_link, map.next_value::<Option<String>>()?) {
                        (Some(first), Some(second)) if first != second => {
                            return Err(de::Error::custom(format!(
                                "the page has two different next links, {first:?} and {second:?}"
                            )));
                        }
                        (first, second) => second.or(first),
                    };
                }
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
    fn the_next_link_key_is_matched_in_any_case() {
        for key in ["@odata.nextLink", "@odata.NextLink", "@ODATA.NEXTLINK"] {
            let body = format!(r#"{{"{key}":"http://h/x?$skip=2","value":[{{"userId":"a"}}]}}"#);
            let mut rows = Vec::new();
            let parsed = parse_page(body.as_bytes(), &mut rows).unwrap();
            assert_eq!(parsed.as_deref(), Some("http://h/x?$skip=2"), "{key}");
            assert_eq!(scan_next_link(body.as_bytes()), parsed, "{key}");
            assert_eq!(rows.len(), 1);
        }
        // Both spellings: the same link is fine, two different ones are an error.
        let same = br#"{"@odata.nextLink":"l","@odata.NextLink":"l","value":[]}"#;
        assert_eq!(
            parse_page(same, &mut Vec::new()).unwrap().as_deref(),
            Some("l")
        );
        let null = br#"{"@odata.nextLink":"l","@odata.NextLink":null,"value":[]}"#;
        assert_eq!(
            parse_page(null, &mut Vec::new()).unwrap().as_deref(),
            Some("l")
        );
        let two = br#"{"@odata.nextLink":"a","@odata.NextLink":"b","value":[]}"#;
        let error = parse_page(two, &mut Vec::new()).unwrap_err().to_string();
        assert!(error.contains("two different next links"), "{error}");
        // Not the key: a longer name, or no `@`.
        for other in [r#""@odata.nextLinks":"x""#, r#""odata.nextLink":"x""#] {
            let body = format!(r#"{{{other},"value":[]}}"#);
            assert_eq!(parse_page(body.as_bytes(), &mut Vec::new()).unwrap(), None);
            assert_eq!(scan_next_link(body.as_bytes()), None, "{other}");
        }
    }

    #[test]
    fn a_page_is_full_at_the_top_asked_or_graphs_page_size() {
        let full = |url: &str, rows| is_full_page(&Url::parse(url).unwrap(), rows);
        assert!(full("http://h/x", GRAPH_PAGE_SIZE));
        assert!(!full("http://h/x", GRAPH_PAGE_SIZE - 1));
        assert!(full("http://h/x?$skip=1000&$top=50", 50));
        assert!(!full("http://h/x?$skip=1000&$top=50", GRAPH_PAGE_SIZE));
        assert!(full("http://h/x?%24top=7", 7));
        assert!(full("http://h/x?$top=lots", GRAPH_PAGE_SIZE));
        assert!(
            !full("http://h/x?$top=0", 0),
            "an empty page is never suspicious"
        );
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
