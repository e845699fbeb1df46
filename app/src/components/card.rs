//! One figure with its label, in a `<dl class="cards">`.
use leptos::prelude::*;

#[component]
pub fn Card(
    label: &'static str,
    value: String,
    #[prop(optional, into)] testid: Option<String>,
) -> impl IntoView {
    view! {
        <div class="card">
            <dt>{label}</dt>
            <dd data-testid=testid>{value}</dd>
        </div>
    }
}
