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

fn day(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

/// March 2026's report of `rows`.
fn report(rows: Vec<DialoutRow>) -> RangeData {
    let stats = MergeStats {
        input_rows: rows.len(),
        output_rows: rows.len(),
        ..MergeStats::default()
    };
    let range = DateRange {
        from: day(3, 1),
        to: day(3, 31),
    };
    RangeData::build(range, rows, stats)
}

/// The workbook of `rows` in `locale`, written on April 2nd; the directory lists user `a`
/// (Sales, CC-1100) and no one else.
fn written(rows: Vec<DialoutRow>, locale: Locale) -> Vec<u8> {
    let directory =
        app::report::org::Directory::new(std::sync::Arc::new(vec![graph_client::DirectoryUser {
            id: "a".into(),
            department: Some("Sales".into()),
            cost_center: Some("CC-1100".into()),
            ..Default::default()
        }]));
    workbook(&report(rows), Some(&directory), locale, day(4, 2)).unwrap()
}

/// A sheet's cells, row by row.
fn cells(bytes: &[u8], sheet: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

fn texts(cells: &[Data]) -> Vec<String> {
    cells.iter().map(Data::to_string).collect()
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
    let bytes = written(rows, Locale::En);
    let book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(&bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["About", "Dial-out", "Totals"]);
    let sheet = cells(&bytes, "Dial-out");
    assert_eq!(
        texts(&sheet[0]),
        [
            "User ID",
            "UPN",
            "Name",
            "Usage location",
            "Destination",
            "Currency",
            "Calls",
            "Seconds",
            "Minutes",
            "Charge",
            "Department",
            "Cost centre",
            "Division",
            "Company",
            "Office",
            "Directory"
        ]
    );
    for (index, name) in hostile.iter().enumerate() {
        let cells = &sheet[index + 1];
        assert_eq!(cells[2], Data::String(format!("'{name}")));
        assert_eq!(cells[6], Data::Float(3.0));
        assert_eq!(cells[7], Data::Float(125.0));
        assert_eq!(cells[8], Data::Float(3.0));
        assert_eq!(cells[9], Data::Float(12.3456));
    }
    // A row with nulls: the neutralised id, empty cells for the rest, and no one of that id
    // in the directory.
    let last = sheet.last().unwrap();
    assert_eq!(last[0], Data::String("'=deleted".into()));
    assert!(last[1..15].iter().all(|cell| *cell == Data::Empty));
    assert_eq!(last[15], Data::String("not in the directory".into()));
}

#[test]
fn money_is_formatted_per_currency_and_headers_are_frozen() {
    let rows = vec![
        row("a", "Aiko", "JPY", "1234"),
        row("b", "Bea", "EUR", "5.5"),
    ];
    let bytes = written(rows, Locale::En);
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains(r#"formatCode="[$JPY] #,##0""#), "{styles}");
    assert!(
        styles.contains(r#"formatCode="[$EUR] #,##0.00""#),
        "{styles}"
    );
    // The rows and the totals; the About sheet has no header row.
    for sheet in ["xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"] {
        let xml = part(&bytes, sheet);
        assert!(
            xml.contains(
                r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            ),
            "{xml}"
        );
    }
    let totals = cells(&bytes, "Totals");
    assert_eq!(
        texts(&totals[0]),
        ["Currency", "Calls", "Seconds", "Minutes", "Users", "Charge"]
    );
    let eur = totals
        .iter()
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

#[test]
fn sheets_are_named_in_the_page_language() {
    assert_eq!(sheet_names(Locale::En), ["About", "Dial-out", "Totals"]);
    assert_eq!(sheet_names(Locale::PtBr), ["Sobre", "Discagem", "Totais"]);
    let bytes = written(vec![row("a", "Aiko", "JPY", "1234")], Locale::PtBr);
    let book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), sheet_names(Locale::PtBr));
}

/// The About sheet's lines: label (column A) to value (column B).
fn about(locale: Locale) -> Vec<(String, Data)> {
    let rows = vec![
        row("a", "Aiko", "JPY", "1234"),
        row("b", "Bea", "EUR", "5.5"),
    ];
    let bytes = written(rows, locale);
    let [sheet, ..] = sheet_names(locale);
    let lines = cells(&bytes, sheet);
    assert_eq!(lines[0][0].to_string(), locale.t(Msg::WorkbookTitle));
    lines
        .iter()
        .skip(1)
        .filter(|cells| cells[0] != Data::Empty)
        .map(|cells| (cells[0].to_string(), cells[1].clone()))
        .collect()
}

#[test]
fn the_about_sheet_names_the_period_freshness_and_rules_in_english() {
    let text = |value: &str| Data::String(value.into());
    assert_eq!(
        about(Locale::En),
        [
            ("Period".into(), text("Mar 1, 2026 – Mar 31, 2026 (UTC)")),
            (
                "Data as of".into(),
                text(
                    "Apr 2, 2026 (UTC). Microsoft publishes dial-out records 24–48 hours after each call, so the last two days may still grow."
                )
            ),
            ("Report rows".into(), Data::Float(2.0)),
            (
                "Currency".into(),
                text(
                    "Amounts in different currencies are never added together: each currency has its own totals."
                )
            ),
            ("Minutes".into(), text(Locale::En.t(Msg::MinutesRule))),
            ("Charge".into(), text(Locale::En.t(Msg::ChargeRule))),
        ]
    );
}

#[test]
fn the_about_sheet_speaks_portuguese() {
    let lines = about(Locale::PtBr);
    let value = |label: &str| {
        lines
            .iter()
            .find(|(name, _)| name == label)
            .map(|(_, value)| value.to_string())
            .unwrap_or_else(|| panic!("no {label:?} in {lines:?}"))
    };
    assert_eq!(value("Período"), "01/03/2026 – 31/03/2026 (UTC)");
    assert_eq!(
        value("Dados de"),
        "02/04/2026 (UTC). A Microsoft publica os registros de 24 a 48 horas após cada chamada; os dois últimos dias ainda podem aumentar."
    );
    assert_eq!(
        value("Moeda"),
        "Valores em moedas diferentes nunca são somados: cada moeda tem seus próprios totais."
    );
    assert_eq!(value("Linhas do relatório"), "2");
    assert!(value("Custo").starts_with("Os custos são exatos"));
}

#[test]
fn portuguese_headers_destinations_and_minutes_beside_seconds() {
    let seconds = |user: &str, seconds: Option<i64>| DialoutRow {
        total_call_seconds: seconds,
        destination_context: Some("International".into()),
        ..row(user, "Aiko", "BRL", "1.5")
    };
    let rows = vec![
        row("a", "Aiko", "BRL", "2"),
        seconds("b", Some(120)),
        seconds("c", Some(0)),
        seconds("d", Some(-5)),
        seconds("e", None),
        DialoutRow {
            destination_context: Some("Satellite".into()),
            ..row("f", "Aiko", "BRL", "1")
        },
    ];
    let bytes = written(rows, Locale::PtBr);
    let sheet = cells(&bytes, "Discagem");
    assert_eq!(
        texts(&sheet[0]),
        [
            "ID do usuário",
            "UPN",
            "Nome",
            "Local de uso",
            "Destino",
            "Moeda",
            "Chamadas",
            "Segundos",
            "Minutos",
            "Custo",
            "Departamento",
            "Centro de custo",
            "Divisão",
            "Empresa",
            "Escritório",
            "Diretório"
        ]
    );
    // The directory's columns: a listed person's values, the others said to be missing.
    let directory_cells = |user: &str| {
        let cells = sheet
            .iter()
            .find(|cells| cells[0] == Data::String(user.into()))
            .unwrap();
        texts(&cells[10..])
    };
    assert_eq!(
        directory_cells("a"),
        ["Sales", "CC-1100", "", "", "", "listado"]
    );
    assert_eq!(
        directory_cells("b"),
        ["", "", "", "", "", "fora do diretório"]
    );
    let by_user = |user: &str| {
        sheet
            .iter()
            .find(|cells| cells[0] == Data::String(user.into()))
            .unwrap()
    };
    let destination_and_time = |user: &str| {
        let cells = by_user(user);
        (cells[4].to_string(), cells[7].clone(), cells[8].clone())
    };
    let float = Data::Float;
    assert_eq!(
        destination_and_time("a"),
        ("Nacional".into(), float(125.0), float(3.0))
    );
    assert_eq!(
        destination_and_time("b"),
        ("Internacional".into(), float(120.0), float(2.0))
    );
    assert_eq!(destination_and_time("c").2, float(0.0));
    // A negative count counts as zero, as on the page; no seconds, no minutes.
    assert_eq!(destination_and_time("d").2, float(0.0));
    assert_eq!(
        destination_and_time("e"),
        ("Internacional".into(), Data::Empty, Data::Empty)
    );
    assert_eq!(by_user("e")[9], float(1.5));
    // A destination Graph may add later stays as Graph sent it.
    assert_eq!(destination_and_time("f").0, "Satellite");

    let totals = cells(&bytes, "Totais");
    assert_eq!(
        texts(&totals[0]),
        [
            "Moeda",
            "Chamadas",
            "Segundos",
            "Minutos",
            "Usuários",
            "Custo"
        ]
    );
}
