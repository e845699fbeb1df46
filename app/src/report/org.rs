//! Spend by organisation: each person's spend counted under their department, cost centre,
//! division, company or office as the directory (Graph's `/users`, read by the sync) gives it,
//! per currency (never added across currencies). People the report names but the directory
//! does not (deleted accounts, guests) are counted under "not in the directory", never
//! dropped; people in it without the value under "unassigned". Pure: no I/O.
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use graph_client::DirectoryUser;

use super::dataset::RangeData;
use crate::model::Totals;

/// What spend is grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrgDimension {
    Department,
    CostCenter,
    Division,
    Company,
    Office,
}

impl OrgDimension {
    pub const ALL: [OrgDimension; 5] = [
        OrgDimension::Department,
        OrgDimension::CostCenter,
        OrgDimension::Division,
        OrgDimension::Company,
        OrgDimension::Office,
    ];

    /// The name in URLs and files: `department`, `cost_center`, …
    pub fn name(self) -> &'static str {
        match self {
            OrgDimension::Department => "department",
            OrgDimension::CostCenter => "cost_center",
            OrgDimension::Division => "division",
            OrgDimension::Company => "company",
            OrgDimension::Office => "office",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|dimension| dimension.name() == name)
    }

    /// The grouping's name on the page.
    pub fn title(self) -> crate::i18n::Msg {
        use crate::i18n::Msg;
        match self {
            OrgDimension::Department => Msg::OrgDepartment,
            OrgDimension::CostCenter => Msg::OrgCostCenter,
            OrgDimension::Division => Msg::OrgDivision,
            OrgDimension::Company => Msg::OrgCompany,
            OrgDimension::Office => Msg::OrgOffice,
        }
    }

    /// Where a person the directory lists is counted.
    fn group(self, user: &DirectoryUser) -> OrgGroup {
        self.value(user)
            .map_or(OrgGroup::Unassigned, |value| OrgGroup::Named(value.into()))
    }

    fn value(self, user: &DirectoryUser) -> Option<&str> {
        match self {
            OrgDimension::Department => user.department.as_deref(),
            OrgDimension::CostCenter => user.cost_center.as_deref(),
            OrgDimension::Division => user.division.as_deref(),
            OrgDimension::Company => user.company_name.as_deref(),
            OrgDimension::Office => user.office_location.as_deref(),
        }
    }
}

/// Where a person's spend is counted. Named groups sort first (by name), then the two others.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrgGroup {
    Named(String),
    /// In the directory, without a value for the dimension.
    Unassigned,
    /// Named by the report, absent from the directory.
    NotInDirectory,
}

/// One group's spend in one currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgRow {
    pub group: OrgGroup,
    pub currency: String,
    /// People with spend in this currency in the group.
    pub people: u32,
    pub totals: Totals,
}

/// The directory indexed by object id (ids compared without case, as Graph's are), and by
/// manager.
#[derive(Debug)]
pub struct Directory {
    users: Arc<Vec<DirectoryUser>>,
    by_id: HashMap<String, usize>,
    /// Indexes by UPN (lower case): a sign-in proxy names people by it.
    by_upn: HashMap<String, usize>,
    /// Each manager's direct reports (indexes into `users`).
    reports: HashMap<String, Vec<usize>>,
}

impl Directory {
    pub fn new(users: Arc<Vec<DirectoryUser>>) -> Self {
        let by_id = users
            .iter()
            .enumerate()
            .map(|(index, user)| (user.id.to_ascii_lowercase(), index))
            .collect();
        let by_upn = users
            .iter()
            .enumerate()
            .filter_map(|(index, user)| {
                let upn = user.user_principal_name.as_deref()?;
                Some((upn.to_lowercase(), index))
            })
            .collect();
        let mut reports: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, user) in users.iter().enumerate() {
            if let Some(manager) = &user.manager_id {
                reports
                    .entry(manager.to_ascii_lowercase())
                    .or_default()
                    .push(index);
            }
        }
        Directory {
            users,
            by_id,
            by_upn,
            reports,
        }
    }

    /// The ids (lower case) of everyone who reports to `manager_id` directly or indirectly,
    /// not the manager: the people a reporting-line scope lets a manager see. A loop in the
    /// directory's manager links (it happens while an HR system is mid-change) ends the walk
    /// instead of running for ever.
    pub fn people_under(&self, manager_id: &str) -> std::collections::HashSet<String> {
        let manager = manager_id.to_ascii_lowercase();
        let mut found = std::collections::HashSet::new();
        let mut next = vec![manager.clone()];
        while let Some(id) = next.pop() {
            for &index in self.reports.get(&id).into_iter().flatten() {
                let person = self.users[index].id.to_ascii_lowercase();
                if person != manager && found.insert(person.clone()) {
                    next.push(person);
                }
            }
        }
        found
    }

    pub fn user(&self, id: &str) -> Option<&DirectoryUser> {
        self.by_id
            .get(&id.to_ascii_lowercase())
            .map(|index| &self.users[*index])
    }

    pub fn user_by_upn(&self, upn: &str) -> Option<&DirectoryUser> {
        self.by_upn
            .get(&upn.to_lowercase())
            .map(|index| &self.users[*index])
    }

    pub fn group_of(&self, dimension: OrgDimension, user_id: &str) -> OrgGroup {
        self.user(user_id)
            .map_or(OrgGroup::NotInDirectory, |user| dimension.group(user))
    }
}

