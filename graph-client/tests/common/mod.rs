#![allow(dead_code)]

pub mod fake;
pub mod sim;

use std::time::Duration;

use graph_client::{Cloud, Credential, GraphClient, GraphConfig, RetryPolicy, Secret};

pub const TENANT: &str = "11111111-1111-4111-8111-111111111111";
pub const CLIENT: &str = "22222222-2222-4222-8222-222222222222";

/// Retries fast enough for a test suite, and many of them (fault-injection tests).
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 12,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(100),
        deadline: Duration::from_secs(120),
    }
}

/// A config whose authority and Graph are both `base`.
pub fn config_for(base: &str, tenant: &str, client: &str, credential: Credential) -> GraphConfig {
    GraphConfig::new(Cloud::Global, tenant, client, credential)
        .unwrap()
        .with_authority_host(base)
        .unwrap()
        .with_graph_endpoint(base)
        .unwrap()
        .with_retry(fast_retry())
}

pub fn secret_client(base: &str, secret: &str) -> GraphClient {
    GraphClient::new(config_for(
        base,
        TENANT,
        CLIENT,
        Credential::Secret(Secret::new(secret)),
    ))
    .unwrap()
}

pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}
