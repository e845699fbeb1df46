//! The ten users with the highest charge in one currency; each row opens the user.
use leptos::prelude::*;

use crate::components::{ChartFigure, ChartKind, ChartSpec};
use crate::i18n::{Locale, Msg, use_locale};
use crate::model::UserSpend;
use crate::money::{format_count_in, format_money_in};
use crate::query::{PageQuery, encode};

/// The name a user is shown by: display name, else UPN, else id.
pub fn user_label(locale: Locale, user: &UserSpend) -> String {
    user.display_name
        .clone()
        .or_else(|| user.user_principal_name.clone())
        .unwrap_or_else(|| format!("{} {}", locale.t(Msg::Unnamed), user.user_id))
}

/// The drill-down of a user, keeping the dashboard's range and filters.
pub fn user_href(query: &PageQuery, user_id: &str) -> String {
    query.href(&format!("/users/{}", encode(user_id)))
}

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
        ChartSpec::new(
            ChartKind::Bars,
            format!("{} ({currency})", locale.t(Msg::Charge)),
        ),
        |spec, user| {
            spec.point(
                user_label(locale, user),
                ChartSpec::height(user.totals.charge),
            )
        },
    );
    let body = users
        .iter()
        .map(|user| {
            view! {
                <tr>
                    <th scope="row">
                        <a href=user_href(&query, &user.user_id)>{user_label(locale, user)}</a>
                    </th>
                    <td class="num">{format_money_in(user.totals.charge, &currency, locale)}</td>
                    <td class="num">{format_count_in(user.totals.minutes(), locale)}</td>
                    <td class="num">{format_count_in(user.totals.calls, locale)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ChartFigure title=title.clone() chart_id spec=Signal::stored(spec)>
            <table>
                <caption>{title}</caption>
                <thead>
                    <tr>
                        <th scope="col">{locale.t(Msg::Name)}</th>
                        <th scope="col" class="num">{locale.t(Msg::Charge)}</th>
                        <th scope="col" class="num">{locale.t(Msg::Minutes)}</th>
                        <th scope="col" class="num">{locale.t(Msg::Calls)}</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </ChartFigure>
    }
}
