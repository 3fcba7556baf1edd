//! Wiring: open the store, migrate, build the app, bind, serve, run the delivery worker,
//! and shut everything down gracefully (live streams end, the worker finishes its step,
//! the pools close). The binary and the test kit both start Hubert through [`start`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hubert_app::throttle::TrustedProxies;
use hubert_app::workers::delivery::{self, CrashAfterSend};
use hubert_app::{App, Endpoints};
use hubert_core::Clock;
use hubert_store::{SecretKey, Store};
use tokio::sync::watch;

pub struct ServerConfig {
    pub listen: SocketAddr,
    /// Headers, metrics token and other settings of the HTTP face.
    pub web: crate::WebConfig,
    /// Connection limits.
    pub http: HttpLimits,
    pub database_url: String,
    /// The key platform credentials are encrypted with (`HUBERT_SECRET_KEY`). Required on
    /// PostgreSQL; on SQLite `None` means the key file beside the database.
    pub secret_key: Option<SecretKey>,
    /// Base URL the platforms reach us at; defaults to `http://{bound address}`.
    pub public_url: Option<String>,
    pub endpoints: Endpoints,
    pub clock: Arc<dyn Clock>,
    pub worker_poll: Duration,
    /// How often the poll worker looks for profiles due a poll of recent events (missed
    /// webhooks; each profile every few minutes by the app clock). `None`: no poll worker
    /// (tests drive `workers::poll::Poller` themselves).
    pub channel_poll: Option<Duration>,
    pub crash_after_send: CrashAfterSend,
    /// `Secure` on cookies (`HUBERT_COOKIE_SECURE`); `None`: when the public URL is https.
    pub cookie_secure: Option<bool>,
    /// Proxies whose `X-Forwarded-For` is believed (`HUBERT_TRUSTED_PROXIES`).
    pub trusted_proxies: TrustedProxies,
    /// Where inbound media is kept (`HUBERT_MEDIA_DIR`); `None`: `media/` beside a SQLite
    /// database file, else `data/media`.
    pub media_dir: Option<std::path::PathBuf>,
}

/// Bounds on connections, so slow or idle clients cannot hold the server.
#[derive(Debug, Clone)]
pub struct HttpLimits {
    /// Open connections at most (`HUBERT_MAX_CONNECTIONS`); further clients wait in the
    /// listen backlog until one closes.
    pub max_connections: usize,
    /// A client must send a request's headers within this time
    /// (`HUBERT_HEADER_TIMEOUT_SECS`), else the connection is closed.
    pub header_read_timeout: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            max_connections: 4096,
            header_read_timeout: Duration::from_secs(10),
        }
    }
}

/// How often expired sessions (and stale login-throttle entries) are removed.
pub const SWEEP_EVERY: Duration = Duration::from_secs(3600);

pub struct RunningServer {
    pub addr: SocketAddr,
    pub app: App,
    shutdown: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
    worker: tokio::task::JoinHandle<()>,
    media_worker: tokio::task::JoinHandle<()>,
    poller: Option<tokio::task::JoinHandle<()>>,
    hub: tokio::task::JoinHandle<()>,
    sweeper: tokio::task::JoinHandle<()>,
    bridge: Option<tokio::task::JoinHandle<()>>,
}

/// The media directory: as configured, else beside a SQLite database file, else
/// `data/media`.
fn media_dir(configured: Option<std::path::PathBuf>, database_url: &str) -> std::path::PathBuf {
    configured.unwrap_or_else(|| {
        database_url
            .strip_prefix("sqlite:")
            .map(|p| p.split('?').next().unwrap_or(p).trim_start_matches("//"))
            .filter(|p| !p.is_empty() && !p.contains(":memory:"))
            .and_then(|p| std::path::Path::new(p).parent().map(|d| d.join("media")))
            .unwrap_or_else(|| std::path::PathBuf::from("data/media"))
    })
}

