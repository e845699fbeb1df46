//! `GET /export/chargeback.csv?from=YYYY-MM-DD&to=YYYY-MM-DD&by=cost_center` (or `department`,
//! `division`, `company`, `office`; cost centre when not given): one row per group and
//! currency with the people, calls, minutes, seconds and exact charge of the range, for each
//! part of the organisation to pay for its own calls. Never summed across currencies. People
//! the directory does not list are a row of their own (`not_in_directory`), as are people it
//! lists without the value (`unassigned`): every cent of the report is in the file.
use app::error::AppError;
use app::report::org::{OrgDimension, OrgGroup, OrgRow};
use app::report::{ReportService, Requester};
use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};

use super::{Asker, UTF8_BOM, download_headers, whole_period};
use crate::range_query::range_from_query;

pub async fn chargeback(
    State(service): State<ReportService>,
    asker: Asker,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let range = range_from_query(&service, query.as_deref())?;
    let dimension = dimension_from_query(query.as_deref())?;
    let requester = asker.map_or_else(Requester::anonymous, |Extension(requester)| requester);
    whole_period(&*service.data(range, &requester).await?, range)?;
    let spend = service.spend_by(range, dimension, &requester).await?;
    if spend.read_at.is_none() {
        // After a failed read the next waits for the store's retry delay.
        let retry_after_secs = match spend.error {
            Some(_) => report_store::DIRECTORY_RETRY_AFTER_FAILURE.num_seconds() as u64,
            None => 300,
        };
        return Err(AppError::StillLoading {
            message: format!(
                "The directory (departments, cost centres) has not been read from Microsoft Graph yet{}. The spend itself is in /export/dialout.csv.",
                spend
                    .error
                    .map(|error| format!(": {error}"))
                    .unwrap_or_default()
            ),
            retry_after_secs,
        });
    }
    let body = write(dimension, &spend.rows)
        .map_err(|error| AppError::Internal(format!("the chargeback file: {error}")))?;
    let name = format!(
        "chargeback_{}_{}_{}.csv",
        dimension.name(),
        range.from,
        range.to
    );
    Ok((download_headers("text/csv; charset=utf-8", &name), body).into_response())
}

/// `by=`: the grouping, cost centre when not given; anything else is refused by name.
fn dimension_from_query(query: Option<&str>) -> Result<OrgDimension, AppError> {
    let by = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(key, _)| key == "by")
        .map(|(_, value)| value.into_owned());
    match by.as_deref() {
        None => Ok(OrgDimension::CostCenter),
        Some(name) => OrgDimension::parse(name).ok_or_else(|| {
            let names: Vec<&str> = OrgDimension::ALL.iter().map(|d| d.name()).collect();
            AppError::BadRequest(format!(
                "the parameter \"by\" is {name:?}: it is one of {}",
                names.join(", ")
            ))
        }),
    }
}

/// The CSV: UTF-8 with a byte-order mark (Excel), the group's value neutralised against
/// formula injection (directory text is anyone's).
fn write(dimension: OrgDimension, rows: &[OrgRow]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(UTF8_BOM.to_vec());
    out.write_record([
        dimension.name(),
        "note",
        "currency",
        "people",
        "calls",
        "minutes",
        "seconds",
        "charge",
    ])?;
    for row in rows {
        let (group, note) = match &row.group {
            OrgGroup::Named(name) => (graph_client::export::neutralize_formula(name), ""),
            OrgGroup::Unassigned => ("".into(), "unassigned"),
            OrgGroup::NotInDirectory => ("".into(), "not_in_directory"),
        };
        out.write_record([
            group.as_ref(),
            note,
            &graph_client::export::neutralize_formula(&row.currency),
            &row.people.to_string(),
            &row.totals.calls.to_string(),
            &row.totals.minutes().to_string(),
            &row.totals.seconds.to_string(),
            &row.totals.charge.to_string(),
        ])?;
    }
    out.into_inner().map_err(|error| error.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::Totals;
    use rust_decimal::Decimal;

    #[test]
    fn writes_every_group_and_refuses_an_unknown_grouping() {
        let row = |group, charge: &str| OrgRow {
            group,
            currency: "USD".into(),
            people: 2,
            totals: Totals {
                calls: 3,
                seconds: 150,
                charge: charge.parse::<Decimal>().unwrap(),
            },
        };
        let rows = [
            row(OrgGroup::Named("=CC-1".into()), "10.005"),
            row(OrgGroup::Unassigned, "1"),
            row(OrgGroup::NotInDirectory, "0.10"),
        ];
        let text = String::from_utf8(write(OrgDimension::CostCenter, &rows).unwrap()).unwrap();
        let text = text.strip_prefix('\u{feff}').unwrap();
        let minutes = Totals {
            calls: 3,
            seconds: 150,
            charge: Decimal::ZERO,
        }
        .minutes();
        assert_eq!(
            text,
            format!(
                "cost_center,note,currency,people,calls,minutes,seconds,charge\n\
                 '=CC-1,,USD,2,3,{minutes},150,10.005\n\
                 ,unassigned,USD,2,3,{minutes},150,1\n\
                 ,not_in_directory,USD,2,3,{minutes},150,0.10\n"
            )
        );
        assert_eq!(
            dimension_from_query(Some("from=x&by=department")).unwrap(),
            OrgDimension::Department
        );
        assert_eq!(
            dimension_from_query(None).unwrap(),
            OrgDimension::CostCenter
        );
        assert!(matches!(
            dimension_from_query(Some("by=team")),
            Err(AppError::BadRequest(message)) if message.contains("cost_center")
        ));
    }
}
