//! The simulated directory over HTTP: `GET /v1.0/users` paging, options, errors and limits, and
//! the truth per group and per part of the organisation.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use graph_sim::{NextLinkKey, SimConfig, TEST_USERS, TestUser};
use reqwest::{Client, StatusCode};
use serde_json::Value;

/// What the portal asks for, as its client writes it (keys and values percent-encoded).
const PORTAL_SELECT: &str = "id,displayName,userPrincipalName,department,companyName,officeLocation,country,employeeOrgData";
const ADA: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const BEN: &str = "bbbbbbbb-0000-4000-8000-000000000002";
const FROM: &str = "2024-03-01";
const LAST_DAY: &str = "2024-05-29";

fn portal_url(base: &str) -> String {
    let mut url = url::Url::parse(&format!("{base}/v1.0/users")).unwrap();
    url.query_pairs_mut()
        .append_pair("$select", PORTAL_SELECT)
        .append_pair("$expand", "manager($select=id)")
        .append_pair("$top", "999");
    url.to_string()
}

/// Every user of every page, checking each page's context and next link on the way.
async fn list_users(client: &Client, sim: &graph_sim::RunningSim, token: &str) -> Vec<Value> {
    let url = portal_url(sim.base_url());
    let pages = fetch_pages(client, &url, token).await;
    let context = format!(
        "{}/v1.0/$metadata#users({PORTAL_SELECT},manager(id))",
        sim.base_url()
    );
    for (i, page) in pages.iter().enumerate() {
        assert_eq!(page["@odata.context"], context.as_str());
        let users = page["value"].as_array().unwrap().len();
        match page["@odata.nextLink"].as_str() {
            Some(next) => {
                // Asked 999 with $expand: Graph's most for an expanded query is 100.
                assert_eq!(users, 100, "page {i}");
                assert!(next.starts_with(&format!("{}/v1.0/users?", sim.base_url())));
                assert!(next.contains("$skiptoken="), "{next}");
            }
            None => assert_eq!(i, pages.len() - 1),
        }
    }
    pages
        .iter()
        .flat_map(|page| page["value"].as_array().unwrap().clone())
        .collect()
}

fn ids(users: &[Value]) -> BTreeMap<String, &Value> {
    users
        .iter()
        .map(|user| (user["id"].as_str().unwrap().to_owned(), user))
        .collect()
}

#[tokio::test]
async fn paging_lists_each_directory_user_once_with_the_reports_ids_and_names() {
    let sim = start(config(2000)).await;
    let client = Client::new();
    let token = secret_token(&client, &sim).await;
    let users = list_users(&client, &sim, &token).await;
    let directory = ids(&users);
    assert_eq!(directory.len(), users.len(), "someone listed twice");
    assert!((1850..2002).contains(&users.len()), "{}", users.len());
    // Ada and Ben are in the directory; Cleo Finance (the all-role) is not.
    let listed_users: Vec<&TestUser> = TEST_USERS
        .iter()
        .filter(|user| !user.holds_all_role)
        .collect();
    assert_eq!(listed_users.len(), 2);
    for test_user in listed_users {
        let listed = directory[test_user.object_id];
        assert_eq!(listed["displayName"], test_user.display_name);
        assert_eq!(listed["userPrincipalName"], test_user.user_principal_name);
    }

    // The report's users: listed with the same names, or not at all.
    let report = fetch_rows(
        &client,
        &report_url(sim.base_url(), FROM, &end_of(LAST_DAY)),
        &token,
    )
    .await;
    let mut missing = BTreeSet::new();
    for row in &report {
        let id = row["userId"].as_str().unwrap();
        match directory.get(id) {
            Some(listed) => {
                assert_eq!(listed["displayName"], row["userDisplayName"], "{id}");
                assert_eq!(
                    listed["userPrincipalName"], row["userPrincipalName"],
                    "{id}"
                );
            }
            None => {
                missing.insert(id);
            }
        }
        if row["userDisplayName"].is_null() || row["userPrincipalName"].is_null() {
            assert!(missing.contains(id), "{id} has no name but is listed");
        }
    }
    let named_but_missing = report.iter().any(|row| {
        missing.contains(row["userId"].as_str().unwrap()) && row["userDisplayName"].is_string()
    });
    assert!(named_but_missing && missing.len() > 10, "{}", missing.len());

    // Every manager is listed; Ben reports to one of Ada's direct reports and manages no one.
    let manager_of = |id: &str| directory[id]["manager"]["id"].as_str().map(str::to_owned);
    for user in &users {
        if let Some(manager) = user["manager"].as_object() {
            assert_eq!(manager["@odata.type"], "#microsoft.graph.user");
            assert!(directory.contains_key(manager["id"].as_str().unwrap()));
        }
    }
    let bens_manager = manager_of(BEN).unwrap();
    assert_eq!(manager_of(&bens_manager).as_deref(), Some(ADA));
    assert!(!users.iter().any(|user| user["manager"]["id"] == BEN));
}

