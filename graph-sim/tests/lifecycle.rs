//! Starting and stopping: the library API and the `graph-sim` binary.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use graph_sim::{SimConfig, SimError};
use reqwest::{Client, StatusCode};

async fn answers(client: &Client, base: &str) -> bool {
    client
        .get(format!("{base}/_sim/stats"))
        .timeout(Duration::from_secs(2))
        .send()
        .await
        .is_ok_and(|r| r.status() == StatusCode::OK)
}

#[tokio::test]
async fn the_simulator_serves_while_held_and_stops_on_shutdown_or_drop() {
    let client = Client::new();
    let sim = start(config(10)).await;
    let base = sim.base_url().to_owned();
    assert!(base.starts_with("http://127.0.0.1:") && !base.ends_with('/'));
    assert_eq!(
        sim.local_addr().port().to_string(),
        base.rsplit(':').next().unwrap()
    );
    assert!(answers(&client, &base).await);
    sim.shutdown().await;
    assert!(!answers(&Client::new(), &base).await);

    let sim = start(config(10)).await;
    let base = sim.base_url().to_owned();
    drop(sim);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!answers(&Client::new(), &base).await);
}

#[tokio::test]
async fn start_refuses_bad_configs_and_non_loopback_addresses() {
    let result = graph_sim::start(config(10), "0.0.0.0:0".parse().unwrap()).await;
    assert!(matches!(result, Err(SimError::NotLoopback(_))));
    let bad = SimConfig {
        error_rate: 0.7,
        throttle_rate: 0.7,
        ..config(10)
    };
    let result = graph_sim::start(bad, "127.0.0.1:0".parse().unwrap()).await;
    assert!(matches!(result, Err(SimError::InvalidConfig(_))));
}

#[test]
fn the_binary_prints_exactly_one_line_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_graph-sim"))
        .args(["--addr", "127.0.0.1:0", "--users", "20", "--today", TODAY])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn graph-sim");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let base = line
        .trim_end()
        .strip_prefix("graph-sim listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    let port: u16 = base
        .strip_prefix("http://127.0.0.1:")
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(port, 0);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    assert!(runtime.block_on(answers(&Client::new(), &base)));

    child.kill().unwrap();
    child.wait().unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "", "stdout must hold only the listening line");
}

#[test]
fn the_binary_documents_every_flag_and_rejects_bad_ones() {
    let help = Command::new(env!("CARGO_BIN_EXE_graph-sim"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for flag in [
        "--addr",
        "--seed",
        "--users",
        "--today",
        "--history-days",
        "--tenant-id",
        "--client-id",
        "--client-secret",
        "--client-certificate",
        "--token-ttl",
        "--page-size",
        "--latency-ms",
        "--throttle-rate",
        "--retry-after",
        "--error-rate",
        "--enforce-limits",
        "--to-semantics",
        graph_sim::DEFAULT_TENANT_ID,
        graph_sim::DEFAULT_CLIENT_ID,
        graph_sim::DEFAULT_CLIENT_SECRET,
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }

    for args in [
        &["--users", "many"][..],
        &["--throttle-rate", "1.5"],
        &["--addr", "0.0.0.0:0"],
        &["--client-certificate", "/nonexistent.pem"],
        &["--today", "2024-02-30"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_graph-sim"))
            .args(args)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{args:?} accepted");
        assert!(output.stdout.is_empty(), "{args:?} printed to stdout");
        assert!(!output.stderr.is_empty(), "{args:?} gave no reason");
    }
}
