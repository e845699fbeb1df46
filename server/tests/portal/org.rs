//! The users table filtered by a group of the directory: for every department and cost centre
//! (and the people the directory does not list), the filtered rows add up to the simulator's
//! own truth of that group, per currency; the filter's choices name every group.
use std::collections::BTreeMap;

use app::model::UserPage;
use graph_sim::{OrgField, TruthQuery};
use rust_decimal::Decimal;

use crate::common::{Portal, day, every_currency, sim_config};

const FROM: &str = "2025-12-01";
const TO: &str = "2026-02-28";

/// Per currency: calls and charge of every row the users table lists under `org`.
async fn filtered(portal: &Portal, org: &str) -> BTreeMap<String, (u64, Decimal)> {
    let mut totals = BTreeMap::<String, (u64, Decimal)>::new();
    for page in 0.. {
        let query = every_currency(FROM, TO, Some(org), page, 200);
        let response = portal
            .http
            .post(portal.url("/api/users"))
            .json(&serde_json::json!({ "query": query, "lang": "PtBr" }))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, 200, "{org}: {body}");
        let answer: UserPage = serde_json::from_str(&body).unwrap();
        assert!(
            answer
                .org_options
                .contains(&format!("value=\"{}\" selected", org.replace('&', "&amp;"))),
            "{org}"
        );
        assert!(
            answer
                .org_options
                .contains("<optgroup label=\"Centro de custo\">")
        );
        for row in &answer.rows {
            let entry = totals.entry(row.currency.clone()).or_default();
            entry.0 += row.totals.calls;
            entry.1 += row.totals.charge;
        }
        if (u64::from(page) + 1) * 200 >= answer.total_rows {
            break;
        }
    }
    totals
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_users_filtered_by_a_group_add_up_to_its_truth() {
    let portal = Portal::demo(sim_config()).await;
    for (field, grouping) in [
        (OrgField::Department, "department"),
        (OrgField::CostCenter, "cost_center"),
    ] {
        let query = TruthQuery {
            group: Some(field),
            ..TruthQuery::default()
        };
        let truth = graph_sim::truth_of(&portal.sim_config, day(FROM), day(TO), &query).unwrap();
        let groups = truth.groups.unwrap();
        assert!(groups.len() > 3 && groups.contains_key(graph_sim::NOT_IN_DIRECTORY_GROUP));
        for (key, currencies) in groups {
            let org = match key.as_str() {
                graph_sim::NOT_IN_DIRECTORY_GROUP => "not_in_directory".to_string(),
                value => format!("{grouping}:{value}"),
            };
            let expected: BTreeMap<String, (u64, Decimal)> = currencies
                .into_iter()
                .map(|(currency, totals)| (currency, (totals.calls, totals.charge)))
                .collect();
            assert_eq!(filtered(&portal, &org).await, expected, "{org}");
        }
    }
    // A grouping the portal does not know is refused by name.
    let response = portal
        .http
        .post(portal.url("/api/users"))
        .json(&serde_json::json!({ "query": {
            "range": { "from": FROM, "to": TO },
            "org": "team:Blue", "sort": "Charge", "descending": true, "page": 0, "page_size": 10,
        }}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("cost_center"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_directory_permission_the_report_works_and_says_why() {
    let config = graph_sim::SimConfig {
        app_permissions: vec!["CallRecords.Read.All".into()],
        ..sim_config()
    };
    let portal = Portal::demo(config).await;
    let range = format!("from={FROM}&to={TO}");
    // The report is whole.
    let summary: app::model::Summary = portal
        .server_fn("summary", &range)
        .await
        .json()
        .await
        .unwrap();
    let truth = crate::common::truth_totals(&portal.truth(FROM, TO));
    assert_eq!(summary.currencies.len(), truth.len());
    for currency in &summary.currencies {
        assert_eq!(currency.totals.charge, truth[&currency.currency].2);
    }
    // The page says what is missing and which permission to grant.
    let figures: serde_json::Value = portal
        .server_fn("dashboard", &range)
        .await
        .json()
        .await
        .unwrap();
    let sections = figures["sections"].as_str().unwrap();
    assert!(
        sections.contains("has not been read yet")
            && sections.contains("403")
            && sections.contains("User.Read.All"),
        "{sections}"
    );
    // The chargeback file cannot be made: 503, an hour until the next read, and why.
    let chargeback = portal.get(&format!("/export/chargeback.csv?{range}")).await;
    assert_eq!(chargeback.status(), 503);
    assert_eq!(chargeback.headers()["retry-after"], "3600");
    assert!(chargeback.text().await.unwrap().contains("User.Read.All"));
    // The users table has no organisation filter to offer.
    let page: UserPage = portal
        .http
        .post(portal.url("/api/users"))
        .json(&serde_json::json!({ "query": {
            "range": { "from": FROM, "to": TO },
            "sort": "Charge", "descending": true, "page": 0, "page_size": 10,
        }}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(page.total_rows > 0 && page.org_options.is_empty());
}
