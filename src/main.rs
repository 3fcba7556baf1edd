//! The `hubert` command: run the hub (`serve`), the demo (`demo`), migrations, admin
//! tasks and benchmarks. Every setting is also an environment variable; the secret key
//! (`HUBERT_SECRET_KEY`, `HUBERT_NEW_SECRET_KEY`) only is, so it never shows in a process list.

mod bench;
mod demo;
mod demo_social;
mod text_cli;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use hubert_app::throttle::TrustedProxies;
use hubert_app::tokens::NewToken;
use hubert_app::workers::delivery::CrashAfterSend;
use hubert_app::{App, Endpoints, Principal};
use hubert_core::{Role, SystemClock};
use hubert_store::{SecretKey, Store};
use hubert_web::server::{self, ServerConfig};

#[derive(Parser)]
#[command(name = "hubert", version, about = "Hubert, the open webcare hub")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct DbArgs {
    /// `sqlite:PATH` (embedded, the default) or `postgres://…`.
    #[arg(long, env = "HUBERT_DATABASE_URL", default_value = "sqlite:./data/hubert.db")]
    database_url: String,
}

#[derive(clap::Args, Clone)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "HUBERT_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Public base URL (for webhook URLs); defaults to http://LISTEN.
    #[arg(long, env = "HUBERT_PUBLIC_URL")]
    public_url: Option<String>,
    /// Origins that may show the wallboard in an iframe (space- or comma-separated).
    #[arg(long, env = "HUBERT_WALLBOARD_FRAME_ANCESTORS", default_value = "")]
    wallboard_frame_ancestors: String,
    /// When set, `/metrics` requires `Authorization: Bearer <this token>`.
    #[arg(long, env = "HUBERT_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// Open HTTP connections at most.
    #[arg(long, env = "HUBERT_MAX_CONNECTIONS", default_value_t = 4096)]
    max_connections: usize,
    /// Seconds a client has to send a request's headers.
    #[arg(long, env = "HUBERT_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    header_timeout_secs: u64,
    /// `Secure` on session cookies (true|false); by default on when the public URL is https.
    #[arg(long, env = "HUBERT_COOKIE_SECURE")]
    cookie_secure: Option<bool>,
    /// Reverse proxies whose `X-Forwarded-For` is believed: comma-separated addresses or
    /// CIDR ranges (IPv4 and IPv6). Empty: the socket peer is the client.
    #[arg(long, env = "HUBERT_TRUSTED_PROXIES", default_value = "", value_parser = TrustedProxies::parse)]
    trusted_proxies: TrustedProxies,
}

#[derive(Subcommand)]
enum Command {
    /// Run the hub.
    Serve {
        #[command(flatten)]
        serve: ServeArgs,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Run a demo: seeded workspace, fake platforms and live simulated traffic.
    Demo {
        #[arg(long, env = "HUBERT_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        #[arg(long, env = "HUBERT_DEMO_DATABASE_URL", default_value = "sqlite:./data/demo.db")]
        database_url: String,
        /// Seconds between simulated customer messages (on average).
        #[arg(long, default_value_t = 20)]
        interval: u64,
        /// Test mode for browser journeys: serve a clock control on this loopback
        /// address (`POST /advance?ms=N` moves Hubert's clock forward). Never in production.
        #[arg(long)]
        clock_control: Option<SocketAddr>,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Users and API tokens.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
        #[command(flatten)]
        db: DbArgs,
    },
    /// The Dutch text toolkit (register, spelling, d/t, language, sentiment, masking).
    Text {
        #[command(subcommand)]
        command: text_cli::TextCommand,
    },
    /// Benchmarks (loopback only, bounded in time).
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a user; prints the generated password once.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["admin", "lead", "agent"])]
        role: String,
    },
    /// Create an API token; prints its id and the token, once (stored hashed).
    CreateToken {
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["admin", "lead", "agent"])]
        role: String,
        /// Days until the token expires (1 to 3650); never when left out.
        #[arg(long)]
        expires_in_days: Option<i64>,
    },
    /// List API tokens: id, name, role, state, created, last used, expiry (never a token).
    ListTokens,
    /// Revoke an API token at once (its row stays for the audit log).
    RevokeToken {
        /// The token's id (from `create-token` or `list-tokens`).
        id: String,
    },
    /// Re-encrypt every platform credential under HUBERT_NEW_SECRET_KEY (or, on SQLite
    /// without HUBERT_SECRET_KEY, under a new key file) in one transaction.
    RotateKey,
}

/// The key from `HUBERT_SECRET_KEY`, if set (see `hubert_store::credentials`).
pub(crate) fn secret_key() -> anyhow::Result<Option<SecretKey>> {
    Ok(hubert_store::secret_key_from_env("HUBERT_SECRET_KEY")?)
}

/// Opens the database with the configured key and migrates it (which also encrypts
/// credentials an older version stored in plain text and checks the key opens them).
pub(crate) async fn open_store(database_url: &str) -> anyhow::Result<Store> {
    let store = Store::connect_with_key(database_url, secret_key()?).await?;
    store.migrate().await?;
    Ok(store)
}

