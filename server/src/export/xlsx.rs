//! The workbook export, in the page's language: sheet "About" naming the period, how fresh the
//! data is, the currency rule and how exact the figures are; sheet "Dial-out" with the report
//! rows (the CSV's columns, minutes beside seconds, typed numbers, the charge formatted in its
//! currency: `[$JPY] #,##0`, `[$EUR] #,##0.00`); sheet "Totals" with each currency's totals as
//! the portal shows them (in Portuguese: "Sobre", "Discagem", "Totais"). Header rows are
//! frozen; every text cell is neutralised against formula injection.
mod about;

use app::error::AppError;
use app::i18n::{Locale, Msg};
use app::model::{Summary, Totals};
use app::money::minor_units;
use app::report::RangeData;
use app::report::org::{Directory, export_values};
use chrono::NaiveDate;
use graph_client::DialoutRow;
use graph_client::export::neutralize_formula;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{DocProperties, Format, FormatBorder, Workbook, Worksheet, XlsxError};

/// The rows sheet's columns: the CSV's, with minutes beside seconds and the charge last.
const ROW_COLUMNS: [Msg; 16] = [
    Msg::UserId,
    Msg::Upn,
    Msg::Name,
    Msg::Location,
    Msg::Destination,
    Msg::Currency,
    Msg::Calls,
    Msg::Seconds,
    Msg::Minutes,
    Msg::Charge,
    // The directory's (app::report::org::EXPORT_COLUMNS, in that order).
    Msg::OrgDepartment,
    Msg::OrgCostCenter,
    Msg::OrgDivision,
    Msg::OrgCompany,
    Msg::OrgOffice,
    Msg::DirectoryColumn,
];
const ROW_WIDTHS: [f64; 16] = [
    38.0, 36.0, 30.0, 14.0, 16.0, 10.0, 11.0, 12.0, 11.0, 18.0, 20.0, 14.0, 14.0, 24.0, 18.0, 18.0,
];
const TOTALS_COLUMNS: [Msg; 6] = [
    Msg::Currency,
    Msg::Calls,
    Msg::Seconds,
    Msg::Minutes,
    Msg::Users,
    Msg::Charge,
];
/// A worksheet holds 1,048,576 rows, the header included.
const MAX_DATA_ROWS: usize = 1_048_575;

/// The sheets' names in `locale`, in the workbook's order: about, rows, totals.
pub fn sheet_names(locale: Locale) -> [&'static str; 3] {
    [Msg::AboutSheet, Msg::RowsSheet, Msg::TotalsSheet].map(|msg| locale.t(msg))
}

/// The range's report as an `.xlsx` file in `locale`; `today` is its "data as of" day.
pub fn workbook(
    data: &RangeData,
    directory: Option<&Directory>,
    locale: Locale,
    today: NaiveDate,
) -> Result<Vec<u8>, AppError> {
    if data.row_count() > MAX_DATA_ROWS {
        return Err(AppError::BadRequest(format!(
            "the range has {} rows, more than a worksheet holds ({MAX_DATA_ROWS}): export it as CSV or choose a shorter range",
            data.row_count()
        )));
    }
    build(data, directory, locale, today)
        .map_err(|error| AppError::Internal(format!("writing the workbook failed: {error}")))
}

fn build(
    data: &RangeData,
    directory: Option<&Directory>,
    locale: Locale,
    today: NaiveDate,
) -> Result<Vec<u8>, XlsxError> {
    let [about_name, rows_name, totals_name] = sheet_names(locale);
    let mut book = Workbook::new();
    book.set_properties(&DocProperties::new().set_title(format!(
        "{} {}",
        locale.t(Msg::WorkbookTitle),
        about::period(locale, data.range)
    )));
    let mut styles = Styles::default();
    let sheet = book.add_worksheet();
    sheet.set_name(about_name)?;
    about::write(sheet, locale, data, today, &styles)?;
    let rows = book.add_worksheet_with_constant_memory()?;
    rows.set_name(rows_name)?;
    write_rows(rows, &data.rows(), directory, locale, &mut styles)?;
    let totals = book.add_worksheet();
    totals.set_name(totals_name)?;
    write_totals(totals, &data.summary(), locale, &mut styles)?;
    book.save_to_buffer()
}

