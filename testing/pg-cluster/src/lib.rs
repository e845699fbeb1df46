//! A throwaway PostgreSQL cluster for tests: `initdb` in a temporary folder, `pg_ctl start` on a
//! free loopback port (TCP on 127.0.0.1 only, its socket in the same folder), stopped and
//! removed when dropped. Never a server someone else started.
//!
//! The binaries are Debian's (`scripts/setup.sh test` installs the `postgresql` package):
//! `$PG_BIN` when set, else the newest `/usr/lib/postgresql/<version>/bin`. PostgreSQL refuses
//! to run as root, so as root the cluster runs as the `postgres` user the package creates
//! (through `runuser`), its folder handed to that user.
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// The cluster's superuser; connections from loopback need no password (`trust`).
pub const USER: &str = "portal";

/// A running cluster; stopped and its folder removed on drop.
#[derive(Debug)]
pub struct PgCluster {
    folder: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    /// `postgres` when the tests run as root.
    run_as: Option<String>,
}

impl PgCluster {
    /// Makes and starts a cluster; the error says which step failed and what it printed.
    pub fn start() -> Result<Self, String> {
        let bin = binaries()?;
        let folder = tempfile::Builder::new()
            .prefix("pg-cluster-")
            .tempdir()
            .map_err(|error| format!("a temporary folder for PostgreSQL: {error}"))?;
        let run_as = is_root().then(|| "postgres".to_string());
        if let Some(user) = &run_as {
            // The folder is created 0700 by tempfile; the server's user must own it.
            run(Command::new("chown").arg(user).arg(folder.path()), "chown")?;
        }
        let mut cluster = PgCluster {
            folder,
            bin,
            port: 0,
            run_as,
        };
        cluster.pg(
            "initdb",
            &[
                "-D",
                &cluster.data(),
                "-A",
                "trust",
                "-U",
                USER,
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )?;
        // A port free now; the start fails (and is tried again) if another process takes it
        // first.
        let mut last = String::new();
        for _ in 0..5 {
            cluster.port = free_port()?;
            match cluster.restart() {
                Ok(()) => return Ok(cluster),
                Err(error) => {
                    last = error;
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
        }
        Err(format!("PostgreSQL did not start: {last}"))
    }

    /// The port the cluster listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A URL for database `name` (`postgres` always exists).
    pub fn url(&self, name: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates database `name` and returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String, String> {
        self.pg(
            "createdb",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                USER,
                name,
            ],
        )?;
        Ok(self.url(name))
    }

    /// Stops the server at once (as a crash would); [`Self::restart`] starts it again.
    pub fn stop(&self) -> Result<(), String> {
        self.pg(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        )
        .map(drop)
    }

    /// Starts the (stopped) server on the cluster's port; the error holds the server's log.
    pub fn restart(&self) -> Result<(), String> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            self.port,
            self.folder.path().display()
        );
        let log = self.folder.path().join("server.log");
        self.pg(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-o",
                &options,
                "-l",
                &log.display().to_string(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        )
        .map(drop)
        .map_err(|error| {
            format!(
                "{error}\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            )
        })
    }

    fn data(&self) -> String {
        self.folder.path().join("data").display().to_string()
    }

    /// Runs one of the cluster's programs (as the server's user when root).
    fn pg(&self, program: &str, args: &[&str]) -> Result<Output, String> {
        let path = self.bin.join(program);
        let mut command = match &self.run_as {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(&path);
                command
            }
            None => Command::new(&path),
        };
        command.args(args).current_dir(self.folder.path());
        run(&mut command, program)
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if self.port != 0 {
            let _ = self.stop();
        }
    }
}

/// Debian's PostgreSQL programs: `$PG_BIN`, else the newest installed version's.
fn binaries() -> Result<PathBuf, String> {
    if let Some(bin) = std::env::var_os("PG_BIN") {
        return Ok(PathBuf::from(bin));
    }
    let root = Path::new("/usr/lib/postgresql");
    let newest = std::fs::read_dir(root)
        .ok()
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .max();
    newest.map(|(_, bin)| bin).ok_or_else(|| {
        "PostgreSQL is not installed: run `scripts/setup.sh test` (it installs Debian's postgresql package), or set PG_BIN to the folder with initdb and pg_ctl".into()
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.trim_ascii() == b"0")
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|error| format!("no free loopback port: {error}"))
}

fn run(command: &mut Command, name: &str) -> Result<Output, String> {
    let output = command
        .output()
        .map_err(|error| format!("{name} could not run: {error}"))?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(format!(
            "{name} failed ({}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_starts_takes_connections_and_is_gone_after() {
        let cluster = PgCluster::start().unwrap();
        let url = cluster.create_database("dialout").unwrap();
        assert!(url.ends_with("/dialout"), "{url}");
        let ready = Command::new(cluster.bin.join("pg_isready"))
            .args(["-h", "127.0.0.1", "-p", &cluster.port().to_string()])
            .output()
            .unwrap();
        assert!(ready.status.success(), "{ready:?}");
        let folder = cluster.folder.path().to_path_buf();
        let (port, is_ready) = (cluster.port(), cluster.bin.join("pg_isready"));
        cluster.stop().unwrap();
        cluster.restart().unwrap();
        drop(cluster);
        assert!(!folder.exists(), "removed");
        let gone = Command::new(is_ready)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .output();
        assert!(gone.is_ok_and(|output| !output.status.success()), "stopped");
    }
}
