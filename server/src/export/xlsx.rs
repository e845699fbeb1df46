//! The workbook export: sheet "Dial-out" with the report rows (the CSV's columns, a currency
//! column, typed numbers, the charge formatted in its currency: `[$JPY] #,##0`,
//! `[$EUR] #,##0.00`), and sheet "Totals" with each currency's totals as the portal shows them.
//! Header rows are frozen; every text cell is neutralised against formula injection.
use app::error::AppError;
use app::model::Summary;
use app::money::minor_units;
use app::report::RangeData;
use graph_client::DialoutRow;
use graph_client::export::{COLUMNS, neutralize_formula};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{DocProperties, Format, FormatBorder, Workbook, Worksheet, XlsxError};

pub const ROWS_SHEET: &str = "Dial-out";
pub const TOTALS_SHEET: &str = "Totals";
const TOTALS_COLUMNS: [&str; 6] = [
    "currency",
    "totalCalls",
    "totalCallSeconds",
    "minutes",
    "users",
    "totalCallCharge",
];
/// A worksheet holds 1,048,576 rows, the header included.
const MAX_DATA_ROWS: usize = 1_048_575;
const COLUMN_WIDTHS: [f64; 9] = [38.0, 36.0, 30.0, 14.0, 18.0, 10.0, 11.0, 18.0, 16.0];

/// The range's report as an `.xlsx` file.
pub fn workbook(data: &RangeData) -> Result<Vec<u8>, AppError> {
    if data.row_count() > MAX_DATA_ROWS {
        return Err(AppError::BadRequest(format!(
            "the range has {} rows, more than a worksheet holds ({MAX_DATA_ROWS}): export it as CSV or choose a shorter range",
            data.row_count()
        )));
    }
    build(data).map_err(|error| AppError::Internal(format!("writing the workbook failed: {error}")))
}

fn build(data: &RangeData) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    book.set_properties(&DocProperties::new().set_title(format!(
        "Teams dial-out spend {} to {} (UTC)",
        data.range.from, data.range.to
    )));
    let mut styles = Styles::default();
    let rows = book.add_worksheet_with_constant_memory()?;
    rows.set_name(ROWS_SHEET)?;
    write_rows(rows, &data.rows(), &mut styles)?;
    let totals = book.add_worksheet();
    totals.set_name(TOTALS_SHEET)?;
    write_totals(totals, &data.summary(), &mut styles)?;
    book.save_to_buffer()
}

fn write_rows(
    sheet: &mut Worksheet,
    rows: &[DialoutRow],
    styles: &mut Styles,
) -> Result<(), XlsxError> {
    for (column, width) in (0u16..).zip(COLUMN_WIDTHS) {
        sheet.set_column_width(column, width)?;
    }
    write_header(sheet, &COLUMNS, styles)?;
    for (row, data) in (1u32..).zip(rows) {
        let texts = [
            &data.user_id,
            &data.user_principal_name,
            &data.user_display_name,
            &data.usage_location,
            &data.destination_context,
            &data.currency,
        ];
        for (column, text) in (0u16..).zip(texts) {
            if let Some(text) = text {
                write_text(sheet, row, column, text)?;
            }
        }
        if let Some(calls) = data.total_calls {
            sheet.write_number_with_format(row, 6, calls as f64, &styles.count)?;
        }
        if let Some(charge) = data.total_call_charge {
            let format = styles.money(data.currency.as_deref());
            write_money(sheet, row, 7, charge, format)?;
        }
        if let Some(seconds) = data.total_call_seconds {
            sheet.write_number_with_format(row, 8, seconds as f64, &styles.count)?;
        }
    }
    let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    sheet.autofilter(0, 0, last_row, 8)?;
    Ok(())
}

fn write_totals(
    sheet: &mut Worksheet,
    summary: &Summary,
    styles: &mut Styles,
) -> Result<(), XlsxError> {
    sheet.set_column_width(0, 10)?;
    for column in 1..=5 {
        sheet.set_column_width(column, 18)?;
    }
    write_header(sheet, &TOTALS_COLUMNS, styles)?;
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

fn write_header(sheet: &mut Worksheet, names: &[&str], styles: &Styles) -> Result<(), XlsxError> {
    for (column, name) in (0u16..).zip(names) {
        sheet.write_string_with_format(0, column, *name, &styles.header)?;
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
