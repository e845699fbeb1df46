//! Where people work: department, cost centre and division (`employeeOrgData`), company, office
//! and country, derived from a person's place in the tree and usage location.
//!
//! The department follows the unit (the place two levels below the top) a person works in, the
//! cost centre the team (three levels below), so both agree with the manager tree as in a real
//! organisation, and a cost centre belongs to exactly one department. Country, company and
//! office follow the user's main usage location. A few percent of the values are missing, as in
//! any real directory.

use serde::Serialize;

use super::tree;
use crate::data::tariffs::{self, LocationId};
use crate::rng::{SplitMix64, Stream};

/// A department, its division and its cost centres `CC-{first_cost_centre}`, `+1`, ...
struct Department {
    name: &'static str,
    division: &'static str,
    first_cost_centre: u16,
    cost_centres: u16,
}

const COMMERCIAL: &str = "Commercial";
const TECHNOLOGY: &str = "Technology";
const CORPORATE: &str = "Corporate";

macro_rules! department {
    ($name:literal, $division:ident, $first:literal, $count:literal) => {
        Department {
            name: $name,
            division: $division,
            first_cost_centre: $first,
            cost_centres: $count,
        }
    };
}

/// The units two levels below the top take these in turn (the first unit, Ada's, is Sales).
#[rustfmt::skip]
const UNIT_DEPARTMENTS: [Department; 8] = [
    department!("Sales",            COMMERCIAL, 1100, 4),
    department!("Customer Support", COMMERCIAL, 1200, 3),
    department!("Engineering",      TECHNOLOGY, 1300, 4),
    department!("Finance",          CORPORATE,  1400, 2),
    department!("Marketing",        COMMERCIAL, 1500, 3),
    department!("Operations",       TECHNOLOGY, 1600, 3),
    department!("Legal",            CORPORATE,  1700, 2),
    department!("Human Resources",  CORPORATE,  1800, 2),
];

/// The top and the people one level below it: too few to be a unit of their own.
const EXECUTIVE_OFFICE: Department = department!("Executive Office", CORPORATE, 1900, 1);

/// A country's English name (Entra ID's `country` is free text, usually the name), the company
/// that employs people there, and its offices.
struct Site {
    country_code: &'static str,
    country: &'static str,
    company: &'static str,
    offices: &'static [&'static str],
}

const CONTOSO: &str = "Contoso Ltd.";
const CONTOSO_EUROPE: &str = "Contoso Europe B.V.";
const CONTOSO_ASIA: &str = "Contoso Asia Pacific Pte. Ltd.";

macro_rules! site {
    ($code:literal, $country:literal, $company:ident, [$($office:literal),+]) => {
        Site { country_code: $code, country: $country, company: $company, offices: &[$($office),+] }
    };
}

/// One per usage location of `tariffs::LOCATIONS` (a unit test checks it).
#[rustfmt::skip]
const SITES: [Site; 14] = [
    site!("US", "United States",  CONTOSO,        ["Seattle", "New York", "Austin"]),
    site!("GB", "United Kingdom", CONTOSO,        ["London", "Manchester"]),
    site!("DE", "Germany",        CONTOSO_EUROPE, ["Berlin", "München"]),
    site!("FR", "France",         CONTOSO_EUROPE, ["Paris", "Lyon"]),
    site!("JP", "Japan",          CONTOSO_ASIA,   ["Tokyo", "Osaka"]),
    site!("BR", "Brazil",         CONTOSO,        ["São Paulo", "Rio de Janeiro"]),
    site!("IN", "India",          CONTOSO_ASIA,   ["Bengaluru", "Mumbai"]),
    site!("CA", "Canada",         CONTOSO,        ["Toronto", "Vancouver"]),
    site!("AU", "Australia",      CONTOSO_ASIA,   ["Sydney", "Melbourne"]),
    site!("ES", "Spain",          CONTOSO_EUROPE, ["Madrid", "Barcelona"]),
    site!("PT", "Portugal",       CONTOSO_EUROPE, ["Lisboa", "Porto"]),
    site!("NL", "Netherlands",    CONTOSO_EUROPE, ["Amsterdam"]),
    site!("IE", "Ireland",        CONTOSO,        ["Dublin"]),
    site!("CH", "Switzerland",    CONTOSO_EUROPE, ["Zürich", "Genève"]),
];

fn site(location: LocationId) -> &'static Site {
    let code = tariffs::location(location).country;
    SITES
        .iter()
        .find(|site| site.country_code == code)
        .unwrap_or(&SITES[0])
}

/// `employeeOrgData`: both members may be null.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmployeeOrgData {
    pub cost_center: Option<String>,
    pub division: Option<&'static str>,
}

/// A person's organisational properties as `/v1.0/users` sends them (null when `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgFacts {
    pub department: Option<&'static str>,
    pub company_name: Option<&'static str>,
    pub office_location: Option<&'static str>,
    pub country: Option<&'static str>,
    pub employee_org_data: Option<EmployeeOrgData>,
}

/// What the simulator's made-up keys below are about, within `Stream::Directory`.
const KEY_FACTS: u64 = 10;
const KEY_TEAM_COST_CENTRE: u64 = 11;

