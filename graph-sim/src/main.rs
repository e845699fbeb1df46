//! The `graph-sim` binary: prints `graph-sim listening on http://HOST:PORT` once it accepts
//! connections, logs to stderr, stops on Ctrl-C or SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use graph_sim::cli::Cli;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();

    let (config, addr) = match Cli::parse().into_config() {
        Ok(parsed) => parsed,
        Err(error) => {
            eprintln!("graph-sim: {error}");
            return ExitCode::from(2);
        }
    };
    let sim = match graph_sim::start(config, addr).await {
        Ok(sim) => sim,
        Err(error) => {
            eprintln!("graph-sim: {error}");
            return ExitCode::FAILURE;
        }
    };

    // The one line on stdout: whoever started us reads the address from it.
    let mut stdout = std::io::stdout().lock();
    if let Err(error) =
        writeln!(stdout, "graph-sim listening on {}", sim.base_url()).and_then(|()| stdout.flush())
    {
        tracing::warn!(%error, "could not print the listening address");
    }
    drop(stdout);

    shutdown_signal().await;
    tracing::info!("shutting down");
    sim.shutdown().await;
    ExitCode::SUCCESS
}

/// Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
