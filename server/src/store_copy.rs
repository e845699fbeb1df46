//! `dialout-portal store copy --from URL --to URL`: one store copied into another (an SQLite
//! file into PostgreSQL for several instances), exactly and resumably (`report_store::copy_store`).
//! Messages name the stores without their passwords.
use report_store::{Store, copy_store, without_password};

pub async fn run(from: &str, to: &str) -> Result<(), String> {
    if from == to {
        return Err("--from and --to name the same store".into());
    }
    let source = Store::recorded_source(from)
        .await
        .map_err(|error| error.to_string())?
        .ok_or_else(|| format!("{} holds no report store to copy", without_password(from)))?;
    let from_store = Store::open(from, &source)
        .await
        .map_err(|error| error.to_string())?;
    let to_store = Store::open(to, &source)
        .await
        .map_err(|error| error.to_string())?;
    eprintln!(
        "copying {} ({} days, {source}) into {}",
        from_store.location(),
        from_store.days().len(),
        to_store.location()
    );
    let copied = copy_store(&from_store, &to_store, |report| {
        eprintln!(
            "  {} of {} days copied ({} already there), {} verified",
            report.copied,
            report.days - report.already,
            report.already,
            report.verified
        );
    })
    .await;
    to_store.close().await;
    from_store.close().await;
    let report = copied.map_err(|error| error.to_string())?;
    println!(
        "copied {} days, {} already there; all {} days verified: totals per currency equal in both stores",
        report.copied, report.already, report.verified
    );
    if report.only_in_destination > 0 {
        println!(
            "{} days the destination holds and the source does not were left as they were",
            report.only_in_destination
        );
    }
    Ok(())
}
