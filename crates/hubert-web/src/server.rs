//! Wiring: open the store, migrate, build the app, bind, serve, run the delivery worker,
//! and shut everything down gracefully (live streams end, the worker finishes its step,
//! the pools close). The binary and the test kit both start Hubert through [`start`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hubert_app::workers::delivery::{self, CrashAfterSend};
use hubert_app::{App, Endpoints};
use hubert_core::Clock;
use hubert_store::Store;
use tokio::sync::watch;

pub struct ServerConfig {
    pub listen: SocketAddr,
    pub database_url: String,
    /// Base URL the platforms reach us at; defaults to `http://{bound address}`.
    pub public_url: Option<String>,
    pub endpoints: Endpoints,
    pub clock: Arc<dyn Clock>,
    pub worker_poll: Duration,
    pub crash_after_send: CrashAfterSend,
}

pub struct RunningServer {
    pub addr: SocketAddr,
    pub app: App,
    shutdown: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
    worker: tokio::task::JoinHandle<()>,
    hub: tokio::task::JoinHandle<()>,
    bridge: Option<tokio::task::JoinHandle<()>>,
}

/// Starts Hubert and returns once it accepts connections.
pub async fn start(config: ServerConfig) -> anyhow::Result<RunningServer> {
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let public_url = config.public_url.unwrap_or_else(|| format!("http://{addr}"));
    let app = App::new(store, config.clock, config.endpoints, public_url);
    let (shutdown, rx) = watch::channel(false);
    let router = crate::router(app.clone(), rx.clone());
    let mut server_rx = rx.clone();
    let server = tokio::spawn(async move {
        let stop = async move {
            let _ = server_rx.wait_for(|v| *v).await;
        };
        if let Err(e) = axum::serve(listener, router).with_graceful_shutdown(stop).await {
            tracing::error!(error = %e, "server stopped with an error");
        }
    });
    let hub = app.spawn_wallboard_hub(rx.clone());
    // Several instances on one PostgreSQL database share their live events.
    let bridge = app.store.bridge_events(&app.bus).await?;
    let worker = delivery::spawn(app.clone(), rx, config.worker_poll, config.crash_after_send);
    Ok(RunningServer {
        addr,
        app,
        shutdown,
        server,
        worker,
        hub,
        bridge,
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
        let _ = tokio::time::timeout(Duration::from_secs(10), self.hub).await;
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
