//! The query options of `GET /v1.0/users`: `$select`, `$expand=manager(...)`, `$top` and the
//! `$skiptoken` of a next link. Keys and values are percent-decoded first, so a client that
//! encodes `$`, `,`, `(` or `=` is read the same. Property names match case-insensitively, as
//! Graph's do; other system query options are refused (the simulator does not filter or sort).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use url::form_urlencoded;

use crate::odata::query::{option_not_allowed, option_repeated};

/// The user properties the simulator has, in the order a user's JSON writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserProperty {
    Id,
    DisplayName,
    UserPrincipalName,
    Department,
    CompanyName,
    OfficeLocation,
    Country,
    EmployeeOrgData,
}

impl UserProperty {
    pub const ALL: [Self; 8] = [
        Self::Id,
        Self::DisplayName,
        Self::UserPrincipalName,
        Self::Department,
        Self::CompanyName,
        Self::OfficeLocation,
        Self::Country,
        Self::EmployeeOrgData,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::DisplayName => "displayName",
            Self::UserPrincipalName => "userPrincipalName",
            Self::Department => "department",
            Self::CompanyName => "companyName",
            Self::OfficeLocation => "officeLocation",
            Self::Country => "country",
            Self::EmployeeOrgData => "employeeOrgData",
        }
    }
}

/// The properties to write. `id` is always written, as Graph does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection(u16);

impl Selection {
    /// Without `$select`: those of Graph's default properties the simulator has.
    pub const DEFAULT: Self = Self::of(&[
        UserProperty::DisplayName,
        UserProperty::UserPrincipalName,
        UserProperty::OfficeLocation,
    ]);
    /// A bare `$expand=manager` writes the manager whole.
    pub const ALL: Self = Self::of(&UserProperty::ALL);

    const fn of(properties: &[UserProperty]) -> Self {
        let mut bits = 1 << UserProperty::Id as u16;
        let mut i = 0;
        while i < properties.len() {
            bits |= 1 << properties[i] as u16;
            i += 1;
        }
        Self(bits)
    }

    pub fn contains(self, property: UserProperty) -> bool {
        self.0 & (1 << property as u16) != 0
    }

    pub fn properties(self) -> impl Iterator<Item = UserProperty> {
        UserProperty::ALL
            .into_iter()
            .filter(move |&p| self.contains(p))
    }

    /// `id,displayName,...`, as the context URL lists them.
    fn names(self) -> String {
        self.properties()
            .map(UserProperty::name)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// A `$select` value: property names separated by commas.
    fn parse(list: &str) -> Result<Self, String> {
        let mut properties = Vec::new();
        for name in list.split(',') {
            let property = UserProperty::ALL
                .into_iter()
                .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
                .ok_or_else(|| unknown_property(name))?;
            properties.push(property);
        }
        Ok(Self::of(&properties))
    }
}

fn unknown_property(name: &str) -> String {
    format!(
        "Parsing OData Select and Expand failed: Could not find a property named '{}' on type \
         'microsoft.graph.user'.",
        name.trim()
    )
}

/// Graph's largest and default page sizes for users.
pub const MAX_TOP: usize = 999;
pub const DEFAULT_TOP: usize = 100;
/// With `$expand`, Graph returns at most this many directory objects a page, whatever `$top`
/// asks (its documented limit for expanded queries).
pub const MAX_EXPANDED_TOP: usize = 100;

/// One request's options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsersQuery {
    /// `None`: no `$select`, so [`Selection::DEFAULT`].
    pub select: Option<Selection>,
    /// The manager's properties when `$expand=manager` is asked.
    pub manager: Option<Selection>,
    pub top: usize,
    /// The listing entry this page starts at (from `$skiptoken`).
    pub start: u32,
}

/// Why a query is refused; each is a 400, with a different code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsersQueryError {
    /// `BadRequest`.
    Invalid(String),
    /// `Request_UnsupportedQuery`: `$top` out of 1..=999.
    PageSize(String),
    /// `Directory_ExpiredPageToken`: a `$skiptoken` this simulator did not write.
    PageToken,
}

