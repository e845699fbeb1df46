//! The directory read against graph-sim as a real HTTP server: every page followed through
//! faults and throttling, each person once, the manager links intact; and Graph's 403 when the
//! app lacks `User.Read.All`.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use common::secret_client;
use common::sim::{self, small_config};
use graph_client::{GraphError, Priority};
use graph_sim::{DEFAULT_CLIENT_SECRET, SimConfig};

const ADA: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const BEN: &str = "bbbbbbbb-0000-4000-8000-000000000002";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_every_page_of_the_directory_through_faults() {
    let config = SimConfig {
        // 25 pages of 100 (Graph's most with $expand).
        users: 2_500,
        throttle_rate: 0.2,
        error_rate: 0.1,
        retry_after: Duration::ZERO,
        ..small_config()
    };
    let under_ada = graph_sim::directory_reports(&config, ADA).unwrap();
    let sim = sim::start(config).await;
    let client = secret_client(sim.base_url(), DEFAULT_CLIENT_SECRET);
    let users = client.fetch_directory(Priority::Background).await.unwrap();
    let ids: HashSet<&str> = users.iter().map(|user| user.id.as_str()).collect();
    assert_eq!(ids.len(), users.len(), "each person once");
    assert!(
        users.len() > 2_000 && users.len() < 2_502,
        "{} people",
        users.len()
    );
    let managers: HashMap<&str, Option<&str>> = users
        .iter()
        .map(|user| (user.id.as_str(), user.manager_id.as_deref()))
        .collect();
    for (id, manager) in &managers {
        if let Some(manager) = manager {
            assert!(ids.contains(manager), "{id}'s manager {manager} is listed");
        }
    }
    // Ben is under Ada, two levels down, as the simulator's own tree says.
    let chain = |id| managers_above(&managers, id);
    assert_eq!(chain(BEN).iter().position(|id| *id == ADA), Some(1));
    let read_under_ada = users
        .iter()
        .filter(|user| chain(user.id.as_str()).contains(&ADA))
        .count();
    assert_eq!(read_under_ada, under_ada.len());
    assert!(
        users
            .iter()
            .any(|user| user.cost_center.is_some() && user.department.is_some())
    );
}

/// `id`'s manager, their manager, and so on up.
fn managers_above<'a>(
    managers: &HashMap<&'a str, Option<&'a str>>,
    mut id: &'a str,
) -> Vec<&'a str> {
    let mut chain = Vec::new();
    while let Some(Some(manager)) = managers.get(id) {
        chain.push(*manager);
        id = manager;
    }
    chain
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn says_which_permission_is_missing() {
    let sim = sim::start(SimConfig {
        app_permissions: vec!["CallRecords.Read.All".into()],
        ..small_config()
    })
    .await;
    let client = secret_client(sim.base_url(), DEFAULT_CLIENT_SECRET);
    match client.fetch_directory(Priority::Interactive).await {
        Err(GraphError::Api(error)) => {
            assert_eq!(error.status, 403);
            assert_eq!(error.code.as_deref(), Some("Authorization_RequestDenied"));
        }
        other => panic!("expected Graph's 403, got {other:?}"),
    }
}
