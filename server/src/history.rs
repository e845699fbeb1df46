//! The kept history for one Graph connection: the store opened (created and migrated), the
//! days in memory in front of it, and the sync job started beside the server.
use std::sync::Arc;

use report_store::{History, Store};

use crate::config::{DEFAULT_DATABASE_PATH, StoreSettings};
use crate::graph::{GraphConnection, Mode};

/// Demo stores' temporary folders: `dialout-portal-demo-<pid>-<random>`.
const DEMO_FOLDER_PREFIX: &str = "dialout-portal-demo-";

/// Removes the demo store folders of processes that are gone: a demo server stopped without
/// its clean exit (killed by a test runner, a crash) leaves its folder behind, and many runs
/// fill a disk. Only folders whose process no longer exists are touched (Linux's `/proc`; where
/// there is none, nothing is removed).
fn sweep_stale_demo_folders(temp: &std::path::Path) {
    let proc_root = std::path::Path::new("/proc");
    if !proc_root.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(temp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let pid = name
            .to_str()
            .and_then(|name| name.strip_prefix(DEMO_FOLDER_PREFIX))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok());
        let Some(pid) = pid else { continue };
        if pid != std::process::id() && !proc_root.join(pid.to_string()).exists() {
            match std::fs::remove_dir_all(entry.path()) {
                Ok(()) => {
                    tracing::info!(folder = %entry.path().display(), "removed a stopped demo's store")
                }
                Err(error) => {
                    tracing::warn!(folder = %entry.path().display(), %error, "could not remove a stopped demo's store")
                }
            }
        }
    }
}

/// The history and, in demo mode without `PORTAL_DATABASE_URL`, the temporary folder its store
/// lives in (removed when this is dropped).
pub struct OpenHistory {
    pub history: History,
    _folder: Option<tempfile::TempDir>,
}

impl OpenHistory {
    /// Opens the store the settings name for `connection`'s Graph. Demo mode with no
    /// `PORTAL_DATABASE_URL` keeps its made-up history in a temporary folder.
    pub async fn open(
        connection: &GraphConnection,
        settings: &StoreSettings,
    ) -> Result<Self, String> {
        let (url, folder) = match (&settings.database_url, connection.mode) {
            (Some(url), _) => (url.clone(), None),
            (None, Mode::Graph) => (DEFAULT_DATABASE_PATH.to_string(), None),
            (None, Mode::Demo) => {
                sweep_stale_demo_folders(&std::env::temp_dir());
                let folder = tempfile::Builder::new()
                    .prefix(&format!("{DEMO_FOLDER_PREFIX}{}-", std::process::id()))
                    .tempdir()
                    .map_err(|error| {
                        format!("cannot make a temporary folder for the demo's store: {error}")
                    })?;
                let path = folder.path().join("demo.sqlite");
                (path.display().to_string(), Some(folder))
            }
        };
        let store = Store::open(&url, &connection.source)
            .await
            .map_err(|error| error.to_string())?;
        tracing::info!(
            store = store.location(),
            days = store.days().len(),
            "report store open"
        );
        let history = History::new(
            store,
            Arc::clone(&connection.client),
            settings.sync.clone(),
            Arc::clone(&connection.today),
        );
        Ok(Self {
            history,
            _folder: folder,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_only_the_folders_of_processes_that_are_gone() {
        let temp = tempfile::tempdir().unwrap();
        let folder = |name: &str| {
            let path = temp.path().join(name);
            std::fs::create_dir(&path).unwrap();
            std::fs::write(path.join("demo.sqlite"), b"x").unwrap();
            path
        };
        // Beyond Linux's largest pid (2^22): no such process.
        let gone = folder("dialout-portal-demo-4194305-abc");
        let mine = folder(&format!("dialout-portal-demo-{}-def", std::process::id()));
        let init = folder("dialout-portal-demo-1-ghi");
        let other = folder("dialout-portal-demo-xyz");
        let unrelated = folder("something-else-4194305-abc");
        sweep_stale_demo_folders(temp.path());
        assert!(!gone.exists());
        for kept in [mine, init, other, unrelated] {
            assert!(kept.exists(), "{}", kept.display());
        }
    }
}