impl UsersQuery {
    pub fn properties(&self) -> Selection {
        self.select.unwrap_or(Selection::DEFAULT)
    }

    /// `{base}/v1.0/$metadata#users(...)`: the selected properties, and the expanded manager.
    pub fn context(&self, base_url: &str) -> String {
        let mut parts: Vec<String> = self.select.map(Selection::names).into_iter().collect();
        if let Some(manager) = self.manager {
            parts.push(format!("manager({})", manager.names()));
        }
        let mut context = format!("{base_url}/v1.0/$metadata#users");
        if !parts.is_empty() {
            context.push_str(&format!("({})", parts.join(",")));
        }
        context
    }
}

pub fn parse_users_query(query: Option<&str>) -> Result<UsersQuery, UsersQueryError> {
    let mut parsed = UsersQuery {
        select: None,
        manager: None,
        top: DEFAULT_TOP,
        start: 0,
    };
    let mut seen: Vec<String> = Vec::new();
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if key.starts_with('$') {
            if seen.iter().any(|earlier| *earlier == key) {
                return Err(invalid(option_repeated(&key)));
            }
            seen.push(key.to_string());
        }
        match key.as_ref() {
            "$select" => parsed.select = Some(Selection::parse(&value).map_err(invalid)?),
            "$expand" => parsed.manager = Some(parse_expand(&value).map_err(invalid)?),
            "$top" => parsed.top = parse_top(&value)?,
            "$skiptoken" => parsed.start = decode_skip_token(&value)?,
            other if other.starts_with('$') => return Err(invalid(option_not_allowed(other))),
            // Graph ignores custom (non-$) query parameters.
            _ => {}
        }
    }
    if parsed.manager.is_some() {
        parsed.top = parsed.top.min(MAX_EXPANDED_TOP);
    }
    Ok(parsed)
}

fn invalid(message: String) -> UsersQueryError {
    UsersQueryError::Invalid(message)
}

fn parse_top(value: &str) -> Result<usize, UsersQueryError> {
    value
        .parse::<usize>()
        .ok()
        .filter(|top| (1..=MAX_TOP).contains(top))
        .ok_or_else(|| {
            UsersQueryError::PageSize(format!(
                "Invalid page size specified: '{value}'. Must be between 1 and {MAX_TOP} inclusive."
            ))
        })
}

/// `manager`, or `manager($select=...)`: the only navigation property the simulator expands.
fn parse_expand(value: &str) -> Result<Selection, String> {
    let (name, options) = match value.split_once('(') {
        Some((name, rest)) => {
            let options = rest
                .strip_suffix(')')
                .ok_or_else(|| format!("Syntax error in $expand: '{value}'."))?;
            (name, Some(options))
        }
        None => (value, None),
    };
    if !name.trim().eq_ignore_ascii_case("manager") {
        return Err(format!(
            "The simulator expands only 'manager', not '{}'.",
            name.trim()
        ));
    }
    match options.map(|options| options.split_once('=')) {
        None => Ok(Selection::ALL),
        Some(Some((option, list))) if option.trim() == "$select" => Selection::parse(list),
        Some(_) => Err(format!(
            "The simulator takes only $select inside $expand=manager(...), got '{value}'."
        )),
    }
}

/// Opaque to clients (as Graph's are), but only this simulator's own tokens are accepted.
const SKIP_TOKEN_PREFIX: &str = "graph-sim users from ";

pub fn encode_skip_token(entry: u32) -> String {
    URL_SAFE_NO_PAD.encode(format!("{SKIP_TOKEN_PREFIX}{entry}"))
}

fn decode_skip_token(token: &str) -> Result<u32, UsersQueryError> {
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(SKIP_TOKEN_PREFIX)?.parse().ok())
        .ok_or(UsersQueryError::PageToken)
}

