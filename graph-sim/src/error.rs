//! Errors of the library API (starting the simulator, computing the truth).
//! Errors *answered* over HTTP are Graph- or identity-platform-shaped; see `http`.

use std::net::SocketAddr;

/// Why the simulator could not start or a computation was refused.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    #[error("invalid client certificate: {0}")]
    InvalidCertificate(String),
    #[error(
        "refusing to listen on {0}: the simulator serves plain HTTP on loopback addresses only"
    )]
    NotLoopback(SocketAddr),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot start: {0}")]
    Startup(String),
    #[error("invalid date range: {0}")]
    InvalidRange(String),
    #[error("no one in the directory has the object id '{0}'")]
    NotInDirectory(String),
}
