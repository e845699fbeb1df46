//! The directory: who works where and who reports to whom, from
//! `GET /v1.0/users?$select=…&$expand=manager($select=id)&$top=100` (application permission
//! `User.Read.All`). Every page through the same transport as the report (token, retries, a
//! refused token refreshed once, Graph's errors typed), with its own rate limiter: the
//! directory has its own throttling budget at Graph and must not spend the report's. Next
//! links stay on the Graph origin and never repeat, as the report's.
use std::collections::HashSet;

use serde::Deserialize;
use tokio::time::Instant;
use url::Url;

use crate::client::GraphClient;
use crate::error::GraphError;
use crate::page::next_url;
use crate::ratelimit::{Priority, RateLimit, RateLimits};

/// The properties read: those the portal groups spend by, and the manager's id.
const SELECT: &str = "id,displayName,userPrincipalName,department,companyName,officeLocation,country,employeeOrgData";

/// Graph's largest page of users with `$expand`: 100 (999 without it).
const PAGE_SIZE: u32 = 100;

/// More pages than a directory of ten million people needs: a server that never stops paging
/// is refused, not followed for ever.
const MAX_PAGES: usize = 100_100;

/// The directory's limits: Graph's identity throttling gives an app 3,500 resource units per
/// 10 s in the smallest tenants, and a users page with `$select` and `$expand` costs 2; the
/// client keeps to 1,000 pages per 10 s, with the report's safety margin and background share.
pub(crate) fn directory_limits(report: &RateLimits) -> RateLimits {
    RateLimits {
        limits: vec![RateLimit {
            requests: 1_000,
            per: std::time::Duration::from_secs(10),
        }],
        ..report.clone()
    }
}

/// One person in the directory, as the portal keeps them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirectoryUser {
    /// The object id: the report's `userId`.
    pub id: String,
    pub user_principal_name: Option<String>,
    pub department: Option<String>,
    pub company_name: Option<String>,
    pub office_location: Option<String>,
    pub cost_center: Option<String>,
    pub division: Option<String>,
    /// `None` for a person without a manager.
    pub manager_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserJson {
    id: String,
    user_principal_name: Option<String>,
    department: Option<String>,
    company_name: Option<String>,
    office_location: Option<String>,
    employee_org_data: Option<OrgDataJson>,
    manager: Option<ManagerJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrgDataJson {
    cost_center: Option<String>,
    division: Option<String>,
}

#[derive(Deserialize)]
struct ManagerJson {
    id: Option<String>,
}

/// Blank text is no value: a department of `""` or `"  "` groups with those that have none.
fn value(text: Option<String>) -> Option<String> {
    text.map(|text| text.trim().to_string())
        .filter(|text| !text.is_empty())
}

impl From<UserJson> for DirectoryUser {
    fn from(user: UserJson) -> Self {
        let (cost_center, division) = user
            .employee_org_data
            .map(|org| (value(org.cost_center), value(org.division)))
            .unwrap_or_default();
        DirectoryUser {
            id: user.id,
            user_principal_name: value(user.user_principal_name),
            department: value(user.department),
            company_name: value(user.company_name),
            office_location: value(user.office_location),
            cost_center,
            division,
            manager_id: user.manager.and_then(|manager| value(manager.id)),
        }
    }
}

/// One page: its users and its next link (the key in any case, as the report's pages).
fn parse_users_page(body: &[u8]) -> Result<(Vec<DirectoryUser>, Option<String>), String> {
    let mut page: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(body).map_err(|error| error.to_string())?;
    let users = page
        .remove("value")
        .ok_or_else(|| "the page has no `value` array".to_string())?;
    let users: Vec<UserJson> = serde_json::from_value(users).map_err(|error| error.to_string())?;
    let next = page
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("@odata.nextLink"))
        .and_then(|(_, link)| link.as_str().map(str::to_string));
    Ok((users.into_iter().map(DirectoryUser::from).collect(), next))
}

impl GraphClient {
    /// The URL of the directory's first page.
    pub fn directory_url(&self) -> Result<Url, GraphError> {
        let mut url = Url::parse(&format!("{}/v1.0/users", self.config().graph().base()))
            .map_err(|error| GraphError::Setup(format!("cannot build the users URL: {error}")))?;
        url.query_pairs_mut()
            .append_pair("$select", SELECT)
            .append_pair("$expand", "manager($select=id)")
            .append_pair("$top", &PAGE_SIZE.to_string());
        Ok(url)
    }

    /// Everyone in the directory, following every page; any failure fails the whole read (a
    /// partial directory would put people under "not in the directory" who are in it).
    pub async fn fetch_directory(
        &self,
        priority: Priority,
    ) -> Result<Vec<DirectoryUser>, GraphError> {
        let graph = self.config().graph();
        let mut url = self.directory_url()?;
        let mut seen: HashSet<String> = HashSet::new();
        let mut users = Vec::new();
        loop {
            // Each page its own retry deadline: a large directory is thousands of pages.
            let deadline = Instant::now() + self.config().retry().deadline;
            let fetched = self.directory_get(&url, priority, deadline).await?;
            let (page, next) =
                parse_users_page(&fetched.body).map_err(|detail| GraphError::Protocol {
                    source_name: "Graph",
                    request_id: fetched.request_id.clone(),
                    detail: format!("a users page Graph sent could not be read: {detail}"),
                })?;
            users.extend(page);
            seen.insert(url.to_string());
            let Some(next) = next else {
                return Ok(users);
            };
            let next = next_url(graph, &url, &next)?;
            if seen.contains(next.as_str()) || seen.len() >= MAX_PAGES {
                return Err(GraphError::Protocol {
                    source_name: "Graph",
                    request_id: fetched.request_id,
                    detail: format!(
                        "the users' @odata.nextLink repeats a page or goes past {MAX_PAGES} pages: stopping"
                    ),
                });
            }
            url = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_users_page_with_and_without_the_optional_parts() {
        let body = br##"{"@odata.context":"x","value":[
            {"id":"a","displayName":"Ada","userPrincipalName":"ada@x","department":"Sales",
             "companyName":"Contoso","officeLocation":"Lisbon","country":"PT",
             "employeeOrgData":{"costCenter":"CC-1","division":"Commercial"},
             "manager":{"@odata.type":"#microsoft.graph.user","id":"m"}},
            {"id":"b","displayName":null,"department":" ","employeeOrgData":null}
        ],"@odata.NextLink":"https://graph.microsoft.com/v1.0/users?$skiptoken=2"}"##;
        let (users, next) = parse_users_page(body).unwrap();
        assert_eq!(
            next.as_deref(),
            Some("https://graph.microsoft.com/v1.0/users?$skiptoken=2")
        );
        assert_eq!(users[0].cost_center.as_deref(), Some("CC-1"));
        assert_eq!(users[0].manager_id.as_deref(), Some("m"));
        assert_eq!(
            users[1],
            DirectoryUser {
                id: "b".into(),
                ..Default::default()
            },
            "no manager, no organisation data, a blank department is none"
        );
        assert!(parse_users_page(br#"{"error":{}}"#).is_err());
        assert!(parse_users_page(br#"{"value":[{"displayName":"no id"}]}"#).is_err());
    }
}
