use std::io::{Cursor, Read};
use std::str::FromStr;

use app::model::DateRange;
use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use graph_client::MergeStats;

use super::*;

fn row(user: &str, name: &str, currency: &str, charge: &str) -> DialoutRow {
    DialoutRow {
        user_id: Some(user.into()),
        user_principal_name: Some(format!("{user}@contoso.com")),
        user_display_name: Some(name.into()),
        usage_location: Some("JP".into()),
        destination_context: Some("Domestic".into()),
        currency: Some(currency.into()),
        total_calls: Some(3),
        total_call_charge: Some(Decimal::from_str(charge).unwrap()),
        total_call_seconds: Some(125),
    }
}

fn report(rows: Vec<DialoutRow>) -> RangeData {
    let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let stats = MergeStats {
        input_rows: rows.len(),
        output_rows: rows.len(),
        ..MergeStats::default()
    };
    RangeData::build(DateRange { from: day, to: day }, rows, stats)
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn formula_like_text_is_neutralised_and_numbers_are_typed() {
    let hostile = [
        "=HYPERLINK(\"http://x\")",
        "+1",
        "-2",
        "@SUM(A1)",
        "\tTab",
        "\rCR",
    ];
    let mut rows: Vec<DialoutRow> = hostile
        .iter()
        .enumerate()
        .map(|(index, name)| row(&format!("u{index}"), name, "EUR", "12.3456"))
        .collect();
    rows.push(DialoutRow {
        user_id: Some("=deleted".into()),
        ..DialoutRow::default()
    });
    let bytes = workbook(&report(rows)).unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), [ROWS_SHEET, TOTALS_SHEET]);
    let sheet = book.worksheet_range(ROWS_SHEET).unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(Data::to_string)
        .collect();
    assert_eq!(header, COLUMNS);
    for (index, name) in hostile.iter().enumerate() {
        let cells = &sheet.rows().nth(index + 1).unwrap();
        assert_eq!(cells[2], Data::String(format!("'{name}")));
        assert_eq!(cells[6], Data::Float(3.0));
        assert_eq!(cells[7], Data::Float(12.3456));
        assert_eq!(cells[8], Data::Float(125.0));
    }
    // A row with nulls: the neutralised id, empty cells for the rest.
    let last = sheet.rows().next_back().unwrap();
    assert_eq!(last[0], Data::String("'=deleted".into()));
    assert!(last[1..].iter().all(|cell| *cell == Data::Empty));
}

#[test]
fn money_is_formatted_per_currency_and_headers_are_frozen() {
    let rows = vec![
        row("a", "Aiko", "JPY", "1234"),
        row("b", "Bea", "EUR", "5.5"),
    ];
    let bytes = workbook(&report(rows)).unwrap();
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains(r#"formatCode="[$JPY] #,##0""#), "{styles}");
    assert!(
        styles.contains(r#"formatCode="[$EUR] #,##0.00""#),
        "{styles}"
    );
    for sheet in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"] {
        let xml = part(&bytes, sheet);
        assert!(
            xml.contains(
                r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            ),
            "{xml}"
        );
    }
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let totals = book.worksheet_range(TOTALS_SHEET).unwrap();
    let eur = totals
        .rows()
        .find(|cells| cells[0] == Data::String("EUR".into()))
        .unwrap();
    assert_eq!(
        eur[1..],
        [
            Data::Float(3.0),
            Data::Float(125.0),
            Data::Float(3.0),
            Data::Float(1.0),
            Data::Float(5.5)
        ]
    );
}

#[test]
fn money_formats_follow_the_minor_unit_and_ignore_odd_codes() {
    assert_eq!(money_format(Some("JPY")), "[$JPY] #,##0");
    assert_eq!(money_format(Some("KWD")), "[$KWD] #,##0.000");
    assert_eq!(money_format(Some("USD")), "[$USD] #,##0.00");
    assert_eq!(money_format(Some("]0;@")), "#,##0.00");
    assert_eq!(money_format(None), "#,##0.00");
}
