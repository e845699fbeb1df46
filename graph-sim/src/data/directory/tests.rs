use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::*;

fn dataset(seed: u64, users: u32) -> Dataset {
    let today = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
    Dataset::new(seed, users, today, 30)
}

/// Levels between `member` and `head` along the manager chain (1: a direct report).
fn levels_below(directory: &Directory, member: Member, head: Member) -> Option<usize> {
    std::iter::successors(directory.manager(member), |&m| directory.manager(m))
        .position(|m| m == head)
        .map(|steps| steps + 1)
}

fn listed(directory: &Directory) -> Vec<Member> {
    (0..directory.entries())
        .map(|entry| directory.entry(entry))
        .filter(|&member| directory.contains(member))
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_directory_and_another_seed_another() {
    let (a, b, c) = (dataset(7, 300), dataset(7, 300), dataset(8, 300));
    let users = |data| {
        let directory = Directory::new(data);
        listed(&directory)
            .into_iter()
            .map(|member| directory.user(member).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(users(&a), users(&b));
    assert_ne!(users(&a), users(&c));
}

#[test]
fn ada_heads_a_deep_subtree_with_ben_inside_managing_no_one() {
    for users in [2_000, 100_000] {
        let data = dataset(42, users);
        let directory = Directory::new(&data);
        let under_ada = directory.reports(Member::Ada);
        let report_users = under_ada
            .iter()
            .filter(|m| matches!(m, Member::User(_)))
            .count();
        assert!(report_users >= 100, "{users}: {report_users}");
        let deepest = under_ada
            .iter()
            .filter_map(|&m| levels_below(&directory, m, Member::Ada))
            .max();
        assert!(deepest >= Some(3), "{users}: {deepest:?}");

        assert!(under_ada.contains(&Member::Ben));
        assert_eq!(levels_below(&directory, Member::Ben, Member::Ada), Some(2));
        assert!(directory.reports(Member::Ben).is_empty());
        assert!(
            listed(&directory)
                .iter()
                .all(|&m| directory.manager(m) != Some(Member::Ben))
        );
        let ada = directory.user(Member::Ada).unwrap();
        assert_eq!(ada.id, "aaaaaaaa-0000-4000-8000-000000000001");
        assert_eq!(ada.facts.department, Some("Sales"));
    }
}

/// The most managers above anyone, checking on the way that every chain ends and climbs.
fn longest_chain(directory: &Directory) -> usize {
    let mut longest = 0;
    for member in listed(directory) {
        let Some(manager) = directory.manager(member) else {
            continue;
        };
        assert!(directory.contains(manager), "{member:?} -> {manager:?}");
        if member != Member::Ben {
            assert!(directory.position(manager) < directory.position(member));
        }
        let managers = std::iter::successors(Some(manager), |&m| directory.manager(m))
            .take(100)
            .count();
        assert!(managers < 100, "a cycle through {member:?}");
        longest = longest.max(managers);
    }
    longest
}

#[test]
fn managers_sit_higher_so_there_are_no_cycles_and_the_tree_is_deep() {
    for seed in 0..12 {
        let data = dataset(seed, 2_000);
        let directory = Directory::new(&data);
        let top_listed = directory.contains(Member::User(0));
        let expected = if top_listed { 5 } else { 4 };
        assert_eq!(longest_chain(&directory), expected, "seed {seed}");
        // The top, and a few percent without a manager.
        let without_manager = listed(&directory)
            .into_iter()
            .filter(|&m| directory.manager(m).is_none())
            .count();
        assert!((10..120).contains(&without_manager), "{without_manager}");
    }
    let default_seed = dataset(42, 100_000);
    assert_eq!(longest_chain(&Directory::new(&default_seed)), 8);
}

#[test]
fn some_report_users_are_not_in_the_directory_and_every_unnamed_one_is_among_them() {
    let data = dataset(42, 2_000);
    let directory = Directory::new(&data);
    let missing: Vec<u32> = (0..2_000)
        .filter(|&user| !directory.contains(Member::User(user)))
        .collect();
    assert!((40..140).contains(&missing.len()), "{}", missing.len());
    for user in 0..2_000 {
        let identity = data.identity(user);
        let named = identity.user_display_name.is_some() && identity.user_principal_name.is_some();
        let member = Member::User(user);
        if !named {
            assert!(!directory.contains(member), "{user}");
        }
        match directory.user(member) {
            Some(listed) => {
                assert_eq!(listed.id, identity.user_id);
                assert_eq!(Some(listed.display_name), identity.user_display_name);
                assert_eq!(
                    Some(listed.user_principal_name),
                    identity.user_principal_name
                );
            }
            None => assert!(missing.contains(&user)),
        }
    }
    assert!(missing.iter().any(|&user| data.has_both_names(user)));
    assert!(
        !listed(&directory)
            .iter()
            .any(|m| missing.iter().any(|&user| *m == Member::User(user)))
    );
}

#[test]
fn cost_centres_stay_in_one_department_and_some_values_are_missing() {
    let data = dataset(11, 2_000);
    let directory = Directory::new(&data);
    let facts: Vec<OrgFacts> = listed(&directory)
        .into_iter()
        .filter_map(|member| directory.facts(member))
        .collect();
    let mut department_of = BTreeMap::new();
    for (department, cost_centre) in facts.iter().filter_map(|f| {
        Some((
            f.department?,
            f.employee_org_data.as_ref()?.cost_center.as_deref()?,
        ))
    }) {
        assert_eq!(
            *department_of.entry(cost_centre).or_insert(department),
            department
        );
    }
    let departments: std::collections::BTreeSet<_> = department_of.values().collect();
    assert!(departments.len() >= 8, "{departments:?}");
    assert!(facts.iter().any(|f| f.department.is_none()));
    assert!(facts.iter().any(|f| f.employee_org_data.is_none()));
    assert!(facts.iter().any(|f| f.office_location.is_none()));
    let companies: std::collections::BTreeSet<_> =
        facts.iter().filter_map(|f| f.company_name).collect();
    assert_eq!(companies.len(), 3, "{companies:?}");
}

#[test]
fn object_ids_are_found_again() {
    let data = dataset(42, 200);
    let directory = Directory::new(&data);
    for member in [Member::Ada, Member::Ben, Member::User(0), Member::User(199)] {
        let id = directory.object_id(member).to_uppercase();
        assert_eq!(directory.find(&id), Some(member));
    }
    assert_eq!(directory.find("00000000-0000-0000-0000-000000000000"), None);
}
