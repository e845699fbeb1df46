//! The frame around every page: language, theme (`?theme=light|dark`, else the browser's
//! preference) and embed mode (`?embed=1`: no navigation chrome, the page fits the iframe).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use chrono::NaiveDate;

use crate::error::AppError;
use crate::i18n::{Locale, Msg};
use crate::model::{PortalInfo, SignedInUser};
use crate::query::{PageQuery, use_page_query};

/// The locale of this request: `?lang=`, else the Accept-Language header (server side).
#[cfg(feature = "ssr")]
pub fn request_locale() -> Locale {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Locale::default();
    };
    let accept_language = parts
        .headers
        .get(http::header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok());
    Locale::negotiate(parts.uri.query(), accept_language)
}

/// The server's UTC date for this request (the simulator's in demo mode): the range presets
/// and the range check count from it. Rendered into `<html data-today>`. A page keeps the date
/// it was rendered with until it is loaded again (across UTC midnight too).
#[cfg(feature = "ssr")]
pub fn request_today() -> ServerDate {
    ServerDate(crate::report::service().map_or_else(
        |_| chrono::Utc::now().date_naive(),
        |service| service.today(),
    ))
}

/// In the browser the server's date is read back from `<html data-today>`, so the page works
/// out the same range the server did, and does so at once, without asking the server again.
#[cfg(not(feature = "ssr"))]
pub fn request_today() -> ServerDate {
    let written = document()
        .document_element()
        .and_then(|html| html.get_attribute("data-today"));
    let today = written.as_deref().and_then(crate::range::parse_day);
    ServerDate(today.unwrap_or_else(|| {
        // Only a page the server did not render gets here: the browser's own UTC date is the
        // best guess left.
        leptos::logging::warn!("no <html data-today>: using the browser's UTC date");
        let now = leptos::web_sys::js_sys::Date::new_0();
        NaiveDate::from_ymd_opt(
            now.get_utc_full_year() as i32,
            now.get_utc_month() + 1,
            now.get_utc_date(),
        )
        .unwrap_or_default()
    }))
}

/// The server's date, as the page was rendered: provided once per page in the context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerDate(pub NaiveDate);

/// The server's date of the page being shown.
pub fn use_today() -> NaiveDate {
    use_context::<ServerDate>().unwrap_or_else(request_today).0
}

/// In the browser the server's choice is read back from `<html lang>`, so hydration matches.
#[cfg(not(feature = "ssr"))]
pub fn request_locale() -> Locale {
    document()
        .document_element()
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|lang| Locale::parse(&lang))
        .unwrap_or_default()
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let locale = use_context::<Locale>().unwrap_or_else(request_locale);
    provide_context(locale);
    let query = use_query_map().with_untracked(PageQuery::from_params);
    let embed = query.is_embedded();
    // Once per page, for the banner and the user menu.
    let info = Resource::new(|| (), |_| crate::api::get_portal_info());
    let theme = query
        .sticky_value("theme")
        .filter(|theme| matches!(*theme, "light" | "dark"))
        .map(str::to_string);
    #[cfg(feature = "hydrate")]
    {
        let _listener = window_event_listener(leptos::ev::resize, |_| {
            crate::components::echarts::resize_all()
        });
    }
    view! {
        <Title text=format!("{} · Dialout Portal", locale.t(Msg::Title)) />
        <div class="app" class:embed=embed data-theme=theme>
            <a class="skip-link" href="#content">
                {locale.t(Msg::SkipToContent)}
            </a>
            {(!embed).then(|| view! { <TopBar locale info /> })}
            <DemoBanner locale info />
            <main id="content" class="page" tabindex="-1">
                {children()}
            </main>
        </div>
    }
}

/// Says so, on every page, when the figures are the embedded simulator's made-up data.
#[component]
fn DemoBanner(locale: Locale, info: Resource<Result<PortalInfo, AppError>>) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                info.await
                    .ok()
                    .filter(|info| info.demo)
                    .map(|_| {
                        view! {
                            <p class="demo-banner" role="note" data-testid="demo-banner">
                                <strong>{locale.t(Msg::DemoData)}</strong>
                                " "
                                {locale.t(Msg::DemoNote)}
                            </p>
                        }
                    })
            })}
        </Suspense>
    }
}

#[component]
fn TopBar(locale: Locale, info: Resource<Result<PortalInfo, AppError>>) -> impl IntoView {
    let query = use_page_query();
    let home = move || query.with(|q| q.sticky_only().href("/"));
    // Switching language reloads the page (rel=external) so the server renders it anew.
    let languages = Locale::ALL
        .into_iter()
        .map(|other| {
            let href = move || {
                let mut same = query.get();
                same.sticky.retain(|(key, _)| key != "lang");
                same.sticky.push(("lang".into(), other.tag().into()));
                format!("?{}", same.to_query())
            };
            let current = (other == locale).then_some("true");
            view! {
                <li>
                    <a href=href rel="external" hreflang=other.tag() lang=other.tag() aria-current=current>
                        {other.name()}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <header class="topbar">
            <a class="brand" href=home>
                "Dialout Portal"
            </a>
            <nav aria-label=locale.t(Msg::Language)>
                <ul class="languages">{languages}</ul>
            </nav>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let user = info.await.ok()?.user?;
                    Some(view! { <UserMenu locale user /> })
                })}
            </Suspense>
        </header>
    }
}

/// Who is signed in, and the way out (a plain POST form: the server ends the session).
#[component]
fn UserMenu(locale: Locale, user: SignedInUser) -> impl IntoView {
    view! {
        <div class="user-menu">
            <span data-testid="signed-in-user">{user.name}</span>
            {user
                .can_sign_out
                .then(|| {
                    view! {
                        <form method="post" action="/auth/logout">
                            <button type="submit" class="link-button">
                                {locale.t(Msg::SignOut)}
                            </button>
                        </form>
                    }
                })}
        </div>
    }
}
