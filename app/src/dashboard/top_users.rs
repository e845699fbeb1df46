//! The ten users with the highest charge in one currency; each row opens the user.
use leptos::prelude::*;

use crate::components::{ChartFigure, ChartKind, ChartSpec, TotalsRow, TotalsTable};
use crate::i18n::{Msg, use_locale};
use crate::model::UserSpend;
use crate::query::PageQuery;
use crate::users::{user_href, user_label};

#[component]
pub fn TopUsersFigure(
    chart_id: String,
    currency: String,
    users: Vec<UserSpend>,
    query: PageQuery,
) -> impl IntoView {
    let locale = use_locale();
    let title = locale.t(Msg::TopUsers).to_string();
    let spec = users.iter().fold(
        ChartSpec::money(ChartKind::Bars, locale.t(Msg::Charge), &currency, locale),
        |spec, user| spec.amount(user_label(locale, user), user.totals.charge),
    );
    let rows = users
        .iter()
        .map(|user| TotalsRow {
            label:
                view! { <a href=user_href(&query, &user.user_id)>{user_label(locale, user)}</a> }
                    .into_any(),
            totals: user.totals.clone(),
        })
        .collect();
    view! {
        <ChartFigure title=title.clone() chart_id spec=Signal::stored(spec)>
            <TotalsTable caption=title label_header=locale.t(Msg::Name) currency rows />
        </ChartFigure>
    }
}
