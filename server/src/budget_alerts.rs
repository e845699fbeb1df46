//! Budget warnings posted to a webhook (`PORTAL_BUDGET_WEBHOOK`). After each sync pass the
//! month's forecast (and last month's, while Graph completes its last days) is compared with
//! each currency's budget (`PORTAL_BUDGETS`); the first time
//! a currency's forecast (or its spend) goes over its budget in a month, one message is posted,
//! retried with back-off, then at the next pass, until the endpoint takes it. What was sent is
//! recorded in the store (`store_meta`, `budget_alert:<month>:<currency>`), so it is never sent
//! again, not after a restart either.
use std::time::Duration;

use app::money::{format_money, minor_units};
use app::report::outlook::{BudgetStatus, CurrencyOutlook, MonthOutlook};
use app::report::{ReportService, Requester};
use chrono::Datelike;
use report_store::History;
use rust_decimal::RoundingStrategy;
use serde::Serialize;

/// Attempts per pass, and the waits between them (a pass that fails all tries again at the next).
const RETRY_WAITS: [Duration; 2] = [Duration::from_secs(2), Duration::from_secs(10)];
const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// What the webhook receives: `text` for a Teams incoming webhook (and any chat that shows a
/// text), the figures beside it for anything that reads them.
#[derive(Debug, Serialize)]
pub struct BudgetAlert {
    pub text: String,
    pub currency: String,
    /// `2026-03`.
    pub month: String,
    /// `forecast_over` or `over`.
    pub status: &'static str,
    pub budget: String,
    pub forecast: Option<String>,
    pub spent: String,
    pub settled_days: u32,
    pub days_in_month: i64,
}

/// The alert for a currency over its budget this month; `None` when it is not.
pub fn alert(outlook: &MonthOutlook, currency: &CurrencyOutlook) -> Option<BudgetAlert> {
    let status = match currency.status() {
        BudgetStatus::ForecastOver => "forecast_over",
        BudgetStatus::Over => "over",
        BudgetStatus::Within | BudgetStatus::NoBudget => return None,
    };
    let budget = currency.budget?;
    let code = currency.currency.as_str();
    let month = outlook.month.from;
    let month_name = format!("{} {}", MONTHS[month.month0() as usize], month.year());
    let (spent, budget_text) = (
        format_money(currency.spent, code),
        format_money(budget, code),
    );
    let days = format!(
        "{} of {} days settled",
        outlook.settled_days,
        outlook.month.days()
    );
    let text = match (status, currency.forecast) {
        ("over", _) => format!(
            "Dial-out spend in {code} is already over its {month_name} budget of {budget_text}: {spent} spent ({days})."
        ),
        (_, Some(forecast)) => format!(
            "Dial-out spend in {code} is forecast to reach {} in {month_name}, over its budget of {budget_text} ({spent} spent so far, {days}; the forecast is an estimate).",
            format_money(forecast, code)
        ),
        _ => return None,
    };
    Some(BudgetAlert {
        text,
        currency: code.to_string(),
        month: format!("{:04}-{:02}", month.year(), month.month()),
        status,
        budget: budget.to_string(),
        // Rounded as the text writes it: the currency's minor unit, half away from zero.
        forecast: currency.forecast.map(|forecast| {
            let digits = minor_units(code);
            forecast
                .round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero)
                .to_string()
        }),
        spent: currency.spent.to_string(),
        settled_days: outlook.settled_days,
        days_in_month: outlook.month.days(),
    })
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn sent_key(alert: &BudgetAlert) -> String {
    format!("budget_alert:{}:{}", alert.month, alert.currency)
}

/// Checks the budgets after every sync pass until the history is dropped. `passes` is taken
/// before the sync starts ([`History::sync_passes`]), so its first pass is not missed.
pub async fn run(
    service: ReportService,
    history: History,
    mut passes: tokio::sync::watch::Receiver<u64>,
    webhook: url::Url,
) {
    let client = match reqwest::Client::builder().timeout(SEND_TIMEOUT).build() {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "budget alerts are off: no HTTP client");
            return;
        }
    };
    while passes.changed().await.is_ok() {
        // This month, and last month while Graph completes its last days (spend on them is
        // only seen after the month has ended).
        // Each read alone: one month failing to read never keeps the other's alerts back.
        let everyone = Requester::portal("budget alerts");
        let (this_month, last_month) = tokio::join!(
            service.month_outlook(&everyone),
            service.closing_month_outlook()
        );
        let this_month = this_month.map(Some);
        let mut outlooks = Vec::new();
        for read in [last_month, this_month] {
            match read {
                Ok(outlook) => outlooks.extend(outlook),
                Err(error) => {
                    tracing::warn!(%error, "budget alerts: a month's outlook could not be read");
                }
            }
        }
        for outlook in outlooks {
            for currency in &outlook.currencies {
                if let Some(alert) = alert(&outlook, currency) {
                    send_once(&client, &webhook, &history, &alert).await;
                }
            }
        }
    }
}

