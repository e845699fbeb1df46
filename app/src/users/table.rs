//! The users table: search, filters, sort by any figure column and paging, all done by the
//! server (search_users); a row opens the user's drill-down.
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::api::search_users;
use super::filters::FilterForm;
use super::links::{user_href, user_label};
use crate::components::ErrorNotice;
use crate::i18n::{Locale, Msg, use_locale};
use crate::model::{DateRange, UserPage, UserSort, UserSpend};
use crate::money::format_money_in;
use crate::query::{PageError, PageQuery, use_page_query};
use crate::range::RangeError;

/// The users of the page's `range` with the URL's search, filters, sort and page; `version`
/// bumps load it again. The server fetches a range once however many ask at once, so this
/// loads beside the page's other figures.
#[component]
pub fn UsersTable(
    version: RwSignal<u32>,
    #[prop(into)] range: Signal<Result<DateRange, RangeError>>,
) -> impl IntoView {
    let locale = use_locale();
    let query = use_page_query();
    provide_context(FocusAfterLoad(RwSignal::new(None)));
    let page = Resource::new(
        move || (range.get(), query.get(), version.get()),
        move |(range, query, _)| async move {
            let range = range.map_err(PageError::Range)?;
            search_users(query.user_query(range), Some(locale))
                .await
                .map_err(PageError::from)
        },
    );
    // A period the page cannot show gets its message once, above: no empty card here.
    view! {
        <Show when=move || range.with(Result::is_ok)>
            <section class="users" aria-labelledby="users-heading" data-testid="users">
                <h2 id="users-heading">{locale.t(Msg::Users)}</h2>
                <Transition fallback=move || {
                    view! { <p class="notice">{locale.t(Msg::Loading)}</p> }
                }>
                    {move || Suspend::new(async move {
                        let query = query.get_untracked();
                        match page.await {
                            Ok(page) => view! { <UsersBody query page /> }.into_any(),
                            Err(PageError::Range(_)) => ().into_any(),
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </Show>
    }
}

/// The control (its `data-focus-key`) that asked for the page being loaded: the table is drawn
/// again when it comes, and focus goes back to the same control in the new one, not to the
/// top of the document.
#[derive(Clone, Copy)]
pub(super) struct FocusAfterLoad(RwSignal<Option<&'static str>>);

impl FocusAfterLoad {
    /// An `on:click` that remembers `key` (the links also keep the scroll: `data-noscroll`).
    pub(super) fn remember(key: &'static str) -> impl Fn(leptos::ev::MouseEvent) + Clone {
        let focus = use_context::<FocusAfterLoad>();
        move |_| {
            if let Some(focus) = focus {
                focus.0.set(Some(key));
            }
        }
    }
}

/// Focuses the control remembered in [`FocusAfterLoad`] inside `body` once it is on the page
/// (a transition builds the new table before it replaces the old one, which has the same keys).
#[cfg(feature = "hydrate")]
fn restore_focus(body: leptos::web_sys::Element, focus: FocusAfterLoad, frames: u32) {
    use leptos::wasm_bindgen::JsCast;
    let Some(key) = focus.0.get_untracked() else {
        return;
    };
    if !body.is_connected() {
        if frames > 0 {
            request_animation_frame(move || restore_focus(body, focus, frames - 1));
        }
        return;
    }
    focus.0.set(None);
    let control = body
        .query_selector(&format!("[data-focus-key=\"{key}\"]"))
        .ok()
        .flatten()
        .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlElement>().ok());
    if let Some(control) = control {
        let _ = control.focus();
    }
}

#[component]
fn UsersBody(query: PageQuery, page: UserPage) -> impl IntoView {
    let locale = use_locale();
    let body = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    if let Some(focus) = use_context::<FocusAfterLoad>() {
        Effect::new(move |_| {
            if let Some(element) = body.get() {
                restore_focus(element.into(), focus, 120);
            }
        });
    }
    let pages = page
        .total_rows
        .div_ceil(u64::from(page.page_size.max(1)))
        .max(1);
    let rows = page
        .rows
        .iter()
        .map(|user| view! { <UserRow locale user=user.clone() query=query.clone() /> })
        .collect_view();
    let empty = page.rows.is_empty();
    view! {
        <div node_ref=body class="users-body">
        <FilterForm
            query=query.clone()
            currencies=page.currencies.clone()
            shown_currency=page.currency.clone()
            locations=page.locations.clone()
            org_options=page.org_options.clone()
        />
        <p class="notice" role="status" data-testid="users-count">
            {locale.users_found(page.total_rows)}
        </p>
        {empty.then(|| view! { <p class="notice">{locale.t(Msg::NoUsers)}</p> })}
        <div class="table-scroll" tabindex="0" role="region" aria-labelledby="users-heading">
            <table class="users-table" data-testid="users-table">
                <caption class="visually-hidden">{locale.t(Msg::Users)}</caption>
                <thead>
                    <tr>
                        <SortHeader locale query=query.clone() sort=UserSort::Name label=Msg::Name />
                        <SortHeader locale query=query.clone() sort=UserSort::Upn label=Msg::Upn />
                        <SortHeader
                            locale
                            query=query.clone()
                            sort=UserSort::Currency
                            label=Msg::Currency
                        />
                        <SortHeader
                            locale
                            query=query.clone()
                            sort=UserSort::Location
                            label=Msg::Location
                        />
                        <SortHeader locale query=query.clone() sort=UserSort::Calls label=Msg::Calls />
                        <SortHeader
                            locale
                            query=query.clone()
                            sort=UserSort::Minutes
                            label=Msg::Minutes
                        />
                        <SortHeader
                            locale
                            query=query.clone()
                            sort=UserSort::Charge
                            label=Msg::Charge
                        />
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager locale query page=page.page pages />
        </div>
    }
}

/// A sort link's `data-focus-key`.
fn sort_key(sort: UserSort) -> &'static str {
    match sort {
        UserSort::Name => "sort-name",
        UserSort::Upn => "sort-upn",
        UserSort::Currency => "sort-currency",
        UserSort::Location => "sort-location",
        UserSort::Calls => "sort-calls",
        UserSort::Minutes => "sort-minutes",
        UserSort::Charge => "sort-charge",
    }
}

#[component]
fn SortHeader(locale: Locale, query: PageQuery, sort: UserSort, label: Msg) -> impl IntoView {
    let numeric = sort.is_figure();
    let active = query.filters.sort == sort;
    let aria_sort = if !active {
        "none"
    } else if query.filters.descending {
        "descending"
    } else {
        "ascending"
    };
    let arrow = match (active, query.filters.descending) {
        (false, _) => "",
        (true, true) => " ▼",
        (true, false) => " ▲",
    };
    view! {
        <th scope="col" aria-sort=aria_sort class:num=numeric>
            <a
                href=query.with_sort(sort).href("/")
                class="sort"
                data-noscroll=""
                data-focus-key=sort_key(sort)
                on:click=FocusAfterLoad::remember(sort_key(sort))
            >
                {locale.t(label)}
                <span aria-hidden="true">{arrow}</span>
            </a>
        </th>
    }
}

#[component]
fn UserRow(locale: Locale, user: UserSpend, query: PageQuery) -> impl IntoView {
    let href = user_href(&query, &user.user_id);
    let navigate = use_navigate();
    let target = href.clone();
    // The name is the link (keyboard, screen readers); a click anywhere else on the row opens
    // the user too.
    let open = move |event: leptos::ev::MouseEvent| {
        use leptos::wasm_bindgen::JsCast;
        let on_link = event
            .target()
            .and_then(|target| target.dyn_into::<leptos::web_sys::Element>().ok())
            .and_then(|element| element.closest("a").ok().flatten())
            .is_some();
        if !on_link {
            navigate(&target, Default::default());
        }
    };
    let currency = user.currency.clone();
    view! {
        <tr class="clickable" on:click=open>
            <th scope="row">
                <a href=href>{user_label(locale, &user)}</a>
            </th>
            <td>{user.user_principal_name.clone().unwrap_or_default()}</td>
            <td>{currency.clone()}</td>
            <td>{user.locations.join(", ")}</td>
            <td class="num">{locale.format_count(user.totals.calls)}</td>
            <td class="num">{locale.format_count(user.totals.minutes())}</td>
            <td class="num">{format_money_in(user.totals.charge, &currency, locale)}</td>
        </tr>
    }
}

#[component]
fn Pager(locale: Locale, query: PageQuery, page: u32, pages: u64) -> impl IntoView {
    // The way past the last page is a disabled control that can still hold the focus.
    let link = |target: Option<u32>, label: Msg, rel: &'static str| match target {
        Some(target) => view! {
            <a
                class="button"
                href=query.with_page(target).href("/")
                rel=rel
                data-noscroll=""
                data-focus-key=rel
                on:click=FocusAfterLoad::remember(rel)
            >
                {locale.t(label)}
            </a>
        }
        .into_any(),
        None => view! {
            <span class="button" aria-disabled="true" tabindex="-1" data-focus-key=rel>
                {locale.t(label)}
            </span>
        }
        .into_any(),
    };
    let previous = link(page.checked_sub(1), Msg::Previous, "prev");
    let next = link(
        (u64::from(page) + 1 < pages).then_some(page + 1),
        Msg::Next,
        "next",
    );
    view! {
        <nav class="pager" aria-label=locale.t(Msg::Pages)>
            {previous}
            <span data-testid="page-of">{locale.page_of(u64::from(page) + 1, pages)}</span>
            {next}
        </nav>
    }
}
