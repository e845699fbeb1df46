//! A tiny hand-made Graph for what the simulator cannot do on purpose: foreign nextLinks, paging
//! loops, 403s, a 401 in the middle of paging, exact scripted responses.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

/// One Graph request as the fake saw it.
#[derive(Clone, Debug)]
pub struct Hit {
    pub path_and_query: String,
    pub authorization: Option<String>,
    pub client_request_id: Option<String>,
}

/// What the fake answers: status, headers, body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.into(),
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

type Handler = dyn Fn(&FakeGraph, &Hit, usize) -> Reply + Send + Sync;

struct Shared {
    base: Mutex<String>,
    hits: Mutex<Vec<Hit>>,
    token_requests: AtomicUsize,
    handler: Box<Handler>,
}

/// A running fake. The handler gets the fake (for its base URL), the request and its 0-based
/// index among Graph requests. Tokens are `token-1`, `token-2`, … valid for an hour.
#[derive(Clone)]
pub struct FakeGraph {
    shared: Arc<Shared>,
}

impl FakeGraph {
    pub async fn start(
        handler: impl Fn(&FakeGraph, &Hit, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let shared = Arc::new(Shared {
            base: Mutex::new(String::new()),
            hits: Mutex::new(Vec::new()),
            token_requests: AtomicUsize::new(0),
            handler: Box::new(handler),
        });
        let app = Router::new()
            .route("/{tenant}/oauth2/v2.0/token", post(token))
            .fallback(graph)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        *shared.base.lock().unwrap() = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { shared }
    }

    pub fn base(&self) -> String {
        self.shared.base.lock().unwrap().clone()
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.shared.hits.lock().unwrap().clone()
    }

    pub fn token_requests(&self) -> usize {
        self.shared.token_requests.load(Ordering::SeqCst)
    }

    /// A report page body with the given rows (JSON objects) and nextLink.
    pub fn page(rows: &[&str], next_link: Option<&str>) -> String {
        let next = next_link
            .map(|l| format!(r#""@odata.nextLink":"{l}","#))
            .unwrap_or_default();
        format!(
            r#"{{"@odata.context":"x/$metadata#Collection(microsoft.graph.callRecords.pstnOnlineMeetingDialoutReport)",{next}"@odata.count":{},"value":[{}]}}"#,
            rows.len(),
            rows.join(",")
        )
    }
}

async fn token(State(shared): State<Arc<Shared>>) -> Response {
    let n = shared.token_requests.fetch_add(1, Ordering::SeqCst) + 1;
    let body = format!(r#"{{"token_type":"Bearer","expires_in":3600,"access_token":"token-{n}"}}"#);
    (StatusCode::OK, [("content-type", "application/json")], body).into_response()
}

async fn graph(State(shared): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    let value = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    let hit = Hit {
        path_and_query: uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        authorization: value("authorization"),
        client_request_id: value("client-request-id"),
    };
    let index = {
        let mut hits = shared.hits.lock().unwrap();
        hits.push(hit.clone());
        hits.len() - 1
    };
    let fake = FakeGraph {
        shared: shared.clone(),
    };
    let reply = (shared.handler)(&fake, &hit, index);
    let mut response = (StatusCode::from_u16(reply.status).unwrap(), reply.body).into_response();
    for (name, value) in reply.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}