/// Data files (database, WAL, key file) readable by this user only.
fn private_files() {
    #[cfg(unix)]
    // SAFETY: umask only sets the process's file-creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HUBERT_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if std::env::var("HUBERT_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    private_files();
    let cli = Cli::parse();
    match cli.command {
        Command::Bench { command } => return bench::run(command).await,
        Command::Text { command } => return text_cli::run(command),
        Command::Demo { .. } | Command::Serve { .. } => init_tracing(),
        _ => {}
    }
    match cli.command {
        Command::Serve { serve, db } => {
            let running = server::start(ServerConfig {
                web: hubert_web::WebConfig {
                    wallboard_frame_ancestors: serve.wallboard_frame_ancestors,
                    metrics_token: serve.metrics_token,
                },
                http: server::HttpLimits {
                    max_connections: serve.max_connections,
                    header_read_timeout: Duration::from_secs(serve.header_timeout_secs.max(1)),
                },
                listen: serve.listen,
                database_url: db.database_url,
                secret_key: secret_key()?,
                public_url: serve.public_url,
                // HUBERT_GRAPH_API_URL, HUBERT_X_API_URL, HUBERT_INSTAGRAM_API_URL,
                // HUBERT_LINKEDIN_API_URL: every channel's API host (the real one by default).
                endpoints: Endpoints::from_env(),
                clock: Arc::new(SystemClock),
                worker_poll: Duration::from_millis(500),
                channel_poll: Some(Duration::from_secs(30)),
                crash_after_send: CrashAfterSend::default(),
                cookie_secure: serve.cookie_secure,
                trusted_proxies: serve.trusted_proxies,
                media_dir: std::env::var_os("HUBERT_MEDIA_DIR").map(Into::into),
            })
            .await?;
            ensure_workspace(&running.app).await?;
            tracing::info!(url = %running.url(), "Hubert is listening");
            shutdown_signal().await;
            tracing::info!("shutting down");
            running.stop().await;
        }
        Command::Demo {
            listen,
            database_url,
            interval,
            clock_control,
        } => demo::run(listen, &database_url, interval, clock_control).await?,
        Command::Migrate { db } => {
            open_store(&db.database_url).await?;
            println!("migrations applied");
        }
        Command::Admin { command, db } => {
            let store = open_store(&db.database_url).await?;
            let app = App::new(store, Arc::new(SystemClock), Endpoints::default(), String::new());
            let ws = ensure_workspace(&app).await?;
            match command {
                AdminCommand::CreateUser { email, name, role } => {
                    let role = Role::parse(&role).expect("validated by clap");
                    let (_, password) = app
                        .create_user(&ws, &email, &name, role)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    println!("user {email} created; password (shown once): {password}");
                }
                AdminCommand::CreateToken {
                    name,
                    role,
                    expires_in_days,
                } => {
                    let input = NewToken {
                        name,
                        role,
                        expires_in_days,
                    };
                    let created = app
                        .create_api_token(&Principal::cli(&ws), input, "")
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    println!("id: {}", created.info.id);
                    println!("token (shown once): {}", created.token);
                }
                AdminCommand::ListTokens => list_tokens(&app, &ws).await?,
                AdminCommand::RevokeToken { id } => {
                    app.revoke_api_token(&Principal::cli(&ws), &id, "")
                        .await
                        .map_err(|e| anyhow::anyhow!("token {id}: {e}"))?;
                    println!("token {id} revoked");
                }
                AdminCommand::RotateKey => rotate_key(&app).await?,
            }
        }
        Command::Bench { .. } | Command::Text { .. } => unreachable!("handled above"),
    }
    Ok(())
}

/// `hubert admin rotate-key`: prints what it did, never a key.
async fn rotate_key(app: &App) -> anyhow::Result<()> {
    let new = hubert_store::secret_key_from_env("HUBERT_NEW_SECRET_KEY")?;
    let from_env = new.is_some();
    let done = app.store.rotate_key(new, "cli", app.now()).await?;
    println!(
        "re-encrypted {} secrets: key {} -> {} (audit: key.rotated)",
        done.count, done.old_key, done.new_key
    );
    match &done.key_file {
        Some(file) => println!(
            "the new key is in {}; the old key opens nothing any more",
            file.display()
        ),
        None if from_env => println!(
            "start every instance with HUBERT_SECRET_KEY set to the value of HUBERT_NEW_SECRET_KEY; \
             instances still running with the old key cannot open the credentials until then"
        ),
        None => {}
    }
    Ok(())
}

/// Prints the workspace's tokens as a table (times in the team's time zone).
async fn list_tokens(app: &App, ws: &str) -> anyhow::Result<()> {
    let tokens = app
        .api_tokens(&Principal::cli(ws))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let time = |t: Option<i64>, none: &str| t.map_or_else(|| none.to_owned(), |ms| app.calendar.format_minute(ms));
    println!(
        "{:<36}  {:<24}  {:<6}  {:<8}  {:<16}  {:<16}  EXPIRES",
        "ID", "NAME", "ROLE", "STATE", "CREATED", "LAST USED"
    );
    for t in tokens {
        let state = serde_json::to_value(t.state)?.as_str().unwrap_or("").to_owned();
        println!(
            "{:<36}  {:<24}  {:<6}  {:<8}  {:<16}  {:<16}  {}",
            t.id,
            t.name,
            t.role,
            state,
            time(Some(t.created_at), "-"),
            time(t.last_used_at, "never"),
            time(t.expires_at, "never"),
        );
    }
    Ok(())
}

/// The workspace of this install, created on first use.
pub async fn ensure_workspace(app: &App) -> anyhow::Result<String> {
    match app.store.default_workspace().await? {
        Some(ws) => Ok(ws),
        None => Ok(app.store.create_workspace("Hubert", app.now()).await?),
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("signal handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
