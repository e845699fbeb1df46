//! Whose spend a request may see. The server's access guard decides a request's [`Audience`]
//! from `PORTAL_SCOPE` and the person's roles ([`ScopeRule::audience`]); the report service
//! resolves it against the directory into a [`Scope`] and builds every answer (summary, users,
//! one user, trend, outlook, spend by organisation, downloads) from the data restricted to it
//! ([`RangeData::restricted_to`]), so no view, server function or file can show more. Pure: no
//! I/O.
use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use graph_client::{DirectoryUser, MergeStats};

use super::dataset::RangeData;
use super::org::Directory;

/// How the access guard knows the signed-in person.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Person {
    /// Entra ID's object id (`oid`): the directory's `id`.
    ObjectId(String),
    /// The name a sign-in proxy passes on, matched with the directory's `userPrincipalName`.
    Upn(String),
}

/// Whose spend a request may see, before the directory says who that is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Audience {
    Everyone,
    /// The people who report to this person, directly or indirectly.
    ReportingLine(Person),
    /// A request the access guard did not name (it names every one it lets through): it sees
    /// no one's spend, so a route that escaped the guard shows nothing.
    Nobody,
}

/// `PORTAL_SCOPE`: what a signed-in person sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScopeRule {
    /// Everyone's spend (the default; the portal's behaviour before scopes).
    Everyone,
    /// The people in one's reporting line; holders of `all_role` see everyone.
    ReportingLine { all_role: String },
}

impl ScopeRule {
    /// The audience of `person`, who holds the roles `holds` says yes to.
    pub fn audience(&self, person: Person, holds: impl Fn(&str) -> bool) -> Audience {
        match self {
            ScopeRule::Everyone => Audience::Everyone,
            ScopeRule::ReportingLine { all_role } if holds(all_role) => Audience::Everyone,
            ScopeRule::ReportingLine { .. } => Audience::ReportingLine(person),
        }
    }
}

/// An audience resolved against the directory.
#[derive(Clone, Debug)]
pub enum Scope {
    Everyone,
    People(Arc<People>),
}

/// Where the requester stands in the directory the scope rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Found: the scope is the people under them (possibly no one).
    Listed,
    /// The directory does not list them (or the request was not named).
    NotListed,
    /// The directory has not been read yet: no one's reporting line is known.
    NoDirectory,
}

/// The people a scoped request sees.
#[derive(Debug)]
pub struct People {
    pub audience: Audience,
    /// The directory read the scope rests on (`None`: never read).
    pub read_at: Option<DateTime<Utc>>,
    pub standing: Standing,
    /// Their ids, lower case (Graph compares ids without case).
    ids: HashSet<String>,
}

/// What a scope's answers are cached under: the audience and the directory read it rests on.
pub type ScopeKey = (Audience, Option<DateTime<Utc>>);

impl People {
    pub fn contains(&self, user_id: &str) -> bool {
        self.ids.contains(&user_id.to_ascii_lowercase())
    }

    pub fn ids(&self) -> &HashSet<String> {
        &self.ids
    }

    /// How many people the directory puts under the requester.
    pub fn count(&self) -> usize {
        self.ids.len()
    }

    pub fn key(&self) -> ScopeKey {
        (self.audience.clone(), self.read_at)
    }
}

impl Scope {
    /// `audience` resolved against `directory` (read at `read_at`; `None` before its first
    /// read, when a reporting line sees no one).
    pub fn resolve(audience: &Audience, directory: Option<(&Directory, DateTime<Utc>)>) -> Scope {
        let person = match audience {
            Audience::Everyone => return Scope::Everyone,
            Audience::ReportingLine(person) => Some(person),
            Audience::Nobody => None,
        };
        let found = person.zip(directory).and_then(|(person, (directory, _))| {
            directory.find(person).map(|user| (user, directory))
        });
        let (standing, ids) = match (directory, found) {
            (None, _) => (Standing::NoDirectory, HashSet::new()),
            (Some(_), None) => (Standing::NotListed, HashSet::new()),
            (Some(_), Some((user, directory))) => {
                (Standing::Listed, directory.people_under(&user.id))
            }
        };
        Scope::People(Arc::new(People {
            audience: audience.clone(),
            read_at: directory.map(|(_, read_at)| read_at),
            standing,
            ids,
        }))
    }

    pub fn people(&self) -> Option<&Arc<People>> {
        match self {
            Scope::Everyone => None,
            Scope::People(people) => Some(people),
        }
    }

    /// Whether `user_id`'s spend is within the scope.
    pub fn allows(&self, user_id: &str) -> bool {
        self.people().is_none_or(|people| people.contains(user_id))
    }

    pub fn key(&self) -> Option<ScopeKey> {
        self.people().map(|people| people.key())
    }
}

impl Directory {
    /// The directory's entry for `person` (ids and UPNs compared without case).
    pub fn find(&self, person: &Person) -> Option<&DirectoryUser> {
        match person {
            Person::ObjectId(id) => self.user(id),
            Person::Upn(upn) => self.user_by_upn(upn),
        }
    }
}

