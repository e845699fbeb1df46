//! The kept history for one Graph connection: the store opened (created and migrated), the
//! days in memory in front of it, and the sync job started beside the server.
use std::sync::Arc;

use report_store::{History, Store};

use crate::config::{DEFAULT_DATABASE_PATH, StoreSettings};
use crate::graph::{GraphConnection, Mode};

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
                let folder = tempfile::Builder::new()
                    .prefix("dialout-portal-demo-")
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
