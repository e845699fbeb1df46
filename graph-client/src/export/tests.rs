use std::str::FromStr;

use rust_decimal::Decimal;

use super::*;

fn hostile_rows() -> Vec<DialoutRow> {
    vec![
        DialoutRow {
            user_id: Some("u-1".into()),
            user_principal_name: Some("=HYPERLINK(\"http://x\")@contoso.com".into()),
            user_display_name: Some("-2+3, \"quoted\"".into()),
            usage_location: Some("JP".into()),
            destination_context: Some("International".into()),
            currency: Some("JPY".into()),
            total_calls: Some(3),
            total_call_charge: Some(Decimal::from_str("1234.5000").unwrap()),
            total_call_seconds: Some(180),
        },
        DialoutRow {
            user_id: Some("u-2".into()),
            user_principal_name: None,
            user_display_name: Some("山田 太郎 <script>alert(1)</script>".into()),
            usage_location: Some("BR".into()),
            destination_context: Some("Domestic".into()),
            currency: Some("BRL".into()),
            total_calls: Some(1),
            total_call_charge: Some(Decimal::from_str("0.10").unwrap()),
            total_call_seconds: None,
        },
    ]
}

#[test]
fn neutralises_formula_prefixes_only() {
    for cell in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
        assert_eq!(neutralize_formula(cell), format!("'{cell}"), "{cell:?}");
    }
    for cell in ["João", "a=b", "", " =x", "山田"] {
        assert_eq!(neutralize_formula(cell), cell, "{cell:?}");
    }
}

#[test]
fn csv_has_the_exact_header_and_safe_cells() {
    let mut out = Vec::new();
    write_csv(&hostile_rows(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "userId,userPrincipalName,userDisplayName,usageLocation,destinationContext,currency,totalCalls,totalCallCharge,totalCallSeconds"
        )
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 2);
    assert_eq!(&records[0][1], "'=HYPERLINK(\"http://x\")@contoso.com");
    assert_eq!(&records[0][2], "'-2+3, \"quoted\"");
    assert_eq!(&records[0][7], "1234.5000", "every digit of the charge");
    assert_eq!(&records[1][1], "", "null is an empty cell");
    assert_eq!(&records[1][2], "山田 太郎 <script>alert(1)</script>");
    assert_eq!(&records[1][8], "");
}

#[test]
fn json_keeps_values_and_digits() {
    let mut out = Vec::new();
    write_json(&hostile_rows(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains(r#""totalCallCharge":1234.5000"#), "{text}");
    assert!(
        text.contains(r#""userPrincipalName":"=HYPERLINK"#),
        "JSON is not neutralised: {text}"
    );
    let parsed: Vec<DialoutRow> = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed, hostile_rows());
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = value[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = COLUMNS.to_vec();
    expected.sort_unstable();
    let mut keys_sorted = keys.clone();
    keys_sorted.sort_unstable();
    assert_eq!(keys_sorted, expected);

    let mut empty = Vec::new();
    write_json(&[], &mut empty).unwrap();
    assert_eq!(
        serde_json::from_slice::<Vec<DialoutRow>>(&empty).unwrap(),
        Vec::new()
    );
}

#[test]
fn formats_parse() {
    assert_eq!("CSV".parse::<ExportFormat>(), Ok(ExportFormat::Csv));
    assert_eq!("json".parse::<ExportFormat>(), Ok(ExportFormat::Json));
    assert!("xlsx".parse::<ExportFormat>().is_err());
}

#[test]
fn atomic_write_replaces_the_file_only_on_success() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.csv");
    export_to_file(&hostile_rows(), ExportFormat::Csv, &path).unwrap();
    let first = std::fs::read_to_string(&path).unwrap();
    assert!(first.starts_with("userId,"));

    let err = write_atomic(&path, |out| {
        out.write_all(b"half a file")?;
        Err(ExportError::Io(io::Error::other("the fetch failed midway")))
    })
    .unwrap_err();
    assert!(err.to_string().contains("midway"));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        first,
        "the old file is untouched"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers,
        vec![std::ffi::OsString::from("report.csv")],
        "no temporary file is left"
    );

    let fresh = dir.path().join("never.json");
    assert!(write_atomic(&fresh, |_| Err(ExportError::Io(io::Error::other("boom")))).is_err());
    assert!(!fresh.exists(), "a failure leaves no output file");
}

#[test]
fn atomic_write_into_a_missing_folder_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("out.csv");
    let err = export_to_file(&[], ExportFormat::Csv, &path).unwrap_err();
    assert!(err.to_string().contains("out.csv"), "{err}");
}

#[cfg(unix)]
#[test]
fn atomic_write_gives_ordinary_permissions_or_keeps_the_old_ones() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.csv");
    export_to_file(&hostile_rows(), ExportFormat::Csv, &path).unwrap();
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o644, "not the temporary file's private 0600");

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    export_to_file(&hostile_rows(), ExportFormat::Csv, &path).unwrap();
    assert_eq!(mode(&path), 0o640, "a replaced file keeps its permissions");
}
