//! The token endpoint: client secret, client assertions, and every AADSTS refusal.

mod common;

use aws_lc_rs::digest;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RSA_PSS_SHA256, RsaEncoding, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use graph_sim::{DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID, RunningSim, SimConfig, SimError};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

const CLIENT_CERT: &str = include_str!("fixtures/client-cert.pem");
const CLIENT_KEY: &str = include_str!("fixtures/client-key.pem");
const OTHER_CERT: &str = include_str!("fixtures/other-cert.pem");
const OTHER_KEY: &str = include_str!("fixtures/other-key.pem");
const EC_CERT: &str = include_str!("fixtures/ec-cert.pem");
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn pem_der(pem: &str) -> Vec<u8> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).expect("PEM");
    pem.contents
}

fn thumbprint(algorithm: &'static digest::Algorithm, cert_pem: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(algorithm, &pem_der(cert_pem)))
}

fn sha256_thumbprint(cert_pem: &str) -> String {
    thumbprint(&digest::SHA256, cert_pem)
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Signs `claims` with `key_pem`; `header` gets `alg` and `typ` added.
fn sign(alg: &str, key_pem: &str, mut header: Value, claims: &Value) -> String {
    header["alg"] = json!(alg);
    header["typ"] = json!("JWT");
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let key = RsaKeyPair::from_pkcs8(&pem_der(key_pem)).expect("pkcs8 key");
    let encoding: &'static dyn RsaEncoding = if alg == "PS256" {
        &RSA_PSS_SHA256
    } else {
        &RSA_PKCS1_SHA256
    };
    let mut signature = vec![0; key.public_modulus_len()];
    key.sign(
        encoding,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    .expect("sign");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn good_claims(sim: &RunningSim) -> Value {
    json!({
        "aud": sim.token_url(),
        "iss": DEFAULT_CLIENT_ID,
        "sub": DEFAULT_CLIENT_ID,
        "jti": "3f0b7a1e-0000-4000-8000-000000000001",
        "nbf": now() - 5,
        "iat": now() - 5,
        "exp": now() + 600,
    })
}

fn good_header() -> Value {
    json!({ "x5t#S256": sha256_thumbprint(CLIENT_CERT) })
}

async fn post_assertion(client: &Client, sim: &RunningSim, assertion: &str) -> reqwest::Response {
    let scope = sim.scope();
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", DEFAULT_CLIENT_ID),
        ("scope", &scope),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion),
    ]);
    post_token(client, sim.base_url(), DEFAULT_TENANT_ID, body).await
}

fn with_certificate(pem: &str) -> SimConfig {
    SimConfig {
        client_certificate: Some(pem.to_owned()),
        ..config(20)
    }
}