#[tokio::test]
async fn select_is_honoured_manager_is_left_out_when_none_and_the_link_key_is_configurable() {
    let sim = start(SimConfig {
        next_link_key: NextLinkKey::Text,
        ..config(300)
    })
    .await;
    let client = Client::new();
    let token = secret_token(&client, &sim).await;
    let base = sim.base_url();
    let page = json(
        get(
            &client,
            &format!("{base}/v1.0/users?$select=displayName&$top=5"),
            &token,
        )
        .await,
    )
    .await;
    assert_eq!(page["value"].as_array().unwrap().len(), 5);
    for user in page["value"].as_array().unwrap() {
        let keys: BTreeSet<&str> = user
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, BTreeSet::from(["id", "displayName"]), "{user}");
    }
    assert!(page["@odata.NextLink"].is_string() && page.get("@odata.nextLink").is_none());

    let everyone = fetch_pages(&client, &format!("{base}/v1.0/users?$select=id,employeeOrgData,department&$expand=manager($select=id)&$top=999"), &token).await;
    // The directory's people in pages of 100 ($expand's most), every page read.
    let listed: usize = everyone
        .iter()
        .map(|page| page["value"].as_array().unwrap().len())
        .sum();
    assert_eq!(everyone.len(), listed.div_ceil(100));
    assert!(everyone.len() > 1);
    let users: Vec<&Value> = everyone
        .iter()
        .flat_map(|page| page["value"].as_array().unwrap())
        .collect();
    let without_manager: Vec<&&Value> = users
        .iter()
        .filter(|u| u.get("manager").is_none())
        .collect();
    assert!(!without_manager.is_empty() && without_manager.len() < users.len() / 10);
    assert!(users.iter().all(|u| {
        u.get("manager")
            .is_none_or(|m| m.as_object().unwrap().len() == 2)
    }));
    assert!(users.iter().any(|u| u["employeeOrgData"].is_null()));
    assert!(users.iter().any(|u| u["department"].is_null()));
    assert!(users.iter().any(|u| {
        u["employeeOrgData"]["costCenter"]
            .as_str()
            .is_some_and(|c| c.starts_with("CC-"))
    }));
}

#[tokio::test]
async fn without_user_read_all_the_directory_answers_403() {
    for (permissions, status) in [
        (vec!["CallRecords.Read.All"], StatusCode::FORBIDDEN),
        (vec![], StatusCode::FORBIDDEN),
        (vec!["Directory.Read.All"], StatusCode::OK),
    ] {
        let sim = start(SimConfig {
            app_permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
            ..config(20)
        })
        .await;
        let client = Client::new();
        let token = secret_token(&client, &sim).await;
        let response = get(&client, &portal_url(sim.base_url()), &token).await;
        assert_eq!(response.status(), status, "{permissions:?}");
        if status == StatusCode::FORBIDDEN {
            let request_id = response.headers()["request-id"]
                .to_str()
                .unwrap()
                .to_owned();
            let body = json(response).await;
            assert_eq!(body["error"]["code"], "Authorization_RequestDenied");
            assert_eq!(
                body["error"]["message"],
                "Insufficient privileges to complete the operation."
            );
            assert_eq!(
                body["error"]["innerError"]["request-id"],
                request_id.as_str()
            );
            assert!(body["error"]["innerError"]["date"].is_string());
        }
    }
}

#[tokio::test]
async fn bad_options_and_tokens_are_refused_like_graph() {
    let sim = start(config(20)).await;
    let client = Client::new();
    let token = secret_token(&client, &sim).await;
    let base = sim.base_url();
    let cases = [
        (
            "$top=0",
            "Request_UnsupportedQuery",
            "Invalid page size specified: '0'. Must be between 1 and 999 inclusive.",
        ),
        (
            "$top=1000",
            "Request_UnsupportedQuery",
            "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.",
        ),
        (
            "$skiptoken=not-ours",
            "Directory_ExpiredPageToken",
            "The specified page token value has expired",
        ),
        (
            "$select=id,mail",
            "BadRequest",
            "Parsing OData Select and Expand failed",
        ),
        (
            "$filter=department%20eq%20'Sales'",
            "BadRequest",
            "Query option '$filter' is not allowed",
        ),
    ];
    for (query, code, message) in cases {
        let response = get(&client, &format!("{base}/v1.0/users?{query}"), &token).await;
        let (status, got_code, got_message) = error_message(response).await;
        assert_eq!(
            (status, got_code.as_str()),
            (StatusCode::BAD_REQUEST, code),
            "{query}"
        );
        assert!(got_message.contains(message), "{query}: {got_message}");
    }
    let (status, code, _) =
        error_message(get(&client, &format!("{base}/v1.0/users"), "nope").await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken")
    );
}

