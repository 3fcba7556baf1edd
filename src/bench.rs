//! `hubert bench …`: see docs/benchmarks.md. Every benchmark starts the real server on
//! 127.0.0.1 (random port), talks to it over loopback only, and is bounded in time.

mod child;
mod client;
mod crash;
mod inbox;
mod ingest;
mod live;
mod platforms;
mod wallboard;

use std::sync::Arc;
use std::time::Duration;

use hubert_app::workers::delivery::CrashAfterSend;
use hubert_app::{App, Endpoints, Principal};
use hubert_core::{Role, SystemClock};
use hubert_store::ProfileRow;
use hubert_web::server::{self, RunningServer, ServerConfig};
use serde_json::json;

/// The WhatsApp profile the benchmarks deliver to.
pub(crate) const PHONE_NUMBER_ID: &str = "109000000000001";
pub(crate) const APP_SECRET: &str = "bench-meta-app-secret";

#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Signed deliveries (WhatsApp, or `--platform facebook|instagram|linkedin`) with concurrent clients against a fresh database, and
    /// the ceiling of a bare endpoint that only reads the body.
    Ingest(ingest::IngestArgs),
    /// Time from a webhook's 200 to its event on many open SSE connections.
    Live(live::LiveArgs),
    /// Bulk-insert conversations, contacts and messages for `bench inbox`.
    Seed(inbox::SeedArgs),
    /// Latency of `GET /api/v1/conversations?status=open` on a seeded database.
    Inbox(inbox::InboxArgs),
    /// Wallboards and inboxes connected while messages arrive: webhook → wallboard time,
    /// CPU and memory.
    Wallboard(wallboard::WallboardArgs),
    /// Durability: `hubert serve` as a child process, killed with SIGKILL at random moments
    /// under signed deliveries and restarted; every acknowledged delivery stored exactly once.
    Crash(crash::CrashArgs),
}

pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HUBERT_LOG").unwrap_or_else(|_| "warn,sqlx=error".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    match command {
        BenchCommand::Ingest(args) => ingest::run(args).await,
        BenchCommand::Live(args) => live::run(args).await,
        BenchCommand::Seed(args) => inbox::seed(args).await,
        BenchCommand::Inbox(args) => inbox::run(args).await,
        BenchCommand::Wallboard(args) => wallboard::run(args).await,
        BenchCommand::Crash(args) => crash::run(args).await,
    }
}

/// A fresh SQLite database in a new temporary directory, removed on drop.
pub(crate) struct TempDb {
    pub dir: std::path::PathBuf,
    pub url: String,
}

impl TempDb {
    pub fn new() -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!("hubert-bench-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir)?;
        let url = format!("sqlite:{}", dir.join("bench.db").display());
        Ok(Self { dir, url })
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub(crate) fn backend_name(url: &str) -> &'static str {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        "postgres"
    } else {
        "sqlite"
    }
}

/// The real server on 127.0.0.1, random port.
pub(crate) async fn start_server(database_url: &str) -> anyhow::Result<RunningServer> {
    server::start(ServerConfig {
        web: Default::default(),
        http: Default::default(),
        listen: "127.0.0.1:0".parse()?,
        database_url: database_url.to_owned(),
        secret_key: crate::secret_key()?,
        public_url: None,
        endpoints: Endpoints::default(),
        clock: Arc::new(SystemClock),
        worker_poll: Duration::from_millis(500),
        channel_poll: None,
        crash_after_send: CrashAfterSend::default(),
        cookie_secure: None,
        trusted_proxies: Default::default(),
        media_dir: std::env::var_os("HUBERT_MEDIA_DIR").map(Into::into),
    })
    .await
}

pub(crate) fn admin(workspace_id: &str) -> Principal {
    Principal {
        workspace_id: workspace_id.into(),
        actor_id: "bench".into(),
        user_id: None,
        name: "bench".into(),
        role: Role::Admin,
    }
}

/// Workspace and a WhatsApp profile with `phone_number_id`, through the use cases.
pub(crate) async fn setup_whatsapp(app: &App, phone_number_id: &str) -> anyhow::Result<(String, ProfileRow)> {
    let ws = crate::ensure_workspace(app).await?;
    let profile = app
        .create_profile(
            &admin(&ws),
            serde_json::from_value(json!({
                "platform": "whatsapp", "name": format!("Bench WhatsApp {phone_number_id}"),
                "credentials": { "phone_number_id": phone_number_id, "access_token": "bench-access-token", "app_secret": APP_SECRET, "verify_token": "bench-verify-token" },
                "service_level": { "threshold_minutes": 15, "target_percent": 95 }
            }))?,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((ws, profile))
}

/// A signed WhatsApp delivery with one text message: (body, X-Hub-Signature-256).
pub(crate) fn signed_delivery(phone_number_id: &str, wa_id: &str, wamid: &str, text: &str) -> (bytes::Bytes, String) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let body = hubert_channels::fake::whatsapp_payload::text_message(
        phone_number_id,
        wa_id,
        &format!("Klant {wa_id}"),
        wamid,
        now,
        text,
    );
    let signature = hubert_channels::fake::sign_meta(APP_SECRET, &body);
    (bytes::Bytes::from(body), signature)
}
