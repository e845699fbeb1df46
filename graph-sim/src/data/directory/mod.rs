//! The simulated Entra ID directory behind `GET /v1.0/users`: the report's users with their
//! organisation and managers, derived on demand from (seed, user index) like the rest of the
//! data, so a directory of 100,000 people costs no memory.
//!
//! Facts a test can rely on (any seed, with at least ~200 users):
//! - The directory lists the report's users with the same object ids, principal names and
//!   display names as the report, except those **not in the directory**: every user the report
//!   names without a principal name or a display name (deleted accounts), and 1% more (accounts
//!   removed since). They appear in the report but never in `/v1.0/users`, so nobody reports
//!   to them. About 4% of the report's users in all (77 of 2,000 with the default seed).
//! - Two more people, the sign-in [`TEST_USERS`](crate::TEST_USERS), are in the directory and
//!   make no calls: **Ada Manager** (`aaaaaaaa-0000-4000-8000-000000000001`) heads a unit of
//!   Sales two levels below the top (the place [`tree::FIRST_UNIT`]), with three levels of
//!   people reporting to her directly or indirectly at 2,000 users (146 report users and Ben
//!   with the default seed) and six at 100,000 (5,897 report users). **Ben Employee**
//!   (`bbbbbbbb-0000-4000-8000-000000000002`) reports to the first person in the tree among
//!   those below Ada, nearest first: one of her direct reports (as long as one of the five
//!   places below her holds someone in the directory with a manager), so he is two levels
//!   below her; he manages no one. Both have complete, fixed facts: Sales, `CC-1100`,
//!   Commercial, Contoso Ltd., Seattle, United States.
//! - Managers form a tree (`tree.rs`): each place has five below it, filled level by level. A
//!   person's manager is the nearest place above whose person is in the tree: someone not in
//!   the directory, or one of the 2% of people with no manager (who also manage no one), is
//!   skipped. The top has no manager. The longest chains have five managers (six levels) at
//!   2,000 users and eight at 100,000; if the top's own account is not in the directory (a few
//!   percent of seeds; not the default), the five below it have no manager either and chains
//!   are one shorter. A manager always sits higher, so there are no cycles.
//! - Departments follow the unit two levels below the top (eight departments in turn; the six
//!   people above the units are the Executive Office), cost centres the team three levels
//!   below (`CC-1100`.. for Sales, each in one department), divisions group departments
//!   (Commercial, Technology, Corporate). Country (its English name), company (three: Contoso
//!   Ltd., Contoso Europe B.V., Contoso Asia Pacific Pte. Ltd.) and office follow the user's
//!   main usage location. A few percent of people lack a department, `employeeOrgData` (or a
//!   cost centre or division in it), a company, an office or a country (`org.rs`).
//! - `/v1.0/users` lists people in tree order (the top first, Ada at her place, Ben last).

mod org;
mod tree;

pub use org::{OrgFacts, OrgField};

use super::Dataset;
use crate::error::SimError;
use crate::rng::{SplitMix64, Stream};
use crate::test_users::{ADA, BEN, TestUser};

/// Someone who may be in the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Member {
    /// A user of the report, by index.
    User(u32),
    Ada,
    Ben,
}

/// One person as `/v1.0/users` lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryUser {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
    pub facts: OrgFacts,
    pub manager: Option<Member>,
}

/// Made-up keys within `Stream::Directory` (`org.rs` has its own).
const KEY_REMOVED: u64 = 1;
const KEY_NO_MANAGER: u64 = 2;
/// Share, in per mille, of users with both names who are still not in the directory.
const REMOVED_PERMILLE: u32 = 10;
/// Share, in per mille, of people with no manager (and no reports) besides the top.
const NO_MANAGER_PERMILLE: u32 = 20;

/// The directory of one dataset. Cheap to make: it holds nothing but the dataset.
pub struct Directory<'a> {
    dataset: &'a Dataset,
    /// Ada's place: [`tree::FIRST_UNIT`], or the last place in a tenant too small for it.
    ada_position: u32,
}

impl<'a> Directory<'a> {
    pub fn new(dataset: &'a Dataset) -> Self {
        Self {
            dataset,
            ada_position: tree::FIRST_UNIT.min(dataset.user_count()),
        }
    }

    /// Places in the tree: every report user, and Ada. Ben has none (he sits under a manager
    /// chosen in [`Self::ben_manager`]).
    fn positions(&self) -> u32 {
        self.dataset.user_count() + 1
    }

    /// Entries of the listing, in its order: the tree's places, then Ben. Some are not in the
    /// directory and are skipped.
    pub fn entries(&self) -> u32 {
        self.positions() + 1
    }

    pub fn entry(&self, entry: u32) -> Member {
        if entry < self.positions() {
            self.member_at(entry)
        } else {
            Member::Ben
        }
    }

    fn member_at(&self, position: u32) -> Member {
        use std::cmp::Ordering::*;
        match position.cmp(&self.ada_position) {
            Less => Member::User(position),
            Equal => Member::Ada,
            Greater => Member::User(position - 1),
        }
    }

    fn position(&self, member: Member) -> Option<u32> {
        match member {
            Member::User(user) if user < self.ada_position => Some(user),
            Member::User(user) => Some(user + 1),
            Member::Ada => Some(self.ada_position),
            Member::Ben => None,
        }
    }

    fn keyed_permille(&self, key: u64, user: u32, permille: u32) -> bool {
        SplitMix64::keyed(self.dataset.seed(), Stream::Directory, &[key, user.into()]).below(1000)
            < permille
    }