/// The directory's index, built again only when the sync has read the directory again.
#[derive(Debug, Default)]
pub struct DirectoryIndex(
    std::sync::Mutex<Option<(chrono::DateTime<chrono::Utc>, Arc<Directory>)>>,
);

impl DirectoryIndex {
    pub fn of(&self, snapshot: &report_store::DirectorySnapshot) -> Arc<Directory> {
        if let Some((read_at, directory)) = &*self.lock()
            && *read_at == snapshot.read_at
        {
            return Arc::clone(directory);
        }
        // Indexed outside the lock (100,000 people take a moment, once a day): requests meanwhile
        // wait on nothing; two may index the same read, and one index is kept.
        let built = Arc::new(Directory::new(Arc::clone(&snapshot.users)));
        let mut held = self.lock();
        match &*held {
            Some((read_at, directory)) if *read_at == snapshot.read_at => Arc::clone(directory),
            _ => {
                *held = Some((snapshot.read_at, Arc::clone(&built)));
                built
            }
        }
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, Option<(chrono::DateTime<chrono::Utc>, Arc<Directory>)>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The directory's columns in the downloads: one per [`OrgDimension`], then whether the
/// person is in the directory (`listed`, `not_in_directory`; empty before its first read).
pub const EXPORT_COLUMNS: [&str; 6] = [
    "department",
    "cost_center",
    "division",
    "company",
    "office",
    "directory",
];

/// A person's values for [`EXPORT_COLUMNS`].
pub fn export_values(directory: Option<&Directory>, user_id: Option<&str>) -> [String; 6] {
    let Some(directory) = directory else {
        return Default::default();
    };
    match user_id.and_then(|id| directory.user(id)) {
        None => [
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            "not_in_directory".into(),
        ],
        Some(user) => {
            let value =
                |dimension: OrgDimension| dimension.value(user).unwrap_or_default().to_string();
            [
                value(OrgDimension::Department),
                value(OrgDimension::CostCenter),
                value(OrgDimension::Division),
                value(OrgDimension::Company),
                value(OrgDimension::Office),
                "listed".into(),
            ]
        }
    }
}

/// The users table's filter by a group of the directory (`UserFilters::org`): `department:Sales`,
/// `cost_center:` (in the directory without a cost centre), or `not_in_directory`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgFilter {
    pub dimension: OrgDimension,
    pub group: OrgGroup,
}

/// The filter's name for people the directory does not list.
const NOT_IN_DIRECTORY: &str = "not_in_directory";

impl OrgFilter {
    pub fn parse(text: &str) -> Result<Self, String> {
        if text == NOT_IN_DIRECTORY {
            // Missing from the directory is missing under every dimension.
            return Ok(OrgFilter {
                dimension: OrgDimension::Department,
                group: OrgGroup::NotInDirectory,
            });
        }
        let parsed = text.split_once(':').and_then(|(name, value)| {
            let group = match value {
                "" => OrgGroup::Unassigned,
                value => OrgGroup::Named(value.to_string()),
            };
            OrgDimension::parse(name).map(|dimension| OrgFilter { dimension, group })
        });
        parsed.ok_or_else(|| {
            let names: Vec<&str> = OrgDimension::ALL.iter().map(|d| d.name()).collect();
            format!(
                "the organisation filter is {text:?}: it is {NOT_IN_DIRECTORY} or a grouping ({}), a colon and a value",
                names.join(", ")
            )
        })
    }

