//! `PORTAL_SCOPE=reporting-line` over HTTP: a manager sees exactly the people under them in the
//! simulator's directory (its own truth of that subtree) in every server function, page and
//! download; someone managing no one, or missing from the directory, sees no one; the all-role
//! sees everyone. Proxy mode names people by UPN (headers); Entra by object id (sign-in).
use std::collections::BTreeSet;
use std::io::Cursor;
use std::str::FromStr;

use app::model::{Summary, Trend, UserPage};
use app::report::scope::ScopeRule;
use calamine::{Reader, Xlsx};
use dialout_portal::config::{AuthSettings, ProxySettings};
use dialout_portal::{GraphConnection, ServerSettings};
use graph_sim::TruthQuery;
use reqwest::StatusCode;
use rust_decimal::Decimal;

use crate::auth::{ADA, entra_settings, sign_in};
use crate::common::{Portal, Totals, day, every_currency, sim_config, truth_totals};

const FROM: &str = "2025-12-01";
const TO: &str = "2026-02-28";
const ROLE: &str = "DialoutReports.Read";
const ALL_ROLE: &str = "DialoutReports.ReadAll";

fn reporting_line() -> ScopeRule {
    ScopeRule::ReportingLine {
        all_role: ALL_ROLE.into(),
    }
}

async fn proxy_portal() -> Portal {
    let connection = GraphConnection::demo(sim_config()).await.unwrap();
    Portal::start_with(connection, sim_config(), |_| ServerSettings {
        auth: AuthSettings::Proxy(ProxySettings {
            user_header: "x-forwarded-user".parse().unwrap(),
            roles_header: Some("x-forwarded-roles".parse().unwrap()),
            required_role: ROLE.into(),
            scope: reporting_line(),
            trusted: vec!["127.0.0.1/32".parse().unwrap()],
            public_url: None,
        }),
        ..ServerSettings::default()
    })
    .await
}

/// Someone the proxy signed in: their UPN and roles go in its headers.
struct Person<'a> {
    portal: &'a Portal,
    upn: &'a str,
    roles: &'a str,
}

