//! `GET /export/dialout.csv` and `GET /export/dialout.xlsx` with `?from=YYYY-MM-DD&to=YYYY-MM-DD`:
//! the range's merged report rows, as `dialout-portal fetch` writes them (the client's CSV
//! columns) or as a workbook in the page's language (`&lang=`, else Accept-Language). Text cells
//! are neutralised against formula injection in both.
pub mod chargeback;
pub mod xlsx;

use std::sync::Arc;

use app::error::AppError;
use app::i18n::Locale;
use app::model::DateRange;
use app::report::Requester;
use app::report::org::{Directory, EXPORT_COLUMNS, export_values};
use app::report::{RangeData, ReportService};
use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;

use crate::range_query::range_from_query;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The file, each row with its person's directory columns (`org::EXPORT_COLUMNS`);
    /// `locale` and `today` only matter to the workbook (the CSV is machine-readable).
    fn render(
        self,
        data: &RangeData,
        directory: Option<&Directory>,
        locale: Locale,
        today: NaiveDate,
    ) -> Result<Vec<u8>, AppError> {
        match self {
            Format::Csv => {
                let rows = data.rows();
                let mut out = Vec::with_capacity(rows.len() * 128 + UTF8_BOM.len());
                // Excel opens a CSV without a byte-order mark in the system's legacy code page
                // ("Ã�lvaro PÃ©rez"); with it, as UTF-8. Commas and points stay as they are (the
                // file stays machine-readable); `dialout-portal fetch` writes no mark.
                out.extend_from_slice(UTF8_BOM);
                graph_client::export::write_csv_with(
                    &rows,
                    &EXPORT_COLUMNS,
                    |row| export_values(directory, row.user_id.as_deref()).to_vec(),
                    &mut out,
                )
                .map_err(|error| AppError::Internal(error.to_string()))?;
                Ok(out)
            }
            Format::Xlsx => xlsx::workbook(data, directory, locale, today),
        }
    }
}

/// A file is read as the whole period: one with days still loading is not written at all.
pub(crate) fn whole_period(data: &RangeData, range: DateRange) -> Result<(), AppError> {
    if data.missing.is_empty() {
        return Ok(());
    }
    let days: i64 = data.missing.iter().map(DateRange::days).sum();
    let runs: Vec<String> = data
        .missing
        .iter()
        .map(|run| format!("{} to {}", run.from, run.to))
        .collect();
    Err(AppError::StillLoading {
        message: format!(
            "{days} days of {} to {} are still loading from Microsoft Graph ({}): the download would leave them out. Try again in a minute.",
            range.from,
            range.to,
            runs.join(", ")
        ),
        retry_after_secs: 60,
    })
}

/// The headers of a download of people's spend.
pub(crate) fn download_headers(
    content_type: &str,
    file_name: &str,
) -> [(header::HeaderName, String); 3] {
    [
        (header::CONTENT_TYPE, content_type.to_owned()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ),
        // Names and spend of people: never kept by a shared cache.
        (header::CACHE_CONTROL, "private, no-store".to_owned()),
    ]
}

/// UTF-8's byte-order mark, first in the portal's CSV downloads.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Who asks: the access guard puts the requester in every request.
pub(crate) type Asker = Option<Extension<Requester>>;

pub async fn csv(
    state: State<ReportService>,
    asker: Asker,
    headers: HeaderMap,
    query: RawQuery,
) -> Result<Response, AppError> {
    export(Format::Csv, state, asker, headers, query).await
}

pub async fn xlsx(
    state: State<ReportService>,
    asker: Asker,
    headers: HeaderMap,
    query: RawQuery,
) -> Result<Response, AppError> {
    export(Format::Xlsx, state, asker, headers, query).await
}

async fn export(
    format: Format,
    State(service): State<ReportService>,
    asker: Asker,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let range = range_from_query(&service, query.as_deref())?;
    let accept_language = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok());
    let locale = Locale::negotiate(query.as_deref(), accept_language);
    let today = service.today();
    let requester = asker.map_or_else(Requester::anonymous, |Extension(requester)| requester);
    let data: Arc<RangeData> = service.data(range, &requester).await?;
    whole_period(&data, range)?;
    // A large workbook takes a while to write: off the async workers.
    let directory = service.directory();
    let body = tokio::task::spawn_blocking(move || {
        format.render(&data, directory.as_deref(), locale, today)
    })
    .await
    .map_err(|error| AppError::Internal(format!("the export task failed: {error}")))??;
    let headers = download_headers(format.content_type(), &file_name(format, range));
    Ok((headers, body).into_response())
}

/// `dialout_2026-01-01_2026-03-31.csv`
pub fn file_name(format: Format, range: DateRange) -> String {
    format!("dialout_{}_{}.{}", range.from, range.to, format.extension())
}
