//! The month under way, as the dashboard shows it: each currency's spend so far, the month's
//! forecast (said to be an estimate, with how it is made) and where it stands against its
//! budget, in words. Written to HTML on the server (Leptos renders it to a string there), and
//! placed by the page as it is: read-only figures that cost the browser bundle nothing.
use leptos::prelude::*;

use crate::i18n::{Locale, Msg};
use crate::money::format_money_in;
use crate::report::outlook::{BudgetStatus, MonthOutlook};

pub fn outlook_html(outlook: &MonthOutlook, locale: Locale) -> String {
    // Without budgets (`PORTAL_BUDGETS` unset), no budget columns.
    let budgets = outlook
        .currencies
        .iter()
        .any(|currency| currency.budget.is_some());
    let rows = outlook
        .currencies
        .iter()
        .map(|currency| {
            let code = currency.currency.clone();
            let money = |amount| format_money_in(amount, &code, locale);
            let testid = |what: &str| format!("outlook-{what}-{code}");
            let warning = matches!(
                currency.status(),
                BudgetStatus::ForecastOver | BudgetStatus::Over
            );
            view! {
                <tr class:warning=warning data-testid=testid("row")>
                    <th scope="row">{code.clone()}</th>
                    <td class="num" data-testid=testid("spent")>
                        {money(currency.spent)}
                    </td>
                    <td class="num" data-testid=testid("forecast")>
                        {currency.forecast.map_or_else(|| "—".to_string(), money)}
                    </td>
                    {budgets
                        .then(|| {
                            view! {
                                <td class="num" data-testid=testid("budget")>
                                    {currency.budget.map_or_else(|| "—".to_string(), money)}
                                </td>
                                <td data-testid=testid("status")>
                                    {locale.budget_status(currency)}
                                </td>
                            }
                        })}
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="outlook" aria-labelledby="outlook-heading" data-testid="outlook">
            <h2 id="outlook-heading">{locale.this_month(outlook.month.from)}</h2>
            <p class="notice" data-testid="outlook-method">
                {locale.forecast_method(outlook)}
            </p>
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="outlook-heading">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{locale.t(Msg::Currency)}</th>
                            <th scope="col" class="num">{locale.t(Msg::SpentSoFar)}</th>
                            <th scope="col" class="num">{locale.t(Msg::ForecastEstimate)}</th>
                            {budgets
                                .then(|| {
                                    view! {
                                        <th scope="col" class="num">{locale.t(Msg::Budget)}</th>
                                        <th scope="col">{locale.t(Msg::BudgetStatusHeader)}</th>
                                    }
                                })}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .to_html()
}
