//! `?from=YYYY-MM-DD&to=YYYY-MM-DD` of the export and progress routes: parsed strictly, then
//! checked by the report service (order, future days, length), with a message for each fault.
use app::error::AppError;
use app::model::DateRange;
use app::report::ReportService;
use url::form_urlencoded;

use crate::config::parse_day;

/// The range a query string names, or a `BadRequest` saying what is wrong with it.
pub fn range_from_query(
    service: &ReportService,
    query: Option<&str>,
) -> Result<DateRange, AppError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let day = |name: &str| {
        let mut values = pairs.iter().filter(|(key, _)| key == name);
        let value = values.next().ok_or_else(|| {
            bad(format!(
                "the parameter {name:?} (a day, YYYY-MM-DD) is missing"
            ))
        })?;
        if values.next().is_some() {
            return Err(bad(format!(
                "the parameter {name:?} is given more than once"
            )));
        }
        parse_day(&value.1).map_err(|problem| bad(format!("the parameter {name:?}: {problem}")))
    };
    let range = DateRange {
        from: day("from")?,
        to: day("to")?,
    };
    service.check_range(range)?;
    Ok(range)
}

fn bad(message: String) -> AppError {
    AppError::BadRequest(message)
}