    /// Whether `/v1.0/users` lists this person.
    pub fn contains(&self, member: Member) -> bool {
        match member {
            Member::User(user) => {
                self.dataset.has_both_names(user)
                    && !self.keyed_permille(KEY_REMOVED, user, REMOVED_PERMILLE)
            }
            Member::Ada | Member::Ben => true,
        }
    }

    /// Listed, and part of the tree: has a manager (or is the top) and may manage.
    fn in_tree(&self, member: Member) -> bool {
        self.contains(member)
            && match member {
                Member::User(user) => {
                    self.position(member) == Some(0)
                        || !self.keyed_permille(KEY_NO_MANAGER, user, NO_MANAGER_PERMILLE)
                }
                Member::Ada | Member::Ben => true,
            }
    }

    /// Whether the person at `position` has people reporting to them when any are below.
    fn manages(&self, position: u32) -> bool {
        self.in_tree(self.member_at(position))
    }

    /// The nearest place above `position` whose person manages.
    fn manager_above(&self, position: u32) -> Option<u32> {
        std::iter::successors(tree::parent(position), |&p| tree::parent(p))
            .find(|&p| self.manages(p))
    }

    /// The first of Ada's people who manages, nearest first; Ada herself in a tenant too small
    /// to have one.
    fn ben_manager(&self) -> u32 {
        tree::below(self.ada_position, self.positions())
            .find(|&p| self.manages(p))
            .unwrap_or(self.ada_position)
    }

    fn manager_position(&self, member: Member) -> Option<u32> {
        if !self.in_tree(member) {
            return None;
        }
        match self.position(member) {
            Some(position) => self.manager_above(position),
            None => Some(self.ben_manager()),
        }
    }

    pub fn manager(&self, member: Member) -> Option<Member> {
        self.manager_position(member).map(|p| self.member_at(p))
    }

    /// Whether `member` reports to the person at `head`, directly or indirectly. A manager
    /// chain is the person's manager and the nearest manager above each manager.
    fn reports_to(&self, member: Member, head: u32) -> bool {
        std::iter::successors(self.manager_position(member), |&p| self.manager_above(p))
            .any(|p| p == head)
    }

    /// Everyone in the directory who reports to `head` directly or indirectly (not `head`),
    /// in listing order.
    pub fn reports(&self, head: Member) -> Vec<Member> {
        let Some(head) = self.position(head).filter(|&p| self.manages(p)) else {
            return Vec::new();
        };
        (0..self.entries())
            .map(|entry| self.entry(entry))
            .filter(|&member| self.contains(member) && self.reports_to(member, head))
            .collect()
    }

    /// The object id (the report's `userId` for a report user).
    pub fn object_id(&self, member: Member) -> String {
        match member {
            Member::User(user) => self.dataset.identity(user).user_id,
            Member::Ada => ADA.object_id.to_owned(),
            Member::Ben => BEN.object_id.to_owned(),
        }
    }

    /// Whoever has this object id (case-insensitive), in the directory or only in the report.
    pub fn find(&self, object_id: &str) -> Option<Member> {
        [Member::Ada, Member::Ben]
            .into_iter()
            .chain((0..self.dataset.user_count()).map(Member::User))
            .find(|&member| self.object_id(member).eq_ignore_ascii_case(object_id))
    }

    /// The person in the directory with this object id.
    pub fn listed(&self, object_id: &str) -> Result<Member, SimError> {
        self.find(object_id)
            .filter(|&member| self.contains(member))
            .ok_or_else(|| SimError::NotInDirectory(object_id.to_owned()))
    }

    /// The object ids of everyone under the person with `object_id`, sorted: what
    /// `/_sim/directory/reports` answers.
    pub fn report_ids(&self, object_id: &str) -> Result<Vec<String>, SimError> {
        let mut ids: Vec<String> = self
            .reports(self.listed(object_id)?)
            .into_iter()
            .map(|member| self.object_id(member))
            .collect();
        ids.sort();
        Ok(ids)
    }

    /// The organisation's properties; `None` for someone not in the directory.
    pub fn facts(&self, member: Member) -> Option<OrgFacts> {
        if !self.contains(member) {
            return None;
        }
        Some(match member {
            Member::User(user) => org::generated_facts(
                self.dataset.seed(),
                user,
                self.position(member)?,
                self.dataset.primary_location(user),
            ),
            Member::Ada | Member::Ben => org::test_user_facts(),
        })
    }

    /// The person as `/v1.0/users` lists them; `None` for someone not in the directory.
    pub fn user(&self, member: Member) -> Option<DirectoryUser> {
        let facts = self.facts(member)?;
        let (id, display_name, user_principal_name) = match member {
            Member::User(user) => {
                let identity = self.dataset.identity(user);
                // `contains` holds only users with both names.
                (
                    identity.user_id,
                    identity.user_display_name?,
                    identity.user_principal_name?,
                )
            }
            Member::Ada => names(&ADA),
            Member::Ben => names(&BEN),
        };
        Some(DirectoryUser {
            id,
            display_name,
            user_principal_name,
            facts,
            manager: self.manager(member),
        })
    }
}

/// A test user's (object id, display name, principal name).
fn names(test_user: &TestUser) -> (String, String, String) {
    (
        test_user.object_id.to_owned(),
        test_user.display_name.to_owned(),
        test_user.user_principal_name.to_owned(),
    )
}

#[cfg(test)]
mod tests;
