//! The dial-out report: aggregation, caching, paging and rendering.

pub mod aggregate;
pub mod cache;
pub mod page;
pub mod window_request;
