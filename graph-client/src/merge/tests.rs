use std::str::FromStr;

use proptest::prelude::*;

use super::*;

fn row(user: &str, currency: &str, calls: i64, charge: &str, seconds: i64) -> DialoutRow {
    DialoutRow {
        user_id: Some(user.into()),
        user_principal_name: Some(format!("{user}@contoso.com")),
        user_display_name: Some(user.to_uppercase()),
        usage_location: Some("BR".into()),
        destination_context: Some("Domestic".into()),
        currency: Some(currency.into()),
        total_calls: Some(calls),
        total_call_charge: Some(Decimal::from_str(charge).unwrap()),
        total_call_seconds: Some(seconds),
    }
}

#[test]
fn sums_exactly_per_key() {
    let first = vec![
        row("a", "BRL", 1, "0.10", 60),
        row("b", "JPY", 2, "15", 120),
    ];
    let second = vec![
        row("a", "BRL", 3, "0.20", 30),
        row("a", "USD", 1, "1.005", 10),
    ];
    let (rows, stats) = merge_rows([first, second]).unwrap();
    assert_eq!(rows.len(), 3);
    let a_brl = &rows[0];
    assert_eq!(
        a_brl.key(),
        (Some("a"), Some("BR"), Some("Domestic"), Some("BRL"))
    );
    assert_eq!(a_brl.total_calls, Some(4));
    assert_eq!(a_brl.total_call_charge.unwrap().to_string(), "0.30");
    assert_eq!(a_brl.total_call_seconds, Some(90));
    assert_eq!(
        stats,
        MergeStats {
            input_rows: 4,
            output_rows: 3,
            rows_missing_key: 0,
            rows_missing_totals: 0,
            duplicate_rows: 0,
            conflicting_rows: 0,
        }
    );
}

/// One window read page by page, as the fetcher does.
fn window(pages: Vec<Vec<DialoutRow>>, hasher: &RowHasher) -> (HashedRows, Vec<Repeats>) {
    let mut rows = HashedRows::default();
    let repeats = pages
        .into_iter()
        .map(|page| rows.push_page(page, hasher))
        .collect();
    (rows, repeats)
}

#[test]
fn a_key_repeated_within_a_window_is_kept_once_and_counted() {
    let hasher = RowHasher::default();
    let (first_window, per_page) = window(
        vec![
            vec![
                row("a", "BRL", 1, "0.10", 60),
                row("b", "BRL", 2, "0.20", 120),
            ],
            // Graph's order moved: `b` again, the same totals; then `a` with other totals.
            vec![row("b", "BRL", 2, "0.20", 120), row("c", "BRL", 1, "1", 1)],
            vec![row("a", "BRL", 9, "9.99", 999)],
        ],
        &hasher,
    );
    assert_eq!(per_page[0], Repeats::default());
    assert_eq!((per_page[1].rows, per_page[1].conflicting), (1, 0));
    assert_eq!((per_page[2].rows, per_page[2].conflicting), (1, 1));
    assert_eq!(
        per_page[2].first[0].to_string(),
        "a/BR/Domestic/BRL (different totals)"
    );
    // The next window (other days) has `a` again: that is summed, not a repeat.
    let (second_window, _) = window(vec![vec![row("a", "BRL", 3, "0.30", 30)]], &hasher);
    let merged = merge_hashed([first_window, second_window]).unwrap();
    let totals: Vec<_> = merged
        .rows
        .iter()
        .map(|r| (r.user_id.as_deref().unwrap(), r.total_calls.unwrap()))
        .collect();
    assert_eq!(
        totals,
        [("a", 4), ("b", 2), ("c", 1)],
        "the first `a` of the window is kept"
    );
    assert_eq!(
        merged.rows[0].total_call_charge.unwrap().to_string(),
        "0.40"
    );
    assert_eq!(
        merged.stats,
        MergeStats {
            input_rows: 6,
            output_rows: 3,
            rows_missing_key: 0,
            rows_missing_totals: 0,
            duplicate_rows: 2,
            conflicting_rows: 1,
        }
    );
    let named: Vec<_> = merged
        .repeats
        .first
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        named,
        ["b/BR/Domestic/BRL", "a/BR/Domestic/BRL (different totals)"]
    );
}

