//! `dialout-portal`: serves the portal (the default) or fetches the report to a file.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use dialout_portal::PortalConfig;
use dialout_portal::fetch::FetchArgs;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "dialout-portal",
    version,
    about = "Teams dial-out spend, from Microsoft Graph"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal on LEPTOS_SITE_ADDR (default 127.0.0.1:3000). With no Graph credentials
    /// configured it runs on the embedded simulator (demo mode).
    Serve(ServeArgs),
    /// Fetch the merged report for a range and write it as CSV or JSON (straight from Graph:
    /// the store is not read or written).
    Fetch(FetchArgs),
    /// Check the Graph configuration step by step (token, report permission, how Graph reads
    /// toDateTime), printing what passed and how to fix what failed; non-zero when a step failed.
    Doctor,
    /// Sync the report store from Graph (PORTAL_DATABASE_URL), as the server does in the
    /// background: with `--once`, one sync, then exit (for cron-style use and tests).
    Sync(SyncArgs),
    /// The report store itself.
    #[command(subcommand)]
    Store(StoreCommand),
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Copy a store into another (an SQLite file into PostgreSQL, say): every day as stored,
    /// the directory and the store's notes; then every day's totals are compared in both.
    /// Resumable: days already copied are kept. Stop the portal first (PostgreSQL admits one
    /// instance at a time).
    Copy {
        /// The store to copy: sqlite://PATH, a plain path, or postgres://…
        #[arg(long, value_name = "URL")]
        from: String,
        /// The store to copy into (created and migrated when empty): postgres://… or a path.
        #[arg(long, value_name = "URL")]
        to: String,
    },
}

#[derive(Args)]
struct SyncArgs {
    /// Run one sync and exit (non-zero when it stopped on an error).
    #[arg(long)]
    once: bool,
    /// A TOML file of settings, as for `serve`.
    #[arg(long, value_name = "FILE", env = "PORTAL_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(Args)]
struct ServeArgs {
    /// A TOML file of settings (keys are the environment variables' names; the environment
    /// overrides it). See docs/configuration.md.
    #[arg(long, value_name = "FILE", env = "PORTAL_CONFIG")]
    config: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // `fetch` shows its own progress: there, only warnings and errors are logged.
    let default_level = match cli.command {
        Some(Command::Fetch(_) | Command::Doctor) => "warn",
        _ => "info",
    };
    dialout_portal::init_logging(default_level);
    let command = cli.command.unwrap_or_else(|| {
        // No subcommand: serve, with the file PORTAL_CONFIG names, if any.
        Command::Serve(ServeArgs {
            config: std::env::var_os("PORTAL_CONFIG").map(PathBuf::from),
        })
    });
    let result = match command {
        Command::Serve(args) => match PortalConfig::load(args.config.as_deref()) {
            Ok(config) => dialout_portal::serve(config).await,
            Err(error) => Err(format!("configuration: {error}")),
        },
        Command::Fetch(args) => dialout_portal::fetch::run(args).await,
        Command::Doctor => dialout_portal::doctor::run().await,
        Command::Store(StoreCommand::Copy { from, to }) => {
            dialout_portal::store_copy::run(&from, &to).await
        }
        Command::Sync(args) => match dialout_portal::config::sync_config(args.config.as_deref()) {
            Ok((graph, store)) => dialout_portal::sync(graph, store, args.once).await,
            Err(error) => Err(format!("configuration: {error}")),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("dialout-portal: {error}");
            ExitCode::FAILURE
        }
    }
}