/// The next page's absolute link: the request's own options as sent, with the next
/// `$skiptoken` in place of any it had (Graph's links keep `$select`, `$expand` and `$top`).
pub fn next_link(base_url: &str, raw_query: Option<&str>, next_entry: u32) -> String {
    let mut parts: Vec<&str> = raw_query
        .unwrap_or_default()
        .split('&')
        .filter(|part| {
            let key = part.split('=').next().unwrap_or_default();
            !part.is_empty() && decoded(key) != "$skiptoken"
        })
        .collect();
    let token = format!("$skiptoken={}", encode_skip_token(next_entry));
    parts.push(&token);
    format!("{base_url}/v1.0/users?{}", parts.join("&"))
}

fn decoded(key: &str) -> String {
    form_urlencoded::parse(key.as_bytes())
        .next()
        .map(|(key, _)| key.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PORTAL: &str = "%24select=id%2CdisplayName%2CuserPrincipalName%2Cdepartment%2CcompanyName%2CofficeLocation%2Ccountry%2CemployeeOrgData&%24expand=manager%28%24select%3Did%29&%24top=999";

    #[test]
    fn reads_the_portals_encoded_query_and_writes_the_context() {
        let query = parse_users_query(Some(PORTAL)).unwrap();
        assert_eq!(query.select, Some(Selection::ALL));
        assert_eq!(query.manager, Some(Selection::of(&[])));
        // $top=999 with $expand: Graph gives at most 100 a page.
        assert_eq!((query.top, query.start), (MAX_EXPANDED_TOP, 0));
        assert_eq!(
            query.context("B"),
            "B/v1.0/$metadata#users(id,displayName,userPrincipalName,department,companyName,\
             officeLocation,country,employeeOrgData,manager(id))"
        );
        let plain = parse_users_query(Some("$select=ID,Department&$expand=manager")).unwrap();
        assert_eq!(
            plain.context("B"),
            format!(
                "B/v1.0/$metadata#users(id,department,manager({}))",
                Selection::ALL.names()
            )
        );
        let none = parse_users_query(None).unwrap();
        assert_eq!(
            (none.properties(), none.top),
            (Selection::DEFAULT, DEFAULT_TOP)
        );
        assert_eq!(none.context("B"), "B/v1.0/$metadata#users");
    }

    #[test]
    fn refuses_bad_options_with_graphs_codes() {
        for top in ["0", "1000", "-1", "x", ""] {
            let error = parse_users_query(Some(&format!("$top={top}"))).unwrap_err();
            assert!(
                matches!(error, UsersQueryError::PageSize(_)),
                "{top}: {error:?}"
            );
        }
        for bad in [
            "$select=id,mail",
            "$select=",
            "$expand=directReports",
            "$expand=manager($filter=x)",
            "$expand=manager($select=id",
            "$filter=department eq 'Sales'",
            "$top=5&$top=6",
        ] {
            let error = parse_users_query(Some(bad)).unwrap_err();
            assert!(
                matches!(error, UsersQueryError::Invalid(_)),
                "{bad}: {error:?}"
            );
        }
        assert_eq!(
            parse_users_query(Some("$skiptoken=abc")),
            Err(UsersQueryError::PageToken)
        );
    }

    #[test]
    fn next_links_keep_the_options_and_replace_the_token() {
        let first = next_link("http://h", Some(PORTAL), 999);
        let (base, query) = first.split_once('?').unwrap();
        assert_eq!(base, "http://h/v1.0/users");
        assert!(query.starts_with(PORTAL), "{query}");
        let second = next_link("http://h", Some(query), 1998);
        assert_eq!(second.matches("skiptoken").count(), 1, "{second}");
        let parsed = parse_users_query(second.split_once('?').map(|(_, q)| q)).unwrap();
        assert_eq!((parsed.start, parsed.top), (1998, MAX_EXPANDED_TOP));
        assert_eq!(
            next_link("http://h", None, 3),
            format!("http://h/v1.0/users?$skiptoken={}", encode_skip_token(3))
        );
    }
}
