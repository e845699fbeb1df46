use std::collections::BTreeMap;
use std::io::Cursor;
use std::str::FromStr;

use calamine::{Data, Reader, Xlsx};
use graph_client::export::COLUMNS;
use rust_decimal::Decimal;

use crate::common::{Portal, Totals, sim_config, truth_totals};

const FROM: &str = "2025-12-01";
const TO: &str = "2026-02-28";
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

async fn download(portal: &Portal, format: &str) -> reqwest::Response {
    let response = portal
        .get(&format!("/export/dialout.{format}?from={FROM}&to={TO}"))
        .await;
    assert_eq!(response.status(), 200, "{format}");
    let disposition = response.headers()["content-disposition"].to_str().unwrap();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"dialout_{FROM}_{TO}.{format}\"")
    );
    assert_eq!(response.headers()["cache-control"], "private, no-store");
    response
}

/// Checks the text cells of a row: none can start a formula; returns how many were neutralised.
fn check_text_cells<'a>(cells: impl Iterator<Item = &'a str>) -> usize {
    let mut neutralised = 0;
    for cell in cells {
        assert!(
            !cell.starts_with(FORMULA_STARTS),
            "a formula cell got through: {cell:?}"
        );
        if cell.starts_with('\'') && cell[1..].starts_with(FORMULA_STARTS) {
            neutralised += 1;
        }
    }
    neutralised
}

fn add(totals: &mut Totals, currency: &str, calls: u64, seconds: u64, charge: Decimal) {
    let entry = totals.entry(currency.to_owned()).or_default();
    entry.0 += calls;
    entry.1 += seconds;
    entry.2 += charge;
    entry.3 += 1;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_export_adds_up_to_the_truth_and_neutralises_formulas() {
    let portal = Portal::demo(sim_config()).await;
    let response = download(&portal, "csv").await;
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let body = response.bytes().await.unwrap();
    // Excel reads it as UTF-8 only with the byte-order mark first.
    let body = body
        .strip_prefix(dialout_portal::export::UTF8_BOM)
        .expect("the CSV starts with UTF-8's byte-order mark");
    let mut reader = csv::Reader::from_reader(body);
    assert_eq!(reader.headers().unwrap(), COLUMNS.as_slice());
    let mut totals = Totals::new();
    let mut neutralised = 0;
    for record in reader.records() {
        let record = record.unwrap();
        neutralised += check_text_cells(record.iter().take(6));
        let number = |index: usize| record[index].parse::<u64>().unwrap();
        let charge = Decimal::from_str(&record[7]).unwrap();
        add(&mut totals, &record[5], number(6), number(8), charge);
    }
    assert_eq!(totals, truth_totals(&portal.truth(FROM, TO)));
    assert!(
        neutralised > 0,
        "the simulator's hostile names should appear"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_xlsx_export_reads_back_typed_and_equal_to_the_truth() {
    let portal = Portal::demo(sim_config()).await;
    let response = download(&portal, "xlsx").await;
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let body = response.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(body)).unwrap();
    let sheet = book.worksheet_range("Dial-out").unwrap();
    let mut rows = sheet.rows();
    let header: Vec<String> = rows.next().unwrap().iter().map(Data::to_string).collect();
    assert_eq!(header, COLUMNS);
    let mut totals = Totals::new();
    let mut neutralised = 0;
    for cells in rows {
        let texts: Vec<String> = cells[..6].iter().map(Data::to_string).collect();
        neutralised += check_text_cells(texts.iter().map(String::as_str));
        let number = |index: usize| match cells[index] {
            Data::Float(value) => value,
            ref other => panic!("column {index} holds {other:?}, not a number"),
        };
        // The shortest decimal that reads back as the stored double is the exact charge.
        let charge = Decimal::from_str(&number(7).to_string()).unwrap();
        add(
            &mut totals,
            &texts[5],
            number(6) as u64,
            number(8) as u64,
            charge,
        );
    }
    let truth = truth_totals(&portal.truth(FROM, TO));
    assert_eq!(totals, truth);
    assert!(
        neutralised > 0,
        "the simulator's hostile names should appear"
    );

    let summary = book.worksheet_range("Totals").unwrap();
    let charges: BTreeMap<String, Decimal> = summary
        .rows()
        .skip(1)
        .map(|cells| {
            let Data::Float(charge) = cells[5] else {
                panic!("{cells:?}")
            };
            let rounded = Decimal::from_str(&charge.to_string()).unwrap();
            (cells[0].to_string(), rounded)
        })
        .collect();
    let expected: BTreeMap<String, Decimal> = truth
        .iter()
        .map(|(currency, t)| (currency.clone(), t.2))
        .collect();
    assert_eq!(charges, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_parameters_get_400_with_a_message() {
    let portal = Portal::demo(sim_config()).await;
    let cases = [
        ("from=2026-02-01&to=2026-01-01", "after it ends"),
        ("from=2026-02-01&to=2026-03-02", "after today"),
        ("from=2024-01-01&to=2026-02-28", "longest allowed"),
        ("from=2026-02-30&to=2026-03-01", "YYYY-MM-DD"),
        ("from=2026-2-1&to=2026-02-28", "YYYY-MM-DD"),
        ("from=yesterday&to=2026-02-28", "YYYY-MM-DD"),
        ("from=2026-01-01", "\"to\""),
        ("", "\"from\""),
        (
            "from=2026-01-01&from=2026-01-02&to=2026-02-01",
            "more than once",
        ),
        ("from=%FF%FE&to=2026-02-01", "YYYY-MM-DD"),
    ];
    for path in [
        "/export/dialout.csv",
        "/export/dialout.xlsx",
        "/events/progress",
    ] {
        for (query, expected) in cases {
            let response = portal.get(&format!("{path}?{query}")).await;
            assert_eq!(response.status(), 400, "{path}?{query}");
            assert_eq!(
                response.headers()["content-type"],
                "text/plain; charset=utf-8"
            );
            let message = response.text().await.unwrap();
            assert!(message.contains(expected), "{path}?{query}: {message}");
        }
    }
    assert_eq!(
        portal.sim_stats().await["report_requests"],
        0,
        "nothing reached Graph"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_with_days_still_loading_is_refused_not_cut_short() {
    let portal = Portal::demo_empty(sim_config()).await;
    let response = portal
        .get("/export/dialout.csv?from=2026-01-01&to=2026-02-15")
        .await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "60");
    let message = response.text().await.unwrap();
    assert!(
        message.contains("46 days of 2026-01-01 to 2026-02-15 are still loading"),
        "{message}"
    );
    // Once the sync has stored them, the same download is whole.
    assert_eq!(portal.history.sync_once().await.failed, None);
    let response = portal
        .get("/export/dialout.csv?from=2026-01-01&to=2026-02-15")
        .await;
    assert_eq!(response.status(), 200);
}
