//! The workbook's first sheet: what a reader needs before the figures. A title, then a label in
//! column A and its value in column B: the period, "data as of" with Graph's lag, the row count,
//! the currency rule, how minutes are counted and how exact the charges are.
use app::i18n::{Locale, Msg};
use app::model::DateRange;
use app::report::RangeData;
use chrono::NaiveDate;
use graph_client::export::neutralize_formula;
use rust_xlsxwriter::{Format, FormatAlign, Worksheet, XlsxError};

use super::Styles;

/// `Mar 1, 2026 – Mar 31, 2026 (UTC)` / `01/03/2026 – 31/03/2026 (UTC)`.
pub(super) fn period(locale: Locale, range: DateRange) -> String {
    format!("{} (UTC)", locale.date_range(range.from, range.to))
}

/// The day the file was written and Graph's lag: `Mar 31, 2026 (UTC). Microsoft publishes…`.
fn as_of(locale: Locale, today: NaiveDate) -> String {
    format!("{} (UTC). {}", locale.date(today), locale.t(Msg::LagNote))
}

enum Value {
    Text(String),
    Count(usize),
}

pub(super) fn write(
    sheet: &mut Worksheet,
    locale: Locale,
    data: &RangeData,
    today: NaiveDate,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let text = |msg| Value::Text(locale.t(msg).to_owned());
    let lines = [
        (Msg::Period, Value::Text(period(locale, data.range))),
        (Msg::DataAsOf, Value::Text(as_of(locale, today))),
        (Msg::ReportRows, Value::Count(data.row_count())),
        (Msg::Currency, text(Msg::CurrencyRule)),
        (Msg::Minutes, text(Msg::MinutesRule)),
        (Msg::Charge, text(Msg::ChargeRule)),
    ];
    // Wide enough for the longest label in bold; the values wrap in a wide column B.
    let widest = lines
        .iter()
        .map(|(label, _)| locale.t(*label).chars().count())
        .max()
        .unwrap_or(0);
    sheet.set_column_width(0, widest as f64 + 4.0)?;
    sheet.set_column_width(1, 90)?;
    let top = Format::new().set_align(FormatAlign::Top);
    let label = top.clone().set_bold();
    let wrapped = top.set_text_wrap();
    let count = styles
        .count
        .clone()
        .set_align(FormatAlign::Top)
        .set_align(FormatAlign::Left);
    let title = Format::new().set_bold().set_font_size(14);
    sheet.write_string_with_format(0, 0, locale.t(Msg::WorkbookTitle), &title)?;
    // A blank row under the title, then one line per fact.
    for (row, (name, value)) in (2u32..).zip(lines) {
        sheet.write_string_with_format(row, 0, locale.t(name), &label)?;
        match value {
            Value::Text(value) => {
                sheet.write_string_with_format(row, 1, neutralize_formula(&value), &wrapped)?;
            }
            Value::Count(rows) => {
                sheet.write_number_with_format(row, 1, rows as f64, &count)?;
            }
        }
    }
    Ok(())
}
