//! `pg-cluster [DATABASE]`: a throwaway cluster for tests written in another language (the
//! end-to-end suite). Starts one, creates DATABASE (default `portal`), prints its URL on a line
//! of its own, then reads commands from stdin, one per line: `stop` stops the server, `start`
//! starts it again (same port, same data), each answered with `ok` or `error: …`. When stdin
//! ends (the test closed it, or its process ended), the server is stopped and its folder
//! removed.
use std::io::{BufRead, Write};
use std::process::ExitCode;

use pg_cluster::PgCluster;

fn main() -> ExitCode {
    let name = std::env::args().nth(1).unwrap_or_else(|| "portal".into());
    let cluster = match PgCluster::start() {
        Ok(cluster) => cluster,
        Err(error) => {
            eprintln!("pg-cluster: {error}");
            return ExitCode::FAILURE;
        }
    };
    let url = match cluster.create_database(&name) {
        Ok(url) => url,
        Err(error) => {
            eprintln!("pg-cluster: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{url}");
    let _ = out.flush();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let done = match line.trim() {
            "stop" => cluster.stop(),
            "start" => cluster.restart(),
            "" => continue,
            other => Err(format!("unknown command {other:?} (stop, start)")),
        };
        let _ = match done {
            Ok(()) => writeln!(out, "ok"),
            Err(error) => writeln!(out, "error: {error}"),
        };
        let _ = out.flush();
    }
    drop(cluster);
    ExitCode::SUCCESS
}
