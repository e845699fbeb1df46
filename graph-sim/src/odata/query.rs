//! System query options on the report: `$skip`, `$top` and `$count`.
//!
//! Keys are percent-decoded first, so the SDKs' `%24skip` works. Options the function may or may
//! not support on Graph (`$filter`, `$search`, `$orderby`, ...) are refused: the strict reading
//! keeps a client from depending on something Graph might ignore or reject.

use url::form_urlencoded;

/// Paging options of one request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueryOptions {
    pub skip: usize,
    pub top: Option<usize>,
}

/// Parses the query string; the error is Graph's message for a 400.
pub fn parse_query_options(query: Option<&str>) -> Result<QueryOptions, String> {
    let mut options = QueryOptions::default();
    let (mut seen_skip, mut seen_top, mut seen_count) = (false, false, false);
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let seen = match key.as_ref() {
            "$skip" => &mut seen_skip,
            "$top" => &mut seen_top,
            "$count" => &mut seen_count,
            other if other.starts_with('$') => return Err(option_not_allowed(other)),
            // Graph ignores custom (non-$) query parameters.
            _ => continue,
        };
        if std::mem::replace(seen, true) {
            return Err(option_repeated(&key));
        }
        match key.as_ref() {
            "$skip" => options.skip = non_negative(&key, &value)?,
            "$top" => options.top = Some(non_negative(&key, &value)?),
            _ => {
                // `@odata.count` is always sent (rows in the page), so `$count` only needs to
                // be well-formed.
                if !matches!(value.as_ref(), "true" | "false") {
                    return Err(format!("'{value}' is not a valid count option."));
                }
            }
        }
    }
    Ok(options)
}

/// Graph's message for a system query option the resource does not take.
pub fn option_not_allowed(option: &str) -> String {
    format!(
        "The query specified in the URI is not valid. Query option '{option}' is not allowed. \
         To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or \
         QueryValidationSettings."
    )
}

/// Graph's message for a query option given twice.
pub fn option_repeated(option: &str) -> String {
    format!(
        "Query option '{option}' was specified more than once, but it must be specified at most \
         once."
    )
}

fn non_negative(key: &str, value: &str) -> Result<usize, String> {
    let invalid = || {
        format!(
            "Invalid value '{value}' for {key} query option found. The {key} query option \
             requires a non-negative integer value."
        )
    };
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    // Edm.Int32 is the documented type of $skip and $top.
    value
        .parse::<i32>()
        .ok()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_encoded_and_plain_keys() {
        let o = parse_query_options(Some("%24skip=1000&$top=5&$count=true&foo=bar")).unwrap();
        assert_eq!(
            o,
            QueryOptions {
                skip: 1000,
                top: Some(5)
            }
        );
        assert_eq!(parse_query_options(None).unwrap(), QueryOptions::default());
    }

    #[test]
    fn refuses_bad_values_repeats_and_other_options() {
        for bad in [
            "$skip=-1",
            "$skip=",
            "$skip=1.5",
            "$top=abc",
            "$skip=99999999999",
            "$skip=1&$skip=2",
            "$filter=usageLocation eq 'US'",
            "$search=x",
            "$count=maybe",
        ] {
            assert!(parse_query_options(Some(bad)).is_err(), "{bad}");
        }
    }
}
