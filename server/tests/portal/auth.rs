//! Sign-in and access control, end to end over HTTP: the portal in `entra` mode against the
//! simulator's OpenID provider, and in `proxy` mode.
use std::time::Duration;

use dialout_portal::config::{AuthSettings, EntraSettings, Issuer, ProxySettings, SessionSettings};
use dialout_portal::{GraphConnection, ServerSettings, route_table};
use reqwest::{Response, StatusCode};
use url::Url;

use crate::common::{Portal, sim_config};

pub const ADA: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const BEN: &str = "bbbbbbbb-0000-4000-8000-000000000002";
const HTML: &str = "text/html,application/xhtml+xml";

pub async fn entra_portal() -> Portal {
    let connection = GraphConnection::demo(sim_config()).await.unwrap();
    Portal::start_with(connection, sim_config(), |base| ServerSettings {
        auth: AuthSettings::Entra(entra_settings(base)),
        ..ServerSettings::default()
    })
    .await
}

/// Sign-in with the simulator as Entra ID, for a portal at `base`.
pub fn entra_settings(base: &str) -> EntraSettings {
    EntraSettings {
        issuer: Issuer::EmbeddedSimulator,
        client_id: graph_sim::DEFAULT_OIDC_CLIENT_ID.into(),
        client_secret: openidconnect::ClientSecret::new(
            graph_sim::DEFAULT_OIDC_CLIENT_SECRET.into(),
        ),
        public_url: Url::parse(base).unwrap(),
        required_role: "DialoutReports.Read".into(),
        scope: app::report::scope::ScopeRule::Everyone,
        session: SessionSettings {
            key: Some(vec![42; 64]),
            idle: Duration::from_secs(3600),
            absolute: Duration::from_secs(8 * 3600),
        },
    }
}

fn location(response: &Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The `name=value` pairs of a response's `Set-Cookie` headers that set (not clear) a cookie.
fn cookies(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .filter(|value| !value.contains("Max-Age=0"))
        .map(|value| value.split(';').next().unwrap().to_owned())
        .collect()
}

fn set_cookie(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|value| value.starts_with(&format!("{name}=")))
}

/// Signs `user` in the way a browser does (login, the simulator's page, callback) and returns
/// the session cookie and the callback's response.
pub async fn sign_in(portal: &Portal, user: &str, login: &str) -> (String, Response) {
    let http = &portal.http;
    let start = http.get(portal.url(login)).send().await.unwrap();
    assert_eq!(start.status(), StatusCode::SEE_OTHER, "{login}");
    let login_cookie = cookies(&start).join("; ");
    let page = http.get(location(&start)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let form_action = location_of_form(&page);
    let html = page.text().await.unwrap();
    let key = hidden_value(&html, "sign_in");
    let chosen = http
        .post(form_action)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("sign_in", key.as_str()), ("user", user)]))
        .send()
        .await
        .unwrap();
    assert_eq!(chosen.status(), StatusCode::FOUND);
    let callback = http
        .get(location(&chosen))
        .header("cookie", login_cookie)
        .send()
        .await
        .unwrap();
    let session = cookies(&callback)
        .into_iter()
        .find(|cookie| cookie.starts_with("dialout_session="))
        .expect("a session cookie");
    (session, callback)
}

