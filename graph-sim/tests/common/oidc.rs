//! Helpers for the OpenID Connect tests: a browser-less sign-in (authorize page, account
//! choice, redirect), code redemption and ID-token verification against the published JWKS.

use aws_lc_rs::digest;
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use graph_sim::{
    DEFAULT_OIDC_CLIENT_ID, DEFAULT_OIDC_CLIENT_SECRET, DEFAULT_TENANT_ID, RunningSim,
};
use reqwest::{Client, Response, StatusCode, redirect};
use serde_json::Value;
use url::Url;

use super::{aad_error, form, json};

/// The redemption fields of a client that kept its PKCE verifier.
pub const WITH_VERIFIER: [(&str, &str); 1] = [("code_verifier", VERIFIER)];
/// A loopback callback, registered by default (no `--oidc-redirect-uri`).
pub const REDIRECT_URI: &str = "http://127.0.0.1:3000/auth/callback";
/// RFC 7636 appendix B.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// A client that, like a test inspecting a browser's navigation, does not follow redirects.
pub fn browser() -> Client {
    Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .expect("client")
}

pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()))
}

/// A valid authorization request's parameters (PKCE S256 over [`VERIFIER`]).
pub fn authorize_params() -> Vec<(&'static str, String)> {
    vec![
        ("client_id", DEFAULT_OIDC_CLIENT_ID.into()),
        ("response_type", "code".into()),
        ("redirect_uri", REDIRECT_URI.into()),
        ("scope", "openid profile email".into()),
        ("state", "state-1".into()),
        ("nonce", "nonce-1".into()),
        ("code_challenge", s256(VERIFIER)),
        ("code_challenge_method", "S256".into()),
    ]
}

