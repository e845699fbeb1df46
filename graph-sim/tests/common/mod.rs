//! Helpers shared by the HTTP tests: a simulator on 127.0.0.1:0, tokens, paging, merging.
#![allow(dead_code)] // each test binary uses a different subset

pub mod oidc;

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::NaiveDate;
use graph_sim::{RunningSim, SimConfig};
use reqwest::{Client, Response, StatusCode};
use rust_decimal::Decimal;
use serde_json::Value;

pub const TODAY: &str = "2024-06-01";
pub const REPORT_PATH: &str = "/beta/communications/callRecords/getPstnOnlineMeetingDialoutReport";

pub fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
}

/// A small tenant with a fixed "today", so every run sees the same data.
pub fn config(users: u32) -> SimConfig {
    SimConfig {
        users,
        today: day(TODAY),
        history_days: 120,
        ..SimConfig::default()
    }
}

pub async fn start(config: SimConfig) -> RunningSim {
    graph_sim::start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("simulator starts")
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// POSTs a form to the simulator's token endpoint for `tenant`.
pub async fn post_token(client: &Client, base: &str, tenant: &str, body: String) -> Response {
    client
        .post(format!("{base}/{tenant}/oauth2/v2.0/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("token request")
}

/// The valid client-secret form for `sim`.
pub fn secret_form(sim: &RunningSim) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", graph_sim::DEFAULT_CLIENT_ID.into()),
        ("client_secret", graph_sim::DEFAULT_CLIENT_SECRET.into()),
        ("scope", sim.scope()),
    ]
}

pub async fn secret_token(client: &Client, sim: &RunningSim) -> String {
    let pairs = secret_form(sim);
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = post_token(
        client,
        sim.base_url(),
        graph_sim::DEFAULT_TENANT_ID,
        form(&pairs),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("token json");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

pub fn report_url(base: &str, from: &str, to: &str) -> String {
    format!("{base}{REPORT_PATH}(fromDateTime={from},toDateTime={to})")
}

pub async fn get(client: &Client, url: &str, token: &str) -> Response {
    client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("GET")
}

pub async fn json(response: Response) -> Value {
    let text = response.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Follows `@odata.nextLink` from `url`; returns every page.
pub async fn fetch_pages(client: &Client, url: &str, token: &str) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut next = Some(url.to_owned());
    while let Some(url) = next.take() {
        let response = get(client, &url, token).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        let page = json(response).await;
        // The key in any case: `--next-link-key` may spell it `@odata.NextLink`.
        next = page
            .as_object()
            .and_then(|page| {
                page.iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case("@odata.nextLink"))
            })
            .and_then(|(_, link)| link.as_str())
            .map(str::to_owned);
        pages.push(page);
        assert!(pages.len() < 10_000, "runaway paging");
    }
    pages
}

pub async fn fetch_rows(client: &Client, url: &str, token: &str) -> Vec<Value> {
    fetch_pages(client, url, token)
        .await
        .into_iter()
        .flat_map(|page| page["value"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// A JSON number as an exact decimal (serde_json keeps the text with arbitrary_precision).
pub fn decimal(value: &Value) -> Decimal {
    assert!(value.is_number(), "not a JSON number: {value}");
    Decimal::from_str_exact(&value.to_string()).expect("decimal number")
}

/// (calls, seconds, charge) totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub calls: u64,
    pub seconds: u64,
    pub charge: Decimal,
    pub rows: u64,
}

impl Totals {
    fn add_row(&mut self, row: &Value) {
        self.calls += row["totalCalls"].as_u64().expect("totalCalls");
        self.seconds += row["totalCallSeconds"].as_u64().expect("totalCallSeconds");
        self.charge += decimal(&row["totalCallCharge"]);
        self.rows += 1;
    }
}

/// Rows merged by Graph's aggregation key (user, location, context, currency).
pub fn merge_rows<'a>(rows: impl IntoIterator<Item = &'a Value>) -> BTreeMap<String, Totals> {
    let mut merged: BTreeMap<String, Totals> = BTreeMap::new();
    for row in rows {
        let key = format!(
            "{}|{}|{}|{}",
            row["userId"], row["usageLocation"], row["destinationContext"], row["currency"]
        );
        let entry = merged.entry(key).or_default();
        entry.add_row(row);
        entry.rows = 1;
    }
    for totals in merged.values_mut() {
        totals.charge = totals.charge.normalize();
    }
    merged
}

/// Rows summed per currency.
pub fn currency_totals<'a>(rows: impl IntoIterator<Item = &'a Value>) -> BTreeMap<String, Totals> {
    let mut totals: BTreeMap<String, Totals> = BTreeMap::new();
    for row in rows {
        let currency = row["currency"].as_str().expect("currency").to_owned();
        totals.entry(currency).or_default().add_row(row);
    }
    for t in totals.values_mut() {
        t.charge = t.charge.normalize();
    }
    totals
}

/// `/_sim/truth` for inclusive days, in the same shape as [`currency_totals`].
pub async fn truth(client: &Client, base: &str, from: &str, to: &str) -> BTreeMap<String, Totals> {
    let body = truth_json(client, base, &format!("from={from}&to={to}")).await;
    let totals = currency_map(&body["currencies"]);
    assert_eq!(
        body["rows"].as_u64(),
        Some(totals.values().map(|t| t.rows).sum::<u64>())
    );
    totals
}

/// The JSON of `/_sim/truth?{query}`, answered 200.
pub async fn truth_json(client: &Client, base: &str, query: &str) -> Value {
    let response = client
        .get(format!("{base}/_sim/truth?{query}"))
        .send()
        .await
        .expect("truth");
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    json(response).await
}

/// A truth's `{"EUR": {calls, seconds, charge, rows}, …}`.
pub fn currency_map(currencies: &Value) -> BTreeMap<String, Totals> {
    currencies
        .as_object()
        .expect("currencies")
        .iter()
        .map(|(currency, t)| {
            (
                currency.clone(),
                Totals {
                    calls: t["calls"].as_u64().expect("calls"),
                    seconds: t["seconds"].as_u64().expect("seconds"),
                    charge: Decimal::from_str(t["charge"].as_str().expect("charge string"))
                        .expect("charge"),
                    rows: t["rows"].as_u64().expect("rows"),
                },
            )
        })
        .collect()
}

/// The end of `day` under both `toDateTime` readings: whole seconds start before it.
pub fn end_of(day: &str) -> String {
    format!("{day}T23:59:59.5Z")
}

pub async fn error_message(response: Response) -> (StatusCode, String, String) {
    let status = response.status();
    let body = json(response).await;
    (
        status,
        body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// Checks the identity platform's error shape and returns (status, error, code).
pub async fn aad_error(response: reqwest::Response) -> (StatusCode, String, u64) {
    let status = response.status();
    let body = json(response).await;
    let code = body["error_codes"][0].as_u64().expect("error_codes");
    let description = body["error_description"]
        .as_str()
        .expect("error_description");
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    assert!(description.contains("\r\nTrace ID: "), "{description}");
    for field in ["timestamp", "trace_id", "correlation_id", "error_uri"] {
        assert!(body[field].is_string(), "{field} missing in {body}");
    }
    (
        status,
        body["error"].as_str().expect("error").to_owned(),
        code,
    )
}