fn cost_centre(department: &Department, index: u16) -> String {
    format!("CC-{}", department.first_cost_centre + index)
}

/// The facts of the generated user `user` at tree position `position`.
pub fn generated_facts(seed: u64, user: u32, position: u32, location: LocationId) -> OrgFacts {
    let department = if tree::depth(position) < 2 {
        &EXECUTIVE_OFFICE
    } else {
        let unit = tree::ancestor_at(position, 2) - tree::FIRST_UNIT;
        &UNIT_DEPARTMENTS[unit as usize % UNIT_DEPARTMENTS.len()]
    };
    // A team shares its cost centre: the draw is keyed by the team's place, not the person.
    let team = tree::ancestor_at(position, 3);
    let index = SplitMix64::keyed(
        seed,
        Stream::Directory,
        &[KEY_TEAM_COST_CENTRE, team.into()],
    )
    .below(department.cost_centres.into()) as u16;

    // Gaps, in per mille; one stream per user, drawn in a fixed order.
    let mut rng = SplitMix64::keyed(seed, Stream::Directory, &[KEY_FACTS, user.into()]);
    let mut present = |missing_permille: u32| rng.below(1000) >= missing_permille;
    let has_department = present(30);
    let has_org_data = present(40);
    let has_cost_centre = present(20);
    let has_division = present(20);
    let has_company = present(20);
    let has_office = present(30);
    let has_country = present(10);
    let site = site(location);
    let office = *rng.pick(site.offices);
    OrgFacts {
        department: has_department.then_some(department.name),
        company_name: has_company.then_some(site.company),
        office_location: has_office.then_some(office),
        country: has_country.then_some(site.country),
        employee_org_data: has_org_data.then(|| EmployeeOrgData {
            cost_center: has_cost_centre.then(|| cost_centre(department, index)),
            division: has_division.then_some(department.division),
        }),
    }
}

/// Ada Manager's and Ben Employee's facts: complete, fixed, in Ada's unit (Sales).
pub fn test_user_facts() -> OrgFacts {
    let sales = &UNIT_DEPARTMENTS[0];
    OrgFacts {
        department: Some(sales.name),
        company_name: Some(CONTOSO),
        office_location: Some(SITES[0].offices[0]),
        country: Some(SITES[0].country),
        employee_org_data: Some(EmployeeOrgData {
            cost_center: Some(cost_centre(sales, 0)),
            division: Some(sales.division),
        }),
    }
}

/// A property spend can be grouped by (`/_sim/truth?group=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgField {
    Department,
    CostCenter,
    Division,
    CompanyName,
    OfficeLocation,
}

impl OrgField {
    /// The names `group=` takes: Graph's property names.
    pub const NAMES: [(&'static str, OrgField); 5] = [
        ("department", Self::Department),
        ("costCenter", Self::CostCenter),
        ("division", Self::Division),
        ("companyName", Self::CompanyName),
        ("officeLocation", Self::OfficeLocation),
    ];

    pub fn from_name(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, field)| *field)
    }

    pub fn value(self, facts: &OrgFacts) -> Option<&str> {
        let org_data = facts.employee_org_data.as_ref();
        match self {
            Self::Department => facts.department,
            Self::CostCenter => org_data.and_then(|org| org.cost_center.as_deref()),
            Self::Division => org_data.and_then(|org| org.division),
            Self::CompanyName => facts.company_name,
            Self::OfficeLocation => facts.office_location,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn every_usage_location_has_a_site() {
        for location in &tariffs::LOCATIONS {
            assert!(
                SITES
                    .iter()
                    .any(|site| site.country_code == location.country),
                "{}",
                location.country
            );
        }
    }

    #[test]
    fn country_company_and_office_follow_the_main_usage_location() {
        for user in 0..1000 {
            let location = (user % 14) as LocationId;
            let facts = generated_facts(4, user, user + 1, location);
            let site = SITES
                .iter()
                .find(|site| site.country_code == tariffs::location(location).country)
                .unwrap();
            assert!(facts.country.is_none_or(|country| country == site.country));
            assert!(
                facts
                    .company_name
                    .is_none_or(|company| company == site.company)
            );
            assert!(
                facts
                    .office_location
                    .is_none_or(|office| site.offices.contains(&office))
            );
        }
    }

    #[test]
    fn a_cost_centre_belongs_to_one_department_and_a_department_to_one_division() {
        let mut department_of = BTreeMap::new();
        let mut division_of = BTreeMap::new();
        for user in 0..3000 {
            let facts = generated_facts(9, user, user + 1, (user % 14) as LocationId);
            let (Some(department), Some(org)) = (facts.department, &facts.employee_org_data) else {
                continue;
            };
            if let Some(cost_centre) = &org.cost_center {
                let first = department_of
                    .entry(cost_centre.clone())
                    .or_insert(department);
                assert_eq!(*first, department, "{cost_centre}");
            }
            if let Some(division) = org.division {
                assert_eq!(*division_of.entry(department).or_insert(division), division);
            }
        }
        assert!(department_of.len() > 20, "{department_of:?}");
        assert_eq!(division_of.len(), 9);
    }
}