/// Starts Hubert and returns once it accepts connections.
pub async fn start(config: ServerConfig) -> anyhow::Result<RunningServer> {
    let store = Store::connect_with_key(&config.database_url, config.secret_key).await?;
    store.migrate().await?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let public_url = config.public_url.unwrap_or_else(|| format!("http://{addr}"));
    let https = public_url.starts_with("https://");
    let mut app = App::new(store, config.clock, config.endpoints, public_url);
    app.cookie_secure = config.cookie_secure.unwrap_or(https);
    if https && !app.cookie_secure {
        tracing::warn!(
            "HUBERT_COOKIE_SECURE is off while the public URL is https: session cookies may travel unencrypted"
        );
    }
    app.trusted_proxies = Arc::new(config.trusted_proxies);
    app.media = hubert_app::media::MediaFiles::new(media_dir(config.media_dir, &config.database_url));
    let (shutdown, rx) = watch::channel(false);
    let router = crate::router(app.clone(), rx.clone(), config.web);
    let server = tokio::spawn(serve(listener, router, config.http, rx.clone()));
    let hub = app.spawn_wallboard_hub(rx.clone());
    let sweeper = spawn_sweeper(app.clone(), rx.clone());
    // Several instances on one PostgreSQL database share their live events.
    let bridge = app.store.bridge_events(&app.bus).await?;
    let media_worker = hubert_app::workers::media::spawn(app.clone(), rx.clone(), Duration::from_secs(1));
    let poller = config
        .channel_poll
        .map(|tick| hubert_app::workers::poll::spawn(app.clone(), rx.clone(), tick));
    let worker = delivery::spawn(app.clone(), rx, config.worker_poll, config.crash_after_send);
    Ok(RunningServer {
        addr,
        app,
        shutdown,
        server,
        worker,
        media_worker,
        poller,
        hub,
        sweeper,
        bridge,
    })
}

/// The accept loop: HTTP/1.1 with a header-read timeout, at most `max_connections`
/// connections at once, the peer address as `ConnectInfo`, and a graceful stop that lets
/// in-flight requests finish (live streams end on the same shutdown signal).
async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    limits: HttpLimits,
    shutdown: watch::Receiver<bool>,
) {
    use axum::extract::ConnectInfo;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt;

    let stop = stopped(shutdown);
    tokio::pin!(stop);
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p.expect("connection slots never close"),
            _ = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment, go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let service = router
            .clone()
            .map_request(move |mut req: axum::extract::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            });
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(10), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after 10 s; stopping anyway");
    }
}

/// Resolves once the shutdown flag turns true (or its sender is gone).
async fn stopped(mut shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow_and_update() {
            return;
        }
        if shutdown.changed().await.is_err() {
            return;
        }
    }
}

/// Removes expired sessions at start and then every [`SWEEP_EVERY`], until shutdown.
fn spawn_sweeper(app: App, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let stop = stopped(shutdown);
        tokio::pin!(stop);
        let mut every = tokio::time::interval(SWEEP_EVERY);
        loop {
            tokio::select! {
                _ = every.tick() => {
                    if let Err(e) = app.sweep_expired().await {
                        tracing::warn!(error = %e, "sweeping expired sessions failed");
                    }
                }
                _ = &mut stop => break,
            }
        }
    })
}

impl RunningServer {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Graceful stop: new connections refused, streams closed, worker stopped, pools closed.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(10), self.server).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), self.worker).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), self.media_worker).await;
        if let Some(poller) = self.poller {
            let _ = tokio::time::timeout(Duration::from_secs(10), poller).await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), self.hub).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), self.sweeper).await;
        if let Some(bridge) = self.bridge {
            bridge.abort();
        }
        self.app.store.close().await;
    }

    /// Waits until the server task ends (e.g. after [`RunningServer::shutdown_handle`]).
    pub fn shutdown_handle(&self) -> watch::Sender<bool> {
        self.shutdown.clone()
    }
}
