//! The OpenID Connect provider over real HTTP: discovery, the sign-in page, the authorization
//! code flow with PKCE, the ID token, and every refusal a client can meet.

mod common;

use common::oidc::*;
use common::*;
use graph_sim::{
    DEFAULT_OIDC_CLIENT_ID, DEFAULT_OIDC_CLIENT_SECRET, DEFAULT_OIDC_ROLE, DEFAULT_TENANT_ID,
    SimConfig, TEST_USERS,
};
use reqwest::StatusCode;
use serde_json::json;

const SECRET: &str = DEFAULT_OIDC_CLIENT_SECRET;
const ADA: &str = TEST_USERS[0].object_id;
const BEN: &str = TEST_USERS[1].object_id;

#[tokio::test]
async fn discovery_and_keys_look_like_entra_ids() {
    let sim = start(config(10)).await;
    let client = browser();
    let issuer = sim.oidc_issuer();
    assert_eq!(
        issuer,
        format!("{}/{DEFAULT_TENANT_ID}/v2.0", sim.base_url())
    );
    let response = client
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let metadata = json(response).await;
    let oauth = format!("{}/{DEFAULT_TENANT_ID}/oauth2/v2.0", sim.base_url());
    assert_eq!(metadata["issuer"], issuer);
    assert_eq!(
        metadata["authorization_endpoint"],
        format!("{oauth}/authorize")
    );
    assert_eq!(metadata["token_endpoint"], sim.token_url());
    assert_eq!(metadata["end_session_endpoint"], format!("{oauth}/logout"));
    let jwks_uri = format!("{}/{DEFAULT_TENANT_ID}/discovery/v2.0/keys", sim.base_url());
    assert_eq!(metadata["jwks_uri"], jwks_uri);
    assert_eq!(metadata["subject_types_supported"], json!(["pairwise"]));
    assert_eq!(
        metadata["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    assert_eq!(
        metadata["code_challenge_methods_supported"],
        json!(["plain", "S256"])
    );
    assert_eq!(
        metadata["token_endpoint_auth_methods_supported"],
        json!([
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic"
        ])
    );
    assert!(
        metadata["response_types_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("code"))
    );

    let jwks = json(client.get(&jwks_uri).send().await.unwrap()).await;
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    let key = &keys[0];
    assert_eq!(
        (&key["kty"], &key["use"], &key["e"]),
        (&json!("RSA"), &json!("sig"), &json!("AQAB"))
    );
    assert_eq!(key["kid"], key["x5t"]);
    assert_eq!(key["issuer"], issuer);
    let modulus = key["n"].as_str().unwrap();
    assert!(!modulus.contains('='));
    assert_eq!(
        modulus.len(),
        342,
        "2048-bit modulus, base64url without padding"
    );

    for url in [
        format!(
            "{}/contoso.example/v2.0/.well-known/openid-configuration",
            sim.base_url()
        ),
        format!("{}/contoso.example/discovery/v2.0/keys", sim.base_url()),
    ] {
        let response = client.get(&url).send().await.unwrap();
        assert_refused(response, (400, "invalid_tenant", 90002)).await;
    }
}

#[tokio::test]
async fn ada_signs_in_with_pkce_and_gets_a_verifiable_id_token_once() {
    let sim = start(config(10)).await;
    let client = browser();
    let page = authorize(&client, &sim, DEFAULT_TENANT_ID, &authorize_params()).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains("<title>"));
    assert!(html.contains("<h1"));
    for user in &TEST_USERS {
        let button = format!(
            "<span class=\"name\">Sign in as {}</span>",
            user.display_name
        );
        assert!(html.contains(&button), "{html}");
        assert!(html.contains(user.user_principal_name));
    }
    assert_eq!(
        html.matches("<button type=\"submit\"").count(),
        4,
        "three accounts and Cancel"
    );

    let response = choose(&client, &sim, &sign_in_key(&html), ("user", ADA)).await;
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{REDIRECT_URI}?code=")),
        "{location}"
    );
    let params = redirect_params(&response);
    assert_eq!(param(&params, "state"), Some("state-1"));
    let code = param(&params, "code").unwrap();
    assert!(code.len() >= 43, "{code}");

    let response = redeem(&client, &sim, code, basic(), &WITH_VERIFIER).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    let tokens = json(response).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["scope"], "openid profile email");
    assert_eq!(
        (&tokens["expires_in"], &tokens["ext_expires_in"]),
        (&json!(3599), &json!(3599))
    );
    assert!(
        tokens["access_token"]
            .as_str()
            .is_some_and(|t| t.len() > 20)
    );

    let claims = verified_claims(&client, &sim, tokens["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["aud"], DEFAULT_OIDC_CLIENT_ID);
    assert_eq!(claims["iss"], sim.oidc_issuer());
    assert_eq!(claims["nonce"], "nonce-1");
    assert_eq!(claims["roles"], json!([DEFAULT_OIDC_ROLE]));
    assert_eq!(claims["oid"], ADA);
    assert_eq!(claims["name"], "Ada Manager");
    assert_eq!(claims["preferred_username"], "ada.manager@contoso.com");
    assert_eq!(claims["email"], "ada.manager@contoso.com");
    assert_eq!(
        (&claims["tid"], &claims["ver"]),
        (&json!(DEFAULT_TENANT_ID), &json!("2.0"))
    );
    assert_eq!(claims["sub"].as_str().unwrap().len(), 43);
    let iat = claims["iat"].as_i64().unwrap();
    assert_eq!(
        (claims["nbf"].as_i64(), claims["exp"].as_i64()),
        (Some(iat), Some(iat + 3600))
    );
    assert!((iat - chrono::Utc::now().timestamp()).abs() < 60);

    let again = redeem(&client, &sim, code, basic(), &WITH_VERIFIER).await;
    assert_refused(again, (400, "invalid_grant", 70008)).await;

    // Sign-ins are counted apart from the report client's token requests.
    let stats = json(
        client
            .get(format!("{}/_sim/stats", sim.base_url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (&stats["oidc_token_requests"], &stats["token_requests"]),
        (&json!(2), &json!(0))
    );
}

#[tokio::test]
async fn ben_has_no_roles_claim_and_client_secret_post_works() {
    let sim = start(config(10)).await;
    let client = browser();
    // No nonce and no PKCE: both are optional for a confidential client, as at Entra ID.
    let params = without(
        authorize_params(),
        &["nonce", "code_challenge", "code_challenge_method"],
    );
    let code = sign_in(&client, &sim, &params, BEN).await;
    let response = redeem(&client, &sim, &code, ClientAuth::Post(SECRET), &[]).await;
    let claims = redeemed_claims(&client, &sim, response).await;
    assert_eq!(claims["preferred_username"], "ben.employee@contoso.com");
    assert!(claims.get("roles").is_none(), "{claims}");
    assert!(claims.get("nonce").is_none(), "{claims}");

    // Another app sees another pairwise subject for the same user; the role is configurable.
    const OTHER_APP: &str = "44444444-4444-4444-8444-444444444444";
    let sim = start(SimConfig {
        oidc_client_id: OTHER_APP.into(),
        oidc_role: "Reports.Admin".into(),
        ..config(10)
    })
    .await;
    let params = with(authorize_params(), "client_id", Some(OTHER_APP));
    let fields = [
        ("client_id", OTHER_APP),
        ("client_secret", SECRET),
        WITH_VERIFIER[0],
    ];
    let signed_in_claims = async |user| {
        let code = sign_in(&client, &sim, &params, user).await;
        let response = redeem(&client, &sim, &code, ClientAuth::None, &fields).await;
        redeemed_claims(&client, &sim, response).await
    };
    let ben_elsewhere = signed_in_claims(BEN).await;
    assert_eq!(ben_elsewhere["aud"], OTHER_APP);
    assert_ne!(ben_elsewhere["sub"], claims["sub"]);
    assert_eq!(
        signed_in_claims(ADA).await["roles"],
        json!(["Reports.Admin"])
    );
}

#[tokio::test]
async fn bad_redemptions_get_entra_ids_errors() {
    let sim = start(config(10)).await;
    let client = browser();
    let params = authorize_params();

    // A wrong secret is refused before the code is looked at, so the code survives it.
    let code = sign_in(&client, &sim, &params, ADA).await;
    let wrong_secret = ClientAuth::Basic("not-the-secret");
    let response = redeem(&client, &sim, &code, wrong_secret, &WITH_VERIFIER).await;
    assert_refused(response, (401, "invalid_client", 7000215)).await;
    let response = redeem(&client, &sim, &code, basic(), &WITH_VERIFIER).await;
    assert_eq!(response.status(), StatusCode::OK);

    // A wrong verifier spends the code: it cannot be retried with the right one.
    let code = sign_in(&client, &sim, &params, ADA).await;
    let wrong = "x".repeat(43);
    let response = redeem(&client, &sim, &code, basic(), &[("code_verifier", &wrong)]).await;
    assert_refused(response, (400, "invalid_grant", 50148)).await;
    let response = redeem(&client, &sim, &code, basic(), &WITH_VERIFIER).await;
    assert_refused(response, (400, "invalid_grant", 70008)).await;

    let code = sign_in(&client, &sim, &params, ADA).await;
    let response = redeem(&client, &sim, &code, basic(), &[]).await;
    assert_refused(response, (400, "invalid_request", 501481)).await;

    let code = sign_in(&client, &sim, &params, ADA).await;
    let other_uri = [("redirect_uri", "http://127.0.0.1:3000/other")];
    let response = redeem(&client, &sim, &code, basic(), &other_uri).await;
    assert_refused(response, (400, "invalid_grant", 500112)).await;

    let response = redeem(&client, &sim, "made-up", basic(), &[]).await;
    assert_refused(response, (400, "invalid_grant", 70008)).await;
    let unknown_app = [("client_id", "55555555-5555-4555-8555-555555555555")];
    let response = redeem(&client, &sim, "made-up", ClientAuth::None, &unknown_app).await;
    assert_refused(response, (400, "unauthorized_client", 700016)).await;
    let no_secret = [("client_id", DEFAULT_OIDC_CLIENT_ID)];
    let response = redeem(&client, &sim, "made-up", ClientAuth::None, &no_secret).await;
    assert_refused(response, (401, "invalid_client", 7000218)).await;
}

/// The error an authorization request was redirected with: (`error`, AADSTS code).
fn redirected_error(response: &reqwest::Response) -> (String, String) {
    let params = redirect_params(response);
    assert_eq!(param(&params, "state"), Some("state-1"));
    let description = param(&params, "error_description").unwrap();
    let code = description.split(':').next().unwrap().to_owned();
    (param(&params, "error").unwrap().to_owned(), code)
}

#[tokio::test]
async fn bad_authorization_requests_are_shown_or_sent_back() {
    let registered = "https://portal.example/auth/callback";
    let sim = start(SimConfig {
        oidc_redirect_uris: vec![registered.into()],
        ..config(10)
    })
    .await;
    let client = browser();
    let good = with(authorize_params(), "redirect_uri", Some(registered));
    let page = authorize(&client, &sim, DEFAULT_TENANT_ID, &good).await;
    assert_eq!(page.status(), StatusCode::OK);

    // Never redirected: the redirect URI is not trusted yet.
    let shown = [
        ("contoso.example", good.clone(), "AADSTS90002"),
        (
            DEFAULT_TENANT_ID,
            with(good.clone(), "client_id", Some("nope")),
            "AADSTS700016",
        ),
        (
            DEFAULT_TENANT_ID,
            with(good.clone(), "client_id", None),
            "AADSTS900144",
        ),
        (DEFAULT_TENANT_ID, authorize_params(), "AADSTS50011"),
        (
            DEFAULT_TENANT_ID,
            with(good.clone(), "redirect_uri", None),
            "AADSTS900144",
        ),
    ];
    for (tenant, params, code) in shown {
        let response = authorize(&client, &sim, tenant, &params).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{code}");
        assert!(response.headers().get("location").is_none());
        assert_eq!(response.headers()["x-frame-options"], "DENY");
        assert!(response.text().await.unwrap().contains(code), "{code}");
    }

    let sent_back = [
        (
            with(good.clone(), "response_type", Some("token")),
            "unsupported_response_type",
            "AADSTS700054",
        ),
        (
            with(good.clone(), "scope", Some("profile email")),
            "invalid_scope",
            "AADSTS70011",
        ),
        (
            with(good.clone(), "scope", Some("openid User.Read")),
            "invalid_scope",
            "AADSTS70011",
        ),
        (
            with(good.clone(), "code_challenge_method", Some("S512")),
            "invalid_request",
            "AADSTS50149",
        ),
        (
            with(good.clone(), "code_challenge_method", None),
            "invalid_request",
            "AADSTS900144",
        ),
        (
            with(good.clone(), "code_challenge", Some("too-short")),
            "invalid_request",
            "AADSTS501491",
        ),
        (
            with(good.clone(), "prompt", Some("none")),
            "login_required",
            "AADSTS50058",
        ),
        (
            with(good.clone(), "response_mode", Some("json")),
            "invalid_request",
            "AADSTS90023",
        ),
    ];
    for (params, error, code) in sent_back {
        let response = authorize(&client, &sim, DEFAULT_TENANT_ID, &params).await;
        assert!(
            response.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with(registered),
            "{code}"
        );
        assert_eq!(
            redirected_error(&response),
            (error.to_owned(), code.to_owned())
        );
    }
}

#[tokio::test]
async fn cancel_replays_and_form_post_behave_like_entra_id() {
    let sim = start(config(10)).await;
    let client = browser();
    let page = authorize(&client, &sim, DEFAULT_TENANT_ID, &authorize_params()).await;
    let key = sign_in_key(&page.text().await.unwrap());
    let response = choose(&client, &sim, &key, ("cancel", "cancel")).await;
    assert_eq!(
        redirected_error(&response),
        ("access_denied".into(), "AADSTS65004".into())
    );
    // The page's key is one-time: a replayed (or forged) form gets an error page.
    for key in [key.as_str(), "forged"] {
        let response = choose(&client, &sim, key, ("user", ADA)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(response.text().await.unwrap().contains("AADSTS50089"));
    }

    let params = with(authorize_params(), "response_mode", Some("form_post"));
    let page = authorize(&client, &sim, DEFAULT_TENANT_ID, &params).await;
    let key = sign_in_key(&page.text().await.unwrap());
    let response = choose(&client, &sim, &key, ("user", BEN)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains(&format!("<form method=\"post\" action=\"{REDIRECT_URI}\">")));
    assert!(html.contains("name=\"code\"") && html.contains("value=\"state-1\""));
}

#[tokio::test]
async fn logout_returns_to_allowed_uris_only() {
    let sim = start(SimConfig {
        oidc_redirect_uris: vec!["https://portal.example/auth/callback".into()],
        ..config(10)
    })
    .await;
    let client = browser();
    let logout = |tenant: &str, query: &str| {
        client
            .get(format!(
                "{}/{tenant}/oauth2/v2.0/logout?{query}",
                sim.base_url()
            ))
            .send()
    };
    for allowed in [
        "http://127.0.0.1:3000/",
        "https://portal.example/signed-out",
    ] {
        let query = form(&[("post_logout_redirect_uri", allowed), ("state", "s")]);
        let response = logout(DEFAULT_TENANT_ID, &query).await.unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(
            response.headers()["location"],
            format!("{allowed}?state=s").as_str()
        );
    }
    let query = form(&[("post_logout_redirect_uri", "https://evil.example/")]);
    for query in [query.as_str(), ""] {
        let response = logout(DEFAULT_TENANT_ID, query).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.text().await.unwrap().contains("You signed out"));
    }
    let response = logout("contoso.example", "").await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}
