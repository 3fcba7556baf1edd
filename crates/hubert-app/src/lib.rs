//! Use cases. Web handlers (pages and REST API) and background workers call these and
//! nothing lower: each takes the acting [`Principal`], checks the role, does the work
//! through the store in one transaction, writes the audit log and publishes events.
//! Time always comes from the injected [`Clock`].

pub mod audit;
pub mod auth;
pub mod calendars;
pub mod comments;
pub mod conversations;
pub mod error;
pub mod handshakes;
pub mod ingest;
pub mod loaded;
pub mod media;
pub mod meta_endpoint;
pub mod metrics;
pub mod presence;
pub mod privacy;
pub mod profiles;
pub mod reports;
pub mod throttle;
pub mod tokens;
pub mod totp;
pub mod two_factor;
pub mod users;
pub mod view;
pub mod wallboard;
pub mod words;
pub mod workers;

use std::sync::Arc;

pub use error::AppError;
use hubert_core::{Clock, Role};
use hubert_store::{EventBus, Store};

/// Where the platform APIs live: one base URL per API host (`HUBERT_GRAPH_API_URL`,
/// `HUBERT_X_API_URL`, `HUBERT_INSTAGRAM_API_URL`, `HUBERT_LINKEDIN_API_URL`; the real hosts
/// by default). Tests, the demo and benchmarks point them at the fakes.
pub type Endpoints = hubert_channels::ApiUrls;

/// Everything a use case needs. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub bus: EventBus,
    pub clock: Arc<dyn Clock>,
    pub http: reqwest::Client,
    pub endpoints: Endpoints,
    /// The public base URL webhooks are reached at, e.g. `https://hubert.example.nl`.
    pub public_url: String,
    pub presence: presence::Presence,
    /// The team's calendar (`HUBERT_TIMEZONE`, default Europe/Amsterdam): report days,
    /// "today".
    pub calendar: hubert_core::calendar::Calendar,
    pub wallboard_hub: wallboard::WallboardHub,
    /// Profiles recently looked up by webhooks and the delivery worker, with their parsed
    /// credentials.
    pub(crate) profile_cache: loaded::ProfileCache,
    pub(crate) ingest_queue: ingest::IngestQueue,
    pub(crate) handshake_limiter: handshakes::HandshakeLimiter,
    /// Prometheus metrics of this process.
    pub metrics: Arc<metrics::Metrics>,
    pub(crate) throttle: throttle::LoginThrottle,
    pub(crate) hashing: auth::PasswordHashing,
    /// Session cookies get `Secure` (`HUBERT_COOKIE_SECURE`; by default when the public
    /// URL is https).
    pub cookie_secure: bool,
    /// Proxies whose `X-Forwarded-For` is believed (`HUBERT_TRUSTED_PROXIES`).
    pub trusted_proxies: Arc<throttle::TrustedProxies>,
    pub(crate) worker_wakeup: Arc<tokio::sync::Notify>,
    /// Where inbound media is kept (`HUBERT_MEDIA_DIR`).
    pub media: media::MediaFiles,
    pub(crate) media_wakeup: Arc<tokio::sync::Notify>,
}

impl App {
    pub fn new(store: Store, clock: Arc<dyn Clock>, endpoints: Endpoints, public_url: String) -> Self {
        let bus = EventBus::new();
        let metrics = Arc::new(metrics::Metrics::default());
        let ingest_queue = ingest::IngestQueue::start(store.clone(), clock.clone(), metrics.clone());
        Self {
            store,
            bus,
            clock,
            http: reqwest::Client::builder()
                .connect_timeout(std::time::Duration::from_secs(5))
                .build()
                .expect("http client"),
            endpoints,
            cookie_secure: public_url.starts_with("https://"),
            public_url,
            presence: presence::Presence::default(),
            calendar: std::env::var("HUBERT_TIMEZONE")
                .ok()
                .and_then(|name| hubert_core::calendar::Calendar::new(&name))
                .unwrap_or_default(),
            wallboard_hub: wallboard::WallboardHub::default(),
            profile_cache: loaded::ProfileCache::default(),
            ingest_queue,
            handshake_limiter: handshakes::HandshakeLimiter::default(),
            metrics,
            throttle: throttle::LoginThrottle::default(),
            hashing: auth::PasswordHashing::default(),
            trusted_proxies: Arc::default(),
            worker_wakeup: Arc::new(tokio::sync::Notify::new()),
            media: media::MediaFiles::default(),
            media_wakeup: Arc::new(tokio::sync::Notify::new()),
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}

/// Who is acting: a signed-in user or an API token.
#[derive(Debug, Clone)]
pub struct Principal {
    pub workspace_id: String,
    /// The user id, or `token:<id>` for API tokens.
    pub actor_id: String,
    pub user_id: Option<String>,
    pub name: String,
    pub role: Role,
}

impl Principal {
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.role >= role {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}