#[test]
fn repeats_are_named_up_to_a_few_and_rows_without_a_key_are_summed() {
    let hasher = RowHasher::default();
    let users: Vec<String> = (0..NAMED_REPEATS + 5).map(|i| format!("u{i}")).collect();
    let page: Vec<_> = users.iter().map(|u| row(u, "JPY", 1, "5", 60)).collect();
    let mut keyless = row("x", "JPY", 1, "5", 60);
    keyless.user_id = None;
    let (rows, _) = window(
        vec![page.clone(), page, vec![keyless.clone()], vec![keyless]],
        &hasher,
    );
    let merged = merge_hashed([rows]).unwrap();
    assert_eq!(merged.stats.duplicate_rows, users.len());
    assert_eq!(merged.stats.conflicting_rows, 0);
    assert_eq!(merged.repeats.first.len(), NAMED_REPEATS);
    assert_eq!(merged.rows.len(), users.len() + 1);
    let keyless = merged.rows.last().unwrap();
    assert_eq!(
        (keyless.user_id.as_deref(), keyless.total_calls),
        (None, Some(2)),
        "a null key cannot tell a repeat from another user: summed as before"
    );
}

#[test]
fn merge_rows_sums_every_row_it_is_given() {
    let (rows, stats) =
        merge_rows([vec![row("a", "BRL", 1, "1", 1), row("a", "BRL", 1, "1", 1)]]).unwrap();
    assert_eq!(rows[0].total_calls, Some(2));
    assert_eq!(stats.duplicate_rows, 0);
}

#[test]
fn the_most_recent_non_null_names_win() {
    let mut old = row("a", "BRL", 1, "1", 1);
    old.user_principal_name = Some("old@contoso.com".into());
    let mut newer = row("a", "BRL", 1, "1", 1);
    newer.user_principal_name = Some("new@contoso.com".into());
    newer.user_display_name = Some("New Name".into());
    let mut newest = row("a", "BRL", 1, "1", 1);
    newest.user_principal_name = None; // deleted user: null must not erase the name
    newest.user_display_name = None;
    let (rows, _) = merge_rows([vec![old], vec![newer], vec![newest]]).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].user_principal_name.as_deref(),
        Some("new@contoso.com")
    );
    assert_eq!(rows[0].user_display_name.as_deref(), Some("New Name"));
    assert_eq!(rows[0].total_calls, Some(3));
}

#[test]
fn rows_without_key_or_totals_are_kept_and_counted() {
    let mut no_user = row("x", "BRL", 1, "2.5", 10);
    no_user.user_id = None;
    let mut no_user_again = no_user.clone();
    no_user_again.total_call_charge = None;
    let (rows, stats) = merge_rows([
        vec![no_user, row("a", "BRL", 1, "1", 1)],
        vec![no_user_again],
    ])
    .unwrap();
    assert_eq!(
        rows.len(),
        2,
        "null is a key value of its own, as in Graph's aggregation"
    );
    assert_eq!(rows[0].user_id, None, "first appearance order");
    assert_eq!(rows[0].total_calls, Some(2));
    assert_eq!(
        rows[0].total_call_charge.unwrap().to_string(),
        "2.5",
        "a null charge adds nothing"
    );
    assert_eq!(stats.rows_missing_key, 2);
    assert_eq!(stats.rows_missing_totals, 1);
}

#[test]
fn overflow_is_an_error_not_a_panic() {
    let big = row("a", "BRL", i64::MAX, "1", 1);
    let err = merge_rows([vec![big.clone()], vec![big]]).unwrap_err();
    assert_eq!(err.field, "totalCalls");
    let mut huge = row("a", "BRL", 1, "1", 1);
    huge.total_call_charge = Some(Decimal::MAX);
    let err = merge_rows([vec![huge.clone(), huge]]).unwrap_err();
    assert_eq!(err.field, "totalCallCharge");
}

#[test]
fn keeps_the_order_of_first_appearance() {
    let (rows, _) = merge_rows([
        vec![row("c", "BRL", 1, "1", 1), row("a", "BRL", 1, "1", 1)],
        vec![row("b", "BRL", 1, "1", 1), row("c", "BRL", 1, "1", 1)],
    ])
    .unwrap();
    let users: Vec<_> = rows.iter().map(|r| r.user_id.as_deref().unwrap()).collect();
    assert_eq!(users, ["c", "a", "b"]);
    assert_eq!(rows[0].total_calls, Some(2));
}

#[test]
fn empty_input_gives_empty_output() {
    let (rows, stats) = merge_rows(Vec::<Vec<DialoutRow>>::new()).unwrap();
    assert!(rows.is_empty());
    assert_eq!(stats, MergeStats::default());
}

/// A call-level fact on one day, as the simulator's data would have it.
#[derive(Clone, Debug)]
struct DayFact {
    day: usize,
    row: DialoutRow,
}