impl RangeData {
    /// The range's data of `people` only: every answer built from it (summary, users, top
    /// users, locations, spend by organisation, downloads) counts their rows and no one
    /// else's. Rows without a user id belong to no one's reporting line. The counts of
    /// incomplete and repeated rows are the whole report's and are left out.
    pub fn restricted_to(&self, people: &People) -> RangeData {
        let facts = self
            .facts
            .iter()
            .filter(|fact| people.contains(fact.user_id()))
            .cloned()
            .collect::<Vec<_>>();
        let stats = MergeStats {
            input_rows: facts.len(),
            output_rows: facts.len(),
            ..MergeStats::default()
        };
        RangeData::from_facts(self.range, facts, stats)
            .with_store_state(self.missing.clone(), self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DateRange;
    use graph_client::DialoutRow;
    use rust_decimal::Decimal;

    fn managed(id: &str, upn: &str, manager: Option<&str>) -> DirectoryUser {
        DirectoryUser {
            id: id.into(),
            user_principal_name: Some(upn.into()),
            manager_id: manager.map(str::to_string),
            ..Default::default()
        }
    }

    fn directory() -> Directory {
        Directory::new(Arc::new(vec![
            managed("top", "top@contoso.example", None),
            managed("ada", "Ada.Manager@contoso.example", Some("top")),
            managed("ben", "ben@contoso.example", Some("ada")),
            managed("cy", "cy@contoso.example", Some("ben")),
            managed("dee", "dee@contoso.example", Some("top")),
        ]))
    }

    fn row(user: Option<&str>, charge: i64) -> DialoutRow {
        DialoutRow {
            user_id: user.map(str::to_string),
            user_principal_name: user.map(|user| format!("{user}@contoso.example")),
            user_display_name: user.map(str::to_string),
            usage_location: Some("US".into()),
            destination_context: Some("Domestic".into()),
            currency: Some("USD".into()),
            total_calls: Some(1),
            total_call_charge: Some(Decimal::from(charge)),
            total_call_seconds: Some(60),
        }
    }

    fn people(scope: &Scope) -> Vec<String> {
        let mut ids: Vec<String> = scope.people().unwrap().ids().iter().cloned().collect();
        ids.sort();
        ids
    }

    #[test]
    fn the_all_role_sees_everyone_and_others_their_reporting_line() {
        let rule = ScopeRule::ReportingLine {
            all_role: "Reports.ReadAll".into(),
        };
        let ada = Person::ObjectId("ADA".into());
        assert_eq!(
            rule.audience(ada.clone(), |role| role == "Reports.ReadAll"),
            Audience::Everyone
        );
        assert_eq!(
            rule.audience(ada.clone(), |role| role == "Reports.Read"),
            Audience::ReportingLine(ada.clone())
        );
        assert_eq!(
            ScopeRule::Everyone.audience(ada, |_| false),
            Audience::Everyone
        );
    }

    #[test]
    fn a_manager_is_found_by_object_id_or_upn_and_sees_every_level_below() {
        let directory = directory();
        let read_at = Utc::now();
        let by_oid = Scope::resolve(
            &Audience::ReportingLine(Person::ObjectId("ADA".into())),
            Some((&directory, read_at)),
        );
        assert_eq!(people(&by_oid), ["ben", "cy"]);
        assert_eq!(by_oid.people().unwrap().standing, Standing::Listed);
        let by_upn = Scope::resolve(
            &Audience::ReportingLine(Person::Upn("ada.manager@CONTOSO.example".into())),
            Some((&directory, read_at)),
        );
        assert_eq!(people(&by_upn), ["ben", "cy"]);
        assert!(by_upn.allows("BEN") && !by_upn.allows("dee") && !by_upn.allows("ada"));
        // Listed, managing no one: sees no one.
        let cy = Scope::resolve(
            &Audience::ReportingLine(Person::Upn("cy@contoso.example".into())),
            Some((&directory, read_at)),
        );
        assert!(people(&cy).is_empty());
        assert_eq!(cy.people().unwrap().standing, Standing::Listed);
    }

    #[test]
    fn without_the_directory_or_a_place_in_it_a_scope_holds_no_one() {
        let directory = directory();
        let stranger = Audience::ReportingLine(Person::ObjectId("zed".into()));
        let scope = Scope::resolve(&stranger, Some((&directory, Utc::now())));
        assert_eq!(scope.people().unwrap().standing, Standing::NotListed);
        assert!(people(&scope).is_empty());
        let unread = Scope::resolve(&stranger, None);
        assert_eq!(unread.people().unwrap().standing, Standing::NoDirectory);
        let unnamed = Scope::resolve(&Audience::Nobody, Some((&directory, Utc::now())));
        assert!(people(&unnamed).is_empty() && !unnamed.allows("ben"));
        assert!(Scope::resolve(&Audience::Everyone, None).allows("anyone"));
    }

    #[test]
    fn restricted_data_counts_the_scopes_people_only() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let data = RangeData::build(
            DateRange { from: day, to: day },
            vec![
                row(Some("ben"), 3),
                row(Some("CY"), 4),
                row(Some("dee"), 100),
                row(None, 1_000),
            ],
            MergeStats::default(),
        )
        .with_store_state(Vec::new(), 7);
        let scope = Scope::resolve(
            &Audience::ReportingLine(Person::ObjectId("ada".into())),
            Some((&directory(), Utc::now())),
        );
        let scoped = data.restricted_to(scope.people().unwrap());
        let summary = scoped.summary();
        assert_eq!(summary.currencies.len(), 1);
        assert_eq!(summary.currencies[0].totals.charge, Decimal::from(7));
        assert_eq!(summary.currencies[0].users, 2);
        assert_eq!(scoped.version, 7);
        assert!(scoped.user_detail("dee").is_none());
        assert!(scoped.user_detail("ben").is_some());
        assert_eq!(scoped.rows().len(), 2);
    }
}