/// `params` without the parameters `names`.
pub fn without(
    mut params: Vec<(&'static str, String)>,
    names: &[&str],
) -> Vec<(&'static str, String)> {
    params.retain(|(key, _)| !names.contains(key));
    params
}

/// `params` with `name` set to `value` (`None` removes it).
pub fn with(
    mut params: Vec<(&'static str, String)>,
    name: &'static str,
    value: Option<&str>,
) -> Vec<(&'static str, String)> {
    params.retain(|(key, _)| *key != name);
    if let Some(value) = value {
        params.push((name, value.to_owned()));
    }
    params
}

pub fn encode(params: &[(&'static str, String)]) -> String {
    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    form(&pairs)
}

pub async fn authorize(
    client: &Client,
    sim: &RunningSim,
    tenant: &str,
    params: &[(&'static str, String)],
) -> Response {
    client
        .get(format!(
            "{}/{tenant}/oauth2/v2.0/authorize?{}",
            sim.base_url(),
            encode(params)
        ))
        .send()
        .await
        .expect("authorize")
}

/// The hidden `sign_in` key of a sign-in page.
pub fn sign_in_key(html: &str) -> String {
    let marker = "name=\"sign_in\" value=\"";
    let start = html.find(marker).expect("sign_in field") + marker.len();
    let end = start + html[start..].find('"').expect("end of value");
    html[start..end].to_owned()
}

/// Posts the sign-in page's form with `choice` (`("user", oid)` or `("cancel", "cancel")`).
pub async fn choose(
    client: &Client,
    sim: &RunningSim,
    key: &str,
    choice: (&str, &str),
) -> Response {
    client
        .post(format!(
            "{}/{DEFAULT_TENANT_ID}/oauth2/v2.0/authorize",
            sim.base_url()
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("sign_in", key), choice]))
        .send()
        .await
        .expect("sign-in form")
}

/// The query parameters of a 302's `Location`.
pub fn redirect_params(response: &Response) -> Vec<(String, String)> {
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().expect("location");
    Url::parse(location)
        .expect("absolute location")
        .query_pairs()
        .into_owned()
        .collect()
}

pub fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// Signs `object_id` in through the page with `params`; returns the code.
pub async fn sign_in(
    client: &Client,
    sim: &RunningSim,
    params: &[(&'static str, String)],
    object_id: &str,
) -> String {
    let page = authorize(client, sim, DEFAULT_TENANT_ID, params).await;
    assert_eq!(page.status(), StatusCode::OK);
    let key = sign_in_key(&page.text().await.expect("page"));
    let response = choose(client, sim, &key, ("user", object_id)).await;
    let params = redirect_params(&response);
    assert_eq!(param(&params, "state"), Some("state-1"));
    param(&params, "code").expect("code").to_owned()
}

/// How the client authenticates when redeeming a code.
pub enum ClientAuth<'a> {
    /// `client_secret_basic` with this secret.
    Basic(&'a str),
    /// `client_secret_post` with this secret.
    Post(&'a str),
    /// Only what the extra fields say.
    None,
}

/// Redeems `code` with `extra` fields (`code_verifier`, a different `redirect_uri`, ...).
pub async fn redeem(
    client: &Client,
    sim: &RunningSim,
    code: &str,
    auth: ClientAuth<'_>,
    extra: &[(&'static str, &str)],
) -> Response {
    let mut fields = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("code", code.to_owned()),
    ];
    if !extra.iter().any(|(name, _)| *name == "redirect_uri") {
        fields.push(("redirect_uri", REDIRECT_URI.to_owned()));
    }
    fields.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let request = client
        .post(sim.token_url())
        .header("content-type", "application/x-www-form-urlencoded");
    let request = match auth {
        ClientAuth::Basic(secret) => {
            let credentials = format!("{DEFAULT_OIDC_CLIENT_ID}:{secret}");
            request.header(
                "authorization",
                format!("Basic {}", STANDARD.encode(credentials)),
            )
        }
        ClientAuth::Post(secret) => {
            fields.push(("client_id", DEFAULT_OIDC_CLIENT_ID.to_owned()));
            fields.push(("client_secret", secret.to_owned()));
            request
        }
        ClientAuth::None => request,
    };
    request
        .body(encode(&fields))
        .send()
        .await
        .expect("token request")
}

/// The good secret, sent with HTTP Basic as `openidconnect` does by default.
pub fn basic() -> ClientAuth<'static> {
    ClientAuth::Basic(DEFAULT_OIDC_CLIENT_SECRET)
}

fn decode_json(segment: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).expect("base64url")).expect("json")
}

/// Verifies `id_token`'s RS256 signature with the JWKS key its header names; returns the claims.
pub async fn verified_claims(client: &Client, sim: &RunningSim, id_token: &str) -> Value {
    let (signing_input, signature) = id_token.rsplit_once('.').expect("JWS");
    let (header, claims) = signing_input.split_once('.').expect("JWS");
    let header = decode_json(header);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["typ"], "JWT");
    let jwks = json(
        client
            .get(format!(
                "{}/{DEFAULT_TENANT_ID}/discovery/v2.0/keys",
                sim.base_url()
            ))
            .send()
            .await
            .expect("jwks"),
    )
    .await;
    let key = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|key| key["kid"] == header["kid"])
        .expect("the header's kid is published");
    let component = |name: &str| {
        URL_SAFE_NO_PAD
            .decode(key[name].as_str().expect("n and e"))
            .expect("base64url")
    };
    RsaPublicKeyComponents {
        n: component("n"),
        e: component("e"),
    }
    .verify(
        &RSA_PKCS1_2048_8192_SHA256,
        signing_input.as_bytes(),
        &URL_SAFE_NO_PAD.decode(signature).expect("signature"),
    )
    .expect("the ID token verifies against the JWKS");
    decode_json(claims)
}

/// The verified ID-token claims of a successful redemption.
pub async fn redeemed_claims(client: &Client, sim: &RunningSim, response: Response) -> Value {
    assert_eq!(response.status(), StatusCode::OK);
    let tokens = json(response).await;
    verified_claims(client, sim, tokens["id_token"].as_str().expect("id_token")).await
}

/// Asserts an identity-platform JSON error: (status, OAuth error, AADSTS code).
pub async fn assert_refused(response: Response, expected: (u16, &str, u64)) {
    let (status, error, code) = aad_error(response).await;
    assert_eq!((status.as_u16(), error.as_str(), code), expected);
}
