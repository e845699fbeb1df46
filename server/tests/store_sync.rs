use chrono::{Days, Utc};
use graph_sim::SimConfig;

#[test]
fn explore() {
    let today = Utc::now().date_naive();
    for users in [100u32, 300, 1000] {
        let config = SimConfig {
            users,
            today,
            ..SimConfig::default()
        };
        let rows: Vec<u64> = (0..42u64)
            .map(|n| {
                let day = today.checked_sub_days(Days::new(n)).unwrap();
                graph_sim::truth(&config, day, day).unwrap().rows
            })
            .collect();
        println!("{users}: {rows:?}");
    }
}