/// Sends `alert` unless its month and currency's alert was sent before, and records it.
async fn send_once(
    client: &reqwest::Client,
    webhook: &url::Url,
    history: &History,
    alert: &BudgetAlert,
) {
    let key = sent_key(alert);
    if history.store().meta(&key).is_some() {
        return;
    }
    if send(client, webhook, alert).await {
        let sent_at = chrono::Utc::now().to_rfc3339();
        if let Err(error) = history.store().set_meta(&key, &sent_at).await {
            tracing::error!(%error, key, "budget alert sent but not recorded: it may be sent again");
        }
    }
}

/// Posts the alert, trying again after each of [`RETRY_WAITS`]; whether the endpoint took it
/// (any 2xx answer).
async fn send(client: &reqwest::Client, webhook: &url::Url, alert: &BudgetAlert) -> bool {
    let waits = std::iter::once(Duration::ZERO).chain(RETRY_WAITS);
    for (attempt, wait) in waits.enumerate() {
        tokio::time::sleep(wait).await;
        let outcome = client.post(webhook.clone()).json(alert).send().await;
        match outcome {
            Ok(response) if response.status().is_success() => {
                tracing::info!(
                    currency = alert.currency,
                    month = alert.month,
                    "budget alert sent"
                );
                return true;
            }
            Ok(response) => tracing::warn!(
                status = response.status().as_u16(),
                attempt = attempt + 1,
                currency = alert.currency,
                "the budget webhook refused the alert"
            ),
            // No URL in the message: a Teams webhook's address is its secret.
            Err(error) => tracing::warn!(
                error = %error.without_url(),
                attempt = attempt + 1,
                currency = alert.currency,
                "the budget webhook could not be reached"
            ),
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::DateRange;
    use rust_decimal::Decimal;

    fn outlook(
        spent: i64,
        forecast: Option<i64>,
        budget: Option<i64>,
    ) -> (MonthOutlook, CurrencyOutlook) {
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let currency = CurrencyOutlook {
            currency: "USD".into(),
            spent: Decimal::from(spent),
            calls: 1,
            daily_average: None,
            forecast: forecast.map(Decimal::from),
            budget: budget.map(Decimal::from),
        };
        let month = MonthOutlook {
            month: DateRange {
                from: day(1),
                to: day(31),
            },
            elapsed_days: 14,
            settled_days: 13,
            currencies: vec![currency.clone()],
        };
        (month, currency)
    }

    #[test]
    fn alerts_only_over_budget_and_says_so_in_words() {
        let (month, over) = outlook(2600, Some(5400), Some(5000));
        let alert = alert(&month, &over).unwrap();
        assert_eq!(alert.status, "forecast_over");
        assert_eq!(alert.month, "2026-03");
        assert_eq!(
            alert.text,
            "Dial-out spend in USD is forecast to reach USD 5,400.00 in March 2026, over its budget of USD 5,000.00 (USD 2,600.00 spent so far, 13 of 31 days settled; the forecast is an estimate)."
        );
        assert_eq!(sent_key(&alert), "budget_alert:2026-03:USD");
        let (month, spent) = outlook(5100, Some(9000), Some(5000));
        assert!(
            alert_text(&month, &spent)
                .starts_with("Dial-out spend in USD is already over its March 2026 budget")
        );
        let (month, within) = outlook(100, Some(4000), Some(5000));
        assert!(super::alert(&month, &within).is_none());
        let (month, no_budget) = outlook(100, Some(4000), None);
        assert!(super::alert(&month, &no_budget).is_none());
    }

    fn alert_text(month: &MonthOutlook, currency: &CurrencyOutlook) -> String {
        alert(month, currency).unwrap().text
    }
}