#[tokio::test]
async fn client_secret_grant_issues_a_bearer_token() {
    let sim = start(config(20)).await;
    let client = Client::new();
    let pairs = secret_form(&sim);
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = post_token(&client, sim.base_url(), DEFAULT_TENANT_ID, form(&pairs)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    let body = json(response).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert!(body["access_token"].as_str().is_some_and(|t| t.len() > 20));
    assert_eq!(
        sim.token_url(),
        format!("{}/{DEFAULT_TENANT_ID}/oauth2/v2.0/token", sim.base_url())
    );
}

/// A token request with one field changed (`None` drops it) and the refusal it must get:
/// (status, OAuth error, AADSTS code).
struct Refusal {
    tenant: &'static str,
    field: &'static str,
    value: Option<&'static str>,
    expected: (u16, &'static str, u64),
}

impl Refusal {
    fn new(
        tenant: &'static str,
        field: &'static str,
        value: Option<&'static str>,
        expected: (u16, &'static str, u64),
    ) -> Self {
        Self {
            tenant,
            field,
            value,
            expected,
        }
    }
}

#[tokio::test]
async fn bad_token_requests_get_the_identity_platforms_errors() {
    let sim = start(config(20)).await;
    let client = Client::new();
    let base = sim.base_url().to_owned();
    let valid = secret_form(&sim);
    let cases = [
        Refusal::new("contoso.example", "", None, (400, "invalid_request", 90002)),
        Refusal::new(
            DEFAULT_TENANT_ID,
            "grant_type",
            None,
            (400, "invalid_request", 900144),
        ),
        Refusal::new(
            DEFAULT_TENANT_ID,
            "grant_type",
            Some("password"),
            (400, "unsupported_grant_type", 70003),
        ),
        Refusal::new(
            DEFAULT_TENANT_ID,
            "client_id",
            None,
            (400, "invalid_request", 900144),
        ),
        Refusal::new(
            DEFAULT_TENANT_ID,
            "client_id",
            Some("33333333-3333-4333-8333-333333333333"),
            (400, "unauthorized_client", 700016),
        ),
        Refusal::new(
            DEFAULT_TENANT_ID,
            "scope",
            None,
            (400, "invalid_request", 900144),
        ),
        // A well-formed scope for another resource (here the real Graph) is not found in the
        // tenant; a malformed one is invalid.
        Refusal::new(
            DEFAULT_TENANT_ID,
            "scope",
            Some("https://graph.microsoft.com/.default"),
            (400, "invalid_resource", 500011),
        ),
        Refusal::new(
            DEFAULT_TENANT_ID,
            "scope",
            Some("User.Read"),
            (400, "invalid_scope", 70011),
        ),
        Refusal::new(
            DEFAULT_TENANT_ID,
            "client_secret",
            None,
            (401, "invalid_client", 7000218),
        ),
        Refusal::new(
            DEFAULT_TENANT_ID,
            "client_secret",
            Some("wrong"),
            (401, "invalid_client", 7000215),
        ),
        Refusal::new(
            DEFAULT_TENANT_ID,
            "client_secret",
            Some(""),
            (401, "invalid_client", 7000218),
        ),
    ];
    for Refusal {
        tenant,
        field,
        value,
        expected: (status, error, code),
    } in cases
    {
        let pairs: Vec<(&str, &str)> = valid
            .iter()
            .filter_map(|(k, v)| match (*k == field, value) {
                (true, None) => None,
                (true, Some(new)) => Some((*k, new)),
                (false, _) => Some((*k, v.as_str())),
            })
            .collect();
        let response = post_token(&client, &base, tenant, form(&pairs)).await;
        let got = aad_error(response).await;
        assert_eq!(
            got,
            (
                StatusCode::from_u16(status).unwrap(),
                error.to_owned(),
                code
            ),
            "{field}={value:?}"
        );
    }
    let response = client
        .get(format!("{base}/{DEFAULT_TENANT_ID}/oauth2/v2.0/token"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        aad_error(response).await,
        (StatusCode::BAD_REQUEST, "invalid_request".into(), 900561)
    );
}

#[tokio::test]
async fn rs256_and_ps256_assertions_are_accepted_and_the_token_reads_the_report() {
    let sim = start(with_certificate(CLIENT_CERT)).await;
    let client = Client::new();
    let rs256 = sign("RS256", CLIENT_KEY, good_header(), &good_claims(&sim));
    let response = post_assertion(&client, &sim, &rs256).await;
    assert_eq!(response.status(), StatusCode::OK);
    let token = json(response).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = report_url(sim.base_url(), "2024-05-01", "2024-05-02");
    assert_eq!(get(&client, &url, &token).await.status(), StatusCode::OK);

    // PS256 naming the certificate by its legacy SHA-1 thumbprint.
    let header = json!({ "x5t": thumbprint(&digest::SHA1_FOR_LEGACY_USE_ONLY, CLIENT_CERT) });
    let ps256 = sign("PS256", CLIENT_KEY, header, &good_claims(&sim));
    assert_eq!(
        post_assertion(&client, &sim, &ps256).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn bad_assertions_are_refused_with_their_codes() {
    let sim = start(with_certificate(CLIENT_CERT)).await;
    let client = Client::new();
    let claims = good_claims(&sim);
    let with = |field: &str, value: Value| {
        let mut c = claims.clone();
        c[field] = value;
        c
    };
    let cases: Vec<(&str, String, u16, u64)> = vec![
        (
            "signed by another key",
            sign("RS256", OTHER_KEY, good_header(), &claims),
            401,
            700027,
        ),
        (
            "unknown thumbprint",
            sign(
                "RS256",
                OTHER_KEY,
                json!({ "x5t#S256": sha256_thumbprint(OTHER_CERT) }),
                &claims,
            ),
            401,
            700027,
        ),
        (
            "no thumbprint",
            sign("RS256", CLIENT_KEY, json!({}), &claims),
            401,
            700027,
        ),
        (
            "wrong audience",
            sign(
                "RS256",
                CLIENT_KEY,
                good_header(),
                &with(
                    "aud",
                    json!("https://login.microsoftonline.com/x/oauth2/v2.0/token"),
                ),
            ),
            401,
            700023,
        ),
        (
            "wrong issuer",
            sign(
                "RS256",
                CLIENT_KEY,
                good_header(),
                &with("iss", json!("someone-else")),
            ),
            401,
            700021,
        ),
        (
            "wrong subject",
            sign(
                "RS256",
                CLIENT_KEY,
                good_header(),
                &with("sub", json!("someone-else")),
            ),
            401,
            700021,
        ),
        (
            "expired",
            sign(
                "RS256",
                CLIENT_KEY,
                good_header(),
                &with("exp", json!(now() - 10)),
            ),
            401,
            700024,
        ),
        (
            "not yet valid",
            sign(
                "RS256",
                CLIENT_KEY,
                good_header(),
                &with("nbf", json!(now() + 600)),
            ),
            401,
            700024,
        ),
        (
            "no expiry",
            sign(
                "RS256",
                CLIENT_KEY,
                good_header(),
                &with("exp", Value::Null),
            ),
            401,
            700024,
        ),
        (
            "HS256",
            {
                let rs = sign("RS256", CLIENT_KEY, good_header(), &claims);
                let (_, rest) = rs.split_once('.').unwrap();
                format!(
                    "{}.{rest}",
                    URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#)
                )
            },
            400,
            50027,
        ),
        ("garbage", "not-a-jwt".to_owned(), 400, 50027),
    ];
    for (what, assertion, status, code) in cases {
        let (got_status, _, got_code) =
            aad_error(post_assertion(&client, &sim, &assertion).await).await;
        assert_eq!((got_status.as_u16(), got_code), (status, code), "{what}");
    }

    // The assertion type must be the JWT bearer one.
    let scope = sim.scope();
    let assertion = sign("RS256", CLIENT_KEY, good_header(), &claims);
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", DEFAULT_CLIENT_ID),
        ("scope", &scope),
        ("client_assertion_type", "urn:example:other"),
        ("client_assertion", &assertion),
    ]);
    let response = post_token(&client, sim.base_url(), DEFAULT_TENANT_ID, body).await;
    assert_eq!(aad_error(response).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn assertions_fail_when_no_certificate_is_registered() {
    let sim = start(config(20)).await;
    let client = Client::new();
    let assertion = sign("RS256", CLIENT_KEY, good_header(), &good_claims(&sim));
    let (status, error, code) = aad_error(post_assertion(&client, &sim, &assertion).await).await;
    assert_eq!(
        (status, error.as_str(), code),
        (StatusCode::UNAUTHORIZED, "invalid_client", 700027)
    );
}

#[tokio::test]
async fn unusable_certificates_are_refused_at_start() {
    for pem in [EC_CERT, "not a pem", CLIENT_KEY] {
        let result = graph_sim::start(with_certificate(pem), "127.0.0.1:0".parse().unwrap()).await;
        assert!(
            matches!(result, Err(SimError::InvalidCertificate(_))),
            "{pem:.30}"
        );
    }
}

#[tokio::test]
async fn another_resource_is_not_found_in_the_tenant() {
    let sim = start(config(20)).await;
    let client = Client::new();
    let mut pairs = secret_form(&sim);
    for (name, value) in &mut pairs {
        if *name == "scope" {
            *value = "https://graph.microsoft.us/.default".into();
        }
    }
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = post_token(&client, sim.base_url(), DEFAULT_TENANT_ID, form(&pairs)).await;
    let body = json(response).await;
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with(&format!(
            "AADSTS500011: The resource principal named https://graph.microsoft.us was not \
             found in the tenant named {DEFAULT_TENANT_ID}."
        )),
        "{description}"
    );
    assert_eq!(body["error"], "invalid_resource");
}

#[tokio::test]
async fn tokens_carry_the_granted_app_permissions_as_roles() {
    for (permissions, roles) in [
        (
            vec!["CallRecords.Read.All".to_owned()],
            json!(["CallRecords.Read.All"]),
        ),
        (
            vec![
                "User.Read.All".to_owned(),
                "CallRecords.Read.All".to_owned(),
            ],
            json!(["User.Read.All", "CallRecords.Read.All"]),
        ),
        (Vec::new(), Value::Null),
    ] {
        let sim = start(SimConfig {
            app_permissions: permissions,
            ..config(20)
        })
        .await;
        let token = secret_token(&Client::new(), &sim).await;
        let claims = token.split('.').nth(1).unwrap();
        let claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
        assert_eq!(claims["roles"], roles, "{claims}");
    }
}
