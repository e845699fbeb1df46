//! The static assets: the WASM, its JavaScript and the stylesheet under `/pkg/`, ECharts and
//! the icon. They hold no report data, so they are open to everyone and may be cached. Each is
//! served by its own route: a miss is a plain 404, never the app's page (which would render
//! the report for whoever asked, the access guard having let the asset path through).
use std::path::Path;

use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};

/// The files at the site root (`public/`, copied there by cargo-leptos).
const ROOT_FILES: [&str; 3] = ["/echarts.min.js", "/embed-height.js", "/favicon.svg"];
/// The folder cargo-leptos builds into (`site-pkg-dir`).
const PKG_PREFIX: &str = "/pkg/";

/// Whether `path` names a static asset (the same paths [`routes`] serves).
pub fn is_asset(path: &str) -> bool {
    path.starts_with(PKG_PREFIX) || ROOT_FILES.contains(&path)
}

/// The routes of the static assets, from the site root `site_root` (`LEPTOS_SITE_ROOT`).
pub fn routes<S: Clone + Send + Sync + 'static>(site_root: &str, pkg_dir: &str) -> Router<S> {
    let root = Path::new(site_root);
    let router = Router::new().nest_service(
        PKG_PREFIX.trim_end_matches('/'),
        ServeDir::new(root.join(pkg_dir)),
    );
    ROOT_FILES
        .into_iter()
        .fold(router, |router, file| {
            router.route_service(
                file,
                ServeFile::new(root.join(file.trim_start_matches('/'))),
            )
        })
        // Brotli for the files a browser keeps (the WASM: ~330 KB against ~400 KB gzipped);
        // the app's own layer then leaves an encoded answer as it is.
        .layer(CompressionLayer::new())
}
