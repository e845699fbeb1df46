//! `GET /v1.0/users`: the simulated directory (`data::directory`) listed as Graph lists users,
//! with `$select`, `$expand=manager`, `$top` and `$skiptoken` paging.

pub mod page;
pub mod query;
