//! One figure with its label, in a `<dl class="cards">`; its children are more `<dd>`s (how it
//! changed).
use leptos::prelude::*;

#[component]
pub fn Card(
    label: &'static str,
    value: String,
    #[prop(optional, into)] testid: Option<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="card">
            <dt>{label}</dt>
            <dd data-testid=testid>{value}</dd>
            {children.map(|children| children())}
        </div>
    }
}
