//! `dialout-portal fetch`: the merged report for a range, as CSV or JSON, for scripts and
//! benchmarks. Same configuration and client as the portal; progress on stderr.
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use app::model::DateRange;
use clap::Args;
use graph_client::FetchProgress;
use graph_client::export::{ExportFormat, export_to_file, write_rows};
use indicatif::{ProgressBar, ProgressStyle};

use crate::graph::GraphConnection;

#[derive(Args, Debug)]
pub struct FetchArgs {
    /// First day of the range (UTC, inclusive), YYYY-MM-DD.
    #[arg(long)]
    from: String,
    /// Last day of the range (UTC, inclusive), YYYY-MM-DD; not after today, and at most 731
    /// days from the first (the portal's rule): the client splits it into Graph windows of at
    /// most 90 days.
    #[arg(long)]
    to: String,
    /// `csv` (Graph's property names as the header) or `json` (an array of objects).
    #[arg(long, default_value_t = ExportFormat::Csv)]
    format: ExportFormat,
    /// Write here (atomically: a failed fetch leaves no file) instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
}

pub async fn run(args: FetchArgs) -> Result<(), String> {
    // As typed: spaces around a date are not part of it.
    let day = |name: &str, text: &str| {
        crate::config::parse_day(text.trim()).map_err(|problem| format!("--{name}: {problem}"))
    };
    let asked = DateRange {
        from: day("from", &args.from)?,
        to: day("to", &args.to)?,
    };
    let connection = GraphConnection::from_env().await?;
    let range = match app::report::check_range(asked, (connection.today)()) {
        Ok(range) => range,
        Err(problem) => {
            connection.shutdown().await;
            return Err(problem.to_string());
        }
    };
    let reporter = ProgressReporter::new();
    let result = connection
        .client
        .fetch_report(range, |progress| reporter.show(progress))
        .await;
    reporter.finish();
    connection.shutdown().await;
    // The error's own text already ends with its fix hint, where there is one.
    let report = result.map_err(|error| error.to_string())?;
    if report.stats.rows_missing_key + report.stats.rows_missing_totals > 0 {
        eprintln!(
            "note: Graph sent {} rows with a null key field and {} with a null total; they are kept as sent",
            report.stats.rows_missing_key, report.stats.rows_missing_totals
        );
    }
    if report.repeats.rows > 0 {
        eprintln!(
            "note: Graph repeated {} rows across the pages of a window ({} with different totals); each was kept once: {}",
            report.repeats.rows,
            report.repeats.conflicting,
            report.repeats.named()
        );
    }
    match &args.output {
        Some(path) => export_to_file(&report.rows, args.format, path),
        None => write_rows(&report.rows, args.format, std::io::stdout().lock()),
    }
    .map_err(|error| error.to_string())?;
    eprintln!(
        "fetched {} rows ({} pages, {} windows) for {range}",
        report.rows.len(),
        report.pages,
        report.windows
    );
    Ok(())
}

/// A progress bar on a terminal; otherwise a plain line at most every two seconds.
struct ProgressReporter {
    bar: Option<ProgressBar>,
    last_line: Mutex<Option<Instant>>,
}

impl ProgressReporter {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            if let Ok(style) =
                ProgressStyle::with_template("{spinner} windows {pos}/{len} · {msg} · {elapsed}")
            {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self {
            bar,
            last_line: Mutex::new(None),
        }
    }

    fn show(&self, progress: FetchProgress) {
        let message = format!(
            "{} pages, {} rows, {} retries",
            progress.pages, progress.rows, progress.retries
        );
        if let Some(bar) = &self.bar {
            bar.set_length(progress.windows_total as u64);
            bar.set_position(progress.windows_done as u64);
            bar.set_message(message);
            return;
        }
        let mut last = self
            .last_line
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let due = last.is_none_or(|at| at.elapsed() >= Duration::from_secs(2));
        if due || progress.windows_done == progress.windows_total {
            *last = Some(Instant::now());
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(
                stderr,
                "fetching: windows {}/{}, {message}",
                progress.windows_done, progress.windows_total
            );
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
