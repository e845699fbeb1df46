use std::str::FromStr;

use chrono::NaiveDate;
use graph_client::{DialoutRow, MergeStats};
use rust_decimal::Decimal;

use super::*;
use crate::model::{ALL_CURRENCIES, UserFilters, UserQuery, UserSort};

fn range() -> DateRange {
    let day = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    DateRange { from: day, to: day }
}

fn row(
    user: &str,
    name: Option<&str>,
    location: &str,
    destination: &str,
    currency: &str,
    charge: &str,
) -> DialoutRow {
    DialoutRow {
        user_id: Some(user.into()),
        user_principal_name: Some(format!("{user}@contoso.example")),
        user_display_name: name.map(Into::into),
        usage_location: Some(location.into()),
        destination_context: Some(destination.into()),
        currency: Some(currency.into()),
        total_calls: Some(2),
        total_call_charge: Some(Decimal::from_str(charge).unwrap()),
        total_call_seconds: Some(90),
    }
}

fn data() -> RangeData {
    let rows = vec![
        row("u1", Some("Ana Souza"), "BR", "Domestic", "BRL", "10.10"),
        row(
            "u1",
            Some("Ana Souza"),
            "BR",
            "International",
            "BRL",
            "5.0001",
        ),
        row("u1", Some("Ana Souza"), "US", "Domestic", "USD", "1.00"),
        row("u2", Some("Bo Lin"), "BR", "Domestic", "BRL", "20"),
        row("u3", None, "JP", "Domestic", "JPY", "150"),
    ];
    RangeData::build(range(), rows, MergeStats::default())
}

fn query() -> UserQuery {
    filtered(every_currency())
}

/// The table's filters with every currency shown (by default it shows the detailed one).
fn every_currency() -> UserFilters {
    UserFilters {
        currency: Some(ALL_CURRENCIES.into()),
        ..UserFilters::default()
    }
}

fn filtered(filters: UserFilters) -> UserQuery {
    UserQuery {
        range: range(),
        filters,
        page_size: 50,
        spend: None,
    }
}

#[test]
fn the_users_table_starts_at_the_dashboards_detailed_currency() {
    let data = data();
    let shown = |spend: Option<&str>| {
        let page = data.users(&UserQuery {
            spend: spend.map(str::to_string),
            ..filtered(UserFilters::default())
        });
        let currencies: Vec<String> = page.rows.iter().map(|u| u.currency.clone()).collect();
        (page.currency.clone(), currencies)
    };
    // BRL has the most calls; USD when the dashboard details USD; a currency without spend in
    // the range falls back as the dashboard does.
    assert_eq!(shown(None), (Some("BRL".into()), vec!["BRL".into(); 2]));
    assert_eq!(shown(Some("USD")), (Some("USD".into()), vec!["USD".into()]));
    assert_eq!(shown(Some("EUR")).0.as_deref(), Some("BRL"));
    let all = data.users(&query());
    assert_eq!((all.currency.clone(), all.total_rows), (None, 4));
}

#[test]
fn summary_keeps_currencies_apart_with_exact_sums() {
    let summary = data().summary();
    let codes: Vec<&str> = summary
        .currencies
        .iter()
        .map(|c| c.currency.as_str())
        .collect();
    assert_eq!(codes, ["BRL", "JPY", "USD"]);
    let brl = &summary.currencies[0];
    assert_eq!(brl.totals.charge, Decimal::from_str("35.1001").unwrap());
    assert_eq!(
        (brl.totals.calls, brl.totals.seconds, brl.users),
        (6, 270, 2)
    );
    assert_eq!(brl.by_destination[0].key, "Domestic");
    assert_eq!(
        brl.by_destination[0].totals.charge,
        Decimal::from_str("30.10").unwrap()
    );
    assert_eq!(
        brl.by_destination[1].totals.charge,
        Decimal::from_str("5.0001").unwrap()
    );
    assert_eq!(brl.top_users[0].user_id, "u2");
    // Both destinations are always listed, even with no international spend.
    assert_eq!(
        summary.currencies[1].by_destination[1].totals,
        Totals::default()
    );
}