    /// The filter's text, as [`Self::parse`] reads it.
    pub fn name(&self) -> String {
        match &self.group {
            OrgGroup::NotInDirectory => NOT_IN_DIRECTORY.to_string(),
            OrgGroup::Unassigned => format!("{}:", self.dimension.name()),
            OrgGroup::Named(value) => format!("{}:{value}", self.dimension.name()),
        }
    }

    pub fn admits(&self, directory: &Directory, user_id: &str) -> bool {
        directory.group_of(self.dimension, user_id) == self.group
    }
}

/// A range's organisation choices and (weakly) the directory index they were found in.
pub(super) type OrgChoices = (std::sync::Weak<Directory>, Arc<Vec<String>>);

impl RangeData {
    /// [`Self::org_choices`], worked out once per range and directory read: every users page
    /// carries them.
    pub fn org_choices_of(&self, directory: &Arc<Directory>) -> Arc<Vec<String>> {
        let mut held = self
            .org_choices
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let index = Arc::downgrade(directory);
        match &*held {
            Some((from, choices)) if std::sync::Weak::ptr_eq(from, &index) => Arc::clone(choices),
            _ => {
                let choices = Arc::new(self.org_choices(directory));
                *held = Some((index, Arc::clone(&choices)));
                choices
            }
        }
    }

    /// Every group of the directory the range's people are in, as [`OrgFilter`]s name them:
    /// grouping by grouping (named groups A to Z, then "none"), then `not_in_directory` when
    /// someone is missing from it.
    pub fn org_choices(&self, directory: &Directory) -> Vec<String> {
        // Each person looked up once, then placed under every dimension.
        let mut missing = false;
        let mut groups: [std::collections::BTreeSet<OrgGroup>; 5] = Default::default();
        for entry in &self.users {
            match directory.user(entry.user_id(&self.facts)) {
                None => missing = true,
                Some(user) => {
                    for (dimension, found) in OrgDimension::ALL.into_iter().zip(&mut groups) {
                        found.insert(dimension.group(user));
                    }
                }
            }
        }
        let mut choices: Vec<String> = OrgDimension::ALL
            .into_iter()
            .zip(groups)
            .flat_map(|(dimension, found)| {
                found
                    .into_iter()
                    .map(move |group| OrgFilter { dimension, group }.name())
            })
            .collect();
        if missing {
            choices.push(NOT_IN_DIRECTORY.to_string());
        }
        choices
    }
}

/// A range's spend by one dimension, and what the directory behind it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgSpend {
    pub dimension: OrgDimension,
    /// Empty when the directory was never read.
    pub rows: Vec<OrgRow>,
    /// When the directory was read; `None`: never (the permission may be missing).
    pub read_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Why the last read failed (the rows, if any, are from an older read).
    pub error: Option<String>,
}

