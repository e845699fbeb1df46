//! The HTTP server: routes, shared state.

mod aad_error;
mod access_token;
mod assertion;
mod faults;
mod form;
mod gateway;
mod graph_error;
mod identity_limits;
mod jwt;
pub(crate) mod oidc;
mod report;
mod route;
mod sim;
mod stats;
mod token;
mod users;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::middleware;
use axum::routing::{any, get, post};

use crate::config::SimConfig;
use crate::data::Dataset;
use crate::error::SimError;
use crate::report::cache::ReportCache;
use crate::report::window_request::Retention;
use aad_error::AadError;
use access_token::AccessTokens;
use assertion::CertificateCredential;
use faults::{FaultInjector, RequestLimits};
use identity_limits::TokenBucket;
use oidc::OidcProvider;
use stats::Stats;

/// Everything the handlers share.
pub struct AppState {
    pub config: SimConfig,
    /// `http://127.0.0.1:PORT`: authority host, Graph endpoint and token audience at once.
    pub base_url: String,
    pub dataset: Arc<Dataset>,
    pub tokens: AccessTokens,
    pub certificate: Option<CertificateCredential>,
    /// The OpenID Connect provider that signs the test users in.
    pub oidc: OidcProvider,
    pub stats: Stats,
    pub faults: FaultInjector,
    pub limits: RequestLimits,
    /// `--enforce-limits` for `/v1.0/users`: identity throttling's resource units.
    pub identity_limits: TokenBucket,
    pub reports: ReportCache,
    /// `--retention-days` and `--retention-reading`, applied to every report window.
    pub retention: Option<Retention>,
    /// `@odata.context` of every page.
    pub odata_context: String,
    /// The `WWW-Authenticate` challenge of a 401.
    pub www_authenticate: String,
}

impl AppState {
    pub fn new(config: SimConfig, base_url: String) -> Result<Self, SimError> {
        let certificate = config
            .client_certificate
            .as_deref()
            .map(CertificateCredential::from_pem)
            .transpose()?;
        let dataset = Dataset::new(config.seed, config.users, config.today, config.history_days);
        Ok(Self {
            tokens: AccessTokens::new(&base_url, &config.tenant_id, config.token_ttl)?,
            certificate,
            oidc: OidcProvider::new(&base_url, &config.tenant_id),
            dataset: Arc::new(dataset),
            stats: Stats::default(),
            faults: FaultInjector::new(config.seed, config.throttle_rate, config.error_rate),
            limits: RequestLimits::new(config.collection_scope, config.limit_period),
            identity_limits: TokenBucket::new(
                identity_limits::RESOURCE_UNITS,
                identity_limits::REFILL_PERIOD,
            ),
            reports: ReportCache::default(),
            retention: Retention::of(&config),
            odata_context: format!(
                "{base_url}/beta/$metadata#Collection(microsoft.graph.callRecords.pstnOnlineMeetingDialoutReport)"
            ),
            www_authenticate: format!(
                "Bearer realm=\"\", authorization_uri=\"{base_url}/common/oauth2/authorize\", \
                 client_id=\"00000003-0000-0000-c000-000000000000\""
            ),
            base_url,
            config,
        })
    }

    /// Identity-platform paths name the tenant; only the configured one exists (AADSTS90002).
    pub fn check_tenant(&self, tenant: &str) -> Result<(), AadError> {
        if tenant.eq_ignore_ascii_case(&self.config.tenant_id) {
            Ok(())
        } else {
            Err(AadError::tenant_not_found(tenant))
        }
    }

    /// The configured `--latency-ms`, before answering a token or Graph request.
    pub async fn add_latency(&self) {
        if self.config.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(self.config.latency_ms)).await;
        }
    }
}

/// All routes of the simulator.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", any(token::token_endpoint))
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(oidc::openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(oidc::keys))
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(oidc::show_sign_in).post(oidc::choose_account),
        )
        .route("/{tenant}/oauth2/v2.0/logout", get(oidc::logout))
        .route("/_sim/stats", get(sim::stats))
        .route("/_sim/stats/reset", post(sim::reset_stats))
        .route("/_sim/truth", get(sim::truth))
        .route("/_sim/directory/reports", get(sim::directory_reports))
        .route("/v1.0/users", any(users::users_endpoint))
        .fallback(report::graph_endpoint)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            stats::count_responses,
        ))
        .with_state(state)
}
