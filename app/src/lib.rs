//! The portal's pages, components and server functions, shared by the server (feature `ssr`)
//! and the browser (feature `hydrate`).
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod dashboard;
pub mod error;
pub mod html;
pub mod i18n;
pub mod layout;
pub mod model;
pub mod money;
pub mod query;
pub mod range;
#[cfg(feature = "ssr")]
pub mod report;
pub mod users;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::i18n::Msg;

/// The HTML document the server renders around the app. Its `lang` is the request's locale
/// (`?lang=`, else Accept-Language); the browser reads it back when it hydrates.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let locale = layout::request_locale();
    provide_context(locale);
    let today = layout::request_today();
    provide_context(today);
    view! {
        <!DOCTYPE html>
        <html lang=locale.tag() data-today=today.0.to_string()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // charming draws through the global `echarts`, served from our own site (no CDN).
                // Deferred scripts run in document order, so it is ready before hydration.
                <script src="/echarts.min.js" defer></script>
                // In a frame, tells the framing page the page's height (docs/embedding.md).
                <script src="/embed-height.js" defer></script>
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let today = use_context::<layout::ServerDate>().unwrap_or_else(layout::request_today);
    provide_context(today);
    view! {
        <Stylesheet id="leptos" href="/pkg/dialout-portal.css" />
        <Router>
            <layout::Layout>
                <Routes fallback=|| {
                    view! { <p class="notice">{i18n::use_locale().t(Msg::NotFound)}</p> }
                }>
                    // Async: the HTML arrives complete, every figure in it, before any script.
                    <Route
                        path=StaticSegment("")
                        view=dashboard::DashboardPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("users"), ParamSegment("id"))
                        view=users::UserDetailPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </layout::Layout>
        </Router>
    }
}
