//! Spend by organisation, as the dashboard shows it for the detailed currency: a table by
//! department with a bar of each group's share of the charge, and the chargeback files of
//! every grouping. Written to HTML on the server, like the month's outlook: read-only
//! figures that cost the browser bundle nothing.
use leptos::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::i18n::{Locale, Msg};
use crate::model::DateRange;
use crate::money::{format_money_in, format_percent};
use crate::report::org::{OrgDimension, OrgGroup, OrgSpend};

/// The groupings shown on the page, each a table whose share bars chart its groups' charge
/// (department open, the others a click away), and each with its chargeback file. Their
/// markup travels once (`dashboard::markup`).
pub const SHOWN: [OrgDimension; 5] = OrgDimension::ALL;

/// The section for `currency`, from the range's spend by each of [`SHOWN`].
pub fn organisation_html(
    spend: &[OrgSpend],
    currency: &str,
    range: DateRange,
    locale: Locale,
) -> String {
    let Some(first) = spend.first() else {
        return String::new();
    };
    let note = locale.directory_note(
        first.read_at.map(|at| at.date_naive()),
        first.error.as_deref(),
    );
    let tables = spend
        .iter()
        .filter(|spend| !spend.rows.is_empty())
        .enumerate()
        .map(|(index, spend)| group_table(spend, currency, locale, index == 0))
        .collect_view();
    let files = OrgDimension::ALL
        .into_iter()
        .map(|dimension| {
            let href = format!(
                "/export/chargeback.csv?from={}&to={}&by={}",
                range.from,
                range.to,
                dimension.name()
            );
            view! {
                <li>
                    <a href=href rel="external" download="" data-testid=format!("chargeback-{}", dimension.name())>
                        {locale.t(dimension.title())}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="organisation" aria-labelledby="organisation-heading" data-testid="organisation">
            <h2 id="organisation-heading">
                {format!("{} · {currency}", locale.t(Msg::ByOrganisation))}
            </h2>
            <p class="notice" data-testid="directory-note">{note}</p>
            {tables}
            <p>{locale.t(Msg::Chargeback)}</p>
            <ul class="links">{files}</ul>
        </section>
    }
    .to_html()
}

fn group_table(spend: &OrgSpend, currency: &str, locale: Locale, open: bool) -> impl IntoView {
    let rows: Vec<_> = spend
        .rows
        .iter()
        .filter(|row| row.currency == currency)
        .collect();
    let total: Decimal = rows.iter().map(|row| row.totals.charge).sum();
    let name = spend.dimension.name();
    let caption = locale.t(spend.dimension.title());
    let body = rows
        .into_iter()
        .map(|row| {
            // Credits can bring a total near zero: no share then, never a panic.
            let share = (total > Decimal::ZERO)
                .then(|| row.totals.charge.checked_div(total))
                .flatten();
            let label = match &row.group {
                OrgGroup::Named(name) => name.clone(),
                OrgGroup::Unassigned => locale.t(Msg::OrgUnassigned).to_string(),
                OrgGroup::NotInDirectory => locale.t(Msg::NotInDirectory).to_string(),
            };
            // Drawn only: the figure is the text beside it.
            let width = share
                .and_then(|share| share.checked_mul(Decimal::from(100)))
                .and_then(|percent| percent.to_f64())
                .unwrap_or(0.0)
                .clamp(0.0, 100.0);
            view! {
                <tr>
                    <th scope="row">{label}</th>
                    <td class="num">{locale.format_count(u64::from(row.people))}</td>
                    <td class="num">{locale.format_count(row.totals.calls)}</td>
                    <td class="num">{locale.format_count(row.totals.minutes())}</td>
                    <td class="num">{format_money_in(row.totals.charge, currency, locale)}</td>
                    <td class="share">
                        <svg viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                            <rect width=format!("{width:.2}") height="8"></rect>
                        </svg>
                        {share.map(|share| format_percent(share, locale)).unwrap_or_default()}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <details open=open data-testid=format!("org-{name}")>
            <summary>{caption}</summary>
            <div class="table-scroll" tabindex="0" role="region" aria-label=caption>
                <table>
                    <caption class="visually-hidden">{caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{caption}</th>
                            <th scope="col" class="num">{locale.t(Msg::People)}</th>
                            <th scope="col" class="num">{locale.t(Msg::Calls)}</th>
                            <th scope="col" class="num">{locale.t(Msg::Minutes)}</th>
                            <th scope="col" class="num">{locale.t(Msg::Charge)}</th>
                            <th scope="col">{locale.t(Msg::ShareOfCharge)}</th>
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        </details>
    }
}
