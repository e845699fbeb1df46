//! The users table's search and filters: a GET form, so it works before WASM loads and the
//! filters land in the URL (bookmarkable; the drill-down's way back keeps them).
use leptos::prelude::*;

use crate::components::GetForm;
use crate::i18n::{Locale, Msg, use_locale};
use crate::model::{ALL_CURRENCIES, UserFilters};
use crate::query::PageQuery;

#[component]
pub fn FilterForm(
    query: PageQuery,
    currencies: Vec<String>,
    /// The currency the table shows (`None`: every currency).
    shown_currency: Option<String>,
    locations: Vec<String>,
    /// The organisation filter's `<option>`s, written on the server (none before the
    /// directory's first read).
    org_options: String,
) -> impl IntoView {
    let locale = use_locale();
    // The range, sort and display settings ride along; the page starts again at 1.
    let kept = PageQuery {
        filters: UserFilters {
            sort: query.filters.sort,
            descending: query.filters.descending,
            ..UserFilters::default()
        },
        ..query.clone()
    };
    let hidden = kept
        .to_query()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| {
            let value = decode(value);
            view! { <input type="hidden" name=name.to_string() value=value /> }
        })
        .collect_view();
    let remember_apply = super::table::FocusAfterLoad::remember("apply");
    let remember_clear = super::table::FocusAfterLoad::remember("clear");
    let destinations = vec!["Domestic".to_string(), "International".to_string()];
    view! {
        <GetForm action="/">
            <div class="filters">
                {hidden}
                <div class="field search">
                    <label for="filter-q">{locale.t(Msg::Search)}</label>
                    <input
                        id="filter-q"
                        type="search"
                        name="q"
                        value=query.filters.search.clone().unwrap_or_default()
                        prop:value=query.filters.search.clone().unwrap_or_default()
                    />
                </div>
                <Choice
                    locale
                    name="currency"
                    label=Msg::Currency
                    options=currencies
                    selected=Some(shown_currency.unwrap_or_else(|| ALL_CURRENCIES.into()))
                    all=ALL_CURRENCIES
                    translate=false
                />
                <Choice
                    locale
                    name="destination"
                    label=Msg::Destination
                    options=destinations
                    selected=query.filters.destination.clone()
                    all=""
                    translate=true
                />
                <Choice
                    locale
                    name="location"
                    label=Msg::Location
                    options=locations
                    selected=query.filters.location.clone()
                    all=""
                    translate=false
                />
                {(!org_options.is_empty())
                    .then(|| {
                        view! {
                            <div class="field">
                                <label for="filter-org">{locale.t(Msg::Organisation)}</label>
                                <select id="filter-org" name="org" inner_html=org_options></select>
                            </div>
                        }
                    })}
                <div class="filter-actions">
                    <button type="submit" class="primary" data-focus-key="apply" on:click=remember_apply>
                        {locale.t(Msg::ApplyFilters)}
                    </button>
                    <a class="button" href=kept.href("/") data-noscroll="" data-focus-key="clear" on:click=remember_clear>
                        {locale.t(Msg::Clear)}
                    </a>
                </div>
            </div>
        </GetForm>
    }
}

#[component]
fn Choice(
    locale: Locale,
    name: &'static str,
    label: Msg,
    options: Vec<String>,
    selected: Option<String>,
    /// The value of the "All" choice.
    all: &'static str,
    translate: bool,
) -> impl IntoView {
    let options = options
        .into_iter()
        .map(|option| {
            let text = if translate {
                locale.destination(&option)
            } else {
                option.clone()
            };
            let is_selected = selected.as_deref() == Some(option.as_str());
            view! {
                <option value=option selected=is_selected>
                    {text}
                </option>
            }
        })
        .collect_view();
    let id = format!("filter-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{locale.t(label)}</label>
            <select id=id name=name prop:value=selected.clone().unwrap_or_default()>
                <option value=all>{locale.t(Msg::All)}</option>
                {options}
            </select>
        </div>
    }
}

/// Undoes `query::encode` for a hidden field's value.
fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[index], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                index += 3;
            }
            (byte, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