/// The sign-in page posts back to the URL it was served from.
fn location_of_form(page: &Response) -> String {
    let mut url = page.url().clone();
    url.set_query(None);
    url.to_string()
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn hidden_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("hidden field") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

/// Every registered route, parameters filled in, with its method.
fn every_route() -> Vec<(String, reqwest::Method)> {
    let table = route_table();
    assert!(
        table.len() >= 10,
        "the route table looks incomplete: {table:?}"
    );
    table
        .into_iter()
        .map(|(path, method)| {
            let path = path
                .split('/')
                .map(|segment| match segment.chars().next() {
                    Some('{' | ':' | '*') => "x",
                    _ => segment,
                })
                .collect::<Vec<_>>()
                .join("/");
            (
                path,
                reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap(),
            )
        })
        .collect()
}

async fn call(
    portal: &Portal,
    method: &reqwest::Method,
    path: &str,
    cookie: Option<&str>,
    accept: &str,
) -> Response {
    let mut request = portal
        .http
        .request(method.clone(), portal.url(path))
        .header("accept", accept)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request
        .body("")
        .send()
        .await
        .unwrap_or_else(|error| panic!("{method} {path}: {error}"))
}

#[tokio::test]
async fn every_route_needs_a_session_with_the_role() {
    let portal = entra_portal().await;
    let (ben, _) = sign_in(&portal, BEN, "/auth/login").await;
    let (ada, _) = sign_in(&portal, ADA, "/auth/login").await;
    let open = ["/healthz", "/readyz"];
    for (path, method) in every_route() {
        let what = format!("{method} {path}");
        if open.contains(&path.as_str()) {
            assert_eq!(
                call(&portal, &method, &path, None, "*/*").await.status(),
                StatusCode::OK,
                "{what}"
            );
            continue;
        }
        let anonymous = call(&portal, &method, &path, None, "*/*").await;
        assert_eq!(
            anonymous.status(),
            StatusCode::UNAUTHORIZED,
            "{what} without a session"
        );
        let page = call(&portal, &method, &path, None, HTML).await;
        assert!(
            matches!(
                page.status(),
                StatusCode::UNAUTHORIZED | StatusCode::SEE_OTHER
            ),
            "{what} as a page without a session: {}",
            page.status()
        );
        let no_role = call(&portal, &method, &path, Some(&ben), "*/*").await;
        assert_eq!(
            no_role.status(),
            StatusCode::FORBIDDEN,
            "{what} without the role"
        );
        let allowed = call(&portal, &method, &path, Some(&ada), "*/*").await;
        assert!(
            !matches!(
                allowed.status(),
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
            ),
            "{what} with the role: {}",
            allowed.status()
        );
    }
    // Paths nobody registered are behind the guard too.
    let unknown = call(&portal, &reqwest::Method::GET, "/no-such-page", None, "*/*").await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_page_sends_the_browser_through_entra_and_back() {
    let portal = entra_portal().await;
    let first = call(
        &portal,
        &reqwest::Method::GET,
        "/users/x?from=2026-01-01&to=2026-01-31",
        None,
        HTML,
    )
    .await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let login = location(&first);
    assert_eq!(
        login,
        "/auth/login?return_to=%2Fusers%2Fx%3Ffrom%3D2026-01-01%26to%3D2026-01-31"
    );
    let (session, callback) = sign_in(&portal, ADA, &login).await;
    assert_eq!(callback.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&callback),
        "/users/x?from=2026-01-01&to=2026-01-31"
    );
    let attributes = set_cookie(&callback, "dialout_session").unwrap();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(attributes.contains(attribute), "{attributes}");
    }
    // Loopback http: not Secure (the browser would drop it); https deployments get Secure.
    assert!(!attributes.contains("Secure"), "{attributes}");
    let home = call(&portal, &reqwest::Method::GET, "/", Some(&session), HTML).await;
    assert_eq!(home.status(), StatusCode::OK);
    let info = portal
        .http
        .post(portal.url("/api/portal"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    let info: serde_json::Value = info.json().await.unwrap();
    assert_eq!(info["user"]["name"], "Ada Manager");

    // Signing out ends the session.
    let out = portal
        .http
        .post(portal.url("/auth/logout"))
        .header("cookie", &session)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(
        set_cookie(&out, "dialout_session")
            .unwrap()
            .contains("Max-Age=0")
    );
    // A copy of the cookie kept from before the sign-out no longer works.
    for path in ["/api/portal", "/api/today"] {
        let replayed = portal
            .http
            .post(portal.url(path))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(replayed.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let page = call(&portal, &reqwest::Method::GET, "/", Some(&session), HTML).await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn without_the_role_the_page_names_it() {
    let portal = entra_portal().await;
    let (ben, _) = sign_in(&portal, BEN, "/auth/login").await;
    let page = call(&portal, &reqwest::Method::GET, "/", Some(&ben), HTML).await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Ben Employee") && html.contains("DialoutReports.Read"),
        "{html}"
    );
}

#[tokio::test]
async fn forged_states_cookies_and_cross_site_writes_are_refused() {
    let portal = entra_portal().await;
    let (ada, _) = sign_in(&portal, ADA, "/auth/login").await;
    // A callback this browser did not start.
    let stray = call(
        &portal,
        &reqwest::Method::GET,
        "/auth/callback?code=abc&state=xyz",
        None,
        HTML,
    )
    .await;
    assert_eq!(stray.status(), StatusCode::BAD_REQUEST);
    // A changed cookie is no session.
    let mut forged = ada.clone();
    forged.insert(30, 'A');
    let response = call(&portal, &reqwest::Method::GET, "/", Some(&forged), "*/*").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // The session is good, but the request comes from another site.
    let form = "from=2026-02-01&to=2026-02-28";
    let summary = |site: &'static str| {
        portal
            .http
            .post(portal.url("/api/summary"))
            .header("cookie", &ada)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", site)
            .body(form)
            .send()
    };
    assert_eq!(
        summary("cross-site").await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        summary("same-origin").await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_popup_sign_in_hands_its_session_to_the_frame_once() {
    let portal = entra_portal().await;
    let framed = portal
        .http
        .get(portal.url("/?embed=1"))
        .header("accept", HTML)
        .header("sec-fetch-dest", "iframe")
        .send()
        .await
        .unwrap();
    assert_eq!(framed.status(), StatusCode::UNAUTHORIZED);
    let html = framed.text().await.unwrap();
    assert!(html.contains("/auth/login?popup=1"), "{html}");
    let (_, callback) = sign_in(
        &portal,
        ADA,
        "/auth/login?popup=1&return_to=%2F%3Fembed%3D1",
    )
    .await;
    assert_eq!(callback.status(), StatusCode::OK);
    let page = callback.text().await.unwrap();
    let marker = "token: \"";
    let start = page.find(marker).expect("a handoff token") + marker.len();
    let token = &page[start..start + page[start..].find('"').unwrap()];
    let handoff = || {
        portal
            .http
            .post(portal.url("/auth/handoff"))
            .header("sec-fetch-site", "same-origin")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[("token", token)]))
            .send()
    };
    let first = handoff().await.unwrap();
    assert_eq!(first.status(), StatusCode::NO_CONTENT);
    assert!(set_cookie(&first, "dialout_session").is_some());
    assert_eq!(
        handoff().await.unwrap().status(),
        StatusCode::BAD_REQUEST,
        "used once"
    );
}

async fn proxy_portal(trusted: &str, roles_header: bool) -> Portal {
    let connection = GraphConnection::demo(sim_config()).await.unwrap();
    let trusted = vec![trusted.parse().unwrap()];
    Portal::start_with(connection, sim_config(), move |_| ServerSettings {
        auth: AuthSettings::Proxy(ProxySettings {
            user_header: "x-forwarded-user".parse().unwrap(),
            roles_header: roles_header.then(|| "x-forwarded-roles".parse().unwrap()),
            required_role: "DialoutReports.Read".into(),
            scope: app::report::scope::ScopeRule::Everyone,
            trusted,
            public_url: None,
        }),
        ..ServerSettings::default()
    })
    .await
}

#[tokio::test]
async fn proxy_mode_trusts_the_user_header_only_from_the_proxy() {
    let get = |portal: &Portal, headers: &[(&'static str, &'static str)]| {
        let mut request = portal.http.get(portal.url("/api/today"));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send()
    };
    let passed =
        |status: StatusCode| !matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
    let user = [("x-forwarded-user", "ada@contoso.com")];
    // One portal at a time (see common.rs).
    {
        let portal = proxy_portal("127.0.0.1/32", false).await;
        assert!(passed(get(&portal, &user).await.unwrap().status()));
        let anonymous = get(&portal, &[]).await.unwrap().status();
        assert_eq!(anonymous, StatusCode::UNAUTHORIZED);
    }
    {
        // Our address is not the proxy's: the same header means nothing.
        let elsewhere = proxy_portal("10.0.0.0/8", false).await;
        let status = get(&elsewhere, &user).await.unwrap().status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // With a roles header, the role is required.
    let roles = proxy_portal("127.0.0.1/32", true).await;
    let with_role = [
        ("x-forwarded-user", "ada"),
        ("x-forwarded-roles", "Other, DialoutReports.Read"),
    ];
    let without = [("x-forwarded-user", "ben"), ("x-forwarded-roles", "Other")];
    assert!(passed(get(&roles, &with_role).await.unwrap().status()));
    let refused = get(&roles, &without).await.unwrap().status();
    assert_eq!(refused, StatusCode::FORBIDDEN);
}