impl RangeData {
    /// The range's spend per group of `dimension` and currency: by currency, then the highest
    /// charge first (amounts of one currency only), then by group.
    pub fn spend_by(&self, directory: &Directory, dimension: OrgDimension) -> Vec<OrgRow> {
        let mut groups: BTreeMap<(String, OrgGroup), (u32, Totals)> = BTreeMap::new();
        for entry in &self.users {
            let user_id = entry.user_id(&self.facts);
            let key = (
                entry.currency(&self.facts).to_string(),
                directory.group_of(dimension, user_id),
            );
            let (people, totals) = groups.entry(key).or_default();
            *people += 1;
            totals.add(&entry.totals);
        }
        let mut rows: Vec<OrgRow> = groups
            .into_iter()
            .map(|((currency, group), (people, totals))| OrgRow {
                group,
                currency,
                people,
                totals,
            })
            .collect();
        rows.sort_by(|a, b| {
            a.currency
                .cmp(&b.currency)
                .then_with(|| b.totals.charge.cmp(&a.totals.charge))
                .then_with(|| a.group.cmp(&b.group))
        });
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DateRange;
    use graph_client::{DialoutRow, MergeStats};
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn row(user: &str, currency: &str, charge: &str) -> DialoutRow {
        DialoutRow {
            user_id: Some(user.into()),
            user_principal_name: Some(format!("{user}@contoso.example")),
            user_display_name: Some(user.into()),
            usage_location: Some("US".into()),
            destination_context: Some("Domestic".into()),
            currency: Some(currency.into()),
            total_calls: Some(1),
            total_call_charge: Some(Decimal::from_str(charge).unwrap()),
            total_call_seconds: Some(60),
        }
    }

    fn person(id: &str, department: Option<&str>) -> DirectoryUser {
        DirectoryUser {
            id: id.into(),
            department: department.map(str::to_string),
            ..Default::default()
        }
    }

    #[test]
    fn counts_everyone_once_per_currency_under_their_group() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let data = RangeData::build(
            DateRange { from: day, to: day },
            vec![
                row("a", "USD", "1.10"),
                row("b", "USD", "2.20"),
                row("c", "USD", "0.05"),
                row("d", "USD", "9"),
                row("a", "EUR", "3"),
            ],
            MergeStats::default(),
        );
        let directory = Directory::new(Arc::new(vec![
            person("A", Some("Sales")),
            person("b", Some("Sales")),
            person("c", None),
        ]));
        let rows = data.spend_by(&directory, OrgDimension::Department);
        let summary: Vec<(&str, OrgGroup, u32, Decimal)> = rows
            .iter()
            .map(|row| {
                (
                    row.currency.as_str(),
                    row.group.clone(),
                    row.people,
                    row.totals.charge,
                )
            })
            .collect();
        let dec = |text| Decimal::from_str(text).unwrap();
        assert_eq!(
            summary,
            vec![
                ("EUR", OrgGroup::Named("Sales".into()), 1, dec("3")),
                ("USD", OrgGroup::NotInDirectory, 1, dec("9")),
                ("USD", OrgGroup::Named("Sales".into()), 2, dec("3.30")),
                ("USD", OrgGroup::Unassigned, 1, dec("0.05")),
            ]
        );
        assert_eq!(
            OrgDimension::parse("cost_center"),
            Some(OrgDimension::CostCenter)
        );
        assert_eq!(OrgDimension::parse("costcentre"), None);
    }

    #[test]
    fn the_users_filter_names_each_group_and_reads_its_name_back() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let data = RangeData::build(
            DateRange { from: day, to: day },
            vec![
                row("a", "USD", "1"),
                row("b", "USD", "2"),
                row("gone", "EUR", "3"),
            ],
            MergeStats::default(),
        );
        let directory = Directory::new(Arc::new(vec![
            person("a", Some("Sales")),
            person("b", None),
        ]));
        let choices = data.org_choices(&directory);
        assert_eq!(choices[..2], ["department:Sales", "department:"]);
        assert_eq!(choices.last().map(String::as_str), Some("not_in_directory"));
        assert!(choices.contains(&"cost_center:".to_string()));
        for choice in &choices {
            assert_eq!(&OrgFilter::parse(choice).unwrap().name(), choice);
        }
        let sales = OrgFilter::parse("department:Sales").unwrap();
        assert!(sales.admits(&directory, "A") && !sales.admits(&directory, "b"));
        let gone = OrgFilter::parse("not_in_directory").unwrap();
        assert!(gone.admits(&directory, "gone") && !gone.admits(&directory, "a"));
        // A value may hold a colon; an unknown grouping is refused by name.
        assert_eq!(
            OrgFilter::parse("office:Lisbon: Tower 2").unwrap().group,
            OrgGroup::Named("Lisbon: Tower 2".into())
        );
        let refused = OrgFilter::parse("team:Blue").unwrap_err();
        assert!(refused.contains("cost_center"), "{refused}");
        assert!(OrgFilter::parse("Sales").is_err());
    }

    #[test]
    fn people_under_a_manager_reach_every_level_and_survive_a_loop() {
        let managed = |id: &str, manager: &str| DirectoryUser {
            id: id.into(),
            manager_id: Some(manager.into()),
            ..Default::default()
        };
        let directory = Directory::new(Arc::new(vec![
            person("top", None),
            managed("ada", "top"),
            managed("x", "ADA"),
            managed("ben", "x"),
            managed("y", "ada"),
            managed("other", "top"),
            // A loop below Ada: y manages z, z manages y.
            managed("z", "y"),
            DirectoryUser {
                manager_id: Some("z".into()),
                ..managed("y", "z")
            },
        ]));
        let mut under: Vec<String> = directory.people_under("Ada").into_iter().collect();
        under.sort();
        assert_eq!(under, ["ben", "x", "y", "z"]);
        assert!(directory.people_under("ben").is_empty(), "manages no one");
        assert_eq!(directory.people_under("top").len(), 6);
        assert!(directory.people_under("nobody").is_empty());
    }
}