fn fact_strategy(days: usize) -> impl Strategy<Value = DayFact> {
    (
        0..days,
        prop::sample::select(vec!["u1", "u2", "u3"]),
        prop::sample::select(vec!["BRL", "JPY", "EUR"]),
        prop::option::weighted(0.8, prop::sample::select(vec!["p@x", "q@x"])),
        0i64..50,
        (0i64..1_000_000, 0u32..4),
        0i64..10_000,
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(day, user, currency, upn, calls, (mantissa, scale), seconds, null_user)| {
                let mut row = row(user, currency, calls, "0", seconds);
                row.total_call_charge = Some(Decimal::new(mantissa, scale));
                row.user_principal_name = upn.map(String::from);
                if null_user {
                    row.user_id = None;
                }
                DayFact { day, row }
            },
        )
}

/// What Graph answers for days `from..to`: its own aggregation of the facts in that window.
fn graph_window(facts: &[DayFact], from: usize, to: usize) -> Vec<DialoutRow> {
    let rows = facts
        .iter()
        .filter(|f| (from..to).contains(&f.day))
        .map(|f| f.row.clone())
        .collect();
    merge_rows([rows]).unwrap().0
}

proptest! {
    #[test]
    fn any_split_of_a_range_merges_to_the_same_rows(
        mut facts in prop::collection::vec(fact_strategy(30), 0..80),
        cuts in prop::collection::btree_set(1usize..30, 0..8),
    ) {
        facts.sort_by_key(|f| f.day);
        let whole = graph_window(&facts, 0, 30);
        let mut bounds = vec![0];
        bounds.extend(cuts);
        bounds.push(30);
        let parts: Vec<_> = bounds.windows(2).map(|b| graph_window(&facts, b[0], b[1])).collect();
        let (mut merged, _) = merge_rows(parts).unwrap();
        let mut whole = whole;
        merged.sort_by(|a, b| a.key().cmp(&b.key()));
        whole.sort_by(|a, b| a.key().cmp(&b.key()));
        prop_assert_eq!(merged.len(), whole.len());
        for (m, w) in merged.iter().zip(&whole) {
            prop_assert_eq!(m.key(), w.key());
            prop_assert_eq!(m.total_calls, w.total_calls);
            prop_assert_eq!(m.total_call_seconds, w.total_call_seconds);
            prop_assert_eq!(m.total_call_charge, w.total_call_charge);
            prop_assert_eq!(&m.user_principal_name, &w.user_principal_name);
        }
    }

    /// The same splits against sums per key the test computes itself (not merge_rows on the
    /// whole range): every total exact, the newest name that was given, one row per key.
    #[test]
    fn any_split_merges_to_the_sums_per_key_the_test_computes(
        mut facts in prop::collection::vec(fact_strategy(30), 0..80),
        cuts in prop::collection::btree_set(1usize..30, 0..8),
    ) {
        facts.sort_by_key(|f| f.day);
        type Key = [Option<String>; 4];
        let mut expected: std::collections::BTreeMap<Key, (i64, i64, Decimal, Option<String>)> =
            std::collections::BTreeMap::new();
        for fact in &facts {
            let row = &fact.row;
            let key = [
                row.user_id.clone(),
                row.usage_location.clone(),
                row.destination_context.clone(),
                row.currency.clone(),
            ];
            let sums = expected.entry(key).or_insert((0, 0, Decimal::ZERO, None));
            sums.0 += row.total_calls.unwrap_or(0);
            sums.1 += row.total_call_seconds.unwrap_or(0);
            sums.2 += row.total_call_charge.unwrap_or(Decimal::ZERO);
            if row.user_principal_name.is_some() {
                sums.3 = row.user_principal_name.clone();
            }
        }
        let mut bounds = vec![0];
        bounds.extend(cuts);
        bounds.push(30);
        let parts: Vec<_> = bounds.windows(2).map(|b| graph_window(&facts, b[0], b[1])).collect();
        let (merged, _) = merge_rows(parts).unwrap();
        let got: std::collections::BTreeMap<Key, (i64, i64, Decimal, Option<String>)> = merged
            .iter()
            .map(|row| {
                (
                    [
                        row.user_id.clone(),
                        row.usage_location.clone(),
                        row.destination_context.clone(),
                        row.currency.clone(),
                    ],
                    (
                        row.total_calls.unwrap_or(0),
                        row.total_call_seconds.unwrap_or(0),
                        row.total_call_charge.unwrap_or(Decimal::ZERO),
                        row.user_principal_name.clone(),
                    ),
                )
            })
            .collect();
        prop_assert_eq!(got.len(), merged.len(), "one row per key");
        prop_assert_eq!(got, expected);
    }
}
