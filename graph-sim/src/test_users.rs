//! The people who can sign in through the simulator's OpenID Connect provider: fixed, made up,
//! and without passwords (the sign-in page lists them as buttons).

use crate::config::SimConfig;

/// One test user of the simulated directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestUser {
    pub display_name: &'static str,
    /// The UPN: `preferred_username` and `email` in ID tokens.
    pub user_principal_name: &'static str,
    /// The directory object id (`oid`), fixed so tests can name the user.
    pub object_id: &'static str,
    /// Whether the user is assigned the app role `SimConfig::oidc_role`.
    pub holds_app_role: bool,
    /// Whether the user is assigned the app role `SimConfig::oidc_all_role` too.
    pub holds_all_role: bool,
}

/// Ada holds the configured app role (`--oidc-role`), Ben holds none, Cleo holds it and the
/// role that sees everyone's spend (`--oidc-all-role`).
pub const TEST_USERS: [TestUser; 3] = [
    TestUser {
        display_name: "Ada Manager",
        user_principal_name: "ada.manager@contoso.com",
        object_id: "aaaaaaaa-0000-4000-8000-000000000001",
        holds_app_role: true,
        holds_all_role: false,
    },
    TestUser {
        display_name: "Ben Employee",
        user_principal_name: "ben.employee@contoso.com",
        object_id: "bbbbbbbb-0000-4000-8000-000000000002",
        holds_app_role: false,
        holds_all_role: false,
    },
    TestUser {
        display_name: "Cleo Finance",
        user_principal_name: "cleo.finance@contoso.com",
        object_id: "cccccccc-0000-4000-8000-000000000003",
        holds_app_role: true,
        holds_all_role: true,
    },
];

/// Ada Manager, who heads a subtree of the simulated directory (`data::directory`).
pub const ADA: TestUser = TEST_USERS[0];
/// Ben Employee, in Ada's subtree, managing no one.
pub const BEN: TestUser = TEST_USERS[1];
/// Cleo Finance, who sees everyone's spend (not in the simulated directory).
pub const CLEO: TestUser = TEST_USERS[2];

impl TestUser {
    /// The user's app roles, as the `roles` claim lists them.
    pub fn app_roles<'a>(&self, config: &'a SimConfig) -> Vec<&'a str> {
        let mut roles = Vec::new();
        if self.holds_app_role {
            roles.push(config.oidc_role.as_str());
        }
        if self.holds_all_role {
            roles.push(config.oidc_all_role.as_str());
        }
        roles
    }

    /// The test user with this object id.
    pub fn by_object_id(object_id: &str) -> Option<&'static TestUser> {
        TEST_USERS
            .iter()
            .find(|user| user.object_id.eq_ignore_ascii_case(object_id))
    }
}
