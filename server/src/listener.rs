//! The accept loop: what `axum::serve` does, plus the limits a server facing the network needs,
//! which axum's does not offer (it sets no header-read timeout and accepts without bound):
//! - at most `max_connections` at once, and `max_per_client` from one address (a client that
//!   opens thousands of half-sent requests can no longer exhaust the file descriptors);
//! - the request head must arrive within `header_read_timeout` (slow-header clients are cut off);
//! - accept errors (out of file descriptors) pause the loop briefly instead of spinning;
//! - on shutdown, no new connection, and those in flight finish (up to a grace period).
//!
//! The request body's own timeout is a layer (`layers.rs`). Behind a reverse proxy, configure
//! the same there (docs/security.md).
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub max_per_client: usize,
    pub header_read_timeout: Duration,
    /// How long the connections in flight may take to finish at shutdown.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            // Below the usual open-file limit of 1,024, with room for Graph's connections.
            max_connections: 512,
            // A quarter of it: an office behind one NAT address still gets ~20 browsers in.
            max_per_client: 128,
            header_read_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets the connections in flight
/// finish. The router sees each connection's peer as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let per_client = PerClient::new(limits.max_per_client);
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(Duration::from_secs(30)));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Usually out of file descriptors: give the open connections time to end.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(admission) = admit(&slots, &per_client, peer.ip()) else {
            // Closing at once costs the server nothing; the client may retry later.
            drop(stream);
            continue;
        };
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream_with_nodelay(stream)), {
                let service = app
                    .clone()
                    .map_request(move |mut request: Request<Incoming>| {
                        request.extensions_mut().insert(ConnectInfo(peer));
                        request
                    });
                TowerToHyperService::new(service)
            })
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // Errors here are the client's (reset, timed out, malformed): nothing to report.
            let _ = connection.await;
            drop(admission);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!("connections still open after the shutdown grace period: closing");
        }
    }
}

fn stream_with_nodelay(stream: TcpStream) -> TcpStream {
    let _ = stream.set_nodelay(true);
    stream
}

/// A connection's place, given back when it closes.
struct Admission {
    _slot: OwnedSemaphorePermit,
    per_client: PerClient,
    ip: IpAddr,
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.per_client.release(self.ip);
    }
}

fn admit(slots: &Arc<Semaphore>, per_client: &PerClient, ip: IpAddr) -> Option<Admission> {
    let slot = Arc::clone(slots).try_acquire_owned().ok()?;
    per_client.acquire(ip).then(|| Admission {
        _slot: slot,
        per_client: per_client.clone(),
        ip,
    })
}

/// Open connections per client address.
#[derive(Clone)]
struct PerClient {
    max: usize,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl PerClient {
    fn new(max: usize) -> Self {
        Self {
            max,
            open: Arc::default(),
        }
    }

    fn acquire(&self, ip: IpAddr) -> bool {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let count = open.entry(ip).or_insert(0);
        if *count >= self.max {
            return false;
        }
        *count += 1;
        true
    }

    fn release(&self, ip: IpAddr) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_are_counted_per_client_and_in_all() {
        let slots = Arc::new(Semaphore::new(3));
        let per_client = PerClient::new(2);
        let a: IpAddr = "127.0.0.2".parse().unwrap();
        let b: IpAddr = "127.0.0.3".parse().unwrap();
        let first = admit(&slots, &per_client, a).unwrap();
        let _second = admit(&slots, &per_client, a).unwrap();
        assert!(admit(&slots, &per_client, a).is_none(), "per client");
        let _third = admit(&slots, &per_client, b).unwrap();
        assert!(admit(&slots, &per_client, b).is_none(), "in all");
        drop(first);
        assert!(admit(&slots, &per_client, a).is_some(), "given back");
    }
}
