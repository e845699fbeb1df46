//! Router tests: the whole axum application, layers included, on a loopback port, over an
//! in-process simulator with a fixed seed and today.
mod auth;
mod common;
mod export;
mod hardening;
mod http;
mod org;
mod scope;
mod summary;
