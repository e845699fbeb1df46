//! `dialout-portal doctor`: checks a configuration against its Graph step by step, as a first
//! connection meets it, and says for each step what passed or how to fix what failed. It
//! reads the same settings as `serve` and `fetch` and asks Graph for one page of one day.
use graph_client::{GraphError, ToBound};

use crate::graph::{GraphConnection, Mode};

/// One step's outcome, as printed.
enum Outcome {
    Passed(String),
    Failed(String),
}

/// Prints each step on standard output; `Err` when a step failed (the exit status says so).
pub async fn run() -> Result<(), String> {
    let mut failed = 0;
    let mut step = |name: &str, outcome: Outcome| match outcome {
        Outcome::Passed(detail) => println!("ok      {name}: {detail}"),
        Outcome::Failed(detail) => {
            failed += 1;
            println!("FAILED  {name}: {detail}");
        }
    };
    let connection = match GraphConnection::from_env().await {
        Ok(connection) => connection,
        Err(error) => {
            step("configuration", Outcome::Failed(error));
            return Err("the configuration cannot be used (see above)".into());
        }
    };
    step(
        "configuration",
        Outcome::Passed(match connection.mode {
            Mode::Graph => connection.source.clone(),
            Mode::Demo => format!(
                "no Graph credentials: demo mode, {} (set AZURE_TENANT_ID, AZURE_CLIENT_ID and a secret or certificate for a tenant)",
                connection.source
            ),
        }),
    );
    let client = connection.client.clone();
    let checks = async {
        match client.check_token().await {
            Ok(token) => step(
                "token from Microsoft Entra ID",
                Outcome::Passed(format!(
                    "issued, valid for {} more minutes",
                    token.expires_in.as_secs() / 60
                )),
            ),
            Err(error) => {
                step(
                    "token from Microsoft Entra ID",
                    Outcome::Failed(explain(&error)),
                );
                return;
            }
        }
        // Two days ago: yesterday may not be published yet (Graph's 24-48 hour lag).
        let today = (connection.today)();
        let day = today - chrono::Days::new(2);
        match client.check_report(day).await {
            Ok(check) => {
                step(
                    "the dial-out report (CallRecords.Read.All)",
                    Outcome::Passed(format!(
                        "{day} answered, {} rows on its first page{}",
                        check.rows_on_first_page,
                        check
                            .request_id
                            .as_deref()
                            .map(|id| format!(" (request id {id})"))
                            .unwrap_or_default()
                    )),
                );
                step("how Graph reads toDateTime", reading(check.to_bound, day));
            }
            Err(error) => step(
                "the dial-out report (CallRecords.Read.All)",
                Outcome::Failed(explain(&error)),
            ),
        }
    };
    checks.await;
    connection.shutdown().await;
    match failed {
        0 => Ok(()),
        1 => Err("1 check failed (see above)".into()),
        n => Err(format!("{n} checks failed (see above)")),
    }
}

/// The error with its request id: the hint is part of its text.
fn explain(error: &GraphError) -> String {
    match error.request_id() {
        Some(id) if !error.to_string().contains(id) => format!("{error} (request id {id})"),
        _ => error.to_string(),
    }
}

fn reading(bound: Option<ToBound>, day: chrono::NaiveDate) -> Outcome {
    match bound {
        Some(ToBound::LastTick) => Outcome::Passed(
            "windows end on the last tick of their last day (Graph reads the instant, or includes the date)".into(),
        ),
        Some(ToBound::NextMidnight) => Outcome::Passed(
            "Graph cuts toDateTime to a date it leaves out: windows end at the next midnight".into(),
        ),
        // Not a failure: nothing is lost while there is no call to lose.
        None => Outcome::Passed(format!(
            "not known yet: no dial-out in the 14 days up to {day} to tell by; the portal finds it with the first call"
        )),
    }
}