impl Person<'_> {
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.portal
            .http
            .request(method, self.portal.url(path))
            .header("x-forwarded-user", self.upn)
            .header("x-forwarded-roles", self.roles)
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap()
    }

    async fn server_fn(&self, name: &str, form: &str) -> reqwest::Response {
        self.request(reqwest::Method::POST, &format!("/api/{name}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.to_owned())
            .send()
            .await
            .unwrap()
    }

    async fn json<T: serde::de::DeserializeOwned>(&self, name: &str, form: &str) -> T {
        let response = self.server_fn(name, form).await;
        assert_eq!(response.status(), 200, "{} {name} {form}", self.upn);
        response.json().await.unwrap()
    }

    async fn summary(&self) -> Summary {
        self.json("summary", &format!("from={FROM}&to={TO}")).await
    }

    /// Every row of the users table, every currency, all pages.
    async fn users(&self) -> Vec<app::model::UserSpend> {
        let mut rows = Vec::new();
        for page in 0.. {
            let query = every_currency(FROM, TO, None, page, 100);
            let response = self
                .request(reqwest::Method::POST, "/api/users")
                .json(&serde_json::json!({ "query": query }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            let answer: UserPage = response.json().await.unwrap();
            let done = answer.rows.is_empty();
            rows.extend(answer.rows);
            if done || rows.len() as u64 >= answer.total_rows {
                break;
            }
        }
        rows
    }

    /// The dashboard's scope note (empty for everyone).
    async fn scope_note(&self) -> String {
        let figures: serde_json::Value = self
            .json("dashboard", &format!("from={FROM}&to={TO}"))
            .await;
        figures["scope"].as_str().unwrap().to_owned()
    }

    /// The report's CSV: per currency (calls, seconds, charge, rows), and each row's user.
    async fn csv(&self) -> (Totals, BTreeSet<String>) {
        let response = self
            .get(&format!("/export/dialout.csv?from={FROM}&to={TO}"))
            .await;
        assert_eq!(response.status(), 200);
        let body = response.bytes().await.unwrap();
        let mut reader = csv::Reader::from_reader(&body[dialout_portal::export::UTF8_BOM.len()..]);
        let (mut totals, mut users) = (Totals::new(), BTreeSet::new());
        for record in reader.records() {
            let record = record.unwrap();
            let entry = totals.entry(record[5].to_owned()).or_default();
            entry.0 += record[6].parse::<u64>().unwrap();
            entry.1 += record[8].parse::<u64>().unwrap();
            entry.2 += Decimal::from_str(&record[7]).unwrap();
            entry.3 += 1;
            users.insert(record[0].to_ascii_lowercase());
        }
        (totals, users)
    }
}

fn summary_totals(summary: &Summary) -> Totals {
    summary
        .currencies
        .iter()
        .map(|c| {
            let t = &c.totals;
            (c.currency.clone(), (t.calls, t.seconds, t.charge, 0))
        })
        .collect()
}

fn without_rows(mut totals: Totals) -> Totals {
    totals.values_mut().for_each(|t| t.3 = 0);
    totals
}

/// The simulator's truth of the people under `manager`, and their ids (lower case).
fn subtree(portal: &Portal, manager: &str) -> (Totals, u64, BTreeSet<String>) {
    let query = TruthQuery {
        under: Some(manager.into()),
        ..TruthQuery::default()
    };
    let truth = graph_sim::truth_of(&portal.sim_config, day(FROM), day(TO), &query).unwrap();
    let people = graph_sim::directory_reports(&portal.sim_config, manager).unwrap();
    let ids = people.iter().map(|id| id.to_ascii_lowercase()).collect();
    (truth_totals(&truth), truth.users.unwrap(), ids)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_sees_exactly_their_reporting_line_everywhere() {
    let portal = proxy_portal().await;
    let ada = Person {
        portal: &portal,
        upn: "Ada.Manager@contoso.com",
        roles: ROLE,
    };
    let (truth, people_with_calls, under) = subtree(&portal, ADA);
    assert!(
        truth.len() > 1 && under.len() > 20,
        "a subtree worth testing"
    );

    assert_eq!(
        summary_totals(&ada.summary().await),
        without_rows(truth.clone())
    );
    let users = ada.users().await;
    let ids: BTreeSet<String> = users
        .iter()
        .map(|u| u.user_id.to_ascii_lowercase())
        .collect();
    assert!(ids.is_subset(&under), "only her people in the users table");
    assert_eq!(ids.len() as u64, people_with_calls);

    // The downloads: the same people, the same cents.
    let (csv_totals, csv_users) = ada.csv().await;
    assert_eq!(csv_totals, truth);
    assert_eq!(csv_users, ids);
    let xlsx = ada
        .get(&format!("/export/dialout.xlsx?from={FROM}&to={TO}"))
        .await;
    assert_eq!(xlsx.status(), 200);
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(xlsx.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = book.worksheet_range("Dial-out").unwrap();
    let sheet_users: BTreeSet<String> = sheet
        .rows()
        .skip(1)
        .map(|row| row[0].to_string().to_ascii_lowercase())
        .collect();
    assert_eq!(sheet_users, ids);
    let chargeback = ada
        .get(&format!(
            "/export/chargeback.csv?from={FROM}&to={TO}&by=department"
        ))
        .await;
    assert_eq!(chargeback.status(), 200);
    let body = chargeback.bytes().await.unwrap();
    let mut reader = csv::Reader::from_reader(&body[dialout_portal::export::UTF8_BOM.len()..]);
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (currency, charge) = (column("currency"), column("charge"));
    let mut charges = std::collections::BTreeMap::<String, Decimal>::new();
    for record in reader.records() {
        let record = record.unwrap();
        *charges.entry(record[currency].to_owned()).or_default() +=
            Decimal::from_str(&record[charge]).unwrap();
    }
    let truth_charges: std::collections::BTreeMap<String, Decimal> =
        truth.iter().map(|(c, t)| (c.clone(), t.2)).collect();
    assert_eq!(charges, truth_charges);

    // The trend of her people adds up to theirs.
    let trend: Trend = ada.json("trend", &format!("from={FROM}&to={TO}")).await;
    for series in &trend.currencies {
        let sum: Decimal = series.points.iter().map(|p| p.totals.charge).sum();
        assert_eq!(sum, truth[&series.currency].2, "{}", series.currency);
    }

    // Someone else's page is "no dial-out", as for an id nobody has: it confirms nothing.
    let everyone = Person {
        portal: &portal,
        upn: "cleo.finance@contoso.com",
        roles: "DialoutReports.Read, DialoutReports.ReadAll",
    };
    let all_users = everyone.users().await;
    let outsider = all_users
        .iter()
        .map(|u| u.user_id.clone())
        .find(|id| !under.contains(&id.to_ascii_lowercase()))
        .expect("someone outside Ada's subtree");
    let insider = users[0].user_id.clone();
    let detail = |who: &str| format!("from={FROM}&to={TO}&user_id={who}");
    assert_eq!(ada.server_fn("user", &detail(&insider)).await.status(), 200);
    for who in [outsider.as_str(), "00000000-0000-4000-8000-00000000dead"] {
        assert_eq!(
            ada.server_fn("user", &detail(who)).await.status(),
            StatusCode::NOT_FOUND,
            "{who}"
        );
        assert_eq!(
            ada.server_fn("trend", &detail(who)).await.status(),
            StatusCode::NOT_FOUND,
            "{who}"
        );
        let page = ada.get(&format!("/users/{who}?from={FROM}&to={TO}")).await;
        assert_eq!(page.status(), StatusCode::NOT_FOUND, "{who}");
    }
    assert_eq!(
        everyone
            .server_fn("user", &detail(&outsider))
            .await
            .status(),
        200
    );

    // The page says whose people it shows; the all-role sees everyone.
    let note = ada.scope_note().await;
    assert!(
        note.contains(&format!("the {} people who report to you", under.len())),
        "{note}"
    );
    let whole = without_rows(truth_totals(&portal.truth(FROM, TO)));
    assert_eq!(summary_totals(&everyone.summary().await), whole);
    assert_eq!(everyone.scope_note().await, "");
    assert!(all_users.len() > users.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_reports_or_no_place_in_the_directory_shows_no_one() {
    let portal = proxy_portal().await;
    let ben = Person {
        portal: &portal,
        upn: "ben.employee@contoso.com",
        roles: ROLE,
    };
    let stranger = Person {
        portal: &portal,
        upn: "someone.new@contoso.com",
        roles: ROLE,
    };
    // A proxy that appended its header to the client's: refused, never the first value taken.
    let doubled = portal
        .http
        .post(portal.url("/api/summary"))
        .header("x-forwarded-user", "ben.employee@contoso.com")
        .header(
            "x-forwarded-roles",
            "DialoutReports.Read, DialoutReports.ReadAll",
        )
        .header("x-forwarded-roles", ROLE)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("from={FROM}&to={TO}"))
        .send()
        .await
        .unwrap();
    assert_eq!(doubled.status(), StatusCode::BAD_REQUEST);
    for (person, says) in [
        (&ben, "No one reports to you"),
        (&stranger, "does not list you"),
    ] {
        assert!(
            person.summary().await.currencies.is_empty(),
            "{}",
            person.upn
        );
        assert!(person.users().await.is_empty());
        assert!(person.csv().await.0.is_empty());
        let note = person.scope_note().await;
        assert!(note.contains(says), "{note}");
        // The progress stream follows days, never the organisation's rows.
        let events = person
            .get(&format!("/events/progress?from={FROM}&to={TO}"))
            .await;
        assert_eq!(events.status(), 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_with_entra_a_manager_is_known_by_object_id() {
    let connection = GraphConnection::demo(sim_config()).await.unwrap();
    let portal = Portal::start_with(connection, sim_config(), |base| ServerSettings {
        auth: AuthSettings::Entra(dialout_portal::config::EntraSettings {
            scope: reporting_line(),
            ..entra_settings(base)
        }),
        ..ServerSettings::default()
    })
    .await;
    let (session, _) = sign_in(&portal, ADA, "/auth/login").await;
    let response = portal
        .http
        .post(portal.url("/api/summary"))
        .header("cookie", session)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("from={FROM}&to={TO}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let summary: Summary = response.json().await.unwrap();
    let (truth, _, _) = subtree(&portal, ADA);
    assert_eq!(summary_totals(&summary), without_rows(truth));
}
