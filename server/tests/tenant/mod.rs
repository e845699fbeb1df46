//! The real `dialout-portal` binary run as an operator would for a tenant whose identity
//! platform and Graph are a simulator: only the tenant's settings in the environment.
use std::process::Stdio;

use graph_sim::{RunningSim, SimConfig};

/// `dialout-portal {args}` with `config`'s tenant and app, `secret` as the app's secret, and
/// `sim` as authority and Graph; add settings with `.env`.
pub fn command(
    sim: &RunningSim,
    config: &SimConfig,
    secret: &str,
    args: &[&str],
) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_dialout-portal"));
    command
        .args(args)
        .env_clear()
        .env("AZURE_TENANT_ID", &config.tenant_id)
        .env("AZURE_CLIENT_ID", &config.client_id)
        .env("AZURE_CLIENT_SECRET", secret)
        .env("AZURE_AUTHORITY_HOST", sim.base_url())
        .env("GRAPH_ENDPOINT", sim.base_url())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    command
}