/// Sums groups per currency.
fn add_up<'a>(groups: impl Iterator<Item = &'a Value>) -> BTreeMap<String, Totals> {
    let mut sum: BTreeMap<String, Totals> = BTreeMap::new();
    for group in groups {
        for (currency, totals) in currency_map(group) {
            let into = sum.entry(currency).or_default();
            into.calls += totals.calls;
            into.seconds += totals.seconds;
            into.charge += totals.charge;
            into.rows += totals.rows;
        }
    }
    sum.values_mut()
        .for_each(|t| t.charge = t.charge.normalize());
    sum
}

#[tokio::test]
async fn a_group_truth_adds_up_to_the_plain_truth_and_under_is_the_reports_of_a_subtree() {
    let sim = start(config(2000)).await;
    let client = Client::new();
    let base = sim.base_url();
    let days = format!("from={FROM}&to={LAST_DAY}");
    let plain = truth(&client, base, FROM, LAST_DAY).await;
    for group in [
        "department",
        "costCenter",
        "division",
        "companyName",
        "officeLocation",
    ] {
        let body = truth_json(&client, base, &format!("{days}&group={group}")).await;
        assert_eq!(currency_map(&body["currencies"]), plain, "{group}");
        let groups = body["groups"].as_object().unwrap();
        assert_eq!(add_up(groups.values()), plain, "{group}");
        assert!(groups.contains_key("not_in_directory"), "{group}");
        assert!(groups.contains_key(""), "{group}: someone without a value");
        assert!(groups.len() >= 4, "{group}: {:?}", groups.keys());
    }

    // Ada's subtree: the people `/_sim/directory/reports` names, summed from the report's rows.
    let reports = |manager: &str| {
        let client = client.clone();
        let url = format!("{base}/_sim/directory/reports?manager={manager}");
        async move { json(client.get(url).send().await.unwrap()).await }
    };
    let under_ada: BTreeSet<String> = reports(ADA).await["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect();
    assert!(
        under_ada.contains(BEN) && under_ada.len() >= 50,
        "{}",
        under_ada.len()
    );
    assert_eq!(reports(BEN).await["ids"], serde_json::json!([]));
    let token = secret_token(&client, &sim).await;
    let rows = fetch_rows(&client, &report_url(base, FROM, &end_of(LAST_DAY)), &token).await;
    let adas_rows: Vec<&Value> = rows
        .iter()
        .filter(|row| under_ada.contains(row["userId"].as_str().unwrap()))
        .collect();
    let body = truth_json(
        &client,
        base,
        &format!("{days}&under={ADA}&group=department"),
    )
    .await;
    assert_eq!(
        currency_map(&body["currencies"]),
        currency_totals(adas_rows.iter().copied())
    );
    let callers: BTreeSet<&str> = adas_rows
        .iter()
        .map(|row| row["userId"].as_str().unwrap())
        .collect();
    assert_eq!(body["users"].as_u64(), Some(callers.len() as u64));
    assert!(callers.len() >= 20, "{}", callers.len());
    let groups = body["groups"].as_object().unwrap();
    assert_eq!(add_up(groups.values()), currency_map(&body["currencies"]));
    assert!(
        !groups.contains_key("not_in_directory"),
        "nobody missing reports to Ada"
    );

    for bad in [
        format!("{days}&group=jobTitle"),
        format!("{days}&under=00000000-0000-0000-0000-000000000000"),
    ] {
        let response = client
            .get(format!("{base}/_sim/truth?{bad}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn users_requests_are_counted_apart_and_throttled_by_their_own_bucket() {
    let sim = start(SimConfig {
        enforce_limits: true,
        ..config(20)
    })
    .await;
    let client = Client::new();
    let token = secret_token(&client, &sim).await;
    let base = sim.base_url();
    // `$expand` without `$select` costs 3 units of 3,500 per 10 s.
    let url = format!("{base}/v1.0/users?$expand=manager&$top=1");
    let mut throttled = None;
    for _ in 0..4000 {
        let response = get(&client, &url, &token).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            throttled = Some(response);
            break;
        }
        assert_eq!(response.status(), StatusCode::OK);
    }
    let response = throttled.expect("the bucket runs dry");
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&wait), "{wait}");
    // The report's budget is another one.
    let report = report_url(base, FROM, "2024-03-02");
    assert_eq!(get(&client, &report, &token).await.status(), StatusCode::OK);

    let stats = json(
        client
            .get(format!("{base}/_sim/stats"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let users = stats["users_requests"].as_u64().unwrap();
    assert!(users > 1000, "{stats}");
    assert_eq!(stats["users_pages_served"].as_u64(), Some(users - 1));
    assert_eq!(stats["users_throttled"], 1);
    assert_eq!(stats["report_requests"], 1);
    assert_eq!(stats["pages_served"], 1);
}
