use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::str::FromStr;

use app::report::org::EXPORT_COLUMNS;
use calamine::{Data, Reader, Xlsx};
use graph_client::export::COLUMNS;
use rust_decimal::Decimal;

use crate::common::{Portal, Totals, sim_config, truth_totals};

const FROM: &str = "2025-12-01";
const TO: &str = "2026-02-28";
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];
const ROW_HEADERS_EN: [&str; 16] = [
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
    "Directory",
];

/// The range's download; `extra` is appended to the query (`&lang=pt-BR`).
async fn download(portal: &Portal, format: &str, extra: &str) -> reqwest::Response {
    let response = portal
        .get(&format!(
            "/export/dialout.{format}?from={FROM}&to={TO}{extra}"
        ))
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

/// The value beside `label` on a workbook's About sheet.
/// A sheet's first row, as text.
fn header(sheet: &calamine::Range<Data>) -> Vec<String> {
    sheet
        .rows()
        .next()
        .map(|cells| cells.iter().map(Data::to_string).collect())
        .unwrap_or_default()
}

fn about_value(about: &calamine::Range<Data>, label: &str) -> String {
    about
        .rows()
        .find(|cells| cells[0] == label)
        .map(|cells| cells[1].to_string())
        .unwrap_or_else(|| panic!("no {label:?} on the About sheet"))
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
    let response = download(&portal, "csv", "").await;
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
    // Graph's columns, then the person's place in the directory.
    let expected: Vec<&str> = COLUMNS.iter().chain(&EXPORT_COLUMNS).copied().collect();
    assert_eq!(reader.headers().unwrap(), expected.as_slice());
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
    let response = download(&portal, "xlsx", "").await;
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let body = response.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(body)).unwrap();
    assert_eq!(book.sheet_names(), ["About", "Dial-out", "Totals"]);
    let about = book.worksheet_range("About").unwrap();
    assert_eq!(
        about_value(&about, "Period"),
        "Dec 1, 2025 – Feb 28, 2026 (UTC)"
    );
    let sheet = book.worksheet_range("Dial-out").unwrap();
    assert_eq!(header(&sheet), ROW_HEADERS_EN);
    let rows = sheet.rows().skip(1);
    let mut totals = Totals::new();
    let mut neutralised = 0;
    for cells in rows {
        let texts: Vec<String> = cells[..6].iter().map(Data::to_string).collect();
        neutralised += check_text_cells(texts.iter().map(String::as_str));
        let number = |index: usize| match cells[index] {
            Data::Float(value) => value,
            ref other => panic!("column {index} holds {other:?}, not a number"),
        };
        let seconds = number(7) as u64;
        assert_eq!(number(8) as u64, seconds.div_ceil(60), "{cells:?}");
        // The shortest decimal that reads back as the stored double is the exact charge.
        let charge = Decimal::from_str(&number(9).to_string()).unwrap();
        add(&mut totals, &texts[5], number(6) as u64, seconds, charge);
    }
    let truth = truth_totals(&portal.truth(FROM, TO));
    assert_eq!(totals, truth);
    assert!(
        neutralised > 0,
        "the simulator's hostile names should appear"
    );

    let summary = book.worksheet_range("Totals").unwrap();
    assert_eq!(
        header(&summary),
        ["Currency", "Calls", "Seconds", "Minutes", "Users", "Charge"]
    );
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
async fn the_workbook_speaks_the_pages_language_and_the_csv_stays_machine_readable() {
    let portal = Portal::demo(sim_config()).await;
    let workbook = |response: reqwest::Response| async move {
        let body = response.bytes().await.unwrap().to_vec();
        let book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(body)).unwrap();
        book
    };
    let mut book = workbook(download(&portal, "xlsx", "&lang=pt-BR").await).await;
    assert_eq!(book.sheet_names(), ["Sobre", "Discagem", "Totais"]);
    let about = book.worksheet_range("Sobre").unwrap();
    assert_eq!(
        about_value(&about, "Período"),
        "01/12/2025 – 28/02/2026 (UTC)"
    );
    let sheet = book.worksheet_range("Discagem").unwrap();
    assert_eq!(
        header(&sheet),
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
    let destinations: BTreeSet<String> = sheet
        .rows()
        .skip(1)
        .map(|cells| cells[4].to_string())
        .collect();
    assert!(destinations.contains("Nacional"), "{destinations:?}");
    assert!(!destinations.contains("Domestic"), "{destinations:?}");

    // Without `lang=`, the browser's language; `lang=` wins over it.
    let with_browser = |query: &str| {
        portal
            .http
            .get(portal.url(&format!("/export/dialout.xlsx?from={FROM}&to={TO}{query}")))
            .header("accept-language", "pt-BR,pt;q=0.9")
            .send()
    };
    let book = workbook(with_browser("").await.unwrap()).await;
    assert_eq!(book.sheet_names(), ["Sobre", "Discagem", "Totais"]);
    let book = workbook(with_browser("&lang=en").await.unwrap()).await;
    assert_eq!(book.sheet_names(), ["About", "Dial-out", "Totals"]);

    // The CSV keeps Graph's names whatever the language.
    let english = download(&portal, "csv", "").await.bytes().await.unwrap();
    let portuguese = download(&portal, "csv", "&lang=pt-BR")
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(english, portuguese);
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
