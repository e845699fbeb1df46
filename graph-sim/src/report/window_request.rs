//! From the function's two literals to the whole seconds the report covers.

use crate::config::ToSemantics;
use crate::odata::function::ReportCall;
use crate::odata::literal::{Instant, parse_date_time_offset};
use crate::window::SecondWindow;

/// The documented maximum range of one request.
pub const MAX_RANGE_DAYS: i64 = 90;
const NANOS_PER_DAY: i128 = 86_400 * 1_000_000_000;

/// Validates the range and reduces it to whole seconds; the error is Graph's 400 message.
pub fn requested_window(call: &ReportCall, semantics: ToSemantics) -> Result<SecondWindow, String> {
    let from = literal(call.from)?;
    let to = literal(call.to)?;
    let length = to.nanos_after(from);
    if length < 0 {
        return Err(format!(
            "Invalid date range: fromDateTime '{}' is later than toDateTime '{}'.",
            call.from, call.to
        ));
    }
    if length > i128::from(MAX_RANGE_DAYS) * NANOS_PER_DAY {
        return Err(format!(
            "The date range between fromDateTime and toDateTime cannot be more than \
             {MAX_RANGE_DAYS} days."
        ));
    }
    Ok(selected_seconds(from, to, semantics))
}

fn literal(text: &str) -> Result<Instant, String> {
    parse_date_time_offset(text).map_err(|_| {
        format!(
            "The DateTimeOffset text '{text}' should be in format \
             'yyyy-mm-ddThh:mm:ss('.'s+)?(zzzzzz)?' and each field value is within valid range."
        )
    })
}

/// Calls start on whole seconds, so a call at second `s` is in `[from, to]` iff
/// `s >= ceil(from)` and `s <= floor(to)`, and in `[from, to)` iff `s <= ceil(to) - 1`.
fn selected_seconds(from: Instant, to: Instant, semantics: ToSemantics) -> SecondWindow {
    SecondWindow {
        first: from.ceil_second(),
        last: match semantics {
            ToSemantics::Inclusive => to.floor_second(),
            ToSemantics::Exclusive => to.ceil_second() - 1,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(from: &str, to: &str, semantics: ToSemantics) -> Result<SecondWindow, String> {
        requested_window(&ReportCall { from, to }, semantics)
    }

    #[test]
    fn inclusive_and_exclusive_differ_only_at_the_boundary_second() {
        let inc = window("1970-01-01", "1970-01-02", ToSemantics::Inclusive).unwrap();
        let exc = window("1970-01-01", "1970-01-02", ToSemantics::Exclusive).unwrap();
        assert_eq!((inc.first, inc.last), (0, 86_400));
        assert_eq!((exc.first, exc.last), (0, 86_399));
        // A fractional end selects the same seconds under both readings.
        let a = window(
            "1970-01-01",
            "1970-01-01T23:59:59.5Z",
            ToSemantics::Inclusive,
        )
        .unwrap();
        let b = window(
            "1970-01-01",
            "1970-01-01T23:59:59.5Z",
            ToSemantics::Exclusive,
        )
        .unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn range_limits() {
        assert!(window("2024-01-01", "2024-03-31", ToSemantics::Inclusive).is_ok()); // 90 days
        assert!(
            window(
                "2024-01-01",
                "2024-03-31T00:00:00.0000001Z",
                ToSemantics::Inclusive
            )
            .is_err()
        );
        assert!(window("2024-01-02", "2024-01-01", ToSemantics::Inclusive).is_err());
        assert!(window("2024-01-01", "2024-01-01", ToSemantics::Inclusive).is_ok());
        assert!(
            window("2024-01-01", "nope", ToSemantics::Inclusive)
                .unwrap_err()
                .contains("'nope'")
        );
    }
}