fn write_rows(
    sheet: &mut Worksheet,
    rows: &[DialoutRow],
    directory: Option<&Directory>,
    locale: Locale,
    styles: &mut Styles,
) -> Result<(), XlsxError> {
    for (column, width) in (0u16..).zip(ROW_WIDTHS) {
        sheet.set_column_width(column, width)?;
    }
    write_header(sheet, &ROW_COLUMNS, locale, styles)?;
    for (row, data) in (1u32..).zip(rows) {
        // As the page names it; a value Graph may add later stays as Graph sent it.
        let destination = data
            .destination_context
            .as_deref()
            .map(|key| locale.destination(key));
        let texts = [
            data.user_id.as_deref(),
            data.user_principal_name.as_deref(),
            data.user_display_name.as_deref(),
            data.usage_location.as_deref(),
            destination.as_deref(),
            data.currency.as_deref(),
        ];
        for (column, text) in (0u16..).zip(texts) {
            if let Some(text) = text {
                write_text(sheet, row, column, text)?;
            }
        }
        if let Some(calls) = data.total_calls {
            sheet.write_number_with_format(row, 6, calls as f64, &styles.count)?;
        }
        if let Some(seconds) = data.total_call_seconds {
            sheet.write_number_with_format(row, 7, seconds as f64, &styles.count)?;
            sheet.write_number_with_format(row, 8, row_minutes(seconds) as f64, &styles.count)?;
        }
        if let Some(charge) = data.total_call_charge {
            let format = styles.money(data.currency.as_deref());
            write_money(sheet, row, 9, charge, format)?;
        }
        let mut org = export_values(directory, data.user_id.as_deref());
        org[5] = match org[5].as_str() {
            "listed" => locale.t(Msg::ListedInDirectory).into(),
            "not_in_directory" => locale.t(Msg::NotListedInDirectory).into(),
            _ => String::new(),
        };
        for (column, text) in (10u16..).zip(&org) {
            if !text.is_empty() {
                write_text(sheet, row, column, text)?;
            }
        }
    }
    let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    sheet.autofilter(0, 0, last_row, 15)?;
    Ok(())
}

/// A row's whole minutes as the page counts them: rounded up, a negative count as zero.
fn row_minutes(seconds: i64) -> u64 {
    let seconds = u64::try_from(seconds).unwrap_or(0);
    Totals {
        seconds,
        ..Totals::default()
    }
    .minutes()
}

fn write_totals(
    sheet: &mut Worksheet,
    summary: &Summary,
    locale: Locale,
    styles: &mut Styles,
) -> Result<(), XlsxError> {
    sheet.set_column_width(0, 10)?;
    for column in 1..=5 {
        sheet.set_column_width(column, 18)?;
    }
    write_header(sheet, &TOTALS_COLUMNS, locale, styles)?;
    for (row, currency) in (1u32..).zip(&summary.currencies) {
        let totals = &currency.totals;
        write_text(sheet, row, 0, &currency.currency)?;
        sheet.write_number_with_format(row, 1, totals.calls as f64, &styles.count)?;
        sheet.write_number_with_format(row, 2, totals.seconds as f64, &styles.count)?;
        sheet.write_number_with_format(row, 3, totals.minutes() as f64, &styles.count)?;
        sheet.write_number_with_format(row, 4, currency.users as f64, &styles.count)?;
        let format = styles.money(Some(&currency.currency));
        write_money(sheet, row, 5, totals.charge, format)?;
    }
    Ok(())
}

fn write_header(
    sheet: &mut Worksheet,
    columns: &[Msg],
    locale: Locale,
    styles: &Styles,
) -> Result<(), XlsxError> {
    for (column, msg) in (0u16..).zip(columns) {
        sheet.write_string_with_format(0, column, locale.t(*msg), &styles.header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Text as a string cell, never a formula, and neutralised for whoever saves it as CSV later.
fn write_text(sheet: &mut Worksheet, row: u32, column: u16, text: &str) -> Result<(), XlsxError> {
    sheet.write_string(row, column, neutralize_formula(text))?;
    Ok(())
}

/// A number cell (spreadsheets hold doubles; the exact decimal is in the CSV export).
fn write_money(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    amount: Decimal,
    format: &Format,
) -> Result<(), XlsxError> {
    match amount.to_f64() {
        Some(number) => sheet.write_number_with_format(row, column, number, format)?,
        None => sheet.write_string(row, column, neutralize_formula(&amount.to_string()))?,
    };
    Ok(())
}

struct Styles {
    header: Format,
    count: Format,
    /// One format per currency seen (a handful): searched, not hashed, to spare allocations.
    money: Vec<(Option<String>, Format)>,
}

impl Default for Styles {
    fn default() -> Self {
        Self {
            header: Format::new()
                .set_bold()
                .set_border_bottom(FormatBorder::Thin),
            count: Format::new().set_num_format("#,##0"),
            money: Vec::new(),
        }
    }
}

impl Styles {
    fn money(&mut self, currency: Option<&str>) -> &Format {
        let index = match self
            .money
            .iter()
            .position(|(seen, _)| seen.as_deref() == currency)
        {
            Some(index) => index,
            None => {
                let format = Format::new().set_num_format(money_format(currency));
                self.money.push((currency.map(str::to_owned), format));
                self.money.len() - 1
            }
        };
        &self.money[index].1
    }
}

/// `[$EUR] #,##0.00`, `[$JPY] #,##0`; a plain two-decimal format for a missing or odd code.
pub fn money_format(currency: Option<&str>) -> String {
    let code =
        currency.filter(|code| code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()));
    let decimals = code.map_or(2, minor_units) as usize;
    let number = match decimals {
        0 => "#,##0".to_owned(),
        _ => format!("#,##0.{}", "0".repeat(decimals)),
    };
    match code {
        Some(code) => format!("[${code}] {number}"),
        None => number,
    }
}

#[cfg(test)]
mod tests;