#[test]
fn users_filter_sort_and_page_on_the_server() {
    let data = data();
    let all = data.users(&query());
    assert_eq!(all.total_rows, 4);
    assert_eq!(all.currencies, ["BRL", "JPY", "USD"]);
    assert_eq!(all.locations, ["BR", "JP", "US"]);

    let brl = data.users(&filtered(UserFilters {
        currency: Some("BRL".into()),
        ..every_currency()
    }));
    let ids: Vec<&str> = brl.rows.iter().map(|u| u.user_id.as_str()).collect();
    assert_eq!(ids, ["u2", "u1"]);

    // By charge over every currency: never JPY 150 above BRL 20 because 150 > 20; grouped
    // by currency, each group highest first (lowest first when ascending).
    let pairs = |page: &UserPage| -> Vec<(String, String)> {
        page.rows
            .iter()
            .map(|u| (u.currency.clone(), u.user_id.clone()))
            .collect()
    };
    let expected = [("BRL", "u2"), ("BRL", "u1"), ("JPY", "u3"), ("USD", "u1")];
    let owned = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(c, u)| (c.to_string(), u.to_string()))
            .collect()
    };
    assert_eq!(pairs(&all), owned(&expected));
    let ascending = data.users(&filtered(UserFilters {
        descending: false,
        ..every_currency()
    }));
    let expected = [("BRL", "u1"), ("BRL", "u2"), ("JPY", "u3"), ("USD", "u1")];
    assert_eq!(pairs(&ascending), owned(&expected));

    let by_name = data.users(&filtered(UserFilters {
        sort: UserSort::Name,
        descending: false,
        ..every_currency()
    }));
    let names: Vec<Option<&str>> = by_name
        .rows
        .iter()
        .map(|u| u.display_name.as_deref())
        .collect();
    assert_eq!(
        names,
        [Some("Ana Souza"), Some("Ana Souza"), Some("Bo Lin"), None]
    );

    let by_location = data.users(&filtered(UserFilters {
        sort: UserSort::Location,
        descending: false,
        ..every_currency()
    }));
    let locations: Vec<&str> = by_location
        .rows
        .iter()
        .map(|u| u.locations[0].as_str())
        .collect();
    assert_eq!(locations, ["BR", "BR", "JP", "US"]);

    let searched = data.users(&filtered(UserFilters {
        search: Some("  bo ".into()),
        ..every_currency()
    }));
    assert_eq!(searched.total_rows, 1);
    let by_upn = data.users(&filtered(UserFilters {
        search: Some("U1@CONTOSO".into()),
        ..every_currency()
    }));
    assert_eq!(by_upn.total_rows, 2);

    let page = data.users(&UserQuery {
        page_size: 3,
        ..filtered(UserFilters {
            page: 1,
            ..every_currency()
        })
    });
    assert_eq!((page.total_rows, page.rows.len()), (4, 1));
    let beyond = data.users(&filtered(UserFilters {
        page: 9,
        ..every_currency()
    }));
    assert!(beyond.rows.is_empty());
}

#[test]
fn destination_filter_counts_only_matching_rows() {
    let page = data().users(&filtered(UserFilters {
        destination: Some("International".into()),
        ..every_currency()
    }));
    assert_eq!(page.total_rows, 1);
    assert_eq!(
        page.rows[0].totals.charge,
        Decimal::from_str("5.0001").unwrap()
    );
}

#[test]
fn user_detail_has_share_of_each_currency() {
    let detail = data().user_detail("u1").unwrap();
    assert_eq!(detail.display_name.as_deref(), Some("Ana Souza"));
    assert_eq!(detail.locations, ["BR", "US"]);
    let brl = &detail.currencies[0];
    assert_eq!(brl.totals.charge, Decimal::from_str("15.1001").unwrap());
    assert_eq!(
        brl.share_of_charge,
        Some(Decimal::from_str("0.430201").unwrap())
    );
    assert_eq!(detail.currencies[1].share_of_charge, Some(Decimal::ONE));
    assert!(data().user_detail("nobody").is_none());
}

#[test]
fn rows_with_null_fields_still_count() {
    let mut orphan = row("u9", None, "BR", "Domestic", "BRL", "1");
    orphan.user_id = None;
    orphan.total_calls = None;
    let data = RangeData::build(range(), vec![orphan], MergeStats::default());
    let summary = data.summary();
    assert_eq!(summary.currencies[0].totals.charge, Decimal::ONE);
    assert_eq!(
        summary.currencies[0].top_users[0].user_id,
        crate::report::facts::UNKNOWN
    );
}

#[test]
fn rows_are_listed_as_graph_sent_them_nulls_kept() {
    let mut orphan = row("u9", None, "BR", "Domestic", "BRL", "1");
    orphan.user_id = None;
    orphan.total_calls = None;
    orphan.total_call_charge = None;
    let named = row("u1", Some("Ana Souza"), "BR", "Domestic", "BRL", "10.10");
    let rows = vec![named, orphan];
    let data = RangeData::build(range(), rows.clone(), MergeStats::default());
    assert_eq!(data.rows(), rows);
    assert_eq!(data.row_count(), 2);
}

#[test]
fn the_store_keys_are_shared_not_copied() {
    use std::sync::Arc;

    use report_store::{KeyTotals, ReportKey};

    let key = Arc::new(ReportKey::from_row(
        &row("u1", Some("Ana Souza"), "BR", "Domestic", "BRL", "1"),
        range().to,
    ));
    let merged = vec![KeyTotals {
        key: Arc::clone(&key),
        calls: Some(3),
        seconds: Some(120),
        charge: Some(Decimal::from_str("2.5").unwrap()),
    }];
    let data = RangeData::from_merged(range(), merged, MergeStats::default());
    // The range's fact holds the store's key; nothing copies it.
    assert_eq!(Arc::strong_count(&key), 2);
    let page = data.users(&query());
    assert_eq!(page.rows[0].display_name.as_deref(), Some("Ana Souza"));
    assert_eq!(page.rows[0].totals.calls, 3);
    assert_eq!(page.locations, vec!["BR".to_string()]);
}
