//! A GET form whose fields become the URL: without WASM the browser submits it; once hydrated it
//! navigates inside the app, keeping the scroll position.
//!
//! Written here rather than with leptos_router's `Form`, which adds the submit button to the
//! query as an empty `=` pair; this one also leaves empty fields out of the URL.
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{FormData, HtmlFormElement, UrlSearchParams};
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;

#[component]
pub fn GetForm(action: &'static str, children: Children) -> impl IntoView {
    let navigate = use_navigate();
    let submit = move |event: SubmitEvent| {
        let Some(form) = event
            .target()
            .and_then(|target| target.dyn_into::<HtmlFormElement>().ok())
        else {
            return; // not a form: let the browser do what it does
        };
        let Some(query) = FormData::new_with_form(&form)
            .and_then(|data| UrlSearchParams::new_with_str_sequence_sequence(&data))
            .ok()
            .map(|params| String::from(params.to_string()))
        else {
            return;
        };
        event.prevent_default();
        let query = non_empty_pairs(&query);
        let href = if query.is_empty() {
            action.to_string()
        } else {
            format!("{action}?{query}")
        };
        navigate(
            &href,
            NavigateOptions {
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    };
    view! {
        <form method="GET" action=action on:submit=submit>
            {children()}
        </form>
    }
}

/// `a=1&b=&c=3` → `a=1&c=3`: an empty field says "not set".
fn non_empty_pairs(query: &str) -> String {
    query
        .split('&')
        .filter(|pair| matches!(pair.split_once('='), Some((name, value)) if !name.is_empty() && !value.is_empty()))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::non_empty_pairs;

    #[test]
    fn leaves_out_empty_fields() {
        assert_eq!(
            non_empty_pairs("from=2026-01-01&to=&=&q=a+b"),
            "from=2026-01-01&q=a+b"
        );
        assert_eq!(non_empty_pairs(""), "");
    }
}
