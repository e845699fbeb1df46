//! Writing rows as CSV or JSON, and writing files atomically.
//!
//! - CSV: a header row of Graph's property names in the reference's order ([`COLUMNS`]), text
//!   cells neutralised against formula injection ([`neutralize_formula`]), nulls as empty cells,
//!   charges with every digit. No byte-order mark, so the header is exactly [`COLUMNS`].
//! - JSON: an array of objects with those names; values as they are (nulls as `null`, the charge
//!   as a JSON number with every digit).
//! - [`write_atomic`]: a temporary file in the target's folder, renamed over the target only
//!   when everything was written and synced, so a failure leaves no half-written output.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::model::DialoutRow;

/// The columns, in the reference's order (graph-reference.md section 2).
pub const COLUMNS: [&str; 9] = [
    "userId",
    "userPrincipalName",
    "userDisplayName",
    "usageLocation",
    "destinationContext",
    "currency",
    "totalCalls",
    "totalCallCharge",
    "totalCallSeconds",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ExportFormat {
    #[default]
    Csv,
    Json,
}

impl FromStr for ExportFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Self::Csv),
            "json" => Ok(Self::Json),
            other => Err(format!("unknown format {other:?}: expected csv or json")),
        }
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Csv => "csv",
            Self::Json => "json",
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    #[error("cannot write {}: {source}", path.display())]
    File { path: PathBuf, source: io::Error },
    #[error("writing the output failed: {0}")]
    Io(#[from] io::Error),
    #[error("writing CSV failed: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing JSON failed: {0}")]
    Json(#[from] serde_json::Error),
}

/// Makes a text cell safe to open in a spreadsheet: a cell starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return gets a leading `'`, so it is shown as text and never evaluated as a
/// formula (OWASP's CSV-injection advice). Other cells are returned unchanged.
pub fn neutralize_formula(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// Writes `rows` as CSV with the [`COLUMNS`] header.
pub fn write_csv<W: Write>(rows: &[DialoutRow], out: W) -> Result<(), ExportError> {
    write_csv_with(rows, &[], |_| Vec::new(), out)
}

/// [`write_csv`] with `extra` columns after [`COLUMNS`], each row's values from `values` (as
/// many as `extra`), neutralised like Graph's text.
pub fn write_csv_with<W: Write>(
    rows: &[DialoutRow],
    extra: &[&str],
    values: impl Fn(&DialoutRow) -> Vec<String>,
    out: W,
) -> Result<(), ExportError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    writer.write_record(COLUMNS.iter().chain(extra))?;
    for row in rows {
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(neutralize_formula)
                .unwrap_or_default()
                .into_owned()
        };
        let number = |v: Option<String>| v.unwrap_or_default();
        let extra = values(row)
            .into_iter()
            .map(|value| neutralize_formula(&value).into_owned());
        writer.write_record(
            [
                text(&row.user_id),
                text(&row.user_principal_name),
                text(&row.user_display_name),
                text(&row.usage_location),
                text(&row.destination_context),
                text(&row.currency),
                number(row.total_calls.map(|v| v.to_string())),
                number(row.total_call_charge.map(|v| v.to_string())),
                number(row.total_call_seconds.map(|v| v.to_string())),
            ]
            .into_iter()
            .chain(extra),
        )?;
    }
    writer.flush()?;
    Ok(())
}

/// Writes `rows` as a JSON array of objects named after [`COLUMNS`], one object per line.
pub fn write_json<W: Write>(rows: &[DialoutRow], out: W) -> Result<(), ExportError> {
    let mut out = BufWriter::new(out);
    out.write_all(b"[")?;
    for (i, row) in rows.iter().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut out, row)?;
    }
    out.write_all(if rows.is_empty() { b"]\n" } else { b"\n]\n" })?;
    out.flush()?;
    Ok(())
}

/// Writes `rows` in `format`.
pub fn write_rows<W: Write>(
    rows: &[DialoutRow],
    format: ExportFormat,
    out: W,
) -> Result<(), ExportError> {
    match format {
        ExportFormat::Csv => write_csv(rows, out),
        ExportFormat::Json => write_json(rows, out),
    }
}

/// Writes a file atomically: `write` fills a temporary file in `path`'s folder, which is then
/// flushed, synced and renamed over `path`. If `write` or any step fails, the temporary file is
/// removed and `path` is left as it was.
pub fn write_atomic<F>(path: &Path, write: F) -> Result<(), ExportError>
where
    F: FnOnce(&mut dyn Write) -> Result<(), ExportError>,
{
    let file_error = |source: io::Error| ExportError::File {
        path: path.to_owned(),
        source,
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| {
        file_error(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file name",
        ))
    })?;
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(file_error)?;
    {
        let mut buffered = BufWriter::new(temp.as_file_mut());
        write(&mut buffered)?;
        buffered.flush().map_err(file_error)?;
    }
    temp.as_file().sync_all().map_err(file_error)?;
    // The temporary file is private (0600); the report gets the permissions of the file it
    // replaces, or those of an ordinary new file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let permissions = std::fs::metadata(path)
            .map(|existing| existing.permissions())
            .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
        std::fs::set_permissions(temp.path(), permissions).map_err(file_error)?;
    }
    temp.persist(path).map_err(|e| file_error(e.error))?;
    Ok(())
}

/// [`write_rows`] into `path` through [`write_atomic`].
pub fn export_to_file(
    rows: &[DialoutRow],
    format: ExportFormat,
    path: &Path,
) -> Result<(), ExportError> {
    write_atomic(path, |out| write_rows(rows, format, out))
}

#[cfg(test)]
mod tests;
