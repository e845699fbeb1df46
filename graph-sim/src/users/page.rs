//! One page of `GET /v1.0/users`: which people it holds, and its JSON.

use serde::Serialize;
use serde::ser::SerializeMap;

use super::query::{Selection, UserProperty, UsersQuery};
use crate::data::directory::{Directory, DirectoryUser};
use crate::odata::next_link::NextLinkJson;
use crate::report::page::PageStyle;

/// A listed person and, when `$expand=manager` asks for it, their manager.
pub struct Listed {
    pub user: DirectoryUser,
    pub manager: Option<DirectoryUser>,
}

pub struct UsersPage {
    pub users: Vec<Listed>,
    /// The entry the next page starts at: `None` when no one in the directory is left.
    pub next_entry: Option<u32>,
}

/// The first `query.top` people in the directory from entry `query.start` on. People not in
/// the directory are skipped, so a page is never short but the last, and never empty but the
/// only one.
pub fn collect(directory: &Directory, query: &UsersQuery) -> UsersPage {
    let listed = |entry: &u32| directory.contains(directory.entry(*entry));
    let mut entries = (query.start..directory.entries()).filter(listed);
    let users = entries
        .by_ref()
        .take(query.top)
        .filter_map(|entry| directory.user(directory.entry(entry)))
        .map(|user| Listed {
            manager: query
                .manager
                .and(user.manager)
                .and_then(|manager| directory.user(manager)),
            user,
        })
        .collect();
    UsersPage {
        users,
        next_entry: entries.next(),
    }
}

/// Graph's type annotation on an expanded manager (a `directoryObject` that is a user).
const USER_TYPE: &str = "#microsoft.graph.user";

/// A user's JSON: the selected properties in schema order, then the manager if expanded.
/// `manager` is left out for a person without one, as Graph does.
struct UserJson<'a> {
    user: &'a DirectoryUser,
    select: Selection,
    /// Set on an expanded manager.
    odata_type: Option<&'static str>,
    manager: Option<(&'a DirectoryUser, Selection)>,
}

impl Serialize for UserJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (user, facts) = (self.user, &self.user.facts);
        let mut map = serializer.serialize_map(None)?;
        if let Some(odata_type) = self.odata_type {
            map.serialize_entry("@odata.type", odata_type)?;
        }
        for property in self.select.properties() {
            let name = property.name();
            match property {
                UserProperty::Id => map.serialize_entry(name, &user.id),
                UserProperty::DisplayName => map.serialize_entry(name, &user.display_name),
                UserProperty::UserPrincipalName => {
                    map.serialize_entry(name, &user.user_principal_name)
                }
                UserProperty::Department => map.serialize_entry(name, &facts.department),
                UserProperty::CompanyName => map.serialize_entry(name, &facts.company_name),
                UserProperty::OfficeLocation => map.serialize_entry(name, &facts.office_location),
                UserProperty::Country => map.serialize_entry(name, &facts.country),
                UserProperty::EmployeeOrgData => {
                    map.serialize_entry(name, &facts.employee_org_data)
                }
            }?;
        }
        if let Some((manager, select)) = self.manager {
            let manager = UserJson {
                user: manager,
                select,
                odata_type: Some(USER_TYPE),
                manager: None,
            };
            map.serialize_entry("manager", &manager)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct UsersPageJson<'a> {
    #[serde(rename = "@odata.context")]
    context: &'a str,
    #[serde(flatten)]
    next_link: NextLinkJson<'a>,
    value: Vec<UserJson<'a>>,
}

/// The body of one page.
pub fn render(
    page: &UsersPage,
    query: &UsersQuery,
    context: &str,
    next_link: Option<&str>,
    style: PageStyle,
) -> serde_json::Result<Vec<u8>> {
    let value = page
        .users
        .iter()
        .map(|listed| UserJson {
            user: &listed.user,
            select: query.properties(),
            odata_type: None,
            manager: listed.manager.as_ref().zip(query.manager),
        })
        .collect();
    let body = UsersPageJson {
        context,
        next_link: NextLinkJson::new(next_link, style.next_link_key),
        value,
    };
    crate::json::to_vec(&body, style.escape_non_ascii)
}
