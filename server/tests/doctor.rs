//! `dialout-portal doctor` against a simulated tenant: each step passes or says how to fix it,
//! and the exit status says whether one failed.

mod tenant;

use std::process::Output;

use chrono::Utc;
use graph_sim::{RunningSim, SimConfig, ToSemantics};

fn sim_config() -> SimConfig {
    SimConfig {
        seed: 7,
        users: 300,
        today: Utc::now().date_naive(),
        history_days: 40,
        ..SimConfig::default()
    }
}

async fn start(config: SimConfig) -> RunningSim {
    graph_sim::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("the simulator starts")
}

/// `dialout-portal doctor` with only the environment an operator would set for a tenant whose
/// authority and Graph are `sim`, and `secret` as the app's secret.
async fn doctor(sim: &RunningSim, config: &SimConfig, secret: &str) -> (bool, String) {
    let output: Output = tenant::command(sim, config, secret, &["doctor"])
        .env("RUST_LOG", "error")
        .output()
        .await
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.success(), stdout)
}

fn line<'a>(stdout: &'a str, step: &str) -> &'a str {
    stdout
        .lines()
        .find(|line| line.contains(step))
        .unwrap_or_else(|| panic!("no line for {step:?} in:\n{stdout}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_working_tenant_passes_every_step_and_the_reading_is_named() {
    for (semantics, reading) in [
        (ToSemantics::Inclusive, "last tick"),
        (ToSemantics::DateExclusive, "next midnight"),
    ] {
        let config = SimConfig {
            to_semantics: semantics,
            ..sim_config()
        };
        let sim = start(config.clone()).await;
        let (passed, stdout) = doctor(&sim, &config, &config.client_secret).await;
        assert!(passed, "{stdout}");
        assert!(
            line(&stdout, "configuration").starts_with("ok "),
            "{stdout}"
        );
        assert!(line(&stdout, "token").starts_with("ok "), "{stdout}");
        assert!(
            line(&stdout, "the dial-out report").starts_with("ok "),
            "{stdout}"
        );
        let found = line(&stdout, "toDateTime");
        assert!(
            found.starts_with("ok ") && found.contains(reading),
            "{stdout}"
        );
        sim.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_report_permission_is_named_with_its_fix() {
    let config = SimConfig {
        app_permissions: Vec::new(),
        ..sim_config()
    };
    let sim = start(config.clone()).await;
    let (passed, stdout) = doctor(&sim, &config, &config.client_secret).await;
    assert!(!passed, "{stdout}");
    assert!(line(&stdout, "token").starts_with("ok "), "{stdout}");
    let report = line(&stdout, "the dial-out report");
    assert!(report.starts_with("FAILED"), "{stdout}");
    assert!(report.contains("CallRecords.Read.All"), "{stdout}");
    assert!(report.contains("admin consent"), "{stdout}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_stops_at_the_token_with_its_fix() {
    let config = sim_config();
    let sim = start(config.clone()).await;
    let (passed, stdout) = doctor(&sim, &config, "not-the-secret").await;
    assert!(!passed, "{stdout}");
    let token = line(&stdout, "token");
    assert!(
        token.starts_with("FAILED") && token.contains("7000215"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("the dial-out report"),
        "no report request without a token:\n{stdout}"
    );
    sim.shutdown().await;
}
